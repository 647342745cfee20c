//! Mergeable partial aggregates: compliance and trend computed over parts of the data (batches,
//! files, a cluster's partitions), merged, then finished, give the tables an in-memory run
//! gives, to the bit for counts.
//!
//! ```no_run
//! use takedowns::metrics::partial;
//! use takedowns::{Cases, ComplianceSpec, LoadOptions};
//! let spec = ComplianceSpec::default();
//! let by = vec!["platform".to_string()];
//! let mut parts = Vec::new();
//! for path in ["part-1.csv", "part-2.csv"] {
//!     let cases = Cases::read_csv(path, &LoadOptions::default())?;
//!     parts.push(partial::compliance_partial(cases.data(), &by, &spec)?);
//! }
//! let table = partial::compliance_finish(partial::merge(parts, &by)?, &by, &spec)?;
//! # Ok::<(), takedowns::Error>(())
//! ```
//!
//! # The partial schema (version 1)
//!
//! A partial is a DataFrame (an Arrow record batch, so any engine can carry it): the `by` columns
//! as the cases have them, then only sums, so that partials merge by adding them per `by` group
//! ([`merge`]: associative and commutative):
//!
//! - compliance: `requests` (units), `removed`, `restricted`, `rejected`, `pending` (units with
//!   that outcome); with `weight = followers` also `successes`, `denominator`, `n` (weighted and
//!   unweighted sums over the units in the denominator), `__w2` (sum of squared weights, for
//!   Kish's effective n) and `missing_weight`.
//! - trend: the same sums per `by` group and period key `__key` (an Int64 that numbers the
//!   periods of the spec's `every` and `year_start`; null for cases without the date, the
//!   smallest Int64 for cases outside `start`..`end`).
//!
//! - time to action: requests (`requests`) per `by` group, time to decision in days (`__t`) and
//!   kind (`__k`); merge with keys `by`, `__t`, `__k`.
//! - reach, in two stages, because an account's requests must meet before it is counted once:
//!   1. account states ([`reach_states`]), per `by` group and account (`platform`,
//!      `account_key`): `__cases` and `__naive` (sums), `__f` (followers: the largest, or under
//!      the latest rule the latest value, with the order `__fr`, `__fa`, `__fs` of the row it came
//!      from), and the latest request's outcome code `__c` (0 removed, 1 restricted, 2 rejected,
//!      3 pending) and order `__r`, `__a`, `__s` (`reported_at`, `actioned_at` as integers, a
//!      missing date as the smallest Int64, then the row's place in the input). States are
//!      hash-partitioned by `platform` and `account_key`, so that each account's states meet in
//!      one place, and [`reach_reduce`]d there:
//!   2. the histogram partial: per `by` group and account follower count `__f` (null for accounts
//!      without one and for cases naming no account): `cases`, `accounts`, `followers`,
//!      `followers_actioned`, `followers_live`, `accounts_missing_followers`,
//!      `followers_undeduplicated`, `__followed` (rows with a follower count) and `__several`
//!      (accounts reported under more than one group, when `by` has `group`). These add up; merge
//!      with keys `by`, `__f`. The exact median and top-10 share are finished from the accounts
//!      per follower count. Its size is the distinct follower counts per group, not the accounts.
//!
//! Intervals, rates, the zero-filled grid of periods and running totals are computed only at
//! finish, from the merged sums. Partials of different specs or `by` do not merge (their columns
//! differ, and [`merge`] refuses them). Compliance with `unit = account` has no partial here: an
//! account's latest request must be found among all its requests. Reach with `groups = latest`
//! and `group` in `by` has none either (an account's group would have to be settled before its
//! states are keyed by group).
//!
//! Version history: 1, compliance, trend and time to action; 2, reach added (the others
//! unchanged).
//! A partial carries no load report: each part's [`crate::LoadReport`] counts its own rows read,
//! accepted and rejected, and those add up.

use polars::prelude::*;

use super::compliance::{self, ComplianceSpec, Unit};
use super::crosstab::{self, CrossValue};
use super::reach::{self, GroupRule, ReachSpec};
use super::survival::{self, SurvivalSpec};
use super::trend::{self, TrendSpec};
use super::Source;
use crate::error::{Error, Result};
use crate::load::Validated;

/// The version of the partial schema described in the module docs.
pub const PARTIAL_VERSION: u32 = 2;

fn refuse(cases: &Validated, spec: &ComplianceSpec) -> Result<()> {
    compliance::refuse_actions_only(cases.report.actions_only, cases.report.unit.as_deref())?;
    compliance::refuse_unpublished(cases.report.outcomes_unpublished)?;
    refuse_accounts(spec)
}

fn refuse_accounts(spec: &ComplianceSpec) -> Result<()> {
    if spec.unit == Unit::Account {
        return Err(Error::invalid_arg(
            "unit",
            "unit=account has no partial: an account's latest request must be found among all its requests, so \
             its requests must meet in one place first; use unit=request, or the cases in memory",
        ));
    }
    Ok(())
}

/// A partial as it travels between processes: labels as text, whatever the parts' categories.
fn text(partial: DataFrame) -> Result<DataFrame> {
    Ok(crate::schema::labels_as_text(partial)?)
}

/// The partial state of compliance per `by` group over `cases` (one part of the data).
pub fn compliance_partial(cases: &Validated, by: &[String], spec: &ComplianceSpec) -> Result<DataFrame> {
    refuse(cases, spec)?;
    text(compliance::compliance_partial_on(&Source::of(cases), by, spec)?)
}

/// The partial state of counts of cases per `by` group, for a crosstab of cases: a compliance
/// partial under the default definition, for rows of any kind (actions only, or without
/// outcomes, whose rates [`compliance_partial`] refuses). [`crosstab_finish`] reads only its
/// `requests`.
pub fn cases_partial(cases: &Validated, by: &[String]) -> Result<DataFrame> {
    text(compliance::compliance_partial_on(&Source::of(cases), by, &ComplianceSpec::default())?)
}

/// Compliance from a merged partial: the table [`crate::metrics::compliance::compliance`] gives
/// (without the note on rejected rows, which each part's load report holds).
pub fn compliance_finish(partial: DataFrame, by: &[String], spec: &ComplianceSpec) -> Result<DataFrame> {
    spec.check()?;
    check_keys(&partial, by)?;
    compliance::compliance_finish(partial, by, spec)
}

/// The partial state of a trend per `by` group and period over `cases` (one part of the data).
pub fn trend_partial(cases: &Validated, by: &[String], spec: &TrendSpec) -> Result<DataFrame> {
    // A trend counts rows whatever their outcomes; its rates are left out at finish when the
    // rows have none (actions only, or no published outcome).
    refuse_accounts(&spec.compliance)?;
    text(trend::trend_partial_on(&Source::of(cases), by, spec)?)
}

/// A trend from a merged partial: the table [`crate::metrics::trend::trend`] gives (without the
/// note on rejected rows). `unit` is what a row counts when not requests; `actions_only` and
/// `outcomes_unpublished` are the load report's (every part's), and blank the rates as in memory.
pub fn trend_finish(
    partial: DataFrame,
    by: &[String],
    spec: &TrendSpec,
    unit: Option<&str>,
    actions_only: bool,
    outcomes_unpublished: bool,
) -> Result<DataFrame> {
    spec.compliance.check()?;
    let mut keys = by.to_vec();
    keys.push("__key".into());
    check_keys(&partial, &keys)?;
    trend::trend_finish(partial, by, spec, unit, super::NoRate::of(actions_only, outcomes_unpublished))
}

/// A crosstab of `value` from a merged partial by `[rows, columns]`: the table
/// [`crate::metrics::crosstab::crosstab`] gives (without the note on rejected rows). Cases and
/// rates come from a compliance partial (`spec`), accounts and followers from a reach histogram
/// partial (`reach_spec`). `unit` is what a row counts when not requests.
pub fn crosstab_finish(
    partial: DataFrame,
    rows: &str,
    columns: &str,
    value: CrossValue,
    spec: &ComplianceSpec,
    reach_spec: &ReachSpec,
    unit: Option<&str>,
) -> Result<DataFrame> {
    let by = vec![rows.to_string(), columns.to_string()];
    check_keys(&partial, &by)?;
    let reach_value = matches!(value, CrossValue::Accounts | CrossValue::Followers);
    if reach_value != partial.column(reach::F).is_ok() {
        return Err(Error::invalid_arg(
            "partial",
            format!(
                "a crosstab of {value} is finished from {} partial",
                if reach_value { "a reach (histogram)" } else { "a compliance" }
            ),
        ));
    }
    let (long, field, definition) = match value {
        CrossValue::Cases => (
            partial.select([rows, columns, "requests"])?.lazy().rename(["requests"], ["cases"], true).collect()?,
            "cases",
            crosstab::cases_definition(unit),
        ),
        CrossValue::Rate => {
            (compliance_finish(partial, &by, spec)?, "rate", format!("cell = compliance {}", spec.describe()))
        }
        CrossValue::Accounts => (
            reach::finish_partial(partial, &by, &ReachSpec::default(), false)?,
            "accounts",
            crosstab::ACCOUNTS_DEFINITION.to_string(),
        ),
        CrossValue::Followers => {
            let definition = format!("cell = followers; {}; empty cells 0", reach_spec.describe());
            (reach::finish_partial(partial, &by, reach_spec, true)?, "followers", definition)
        }
    };
    crosstab::pivot(&long, rows, columns, field, &definition, value)
}

/// Reach stage 1: the account states of `cases` (one part of the data) per `by` group (see the
/// module docs). `first_row` is the place of the part's first row in the whole input, in any
/// unit that orders the parts (a cluster can use its partition number times 2^40 plus the rows
/// before the batch): an account's two requests with the same dates go to the later row, as in
/// memory. The parts' rows must be runs of the input in its order for that tie-break to be the
/// in-memory one; any split of the accounts merges correctly otherwise.
pub fn reach_states(cases: &Validated, by: &[String], spec: &ReachSpec, first_row: i64) -> Result<DataFrame> {
    super::check_by(cases.frame().schema(), by)?;
    if spec.groups == GroupRule::Latest && by.iter().any(|b| b == crate::schema::col_names::GROUP) {
        return Err(Error::invalid_arg(
            "groups",
            "groups=latest has no partial: an account's group must be settled from all its requests before its states \
             are keyed by group; use groups=each, or the cases in memory",
        ));
    }
    text(reach::states(cases.frame(), by, spec, first_row)?)
}

/// Reach stage 2: merges account states that hold every state of each of their accounts (from
/// any parts, in any order) into a histogram partial, which [`merge`] adds up with others (keys
/// `by`, `__f`).
pub fn reach_reduce(states: Vec<DataFrame>, by: &[String], spec: &ReachSpec) -> Result<DataFrame> {
    let mut keys = by.to_vec();
    keys.extend(["platform".to_string(), "account_key".to_string()]);
    keys.dedup();
    let states = merge_rows(states)?;
    check_keys(&states, &keys)?;
    reach::reduce(states, by, spec)
}

/// Reach from a merged histogram partial: the table [`crate::metrics::reach::reach`] gives
/// (without the note on rejected rows).
pub fn reach_finish(partial: DataFrame, by: &[String], spec: &ReachSpec) -> Result<DataFrame> {
    let mut keys = by.to_vec();
    keys.push(reach::F.into());
    check_keys(&partial, &keys)?;
    reach::finish_partial(partial, by, spec, true)
}

/// Partials stacked, after checking that their columns agree.
fn merge_rows(parts: Vec<DataFrame>) -> Result<DataFrame> {
    same_columns(&parts)?;
    let mut it = parts.into_iter();
    let mut first = it.next().ok_or_else(|| Error::Internal("same_columns let no partial through".into()))?;
    for p in it {
        first.vstack_mut(&p)?;
    }
    Ok(first)
}

/// The first of `parts`, after checking that every one has its columns (partials of different
/// analytics, specs or `by` do not merge).
fn same_columns(parts: &[DataFrame]) -> Result<&DataFrame> {
    let Some(first) = parts.first() else {
        return Err(Error::invalid_arg("parts", "no partial to merge"));
    };
    match parts.iter().position(|p| p.schema() != first.schema()) {
        Some(bad) => Err(Error::invalid_arg(
            "parts",
            format!(
                "partial {bad} has other columns than partial 0 ({:?} against {:?}): partials of different \
                 analytics, specs or `by` do not merge",
                parts[bad].get_column_names(),
                first.get_column_names()
            ),
        )),
        None => Ok(first),
    }
}

/// The partial state of time to action per `by` group over `cases` (one part of the data):
/// requests per group, time to decision in days (`__t`) and kind (`__k`: 0 pending and censored,
/// 1 action, 2 rejection, 3 left out). `spec.as_of` must be set: every part must censor at the
/// same date (the latest date of all the data is the in-memory default). Merge with keys `by`,
/// `__t`, `__k`.
pub fn time_to_action_partial(cases: &Validated, by: &[String], spec: &SurvivalSpec) -> Result<DataFrame> {
    if spec.as_of.is_none() {
        return Err(Error::invalid_arg(
            "as_of",
            "a partial needs the censoring date set: each part's own latest date would censor its pending \
             requests at a different date; set as_of to the latest date of all the data",
        ));
    }
    text(survival::observe(cases, by, spec, false)?.partial)
}

/// Time to action from a merged partial: the table [`crate::metrics::survival::time_to_action`]
/// gives (without the note on rejected rows).
pub fn time_to_action_finish(partial: DataFrame, by: &[String], spec: &SurvivalSpec) -> Result<DataFrame> {
    spec.check()?;
    let Some(as_of) = spec.as_of else {
        return Err(Error::invalid_arg("as_of", "set as_of, as for the partials"));
    };
    let mut keys = by.to_vec();
    keys.extend(["__t".to_string(), "__k".to_string()]);
    check_keys(&partial, &keys)?;
    survival::time_to_action_of(&survival::prepared_from(partial, by, as_of)?, spec)
}

/// Fails unless `partial` has every key column.
fn check_keys(partial: &DataFrame, keys: &[String]) -> Result<()> {
    match keys.iter().find(|k| partial.column(k).is_err()) {
        Some(k) => Err(Error::invalid_arg(
            "partial",
            format!("the partial has no column `{k}`: it was computed with another `by` (or is not a partial)"),
        )),
        None => Ok(()),
    }
}

/// Merges partials of the same analytic, spec and `keys` (the `by` columns, and `__key` for a
/// trend) by adding their sums per key. Associative and commutative: any split of the data,
/// merged in any order and grouping, gives the same partial (rows in no set order).
pub fn merge(parts: Vec<DataFrame>, keys: &[String]) -> Result<DataFrame> {
    let first = same_columns(&parts)?;
    let schema = first.schema().clone();
    check_keys(first, keys)?;
    let lfs: Vec<LazyFrame> = parts.into_iter().map(|p| p.lazy()).collect();
    let all = concat(lfs, UnionArgs::default())?;
    let sums: Vec<Expr> =
        schema.iter_names().filter(|n| !keys.iter().any(|k| k == n.as_str())).map(|n| col(n.clone()).sum()).collect();
    super::run(super::group_agg(all, keys, sums))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// The sample split at random into `k` parts (each validated on its own, as a worker would).
    fn split(k: usize, seed: u64) -> Vec<Validated> {
        let all = crate::Cases::sample().unwrap();
        let frame = all.frame().clone();
        let mut rng = Rng(seed);
        let which: Vec<u32> = (0..frame.height()).map(|_| rng.below(k as u64) as u32).collect();
        (0..k as u32)
            .map(|p| {
                let mask: BooleanChunked = which.iter().map(|w| *w == p).collect();
                all.data().with_frame(frame.filter(&mask).unwrap())
            })
            .collect()
    }

    fn same(a: &DataFrame, b: &DataFrame) {
        assert_eq!(a.get_column_names(), b.get_column_names());
        assert_eq!(a.height(), b.height());
        for c in a.columns() {
            let d = b.column(c.name()).unwrap();
            if c.dtype() == &DataType::Float64 {
                for (x, y) in c.f64().unwrap().iter().zip(d.f64().unwrap().iter()) {
                    match (x, y) {
                        (Some(x), Some(y)) => assert!((x - y).abs() <= 1e-12, "{}: {x} {y}", c.name()),
                        (x, y) => assert_eq!(x, y, "{}", c.name()),
                    }
                }
            } else {
                assert_eq!(c.as_materialized_series(), d.as_materialized_series(), "{}", c.name());
            }
        }
    }

    #[test]
    fn any_split_in_any_order_gives_the_in_memory_tables() {
        let all = crate::Cases::sample().unwrap();
        let by = vec!["group".to_string(), "platform".to_string()];
        let specs = [
            ComplianceSpec::default(),
            ComplianceSpec { pending: compliance::PendingRule::Exclude, ..Default::default() },
            ComplianceSpec { weight: compliance::Weight::Followers, ..Default::default() },
        ];
        for (seed, k) in [(1u64, 1usize), (2, 2), (3, 5), (4, 17)] {
            let parts = split(k, seed);
            for spec in &specs {
                let want = compliance::compliance_on(&Source::of(all.data()), &by, spec).unwrap();
                let mut partials: Vec<DataFrame> =
                    parts.iter().map(|p| compliance_partial(p, &by, spec).unwrap()).collect();
                partials.reverse();
                same(&compliance_finish(merge_in_two_steps(partials, &by), &by, spec).unwrap(), &want);
            }
            let spec = TrendSpec { every: crate::Every::Week, ..Default::default() };
            let want = trend::trend_on(&Source::of(all.data()), &by[1..], &spec).unwrap();
            let mut keys = by[1..].to_vec();
            keys.push("__key".into());
            let partials = parts.iter().map(|p| trend_partial(p, &by[1..], &spec).unwrap()).collect();
            same(&trend_finish(merge(partials, &keys).unwrap(), &by[1..], &spec, None, false, false).unwrap(), &want);
        }
    }

    /// `parts` merged in two steps (each half, then the halves): with the parts in any order,
    /// what an associative and commutative merge must give as in one step.
    fn merge_in_two_steps(mut parts: Vec<DataFrame>, keys: &[String]) -> DataFrame {
        let half = parts.split_off(parts.len() / 2);
        if parts.is_empty() {
            return merge(half, keys).unwrap();
        }
        merge(vec![merge(parts, keys).unwrap(), merge(half, keys).unwrap()], keys).unwrap()
    }

    /// The sample cut at random into `k` runs of rows in input order, each with its first row.
    fn runs(k: usize, seed: u64) -> Vec<(Validated, i64)> {
        let all = crate::Cases::sample().unwrap();
        let frame = all.frame().clone();
        let mut rng = Rng(seed);
        let mut cuts: Vec<usize> = (1..k).map(|_| rng.below(frame.height() as u64) as usize).collect();
        cuts.extend([0, frame.height()]);
        cuts.sort_unstable();
        cuts.windows(2).map(|w| (all.data().with_frame(frame.slice(w[0] as i64, w[1] - w[0])), w[0] as i64)).collect()
    }

    /// Reach as a cluster computes it: states per run, hash-partitioned by account over
    /// `workers`, reduced there, the histograms merged in two steps in reverse order.
    fn reach_on_workers(k: usize, seed: u64, workers: u64, by: &[String], spec: &ReachSpec) -> DataFrame {
        use std::hash::{DefaultHasher, Hash, Hasher};
        let states: Vec<DataFrame> =
            runs(k, seed).iter().map(|(p, first)| reach_states(p, by, spec, *first).unwrap()).collect();
        let mut per_worker: Vec<Vec<DataFrame>> = vec![Vec::new(); workers as usize];
        for st in states {
            let (p, a) =
                (st.column("platform").unwrap().str().unwrap(), st.column("account_key").unwrap().str().unwrap());
            let to: Vec<u64> = p
                .iter()
                .zip(a.iter())
                .map(|kv| {
                    let mut h = DefaultHasher::new();
                    kv.hash(&mut h);
                    h.finish() % workers
                })
                .collect();
            for (w, part) in per_worker.iter_mut().enumerate() {
                let mask: BooleanChunked = to.iter().map(|t| *t == w as u64).collect();
                part.push(st.filter(&mask).unwrap());
            }
        }
        let mut keys = by.to_vec();
        keys.push("__f".into());
        let mut hists: Vec<DataFrame> = per_worker.into_iter().map(|s| reach_reduce(s, by, spec).unwrap()).collect();
        hists.reverse();
        reach_finish(merge_in_two_steps(hists, &keys), by, spec).unwrap()
    }

    #[test]
    fn reach_from_account_states_on_any_workers_equals_the_in_memory_table() {
        let all = crate::Cases::sample().unwrap();
        let specs = [ReachSpec::default(), ReachSpec { followers: reach::FollowersRule::Latest, ..Default::default() }];
        let bys: [&[&str]; 4] = [&[], &["group"], &["group", "platform"], &["agency"]];
        for (i, spec) in specs.iter().enumerate() {
            for (j, by) in bys.iter().enumerate() {
                let by: Vec<String> = by.iter().map(|b| b.to_string()).collect();
                let want = reach::reach(all.data(), &by, spec).unwrap();
                for (k, workers) in [(1usize, 1u64), (3, 2), (7, 5), (16, 3)] {
                    let got = reach_on_workers(k, (i * 10 + j) as u64 + k as u64, workers, &by, spec);
                    same(&got, &want);
                }
            }
        }
    }

    #[test]
    fn reach_partials_refuse_what_they_cannot_compute() {
        let all = crate::Cases::sample().unwrap();
        let latest = ReachSpec { groups: GroupRule::Latest, ..Default::default() };
        let e = reach_states(all.data(), &["group".into()], &latest, 0).unwrap_err().to_string();
        assert!(e.contains("groups=latest has no partial"), "{e}");
        // Without group in `by`, the group rule plays no part.
        assert!(reach_states(all.data(), &["platform".into()], &latest, 0).is_ok());
        // A compliance partial does not finish a crosstab of accounts, nor a reach partial one of rates.
        let spec = ComplianceSpec::default();
        let by = vec!["group".to_string(), "platform".to_string()];
        let c = compliance_partial(all.data(), &by, &spec).unwrap();
        let e = crosstab_finish(c, "group", "platform", CrossValue::Accounts, &spec, &ReachSpec::default(), None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("from a reach (histogram) partial"), "{e}");
        // Without any follower count, reach refuses at finish as in memory.
        let no_f = all
            .frame()
            .clone()
            .lazy()
            .with_column(lit(NULL).cast(DataType::Int64).alias("followers"))
            .collect()
            .unwrap();
        let v = all.data().with_frame(no_f);
        let st = reach_states(&v, &[], &ReachSpec::default(), 0).unwrap();
        let h = reach_reduce(vec![st], &[], &ReachSpec::default()).unwrap();
        let e = reach_finish(h, &[], &ReachSpec::default()).unwrap_err().to_string();
        assert!(e.contains("reach needs follower counts"), "{e}");
    }

    #[test]
    fn crosstabs_from_merged_partials_equal_the_in_memory_ones() {
        let all = crate::Cases::sample().unwrap();
        let (rows, cols) = ("group", "platform");
        let by = vec![rows.to_string(), cols.to_string()];
        let spec = ComplianceSpec::default();
        let partials = split(3, 21).iter().map(|p| compliance_partial(p, &by, &spec).unwrap()).collect();
        let merged = merge(partials, &by).unwrap();
        let counted: Vec<DataFrame> = split(3, 21).iter().map(|p| cases_partial(p, &by).unwrap()).collect();
        assert_eq!(
            merge(counted, &by).unwrap().column("requests").unwrap().as_materialized_series().sum::<i64>().unwrap(),
            896
        );
        for value in [CrossValue::Cases, CrossValue::Rate] {
            let want = all.crosstab(rows, cols, value, &spec, &Default::default()).unwrap();
            same(
                &crosstab_finish(merged.clone(), rows, cols, value, &spec, &ReachSpec::default(), None).unwrap(),
                &want,
            );
        }
        // Accounts and followers from reach's histogram partial.
        let reach_spec = ReachSpec::default();
        let states = runs(4, 22).iter().map(|(p, first)| reach_states(p, &by, &reach_spec, *first).unwrap()).collect();
        let hist = reach_reduce(states, &by, &reach_spec).unwrap();
        for value in [CrossValue::Accounts, CrossValue::Followers] {
            let want = all.crosstab(rows, cols, value, &spec, &reach_spec).unwrap();
            same(&crosstab_finish(hist.clone(), rows, cols, value, &spec, &reach_spec, None).unwrap(), &want);
        }
    }

    #[test]
    fn time_to_action_from_merged_partials_equals_the_in_memory_table() {
        let all = crate::Cases::sample().unwrap();
        let by = vec!["platform".to_string()];
        // The censoring date every part shares: the latest date of all the data.
        let frame = all.frame();
        let latest = [crate::schema::col_names::REPORTED_AT, crate::schema::col_names::ACTIONED_AT]
            .iter()
            .filter_map(|c| frame.column(c).unwrap().cast(&DataType::Int64).unwrap().i64().unwrap().max())
            .max();
        let spec = SurvivalSpec { as_of: latest, ..Default::default() };
        let want = survival::time_to_action(all.data(), &by, &spec).unwrap();
        let mut keys = by.clone();
        keys.extend(["__t".to_string(), "__k".to_string()]);
        for (seed, k) in [(5u64, 2usize), (6, 9)] {
            let partials = split(k, seed).iter().map(|p| time_to_action_partial(p, &by, &spec).unwrap()).collect();
            same(&time_to_action_finish(merge(partials, &keys).unwrap(), &by, &spec).unwrap(), &want);
        }
        // Without a shared censoring date, no partial.
        let e = time_to_action_partial(all.data(), &by, &SurvivalSpec::default()).unwrap_err().to_string();
        assert!(e.contains("set as_of"), "{e}");
    }

    #[test]
    fn partials_that_do_not_match_are_refused() {
        let parts = split(2, 9);
        let spec = ComplianceSpec::default();
        let a = compliance_partial(&parts[0], &["platform".into()], &spec).unwrap();
        let b = compliance_partial(&parts[1], &["group".into()], &spec).unwrap();
        let e = merge(vec![a.clone(), b], &["platform".into()]).unwrap_err().to_string();
        assert!(e.contains("do not merge"), "{e}");
        let e = compliance_finish(a, &["group".into()], &spec).unwrap_err().to_string();
        assert!(e.contains("no column `group`"), "{e}");
        let account = ComplianceSpec { unit: Unit::Account, ..Default::default() };
        assert!(compliance_partial(&parts[0], &[], &account).unwrap_err().to_string().contains("no partial"));
    }
}
