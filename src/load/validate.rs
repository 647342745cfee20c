//! Raw columns to canonical cases: column matching, label mapping, parsing and every rule.

use std::collections::{BTreeMap, HashMap};

use polars::prelude::*;

use super::readers::{clip, Raw};
use super::{LoadOptions, LoadReport, OnInvalid};
use crate::cases::Cases;
use crate::dates::{infer_order, parse_datetime, DateOrder, MICROS_PER_DAY};
use crate::error::{Error, Problem, Result, Rule};
use crate::labels::Vocabulary;
use crate::schema::{account_key, col_names::*, datetime_dtype, Status, INPUT_COLUMNS, OPTIONAL_TEXT};

/// Folds a header for matching: trimmed, lower case, spaces and `-` as `_`.
fn header_key(name: &str) -> String {
    name.trim().to_lowercase().replace([' ', '-'], "_")
}

struct Matched {
    /// canonical name → input column name
    canon: HashMap<&'static str, String>,
    extras: Vec<String>,
    report: Vec<(String, String)>,
}

fn match_columns(frame: &DataFrame, opts: &LoadOptions) -> Result<Matched> {
    let names: Vec<String> = frame.get_column_names().iter().map(|s| s.to_string()).collect();
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
    for n in &names {
        if taken.contains(&n.as_str()) {
            continue;
        }
        let key = header_key(n);
        if let Some(c) = canonical(&key) {
            if let Some(prev) = canon.get(c) {
                return Err(Error::invalid_arg(
                    "columns",
                    format!("both `{prev}` and `{n}` would be the canonical column `{c}`; map or drop one"),
                ));
            }
            canon.insert(c, n.clone());
            if n != c {
                report.push((n.clone(), c.to_string()));
            }
        } else if key == ACCOUNT_KEY {
            return Err(Error::invalid_arg(
                "columns",
                format!("the input column `{n}` has the reserved name `account_key` (derived from `account`); rename it"),
            ));
        } else {
            extras.push(n.clone());
        }
    }
    Ok(Matched { canon, extras, report })
}

/// Collects problems and marks rows bad.
struct Problems<'a> {
    file: &'a str,
    rows: &'a [u64],
    bad: Vec<bool>,
    list: Vec<Problem>,
}

impl Problems<'_> {
    fn push(&mut self, i: usize, column: &str, value: &str, rule: Rule, message: String) {
        self.bad[i] = true;
        self.list.push(Problem {
            file: self.file.to_string(),
            row: self.rows[i],
            column: column.to_string(),
            value: clip(value),
            rule,
            message,
        });
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

/// Parses a whole-number column. Integers pass; floats with no fraction pass (pandas writes a
/// column of integers with gaps as floats); strings are parsed the same way.
fn int_column(col: &Column, p: &mut Problems, name: &str) -> Result<Vec<Option<i64>>> {
    let n = col.len();
    let mut out = Vec::with_capacity(n);
    let msg = "not a whole number".to_string();
    match col.dtype() {
        dt if dt.is_integer() => {
            let cast = col.cast(&DataType::Int64)?;
            let ca = cast.i64()?;
            for (i, v) in ca.iter().enumerate() {
                if v.is_none() && !col.get(i).map(|a| a.is_null()).unwrap_or(true) {
                    p.push(i, name, &value_text(col, i), Rule::InvalidInteger, "too large for a 64-bit integer".into());
                }
                out.push(v);
            }
        }
        DataType::Float32 | DataType::Float64 => {
            let cast = col.cast(&DataType::Float64)?;
            for (i, v) in cast.f64()?.iter().enumerate() {
                out.push(match v {
                    None => None,
                    Some(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
                    Some(f) => {
                        if !f.is_nan() {
                            p.push(i, name, &f.to_string(), Rule::InvalidInteger, msg.clone());
                        }
                        None
                    }
                });
            }
        }
        _ => {
            let text = as_text(col)?;
            for (i, v) in text.iter().enumerate() {
                out.push(match trimmed(v) {
                    None => None,
                    Some(s) => match parse_int(s) {
                        Some(x) => Some(x),
                        None => {
                            p.push(i, name, s, Rule::InvalidInteger, msg.clone());
                            None
                        }
                    },
                });
            }
        }
    }
    Ok(out)
}

fn parse_int(s: &str) -> Option<i64> {
    let s = s.strip_prefix('+').unwrap_or(s);
    if let Ok(v) = s.parse::<i64>() {
        return Some(v);
    }
    let f: f64 = s.parse().ok()?;
    (f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 && !s.contains(['e', 'E', 'i', 'n', 'N'])).then_some(f as i64)
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

/// Parses a date column to microseconds: Date and Datetime dtypes directly (zoned values are
/// already UTC instants), strings with [`parse_datetime`].
fn date_column(col: &Column, order: DateOrder, p: &mut Problems, name: &str) -> Result<Vec<Option<i64>>> {
    match col.dtype() {
        DataType::Date => {
            let phys = col.cast(&DataType::Int32)?;
            Ok(phys.i32()?.iter().map(|d| d.map(|d| d as i64 * MICROS_PER_DAY)).collect())
        }
        DataType::Datetime(tu, _) => {
            let tu = *tu;
            let phys = col.cast(&DataType::Int64)?;
            Ok(phys
                .i64()?
                .iter()
                .map(|v| {
                    v.map(|v| match tu {
                        TimeUnit::Nanoseconds => v.div_euclid(1000),
                        TimeUnit::Microseconds => v,
                        TimeUnit::Milliseconds => v * 1000,
                    })
                })
                .collect())
        }
        _ => {
            let text = as_text(col)?;
            let mut out = Vec::with_capacity(text.len());
            for (i, v) in text.iter().enumerate() {
                out.push(match trimmed(v) {
                    None => None,
                    Some(s) => match parse_datetime(s, order) {
                        Ok(us) => Some(us),
                        Err(rule) => {
                            let message = if rule == Rule::AmbiguousDate {
                                "day and month could each be either; set date_order to day-first or month-first".to_string()
                            } else {
                                "not a date in an accepted form (ISO 2025-03-14[T09:30[:00][Z|+05:00]], or dd/mm/yyyy or mm/dd/yyyy with date_order)".to_string()
                            };
                            p.push(i, name, s, rule, message);
                            None
                        }
                    },
                });
            }
            Ok(out)
        }
    }
}

fn string_column(name: &str, values: Vec<Option<String>>) -> Column {
    Column::new(name.into(), values)
}

fn datetime_column(name: &str, values: Vec<Option<i64>>) -> Result<Column> {
    let ca: Int64Chunked = values.into_iter().collect();
    Ok(ca.with_name(name.into()).into_column().cast(&datetime_dtype())?)
}

pub(crate) fn validate(raw: Raw, opts: &LoadOptions) -> Result<Cases> {
    let Raw { source, frame, rows, rows_read, problems: read_problems } = raw;
    for r in &opts.required {
        if !INPUT_COLUMNS.contains(&r.as_str()) {
            return Err(Error::invalid_arg(
                "required",
                format!("`{r}` is not a canonical column; use some of {}", INPUT_COLUMNS.join(", ")),
            ));
        }
    }
    let m = match_columns(&frame, opts)?;
    let required = |c: &str| c == PLATFORM || c == STATUS || opts.required.iter().any(|r| r == c);
    for c in INPUT_COLUMNS {
        if required(c) && !m.canon.contains_key(c) {
            let found: Vec<String> = frame.get_column_names().iter().map(|s| s.to_string()).collect();
            return Err(Error::MissingColumn { file: source, name: c.to_string(), found: found.join(", ") });
        }
    }
    let n = frame.height();
    let vocab = Vocabulary::new(&opts.status_labels, &opts.platform_aliases, &opts.group_aliases);
    let mut p = Problems { file: &source, rows: &rows, bad: vec![false; n], list: Vec::new() };
    let get = |c: &str| m.canon.get(c).map(|name| (name.as_str(), frame.column(name)));

    // Text columns: trimmed, empty is null; required ones must be filled.
    let text = |c: &'static str, p: &mut Problems, map: &dyn Fn(&str) -> String| -> Result<Option<Vec<Option<String>>>> {
        let Some((name, col)) = get(c) else { return Ok(None) };
        let ca = as_text(col?)?;
        let mut cache: HashMap<&str, String> = HashMap::new();
        let mut out = Vec::with_capacity(n);
        for (i, v) in ca.iter().enumerate() {
            match trimmed(v) {
                None => {
                    if required(c) {
                        p.push(i, name, "", Rule::Required, format!("`{c}` is required and empty"));
                    }
                    out.push(None);
                }
                Some(s) => out.push(Some(cache.entry(s).or_insert_with(|| map(s)).clone())),
            }
        }
        Ok(Some(out))
    };
    let ident = |s: &str| s.to_string();
    let case_id = text(CASE_ID, &mut p, &ident)?;
    let platform = text(PLATFORM, &mut p, &|s| vocab.platform(s))?.unwrap_or_default();
    let account = text(ACCOUNT, &mut p, &ident)?;
    let group = text(GROUP, &mut p, &|s| vocab.group(s))?;
    let agency = text(AGENCY, &mut p, &ident)?;
    let mut optional = Vec::new();
    for c in OPTIONAL_TEXT {
        if let Some(v) = text(c, &mut p, &ident)? {
            optional.push((c, v));
        }
    }

    // Status: the label must be in the vocabulary.
    let (status_name, status_col) = get(STATUS).map(|(a, b)| (a, b)).ok_or_else(|| Error::invalid_arg("status", "missing"))?;
    let status_text = as_text(status_col?)?;
    let mut status: Vec<Option<Status>> = Vec::with_capacity(n);
    let mut label_counts: BTreeMap<String, (Status, u64)> = BTreeMap::new();
    for (i, v) in status_text.iter().enumerate() {
        match trimmed(v) {
            None => {
                p.push(i, status_name, "", Rule::Required, "`status` is required and empty".into());
                status.push(None);
            }
            Some(s) => match vocab.status(s) {
                Some(st) => {
                    label_counts.entry(s.to_string()).or_insert((st, 0)).1 += 1;
                    status.push(Some(st));
                }
                None => {
                    p.push(i, status_name, s, Rule::UnknownStatus,
                        "not a known status label; canonical outcomes are removed, restricted, rejected, pending: add this label to the status mapping".into());
                    status.push(None);
                }
            },
        }
    }

    // Whole numbers.
    let followers = match get(FOLLOWERS) {
        None => None,
        Some((name, col)) => {
            let col = col?;
            let v = int_column(col, &mut p, name)?;
            for (i, f) in v.iter().enumerate() {
                if matches!(f, Some(x) if *x < 0) {
                    p.push(i, name, &value_text(col, i), Rule::NegativeFollowers, "followers cannot be negative".into());
                }
            }
            Some(v)
        }
    };
    let count: Vec<i64> = match get(COUNT) {
        None => vec![1; n],
        Some((name, col)) => {
            let col = col?;
            let v = int_column(col, &mut p, name)?;
            v.iter()
                .enumerate()
                .map(|(i, c)| match c {
                    None => 1,
                    Some(x) if *x >= 1 => *x,
                    Some(x) => {
                        p.push(i, name, &x.to_string(), Rule::InvalidCount, "count must be a whole number of at least 1".into());
                        1
                    }
                })
                .collect()
        }
    };

    // Dates: resolve the day/month order once for the file.
    let order = if opts.date_order == DateOrder::Auto {
        let mut texts = Vec::new();
        for c in [REPORTED_AT, ACTIONED_AT] {
            if let Some((_, col)) = get(c) {
                let col = col?;
                if col.dtype() == &DataType::String {
                    texts.push(col.str()?.clone());
                }
            }
        }
        infer_order(texts.iter().flat_map(|ca| ca.iter().flatten()))
    } else {
        opts.date_order
    };
    let dates = |c: &'static str, p: &mut Problems| -> Result<Option<Vec<Option<i64>>>> {
        let Some((name, col)) = get(c) else { return Ok(None) };
        let col = col?;
        let v = date_column(col, order, p, name)?;
        if required(c) {
            for (i, d) in v.iter().enumerate() {
                if d.is_none() && value_text(col, i).trim().is_empty() {
                    p.push(i, name, "", Rule::Required, format!("`{c}` is required and empty"));
                }
            }
        }
        Ok(Some(v))
    };
    let reported = dates(REPORTED_AT, &mut p)?;
    let actioned = dates(ACTIONED_AT, &mut p)?;

    // Rules across columns.
    if let Some(act) = &actioned {
        let (act_name, act_col) = get(ACTIONED_AT).map(|(a, c)| (a, c)).ok_or_else(|| Error::invalid_arg("actioned_at", "missing"))?;
        let act_col = act_col?;
        for i in 0..n {
            let Some(a) = act[i] else { continue };
            if let Some(Some(r)) = reported.as_ref().map(|r| r[i]) {
                if a < r {
                    p.push(i, act_name, &value_text(act_col, i), Rule::ActionedBeforeReported,
                        "actioned_at is earlier than reported_at".into());
                }
            }
            if status[i] == Some(Status::Pending) {
                p.push(i, act_name, &value_text(act_col, i), Rule::PendingWithActionedAt,
                    "a pending case has no actioned_at; set its status or clear the date".into());
            }
        }
    }
    if let Some(ids) = &case_id {
        let name = &m.canon[CASE_ID];
        let mut first: HashMap<&str, usize> = HashMap::with_capacity(n);
        for (i, id) in ids.iter().enumerate() {
            if let Some(id) = id {
                if let Some(&j) = first.get(id.as_str()) {
                    let msg = format!("case_id already used on row {}", rows[j]);
                    p.push(i, name, id, Rule::DuplicateCaseId, msg);
                } else {
                    first.insert(id, i);
                }
            }
        }
    }

    // Outcome: strict fails, quarantine splits.
    let Problems { bad, list, .. } = p;
    let mut all = read_problems;
    let rejected_on_read = {
        let mut r: Vec<u64> = all.iter().map(|x| x.row).collect();
        r.dedup();
        r.len() as u64
    };
    all.extend(list);
    all.sort_by_key(|x| x.row);
    if opts.on_invalid == OnInvalid::Raise && !all.is_empty() {
        let total = all.len();
        all.truncate(opts.max_problems.max(1));
        return Err(Error::Validation { problems: all, total });
    }
    let rejected = rejected_on_read + bad.iter().filter(|b| **b).count() as u64;
    let mut report = LoadReport::new(&source, rows_read, &all, rejected);

    let mut cols: Vec<Column> = Vec::new();
    let case_ids = match case_id {
        Some(v) => v,
        None => {
            report.columns_filled.push(CASE_ID.into());
            rows.iter().map(|r| Some(r.to_string())).collect()
        }
    };
    cols.push(string_column(CASE_ID, case_ids));
    cols.push(string_column(PLATFORM, platform));
    let fill_text = |c: &str, v: Option<Vec<Option<String>>>, report: &mut LoadReport| {
        v.unwrap_or_else(|| {
            report.columns_filled.push(c.to_string());
            vec![None; n]
        })
    };
    let account = fill_text(ACCOUNT, account, &mut report);
    let keys: Vec<Option<String>> = account.iter().map(|a| a.as_deref().map(account_key)).collect();
    cols.push(string_column(ACCOUNT, account));
    cols.push(string_column(ACCOUNT_KEY, keys));
    cols.push(string_column(GROUP, fill_text(GROUP, group, &mut report)));
    let followers = followers.unwrap_or_else(|| {
        report.columns_filled.push(FOLLOWERS.into());
        vec![None; n]
    });
    cols.push(Column::new(FOLLOWERS.into(), followers));
    for (c, v) in [(REPORTED_AT, reported), (ACTIONED_AT, actioned)] {
        let v = v.unwrap_or_else(|| {
            report.columns_filled.push(c.to_string());
            vec![None; n]
        });
        cols.push(datetime_column(c, v)?);
    }
    cols.push(string_column(STATUS, status.iter().map(|s| s.map(|s| s.as_str().to_string())).collect()));
    cols.push(string_column(AGENCY, fill_text(AGENCY, agency, &mut report)));
    for (c, v) in optional {
        cols.push(string_column(c, v));
    }
    cols.push(Column::new(COUNT.into(), count));
    for e in &m.extras {
        cols.push(frame.column(e)?.clone());
    }
    let df = DataFrame::new(n, cols)?;
    let mask: BooleanChunked = bad.iter().map(|b| !*b).collect();
    let df = df.filter(&mask)?;

    report.columns_matched = m.report;
    report.extra_columns = m.extras;
    report.status_labels =
        label_counts.into_iter().map(|(label, (st, k))| (label, st.as_str().to_string(), k)).collect();
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
