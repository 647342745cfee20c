//! Published figures (PTA's snapshot of 22 Sep 2022; TikTok's Pakistan report, Jul-Dec 2025), from aggregate
//! tables (platform x status x count).

mod common;
use common::*;

use takedowns::*;

fn pta_snapshot() -> Cases {
    // PTA, 22 Sep 2022: processed / blocked / still accessible / rejected.
    let csv = "platform,status,count\n\
               Twitter,blocked,31870\nTwitter,still accessible,28070\nTwitter,rejected,3293\n\
               Facebook,blocked,112698\nFacebook,still accessible,17248\nFacebook,rejected,4603\n";
    let opts = LoadOptions::default().with_required(&["platform", "status"]);
    Cases::read_csv_bytes(csv.as_bytes(), "pta-2022-09-22.csv", &opts).unwrap()
}

#[test]
fn pta_pending_rule_swings_the_rate() {
    let cases = pta_snapshot();
    let against = cases.compliance(&["platform"], &ComplianceSpec::default()).unwrap();
    assert_eq!(i64_col(&against, "requests"), [Some(134_549), Some(63_233)]);
    let r = f64_col(&against, "rate");
    assert_eq!(((r[0].unwrap() * 1000.0).round(), (r[1].unwrap() * 1000.0).round()), (838.0, 504.0));
    let decided = ComplianceSpec { pending: PendingRule::Exclude, ..Default::default() };
    let r = f64_col(&cases.compliance(&["platform"], &decided).unwrap(), "rate");
    assert_eq!(((r[0].unwrap() * 1000.0).round(), (r[1].unwrap() * 1000.0).round()), (961.0, 906.0));
}

#[test]
fn tiktok_pakistan_h2_2025() {
    let csv = "platform,status,count\nTikTok,actioned,6515\nTikTok,not actioned,6039\n";
    let opts =
        LoadOptions::default().with_required(&["platform", "status"]).with_status_label("actioned", Status::Removed);
    let c = Cases::read_csv_bytes(csv.as_bytes(), "tiktok.csv", &opts).unwrap();
    let r = c.compliance(&[], &ComplianceSpec::default()).unwrap();
    assert_eq!(i64_col(&r, "requests"), [Some(12_554)]);
    assert_eq!((f64_col(&r, "rate")[0].unwrap() * 1000.0).round(), 519.0);
}
