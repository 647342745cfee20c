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
//! Intervals, rates, the zero-filled grid of periods and running totals are computed only at
//! finish, from the merged sums. Partials of different specs or `by` do not merge (their columns
//! differ, and [`merge`] refuses them). `unit = account` has no partial here: an account's latest
//! request must be found among all its requests, so accounts must meet in one place first.
//! A partial carries no load report: each part's [`crate::LoadReport`] counts its own rows read,
//! accepted and rejected, and those add up.

use polars::prelude::*;

use super::compliance::{self, ComplianceSpec, Unit};
use super::crosstab::{self, CrossValue};
use super::survival::{self, SurvivalSpec};
use super::trend::{self, TrendSpec};
use super::Source;
use crate::error::{Error, Result};
use crate::load::Validated;

/// The version of the partial schema described in the module docs.
pub const PARTIAL_VERSION: u32 = 1;

fn refuse(cases: &Validated, spec: &ComplianceSpec) -> Result<()> {
    compliance::refuse_actions_only(cases.report.actions_only, cases.report.unit.as_deref())?;
    compliance::refuse_unpublished(cases.report.outcomes_unpublished)?;
    if spec.unit == Unit::Account {
        return Err(Error::invalid_arg(
            "unit",
            "unit=account has no partial: an account's latest request must be found among all its requests, so \
             its requests must meet in one place first; use unit=request, or the cases in memory",
        ));
    }
    Ok(())
}

/// The partial state of compliance per `by` group over `cases` (one part of the data).
pub fn compliance_partial(cases: &Validated, by: &[String], spec: &ComplianceSpec) -> Result<DataFrame> {
    refuse(cases, spec)?;
    compliance::compliance_partial_on(&Source::of(cases), by, spec)
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
    refuse(cases, &spec.compliance)?;
    trend::trend_partial_on(&Source::of(cases), by, spec)
}

/// A trend from a merged partial: the table [`crate::metrics::trend::trend`] gives (without the
/// note on rejected rows). `unit` is what a row counts when not requests.
pub fn trend_finish(partial: DataFrame, by: &[String], spec: &TrendSpec, unit: Option<&str>) -> Result<DataFrame> {
    spec.compliance.check()?;
    let mut keys = by.to_vec();
    keys.push("__key".into());
    check_keys(&partial, &keys)?;
    trend::trend_finish(partial, by, spec, unit, None)
}

/// A crosstab of `value` (cases or rate) from a merged compliance partial by `[rows, columns]`:
/// the table [`crate::metrics::crosstab::crosstab`] gives (without the note on rejected rows).
/// `unit` is what a row counts when not requests.
pub fn crosstab_finish(
    partial: DataFrame,
    rows: &str,
    columns: &str,
    value: CrossValue,
    spec: &ComplianceSpec,
    unit: Option<&str>,
) -> Result<DataFrame> {
    let by = vec![rows.to_string(), columns.to_string()];
    check_keys(&partial, &by)?;
    let (long, field, definition) = match value {
        CrossValue::Cases => (
            partial.select([rows, columns, "requests"])?.lazy().rename(["requests"], ["cases"], true).collect()?,
            "cases",
            crosstab::cases_definition(unit),
        ),
        CrossValue::Rate => {
            (compliance_finish(partial, &by, spec)?, "rate", format!("cell = compliance {}", spec.describe()))
        }
        other => {
            return Err(Error::invalid_arg(
                "value",
                format!("{other} counts accounts, which have no partial here: use cases or rate"),
            ))
        }
    };
    crosstab::pivot(&long, rows, columns, field, &definition, value)
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
    Ok(survival::observe(cases, by, spec, false)?.partial)
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
    let Some(first) = parts.first() else {
        return Err(Error::invalid_arg("parts", "no partial to merge"));
    };
    let schema = first.schema().clone();
    if let Some(bad) = parts.iter().position(|p| p.schema() != &schema) {
        return Err(Error::invalid_arg(
            "parts",
            format!(
                "partial {bad} has other columns than partial 0 ({:?} against {:?}): partials of different \
                 analytics, specs or `by` do not merge",
                parts[bad].get_column_names(),
                first.get_column_names()
            ),
        ));
    }
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
                // Any order, and merged in two steps: associative and commutative.
                partials.reverse();
                let half = partials.split_off(partials.len() / 2);
                let merged = if partials.is_empty() {
                    merge(half, &by).unwrap()
                } else {
                    merge(vec![merge(partials, &by).unwrap(), merge(half, &by).unwrap()], &by).unwrap()
                };
                same(&compliance_finish(merged, &by, spec).unwrap(), &want);
            }
            let spec = TrendSpec { every: crate::Every::Week, ..Default::default() };
            let want = trend::trend_on(&Source::of(all.data()), &by[1..], &spec).unwrap();
            let mut keys = by[1..].to_vec();
            keys.push("__key".into());
            let partials = parts.iter().map(|p| trend_partial(p, &by[1..], &spec).unwrap()).collect();
            same(&trend_finish(merge(partials, &keys).unwrap(), &by[1..], &spec, None).unwrap(), &want);
        }
    }

    #[test]
    fn crosstabs_from_merged_partials_equal_the_in_memory_ones() {
        let all = crate::Cases::sample().unwrap();
        let (rows, cols) = ("group", "platform");
        let by = vec![rows.to_string(), cols.to_string()];
        let spec = ComplianceSpec::default();
        let partials = split(3, 21).iter().map(|p| compliance_partial(p, &by, &spec).unwrap()).collect();
        let merged = merge(partials, &by).unwrap();
        for value in [CrossValue::Cases, CrossValue::Rate] {
            let want = all.crosstab(rows, cols, value, &spec, &Default::default()).unwrap();
            same(&crosstab_finish(merged.clone(), rows, cols, value, &spec, None).unwrap(), &want);
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
