//! Reach: followers of the reported accounts, each account counted once.
//!
//! # Definition
//!
//! Per `by` group (default `group`):
//!
//! - `cases`: requests (rows times `count`), including those that name no account.
//! - `accounts`: distinct accounts, an account being a (`platform`, `account_key`) pair; cases
//!   without an account are not accounts.
//! - An account's followers: the largest value among its reports ([`FollowersRule::Max`], the
//!   default: counts drift up between reports and the largest is the most the account reached) or
//!   the value of its latest report that has one ([`FollowersRule::Latest`]). Its outcome is that
//!   of its latest request (latest `reported_at`, then `actioned_at`, then input order).
//! - `followers`: sum over accounts; `followers_actioned`: over accounts whose outcome is removed
//!   or restricted; `followers_live`: over the others (rejected or pending: still up).
//!   `share_actioned` = followers_actioned / followers (null when followers is 0).
//! - `median_followers`: median over accounts with a follower count.
//! - `top10_share`: followers of the 10 largest accounts / followers (null when followers is 0).
//! - `accounts_missing_followers`: accounts with no follower count in any report (they add 0).
//! - `followers_undeduplicated`: the sum over requests without counting accounts once (followers ×
//!   count per row): what a naive total would say. Never below `followers` under the max rule.
//!
//! # Computation
//!
//! Cases in memory with the default rule and text `by` columns are counted in Rust
//! (`src/metrics/accounts.rs`); anything else (scans, the `latest` rule, other `by` dtypes) by a polars
//! query on the streaming engine. Both compute this definition and are tested against each other.

use polars::prelude::*;

use super::{check_by, chronological, const_str, group_agg, latest, run, sort_by, Source};
use crate::error::{Error, Result};
use crate::load::Validated;
use crate::schema::{col_names::*, Status};

crate::vocabulary! {
    /// Which follower count an account gets when its reports disagree.
    #[derive(Default)]
    pub enum FollowersRule("followers") {
        /// The largest reported value (default).
        #[default]
        Max = "max",
        /// The value of the latest report that has one.
        Latest = "latest",
    }
}

crate::vocabulary! {
    /// Where an account reported under more than one group is counted when reach is split by group.
    #[derive(Default)]
    pub enum GroupRule("groups") {
        /// In every group it was reported under (default): group rows then sum to more than the
        /// accounts in all, and the definition says by how many accounts.
        #[default]
        Each = "each",
        /// Once, in the group of its latest request (latest `reported_at`, then input order).
        Latest = "latest",
    }
}

/// The definition of a reach table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ReachSpec {
    /// Which value an account's followers take.
    pub followers: FollowersRule,
    /// Where an account reported under several groups counts, when `by` includes `group`.
    pub groups: GroupRule,
}

/// How many of the largest accounts `top10_share` covers.
pub const TOP_K: usize = 10;

/// Reach per `by` group. See the module docs for the definition.
///
/// Fails when no case has a follower count: a table of zero followers would read as a finding.
/// When `by` includes `group`, the definition states how many accounts were reported under more
/// than one group and where they were counted ([`GroupRule`]).
pub fn reach(cases: &Validated, by: &[String], spec: &ReachSpec) -> Result<DataFrame> {
    check_by(cases.frame().schema(), by)?;
    let frame = cases.frame();
    if frame.height() > 0 && frame.column(FOLLOWERS)?.null_count() == frame.height() {
        return Err(Error::Empty(NO_FOLLOWERS.into()));
    }
    if !by.iter().any(|b| b == GROUP) {
        return super::note_rejects(reach_on(&Source::of(cases), by, spec)?, cases);
    }
    let several = crate::load::accounts_in_several_groups(frame)?;
    let (df, note) = match spec.groups {
        GroupRule::Each => (reach_on(&Source::of(cases), by, spec)?, each_group_note(several)),
        GroupRule::Latest => {
            let regrouped = frame.clone().lazy().with_column(latest_group()?).collect()?;
            (
                reach_on(&Source::of(&cases.with_frame(regrouped)), by, spec)?,
                format!("each account counted once, in the group of its latest request ({several} account(s) were reported under more than one group)"),
            )
        }
    };
    let df = super::map_definitions(df, |v| format!("{v}; {note}"))?;
    super::note_rejects(df, cases)
}

/// Reach over rows held in memory in their input order (a scan's rows, gathered by
/// [`crate::scan::Scan::tables`]): the in-memory table, its note on accounts in several groups
/// included; `groups = latest` is not taken (the scan refuses it).
pub(crate) fn reach_held(src: &Source, by: &[String], spec: &ReachSpec) -> Result<DataFrame> {
    let frame = src.frame.ok_or_else(|| Error::Internal("reach_held needs the rows".into()))?;
    if frame.height() > 0 && frame.column(FOLLOWERS)?.null_count() == frame.height() {
        return Err(Error::Empty(NO_FOLLOWERS.into()));
    }
    let df = reach_on(src, by, spec)?;
    if !by.iter().any(|b| b == GROUP) {
        return Ok(df);
    }
    let note = each_group_note(crate::load::accounts_in_several_groups(frame)?);
    super::map_definitions(df, |v| format!("{v}; {note}"))
}

/// One part of the accounts held in memory (every row of each of its accounts): its histogram
/// partial (see [`super::partial`]) and its accounts reported under several groups, both of
/// which add up over parts.
pub(crate) fn held_part(frame: &DataFrame, by: &[String], spec: &ReachSpec) -> Result<DataFrame> {
    let mut h = run(histogram(per_account(frame.clone().lazy(), by, spec)?, by))?;
    let several =
        if by.iter().any(|b| b == GROUP) { crate::load::accounts_in_several_groups(frame)? as i64 } else { 0 };
    let mut flag = vec![0i64; h.height()];
    if let Some(first) = flag.first_mut() {
        *first = several;
    }
    h.with_column(Column::new("__several".into(), flag))?;
    Ok(h)
}

/// What the definition says of accounts reported under several groups, counted in each.
pub(crate) fn each_group_note(several: u64) -> String {
    if several == 0 {
        "no account was reported under more than one group".to_string()
    } else {
        format!(
            "{several} account(s) were reported under more than one group and are counted in each of their groups, so group rows can sum to more than the accounts in all"
        )
    }
}

/// `group` replaced, for rows with an account, by the group of the account's latest request that
/// names one (latest `reported_at`, ties to the later row).
fn latest_group() -> Result<Expr> {
    let latest = col(GROUP)
        .filter(col(GROUP).is_not_null())
        .sort_by([col(REPORTED_AT)], SortMultipleOptions::default().with_maintain_order(true).with_nulls_last(false))
        .last()
        .over([col(PLATFORM), col(ACCOUNT_KEY)])?;
    Ok(when(col(ACCOUNT_KEY).is_null()).then(col(GROUP)).otherwise(latest).alias(GROUP))
}

pub(crate) fn reach_on(src: &Source, by: &[String], spec: &ReachSpec) -> Result<DataFrame> {
    check_by(&src.schema, by)?;
    let in_memory = match (src.frame, spec.followers) {
        (Some(frame), FollowersRule::Max) => super::accounts::reach_max(frame, by)?,
        _ => None,
    };
    let df = if let Some(df) = in_memory {
        df
    } else if src.partitions <= 1 {
        totals(run(histogram(per_account(src.lf.clone(), by, spec)?, by))?, by)?
    } else {
        // One pass per partition of the accounts (a hash of `account_key`, the scan's `__part`
        // column), so that only a part of the accounts is held at a time; each pass's histogram
        // partial adds up with the others'.
        let mut keys = by.to_vec();
        keys.push(F.into());
        let parts = (0..src.partitions)
            .map(|k| run(histogram(per_account(src.lf.clone().filter(col(super::PART).eq(lit(k))), by, spec)?, by)))
            .collect::<Result<Vec<_>>>()?;
        totals(super::partial::merge(parts, &keys)?, by)?
    };
    finish(df, by, spec)
}

/// The reach table from stage 2's totals (`by`, the sums, `median_followers`, `__top`): the
/// ratios, the columns in order, sorted, with the definition.
pub(crate) fn finish(df: DataFrame, by: &[String], spec: &ReachSpec) -> Result<DataFrame> {
    let ratio = |num: &str| {
        when(col("followers").gt(lit(0i64)))
            .then(col(num).cast(DataType::Float64) / col("followers").cast(DataType::Float64))
            .otherwise(lit(NULL).cast(DataType::Float64))
    };
    let df = df
        .lazy()
        .with_columns([ratio("followers_actioned").alias("share_actioned"), ratio("__top").alias("top10_share")])
        .collect()?;
    let mut order: Vec<String> = by.to_vec();
    order.extend(
        [
            "cases",
            "accounts",
            "followers",
            "followers_actioned",
            "followers_live",
            "share_actioned",
            "median_followers",
            "top10_share",
            "accounts_missing_followers",
            "followers_undeduplicated",
        ]
        .map(String::from),
    );
    let df = sort_by(df.select(order)?, by)?;
    let mut df = df;
    let h = df.height();
    df.with_column(const_str("definition", &spec.describe(), h))?;
    Ok(df)
}

/// Stage 1: one row per account within each by-group (rows without an account form one null-key
/// row per group, kept only for the case count).
fn per_account(lf: LazyFrame, by: &[String], spec: &ReachSpec) -> Result<LazyFrame> {
    let key = account_keys(by);
    let stage1 = vec![col(COUNT).sum().alias("__cases"), (col(FOLLOWERS) * col(COUNT)).sum().alias("__naive")];
    Ok(match spec.followers {
        // Largest value: a plain max, and the latest outcome without sorting (see `latest`).
        FollowersRule::Max => {
            let mut aggs = stage1;
            aggs.push(col(FOLLOWERS).max().alias("__f"));
            latest::aggregate_with_latest(lf, &key, aggs)?
                .lazy()
                .with_column(col("__code").lt_eq(lit(1i64)).alias("__actioned"))
        }
        // Latest value: needs the rows in order.
        FollowersRule::Latest => {
            let actioned =
                col(STATUS).eq(lit(Status::Removed.as_str())).or(col(STATUS).eq(lit(Status::Restricted.as_str())));
            let mut aggs = stage1;
            aggs.push(col(FOLLOWERS).drop_nulls().last().alias("__f"));
            aggs.push(actioned.last().alias("__actioned"));
            group_agg(chronological(lf), &key, aggs)
        }
    })
}

/// The key of an account's row within a `by` group: the `by` columns, then `platform` and
/// `account_key` unless `by` has them.
fn account_keys(by: &[String]) -> Vec<String> {
    let mut key: Vec<String> = by.to_vec();
    for k in [PLATFORM, ACCOUNT_KEY] {
        if !by.iter().any(|b| b == k) {
            key.push(k.into());
        }
    }
    key
}

/// A date as an order key: its integer value, a missing date earliest.
fn order_key(c: &str) -> Expr {
    col(c).cast(DataType::Int64).fill_null(lit(i64::MIN))
}

/// Each of `fields` (`(column, alias)`) taken from the row that is last in the order of `order`
/// (missing keys first).
fn last_by(fields: &[(&str, &str)], order: [&str; 3]) -> Vec<Expr> {
    let opts = SortMultipleOptions::default().with_nulls_last(false);
    fields.iter().map(|(c, a)| col(*c).sort_by(order.map(col), opts.clone()).last().alias(*a)).collect()
}

/// The order of a row: `reported_at`, `actioned_at`, then its place in the input.
const ORDER: [&str; 3] = ["__r", "__a", "__s"];
/// The order of the row an account's latest follower count came from (null for none).
const F_ORDER: [&str; 3] = ["__fr", "__fa", "__fs"];

/// Account states of one part of the cases (stage 1 of reach on a cluster; the schema is in
/// [`super::partial`]): per `by` group and account, the sums over its rows in this part, its
/// follower count under `spec`, and the outcome and order of its latest request here. `first_row`
/// is the place of the part's first row in the input (a tie in both dates goes to the later row).
pub(crate) fn states(frame: &DataFrame, by: &[String], spec: &ReachSpec, first_row: i64) -> Result<DataFrame> {
    let mut lf = frame.clone().lazy().with_row_index("__i", None).with_columns([
        order_key(REPORTED_AT).alias("__r"),
        order_key(ACTIONED_AT).alias("__a"),
        (col("__i").cast(DataType::Int64) + lit(first_row)).alias("__s"),
        latest::status_code().alias("__c"),
    ]);
    let mut aggs = vec![col(COUNT).sum().alias("__cases"), (col(FOLLOWERS) * col(COUNT)).sum().alias("__naive")];
    aggs.extend(last_by(&[("__c", "__c"), ("__r", "__r"), ("__a", "__a"), ("__s", "__s")], ORDER));
    match spec.followers {
        FollowersRule::Max => aggs.push(col(FOLLOWERS).cast(DataType::Int64).max().alias("__f")),
        FollowersRule::Latest => {
            let has = || col(FOLLOWERS).is_not_null();
            let masked = |c: &str| when(has()).then(col(c)).otherwise(lit(NULL).cast(DataType::Int64));
            lf = lf.with_columns([
                masked("__r").alias("__fr"),
                masked("__a").alias("__fa"),
                masked("__s").alias("__fs"),
                col(FOLLOWERS).cast(DataType::Int64).alias("__fol"),
            ]);
            aggs.extend(last_by(&[("__fol", "__f"), ("__fr", "__fr"), ("__fa", "__fa"), ("__fs", "__fs")], F_ORDER));
        }
    }
    run(group_agg(lf, &account_keys(by), aggs))
}

/// Merges account states, every state of each account among them (a cluster hash-partitions
/// them by `platform` and `account_key` first), into the histogram partial of these accounts
/// ([`histogram`]), with `__several`: the accounts reported under more than one group, when `by`
/// has `group` (on the first row; 0 on the others, so that it adds up too).
pub(crate) fn reduce(states: DataFrame, by: &[String], spec: &ReachSpec) -> Result<DataFrame> {
    let mut aggs = vec![col("__cases").sum().alias("__cases"), col("__naive").sum().alias("__naive")];
    aggs.extend(last_by(&[("__c", "__c"), ("__r", "__r"), ("__a", "__a"), ("__s", "__s")], ORDER));
    match spec.followers {
        FollowersRule::Max => aggs.push(col("__f").max().alias("__f")),
        FollowersRule::Latest => {
            aggs.extend(last_by(&[("__f", "__f"), ("__fr", "__fr"), ("__fa", "__fa"), ("__fs", "__fs")], F_ORDER))
        }
    }
    let per = run(group_agg(states.lazy(), &account_keys(by), aggs))?
        .lazy()
        .with_column(col("__c").lt_eq(lit(1i64)).alias("__actioned"));
    let mut h = run(histogram(per.clone(), by))?;
    let several = if by.iter().any(|b| b == GROUP) {
        run(per
            .filter(col(ACCOUNT_KEY).is_not_null().and(col(GROUP).is_not_null()))
            .select([col(PLATFORM), col(ACCOUNT_KEY), col(GROUP)])
            .unique(None, UniqueKeepStrategy::Any)
            .group_by([col(PLATFORM), col(ACCOUNT_KEY)])
            .agg([len().alias("__n")])
            .filter(col("__n").gt(lit(1u32))))?
        .height() as i64
    } else {
        0
    };
    let mut flag = vec![0i64; h.height()];
    if let Some(first) = flag.first_mut() {
        *first = several;
    }
    h.with_column(Column::new("__several".into(), flag))?;
    Ok(h)
}

/// Reach from a merged histogram partial of [`reduce`]d account states: the table [`reach`]
/// gives, with its note on accounts in several groups when `by` has `group`.
pub(crate) fn finish_partial(partial: DataFrame, by: &[String], spec: &ReachSpec, followed: bool) -> Result<DataFrame> {
    let sum = |c: &str| -> Result<i64> { Ok(partial.column(c)?.cast(&DataType::Int64)?.i64()?.sum().unwrap_or(0)) };
    if followed && sum("cases")? > 0 && sum("__followed")? == 0 {
        return Err(Error::Empty(NO_FOLLOWERS.into()));
    }
    let several = sum("__several")?;
    let df = finish(totals(partial, by)?, by, spec)?;
    if !by.iter().any(|b| b == GROUP) {
        return Ok(df);
    }
    super::map_definitions(df, |v| format!("{v}; {}", each_group_note(several as u64)))
}

pub(crate) const NO_FOLLOWERS: &str = "reach needs follower counts, and no case has one (the `followers` column is missing or empty); for counts of accounts use crosstab(value=\"accounts\") or compliance(unit=\"account\")";

fn is_acc() -> Expr {
    col(ACCOUNT_KEY).is_not_null()
}

fn acc_f() -> Expr {
    when(is_acc()).then(col("__f")).otherwise(lit(NULL).cast(DataType::Int64))
}

/// Stage 2, the sums (which add up across partitions).
fn additive() -> Vec<Expr> {
    vec![
        col("__cases").sum().alias("cases"),
        is_acc().cast(DataType::Int64).sum().alias("accounts"),
        acc_f().sum().alias("followers"),
        when(is_acc().and(col("__actioned"))).then(col("__f")).otherwise(lit(0i64)).sum().alias("followers_actioned"),
        when(is_acc().and(col("__actioned").not())).then(col("__f")).otherwise(lit(0i64)).sum().alias("followers_live"),
        is_acc().and(col("__f").is_null()).cast(DataType::Int64).sum().alias("accounts_missing_followers"),
        col("__naive").sum().alias("followers_undeduplicated"),
    ]
}

/// The name of the histogram partial's follower-count key (see [`super::partial`]).
pub(crate) const F: &str = "__f";

/// The histogram partial of per-account rows (stage 1's output, or merged account states): per
/// `by` group and account follower count `__f` (null for accounts without one and for the cases
/// that name no account), the sums of stage 2 over those rows, and `__followed` (rows with a
/// follower count, accounts or not). Every column but the keys adds up across partitions of the
/// accounts, and the median and the top 10 are exact from the counts per `__f`.
pub(crate) fn histogram(per_account: LazyFrame, by: &[String]) -> LazyFrame {
    let mut aggs = additive();
    aggs.push(col("__f").is_not_null().cast(DataType::Int64).sum().alias("__followed"));
    let mut keys = by.to_vec();
    keys.push("__fv".into());
    group_agg(per_account.with_column(acc_f().cast(DataType::Int64).alias("__fv")), &keys, aggs).rename(
        ["__fv"],
        [F],
        true,
    )
}

/// Stage 2's totals per `by` group from a histogram partial: the sums, `median_followers` (the
/// mean of the two middle values for an even count, as polars computes a median) and `__top` (the
/// followers of the [`TOP_K`] largest accounts).
pub(crate) fn totals(partial: DataFrame, by: &[String]) -> Result<DataFrame> {
    let total = run(group_agg(partial.clone().lazy(), by, additive_totals()))?;
    let counted = partial.lazy().filter(col(F).is_not_null().and(col("accounts").gt(lit(0i64))));
    let lists = if by.is_empty() {
        run(counted.select([col(F).implode(false).alias("__v"), col("accounts").implode(false).alias("__n")]))?
    } else {
        run(group_agg(counted, by, vec![col(F).alias("__v"), col("accounts").alias("__n")]))?
    };
    let (values, counts) = (lists.column("__v")?, lists.column("__n")?);
    let (mut median, mut top) = (Vec::with_capacity(lists.height()), Vec::with_capacity(lists.height()));
    for i in 0..lists.height() {
        let (AnyValue::List(v), AnyValue::List(n)) = (values.get(i)?, counts.get(i)?) else {
            return Err(Error::Internal("reach: a histogram group is not a list".into()));
        };
        let mut pairs: Vec<(i64, i64)> = v
            .cast(&DataType::Int64)?
            .i64()?
            .iter()
            .zip(n.cast(&DataType::Int64)?.i64()?.iter())
            .filter_map(|(v, n)| Some((v?, n?)))
            .collect();
        pairs.sort_unstable();
        median.push(median_of(&pairs));
        top.push(
            pairs
                .iter()
                .rev()
                .scan(TOP_K as i64, |left, &(v, n)| {
                    let take = n.min(*left);
                    *left -= take;
                    (take > 0).then_some(v * take)
                })
                .sum::<i64>(),
        );
    }
    let mut stats = lists.select(by.iter().map(String::as_str))?;
    stats.with_column(Column::new("median_followers".into(), median))?;
    stats.with_column(Column::new("__top".into(), top))?;
    if by.is_empty() {
        let mut out = total;
        let h = out.height();
        for name in ["median_followers", "__top"] {
            let c = stats.column(name)?;
            out.with_column(if stats.height() == 1 {
                c.clone()
            } else {
                Column::full_null(name.into(), h, c.dtype())
            })?;
        }
        return Ok(out);
    }
    let on: Vec<Expr> = by.iter().map(|b| col(b.as_str())).collect();
    let mut args = JoinArgs::new(JoinType::Left);
    args.nulls_equal = true;
    Ok(total.lazy().join(stats.lazy(), on.clone(), on, args).collect()?)
}

/// The median of values given as sorted (value, how many) pairs; `None` when there are none.
fn median_of(pairs: &[(i64, i64)]) -> Option<f64> {
    let n: i64 = pairs.iter().map(|p| p.1).sum();
    if n == 0 {
        return None;
    }
    let at = |k: i64| {
        let mut seen = 0;
        pairs
            .iter()
            .find(|p| {
                seen += p.1;
                seen > k
            })
            .map(|p| p.0 as f64)
    };
    Some((at((n - 1) / 2)? + at(n / 2)?) / 2.0)
}

fn additive_totals() -> Vec<Expr> {
    [
        "cases",
        "accounts",
        "followers",
        "followers_actioned",
        "followers_live",
        "accounts_missing_followers",
        "followers_undeduplicated",
    ]
    .iter()
    .map(|c| col(*c).sum())
    .collect()
}

impl ReachSpec {
    /// The definition in one citable sentence.
    pub fn describe(&self) -> String {
        let rule = match self.followers {
            FollowersRule::Max => "largest reported value",
            FollowersRule::Latest => "latest reported value",
        };
        format!(
            "accounts = distinct platform + account; followers counted once per account ({rule}); actioned = latest request removed or restricted; top10_share = 10 largest accounts / followers; accounts without a follower count add 0 and are counted in accounts_missing_followers"
        )
    }
}
