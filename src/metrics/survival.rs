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

use polars::prelude::*;

use super::{check_by, group_agg, sort_by};
use crate::cases::Cases;
use crate::dates::MICROS_PER_DAY;
use crate::error::{Error, Result};
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
    /// Confidence level of the bands.
    pub level: f64,
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
            level: 0.95,
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

/// One row of the step table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step {
    /// Time in days.
    pub time: f64,
    /// Requests at risk just before `time`.
    pub at_risk: f64,
    /// Decisions at `time`.
    pub events: f64,
    /// Actions at `time`.
    pub actioned: f64,
    /// Rejections at `time`.
    pub rejected: f64,
    /// Censored at `time`.
    pub censored: f64,
    /// Kaplan-Meier S(time).
    pub survival: f64,
    /// Band of S.
    pub survival_low: f64,
    /// Band of S.
    pub survival_high: f64,
    /// Cumulative incidence of action.
    pub cif_action: f64,
    /// Band of the cumulative incidence of action (null-like NaN where undefined).
    pub cif_action_low: f64,
    /// Band of the cumulative incidence of action.
    pub cif_action_high: f64,
    /// Cumulative incidence of rejection.
    pub cif_rejection: f64,
    /// Band of the cumulative incidence of rejection.
    pub cif_rejection_low: f64,
    /// Band of the cumulative incidence of rejection.
    pub cif_rejection_high: f64,
}

/// Band for a survival probability S with Greenwood sum `v` (the variance of log S):
/// exp(−exp(log(−log S) ± z √v / log S)). S = 1 gives (1, 1) and S = 0 gives (0, 0).
fn survival_band(s: f64, v: f64, z: f64) -> (f64, f64) {
    if s >= 1.0 {
        return (1.0, 1.0);
    }
    if s <= 0.0 {
        return (0.0, 0.0);
    }
    let l = s.ln();
    let a = (-((-l).ln() - z * v.sqrt() / l).exp()).exp();
    let b = (-((-l).ln() + z * v.sqrt() / l).exp()).exp();
    (a.min(b), a.max(b))
}

/// Band for a cumulative incidence F with variance `var` (of F itself), by the delta method on
/// log(−log F): se = √var / (F |log F|). F = 0 or 1 gives (F, F).
fn incidence_band(f: f64, var: f64, z: f64) -> (f64, f64) {
    if !(f > 0.0 && f < 1.0) || !(var >= 0.0) {
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
#[derive(Default, Clone, Copy)]
struct CollettSums {
    g: f64,
    fg: f64,
    ffg: f64,
    h: f64,
    k: f64,
    fk: f64,
}

impl CollettSums {
    /// Adds distinct time i: lagged survival, events of this outcome, all events, at risk, and
    /// this outcome's incidence after the time.
    fn add(&mut self, lag: f64, dk: f64, d: f64, n: f64, f: f64) {
        let g = if n > d { d / (n * (n - d)) } else { 0.0 };
        let k = lag * dk / (n * n);
        self.g += g;
        self.fg += f * g;
        self.ffg += f * f * g;
        self.h += lag * lag * dk * (n - dk) / (n * n * n);
        self.k += k;
        self.fk += f * k;
    }

    fn variance(&self, f: f64) -> f64 {
        f * f * self.g - 2.0 * f * self.fg + self.ffg + self.h - 2.0 * f * self.k + 2.0 * self.fk
    }
}

/// The Kaplan-Meier and Aalen-Johansen step table of one group. `obs` need not be sorted.
/// The table starts with a row at time 0.
pub fn steps(obs: &[Obs], level: f64) -> Vec<Step> {
    let z = normal_ppf(1.0 - (1.0 - level) / 2.0);
    let mut o: Vec<Obs> = obs.iter().copied().filter(|x| x.w > 0.0).collect();
    o.sort_by(|a, b| a.t.total_cmp(&b.t));
    let total: f64 = o.iter().map(|x| x.w).sum();
    // Distinct times, with 0 first.
    let mut rows: Vec<(f64, f64, f64, f64)> = Vec::new(); // (t, actions, rejections, censored)
    if o.first().map_or(true, |x| x.t > 0.0) {
        rows.push((0.0, 0.0, 0.0, 0.0));
    }
    for x in &o {
        if rows.last().map_or(true, |r| r.0 != x.t) {
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
    let (mut at_risk, mut s, mut greenwood) = (total, 1.0f64, 0.0f64);
    // Running sums of Collett's variance terms, one set per outcome (action, rejection).
    let mut sums = [CollettSums::default(), CollettSums::default()];
    let (mut f1, mut f2) = (0.0f64, 0.0f64);
    for &(t, a, r, c) in &rows {
        let d = a + r;
        let lag = s;
        if at_risk > 0.0 {
            s *= 1.0 - d / at_risk;
            if at_risk > d {
                greenwood += d / (at_risk * (at_risk - d));
            }
            f1 += lag * a / at_risk;
            f2 += lag * r / at_risk;
        }
        if at_risk > 0.0 {
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
fn at(steps: &[Step], t: f64, f: impl Fn(&Step) -> f64) -> f64 {
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
fn first_at_or_below(steps: &[Step], q: f64, f: impl Fn(&Step) -> f64) -> Option<f64> {
    steps.iter().find(|s| f(s) <= q + 1e-12).map(|s| s.time)
}

/// ∫₀^τ S(t) dt for the step function S.
pub fn restricted_mean(steps: &[Step], tau: f64) -> f64 {
    let mut area = 0.0;
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
    let st = steps(obs, spec.level);
    let n: f64 = obs.iter().map(|o| o.w).sum();
    let count = |k: u8| obs.iter().filter(|o| o.kind == k).map(|o| o.w).sum::<f64>();
    let mut v = vec![Some(n), Some(count(1)), Some(count(2)), Some(count(0))];
    if n == 0.0 {
        // Every request of the group was left out: no estimate (0/0 is null, never 0).
        let per_deadline = 3 * spec.deadlines_hours.len();
        v.extend(std::iter::repeat_n(None, 3 + per_deadline + 3));
        return v;
    }
    v.push(first_at_or_below(&st, 0.5, |s| s.survival));
    v.push(first_at_or_below(&st, 0.5, |s| s.survival_low));
    v.push(first_at_or_below(&st, 0.5, |s| s.survival_high));
    for h in &spec.deadlines_hours {
        let d = h / 24.0;
        v.push(Some(at(&st, d, |s| s.cif_action)));
        v.push(Some(1.0 - at(&st, d, |s| s.survival)));
        v.push(Some(at(&st, d, |s| s.cif_rejection)));
    }
    v.push(Some(restricted_mean(&st, spec.horizon_days)));
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

/// Names a deadline: whole days as `7d`, else hours as `12h`.
pub fn deadline_name(hours: f64) -> String {
    if hours % 24.0 == 0.0 {
        format!("{}d", hours / 24.0)
    } else {
        format!("{hours}h")
    }
}

/// Observations per `by` group, with the by-key frame (one row per group) and counts left out.
struct Prepared {
    keys: DataFrame,
    groups: Vec<Vec<Obs>>,
    as_of: i64,
    /// Requests of each group left out (no usable dates, or reported after as-of).
    left_out: Vec<u64>,
}

fn prepare(cases: &Cases, by: &[String], spec: &SurvivalSpec) -> Result<Prepared> {
    check_level(spec.level)?;
    check_by(cases.frame().schema(), by)?;
    if spec.success.is_empty() || spec.success.contains(&Status::Pending) {
        return Err(Error::invalid_arg("success", "name decided outcomes (removed, restricted, rejected)"));
    }
    if !(spec.horizon_days > 0.0) {
        return Err(Error::invalid_arg("horizon", "must be positive"));
    }
    if spec.deadlines_hours.iter().any(|h| !(*h > 0.0)) {
        return Err(Error::invalid_arg("deadlines", "deadlines must be positive"));
    }
    let df = cases.frame();
    let rep = df.column(REPORTED_AT)?.cast(&DataType::Int64)?;
    let act = df.column(ACTIONED_AT)?.cast(&DataType::Int64)?;
    let (rep, act) = (rep.i64()?, act.i64()?);
    if spec.deadlines_hours.iter().any(|h| h % 24.0 != 0.0) {
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
    let status = df.column(STATUS)?.str()?.clone();
    let success: Vec<&str> = spec.success.iter().map(|s| s.as_str()).collect();
    let (mut t, mut kind) = (Vec::with_capacity(df.height()), Vec::with_capacity(df.height()));
    for i in 0..df.height() {
        let (r, a, s) = (rep.get(i), act.get(i), status.get(i).unwrap_or("pending"));
        // Kind 3 marks a request left out; it stays in its group so that the group's count of
        // left-out requests can be stated (a group with every request left out still shows).
        if r.is_none_or(|r| r > as_of) || (s != "pending" && a.is_none()) {
            t.push(0.0);
            kind.push(LEFT_OUT);
            continue;
        }
        let r = r.unwrap_or(0);
        let (end, k) = match a {
            Some(a) if s != "pending" && a <= as_of => (a, if success.contains(&s) { 1 } else { 2 }),
            _ => (as_of, 0),
        };
        t.push((end - r) as f64 / MICROS_PER_DAY as f64);
        kind.push(k);
    }
    let mut work = df.clone();
    work.with_column(Column::new("__t".into(), t))?;
    work.with_column(Column::new("__k".into(), kind.iter().map(|k| *k as i32).collect::<Vec<i32>>()))?;
    let agg = group_agg(work.lazy(), by, vec![col("__t"), col("__k"), col(COUNT)]).collect()?;
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

/// The definition of group `g`'s rows: each group states its own requests left out.
fn definition(spec: &SurvivalSpec, p: &Prepared, g: usize) -> String {
    let as_of = crate::dates::date_of(p.as_of);
    let out = p.left_out.get(g).copied().unwrap_or(0);
    let whose = if p.left_out.len() > 1 { "of this group " } else { "" };
    format!(
        "Kaplan-Meier time from reported_at to decision in days, pending censored at {as_of}; action = {}, rejection a competing outcome (Aalen-Johansen); {:.0}% log(-log) bands; {out} request(s) {whose}left out (no reported_at, a decision without actioned_at, or reported after {as_of})",
        spec.success.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" + "),
        spec.level * 100.0,
    )
}

/// Summary per `by` group: counts, median days to decision with its interval, shares actioned /
/// decided / rejected within each deadline, restricted mean, and the naive statistics.
pub fn time_to_action(cases: &Cases, by: &[String], spec: &SurvivalSpec) -> Result<DataFrame> {
    let p = prepare(cases, by, spec)?;
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
    let values: Vec<Vec<Option<f64>>> = p.groups.iter().map(|g| group_summary(g, spec)).collect();
    let mut cols: Vec<Column> = p.keys.columns().to_vec();
    for (j, name) in names.iter().enumerate() {
        let v: Vec<Option<f64>> = values.iter().map(|row| row[j]).collect();
        let c = Column::new(name.as_str().into(), v);
        cols.push(if j < 4 { c.cast(&DataType::Int64)? } else { c });
    }
    let mut df = DataFrame::new(p.groups.len(), cols)?;
    let defs: Vec<String> = (0..p.groups.len()).map(|g| definition(spec, &p, g)).collect();
    df.with_column(Column::new("definition".into(), defs))?;
    super::note_rejects(df, cases)
}

/// The step table per `by` group: time, at_risk, events, actioned, rejected, censored, survival
/// with its band, and the cumulative incidences of action and rejection with their bands.
pub fn survival_table(cases: &Cases, by: &[String], spec: &SurvivalSpec) -> Result<DataFrame> {
    let p = prepare(cases, by, spec)?;
    let mut idx: Vec<IdxSize> = Vec::new();
    let mut all: Vec<Step> = Vec::new();
    for (g, obs) in p.groups.iter().enumerate() {
        for s in steps(obs, spec.level) {
            idx.push(g as IdxSize);
            all.push(s);
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
    let defs: Vec<String> = (0..p.groups.len()).map(|g| definition(spec, &p, g)).collect();
    let per_row: Vec<&str> = idx_of_rows.iter().map(|g| defs[*g as usize].as_str()).collect();
    df.with_column(Column::new("definition".into(), per_row))?;
    super::note_rejects(df, cases)
}

#[cfg(test)]
mod tests {
    use super::*;

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
