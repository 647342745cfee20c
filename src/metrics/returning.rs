//! Returning accounts: of the accounts a platform acted on, how many were reported again later,
//! and how soon.
//!
//! Definitions ([`returning`]):
//!
//! - an **actioned account** is an account (platform + `account_key`) with a request whose
//!   status is `removed` or `restricted`; its **action time** is the earliest such request's
//!   `actioned_at` (its `reported_at` when the decision has no date; requests with neither are
//!   left out and counted in the definition). Its `by` values are those of that request.
//! - it **returned** when a request about the same account is reported strictly after the action
//!   time: with [`ReturnMatch::Platform`] (default) the same platform and account; with
//!   [`ReturnMatch::Handle`] the same account on any platform (a handle re-created elsewhere).
//!   The **time to return** is from the action time to the first such request, in days.
//!
//! Per `by` group: `accounts_actioned`, `returned`, `share_returned` (null when no account was
//! actioned: 0/0 is not 0) with its Wilson interval at 95%, `low_n` (fewer than 30 actioned
//! accounts), and the median and quartiles of the days to return (numpy's default linear
//! interpolation). A request about a returned account is a new request; it says nothing of
//! whether the account behind the handle is the same person.

use std::hash::BuildHasher;

use polars::prelude::*;

use super::{check_by, const_str, sort_by};
use crate::error::Result;
use crate::load::Validated;
use crate::schema::col_names::*;
use crate::stats::{binomial_interval, IntervalMethod};

crate::vocabulary! {
    /// Which later requests count as the account returning.
    #[derive(Default)]
    pub enum ReturnMatch("match") {
        /// The same platform and account (default).
        #[default]
        Platform = "platform",
        /// The same account (handle) on any platform.
        Handle = "handle",
    }
}

/// Below this many actioned accounts a share is flagged `low_n`.
const MIN_N: usize = 30;

/// One row about an account, for [`returning`].
struct Rec {
    h1: u64,
    h2: u64,
    row: u32,
    platform: u32,
    t: i64,
    r: i64,
}

/// Linear-interpolation quantile of sorted values (numpy's default).
fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// Returning accounts per `by` group (see the module docs).
///
/// Platforms, statuses and `by` values are read as numbers (category ids,
/// `value_codes`); each row about an account becomes a record keyed by a hash
/// of the account, and the records are sorted so that each account's rows are read together.
pub fn returning(cases: &Validated, by: &[String], how: ReturnMatch) -> Result<DataFrame> {
    let frame = cases.frame();
    check_by(frame.schema(), by)?;
    let micros =
        |c: &str| -> Result<Vec<Option<i64>>> { Ok(frame.column(c)?.cast(&DataType::Int64)?.i64()?.iter().collect()) };
    let (platform, _) = crate::slices::value_codes(frame.column(PLATFORM)?)?;
    let keys = frame.column(ACCOUNT_KEY)?.str()?;
    let status = super::accounts::status_codes(frame.column(STATUS)?)?;
    let (reported, actioned) = (micros(REPORTED_AT)?, micros(ACTIONED_AT)?);

    // One record per row about an account on a platform, with what the passes below need, so
    // that they read memory in order: the account's identity as two independent 64-bit hashes
    // (of the platform's number and the key; of the key alone when matching by handle), the
    // row, the platform, the action time (removed or restricted: actioned_at, else reported_at;
    // `NONE` when not an action or undated) and reported_at (`NONE` when missing).
    const NONE: i64 = i64::MIN;
    let state = PlRandomState::default();
    let mut undated = 0u64;
    let mut recs: Vec<Rec> = Vec::with_capacity(keys.len() - keys.null_count());
    for (i, k) in keys.iter().enumerate() {
        let (p, Some(k)) = (platform[i], k) else { continue };
        if p == 0 {
            continue;
        }
        let action = status[i] <= 1;
        let t = if action { actioned[i].or(reported[i]) } else { None };
        undated += u64::from(action && t.is_none());
        let (h1, h2) = match how {
            ReturnMatch::Platform => (state.hash_one((p, k)), state.hash_one((0x5bd1_e995u32, k, p))),
            ReturnMatch::Handle => (state.hash_one(k), state.hash_one((0x5bd1_e995u32, k))),
        };
        recs.push(Rec { h1, h2, row: i as u32, platform: p, t: t.unwrap_or(NONE), r: reported[i].unwrap_or(NONE) });
    }
    drop((platform, status, reported, actioned));
    // Each account's rows together, in input order (two accounts agreeing on 128 bits of hash
    // have a chance of about 10^-25 in 10^7 accounts).
    {
        use rayon::slice::ParallelSliceMut;
        recs.par_sort_unstable_by_key(|x| (x.h1, x.h2, x.row));
    }
    // Per actioned account (platform + key): its earliest action (time, row) and its first
    // request reported strictly after that time (matched on the platform, or on the handle).
    let mut accs: Vec<(i64, usize, Option<i64>)> = Vec::new();
    let mut platforms: Vec<(u32, i64, u32)> = Vec::new();
    for run in recs.chunk_by(|a, b| (a.h1, a.h2) == (b.h1, b.h2)) {
        // The earliest action per platform (one platform unless matching by handle).
        platforms.clear();
        for x in run.iter().filter(|x| x.t != NONE) {
            match platforms.iter_mut().find(|(p, _, _)| *p == x.platform) {
                Some(e) if (x.t, x.row) < (e.1, e.2) => (e.1, e.2) = (x.t, x.row),
                Some(_) => {}
                None => platforms.push((x.platform, x.t, x.row)),
            }
        }
        for &(_, t, row) in &platforms {
            let back = run.iter().filter(|x| x.r != NONE && x.r > t).map(|x| x.r).min();
            accs.push((t, row as usize, back));
        }
    }
    drop(recs);

    // Per `by` group of the action's row (its `by` values numbered as one): the counts and the
    // days to return.
    accs.sort_unstable_by_key(|&(_, row, _)| row);
    let cols = by.iter().map(|b| frame.column(b)).collect::<PolarsResult<Vec<_>>>()?;
    let (group, mut first_row) = crate::slices::combinations(&cols, accs.iter().map(|&(_, row, _)| row))?;
    // Per group: (accounts actioned, returned, days to return).
    let mut groups: Vec<(usize, usize, Vec<f64>)> = vec![(0, 0, Vec::new()); first_row.len()];
    for ((t, _, back), g) in accs.into_iter().zip(group) {
        let g = &mut groups[g as usize];
        g.0 += 1;
        if let Some(r) = back {
            g.1 += 1;
            g.2.push((r - t) as f64 / crate::dates::MICROS_PER_DAY as f64);
        }
    }
    if groups.is_empty() && by.is_empty() {
        first_row.push(0);
        groups.push((0, 0, Vec::new()));
    }
    let mut out = if by.is_empty() {
        DataFrame::new(groups.len(), vec![])?
    } else {
        let idx = IdxCa::from_vec("idx".into(), first_row);
        frame.select(by.iter().map(String::as_str))?.take(&idx)?
    };
    let h = groups.len();
    let (mut actioned_n, mut returned, mut share, mut lo, mut hi, mut low) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let (mut med, mut q1, mut q3) = (vec![], vec![], vec![]);
    for (a, r, days) in &mut groups {
        days.sort_by(f64::total_cmp);
        actioned_n.push(*a as i64);
        returned.push(*r as i64);
        low.push(*a < MIN_N);
        if *a == 0 {
            share.push(None);
            lo.push(None);
            hi.push(None);
        } else {
            share.push(Some(*r as f64 / *a as f64));
            let ci = binomial_interval(*r as f64, *a as f64, IntervalMethod::Wilson, 0.95);
            lo.push(ci.map(|c| c.0));
            hi.push(ci.map(|c| c.1));
        }
        med.push(quantile(days, 0.5));
        q1.push(quantile(days, 0.25));
        q3.push(quantile(days, 0.75));
    }
    for c in [
        Column::new("accounts_actioned".into(), actioned_n),
        Column::new("returned".into(), returned),
        Column::new("share_returned".into(), share),
        Column::new("ci_low".into(), lo),
        Column::new("ci_high".into(), hi),
        Column::new("low_n".into(), low),
        Column::new("median_days_to_return".into(), med),
        Column::new("p25_days_to_return".into(), q1),
        Column::new("p75_days_to_return".into(), q3),
    ] {
        out.with_column(c)?;
    }
    let matched = match how {
        ReturnMatch::Platform => "the same platform and account",
        ReturnMatch::Handle => "the same account (handle) on any platform",
    };
    let definition = format!(
        "actioned account = platform + account with a request removed or restricted, acted on at the earliest such \
         request's actioned_at (reported_at when it has none; {undated} such request(s) with neither left out); \
         returned = a request about {matched} reported strictly after that time; share_returned = returned / \
         accounts_actioned with a 95% Wilson interval; days to return = to the first such request (median and \
         quartiles, over the accounts that returned); low_n when fewer than {MIN_N} accounts were actioned; \
         accounts actioned late in the data have had less time to be reported again, so the share depends on the \
         data's window"
    );
    out.with_column(const_str("definition", &definition, h))?;
    let out = sort_by(out, by)?;
    super::note_rejects(out, cases)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cases(csv: &str) -> crate::Cases {
        crate::Cases::read_csv_bytes(csv.as_bytes(), "t.csv", &Default::default()).unwrap()
    }

    #[test]
    fn returns_counted_by_hand() {
        // a: removed 1 Mar, reported again 11 Mar (returns after 10 days from its actioned_at
        // 1 Mar); b: removed, never again; c: rejected (not actioned); d on x removed 5 Mar and
        // the same handle on telegram 7 Mar (a return only when matched by handle).
        let t = cases(
            "case_id,platform,account,group,reported_at,actioned_at,status\n\
             1,x,@fake_a,TTP,2025-02-27,2025-03-01,removed\n\
             2,x,@fake_a,TTP,2025-03-11,,pending\n\
             3,x,@fake_b,TTP,2025-02-27,2025-03-02,removed\n\
             4,x,@fake_c,BLA,2025-02-27,2025-03-02,rejected\n\
             5,x,@fake_c,BLA,2025-03-20,,pending\n\
             6,x,@fake_d,BLA,2025-03-01,2025-03-05,restricted\n\
             7,telegram,@fake_d,BLA,2025-03-07,,pending\n",
        );
        let by = vec!["group".to_string()];
        let got = returning(t.data(), &by, ReturnMatch::Platform).unwrap();
        let i = |c: &str, r: usize| got.column(c).unwrap().i64().unwrap().get(r);
        let f = |c: &str, r: usize| got.column(c).unwrap().f64().unwrap().get(r);
        // Rows: BLA (d), TTP (a, b).
        assert_eq!((i("accounts_actioned", 0), i("returned", 0)), (Some(1), Some(0)));
        assert_eq!((i("accounts_actioned", 1), i("returned", 1)), (Some(2), Some(1)));
        assert_eq!(f("share_returned", 1), Some(0.5));
        assert_eq!(f("median_days_to_return", 1), Some(10.0));
        assert_eq!(f("median_days_to_return", 0), None);
        let handle = returning(t.data(), &by, ReturnMatch::Handle).unwrap();
        let hi = |c: &str, r: usize| handle.column(c).unwrap().i64().unwrap().get(r);
        assert_eq!(hi("returned", 0), Some(1));
        assert_eq!(handle.column("median_days_to_return").unwrap().f64().unwrap().get(0), Some(2.0));
        // No actioned account: 0/0 is null, not 0.
        let none = cases("case_id,platform,account,group,reported_at,status\n1,x,@fake_z,TTP,2025-01-01,rejected\n");
        let z = returning(none.data(), &[], ReturnMatch::Platform).unwrap();
        assert_eq!(z.column("accounts_actioned").unwrap().i64().unwrap().get(0), Some(0));
        assert_eq!(z.column("share_returned").unwrap().f64().unwrap().get(0), None);
    }

    #[test]
    fn quantiles_interpolate_as_numpy() {
        let v = [1.0, 2.0, 4.0, 10.0];
        assert_eq!(quantile(&v, 0.5), Some(3.0));
        assert_eq!(quantile(&v, 0.25), Some(1.75));
        assert_eq!(quantile(&v, 0.75), Some(5.5));
    }
}
