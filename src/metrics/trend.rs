//! Trend: counts and compliance per period.
//!
//! # Definition
//!
//! Each case is placed in the period (see [`super::period`]) containing its `reported_at`
//! ([`DateOn::Reported`], the default: a cohort view, each period's cases with their current
//! outcomes) or its `actioned_at` ([`DateOn::Actioned`]: decisions per period; pending cases have
//! no decision date and drop out). Cases without that date are left out and counted in the
//! definition. Per `by` group and period:
//!
//! - `requests`: units in the period; `removed`, `restricted`, `rejected`, `pending`: by outcome;
//!   `actioned` = removed + restricted;
//! - `cum_requests`, `cum_actioned`: running totals over the periods, per `by` group;
//! - `successes`, `denominator`, `n`, `rate`, `ci_low`, `ci_high`, `low_n`: the compliance of the
//!   period's cases under the given [`ComplianceSpec`] (null rate where the denominator is 0).
//!
//! Every period from the first to the last (the data's range, or `start`–`end` when given) is
//! present for every `by` combination seen (in any case, dated or not), zero-filled. Rows are
//! sorted by the `by` columns (missing values last), then by period.

use chrono::NaiveDate;
use polars::prelude::*;

use super::compliance::{complete_aggs, compliance_aggs, finish_rates, units_of, ComplianceSpec};
use super::period::{check_year_start, key_of, key_start, period_label, periods, with_period_key, Every};
use super::{check_by, run, Source};
use crate::dates::{date_of, days_since_epoch, MICROS_PER_DAY};
use crate::error::{Error, Result};
use crate::load::Validated;
use crate::schema::col_names::*;

crate::vocabulary! {
    /// Which date places a case in a period.
    #[derive(Default)]
    pub enum DateOn("on") {
        /// `reported_at` (default).
        #[default]
        Reported = "reported_at",
        /// `actioned_at`.
        Actioned = "actioned_at",
    }
}

impl DateOn {
    pub(crate) fn column(self) -> &'static str {
        match self {
            DateOn::Reported => REPORTED_AT,
            DateOn::Actioned => ACTIONED_AT,
        }
    }
}

/// The definition of a trend table.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrendSpec {
    /// Period length (default month).
    pub every: Every,
    /// Which date places a case (default reported_at).
    pub on: DateOn,
    /// First month of quarters, half-years and years (1–12; default 1; 12 for Dec–Nov years).
    pub year_start: u32,
    /// First day of the range (default: the earliest date).
    pub start: Option<NaiveDate>,
    /// Last day of the range (default: the latest date).
    pub end: Option<NaiveDate>,
    /// The compliance definition for each period's rate.
    pub compliance: ComplianceSpec,
}

impl Default for TrendSpec {
    fn default() -> Self {
        TrendSpec {
            every: Every::Month,
            on: DateOn::Reported,
            year_start: 1,
            start: None,
            end: None,
            compliance: ComplianceSpec::default(),
        }
    }
}

const PERIOD: &str = "period";
pub(crate) const KEY: &str = "__key";
/// Where a trend's definition turns from the counts to each period's rate: a figure that draws
/// counts states only what comes before it.
pub const RATE_CLAUSE: &str = "each period's rate: ";
const UNDATED: &str = "__undated";
/// A trend's columns after the `by` columns, in order (then `missing_weight` for follower
/// weights, and `definition`).
const OUTPUT: [&str; 17] = [
    PERIOD,
    "period_label",
    "requests",
    "removed",
    "restricted",
    "rejected",
    "pending",
    "actioned",
    "cum_requests",
    "cum_actioned",
    "successes",
    "denominator",
    "n",
    "rate",
    "ci_low",
    "ci_high",
    "low_n",
];

/// The period key of cases outside `start`..`end`.
pub(crate) const OUTSIDE: i64 = i64::MIN;

/// Cases per period, zero-filled. See the module docs for the definition.
pub fn trend(cases: &Validated, by: &[String], spec: &TrendSpec) -> Result<DataFrame> {
    super::note_rejects(trend_on(&Source::of(cases), by, spec)?, cases)
}

pub(crate) fn trend_on(src: &Source, by: &[String], spec: &TrendSpec) -> Result<DataFrame> {
    let partial = trend_partial_on(src, by, spec)?;
    trend_finish(partial, by, spec, src.unit.as_deref(), src.no_rate)
}

/// The partial state of a trend over `src`: per `by` group and period key (`__key`: null for
/// undated cases, `i64::MIN` for those outside start..end), the sums of [`compliance_aggs`] (see
/// [`super::partial`]). Sums only, so partials of any split merge by adding them.
pub(crate) fn trend_partial_on(src: &Source, by: &[String], spec: &TrendSpec) -> Result<DataFrame> {
    spec.compliance.check()?;
    check_year_start(spec.year_start)?;
    check_by(&src.schema, by)?;
    if by.iter().any(|b| b == PERIOD) {
        return Err(Error::invalid_arg("by", "`period` is the trend's own column"));
    }
    if let (Some(s), Some(e)) = (spec.start, spec.end) {
        if s > e {
            return Err(Error::invalid_arg("start", format!("start {s} is after end {e}")));
        }
    }
    let on = spec.on.column();
    // Each case's period as an integer key, computed column-wise by polars in one streaming query
    // (the cases are never copied). Undated cases get a null key and cases outside start..end the
    // key OUTSIDE: both are counted, then dropped, so every by-combination keeps its place.
    let (every, ys) = (spec.every, spec.year_start);
    let mut keyed = with_period_key(src.lf.clone(), on, every, ys, KEY);
    if let Some(s) = spec.start {
        keyed = keyed.with_column(
            when(col(KEY).lt(lit(key_of(s, every, ys)))).then(lit(OUTSIDE)).otherwise(col(KEY)).alias(KEY),
        );
    }
    if let Some(e) = spec.end {
        keyed = keyed.with_column(
            when(col(KEY).gt(lit(key_of(e, every, ys)))).then(lit(OUTSIDE)).otherwise(col(KEY)).alias(KEY),
        );
    }
    let mut keys: Vec<String> = by.to_vec();
    keys.push(KEY.into());
    let aggs = compliance_aggs(&spec.compliance, "requests");
    let units = units_of(src, keyed, &keys, &spec.compliance)?;
    run(super::group_agg(units, &keys, aggs))
}

/// A trend from a partial state (one part's, or merged): the grid of periods, zero-filled, the
/// running totals, the rates and the definition. `unit` and `no_rate` are the source's.
pub(crate) fn trend_finish(
    partial: DataFrame,
    by: &[String],
    spec: &TrendSpec,
    unit: Option<&str>,
    no_rate: Option<super::NoRate>,
) -> Result<DataFrame> {
    let on = spec.on.column();
    let (every, ys) = (spec.every, spec.year_start);
    let all_keys = run(complete_aggs(partial.lazy(), &spec.compliance, "requests"))?;
    // Requests without a date, per by-combination: each row's definition states its own.
    let mut undated_sel: Vec<Expr> = by.iter().map(|b| col(b.as_str())).collect();
    undated_sel.push(col("requests").alias(UNDATED));
    let undated = all_keys.clone().lazy().filter(col(KEY).is_null()).select(undated_sel);
    // By-combinations in the order of their values (missing last).
    let combos = if by.is_empty() {
        None
    } else {
        let sel: Vec<Expr> = by.iter().map(|b| col(b.as_str())).collect();
        let c = all_keys.clone().lazy().select(sel).unique(None, UniqueKeepStrategy::First).collect()?;
        Some(super::sort_by(c, by)?)
    };
    // Requests dated outside `start`..`end`, in all groups: the definition states them.
    let outside: i64 = all_keys
        .clone()
        .lazy()
        .filter(col(KEY).eq(lit(OUTSIDE)))
        .select([col("requests").sum()])
        .collect()?
        .column("requests")?
        .cast(&DataType::Int64)?
        .i64()?
        .get(0)
        .unwrap_or(0);
    let range_note = match (spec.start, spec.end) {
        (None, None) => String::new(),
        (s, e) => format!(
            "; periods {} to {} only: {outside} request(s){} dated outside are left out, and the running totals count from the first period shown",
            s.map_or("from the first date".to_string(), |d| format!("from {d}")),
            e.map_or("the last date".to_string(), |d| d.to_string()),
            if by.is_empty() { "" } else { " (all groups)" },
        ),
    };
    let mut agg = all_keys.lazy().filter(col(KEY).is_not_null().and(col(KEY).neq(lit(OUTSIDE)))).collect()?;

    // The full range of periods.
    let k = agg.column(KEY)?.i64()?;
    let first = spec.start.map(|s| key_of(s, every, ys)).or(k.min());
    let last = spec.end.map(|e| key_of(e, every, ys)).or(k.max());
    let (Some(first), Some(last)) = (first, last) else {
        return Err(Error::Empty(format!("no case has a `{on}` date in range, so there is no trend to show")));
    };
    let start_of = |key: i64| {
        key_start(key, every).ok_or_else(|| {
            Error::Internal(format!("a `{on}` date passed validation but is outside the calendar (period key {key})"))
        })
    };
    let all: Vec<NaiveDate> = periods(start_of(first)?, start_of(last)?, every, ys);
    let period_days: Int32Chunked = all.iter().map(|d| Some(days_since_epoch(*d))).collect();
    let period_frame = DataFrame::new(all.len(), vec![period_days.with_name(PERIOD.into()).into_date().into_column()])?;
    let agg_days: Int32Chunked =
        k.iter().map(|v| v.map(|k| start_of(k).map(days_since_epoch)).transpose()).collect::<Result<_>>()?;
    agg.with_column(agg_days.with_name(PERIOD.into()).into_date().into_column())?;
    let agg = agg.drop(KEY)?.lazy();
    let mut keys: Vec<String> = by.to_vec();
    keys.push(PERIOD.into());

    // Left-join the counts onto the grid of by-combinations x periods.
    let grid = match combos {
        None => period_frame.lazy().with_column(lit(0u32).alias("__combo")),
        Some(c) => c.lazy().with_row_index("__combo", None).cross_join(period_frame.lazy(), None),
    };
    let on_keys: Vec<Expr> = keys.iter().map(|k| col(k.as_str())).collect();
    let mut args = JoinArgs::new(JoinType::Left);
    args.nulls_equal = true;
    let counts = ["requests", "removed", "restricted", "rejected", "pending", "successes", "denominator", "n"];
    let mut fills: Vec<Expr> = counts.iter().map(|c| col(*c).fill_null(lit(0i64))).collect();
    fills.push(col("__w2").fill_null(lit(0.0)));
    let grid = if by.is_empty() {
        grid.cross_join(undated.select([col(UNDATED).sum()]), None)
    } else {
        let by_keys: Vec<Expr> = by.iter().map(|b| col(b.as_str())).collect();
        grid.join(undated, by_keys.clone(), by_keys, args.clone())
    };
    fills.push(col(UNDATED).fill_null(lit(0i64)));
    let mut out = grid
        .join(agg, on_keys.clone(), on_keys, args)
        .with_columns(fills)
        .with_column((col("removed") + col("restricted")).alias("actioned"))
        .sort(["__combo", PERIOD], SortMultipleOptions::default())
        .collect()?;

    // Running totals per by-combination.
    let combo = out.column("__combo")?.cast(&DataType::UInt32)?;
    let combo = combo.u32()?;
    let running = |name: &str| -> Result<Vec<i64>> {
        let v = out.column(name)?.cast(&DataType::Int64)?;
        let mut acc = 0i64;
        let mut prev = None;
        Ok(v.i64()?
            .iter()
            .zip(combo.iter())
            .map(|(x, c)| {
                if c != prev {
                    acc = 0;
                    prev = c;
                }
                acc += x.unwrap_or(0);
                acc
            })
            .collect())
    };
    let (cum_req, cum_act) = (running("requests")?, running("actioned")?);
    let epoch = |d: i32| date_of(d as i64 * MICROS_PER_DAY);
    let labels: Vec<String> = out
        .column(PERIOD)?
        .cast(&DataType::Int32)?
        .i32()?
        .iter()
        .map(|d| d.map(|d| period_label(epoch(d), spec.every, spec.year_start)).unwrap_or_default())
        .collect();
    out.with_column(Column::new("cum_requests".into(), cum_req))?;
    out.with_column(Column::new("cum_actioned".into(), cum_act))?;
    out.with_column(Column::new("period_label".into(), labels))?;
    let mut out = finish_rates(out, &spec.compliance)?;
    // Rows without outcomes, or all actions, have no rate: a 100% or a 0% would be made up.
    let (blanked, rate_clause): (Vec<&str>, String) = match no_rate {
        None => (Vec::new(), format!("{RATE_CLAUSE}{}", spec.compliance.describe())),
        Some(no) => {
            let mut clauses = Vec::new();
            if no.actions_only {
                clauses.push(
                    "no rate: every row is an action the platform took, none a request it could refuse (a rate would \
                     be 100% by construction)",
                );
            }
            if no.outcomes_unpublished {
                clauses.push(if no.actions_only {
                    "the kind of each action is in its columns, not a status, so every outcome column is null"
                } else {
                    "no outcomes: the source publishes requests without their outcome, so every outcome column and \
                     rate is null; low_n flags periods with fewer requests than the minimum"
                });
            }
            let blanked = if no.outcomes_unpublished {
                // Every column but the period, the requests and their running total, and low_n.
                OUTPUT
                    .iter()
                    .copied()
                    .filter(|c| ![PERIOD, "period_label", "requests", "cum_requests", "low_n"].contains(c))
                    .collect()
            } else {
                vec!["rate", "ci_low", "ci_high"]
            };
            (blanked, clauses.join("; "))
        }
    };
    for name in blanked {
        let dtype = out.column(name)?.dtype().clone();
        out.with_column(Column::full_null(name.into(), out.height(), &dtype))?;
    }
    let mut order: Vec<String> = by.to_vec();
    order.extend(OUTPUT.map(String::from));
    if spec.compliance.weight == super::compliance::Weight::Followers {
        order.push("missing_weight".into());
    }
    let whose = if by.is_empty() { "" } else { "of this group " };
    // A source whose rows are not requests (items, statements of reasons) counts in its unit.
    let unit_name = unit.unwrap_or("requests");
    let definitions: StringChunked = out
        .column(UNDATED)?
        .cast(&DataType::Int64)?
        .i64()?
        .iter()
        .map(|u| {
            Some(format!(
                "{unit_name} per {} by {}{}; {} {} {whose}without {} left out{range_note}; {rate_clause}",
                spec.every.as_str(),
                on,
                if spec.year_start != 1 {
                    format!(", years starting in month {}", spec.year_start)
                } else {
                    String::new()
                },
                u.unwrap_or(0),
                if unit.is_some() { unit_name } else { "request(s)" },
                on,
            ))
        })
        .collect();
    let mut out = out.select(order)?;
    out.with_column(definitions.with_name("definition".into()).into_column())?;
    Ok(out)
}
