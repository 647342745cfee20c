//! Every metric against values computed by hand on the nine-row fixture in tests/common.

mod common;
use common::*;

use takedowns::*;

fn wilson_ok(lo: Option<f64>, hi: Option<f64>, want: (f64, f64)) {
    assert!(close(lo, want.0) && close(hi, want.1), "{lo:?} {hi:?} vs {want:?}");
}

#[test]
fn compliance_by_platform_default_definition() {
    let c = fixture().compliance(&["platform"], &ComplianceSpec::default()).unwrap();
    assert_eq!(str_col(&c, "platform"), ["facebook", "telegram", "whatsapp", "x"].map(|s| Some(s.to_string())));
    assert_eq!(i64_col(&c, "requests"), [Some(4), Some(1), Some(3), Some(3)]);
    assert_eq!(i64_col(&c, "removed"), [Some(1), Some(1), Some(0), Some(0)]);
    assert_eq!(i64_col(&c, "restricted"), [Some(1), Some(0), Some(0), Some(1)]);
    assert_eq!(i64_col(&c, "rejected"), [Some(1), Some(0), Some(0), Some(1)]);
    assert_eq!(i64_col(&c, "pending"), [Some(1), Some(0), Some(3), Some(1)]);
    assert_eq!(i64_col(&c, "successes"), [Some(2), Some(1), Some(0), Some(1)]);
    assert_eq!(i64_col(&c, "denominator"), [Some(4), Some(1), Some(3), Some(3)]);
    let rate = f64_col(&c, "rate");
    assert!(close(rate[0], 0.5) && close(rate[1], 1.0) && close(rate[2], 0.0) && close(rate[3], 1.0 / 3.0));
    // Wilson 95% for 2/4 and 1/3, computed independently (plain formula in Python).
    let (lo, hi) = (f64_col(&c, "ci_low"), f64_col(&c, "ci_high"));
    wilson_ok(lo[0], hi[0], (0.15003898915214947, 0.8499610108478506));
    wilson_ok(lo[3], hi[3], (0.06149194472039621, 0.7923403991979522));
    assert_eq!(bool_col(&c, "low_n"), [Some(true); 4]);
    let def = str_col(&c, "definition")[0].clone().unwrap();
    assert_eq!(def, "rate = (removed + restricted) / all requests, pending counted as not complied; each request counts 1; 95% Wilson interval; low_n when n < 30");
}

#[test]
fn pending_excluded_gives_null_rate_on_zero_denominator() {
    let spec = ComplianceSpec { pending: PendingRule::Exclude, ..Default::default() };
    let c = fixture().compliance(&["platform"], &spec).unwrap();
    assert_eq!(i64_col(&c, "denominator"), [Some(3), Some(1), Some(0), Some(2)]);
    let rate = f64_col(&c, "rate");
    assert!(close(rate[0], 2.0 / 3.0) && close(rate[1], 1.0) && close(rate[3], 0.5));
    // WhatsApp: all pending, so 0/0: no rate and no interval, never 0.
    assert_eq!((rate[2], f64_col(&c, "ci_low")[2], f64_col(&c, "ci_high")[2]), (None, None, None));
}

#[test]
fn success_set_is_a_parameter() {
    let spec = ComplianceSpec { success: vec![Status::Removed], ..Default::default() };
    let c = fixture().compliance(&["platform"], &spec).unwrap();
    assert_eq!(i64_col(&c, "successes"), [Some(1), Some(1), Some(0), Some(0)]);
    let bad = ComplianceSpec { success: vec![Status::Pending], ..Default::default() };
    assert!(matches!(fixture().compliance(&["platform"], &bad), Err(Error::InvalidArgument { .. })));
}

#[test]
fn account_unit_counts_an_account_reported_twice_once() {
    let cases = fixture();
    // The WhatsApp aggregate row names no account: an account rate cannot include it.
    let err = cases.compliance(&["platform"], &ComplianceSpec { unit: Unit::Account, ..Default::default() });
    assert!(matches!(err, Err(Error::InvalidArgument { ref name, .. }) if name == "unit"));
    let named = cases.filter(&Filter::default().platforms(&["facebook", "x", "telegram"])).unwrap();
    let c = named.compliance(&["platform"], &ComplianceSpec { unit: Unit::Account, ..Default::default() }).unwrap();
    // X: @a (latest request restricted; `@A` and `@a` are one account) and @e (pending).
    assert_eq!(i64_col(&c, "accounts"), [Some(4), Some(1), Some(2)]);
    assert_eq!(i64_col(&c, "successes"), [Some(2), Some(1), Some(1)]);
    assert!(close(f64_col(&c, "rate")[2], 0.5));
}

#[test]
fn follower_weighted_rate_uses_effective_n() {
    let spec = ComplianceSpec { weight: Weight::Followers, ..Default::default() };
    let c = fixture().compliance(&["platform"], &spec).unwrap();
    // facebook: 100 + 50 acted on; 200 pending; @c has no follower count.
    assert_eq!(i64_col(&c, "successes")[0], Some(150));
    assert_eq!(i64_col(&c, "denominator")[0], Some(350));
    assert_eq!(i64_col(&c, "missing_weight")[0], Some(1));
    assert_eq!(i64_col(&c, "n")[0], Some(3));
    // x: 900 / (1000 + 900 + 300); interval on n_eff = 2200² / (1000² + 900² + 300²).
    assert!(close(f64_col(&c, "rate")[3], 900.0 / 2200.0));
    wilson_ok(f64_col(&c, "ci_low")[3], f64_col(&c, "ci_high")[3], (0.07860570944515477, 0.8488993118660475));
}

#[test]
fn extra_columns_group_and_count_rows_weigh_count() {
    let c = fixture().compliance(&["campaign"], &ComplianceSpec::default()).unwrap();
    assert_eq!(str_col(&c, "campaign"), [Some("alpha".to_string()), Some("beta".to_string())]);
    // beta: rows 3, 4, 7, 8 and the count-3 row 9.
    assert_eq!(i64_col(&c, "requests"), [Some(4), Some(7)]);
    assert!(close(f64_col(&c, "rate")[0], 0.75) && close(f64_col(&c, "rate")[1], 1.0 / 7.0));
    let two = fixture().compliance(&["group", "campaign"], &ComplianceSpec::default()).unwrap();
    assert_eq!(two.height(), 3);
}

#[test]
fn overall_compliance_without_by() {
    let c = fixture().compliance(&[], &ComplianceSpec::default()).unwrap();
    assert_eq!(c.height(), 1);
    assert_eq!(i64_col(&c, "requests"), [Some(11)]);
    assert!(close(f64_col(&c, "rate")[0], 4.0 / 11.0));
    wilson_ok(f64_col(&c, "ci_low")[0], f64_col(&c, "ci_high")[0], (0.15166471095367573, 0.6461988254921511));
    assert_eq!(bool_col(&c, "low_n"), [Some(true)]);
    let c = fixture().compliance(&[], &ComplianceSpec { min_n: 5, ..Default::default() }).unwrap();
    assert_eq!(bool_col(&c, "low_n"), [Some(false)]);
}

#[test]
fn bad_by_is_a_clear_error() {
    let e = fixture().compliance(&["nope"], &ComplianceSpec::default()).unwrap_err();
    assert!(e.to_string().contains("no column `nope`"), "{e}");
}

#[test]
fn reach_by_group_counts_accounts_once() {
    let r = fixture().reach(&["group"], &ReachSpec::default()).unwrap();
    assert_eq!(str_col(&r, "group"), ["BLA", "BLF", "TTP"].map(|s| Some(s.to_string())));
    assert_eq!(i64_col(&r, "cases"), [Some(2), Some(5), Some(4)]);
    assert_eq!(i64_col(&r, "accounts"), [Some(2), Some(2), Some(3)]);
    // TTP: fb @a 100, fb @b 50, x @a max(1000, 900) = 1000.
    assert_eq!(i64_col(&r, "followers"), [Some(200), Some(300), Some(1150)]);
    assert_eq!(i64_col(&r, "followers_actioned"), [Some(0), Some(0), Some(1150)]);
    assert_eq!(i64_col(&r, "followers_live"), [Some(200), Some(300), Some(0)]);
    let share = f64_col(&r, "share_actioned");
    assert!(close(share[0], 0.0) && close(share[1], 0.0) && close(share[2], 1.0));
    let med = f64_col(&r, "median_followers");
    assert!(close(med[0], 200.0) && close(med[1], 150.0) && close(med[2], 100.0));
    assert_eq!(i64_col(&r, "accounts_missing_followers"), [Some(1), Some(0), Some(0)]);
    assert_eq!(i64_col(&r, "followers_undeduplicated"), [Some(200), Some(300), Some(2050)]);
    assert!(close(f64_col(&r, "top10_share")[2], 1.0));
}

#[test]
fn reach_latest_rule_takes_the_latest_report() {
    let spec = ReachSpec { followers: FollowersRule::Latest, ..Default::default() };
    let r = fixture().reach(&["group"], &spec).unwrap();
    assert_eq!(i64_col(&r, "followers")[2], Some(1050));
    assert!(str_col(&r, "definition")[0].as_ref().unwrap().contains("latest reported value"));
}

#[test]
fn top10_share_over_eleven_accounts() {
    // Accounts with 1..=11 followers: the ten largest hold (66 - 1) / 66.
    let mut csv = String::from("case_id,platform,account,group,followers,reported_at,status\n");
    for i in 1..=11 {
        csv.push_str(&format!("{i},x,@u{i},TTP,{i},2025-01-01,pending\n"));
    }
    let cases = Cases::read_csv_bytes(csv.as_bytes(), "t.csv", &LoadOptions::default()).unwrap();
    let r = cases.reach(&[], &ReachSpec::default()).unwrap();
    assert!(close(f64_col(&r, "top10_share")[0], 65.0 / 66.0));
    assert!(close(f64_col(&r, "median_followers")[0], 6.0));
}

#[test]
fn trend_monthly_zero_filled_with_running_totals() {
    let t = fixture().trend(&[], &TrendSpec::default()).unwrap();
    assert_eq!(str_col(&t, "period_label"), ["2025-01", "2025-02", "2025-03"].map(|s| Some(s.to_string())));
    assert_eq!(i64_col(&t, "requests"), [Some(3), Some(2), Some(6)]);
    assert_eq!(i64_col(&t, "actioned"), [Some(2), Some(0), Some(2)]);
    assert_eq!(i64_col(&t, "pending"), [Some(0), Some(1), Some(4)]);
    assert_eq!(i64_col(&t, "cum_requests"), [Some(3), Some(5), Some(11)]);
    assert_eq!(i64_col(&t, "cum_actioned"), [Some(2), Some(2), Some(4)]);
    let rate = f64_col(&t, "rate");
    assert!(close(rate[0], 2.0 / 3.0) && close(rate[1], 0.0) && close(rate[2], 2.0 / 6.0));

    let by = fixture().trend(&["platform"], &TrendSpec::default()).unwrap();
    assert_eq!(by.height(), 12, "4 platforms x 3 months, zero-filled");
    let tg: Vec<usize> = (0..12).filter(|&i| str_col(&by, "platform")[i].as_deref() == Some("telegram")).collect();
    assert_eq!(tg.iter().map(|&i| i64_col(&by, "requests")[i]).collect::<Vec<_>>(), [Some(0), Some(0), Some(1)]);
    assert_eq!(f64_col(&by, "rate")[tg[0]], None, "an empty period has no rate");
    assert_eq!(i64_col(&by, "requests").iter().flatten().sum::<i64>(), 11);
}

#[test]
fn trend_on_actioned_and_aligned_years() {
    let spec = TrendSpec { on: DateOn::Actioned, ..Default::default() };
    let t = fixture().trend(&[], &spec).unwrap();
    assert_eq!(i64_col(&t, "requests"), [Some(3), Some(1), Some(2)]);
    // Rows 4, 7 and 9 (count 3) have no actioned_at: 5 requests, stated per group when split.
    assert!(str_col(&t, "definition")[0].as_ref().unwrap().contains("; 5 request(s) without actioned_at left out"));
    let by = fixture().trend(&["platform"], &spec).unwrap();
    for (platform, undated) in [("facebook", 1), ("telegram", 0), ("whatsapp", 3), ("x", 1)] {
        let rows: Vec<usize> =
            (0..by.height()).filter(|&i| str_col(&by, "platform")[i].as_deref() == Some(platform)).collect();
        assert!(!rows.is_empty() || platform == "whatsapp", "{platform}");
        for i in rows {
            let d = str_col(&by, "definition")[i].clone().unwrap();
            assert!(
                d.contains(&format!("; {undated} request(s) of this group without actioned_at left out")),
                "{platform}: {d}"
            );
        }
    }
    let spec = TrendSpec { every: Every::Year, year_start: 12, ..Default::default() };
    let y = fixture().trend(&[], &spec).unwrap();
    assert_eq!(str_col(&y, "period_label"), [Some("Dec 2024–Nov 2025".to_string())]);
    assert_eq!(i64_col(&y, "requests"), [Some(11)]);
    let spec = TrendSpec { every: Every::Week, ..Default::default() };
    let w = fixture().trend(&[], &spec).unwrap();
    // 2024-12-30 (week of 5 Jan 2025) to the week of 25 March: 13 weeks.
    assert_eq!(w.height(), 13);
    assert_eq!(i64_col(&w, "requests").iter().flatten().sum::<i64>(), 11);
}

#[test]
fn crosstab_group_by_platform() {
    let cases = fixture();
    let x = cases
        .crosstab("group", "platform", CrossValue::Cases, &ComplianceSpec::default(), &ReachSpec::default())
        .unwrap();
    assert_eq!(str_col(&x, "group"), ["BLA", "BLF", "TTP"].map(|s| Some(s.to_string())));
    assert_eq!(i64_col(&x, "facebook"), [Some(2), Some(0), Some(2)]);
    assert_eq!(i64_col(&x, "whatsapp"), [Some(0), Some(3), Some(0)]);
    assert_eq!(i64_col(&x, "x"), [Some(0), Some(1), Some(2)]);
    let r = cases
        .crosstab("group", "platform", CrossValue::Rate, &ComplianceSpec::default(), &ReachSpec::default())
        .unwrap();
    assert_eq!(f64_col(&r, "telegram")[0], None, "no BLA cases on telegram: no rate");
    assert!(close(f64_col(&r, "facebook")[2], 1.0));
}

#[test]
fn summary_and_headline() {
    let s = fixture().summary().unwrap();
    assert_eq!((s.rows, s.requests, s.accounts, s.accounts_actioned), (9, 11, 7, 4));
    assert_eq!((s.requests_actioned, s.requests_rejected, s.requests_pending), (4, 2, 5));
    assert_eq!(s.followers, 1650);
    assert_eq!(s.platforms.len(), 4);
    assert_eq!(s.agencies, ["NCCIA", "PTA"]);
    assert!(close(s.rate, 4.0 / 11.0));
    let h = s.headline();
    assert!(
        h.starts_with(
            "Between 5 January and 25 March 2025, NCCIA and PTA reported 7 accounts linked to BLA, BLF and TTP"
        ),
        "{h}"
    );
    assert!(h.contains("4 of those accounts (57.1%"), "{h}");
    assert!(h.contains(") were removed or restricted."), "{h}");
    assert_eq!(s.to_frame().unwrap().height(), 1);
    // One account actioned: "was".
    let csv = "case_id,platform,account,group,reported_at,status\n1,x,@fake_a,TTP,2025-01-01,removed\n\
               2,x,@fake_b,TTP,2025-01-02,rejected\n";
    let one = Cases::read_csv_bytes(csv.as_bytes(), "t.csv", &LoadOptions::default()).unwrap();
    let h = one.summary().unwrap().headline();
    assert!(h.contains("1 of those accounts (50.0%") && h.contains(") was removed or restricted."), "{h}");
}

#[test]
fn ties_in_time_fall_back_to_input_order() {
    // Two requests about one account on the same day: the later row is the latest.
    let csv = "case_id,platform,account,group,reported_at,status\n1,x,@t,TTP,2025-01-01,rejected\n2,x,@t,TTP,2025-01-01,removed\n";
    let cases = Cases::read_csv_bytes(csv.as_bytes(), "t.csv", &LoadOptions::default()).unwrap();
    let c = cases.compliance(&[], &ComplianceSpec { unit: Unit::Account, ..Default::default() }).unwrap();
    assert_eq!(i64_col(&c, "successes"), [Some(1)]);
}

#[test]
fn empty_selection() {
    let none = fixture().filter(&Filter::default().platforms(&["youtube"])).unwrap();
    assert!(none.is_empty());
    let c = none.compliance(&[], &ComplianceSpec::default()).unwrap();
    assert_eq!(f64_col(&c, "rate"), [None]);
    assert!(matches!(none.trend(&[], &TrendSpec::default()), Err(Error::Empty(_))));
    assert_eq!(none.summary().unwrap().headline(), "No cases match this selection.");
    for v in [CrossValue::Cases, CrossValue::Accounts, CrossValue::Followers, CrossValue::Rate] {
        let x = none.crosstab("group", "platform", v, &ComplianceSpec::default(), &ReachSpec::default()).unwrap();
        assert_eq!(x.height(), 0);
    }
    assert_eq!(none.reach(&["group"], &ReachSpec::default()).unwrap().height(), 0);
}

#[test]
fn filters_select_as_documented() {
    let cases = fixture();
    let ttp = cases.filter(&Filter::default().groups(&["Tehreek-e-Taliban Pakistan"])).unwrap();
    assert_eq!(ttp.len(), 4);
    let d = |m, day| chrono::NaiveDate::from_ymd_opt(2025, m, day);
    let feb = cases.filter(&Filter::default().between(d(2, 1), d(2, 28))).unwrap();
    assert_eq!(feb.len(), 2);
    let pta = cases.filter(&Filter::default().equals("agency", &["PTA"]).platforms(&["Twitter"])).unwrap();
    assert_eq!(pta.len(), 2);
}

#[test]
fn latest_means_latest_date_not_input_order() {
    // The later report comes first in the file; it decides the account's outcome and, under the
    // latest rule, its followers.
    let csv = "case_id,platform,account,group,followers,reported_at,actioned_at,status\n\
               2,x,@t,TTP,700,2025-03-01,2025-03-02,removed\n\
               1,x,@t,TTP,900,2025-01-01,2025-01-05,rejected\n";
    let cases = Cases::read_csv_bytes(csv.as_bytes(), "t.csv", &LoadOptions::default()).unwrap();
    let c = cases.compliance(&[], &ComplianceSpec { unit: Unit::Account, ..Default::default() }).unwrap();
    assert_eq!(i64_col(&c, "successes"), [Some(1)]);
    let latest =
        cases.reach(&["group"], &ReachSpec { followers: FollowersRule::Latest, ..Default::default() }).unwrap();
    assert_eq!(i64_col(&latest, "followers"), [Some(700)]);
    assert_eq!(i64_col(&latest, "followers_actioned"), [Some(700)]);
    let max = cases.reach(&["group"], &ReachSpec::default()).unwrap();
    assert_eq!(i64_col(&max, "followers"), [Some(900)]);
    assert_eq!(cases.summary().unwrap().accounts_actioned, 1);
}

#[test]
fn same_day_ties_are_broken_by_decision_date_then_input_order() {
    // Same reported_at: the later actioned_at wins though it comes first in the file.
    let csv = "case_id,platform,account,group,followers,reported_at,actioned_at,status\n\
               1,x,@t,TTP,10,2025-01-01,2025-01-09,removed\n\
               2,x,@t,TTP,20,2025-01-01,2025-01-02,rejected\n";
    let cases = Cases::read_csv_bytes(csv.as_bytes(), "t.csv", &LoadOptions::default()).unwrap();
    let c = cases.compliance(&[], &ComplianceSpec { unit: Unit::Account, ..Default::default() }).unwrap();
    assert_eq!(i64_col(&c, "removed"), [Some(1)]);
    assert_eq!(i64_col(&c, "rejected"), [Some(0)]);
    let r = cases.reach(&[], &ReachSpec::default()).unwrap();
    assert_eq!(i64_col(&r, "followers_actioned"), [Some(20)]);
}

/// The latest outcome per account found without sorting agrees with a plain Rust reading of the
/// definition, on data built to be full of same-date ties and missing dates.
#[test]
fn latest_outcome_without_sorting_matches_the_definition_under_ties() {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = |m: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % m
    };
    let statuses = ["removed", "restricted", "rejected", "pending"];
    let mut csv = String::from("case_id,platform,account,group,followers,reported_at,actioned_at,status\n");
    // (platform, account, group, rep, act, status index, followers) per row, in input order.
    let mut rows = Vec::new();
    for i in 0..3000 {
        let (p, a, g) = (next(2), next(60), next(2));
        let rep = next(4); // 0 = missing, else day 1..3: many ties
        let st = next(4) as usize;
        let act = if st == 3 { 0 } else { next(3) }; // 0 = missing
        let f = next(1000);
        let day = |d: u64| if d == 0 { String::new() } else { format!("2025-01-0{d}") };
        let act_text = if act == 0 { String::new() } else { format!("2025-01-0{}", act + 3) };
        csv.push_str(&format!(
            "{i},{},@u{a},{},{f},{},{act_text},{}\n",
            ["x", "tiktok"][p as usize],
            ["TTP", "BLA"][g as usize],
            day(rep),
            statuses[st]
        ));
        rows.push((p, a, g, rep, act, st, f));
    }
    let opts = LoadOptions::default().with_required(&["platform", "status"]);
    let cases = Cases::read_csv_bytes(csv.as_bytes(), "ties.csv", &opts).unwrap();
    // By hand: per (group, platform, account) the row with the largest (rep, act, index).
    type Latest = std::collections::BTreeMap<(u64, u64, u64), (u64, u64, usize, usize, u64)>;
    let mut latest: Latest = Default::default();
    for (i, &(p, a, g, rep, act, st, f)) in rows.iter().enumerate() {
        let e = latest.entry((g, p, a)).or_insert((rep, act, i, st, f));
        if (rep, act, i) >= (e.0, e.1, e.2) {
            *e = (rep, act, i, st, e.4.max(f));
        } else {
            e.4 = e.4.max(f);
        }
    }
    let mut want_removed = [0i64; 2];
    let mut want_actioned_followers = [0i64; 2];
    for (&(g, _, _), &(_, _, _, st, f)) in &latest {
        if st == 0 {
            want_removed[g as usize] += 1;
        }
        if st <= 1 {
            want_actioned_followers[g as usize] += f as i64;
        }
    }
    let c = cases.compliance(&["group"], &ComplianceSpec { unit: Unit::Account, ..Default::default() }).unwrap();
    // Groups sort BLA, TTP: index 1 then 0.
    assert_eq!(i64_col(&c, "removed"), [Some(want_removed[1]), Some(want_removed[0])]);
    let r = cases.reach(&["group"], &ReachSpec::default()).unwrap();
    assert_eq!(i64_col(&r, "followers_actioned"), [Some(want_actioned_followers[1]), Some(want_actioned_followers[0])]);
}

#[test]
fn change_at_a_date_compares_the_two_sides_as_pairwise_does() {
    use polars::prelude::*;
    // x: before 3 of 4 removed, after 1 of 4; y: before 2 of 2, after none; one undated row.
    let csv = "case_id,platform,account,group,reported_at,status,side\n\
               1,x,@fake_1,TTP,2025-01-05,removed,before\n\
               2,x,@fake_2,TTP,2025-01-06,removed,before\n\
               3,x,@fake_3,TTP,2025-01-07,removed,before\n\
               4,x,@fake_4,TTP,2025-01-31,rejected,before\n\
               5,x,@fake_5,TTP,2025-02-01,removed,after\n\
               6,x,@fake_6,TTP,2025-03-01,rejected,after\n\
               7,x,@fake_7,TTP,2025-03-02,rejected,after\n\
               8,x,@fake_8,TTP,2025-03-03,rejected,after\n\
               9,y,@fake_9,TTP,2025-01-05,removed,before\n\
               10,y,@fake_10,TTP,2025-01-06,removed,before\n\
               11,y,@fake_11,TTP,,removed,\n";
    let opts = LoadOptions::default().with_required(&["platform", "status"]);
    let cases = Cases::read_csv_bytes(csv.as_bytes(), "c.csv", &opts).unwrap();
    let spec = ComplianceSpec::default();
    let at = chrono::NaiveDate::from_ymd_opt(2025, 2, 1).unwrap();
    let got = cases.change(at, &["platform"], Adjust::None, &spec).unwrap();
    let f = |c: &str, i: usize| got.column(c).unwrap().cast(&DataType::Float64).unwrap().f64().unwrap().get(i);
    assert_eq!(
        (f("n_before", 0), f("rate_before", 0), f("n_after", 0), f("rate_after", 0)),
        (Some(4.0), Some(0.75), Some(4.0), Some(0.25))
    );
    assert_eq!(f("difference", 0), Some(-0.5));
    assert!((f("ratio", 0).unwrap() - 1.0 / 3.0).abs() < 1e-12);
    // Pooled rate 1/2: z = -0.5 / sqrt(0.25 * (1/4 + 1/4)) = -sqrt(2); p = 2 * Phi(-sqrt(2)).
    assert!((f("z", 0).unwrap() + 2f64.sqrt()).abs() < 1e-12);
    assert!((f("p_value", 0).unwrap() - 0.157_299_207_050_285_1).abs() < 1e-12);
    // The same comparison as pairwise of a column that says the side.
    let side = cases.filter_expr(col("platform").eq(lit("x"))).unwrap();
    let pw = side.pairwise("side", Some("before"), Adjust::None, &spec).unwrap();
    let g = |c: &str| pw.column(c).unwrap().f64().unwrap().get(0);
    for (a, b) in [
        ("difference_low", "difference_low"),
        ("difference_high", "difference_high"),
        ("ratio_low", "ratio_low"),
        ("p_value", "p_value"),
    ] {
        assert!((f(a, 0).unwrap() - g(b).unwrap()).abs() < 1e-12, "{a}");
    }
    // y has no request after: its rates and change are null, not 0.
    assert_eq!((f("n_after", 1), f("rate_after", 1), f("difference", 1)), (Some(0.0), None, None));
    let def = got.column("definition").unwrap().str().unwrap().get(0).unwrap().to_string();
    assert!(def.starts_with("change at 2025-02-01") && def.contains("(1 request row(s) without reported_at"), "{def}");
    assert!(cases.change(at, &["nope"], Adjust::Holm, &spec).is_err());
}
