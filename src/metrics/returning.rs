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

use polars::prelude::*;

use super::{check_by, const_str, sort_by};
use crate::error::{Error, Result};
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
pub fn returning(cases: &Validated, by: &[String], how: ReturnMatch) -> Result<DataFrame> {
    let frame = cases.frame();
    check_by(frame.schema(), by)?;
    let text = |c: &str| -> Result<StringChunked> { Ok(frame.column(c)?.cast(&DataType::String)?.str()?.clone()) };
    let micros = |c: &str| -> Result<Int64Chunked> { Ok(frame.column(c)?.cast(&DataType::Int64)?.i64()?.clone()) };
    let (platform, key, status) = (text(PLATFORM)?, text(ACCOUNT_KEY)?, text(STATUS)?);
    let (reported, actioned) = (micros(REPORTED_AT)?, micros(ACTIONED_AT)?);
    let platform: Vec<Option<&str>> = platform.iter().collect();
    let key: Vec<Option<&str>> = key.iter().collect();
    let status: Vec<Option<&str>> = status.iter().collect();
    let (reported, actioned): (Vec<Option<i64>>, Vec<Option<i64>>) =
        (reported.iter().collect(), actioned.iter().collect());
    let n = frame.height();

    // Each actioned account's earliest action: (time, row).
    let mut actions: PlHashMap<(&str, &str), (i64, usize)> = PlHashMap::new();
    let mut undated = 0u64;
    for i in 0..n {
        let (Some(p), Some(k), Some(s)) = (platform[i], key[i], status[i]) else { continue };
        if s != "removed" && s != "restricted" {
            continue;
        }
        let Some(t) = actioned[i].or(reported[i]) else {
            undated += 1;
            continue;
        };
        let e = actions.entry((p, k)).or_insert((t, i));
        if t < e.0 {
            *e = (t, i);
        }
    }
    // The accounts by handle, for a match on any platform.
    let mut by_handle: PlHashMap<&str, Vec<(&str, &str)>> = PlHashMap::new();
    for &(p, k) in actions.keys() {
        by_handle.entry(k).or_default().push((p, k));
    }
    // Each actioned account's first later request.
    let mut back: PlHashMap<(&str, &str), i64> = PlHashMap::new();
    for i in 0..n {
        let (Some(p), Some(k), Some(r)) = (platform[i], key[i], reported[i]) else { continue };
        let candidates: Vec<(&str, &str)> = match how {
            ReturnMatch::Platform => vec![(p, k)],
            ReturnMatch::Handle => by_handle.get(k).cloned().unwrap_or_default(),
        };
        for acc in candidates {
            if let Some(&(t, _)) = actions.get(&acc) {
                if r > t {
                    let e = back.entry(acc).or_insert(r);
                    *e = (*e).min(r);
                }
            }
        }
    }

    // Per `by` group of the action's row: the counts and the days to return.
    let labels: Vec<StringChunked> = by.iter().map(|b| text(b)).collect::<Result<_>>()?;
    let mut groups: PlHashMap<Vec<Option<String>>, (usize, usize, Vec<f64>)> = PlHashMap::new();
    let mut order: Vec<Vec<Option<String>>> = Vec::new();
    let mut first_row: Vec<IdxSize> = Vec::new();
    let mut accs: Vec<_> = actions.iter().collect();
    accs.sort_by_key(|(_, (_, row))| *row);
    for (acc, &(t, row)) in accs {
        let label: Vec<Option<String>> = labels.iter().map(|l| l.get(row).map(str::to_string)).collect();
        let g = groups.entry(label.clone()).or_insert_with(|| {
            order.push(label);
            first_row.push(row as IdxSize);
            (0, 0, Vec::new())
        });
        g.0 += 1;
        if let Some(&r) = back.get(acc) {
            g.1 += 1;
            g.2.push((r - t) as f64 / crate::dates::MICROS_PER_DAY as f64);
        }
    }
    if order.is_empty() && by.is_empty() {
        order.push(Vec::new());
        first_row.push(0);
        groups.insert(Vec::new(), (0, 0, Vec::new()));
    }
    let mut out = if by.is_empty() {
        DataFrame::new(order.len(), vec![])?
    } else {
        let idx = IdxCa::from_vec("idx".into(), first_row);
        frame.select(by.iter().map(String::as_str))?.take(&idx)?
    };
    let h = order.len();
    let (mut actioned_n, mut returned, mut share, mut lo, mut hi, mut low) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let (mut med, mut q1, mut q3) = (vec![], vec![], vec![]);
    for label in &order {
        let (a, r, days) = groups.get_mut(label).ok_or_else(|| Error::Internal("a group vanished".into()))?;
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
