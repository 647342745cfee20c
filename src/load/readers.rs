//! Raw readers: bytes to a frame of raw columns, with row numbers and the rows rejected on read.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use polars::prelude::*;

use super::LoadOptions;
use crate::error::{Error, Problem, Result, Rule};

/// What a reader hands to validation.
pub(crate) struct Raw {
    pub source: String,
    /// Raw columns of the rows that could be read.
    pub frame: DataFrame,
    /// Source row number (1-based, header not counted) of each frame row.
    pub rows: Rows,
    pub rows_read: u64,
    /// Records with every field empty (a spreadsheet's trailing `,,,,`): skipped, not rows read.
    pub blank_rows: u64,
    /// Problems of rows that could not be read at all (they are not in `frame`).
    pub problems: Vec<Problem>,
    /// SHA-256 (hex) of the bytes read, for files; `None` for frames.
    pub sha256: Option<String>,
    /// For input reshaped before it is checked (a wide table, a published source): the input
    /// column each row's `count` came from (names, and an index into them per row), so that a
    /// problem names the column the user sees.
    pub count_columns: Option<(Vec<String>, Vec<u32>)>,
}

/// The source row number of each frame row: 1, 2, 3 ... when no row was dropped on read (no
/// vector kept), else listed.
pub(crate) enum Rows {
    Sequential,
    Listed(Vec<u64>),
}

impl Raw {
    /// Rows that could not be read at all: the distinct rows of `problems` (a row with several
    /// problems counts once; the problems are in row order).
    pub(crate) fn unreadable_rows(&self) -> u64 {
        let mut r: Vec<u64> = self.problems.iter().map(|p| p.row).collect();
        r.dedup();
        r.len() as u64
    }
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

/// Records read between checks of the cancel flag ([`crate::cancel`]).
const CANCEL_EVERY: u64 = 1 << 16;

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

pub(crate) fn io_err(path: &Path, source: std::io::Error) -> Error {
    Error::Io { path: path.display().to_string(), source }
}

/// Reads a whole file into memory as it is when opened.
///
/// Only regular files are read: a FIFO would block for ever, and a device (`/dev/zero` behind a
/// symlink) never ends. At most the length the file had when opened is read, so a file that grows
/// while it is read is read as it was. Reading into memory rather than mapping the file means that
/// another process truncating it cannot crash this one (a mapped page that vanishes is a SIGBUS).
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>> {
    let (f, len) = open_file(path)?;
    let mut buf = Vec::with_capacity(len as usize);
    f.take(len).read_to_end(&mut buf).map_err(|e| io_err(path, e))?;
    Ok(buf)
}

/// Opens a regular file for reading, with its length when opened (see [`read_file`]).
pub(crate) fn open_file(path: &Path) -> Result<(File, u64)> {
    let meta = std::fs::metadata(path).map_err(|e| io_err(path, e))?;
    if !meta.is_file() {
        let what = if meta.is_dir() { "a directory" } else { "not a regular file (a FIFO, socket or device)" };
        return Err(io_err(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{what}; give the path of a file")),
        ));
    }
    let f = File::open(path).map_err(|e| io_err(path, e))?;
    let len = f.metadata().map_err(|e| io_err(path, e))?.len();
    Ok((f, len))
}

/// SHA-256 of `bytes` as lower-case hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes))
}

/// Bytes (a digest) as lower-case hex.
pub(crate) fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
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
/// longer than the limit rejects that row only. The file is read into memory first
/// ([`read_file`]) and hashed while it is parsed.
pub(crate) fn csv(path: &Path, opts: &LoadOptions) -> Result<Raw> {
    let file = path.display().to_string();
    hashed(&read_file(path)?, |bytes| csv_bytes(bytes, &file, opts))
}

/// Parses `bytes` with `parse` while hashing them on another thread; the hash goes in the result.
fn hashed(bytes: &[u8], parse: impl FnOnce(&[u8]) -> Result<Raw> + Send) -> Result<Raw> {
    let (sha, raw) = rayon::join(|| sha256_hex(bytes), || parse(bytes));
    let mut raw = raw?;
    raw.sha256 = Some(sha);
    Ok(raw)
}

/// The empty lines the csv reader skipped before the record it started at byte `at` of `bytes`:
/// a record's position is where the reader started it, before the line breaks it skipped (and
/// after a `\r\n` record end, at its `\n`). `\r\n`, `\n` and `\r` each end a line.
fn empty_lines_before(bytes: &[u8], at: usize) -> u64 {
    let at = at.min(bytes.len());
    let start = if at > 0 && bytes[at - 1] == b'\r' && bytes.get(at) == Some(&b'\n') { at + 1 } else { at };
    let run = &bytes[start..];
    let run = &run[..run.iter().position(|b| !matches!(b, b'\n' | b'\r')).unwrap_or(run.len())];
    let (mut lines, mut i) = (0u64, 0usize);
    while i < run.len() {
        i += if run[i] == b'\r' && run.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
        lines += 1;
    }
    lines
}

/// Reads CSV bytes; `file` names the source in problems.
///
/// Two readers give the same frame: polars' parallel reader (fast) when the file is well formed,
/// and the record reader [`csv_from`] otherwise, which can reject single rows. The fast result is
/// used only when it cannot differ from the record reader's (see [`csv_fast`]).
pub(crate) fn csv_bytes(bytes: &[u8], file: &str, opts: &LoadOptions) -> Result<Raw> {
    let names = csv_names(bytes, file, opts)?;
    if let Some(frame) = csv_fast(without_trailing_empty_lines(bytes), &names, opts) {
        let n = frame.height() as u64;
        return Ok(Raw {
            source: file.to_string(),
            frame,
            rows: Rows::Sequential,
            rows_read: n,
            blank_rows: 0,
            problems: Vec::new(),
            sha256: None,
            count_columns: None,
        });
    }
    csv_from(bytes, file, opts)
}

/// `bytes` without the empty lines after its last line (a file saved with a few line breaks at
/// its end): no record follows them, so the record reader counts no row for them, and the fast
/// reader, which declines a file with an empty line (one that would shift row numbers), can read
/// the rest. Only for the end of a file, not of a piece of it.
pub(crate) fn without_trailing_empty_lines(bytes: &[u8]) -> &[u8] {
    let Some(last) = bytes.iter().rposition(|b| !matches!(b, b'\n' | b'\r')) else { return bytes };
    // The last line keeps its own line ending (`\r\n`, `\n` or `\r`).
    let end = match &bytes[last + 1..] {
        [b'\r', b'\n', ..] => last + 3,
        [_, ..] => last + 2,
        [] => last + 1,
    };
    &bytes[..end]
}

/// The column names of the CSV `bytes`' header record, checked ([`header`]).
pub(crate) fn csv_names(bytes: &[u8], file: &str, opts: &LoadOptions) -> Result<Vec<String>> {
    Ok(csv_header(bytes, file, opts)?.0)
}

/// [`csv_names`], and the byte offset where the data starts (after the header's line end).
pub(crate) fn csv_header(bytes: &[u8], file: &str, opts: &LoadOptions) -> Result<(Vec<String>, u64)> {
    let mut rdr =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(opts.delimiter).from_reader(bytes);
    header(&mut rdr, file, opts)
}

/// polars' parallel CSV reader, every column as text; `None` when the file might not be well
/// formed, so that the record reader reads it and reports its bad rows. The result is used only
/// when polars read the file without error, found as many columns as the header has, every
/// record has all its fields (without quotes: the file's delimiters are one fewer than the fields
/// per record, header included; with quotes: the last column has no missing value, which a
/// record with too few fields would leave; too many fields is a polars error), there is no empty
/// line (polars skips it; the record reader counts it as a blank row), and no field is over the
/// size limit. Quoted empty fields become missing, as in the record reader. Invalid UTF-8 is a polars
/// error. A file with a quoted line break is left to the record reader, which checks that the
/// quote is not a stray one swallowing the records after it. `tests` below compares both readers
/// on awkward files.
pub(crate) fn csv_fast(bytes: &[u8], names: &[String], opts: &LoadOptions) -> Option<DataFrame> {
    let parse = CsvParseOptions::default().with_missing_is_null(true).with_separator(opts.delimiter);
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_raise_if_empty(false)
        .with_parse_options(parse)
        .into_reader_with_file_handle(std::io::Cursor::new(bytes))
        .finish()
        .ok()?;
    if df.width() != names.len() || df.height() == 0 {
        return None;
    }
    let quoted = bytes.contains(&b'"');
    // A carriage return that does not end a line ends a record for the record reader (an old Mac
    // line end), not for polars: such a file is left to the record reader.
    if memchr::memchr_iter(b'\r', bytes).any(|p| bytes.get(p + 1) != Some(&b'\n')) {
        return None;
    }
    // An empty line is no record to polars; the record reader counts it as a blank row, so that
    // later rows keep their line's number.
    if memchr::memmem::find(bytes, b"\n\n").is_some() || memchr::memmem::find(bytes, b"\n\r\n").is_some() {
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
        if quoted && ca.iter().any(|v| v.is_some_and(|s| s.contains(['\n', '\r']))) {
            return None;
        }
        // A zero-length view is a missing value or an empty string; only the latter is changed.
        let ca = if zero && ca.iter().any(|v| v == Some("")) {
            ca.iter().map(|v| v.filter(|s| !s.is_empty())).collect::<StringChunked>()
        } else {
            ca
        };
        columns.push(ca.with_name(name.as_str().into()).into_column());
    }
    // A record with too few fields leaves the last column missing. Without quotes, every record
    // has its fields when the file holds exactly a delimiter fewer than the header's fields per
    // record (so an empty last field, as for a pending case's `actioned_at`, is read); with
    // quotes, a missing last value declines the file.
    let complete = if quoted {
        columns.last()?.null_count() == 0
    } else {
        let delimiters = memchr::memchr_iter(opts.delimiter, bytes).count();
        delimiters == (df.height() + 1) * (names.len() - 1)
    };
    if !complete {
        return None;
    }
    // A record with no value at all (`,,,,`, or only spaces) is a blank row to the record reader,
    // not a record: such a file is left to it. Only rows whose first field is empty are looked at.
    let blank = |v: Option<&str>| v.is_none_or(|s| s.bytes().all(|b| b.is_ascii_whitespace()));
    let texts: Vec<&StringChunked> = columns.iter().map(|c| c.str()).collect::<PolarsResult<_>>().ok()?;
    let first = texts.first()?;
    if first.iter().enumerate().any(|(i, v)| blank(v) && texts.iter().all(|c| blank(c.get(i)))) {
        return None;
    }
    DataFrame::new(df.height(), columns).ok()
}

/// Reads and checks the header record: at most `max_columns` fields, each valid UTF-8. Returns
/// the names and the byte offset where the data starts.
fn header<R: std::io::Read>(rdr: &mut csv::Reader<R>, file: &str, opts: &LoadOptions) -> Result<(Vec<String>, u64)> {
    let read_err = |message: String| Error::Read { file: file.to_string(), format: "CSV".into(), message };
    let mut rec = csv::ByteRecord::new();
    if !rdr.read_byte_record(&mut rec).map_err(|e| read_err(e.to_string()))? {
        return Err(read_err("the file is empty: no header row".into()));
    }
    if rec.iter().all(|f| f.iter().all(|b| b.is_ascii_whitespace())) {
        return Err(read_err("no header row: the first line is blank".into()));
    }
    if let Some((i, f)) = rec.iter().enumerate().find(|(_, f)| f.len() > opts.max_field_bytes) {
        return Err(read_err(format!(
            "header field {} is {} bytes long, over max_field_bytes ({}); is the first line the header?",
            i + 1,
            f.len(),
            opts.max_field_bytes
        )));
    }
    if rec.len() == 1 {
        // One column whose name holds another delimiter twice or more: the file is most likely
        // separated by that one (a spreadsheet saved in a locale that writes `;`).
        let only = &rec[0];
        if let Some(d) = [b';', b'\t', b'|', b',']
            .into_iter()
            .find(|d| *d != opts.delimiter && only.iter().filter(|b| *b == d).count() >= 2)
        {
            let shown = if d == b'\t' { "\\t".to_string() } else { (d as char).to_string() };
            return Err(read_err(format!(
                "the header is one column holding {shown:?} {} times: the file looks {shown:?}-separated; pass delimiter={shown:?}",
                only.iter().filter(|b| **b == d).count()
            )));
        }
    }
    if rec.len() > opts.max_columns {
        return Err(read_err(format!(
            "the header has {} fields, more than max_columns ({}); is this the right file, and is its first line the header?",
            rec.len(),
            opts.max_columns
        )));
    }
    let mut fields = Vec::with_capacity(rec.len());
    for (i, f) in rec.iter().enumerate() {
        let f = if i == 0 { f.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(f) } else { f };
        match std::str::from_utf8(f) {
            Ok(s) => fields.push(s.to_string()),
            Err(_) => return Err(read_err(format!("header field {} is not valid UTF-8", i + 1))),
        }
    }
    Ok((header_names(file, fields)?, rdr.position().byte()))
}

/// True when a record that spans several lines looks like a stray quote swallowing the records
/// after it rather than a quoted line break: the field count is wrong, the quotes do not pair up,
/// or a line inside the record (neither its first nor its last, which carry the fields around the
/// quoted one) has as many delimiters as a record of its own.
fn stray_quote(span: &[u8], fields: usize, ncol: usize, delimiter: u8) -> bool {
    let lines: Vec<&[u8]> =
        span.split(|b| *b == b'\n').filter(|l| !l.iter().all(|b| b.is_ascii_whitespace())).collect();
    if lines.len() < 2 {
        return false;
    }
    let inner = &lines[1..lines.len() - 1];
    fields != ncol
        || span.iter().filter(|b| **b == b'"').count() % 2 == 1
        || (ncol >= 3 && inner.iter().any(|l| l.iter().filter(|b| **b == delimiter).count() + 1 >= ncol))
}

/// The record reader: reads CSV bytes record by record; `file` names the source in problems.
///
/// A record that [`stray_quote`] flags is not taken whole: its first line is rejected as
/// `malformed_row` and reading starts again on the line after it, so that one stray `"` costs one
/// row, not the rows it would swallow.
pub(crate) fn csv_from(bytes: &[u8], file: &str, opts: &LoadOptions) -> Result<Raw> {
    let file = file.to_string();
    let read_err = |e: csv::Error| Error::Read { file: file.clone(), format: "CSV".into(), message: e.to_string() };
    let (names, data_start) = {
        let mut rdr =
            csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(opts.delimiter).from_reader(bytes);
        header(&mut rdr, &file, opts)?
    };
    let mut rec = csv::ByteRecord::new();
    let ncol = names.len();
    let mut cols: Vec<TextColumn> = (0..ncol).map(|_| TextColumn::new()).collect();
    let (mut rows, mut problems, mut row) = (Vec::new(), Vec::new(), 0u64);
    let mut blank = 0u64;
    let mut row_problems = Vec::new();
    let mut offset = data_start as usize;
    'segments: while offset < bytes.len() {
        let segment = &bytes[offset..];
        let mut rdr =
            csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(opts.delimiter).from_reader(segment);
        // The csv reader skips an empty line without a record: the lines between the end of a
        // record and the start of the next are empty lines, each a blank row whose number is
        // kept (as for a line of spaces or commas), so that later rows keep their line's number.
        while rdr.read_byte_record(&mut rec).map_err(read_err)? {
            let empty = empty_lines_before(bytes, offset + rec.position().map_or(0, |p| p.byte() as usize));
            row += empty;
            blank += empty;
            row += 1;
            if row % CANCEL_EVERY == 0 {
                crate::cancel::check()?;
            }
            if rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                // No value at all: not a record (its number is kept, so later rows keep theirs).
                blank += 1;
                continue;
            }
            let start = rec.position().map_or(0, |p| p.byte() as usize);
            let end = (rdr.position().byte() as usize).min(segment.len());
            let span = &segment[start.min(end)..end];
            if span.contains(&b'\n')
                && stray_quote(span.strip_suffix(b"\n").unwrap_or(span), rec.len(), ncol, opts.delimiter)
            {
                let line_end = span.iter().position(|b| *b == b'\n').unwrap_or(span.len());
                let line = &span[..line_end];
                problems.push(Problem {
                    file: file.clone(),
                    row,
                    column: String::new(),
                    value: clip(&String::from_utf8_lossy(line)),
                    rule: Rule::MalformedRow,
                    message: "a quote (\") in this line is not closed on it, and what follows reads as more records: \
                              this line is rejected and the next line is read as a record of its own"
                        .into(),
                    case_id: None,
                });
                offset += start + line_end + 1;
                continue 'segments;
            }
            if rec.len() != ncol {
                let joined: Vec<String> = rec.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect();
                problems.push(Problem {
                    file: file.clone(),
                    row,
                    column: String::new(),
                    value: clip(&joined.join(",")),
                    rule: Rule::MalformedRow,
                    message: format!("expected {ncol} fields as in the header, found {}", rec.len()),
                    case_id: None,
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
                        case_id: None,
                    });
                } else if std::str::from_utf8(f).is_err() {
                    row_problems.push(Problem {
                        file: file.clone(),
                        row,
                        column: names[j].clone(),
                        value: clip(&String::from_utf8_lossy(f)),
                        rule: Rule::InvalidUtf8,
                        message: "bytes are not valid UTF-8".into(),
                        case_id: None,
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
        break;
    }
    let frame = text_frame(&names, cols, rows.len())?;
    Ok(Raw {
        source: file,
        frame,
        rows: Rows::listed(rows),
        rows_read: row - blank,
        blank_rows: blank,
        problems,
        sha256: None,
        count_columns: None,
    })
}

/// Reads newline-delimited JSON: one object a line; blank lines are skipped. A line that is not a
/// JSON object, not UTF-8, names a key twice, or has an over-long value rejects that row only.
pub(crate) fn ndjson(path: &Path, opts: &LoadOptions) -> Result<Raw> {
    let file = path.display().to_string();
    hashed(&read_file(path)?, |bytes| ndjson_from(bytes, &file, opts))
}

/// The members of one JSON object in their order, duplicates kept (serde_json's map would keep
/// only the last of a repeated key, silently).
struct Members(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for Members {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Members;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<Members, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, serde_json::Value>()? {
                    out.push(entry);
                }
                Ok(Members(out))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// A JSON scalar as the text a CSV cell would hold: strings as they are, null as empty, and a
/// number with no fraction as a whole number (`7.0` is `7`, so that ids 7 and 7.0 are one id).
fn json_text(v: serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s,
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(f) if !n.is_i64() && !n.is_u64() && f.fract() == 0.0 && f.abs() < 9.0e15 => (f as i64).to_string(),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

/// Reads NDJSON bytes; `file` names the source in problems. A byte-order mark is skipped.
pub(crate) fn ndjson_from(bytes: &[u8], file: &str, opts: &LoadOptions) -> Result<Raw> {
    let file = file.to_string();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut names: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut cols: Vec<TextColumn> = Vec::new();
    let (mut rows, mut problems, mut row) = (Vec::new(), Vec::new(), 0u64);
    for line in bytes.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        row += 1;
        if row % CANCEL_EVERY == 0 {
            crate::cancel::check()?;
        }
        let problem = |rule, message: String, value: String| Problem {
            file: file.clone(),
            row,
            column: String::new(),
            value: clip(&value),
            rule,
            message,
            case_id: None,
        };
        let Ok(text) = std::str::from_utf8(line) else {
            problems.push(problem(
                Rule::InvalidUtf8,
                "line is not valid UTF-8".into(),
                String::from_utf8_lossy(line).into_owned(),
            ));
            continue;
        };
        let obj = match serde_json::from_str::<Members>(text) {
            Ok(Members(m)) => m,
            Err(e) => {
                problems.push(problem(Rule::MalformedRow, format!("line is not one JSON object: {e}"), text.into()));
                continue;
            }
        };
        let mut values: Vec<(usize, String)> = Vec::with_capacity(obj.len());
        let mut bad = None;
        let mut seen: Vec<&str> = Vec::with_capacity(obj.len());
        for (k, _) in &obj {
            if seen.contains(&k.as_str()) {
                let mut p =
                    problem(Rule::MalformedRow, format!("the key {k:?} appears twice in this object"), text.into());
                p.column = k.clone();
                bad = Some(p);
                break;
            }
            seen.push(k);
        }
        if let Some(p) = bad {
            problems.push(p);
            continue;
        }
        for (k, v) in obj {
            let s = json_text(v);
            if s.len() > opts.max_field_bytes {
                let mut p = problem(
                    Rule::FieldTooLong,
                    format!("value of {} bytes is over the limit of {}", s.len(), opts.max_field_bytes),
                    s,
                );
                p.column = k;
                bad = Some(p);
                break;
            }
            let j = match index.get(&k) {
                Some(j) => *j,
                None => {
                    if names.len() >= opts.max_columns {
                        return Err(Error::Read {
                            file,
                            format: "NDJSON".into(),
                            message: format!("more than {} distinct keys (max_columns)", opts.max_columns),
                        });
                    }
                    names.push(k.clone());
                    let mut c = TextColumn::new();
                    for _ in 0..rows.len() {
                        c.push("");
                    }
                    cols.push(c);
                    index.insert(k, names.len() - 1);
                    names.len() - 1
                }
            };
            values.push((j, s));
        }
        if let Some(p) = bad {
            problems.push(p);
            continue;
        }
        let mut filled = vec![false; cols.len()];
        for (j, s) in values {
            cols[j].push(&s);
            filled[j] = true;
        }
        for (j, done) in filled.into_iter().enumerate() {
            if !done {
                cols[j].push("");
            }
        }
        rows.push(row);
    }
    let frame = text_frame(&names, cols, rows.len())?;
    Ok(Raw {
        source: file,
        frame,
        rows: Rows::listed(rows),
        rows_read: row,
        blank_rows: 0,
        problems,
        sha256: None,
        count_columns: None,
    })
}

/// A file polars' reader refused: named, with polars' reason (clipped).
pub(crate) fn read_error(file: &str, format: &str, e: &PolarsError) -> Error {
    Error::Read { file: file.to_string(), format: format.into(), message: clip(&e.to_string()) }
}

fn typed(
    path: &Path,
    bytes: Vec<u8>,
    format: &str,
    read: impl FnOnce(std::io::Cursor<&[u8]>) -> PolarsResult<DataFrame> + Send,
) -> Result<Raw> {
    let file = path.display().to_string();
    hashed(&bytes, |b| {
        let df = read(std::io::Cursor::new(b)).map_err(|e| read_error(&file, format, &e))?;
        Ok(frame(df, &file))
    })
}

/// Whether the whole read of these Parquet bytes ([`parquet_from`]) would refuse them before
/// reading: a decimal column, or a page whose checksum fails (that read then says which).
pub(crate) fn parquet_refused(bytes: &[u8]) -> bool {
    !super::checksums::decimal_columns(bytes).is_empty() || super::checksums::verify_parquet(bytes).mismatch.is_some()
}

/// Reads a Parquet file's bytes (read whole: see [`read_file`]) with polars, after checking the
/// page checksums the writer stored ([`super::checksums`]).
pub(crate) fn parquet_from(path: &Path, bytes: Vec<u8>) -> Result<Raw> {
    if let Some(column) = super::checksums::decimal_columns(&bytes).into_iter().next() {
        return Err(Error::ColumnType {
            file: path.display().to_string(),
            column: clip(&column),
            canonical: column.trim().to_lowercase(),
            dtype: "decimal".into(),
            expected: "integers, floats or text; the Rust reader does not read Parquet decimals: cast the column, or load the file with the Python package (td.read_parquet), which reads decimals exactly".into(),
        });
    }
    typed(path, bytes, "Parquet", |c| {
        let bytes: &[u8] = c.get_ref();
        if let Some((column, group, offset)) = super::checksums::verify_parquet(bytes).mismatch {
            return Err(PolarsError::ComputeError(
                format!("the page at byte {offset} (column `{column}`, row group {group}) fails its CRC-32 checksum: the file is corrupt").into(),
            ));
        }
        ParquetReader::new(c).finish()
    })
}

/// Reads an Arrow IPC file with polars (from memory: see [`read_file`]).
pub(crate) fn ipc(path: &Path) -> Result<Raw> {
    typed(path, read_file(path)?, "Arrow IPC", |c| IpcReader::new(c).finish())
}

/// Wraps an in-memory frame.
pub(crate) fn frame(df: DataFrame, source: &str) -> Raw {
    let blank = blank_rows(&df);
    let (df, rows, blank_rows) = match blank {
        Some(blank) => {
            let keep: BooleanChunked = blank.iter().map(|b| !*b).collect();
            let rows: Vec<u64> = (1..=df.height() as u64).zip(&blank).filter(|(_, b)| !**b).map(|(r, _)| r).collect();
            let n_blank = blank.iter().filter(|b| **b).count() as u64;
            match df.filter(&keep) {
                Ok(kept) => (kept, Rows::listed(rows), n_blank),
                Err(_) => (df, Rows::Sequential, 0),
            }
        }
        None => (df, Rows::Sequential, 0),
    };
    let n = df.height() as u64;
    Raw {
        source: source.to_string(),
        frame: df,
        rows,
        rows_read: n,
        blank_rows,
        problems: Vec::new(),
        sha256: None,
        count_columns: None,
    }
}

/// The rows of a frame with every value missing (a spreadsheet's empty rows), or `None` when
/// there is none. A column without a missing value rules every row out, so a typical frame is
/// decided at once, from the columns' null counts.
fn blank_rows(df: &DataFrame) -> Option<Vec<bool>> {
    if df.width() == 0 || df.height() == 0 || df.columns().iter().any(|c| c.null_count() == 0) {
        return None;
    }
    let mut blank = vec![true; df.height()];
    for c in df.columns() {
        for (i, present) in c.is_not_null().iter().enumerate() {
            if present == Some(true) {
                blank[i] = false;
            }
        }
        if !blank.iter().any(|b| *b) {
            return None;
        }
    }
    Some(blank)
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
        (slow, csv_fast(text, &names, &opts))
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
            (b"a,b,c\n\"x,y\",\"say \"\"hi\"\"\",3\n\"multi\nline\",,z\n", false),
            (b"a,b,c\n\"crlf\r\ninside\",2,3\r\n", false),
            (b"a,b,c\n\"x,y\",\"say \"\"hi\"\"\",3\n", true),
            (b"a,b,c\n\"\",\"\",q\n, ,r\n", true),
            (b"a,b,c\n  1 ,\xC3\xA9t\xC3\xA9,\xF0\x9F\x99\x82\n", true),
            (b"a,b,c\nab\"c,\"abc\"def,3\n", false),
            (b"a,b,c\n \"x\",2,3\n", false),
            (b"a,b,c\n1,2,3\n\n4,5,6\n\n", false),
            // An empty last field (a pending case's `actioned_at`) is read, with or without CRLF.
            (b"a,b,c\n1,2,\n4,5,6\n", true),
            (b"a,b,c\r\n1,2,\r\n4,,\r\n", true),
        ];
        // A carriage return inside a line ends a record for the record reader: declined (the
        // fast reader read it as part of a field, so a load read such a file one way or the
        // other depending on whether another line was malformed).
        for text in [&b"a,b,c\n1,x\ry,3\n4,5,6\n"[..], b"a,b,c\r1,2,3\r4,5,6\r", b"a,b,c\n1,2,3\r"] {
            assert!(both(text).1.is_none(), "{:?}", String::from_utf8_lossy(text));
        }
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
        // Empty lines after the last record: no rows to either reader, and the fast reader reads
        // the file (an empty line anywhere else shifts the row numbers after it: declined).
        for text in [&b"a,b,c\n1,2,3\n4,5,6\n\n\n"[..], b"a,b,c\r\n1,2,3\r\n\r\n\r\n", b"a,b,c\n1,2,\n\r\n\n"] {
            let shown = String::from_utf8_lossy(text);
            let opts = LoadOptions::default();
            let slow = csv_from(text, "t.csv", &opts).unwrap();
            let names = csv_names(text, "t.csv", &opts).unwrap();
            let fast = csv_fast(without_trailing_empty_lines(text), &names, &opts);
            let fast = fast.unwrap_or_else(|| panic!("{shown:?} was not read by the fast reader"));
            assert!(fast.equals_missing(&slow.frame), "{shown:?}\nfast {fast}\nrecord {}", slow.frame);
            assert_eq!((fast.height() as u64, 0), (slow.rows_read, slow.blank_rows), "{shown:?}");
            let loaded = csv_bytes(text, "t.csv", &opts).unwrap();
            assert!(loaded.frame.equals_missing(&slow.frame), "{shown:?}");
        }
        assert_eq!(without_trailing_empty_lines(b"a\nb\r\n\n"), b"a\nb\r\n");
        assert_eq!(without_trailing_empty_lines(b"a\nb"), b"a\nb");
        assert_eq!(without_trailing_empty_lines(b"\n\n"), b"\n\n");
        // Files with bad rows: the fast reader must decline so that the bad rows are reported.
        let bad: &[&[u8]] = &[
            b"a,b,c\n1,2\n4,5,6\n",
            b"a,b,c\n1,2,3,4\n4,5,6\n",
            b"a,b,c\n1,\xFF,3\n4,5,6\n",
            b"a,b,c\n1,2,3\n4,5,this field is longer than 32 bytes\n",
            b"a,b,c\n1,2\n4,5,\n",
            b"a,b,c\n1,2,3\n   \n",
            b"a,b,c\n\"1\",2\n4,5,6\n",
            // Blank rows, which the record reader skips and counts.
            b"a,b,c\n1,2,3\n,,\n",
            b"a,b,c\n1,2,3\n , ,  \n4,5,6\n",
        ];
        for text in bad {
            let (_, fast) = both(text);
            assert!(fast.is_none(), "{:?} read as {fast:?}", String::from_utf8_lossy(text));
        }
    }

    /// Rows of the record reader's frame as (row, values) for assertions.
    fn rows_of(raw: &Raw) -> Vec<(u64, Vec<Option<String>>)> {
        (0..raw.frame.height())
            .map(|i| {
                let vals = raw.frame.columns().iter().map(|c| c.str().unwrap().get(i).map(str::to_string)).collect();
                (raw.rows.get(i), vals)
            })
            .collect()
    }

    #[test]
    fn stray_quotes_cost_one_row() {
        let opts = LoadOptions::default();
        // An unterminated quote in the last column of record 3: nothing closes it.
        let text = b"id,agency\n1,PTA\n2,PTA\n3,\"PTA\n4,PTA\n5,PTA\n6,PTA\n7,PTA\n8,PTA\n";
        let raw = csv_from(text, "t.csv", &opts).unwrap();
        assert_eq!(raw.rows_read, 8);
        assert_eq!(raw.problems.len(), 1);
        assert_eq!((raw.problems[0].row, raw.problems[0].rule), (3, Rule::MalformedRow));
        let rows = rows_of(&raw);
        assert_eq!(rows.len(), 7);
        assert!(rows.iter().all(|(_, v)| v[1].as_deref() == Some("PTA")), "{rows:?}");
        assert_eq!(rows.iter().map(|(r, _)| *r).collect::<Vec<_>>(), [1, 2, 4, 5, 6, 7, 8]);
        // A stray quote that a later stray quote closes: the field count goes wrong.
        let text = b"id,note,agency\n1,a,PTA\n2,\"b,PTA\n3,c,PTA\n4,d\",PTA\n5,e,PTA\n";
        let raw = csv_from(text, "t.csv", &opts).unwrap();
        assert_eq!(raw.rows_read, 5);
        let rows = rows_of(&raw);
        // Line 2 is rejected; line 4's closing quote is then an ordinary character of its field.
        assert_eq!(rows.iter().map(|(r, _)| *r).collect::<Vec<_>>(), [1, 3, 4, 5], "{:?}", raw.problems);
        assert_eq!(raw.problems.iter().map(|p| p.row).collect::<Vec<_>>(), [2]);
        assert_eq!(rows[2].1[1].as_deref(), Some("d\""));
        // A quoted line break that is one field of one record stays one valid record.
        let text = b"id,note,agency\n1,\"two\nlines\",PTA\n2,x,PTA\n";
        let raw = csv_from(text, "t.csv", &opts).unwrap();
        assert!(raw.problems.is_empty());
        assert_eq!(rows_of(&raw)[0].1[1].as_deref(), Some("two\nlines"));
        assert!(csv_fast(text, &["id".into(), "note".into(), "agency".into()], &opts).is_none());
    }

    #[test]
    fn fast_reader_agrees_across_parallel_chunks() {
        // Large enough for polars to split the file between threads, with quoted commas and
        // escaped quotes scattered through it, so that chunk boundaries fall inside quotes.
        // (Quoted line breaks send a file to the record reader: see `stray_quotes_cost_one_row`.)
        let mut text = String::from("id,note,n\n");
        for i in 0..120_000u32 {
            let note = match i % 7 {
                0 => format!("\"one, two {i}\""),
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
