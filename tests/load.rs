//! Loading: formats, mappings, and the nothing-lost invariant on every kind of broken input.

mod common;
use common::*;

use polars::prelude::*;
use takedowns::*;

const HEADER: &str = "case_id,platform,account,group,followers,reported_at,actioned_at,status,agency\n";
const GOOD: &str = "g1,Facebook,@ok,TTP,10,2025-01-01,2025-01-02,removed,PTA\n";

fn quarantine() -> LoadOptions {
    LoadOptions::default().with_on_invalid(OnInvalid::Quarantine)
}

/// Loads `body` (after the standard header) in quarantine mode and checks the invariant.
fn q(body: &str) -> Cases {
    quarantined(&format!("{HEADER}{body}"))
}

fn rules(c: &Cases) -> Vec<String> {
    str_col(c.rejects(), "rule").into_iter().flatten().collect()
}

#[test]
fn each_rule_is_caught_with_row_column_and_value() {
    let cases: [(&str, &str, &str, &str); 12] = [
        ("b1,Facebook,@x,TTP,10,2025-01-01,,sometimes,PTA\n", "unknown_status", "status", "sometimes"),
        ("b1,Facebook,@x,TTP,-5,2025-01-01,,pending,PTA\n", "negative_followers", "followers", "-5"),
        ("b1,Facebook,@x,TTP,lots,2025-01-01,,pending,PTA\n", "invalid_integer", "followers", "lots"),
        (
            "b1,Facebook,@x,TTP,10,2025-01-05,2025-01-02,removed,PTA\n",
            "actioned_before_reported",
            "actioned_at",
            "2025-01-02",
        ),
        (
            "b1,Facebook,@x,TTP,10,2025-01-01,2025-01-02,pending,PTA\n",
            "pending_with_actioned_at",
            "actioned_at",
            "2025-01-02",
        ),
        ("g1,Facebook,@x,TTP,10,2025-01-01,,pending,PTA\n", "duplicate_case_id", "case_id", "g1"),
        ("b1,Facebook,@x,TTP,10,2025-02-30,,pending,PTA\n", "impossible_date", "reported_at", "2025-02-30"),
        ("b1,Facebook,@x,TTP,10,14th March,,pending,PTA\n", "invalid_date", "reported_at", "14th March"),
        ("b1,Facebook,@x,TTP,10,03/04/2025,,pending,PTA\n", "ambiguous_date", "reported_at", "03/04/2025"),
        ("b1,,@x,TTP,10,2025-01-01,,pending,PTA\n", "required", "platform", ""),
        ("b1,Facebook,@x,TTP,10,2025-01-01\n", "malformed_row", "", "b1,Facebook,@x,TTP,10,2025-01-01"),
        (
            "b1,Facebook,@x,TTP,10,2025-01-01,,pending,PTA,extra\n",
            "malformed_row",
            "",
            "b1,Facebook,@x,TTP,10,2025-01-01,,pending,PTA,extra",
        ),
    ];
    for (row, rule, column, value) in cases {
        let c = q(&format!("{GOOD}{row}"));
        assert_eq!(c.len(), 1, "{rule}: the good row loads");
        let rej = c.rejects();
        assert_eq!(rules(&c), [rule], "{row}");
        assert_eq!(i64_col(rej, "row"), [Some(2)], "{rule}");
        assert_eq!(str_col(rej, "column"), [Some(column.to_string())], "{rule}");
        assert_eq!(str_col(rej, "value"), [Some(value.to_string())], "{rule}");
        assert_eq!(str_col(rej, "file"), [Some("t.csv".to_string())]);
        // Strict mode fails naming the same problem.
        let csv = format!("{HEADER}{GOOD}{row}");
        let err = Cases::read_csv_bytes(csv.as_bytes(), "t.csv", &LoadOptions::default()).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, Error::Validation { total: 1, .. }), "{msg}");
        assert!(msg.contains("t.csv: row 2") && msg.contains(rule) && msg.contains(&format!("{value:?}")), "{msg}");
    }
}

#[test]
fn strict_mode_lists_every_problem_up_to_the_cap() {
    let mut body = String::from(GOOD);
    for i in 0..80 {
        body.push_str(&format!("b{i},Facebook,@x,TTP,-1,2025-01-01,,nope,PTA\n"));
    }
    let csv = format!("{HEADER}{body}");
    match Cases::read_csv_bytes(csv.as_bytes(), "t.csv", &LoadOptions::default()) {
        Err(Error::Validation { problems, total }) => {
            assert_eq!(total, 160, "two problems on each of 80 rows");
            assert_eq!(problems.len(), 50);
            assert_eq!(problems[0].row, 2);
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
    let c = q(&body);
    assert_eq!(c.load_report().rows_rejected, 80);
    assert_eq!(c.load_report().problems_by_rule[&Rule::UnknownStatus], 80);
}

#[test]
fn invalid_utf8_and_huge_fields_reject_their_row_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = format!("{HEADER}{GOOD}").into_bytes();
    bytes.extend_from_slice(b"b1,Facebook,@\xff\xfe,TTP,10,2025-01-01,,pending,PTA\n");
    let huge = "x".repeat(2 << 20);
    bytes.extend_from_slice(format!("b2,Facebook,{huge},TTP,10,2025-01-01,,pending,PTA\n").as_bytes());
    bytes.extend_from_slice(b"b3,Facebook,\"unterminated,TTP,10,2025-01-01,,pending,PTA\n");
    let p = write_file(&dir, "broken.csv", &bytes);
    let c = Cases::read_csv(&p, &quarantine()).unwrap();
    let r = c.load_report();
    assert_eq!((r.rows_read, r.rows_accepted, r.rows_rejected), (4, 1, 3), "{r}");
    assert_eq!(rules(&c), ["invalid_utf8", "field_too_long", "malformed_row"]);
    let value = str_col(c.rejects(), "value")[1].clone().unwrap();
    assert!(value.chars().count() <= 201, "values are clipped in reports");
}

#[test]
fn empty_and_header_only_files() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write_file(&dir, "empty.csv", b"");
    let e = Cases::read_csv(&empty, &LoadOptions::default()).unwrap_err();
    assert!(
        matches!(e, Error::Read { .. }) && e.to_string().contains("empty.csv") && e.to_string().contains("no header"),
        "{e}"
    );
    let header = write_file(&dir, "header.csv", HEADER.as_bytes());
    let c = Cases::read_csv(&header, &LoadOptions::default()).unwrap();
    assert_eq!((c.len(), c.load_report().rows_read), (0, 0));
    assert!(matches!(Cases::read_csv(dir.path().join("absent.csv"), &LoadOptions::default()), Err(Error::Io { .. })));
    let garbage = write_file(&dir, "garbage.parquet", b"not parquet at all");
    let e = Cases::read_parquet(&garbage, &LoadOptions::default()).unwrap_err();
    assert!(matches!(e, Error::Read { .. }) && e.to_string().contains("garbage.parquet"), "{e}");
}

#[test]
fn missing_required_column_names_file_and_column() {
    let csv = "case_id,platform,account,group,reported_at\n1,x,@a,TTP,2025-01-01\n";
    let e = Cases::read_csv_bytes(csv.as_bytes(), "t.csv", &LoadOptions::default()).unwrap_err();
    assert!(matches!(e, Error::MissingColumn { ref name, .. } if name == "status"), "{e}");
    assert!(e.to_string().starts_with("t.csv: missing required column(s) `status`"), "{e}");
    // Every missing column at once, and the options that would help.
    let csv = "case_id,platform\n1,x\n";
    let e = Cases::read_csv_bytes(csv.as_bytes(), "t.csv", &LoadOptions::default()).unwrap_err();
    let Error::MissingColumn { missing, .. } = &e else { panic!("{e}") };
    assert_eq!(missing, &["account", "group", "reported_at", "status"]);
    assert!(e.to_string().contains("`columns`") && e.to_string().contains("`required`"), "{e}");
}

#[test]
fn aggregate_tables_load_without_required() {
    // A published table: platform x status x count, zero cells included, no case ids.
    let csv = "platform,status,count\nTwitter,withheld,12\nTwitter,declined,0\nFacebook,removed,7\n";
    let c = Cases::read_csv_bytes(csv.as_bytes(), "t.csv", &LoadOptions::default()).unwrap();
    assert!(c.load_report().aggregate);
    assert_eq!(c.len(), 3);
    assert_eq!(i64_col(c.frame(), "count"), [Some(12), Some(0), Some(7)]);
    let t = c.compliance(&["platform"], &takedowns::ComplianceSpec::default()).unwrap();
    assert_eq!(i64_col(&t, "requests"), [Some(7), Some(12)]);
    assert_eq!(i64_col(&t, "rejected"), [Some(0), Some(0)]);
    // The same table with a case_id column is a case log and needs the usual columns.
    let csv = "case_id,platform,status,count\n1,Twitter,withheld,12\n";
    assert!(matches!(
        Cases::read_csv_bytes(csv.as_bytes(), "t.csv", &LoadOptions::default()),
        Err(Error::MissingColumn { .. })
    ));
}

#[test]
fn column_and_label_mappings() {
    let csv = "Ref,Site,Handle,Organisation,Followers,Date Reported,Outcome\n\
               1,X (formerly Twitter),@a,Tehrik-i-Taliban Pakistan,5,14/03/2025,Geo-Blocked\n\
               2,IG,@b,Jamaat ul Ahrar,7,15/03/2025,actioned\n";
    let opts = LoadOptions::default()
        .with_column("Ref", "case_id")
        .with_column("Site", "platform")
        .with_column("Handle", "account")
        .with_column("Organisation", "group")
        .with_column("Date Reported", "reported_at")
        .with_column("Outcome", "status")
        .with_status_label("actioned", Status::Removed)
        .with_group_alias("Jamaat-ul-Ahrar", "JuA");
    let c = Cases::read_csv_bytes(csv.as_bytes(), "t.csv", &opts).unwrap();
    let df = c.frame();
    assert_eq!(str_col(df, "platform"), [Some("x".into()), Some("instagram".into())]);
    assert_eq!(str_col(df, "group"), [Some("TTP".into()), Some("JuA".into())]);
    assert_eq!(str_col(df, "status"), [Some("restricted".into()), Some("removed".into())]);
    // 14/03 makes the file day-first.
    let d = df.column("reported_at").unwrap().cast(&DataType::String).unwrap();
    assert_eq!(d.str().unwrap().get(1), Some("2025-03-15 00:00:00.000000"));
    // Headers matching a canonical name but for case are matched and reported.
    assert!(c.load_report().columns_matched.contains(&("Followers".into(), "followers".into())));
    assert!(c.load_report().columns_matched.contains(&("Date Reported".into(), "reported_at".into())));
    // A mapping that names a column the input lacks is an error, not a silent no-op.
    let bad = LoadOptions::default().with_column("Nope", "account");
    assert!(matches!(Cases::read_csv_bytes(csv.as_bytes(), "t.csv", &bad), Err(Error::InvalidArgument { .. })));
}

#[test]
fn group_aliases_from_csv_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = write_file(&dir, "groups.csv", b"alias,group\nJamaat ul Ahrar,JuA\nISKP,ISKP\n");
    let opts = LoadOptions::default().with_group_aliases_csv(&p).unwrap();
    let csv = "case_id,platform,account,group,reported_at,status\n1,x,@a,jamaat-ul-ahrar,2025-01-01,pending\n";
    let c = Cases::read_csv_bytes(csv.as_bytes(), "t.csv", &opts).unwrap();
    assert_eq!(str_col(c.frame(), "group"), [Some("JuA".into())]);
}

#[test]
fn dates_with_zones_and_explicit_order() {
    let csv = "case_id,platform,account,group,reported_at,actioned_at,status\n\
               1,x,@a,TTP,2025-03-14T10:00:00+05:00,2025-03-14T06:00:00Z,removed\n\
               2,x,@b,TTP,03/04/2025,,pending\n";
    let auto = Cases::read_csv_bytes(csv.as_bytes(), "t.csv", &quarantine()).unwrap();
    assert_eq!(rules(&auto), ["ambiguous_date"]);
    let mdy = LoadOptions::default().with_date_order(dates::DateOrder::MonthFirst);
    let c = Cases::read_csv_bytes(csv.as_bytes(), "t.csv", &mdy).unwrap();
    let d = c.frame().column("reported_at").unwrap().cast(&DataType::String).unwrap();
    assert_eq!(d.str().unwrap().get(0), Some("2025-03-14 05:00:00.000000"), "converted to UTC");
    assert_eq!(d.str().unwrap().get(1), Some("2025-03-04 00:00:00.000000"));
}

fn typed_frame() -> DataFrame {
    let rep: Int64Chunked = [Some(1_736_000_000_000_000i64), Some(1_736_100_000_000_000)].into_iter().collect();
    let rep =
        rep.into_datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)).into_column().with_name("reported_at".into());
    let act: Int32Chunked = [Some(20100), None].into_iter().collect();
    let act = act.into_date().into_column().with_name("actioned_at".into());
    DataFrame::new(
        2,
        vec![
            Column::new("case_id".into(), [1i64, 2]),
            Column::new("platform".into(), ["TikTok", "telegram"]),
            Column::new("account".into(), ["@a", "@b"]),
            Column::new("group".into(), ["BLA", "BLF"]),
            Column::new("followers".into(), [Some(10.0f64), None]),
            rep,
            act,
            Column::new("status".into(), ["removed", "pending"]),
            Column::new("region".into(), ["north", "south"]),
        ],
    )
    .unwrap()
}

#[test]
fn typed_formats_round_trip_parquet_ipc_ndjson_and_frames() {
    let dir = tempfile::tempdir().unwrap();
    let mut df = typed_frame();
    let pq = dir.path().join("c.parquet");
    ParquetWriter::new(std::fs::File::create(&pq).unwrap()).finish(&mut df).unwrap();
    let ipc = dir.path().join("c.arrow");
    IpcWriter::new(std::fs::File::create(&ipc).unwrap()).finish(&mut df).unwrap();
    let nd = write_file(&dir, "c.ndjson", b"{\"case_id\": 1, \"platform\": \"TikTok\", \"account\": \"@a\", \"group\": \"BLA\", \"followers\": 10, \"reported_at\": \"2025-01-04T14:13:20Z\", \"actioned_at\": \"2025-01-12\", \"status\": \"removed\", \"region\": \"north\"}\n\n{\"case_id\": 2, \"platform\": \"telegram\", \"account\": \"@b\", \"group\": \"BLF\", \"followers\": null, \"reported_at\": \"2025-01-05T18:00:00Z\", \"status\": \"pending\", \"region\": \"south\"}\nnot json\n");
    let opts = quarantine();
    let from_pq = Cases::read_path(&pq, &opts).unwrap();
    let from_ipc = Cases::read_path(&ipc, &opts).unwrap();
    let from_nd = Cases::read_path(&nd, &opts).unwrap();
    let from_df = Cases::from_frame(df.clone(), &opts).unwrap();
    let from_lazy = Cases::from_lazy(df.clone().lazy(), &opts).unwrap();
    assert_eq!(from_nd.load_report().rows_rejected, 1, "the broken NDJSON line");
    for c in [&from_pq, &from_ipc, &from_nd, &from_df, &from_lazy] {
        let f = c.frame();
        assert_eq!(str_col(f, "case_id"), [Some("1".into()), Some("2".into())]);
        assert_eq!(str_col(f, "platform"), [Some("tiktok".into()), Some("telegram".into())]);
        assert_eq!(i64_col(f, "followers"), [Some(10), None]);
        assert_eq!(str_col(f, "region"), [Some("north".into()), Some("south".into())], "extra column kept");
        let rep = i64_col(f, "reported_at");
        assert_eq!(rep, [Some(1_736_000_000_000_000), Some(1_736_100_000_000_000)]);
        assert_eq!(i64_col(f, "actioned_at")[0], Some(20100 * 86_400_000_000));
    }
    let by_region = from_pq.compliance(&["region"], &ComplianceSpec::default()).unwrap();
    assert_eq!(str_col(&by_region, "region"), [Some("north".into()), Some("south".into())]);
    assert!(matches!(Cases::read_path(dir.path().join("c.xlsx"), &opts), Err(Error::InvalidArgument { .. })));
}

#[test]
fn records_round_trip() {
    let cases = fixture();
    let records = cases.to_records().unwrap();
    assert_eq!(records.len(), 9);
    assert_eq!(records[8].count, 3);
    assert_eq!(records[5].account.as_deref(), Some("@A"));
    let opts = LoadOptions::default().with_required(&["case_id", "platform", "reported_at", "status"]);
    let again = Cases::from_records(&records, &opts).unwrap();
    assert_eq!(again.to_records().unwrap(), records);
    assert_eq!(again.load_report().source, "<records>");
    // serde: records serialize to JSON and back.
    let json = serde_json::to_string(&records[0]).unwrap();
    let back: CaseRecord = serde_json::from_str(&json).unwrap();
    assert_eq!(back, records[0]);
}

#[test]
fn count_and_unknown_optional_columns() {
    // A zero count is a fact of a published table; an empty one is a problem, never read as 1.
    let csv = "platform,status,count\nTwitter,blocked,5\nTwitter,still accessible,0\nTwitter,declined,\nTwitter,declined,-2\n";
    let opts = quarantine().with_required(&["platform", "status"]);
    let c = Cases::read_csv_bytes(csv.as_bytes(), "t.csv", &opts).unwrap();
    assert_eq!(rules(&c), ["required", "invalid_count"]);
    assert_eq!(i64_col(c.frame(), "count"), [Some(5), Some(0)]);
    assert_eq!(str_col(c.frame(), "case_id"), [Some("1".into()), Some("2".into())], "generated from row numbers");
    assert!(c.load_report().columns_filled.contains(&"account".to_string()));
}

/// A table as platforms and ministries publish it: one row per platform, one column per outcome.
const WIDE: &str = "Platform,Blocked,Not blocked,Pending\n\
                    Facebook,\"1,204\",12,30\n\
                    X,88,150,0\n\
                    TikTok,,4,n/a\n";

fn wide_opts() -> LoadOptions {
    LoadOptions::default()
        .with_outcome_column("Blocked", Status::Removed)
        .with_outcome_column("Not blocked", Status::Rejected)
        .with_outcome_column("Pending", Status::Pending)
        .with_on_invalid(OnInvalid::Quarantine)
}

#[test]
fn a_wide_published_table_loads_with_one_option() {
    let mut opts = wide_opts();
    opts.thousands = Some(',');
    opts.null_values = vec!["n/a".into()];
    let c = Cases::read_csv_bytes(WIDE.as_bytes(), "published.csv", &opts).unwrap();
    let r = c.load_report();
    // 3 rows x 3 outcome columns = 9 cells; TikTok's two empty cells are rejected, each naming
    // the sheet's row and its outcome column, never read as 0.
    assert_eq!((r.rows_read, r.rows_accepted, r.rows_rejected), (9, 7, 2));
    let w = r.wide.as_ref().unwrap();
    assert_eq!(w.rows, 3);
    assert_eq!(w.outcome_columns[1], ("Not blocked".to_string(), Status::Rejected));
    let rej = c.rejects();
    let got: Vec<(Option<i64>, Option<String>, Option<String>)> = (0..rej.height())
        .map(|i| {
            (
                rej.column("row").unwrap().cast(&DataType::Int64).unwrap().i64().unwrap().get(i),
                str_col(rej, "column")[i].clone(),
                str_col(rej, "rule")[i].clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (Some(3), Some("Blocked".into()), Some("required".into())),
            (Some(3), Some("Pending".into()), Some("required".into()))
        ]
    );
    let message = str_col(rej, "message")[0].clone().unwrap();
    assert!(message.starts_with("the cell is empty: a published table's empty cell is not read as 0"), "{message}");
    // Compliance by platform from the cells, by hand: Facebook 1,204 of 1,204 + 12 + 30 = 1,246.
    let t = c.compliance(&["platform"], &ComplianceSpec::default()).unwrap();
    let fb = t.filter(&t.column("platform").unwrap().str().unwrap().equal("facebook")).unwrap();
    assert_eq!(fb.column("requests").unwrap().i64().unwrap().get(0), Some(1246));
    assert_eq!(fb.column("successes").unwrap().i64().unwrap().get(0), Some(1204));
    let x = t.filter(&t.column("platform").unwrap().str().unwrap().equal("x")).unwrap();
    assert_eq!(x.column("rate").unwrap().f64().unwrap().get(0), Some(88.0 / 238.0));
}

#[test]
fn a_wide_table_names_what_is_wrong_with_its_outcome_columns() {
    let opts = LoadOptions::default().with_outcome_column("Blockd", Status::Removed);
    let e = Cases::read_csv_bytes(WIDE.as_bytes(), "published.csv", &opts).unwrap_err().to_string();
    assert!(e.contains("outcome_columns names column(s) the input lacks: `Blockd` (the input has `Blocked`)"), "{e}");
    let with_status = "Platform,Status,Blocked\nX,ok,3\n";
    let opts = LoadOptions::default().with_outcome_column("Blocked", Status::Removed);
    let e = Cases::read_csv_bytes(with_status.as_bytes(), "p.csv", &opts).unwrap_err().to_string();
    assert!(e.contains("the input has a column `Status` too"), "{e}");
    // A negative or non-numeric cell is rejected in its column, with its value.
    let bad = "Platform,Blocked,Pending\nX,-3,lots\n";
    let opts = LoadOptions::default()
        .with_outcome_column("Blocked", Status::Removed)
        .with_outcome_column("Pending", Status::Pending);
    let e = Cases::read_csv_bytes(bad.as_bytes(), "p.csv", &opts).unwrap_err().to_string();
    assert!(
        e.contains(
            "p.csv: row 1, column `Blocked`, value \"-3\": count must be a whole number of at least 0 (invalid_count)"
        ),
        "{e}"
    );
    assert!(e.contains("p.csv: row 1, column `Pending`, value \"lots\": not a whole number (invalid_integer)"), "{e}");
}

#[test]
fn the_frame_holds_labels_as_categories_and_tables_give_text() {
    // Mixed spellings of one label, a missing agency and a quarantined row: the categories hold
    // the canonical values, and a table's labels are text equal to the canonical ones.
    let c = q("a,Twitter,@Fake_A,TTP,1,2025-01-01,,pending,\n\
               b,X,@fake_b,Tehrik-i-Taliban Pakistan,2,2025-01-02,2025-01-03,taken down,PTA\n\
               c,tiktok,@fake_c,BLA,3,2025-01-02,,nonsense,PTA\n");
    let df = c.frame();
    for name in schema::LABEL_COLUMNS {
        assert_eq!(df.column(name).unwrap().dtype(), &schema::label_dtype(), "{name}");
    }
    let text = |name: &str| -> Vec<Option<String>> {
        let s = df.column(name).unwrap().cast(&DataType::String).unwrap();
        s.str().unwrap().iter().map(|v| v.map(str::to_string)).collect()
    };
    assert_eq!(text("platform"), [Some("x".to_string()), Some("x".to_string())]);
    assert_eq!(text("group"), [Some("TTP".to_string()), Some("TTP".to_string())]);
    assert_eq!(text("status"), [Some("pending".to_string()), Some("removed".to_string())]);
    assert_eq!(text("agency"), [None, Some("PTA".to_string())]);
    assert_eq!(text("account_key"), [Some("fake_a".to_string()), Some("fake_b".to_string())]);
    let t = c.compliance(&["platform", "status"], &ComplianceSpec::default()).unwrap();
    assert_eq!(t.column("platform").unwrap().dtype(), &DataType::String);
    assert_eq!(t.column("status").unwrap().dtype(), &DataType::String);
    assert_eq!(t.height(), 2);
}

/// A file of one row: its problems show the values as written, not quoted (a one-value column
/// gives its value owned, which was shown through polars' debug form).
#[test]
fn a_one_row_file_shows_its_bad_values_as_written() {
    let text = b"case_id,platform,account,group,followers,reported_at,actioned_at,status\n\
                 S1,x,@fake_a,TTP,-5,2025-01-02,2025-01-01,removed\n";
    let opts = LoadOptions::default().with_on_invalid(OnInvalid::Quarantine);
    let v = load::read_csv_bytes(text, "one.csv", &opts).unwrap();
    let values: Vec<(&str, &str)> = v.problems.iter().map(|p| (p.column.as_str(), p.value.as_str())).collect();
    assert_eq!(values, [("followers", "-5"), ("actioned_at", "2025-01-01")]);
}

/// An empty line is a blank row, as a line of spaces or of commas is: counted in `blank_rows`,
/// and its number kept, so that a rejected row's number is its line less the header, with LF or
/// CRLF line ends and a quoted field holding a line break (one sheet row).
#[test]
fn empty_lines_keep_the_row_numbers() {
    let h = "case_id,platform,account,group,followers,reported_at,actioned_at,status,agency";
    let ok = "A1,x,@fake_a,TTP,5,2025-01-01,,pending,PTA";
    let bad = |id: &str| format!("{id},x,@fake_b,TTP,5,2025-01-01,,bogus,PTA");
    let cases: [(String, Vec<u64>, u64); 4] = [
        (format!("{h}\n{ok}\n\n{}\n   \n{}\n,,,,,,,,\n{}\n", bad("A2"), bad("A3"), bad("A4")), vec![3, 5, 7], 3),
        (format!("{h}\n{ok}\n\n{}\n\n\n{}\n", bad("A2"), bad("A3")), vec![3, 6], 3),
        (
            format!("{h}\r\n{ok}\r\n\r\nA2,x,\"@fake\nb\",TTP,5,2025-01-01,,bogus,PTA\r\n\r\n{}\r\n", bad("A3")),
            vec![3, 5],
            2,
        ),
        (format!("{h}\n\n{}\n{ok}\n{}\n", bad("A0"), bad("A2")), vec![2, 4], 1),
    ];
    let opts = LoadOptions::default().with_on_invalid(OnInvalid::Quarantine);
    for (text, rows, blank) in cases {
        let v = load::read_csv_bytes(text.as_bytes(), "t.csv", &opts).unwrap();
        let got: Vec<u64> = v.problems.iter().map(|p| p.row).collect();
        assert_eq!(got, rows, "{text:?}");
        assert_eq!(v.report.blank_rows, blank, "{text:?}");
    }
}

/// A repeated id whose first use was rejected for another rule: every row with that id is left
/// out, and the duplicate's message says why, naming the first use's rule.
#[test]
fn a_duplicate_of_a_rejected_row_says_so() {
    let text = format!(
        "{HEADER}A1,Facebook,@fake_a,TTP,10,2025-01-01,2025-01-02,maybe,PTA\n{GOOD}\
         A1,Facebook,@fake_b,TTP,10,2025-01-01,2025-01-02,removed,PTA\n\
         g1,Facebook,@fake_c,TTP,10,2025-01-01,2025-01-02,removed,PTA\n"
    );
    let v = load::read_csv_bytes(text.as_bytes(), "t.csv", &quarantine()).unwrap();
    let got: Vec<(u64, &str)> = v.problems.iter().map(|p| (p.row, p.message.as_str())).collect();
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(
        got[1],
        (3, "case_id already used on row 1, which was itself rejected (unknown_status): no row with this case_id is kept")
    );
    // The first use of g1 was accepted: its duplicate says only where.
    assert_eq!(got[2], (4, "case_id already used on row 2"));
}

#[test]
fn case_ids_repeat_with_spaces_trimmed_and_case_counted() {
    let row = |id: &str, account: &str| format!("{id},x,{account},TTP,10,2025-01-02,,pending,PTA\n");
    let c = q(&[row("C1", "@fake_1"), row(" C1 ", "@fake_2"), row("c1", "@fake_3")].concat());
    assert_eq!(rules(&c), ["duplicate_case_id"]);
    let rejects = c.rejects();
    assert_eq!(rejects.column("row").unwrap().u64().unwrap().get(0), Some(2));
    assert_eq!(c.frame().height(), 2);
}
