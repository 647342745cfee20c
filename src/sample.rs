//! The embedded synthetic sample and the deterministic generator that made it.
//!
//! `data/sample.csv` is compiled into the crate ([`SAMPLE_CSV`]) and loaded by
//! [`crate::Cases::sample`]. It is produced by [`generate_sample_csv`] (run
//! `cargo run --release --example generate_sample` to write it; a test checks the committed file
//! equals the generator's output). **Every handle is fake** (`@fake_<platform>_<group>_<n>`); the
//! numbers are invented, calibrated only so that the sample's summary reproduces the public
//! figures of Pakistan's 2025 campaign:
//!
//! - 850 distinct accounts reported to Facebook, Instagram, TikTok, X, Telegram and WhatsApp,
//!   linked to TTP, BLA and BLF, by NCCIA and PTA, between February and August 2025;
//! - 586 accounts (over 500) removed or restricted; combined following over 2 million;
//! - request compliance (pending counted against): Facebook 92.5% and TikTok 91.5% (over 90%),
//!   X 29.5% and WhatsApp 28.6% (about 30%); Instagram 78.6%, Telegram 60.0%;
//! - 46 accounts reported twice (by both agencies, or re-reported after a rejection), so requests
//!   (896) exceed accounts; 115 requests still pending; some WhatsApp groups show no follower
//!   count.
//!
//! Labels are written as a government list might (`Blocked`, `Withheld`, `Declined`,
//! `Still accessible`, some group names in full) so that loading the sample exercises the label
//! mappings.

use chrono::{Duration, NaiveDate, NaiveDateTime};

use crate::rng::Rng;

/// The sample as CSV text, compiled into the crate.
pub const SAMPLE_CSV: &str = include_str!("../data/sample.csv");

/// Per platform: label, short code, final outcome counts per account (removed, restricted,
/// rejected, pending), accounts reported twice with the same outcome, accounts first rejected then
/// acted on, and the mean hours to a decision.
struct PlatformPlan {
    label: &'static str,
    code: &'static str,
    outcomes: [usize; 4],
    dup_same: usize,
    flip: usize,
    mean_hours: f64,
}

const PLANS: [PlatformPlan; 6] = [
    PlatformPlan { label: "Facebook", code: "fb", outcomes: [180, 8, 5, 7], dup_same: 8, flip: 4, mean_hours: 40.0 },
    PlatformPlan { label: "Instagram", code: "ig", outcomes: [84, 4, 10, 12], dup_same: 4, flip: 3, mean_hours: 60.0 },
    PlatformPlan { label: "TikTok", code: "tt", outcomes: [170, 6, 6, 8], dup_same: 6, flip: 3, mean_hours: 20.0 },
    PlatformPlan { label: "X", code: "x", outcomes: [20, 42, 96, 42], dup_same: 6, flip: 4, mean_hours: 300.0 },
    PlatformPlan { label: "Telegram", code: "tg", outcomes: [54, 0, 12, 24], dup_same: 3, flip: 2, mean_hours: 120.0 },
    PlatformPlan { label: "WhatsApp", code: "wa", outcomes: [18, 0, 20, 22], dup_same: 2, flip: 1, mean_hours: 400.0 },
];

const STATUS_LABELS: [&str; 4] = ["Blocked", "Withheld", "Declined", "Still accessible"];

struct Row {
    platform: &'static str,
    account: String,
    group: String,
    followers: Option<i64>,
    reported: NaiveDateTime,
    actioned: Option<NaiveDateTime>,
    status: usize,
    agency: &'static str,
    content_type: &'static str,
    language: &'static str,
}

fn fmt(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// Generates the sample CSV. Deterministic: the same text on every machine.
pub fn generate_sample_csv() -> String {
    let mut rng = Rng(20250611);
    let start = NaiveDate::from_ymd_opt(2025, 2, 3).and_then(|d| d.and_hms_opt(0, 0, 0)).unwrap_or_default();
    let as_of = NaiveDate::from_ymd_opt(2025, 8, 31).and_then(|d| d.and_hms_opt(18, 0, 0)).unwrap_or_default();
    let mut rows: Vec<Row> = Vec::new();
    // Pareto-tailed raw weights, scaled below to a combined following of about 2.15 million.
    let mut weights: Vec<(usize, f64)> = Vec::new();
    for plan in &PLANS {
        let mut n = 0usize;
        let total: usize = plan.outcomes.iter().sum();
        // Which accounts get a second request: dup_same from the most common outcome (acted on for
        // compliant platforms, rejected for the others), flips from the acted-on ones.
        let dup_status = if plan.outcomes[2] > plan.outcomes[0] { 2 } else { 0 };
        let flip_status = if plan.outcomes[0] >= plan.outcomes[1] { 0 } else { 1 };
        for (status, &k) in plan.outcomes.iter().enumerate() {
            for j in 0..k {
                n += 1;
                let g = rng.unit();
                let (group, lang_choices): (&str, &[&str]) = if g < 0.5 {
                    ("TTP", &["Pashto", "Urdu", "Pashto"])
                } else if g < 0.8 {
                    ("BLA", &["Balochi", "Urdu", "English"])
                } else {
                    ("BLF", &["Balochi", "Urdu"])
                };
                let group_label = match (group, rng.below(10)) {
                    ("TTP", 0) => "Tehreek-e-Taliban Pakistan".to_string(),
                    ("BLA", 0) => "Baloch Liberation Army".to_string(),
                    ("BLF", 0) => "Baloch Liberation Front".to_string(),
                    (g, _) => g.to_string(),
                };
                let language = lang_choices[rng.below(lang_choices.len() as u64) as usize];
                let content_type = match plan.code {
                    "tg" => "channel",
                    "wa" if j % 3 == 0 => "group",
                    "wa" => "channel",
                    _ => "account",
                };
                let account = format!("@fake_{}_{}_{:04}", plan.code, group.to_lowercase(), n);
                let w = rng.unit().powf(-1.0 / 1.3);
                let is_dup = status == dup_status && j < plan.dup_same;
                let is_flip = status == flip_status && j >= k.saturating_sub(plan.flip);
                let twice = is_dup || is_flip;
                let span_days = if twice { 150 } else { 208 };
                let reported = start
                    + Duration::days(rng.below(span_days) as i64)
                    + Duration::minutes(9 * 60 + rng.below(10 * 60) as i64);
                let delay = |rng: &mut Rng, scale: f64| {
                    Duration::minutes((-(rng.unit().ln()) * plan.mean_hours * scale * 60.0) as i64 + 5)
                };
                let agency = if rng.unit() < 0.6 { "NCCIA" } else { "PTA" };
                let other_agency = if agency == "NCCIA" { "PTA" } else { "NCCIA" };
                let no_followers = content_type == "group";
                let base = Row {
                    platform: plan.label,
                    account: account.clone(),
                    group: group_label.clone(),
                    followers: None,
                    reported,
                    actioned: None,
                    status,
                    agency,
                    content_type,
                    language,
                };
                let decide = |rng: &mut Rng, from: NaiveDateTime, status: usize| -> Option<NaiveDateTime> {
                    if status == 3 {
                        return None;
                    }
                    let t = from + delay(rng, if status == 2 { 1.5 } else { 1.0 });
                    Some(if t > as_of { from + (as_of - from) / 2 } else { t })
                };
                if is_flip {
                    // First request rejected; re-reported after the rejection, then acted on.
                    let first_dec = decide(&mut rng, reported, 2).unwrap_or(reported);
                    let second = first_dec + Duration::days(3 + rng.below(18) as i64);
                    let second_dec = decide(&mut rng, second, status);
                    weights.push((rows.len(), if no_followers { -1.0 } else { w }));
                    rows.push(Row { actioned: Some(first_dec), status: 2, ..base });
                    weights.push((rows.len(), if no_followers { -1.0 } else { w * 1.03 }));
                    rows.push(Row {
                        platform: plan.label,
                        account,
                        group: group_label,
                        followers: None,
                        reported: second,
                        actioned: second_dec,
                        status,
                        agency,
                        content_type,
                        language,
                    });
                } else if is_dup {
                    // Reported by both agencies within two days; one decision covers both.
                    let second = reported + Duration::minutes(30 + rng.below(48 * 60) as i64);
                    let dec = decide(&mut rng, second, status);
                    weights.push((rows.len(), if no_followers { -1.0 } else { w }));
                    rows.push(Row { actioned: dec, ..base });
                    weights.push((rows.len(), if no_followers { -1.0 } else { w * 1.03 }));
                    rows.push(Row {
                        platform: plan.label,
                        account,
                        group: group_label,
                        followers: None,
                        reported: second,
                        actioned: dec,
                        status,
                        agency: other_agency,
                        content_type,
                        language,
                    });
                } else {
                    let dec = decide(&mut rng, reported, status);
                    weights.push((rows.len(), if no_followers { -1.0 } else { w }));
                    rows.push(Row { actioned: dec, ..base });
                }
            }
        }
        debug_assert_eq!(n, total);
    }
    let sum: f64 = weights.iter().filter(|(_, w)| *w > 0.0).map(|(_, w)| w).sum();
    for (i, w) in &weights {
        if *w > 0.0 {
            rows[*i].followers = Some(((w / sum) * 2_150_000.0).round().max(12.0) as i64);
        }
    }
    rows.sort_by(|a, b| a.reported.cmp(&b.reported).then(a.account.cmp(&b.account)));
    let mut out = String::from(
        "case_id,platform,account,group,followers,reported_at,actioned_at,status,agency,content_type,language\n",
    );
    for (i, r) in rows.iter().enumerate() {
        out.push_str(&format!(
            "SYN-{:04},{},{},{},{},{},{},{},{},{},{}\n",
            i + 1,
            r.platform,
            r.account,
            r.group,
            r.followers.map(|f| f.to_string()).unwrap_or_default(),
            fmt(r.reported),
            r.actioned.map(fmt).unwrap_or_default(),
            STATUS_LABELS[r.status],
            r.agency,
            r.content_type,
            r.language
        ));
    }
    out
}
