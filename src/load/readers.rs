//! Raw readers: bytes to a frame of raw columns, with row numbers and the rows rejected on read.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use polars::prelude::*;

use super::LoadOptions;
use crate::error::{Error, Problem, Rule, Result};

/// What a reader hands to validation.
pub(crate) struct Raw {
    pub source: String,
    /// Raw columns of the rows that could be read.
    pub frame: DataFrame,
    /// Source row number (1-based, header not counted) of each frame row.
    pub rows: Rows,
    pub rows_read: u64,
    /// Problems of rows that could not be read at all (they are not in `frame`).
    pub problems: Vec<Problem>,
}

/// The source row number of each frame row: 1, 2, 3 ... when no row was dropped on read (no
/// vector kept), else listed.
pub(crate) enum Rows {
    Sequential,
    Listed(Vec<u64>),
}

impl Rows {
    pub(crate) fn listed(rows: Vec<u64>) -> Rows {
        if rows.iter().enumerate().all(|(i, r)| *r == i as u64 + 1) {
            Rows::Sequential
        } else {
            Rows::Listed(rows)
        }
    }
    /// The source row of frame row `i`.
    pub fn get(&self, i: usize) -> u64 {
        match self {
            Rows::Sequential => i as u64 + 1,
            Rows::Listed(v) => v[i],
        }
    }
}

/// Truncates a value for a problem report.
pub(crate) fn clip(s: &str) -> String {
    const MAX: usize = 200;
    if s.len() <= MAX {
        return s.to_string();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

fn open(path: &Path) -> Result<File> {
    File::open(path).map_err(|source| Error::Io { path: path.display().to_string(), source })
}

/// A text column built row by row: one buffer and end offsets; an empty field is null.
struct TextColumn {
    buf: String,
    ends: Vec<usize>,
}

impl TextColumn {
    fn new() -> Self {
        TextColumn { buf: String::new(), ends: Vec::new() }
    }
    fn push(&mut self, v: &str) {
        self.buf.push_str(v);
        self.ends.push(self.buf.len());
    }
    fn into_column(self, name: &str) -> Column {
        let mut start = 0;
        let ca: StringChunked = self
            .ends
            .iter()
            .map(|&end| {
                let s = &self.buf[start..end];
                start = end;
                (!s.is_empty()).then_some(s)
            })
            .collect();
        ca.with_name(name.into()).into_column()
    }
}

fn text_frame(names: &[String], cols: Vec<TextColumn>, height: usize) -> Result<DataFrame> {
    let columns = names.iter().zip(cols).map(|(n, c)| c.into_column(n)).collect();
    Ok(DataFrame::new(height, columns)?)
}

fn header_names(file: &str, fields: Vec<String>) -> Result<Vec<String>> {
    let mut seen = HashMap::new();
    let mut names = Vec::with_capacity(fields.len());
    for (i, f) in fields.into_iter().enumerate() {
        let name = if f.trim().is_empty() { format!("column_{}", i + 1) } else { f.trim().to_string() };
        if let Some(prev) = seen.insert(name.clone(), i) {
            return Err(Error::Read {
                file: file.to_string(),
                format: "CSV".into(),
                message: format!("header names `{name}` twice (fields {} and {})", prev + 1, i + 1),
            });
        }
        names.push(name);
    }
    Ok(names)
}

/// Reads CSV record by record. A record with the wrong number of fields, a field that is not UTF-8
/// or one longer than the limit rejects that row only.
pub(crate) fn csv(path: &Path, opts: &LoadOptions) -> Result<Raw> {
    csv_from(BufReader::with_capacity(1 << 20, open(path)?), &path.display().to_string(), opts)
}

/// Reads CSV from any reader; `file` names the source in problems.
pub(crate) fn csv_from<R: std::io::Read>(input: R, file: &str, opts: &LoadOptions) -> Result<Raw> {
    let file = file.to_string();
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(input);
    let read_err = |e: csv::Error| Error::Read { file: file.clone(), format: "CSV".into(), message: e.to_string() };
    let mut rec = csv::ByteRecord::new();
    if !rdr.read_byte_record(&mut rec).map_err(read_err)? {
        return Err(Error::Read { file: file.clone(), format: "CSV".into(), message: "the file is empty: no header row".into() });
    }
    let mut fields = Vec::with_capacity(rec.len());
    for (i, f) in rec.iter().enumerate() {
        let f = if i == 0 { f.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(f) } else { f };
        match std::str::from_utf8(f) {
            Ok(s) => fields.push(s.to_string()),
            Err(_) => {
                return Err(Error::Read {
                    file: file.clone(),
                    format: "CSV".into(),
                    message: format!("header field {} is not valid UTF-8", i + 1),
                })
            }
        }
    }
    let names = header_names(&file, fields)?;
    let ncol = names.len();
    let mut cols: Vec<TextColumn> = (0..ncol).map(|_| TextColumn::new()).collect();
    let (mut rows, mut problems, mut row) = (Vec::new(), Vec::new(), 0u64);
    let mut row_problems = Vec::new();
    while rdr.read_byte_record(&mut rec).map_err(read_err)? {
        row += 1;
        if rec.len() != ncol {
            let joined: Vec<String> = rec.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect();
            problems.push(Problem {
                file: file.clone(),
                row,
                column: String::new(),
                value: clip(&joined.join(",")),
                rule: Rule::MalformedRow,
                message: format!("expected {ncol} fields as in the header, found {}", rec.len()),
            });
            continue;
        }
        row_problems.clear();
        for (j, f) in rec.iter().enumerate() {
            if f.len() > opts.max_field_bytes {
                row_problems.push(Problem {
                    file: file.clone(),
                    row,
                    column: names[j].clone(),
                    value: clip(&String::from_utf8_lossy(f)),
                    rule: Rule::FieldTooLong,
                    message: format!("field of {} bytes is over the limit of {}", f.len(), opts.max_field_bytes),
                });
            } else if std::str::from_utf8(f).is_err() {
                row_problems.push(Problem {
                    file: file.clone(),
                    row,
                    column: names[j].clone(),
                    value: clip(&String::from_utf8_lossy(f)),
                    rule: Rule::InvalidUtf8,
                    message: "bytes are not valid UTF-8".into(),
                });
            }
        }
        if !row_problems.is_empty() {
            problems.append(&mut row_problems);
            continue;
        }
        for (j, f) in rec.iter().enumerate() {
            // Checked above: valid UTF-8.
            cols[j].push(std::str::from_utf8(f).unwrap_or_default());
        }
        rows.push(row);
    }
    let frame = text_frame(&names, cols, rows.len())?;
    Ok(Raw { source: file, frame, rows: Rows::listed(rows), rows_read: row, problems })
}

/// Reads newline-delimited JSON: one object a line; blank lines are skipped. A line that is not a
/// JSON object, not UTF-8, or has an over-long value rejects that row only.
pub(crate) fn ndjson(path: &Path, opts: &LoadOptions) -> Result<Raw> {
    let file = path.display().to_string();
    let reader = BufReader::with_capacity(1 << 20, open(path)?);
    let mut names: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut cols: Vec<TextColumn> = Vec::new();
    let (mut rows, mut problems, mut row) = (Vec::new(), Vec::new(), 0u64);
    for line in reader.split(b'\n') {
        let line = line.map_err(|source| Error::Io { path: file.clone(), source })?;
        let line = line.strip_suffix(b"\r").unwrap_or(&line);
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        row += 1;
        let problem = |rule, message: String, value: String| Problem {
            file: file.clone(),
            row,
            column: String::new(),
            value: clip(&value),
            rule,
            message,
        };
        let Ok(text) = std::str::from_utf8(line) else {
            problems.push(problem(Rule::InvalidUtf8, "line is not valid UTF-8".into(), String::from_utf8_lossy(line).into_owned()));
            continue;
        };
        let obj = match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(m)) => m,
            Ok(_) => {
                problems.push(problem(Rule::MalformedRow, "line is JSON but not an object".into(), text.into()));
                continue;
            }
            Err(e) => {
                problems.push(problem(Rule::MalformedRow, format!("line is not valid JSON: {e}"), text.into()));
                continue;
            }
        };
        let mut values: Vec<(usize, String)> = Vec::with_capacity(obj.len());
        let mut too_long = None;
        for (k, v) in obj {
            let s = match v {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            if s.len() > opts.max_field_bytes {
                too_long = Some((k, s));
                break;
            }
            let j = *index.entry(k.clone()).or_insert_with(|| {
                names.push(k.clone());
                let mut c = TextColumn::new();
                for _ in 0..rows.len() {
                    c.push("");
                }
                cols.push(c);
                names.len() - 1
            });
            values.push((j, s));
        }
        if let Some((k, s)) = too_long {
            let mut p = problem(
                Rule::FieldTooLong,
                format!("value of {} bytes is over the limit of {}", s.len(), opts.max_field_bytes),
                s,
            );
            p.column = k;
            problems.push(p);
            continue;
        }
        let mut filled = vec![false; cols.len()];
        for (j, s) in values {
            if !filled[j] {
                cols[j].push(&s);
                filled[j] = true;
            }
        }
        for (j, done) in filled.into_iter().enumerate() {
            if !done {
                cols[j].push("");
            }
        }
        rows.push(row);
    }
    let frame = text_frame(&names, cols, rows.len())?;
    Ok(Raw { source: file, frame, rows: Rows::listed(rows), rows_read: row, problems })
}

fn typed(path: &Path, format: &str, df: PolarsResult<DataFrame>) -> Result<Raw> {
    let file = path.display().to_string();
    let df = df.map_err(|e| Error::Read { file: file.clone(), format: format.into(), message: e.to_string() })?;
    let mut raw = frame(df, &file);
    raw.source = file;
    Ok(raw)
}

/// Reads a Parquet file with polars.
pub(crate) fn parquet(path: &Path) -> Result<Raw> {
    let f = open(path)?;
    typed(path, "Parquet", ParquetReader::new(f).finish())
}

/// Reads an Arrow IPC file with polars.
pub(crate) fn ipc(path: &Path) -> Result<Raw> {
    let f = open(path)?;
    typed(path, "Arrow IPC", IpcReader::new(f).finish())
}

/// Wraps an in-memory frame.
pub(crate) fn frame(df: DataFrame, source: &str) -> Raw {
    let n = df.height() as u64;
    Raw { source: source.to_string(), frame: df, rows: Rows::Sequential, rows_read: n, problems: Vec::new() }
}
