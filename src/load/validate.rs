//! Raw columns to canonical cases: column matching, label mapping, parsing and every rule.

use std::collections::HashMap;

use polars::prelude::*;

use super::readers::{clip, Raw, Rows};
use super::{LabelUse, LoadOptions, LoadReport, OnInvalid};
use crate::cases::Cases;
use crate::dates::{infer_order, parse_datetime, DateOrder, MAX_MICROS, MICROS_PER_DAY, MIN_MICROS};
use crate::error::{Error, Problem, Result, Rule};
use crate::labels::Vocabulary;
use crate::schema::{account_key, col_names::*, Status, INPUT_COLUMNS, OPTIONAL_TEXT};
use crate::slices::{ByHash, Slices};

/// The largest `followers` accepted: 10^10, more than there are people.
pub const MAX_FOLLOWERS: i64 = 10_000_000_000;
/// The largest `count` accepted: 10^12 requests in one row.
pub const MAX_COUNT: i64 = 1_000_000_000_000;

/// Folds a header for matching: trimmed, lower case, spaces and `-` as `_`.
fn header_key(name: &str) -> String {
    name.trim().to_lowercase().replace([' ', '-'], "_")
}

pub(crate) struct Matched {
    /// canonical name → input column name
    pub canon: HashMap<&'static str, String>,
    pub extras: Vec<String>,
    /// Input columns not kept: an `account_key`, which is derived from `account` again.
    pub dropped: Vec<String>,
    report: Vec<(String, String)>,
}

pub(crate) fn match_columns(names: &[String], opts: &LoadOptions, source: &str) -> Result<Matched> {
    let canonical = |s: &str| INPUT_COLUMNS.iter().copied().find(|c| *c == s);
    let mut canon: HashMap<&'static str, String> = HashMap::new();
    let mut report = Vec::new();
    let mut taken: Vec<&str> = Vec::new();
    for (from, to) in &opts.columns {
        let Some(c) = canonical(to.trim()) else {
            return Err(Error::invalid_arg(
                "columns",
                format!("`{to}` is not a canonical column; use one of {}", INPUT_COLUMNS.join(", ")),
            ));
        };
        if !names.iter().any(|n| n == from) {
            return Err(Error::invalid_arg(
                "columns",
                format!("the mapping names `{from}`, which the input does not have (columns: {})", names.join(", ")),
            ));
        }
        if let Some(prev) = canon.insert(c, from.clone()) {
            return Err(Error::invalid_arg("columns", format!("both `{prev}` and `{from}` are mapped to `{c}`")));
        }
        taken.push(from);
        report.push((from.clone(), c.to_string()));
    }
    let mut extras = Vec::new();
    let mut dropped = Vec::new();
    for n in names {
        if taken.contains(&n.as_str()) {
            continue;
        }
        let key = header_key(n);
        if let Some(c) = canonical(&key) {
            if let Some(prev) = canon.get(c) {
                return Err(Error::AmbiguousColumn {
                    file: source.to_string(),
                    canonical: c.to_string(),
                    columns: vec![clip(prev), clip(n)],
                });
            }
            canon.insert(c, n.clone());
            if n != c {
                report.push((n.clone(), c.to_string()));
            }
        } else if key == ACCOUNT_KEY {
            // What `Cases::frame` writes reads back: the key is derived from `account` again.
            dropped.push(n.clone());
        } else {
            extras.push(n.clone());
        }
    }
    Ok(Matched { canon, extras, dropped, report })
}

/// The canonical columns this input must have (see [`LoadOptions::required_for`]) and whether it
/// is an aggregate table; fails naming every required column that is absent.
pub(crate) fn check_required(
    m: &Matched,
    names: &[String],
    opts: &LoadOptions,
    source: &str,
) -> Result<(Vec<String>, bool)> {
    if let Some(req) = &opts.required {
        for r in req {
            if !INPUT_COLUMNS.contains(&r.as_str()) {
                return Err(Error::invalid_arg(
                    "required",
                    format!("`{r}` is not a canonical column; use some of {}", INPUT_COLUMNS.join(", ")),
                ));
            }
        }
    }
    let (required, aggregate) = opts.required_for(&|c| m.canon.contains_key(c));
    let missing: Vec<String> = INPUT_COLUMNS
        .iter()
        .filter(|c| required.iter().any(|r| r == *c) && !m.canon.contains_key(*c))
        .map(|c| c.to_string())
        .collect();
    if let Some(first) = missing.first() {
        return Err(Error::MissingColumn {
            file: source.to_string(),
            name: first.clone(),
            found: clip_list(names, 1000),
            missing,
        });
    }
    Ok((required, aggregate))
}

/// Names joined with ", ", cut short (with a count of the rest) past `max` characters, so that a
/// header of a million columns does not make a message of megabytes.
pub(crate) fn clip_list(names: &[String], max: usize) -> String {
    let mut out = String::new();
    for (i, n) in names.iter().enumerate() {
        if out.len() + n.len() > max {
            out.push_str(&format!("… and {} more", names.len() - i));
            break;
        }
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&clip(n));
    }
    out
}

/// Fails when a canonical column has a type that no value of it can have: nested (struct, list,
/// array) or binary. Cast to text, such a column would be read as something it is not.
fn check_types(frame: &DataFrame, m: &Matched, source: &str) -> Result<()> {
    for (canon, name) in &m.canon {
        let dtype = frame.column(name)?.dtype();
        if dtype.is_nested() || matches!(dtype, DataType::Binary | DataType::BinaryOffset) {
            let expected = match *canon {
                REPORTED_AT | ACTIONED_AT => "dates, datetimes or text",
                FOLLOWERS | COUNT => "whole numbers or text",
                _ => "text, numbers or categories",
            };
            return Err(Error::ColumnType {
                file: source.to_string(),
                column: clip(name),
                canonical: canon.to_string(),
                dtype: dtype.to_string(),
                expected: expected.into(),
            });
        }
    }
    Ok(())
}

/// Rejects the rows that would push a total past `i64::MAX`: of `count` (requests), of
/// `followers`, and of followers × count (the undeduplicated reach). Values on accepted rows are
/// at least 0, so every sum an analytic takes is at most one of these totals and none can wrap.
fn totals(
    count: Option<&Int64Chunked>,
    followers: Option<&Int64Chunked>,
    bad: &[bool],
    ctx: &Ctx,
    names: (&str, &str),
) -> Found {
    let n = bad.len() as i128;
    let max_c = count.and_then(|c| c.max()).unwrap_or(1).max(1) as i128;
    let max_f = followers.and_then(|f| f.max()).unwrap_or(0).max(1) as i128;
    if n * max_c * max_f <= i64::MAX as i128 {
        return Vec::new();
    }
    let (mut sum_c, mut sum_f, mut sum_fc) = (0i64, 0i64, 0i64);
    let mut found = Vec::new();
    for (i, b) in bad.iter().enumerate() {
        if *b {
            continue;
        }
        let c = count.and_then(|c| c.get(i)).unwrap_or(1);
        let f = followers.and_then(|f| f.get(i)).unwrap_or(0);
        let next = (sum_c.checked_add(c), sum_f.checked_add(f), f.checked_mul(c).and_then(|fc| sum_fc.checked_add(fc)));
        match next {
            (Some(a), Some(b), Some(c)) => (sum_c, sum_f, sum_fc) = (a, b, c),
            (None, _, _) => found.push(ctx.problem(i, names.0, &c.to_string(), Rule::ValueTooLarge,
                "with this row the total of `count` would pass 2^63 - 1, more than a 64-bit sum holds".into())),
            _ => found.push(ctx.problem(i, names.1, &f.to_string(), Rule::ValueTooLarge,
                "with this row the total of followers (or followers x count) would pass 2^63 - 1, more than a 64-bit sum holds".into())),
        }
    }
    found
}

/// Where problems are reported from: the source and its row numbers.
struct Ctx<'a> {
    file: &'a str,
    rows: &'a Rows,
}

/// Problems found by one column task, each with the frame row it makes bad.
type Found = Vec<(usize, Problem)>;

impl Ctx<'_> {
    fn problem(&self, i: usize, column: &str, value: &str, rule: Rule, message: String) -> (usize, Problem) {
        (
            i,
            Problem {
                file: self.file.to_string(),
                row: self.rows.get(i),
                column: column.to_string(),
                value: clip(value),
                rule,
                message,
            },
        )
    }

    /// A `Required` problem for every null of `ca`.
    fn required(&self, ca: &StringChunked, column: &str, canonical: &str) -> Found {
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

/// A column as text (strings as they are; other dtypes cast to their string form).
fn as_text(col: &Column) -> Result<StringChunked> {
    let s = if col.dtype() == &DataType::String { col.clone() } else { col.cast(&DataType::String)? };
    Ok(s.str()?.clone())
}

fn trimmed(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

fn needs_trim(s: &str) -> bool {
    match (s.chars().next(), s.chars().next_back()) {
        (Some(a), Some(b)) => a.is_whitespace() || b.is_whitespace(),
        _ => true,
    }
}

/// A column as trimmed text with empty as null. A column that is already clean is returned as it
/// is (no copy).
fn clean_text(col: &Column) -> Result<StringChunked> {
    let ca = as_text(col)?;
    if !ca.iter().any(|v| v.is_some_and(needs_trim)) {
        return Ok(ca);
    }
    let out: StringChunked = ca.iter().map(trimmed).collect();
    Ok(out.with_name(ca.name().clone()))
}

/// The distinct values of a column in order of first appearance, and each row's index into them
/// (`u32::MAX` for null). Labels are then mapped once per distinct value, not once per row.
fn distinct_codes(ca: &StringChunked) -> (Vec<u32>, Vec<&str>) {
    let mut index: PlHashMap<&str, u32> = PlHashMap::new();
    let mut values: Vec<&str> = Vec::new();
    let codes = ca
        .iter()
        .map(|v| match v {
            None => u32::MAX,
            Some(s) => *index.entry(s).or_insert_with(|| {
                values.push(s);
                (values.len() - 1) as u32
            }),
        })
        .collect();
    (codes, values)
}

/// Rebuilds a text column from codes and one output per distinct value.
fn from_codes(name: &str, codes: &[u32], mapped: &[&str]) -> StringChunked {
    let ca: StringChunked = codes.iter().map(|&c| (c != u32::MAX).then(|| mapped[c as usize])).collect();
    ca.with_name(name.into())
}

/// How the labels of one categorical column were mapped: each distinct label as given, the value
/// it became and whether the vocabulary knew it, and each row's label (`u32::MAX` for null).
pub(crate) struct LabelMap {
    column: &'static str,
    codes: Vec<u32>,
    labels: Vec<(String, String, bool)>,
}

impl LabelMap {
    /// Each label with its rows accepted and rejected (`bad` marks the rejected frame rows).
    fn uses(&self, bad: &[bool]) -> Vec<LabelUse> {
        let mut acc = vec![0u64; self.labels.len()];
        let mut rej = vec![0u64; self.labels.len()];
        for (&c, &b) in self.codes.iter().zip(bad) {
            if c != u32::MAX {
                if b {
                    rej[c as usize] += 1
                } else {
                    acc[c as usize] += 1
                }
            }
        }
        self.labels
            .iter()
            .zip(acc.into_iter().zip(rej))
            .filter(|(_, (a, r))| a + r > 0)
            .map(|((label, value, known), (a, r))| LabelUse {
                column: self.column.to_string(),
                label: label.clone(),
                value: value.clone(),
                known: *known,
                rows_accepted: a,
                rows_rejected: r,
            })
            .collect()
    }
}

/// Maps the labels of an open set (platforms, groups): a label the vocabulary knows becomes its
/// canonical value; an unknown one is kept exactly as given (trimmed), and the load report lists
/// it as new. Unknown labels are not merged with each other (`WhatsApp channel` and
/// `whatsapp-channel` stay two values, both listed) and never lower-cased or re-spelled; an alias
/// in the load options merges them. Returns the column as it is when nothing changes.
fn map_open_labels(
    ca: StringChunked,
    column: &'static str,
    known: &dyn Fn(&str) -> Option<String>,
) -> (StringChunked, LabelMap) {
    let (codes, values) = distinct_codes(&ca);
    let labels: Vec<(String, String, bool)> = values
        .iter()
        .map(|v| match known(v) {
            Some(canon) => (v.to_string(), canon, true),
            None => (v.to_string(), v.to_string(), false),
        })
        .collect();
    let out = if labels.iter().all(|(l, v, _)| l == v) {
        drop(values);
        ca
    } else {
        let targets: Vec<&str> = labels.iter().map(|(_, v, _)| v.as_str()).collect();
        from_codes(ca.name().as_str(), &codes, &targets)
    };
    (out, LabelMap { column, codes, labels })
}

/// How a whole-number column is read: the largest value it can hold, and whether NaN means
/// missing (pandas writes a column of integers with gaps as floats with NaN; true for `followers`,
/// not for `count`, where every row must say how many requests it stands for).
struct IntRule {
    max: i64,
    nan_is_missing: bool,
}

/// Parses a whole-number column. Integers pass; floats with no fraction pass (pandas writes a
/// column of integers with gaps as floats); strings are parsed the same way. A value over
/// `rule.max` is `value_too_large`; NaN is missing or `invalid_integer` as `rule` says.
fn int_column(col: &Column, ctx: &Ctx, name: &str, rule: &IntRule) -> Result<(Int64Chunked, Found)> {
    let mut found = Vec::new();
    let msg = "not a whole number";
    let out: Int64Chunked = match col.dtype() {
        dt if dt.is_integer() => {
            let cast = col.cast(&DataType::Int64)?;
            let ca = cast.i64()?.clone();
            if ca.null_count() != col.null_count() {
                // Only UInt64 values above i64::MAX turn null in the cast.
                let raw = col.as_materialized_series();
                for (i, v) in ca.iter().enumerate() {
                    if v.is_none() && !raw.get(i).map(|a| a.is_null()).unwrap_or(true) {
                        found.push(ctx.problem(
                            i,
                            name,
                            &value_text(col, i),
                            Rule::ValueTooLarge,
                            format!("over the largest accepted value, {}", rule.max),
                        ));
                    }
                }
            }
            ca
        }
        DataType::Float32 | DataType::Float64 => {
            let cast = col.cast(&DataType::Float64)?;
            cast.f64()?
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    None => None,
                    Some(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
                    Some(f) if f.is_nan() && rule.nan_is_missing => None,
                    Some(f) => {
                        found.push(ctx.problem(i, name, &f.to_string(), Rule::InvalidInteger, msg.into()));
                        None
                    }
                })
                .collect()
        }
        _ => {
            let text = as_text(col)?;
            text.iter()
                .enumerate()
                .map(|(i, v)| match trimmed(v) {
                    None => None,
                    Some(s) => match parse_int(s) {
                        Ok(x) => Some(x),
                        Err(Rule::ValueTooLarge) => {
                            found.push(ctx.problem(
                                i,
                                name,
                                s,
                                Rule::ValueTooLarge,
                                format!("over the largest accepted value, {}", rule.max),
                            ));
                            None
                        }
                        Err(r) => {
                            found.push(ctx.problem(i, name, s, r, msg.into()));
                            None
                        }
                    },
                })
                .collect()
        }
    };
    if out.max().is_some_and(|m| m > rule.max) {
        for (i, v) in out.iter().enumerate() {
            if v.is_some_and(|v| v > rule.max) {
                found.push(ctx.problem(
                    i,
                    name,
                    &value_text(col, i),
                    Rule::ValueTooLarge,
                    format!("over the largest accepted value, {}", rule.max),
                ));
            }
        }
        found.sort_by_key(|(i, _)| *i);
        let out: Int64Chunked = out.iter().map(|v| v.filter(|v| *v <= rule.max)).collect();
        return Ok((out.with_name(name.into()), found));
    }
    Ok((out.with_name(name.into()), found))
}

/// A whole number written as text: `7`, `+7`, `7.0`. Digits beyond what 64 bits hold are
/// `value_too_large` (a number, just too big), anything else that is no whole number
/// `invalid_integer`.
fn parse_int(s: &str) -> std::result::Result<i64, Rule> {
    let s = s.strip_prefix('+').unwrap_or(s);
    if let Ok(v) = s.parse::<i64>() {
        return Ok(v);
    }
    let digits = s.strip_prefix('-').unwrap_or(s);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Rule::ValueTooLarge);
    }
    let f: f64 = s.parse().map_err(|_| Rule::InvalidInteger)?;
    if s.contains(['e', 'E', 'i', 'n', 'N']) || !f.is_finite() || f.fract() != 0.0 {
        return Err(Rule::InvalidInteger);
    }
    if f.abs() >= 9.0e15 {
        return Err(Rule::ValueTooLarge);
    }
    Ok(f as i64)
}

/// A value of any dtype as text for a problem report.
fn value_text(col: &Column, i: usize) -> String {
    match col.get(i) {
        Ok(AnyValue::String(s)) => s.to_string(),
        Ok(AnyValue::Null) => String::new(),
        Ok(v) => v.to_string(),
        Err(_) => String::new(),
    }
}

const DATE_RANGE: &str =
    "outside the accepted range, 1900-01-01 to 2199-12-31: check the year, and for numbers the unit";

/// Parses a date column to microseconds since the epoch: Date and Datetime dtypes directly (zoned
/// values are already UTC instants), strings with [`parse_datetime`]. Checks `required` and the
/// range ([`MIN_MICROS`], [`MAX_MICROS`]).
fn date_column(
    col: &Column,
    order: DateOrder,
    ctx: &Ctx,
    name: &str,
    required: Option<&str>,
) -> Result<(Int64Chunked, Found)> {
    let mut found = Vec::new();
    let in_range = |us: i64| (MIN_MICROS..MAX_MICROS).contains(&us);
    let out: Int64Chunked = match col.dtype() {
        dt @ (DataType::Date | DataType::Datetime(_, _)) => {
            // Microseconds per stored unit; nanoseconds are divided instead.
            let (per, unit) = match dt {
                DataType::Date => (MICROS_PER_DAY, "days"),
                DataType::Datetime(TimeUnit::Milliseconds, _) => (1000, "milliseconds"),
                DataType::Datetime(TimeUnit::Microseconds, _) => (1, "microseconds"),
                _ => (0, "nanoseconds"),
            };
            let phys = col.to_physical_repr().cast(&DataType::Int64)?;
            let ca = phys.i64()?;
            let to_us = |v: i64| if per == 0 { Some(v.div_euclid(1000)) } else { v.checked_mul(per) };
            let ok = |v: Option<i64>| v.and_then(to_us).is_some_and(in_range);
            if ca.null_count() == ca.len() || (ok(ca.min()) && ok(ca.max())) {
                match per {
                    0 => ca.apply_values(|v| v.div_euclid(1000)),
                    1 => ca.clone(),
                    _ => ca * per,
                }
            } else {
                ca.iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let v = v?;
                        let us = to_us(v).filter(|u| in_range(*u));
                        if us.is_none() {
                            found.push(ctx.problem(
                                i,
                                name,
                                &format!("{v} {unit} since 1970-01-01"),
                                Rule::DateOutOfRange,
                                DATE_RANGE.into(),
                            ));
                        }
                        us
                    })
                    .collect()
            }
        }
        _ => {
            let text = as_text(col)?;
            let out = text
                .iter()
                .enumerate()
                .map(|(i, v)| match trimmed(v) {
                    None => {
                        if let Some(c) = required {
                            found.push(ctx.problem(i, name, "", Rule::Required, format!("`{c}` is required and empty")));
                        }
                        None
                    }
                    Some(s) => match parse_datetime(s, order) {
                        Ok(us) if in_range(us) => Some(us),
                        Ok(_) => {
                            found.push(ctx.problem(i, name, s, Rule::DateOutOfRange, DATE_RANGE.into()));
                            None
                        }
                        Err(rule) => {
                            let message = if rule == Rule::AmbiguousDate {
                                "day and month could each be either; set date_order to day-first or month-first".to_string()
                            } else {
                                "not a date in an accepted form (ISO 2025-03-14[T09:30[:00][Z|+05:00]], or dd/mm/yyyy or mm/dd/yyyy with date_order)".to_string()
                            };
                            found.push(ctx.problem(i, name, s, rule, message));
                            None
                        }
                    },
                })
                .collect();
            found.sort_by_key(|(i, p)| (*i, p.rule != Rule::Required));
            return Ok((out, found));
        }
    };
    if let Some(c) = required {
        if out.null_count() > 0 {
            let flagged: Vec<usize> = found.iter().map(|(i, _)| *i).collect();
            let mut flagged = flagged.into_iter().peekable();
            for (i, v) in out.iter().enumerate() {
                while flagged.peek().is_some_and(|f| *f < i) {
                    flagged.next();
                }
                if v.is_none() && flagged.peek() != Some(&i) {
                    found.push(ctx.problem(i, name, "", Rule::Required, format!("`{c}` is required and empty")));
                }
            }
            found.sort_by_key(|(i, _)| *i);
        }
    }
    Ok((out, found))
}

/// `DuplicateCaseId` for every id already used on an earlier row.
///
/// Radix-partitioned: each id is hashed once, rows are split into 256 partitions by the top bits
/// of the hash, and each partition (small enough for the cache) is checked on its own, in
/// parallel. Equal hashes are confirmed by comparing the ids; a partition with a true hash
/// collision is checked again id by id.
fn duplicate_ids(ids: &StringChunked, ctx: &Ctx, name: &str) -> Found {
    use rayon::prelude::*;
    use std::hash::BuildHasher;
    let state = PlRandomState::default();
    let (hashes, present): (Vec<u64>, Vec<bool>) =
        ids.iter().map(|v| (v.map_or(0, |s| state.hash_one(s)), v.is_some())).unzip();
    let slices = Slices::new(&hashes, |i| present[i]);
    let pairs: Vec<(u32, u32)> = (0..slices.len())
        .into_par_iter()
        .flat_map_iter(|p| {
            let rows = slices.get(p);
            let mut first: ByHash<u32> = ByHash::with_capacity_and_hasher(rows.len(), Default::default());
            let mut out = Vec::new();
            for &i in rows {
                let j = *first.entry(hashes[i as usize]).or_insert(i);
                if j != i {
                    if ids.get(i as usize) != ids.get(j as usize) {
                        return exact_duplicates(ids, rows);
                    }
                    out.push((i, j));
                }
            }
            out
        })
        .collect();
    let mut pairs = pairs;
    pairs.sort_unstable();
    pairs
        .into_iter()
        .map(|(i, j)| {
            let (i, j) = (i as usize, j as usize);
            let msg = format!("case_id already used on row {}", ctx.rows.get(j));
            ctx.problem(i, name, ids.get(i).unwrap_or_default(), Rule::DuplicateCaseId, msg)
        })
        .collect()
}

/// (row, first row with the same id) for the repeated ids among `rows` (in row order).
fn exact_duplicates(ids: &StringChunked, rows: &[u32]) -> Vec<(u32, u32)> {
    let mut first: PlHashMap<&str, u32> = PlHashMap::with_capacity(rows.len());
    let mut out = Vec::new();
    for &i in rows {
        let Some(id) = ids.get(i as usize) else { continue };
        let j = *first.entry(id).or_insert(i);
        if j != i {
            out.push((i, j));
        }
    }
    out
}

/// The status column: each distinct label looked up once. Returns the canonical column, each
/// row's outcome, the label map and the problems.
struct StatusOut {
    column: StringChunked,
    pending: Vec<bool>,
    labels: LabelMap,
    found: Found,
}

fn status_column(col: &Column, vocab: &Vocabulary, ctx: &Ctx, name: &str) -> Result<StatusOut> {
    let ca = clean_text(col)?;
    let (codes, values) = distinct_codes(&ca);
    let statuses: Vec<Option<Status>> = values.iter().map(|s| vocab.status(s)).collect();
    let mut found = Vec::new();
    let unknown = "not a known status label; canonical outcomes are removed, restricted, rejected, pending: add this label to the status mapping";
    for (i, &c) in codes.iter().enumerate() {
        if c == u32::MAX {
            found.push(ctx.problem(i, name, "", Rule::Required, "`status` is required and empty".into()));
        } else if statuses[c as usize].is_none() {
            found.push(ctx.problem(i, name, values[c as usize], Rule::UnknownStatus, unknown.into()));
        }
    }
    let labels: Vec<(String, String, bool)> = values
        .iter()
        .zip(&statuses)
        .map(|(v, st)| match st {
            Some(st) => (v.to_string(), st.as_str().to_string(), true),
            None => (v.to_string(), v.to_string(), false),
        })
        .collect();
    let pending_code: Vec<bool> = statuses.iter().map(|s| *s == Some(Status::Pending)).collect();
    let pending = codes.iter().map(|&c| c != u32::MAX && pending_code[c as usize]).collect();
    let canonical = values.iter().zip(&statuses).all(|(v, s)| s.map(|s| s.as_str()) == Some(*v));
    let column = if canonical && ca.null_count() == 0 {
        drop(values);
        ca.with_name(STATUS.into())
    } else {
        let mapped: Vec<&str> = statuses.iter().map(|s| s.map(|s| s.as_str()).unwrap_or("")).collect();
        let mut ca = from_codes(STATUS, &codes, &mapped);
        // Rows with an unknown label are rejected; an empty string stands in until they are.
        ca.rename(STATUS.into());
        ca
    };
    Ok(StatusOut { column, pending, labels: LabelMap { column: STATUS, codes, labels }, found })
}

/// Folds an account the way [`account_key`] does, without allocating for ASCII input.
fn account_keys(ca: &StringChunked) -> StringChunked {
    let out = ca.apply_into_string_amortized(|s, buf| {
        if !s.is_ascii() {
            buf.push_str(&account_key(s));
            return;
        }
        let mut t = s.trim();
        let lower_starts =
            |t: &str, p: &str| t.len() >= p.len() && t.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes());
        for scheme in ["https://", "http://"] {
            if lower_starts(t, scheme) {
                t = &t[scheme.len()..];
                if let Some(pos) = t.find('/') {
                    t = &t[pos + 1..];
                }
                break;
            }
        }
        if lower_starts(t, "www.") {
            t = &t[4..];
        }
        let t = t.trim_end_matches('/').trim_start_matches('@');
        buf.extend(t.bytes().map(|b| b.to_ascii_lowercase() as char));
    });
    out.with_name(ACCOUNT_KEY.into())
}

/// Runs `f` and stores its result in `slot` (for the parallel column tasks).
fn run<'s, T: Send>(s: &rayon::Scope<'s>, slot: &'s mut Option<Result<T>>, f: impl FnOnce() -> Result<T> + Send + 's) {
    s.spawn(move |_| *slot = Some(f()));
}

fn take<T>(slot: Option<Result<T>>) -> Result<T> {
    slot.unwrap_or_else(|| Err(Error::Internal("a validation task did not run".into())))
}

type TextOut = Option<(StringChunked, Found)>;

pub(crate) fn validate(raw: Raw, opts: &LoadOptions) -> Result<Cases> {
    validate_with(raw, opts, Scope::Load)
}

/// What a validation is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// A load: every rule, every column.
    Load,
    /// One batch of a scan: no duplicate-`case_id` rule (a batch cannot see the others);
    /// `account_key` derived only when `keys` (the query counts accounts), else left null.
    Batch { keys: bool },
}

/// Validates `raw` for `scope`.
pub(crate) fn validate_with(raw: Raw, opts: &LoadOptions, scope: Scope) -> Result<Cases> {
    let check_ids = scope == Scope::Load;
    let derive_keys = !matches!(scope, Scope::Batch { keys: false });
    let Raw { source, frame, rows, rows_read, problems: read_problems, sha256 } = raw;
    let names: Vec<String> = frame.get_column_names().iter().map(|s| s.to_string()).collect();
    let m = match_columns(&names, opts, &source)?;
    let (required_cols, aggregate) = check_required(&m, &names, opts, &source)?;
    let required = |c: &str| required_cols.iter().any(|r| r == c);
    check_types(&frame, &m, &source)?;
    let n = frame.height();
    if n >= u32::MAX as usize {
        return Err(Error::invalid_arg(
            "input",
            format!("{n} rows is more than one load takes (under 2^32); split the input"),
        ));
    }
    let vocab = Vocabulary::new(&opts.status_labels, &opts.platform_aliases, &opts.group_aliases);
    let ctx = Ctx { file: &source, rows: &rows };
    let get = |c: &str| -> Option<(&str, &Column)> {
        m.canon.get(c).and_then(|name| frame.column(name).ok().map(|col| (name.as_str(), col)))
    };

    // Dates: resolve the day/month order once for the file.
    let order = if opts.date_order == DateOrder::Auto {
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

    // One task per column, run in parallel: each returns its column and its problems.
    let text = |c: &'static str| -> Result<TextOut> {
        let Some((name, col)) = get(c) else { return Ok(None) };
        let ca = clean_text(col)?;
        let found = if required(c) { ctx.required(&ca, name, c) } else { Vec::new() };
        Ok(Some((ca.with_name(c.into()), found)))
    };
    let labelled = |c: &'static str,
                    known: &(dyn Fn(&str) -> Option<String> + Sync)|
     -> Result<Option<(StringChunked, Found, LabelMap)>> {
        let Some((name, col)) = get(c) else { return Ok(None) };
        let (ca, map) = map_open_labels(clean_text(col)?, c, known);
        let found = if required(c) { ctx.required(&ca, name, c) } else { Vec::new() };
        Ok(Some((ca.with_name(c.into()), found, map)))
    };
    let platform_map = |s: &str| vocab.platform_alias(s);
    let group_map = |s: &str| vocab.group_alias(s);
    let date = |c: &'static str| -> Result<Option<(Int64Chunked, Found)>> {
        let Some((name, col)) = get(c) else { return Ok(None) };
        date_column(col, order, &ctx, name, required(c).then_some(c)).map(Some)
    };
    let (mut t_case, mut t_dup, mut t_platform, mut t_account, mut t_group, mut t_agency, mut t_optional) =
        (None, None, None, None, None, None, None);
    let (mut t_status, mut t_followers, mut t_count, mut t_reported, mut t_actioned) = (None, None, None, None, None);
    rayon::scope(|s| {
        run(s, &mut t_case, || text(CASE_ID));
        run(s, &mut t_dup, || {
            let Some((name, col)) = get(CASE_ID).filter(|_| check_ids) else { return Ok(Vec::new()) };
            Ok(duplicate_ids(&clean_text(col)?, &ctx, name))
        });
        run(s, &mut t_platform, || labelled(PLATFORM, &platform_map));
        run(s, &mut t_account, || {
            let Some((ca, mut found)) = text(ACCOUNT)? else { return Ok(None) };
            // Keys are always derived to check that each account names one; a batch of a scan
            // that does not count accounts then drops them.
            let keys = account_keys(&ca);
            if keys.iter().zip(ca.iter()).any(|(k, a)| a.is_some() && k.is_some_and(str::is_empty)) {
                let name = get(ACCOUNT).map_or(ACCOUNT, |(n, _)| n);
                for (i, (k, a)) in keys.iter().zip(ca.iter()).enumerate() {
                    if let (Some(a), Some("")) = (a, k) {
                        found.push(ctx.problem(i, name, a, Rule::InvalidAccount,
                            "names no account once the URL, `@` and slashes are taken off; give the handle, id or profile URL".into()));
                    }
                }
                found.sort_by_key(|(i, _)| *i);
            }
            let keys = if derive_keys { keys } else { StringChunked::full_null(ACCOUNT_KEY.into(), ca.len()) };
            Ok(Some((keys, ca, found)))
        });
        run(s, &mut t_group, || labelled(GROUP, &group_map));
        run(s, &mut t_agency, || text(AGENCY));
        run(s, &mut t_optional, || {
            OPTIONAL_TEXT.iter().filter_map(|c| text(c).transpose()).collect::<Result<Vec<_>>>()
        });
        run(s, &mut t_status, || {
            let (name, col) = get(STATUS).ok_or_else(|| Error::invalid_arg("status", "missing"))?;
            status_column(col, &vocab, &ctx, name)
        });
        run(s, &mut t_followers, || {
            let Some((name, col)) = get(FOLLOWERS) else { return Ok(None) };
            let (v, mut found) = int_column(col, &ctx, name, &IntRule { max: MAX_FOLLOWERS, nan_is_missing: true })?;
            if v.min().is_some_and(|m| m < 0) {
                for (i, f) in v.iter().enumerate() {
                    if matches!(f, Some(x) if x < 0) {
                        found.push(ctx.problem(
                            i,
                            name,
                            &value_text(col, i),
                            Rule::NegativeFollowers,
                            "followers cannot be negative".into(),
                        ));
                    }
                }
            }
            Ok(Some((v, found)))
        });
        run(s, &mut t_count, || {
            let Some((name, col)) = get(COUNT) else { return Ok(None) };
            let (v, mut found) = int_column(col, &ctx, name, &IntRule { max: MAX_COUNT, nan_is_missing: false })?;
            if v.null_count() == 0 && v.min().is_none_or(|m| m >= 0) {
                return Ok(Some((v, found)));
            }
            let flagged: std::collections::HashSet<usize> = found.iter().map(|(i, _)| *i).collect();
            for (i, c) in v.iter().enumerate() {
                match c {
                    None if !flagged.contains(&i) => found.push(ctx.problem(i, name, "", Rule::Required,
                        "`count` is empty: every row must say how many requests it stands for (0 for an empty cell of a published table)".into())),
                    Some(x) if x < 0 => found.push(ctx.problem(i, name, &x.to_string(), Rule::InvalidCount, "count must be a whole number of at least 0".into())),
                    _ => {}
                }
            }
            found.sort_by_key(|(i, _)| *i);
            Ok(Some((v, found)))
        });
        run(s, &mut t_reported, || date(REPORTED_AT));
        run(s, &mut t_actioned, || date(ACTIONED_AT));
    });
    let case_id = take(t_case)?;
    let platform = take(t_platform)?;
    let account = take(t_account)?;
    let group = take(t_group)?;
    let agency = take(t_agency)?;
    let optional = take(t_optional)?;
    let status = take(t_status)?;
    let followers = take(t_followers)?;
    let count = take(t_count)?;
    let reported = take(t_reported)?;
    let actioned = take(t_actioned)?;
    let duplicates = take(t_dup)?;

    // Rules across columns.
    let mut cross: Found = Vec::new();
    if let (Some((act, _)), Some((act_name, act_col))) = (&actioned, get(ACTIONED_AT)) {
        let rep: Option<&Int64Chunked> = reported.as_ref().map(|(r, _)| r);
        for (i, a) in act.iter().enumerate() {
            let Some(a) = a else { continue };
            if let Some(r) = rep.and_then(|r| r.get(i)) {
                if a < r {
                    cross.push(ctx.problem(
                        i,
                        act_name,
                        &value_text(act_col, i),
                        Rule::ActionedBeforeReported,
                        "actioned_at is earlier than reported_at".into(),
                    ));
                }
            }
            if status.pending[i] {
                cross.push(ctx.problem(
                    i,
                    act_name,
                    &value_text(act_col, i),
                    Rule::PendingWithActionedAt,
                    "a pending case has no actioned_at; set its status or clear the date".into(),
                ));
            }
        }
    }

    // Every problem, in a fixed order of columns (then sorted by row, stably).
    let mut found: Found = Vec::new();
    let mut add = |f: Found| found.extend(f);
    let mut case_id = case_id.map(|(ca, f)| {
        add(f);
        ca
    });
    let mut label_maps: Vec<LabelMap> = Vec::new();
    let platform = platform.map(|(ca, f, m)| {
        add(f);
        label_maps.push(m);
        ca
    });
    let account = account.map(|(key, ca, f)| {
        add(f);
        (ca, key)
    });
    let group = group.map(|(ca, f, m)| {
        add(f);
        label_maps.push(m);
        ca
    });
    let agency = agency.map(|(ca, f)| {
        add(f);
        ca
    });
    let optional: Vec<StringChunked> = optional
        .into_iter()
        .map(|(ca, f)| {
            add(f);
            ca
        })
        .collect();
    add(status.found);
    label_maps.push(status.labels);
    let followers = followers.map(|(v, f)| {
        add(f);
        v
    });
    let count = count.map(|(v, f)| {
        add(f);
        v
    });
    let reported = reported.map(|(v, f)| {
        add(f);
        v
    });
    let actioned = actioned.map(|(v, f)| {
        add(f);
        v
    });
    add(cross);
    add(duplicates);

    // Outcome: strict fails, quarantine splits.
    let mut bad = vec![false; n];
    let mut all = read_problems;
    let rejected_on_read = {
        let mut r: Vec<u64> = all.iter().map(|x| x.row).collect();
        r.dedup();
        r.len() as u64
    };
    for (i, p) in found {
        bad[i] = true;
        all.push(p);
    }
    let col_name = |c: &'static str| get(c).map_or(c, |(name, _)| name);
    for (i, p) in totals(count.as_ref(), followers.as_ref(), &bad, &ctx, (col_name(COUNT), col_name(FOLLOWERS))) {
        bad[i] = true;
        all.push(p);
    }
    all.sort_by_key(|x| x.row);
    if opts.on_invalid == OnInvalid::Raise && !all.is_empty() {
        let total = all.len();
        all.truncate(opts.max_problems.max(1));
        return Err(Error::Validation { problems: all, total });
    }
    let n_bad = bad.iter().filter(|b| **b).count();
    let rejected = rejected_on_read + n_bad as u64;
    let mut report = LoadReport::new(&source, rows_read, &all, rejected);
    report.labels = label_maps.iter().flat_map(|m| m.uses(&bad)).collect();
    report.aggregate = aggregate;
    report.sha256 = sha256;

    let mut filled = |c: &str| report.columns_filled.push(c.to_string());
    let null_text = |c: &str| StringChunked::full_null(c.into(), n).into_column();
    let mut cols: Vec<Column> = Vec::with_capacity(16);
    if case_id.is_none() {
        filled(CASE_ID);
        let ids: StringChunked = (0..n).map(|i| Some(rows.get(i).to_string())).collect();
        case_id = Some(ids.with_name(CASE_ID.into()));
    }
    cols.extend(case_id.map(IntoColumn::into_column));
    cols.push(platform.map(IntoColumn::into_column).unwrap_or_else(|| null_text(PLATFORM)));
    match account {
        Some((ca, key)) => {
            cols.push(ca.into_column());
            cols.push(key.into_column());
        }
        None => {
            filled(ACCOUNT);
            cols.push(null_text(ACCOUNT));
            cols.push(null_text(ACCOUNT_KEY));
        }
    }
    cols.push(group.map(IntoColumn::into_column).unwrap_or_else(|| {
        filled(GROUP);
        null_text(GROUP)
    }));
    cols.push(match followers {
        Some(v) => v.with_name(FOLLOWERS.into()).into_column(),
        None => {
            filled(FOLLOWERS);
            Int64Chunked::full_null(FOLLOWERS.into(), n).into_column()
        }
    });
    for (c, v) in [(REPORTED_AT, reported), (ACTIONED_AT, actioned)] {
        let v = v.unwrap_or_else(|| {
            filled(c);
            Int64Chunked::full_null(c.into(), n)
        });
        cols.push(v.with_name(c.into()).into_datetime(TimeUnit::Microseconds, None).into_column());
    }
    cols.push(status.column.into_column());
    cols.push(agency.map(IntoColumn::into_column).unwrap_or_else(|| {
        filled(AGENCY);
        null_text(AGENCY)
    }));
    cols.extend(optional.into_iter().map(IntoColumn::into_column));
    cols.push(match count {
        Some(v) => v.with_name(COUNT.into()).into_column(),
        None => Column::new_scalar(COUNT.into(), Scalar::new(DataType::Int64, AnyValue::Int64(1)), n),
    });
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
        report.accounts_in_several_groups = crate::metrics::reach::accounts_in_several_groups(&df)?;
    }
    let rejects = rejects_frame(&all)?;
    Ok(Cases::from_parts(df, report, rejects))
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
            col("column", &|p| p.column.clone()),
            col("value", &|p| p.value.clone()),
            col("rule", &|p| p.rule.as_str().to_string()),
            col("message", &|p| p.message.clone()),
        ],
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_keys_match_the_row_by_row_fold() {
        let inputs = [
            "@Fake_Handle",
            " https://x.com/Fake_Handle/ ",
            "HTTP://WWW.facebook.com/fake.page",
            "www.tiktok.com",
            "t.me/fakechannel",
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
        ];
        let ca: StringChunked = inputs.iter().map(|s| Some(*s)).chain([None]).collect();
        let keys = account_keys(&ca);
        for (i, s) in inputs.iter().enumerate() {
            assert_eq!(keys.get(i), Some(account_key(s).as_str()), "input {s:?}");
        }
        assert_eq!(keys.get(inputs.len()), None);
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
            map_open_labels(clean_text(&messy.into_column()).unwrap(), PLATFORM, &|s| v.platform_alias(s));
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
        let (kept, map) = map_open_labels(odd, PLATFORM, &|s| v.platform_alias(s));
        assert_eq!(kept.iter().collect::<Vec<_>>(), [Some("WhatsApp channel"), Some("whatsapp-channel")]);
        assert!(map.uses(&[false, false]).iter().all(|u| !u.known && u.rows_accepted == 1));
    }

    #[test]
    fn duplicates_found_by_partition_agree_with_the_exact_check() {
        let ids: StringChunked =
            (0..5000u32).map(|i| if i % 97 == 0 { None } else { Some(format!("id{}", (i * 7919) % 3001)) }).collect();
        let rows = Rows::Sequential;
        let ctx = Ctx { file: "f", rows: &rows };
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
