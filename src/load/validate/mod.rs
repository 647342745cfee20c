//! Raw columns to canonical cases: column matching, label mapping, parsing and every rule.
//!
//! [`validate`] runs one task per canonical column (in parallel), each in the module of its
//! column family and each returning the same [`Checked`]: the column(s) it made and the problems
//! it found. Rules across columns follow, then the outcome: strict mode fails with every problem,
//! quarantine drops the bad rows. The result is a plain [`Validated`], which [`crate::Cases`] and
//! the scans both consume.
//!
//! - [`columns`]: which input column is which canonical one, what is required, column types;
//! - [`text`]: text columns and accounts; [`labels`]: platforms, groups, status;
//! - [`numbers`]: followers, count and their totals; [`dates`]: reported_at, actioned_at;
//! - [`ids`]: duplicate case ids.

mod columns;
mod dates;
mod ids;
mod labels;
mod numbers;
mod text;

use polars::prelude::*;
use rayon::prelude::*;

pub(crate) use columns::{check_required, match_columns};
pub(crate) use ids::{accounts_in_several_groups, note_rejected_first_uses};
pub(crate) use numbers::censored;
pub use numbers::{MAX_COUNT, MAX_FOLLOWERS};

use super::readers::{clip, Raw, Rows};
use super::{LoadOptions, LoadReport, OnInvalid};
use crate::dates::{infer_order, DateOrder};
use crate::error::{Error, Problem, Result, Rule};
use crate::labels::Vocabulary;
use crate::schema::{col_names::*, Status, OPTIONAL_TEXT};
use labels::LabelMap;

/// What validation made of an input: the accepted rows in the canonical schema (extra columns
/// after), every problem found (sorted by row), and the load report.
#[derive(Debug, Clone)]
pub struct Validated {
    /// The accepted rows.
    pub frame: DataFrame,
    /// Every problem, by row (empty after a strict load, which fails instead).
    pub problems: Vec<Problem>,
    /// Rows read, accepted and rejected, and what the load did.
    pub report: LoadReport,
}

impl Validated {
    /// The accepted rows.
    pub fn frame(&self) -> &DataFrame {
        &self.frame
    }

    /// What the load read, accepted and rejected.
    pub fn load_report(&self) -> &LoadReport {
        &self.report
    }

    /// The same validation narrowed to `frame` (rows of this one's frame).
    pub fn with_frame(&self, frame: DataFrame) -> Validated {
        Validated { frame, problems: self.problems.clone(), report: self.report.clone() }
    }
}

/// What one column task made: its canonical column(s), named and row-aligned with the input
/// (none when the input lacks the column), the problems it found, each with the input row it
/// makes bad, and for a labelled column how its labels were mapped.
pub(crate) struct Checked {
    columns: Vec<Column>,
    problems: Found,
    labels: Option<LabelMap>,
}

impl Checked {
    fn none() -> Self {
        Checked { columns: Vec::new(), problems: Vec::new(), labels: None }
    }
    fn of(column: Column, problems: Found) -> Self {
        Checked { columns: vec![column], problems, labels: None }
    }
}

/// A canonical column's input: its name in the input and the column, if the input has it.
type Input<'a> = Option<(&'a str, &'a Column)>;

/// A column handed to its task, as that task's input.
fn input(owned: &Option<(String, Column)>) -> Input<'_> {
    owned.as_ref().map(|(n, c)| (n.as_str(), c))
}

/// One column task.
type Task<'a> = Box<dyn FnOnce() -> Result<Checked> + Send + 'a>;

/// Where problems are reported from: the source and its row numbers.
pub(crate) struct Ctx<'a> {
    pub(super) file: &'a str,
    pub(super) rows: &'a Rows,
    /// The thousands separator of whole numbers written as text, if any.
    pub(super) thousands: Option<char>,
}

/// Problems found by one column task, each with the frame row it makes bad.
pub(crate) type Found = Vec<(usize, Problem)>;

impl Ctx<'_> {
    pub(super) fn problem(&self, i: usize, column: &str, value: &str, rule: Rule, message: String) -> (usize, Problem) {
        (
            i,
            Problem {
                file: self.file.to_string(),
                row: self.rows.get(i),
                column: column.to_string(),
                value: clip(value),
                rule,
                message,
                case_id: None,
            },
        )
    }

    /// A `Required` problem for every null of `ca`.
    pub(super) fn required(&self, ca: &StringChunked, column: &str, canonical: &str) -> Found {
        if ca.null_count() == 0 {
            return Vec::new();
        }
        ca.iter()
            .enumerate()
            .filter(|(_, v)| v.is_none())
            .map(|(i, _)| self.problem(i, column, "", Rule::Required, format!("`{canonical}` is required and empty")))
            .collect()
    }
}

/// What a validation is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// A load: every rule, every column.
    Load,
    /// One batch of a scan: no duplicate-`case_id` rule (a batch cannot see the others);
    /// `account_key` derived only when `keys` (the query counts accounts), else left null; text
    /// dates read in `order`, the day/month order of the scan's whole data, when it was resolved
    /// (a batch's own dates can show another: the first rows may all be ambiguous).
    Batch { keys: bool, order: Option<DateOrder> },
    /// A load of a published source that publishes requests without their outcome: every rule,
    /// and its status is `unknown` ([`Status::Unknown`]), which no other input may have.
    OutcomesUnpublished,
}

/// Validates a load's raw input (every rule).
pub(crate) fn validate(raw: Raw, opts: &LoadOptions) -> Result<Validated> {
    validate_with(raw, opts, Scope::Load)
}

/// Validates `raw` for `scope`.
pub(crate) fn validate_with(raw: Raw, opts: &LoadOptions, scope: Scope) -> Result<Validated> {
    validate_inner(raw, opts, scope, None)
}

/// Validates one part of a file loaded by parts ([`super::parts`], [`super::csv_parts`]): every
/// rule of a load, with the duplicate ids found over the whole file (`duplicates`, by row of this
/// part) in place of its own, the status never read as a source without outcomes, and the
/// accounts under several groups left to the merged frame. `order`, when given, is the day/month
/// order of the whole file's text dates, used as it is (not inferred from this part's dates).
pub(crate) fn validate_part(
    raw: Raw,
    opts: &LoadOptions,
    duplicates: Found,
    order: Option<DateOrder>,
) -> Result<Validated> {
    validate_inner(raw, opts, Scope::Load, Some((duplicates, order)))
}

/// The duplicate-`case_id` problems of the ids `col` (named `name` in `file`), by frame row, with
/// the load options' null markers already applied to it.
pub(crate) fn duplicates_of(name: &str, col: &Column, file: &str, rows: &Rows, opts: &LoadOptions) -> Result<Found> {
    let ctx = Ctx { file, rows, thousands: opts.thousands };
    Ok(ids::duplicates(Some((name, col)), &ctx)?.problems)
}

fn validate_inner(
    raw: Raw,
    opts: &LoadOptions,
    scope: Scope,
    part: Option<(Found, Option<DateOrder>)>,
) -> Result<Validated> {
    let (part, resolved) = match (part, scope) {
        (Some((found, order)), _) => (Some(found), order),
        (None, Scope::Batch { order, .. }) => (None, order),
        (None, _) => (None, None),
    };
    crate::cancel::check()?;
    let check_ids = matches!(scope, Scope::Load | Scope::OutcomesUnpublished) && part.is_none();
    if scope != Scope::OutcomesUnpublished {
        let mapped = [("status_labels", &opts.status_labels), ("outcome_columns", &opts.outcome_columns)];
        if let Some((option, label)) =
            mapped.iter().find_map(|(o, m)| m.iter().find(|(_, s)| *s == Status::Unknown).map(|(l, _)| (*o, l)))
        {
            return Err(Error::invalid_arg(
                option,
                format!(
                    "{label:?} is mapped to unknown, which only a published source with no outcomes has: map it to \
                     removed, restricted, rejected or pending"
                ),
            ));
        }
    }
    let keep_keys = !matches!(scope, Scope::Batch { keys: false, .. });
    let (raw, wide) = if opts.outcome_columns.is_empty() {
        (raw, None)
    } else {
        let (raw, wide) = super::wide::unpivot(raw, &opts.outcome_columns)?;
        (raw, Some(wide))
    };
    let rejected_on_read = raw.unreadable_rows();
    let Raw { source, mut frame, rows, rows_read, blank_rows, problems: read_problems, sha256, count_columns } = raw;
    let null_values_read = read_null_markers(&mut frame, &opts.null_values)?;
    let names: Vec<String> = frame.get_column_names().iter().map(|s| s.to_string()).collect();
    let m = match_columns(&names, opts, &source)?;
    let (required_cols, aggregate) = check_required(&m, &names, opts, &source)?;
    let required = |c: &str| required_cols.iter().any(|r| r == c);
    columns::check_types(&frame, &m, &source)?;
    let n = frame.height();
    if n >= u32::MAX as usize {
        return Err(Error::invalid_arg(
            "input",
            format!("{n} rows is more than one load takes (under 2^32); split the input"),
        ));
    }
    // A table whose every status is `unknown` is a published source's rows read back (what the
    // library writes it reads): a load of requests without outcomes, whose rates refuse. A scan
    // cannot know every batch, so there `unknown` stays a reject.
    let scope = if scope == Scope::Load
        && part.is_none()
        && all_unknown(m.canon.get(STATUS).and_then(|c| frame.column(c).ok()))?
    {
        Scope::OutcomesUnpublished
    } else {
        scope
    };
    let mut status_labels = opts.status_labels.clone();
    if scope == Scope::OutcomesUnpublished {
        status_labels.push((Status::Unknown.as_str().into(), Status::Unknown));
    }
    let vocab = Vocabulary::new(&status_labels, &opts.platform_aliases, &opts.group_aliases);
    let ctx = Ctx { file: &source, rows: &rows, thousands: opts.thousands };
    // The label columns' inputs are handed to their tasks, which drop them once their categorical
    // columns are made: the input's text of four label columns (700 MB at 10M rows) is not held
    // until the end of the load beside them.
    let mut hand_over = |c: &str| -> Option<(String, Column)> {
        let name = m.canon.get(c)?;
        let shared = m.canon.values().filter(|n| *n == name).count() > 1;
        let col = if shared { frame.column(name).ok().cloned() } else { frame.drop_in_place(name).ok() };
        col.map(|col| (name.clone(), col))
    };
    let (platform_in, group_in, agency_in, status_in) =
        (hand_over(PLATFORM), hand_over(GROUP), hand_over(AGENCY), hand_over(STATUS));
    let get = |c: &str| -> Input<'_> {
        m.canon.get(c).and_then(|name| frame.column(name).ok().map(|col| (name.as_str(), col)))
    };

    // Dates: resolve the day/month order once for the file.
    let order = if let Some(order) = resolved {
        order
    } else if opts.date_order == DateOrder::Auto {
        let texts: Vec<&StringChunked> = [REPORTED_AT, ACTIONED_AT]
            .iter()
            .filter_map(|c| get(c))
            .filter(|(_, col)| col.dtype() == &DataType::String)
            .filter_map(|(_, col)| col.str().ok())
            .collect();
        infer_order(texts.iter().flat_map(|ca| ca.iter().flatten()))
    } else {
        opts.date_order
    };

    // The column tasks, in the order their problems are listed (then by row, stably).
    let (ctx, vocab) = (&ctx, &vocab);
    let platform_map = |s: &str| vocab.platform_alias(s);
    let group_map = |s: &str| vocab.group_alias(s);
    let mut tasks: Vec<Task<'_>> = vec![
        Box::new(|| text::text(get(CASE_ID), CASE_ID, required(CASE_ID), ctx)),
        Box::new(move || labels::labelled(input(&platform_in), PLATFORM, required(PLATFORM), &platform_map, ctx)),
        Box::new(|| text::accounts(get(ACCOUNT), required(ACCOUNT), keep_keys, ctx)),
        Box::new(move || labels::labelled(input(&group_in), GROUP, required(GROUP), &group_map, ctx)),
        Box::new(move || text::text(input(&agency_in), AGENCY, required(AGENCY), ctx)),
    ];
    for c in OPTIONAL_TEXT {
        tasks.push(Box::new(move || text::text(get(c), c, required(c), ctx)));
    }
    tasks.push(Box::new(move || labels::status(input(&status_in), vocab, ctx)));
    tasks.push(Box::new(|| numbers::followers(get(FOLLOWERS), ctx)));
    tasks.push(Box::new(|| numbers::count(get(COUNT), ctx)));
    for c in [REPORTED_AT, ACTIONED_AT] {
        tasks.push(Box::new(move || dates::date(get(c), c, order, required(c), ctx)));
    }
    // The duplicate-id rule runs beside the column tasks; its problems are listed after the rules
    // across columns.
    let (done, duplicates) = rayon::join(
        || tasks.into_par_iter().map(|task| task()).collect::<Result<Vec<Checked>>>(),
        || if check_ids { ids::duplicates(get(CASE_ID), ctx) } else { Ok(Checked::none()) },
    );
    let (done, duplicates) = (done?, part.unwrap_or(duplicates?.problems));
    crate::cancel::check()?;

    let mut made: Vec<Column> = Vec::new();
    let mut found: Found = Vec::new();
    let mut label_maps: Vec<LabelMap> = Vec::new();
    for c in done {
        made.extend(c.columns);
        label_maps.extend(c.labels);
        found.extend(c.problems);
    }
    let column = |c: &str| made.iter().find(|col| col.name().as_str() == c);
    let ints = |c: &str| -> Result<Option<Int64Chunked>> { column(c).map(|col| Ok(col.i64()?.clone())).transpose() };
    let (followers, count) = (ints(FOLLOWERS)?, ints(COUNT)?);
    found.extend(cross_rules(
        ints(REPORTED_AT)?.as_ref(),
        ints(ACTIONED_AT)?.as_ref(),
        column(STATUS),
        get(ACTIONED_AT),
        ctx,
    )?);
    found.extend(duplicates);

    // Outcome: strict fails, quarantine splits.
    let mut bad = vec![false; n];
    let mut all = read_problems;
    // Each problem names its row's case_id too, as read (trimmed), when the input has one.
    let ids: Option<StringChunked> = column(CASE_ID).map(|c| c.str().cloned()).transpose()?;
    let id_of = |i: usize| ids.as_ref().and_then(|ids| ids.get(i)).map(super::readers::clip);
    // A count cell of reshaped input (a wide table, a published source) is named by the column
    // it came from, as the user sees it.
    let cell_column = |i: usize, p: &mut Problem| {
        if let Some((names, of)) = &count_columns {
            if p.column == COUNT {
                p.column.clone_from(&names[of[i] as usize]);
                if p.rule == Rule::Required {
                    p.message = "the cell is empty: a published table's empty cell is not read as 0 (write 0 where the publisher reported none, or leave the row out)".into();
                }
            }
        }
    };
    for (i, mut p) in found {
        bad[i] = true;
        p.case_id = id_of(i);
        cell_column(i, &mut p);
        all.push(p);
    }
    let col_name = |c: &'static str| get(c).map_or(c, |(name, _)| name);
    let names = (col_name(COUNT), col_name(FOLLOWERS));
    for (i, mut p) in numbers::totals(count.as_ref(), followers.as_ref(), &bad, ctx, names) {
        bad[i] = true;
        p.case_id = id_of(i);
        cell_column(i, &mut p);
        all.push(p);
    }
    all.sort_by_key(|x| x.row);
    ids::note_rejected_first_uses(&mut all);
    if opts.on_invalid == OnInvalid::Raise && !all.is_empty() {
        let total = all.len();
        all.truncate(opts.max_problems.max(1));
        return Err(Error::Validation { problems: all, total });
    }
    let n_bad = bad.iter().filter(|b| **b).count();
    let mut report = LoadReport::new(&source, rows_read, &all, rejected_on_read + n_bad as u64);
    report.labels = label_maps.iter().flat_map(|m| m.uses(&bad)).collect();
    report.aggregate = aggregate;
    report.wide = wide;
    report.sha256 = sha256;
    report.blank_rows = blank_rows;
    report.null_values_read = null_values_read;

    // The canonical columns in schema order; an absent one is filled (null, or `count` 1).
    let mut filled = |c: &str| report.columns_filled.push(c.to_string());
    let mut take = |c: &str| made.iter().position(|col| col.name().as_str() == c).map(|i| made.swap_remove(i));
    let null_text = |c: &str| {
        if crate::schema::LABEL_COLUMNS.contains(&c) {
            Column::full_null(c.into(), n, &crate::schema::label_dtype())
        } else {
            StringChunked::full_null(c.into(), n).into_column()
        }
    };
    let null_int = |c: &str| Int64Chunked::full_null(c.into(), n).into_column();
    let mut cols: Vec<Column> = Vec::with_capacity(16);
    cols.push(take(CASE_ID).unwrap_or_else(|| {
        filled(CASE_ID);
        let ids: StringChunked = (0..n).map(|i| Some(rows.get(i).to_string())).collect();
        ids.with_name(CASE_ID.into()).into_column()
    }));
    cols.push(take(PLATFORM).unwrap_or_else(|| null_text(PLATFORM)));
    match (take(ACCOUNT), take(ACCOUNT_KEY)) {
        (Some(account), Some(key)) => cols.extend([account, key]),
        _ => {
            filled(ACCOUNT);
            cols.extend([null_text(ACCOUNT), null_text(ACCOUNT_KEY)]);
        }
    }
    for (c, null) in [(GROUP, &null_text as &dyn Fn(&str) -> Column), (FOLLOWERS, &null_int)] {
        cols.push(take(c).unwrap_or_else(|| {
            filled(c);
            null(c)
        }));
    }
    for c in [REPORTED_AT, ACTIONED_AT] {
        let v = take(c).unwrap_or_else(|| {
            filled(c);
            null_int(c)
        });
        cols.push(v.i64()?.clone().into_datetime(TimeUnit::Microseconds, None).into_column());
    }
    cols.push(take(STATUS).ok_or_else(|| Error::Internal("no status column was made".into()))?);
    cols.push(take(AGENCY).unwrap_or_else(|| {
        filled(AGENCY);
        null_text(AGENCY)
    }));
    cols.extend(OPTIONAL_TEXT.iter().filter_map(|c| take(c)));
    cols.push(
        take(COUNT)
            .unwrap_or_else(|| Column::new_scalar(COUNT.into(), Scalar::new(DataType::Int64, AnyValue::Int64(1)), n)),
    );
    for e in &m.extras {
        cols.push(frame.column(e)?.clone());
    }
    drop(frame);
    let df = DataFrame::new(n, cols)?;
    let df = if n_bad > 0 {
        let mask: BooleanChunked = bad.iter().map(|b| !*b).collect();
        df.filter(&mask)?
    } else {
        df
    };

    report.columns_matched = m.report;
    report.columns_dropped = m.dropped;
    report.extra_columns = m.extras;
    if check_ids {
        report.accounts_in_several_groups = Some(ids::accounts_in_several_groups(&df)?);
    }
    report.outcomes_unpublished = scope == Scope::OutcomesUnpublished;
    Ok(Validated { frame: df, problems: all, report })
}

/// Whether a status column has values and every one is `unknown` (trimmed).
pub(crate) fn all_unknown(status: Option<&Column>) -> Result<bool> {
    let Some(c) = status else { return Ok(false) };
    if !(c.dtype() == &DataType::String || c.dtype().is_categorical()) || c.is_empty() || c.null_count() == c.len() {
        return Ok(false);
    }
    Ok(crate::schema::text_of(c)?.iter().flatten().all(|v| v.trim() == Status::Unknown.as_str()))
}

/// Replaces, in every text column, the values that are one of `markers` (trimmed, ignoring case)
/// with missing; returns how many.
pub(crate) fn read_null_markers(frame: &mut DataFrame, markers: &[String]) -> Result<u64> {
    if markers.is_empty() {
        return Ok(0);
    }
    let markers: Vec<String> = markers.iter().map(|m| m.trim().to_lowercase()).collect();
    let is_marker = |s: &str| {
        let t = s.trim();
        markers.iter().any(|m| t.eq_ignore_ascii_case(m) || (!t.is_ascii() && t.to_lowercase() == *m))
    };
    let mut count = 0u64;
    let names: Vec<PlSmallStr> = frame.get_column_names().into_iter().cloned().collect();
    for name in names {
        let col = frame.column(&name)?;
        if col.dtype() != &DataType::String {
            continue;
        }
        let ca = col.str()?;
        let n = ca.iter().filter(|v| v.is_some_and(is_marker)).count();
        if n == 0 {
            continue;
        }
        count += n as u64;
        let out: StringChunked = ca.iter().map(|v| v.filter(|s| !is_marker(s))).collect();
        frame.with_column(out.with_name(name.clone()).into_column())?;
    }
    Ok(count)
}

/// The rules across columns: a decision before its request, a pending case with a decision date.
fn cross_rules(
    reported: Option<&Int64Chunked>,
    actioned: Option<&Int64Chunked>,
    status: Option<&Column>,
    actioned_input: Input<'_>,
    ctx: &Ctx,
) -> Result<Found> {
    let mut cross: Found = Vec::new();
    let (Some(act), Some((act_name, act_col))) = (actioned, actioned_input) else { return Ok(cross) };
    let status = status.map(crate::schema::text_of).transpose()?;
    let pending = Status::Pending.as_str();
    for (i, a) in act.iter().enumerate() {
        let Some(a) = a else { continue };
        if let Some(r) = reported.and_then(|r| r.get(i)) {
            if a < r {
                cross.push(ctx.problem(
                    i,
                    act_name,
                    &numbers::value_text(act_col, i),
                    Rule::ActionedBeforeReported,
                    "actioned_at is earlier than reported_at".into(),
                ));
            }
        }
        if status.as_ref().and_then(|s| s.get(i)) == Some(pending) {
            cross.push(ctx.problem(
                i,
                act_name,
                &numbers::value_text(act_col, i),
                Rule::PendingWithActionedAt,
                "a pending case has no actioned_at; set its status or clear the date".into(),
            ));
        }
    }
    Ok(cross)
}

/// The rejects table: one row per problem.
pub(crate) fn rejects_frame(problems: &[Problem]) -> Result<DataFrame> {
    let col = |name: &str, f: &dyn Fn(&Problem) -> String| {
        Column::new(name.into(), problems.iter().map(f).collect::<Vec<String>>())
    };
    Ok(DataFrame::new(
        problems.len(),
        vec![
            col("file", &|p| p.file.clone()),
            Column::new("row".into(), problems.iter().map(|p| p.row).collect::<Vec<u64>>()),
            Column::new("case_id".into(), problems.iter().map(|p| p.case_id.clone()).collect::<Vec<Option<String>>>()),
            col("column", &|p| p.column.clone()),
            col("value", &|p| p.value.clone()),
            col("rule", &|p| p.rule.as_str().to_string()),
            col("message", &|p| p.message.clone()),
        ],
    )?)
}

#[cfg(test)]
mod tests {
    use super::ids::{duplicate_ids, exact_duplicates};
    use super::labels::map_open_labels;
    use super::text::{account_keys, clean_text};
    use super::*;
    use crate::labels::Vocabulary;
    use crate::schema::account_key;

    #[test]
    fn column_keys_match_the_row_by_row_fold() {
        let inputs = [
            "@Fake_Handle",
            " https://x.com/Fake_Handle/ ",
            "HTTP://WWW.facebook.com/fake.page",
            "www.tiktok.com",
            "t.me/fakechannel",
            "x.com/Fake_4?s=20",
            "TikTok.com/@Fake_4#x",
            "https://facebook.com/profile.php?id=100012",
            "fake.page/",
            "a.b/",
            "@@double@",
            "https://",
            "Ünïcode_FAKE",
            " @İstanbul_fake ",
            "https://t.me/Ωmega",
            "",
            "   ",
            "/",
            "WWW.",
            "HTTPS://www.x.com",
            "@fake_😀",
            "plain",
            // Longer than a view's 12 inline bytes: shared with the account, or written anew.
            "@synthetic_handle_0001",
            "https://www.facebook.com/fake.page.long.name/?ref=share",
            "t.me/fake_channel_long_name",
            "@Fake_Handle_Upper_Case",
            "https://x.com/FAKE_LONG_HANDLE_01",
            "@ünïcode_fake_handle_long",
            "@fake_handle_0123",
        ];
        let ca: StringChunked = inputs.iter().map(|s| Some(*s)).chain([None]).collect();
        let keys = account_keys(&ca).unwrap();
        for (i, s) in inputs.iter().enumerate() {
            assert_eq!(keys.get(i), Some(account_key(s).as_str()), "input {s:?}");
        }
        assert_eq!(keys.get(inputs.len()), None);
        // Several chunks, each with its own buffers (as a Parquet file's row groups give).
        let mut chunked = ca.clone();
        chunked.append(&ca.slice(3, 20)).unwrap();
        let keys = account_keys(&chunked).unwrap();
        assert_eq!(keys.chunks().len(), 2);
        // Lower-case handles: every key is a slice of its account, and no buffer is added.
        let lower: StringChunked =
            ["@synthetic_handle_0001", "x.com/synthetic_handle_0002"].iter().map(|s| Some(*s)).collect();
        let shared = account_keys(&lower).unwrap();
        let (k, a) = (shared.downcast_iter().next().unwrap(), lower.downcast_iter().next().unwrap());
        assert_eq!(k.data_buffers().len(), a.data_buffers().len());
        assert_eq!(shared.get(1), Some("synthetic_handle_0002"));
        for (k, a) in keys.iter().zip(chunked.iter()) {
            assert_eq!(k.map(str::to_string), a.map(account_key));
        }
    }

    #[test]
    fn clean_columns_are_not_copied_and_labels_map_per_value() {
        let ca: StringChunked = ["a", "b", "a"].iter().map(|s| Some(*s)).collect();
        let col = ca.clone().into_column();
        let same = clean_text(&col).unwrap();
        assert!(same
            .downcast_iter()
            .zip(ca.downcast_iter())
            .all(|(x, y)| std::ptr::eq(x.views().as_ptr(), y.views().as_ptr())));
        let messy: StringChunked = [Some(" Twitter "), Some(""), None, Some("FB"), Some("x")].into_iter().collect();
        let v = Vocabulary::default();
        let (mapped, map) =
            map_open_labels(&clean_text(&messy.into_column()).unwrap(), PLATFORM, &|s| v.platform_alias(s)).unwrap();
        assert!(mapped.dtype().is_categorical());
        let mapped = crate::schema::text_of(&mapped).unwrap();
        let got: Vec<Option<&str>> = mapped.iter().collect();
        assert_eq!(got, [Some("x"), None, None, Some("facebook"), Some("x")]);
        let uses = map.uses(&[false, false, false, true, false]);
        let row = |l: &str| {
            uses.iter().find(|u| u.label == l).map(|u| (u.value.as_str(), u.known, u.rows_accepted, u.rows_rejected))
        };
        assert_eq!(row("Twitter"), Some(("x", true, 1, 0)));
        assert_eq!(row("FB"), Some(("facebook", true, 0, 1)));
        // An unknown label is kept exactly as given and listed as new.
        let odd: StringChunked = [Some("WhatsApp channel"), Some("whatsapp-channel")].into_iter().collect();
        let (kept, map) = map_open_labels(&odd, PLATFORM, &|s| v.platform_alias(s)).unwrap();
        let kept = crate::schema::text_of(&kept).unwrap();
        assert_eq!(kept.iter().collect::<Vec<_>>(), [Some("WhatsApp channel"), Some("whatsapp-channel")]);
        assert!(map.uses(&[false, false]).iter().all(|u| !u.known && u.rows_accepted == 1));
    }

    #[test]
    fn duplicates_found_by_partition_agree_with_the_exact_check() {
        let ids: StringChunked =
            (0..5000u32).map(|i| if i % 97 == 0 { None } else { Some(format!("id{}", (i * 7919) % 3001)) }).collect();
        let rows = Rows::Sequential;
        let ctx = Ctx { file: "f", rows: &rows, thousands: None };
        let got: Vec<(u64, String)> =
            duplicate_ids(&ids, &ctx, "case_id").into_iter().map(|(_, p)| (p.row, p.message)).collect();
        let all: Vec<u32> = (0..ids.len() as u32).collect();
        let want: Vec<(u64, String)> = exact_duplicates(&ids, &all)
            .into_iter()
            .map(|(i, j)| (i as u64 + 1, format!("case_id already used on row {}", j + 1)))
            .collect();
        assert!(!want.is_empty());
        assert_eq!(got, want);
    }
}
