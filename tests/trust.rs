//! Nothing quietly biased, nothing lost: each test reproduces an input that once gave a wrong or
//! silent number (or a panic) and checks what the load and the analytics do with it now.

mod common;
use common::*;

use polars::prelude::*;
use takedowns::*;

const HEADER: &str = "case_id,platform,account,group,followers,reported_at,actioned_at,status,agency\n";

fn quarantine() -> LoadOptions {
    LoadOptions::default().with_on_invalid(OnInvalid::Quarantine)
}

use common::quarantined as q;

fn rules(c: &Cases) -> Vec<String> {
    str_col(c.rejects(), "rule").into_iter().flatten().collect()
}

/// The sample with the pending requests relabelled "Awaiting", a label the library does not know.
fn sample_with_unknown_pending() -> Cases {
    let csv = takedowns::sample::SAMPLE_CSV.replace(",Still accessible,", ",Awaiting,");
    q(&csv)
}

#[test]
fn rejects_are_stated_in_every_definition_and_the_headline() {
    let c = sample_with_unknown_pending();
    let r = c.load_report();
    assert_eq!((r.rows_read, r.rows_rejected), (896, 115));
    let note =
        "115 of 896 rows read (12.8%) were rejected at load and are not counted (problems: unknown_status 115); \
                no row of status \"Awaiting\" (115 rows) was accepted";
    assert_eq!(r.rejects_note().as_deref(), Some(note));
    let spec = ComplianceSpec::default();
    let tables = [
        c.compliance(&["platform"], &spec).unwrap(),
        c.reach(&["group"], &ReachSpec::default()).unwrap(),
        c.trend(&["platform"], &TrendSpec::default()).unwrap(),
        c.crosstab("group", "platform", CrossValue::Cases, &spec, &ReachSpec::default()).unwrap(),
        c.time_to_action(&["platform"], &SurvivalSpec::default()).unwrap(),
        c.survival(&[], &SurvivalSpec::default()).unwrap(),
        c.summary().unwrap().to_frame().unwrap(),
    ];
    for t in &tables {
        for d in str_col(t, "definition") {
            assert!(d.as_deref().unwrap().contains(note), "{d:?}");
        }
    }
    // A count trend's definition carries the note before the rate clause a count figure drops.
    let d = str_col(&tables[2], "definition")[0].clone().unwrap();
    assert!(d.find(note).unwrap() < d.find("each period's rate: ").unwrap(), "{d}");
    assert!(c.summary().unwrap().headline().ends_with(&format!("Note: {note}.")));
    // The status label that only rejected rows had is lost: the report can refuse on it.
    let lost = r.lost();
    assert_eq!(lost.len(), 1);
    assert_eq!((lost[0].column.as_str(), lost[0].value.as_str(), lost[0].rows_rejected), ("status", "Awaiting", 115));
    // Clean data: no note, nothing lost.
    let clean = Cases::sample().unwrap();
    assert_eq!(clean.load_report().rejects_note(), None);
    assert!(!str_col(&clean.compliance(&[], &spec).unwrap(), "definition")[0].clone().unwrap().contains("rejected"));
}

#[test]
fn every_label_mapping_is_reported_and_new_labels_are_kept_as_given() {
    let csv = format!(
        "{HEADER}1,Twitter,@fake_a,Fitna al-Khawarij,10,2025-01-01,,pending,PTA\n\
         2,WhatsApp channel,@fake_b,TTP,10,2025-01-02,,withheld,PTA\n\
         3,WhatsApp channel,@fake_c,Jamaat ul Ahrar,10,2025-01-03,,pending,PTA\n\
         4,X,@fake_d,TTP,10,2025-01-04,,maybe,PTA\n"
    );
    let c = q(&csv);
    let r = c.load_report();
    let find = |col: &str, label: &str| r.labels.iter().find(|l| l.column == col && l.label == label).cloned().unwrap();
    let l = find("group", "Fitna al-Khawarij");
    assert_eq!((l.value.as_str(), l.known, l.rows_accepted), ("TTP", true, 1));
    assert_eq!(find("platform", "Twitter").value, "x");
    assert_eq!(find("status", "withheld").value, "restricted");
    // Unknown platform and group: kept exactly as given, listed as new, counted.
    let l = find("platform", "WhatsApp channel");
    assert_eq!((l.value.as_str(), l.known, l.rows_accepted), ("WhatsApp channel", false, 2));
    assert!(!find("group", "Jamaat ul Ahrar").known);
    assert_eq!(r.new_labels().count(), 2);
    // The unknown status rejected its row; its label is reported with the rejected count.
    let l = find("status", "maybe");
    assert_eq!((l.known, l.rows_accepted, l.rows_rejected), (false, 0, 1));
    assert_eq!(
        str_col(c.frame(), "platform"),
        [Some("x".into()), Some("WhatsApp channel".into()), Some("WhatsApp channel".into())]
    );
    assert!(c.summary().unwrap().headline().contains("WhatsApp channel"));
}

#[test]
fn accounts_in_several_groups_are_flagged_and_counted_as_asked() {
    let csv = format!(
        "{HEADER}1,X,@fake_a,TTP,100,2025-01-01,,pending,PTA\n\
         2,X,@Fake_A,BLA,150,2025-02-01,,pending,PTA\n\
         3,X,@fake_b,BLA,50,2025-01-01,,pending,PTA\n\
         4,Facebook,@fake_a,BLF,10,2025-01-01,,pending,PTA\n"
    );
    let c = q(&csv);
    assert_eq!(c.load_report().accounts_in_several_groups, Some(1), "X @fake_a under TTP and BLA");
    let each = c.reach(&["group"], &ReachSpec::default()).unwrap();
    assert_eq!(str_col(&each, "group"), [Some("BLA".into()), Some("BLF".into()), Some("TTP".into())]);
    assert_eq!(i64_col(&each, "accounts"), [Some(2), Some(1), Some(1)], "counted in each group: 4 > 3 accounts");
    // Within a group an account counts with the reports of that group (TTP saw it at 100).
    assert_eq!(i64_col(&each, "followers"), [Some(200), Some(10), Some(100)]);
    assert!(str_col(&each, "definition")[0]
        .clone()
        .unwrap()
        .contains("1 account(s) were reported under more than one group"));
    let latest = c.reach(&["group"], &ReachSpec { groups: GroupRule::Latest, ..Default::default() }).unwrap();
    assert_eq!(str_col(&latest, "group"), [Some("BLA".into()), Some("BLF".into())]);
    assert_eq!(i64_col(&latest, "accounts"), [Some(2), Some(1)], "once, in its latest group (BLA)");
    assert_eq!(i64_col(&latest, "followers"), [Some(200), Some(10)]);
    assert!(str_col(&latest, "definition")[0].clone().unwrap().contains("in the group of its latest request"));
}

#[test]
fn definitions_describe_their_own_rows() {
    // time_to_action by platform: each platform states its own requests left out.
    let csv = format!(
        "{HEADER}1,X,@fake_a,TTP,1,2025-01-01,2025-01-03,removed,PTA\n\
         2,X,@fake_b,TTP,1,,,pending,PTA\n\
         3,X,@fake_c,TTP,1,,,pending,PTA\n\
         4,Facebook,@fake_d,TTP,1,2025-01-01,2025-01-02,removed,PTA\n\
         5,Telegram,@fake_e,TTP,1,2025-01-01,,removed,PTA\n"
    );
    let opts = quarantine().with_required(&["case_id", "platform", "status"]);
    let c = Cases::read_csv_bytes(csv.as_bytes(), "t.csv", &opts).unwrap();
    let t = c.time_to_action(&["platform"], &SurvivalSpec::default()).unwrap();
    let defs = str_col(&t, "definition");
    assert_eq!(str_col(&t, "platform"), [Some("facebook".into()), Some("telegram".into()), Some("x".into())]);
    assert!(defs[0].clone().unwrap().contains("; 0 request(s) of this group (3 in all groups) left out"), "{defs:?}");
    assert!(defs[1].clone().unwrap().contains("; 1 request(s) of this group (3 in all groups) left out"), "{defs:?}");
    assert!(defs[2].clone().unwrap().contains("; 2 request(s) of this group (3 in all groups) left out"), "{defs:?}");
    // Telegram's one request was decided without a date: no estimate, null rather than 0.
    assert_eq!(i64_col(&t, "requests"), [Some(1), Some(0), Some(1)]);
    assert_eq!(f64_col(&t, "actioned_within_1d")[1], None);
    assert_eq!(f64_col(&t, "median_days")[1], None);
    // A crosstab of cases does not carry reach's definition.
    let x =
        c.crosstab("group", "platform", CrossValue::Cases, &ComplianceSpec::default(), &ReachSpec::default()).unwrap();
    let d = str_col(&x, "definition")[0].clone().unwrap();
    assert!(d.starts_with("cell = requests") && !d.contains("followers"), "{d}");
}

#[test]
fn reach_without_followers_is_an_error_not_zeros() {
    let csv = "case_id,platform,account,group,reported_at,status\n1,X,@fake_a,TTP,2025-01-01,removed\n";
    let c = q(csv);
    let e = c.reach(&["group"], &ReachSpec::default()).unwrap_err();
    assert!(matches!(e, Error::Empty(_)) && e.to_string().contains("follower counts"), "{e}");
    // Accounts can still be counted, and the summary still works.
    let x = c
        .crosstab("group", "platform", CrossValue::Accounts, &ComplianceSpec::default(), &ReachSpec::default())
        .unwrap();
    assert_eq!(i64_col(&x, "x"), [Some(1)]);
    assert_eq!(c.summary().unwrap().accounts, 1);
}

#[test]
fn what_the_library_writes_it_reads() {
    let c = Cases::sample().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut frame = c.frame().clone();
    let parquet = dir.path().join("cases.parquet");
    ParquetWriter::new(std::fs::File::create(&parquet).unwrap()).finish(&mut frame).unwrap();
    let csv = dir.path().join("cases.csv");
    CsvWriter::new(std::fs::File::create(&csv).unwrap()).finish(&mut frame).unwrap();
    for path in [parquet, csv] {
        let back = Cases::read_path(&path, &LoadOptions::default()).unwrap();
        assert_eq!(back.load_report().columns_dropped, ["account_key"], "{}", path.display());
        assert!(back.frame().equals_missing(c.frame()), "{}", path.display());
    }
}

#[test]
fn numbers_that_would_wrap_are_rejected() {
    // 4e18 followers: over the bound, rejected; the totals can never wrap negative.
    let c = q(&format!("{HEADER}1,X,@fake_a,TTP,4000000000000000000,2025-01-01,,pending,PTA\n2,X,@fake_b,TTP,10,2025-01-01,,pending,PTA\n"));
    assert_eq!(rules(&c), ["value_too_large"]);
    let r = c.reach(&[], &ReachSpec::default()).unwrap();
    assert_eq!(i64_col(&r, "followers"), [Some(10)]);
    // Counts within the bound whose total passes i64::MAX: the rows that would push it over.
    let mut csv = String::from("platform,status,count\n");
    for _ in 0..10_000 {
        csv.push_str("X,removed,999999999999\n");
    }
    let c = q(&csv);
    assert_eq!(rules(&c), Vec::<String>::new(), "9,999,999,999,990,000 fits");
    let mut csv = String::from("platform,status,count,followers\n");
    for _ in 0..1_000 {
        csv.push_str("X,removed,1000000000000,10000000000\n");
    }
    let c = q(&csv);
    // followers x count per row is 1e22: every row would overflow the undeduplicated reach.
    assert_eq!(c.load_report().rows_rejected, 1_000);
    assert!(rules(&c).iter().all(|r| r == "value_too_large"));
}

#[test]
fn empty_null_and_nan_counts_are_problems() {
    let df = df!(
        "platform" => ["X", "X", "X", "X"],
        "status" => ["removed", "removed", "removed", "removed"],
        "count" => [Some(1.0), None, Some(f64::NAN), Some(0.0)],
    )
    .unwrap();
    let c = Cases::from_frame(df, &quarantine()).unwrap();
    assert_eq!(rules(&c), ["required", "invalid_integer"]);
    assert_eq!(i64_col(c.frame(), "count"), [Some(1), Some(0)]);
    // NaN followers are pandas' missing values: missing, not a problem.
    let df = df!("platform" => ["X"], "status" => ["removed"], "count" => [1i64], "followers" => [f64::NAN]).unwrap();
    let c = Cases::from_frame(df, &quarantine()).unwrap();
    assert_eq!((c.len(), i64_col(c.frame(), "followers")), (1, vec![None]));
}

#[test]
fn handles_that_name_no_account_are_rejected() {
    let c = q(&format!(
        "{HEADER}1,X,@,TTP,1,2025-01-01,,pending,PTA\n2,X,/,TTP,1,2025-01-01,,pending,PTA\n\
         3,X,https://x.com/,TTP,1,2025-01-01,,pending,PTA\n4,X,@fake_a,TTP,1,2025-01-01,,pending,PTA\n"
    ));
    assert_eq!(rules(&c), ["invalid_account", "invalid_account", "invalid_account"]);
    assert_eq!(c.summary().unwrap().accounts, 1);
}

#[test]
fn dates_out_of_range_are_rejected_as_text_and_as_typed_values() {
    let c = q(&format!(
        "{HEADER}1,X,@fake_a,TTP,1,0000-01-01,,pending,PTA\n2,X,@fake_b,TTP,1,2025-01-01,9999-12-31,removed,PTA\n\
         3,X,@fake_c,TTP,1,1899-12-31,,pending,PTA\n4,X,@fake_d,TTP,1,1900-01-01,,pending,PTA\n"
    ));
    assert_eq!(rules(&c), ["date_out_of_range", "date_out_of_range", "date_out_of_range"]);
    // A Date 108 million days after 1970, as a corrupt Parquet file can hold.
    let dates = Int32Chunked::new("reported_at".into(), [Some(108_000_000), Some(20_000)]).into_date().into_column();
    let df = DataFrame::new(
        2,
        vec![Column::new("platform".into(), ["X", "X"]), Column::new("status".into(), ["pending", "pending"]), dates],
    )
    .unwrap();
    let c = Cases::from_frame(df, &quarantine().with_required(&["platform", "status"])).unwrap();
    assert_eq!(rules(&c), ["date_out_of_range"]);
    assert_eq!(str_col(c.rejects(), "value"), [Some("108000000 days since 1970-01-01".into())]);
    assert_eq!(c.len(), 1);
    assert!(c.summary().unwrap().headline().contains("2024"));
}

#[test]
fn ndjson_bom_duplicate_keys_and_number_forms() {
    let text = "\u{feff}{\"case_id\":7,\"platform\":\"X\",\"status\":\"removed\",\"count\":1}\n\
                {\"case_id\":7.0,\"platform\":\"X\",\"status\":\"removed\",\"count\":1}\n\
                {\"case_id\":8,\"platform\":\"X\",\"status\":\"removed\",\"status\":\"pending\",\"count\":1}\n";
    let opts = quarantine().with_required(&["case_id", "platform", "status"]);
    let c = Cases::read_ndjson_bytes(text.as_bytes(), "t.ndjson", &opts).unwrap();
    assert_eq!(c.load_report().rows_read, 3);
    assert_eq!(rules(&c), ["duplicate_case_id", "malformed_row"]);
    assert_eq!(str_col(c.frame(), "case_id"), [Some("7".into())], "the first record survives the BOM");
}

#[test]
fn columns_of_impossible_types_fail_by_name() {
    let followers =
        Series::new("followers".into(), [Series::new("".into(), [1i64, 2]), Series::new("".into(), [3i64])]);
    let df = DataFrame::new(
        2,
        vec![
            Column::new("platform".into(), ["X", "X"]),
            Column::new("status".into(), ["removed", "removed"]),
            followers.into_column(),
        ],
    )
    .unwrap();
    let e = Cases::from_frame(df, &quarantine().with_required(&["platform", "status"])).unwrap_err();
    assert!(matches!(e, Error::ColumnType { ref canonical, .. } if canonical == "followers"), "{e}");
    assert!(e.to_string().contains("list"), "{e}");
}

#[test]
fn files_that_are_not_files_fail_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let e = Cases::read_csv(dir.path(), &LoadOptions::default()).unwrap_err();
    assert!(matches!(e, Error::Io { .. }) && e.to_string().contains("a directory"), "{e}");
    let fifo = dir.path().join("pipe.csv");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().map(|s| s.success()).unwrap_or(false);
    if made {
        let e = Cases::read_csv(&fifo, &LoadOptions::default()).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
    }
    #[cfg(unix)]
    {
        let link = dir.path().join("zero.csv");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let e = Cases::read_csv(&link, &LoadOptions::default()).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
    }
}

#[test]
fn huge_headers_fail_with_short_messages() {
    let wide = (0..5000).map(|i| format!("c{i}")).collect::<Vec<_>>().join(",") + "\n";
    let e = Cases::read_csv_bytes(wide.as_bytes(), "wide.csv", &LoadOptions::default()).unwrap_err();
    assert!(matches!(e, Error::Read { .. }) && e.to_string().contains("max_columns"), "{e}");
    assert!(e.to_string().len() < 500);
    let long = format!("{},platform\n1,x\n", "h".repeat(5_000_000));
    let e = Cases::read_csv_bytes(long.as_bytes(), "long.csv", &LoadOptions::default()).unwrap_err();
    assert!(e.to_string().len() < 2_000, "{} bytes", e.to_string().len());
}

#[test]
fn the_bytes_read_are_hashed() {
    let c = Cases::sample().unwrap();
    // sha256sum of data/sample.csv, which is the embedded sample byte for byte.
    let want = std::process::Command::new("sha256sum")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample.csv"))
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.split_whitespace().next().map(str::to_string));
    if let Some(want) = want {
        assert_eq!(c.load_report().sha256.as_deref(), Some(want.as_str()));
    }
    assert_eq!(c.load_report().sha256.as_ref().map(String::len), Some(64));
}

#[test]
fn pseudonyms_keep_every_number_and_no_handle() {
    let c = sample_with_unknown_pending();
    let key = b"a key of sixteen+ bytes";
    let p = privacy::pseudonymise(&c, key, &[]).unwrap();
    let spec = ComplianceSpec::default();
    assert!(p.compliance(&["platform"], &spec).unwrap().equals_missing(&c.compliance(&["platform"], &spec).unwrap()));
    assert!(p
        .reach(&["group"], &ReachSpec::default())
        .unwrap()
        .equals_missing(&c.reach(&["group"], &ReachSpec::default()).unwrap()));
    let accounts = str_col(p.frame(), "account");
    assert!(accounts.iter().flatten().all(|a| a.starts_with("acct_") && a.len() == 29));
    assert!(str_col(p.frame(), "case_id").iter().flatten().all(|a| a.starts_with("case_")));
    // Same key, same pseudonym, in any spelling of the handle; another key, another pseudonym.
    let one = |handle: &str, key: &[u8]| {
        let csv = format!("{HEADER}1,X,{handle},TTP,1,2025-01-01,,pending,PTA\n");
        let c = q(&csv);
        str_col(privacy::pseudonymise(&c, key, &[]).unwrap().frame(), "account")[0].clone().unwrap()
    };
    assert_eq!(one("@Fake_A", key), one("https://x.com/fake_a/", key));
    assert_ne!(one("@fake_a", key), one("@fake_a", b"another key, 16+ bytes"));
    // No handle survives anywhere in the frame or the rejects.
    let text = format!("{}{}", p.frame(), p.rejects());
    assert!(!text.contains("@fake"), "a handle leaked");
    assert!(privacy::pseudonymise(&c, b"short", &[]).is_err());
}

#[test]
fn accounts_in_several_groups_agree_with_a_group_by() {
    // 60,000 requests about 9,000 accounts on 3 platforms; an account's group usually repeats.
    let mut x = 11u64;
    let mut next = |m: u64| {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (x >> 33) % m
    };
    let (mut platform, mut account, mut group) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..60_000 {
        let a = next(9_000);
        platform.push(["X", "Facebook", "TikTok"][(a % 3) as usize]);
        account.push(format!("@fake_{a}"));
        let g = if next(10) == 0 { next(3) } else { a % 3 };
        group.push(["TTP", "BLA", "BLF"][g as usize]);
    }
    let df = df!("platform" => platform, "account" => account, "group" => group, "status" => vec!["removed"; 60_000], "count" => vec![1i64; 60_000]).unwrap();
    let c = Cases::from_frame(df.clone(), &LoadOptions::default()).unwrap();
    let want = c
        .frame()
        .clone()
        .lazy()
        .filter(col("account_key").is_not_null().and(col("group").is_not_null()))
        .group_by([col("platform"), col("account_key")])
        .agg([col("group").n_unique().alias("groups")])
        .filter(col("groups").gt(lit(1u32)))
        .collect()
        .unwrap()
        .height() as u64;
    assert!(want > 0);
    assert_eq!(c.load_report().accounts_in_several_groups, Some(want));
    // The same rows in 9 arrays per column (as a Parquet file's row groups give them): the count
    // reads rows by number across arrays, and must not change.
    let mut chunked = df.slice(0, 7_000);
    for off in (7_000..60_000).step_by(7_000) {
        chunked.vstack_mut(&df.slice(off, 7_000)).unwrap();
    }
    assert_eq!(chunked.column("group").unwrap().as_materialized_series().n_chunks(), 9);
    let c = Cases::from_frame(chunked, &LoadOptions::default()).unwrap();
    assert_eq!(c.load_report().accounts_in_several_groups, Some(want));
}

#[test]
fn an_outcome_or_a_deadline_named_twice_is_refused_not_counted_twice() {
    // Named twice, `removed` would count each removed request twice: Facebook's rate would be 1.77.
    let c = Cases::sample().unwrap();
    let twice = ComplianceSpec { success: vec![Status::Removed, Status::Removed], ..Default::default() };
    let e = c.compliance(&["platform"], &twice).unwrap_err().to_string();
    assert!(e.contains("`removed` is named twice"), "{e}");
    let same = SurvivalSpec { deadlines_hours: vec![24.0, 24.0], ..Default::default() };
    let e = c.time_to_action(&[], &same).unwrap_err().to_string();
    assert!(e.contains("deadline 2 (24 hours) is given twice"), "{e}");
}

#[test]
fn one_account_written_as_urls_with_and_without_a_scheme_counts_once() {
    let csv = format!(
        "{HEADER}1,x,https://x.com/Fake_4?s=20,TTP,50,2025-01-01,,pending,PTA\n\
         2,x,x.com/fake_4,TTP,40,2025-01-02,,pending,PTA\n\
         3,x,www.x.com/fake_4/,TTP,45,2025-01-03,,pending,PTA\n\
         4,x,@FAKE_4,TTP,30,2025-01-04,,pending,PTA\n\
         5,x,fake.page,TTP,10,2025-01-05,,pending,PTA\n"
    );
    let c = Cases::read_csv_bytes(csv.as_bytes(), "urls.csv", &LoadOptions::default()).unwrap();
    let r = c.reach(&[], &ReachSpec::default()).unwrap();
    // Two accounts: fake_4 (largest report 50) and fake.page (10).
    assert_eq!(i64_col(&r, "accounts"), [Some(2)]);
    assert_eq!(i64_col(&r, "followers"), [Some(60)]);
}

#[test]
fn a_trend_over_a_range_says_what_it_left_out() {
    let c = Cases::sample().unwrap();
    let spec = TrendSpec { start: chrono::NaiveDate::from_ymd_opt(2025, 5, 1), ..Default::default() };
    let t = c.trend(&[], &spec).unwrap();
    let whole = c.trend(&[], &TrendSpec::default()).unwrap();
    // The requests before May, counted from the whole trend: what the range leaves out.
    let before: i64 = i64_col(&whole, "requests").iter().take(3).map(|v| v.unwrap()).sum();
    let def = str_col(&t, "definition")[0].clone().unwrap();
    assert!(
        def.contains(&format!("periods from 2025-05-01 to the last date only: {before} request(s) dated outside are left out, and the running totals count from the first period shown")),
        "{def}"
    );
    assert_eq!(i64_col(&t, "cum_requests")[0], i64_col(&t, "requests")[0]);
}

#[test]
fn rejects_name_the_case_id_and_pseudonymise_it() {
    let csv =
        format!("{HEADER}R-1,x,@fake_a,TTP,10,2025-01-01,,pending,PTA\nR-2,x,@fake_b,TTP,10,2025-01-02,,shrug,PTA\n");
    let c = Cases::read_csv_bytes(csv.as_bytes(), "ids.csv", &quarantine()).unwrap();
    assert_eq!(str_col(c.rejects(), "case_id"), [Some("R-2".to_string())]);
    let p = takedowns::privacy::pseudonymise(&c, b"a key of sixteen bytes", &[]).unwrap();
    let id = str_col(p.rejects(), "case_id")[0].clone().unwrap();
    assert!(id.starts_with("case_") && id != "R-2", "{id}");
    // The same pseudonym as the case id would get among the cases.
    let again = takedowns::privacy::pseudonymise(
        &Cases::read_csv_bytes(csv.replace("shrug", "pending").as_bytes(), "ids.csv", &quarantine()).unwrap(),
        b"a key of sixteen bytes",
        &[],
    )
    .unwrap();
    assert_eq!(str_col(again.frame(), "case_id")[1], Some(id));
}

#[test]
fn a_frames_empty_rows_are_skipped_and_counted_keeping_row_numbers() {
    let df = df![
        "case_id" => [Some("1"), None, Some("3")],
        "platform" => [Some("x"), None, Some("x")],
        "account" => [Some("@fake_a"), None, Some("@fake_c")],
        "group" => [Some("TTP"), None, Some("TTP")],
        "reported_at" => [Some("2025-01-01"), None, Some("2025-01-03")],
        "status" => [Some("pending"), None, Some("shrug")],
    ]
    .unwrap();
    let c = Cases::from_frame(df, &quarantine()).unwrap();
    let r = c.load_report();
    assert_eq!((r.rows_read, r.rows_accepted, r.rows_rejected, r.blank_rows), (2, 1, 1, 1));
    assert_eq!(i64_col(c.rejects(), "row"), [Some(3)], "the empty row keeps its number");
}
