//! EU DSA Transparency Database, statements of reasons (SoR): the daily dumps as the Commission
//! publishes them (`sor-<platform|global>-<YYYY-MM-DD>-<full|light>.zip`: a zip of zips of CSV
//! parts, each with its header), their unpacked CSV parts, or Parquet files with the same column
//! names. The columns and their codes are those of the database's export
//! (`app/Exports/StatementExportTrait.php` and `app/Models/Statement.php` in the public
//! `digital-services-act/transparency-database` repository); columns are found by name, so the
//! full and light variants, and days with or without `content_id_ean`, all read.
//!
//! Each statement becomes one case (a platform's own decision to restrict, so there is no refused
//! request in this source):
//!
//! | canonical | from |
//! |---|---|
//! | `case_id` | `uuid` |
//! | `platform` | `platform_name` (built-in aliases apply: `TikTok` → `tiktok`) |
//! | `reported_at` | `content_date` (the content was posted or created; the database has no notice date) |
//! | `actioned_at` | `application_date` (the restriction applied) |
//! | `status` | the strongest decision (below), mapped by `status_labels` |
//! | `reason` | `category` (a `STATEMENT_CATEGORY_...` code, as published) |
//! | `content_type` | `content_type` (its codes, comma-separated) |
//! | `source` | `EU DSA Transparency Database, statements of reasons` |
//!
//! and these columns beside them, usable in `by`: `decision` (the strongest decision code),
//! `decisions` (every decision code), `decision_ground`, `source_type`, `automated_detection`,
//! `automated_decision`, `keywords` (`category_specification`), `terrorist_content` (`yes` when
//! the keywords include `KEYWORD_TERRORIST_CONTENT`, else `no`), `account_type`,
//! `content_language`, and, in full dumps, `territorial_scope`.
//!
//! The strongest decision is the first of [`DECISIONS`] that the statement carries (an account's
//! termination before its suspension, before the service's, before the content's removal, before
//! lesser visibility restrictions, before monetary ones). By default account and total service
//! decisions and the removal of content are `removed`; disabling access, partial service
//! decisions, demotion, age and interaction restrictions, labels, other visibility restrictions
//! and monetary ones are `restricted`. `status_labels` map a code otherwise. A statement with no
//! decision at all is a `required` reject (it has no status); a code outside the database's lists an
//! `unknown_status` one.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use polars::prelude::*;

use super::SOURCE_COL;
use crate::error::{Error, Result};
use crate::load::readers::{Raw, Rows};
use crate::load::{validate, LoadOptions};
use crate::scan::{Prepare, Scan};
use crate::schema::col_names::{ACTIONED_AT, CASE_ID, CONTENT_TYPE, PLATFORM, REASON, REPORTED_AT, STATUS};
use crate::schema::Status;

const WHAT: &str = "a DSA Transparency Database statements-of-reasons dump (sor-...-full.zip or -light.zip, its CSV parts, or Parquet)";
/// The `source` value of every row.
pub(crate) const SOURCE: &str = "EU DSA Transparency Database, statements of reasons";
const ROW: &str = "__row";
const FILE: &str = "__file";

/// The dump's columns that are read; every dump has them.
const NEEDED: [&str; 14] = [
    "uuid",
    "decision_visibility",
    "decision_monetary",
    "decision_provision",
    "decision_account",
    "decision_ground",
    "category",
    "content_type",
    "content_date",
    "application_date",
    "source_type",
    "automated_detection",
    "automated_decision",
    "platform_name",
];
/// Read when a file has them (`territorial_scope` is in full dumps only).
const OPTIONAL: [&str; 4] = ["category_specification", "account_type", "content_language", "territorial_scope"];

/// The columns beside the canonical ones, in order.
pub(crate) const EXTRAS: [&str; 11] = [
    "decision",
    "decisions",
    "decision_ground",
    "source_type",
    "automated_detection",
    "automated_decision",
    "keywords",
    "terrorist_content",
    "account_type",
    "content_language",
    "territorial_scope",
];

/// Every decision code of the database, strongest first, with its default status.
pub const DECISIONS: [(&str, Status); 16] = [
    ("DECISION_ACCOUNT_TERMINATED", Status::Removed),
    ("DECISION_PROVISION_TOTAL_TERMINATION", Status::Removed),
    ("DECISION_ACCOUNT_SUSPENDED", Status::Removed),
    ("DECISION_PROVISION_TOTAL_SUSPENSION", Status::Removed),
    ("DECISION_PROVISION_PARTIAL_TERMINATION", Status::Restricted),
    ("DECISION_PROVISION_PARTIAL_SUSPENSION", Status::Restricted),
    ("DECISION_VISIBILITY_CONTENT_REMOVED", Status::Removed),
    ("DECISION_VISIBILITY_CONTENT_DISABLED", Status::Restricted),
    ("DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED", Status::Restricted),
    ("DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED", Status::Restricted),
    ("DECISION_VISIBILITY_CONTENT_DEMOTED", Status::Restricted),
    ("DECISION_VISIBILITY_CONTENT_LABELLED", Status::Restricted),
    ("DECISION_VISIBILITY_OTHER", Status::Restricted),
    ("DECISION_MONETARY_TERMINATION", Status::Restricted),
    ("DECISION_MONETARY_SUSPENSION", Status::Restricted),
    ("DECISION_MONETARY_OTHER", Status::Restricted),
];

/// Every column of the database's export (full dumps; light ones lack four of them).
const EXPORT_COLUMNS: [&str; 38] = [
    "uuid",
    "decision_visibility",
    "decision_visibility_other",
    "end_date_visibility_restriction",
    "decision_monetary",
    "decision_monetary_other",
    "end_date_monetary_restriction",
    "decision_provision",
    "end_date_service_restriction",
    "decision_account",
    "end_date_account_restriction",
    "account_type",
    "decision_ground",
    "decision_ground_reference_url",
    "illegal_content_legal_ground",
    "illegal_content_explanation",
    "incompatible_content_ground",
    "incompatible_content_explanation",
    "incompatible_content_illegal",
    "category",
    "category_addition",
    "category_specification",
    "category_specification_other",
    "content_type",
    "content_type_other",
    "content_language",
    "content_date",
    "content_id_ean",
    "territorial_scope",
    "application_date",
    "decision_facts",
    "source_type",
    "source_identity",
    "automated_detection",
    "automated_decision",
    "platform_name",
    "platform_uid",
    "created_at",
];

/// How the rows were made, for the load report's `derivation`: the mapping, and the columns of
/// the files that no row carries.
pub(crate) fn derivation(files: &Files) -> String {
    derivation_of(files.names.iter().flatten())
}

/// The derivation, given the column names of the files (or frame) read.
fn derivation_of<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let removed: Vec<&str> = DECISIONS.iter().filter(|(_, s)| *s == Status::Removed).map(|(c, _)| *c).collect();
    let mut text = format!(
        "one case per statement of reasons (DSA Transparency Database): a platform's own restriction, so no request \
         in it was refused; reported_at = content_date (when the content was posted, not a notice date: the database \
         has none), actioned_at = application_date; status from the statement's strongest decision (account, then \
         service, then visibility, then monetary): {} are removed, every other decision restricted, unless \
         status_labels map it otherwise; reason = category",
        removed.join(", ")
    );
    let seen: std::collections::BTreeSet<&String> =
        names.filter(|n| !NEEDED.contains(&n.as_str()) && !OPTIONAL.contains(&n.as_str())).collect();
    let (known, other): (Vec<&String>, Vec<&String>) =
        seen.into_iter().partition(|n| EXPORT_COLUMNS.contains(&n.as_str()));
    let list = |v: Vec<&String>| v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
    if !known.is_empty() {
        text += &format!("; the dump's columns not read (free text, end dates, identifiers): {}", list(known));
    }
    if !other.is_empty() {
        text += &format!("; columns that are not the database's, not read: {}", list(other));
    }
    text
}

/// The files of a dump, and what must live while they are read.
pub(crate) struct Files {
    pub paths: Vec<PathBuf>,
    /// Each file's column names (its header, or its Parquet schema), read once.
    pub names: Vec<Vec<String>>,
    pub parquet: bool,
    /// The unpacked parts of a zip, removed when dropped.
    pub hold: Option<Arc<Unpacked>>,
}

/// A directory of unpacked parts, removed when dropped.
pub(crate) struct Unpacked(PathBuf);

impl Drop for Unpacked {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn read_err(file: &Path, message: impl Into<String>) -> Error {
    Error::Read { file: file.display().to_string(), format: WHAT.into(), message: message.into() }
}

fn io_err(path: &Path, e: std::io::Error) -> Error {
    Error::Io { path: path.display().to_string(), source: e }
}

/// The files `path` names: a zip (unpacked into a directory under the system's temporary
/// directory, `TMPDIR`), a CSV or Parquet file, a directory of them, or a glob.
pub(crate) fn files(path: &Path) -> Result<Files> {
    let text = path.display().to_string();
    let mut paths: Vec<PathBuf> = if text.contains(['*', '?', '[']) {
        glob_files(path)?
    } else if path.is_dir() {
        let mut v = Vec::new();
        for e in std::fs::read_dir(path).map_err(|e| io_err(path, e))? {
            let p = e.map_err(|e| io_err(path, e))?.path();
            if p.is_file() && (has_ext(&p, ".csv") || has_ext(&p, ".parquet") || has_ext(&p, ".zip")) {
                v.push(p);
            }
        }
        v
    } else {
        std::fs::metadata(path).map_err(|e| io_err(path, e))?;
        vec![path.to_path_buf()]
    };
    paths.sort();
    if paths.is_empty() {
        return Err(read_err(path, "no .zip, .csv or .parquet file is there"));
    }
    let mut hold = None;
    if paths.iter().any(|p| has_ext(p, ".zip")) {
        let dir = unpack_dir()?;
        let guard = Arc::new(Unpacked(dir.clone()));
        let mut out = Vec::new();
        for p in &paths {
            if has_ext(p, ".zip") {
                unzip(p, &dir, &mut out, 0)?;
            } else {
                out.push(p.clone());
            }
        }
        out.sort();
        paths = out;
        hold = Some(guard);
        if paths.is_empty() {
            return Err(read_err(path, "the zip holds no .csv part"));
        }
    }
    let parquet = paths.iter().all(|p| has_ext(p, ".parquet"));
    if !parquet && paths.iter().any(|p| has_ext(p, ".parquet")) {
        return Err(read_err(path, "it mixes Parquet and CSV files; give one kind"));
    }
    let names = paths.iter().map(|p| column_names(p, parquet)).collect::<Result<Vec<_>>>()?;
    Ok(Files { paths, names, parquet, hold })
}

/// Whether `p`'s name ends with `ext` (`.zip`), in any case.
fn has_ext(p: &Path, ext: &str) -> bool {
    p.to_string_lossy().to_lowercase().ends_with(ext)
}

/// A file's column names, checked for the columns every dump has.
fn column_names(p: &Path, parquet: bool) -> Result<Vec<String>> {
    let names: Vec<String> = if parquet {
        let mut lf = LazyFrame::scan_parquet(PlRefPath::new(p.display().to_string().as_str()), Default::default())
            .map_err(|e| read_err(p, e.to_string()))?;
        lf.collect_schema().map_err(|e| read_err(p, e.to_string()))?.iter_names().map(|s| s.to_string()).collect()
    } else {
        csv_header(p)?
    };
    check_needed(&names).map_err(|m| read_err(p, m))?;
    Ok(names)
}

/// Fails, saying which, unless `names` has every column a dump has.
fn check_needed(names: &[String]) -> std::result::Result<(), String> {
    let missing: Vec<&str> = NEEDED.iter().copied().filter(|c| !names.iter().any(|n| n == c)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(format!(
        "it lacks the column(s) {} that every statements-of-reasons dump has (its columns: {})",
        missing.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "),
        names.iter().take(40).map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
    ))
}

/// Maps and validates `df`, statements of reasons with the dump's columns read by another engine
/// (a batch of a Spark partition), as [`read`] does a file's: every rule, rows numbered within
/// `df`, named `source` in problems.
pub(crate) fn from_frame(df: DataFrame, source: &str, opts: &LoadOptions) -> Result<crate::Cases> {
    let names: Vec<String> = df.get_column_names().iter().map(|s| s.to_string()).collect();
    check_needed(&names).map_err(|message| Error::Read { file: source.into(), format: WHAT.into(), message })?;
    let n = df.height();
    let mut cols = Vec::with_capacity(inputs().len());
    for c in inputs() {
        cols.push(match df.column(&c) {
            Ok(col) => col.clone(),
            // (A dump without an optional column: null, as in a file that lacks it.)
            Err(_) => Column::full_null(c.as_str().into(), n, &DataType::String),
        });
    }
    let frame = map_columns(DataFrame::new(n, cols)?, &EXTRAS.iter().map(|s| s.to_string()).collect::<Vec<_>>())?;
    let raw = Raw {
        source: source.to_string(),
        frame,
        rows: Rows::Sequential,
        rows_read: n as u64,
        blank_rows: 0,
        problems: Vec::new(),
        sha256: None,
        count_columns: None,
    };
    let mut validated = validate::validate(raw, &options(opts))?;
    validated.report.derivation = Some(derivation_of(names.iter()));
    validated.report.unit = Some(UNIT.into());
    validated.report.actions_only = true;
    validated.try_into()
}

fn glob_files(pattern: &Path) -> Result<Vec<PathBuf>> {
    // One `*` in the last component (`parts/*.csv`), which is what a dump's parts need.
    let dir = pattern.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = pattern.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    if dir.to_string_lossy().contains(['*', '?', '[']) || name.matches('*').count() != 1 || name.contains(['?', '[']) {
        return Err(read_err(pattern, "a glob may have one `*` in its last part only (`parts/*.csv`)"));
    }
    let (pre, post) = name.split_once('*').unwrap_or((&name, ""));
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).map_err(|e| io_err(dir, e))? {
        let p = e.map_err(|e| io_err(dir, e))?.path();
        let n = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        if p.is_file() && n.len() >= pre.len() + post.len() && n.starts_with(pre) && n.ends_with(post) {
            v.push(p);
        }
    }
    Ok(v)
}

fn unpack_dir() -> Result<PathBuf> {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!("takedowns-dsa-{}-{n}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| io_err(&dir, e))?;
    Ok(dir)
}

/// Unpacks the CSV parts of `zip` into `dir` (a zip inside is unpacked in turn), streaming:
/// memory stays at a buffer whatever the size.
fn unzip(zip: &Path, dir: &Path, out: &mut Vec<PathBuf>, depth: u32) -> Result<()> {
    if depth > 2 {
        return Err(read_err(zip, "zips nested more than twice deep"));
    }
    let f = File::open(zip).map_err(|e| io_err(zip, e))?;
    let mut archive = ::zip::ZipArchive::new(std::io::BufReader::new(f))
        .map_err(|e| read_err(zip, format!("not a readable zip: {e}")))?;
    for i in 0..archive.len() {
        crate::cancel::check()?;
        let mut entry = archive.by_index(i).map_err(|e| read_err(zip, format!("entry {i}: {e}")))?;
        if entry.is_dir() {
            continue;
        }
        // Only the entry's own name, never its path: nothing is written outside `dir`.
        let name = entry
            .enclosed_name()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
            .filter(|n| !n.is_empty() && !n.starts_with('.'))
            .unwrap_or_else(|| format!("entry-{depth}-{i}"));
        let zipped = has_ext(Path::new(&name), ".zip");
        if !(zipped || has_ext(Path::new(&name), ".csv")) {
            continue;
        }
        let mut target = dir.join(&name);
        let mut k = 1;
        while target.exists() {
            target = dir.join(format!("{k}-{name}"));
            k += 1;
        }
        {
            let mut w = std::io::BufWriter::new(File::create(&target).map_err(|e| io_err(&target, e))?);
            let mut buf = vec![0u8; 1 << 20];
            loop {
                let got = entry.read(&mut buf).map_err(|e| read_err(zip, format!("entry `{name}`: {e}")))?;
                if got == 0 {
                    break;
                }
                w.write_all(&buf[..got]).map_err(|e| io_err(&target, e))?;
            }
            w.flush().map_err(|e| io_err(&target, e))?;
        }
        if zipped {
            unzip(&target, dir, out, depth + 1)?;
            std::fs::remove_file(&target).map_err(|e| io_err(&target, e))?;
        } else {
            out.push(target);
        }
    }
    Ok(())
}

/// The header of a CSV part (its first line), as names.
fn csv_header(path: &Path) -> Result<Vec<String>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(File::open(path).map_err(|e| io_err(path, e))?);
    let mut rec = csv::StringRecord::new();
    match rdr.read_record(&mut rec) {
        Ok(true) => Ok(rec.iter().map(|s| s.trim_start_matches('\u{feff}').trim().to_string()).collect()),
        Ok(false) => Err(read_err(path, "empty: no header line")),
        Err(e) => Err(read_err(path, format!("its header line: {e}"))),
    }
}

/// The columns read from each file: `NEEDED`, then `OPTIONAL` (null where a file lacks one).
pub(crate) fn inputs() -> Vec<String> {
    NEEDED.iter().chain(OPTIONAL.iter()).map(|s| s.to_string()).collect()
}

/// One lazy frame over every file: the row (1-based, within its file), the file, and
/// [`inputs`] (text, but for typed dates in Parquet).
pub(crate) fn lazy(files: &Files) -> Result<LazyFrame> {
    let mut frames = lazies(files)?;
    if frames.len() == 1 {
        if let Some(one) = frames.pop() {
            return Ok(one);
        }
    }
    Ok(concat(frames, UnionArgs { parallel: false, rechunk: false, ..Default::default() })?)
}

/// The rows of every file, counted file by file (polars 0.55 sums the lengths of a
/// concatenation as 128-bit integers, a type this build leaves out).
fn count_rows(files: &Files) -> Result<u64> {
    let mut n = 0u64;
    for (lf, p) in lazies(files)?.into_iter().zip(&files.paths) {
        let df = lf.select([len().alias("n")]).collect().map_err(|e| read_err(p, e.to_string()))?;
        n += df.column("n")?.cast(&DataType::UInt64)?.u64()?.get(0).unwrap_or(0);
    }
    Ok(n)
}

/// [`lazy`], one frame per file.
fn lazies(files: &Files) -> Result<Vec<LazyFrame>> {
    let mut frames = Vec::with_capacity(files.paths.len());
    for (p, names) in files.paths.iter().zip(&files.names) {
        let text = p.display().to_string();
        let lf = if files.parquet {
            let args = ScanArgsParquet {
                row_index: Some(RowIndex { name: ROW.into(), offset: 1 }),
                include_file_paths: Some(FILE.into()),
                ..Default::default()
            };
            LazyFrame::scan_parquet(PlRefPath::new(text.as_str()), args).map_err(|e| read_err(p, e.to_string()))?
        } else {
            LazyCsvReader::new(PlRefPath::new(text.as_str()))
                .with_has_header(true)
                .with_infer_schema_length(Some(0))
                .with_row_index(Some(RowIndex { name: ROW.into(), offset: 1 }))
                .with_include_file_paths(Some(FILE.into()))
                .finish()
                .map_err(|e| read_err(p, e.to_string()))?
        };
        let mut select = vec![col(ROW), col(FILE).cast(DataType::String)];
        for c in NEEDED.iter().chain(OPTIONAL.iter()) {
            let present = names.iter().any(|n| n == c);
            let e = match (present, *c) {
                (false, _) => lit(NULL).cast(DataType::String),
                // Dates stay as stored (Parquet may type them); text is text.
                (true, "content_date" | "application_date") if files.parquet => col(*c),
                (true, _) => col(*c).cast(DataType::String),
            };
            select.push(e.alias(*c));
        }
        frames.push(lf.select(select));
    }
    Ok(frames)
}

/// The codes of a JSON-array cell (`["A","B"]`), or of a plain one (`A`).
fn codes(cell: &str) -> impl Iterator<Item = &str> {
    let t = cell.trim();
    let t = t.strip_prefix('[').and_then(|t| t.strip_suffix(']')).unwrap_or(t);
    t.split(',').map(|s| s.trim().trim_matches('"').trim()).filter(|s| !s.is_empty())
}

/// The rows of every part, and its lines whose number of fields is not its header's: each a
/// `malformed_row` problem (file as its path, row within it). polars' reader, which reads only
/// the columns an analytic needs, would read such a line with its values under the wrong
/// columns; a line is checked here, with the csv crate, before any batch is read.
fn structure(files: &Files) -> Result<(u64, Vec<crate::error::Problem>)> {
    use rayon::prelude::*;
    if files.parquet {
        return Ok((count_rows(files)?, Vec::new()));
    }
    let per: Vec<Result<(u64, Vec<crate::error::Problem>)>> = files
        .paths
        .par_iter()
        .map(|p| {
            let f = File::open(p).map_err(|e| io_err(p, e))?;
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(true)
                .flexible(true)
                .from_reader(std::io::BufReader::with_capacity(1 << 20, f));
            let width = rdr.byte_headers().map_err(|e| read_err(p, e.to_string()))?.len();
            let mut rec = csv::ByteRecord::new();
            let (mut n, mut bad) = (0u64, Vec::new());
            loop {
                match rdr.read_byte_record(&mut rec) {
                    Ok(false) => break,
                    Ok(true) => {
                        n += 1;
                        if n % 1_000_000 == 0 {
                            crate::cancel::check()?;
                        }
                        if rec.len() != width {
                            let value: String = String::from_utf8_lossy(rec.as_slice()).chars().take(120).collect();
                            bad.push(crate::error::Problem {
                                file: p.display().to_string(),
                                row: n,
                                column: String::new(),
                                value,
                                rule: crate::error::Rule::MalformedRow,
                                case_id: None,
                                message: format!(
                                    "expected {width} fields as in the header, found {}: its values cannot be put \
                                     under their columns",
                                    rec.len()
                                ),
                            });
                        }
                    }
                    Err(e) => return Err(read_err(p, format!("after row {n}: {e}"))),
                }
            }
            Ok((n, bad))
        })
        .collect();
    let mut rows = 0;
    let mut bad = Vec::new();
    for r in per {
        let (n, b) = r?;
        rows += n;
        bad.extend(b);
    }
    Ok((rows, bad))
}

/// The malformed lines of [`structure`], by (file, row within it).
type BadLines = std::collections::HashMap<(String, u64), crate::error::Problem>;

fn bad_lines(bad: Vec<crate::error::Problem>) -> BadLines {
    bad.into_iter().map(|p| ((p.file.clone(), p.row), p)).collect()
}

/// Which rows of `df` (with its row and file columns) are not among the `bad` lines.
fn kept(df: &DataFrame, bad: &BadLines) -> Result<BooleanChunked> {
    let rows = df.column(ROW)?.cast(&DataType::UInt64)?;
    let files = df.column(FILE)?.str()?.clone();
    Ok(rows
        .u64()?
        .iter()
        .zip(files.iter())
        .map(|(r, f)| Some(!bad.contains_key(&(f.unwrap_or("").to_string(), r.unwrap_or(0)))))
        .collect())
}

/// The scan's mapping: leaves out the `bad` lines, maps the rest ([`map_columns`]) and keeps
/// the row and file columns.
fn prepare_leaving_out(bad: BadLines) -> Prepare {
    Arc::new(move |mut df: DataFrame, wanted: &[String]| {
        if df.column(ROW).is_err() {
            return map_columns(df, wanted);
        }
        if !bad.is_empty() {
            df = df.filter(&kept(&df, &bad)?)?;
        }
        let row = df.column(ROW)?.clone();
        let file = df.column(FILE)?.clone();
        df.drop_in_place(ROW)?;
        df.drop_in_place(FILE)?;
        let mut out = map_columns(df, wanted)?;
        out.with_column(row)?;
        out.with_column(file)?;
        Ok(out)
    })
}

/// Maps a batch of the dump's columns ([`inputs`]) to canonical columns and the `wanted` extras.
pub(crate) fn map_columns(df: DataFrame, wanted: &[String]) -> Result<DataFrame> {
    let n = df.height();
    let text = |c: &str| -> Result<StringChunked> { Ok(crate::schema::text_of(df.column(c)?)?) };
    let vis = text("decision_visibility")?;
    let mon = text("decision_monetary")?;
    let prov = text("decision_provision")?;
    let acc = text("decision_account")?;
    let mut decision: Vec<Option<String>> = Vec::with_capacity(n);
    let mut decisions: Vec<Option<String>> = Vec::with_capacity(n);
    let mut all: Vec<&str> = Vec::new();
    for i in 0..n {
        all.clear();
        for c in [&acc, &prov, &vis, &mon] {
            if let Some(v) = c.get(i) {
                all.extend(codes(v));
            }
        }
        if all.is_empty() {
            decision.push(None);
            decisions.push(None);
            continue;
        }
        // The database's codes are upper case: `decision_visibility_content_removed` is that code.
        let upper: Vec<String> = all.iter().map(|c| c.to_ascii_uppercase()).collect();
        let strongest = DECISIONS.iter().find(|(d, _)| upper.iter().any(|u| u == d)).map(|(d, _)| d.to_string());
        // A code outside the lists stays as it is: validation names it.
        let strongest = strongest.unwrap_or_else(|| {
            upper.iter().find(|c| !DECISIONS.iter().any(|(d, _)| d == c)).cloned().unwrap_or_else(|| upper[0].clone())
        });
        decision.push(Some(strongest));
        decisions.push(Some(upper.join(", ")));
    }
    let decision = StringChunked::from_iter_options(STATUS.into(), decision.iter().map(|d| d.as_deref()));
    // A JSON-array cell's codes, comma-separated (null when there are none).
    let joined = |from: &str, to: &str| -> Result<Column> {
        Ok(text(from)?
            .iter()
            .map(|v| v.map(|v| codes(v).collect::<Vec<_>>().join(", ")).filter(|s| !s.is_empty()))
            .collect::<StringChunked>()
            .with_name(to.into())
            .into_column())
    };
    let rename = |from: &str, to: &str| -> Result<Column> { Ok(df.column(from)?.clone().with_name(to.into())) };
    let mut cols = vec![
        rename("uuid", CASE_ID)?,
        rename("platform_name", PLATFORM)?,
        rename("content_date", REPORTED_AT)?,
        rename("application_date", ACTIONED_AT)?,
        decision.clone().into_column(),
        rename("category", REASON)?,
        joined("content_type", CONTENT_TYPE)?,
        Column::new_scalar(SOURCE_COL.into(), Scalar::new(DataType::String, AnyValue::StringOwned(SOURCE.into())), n),
    ];
    for w in wanted {
        let c: Column = match w.as_str() {
            "decision" => decision.clone().with_name("decision".into()).into_column(),
            "decisions" => StringChunked::from_iter_options("decisions".into(), decisions.iter().map(|d| d.as_deref()))
                .into_column(),
            "keywords" => joined("category_specification", "keywords")?,
            "terrorist_content" => text("category_specification")?
                .iter()
                .map(|v| {
                    Some(if v.is_some_and(|v| codes(v).any(|c| c == "KEYWORD_TERRORIST_CONTENT")) {
                        "yes"
                    } else {
                        "no"
                    })
                })
                .collect::<StringChunked>()
                .with_name("terrorist_content".into())
                .into_column(),
            "territorial_scope" => joined("territorial_scope", "territorial_scope")?,
            other if EXTRAS.contains(&other) => text(other)?.into_column(),
            _ => continue,
        };
        cols.push(c);
    }
    Ok(DataFrame::new(n, cols)?)
}

/// The default status of each decision code, then the caller's.
pub(crate) fn status_labels(opts: &LoadOptions) -> Vec<(String, Status)> {
    let mut v: Vec<(String, Status)> = DECISIONS.iter().map(|(c, s)| (c.to_string(), *s)).collect();
    v.extend(opts.status_labels.iter().cloned());
    v
}

fn options(opts: &LoadOptions) -> LoadOptions {
    LoadOptions {
        // The database requires both dates of every statement.
        required: Some(vec![CASE_ID.into(), PLATFORM.into(), REPORTED_AT.into(), ACTIONED_AT.into(), STATUS.into()]),
        status_labels: status_labels(opts),
        columns: Vec::new(),
        outcome_columns: Vec::new(),
        ..opts.clone()
    }
}

/// Scans a dump: see the module docs. Nothing is loaded; each analytic reads the parts batch by
/// batch.
pub(crate) fn scan(path: &Path, opts: &LoadOptions) -> Result<Scan> {
    let files = files(path)?;
    let lf = lazy(&files)?;
    let (rows, bad) = structure(&files)?;
    let note = derivation(&files);
    let hold = files.hold.clone().map(|h| h as Arc<dyn std::any::Any + Send + Sync>);
    let prepare = prepare_leaving_out(bad_lines(bad.clone()));
    let rename_file = files.hold.as_ref().map(|h| {
        let (dir, zip) = (h.0.display().to_string(), path.display().to_string());
        Arc::new(move |f: &str| match f.strip_prefix(dir.as_str()) {
            Some(rest) => format!("{zip} › {}", rest.trim_start_matches(['/', '\\'])),
            None => f.to_string(),
        }) as crate::scan::RenameFile
    });
    crate::scan::scan_prepared(
        crate::scan::Prepared {
            base: lf,
            source: path.display().to_string(),
            rows,
            inputs: inputs(),
            extras: EXTRAS.iter().map(|s| s.to_string()).collect(),
            prepare: Some(prepare),
            rejected: bad,
            rename_file,
            hold,
            derivation: Some(note),
            unit: Some(UNIT.into()),
            actions_only: true,
        },
        &options(opts),
    )
}

/// What a row counts.
pub(crate) const UNIT: &str = crate::load::STATEMENTS_UNIT;

/// Reads a dump into memory (every rule, duplicate `uuid`s included).
pub(crate) fn read(path: &Path, opts: &LoadOptions) -> Result<crate::Cases> {
    let files = files(path)?;
    let (_, bad) = structure(&files)?;
    let bad = bad_lines(bad);
    let mut df = lazy(&files)?.collect().map_err(|e| read_err(path, e.to_string()))?;
    let keep = kept(&df, &bad)?;
    let local: Vec<u64> = df.column(ROW)?.cast(&DataType::UInt64)?.u64()?.iter().map(|r| r.unwrap_or(0)).collect();
    let file_of: StringChunked = df.column(FILE)?.str()?.clone();
    df.drop_in_place(ROW)?;
    df.drop_in_place(FILE)?;
    let n = df.height();
    // Each row's number across the parts (1-based); a malformed line keeps its number, as a reject.
    let mut problems = Vec::new();
    let mut kept_rows = Vec::with_capacity(n);
    for (i, k) in keep.iter().enumerate() {
        if k == Some(true) {
            kept_rows.push(i as u64 + 1);
        } else if let Some(p) = bad.get(&(file_of.get(i).unwrap_or("").to_string(), local[i])) {
            problems.push(crate::error::Problem { row: i as u64 + 1, ..p.clone() });
        }
    }
    let df = if problems.is_empty() { df } else { df.filter(&keep)? };
    let frame = map_columns(df, &EXTRAS.iter().map(|s| s.to_string()).collect::<Vec<_>>())?;
    let sha256 = if path.is_file() { Some(sha256_file(path)?) } else { None };
    let raw = Raw {
        source: path.display().to_string(),
        frame,
        rows: Rows::listed(kept_rows),
        rows_read: n as u64,
        blank_rows: 0,
        problems,
        sha256,
        count_columns: None,
    };
    let mut validated = validate::validate(raw, &options(opts))?;
    // A problem names its part and its row there.
    for p in &mut validated.problems {
        if let Some(i) = (p.row as usize).checked_sub(1).filter(|i| *i < n) {
            p.file = file_name(files.hold.is_some(), path, file_of.get(i).unwrap_or(""));
            p.row = local[i];
        }
        // A duplicate names the row that first used the id: as a row of its part too.
        if let Some((head, first)) = p.message.rsplit_once("on row ") {
            if let Some(j) = first.trim().parse::<usize>().ok().and_then(|r| r.checked_sub(1)).filter(|j| *j < n) {
                let part = file_name(files.hold.is_some(), path, file_of.get(j).unwrap_or(""));
                p.message = format!("{head}on row {} of {part}", local[j]);
            }
        }
    }
    validated.report.derivation = Some(derivation(&files));
    validated.report.unit = Some(UNIT.into());
    validated.report.actions_only = true;
    validated.try_into()
}

/// The SHA-256 of a file, read a buffer at a time.
fn sha256_file(path: &Path) -> Result<String> {
    use sha2::Digest;
    let mut f = File::open(path).map_err(|e| io_err(path, e))?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let got = f.read(&mut buf).map_err(|e| io_err(path, e))?;
        if got == 0 {
            break;
        }
        h.update(&buf[..got]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// A part's name for messages: inside a zip, `<zip> › <part>`.
fn file_name(zipped: bool, path: &Path, part: &str) -> String {
    if zipped {
        let name = Path::new(part).file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        format!("{} › {name}", path.display())
    } else {
        part.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_of_a_cell() {
        assert_eq!(codes(r#"["A","B"]"#).collect::<Vec<_>>(), ["A", "B"]);
        assert_eq!(codes("A").collect::<Vec<_>>(), ["A"]);
        assert_eq!(codes("[]").count(), 0);
        assert_eq!(codes("").count(), 0);
    }

    #[test]
    fn the_strongest_decision_wins() {
        let s = |v: &str| Series::new(v.into(), [None::<&str>]).into_column();
        let mut cols: Vec<Column> = inputs().iter().map(|c| s(c)).collect();
        let set = |cols: &mut Vec<Column>, name: &str, v: &str| {
            let i = inputs().iter().position(|c| c == name).unwrap();
            cols[i] = Series::new(name.into(), [Some(v)]).into_column();
        };
        set(
            &mut cols,
            "decision_visibility",
            r#"["DECISION_VISIBILITY_CONTENT_DEMOTED","DECISION_VISIBILITY_CONTENT_REMOVED"]"#,
        );
        set(&mut cols, "decision_monetary", "DECISION_MONETARY_OTHER");
        let df = DataFrame::new(1, cols).unwrap();
        let out = map_columns(df, &["decisions".to_string()]).unwrap();
        assert_eq!(out.column(STATUS).unwrap().str().unwrap().get(0), Some("DECISION_VISIBILITY_CONTENT_REMOVED"));
        assert_eq!(
            out.column("decisions").unwrap().str().unwrap().get(0),
            Some("DECISION_VISIBILITY_CONTENT_DEMOTED, DECISION_VISIBILITY_CONTENT_REMOVED, DECISION_MONETARY_OTHER")
        );
    }
}
