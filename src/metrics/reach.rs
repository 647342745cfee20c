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
        return Err(Error::Empty(
            "reach needs follower counts, and no case has one (the `followers` column is missing or empty); for counts of accounts use crosstab(value=\"accounts\") or compliance(unit=\"account\")".into(),
        ));
    }
    if !by.iter().any(|b| b == GROUP) {
        return super::note_rejects(reach_on(&Source::of(cases), by, spec)?, cases);
    }
    let several = crate::load::accounts_in_several_groups(frame)?;
    let (df, note) = match spec.groups {
        GroupRule::Each if several == 0 => (reach_on(&Source::of(cases), by, spec)?, "no account was reported under more than one group".to_string()),
        GroupRule::Each => (
            reach_on(&Source::of(cases), by, spec)?,
            format!("{several} account(s) were reported under more than one group and are counted in each of their groups, so group rows can sum to more than the accounts in all"),
        ),
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
        let per_account = per_account(src.lf.clone(), by, spec)?;
        let mut aggs = additive();
        aggs.push(acc_f().cast(DataType::Float64).median().alias("median_followers"));
        aggs.push(
            acc_f()
                .sort(SortOptions::default().with_order_descending(true).with_nulls_last(true))
                .head(Some(TOP_K))
                .sum()
                .alias("__top"),
        );
        run(group_agg(per_account, by, aggs))?
    } else {
        partitioned(src, by, spec)?
    };
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
    let mut key: Vec<String> = by.to_vec();
    for k in [PLATFORM, ACCOUNT_KEY] {
        if !by.iter().any(|b| b == k) {
            key.push(k.into());
        }
    }
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

/// Reach in passes, one per partition of the accounts (by a hash of `account_key`, the scan's
/// `__part` column), so that only a part of the accounts is held at a time. The sums add up
/// across partitions; each account's follower count is kept (8 bytes an account) for the exact
/// median and top 10.
fn partitioned(src: &Source, by: &[String], spec: &ReachSpec) -> Result<DataFrame> {
    let mut sums: Vec<DataFrame> = Vec::new();
    let mut values: std::collections::BTreeMap<String, (Vec<AnyValue<'static>>, Vec<i64>)> = Default::default();
    for k in 0..src.partitions {
        let part = src.lf.clone().filter(col(super::PART).eq(lit(k)));
        let per = per_account(part, by, spec)?.collect()?;
        sums.push(run(group_agg(per.clone().lazy(), by, additive()))?);
        let f = per.lazy().filter(acc_f().is_not_null());
        let lists = if by.is_empty() {
            f.select([acc_f().implode(false).alias("__v")]).collect()?
        } else {
            let keys: Vec<Expr> = by.iter().map(|b| col(b.as_str())).collect();
            f.group_by(keys).agg([acc_f().alias("__v")]).collect()?
        };
        for i in 0..lists.height() {
            let row: Vec<AnyValue<'static>> = by
                .iter()
                .map(|b| lists.column(b).and_then(|c| c.get(i)).map(|v| v.into_static()))
                .collect::<PolarsResult<_>>()?;
            let label = row.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>().join("\u{1f}");
            let AnyValue::List(s) = lists.column("__v")?.get(i)? else { continue };
            let entry = values.entry(label).or_insert_with(|| (row, Vec::new()));
            entry.1.extend(s.cast(&DataType::Int64)?.i64()?.iter().flatten());
        }
    }
    let mut parts = sums.into_iter();
    let mut total = parts.next();
    if let Some(t) = total.as_mut() {
        for b in parts {
            t.vstack_mut(&b)?;
        }
    }
    let total = match total {
        Some(t) if by.is_empty() => t.lazy().select(additive_totals()).collect()?,
        Some(t) => t
            .lazy()
            .group_by(by.iter().map(|b| col(b.as_str())).collect::<Vec<_>>())
            .agg(additive_totals())
            .collect()?,
        None => return Err(crate::error::Error::Internal("reach made no partition".into())),
    };
    // Median (mean of the two middle values for an even count, as polars computes it) and top 10.
    let mut by_cols: Vec<Vec<AnyValue<'static>>> = vec![Vec::new(); by.len()];
    let (mut median, mut top) = (Vec::new(), Vec::new());
    for (_, (row, mut v)) in values {
        for (c, x) in by_cols.iter_mut().zip(row) {
            c.push(x);
        }
        v.sort_unstable();
        let n = v.len();
        median.push((n > 0).then(|| {
            if n % 2 == 1 {
                v[n / 2] as f64
            } else {
                (v[n / 2 - 1] as f64 + v[n / 2] as f64) / 2.0
            }
        }));
        top.push(v.iter().rev().take(TOP_K).sum::<i64>());
    }
    let mut cols: Vec<Column> = Vec::new();
    for (b, vals) in by.iter().zip(by_cols) {
        let dtype = src.schema.get(b).cloned().unwrap_or(DataType::String);
        cols.push(Series::from_any_values_and_dtype(b.as_str().into(), &vals, &dtype, false)?.into_column());
    }
    cols.push(Column::new("median_followers".into(), median));
    cols.push(Column::new("__top".into(), top));
    let stats = DataFrame::new(cols[0].len(), cols)?;
    if by.is_empty() {
        let mut out = total;
        let h = out.height();
        let pick = |name: &str| -> Result<Column> {
            Ok(if stats.height() == 1 {
                stats.column(name)?.clone()
            } else {
                Column::full_null(name.into(), h, stats.column(name)?.dtype())
            })
        };
        out.with_column(pick("median_followers")?)?;
        out.with_column(pick("__top")?)?;
        return Ok(out);
    }
    let on: Vec<Expr> = by.iter().map(|b| col(b.as_str())).collect();
    let mut args = JoinArgs::new(JoinType::Left);
    args.nulls_equal = true;
    Ok(total.lazy().join(stats.lazy(), on.clone(), on, args).collect()?)
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
