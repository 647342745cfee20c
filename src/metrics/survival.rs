//! Time to action, with pending requests counted honestly.
//!
//! # Definition
//!
//! Each request has a duration in days from `reported_at` to its decision (`actioned_at`) or, if
//! still pending at the as-of time, to the as-of time, where it is **right-censored**; a decision
//! after the as-of time counts as pending then. The default as-of time is the latest `reported_at`
//! or `actioned_at` in the data. Requests without `reported_at`, decided ones without
//! `actioned_at`, and ones reported after the as-of time are left out and counted. A row with
//! `count` k counts k times.
//!
//! - **Kaplan-Meier** survival S(t): the share still undecided at t,
//!   S(t) = Π_{tᵢ ≤ t} (1 − dᵢ / nᵢ), dᵢ decisions at tᵢ, nᵢ requests at risk (duration ≥ tᵢ).
//!   Greenwood variance V(t) = Σ_{tᵢ ≤ t} dᵢ / (nᵢ (nᵢ − dᵢ)) (a term with nᵢ = dᵢ counts 0);
//!   the band is the exponential Greenwood (log(−log)) interval
//!   exp(−exp(log(−log S) ± z √V / log S)) (1 where S = 1), as in lifelines.
//! - **Median** time to decision: the first t with S(t) ≤ ½ (within 1e-12, so an S of exactly ½
//!   counts despite rounding; null if never reached); its interval is where the band's bounds first
//!   reach ½.
//! - **Competing outcomes** (Aalen-Johansen): the cumulative incidence of action (outcome in the
//!   success set, default removed + restricted) and of rejection,
//!   F_k(t) = Σ_{tᵢ ≤ t} S(tᵢ₋) d_{k,i} / nᵢ, so F_action + F_rejection = 1 − S at every t. A
//!   rejected request is no longer pending. Variance: the Greenwood-type formula of Collett
//!   (Modelling Survival Data in Medical Research, 3rd ed., p. 411), band on the log(−log) scale.
//! - **Within deadlines**: the share actioned within each deadline is F_action(deadline) (also
//!   given: decided, 1 − S, and rejected, F_rejection). Defaults 1, 7 and 30 days.
//! - **Restricted mean** time to decision up to a horizon τ (default 30 days): ∫₀^τ S(t) dt.
//! - **Naive** mean and median days over actioned requests only are given beside, for comparison:
//!   they ignore pending requests and so understate the time platforms take. Do not cite them as
//!   the time to action.

use std::ops::{Add, AddAssign, Div, Mul, MulAssign, Neg, Sub, SubAssign};

use polars::prelude::*;

use super::{check_by, group_agg, sort_by};
use crate::dates::MICROS_PER_DAY;
use crate::error::{Error, Result};
use crate::load::Validated;
use crate::schema::{col_names::*, Status};
use crate::stats::interval::check_level;
use crate::stats::special::normal_ppf;

/// The definition of a time-to-action analysis.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SurvivalSpec {
    /// Censoring time for pending requests, microseconds since the epoch (default: the latest
    /// date in the data).
    pub as_of: Option<i64>,
    /// Outcomes that count as action (default removed + restricted); other decisions are
    /// rejections.
    pub success: Vec<Status>,
    /// Confidence level of the bands and of the median's interval, in (0, 1).
    pub ci: f64,
    /// Deadlines, in hours (default 24, 168, 720: 1, 7 and 30 days).
    pub deadlines_hours: Vec<f64>,
    /// Horizon of the restricted mean, in days (default 30).
    pub horizon_days: f64,
}

impl Default for SurvivalSpec {
    fn default() -> Self {
        SurvivalSpec {
            as_of: None,
            success: vec![Status::Removed, Status::Restricted],
            ci: 0.95,
            deadlines_hours: vec![24.0, 168.0, 720.0],
            horizon_days: 30.0,
        }
    }
}

/// One observation: duration in days, kind (0 censored, 1 action, 2 rejection), weight.
#[derive(Debug, Clone, Copy)]
pub struct Obs {
    /// Days from report to decision or censoring.
    pub t: f64,
    /// 0 censored, 1 action, 2 rejection.
    pub kind: u8,
    /// How many requests it stands for.
    pub w: f64,
}

/// The arithmetic of the step table and of what is read from it. `f64` is the only number type
/// outside the tests; the tests run the same code on a type that counts its operations, to show
/// that the work grows linearly with the number of distinct times (`work_is_linear_in_the_times`).
trait Real:
    Copy
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
{
    fn of(x: f64) -> Self;
    fn value(self) -> f64;
    fn ln(self) -> Self;
    fn exp(self) -> Self;
    fn sqrt(self) -> Self;
    fn abs(self) -> Self;
    fn min(self, other: Self) -> Self;
    fn max(self, other: Self) -> Self;
}

impl Real for f64 {
    #[inline]
    fn of(x: f64) -> Self {
        x
    }
    #[inline]
    fn value(self) -> f64 {
        self
    }
    #[inline]
    fn ln(self) -> Self {
        f64::ln(self)
    }
    #[inline]
    fn exp(self) -> Self {
        f64::exp(self)
    }
    #[inline]
    fn sqrt(self) -> Self {
        f64::sqrt(self)
    }
    #[inline]
    fn abs(self) -> Self {
        f64::abs(self)
    }
    #[inline]
    fn min(self, other: Self) -> Self {
        f64::min(self, other)
    }
    #[inline]
    fn max(self, other: Self) -> Self {
        f64::max(self, other)
    }
}

/// One row of the step table (numbers are `f64` outside the tests).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step<T = f64> {
    /// Time in days.
    pub time: T,
    /// Requests at risk just before `time`.
    pub at_risk: T,
    /// Decisions at `time`.
    pub events: T,
    /// Actions at `time`.
    pub actioned: T,
    /// Rejections at `time`.
    pub rejected: T,
    /// Censored at `time`.
    pub censored: T,
    /// Kaplan-Meier S(time).
    pub survival: T,
    /// Band of S.
    pub survival_low: T,
    /// Band of S.
    pub survival_high: T,
    /// Cumulative incidence of action.
    pub cif_action: T,
    /// Band of the cumulative incidence of action (null-like NaN where undefined).
    pub cif_action_low: T,
    /// Band of the cumulative incidence of action.
    pub cif_action_high: T,
    /// Cumulative incidence of rejection.
    pub cif_rejection: T,
    /// Band of the cumulative incidence of rejection.
    pub cif_rejection_low: T,
    /// Band of the cumulative incidence of rejection.
    pub cif_rejection_high: T,
}

/// Band for a survival probability S with Greenwood sum `v` (the variance of log S):
/// exp(−exp(log(−log S) ± z √v / log S)). S = 1 gives (1, 1) and S = 0 gives (0, 0).
fn survival_band<T: Real>(s: T, v: T, z: T) -> (T, T) {
    let (zero, one) = (T::of(0.0), T::of(1.0));
    if s >= one {
        return (one, one);
    }
    if s <= zero {
        return (zero, zero);
    }
    let l = s.ln();
    let a = (-((-l).ln() - z * v.sqrt() / l).exp()).exp();
    let b = (-((-l).ln() + z * v.sqrt() / l).exp()).exp();
    (a.min(b), a.max(b))
}

/// Band for a cumulative incidence F with variance `var` (of F itself), by the delta method on
/// log(−log F): se = √var / (F |log F|). F = 0 or 1 gives (F, F).
fn incidence_band<T: Real>(f: T, var: T, z: T) -> (T, T) {
    if !(f > T::of(0.0) && f < T::of(1.0)) || !(var >= T::of(0.0)) {
        return (f, f);
    }
    let l = f.ln();
    let se = var.sqrt() / (f * l.abs());
    let a = (-((-l).ln() + z * se).exp()).exp();
    let b = (-((-l).ln() - z * se).exp()).exp();
    (a.min(b), a.max(b))
}

/// Collett's variance of a cumulative incidence F at time t,
///
/// Var F(t) = Σ_{tᵢ ≤ t} [ (F(t) − Fᵢ)² dᵢ / (nᵢ (nᵢ − dᵢ)) + Sᵢ₋² dₖᵢ (nᵢ − dₖᵢ) / nᵢ³
///                        − 2 (F(t) − Fᵢ) Sᵢ₋ dₖᵢ / nᵢ² ],
///
/// kept as running sums of the terms' parts so that each step costs O(1): expanding the squares,
/// Var = F² Σg − 2F Σ(Fᵢ g) + Σ(Fᵢ² g) + Σh − 2F Σk + 2 Σ(Fᵢ k), with g = dᵢ / (nᵢ (nᵢ − dᵢ))
/// (0 when nᵢ = dᵢ), h = Sᵢ₋² dₖᵢ (nᵢ − dₖᵢ) / nᵢ³ and k = Sᵢ₋ dₖᵢ / nᵢ². (Summing the terms
/// afresh at every step, as the formula reads, is quadratic in the number of distinct times.)
#[derive(Clone, Copy)]
struct CollettSums<T> {
    g: T,
    fg: T,
    ffg: T,
    h: T,
    k: T,
    fk: T,
}

impl<T: Real> CollettSums<T> {
    fn new() -> Self {
        let z = T::of(0.0);
        CollettSums { g: z, fg: z, ffg: z, h: z, k: z, fk: z }
    }

    /// Adds distinct time i: lagged survival, events of this outcome, all events, at risk, and
    /// this outcome's incidence after the time.
    fn add(&mut self, lag: T, dk: T, d: T, n: T, f: T) {
        let g = if n > d { d / (n * (n - d)) } else { T::of(0.0) };
        let k = lag * dk / (n * n);
        self.g += g;
        self.fg += f * g;
        self.ffg += f * f * g;
        self.h += lag * lag * dk * (n - dk) / (n * n * n);
        self.k += k;
        self.fk += f * k;
    }

    fn variance(&self, f: T) -> T {
        let two = T::of(2.0);
        f * f * self.g - two * f * self.fg + self.ffg + self.h - two * f * self.k + two * self.fk
    }
}

/// The Kaplan-Meier and Aalen-Johansen step table of one group. `obs` need not be sorted.
/// The table starts with a row at time 0.
pub fn steps(obs: &[Obs], level: f64) -> Vec<Step> {
    steps_of(obs, level)
}

/// [`steps`] in any number type.
fn steps_of<T: Real>(obs: &[Obs], level: f64) -> Vec<Step<T>> {
    let z = T::of(normal_ppf(1.0 - (1.0 - level) / 2.0));
    let mut o: Vec<Obs> = obs.iter().copied().filter(|x| x.w > 0.0).collect();
    o.sort_by(|a, b| a.t.total_cmp(&b.t));
    let total: f64 = o.iter().map(|x| x.w).sum();
    // Distinct times, with 0 first.
    let mut rows: Vec<(f64, f64, f64, f64)> = Vec::new(); // (t, actions, rejections, censored)
    if o.first().is_none_or(|x| x.t > 0.0) {
        rows.push((0.0, 0.0, 0.0, 0.0));
    }
    for x in &o {
        if rows.last().is_none_or(|r| r.0 != x.t) {
            rows.push((x.t, 0.0, 0.0, 0.0));
        }
        let r = rows.last_mut().expect("pushed above");
        match x.kind {
            1 => r.1 += x.w,
            2 => r.2 += x.w,
            _ => r.3 += x.w,
        }
    }
    let mut out = Vec::with_capacity(rows.len());
    let (zero, one) = (T::of(0.0), T::of(1.0));
    let (mut at_risk, mut s, mut greenwood) = (T::of(total), one, zero);
    // Running sums of Collett's variance terms, one set per outcome (action, rejection).
    let mut sums = [CollettSums::new(), CollettSums::new()];
    let (mut f1, mut f2) = (zero, zero);
    for &(t, a, r, c) in &rows {
        let (t, a, r, c) = (T::of(t), T::of(a), T::of(r), T::of(c));
        let d = a + r;
        let lag = s;
        if at_risk > zero {
            s *= one - d / at_risk;
            if at_risk > d {
                greenwood += d / (at_risk * (at_risk - d));
            }
            f1 += lag * a / at_risk;
            f2 += lag * r / at_risk;
        }
        if at_risk > zero {
            sums[0].add(lag, a, d, at_risk, f1);
            sums[1].add(lag, r, d, at_risk, f2);
        }
        let (sl, sh) = survival_band(s, greenwood, z);
        let (a_lo, a_hi) = incidence_band(f1, sums[0].variance(f1), z);
        let (r_lo, r_hi) = incidence_band(f2, sums[1].variance(f2), z);
        out.push(Step {
            time: t,
            at_risk,
            events: d,
            actioned: a,
            rejected: r,
            censored: c,
            survival: s,
            survival_low: sl,
            survival_high: sh,
            cif_action: f1,
            cif_action_low: a_lo,
            cif_action_high: a_hi,
            cif_rejection: f2,
            cif_rejection_low: r_lo,
            cif_rejection_high: r_hi,
        });
        at_risk -= d + c;
    }
    out
}

/// The value of a right-continuous step function at `t` (the last step at or before t).
fn at<T: Real>(steps: &[Step<T>], t: T, f: impl Fn(&Step<T>) -> T) -> T {
    let mut v = f(&steps[0]);
    for s in steps {
        if s.time <= t {
            v = f(s);
        } else {
            break;
        }
    }
    v
}

/// The first time a curve is at or below `q` (None if never). A curve that is `q` exactly in
/// arithmetic (150 of 300 still undecided) can land a rounding error above it after a long
/// product, so values within 1e-12 of `q` count as reaching it.
fn first_at_or_below<T: Real>(steps: &[Step<T>], q: T, f: impl Fn(&Step<T>) -> T) -> Option<T> {
    let q = q + T::of(1e-12);
    steps.iter().find(|s| f(s) <= q).map(|s| s.time)
}

/// ∫₀^τ S(t) dt for the step function S.
pub fn restricted_mean(steps: &[Step], tau: f64) -> f64 {
    restricted_mean_of(steps, tau)
}

/// [`restricted_mean`] in any number type.
fn restricted_mean_of<T: Real>(steps: &[Step<T>], tau: T) -> T {
    let mut area = T::of(0.0);
    for (i, s) in steps.iter().enumerate() {
        if s.time >= tau {
            break;
        }
        let next = steps.get(i + 1).map_or(tau, |n| n.time.min(tau));
        area += s.survival * (next - s.time);
    }
    area
}

/// Per-group summary values, in output column order.
fn group_summary(obs: &[Obs], spec: &SurvivalSpec) -> Vec<Option<f64>> {
    let n: f64 = obs.iter().map(|o| o.w).sum();
    let count = |k: u8| obs.iter().filter(|o| o.kind == k).map(|o| o.w).sum::<f64>();
    let mut v = vec![Some(n), Some(count(1)), Some(count(2)), Some(count(0))];
    if n == 0.0 {
        // Every request of the group was left out: no estimate (0/0 is null, never 0).
        let per_deadline = 3 * spec.deadlines_hours.len();
        v.extend(std::iter::repeat_n(None, 3 + per_deadline + 3));
        return v;
    }
    v.extend(curve_summary::<f64>(obs, spec));
    // Naive statistics over actioned requests only (weights as replication counts).
    let mut acted: Vec<(f64, f64)> = obs.iter().filter(|o| o.kind == 1).map(|o| (o.t, o.w)).collect();
    acted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let wsum: f64 = acted.iter().map(|x| x.1).sum();
    if wsum > 0.0 {
        v.push(Some(acted.iter().map(|x| x.0 * x.1).sum::<f64>() / wsum));
        let nth = |k: f64| {
            let mut cum = 0.0;
            for &(t, w) in &acted {
                cum += w;
                if cum > k {
                    return t;
                }
            }
            acted.last().map_or(f64::NAN, |x| x.0)
        };
        let total = wsum.round();
        v.push(Some(0.5 * (nth(((total - 1.0) / 2.0).floor()) + nth((total / 2.0).floor()))));
    } else {
        v.push(None);
        v.push(None);
    }
    v
}

/// The values read from the step table: median days with its interval, the shares actioned,
/// decided and rejected within each deadline, and the restricted mean.
fn curve_summary<T: Real>(obs: &[Obs], spec: &SurvivalSpec) -> Vec<Option<f64>> {
    let st = steps_of::<T>(obs, spec.ci);
    let half = T::of(0.5);
    let mut v = Vec::with_capacity(4 + 3 * spec.deadlines_hours.len());
    v.push(first_at_or_below(&st, half, |s| s.survival).map(T::value));
    v.push(first_at_or_below(&st, half, |s| s.survival_low).map(T::value));
    v.push(first_at_or_below(&st, half, |s| s.survival_high).map(T::value));
    for h in &spec.deadlines_hours {
        let d = T::of(h / 24.0);
        v.push(Some(at(&st, d, |s| s.cif_action).value()));
        v.push(Some((T::of(1.0) - at(&st, d, |s| s.survival)).value()));
        v.push(Some(at(&st, d, |s| s.cif_rejection).value()));
    }
    v.push(Some(restricted_mean_of(&st, T::of(spec.horizon_days)).value()));
    v
}

/// Names a deadline: whole days as `7d`, else hours as `12h`.
pub fn deadline_name(hours: f64) -> String {
    if hours % 24.0 == 0.0 {
        format!("{}d", hours / 24.0)
    } else {
        format!("{hours}h")
    }
}

/// Observations per `by` group, with the by-key frame (one row per group) and counts left out.
pub(crate) struct Prepared {
    keys: DataFrame,
    groups: Vec<Vec<Obs>>,
    as_of: i64,
    /// Requests of each group left out (no usable dates, or reported after as-of).
    left_out: Vec<u64>,
}

impl SurvivalSpec {
    /// Checks the spec: decided outcomes as success, a level in (0, 1), a positive horizon and
    /// positive deadlines.
    pub fn check(&self) -> Result<()> {
        check_level(self.ci)?;
        if self.success.is_empty() || self.success.iter().any(|s| matches!(s, Status::Pending | Status::Unknown)) {
            return Err(Error::invalid_arg("success", "name decided outcomes (removed, restricted, rejected)"));
        }
        if !(self.horizon_days > 0.0) {
            return Err(Error::invalid_arg("horizon", "must be positive"));
        }
        if self.deadlines_hours.iter().any(|h| !(*h > 0.0)) {
            return Err(Error::invalid_arg("deadlines", "deadlines must be positive"));
        }
        if let Some((i, h)) =
            self.deadlines_hours.iter().enumerate().find(|(i, h)| self.deadlines_hours[..*i].contains(h))
        {
            return Err(Error::invalid_arg(
                "deadlines",
                format!("deadline {} ({h} hours) is given twice (`24h` and `1d` are the same); name each once", i + 1),
            ));
        }
        super::each_outcome_once(&self.success)
    }
}

/// The groups of observations of `cases` (all the data), sorted by `by`: each row an observation
/// of its group, read in one pass with the groups numbered from their values' category ids (the
/// estimates sort and merge equal times themselves).
fn prepare(cases: &Validated, by: &[String], spec: &SurvivalSpec) -> Result<Prepared> {
    let (t, kind, as_of) = observations(cases, by, spec, true)?;
    let df = cases.frame();
    let count = df.column(COUNT)?.cast(&DataType::Int64)?;
    let count = count.i64()?;
    let cols = by.iter().map(|b| df.column(b)).collect::<PolarsResult<Vec<_>>>()?;
    let (group, first_row) = crate::slices::combinations(&cols, 0..df.height())?;
    let (mut groups, mut left_out): (Vec<Vec<Obs>>, Vec<u64>) =
        (vec![Vec::new(); first_row.len()], vec![0; first_row.len()]);
    for (((t, k), w), &g) in t.iter().zip(&kind).zip(count.iter()).zip(&group) {
        let g = g as usize;
        let w = w.unwrap_or(1);
        if *k == LEFT_OUT {
            left_out[g] += w as u64;
        } else {
            groups[g].push(Obs { t: *t, kind: *k, w: w as f64 });
        }
    }
    if by.is_empty() {
        if groups.is_empty() {
            (groups, left_out) = (vec![Vec::new()], vec![0]);
        }
        return Ok(Prepared { keys: DataFrame::new(1, vec![])?, groups, as_of, left_out });
    }
    // The groups in the order of their `by` values (nulls last), as a table sorts them.
    let mut keys = df.select(by.iter().map(String::as_str))?.take(&IdxCa::from_vec("idx".into(), first_row))?;
    keys.with_column(Column::new("__g".into(), (0..groups.len() as u32).collect::<Vec<u32>>()))?;
    let mut keys = sort_by(keys, by)?;
    let order: Vec<usize> = keys.drop_in_place("__g")?.u32()?.iter().flatten().map(|g| g as usize).collect();
    let mut slots: Vec<Option<Vec<Obs>>> = groups.into_iter().map(Some).collect();
    let groups = order.iter().map(|&g| slots[g].take().unwrap_or_default()).collect();
    let left_out = order.iter().map(|&g| left_out[g]).collect();
    Ok(Prepared { keys, groups, as_of, left_out })
}

/// Each request's time and kind, per `by` group (see [`Observed`]).
/// `whole`: the cases are all the data (not one part of it), so that a column missing from all of
/// them (decision dates, times of day) can be told from a part that happens to lack them.
pub(crate) fn observe(cases: &Validated, by: &[String], spec: &SurvivalSpec, whole: bool) -> Result<Observed> {
    let (t, kind, _) = observations(cases, by, spec, whole)?;
    let mut work = cases.frame().select(by.iter().map(String::as_str).chain([COUNT]))?;
    work.with_column(Column::new("__t".into(), t))?;
    work.with_column(Column::new("__k".into(), kind.iter().map(|k| *k as i32).collect::<Vec<i32>>()))?;
    // The partial: requests per group, time and kind (what merges by adding).
    let mut keys: Vec<String> = by.to_vec();
    keys.extend(["__t".to_string(), "__k".to_string()]);
    let partial = group_agg(work.lazy(), &keys, vec![col(COUNT).sum()]).collect()?;
    Ok(Observed { partial })
}

/// Each row's time in days and kind (0 censored, 1 action, 2 rejection, [`LEFT_OUT`]), and the
/// censoring date, after the checks [`observe`] states.
fn observations(
    cases: &Validated,
    by: &[String],
    spec: &SurvivalSpec,
    whole: bool,
) -> Result<(Vec<f64>, Vec<u8>, i64)> {
    spec.check()?;
    super::compliance::refuse_unpublished(cases.report.outcomes_unpublished)?;
    check_by(cases.frame().schema(), by)?;
    let df = cases.frame();
    let rep = df.column(REPORTED_AT)?.cast(&DataType::Int64)?;
    let act = df.column(ACTIONED_AT)?.cast(&DataType::Int64)?;
    let (rep, act) = (rep.i64()?, act.i64()?);
    if whole && spec.deadlines_hours.iter().any(|h| h % 24.0 != 0.0) {
        let has_times = rep.iter().chain(act.iter()).flatten().any(|us| us.rem_euclid(MICROS_PER_DAY) != 0);
        if !has_times {
            return Err(Error::invalid_arg(
                "deadlines",
                "deadlines in hours need timestamps with times; these cases carry dates only",
            ));
        }
    }
    let as_of = match spec.as_of {
        Some(a) => a,
        None => rep
            .iter()
            .chain(act.iter())
            .flatten()
            .max()
            .ok_or_else(|| Error::Empty("no case has a date, so there is no time to action".into()))?,
    };
    // Outcomes as numbers (0 removed, 1 restricted, 2 rejected, 3 pending), each category read once.
    use super::accounts::{status_code, status_codes, PENDING_CODE as PENDING};
    let status = status_codes(df.column(STATUS)?)?;
    let success: Vec<u8> = spec.success.iter().map(|s| status_code(Some(*s))).collect();
    // Decided requests none of which has a decision date: every one would be left out, and the
    // curves would show no action at all. That is a missing column, not a finding.
    // (Columns are read in order, array by array: `get(i)` searches the arrays on every call.)
    let decided = status.iter().filter(|s| **s != PENDING).count();
    if whole && decided > 0 && status.iter().zip(act.iter()).all(|(s, a)| *s == PENDING || a.is_none()) {
        return Err(Error::Empty(format!(
            "none of the {decided} decided request(s) has an actioned_at, so there is no time to action (the curves \
             would show no action at all); map the column holding each decision's date to actioned_at with columns"
        )));
    }
    let (mut t, mut kind) = (Vec::with_capacity(df.height()), Vec::with_capacity(df.height()));
    for ((r, a), &s) in rep.iter().zip(act.iter()).zip(status.iter()) {
        // Kind 3 marks a request left out; it stays in its group so that the group's count of
        // left-out requests can be stated (a group with every request left out still shows).
        if r.is_none_or(|r| r > as_of) || (s != PENDING && a.is_none()) {
            t.push(0.0);
            kind.push(LEFT_OUT);
            continue;
        }
        let r = r.unwrap_or(0);
        let (end, k) = match a {
            Some(a) if s != PENDING && a <= as_of => (a, if success.contains(&s) { 1 } else { 2 }),
            _ => (as_of, 0),
        };
        t.push((end - r) as f64 / MICROS_PER_DAY as f64);
        kind.push(k);
    }
    Ok((t, kind, as_of))
}

/// The observations of a survival analysis as a partial: per `by` group, time in days (`__t`)
/// and kind (`__k`: 0 censored, 1 action, 2 rejection, 3 left out), the requests (`count`).
pub(crate) struct Observed {
    pub partial: DataFrame,
}

/// The groups of observations from a (merged) partial, sorted by `by`.
pub(crate) fn prepared_from(partial: DataFrame, by: &[String], as_of: i64) -> Result<Prepared> {
    let agg = group_agg(partial.lazy(), by, vec![col("__t"), col("__k"), col(COUNT)]).collect()?;
    let split = |obs: Vec<Obs>| -> (Vec<Obs>, u64) {
        let out = obs.iter().filter(|o| o.kind == LEFT_OUT).map(|o| o.w as u64).sum();
        (obs.into_iter().filter(|o| o.kind != LEFT_OUT).collect(), out)
    };
    let agg = if by.is_empty() {
        // select() with bare columns keeps every row; wrap into one group.
        let t: Vec<f64> = agg.column("__t")?.f64()?.iter().flatten().collect();
        let k: Vec<i32> = agg.column("__k")?.i32()?.iter().flatten().collect();
        let w: Vec<i64> = agg.column(COUNT)?.i64()?.iter().flatten().collect();
        let obs = t.iter().zip(&k).zip(&w).map(|((t, k), w)| Obs { t: *t, kind: *k as u8, w: *w as f64 }).collect();
        let (obs, out) = split(obs);
        return Ok(Prepared { keys: DataFrame::new(1, vec![])?, groups: vec![obs], as_of, left_out: vec![out] });
    } else {
        sort_by(agg, by)?
    };
    let mut groups = Vec::with_capacity(agg.height());
    let mut left_out = Vec::with_capacity(agg.height());
    let (lt, lk, lw) =
        (agg.column("__t")?.list()?.clone(), agg.column("__k")?.list()?.clone(), agg.column(COUNT)?.list()?.clone());
    for i in 0..agg.height() {
        let get = |l: &ListChunked| l.get_as_series(i).ok_or_else(|| Error::Empty("empty group".into()));
        let (ts, ks, ws) = (get(&lt)?, get(&lk)?, get(&lw)?);
        let obs = ts
            .f64()?
            .iter()
            .zip(ks.i32()?.iter())
            .zip(ws.i64()?.iter())
            .map(|((t, k), w)| Obs { t: t.unwrap_or(0.0), kind: k.unwrap_or(0) as u8, w: w.unwrap_or(1) as f64 })
            .collect();
        let (obs, out) = split(obs);
        groups.push(obs);
        left_out.push(out);
    }
    let keys = agg.select(by.iter().map(|s| s.as_str()))?;
    Ok(Prepared { keys, groups, as_of, left_out })
}

/// Marks an observation left out of the estimates (kept only to be counted).
const LEFT_OUT: u8 = 3;

/// Requests left out of every group together.
fn left_out_total(p: &Prepared) -> u64 {
    p.left_out.iter().sum()
}

/// The definition of group `g`'s rows: each group states its own requests left out, and with
/// several groups the total too (a figure of all the groups quotes one group's definition).
/// `total` is every group's left out ([`left_out_total`]), summed once for all the groups.
fn definition(spec: &SurvivalSpec, p: &Prepared, g: usize, total: u64) -> String {
    let as_of = crate::dates::date_of(p.as_of);
    let out = p.left_out.get(g).copied().unwrap_or(0);
    let whose = if p.left_out.len() > 1 { format!("of this group ({total} in all groups) ") } else { String::new() };
    format!(
        "Kaplan-Meier time from reported_at to decision in days, pending censored at {as_of}; action = {}, rejection a competing outcome (Aalen-Johansen); {:.0}% log(-log) bands; {out} request(s) {whose}left out (no reported_at, a decision without actioned_at, or reported after {as_of})",
        spec.success.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" + "),
        spec.ci * 100.0,
    )
}

/// Summary per `by` group: counts, median days to decision with its interval, shares actioned /
/// decided / rejected within each deadline, restricted mean, and the naive statistics.
pub fn time_to_action(cases: &Validated, by: &[String], spec: &SurvivalSpec) -> Result<DataFrame> {
    super::note_rejects(time_to_action_of(&prepare(cases, by, spec)?, spec)?, cases)
}

/// The time-to-action table of prepared observations.
pub(crate) fn time_to_action_of(p: &Prepared, spec: &SurvivalSpec) -> Result<DataFrame> {
    let mut names: Vec<String> =
        ["requests", "actioned", "rejected", "censored", "median_days", "median_ci_low", "median_ci_high"]
            .map(String::from)
            .to_vec();
    for h in &spec.deadlines_hours {
        let d = deadline_name(*h);
        names.push(format!("actioned_within_{d}"));
        names.push(format!("decided_within_{d}"));
        names.push(format!("rejected_within_{d}"));
    }
    names.push(format!("rmst_{}d", spec.horizon_days));
    names.push("naive_mean_days".into());
    names.push("naive_median_days".into());
    let values: Vec<Vec<Option<f64>>> = p
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            if i % 1024 == 0 {
                crate::cancel::check()?;
            }
            Ok(group_summary(g, spec))
        })
        .collect::<Result<_>>()?;
    let mut cols: Vec<Column> = p.keys.columns().to_vec();
    for (j, name) in names.iter().enumerate() {
        let v: Vec<Option<f64>> = values.iter().map(|row| row[j]).collect();
        let c = Column::new(name.as_str().into(), v);
        cols.push(if j < 4 { c.cast(&DataType::Int64)? } else { c });
    }
    let mut df = DataFrame::new(p.groups.len(), cols)?;
    let total = left_out_total(p);
    let defs: Vec<String> = (0..p.groups.len()).map(|g| definition(spec, p, g, total)).collect();
    df.with_column(Column::new("definition".into(), defs))?;
    Ok(df)
}

/// The step table per `by` group: time, at_risk, events, actioned, rejected, censored, survival
/// with its band, and the cumulative incidences of action and rejection with their bands.
pub fn survival_table(cases: &Validated, by: &[String], spec: &SurvivalSpec) -> Result<DataFrame> {
    survival_table_thinned(cases, by, spec, None)
}

/// [`survival_table`] for drawing: with `bins`, a group of more than `2 * bins` steps keeps its
/// first and last step in each of `bins` equal bins of `[0, T]` (`T` the table's last time) and
/// of `[0, 1]` for the survival and the incidence of action. The curves are monotone, so a
/// dropped step lies between two kept ones less than 1/`bins` of either axis apart: at a
/// figure's resolution (2,000 bins for a 300-dpi figure) the drawing is the same even when the
/// axis shows a small part of `[0, T]`, and millions of steps are not built. The definition says
/// so when a group was thinned.
pub fn survival_table_thinned(
    cases: &Validated,
    by: &[String],
    spec: &SurvivalSpec,
    bins: Option<usize>,
) -> Result<DataFrame> {
    if bins == Some(0) {
        return Err(Error::invalid_arg("thin", "the number of bins must be at least 1"));
    }
    let p = prepare(cases, by, spec)?;
    let mut per_group: Vec<Vec<Step>> = Vec::with_capacity(p.groups.len());
    for (g, obs) in p.groups.iter().enumerate() {
        if g % 1024 == 0 {
            crate::cancel::check()?;
        }
        per_group.push(steps(obs, spec.ci));
    }
    let last = per_group.iter().filter_map(|s| s.last()).map(|s| s.time).fold(0.0f64, f64::max);
    let mut thinned = false;
    let mut idx: Vec<IdxSize> = Vec::new();
    let mut all: Vec<Step> = Vec::new();
    for (g, group) in per_group.into_iter().enumerate() {
        let keep: Vec<bool> = match bins {
            Some(b) if group.len() > 2 * b => {
                thinned = true;
                // Bins of the time axis and of the two values drawn (each monotone along the
                // steps): a step is kept when it begins or ends a run of equal bins of any of them.
                let width = last.max(1e-12) / b as f64;
                let scale = b as f64;
                let bins: [Vec<f64>; 3] = [
                    group.iter().map(|s| (s.time / width).floor()).collect(),
                    group.iter().map(|s| (s.survival * scale).floor()).collect(),
                    group.iter().map(|s| (s.cif_action * scale).floor()).collect(),
                ];
                let n = group.len();
                (0..n)
                    .map(|i| {
                        i == 0 || i + 1 == n || bins.iter().any(|bin| bin[i] != bin[i - 1] || bin[i] != bin[i + 1])
                    })
                    .collect()
            }
            _ => vec![true; group.len()],
        };
        for (s, k) in group.into_iter().zip(keep) {
            if k {
                idx.push(g as IdxSize);
                all.push(s);
            }
        }
    }
    let idx_of_rows = idx.clone();
    let mut cols: Vec<Column> =
        if by.is_empty() { Vec::new() } else { p.keys.take(&IdxCa::from_vec("idx".into(), idx))?.columns().to_vec() };
    let f = |name: &str, g: fn(&Step) -> f64| Column::new(name.into(), all.iter().map(g).collect::<Vec<f64>>());
    cols.push(f("time", |s| s.time));
    cols.push(f("at_risk", |s| s.at_risk));
    cols.push(f("events", |s| s.events));
    cols.push(f("actioned", |s| s.actioned));
    cols.push(f("rejected", |s| s.rejected));
    cols.push(f("censored", |s| s.censored));
    cols.push(f("survival", |s| s.survival));
    cols.push(f("survival_low", |s| s.survival_low));
    cols.push(f("survival_high", |s| s.survival_high));
    cols.push(f("cif_action", |s| s.cif_action));
    cols.push(f("cif_action_low", |s| s.cif_action_low));
    cols.push(f("cif_action_high", |s| s.cif_action_high));
    cols.push(f("cif_rejection", |s| s.cif_rejection));
    cols.push(f("cif_rejection_low", |s| s.cif_rejection_low));
    cols.push(f("cif_rejection_high", |s| s.cif_rejection_high));
    let mut df = DataFrame::new(all.len(), cols)?;
    let drawn = match bins {
        Some(b) if thinned => format!(
            "; steps thinned for drawing: a group of more than {} steps keeps its first and last step in each of {b} \
             equal bins of [0, {last:.1}] days and of the survival and incidence scales (every dropped step lies \
             between two kept, less than 1/{b} of either axis apart)",
            2 * b
        ),
        _ => String::new(),
    };
    let total = left_out_total(&p);
    let defs: StringChunked = (0..p.groups.len()).map(|g| Some(definition(spec, &p, g, total) + &drawn)).collect();
    // Each row's group's definition, gathered: the rows share each text's bytes (a copy per row
    // was 300 bytes a row, 3 GB at 10M steps).
    let per_row = defs.take(&IdxCa::from_vec("idx".into(), idx_of_rows))?;
    df.with_column(per_row.with_name("definition".into()).into_column())?;
    super::note_rejects(df, cases)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::cmp::Ordering;

    thread_local! {
        /// Operations done by [`Counted`] numbers on this thread.
        static OPS: Cell<u64> = const { Cell::new(0) };
    }

    fn tick() {
        OPS.with(|c| c.set(c.get() + 1));
    }

    /// An f64 that counts every arithmetic operation, comparison and function applied to it.
    #[derive(Debug, Clone, Copy, PartialEq)]
    struct Counted(f64);

    impl PartialOrd for Counted {
        fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
            tick();
            self.0.partial_cmp(&other.0)
        }
    }

    macro_rules! counted_op {
        ($tr:ident, $m:ident, $op:tt, $tra:ident, $ma:ident) => {
            impl $tr for Counted {
                type Output = Counted;
                fn $m(self, o: Counted) -> Counted {
                    tick();
                    Counted(self.0 $op o.0)
                }
            }
            impl $tra for Counted {
                fn $ma(&mut self, o: Counted) {
                    tick();
                    self.0 = self.0 $op o.0;
                }
            }
        };
    }
    counted_op!(Add, add, +, AddAssign, add_assign);
    counted_op!(Sub, sub, -, SubAssign, sub_assign);
    counted_op!(Mul, mul, *, MulAssign, mul_assign);

    impl Div for Counted {
        type Output = Counted;
        fn div(self, o: Counted) -> Counted {
            tick();
            Counted(self.0 / o.0)
        }
    }

    impl Neg for Counted {
        type Output = Counted;
        fn neg(self) -> Counted {
            tick();
            Counted(-self.0)
        }
    }

    impl Real for Counted {
        fn of(x: f64) -> Self {
            Counted(x)
        }
        fn value(self) -> f64 {
            self.0
        }
        fn ln(self) -> Self {
            tick();
            Counted(self.0.ln())
        }
        fn exp(self) -> Self {
            tick();
            Counted(self.0.exp())
        }
        fn sqrt(self) -> Self {
            tick();
            Counted(self.0.sqrt())
        }
        fn abs(self) -> Self {
            tick();
            Counted(self.0.abs())
        }
        fn min(self, o: Self) -> Self {
            tick();
            Counted(self.0.min(o.0))
        }
        fn max(self, o: Self) -> Self {
            tick();
            Counted(self.0.max(o.0))
        }
    }

    /// `k` requests at `k` distinct times (0.01 days apart, shuffled), actions, rejections and
    /// censored requests mixed, weights 1 to 3.
    fn distinct_times(k: usize) -> Vec<Obs> {
        let mut rng = crate::rng::Rng(11);
        let mut obs: Vec<Obs> = (0..k)
            .map(|i| Obs {
                t: (i + 1) as f64 * 0.01,
                kind: (rng.unit() * 3.0) as u8,
                w: 1.0 + (rng.unit() * 3.0).floor(),
            })
            .collect();
        for i in (1..k).rev() {
            obs.swap(i, (rng.unit() * (i + 1) as f64) as usize % (i + 1));
        }
        obs
    }

    /// Operations on the numbers of the step table and of the values read from it (median,
    /// deadlines, restricted mean), for `obs`; checks the values equal the f64 computation's.
    fn ops(obs: &[Obs], spec: &SurvivalSpec) -> u64 {
        OPS.with(|c| c.set(0));
        let counted = curve_summary::<Counted>(obs, spec);
        let n = OPS.with(|c| c.get());
        let plain = curve_summary::<f64>(obs, spec);
        assert_eq!(counted, plain, "the counted run computes the same numbers");
        n
    }

    /// Linear time without a clock: every operation on the numbers of the step table, the
    /// variances and bands, and the values read from the table is counted, for k and 2k distinct
    /// times. Summing any term over all earlier times at every time (as Collett's formula reads,
    /// and as the variance once did) is about k²/2 terms of several operations each: the count
    /// at k = 10,000 would be over 10⁸ (here it must stay under 1,000 per time) and would
    /// quadruple from k to 2k (here it must at most about double). The sort of the observations
    /// is on f64 and not counted; it is O(k log k).
    #[test]
    fn work_is_linear_in_the_times() {
        let spec = SurvivalSpec { horizon_days: 1_000.0, ..Default::default() };
        let k = 10_000;
        let (small, large) = (distinct_times(k), distinct_times(2 * k));
        assert_eq!(steps(&small, 0.95).len(), k + 1, "k distinct times and time 0");
        let (a, b) = (ops(&small, &spec), ops(&large, &spec));
        assert!(a <= 1_000 * k as u64, "{a} operations for {k} distinct times: more than linear");
        assert!(b * 10 <= a * 22, "{a} operations for {k} times, {b} for {}: grows faster than k", 2 * k);
        assert!(b * 10 >= a * 18, "{a} operations for {k} times, {b} for {}: the count misses work", 2 * k);
    }

    /// Collett's variance summed afresh over every earlier time, as the formula reads (the
    /// quadratic computation the running sums replaced).
    fn quadratic_bands(obs: &[Obs], level: f64) -> Vec<(f64, f64, f64, f64)> {
        let z = normal_ppf(1.0 - (1.0 - level) / 2.0);
        let table = steps(obs, level);
        let mut out = Vec::new();
        let (mut lag, mut s) = (1.0f64, 1.0f64);
        let mut hist: Vec<(f64, f64, f64, f64, f64, f64, f64)> = Vec::new();
        for st in &table {
            let (a, r, d, n) = (st.actioned, st.rejected, st.events, st.at_risk);
            if n > 0.0 {
                lag = s;
                s *= 1.0 - d / n;
                hist.push((lag, a, r, d, n, st.cif_action, st.cif_rejection));
            }
            let band = |k: usize, f: f64| {
                let mut var = 0.0;
                for &(lag_i, a_i, r_i, d_i, n_i, f1_i, f2_i) in &hist {
                    let (dk, fi) = if k == 1 { (a_i, f1_i) } else { (r_i, f2_i) };
                    let diff = f - fi;
                    if n_i > d_i {
                        var += diff * diff * d_i / (n_i * (n_i - d_i));
                    }
                    var += lag_i * lag_i * dk * (n_i - dk) / (n_i * n_i * n_i);
                    var -= 2.0 * diff * lag_i * dk / (n_i * n_i);
                }
                incidence_band(f, var, z)
            };
            let (a_lo, a_hi) = band(1, st.cif_action);
            let (r_lo, r_hi) = band(2, st.cif_rejection);
            out.push((a_lo, a_hi, r_lo, r_hi));
        }
        let _ = lag;
        out
    }

    #[test]
    fn running_sums_give_the_quadratic_variance() {
        let mut rng = crate::rng::Rng(7);
        for case in 0..20 {
            // Ties (times on a coarse grid), weights above 1, all three kinds, censoring.
            let n = 50 + case * 40;
            let obs: Vec<Obs> = (0..n)
                .map(|_| Obs {
                    t: (rng.unit() * 60.0).floor() / 2.0,
                    kind: (rng.unit() * 3.0) as u8,
                    w: 1.0 + (rng.unit() * 3.0).floor(),
                })
                .collect();
            let fast = steps(&obs, 0.95);
            let slow = quadratic_bands(&obs, 0.95);
            assert_eq!(fast.len(), slow.len());
            for (f, (a_lo, a_hi, r_lo, r_hi)) in fast.iter().zip(slow) {
                for (x, y) in [
                    (f.cif_action_low, a_lo),
                    (f.cif_action_high, a_hi),
                    (f.cif_rejection_low, r_lo),
                    (f.cif_rejection_high, r_hi),
                ] {
                    assert!((x - y).abs() <= 1e-12 || (x.is_nan() && y.is_nan()), "case {case}: {x} vs {y}");
                }
            }
        }
    }
}
