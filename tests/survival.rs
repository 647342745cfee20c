//! Time to action against hand computation.
//!
//! Five requests (days from report): A action at 1, B rejection at 2, C pending (censored at 2),
//! D action at 3, E pending (censored at 5). By hand:
//! t=1: n=5, d=1: S=0.8, V=1/20, F_action=0.2
//! t=2: n=4, d=1 (rejection), c=1: S=0.6, V=1/20+1/12, F_rejection=0.8*1/4=0.2
//! t=3: n=2, d=1: S=0.3, V=1/20+1/12+1/2, F_action=0.2+0.6*1/2=0.5
//! t=5: n=1, c=1: S=0.3. Median 3; RMST(4) = 1 + 0.8 + 0.6 + 0.3 = 2.7; naive mean of actions 2.

mod common;
use common::*;

use takedowns::metrics::survival::{steps, Obs};
use takedowns::*;

const FIVE: &str = "\
case_id,platform,account,group,reported_at,actioned_at,status
A,x,@a,TTP,2025-01-01,2025-01-02,removed
B,x,@b,TTP,2025-01-01,2025-01-03,rejected
C,x,@c,TTP,2025-01-04,,pending
D,x,@d,TTP,2025-01-01,2025-01-04,restricted
E,x,@e,TTP,2025-01-01,,pending
";

fn five() -> Cases {
    Cases::read_csv_bytes(FIVE.as_bytes(), "five.csv", &LoadOptions::default()).unwrap()
}

fn spec() -> SurvivalSpec {
    let as_of = chrono::NaiveDate::from_ymd_opt(2025, 1, 6).unwrap().and_hms_opt(0, 0, 0).unwrap();
    SurvivalSpec { as_of: Some(as_of.and_utc().timestamp_micros()), horizon_days: 4.0, ..Default::default() }
}

#[test]
fn step_table_by_hand() {
    let t = five().survival(&[], &spec()).unwrap();
    assert_eq!(f64_col(&t, "time"), [0.0, 1.0, 2.0, 3.0, 5.0].map(Some));
    assert_eq!(f64_col(&t, "at_risk"), [5.0, 5.0, 4.0, 2.0, 1.0].map(Some));
    assert_eq!(f64_col(&t, "censored"), [0.0, 0.0, 1.0, 0.0, 1.0].map(Some));
    let s = f64_col(&t, "survival");
    for (got, want) in s.iter().zip([1.0, 0.8, 0.6, 0.3, 0.3]) {
        assert!(close(*got, want), "{got:?} vs {want}");
    }
    let fa = f64_col(&t, "cif_action");
    let fr = f64_col(&t, "cif_rejection");
    for (i, (a, r)) in [(0.0, 0.0), (0.2, 0.0), (0.2, 0.2), (0.5, 0.2), (0.5, 0.2)].into_iter().enumerate() {
        assert!(close(fa[i], a) && close(fr[i], r), "row {i}");
        assert!(close(Some(fa[i].unwrap() + fr[i].unwrap()), 1.0 - s[i].unwrap()), "F_action + F_rejection = 1 - S");
    }
    // Exponential Greenwood band at t=1: V = 1/20, S = 0.8.
    let (z, v, l) = (1.959963984540054f64, 0.05f64, 0.8f64.ln());
    let lo = (-((-l).ln() - z * v.sqrt() / l).exp()).exp();
    let hi = (-((-l).ln() + z * v.sqrt() / l).exp()).exp();
    assert!(close(f64_col(&t, "survival_low")[1], lo.min(hi)) && close(f64_col(&t, "survival_high")[1], lo.max(hi)));
    assert!(lo.min(hi) < 0.8 && lo.max(hi) > 0.8);
}

#[test]
fn summary_by_hand() {
    let s = five().time_to_action(&[], &spec()).unwrap();
    assert_eq!(i64_col(&s, "requests"), [Some(5)]);
    assert_eq!(
        (i64_col(&s, "actioned")[0], i64_col(&s, "rejected")[0], i64_col(&s, "censored")[0]),
        (Some(2), Some(1), Some(2))
    );
    assert_eq!(f64_col(&s, "median_days"), [Some(3.0)]);
    assert!(close(f64_col(&s, "actioned_within_1d")[0], 0.2));
    assert!(close(f64_col(&s, "decided_within_1d")[0], 0.2));
    assert!(close(f64_col(&s, "actioned_within_7d")[0], 0.5));
    assert!(close(f64_col(&s, "decided_within_7d")[0], 0.7));
    assert!(close(f64_col(&s, "rejected_within_7d")[0], 0.2));
    assert!(close(f64_col(&s, "rmst_4d")[0], 2.7));
    assert!(close(f64_col(&s, "naive_mean_days")[0], 2.0));
    assert!(close(f64_col(&s, "naive_median_days")[0], 2.0));
    let def = str_col(&s, "definition")[0].clone().unwrap();
    assert!(def.contains("pending censored at 2025-01-06"), "{def}");
}

#[test]
fn edge_cases() {
    let o = |t: f64, kind: u8| Obs { t, kind, w: 1.0 };
    // Same-day action: a zero duration is an event at t = 0.
    let st = steps(&[o(0.0, 1), o(2.0, 0)], 0.95);
    assert_eq!(st[0].time, 0.0);
    assert!((st[0].survival - 0.5).abs() < 1e-15 && (st[0].cif_action - 0.5).abs() < 1e-15);
    // All censored: S stays 1, no incidence, no median.
    let st = steps(&[o(1.0, 0), o(3.0, 0)], 0.95);
    assert!(st.iter().all(|s| s.survival == 1.0 && s.cif_action == 0.0 && s.survival_low == 1.0));
    // None censored, with a tie: S reaches 0.
    let st = steps(&[o(1.0, 1), o(1.0, 2), o(2.0, 1)], 0.95);
    assert_eq!(st.len(), 3);
    assert!((st[1].survival - 1.0 / 3.0).abs() < 1e-15 && (st[1].events - 2.0).abs() < 1e-15);
    assert_eq!(st[2].survival, 0.0);
    assert!((st[2].cif_action - 2.0 / 3.0).abs() < 1e-15 && (st[2].cif_rejection - 1.0 / 3.0).abs() < 1e-15);
    // One case.
    let st = steps(&[o(4.0, 1)], 0.95);
    assert_eq!((st.len(), st[1].survival, st[1].cif_action), (2, 0.0, 1.0));
    // A count-3 row weighs three requests.
    let st = steps(&[Obs { t: 1.0, kind: 1, w: 3.0 }, o(2.0, 0)], 0.95);
    assert!((st[1].survival - 0.25).abs() < 1e-15);
}

#[test]
fn groups_and_no_events() {
    let csv = format!("{FIVE}F,facebook,@f,BLA,2025-01-01,,pending\n");
    let cases = Cases::read_csv_bytes(csv.as_bytes(), "six.csv", &LoadOptions::default()).unwrap();
    let s = cases.time_to_action(&["platform"], &spec()).unwrap();
    assert_eq!(str_col(&s, "platform"), [Some("facebook".to_string()), Some("x".to_string())]);
    // facebook: one pending request, no decision: no median, nothing within any deadline.
    assert_eq!(f64_col(&s, "median_days")[0], None);
    assert!(close(f64_col(&s, "actioned_within_30d")[0], 0.0));
    assert_eq!(f64_col(&s, "naive_mean_days")[0], None);
    assert_eq!(f64_col(&s, "median_days")[1], Some(3.0));
}

#[test]
fn as_of_snapshot_and_bad_options() {
    // As of 3 January, D (decided on the 4th) was still pending: censored at 2 days.
    let early = chrono::NaiveDate::from_ymd_opt(2025, 1, 3).unwrap().and_hms_opt(0, 0, 0).unwrap();
    let spec = SurvivalSpec { as_of: Some(early.and_utc().timestamp_micros()), ..spec() };
    let s = five().time_to_action(&[], &spec).unwrap();
    // C was reported after the as-of date and is left out.
    assert_eq!(i64_col(&s, "requests"), [Some(4)]);
    assert_eq!(i64_col(&s, "censored"), [Some(2)]);
    let hours = SurvivalSpec { deadlines_hours: vec![1.0], ..Default::default() };
    assert!(
        matches!(five().time_to_action(&[], &hours), Err(Error::InvalidArgument { .. })),
        "hour deadlines need times"
    );
}

#[test]
fn decisions_without_dates_are_a_missing_column_not_a_finding() {
    let csv = "case_id,platform,account,group,reported_at,status\n1,X,@fake_a,TTP,2025-01-01,removed\n2,X,@fake_b,TTP,2025-01-02,pending\n";
    let c = Cases::read_csv_bytes(csv.as_bytes(), "log.csv", &LoadOptions::default()).unwrap();
    let e = c.time_to_action(&["platform"], &SurvivalSpec::default()).unwrap_err();
    assert!(matches!(e, Error::Empty(_)), "{e}");
    assert!(e.to_string().contains("none of the 1 decided request(s) has an actioned_at"), "{e}");
    // With the date of the one decision, the estimate is there.
    let csv = "case_id,platform,account,group,reported_at,actioned_at,status\n1,X,@fake_a,TTP,2025-01-01,2025-01-03,removed\n2,X,@fake_b,TTP,2025-01-02,,pending\n";
    let c = Cases::read_csv_bytes(csv.as_bytes(), "log.csv", &LoadOptions::default()).unwrap();
    assert!(c.time_to_action(&["platform"], &SurvivalSpec::default()).is_ok());
}
