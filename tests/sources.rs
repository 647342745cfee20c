//! Public sources read as published: real excerpts (tests/data/sources/README.md gives their
//! provenance), figures the publisher printed reproduced, withheld cells kept out and listed.

mod common;
use common::*;

use polars::prelude::*;
use takedowns::schema::col_names::{CASE_ID, PLATFORM, REASON, REPORTED_AT, STATUS};
use takedowns::sources::{self, SourceName};
use takedowns::*;

const HISTORICAL: &str = "tests/data/sources/google/google-government-removal-requests-historical.csv";

fn quarantine() -> LoadOptions {
    LoadOptions::default().with_on_invalid(OnInvalid::Quarantine)
}

/// (requests, rate) of one jurisdiction and half-year (by its last day, as Google writes it).
fn row_of(t: &DataFrame, jurisdiction: &str, period_end: &str) -> (i64, f64) {
    let mask = t.column("jurisdiction").unwrap().str().unwrap().equal(jurisdiction)
        & t.column("period_end").unwrap().str().unwrap().equal(period_end);
    let r = t.filter(&mask).unwrap();
    assert_eq!(r.height(), 1, "{jurisdiction} {period_end}");
    (
        r.column("requests").unwrap().i64().unwrap().get(0).unwrap(),
        r.column("rate").unwrap().f64().unwrap().get(0).unwrap(),
    )
}

#[test]
fn google_historical_reproduces_the_published_figures() {
    let c = sources::read(SourceName::GoogleRemovalsHistorical, HISTORICAL, &quarantine()).unwrap();
    let t = c.compliance(&["jurisdiction", "period_end"], &ComplianceSpec::default()).unwrap();
    // Published: Pakistan 2018-H2, 214 requests, 73% fully or partially complied with; 2019-H1,
    // 303 and 46%; Argentina 2009-H2, 42 and 88%. The derived counts give those back, rounded.
    for (j, end, n, pct) in
        [("PK", "2018-12-31", 214, 73.0), ("PK", "2019-06-30", 303, 46.0), ("AR", "2009-12-31", 42, 88.0)]
    {
        let (requests, rate) = row_of(&t, j, end);
        assert_eq!(requests, n, "{j} {end}");
        assert_eq!((rate * 100.0).round(), pct, "{j} {end}: {rate}");
    }
    // 214 × 73% = 156.22: 156 complied with, by hand (only Pakistan has this period in the excerpt).
    let pk = c.compliance(&["period_end"], &ComplianceSpec::default()).unwrap();
    let mask = pk.column("period_end").unwrap().str().unwrap().equal("2018-12-31");
    let row = pk.filter(&mask).unwrap();
    assert_eq!(row.column("successes").unwrap().i64().unwrap().get(0), Some(156));
    let def = str_col(&t, "definition")[0].clone().unwrap();
    assert!(
        def.contains(
            "round(`All Requests: Number of Requests` × `All Requests: % Fully Or Partially Complied With` / 100)"
        ),
        "{def}"
    );
    // A published table counts every request of a country: its interval is not a sampling one.
    assert!(def.contains("(a census, not a sample)"), "{def}");
    let counts = c
        .crosstab("jurisdiction", "period_end", CrossValue::Cases, &ComplianceSpec::default(), &ReachSpec::default())
        .unwrap();
    assert!(!str_col(&counts, "definition")[0].clone().unwrap().contains("census"), "counts have no interval");
}

#[test]
fn google_historical_keeps_withheld_cells_out_and_listed() {
    let c = sources::read(SourceName::GoogleRemovalsHistorical, HISTORICAL, &quarantine()).unwrap();
    let r = c.load_report();
    // 24 lines in the excerpt: 21 read as two rows each (complied with, not); withheld: Pakistan
    // 2009-H2 (<10), China 2009-H2 and 2010-H1 (?): one reject per line, none read as 0.
    assert_eq!((r.rows_read, r.rows_accepted, r.rows_rejected), (45, 42, 3));
    assert_eq!(r.problems_by_rule.get(&Rule::CensoredValue), Some(&3));
    let rej = c.rejects();
    let values: Vec<String> = str_col(rej, "value").into_iter().flatten().collect();
    assert_eq!(values, ["?", "<10", "?"]);
    let columns: Vec<String> = str_col(rej, "column").into_iter().flatten().collect();
    assert!(columns.iter().all(|c| c == "All Requests: Number of Requests"), "{columns:?}");
    let rows: Vec<i64> =
        rej.column("row").unwrap().cast(&DataType::Int64).unwrap().i64().unwrap().into_no_null_iter().collect();
    // Data rows (the header not counted) 2, 3 and 5 of the excerpt.
    assert_eq!(rows, [2, 3, 5]);
    // Strict, the same file fails naming each withheld cell.
    let e = sources::read(SourceName::GoogleRemovalsHistorical, HISTORICAL, &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("column `All Requests: Number of Requests`, value \"<10\": withheld by the publisher (<10)"),
        "{e}"
    );
    // Europol has no CLDR code: its name is the jurisdiction.
    let t = c.compliance(&["jurisdiction"], &ComplianceSpec::default()).unwrap();
    let js: Vec<String> = str_col(&t, "jurisdiction").into_iter().flatten().collect();
    assert!(js.contains(&"Europol".to_string()) && js.contains(&"Interpol".to_string()), "{js:?}");
}

#[test]
fn another_google_file_is_named_not_misread() {
    let dir = std::env::temp_dir().join(format!("td-src-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("google-government-removal-requests.csv");
    std::fs::write(&p, "Period Ending,Country/Region,CLDR Territory Code,Requestor,Number of Requests,Items Requested To Be Removed\n2019-06-30,Pakistan,PK,Military,2,18\n").unwrap();
    let e = sources::read(SourceName::GoogleRemovalsHistorical, &p, &quarantine()).unwrap_err().to_string();
    assert!(e.contains("this is Google's by-requestor file"), "{e}");
    assert_eq!(
        sources::names(),
        [
            "google-removals-historical",
            "google-removals-requestor",
            "google-removals-detailed",
            "tiktok-government",
            "x-removals",
            "meta-local-law",
            "dsa-sor",
            "dsa-report"
        ]
    );
    assert_eq!("google-removals-historical".parse::<SourceName>().unwrap(), SourceName::GoogleRemovalsHistorical);
}

const DETAILED: &str = "tests/data/sources/google/google-government-detailed-removal-requests.csv";
const DETAILED_HISTORICAL: &str =
    "tests/data/sources/google/google-government-detailed-removal-requests-historical.csv";

/// Requests per (jurisdiction, period_end, agency) of a source read without outcomes.
fn requests_by(c: &Cases, keys: &[&str]) -> Vec<(Vec<Option<String>>, i64)> {
    let t =
        c.frame().clone().lazy().group_by(keys.iter().map(|k| col(*k)).collect::<Vec<_>>()).agg([col("count").sum()]);
    let t = t.sort(keys.iter().map(|k| k.to_string()).collect::<Vec<_>>(), Default::default()).collect().unwrap();
    let counts = i64_col(&t, "count");
    (0..t.height()).map(|i| (keys.iter().map(|k| str_col(&t, k)[i].clone()).collect(), counts[i].unwrap())).collect()
}

#[test]
fn google_detailed_sums_to_googles_published_request_totals() {
    let c = sources::read(SourceName::GoogleRemovalsDetailed, DETAILED, &quarantine()).unwrap();
    let r = c.load_report();
    assert!(r.outcomes_unpublished && !r.actions_only);
    assert_eq!((r.rows_read, r.rows_rejected), (49, 0));
    let s = |v: &str| Some(v.to_string());
    // Google's other files print these totals: Pakistan July-December 2018, 214 requests (the
    // historical summary's "All Requests: Number of Requests"); Pakistan January-June 2025, 232
    // (the by-requestor file: 1 + 2 + 3 + 211 + 14 + 1). Europol and Interpol have no CLDR code.
    assert_eq!(
        requests_by(&c, &["jurisdiction", "period_end"]),
        [
            (vec![s("Europol"), s("2013-06-30")], 1),
            (vec![s("FR"), s("2011-06-30")], 1),
            (vec![s("Interpol"), s("2013-06-30")], 2),
            (vec![s("PK"), s("2018-12-31")], 214),
            (vec![s("PK"), s("2025-06-30")], 232),
        ]
    );
    // Every status is unknown; a quoted product keeps its commas; the reason is the canonical one.
    assert!(str_col(c.frame(), STATUS).iter().all(|v| v.as_deref() == Some("unknown")));
    assert!(str_col(c.frame(), "product").contains(&s("Google Earth, Google Maps, and Panoramio")));
    let pk =
        c.frame().clone().lazy().filter(col("jurisdiction").eq(lit("PK")).and(col("period_end").eq(lit("2025-06-30"))));
    let pk = pk.filter(col(REASON).eq(lit("Religious Offense"))).collect().unwrap();
    // Hand sum of the excerpt's Pakistan 2025-H1 "Religious Offense" lines.
    let by_hand: i64 = std::fs::read_to_string(DETAILED)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("2025-06-30,Pakistan,PK,") && l.contains(",Religious Offense,"))
        .map(|l| l.rsplit(',').next().unwrap().parse::<i64>().unwrap())
        .sum();
    assert_eq!(i64_col(&pk, "count").iter().flatten().sum::<i64>(), by_hand);
    assert!(by_hand > 0);
}

#[test]
fn google_detailed_historical_splits_court_orders_from_executive_requests() {
    let c = sources::read(SourceName::GoogleRemovalsDetailed, DETAILED_HISTORICAL, &quarantine()).unwrap();
    let s = |v: &str| Some(v.to_string());
    // Google's historical summary prints, for Pakistan: July-December 2018, court orders 1 and
    // other requests 213 (of 214); January-June 2019, 4 and 299 (of 303).
    let got: Vec<_> = requests_by(&c, &["jurisdiction", "period_end", "agency"])
        .into_iter()
        .filter(|(k, _)| k[0] == s("PK"))
        .collect();
    assert_eq!(
        got,
        [
            (vec![s("PK"), s("2018-12-31"), s("Court Orders")], 1),
            (vec![s("PK"), s("2018-12-31"), s("Executive, Police, etc.")], 213),
            (vec![s("PK"), s("2019-06-30"), s("Court Orders")], 4),
            (vec![s("PK"), s("2019-06-30"), s("Executive, Police, etc.")], 299),
        ]
    );
    // 2009 lines have no reason (kept as missing) and no items (not read): not rejects.
    let r = c.load_report();
    assert_eq!((r.rows_read, r.rows_rejected, r.published_lines), (110, 0, Some((55, 0))));
    let ar = c.frame().clone().lazy().filter(col("jurisdiction").eq(lit("AR"))).collect().unwrap();
    assert_eq!(str_col(&ar, REASON), [None, None]);
    assert_eq!(i64_col(&ar, "count"), [Some(3), Some(1)]);
}

#[test]
fn requests_without_outcomes_are_counted_never_rated() {
    let c = sources::read(SourceName::GoogleRemovalsDetailed, DETAILED, &quarantine()).unwrap();
    let spec = ComplianceSpec::default();
    for e in [
        c.compliance(&["platform"], &spec).unwrap_err(),
        c.time_to_action(&["platform"], &SurvivalSpec::default()).unwrap_err(),
        c.crosstab("jurisdiction", "platform", CrossValue::Rate, &spec, &ReachSpec::default()).unwrap_err(),
        c.compare_with_published(&c, &["platform"], &TrendSpec::default()).unwrap_err(),
    ] {
        assert!(e.to_string().contains("publishes no outcome per row"), "{e}");
    }
    // The trend counts requests; every outcome column and rate is null, not 0 (and not 100%).
    let t = c.trend(&[], &TrendSpec { every: Every::HalfYear, ..Default::default() }).unwrap();
    assert_eq!(i64_col(&t, "requests").iter().flatten().sum::<i64>(), 450);
    for name in ["removed", "rejected", "pending", "actioned", "successes", "denominator", "n"] {
        assert_eq!(t.column(name).unwrap().null_count(), t.height(), "{name}");
    }
    assert_eq!(t.column("rate").unwrap().null_count(), t.height());
    assert!(str_col(&t, "definition")[0].as_deref().unwrap().contains("no outcomes: the source publishes requests"));
    // The crosstab of counts works, and the summary leaves outcome counts null.
    let x = c.crosstab("jurisdiction", "platform", CrossValue::Cases, &spec, &ReachSpec::default()).unwrap();
    assert_eq!(i64_col(&x, "google"), [Some(1), Some(1), Some(2), Some(446)]);
    let s = c.summary().unwrap();
    assert!(s.rate.is_none() && s.outcomes_unpublished);
    let f = s.to_frame().unwrap();
    assert_eq!(i64_col(&f, "requests_actioned"), [None]);
    assert_eq!(i64_col(&f, "requests"), [Some(450)]);
    assert_eq!(
        s.headline(),
        "Between 1 January 2011 and 30 June 2025, 450 requests were sent to Google; the source publishes no \
         outcome for them, so no compliance rate applies."
    );
}

#[test]
fn unknown_is_no_status_a_case_log_may_have() {
    // A case log's "unknown" is an unknown status label: rejected and counted, never rated.
    let c = quarantined(
        "case_id,platform,account,group,reported_at,status\n1,x,@fake_1,TTP,2025-01-02,unknown\n2,x,@fake_2,TTP,2025-01-02,removed\n",
    );
    let r = c.load_report();
    assert_eq!((r.rows_accepted, r.rows_rejected), (1, 1));
    assert_eq!(c.rejects().column("rule").unwrap().str().unwrap().get(0), Some("unknown_status"));
    // Nor may options map a label to it.
    let opts = LoadOptions { status_labels: vec![("n/a".into(), Status::Unknown)], ..LoadOptions::default() };
    let e = Cases::read_csv_bytes(
        b"case_id,platform,account,group,reported_at,status\n1,x,@a,TTP,2025-01-02,n/a\n",
        "log.csv",
        &opts,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("only a published source with no outcomes has"), "{e}");
    // And no rate counts it as an outcome.
    let spec = ComplianceSpec { success: vec![Status::Unknown], ..Default::default() };
    assert!(spec.check().unwrap_err().to_string().contains("unknown is no outcome"));
}

#[test]
fn google_detailed_empty_count_is_a_reject_and_other_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let p = write_file(
        &dir,
        "google-government-detailed-removal-requests.csv",
        b"Period Ending,Country/Region,CLDR Territory Code,Product,Reason,Total\n2025-06-30,Pakistan,PK,YouTube,Defamation,9\n2025-06-30,Pakistan,PK,Blogger,Defamation,\n",
    );
    let c = sources::read(SourceName::GoogleRemovalsDetailed, &p, &quarantine()).unwrap();
    let r = c.load_report();
    assert_eq!((r.rows_read, r.rows_accepted, r.rows_rejected), (2, 1, 1));
    let rej = c.rejects();
    assert_eq!(str_col(rej, "column"), [Some("Total".to_string())]);
    assert_eq!(str_col(rej, "rule"), [Some("required".to_string())]);
    assert_eq!(i64_col(rej, "row"), [Some(2)]);
    // In the historical companion, an empty court-order cell rejects that row only: the line's
    // executive requests stay. A period that ends on no half-year's last day, and a line with no
    // country, are rejects too, not a one-day period or a blank jurisdiction.
    let p = write_file(
        &dir,
        "google-government-detailed-removal-requests-historical.csv",
        b"Period Ending,Country/Region,CLDR Territory Code,Product,Reason,Court Orders,\"Executive, Police, etc.\",Items Requested To Be Removed\n2018-12-31,Pakistan,PK,YouTube,Defamation,,7,9\n2018-12-30,Pakistan,PK,Blogger,Defamation,1,1,2\n2018-12-31,,,Blogger,Defamation,1,1,2\n",
    );
    let c = sources::read(SourceName::GoogleRemovalsDetailed, &p, &quarantine()).unwrap();
    let rej = c.rejects();
    assert_eq!(i64_col(rej, "row"), [Some(1), Some(2), Some(3), Some(3)]);
    assert_eq!(
        str_col(rej, "column"),
        [
            Some("Court Orders".into()),
            Some("Period Ending".into()),
            Some("jurisdiction".into()),
            Some("jurisdiction".into())
        ]
    );
    assert_eq!(i64_col(c.frame(), "count"), [Some(7)]);
    assert_eq!(str_col(c.frame(), "agency"), [Some("Executive, Police, etc.".to_string())]);
    // The detailed file read as another source, and another read as this one, say which is which.
    let e = sources::read(SourceName::GoogleRemovalsHistorical, &p, &quarantine()).unwrap_err().to_string();
    assert!(e.contains("read it as google-removals-detailed"), "{e}");
    let e = sources::read(SourceName::GoogleRemovalsRequestor, &p, &quarantine()).unwrap_err().to_string();
    assert!(e.contains("read it as google-removals-detailed"), "{e}");
    let e = sources::read(SourceName::GoogleRemovalsDetailed, HISTORICAL, &quarantine()).unwrap_err().to_string();
    assert!(e.contains("read it as google-removals-historical"), "{e}");
    // A delimiter a source would not take is refused, not ignored.
    let semicolons = LoadOptions { delimiter: b';', ..quarantine() };
    let e = sources::read(SourceName::GoogleRemovalsDetailed, DETAILED, &semicolons).unwrap_err().to_string();
    assert!(e.contains("is not taken by a published source"), "{e}");
}

const TIKTOK: &str = "tests/data/sources/tiktok/CLIGR_2025H2_GovernmentRemovalsRequests.csv";

#[test]
fn tiktok_reproduces_its_published_removal_rates() {
    let c = sources::read(SourceName::TiktokGovernment, TIKTOK, &LoadOptions::default()).unwrap();
    let r = c.load_report();
    // 3 countries × 6 outcome lines; the totals, rates and global lines are read, not rows.
    assert_eq!((r.rows_read, r.rows_accepted, r.rows_rejected), (18, 18, 0));
    let t = c.compliance(&["jurisdiction"], &ComplianceSpec::default()).unwrap();
    let rate = |j: &str| {
        let m = t.column("jurisdiction").unwrap().str().unwrap().equal(j);
        t.filter(&m).unwrap().column("rate").unwrap().f64().unwrap().get(0)
    };
    // Published "Removal rate", Jul-Dec 2025: Pakistan 0.518958101 (= 6515 / 12554), United States
    // 0.875 (= 42 / 48).
    assert!((rate("Pakistan").unwrap() - 0.518958101).abs() < 5e-10);
    assert_eq!(rate("United States"), Some(0.875));
    // Belarus received nothing: TikTok writes a rate of 0.0; 0/0 is no rate here.
    assert_eq!(rate("Belarus"), None);
    let def = str_col(&t, "definition")[0].clone().unwrap();
    assert!(def.contains("each counts items (pieces of content or accounts) named in requests, not requests"), "{def}");
    assert!(def.contains("17 line(s) of totals"), "{def}");
    // By kind of item: Pakistan's accounts, 446 of 2,632 actioned.
    let k = c.compliance(&["jurisdiction", "content_type"], &ComplianceSpec::default()).unwrap();
    let m = k.column("jurisdiction").unwrap().str().unwrap().equal("Pakistan")
        & k.column("content_type").unwrap().str().unwrap().equal("account");
    let row = k.filter(&m).unwrap();
    assert_eq!(row.column("successes").unwrap().i64().unwrap().get(0), Some(446));
    assert_eq!(row.column("requests").unwrap().i64().unwrap().get(0), Some(2632));
}

#[test]
fn tiktok_unknown_metrics_are_named() {
    let dir = std::env::temp_dir().join(format!("td-tt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("cligr.csv");
    std::fs::write(
        &p,
        "metric_name,period_value,location_value,result\nContent geo-blocked,Jul-Dec 2025,Pakistan,3.0\n",
    )
    .unwrap();
    let e = sources::read(SourceName::TiktokGovernment, &p, &LoadOptions::default()).unwrap_err().to_string();
    assert!(e.contains("row 1: unknown metric_name \"Content geo-blocked\""), "{e}");
}

/// Ten requests to TikTok about Pakistani accounts in Jul-Dec 2025, `removed` of them actioned.
fn observed(removed: usize) -> Cases {
    let mut csv = String::from("case_id,platform,account,group,reported_at,status,jurisdiction\n");
    for i in 0..10 {
        let status = if i < removed { "removed" } else { "rejected" };
        csv.push_str(&format!("c{i},TikTok,@fake_user{i},TTP,2025-08-{:02},{status},Pakistan\n", i + 1));
    }
    Cases::read_csv_bytes(csv.as_bytes(), "mine.csv", &LoadOptions::default()).unwrap()
}

#[test]
fn observed_beside_published() {
    // TikTok's Pakistan lines only: its published removal rate, Jul-Dec 2025, 0.518958101.
    let text = std::fs::read_to_string(TIKTOK).unwrap();
    let pk: String = text
        .lines()
        .enumerate()
        .filter(|(i, l)| *i == 0 || l.contains("country_name,Pakistan"))
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    let dir = std::env::temp_dir().join(format!("td-cmp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("pk.csv");
    std::fs::write(&path, pk).unwrap();
    let published = sources::read(SourceName::TiktokGovernment, &path, &LoadOptions::default()).unwrap();
    let spec = TrendSpec { every: takedowns::Every::HalfYear, ..TrendSpec::default() };
    // 6 of 10: Wilson 95% interval (0.3127, 0.8318) holds 0.519: inside.
    let t = observed(6).compare_with_published(&published, &["platform"], &spec).unwrap();
    assert_eq!(t.height(), 1);
    let f = |c: &str| t.column(c).unwrap().f64().unwrap().get(0).unwrap();
    assert_eq!(f("observed_rate"), 0.6);
    // Wilson written out: centre (p + z²/2n) / (1 + z²/n), half-width z √(p(1-p)/n + z²/4n²) / (1 + z²/n).
    assert!((f("observed_ci_low") - 0.312_673_769_733_658).abs() < 1e-12);
    assert!((f("observed_ci_high") - 0.831_819_670_293_764).abs() < 1e-12);
    assert!((f("published_rate") - 0.518_958_101).abs() < 5e-10);
    assert!((f("difference") - (0.518_958_101 - 0.6)).abs() < 5e-10);
    assert_eq!(t.column("published_outside_interval").unwrap().bool().unwrap().get(0), Some(false));
    assert_eq!(t.column("published_requests").unwrap().i64().unwrap().get(0), Some(12554));
    let def = str_col(&t, "definition")[0].clone().unwrap();
    assert!(def.starts_with("observed: requests per half-year") && def.contains(" | published: "), "{def}");
    // 10 of 10: Wilson (0.7225, 1): 0.519 lies outside.
    let t = observed(10).compare_with_published(&published, &["platform"], &spec).unwrap();
    assert_eq!(t.column("published_outside_interval").unwrap().bool().unwrap().get(0), Some(true));
}

const REQUESTOR: &str = "tests/data/sources/google/google-government-removal-requests.csv";

#[test]
fn google_requestor_gives_back_googles_percentages() {
    let c = sources::read(SourceName::GoogleRemovalsRequestor, REQUESTOR, &LoadOptions::default()).unwrap();
    let r = c.load_report();
    // 13 rows × 6 outcomes, all read.
    assert_eq!((r.rows_read, r.rows_accepted, r.rows_rejected), (78, 78, 0));
    let f = c.frame().clone();
    let ica = f
        .clone()
        .lazy()
        .filter(
            col("agency")
                .eq(lit("Information and Communications Authority"))
                .and(col("period_end").eq(lit("2025-06-30"))),
        )
        .collect()
        .unwrap();
    // Published: 4,553 items; 82% removed for legal reasons, 1% policy, 0% not found, 9% not enough
    // information, 4% no action, 4% already removed. The counts sum to the items and round back.
    let counts: Vec<i64> = ica.column("count").unwrap().i64().unwrap().into_no_null_iter().collect();
    assert_eq!(counts, [3733, 46, 0, 410, 182, 182]);
    assert_eq!(counts.iter().sum::<i64>(), 4553);
    for (c, pct) in counts.iter().zip([82.0, 1.0, 0.0, 9.0, 4.0, 4.0]) {
        assert_eq!((*c as f64 / 4553.0 * 100.0).round(), pct);
    }
    // Outcomes as statuses: legal -> restricted, policy -> removed, the rest rejected; so the
    // compliance rate is (3733 + 46) / 4553, Google's 82% + 1%.
    let t = c.compliance(&["agency", "period_end"], &ComplianceSpec::default()).unwrap();
    let m = t.column("agency").unwrap().str().unwrap().equal("Information and Communications Authority")
        & t.column("period_end").unwrap().str().unwrap().equal("2025-06-30");
    let row = t.filter(&m).unwrap();
    assert_eq!(row.column("rate").unwrap().f64().unwrap().get(0), Some(3779.0 / 4553.0));
    let def = str_col(&t, "definition")[0].clone().unwrap();
    assert!(def.contains("Removed-Legal -> restricted") && def.contains("not requests"), "{def}");
    // A mapping is a parameter: "Content Already Removed" counted as removed.
    let mine = LoadOptions::default().with_status_label("Content Already Removed", Status::Removed);
    let c2 = sources::read(SourceName::GoogleRemovalsRequestor, REQUESTOR, &mine).unwrap();
    let t2 = c2.compliance(&["agency", "period_end"], &ComplianceSpec::default()).unwrap();
    let row2 = t2.filter(&m).unwrap();
    assert_eq!(row2.column("rate").unwrap().f64().unwrap().get(0), Some(3961.0 / 4553.0));
    // The historical layout under this name is named, not misread.
    let e = sources::read(SourceName::GoogleRemovalsRequestor, HISTORICAL, &LoadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("read it as google-removals-historical"), "{e}");
}

const X: &str = "tests/data/sources/x/Twitter_Transparency-Removal_Requests_Jul-Dec-2020.csv";

#[test]
fn x_reproduces_its_published_compliance_rates() {
    let c = sources::read(SourceName::XRemovals, X, &quarantine()).unwrap();
    let r = c.load_report();
    // 7 rows in the excerpt's first table: 5 with a rate (two rows each), 2 with NULL (Pakistan
    // 2019-H1 and 2012-H1: one reject each); the blank lines and the second table are not rows.
    assert_eq!((r.rows_read, r.rows_accepted, r.rows_rejected), (12, 10, 2));
    assert_eq!(r.problems_by_rule.get(&Rule::CensoredValue), Some(&2));
    // The share of rejects is of X's lines (2 of 7), not of the rows they make (2 of 12): a
    // withheld line stands for two rows it did not make.
    assert_eq!(r.published_lines, Some((7, 2)));
    let note = r.rejects_note().unwrap();
    assert!(note.starts_with("2 of 7 published lines (28.6%) were rejected"), "{note}");
    let rej = c.rejects();
    let rows: Vec<i64> =
        rej.column("row").unwrap().cast(&DataType::Int64).unwrap().i64().unwrap().into_no_null_iter().collect();
    assert_eq!(rows, [6, 7]);
    let values: Vec<String> = str_col(rej, "column").into_iter().flatten().collect();
    assert_eq!(values, ["Combined compliance rate", "Combined compliance rate"]);
    let t = c.compliance(&["jurisdiction", "reported_at"], &ComplianceSpec::default()).unwrap();
    let pick = |j: &str, start: i64| {
        let days = t.column("reported_at").unwrap().cast(&DataType::Date).unwrap().date().unwrap().physical().clone();
        let m = t.column("jurisdiction").unwrap().str().unwrap().equal(j) & days.equal(start as i32);
        let row = t.filter(&m).unwrap();
        (
            row.column("requests").unwrap().i64().unwrap().get(0).unwrap(),
            row.column("rate").unwrap().f64().unwrap().get(0).unwrap(),
        )
    };
    // Published: Pakistan Jul-Dec 2020, 417 requests, compliance 0.41; Jan-Jun 2020, 241 and
    // 0.29; Turkey Jul-Dec 2020, 3,749 and 0.41 (days since 1970: 2020-07-01 = 18444,
    // 2020-01-01 = 18262).
    for (j, start, n, rate) in
        [("Pakistan", 18444, 417, 0.41), ("Pakistan", 18262, 241, 0.29), ("Turkey", 18444, 3749, 0.41)]
    {
        let (requests, got) = pick(j, start);
        assert_eq!(requests, n, "{j}");
        assert_eq!((got * 100.0).round() / 100.0, rate, "{j} {got}");
    }
}

#[test]
fn a_published_table_of_many_countries_must_be_narrowed() {
    let published = sources::read(SourceName::TiktokGovernment, TIKTOK, &LoadOptions::default()).unwrap();
    let spec = TrendSpec { every: takedowns::Every::HalfYear, ..TrendSpec::default() };
    let e = observed(6).compare_with_published(&published, &["platform"], &spec).unwrap_err().to_string();
    assert!(e.contains("the published cases cover 3 jurisdictions"), "{e}");
    assert!(e.contains("published.filter(jurisdiction=...)"), "{e}");
    // Split by jurisdiction instead, each country stands alone.
    let split = observed(6).compare_with_published(&published, &["platform", "jurisdiction"], &spec);
    let split = split.unwrap();
    let pk = split.filter(&split.column("jurisdiction").unwrap().str().unwrap().equal("Pakistan")).unwrap();
    assert_eq!(pk.column("observed_rate").unwrap().f64().unwrap().get(0), Some(0.6));
    assert!((pk.column("published_rate").unwrap().f64().unwrap().get(0).unwrap() - 0.518_958_101).abs() < 5e-10);
    assert_eq!(split.height(), 3); // Pakistan matched; the United States and Belarus published only
}

#[test]
fn a_published_sources_headline_spans_its_periods() {
    let c = sources::read(SourceName::GoogleRemovalsHistorical, HISTORICAL, &quarantine()).unwrap();
    let h = c.summary().unwrap().headline();
    // Its first period starts 1 July 2009; its last ends 30 June 2019.
    assert!(h.starts_with("Between 1 July 2009 and 30 June 2019, "), "{h}");
}

#[test]
fn an_item_counting_source_says_items_in_its_headline() {
    let c = sources::read(SourceName::TiktokGovernment, TIKTOK, &LoadOptions::default()).unwrap();
    let h = c.summary().unwrap().headline();
    // Jul-Dec 2025: 15 + 33 (United States) + 0 (Belarus) + 9,922 + 2,632 (Pakistan) = 12,602 items.
    assert!(h.starts_with("Between 1 July and 31 December 2025, 12,602 items (pieces of content or accounts) named in requests were sent to TikTok"), "{h}");
}

const DSA_ZIP: &str = "tests/data/sources/dsa/sor-global-2024-03-14-full.zip";
const DSA_PARTS: &str = "tests/data/sources/dsa/parts";

/// Rows of `frame` where `column` equals `value`, per platform (sorted).
fn platforms_where(frame: &DataFrame, column: &str, value: Option<&str>) -> Vec<(String, usize)> {
    let mut out = std::collections::BTreeMap::new();
    let p = str_col(frame, PLATFORM);
    for (i, v) in str_col(frame, column).into_iter().enumerate() {
        let hit = match value {
            Some(want) => v.as_deref() == Some(want),
            None => v.is_some(),
        };
        if hit {
            *out.entry(p[i].clone().unwrap()).or_insert(0) += 1;
        }
    }
    out.into_iter().collect()
}

#[test]
fn dsa_dump_counts_as_shantay_counts_it() {
    // The zip holds the real parts 00000-00000 and 00000-00001 of the global dump of 2024-03-14
    // (tests/data/sources/README.md). shantay's tests (apparebit/shantay, test/test_prepare.py)
    // assert, for these two parts: 100 rows, 12 with keywords, 8 in the protection-of-minors
    // category, from Google Shopping, Snapchat and TikTok.
    let c = sources::read(SourceName::DsaSor, DSA_ZIP, &quarantine()).unwrap();
    let r = c.load_report();
    assert_eq!((r.rows_read, r.rows_rejected), (100, 1));
    // The dump itself repeats its first statement (same uuid, same fields): the second is a
    // duplicate_case_id reject, named by its part and its row there.
    let rejects = c.rejects();
    assert_eq!(str_col(rejects, "rule"), [Some("duplicate_case_id".to_string())]);
    let file = str_col(rejects, "file")[0].clone().unwrap();
    assert!(file.ends_with("sor-global-2024-03-14-full.zip › sor-global-2024-03-14-full-00000-00000.csv"), "{file}");
    assert_eq!(rejects.column("row").unwrap().u64().unwrap().get(0), Some(2));
    let msg = str_col(rejects, "message")[0].clone().unwrap();
    assert!(msg.ends_with("on row 1 of tests/data/sources/dsa/sor-global-2024-03-14-full.zip › sor-global-2024-03-14-full-00000-00000.csv"), "{msg}");
    let f = c.frame();
    // The duplicate is a TikTok protection-of-minors statement without keywords: 12 and 7 + 1.
    assert_eq!(str_col(f, "keywords").into_iter().flatten().count(), 12);
    let minors = platforms_where(f, REASON, Some("STATEMENT_CATEGORY_PROTECTION_OF_MINORS"));
    assert_eq!(minors, [("Google Shopping".into(), 1), ("Snapchat".into(), 2), ("tiktok".into(), 4)]);
    // A scan does not check duplicate ids (it says so): all 8, as shantay counts them.
    let scan = sources::scan(SourceName::DsaSor, DSA_ZIP, &LoadOptions::default()).unwrap();
    assert_eq!(scan.rows(), 100);
    let spec = TrendSpec { every: Every::Year, ..TrendSpec::default() };
    let t = scan.trend(&[REASON], &spec).unwrap();
    let mask = t.column(REASON).unwrap().str().unwrap().equal("STATEMENT_CATEGORY_PROTECTION_OF_MINORS");
    let by_year = t.filter(&mask).unwrap();
    assert_eq!(by_year.column("requests").unwrap().i64().unwrap().sum(), Some(8));
    let def = str_col(&t, "definition")[0].clone().unwrap();
    assert!(def.contains("reported_at = content_date") && def.contains("duplicate case_id not checked"), "{def}");
    assert!(def.starts_with("statements of reasons per year by reported_at"), "{def}");
    assert_eq!(scan.last_report().unwrap().rows_read, 100);
    // The headline dates statements by when their restrictions applied (12 Feb to 14 Mar 2024 in
    // these parts), not by when the content was posted (from 2015).
    let h = c.summary().unwrap().headline();
    assert!(h.starts_with("Between 12 February and 14 March 2024 (dates the restrictions applied), AliExpress"), "{h}");
    assert!(h.contains("filed 99 statements of reasons"), "{h}");
}

#[test]
fn dsa_decisions_map_to_statuses_by_strength() {
    // The real part of 2025-07-01 (V2 schema, `content_id_ean`): 43 removals of content, 4
    // disablings, 3 account terminations (one with the service's total termination and the
    // content's removal too, line 48: the account's comes first), counted by hand from the file.
    let c = sources::read(
        SourceName::DsaSor,
        format!("{DSA_PARTS}/sor-global-2025-07-01-full-00000-00000.csv"),
        &quarantine(),
    )
    .unwrap();
    assert_eq!(c.load_report().rows_rejected, 0);
    let t =
        c.crosstab("decision", STATUS, CrossValue::Cases, &ComplianceSpec::default(), &ReachSpec::default()).unwrap();
    let get = |d: &str, s: &str| {
        let mask = t.column("decision").unwrap().str().unwrap().equal(d);
        t.filter(&mask).unwrap().column(s).unwrap().i64().unwrap().get(0)
    };
    assert_eq!(get("DECISION_VISIBILITY_CONTENT_REMOVED", "removed"), Some(43));
    assert_eq!(get("DECISION_VISIBILITY_CONTENT_DISABLED", "restricted"), Some(4));
    assert_eq!(get("DECISION_ACCOUNT_TERMINATED", "removed"), Some(3));
    let def = str_col(&t, "definition")[0].clone().unwrap();
    assert!(def.starts_with("cell = statements of reasons (rows x count); empty cells 0"), "{def}");
    let decisions = str_col(c.frame(), "decisions");
    assert!(decisions.iter().flatten().any(|d| d
        == "DECISION_ACCOUNT_TERMINATED, DECISION_PROVISION_TOTAL_TERMINATION, DECISION_VISIBILITY_CONTENT_REMOVED"));
    // status_labels map a code otherwise: disabling access as removal.
    let opts = LoadOptions {
        status_labels: vec![("DECISION_VISIBILITY_CONTENT_DISABLED".into(), Status::Removed)],
        ..quarantine()
    };
    let c = sources::read(SourceName::DsaSor, format!("{DSA_PARTS}/sor-global-2025-07-01-full-00000-00000.csv"), &opts)
        .unwrap();
    let s = str_col(c.frame(), STATUS);
    assert_eq!(s.iter().filter(|s| s.as_deref() == Some("removed")).count(), 50);
}

#[test]
fn dsa_parts_of_two_schemas_read_together_and_scan_alike() {
    // A directory of parts: 2024-03-14 (37 columns, no content_id_ean) and 2025-07-01 (38).
    let c = sources::read(SourceName::DsaSor, DSA_PARTS, &quarantine()).unwrap();
    assert_eq!((c.load_report().rows_read, c.load_report().rows_rejected), (100, 0));
    let spec = TrendSpec { every: Every::Year, on: DateOn::Actioned, ..TrendSpec::default() };
    let read = c.trend(&[PLATFORM], &spec).unwrap();
    let scan = sources::scan(SourceName::DsaSor, DSA_PARTS, &LoadOptions::default()).unwrap();
    let scanned = scan.trend(&[PLATFORM], &spec).unwrap();
    let key = |t: &DataFrame| {
        let mut v: Vec<(Option<String>, Option<String>, Option<i64>)> = str_col(t, PLATFORM)
            .into_iter()
            .zip(str_col(t, "period_label"))
            .zip(t.column("requests").unwrap().i64().unwrap().iter())
            .map(|((a, b), c)| (a, b, c))
            .collect();
        v.sort();
        v
    };
    assert_eq!(key(&read), key(&scanned));
    // A scan's crosstab of cases is the read's (platform by strongest decision).
    let spec_c = ComplianceSpec::default();
    let read_x = c.crosstab(PLATFORM, "decision", CrossValue::Cases, &spec_c, &ReachSpec::default()).unwrap();
    let rs = ReachSpec::default();
    let scan_x = scan.crosstab(PLATFORM, "decision", CrossValue::Cases, &spec_c, &rs).unwrap();
    assert_eq!(read_x.drop("definition").unwrap(), scan_x.drop("definition").unwrap());
    let def = str_col(&scan_x, "definition")[0].clone().unwrap();
    assert!(def.starts_with("cell = statements of reasons (rows x count)") && def.contains("scanned"), "{def}");
    assert!(scan.crosstab(PLATFORM, "decision", CrossValue::Rate, &spec_c, &rs).is_err());
    // Accounts, as the read counts them (a statement names an account only when the dump does).
    let read_a = c.crosstab(PLATFORM, "decision", CrossValue::Accounts, &spec_c, &rs).unwrap();
    let scan_a = scan.crosstab(PLATFORM, "decision", CrossValue::Accounts, &spec_c, &rs).unwrap();
    assert_eq!(read_a.drop("definition").unwrap(), scan_a.drop("definition").unwrap());
    // By application date: 50 in 2024 (Google Shopping 32, TikTok 17, Pinterest 1), 50 in 2025.
    let k = key(&read);
    let in_year = |y: &str| k.iter().filter(|r| r.1.as_deref() == Some(y)).map(|r| r.2.unwrap()).sum::<i64>();
    assert_eq!((in_year("2024"), in_year("2025")), (50, 50));
    assert!(k.contains(&(Some("Google Shopping".into()), Some("2024".into()), Some(32))));
    // The full dump's territorial scope is kept: the first 2025 statement covers 27 countries.
    let scopes = str_col(c.frame(), "territorial_scope");
    assert!(scopes.iter().flatten().any(|s| s.split(", ").count() == 27 && s.starts_with("AT, BE")));
}

#[test]
fn dsa_parquet_reads_as_its_csv() {
    let dir = tempfile::tempdir().unwrap();
    let csv = format!("{DSA_PARTS}/sor-global-2025-07-01-full-00000-00000.csv");
    let mut df = CsvReadOptions::default()
        .with_infer_schema_length(Some(0))
        .try_into_reader_with_file_path(Some(csv.clone().into()))
        .unwrap()
        .finish()
        .unwrap();
    // Dates typed, as a Parquet conversion stores them.
    for c in ["content_date", "application_date"] {
        let typed = df
            .column(c)
            .unwrap()
            .str()
            .unwrap()
            .as_datetime(
                Some("%Y-%m-%d %H:%M:%S"),
                TimeUnit::Milliseconds,
                false,
                false,
                None,
                &StringChunked::from_iter([None::<&str>]),
            )
            .unwrap();
        df.with_column(typed.into_series().into_column()).unwrap();
    }
    let pq = dir.path().join("sor-global-2025-07-01-full.parquet");
    ParquetWriter::new(std::fs::File::create(&pq).unwrap()).finish(&mut df).unwrap();
    let from_csv = sources::read(SourceName::DsaSor, &csv, &quarantine()).unwrap();
    let from_pq = sources::read(SourceName::DsaSor, &pq, &quarantine()).unwrap();
    for c in [CASE_ID, PLATFORM, STATUS, REASON, "decision", "keywords"] {
        assert_eq!(str_col(from_csv.frame(), c), str_col(from_pq.frame(), c), "{c}");
    }
    assert_eq!(from_csv.frame().column(REPORTED_AT).unwrap(), from_pq.frame().column(REPORTED_AT).unwrap());
    let s = sources::scan(SourceName::DsaSor, &pq, &LoadOptions::default()).unwrap();
    assert_eq!(s.check().unwrap().rows_read, 50);
}

/// A dump part of the light layout, with the given data lines.
fn light_part(dir: &std::path::Path, name: &str, lines: &[&str]) -> std::path::PathBuf {
    let header = "uuid,decision_visibility,decision_visibility_other,end_date_visibility_restriction,decision_monetary,decision_monetary_other,end_date_monetary_restriction,decision_provision,end_date_service_restriction,decision_account,end_date_account_restriction,account_type,decision_ground,decision_ground_reference_url,illegal_content_legal_ground,incompatible_content_ground,incompatible_content_illegal,category,category_addition,category_specification,category_specification_other,content_type,content_type_other,content_language,content_date,content_id_ean,application_date,source_type,source_identity,automated_detection,automated_decision,platform_name,platform_uid,created_at";
    let p = dir.join(name);
    std::fs::write(&p, format!("{header}\n{}", lines.join("\n"))).unwrap();
    p
}

#[test]
fn dsa_bad_statements_are_rejects_with_their_rule() {
    let dir = tempfile::tempdir().unwrap();
    let row = |uuid: &str, vis: &str, content: &str, applied: &str| {
        format!(
            "{uuid},\"{vis}\",,,,,,,,,,,DECISION_GROUND_ILLEGAL_CONTENT,,,,,STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY,,\"[\"\"KEYWORD_TERRORIST_CONTENT\"\"]\",,\"[\"\"CONTENT_TYPE_VIDEO\"\"]\",,EN,\"{content}\",,\"{applied}\",SOURCE_TRUSTED_FLAGGER,,No,AUTOMATED_DECISION_NOT_AUTOMATED,X,fake-uid,\"2025-07-02 10:00:00\""
        )
    };
    let ok = row("u1", r#"[""DECISION_VISIBILITY_CONTENT_REMOVED""]"#, "2025-06-30 00:00:00", "2025-07-01 00:00:00");
    let none = row("u2", "[]", "2025-06-30 00:00:00", "2025-07-01 00:00:00");
    let unknown = row("u3", r#"[""DECISION_VISIBILITY_VANISHED""]"#, "2025-06-30 00:00:00", "2025-07-01 00:00:00");
    let bad_date = row("u4", r#"[""DECISION_VISIBILITY_CONTENT_REMOVED""]"#, "30/06/2025 junk", "2025-07-01 00:00:00");
    let p = light_part(dir.path(), "sor-x-2025-07-01-light-00000-00000.csv", &[&ok, &none, &unknown, &bad_date]);
    let c = sources::read(SourceName::DsaSor, &p, &quarantine()).unwrap();
    let r = c.load_report();
    assert_eq!((r.rows_read, r.rows_rejected), (4, 3));
    let rules: Vec<(u64, String, String)> = {
        let rj = c.rejects();
        let rows: Vec<u64> = rj.column("row").unwrap().u64().unwrap().iter().map(|r| r.unwrap()).collect();
        rows.into_iter()
            .zip(str_col(rj, "column"))
            .zip(str_col(rj, "rule"))
            .map(|((r, c), u)| (r, c.unwrap(), u.unwrap()))
            .collect()
    };
    assert!(rules.contains(&(2, STATUS.into(), "required".into())), "{rules:?}");
    assert!(rules.contains(&(3, STATUS.into(), "unknown_status".into())), "{rules:?}");
    assert!(rules.iter().any(|(r, c, _)| *r == 4 && c == REPORTED_AT), "{rules:?}");
    assert_eq!(str_col(c.frame(), "terrorist_content"), [Some("yes".to_string())]);
    // The columns no row carries are named: the dump's own, and any that are not the database's.
    let d = c.load_report().derivation.clone().unwrap();
    assert!(
        d.contains("the dump's columns not read (free text, end dates, identifiers): ") && d.contains("platform_uid"),
        "{d}"
    );
    assert!(!d.contains("not the database's"), "{d}");
    let text = std::fs::read_to_string(&p).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[0] += ",my_note";
    lines[1] += ",checked by hand";
    let noted = dir.path().join("noted.csv");
    std::fs::write(&noted, lines[..2].join("\n")).unwrap();
    let c2 = sources::read(SourceName::DsaSor, &noted, &quarantine()).unwrap();
    let d = c2.load_report().derivation.clone().unwrap();
    assert!(d.ends_with("columns that are not the database's, not read: my_note"), "{d}");
    // A scan leaves the same rows out and counts them.
    let s = sources::scan(SourceName::DsaSor, &p, &LoadOptions::default()).unwrap();
    let rep = s.check().unwrap();
    assert_eq!((rep.rows_read, rep.rows_rejected), (4, 3));
    // A line with a field too many or too few would put its values under the wrong columns (a
    // reader that reads only some columns does not see it): a malformed_row reject, named.
    let extra = ok.replacen(",X,", ",extra,X,", 1).replacen("u1,", "u5,", 1);
    let short = row("u6", r#"[""DECISION_VISIBILITY_CONTENT_REMOVED""]"#, "2025-06-30 00:00:00", "2025-07-01 00:00:00");
    let short = short.rsplit_once(',').unwrap().0.to_string();
    let ragged = light_part(dir.path(), "sor-x-2025-07-02-light-00000-00000.csv", &[&ok, &extra, &short]);
    let c = sources::read(SourceName::DsaSor, &ragged, &quarantine()).unwrap();
    assert_eq!((c.load_report().rows_read, c.load_report().rows_rejected), (3, 2));
    let rj = c.rejects();
    assert_eq!(str_col(rj, "rule"), [Some("malformed_row".to_string()), Some("malformed_row".to_string())]);
    assert_eq!(rj.column("row").unwrap().u64().unwrap().iter().collect::<Vec<_>>(), [Some(2), Some(3)]);
    assert!(str_col(rj, "message")[0].as_deref().unwrap().contains("expected 34 fields as in the header, found 35"));
    assert_eq!(str_col(c.frame(), PLATFORM), [Some("x".to_string())]);
    let s = sources::scan(SourceName::DsaSor, &ragged, &LoadOptions::default()).unwrap();
    let rep = s.check().unwrap();
    assert_eq!((rep.rows_read, rep.rows_rejected), (3, 2));
    assert_eq!(rep.problems_by_rule.get(&Rule::MalformedRow), Some(&2));
    let t = s.trend(&[PLATFORM], &TrendSpec { every: Every::Year, ..TrendSpec::default() }).unwrap();
    assert_eq!(str_col(&t, PLATFORM), [Some("x".to_string())]);
    // A part without a column every dump has is refused, naming the file and the column.
    let short = dir.path().join("short.csv");
    std::fs::write(&short, "uuid,platform_name\nu1,X\n").unwrap();
    let err = sources::read(SourceName::DsaSor, &short, &quarantine()).unwrap_err().to_string();
    assert!(err.contains("short.csv") && err.contains("`decision_visibility`"), "{err}");
    // Not a zip.
    let fake = dir.path().join("sor-x-2025-07-01-light.zip");
    std::fs::write(&fake, "not a zip").unwrap();
    let err = sources::scan(SourceName::DsaSor, &fake, &LoadOptions::default()).err().unwrap().to_string();
    assert!(err.contains("sor-x-2025-07-01-light.zip") && err.contains("not a readable zip"), "{err}");
    // The small tables are read, not scanned.
    let err = sources::scan(SourceName::XRemovals, &p, &LoadOptions::default()).err().unwrap().to_string();
    assert!(err.contains("small published table: read it"), "{err}");
}

/// (requests, successes) of `jurisdiction` in a compliance table by jurisdiction.
fn by_country(t: &DataFrame, jurisdiction: &str) -> (i64, i64) {
    let mask = t.column("jurisdiction").unwrap().str().unwrap().equal(jurisdiction);
    let r = t.filter(&mask).unwrap();
    assert_eq!(r.height(), 1, "{jurisdiction}");
    let get = |c: &str| r.column(c).unwrap().i64().unwrap().get(0).unwrap();
    (get("requests"), get("successes"))
}

#[test]
fn x_half_year_files_of_three_layouts_give_xs_figures() {
    // As X printed them (court orders + other requests; percentage where some content withheld):
    // 2015-H2 Turkey 450 + 1,761 at 23%, Japan 2 + 35 at 3%, Pakistan 0 + 12 at 0%, Argentina
    // `-` (none); 2016-H2 Turkey 844 + 2,232 at 19%, Pakistan 0 + 13 at 0%; 2019-H1 Japan
    // 17 + 5,127 at 0.20%, Pakistan 8 + 265 at 0%, Turkey 388 + 5,685 at 5%. Complied with, by
    // hand: 2,211 × 0.23 = 508.53 -> 509; 37 × 0.03 = 1.11 -> 1; 3,076 × 0.19 = 584.44 -> 584;
    // 5,144 × 0.002 = 10.288 -> 10; 6,073 × 0.05 = 303.65 -> 304.
    let cases = [
        ("jul-dec-2015", vec![("Turkey", 2211, 509), ("Japan", 37, 1), ("Pakistan", 12, 0), ("Argentina", 0, 0)]),
        ("jul-dec-2016", vec![("Turkey", 3076, 584), ("Pakistan", 13, 0), ("Argentina", 2, 0)]),
        ("jan-jun-2019", vec![("Japan", 5144, 10), ("Pakistan", 273, 0), ("Turkey", 6073, 304)]),
    ];
    for (period, want) in cases {
        let path = format!("tests/data/sources/x/removal-requests-report-{period}.csv");
        let c = sources::read(SourceName::XRemovals, &path, &quarantine()).unwrap();
        let r = c.load_report();
        assert_eq!(r.rows_rejected, 0, "{period}");
        // Two rows per country; the TOTAL line is not a country.
        assert_eq!(r.rows_read as usize, 2 * want.len() + if period == "jul-dec-2015" { 2 } else { 0 }, "{period}");
        let t = c.compliance(&["jurisdiction"], &ComplianceSpec::default()).unwrap();
        for (country, n, yes) in want {
            assert_eq!(by_country(&t, country), (n, yes), "{period} {country}");
        }
        let d = r.derivation.clone().unwrap();
        assert!(d.contains("1 TOTAL line(s) not read"), "{d}");
        // 2016-H2 is saved with carriage returns only, its header in a legacy encoding (GOV‰ÛªT).
        assert_eq!(d.contains("2 character(s) that did not decode were replaced"), period == "jul-dec-2016", "{d}");
    }
    // The half-year's first day, and its last as period_end.
    let c = sources::read(
        SourceName::XRemovals,
        "tests/data/sources/x/removal-requests-report-jan-jun-2019.csv",
        &quarantine(),
    )
    .unwrap();
    assert_eq!(str_col(c.frame(), "period_end")[0].as_deref(), Some("2019-06-30"));
    let s = c.summary().unwrap();
    assert_eq!(s.first_reported.unwrap().to_string(), "2019-01-01");
}

#[test]
fn x_half_year_dash_percentages_and_bad_counts_are_rejects() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("removal-requests-report-jan-jun-2014.csv");
    std::fs::write(
        &p,
        "COUNTRY,ISO CODE,TIME PERIOD,REMOVAL REQUESTS (COURT ORDERS),\"REMOVAL REQUESTS (GOV’T AGENCY, POLICE, OTHER)\",PERCENTAGE WHERE SOME CONTENT WITHHELD\r\n\
         Pakistan,PK,January - June 2014,0,12,0%*\r\n\
         Fakeland,FL,January - June 2014,3,4,-\r\n\
         Otherland,OL,January - June 2014,x,4,10%\r\n",
    )
    .unwrap();
    let c = sources::read(SourceName::XRemovals, &p, &quarantine()).unwrap();
    let rj = c.rejects();
    assert_eq!(str_col(rj, "rule"), [Some("censored_value".to_string()), Some("invalid_integer".to_string())]);
    assert_eq!(str_col(rj, "column")[1].as_deref(), Some("REMOVAL REQUESTS (COURT ORDERS)"));
    let t = c.compliance(&["jurisdiction"], &ComplianceSpec::default()).unwrap();
    assert_eq!(by_country(&t, "Pakistan"), (12, 0));
}

#[test]
fn meta_content_restrictions_as_facebook_published_them() {
    // Facebook's Government Requests Report, "Content Restrictions" (pieces of content restricted
    // for local law): Pakistan 4,174 in 2018-H2 and 5,690 in 2019-H1, India 17,713 and 1,250,
    // Turkey 747 (2018-H2).
    let read = |y: &str| {
        sources::read(
            SourceName::MetaLocalLaw,
            format!("tests/data/sources/meta/PRPL-Facebook-Government-Report-{y}.csv"),
            &quarantine(),
        )
        .unwrap()
    };
    for (y, want, start) in [
        ("2018_H2", vec![("Pakistan", 4174), ("India", 17713), ("Turkey", 747)], "2018-07-01"),
        ("2019_H1", vec![("Pakistan", 5690), ("India", 1250), ("Aland Islands", 0)], "2019-01-01"),
    ] {
        let c = read(y);
        assert_eq!((c.load_report().rows_read as usize, c.load_report().rows_rejected), (want.len(), 0), "{y}");
        let t = c
            .crosstab("jurisdiction", STATUS, CrossValue::Cases, &ComplianceSpec::default(), &ReachSpec::default())
            .unwrap();
        for (country, n) in want {
            let mask = t.column("jurisdiction").unwrap().str().unwrap().equal(country);
            let restricted = t.filter(&mask).unwrap().column("restricted").unwrap().i64().unwrap().get(0);
            assert_eq!(restricted, Some(n), "{y} {country}");
        }
        // Every row is a restriction Facebook made: no rate, and the reason said.
        let e = c.compliance(&["jurisdiction"], &ComplianceSpec::default()).unwrap_err().to_string();
        assert!(e.contains("100% by construction"), "{e}");
        assert!(c.summary().unwrap().headline().contains("none a refused request, so no compliance rate applies"));
        assert_eq!(c.summary().unwrap().first_reported.unwrap().to_string(), start);
        assert_eq!(c.load_report().unit.as_deref(), Some("pieces of content restricted for local law"));
        // A trend counts them; its rate would be 100% by construction, so it is null, with why.
        let t = c.trend(&[], &TrendSpec { every: Every::HalfYear, ..Default::default() }).unwrap();
        assert_eq!(t.column("rate").unwrap().null_count(), t.height(), "{y}");
        assert_eq!(t.column("ci_low").unwrap().null_count(), t.height(), "{y}");
        assert!(i64_col(&t, "restricted").iter().flatten().sum::<i64>() > 0, "{y}");
        assert!(str_col(&t, "definition")[0].as_deref().unwrap().contains("no rate: every row is an action"));
    }
    // 2013-H1: the column is 0 for every one of the 71 countries of Facebook's file (the next
    // half-year has 13 countries above 0: Pakistan 162, India 4,765): not reported, not none.
    let c = read("2013_H1");
    assert_eq!((c.load_report().rows_read, c.load_report().rows_rejected), (2, 2));
    assert_eq!(str_col(c.rejects(), "rule"), [Some("censored_value".to_string()), Some("censored_value".to_string())]);
    // No half-year in the name: refused, saying what to do.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("facebook.csv");
    std::fs::copy("tests/data/sources/meta/PRPL-Facebook-Government-Report-2018_H2.csv", &p).unwrap();
    let e = sources::read(SourceName::MetaLocalLaw, &p, &quarantine()).unwrap_err().to_string();
    assert!(e.contains("facebook.csv") && e.contains("<year>-H2"), "{e}");
}

const DSA_REPORT: &str = "tests/data/sources/dsa-report";

fn dsa_report(name: &str) -> Cases {
    sources::read(SourceName::DsaReport, format!("{DSA_REPORT}/{name}"), &quarantine()).unwrap()
}

/// Orders per (jurisdiction, order_type), and the column `extra` of each.
fn orders(c: &Cases, jurisdiction: &str) -> Vec<(String, i64)> {
    let f = c.frame().clone().lazy().filter(col("jurisdiction").eq(lit(jurisdiction))).collect().unwrap();
    str_col(&f, "order_type").into_iter().flatten().zip(i64_col(&f, "count").into_iter().flatten()).collect()
}

fn total_of(c: &Cases, order_type: &str) -> i64 {
    let f = c.frame().clone().lazy().filter(col("order_type").eq(lit(order_type))).collect().unwrap();
    i64_col(&f, "count").iter().flatten().sum()
}

const ACT: &str = "act against illegal content (Art. 9)";
const INFO: &str = "provide information (Art. 10)";

#[test]
fn dsa_report_member_states_add_up_to_tiktoks_published_totals() {
    let c = dsa_report("DSA_Transparency_Report_TikTok_July_December_2025 - 3_member_states_orders.csv");
    let r = c.load_report();
    assert!(r.outcomes_unpublished);
    // 27 Member-State lines, two rows each; the category lines are not read.
    assert_eq!((r.rows_read, r.rows_rejected, r.published_lines), (54, 0, Some((27, 0))));
    // TikTok's TOTAL line for July-December 2025: 782 orders to act (4,495 items), 10,932 orders
    // to provide information.
    assert_eq!((total_of(&c, ACT), total_of(&c, INFO)), (782, 10932));
    assert_eq!(i64_col(c.frame(), "items").iter().flatten().sum::<i64>(), 4495);
    assert_eq!(orders(&c, "DE"), [(ACT.to_string(), 133), (INFO.to_string(), 5086)]);
    let de = c.frame().clone().lazy().filter(col("jurisdiction").eq(lit("DE"))).collect().unwrap();
    assert_eq!(f64_col(&de, "median_hours_to_give_effect"), [Some(4.0), Some(95.0)]);
    assert_eq!(i64_col(&de, "items"), [Some(644), None]);
    // TikTok writes Greece GR; no row is left over for the EU as a whole.
    assert_eq!(orders(&c, "GR"), [(ACT.to_string(), 0), (INFO.to_string(), 110)]);
    assert!(orders(&c, "EU (no Member State given)").is_empty());
    let d = r.derivation.as_deref().unwrap();
    assert!(d.contains("received`: 782 in the Member-State lines, 782 in the TOTAL line"), "{d}");
    assert!(d.contains("information`: 10932 in the Member-State lines, 10932 in the TOTAL line"), "{d}");
    assert!(!d.contains("EL"), "{d}");
    // A median over 0 orders is no time: Bulgaria's 0 orders to act have none.
    let bg = c.frame().clone().lazy().filter(col("jurisdiction").eq(lit("BG"))).collect().unwrap();
    assert_eq!(f64_col(&bg, "median_hours_to_give_effect"), [None, Some(176.0)]);
    assert!(str_col(c.frame(), PLATFORM).iter().all(|p| p.as_deref() == Some("tiktok")));
    // The two kinds of order are not added up in the headline.
    let h = c.summary().unwrap().headline();
    assert!(
        h.contains(
            "TikTok received 782 orders to act against illegal content (Art. 9) and 10,932 orders to provide \
             information (Art. 10) from Member State authorities"
        ),
        "{h}"
    );
}

#[test]
fn dsa_report_reads_metas_blank_block_cells_and_thousands() {
    let c = dsa_report("facebook_3_member_states_orders.csv");
    // Facebook's TOTAL line: "1,358" orders to act, 2383 orders to provide information. Its
    // Member-State lines leave the first five cells blank after Austria's.
    assert_eq!((total_of(&c, ACT), total_of(&c, INFO)), (1358, 2383));
    assert_eq!(c.load_report().published_lines, Some((27, 0)));
    // Greece is EL in Meta's file, GR here; Lithuania's items are "1,115".
    assert_eq!(orders(&c, "GR"), [(ACT.to_string(), 3), (INFO.to_string(), 3)]);
    let lt = c.frame().clone().lazy().filter(col("jurisdiction").eq(lit("LT"))).collect().unwrap();
    assert_eq!(i64_col(&lt, "items"), [Some(1115), None]);
    // Facebook's items do not add up (2,162 by Member State, "2,158" in its total): said, not hidden.
    let d = c.load_report().derivation.clone().unwrap();
    assert!(
        d.contains("orders to act against illegal content`: 2162 in the Member-State lines, 2158 in the TOTAL line"),
        "{d}"
    );
    assert!(d.contains("Greece's EL (Eurostat's code) read as GR"), "{d}");
}

#[test]
fn dsa_report_orders_no_member_state_gives_are_a_row_of_their_own() {
    // The X excerpt keeps 3 of the 27 Member-State lines: the rest of X's published total (10
    // orders to act, "5,928" to provide information) is one row, so the total comes back.
    let c = dsa_report("x_3_member_states_orders.csv");
    assert_eq!((total_of(&c, ACT), total_of(&c, INFO)), (10, 5928));
    assert_eq!(orders(&c, "FR"), [(ACT.to_string(), 2), (INFO.to_string(), 1751)]);
    assert_eq!(
        orders(&c, "EU (no Member State given)"),
        [(ACT.to_string(), 8), (INFO.to_string(), 5928 - 36 - 1751 - 30)]
    );
    let d = c.load_report().derivation.clone().unwrap();
    assert!(d.contains("a row of their own"), "{d}");
    // YouTube's first lines have only the TOTAL line among Member-State totals: read as the EU's,
    // lines cut short of the header read as they are.
    let c = dsa_report("youtube_3_member_states_orders.csv");
    assert_eq!(orders(&c, "EU"), [(ACT.to_string(), 17), (INFO.to_string(), 12)]);
    assert_eq!(f64_col(c.frame(), "median_hours_to_give_effect"), [Some(67.0), Some(117.0)]);
}

#[test]
fn dsa_report_empty_and_unreadable_cells_are_rejects_unless_the_total_settles_them() {
    let dir = tempfile::tempdir().unwrap();
    let head = "Applicability,Service,Reporting period,Category of illegal content,Description,Scope,Number of orders to act against illegal content received,Number of specific items of information included in the total number of orders to act against illegal content,Median time to inform the authority of the receipt of the order to act against illegal content,Median time to give effect to the order to act against illegal content,Number of orders to provide information,Median time to inform the authority of the receipt of the order to provide information,Median time to give effect to the order to provide information\n";
    let file = |name: &str, body: &str| write_file(&dir, name, format!("{head}{body}").as_bytes());
    // The filled lines make the total: the empty cells can hold no order, read as 0 and said.
    let p = file(
        "a.csv",
        "All,X,2025-07-01/2025-12-31,TOTAL,,TOTAL,5,5,0,10,3,0,20\nAll,X,2025-07-01/2025-12-31,TOTAL,,AT,5,5,0,10,3,0,20\nAll,X,2025-07-01/2025-12-31,TOTAL,,BE,,,,,,,\n",
    );
    let c = sources::read(SourceName::DsaReport, &p, &quarantine()).unwrap();
    assert_eq!((c.load_report().rows_read, c.load_report().rows_rejected), (4, 0));
    assert_eq!(orders(&c, "BE"), [(ACT.to_string(), 0), (INFO.to_string(), 0)]);
    assert!(c.load_report().derivation.as_deref().unwrap().contains("1 empty cell(s) read as 0"));
    // They do not (orders to act: 5 + 1 of 9): the empty cell is a reject of that row only,
    // naming its column, never 0; the line's orders to provide information (3 + 0 of 3) settle
    // theirs. A median that is no number is left empty, its orders kept, and said.
    let p = file(
        "b.csv",
        "All,X,2025-07-01/2025-12-31,TOTAL,,TOTAL,9,9,0,10,3,0,20\nAll,X,2025-07-01/2025-12-31,TOTAL,,AT,5,5,0,10,3,0,20\nAll,X,2025-07-01/2025-12-31,TOTAL,,BE,,,,,,,\nAll,X,2025-07-01/2025-12-31,TOTAL,,CY,1,1,0,ten,0,0,0\n",
    );
    let c = sources::read(SourceName::DsaReport, &p, &quarantine()).unwrap();
    let rej = c.rejects();
    assert_eq!(i64_col(rej, "row"), [Some(3)]);
    assert_eq!(str_col(rej, "rule"), [Some("required".to_string())]);
    assert_eq!(str_col(rej, "column")[0].as_deref(), Some("Number of orders to act against illegal content received"));
    assert_eq!(orders(&c, "AT"), [(ACT.to_string(), 5), (INFO.to_string(), 3)]);
    assert_eq!(orders(&c, "BE"), [(INFO.to_string(), 0)]);
    let cy = c.frame().clone().lazy().filter(col("jurisdiction").eq(lit("CY"))).collect().unwrap();
    assert_eq!(i64_col(&cy, "count"), [Some(1), Some(0)]);
    assert_eq!(f64_col(&cy, "median_hours_to_give_effect"), [None, None]);
    let d = c.load_report().derivation.clone().unwrap();
    assert!(d.contains("1 median cell(s) that are no number left empty (their orders kept): row 4"), "{d}");
    assert!(d.contains("1 Member-State row(s) rejected"), "{d}");
    // No residual row stands in for a rejected row's orders.
    assert!(orders(&c, "EU (no Member State given)").is_empty());
    // Greece as both EL and GR is one Member State twice: the second line's rows are duplicates.
    let p = file(
        "c.csv",
        "All,X,2025-07-01/2025-12-31,TOTAL,,EL,1,1,0,10,3,0,20\nAll,X,2025-07-01/2025-12-31,TOTAL,,GR,1,1,0,10,3,0,20\nAll,X,2025-07-01/2025-12-31,TOTAL,,XX,1,1,0,10,3,0,20\n",
    );
    let c = sources::read(SourceName::DsaReport, &p, &quarantine()).unwrap();
    // (A scope that is no Member State's code is a reject too.)
    assert_eq!(str_col(c.rejects(), "rule"), [Some("duplicate_case_id".to_string()), Some("invalid_code".to_string())]);
    assert_eq!(i64_col(c.rejects(), "row"), [Some(2), Some(3)]);
    assert_eq!(orders(&c, "GR"), [(ACT.to_string(), 1), (INFO.to_string(), 3)]);
    // A translated report, or another part of the template, is refused with that said.
    let p = write_file(
        &dir,
        "7_appeals.csv",
        b"Applicability,Service,Reporting period,Number of complaints received\nAll,X,2025-07-01/2025-12-31,4\n",
    );
    let e = sources::read(SourceName::DsaReport, &p, &quarantine()).unwrap_err().to_string();
    assert!(e.contains("it is none of parts 3"), "{e}");
    let p = write_file(
        &dir,
        "4_notices.csv",
        b"Applicability,Service,Reporting period,Number of notices received\nAll,X,2025-07-01/2025-12-31,4\n",
    );
    let e = sources::read(SourceName::DsaReport, &p, &quarantine()).unwrap_err().to_string();
    assert!(e.contains("it reads as part 4 of the template but has no column `Category of illegal content`"), "{e}");
}

#[test]
fn dsa_report_notices_partition_by_category_and_give_back_the_totals() {
    // Part 4, July-December 2025. Published on each file's TOTAL line: TikTok 714,523 notices,
    // Facebook 788,745, X 402,010, YouTube 343,749.
    for (name, total, rows, residual) in [
        ("DSA_Transparency_Report_TikTok_July_December_2025 - 4_notices.csv", 714523, 12, Some(90184)),
        ("facebook_4_notices.csv", 788745, 94, None),
        ("x_4_notices.csv", 402010, 76, Some(750)),
        ("youtube_4_notices.csv", 343749, 10, None),
    ] {
        let c = dsa_report(name);
        let r = c.load_report();
        assert!(r.outcomes_unpublished && !r.actions_only, "{name}");
        assert_eq!(r.unit.as_deref(), Some("notices (Art. 16)"));
        assert_eq!((r.rows_read, r.rows_rejected), (rows, 0), "{name}");
        assert_eq!(i64_col(c.frame(), "count").iter().flatten().sum::<i64>(), total, "{name}");
        // TikTok's categories give 624,339 of its 714,523, and X's an orphan "other" line of 750
        // under no category: the rest is one row, so the total comes back.
        let none = c.frame().clone().lazy().filter(col(REASON).eq(lit("(no category given)"))).collect().unwrap();
        assert_eq!(i64_col(&none, "count").first().copied().flatten(), residual, "{name}");
    }
    // Terrorist content is a sub-category of risk for public security: its own row where the
    // category's sub-category lines account for it (X: 2,278 + 169 + 879 + 4,627 + 1,372 = 9,325).
    let x = dsa_report("x_4_notices.csv");
    let t = x.frame().clone().lazy().filter(col("subcategory").eq(lit("KEYWORD_TERRORIST_CONTENT"))).collect().unwrap();
    assert_eq!(i64_col(&t, "count"), [Some(4627)]);
    assert_eq!(i64_col(&t, "actions_on_law"), [Some(1093)]);
    assert_eq!(f64_col(&t, "median_hours_to_action"), [Some(3.0)]);
    // X's six violence lines make its 32,407 exactly; the "other" line after them (750 notices
    // that X says map to no category above) is under no category, with its own actions.
    let d = x.load_report().derivation.clone().unwrap();
    assert!(d.contains("STATEMENT_CATEGORY_VIOLENCE's first 6 sub-category line(s) make its 32407"), "{d}");
    let ht =
        x.frame().clone().lazy().filter(col("subcategory").eq(lit("KEYWORD_HUMAN_TRAFFICKING"))).collect().unwrap();
    assert_eq!(i64_col(&ht, "count"), [Some(196)]);
    let none = x.frame().clone().lazy().filter(col(REASON).eq(lit("(no category given)"))).collect().unwrap();
    assert_eq!((i64_col(&none, "count"), i64_col(&none, "actions_on_law")), (vec![Some(750)], vec![Some(302)]));
    // A line given twice is left out, not counted twice.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(format!("{DSA_REPORT}/x_4_notices.csv")).unwrap();
    let dup = text.lines().find(|l| l.contains(",KEYWORD_TERRORIST_CONTENT,")).unwrap();
    let p = write_file(&dir, "x_4_notices.csv", format!("{text}\r\n{dup}\r\n").as_bytes());
    let c = sources::read(SourceName::DsaReport, &p, &quarantine()).unwrap();
    assert_eq!(i64_col(c.frame(), "count").iter().flatten().sum::<i64>(), 402010);
    assert_eq!(str_col(c.rejects(), "rule"), [Some("duplicate_case_id".to_string())]);
    // YouTube gives its actions on the TOTAL line only: said in the derivation, in no row.
    let yt = dsa_report("youtube_4_notices.csv");
    let d = yt.load_report().derivation.clone().unwrap();
    assert!(d.contains("the TOTAL line's `actions_on_law` 412096 (the rows give 0), `actions_on_terms` 6665"), "{d}");
    // TikTok's own description of its terrorist-content line names another offence: said.
    let tt = dsa_report("DSA_Transparency_Report_TikTok_July_December_2025 - 4_notices.csv");
    let d = tt.load_report().derivation.clone().unwrap();
    assert!(d.contains("KEYWORD_TERRORIST_CONTENT line (row") && d.contains("which names no terrorism"), "{d}");
    assert!(yt.compliance(&["platform"], &ComplianceSpec::default()).is_err());
}

#[test]
fn dsa_report_own_initiative_measures_are_actions() {
    // Part 5 (Facebook) and part 6 (TikTok), July-December 2025: "96,466" and 258,691,522
    // measures on their TOTAL lines.
    let fb = dsa_report("facebook_5_own_initiative_illegal.csv");
    // Actions, each of kinds given as columns: no one outcome per row.
    assert!(fb.load_report().actions_only && fb.load_report().outcomes_unpublished);
    assert_eq!(i64_col(fb.frame(), "count").iter().flatten().sum::<i64>(), 96466);
    assert!(str_col(fb.frame(), STATUS).iter().all(|s| s.as_deref() == Some("unknown")));
    let t = fb.trend(&[], &TrendSpec { every: Every::HalfYear, ..Default::default() }).unwrap();
    assert_eq!((i64_col(&t, "requests"), i64_col(&t, "removed")), (vec![Some(96466)], vec![None]));
    assert!(fb.summary().unwrap().headline().contains("Facebook reported 96,466 own-initiative measures"));
    let ps = fb
        .frame()
        .clone()
        .lazy()
        .filter(col("subcategory").eq(lit("KEYWORD_OTHER_PUBLIC_SECURITY")))
        .collect()
        .unwrap();
    assert_eq!(i64_col(&ps, "count"), [Some(1521)]);
    assert_eq!(i64_col(&ps, "disable"), [Some(1507)]);
    let e = fb.compliance(&["platform"], &ComplianceSpec::default()).unwrap_err().to_string();
    assert!(e.contains("100% by construction"), "{e}");
    let tt = dsa_report("DSA_Transparency_Report_TikTok_July_December_2025 - 6_own_initiative_TC.csv");
    assert_eq!(i64_col(tt.frame(), "count").iter().flatten().sum::<i64>(), 258691522);
    assert_eq!(tt.load_report().unit.as_deref(), Some("own-initiative measures under the terms and conditions"));
    // TikTok gives its age restrictions (28,117,025) and account terminations on the TOTAL line
    // only: said, as no row has them; the rows' removals and the residual's add up to the TOTAL's.
    let d = tt.load_report().derivation.clone().unwrap();
    assert!(d.contains("`age_restricted` 28117025 (the rows give 0)"), "{d}");
    assert_eq!(i64_col(tt.frame(), "removal").iter().flatten().sum::<i64>(), 112104964);
    // TikTok left part 5 empty: refused, saying so, not read as zeros.
    let e = sources::read(
        SourceName::DsaReport,
        format!("{DSA_REPORT}/DSA_Transparency_Report_TikTok_July_December_2025 - 5_own_initiative_illegal.csv"),
        &quarantine(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("filled no line of part 5"), "{e}");
}

#[test]
fn dsa_report_periods_and_ambiguous_thousands_are_rejects() {
    let dir = tempfile::tempdir().unwrap();
    let head = "Applicability,Service,Reporting period,Category of illegal content,Description,Scope,Number of orders to act against illegal content received,Number of specific items of information included in the total number of orders to act against illegal content,Median time to inform the authority of the receipt of the order to act against illegal content,Median time to give effect to the order to act against illegal content,Number of orders to provide information,Median time to inform the authority of the receipt of the order to provide information,Median time to give effect to the order to provide information\n";
    let body = "All,X,2025-12-31/2025-07-01,TOTAL,,AT,5,5,0,10,3,0,20\nAll,X,,TOTAL,,BE,5,5,0,10,3,0,20\nAll,X,2025-07-01/2025-12-31,TOTAL,,CY,1.000,1,0,10,3,0,20\n";
    let p = write_file(&dir, "3.csv", format!("{head}{body}").as_bytes());
    let c = sources::read(SourceName::DsaReport, &p, &quarantine()).unwrap();
    let rej = c.rejects();
    // A reversed period, and a period left empty on the first line (nothing above to fill it
    // from), are rejects naming the column; "1.000" is a thousand or one: not guessed.
    assert_eq!(i64_col(rej, "row"), [Some(1), Some(2), Some(3)]);
    assert_eq!(
        str_col(rej, "column"),
        [
            Some("Reporting period".to_string()),
            Some("Reporting period".to_string()),
            Some("Number of orders to act against illegal content received".to_string())
        ]
    );
    assert_eq!(orders(&c, "CY"), [(INFO.to_string(), 3)]);
}
