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

use polars::prelude::*;

use super::{check_by, chronological, const_str, group_agg, latest, run, sort_by, Source};
use crate::cases::Cases;
use crate::error::{Error, Result};
use crate::schema::{col_names::*, Status};

/// Which follower count an account gets when its reports disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowersRule {
    /// The largest reported value (default).
    #[default]
    Max,
    /// The value of the latest report that has one.
    Latest,
}

impl FollowersRule {
    /// Parses `max` or `latest`.
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "max" => Ok(Self::Max),
            "latest" => Ok(Self::Latest),
            other => Err(Error::invalid_arg("followers", format!("unknown rule {other:?}; use max or latest"))),
        }
    }
}

/// The definition of a reach table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ReachSpec {
    /// Which value an account's followers take.
    pub followers: FollowersRule,
}

/// How many of the largest accounts `top10_share` covers.
pub const TOP_K: usize = 10;

/// Reach per `by` group. See the module docs for the definition.
pub fn reach(cases: &Cases, by: &[String], spec: &ReachSpec) -> Result<DataFrame> {
    reach_on(&Source::of(cases), by, spec)
}

pub(crate) fn reach_on(src: &Source, by: &[String], spec: &ReachSpec) -> Result<DataFrame> {
    check_by(&src.schema, by)?;
    // Stage 1: one row per account within each by-group (rows without an account form one
    // null-key row per group, kept only for the case count).
    let mut key: Vec<String> = by.to_vec();
    for k in [PLATFORM, ACCOUNT_KEY] {
        if !by.iter().any(|b| b == k) {
            key.push(k.into());
        }
    }
    let lf = src.lf.clone();
    let stage1 = vec![col(COUNT).sum().alias("__cases"), (col(FOLLOWERS) * col(COUNT)).sum().alias("__naive")];
    let per_account = match spec.followers {
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
            let actioned = col(STATUS).eq(lit(Status::Removed.as_str())).or(col(STATUS).eq(lit(Status::Restricted.as_str())));
            let mut aggs = stage1;
            aggs.push(col(FOLLOWERS).drop_nulls().last().alias("__f"));
            aggs.push(actioned.last().alias("__actioned"));
            group_agg(chronological(lf), &key, aggs)
        }
    };
    let is_acc = || col(ACCOUNT_KEY).is_not_null();
    let acc_f = || when(is_acc()).then(col("__f")).otherwise(lit(NULL).cast(DataType::Int64));
    let aggs = vec![
        col("__cases").sum().alias("cases"),
        is_acc().cast(DataType::Int64).sum().alias("accounts"),
        acc_f().sum().alias("followers"),
        when(is_acc().and(col("__actioned"))).then(col("__f")).otherwise(lit(0i64)).sum().alias("followers_actioned"),
        when(is_acc().and(col("__actioned").not())).then(col("__f")).otherwise(lit(0i64)).sum().alias("followers_live"),
        acc_f().cast(DataType::Float64).median().alias("median_followers"),
        acc_f()
            .sort(SortOptions::default().with_order_descending(true).with_nulls_last(true))
            .head(Some(TOP_K))
            .sum()
            .alias("__top"),
        is_acc().and(col("__f").is_null()).cast(DataType::Int64).sum().alias("accounts_missing_followers"),
        col("__naive").sum().alias("followers_undeduplicated"),
    ];
    let ratio = |num: &str| {
        when(col("followers").gt(lit(0i64)))
            .then(col(num).cast(DataType::Float64) / col("followers").cast(DataType::Float64))
            .otherwise(lit(NULL).cast(DataType::Float64))
    };
    let df = run(group_agg(per_account, by, aggs).with_columns([
        ratio("followers_actioned").alias("share_actioned"),
        ratio("__top").alias("top10_share"),
    ]))?;
    let mut order: Vec<String> = by.to_vec();
    order.extend(
        ["cases", "accounts", "followers", "followers_actioned", "followers_live", "share_actioned",
         "median_followers", "top10_share", "accounts_missing_followers", "followers_undeduplicated"]
            .map(String::from),
    );
    let df = sort_by(df.select(order)?, by)?;
    let mut df = df;
    let h = df.height();
    df.with_column(const_str("definition", &spec.describe(), h))?;
    Ok(df)
}

impl ReachSpec {
    /// The definition in one citable sentence.
    pub fn describe(&self) -> String {
        let rule = match self.followers {
            FollowersRule::Max => "largest reported value",
            FollowersRule::Latest => "latest reported value",
        };
        format!(
            "accounts = distinct platform + account; followers counted once per account ({rule}); actioned = latest request removed or restricted; top10_share = 10 largest accounts / followers"
        )
    }
}
