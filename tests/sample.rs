//! The embedded sample reproduces the public figures of Pakistan's 2025 campaign (see the README),
//! and the committed data file is exactly what the documented generator writes.

mod common;
use common::*;

use takedowns::*;

#[test]
fn committed_sample_is_the_generators_output() {
    assert_eq!(sample::SAMPLE_CSV, sample::generate_sample_csv(), "run `cargo run --example generate_sample`");
}

#[test]
fn sample_reproduces_the_2025_campaign() {
    let cases = Cases::sample().unwrap();
    let r = cases.load_report();
    assert_eq!((r.rows_read, r.rows_rejected), (896, 0));
    let s = cases.summary().unwrap();
    assert_eq!(s.accounts, 850, "850 accounts reported");
    assert!(s.accounts_actioned > 500, "over 500 blocked: {}", s.accounts_actioned);
    assert!(s.followers > 2_000_000, "combined following over 2 million: {}", s.followers);
    assert_eq!(s.platforms, ["facebook", "instagram", "telegram", "tiktok", "whatsapp", "x"]);
    assert_eq!(s.groups, ["BLA", "BLF", "TTP"]);
    assert_eq!(s.agencies, ["NCCIA", "PTA"]);
    assert!(s.requests > s.accounts, "some accounts reported twice");
    assert!(s.requests_pending > 0, "some requests still pending");
    let (first, last) = (s.first_reported.unwrap(), s.last_reported.unwrap());
    assert!((last - first).num_days() > 150, "a campaign of several months: {first} to {last}");
    for c in sample::SAMPLE_CSV.lines().skip(1) {
        let handle = c.split(',').nth(2).unwrap();
        assert!(handle.starts_with("@fake_"), "only fake handles: {handle}");
    }
}

#[test]
fn sample_platform_compliance_matches_published_levels() {
    let c = Cases::sample().unwrap().compliance(&["platform"], &ComplianceSpec::default()).unwrap();
    let names = str_col(&c, "platform");
    let rate = f64_col(&c, "rate");
    let get = |p: &str| rate[names.iter().position(|n| n.as_deref() == Some(p)).unwrap()].unwrap();
    assert!(get("facebook") > 0.9 && get("tiktok") > 0.9, "Facebook and TikTok over 90%");
    for p in ["x", "whatsapp"] {
        assert!((get(p) - 0.3).abs() < 0.03, "{p} about 30%: {}", get(p));
    }
    // The documented values (src/sample.rs).
    assert!(close(Some(get("facebook")), 196.0 / 212.0));
    assert!(close(Some(get("x")), 62.0 / 210.0));
    assert!(close(Some(get("whatsapp")), 18.0 / 63.0));
}
