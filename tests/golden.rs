//! Golden tables: every aggregation on the embedded sample, as CSV under tests/golden/. The Python
//! tests compare their results with the same files, so both paths give the same numbers.
//! Regenerate with `UPDATE_GOLDEN=1 cargo test --release --test golden` after a deliberate change.

use std::path::PathBuf;

use polars::prelude::*;
use takedowns::*;

/// (file stem, table) for every golden table.
fn tables() -> Vec<(&'static str, DataFrame)> {
    let c = Cases::sample().unwrap();
    let cs = ComplianceSpec::default();
    let rs = ReachSpec::default();
    let decided_jeffreys = ComplianceSpec {
        pending: PendingRule::Exclude,
        method: IntervalMethod::Jeffreys,
        ci: 0.9,
        ..Default::default()
    };
    let accounts_followers = ComplianceSpec {
        unit: Unit::Account,
        weight: Weight::Followers,
        method: IntervalMethod::ClopperPearson,
        ..Default::default()
    };
    let half_actioned = TrendSpec { every: Every::HalfYear, on: DateOn::Actioned, ..Default::default() };
    vec![
        ("compliance_platform", c.compliance(&["platform"], &cs).unwrap()),
        (
            "compliance_group_platform_decided_jeffreys90",
            c.compliance(&["group", "platform"], &decided_jeffreys).unwrap(),
        ),
        ("compliance_platform_accounts_followers_cp", c.compliance(&["platform"], &accounts_followers).unwrap()),
        ("compliance_language", c.compliance(&["language"], &cs).unwrap()),
        ("reach_group", c.reach(&["group"], &rs).unwrap()),
        (
            "reach_platform_latest",
            c.reach(&["platform"], &ReachSpec { followers: FollowersRule::Latest, ..Default::default() }).unwrap(),
        ),
        ("trend_month", c.trend(&[], &TrendSpec::default()).unwrap()),
        ("trend_halfyear_actioned_platform", c.trend(&["platform"], &half_actioned).unwrap()),
        ("crosstab_group_platform_cases", c.crosstab("group", "platform", CrossValue::Cases, &cs, &rs).unwrap()),
        ("crosstab_group_platform_rate", c.crosstab("group", "platform", CrossValue::Rate, &cs, &rs).unwrap()),
        ("summary", c.summary().unwrap().to_frame().unwrap()),
    ]
}

fn csv_text(df: &mut DataFrame) -> String {
    let mut buf = Vec::new();
    CsvWriter::new(&mut buf).include_header(true).finish(df).unwrap();
    String::from_utf8(buf).unwrap()
}

#[test]
fn golden_tables_match() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    for (name, mut df) in tables() {
        let text = csv_text(&mut df);
        let path = dir.join(format!("{name}.csv"));
        if update {
            std::fs::write(&path, &text).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("missing {}; run with UPDATE_GOLDEN=1", path.display()));
        assert_eq!(text, want, "{name} differs from {}", path.display());
    }
}
