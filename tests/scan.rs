//! Scans agree with loading the same data into memory (quarantine mode), over a file, a
//! directory of files and hive partitions, with reach in one pass or several.

use polars::prelude::*;
use takedowns::*;

/// Synthetic cases with some rows broken in known ways.
fn frame_with_problems(n: usize) -> DataFrame {
    let df = synth::synthetic_frame(n, 11).unwrap();
    let status: StringChunked = df
        .column("status")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, s)| if i % 501 == 7 { Some("maybe") } else { s })
        .collect();
    let followers: Int64Chunked = df
        .column("followers")
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, f)| if i % 733 == 3 { Some(-5) } else { f })
        .collect();
    let mut df = df;
    df.with_column(status.with_name("status".into()).into_column()).unwrap();
    df.with_column(followers.with_name("followers".into()).into_column()).unwrap();
    df
}

fn write(df: &DataFrame, path: &std::path::Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    ParquetWriter::new(std::fs::File::create(path).unwrap()).finish(&mut df.clone()).unwrap();
}

fn without_definition(df: DataFrame) -> DataFrame {
    df.drop("definition").unwrap()
}

fn quarantine() -> LoadOptions {
    LoadOptions::default().with_on_invalid(OnInvalid::Quarantine)
}

#[test]
fn scan_of_a_file_matches_a_load() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.parquet");
    write(&frame_with_problems(20_000), &path);
    let cases = Cases::read_parquet(&path, &quarantine()).unwrap();
    assert!(cases.load_report().rows_rejected > 0);
    let scan = scan::scan_parquet(&path, &LoadOptions::default()).unwrap();
    assert_eq!(scan.rows(), 20_000);

    let cs = ComplianceSpec::default();
    let want = cases.compliance(&["platform"], &cs).unwrap();
    let got = scan.compliance(&["platform"], &cs).unwrap();
    assert!(without_definition(got.clone()).equals_missing(&without_definition(want.clone())));
    // Labels as text, as in memory (`equals_missing` compares values, not dtypes).
    assert_eq!(got.column("platform").unwrap().dtype(), &DataType::String);
    let def = got.column("definition").unwrap().str().unwrap().get(0).unwrap().to_string();
    let rejected = cases.load_report().rows_rejected;
    // As a load's note: the rejects by rule.
    let rules: Vec<String> = cases.load_report().problems_by_rule.iter().map(|(r, n)| format!("{r} {n}")).collect();
    assert!(
        def.contains(&format!(
            "20000 rows read, {rejected} rejected by validation (duplicate case_id not checked in a scan); problems: {}",
            rules.join(", ")
        )),
        "{def}"
    );

    let report = scan.last_report().unwrap();
    assert_eq!(report.rows_read, 20_000);
    assert_eq!(report.rows_read, report.rows_accepted + report.rows_rejected);
    assert_eq!(report.rows_rejected, rejected);
    assert_eq!(report.problems_by_rule, cases.load_report().problems_by_rule);
    let rejects = scan.last_rejects().unwrap();
    assert_eq!(rejects.height(), 50, "the first max_problems problems");
    let first = cases.rejects().head(Some(1));
    assert_eq!(
        rejects.column("row").unwrap().u64().unwrap().get(0),
        first.column("row").unwrap().u64().unwrap().get(0)
    );
    assert_eq!(rejects.column("file").unwrap().str().unwrap().get(0), Some(path.to_str().unwrap()));

    let ts = TrendSpec::default();
    let want = cases.trend(&["platform"], &ts).unwrap();
    let got = scan.trend(&["platform"], &ts).unwrap();
    assert_eq!(got.column("platform").unwrap().dtype(), &DataType::String);
    assert!(without_definition(got).equals_missing(&without_definition(want)));

    let rs = ReachSpec::default();
    let want = without_definition(cases.reach(&["group"], &rs).unwrap());
    let one = without_definition(scan.reach(&["group"], &rs).unwrap());
    assert!(one.equals_missing(&want), "{one}\n{want}");
    assert_eq!(one.column("group").unwrap().dtype(), &DataType::String);
    // In passes over a partition of the accounts: the same numbers, median and top 10 included.
    let scan = scan.with_partitions(3);
    let three = without_definition(scan.reach(&["group"], &rs).unwrap());
    assert!(three.equals_missing(&want), "{three}\n{want}");
    let all = without_definition(scan.reach(&[], &rs).unwrap());
    assert!(all.equals_missing(&without_definition(cases.reach(&[], &rs).unwrap())));
    assert_eq!(scan.last_report().unwrap().rows_read, 20_000, "each pass reads every row; the report counts one");
}

#[test]
fn scan_of_hive_partitions_reads_them_as_columns() {
    let dir = tempfile::tempdir().unwrap();
    let df = synth::synthetic_frame(6_000, 5).unwrap();
    let mut parts = Vec::new();
    for (k, agency) in ["NCCIA", "PTA"].iter().enumerate() {
        let part = df.clone().lazy().filter(col("agency").eq(lit(*agency))).collect().unwrap();
        write(&part.drop("agency").unwrap(), &dir.path().join(format!("agency={agency}/part-{k}.parquet")));
        parts.push(part);
    }
    let scan = scan::scan_parquet(dir.path(), &LoadOptions::default()).unwrap();
    assert_eq!(scan.rows(), 6_000);
    let got = scan.compliance(&["agency"], &ComplianceSpec::default()).unwrap();
    let cases = Cases::from_frame(df, &LoadOptions::default()).unwrap();
    let want = cases.compliance(&["agency"], &ComplianceSpec::default()).unwrap();
    let requests = |d: &DataFrame| d.column("requests").unwrap().i64().unwrap().iter().collect::<Vec<_>>();
    assert_eq!(requests(&got), requests(&want));
    assert_eq!(got.column("agency").unwrap().cast(&DataType::String).unwrap().str().unwrap().get(0), Some("NCCIA"));
}

#[test]
fn scan_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let missing = scan::scan_parquet(dir.path().join("nope.parquet"), &LoadOptions::default());
    assert!(matches!(missing, Err(Error::Io { .. })), "{:?}", missing.err());
    let path = dir.path().join("no_status.parquet");
    write(&synth::synthetic_frame(100, 1).unwrap().drop("status").unwrap(), &path);
    let e = scan::scan_parquet(&path, &LoadOptions::default()).err().unwrap();
    assert!(matches!(e, Error::MissingColumn { ref name, .. } if name == "status"), "{e}");
    let path = dir.path().join("ok.parquet");
    write(&synth::synthetic_frame(100, 1).unwrap(), &path);
    let scan = scan::scan_parquet(&path, &LoadOptions::default()).unwrap();
    let e = scan.compliance(&[], &ComplianceSpec { unit: Unit::Account, ..Default::default() }).err().unwrap();
    assert!(e.to_string().contains("scan cannot check"), "{e}");
    assert_eq!(scan.check().unwrap().rows_accepted, 100);
}

#[test]
fn passes_and_tie_breaks_do_not_inflate_the_report() {
    // Same-date requests with different outcomes force the exact tie-break, which reads the rows
    // again; reach in 2 passes reads them twice more. The report still counts each row once.
    let csv = "case_id,platform,account,group,followers,reported_at,actioned_at,status\n\
               1,x,@t,TTP,10,2025-01-01,2025-01-09,removed\n\
               2,x,@t,TTP,20,2025-01-01,2025-01-02,rejected\n\
               3,x,@u,TTP,5,2025-01-03,,pending\n\
               4,x,@v,TTP,-1,2025-01-03,,pending\n";
    let opts = LoadOptions::default().with_on_invalid(OnInvalid::Quarantine);
    let cases = Cases::read_csv_bytes(csv.as_bytes(), "t.csv", &opts).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.parquet");
    let raw =
        CsvReadOptions::default().into_reader_with_file_handle(std::io::Cursor::new(csv.as_bytes())).finish().unwrap();
    write(&raw, &path);
    let scan = scan::scan_parquet(&path, &LoadOptions::default()).unwrap().with_partitions(2);
    let got = without_definition(scan.reach(&[], &ReachSpec::default()).unwrap());
    assert!(got.equals_missing(&without_definition(cases.reach(&[], &ReachSpec::default()).unwrap())), "{got}");
    assert_eq!(got.column("followers_actioned").unwrap().i64().unwrap().get(0), Some(20));
    let r = scan.last_report().unwrap();
    assert_eq!((r.rows_read, r.rows_accepted, r.rows_rejected), (4, 3, 1));
    assert_eq!(scan.last_rejects().unwrap().height(), 1);
}

/// Every kind of table a one-pass `tables` gives.
fn every_table() -> Vec<Table> {
    let jeffreys = ComplianceSpec { method: stats::interval::IntervalMethod::Jeffreys, ..Default::default() };
    let latest = ReachSpec { followers: FollowersRule::Latest, ..Default::default() };
    let quarter = TrendSpec { every: Every::Quarter, ..Default::default() };
    vec![
        Table::compliance(&["platform"]),
        Table::Compliance { by: vec!["group".into(), "platform".into()], spec: jeffreys.clone() },
        Table::reach(&["group"]),
        Table::Reach { by: vec!["platform".into()], spec: latest },
        Table::reach(&[]),
        Table::trend(&["platform"]),
        Table::Trend { by: vec![], spec: quarter },
        Table::crosstab("group", "platform", CrossValue::Cases),
        Table::Crosstab {
            rows: "group".into(),
            columns: "platform".into(),
            value: CrossValue::Rate,
            spec: jeffreys,
            reach: ReachSpec::default(),
        },
        Table::crosstab("group", "platform", CrossValue::Accounts),
        Table::Crosstab {
            rows: "platform".into(),
            columns: "group".into(),
            value: CrossValue::Followers,
            spec: ComplianceSpec::default(),
            reach: latest,
        },
    ]
}

#[test]
fn one_pass_of_tables_equals_each_call() {
    // Three files, with rejected rows, and an account whose two requests of the same dates sit in
    // different files (the later row's outcome and followers must win, as in memory).
    let dir = tempfile::tempdir().unwrap();
    let base = frame_with_problems(30_000);
    let at = |i: u32| col("__i").eq(lit(i));
    let tied = at(9_999).or(at(10_000));
    let set = |name: &str, v: Expr| when(tied.clone()).then(v).otherwise(col(name)).alias(name);
    let mut all = base
        .lazy()
        .with_row_index("__i", None)
        .with_columns([
            set("platform", lit("x")),
            set("account", lit("@fake_tie")),
            set("group", lit("TTP")),
            set("reported_at", col("reported_at").first()),
            set("actioned_at", col("reported_at").first()),
            when(at(9_999))
                .then(lit("rejected"))
                .when(at(10_000))
                .then(lit("removed"))
                .otherwise(col("status"))
                .alias("status"),
            when(at(9_999))
                .then(lit(50i64))
                .when(at(10_000))
                .then(lit(7i64))
                .otherwise(col("followers"))
                .alias("followers"),
        ])
        .drop(cols(["__i"]))
        .collect()
        .unwrap();
    let parts = [all.slice(0, 10_000), all.slice(10_000, 10_000), all.slice(20_000, 10_000)];
    for (i, p) in parts.iter().enumerate() {
        write(p, &dir.path().join(format!("part-{i}.parquet")));
    }
    all.rechunk_mut();
    let scan = scan::scan_parquet(dir.path(), &LoadOptions::default()).unwrap();
    let cases = Cases::from_frame(all, &quarantine()).unwrap();
    let tables = every_table();
    let got = scan.tables(&tables).unwrap();
    assert_eq!(got.len(), tables.len());
    let report = scan.last_report().unwrap();
    assert_eq!(report.rows_read, 30_000, "one pass: each row counted once");
    // A pass does not count the accounts under several groups (reach by group's note does).
    assert_eq!(report.accounts_in_several_groups, None);
    // The rejects listed are the first in input order, as a load lists them, whatever order the
    // batches of the three files came in.
    let rows = |df: &DataFrame| -> Vec<u64> {
        let mut r: Vec<u64> = df.column("row").unwrap().u64().unwrap().into_no_null_iter().collect();
        r.sort_unstable();
        r
    };
    let listed = rows(&scan.last_rejects().unwrap());
    let all = rows(cases.rejects());
    assert!(all.len() > listed.len() && !listed.is_empty(), "{} of {}", listed.len(), all.len());
    assert_eq!(listed, all[..listed.len()]);
    assert_eq!(report.rows_rejected, cases.load_report().rows_rejected);
    assert!(report.rows_rejected > 0);
    let want_mem = cases.tables(&tables).unwrap();
    for ((t, g), m) in tables.iter().zip(&got).zip(&want_mem) {
        // The same numbers as in memory...
        assert!(without_definition(g.clone()).equals_missing(&without_definition(m.clone())), "{t:?}\n{g}\n{m}");
        // ...and, where the scan has the call, the same table as it, definition included.
        let own = match t {
            Table::Compliance { by, spec } => {
                Some(scan.compliance(&by.iter().map(String::as_str).collect::<Vec<_>>(), spec))
            }
            Table::Reach { by, spec } => Some(scan.reach(&by.iter().map(String::as_str).collect::<Vec<_>>(), spec)),
            Table::Trend { by, spec } => Some(scan.trend(&by.iter().map(String::as_str).collect::<Vec<_>>(), spec)),
            Table::Crosstab { rows, columns, value, spec, reach } => {
                Some(scan.crosstab(rows, columns, *value, spec, reach))
            }
        };
        match own {
            Some(own) => {
                let own = own.unwrap();
                assert!(
                    g.equals_missing(&own),
                    "{t:?}\n{g}\n{own}\n{:?}\n{:?}",
                    g.column("definition").unwrap().str().unwrap().get(0),
                    own.column("definition").unwrap().str().unwrap().get(0)
                )
            }
            None => {
                // The definition is the in-memory one with the scan's note in place of the load's.
                let gd = g.column("definition").unwrap().str().unwrap().get(0).unwrap().to_string();
                let md = m.column("definition").unwrap().str().unwrap().get(0).unwrap().to_string();
                let head = md.split("; loaded").next().unwrap();
                assert!(gd.starts_with(head) && gd.contains("30000 rows read"), "{gd}\n{md}");
            }
        }
    }
}

#[test]
fn each_problem_names_its_file_and_a_count_column_is_held() {
    // One file is named by its path (polars' column of file paths is not read); two files by the
    // file of each problem's row.
    let dir = tempfile::tempdir().unwrap();
    let mut df = frame_with_problems(4_000);
    let counts: Int64Chunked = (0..df.height()).map(|i| Some((i % 4) as i64 + 1)).collect();
    df.with_column(counts.with_name("count".into()).into_column()).unwrap();
    let (a, b) = (dir.path().join("a.parquet"), dir.path().join("b.parquet"));
    write(&df.slice(0, 2_000), &a);
    write(&df.slice(2_000, 2_000), &b);
    let files_of = |scan: &scan::Scan| -> Vec<(String, u64)> {
        let r = scan.last_rejects().unwrap();
        let (f, row) = (r.column("file").unwrap().str().unwrap(), r.column("row").unwrap().u64().unwrap());
        f.iter().zip(row.iter()).map(|(f, r)| (f.unwrap().to_string(), r.unwrap())).collect()
    };
    let one = scan::scan_parquet(&b, &LoadOptions::default()).unwrap();
    one.check().unwrap();
    let got = files_of(&one);
    assert!(!got.is_empty() && got.iter().all(|(f, _)| f == b.to_str().unwrap()), "{got:?}");
    let both = scan::scan_parquet(dir.path(), &LoadOptions::default()).unwrap();
    both.check().unwrap();
    let got = files_of(&both);
    // Rows count across the files in path order: rows 1-2000 are a's, 2001-4000 b's.
    let want = |row: u64| if row <= 2_000 { a.to_str().unwrap() } else { b.to_str().unwrap() };
    assert!(got.iter().any(|(_, r)| *r > 2_000) && got.iter().any(|(_, r)| *r <= 2_000), "{got:?}");
    assert!(got.iter().all(|(f, r)| f == want(*r)), "{got:?}");

    // Reach holds the rows' counts when the input has them (a constant 1 only when it has none).
    let cases = Cases::from_frame(df.clone(), &quarantine()).unwrap();
    let rs = ReachSpec::default();
    let want = without_definition(cases.reach(&["group"], &rs).unwrap());
    let got = without_definition(both.reach(&["group"], &rs).unwrap());
    assert!(got.equals_missing(&want), "{got}\n{want}");
    let without = without_definition(
        Cases::from_frame(df.drop("count").unwrap(), &quarantine()).unwrap().reach(&["group"], &rs).unwrap(),
    );
    assert!(!want.column("cases").unwrap().equals(without.column("cases").unwrap()), "counts change the cases");
}

/// Text dates whose day/month order shows only in some files: every batch reads them in the
/// order of the whole data, as a load does (not each in its own batch's order).
#[test]
fn text_dates_are_read_in_the_order_of_the_whole_data() {
    let base = synth::synthetic_frame(3_000, 9).unwrap();
    // Day first: only the last file has days over 12; mixed: the first file also has
    // month-first dates (13th and later as the second field), so no order holds and ambiguous
    // dates are rejected everywhere.
    for mixed in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let text = |i: usize| -> String {
            let (a, b) = (1 + i % 12, 1 + (i / 12) % 12);
            match (i / 1_000, mixed) {
                (2, _) => format!("{:02}/{:02}/2025", 13 + i % 15, b),
                (0, true) if i % 3 == 0 => format!("{:02}/{:02}/2025", b, 13 + i % 15),
                _ => format!("{a:02}/{b:02}/2025"),
            }
        };
        let dates: Vec<String> = (0..base.height()).map(text).collect();
        let mut all = base.clone();
        all.with_column(Column::new("reported_at".into(), dates)).unwrap();
        all.drop_in_place("actioned_at").unwrap();
        for i in 0..3 {
            write(&all.slice(i as i64 * 1_000, 1_000), &dir.path().join(format!("part-{i}.parquet")));
        }
        let scan = scan::scan_parquet(dir.path(), &LoadOptions::default()).unwrap();
        let cases = Cases::from_frame(all.clone(), &quarantine()).unwrap();
        let trend = Table::trend(&["platform"]);
        let got = scan.tables(std::slice::from_ref(&trend)).unwrap().remove(0);
        let want = cases.tables(&[trend]).unwrap().remove(0);
        assert!(without_definition(got.clone()).equals_missing(&without_definition(want.clone())), "{got}\n{want}");
        let (r, l) = (scan.last_report().unwrap(), cases.load_report());
        assert_eq!((r.rows_read, r.rows_rejected), (l.rows_read, l.rows_rejected), "mixed {mixed}");
        assert_eq!(r.rows_rejected > 0, mixed, "{:?}", r.problems_by_rule);
    }
}

/// Reach in several passes over a few accounts, with and without a `count` column: a pass's
/// batch of one row (every column of it a constant to polars) is held like the others.
#[test]
fn reach_in_passes_over_few_accounts_with_a_count_column() {
    let base = synth::synthetic_frame(3, 2).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let latest = ReachSpec { followers: FollowersRule::Latest, ..Default::default() };
    for (name, counts) in [("none", None), ("ones", Some([1i64, 1, 1])), ("mixed", Some([2, 1, 1]))] {
        let mut df = base.clone();
        match counts {
            Some(c) => df.with_column(Column::new("count".into(), c)).map(|_| ()).unwrap(),
            None => {
                let _ = df.drop_in_place("count");
            }
        }
        let path = dir.path().join(format!("{name}.parquet"));
        write(&df, &path);
        let cases = Cases::from_frame(df, &quarantine()).unwrap();
        let scan = scan::scan_parquet(&path, &LoadOptions::default()).unwrap();
        for spec in [ReachSpec::default(), latest] {
            let want = without_definition(cases.reach(&["group"], &spec).unwrap());
            for passes in 1..=8 {
                let got = without_definition(scan.reach_in_passes(&["group"], &spec, passes).unwrap());
                assert!(got.equals_missing(&want), "{name}, {spec:?}, {passes} passes\n{got}\n{want}");
            }
            // Each pass reads the data again: a number of passes past any use is refused.
            let err = scan.reach_in_passes(&["group"], &spec, 1_000_000_000).unwrap_err();
            assert!(matches!(err, Error::InvalidArgument { .. }) && err.to_string().contains("at most 1024"), "{err}");
        }
    }
}

/// A platform all of whose rows are rejected is gone from every table: a scan's note says so, as
/// a load's does.
#[test]
fn a_label_whose_every_row_is_rejected_is_named_in_the_note() {
    let df = synth::synthetic_frame(2_000, 4).unwrap();
    let df = df
        .lazy()
        .with_column(
            when(col("platform").eq(lit("telegram"))).then(lit("maybe")).otherwise(col("status")).alias("status"),
        )
        .collect()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.parquet");
    write(&df, &path);
    let scan = scan::scan_parquet(&path, &LoadOptions::default()).unwrap();
    let got = scan.compliance(&["platform"], &ComplianceSpec::default()).unwrap();
    let def = got.column("definition").unwrap().str().unwrap().get(0).unwrap().to_string();
    let cases = Cases::from_frame(df, &quarantine()).unwrap();
    let want = cases.compliance(&["platform"], &ComplianceSpec::default()).unwrap();
    let load = want.column("definition").unwrap().str().unwrap().get(0).unwrap().to_string();
    let lost = load.split("; no row of ").nth(1).expect("the load's note names the platform lost");
    assert!(lost.starts_with("platform \"telegram\""), "{load}");
    assert!(def.ends_with(&format!("; no row of {lost}")), "{def}\n{load}");
}

/// Each listed problem's row, column and rule, in the order listed.
fn reject_keys(df: &DataFrame) -> Vec<(u64, String, String)> {
    let (r, c, rule) = (df.column("row").unwrap(), df.column("column").unwrap(), df.column("rule").unwrap());
    (0..df.height())
        .map(|i| {
            let s = |c: &Column| c.get(i).unwrap().str_value().to_string();
            (r.u64().unwrap().get(i).unwrap(), s(c), s(rule))
        })
        .collect()
}

/// `df` as CSV text, then made messy as spreadsheets and exports are: empty lines inside and at
/// the end, records with no value, too few and too many fields, a field over the limit, invalid
/// UTF-8; `crlf`: Windows line ends.
fn messy_csv(df: &DataFrame, crlf: bool) -> Vec<u8> {
    let mut text = Vec::new();
    CsvWriter::new(&mut text).finish(&mut df.clone()).unwrap();
    let text = String::from_utf8(text).unwrap();
    let ncol = df.width();
    let mut lines: Vec<Vec<u8>> = text.lines().map(|l| l.as_bytes().to_vec()).collect();
    let text_of = |k: usize, lines: &[Vec<u8>]| String::from_utf8(lines[k].clone()).unwrap();
    let long = format!("{},extra", text_of(1_200, &lines));
    let over = text_of(1_500, &lines).replacen("@synthetic", &"@w".repeat(150), 1);
    let mut utf = lines[2_000].clone();
    let at = utf.iter().position(|b| *b == b'@').unwrap();
    utf.splice(at..at + 1, [0xff, 0xfe]);
    for (k, line) in [
        (10, Vec::new()),
        (11, Vec::new()),
        (500, ",".repeat(ncol - 1).into_bytes()),
        (501, b"   ".to_vec()),
        (900, b"S900,x".to_vec()),
        (1_200, long.into_bytes()),
        (1_500, over.into_bytes()),
        (2_000, utf),
        (7_000, Vec::new()),
    ] {
        lines[k] = line;
    }
    let end: &[u8] = if crlf { b"\r\n" } else { b"\n" };
    let mut out = lines.join(end);
    out.extend_from_slice(end);
    out.extend_from_slice(end);
    out.extend_from_slice(end);
    out
}

#[test]
fn a_csv_scan_equals_a_load_of_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let opts = LoadOptions { max_field_bytes: 200, ..LoadOptions::default() };
    let q = LoadOptions { on_invalid: OnInvalid::Quarantine, ..opts.clone() };
    let df = frame_with_problems(9_000);
    for crlf in [false, true] {
        let path = dir.path().join(format!("cases-{crlf}.csv"));
        std::fs::write(&path, messy_csv(&df, crlf)).unwrap();
        let cases = Cases::read_csv(&path, &q).unwrap();
        let want = cases.load_report();
        assert_eq!(want.blank_rows, 5, "three empty lines and two records with no value inside; the end's are none");
        for rule in [Rule::MalformedRow, Rule::FieldTooLong, Rule::InvalidUtf8, Rule::UnknownStatus] {
            assert!(want.problems_by_rule.contains_key(&rule), "{rule:?}: {:?}", want.problems_by_rule);
        }
        let scan = scan::scan_csv(&path, &opts).unwrap();
        assert_eq!(scan.rows(), want.rows_read);
        let tables = every_table();
        let got = scan.tables(&tables).unwrap();
        let mem = cases.tables(&tables).unwrap();
        for ((t, g), m) in tables.iter().zip(&got).zip(&mem) {
            assert!(without_definition(g.clone()).equals_missing(&without_definition(m.clone())), "{t:?}\n{g}\n{m}");
        }
        let report = scan.last_report().unwrap();
        assert_eq!(
            (report.rows_read, report.rows_rejected, report.blank_rows),
            (want.rows_read, want.rows_rejected, want.blank_rows)
        );
        assert_eq!(report.problems_by_rule, want.problems_by_rule);
        // The first problems, each with the row a load gives it.
        let listed = reject_keys(&scan.last_rejects().unwrap());
        assert_eq!(listed.len() as u64, want.rows_rejected, "every reject (fewer than max_problems)");
        assert_eq!(listed, reject_keys(cases.rejects()));
        // In passes over the accounts, the same numbers and report.
        let reach = scan.reach_in_passes(&["group"], &ReachSpec::default(), 3).unwrap();
        let want_reach = cases.reach(&["group"], &ReachSpec::default()).unwrap();
        assert!(without_definition(reach).equals_missing(&without_definition(want_reach)));
        assert_eq!(scan.last_report().unwrap().rows_read, want.rows_read);
    }
}

#[test]
fn a_csv_scan_refuses_quotes_and_reads_day_first_dates_as_a_load() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("quoted.csv");
    std::fs::write(
        &path,
        "case_id,platform,account,group,reported_at,status\nA1,x,\"@fake_a\",TTP,2025-01-02,removed\n",
    )
    .unwrap();
    let err = scan::scan_csv(&path, &LoadOptions::default()).err().unwrap().to_string();
    assert!(err.contains("row 1 holds a quote") && err.contains("read_csv"), "{err}");
    // Day-first text dates, the order shown only by a late row; a spreadsheet's `;` and header
    // names mapped to canonical ones.
    let mut text = String::from("\u{feff}Case ID;Platform;Account;Group;Reported at;Status\n");
    for i in 0..3_000 {
        let day = if i == 2_990 { 25 } else { 1 + i % 12 };
        text.push_str(&format!("K{i};X;@fake_{};TTP;{day:02}/{:02}/2025;removed\n", i % 400, 1 + (i * 7) % 12));
    }
    std::fs::write(&path, &text).unwrap();
    let opts = LoadOptions { delimiter: b';', ..LoadOptions::default() };
    let q = LoadOptions { on_invalid: OnInvalid::Quarantine, ..opts.clone() };
    let cases = Cases::read_csv(&path, &q).unwrap();
    assert_eq!(cases.load_report().rows_rejected, 0);
    let scan = scan::scan_csv(&path, &opts).unwrap();
    let ts = TrendSpec::default();
    let got = scan.trend(&["platform"], &ts).unwrap();
    let want = cases.trend(&["platform"], &ts).unwrap();
    assert!(without_definition(got).equals_missing(&without_definition(want)));
    assert_eq!(scan.last_report().unwrap().rows_rejected, 0);
}

#[test]
fn a_csv_scans_first_rejects_are_a_loads_in_its_order_and_a_changed_file_is_refused() {
    // Ambiguous dates (every row rejected in Auto with no order shown), then records too short
    // (rejected by the line pass), and a row with several problems: the first `max_problems`
    // listed are a load's first, each row's in the load's order.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cap.csv");
    let mut text = String::from("case_id,platform,account,group,followers,reported_at,actioned_at,status,agency\n");
    text.push_str("K0,x,@a,TTP,12x,2025-01-01,notadate,removed,PTA\n");
    for i in 1..80 {
        text.push_str(&format!("K{i},x,@a{i},TTP,5,{:02}/{:02}/2025,,pending,PTA\n", i % 12 + 1, i % 11 + 1));
    }
    for i in 0..60 {
        text.push_str(&format!("B{i},x\n"));
    }
    std::fs::write(&path, &text).unwrap();
    let opts = LoadOptions { max_problems: 10, ..LoadOptions::default() };
    let cases = Cases::read_csv(&path, &LoadOptions { on_invalid: OnInvalid::Quarantine, ..opts.clone() }).unwrap();
    let scan = scan::scan_csv(&path, &opts).unwrap();
    scan.check().unwrap();
    let want = reject_keys(cases.rejects());
    assert!(want.len() > 10 && want[0].0 == 1 && want[1].0 == 1, "{want:?}");
    assert_eq!(reject_keys(&scan.last_rejects().unwrap()), want[..10]);
    // In passes, the same problems are not listed twice.
    scan.reach_in_passes(&["group"], &ReachSpec::default(), 3).unwrap();
    assert_eq!(reject_keys(&scan.last_rejects().unwrap()), want[..10]);
    // The file changed after the scan was made: refused, not read with the old file's rows.
    text.push_str("K999,x,@z,TTP,5,2025-01-01,,pending,PTA\n");
    std::fs::write(&path, &text).unwrap();
    let err = scan.check().unwrap_err().to_string();
    assert!(err.contains("changed since the scan was made"), "{err}");
}
