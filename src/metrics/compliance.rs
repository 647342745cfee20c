//! Compliance: the share of requests (or accounts) a platform acted on.
//!
//! # Definition
//!
//! For each `by` group, over the units selected by [`Unit`]:
//!
//! - `removed`, `restricted`, `rejected`, `pending`: units with that outcome (a row with
//!   `count` = k is k units).
//! - numerator `successes`: weight of the units whose outcome is in `success` (default removed +
//!   restricted).
//! - `denominator`: weight of all units ([`PendingRule::Against`], the default and PTA's rule:
//!   a pending request counts as not complied with) or of decided units only
//!   ([`PendingRule::Exclude`]: removed + restricted + rejected).
//! - `rate` = successes / denominator; **null when the denominator is 0** (no rate, never 0).
//! - weight ([`Weight`]): each unit counts 1, or counts its `followers` (units without a follower
//!   count are left out of both numerator and denominator and counted in `missing_weight`).
//! - `n`: units in the denominator (unweighted). `low_n` is true when n < `min_n` (default 30).
//! - `ci_low`, `ci_high`: two-sided interval at `level` by `method` (see [`crate::stats::interval`])
//!   for x = successes out of n = denominator. For follower weights the interval uses Kish's
//!   effective sample size n_eff = (Σw)² / Σw² with x = rate · n_eff, since one account with a
//!   million followers is not a million independent trials.
//!
//! [`Unit::Account`] first keeps, within each `by` group, one row per account (platform +
//! `account_key`): its latest request (latest `reported_at`, then `actioned_at`, then input order),
//! whose outcome is the account's; each account then counts 1 whatever its `count`.

use polars::prelude::*;

use super::{check_by, chronological, const_str, group_agg, latest, run, sort_by, sum_if, Source};
use crate::error::{Error, Result};
use crate::load::Validated;
use crate::schema::{col_names::*, Status};
use crate::stats::interval::{binomial_interval, check_level, IntervalMethod};

crate::vocabulary! {
    /// How pending requests count.
    #[derive(Default)]
    pub enum PendingRule("pending") {
        /// In the denominator, as not complied with (PTA, Tech Against Terrorism).
        #[default]
        Against = "against",
        /// Left out: decided cases only.
        Exclude = "exclude",
    }
}

crate::vocabulary! {
    /// What one unit of the rate is.
    #[derive(Default)]
    pub enum Unit("unit") {
        /// Each request (each row, times `count`).
        #[default]
        Request = "request",
        /// Each distinct account on a platform, with the outcome of its latest request.
        Account = "account",
    }
}

crate::vocabulary! {
    /// What each unit weighs.
    #[derive(Default)]
    pub enum Weight("weight") {
        /// Each unit counts 1.
        #[default]
        Requests = "requests",
        /// Each unit counts its followers: the share of reach acted on.
        Followers = "followers",
    }
}

/// The definition of a compliance rate. `Default` is PTA's: removed + restricted over all requests,
/// pending counted against, each request weighing 1, 95% Wilson intervals, low n below 30.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ComplianceSpec {
    /// Outcomes that count as complied with (not `pending`).
    pub success: Vec<Status>,
    /// How pending requests count.
    pub pending: PendingRule,
    /// Requests or accounts.
    pub unit: Unit,
    /// Unit weights.
    pub weight: Weight,
    /// Interval method.
    pub method: IntervalMethod,
    /// Confidence level in (0, 1).
    pub ci: f64,
    /// Below this many units a row is flagged `low_n`.
    pub min_n: u64,
}

impl Default for ComplianceSpec {
    fn default() -> Self {
        ComplianceSpec {
            success: vec![Status::Removed, Status::Restricted],
            pending: PendingRule::Against,
            unit: Unit::Request,
            weight: Weight::Requests,
            method: IntervalMethod::Wilson,
            ci: 0.95,
            min_n: 30,
        }
    }
}

impl ComplianceSpec {
    /// Checks the spec: a non-empty success set without `pending`, a level in (0, 1).
    pub fn check(&self) -> Result<()> {
        if self.success.is_empty() {
            return Err(Error::invalid_arg("success", "name at least one outcome"));
        }
        if self.success.contains(&Status::Pending) {
            return Err(Error::invalid_arg("success", "pending is no decision and cannot count as success"));
        }
        if self.success.contains(&Status::Unknown) {
            return Err(Error::invalid_arg("success", "unknown is no outcome and cannot count as success"));
        }
        // Counted twice, an outcome would count its requests twice: a rate above 1.
        super::each_outcome_once(&self.success)?;
        check_level(self.ci)
    }

    /// The definition in one citable sentence, e.g. "rate = (removed + restricted) / all
    /// requests, pending counted as not complied; each request counts 1; 95% Wilson interval;
    /// low_n when n < 30".
    pub fn describe(&self) -> String {
        let succ: Vec<&str> = self.success.iter().map(|s| s.as_str()).collect();
        let num = if succ.len() > 1 { format!("({})", succ.join(" + ")) } else { succ.join("") };
        let units = match self.unit {
            Unit::Request => "requests",
            Unit::Account => "distinct accounts (platform + account, outcome of the latest request)",
        };
        let denom = match self.pending {
            PendingRule::Against => format!("all {units}, pending counted as not complied"),
            PendingRule::Exclude => format!("decided {units} (pending excluded)"),
        };
        let weight = match (self.unit, self.weight) {
            (Unit::Request, Weight::Requests) => "each request counts 1".to_string(),
            (Unit::Account, Weight::Requests) => "each account counts 1".to_string(),
            (_, Weight::Followers) => "weighted by followers, interval on Kish's effective n".to_string(),
        };
        let method = match self.method {
            IntervalMethod::Wilson => "Wilson",
            IntervalMethod::Jeffreys => "Jeffreys",
            IntervalMethod::ClopperPearson => "Clopper-Pearson",
        };
        format!(
            "rate = {num} / {denom}; {weight}; {}% {method} interval; low_n when n < {}",
            fmt_level(self.ci),
            self.min_n
        )
    }
}

/// A confidence level as a percentage without needless decimals (0.95 → "95", 0.975 → "97.5").
fn fmt_level(level: f64) -> String {
    let pct = (level * 1000.0).round() / 10.0;
    if pct.fract() == 0.0 {
        format!("{pct:.0}")
    } else {
        format!("{pct}")
    }
}

/// The rows and unit count column for a spec: request rows, or one row per account (its latest
/// request's outcome, `count` 1).
/// `src` is what is read (the cases are checked for accounts), `lf` the rows to use (all of them
/// or a part).
pub(crate) fn units_of(src: &Source, lf: LazyFrame, by: &[String], spec: &ComplianceSpec) -> Result<LazyFrame> {
    match spec.unit {
        Unit::Request => Ok(lf),
        Unit::Account => {
            let Some(frame) = src.frame else {
                return Err(Error::invalid_arg(
                    "unit",
                    "unit=account needs every case to name an account, which a scan cannot check as it streams; read the data into memory for account-level rates",
                ));
            };
            let missing = frame.column(ACCOUNT_KEY)?.null_count();
            if missing > 0 {
                return Err(Error::invalid_arg(
                    "unit",
                    format!("unit=account needs an account on every case; {missing} case(s) have none (filter them out or use unit=request)"),
                ));
            }
            let mut key: Vec<String> = by.to_vec();
            for k in [PLATFORM, ACCOUNT_KEY] {
                if !by.iter().any(|b| b == k) {
                    key.push(k.into());
                }
            }
            if spec.weight == Weight::Requests {
                // Only the outcome is needed: found without sorting (see `latest`).
                let df = latest::aggregate_with_latest(lf, &key, vec![])?;
                return Ok(df
                    .lazy()
                    .with_columns([latest::status_of(col("__code")).alias(STATUS), lit(1i64).alias(COUNT)]));
            }
            let key: Vec<Expr> = key.iter().map(|k| col(k.as_str())).collect();
            Ok(chronological(lf)
                .unique_stable_generic(Some(key), UniqueKeepStrategy::Last)
                .with_column(lit(1i64).alias(COUNT)))
        }
    }
}

/// The per-group sums every compliance-type table needs: outcome counts, successes,
/// denominator, n, and the sum of squared weights.
pub(crate) fn compliance_aggs(spec: &ComplianceSpec, unit_name: &str) -> Vec<Expr> {
    let st = || col(STATUS);
    let cnt = || col(COUNT);
    let is = |s: Status| st().eq(lit(s.as_str()));
    let success = spec.success.iter().fold(lit(false), |acc, s| acc.or(is(*s)));
    let in_denom = match spec.pending {
        PendingRule::Against => lit(true),
        PendingRule::Exclude => is(Status::Pending).not(),
    };
    let (w, w2, has_w) = match spec.weight {
        Weight::Requests => (cnt(), cnt().cast(DataType::Float64), lit(true)),
        Weight::Followers => (
            col(FOLLOWERS) * cnt(),
            col(FOLLOWERS).cast(DataType::Float64)
                * col(FOLLOWERS).cast(DataType::Float64)
                * cnt().cast(DataType::Float64),
            col(FOLLOWERS).is_not_null(),
        ),
    };
    let mut aggs = vec![cnt().sum().alias(unit_name)];
    for &s in Status::OUTCOMES {
        aggs.push(sum_if(is(s), cnt()).alias(s.as_str()));
    }
    // With each unit weighing 1, the rest follows from these counts (`complete_aggs`).
    if spec.weight == Weight::Followers {
        aggs.push(sum_if(success.and(in_denom.clone()).and(has_w.clone()), w.clone()).alias("successes"));
        aggs.push(sum_if(in_denom.clone().and(has_w.clone()), w).alias("denominator"));
        aggs.push(sum_if(in_denom.clone().and(has_w.clone()), cnt()).alias("n"));
        aggs.push(when(in_denom.and(has_w)).then(w2).otherwise(lit(0.0)).sum().alias("__w2"));
        aggs.push(sum_if(col(FOLLOWERS).is_null(), cnt()).alias("missing_weight"));
    }
    aggs
}

/// Adds what [`compliance_aggs`] leaves out when each unit weighs 1: successes (the sum of the
/// success outcomes' counts), the denominator (all units, or all but pending), n (= the
/// denominator) and `__w2` (not used for unit weights).
pub(crate) fn complete_aggs(lf: LazyFrame, spec: &ComplianceSpec, unit_name: &str) -> LazyFrame {
    if spec.weight == Weight::Followers {
        return lf;
    }
    let successes = spec.success.iter().fold(lit(0i64), |acc, s| acc + col(s.as_str()));
    let denominator = match spec.pending {
        PendingRule::Against => col(unit_name),
        PendingRule::Exclude => col(unit_name) - col(Status::Pending.as_str()),
    };
    lf.with_columns([successes.alias("successes"), denominator.alias("denominator")])
        .with_columns([col("denominator").alias("n"), col("denominator").cast(DataType::Float64).alias("__w2")])
}

/// Adds `rate`, `ci_low`, `ci_high`, `low_n` (and drops the helper column) to a frame with
/// `successes`, `denominator`, `n` and `__w2`.
pub(crate) fn finish_rates(mut df: DataFrame, spec: &ComplianceSpec) -> Result<DataFrame> {
    let succ = df.column("successes")?.cast(&DataType::Float64)?;
    let den = df.column("denominator")?.cast(&DataType::Float64)?;
    let n = df.column("n")?.cast(&DataType::Int64)?;
    let w2 = df.column("__w2")?.cast(&DataType::Float64)?;
    let (succ, den, n, w2) = (succ.f64()?, den.f64()?, n.i64()?, w2.f64()?);
    let h = df.height();
    let (mut rate, mut lo, mut hi, mut low) =
        (Vec::with_capacity(h), Vec::with_capacity(h), Vec::with_capacity(h), Vec::with_capacity(h));
    for i in 0..h {
        let (x, d) = (succ.get(i).unwrap_or(0.0), den.get(i).unwrap_or(0.0));
        let units = n.get(i).unwrap_or(0);
        low.push(units < spec.min_n as i64);
        if d <= 0.0 {
            rate.push(None);
            lo.push(None);
            hi.push(None);
            continue;
        }
        let r = x / d;
        rate.push(Some(r));
        let (xe, ne) = match spec.weight {
            Weight::Requests => (x, d),
            Weight::Followers => {
                let s2 = w2.get(i).unwrap_or(0.0);
                let ne = if s2 > 0.0 { d * d / s2 } else { 0.0 };
                (r * ne, ne)
            }
        };
        let ci = binomial_interval(xe, ne, spec.method, spec.ci);
        lo.push(ci.map(|c| c.0));
        hi.push(ci.map(|c| c.1));
    }
    df.drop_in_place("__w2")?;
    df.with_column(Column::new("rate".into(), rate))?;
    df.with_column(Column::new("ci_low".into(), lo))?;
    df.with_column(Column::new("ci_high".into(), hi))?;
    df.with_column(Column::new("low_n".into(), low))?;
    Ok(df)
}

/// Compliance per `by` group. See the module docs for the definition.
pub fn compliance(cases: &Validated, by: &[String], spec: &ComplianceSpec) -> Result<DataFrame> {
    refuse_actions_only(cases.report.actions_only, cases.report.unit.as_deref())?;
    refuse_unpublished(cases.report.outcomes_unpublished)?;
    super::note_rejects(compliance_on(&Source::of(cases), by, spec)?, cases)
}

/// Refuses a compliance rate over rows that are all actions (a source with
/// [`LoadReport::actions_only`](crate::LoadReport::actions_only)): it would be 100% by construction.
pub(crate) fn refuse_actions_only(actions_only: bool, unit: Option<&str>) -> Result<()> {
    if actions_only {
        return Err(Error::invalid_arg(
            "data",
            format!(
                "every row here is an action a platform took ({}), none a request it could refuse: a compliance \
                 rate would be 100% by construction; count the rows (trend, crosstab) or time them instead",
                unit.unwrap_or("actions")
            ),
        ));
    }
    Ok(())
}

/// Refuses a rate over requests whose outcome the source does not publish
/// ([`LoadReport::outcomes_unpublished`](crate::LoadReport::outcomes_unpublished)).
pub(crate) fn refuse_unpublished(outcomes_unpublished: bool) -> Result<()> {
    if outcomes_unpublished {
        return Err(Error::invalid_arg(
            "data",
            "this source publishes no outcome per row (every status is unknown): no compliance rate or time to \
             action can be computed from it; count the rows (trend, crosstab), or read a file of the source that \
             publishes outcomes",
        ));
    }
    Ok(())
}

pub(crate) fn compliance_on(src: &Source, by: &[String], spec: &ComplianceSpec) -> Result<DataFrame> {
    compliance_finish(compliance_partial_on(src, by, spec)?, by, spec)
}

/// The unit column's name of a spec's tables.
fn unit_name(spec: &ComplianceSpec) -> &'static str {
    match spec.unit {
        Unit::Request => "requests",
        Unit::Account => "accounts",
    }
}

/// The partial state of compliance over `src`: per `by` group, the sums of
/// [`compliance_aggs`] (see [`super::partial`]). Sums only, so partials of any split merge by
/// adding them.
pub(crate) fn compliance_partial_on(src: &Source, by: &[String], spec: &ComplianceSpec) -> Result<DataFrame> {
    spec.check()?;
    check_by(&src.schema, by)?;
    if let Some(frame) = src.frame {
        if spec.weight == Weight::Followers
            && frame.column(FOLLOWERS)?.null_count() == frame.height()
            && frame.height() > 0
        {
            return Err(Error::invalid_arg("weight", "weight=followers needs follower counts; every case lacks one"));
        }
    }
    let lf = units_of(src, src.lf.clone(), by, spec)?;
    run(group_agg(lf, by, compliance_aggs(spec, unit_name(spec))))
}

/// Compliance from a partial state (one part's, or merged): counts completed, rates and intervals
/// computed, sorted by `by`, the definition added.
pub(crate) fn compliance_finish(partial: DataFrame, by: &[String], spec: &ComplianceSpec) -> Result<DataFrame> {
    let df = run(complete_aggs(partial.lazy(), spec, unit_name(spec)))?;
    let df = finish_rates(df, spec)?;
    let mut df = sort_by(df, by)?;
    let h = df.height();
    df.with_column(const_str("definition", &spec.describe(), h))?;
    Ok(df)
}
