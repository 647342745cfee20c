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

/// Reads a CSV file. A record with the wrong number of fields, a field that is not UTF-8 or one
/// longer than the limit rejects that row only.
///
/// Two readers give the same frame: polars' parallel reader (fast) when the file is well formed,
/// and the record reader [`csv_from`] otherwise, which can reject single rows. The fast result is
/// used only when it cannot differ from the record reader's (see [`csv_fast`]).
pub(crate) fn csv(path: &Path, opts: &LoadOptions) -> Result<Raw> {
    let file = path.display().to_string();
    let names = {
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(open(path)?);
        header(&mut rdr, &file)?
    };
    if let Some(frame) = csv_fast(path, &names, opts) {
        let n = frame.height() as u64;
        return Ok(Raw { source: file, frame, rows: Rows::Sequential, rows_read: n, problems: Vec::new() });
    }
    csv_from(BufReader::with_capacity(1 << 20, open(path)?), &file, opts)
}

/// polars' parallel CSV reader, every column as text; `None` when the file might not be well
/// formed, so that the record reader reads it and reports its bad rows. The result is used only
/// when polars read the file without error, found as many columns as the header has, the last
/// column has no missing value (a record with too few fields, or a blank line read as a record,
/// would leave it missing; too many fields is a polars error), and no field is over the size
/// limit. Quoted empty fields become missing, as in the record reader. Invalid UTF-8 is a polars
/// error. `tests` below compares both readers on awkward files.
fn csv_fast(path: &Path, names: &[String], opts: &LoadOptions) -> Option<DataFrame> {
    let parse = CsvParseOptions::default().with_missing_is_null(true);
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_raise_if_empty(false)
        .with_parse_options(parse)
        .try_into_reader_with_file_path(Some(path.to_path_buf()))
        .ok()?
        .finish()
        .ok()?;
    if df.width() != names.len() || df.height() == 0 {
        return None;
    }
    let mut columns = Vec::with_capacity(names.len());
    for (c, name) in df.columns().iter().zip(names) {
        let ca = c.as_materialized_series().str().ok()?.clone();
        let (mut longest, mut zero) = (0usize, false);
        for arr in ca.downcast_iter() {
            for v in arr.views().iter() {
                longest = longest.max(v.length as usize);
                zero |= v.length == 0;
            }
        }
        if longest > opts.max_field_bytes {
            return None;
        }
        // A zero-length view is a missing value or an empty string; only the latter is changed.
        let ca = if zero && ca.iter().any(|v| v == Some("")) { ca.iter().map(|v| v.filter(|s| !s.is_empty())).collect::<StringChunked>() } else { ca };
        columns.push(ca.with_name(name.as_str().into()).into_column());
    }
    if columns.last()?.null_count() > 0 {
        return None;
    }
    DataFrame::new(df.height(), columns).ok()
}

/// Reads and checks the header record.
fn header<R: std::io::Read>(rdr: &mut csv::Reader<R>, file: &str) -> Result<Vec<String>> {
    let read_err = |e: csv::Error| Error::Read { file: file.to_string(), format: "CSV".into(), message: e.to_string() };
    let mut rec = csv::ByteRecord::new();
    if !rdr.read_byte_record(&mut rec).map_err(read_err)? {
        return Err(Error::Read { file: file.to_string(), format: "CSV".into(), message: "the file is empty: no header row".into() });
    }
    let mut fields = Vec::with_capacity(rec.len());
    for (i, f) in rec.iter().enumerate() {
        let f = if i == 0 { f.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(f) } else { f };
        match std::str::from_utf8(f) {
            Ok(s) => fields.push(s.to_string()),
            Err(_) => {
                return Err(Error::Read {
                    file: file.to_string(),
                    format: "CSV".into(),
                    message: format!("header field {} is not valid UTF-8", i + 1),
                })
            }
        }
    }
    header_names(file, fields)
}

/// Reads CSV from any reader; `file` names the source in problems.
pub(crate) fn csv_from<R: std::io::Read>(input: R, file: &str, opts: &LoadOptions) -> Result<Raw> {
    let file = file.to_string();
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(input);
    let read_err = |e: csv::Error| Error::Read { file: file.clone(), format: "CSV".into(), message: e.to_string() };
    let names = header(&mut rdr, &file)?;
    let mut rec = csv::ByteRecord::new();
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Both CSV readers on `text`: the record reader's result, and the fast reader's if it
    /// accepts the file.
    fn both(text: &[u8]) -> (Raw, Option<DataFrame>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, text).unwrap();
        let opts = LoadOptions { max_field_bytes: 32, ..LoadOptions::default() };
        let slow = csv_from(text, &path.display().to_string(), &opts).unwrap();
        let names: Vec<String> = slow.frame.get_column_names().iter().map(|s| s.to_string()).collect();
        (slow, csv_fast(&path, &names, &opts))
    }

    #[test]
    fn fast_reader_gives_the_record_readers_frame_or_declines() {
        // Well-formed files: the fast reader must read them (`true`) or may decline (`false`),
        // and what it reads must equal the record reader's frame.
        let same: &[(&[u8], bool)] = &[
            (b"a,b,c\n1,2,3\n4,5,6\n", true),
            (b"a,b,c\r\n1,2,3\r\n4,5,6\r\n", true),
            (b"a,b,c\n1,2,3\n4,5,6", true),
            (b"\xEF\xBB\xBFa,b,c\n1,2,3\n", true),
            (b"a,b,c\n\"x,y\",\"say \"\"hi\"\"\",3\n\"multi\nline\",,z\n", true),
            (b"a,b,c\n\"crlf\r\ninside\",2,3\r\n", true),
            (b"a,b,c\n\"\",\"\",q\n, ,r\n", true),
            (b"a,b,c\n  1 ,\xC3\xA9t\xC3\xA9,\xF0\x9F\x99\x82\n", true),
            (b"a,b,c\nab\"c,\"abc\"def,3\n", false),
            (b"a,b,c\n \"x\",2,3\n", false),
            (b"a,b,c\n1,2,3\n\n4,5,6\n\n", false),
        ];
        for (text, must_read) in same {
            let (slow, fast) = both(text);
            let shown = String::from_utf8_lossy(text);
            assert!(slow.problems.is_empty(), "{shown:?}");
            assert!(fast.is_some() || !must_read, "{shown:?} was not read by the fast reader");
            if let Some(fast) = fast {
                assert!(fast.equals_missing(&slow.frame), "{shown:?}\nfast {fast}\nrecord {}", slow.frame);
                assert_eq!(fast.height() as u64, slow.rows_read);
            }
        }
        // Files with bad rows: the fast reader must decline so that the bad rows are reported.
        let bad: &[&[u8]] = &[
            b"a,b,c\n1,2\n4,5,6\n",
            b"a,b,c\n1,2,3,4\n4,5,6\n",
            b"a,b,c\n1,\xFF,3\n4,5,6\n",
            b"a,b,c\n1,2,3\n4,5,this field is longer than 32 bytes\n",
            b"a,b,c\n1,2,\n",
        ];
        for text in bad {
            let (_, fast) = both(text);
            assert!(fast.is_none(), "{:?} read as {fast:?}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn fast_reader_agrees_across_parallel_chunks() {
        // Large enough for polars to split the file between threads, with quoted commas and
        // line breaks scattered through it, so that chunk boundaries fall inside quotes.
        let mut text = String::from("id,note,n\n");
        for i in 0..120_000u32 {
            let note = match i % 7 {
                0 => format!("\"line one\nline {i}\""),
                3 => format!("\"a, b and \"\"c\"\" {i}\""),
                5 => String::new(),
                _ => format!("plain {i}"),
            };
            text.push_str(&format!("{i},{note},{}\n", i % 13));
        }
        let (slow, fast) = both(text.as_bytes());
        let fast = fast.expect("a well-formed file is read by polars");
        assert_eq!(slow.rows_read, 120_000);
        assert!(fast.equals_missing(&slow.frame));
    }
}
