//! A large Parquet file loaded part by part: its row groups are read and validated a few at a
//! time, so that polars' decoded frame of the whole file (every column as the file has it) is
//! never held beside the validated one. At 10M rows that frame is 1.3 GB, as large as the
//! validated frame itself.
//!
//! The result equals the whole file's load ([`super::validate::validate`]): the same frame, the
//! same problems in the same order, the same load report. The rules that span rows are settled
//! for the whole file before the parts: the duplicate-`case_id` rule runs over every row's id (a
//! rejected row's id counts, as in a whole load); the accounts named under several groups are
//! counted on the merged frame. Running totals (`value_too_large`) are checked per part and the
//! merged frame's sums confirmed to fit in 64 bits. Whatever a part could decide differently from
//! the whole file sends the file to the whole load instead: a published table's outcome columns,
//! no `case_id` (ids are filled) or a missing one (a blank row is possible), dates as text with
//! the day/month order to infer from the whole file, every status `unknown` (a source without
//! outcomes), or sums past 64 bits.

use std::path::Path;

use polars::prelude::*;

use super::readers::{self, Raw, Rows};
use super::validate::{self, Found, Validated};
use super::{LabelUse, LoadOptions, LoadReport, OnInvalid};
use crate::dates::DateOrder;
use crate::error::{Error, Problem, Result};
use crate::schema::col_names::*;

/// Files of fewer rows are loaded whole (the saving is small, and one read is simpler).
pub(crate) const MIN_ROWS: usize = 1 << 20;

/// Rows per part, at least (whole row groups are read together up to this).
pub(crate) const PART_ROWS: usize = 1 << 18;

/// Loads the Parquet file at `path` by parts when it has at least `min_rows` rows in more than
/// one row group, else whole; `part_rows` rows per part at least (whole row groups).
pub(crate) fn read_parquet(path: &Path, opts: &LoadOptions, min_rows: usize, part_rows: usize) -> Result<Validated> {
    let bytes = readers::read_file(path)?;
    let file = path.display().to_string();
    let plan = if opts.outcome_columns.is_empty() { plan(&bytes, &file, opts, min_rows)? } else { None };
    let Some(plan) = plan else { return validate::validate(readers::parquet_from(path, bytes)?, opts) };
    // The parts are validated in quarantine; a strict load fails at the end with every problem.
    let quarantine = LoadOptions { on_invalid: OnInvalid::Quarantine, ..opts.clone() };
    let (sha, parts) = rayon::join(
        || readers::sha256_hex(&bytes),
        || -> Result<Vec<Validated>> {
            let mut parts = Vec::new();
            let mut dups = plan.duplicates.into_iter().peekable();
            for (start, len) in ranges(&plan.groups, part_rows) {
                crate::cancel::check()?;
                let df = ParquetReader::new(std::io::Cursor::new(&bytes[..]))
                    .with_slice(Some((start, len)))
                    .finish()
                    .map_err(|e| readers::read_error(&file, "Parquet", &e))?;
                let mine = duplicates_in(&mut dups, start, len);
                parts.push(validate_rows(df, &file, start, mine, None, &quarantine)?);
            }
            Ok(parts)
        },
    );
    let parts = parts?;
    // Sums past 64 bits are decided over the whole file's rows: load it whole.
    if !fits(&parts)? {
        drop(parts);
        return validate::validate(readers::parquet_from(path, bytes)?, opts);
    }
    drop(bytes);
    join(&file, parts, sha, opts)
}

/// The duplicate ids of a part of `n` rows from row index `start` (by row of the part), taken
/// from the front of the whole file's (`dups`, by row of the file, in order).
pub(super) fn duplicates_in(
    dups: &mut std::iter::Peekable<std::vec::IntoIter<(usize, Problem)>>,
    start: usize,
    n: usize,
) -> Found {
    let mut mine: Found = Vec::new();
    while let Some((i, p)) = dups.next_if(|(i, _)| *i < start + n) {
        mine.push((i - start, p));
    }
    mine
}

/// Validates the rows of one part (`frame`, whose first row is row `start` + 1 of the file), with
/// the whole file's duplicate ids in it (`duplicates`, by row of the part) and, when given, the
/// whole file's day/month order ([`validate::validate_part`]).
pub(super) fn validate_rows(
    frame: DataFrame,
    file: &str,
    start: usize,
    duplicates: Found,
    order: Option<DateOrder>,
    opts: &LoadOptions,
) -> Result<Validated> {
    let n = frame.height();
    let raw = Raw {
        source: file.to_string(),
        frame,
        rows: Rows::listed((start as u64 + 1..=(start + n) as u64).collect()),
        rows_read: n as u64,
        blank_rows: 0,
        problems: Vec::new(),
        sha256: None,
        count_columns: None,
    };
    validate::validate_part(raw, opts, duplicates, order)
}

/// Whether the parts' loads are the whole file's: no running total passed 64 bits in a part,
/// and the accepted rows' totals fit (a sum past 64 bits is decided over the whole file's rows).
pub(super) fn fits(parts: &[Validated]) -> Result<bool> {
    Ok(!parts.iter().any(|p| p.report.problems_by_rule.contains_key(&crate::Rule::ValueTooLarge)) && sums_fit(parts)?)
}

/// The whole file's load from its parts' loads, in order (see [`fits`]): the frames stacked, the
/// problems in row order, the report merged; a strict load fails here with every problem.
pub(super) fn join(file: &str, mut parts: Vec<Validated>, sha: String, opts: &LoadOptions) -> Result<Validated> {
    if parts.is_empty() {
        return Err(Error::Internal("a load by parts had no part".into()));
    }
    let first = parts.remove(0);
    let (mut frame, mut problems, first_report) = (first.frame, first.problems, first.report);
    let mut reports = vec![first_report];
    for p in parts {
        frame.vstack_mut_owned(p.frame)?;
        problems.extend(p.problems);
        reports.push(p.report);
    }
    // A repeated id's first use rejected in an earlier part is said so only now.
    validate::note_rejected_first_uses(&mut problems);
    if opts.on_invalid == OnInvalid::Raise && !problems.is_empty() {
        let total = problems.len();
        problems.truncate(opts.max_problems.max(1));
        return Err(Error::Validation { problems, total });
    }
    let report = merged(file, &reports, &problems, sha, &frame)?;
    Ok(Validated { frame, problems, report })
}

/// What a load by parts needs settled first: the row groups' sizes and the duplicate ids over
/// the whole file (by row). `None` when the file is to be loaded whole.
struct Plan {
    groups: Vec<usize>,
    duplicates: Found,
}

fn plan(bytes: &[u8], file: &str, opts: &LoadOptions, min_rows: usize) -> Result<Option<Plan>> {
    // Anything the whole read would refuse is left to it, so that its error is the one given.
    let mut reader = ParquetReader::new(std::io::Cursor::new(bytes));
    let Ok(meta) = reader.get_metadata() else { return Ok(None) };
    let groups: Vec<usize> = meta.row_groups.iter().map(|g| g.num_rows()).collect();
    let total: usize = groups.iter().sum();
    if groups.len() < 2 || total < min_rows || total >= u32::MAX as usize {
        return Ok(None);
    }
    let Ok(schema) = reader.schema() else { return Ok(None) };
    let names: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
    let Ok(m) = validate::match_columns(&names, opts, file) else { return Ok(None) };
    let Ok((_, aggregate)) = validate::check_required(&m, &names, opts, file) else { return Ok(None) };
    let (Some(id), Some(status)) = (m.canon.get(CASE_ID), m.canon.get(STATUS)) else { return Ok(None) };
    if aggregate {
        return Ok(None);
    }
    let text_dates = [REPORTED_AT, ACTIONED_AT].iter().filter_map(|c| m.canon.get(*c)).any(|n| {
        schema.get(n.as_str()).is_some_and(|f| {
            matches!(f.dtype(), ArrowDataType::Utf8 | ArrowDataType::LargeUtf8 | ArrowDataType::Utf8View)
        })
    });
    if text_dates && opts.date_order == DateOrder::Auto {
        return Ok(None);
    }
    let mut columns: Vec<String> = vec![id.clone()];
    if status != id {
        columns.push(status.clone());
    }
    let Ok(mut pre) = ParquetReader::new(std::io::Cursor::new(bytes)).with_columns(Some(columns)).finish() else {
        return Ok(None);
    };
    validate::read_null_markers(&mut pre, &opts.null_values)?;
    let ids = pre.column(id)?;
    if ids.null_count() > 0 || validate::all_unknown(Some(pre.column(status)?))? {
        return Ok(None);
    }
    // Decimals and page checksums last, once every cheaper reason to load whole is ruled out: the
    // whole load checks them itself (a file it gets would be checked twice).
    if readers::parquet_refused(bytes) {
        return Ok(None);
    }
    let rows = Rows::Sequential;
    let duplicates = validate::duplicates_of(id, ids, file, &rows, opts)?;
    Ok(Some(Plan { groups, duplicates }))
}

/// Consecutive row groups together up to `part_rows` rows: (first row, rows) of each part.
fn ranges(groups: &[usize], part_rows: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let (mut start, mut len) = (0, 0);
    for &g in groups {
        len += g;
        if len >= part_rows.max(1) {
            out.push((start, len));
            start += len;
            len = 0;
        }
    }
    if len > 0 {
        out.push((start, len));
    }
    out
}

/// Whether the accepted rows' totals of `count`, followers and followers x count fit in 64 bits
/// (then no row of the whole file passes them, and the parts' rows are those of the whole load).
fn sums_fit(parts: &[Validated]) -> Result<bool> {
    let (mut c, mut f, mut fc) = (0i128, 0i128, 0i128);
    for p in parts {
        let count = p.frame.column(COUNT)?.cast(&DataType::Int64)?;
        let followers = p.frame.column(FOLLOWERS)?.cast(&DataType::Int64)?;
        for (k, v) in count.i64()?.iter().zip(followers.i64()?.iter()) {
            let (k, v) = (i128::from(k.unwrap_or(1)), i128::from(v.unwrap_or(0)));
            (c, f, fc) = (c + k, f + v, fc + k * v);
        }
    }
    let max = i128::from(i64::MAX);
    Ok(c <= max && f <= max && fc <= max)
}

/// The load report of the whole file from its parts' (`problems` the parts' problems in order).
fn merged(
    file: &str,
    parts: &[LoadReport],
    problems: &[Problem],
    sha: String,
    frame: &DataFrame,
) -> Result<LoadReport> {
    let rows_read = parts.iter().map(|r| r.rows_read).sum();
    let rejected = parts.iter().map(|r| r.rows_rejected).sum();
    let mut report = LoadReport::new(file, rows_read, problems, rejected);
    let first = &parts[0];
    report.columns_matched.clone_from(&first.columns_matched);
    report.columns_filled.clone_from(&first.columns_filled);
    report.extra_columns.clone_from(&first.extra_columns);
    report.columns_dropped.clone_from(&first.columns_dropped);
    report.aggregate = first.aggregate;
    report.null_values_read = parts.iter().map(|r| r.null_values_read).sum();
    report.sha256 = Some(sha);
    // Labels: column by column in the order a load lists them, each in order of first appearance.
    let mut labels: Vec<LabelUse> = Vec::new();
    for column in [PLATFORM, GROUP, STATUS] {
        let mut index: PlHashMap<(String, String, bool), usize> = PlHashMap::new();
        for l in parts.iter().flat_map(|r| &r.labels).filter(|l| l.column == column) {
            match index.get(&(l.label.clone(), l.value.clone(), l.known)) {
                Some(&i) => {
                    labels[i].rows_accepted += l.rows_accepted;
                    labels[i].rows_rejected += l.rows_rejected;
                }
                None => {
                    index.insert((l.label.clone(), l.value.clone(), l.known), labels.len());
                    labels.push(l.clone());
                }
            }
        }
    }
    report.labels = labels;
    report.accounts_in_several_groups = Some(validate::accounts_in_several_groups(frame)?);
    Ok(report)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// The synthetic cases with a problem of every kind a load finds, labels to map, and
    /// duplicate ids across row groups (one whose first use is on a rejected row).
    pub(crate) fn messy(n: usize) -> DataFrame {
        let df = crate::synth::synthetic_frame(n, 3).unwrap();
        let i = col("__i");
        let at = |k: usize| i.clone().eq(lit(k as u32));
        let every = |m: u32, r: u32| (i.clone() % lit(m)).eq(lit(r));
        df.lazy()
            .with_row_index("__i", None)
            .with_columns([
                when(every(97, 5))
                    .then(lit("nonsense"))
                    .when(every(101, 7))
                    .then(lit("Taken down"))
                    .otherwise(col(STATUS))
                    .alias(STATUS),
                when(every(89, 3)).then(lit(-5i64)).otherwise(col(FOLLOWERS)).alias(FOLLOWERS),
                when(at(n - 10))
                    .then(lit("S10"))
                    .when(at(n - 3))
                    .then(lit("S250"))
                    .when(at(n - 20))
                    .then(lit("S5"))
                    .otherwise(col(CASE_ID))
                    .alias(CASE_ID),
                when(every(113, 9))
                    .then(col(REPORTED_AT) - lit(86_400_000_000i64).cast(DataType::Duration(TimeUnit::Microseconds)))
                    .otherwise(col(ACTIONED_AT))
                    .alias(ACTIONED_AT),
                when(every(7, 0)).then(lit("Twitter")).otherwise(col(PLATFORM)).alias(PLATFORM),
                when(every(211, 1)).then(lit("Fitna al-Hindustan")).otherwise(col(GROUP)).alias(GROUP),
            ])
            .drop(cols(["__i"]))
            .collect()
            .unwrap()
    }

    fn write(df: &mut DataFrame, group: usize) -> tempfile::NamedTempFile {
        let f = tempfile::Builder::new().suffix(".parquet").tempfile().unwrap();
        ParquetWriter::new(std::fs::File::create(f.path()).unwrap())
            .with_row_group_size(Some(group))
            .finish(df)
            .unwrap();
        f
    }

    fn whole(path: &Path, opts: &LoadOptions) -> Result<Validated> {
        validate::validate(readers::parquet_from(path, readers::read_file(path)?)?, opts)
    }

    /// A load by parts (or pieces) is the whole load: the same frame, problems and report.
    pub(crate) fn assert_same(got: &Validated, want: &Validated, what: &str) {
        assert!(got.frame.equals_missing(&want.frame), "{what}");
        assert_eq!(got.problems, want.problems, "{what}");
        assert_eq!(got.report, want.report, "{what}");
    }

    #[test]
    fn a_load_by_parts_equals_the_whole_load() {
        let n = 2_000;
        let mut df = messy(n);
        let f = write(&mut df, 100);
        let bytes = std::fs::read(f.path()).unwrap();
        let file = f.path().display().to_string();
        assert!(plan(&bytes, &file, &LoadOptions::default(), 0).unwrap().is_some(), "the file is read by parts");
        let quarantine = LoadOptions::default().with_on_invalid(OnInvalid::Quarantine);
        let want = whole(f.path(), &quarantine).unwrap();
        assert!(want.report.rows_rejected > 40, "{:?}", want.report.problems_by_rule);
        assert!(want.report.problems_by_rule.contains_key(&crate::Rule::DuplicateCaseId));
        for part_rows in [1, 250, 777, n] {
            let got = read_parquet(f.path(), &quarantine, 0, part_rows).unwrap();
            assert_same(&got, &want, &format!("part_rows {part_rows}"));
        }
        // Strict: the same error, listing the same problems up to the cap, with the same total.
        let strict = LoadOptions::default();
        let want = format!("{:?}", whole(f.path(), &strict).unwrap_err());
        let got = format!("{:?}", read_parquet(f.path(), &strict, 0, 250).unwrap_err());
        assert_eq!(got, want);
        // A clean file too (the frame's columns shared across parts, nothing rejected).
        let mut clean = crate::synth::synthetic_frame(n, 4).unwrap();
        let f = write(&mut clean, 128);
        let want = whole(f.path(), &strict).unwrap();
        let got = read_parquet(f.path(), &strict, 0, 300).unwrap();
        assert!(got.frame.equals_missing(&want.frame));
        assert_eq!(got.report, want.report);
    }

    #[test]
    fn what_a_part_cannot_decide_sends_the_file_to_the_whole_load() {
        let n = 600;
        let opts = LoadOptions::default();
        let planned = |df: &mut DataFrame, opts: &LoadOptions| {
            let f = write(df, 100);
            let bytes = std::fs::read(f.path()).unwrap();
            plan(&bytes, &f.path().display().to_string(), opts, 0).unwrap().is_some()
        };
        let base = crate::synth::synthetic_frame(n, 5).unwrap();
        assert!(planned(&mut base.clone(), &opts));
        // One row group, or fewer rows than the threshold.
        let f = write(&mut base.clone(), 1_000);
        assert!(plan(&std::fs::read(f.path()).unwrap(), "f", &opts, 0).unwrap().is_none());
        assert!(plan(&std::fs::read(f.path()).unwrap(), "f", &opts, MIN_ROWS).unwrap().is_none());
        // Dates as text, whose day/month order is read from the whole file.
        let mut text = base.clone().lazy().with_column(col(REPORTED_AT).cast(DataType::String)).collect().unwrap();
        assert!(!planned(&mut text, &opts));
        assert!(planned(&mut text, &LoadOptions { date_order: DateOrder::DayFirst, ..opts.clone() }));
        // A missing case id (a blank row is possible), and no case_id column (ids are filled).
        let mut gap = base
            .clone()
            .lazy()
            .with_column(when(col(CASE_ID).eq(lit("S7"))).then(lit(NULL)).otherwise(col(CASE_ID)).alias(CASE_ID))
            .collect()
            .unwrap();
        assert!(!planned(&mut gap, &opts));
        assert!(!planned(
            &mut base.clone().drop(CASE_ID).unwrap(),
            &LoadOptions { required: Some(vec![]), ..opts.clone() }
        ));
        // Every status `unknown`: a source without outcomes, decided over the whole file.
        let mut unknown = base.clone().lazy().with_column(lit("unknown").alias(STATUS)).collect().unwrap();
        assert!(!planned(&mut unknown, &opts));
        // Each of these still loads equal to the whole load.
        for (mut df, opts) in [(text, opts.clone()), (gap, opts.clone().with_on_invalid(OnInvalid::Quarantine))] {
            let f = write(&mut df, 100);
            let got = read_parquet(f.path(), &opts, 0, 100).unwrap();
            let want = whole(f.path(), &opts).unwrap();
            assert!(got.frame.equals_missing(&want.frame));
            assert_eq!(got.report, want.report);
        }
    }
}
