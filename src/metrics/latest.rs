//! The outcome of each account's latest request, exactly, without sorting the cases.
//!
//! "Latest" is the request with the latest `reported_at`, then the latest `actioned_at`, then the
//! last in input order (a missing date counts as earliest). Sorting millions of rows to find it is
//! the slow way. Instead, each row gets an integer key `reported_at · 4 + code` (code 0–3 for
//! removed, restricted, rejected, pending) and a second key `reported_at · 4 + (3 − code)`; the
//! per-account maxima of the two keys give the largest and the smallest code among the rows at
//! the account's latest `reported_at`. When they agree, that is the account's outcome whatever the
//! tie-break. Only accounts whose latest-dated rows disagree (two requests with the same
//! `reported_at` and different outcomes) are resolved the slow way: their rows alone are sorted
//! chronologically and the last one taken. Both keys are plain `max` aggregations, which polars'
//! streaming engine computes in parallel.

use polars::prelude::*;

use super::{group_agg, run};
use crate::error::Result;
use crate::schema::{col_names::*, Status};

/// Dates are clamped to ±2^60 µs (±36,000 years) so that `key · 4 + 3` fits in an i64.
const LIMIT: i64 = 1 << 60;

/// The outcome code of a row: 0 removed, 1 restricted, 2 rejected, 3 pending.
pub(crate) fn status_code() -> Expr {
    let is = |s: Status| col(STATUS).eq(lit(s.as_str()));
    when(is(Status::Removed))
        .then(lit(0i64))
        .when(is(Status::Restricted))
        .then(lit(1i64))
        .when(is(Status::Rejected))
        .then(lit(2i64))
        .otherwise(lit(3i64))
}

/// The status name of a code column.
pub(crate) fn status_of(code: Expr) -> Expr {
    when(code.clone().eq(lit(0i64)))
        .then(lit(Status::Removed.as_str()))
        .when(code.clone().eq(lit(1i64)))
        .then(lit(Status::Restricted.as_str()))
        .when(code.eq(lit(2i64)))
        .then(lit(Status::Rejected.as_str()))
        .otherwise(lit(Status::Pending.as_str()))
}

fn date_key() -> Expr {
    let r = col(REPORTED_AT).cast(DataType::Int64);
    when(r.clone().gt(lit(LIMIT - 1)))
        .then(lit(LIMIT - 1))
        .when(r.clone().lt(lit(-LIMIT + 1)))
        .then(lit(-LIMIT + 1))
        .otherwise(r)
        .fill_null(lit(-LIMIT))
        + lit(LIMIT)
}

/// Groups `lf` by `keys` with `aggs`, adding `__code`: the outcome code of each group's latest
/// request. Collected on the streaming engine.
pub(crate) fn aggregate_with_latest(lf: LazyFrame, keys: &[String], mut aggs: Vec<Expr>) -> Result<DataFrame> {
    // The date key · 4 and the outcome code, each computed once per row (no common-subexpression
    // elimination here), then the two keys from them.
    let keyed = lf.clone().with_columns([(date_key() * lit(4i64)).alias("__k4"), status_code().alias("__c")]);
    aggs.push((col("__k4") + col("__c")).max().alias("__hi"));
    aggs.push((col("__k4") + lit(3i64) - col("__c")).max().alias("__lo"));
    let hi = || col("__hi") % lit(4i64);
    let lo = || lit(3i64) - col("__lo") % lit(4i64);
    let df = run(group_agg(keyed, keys, aggs)
        .with_column(when(hi().eq(lo())).then(hi()).otherwise(lit(NULL).cast(DataType::Int64)).alias("__code")))?;
    let df = df.drop_many(["__hi", "__lo"]);
    let ambiguous = df.column("__code")?.null_count();
    if ambiguous == 0 {
        return Ok(df);
    }
    // Accounts whose latest-dated requests disagree: their rows alone are fetched (streaming, so
    // a scan is not held in memory) and sorted by date, then decision date, then input order.
    let on: Vec<Expr> = keys.iter().map(|c| col(c.as_str())).collect();
    let mut args = JoinArgs::new(JoinType::Inner);
    args.nulls_equal = true;
    let which = df.clone().lazy().filter(col("__code").is_null()).select(on.clone());
    let rows = run(lf.with_row_index("__i", None).join(which, on.clone(), on.clone(), args))?;
    let order = SortMultipleOptions::default().with_nulls_last(false).with_maintain_order(true);
    let exact = group_agg(
        rows.lazy().sort([REPORTED_AT, ACTIONED_AT, "__i"], order),
        keys,
        vec![status_code().last().alias("__exact")],
    );
    let mut left = JoinArgs::new(JoinType::Left);
    left.nulls_equal = true;
    Ok(df
        .lazy()
        .join(exact, on.clone(), on, left)
        .with_column(col("__code").fill_null(col("__exact")))
        .drop(cols(["__exact"]))
        .collect()?)
}
