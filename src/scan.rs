//! Scans: the analytics over Parquet or CSV data larger than memory.
//!
//! [`scan_parquet`] reads a Parquet file, a glob (`data/*.parquet`) or a directory of Parquet
//! files, hive-partitioned or not (`data/year=2025/month=03/part-0.parquet`: `year` and `month`
//! become columns usable in `by`); [`scan_csv`] a CSV file without quotes, whose rows are
//! numbered, skipped and rejected as [`crate::load::read_csv`] does. Nothing is loaded up front:
//! each analytic is one query that polars' streaming engine runs batch by batch, reading only
//! the columns it needs (projection pushdown); a CSV file is read a piece at a time instead, by
//! polars' fast reader. Every batch is validated by the same code and rules as [`crate::load`],
//! with two
//! differences a stream imposes:
//!
//! - invalid rows are always quarantined (left out and counted), never fatal;
//! - the duplicate-`case_id` rule is not checked: it needs every id in memory at once. Read the
//!   data with [`crate::load::read_parquet`] to check it.
//!
//! Each result's `definition` ends with what the pass read and rejected, and
//! [`Scan::last_report`] gives the full report (rows read = accepted + rejected, problems by rule,
//! the first problems with file and row). Row numbers count across the scanned files in path order.
//!
//! Only reach (or a `by` on `account_key`) derives `account_key`; the other analytics leave it
//! null in their batches.
//!
//! Several tables at once ([`Scan::tables`]) read and validate the data once: each batch feeds
//! every table's partial sums ([`crate::metrics::partial`]), counted by hand where each request
//! weighs 1 (`metrics::sum_stream`).
//!
//! Reach in one pass, by up to two label columns with the largest follower count, keeps one
//! record per account as the batches come (`metrics::reach_stream`). Other reach tables
//! and crosstabs of accounts or followers hold the rows they read (the `by` columns, platform,
//! account, group, followers, count, dates and status) of the accounts they count, in input
//! order, and count them with the in-memory code. Either way their tables (notes included) equal
//! an in-memory load's. For many millions of accounts they work in passes over a partition of the
//! accounts (by a hash of `account_key`), so memory stays bounded: [`Scan::with_partitions`], by
//! default one pass per 12.5 million rows; each pass's accounts become a histogram partial.

use std::path::Path;
use std::sync::{Arc, Mutex};

use polars::prelude::*;

use crate::dates::DateOrder;
use crate::error::{Error, Problem, Result};
use crate::load::csv_layout::Layout;
use crate::load::readers::{Raw, Rows};
use crate::load::validate::{check_required, match_columns, validate_with, Scope};
use crate::load::{LoadOptions, LoadReport, OnInvalid, Validated};
use crate::metrics::reach_stream::ReachStream;
use crate::metrics::sum_stream::SumStream;
use crate::metrics::{self, Source, PART};
use crate::schema::col_names::*;
use crate::{ComplianceSpec, ReachSpec, Table, TrendSpec};

const ROW: &str = "__row";
const FILE: &str = "__file";
/// Rows per reach pass when the partitions are not set.
const ROWS_PER_PASS: u64 = 12_500_000;

/// A lazily scanned Parquet source. See the module docs.
pub struct Scan {
    base: LazyFrame,
    source: String,
    rows: u64,
    /// Raw columns the validation reads, and the extra columns (read only when a `by` names them).
    inputs: Vec<String>,
    extras: Vec<String>,
    opts: LoadOptions,
    partitions: Option<u32>,
    last: Mutex<Option<(LoadReport, DataFrame)>>,
    /// A published source's mapping of its own columns to the canonical ones, run on each batch
    /// before validation ([`crate::sources::scan`]); `None` when the data is canonical already.
    prepare: Option<Prepare>,
    /// How a problem names its file (a zip's unpacked part as `zip › part`).
    rename_file: Option<RenameFile>,
    /// Rows the source's reading rejected before the batches (see [`Prepared::rejected`]).
    pre_rejected: Vec<Problem>,
    /// How a source's rows were derived, and what a row counts (as in [`LoadReport`]).
    derivation: Option<String>,
    unit: Option<String>,
    actions_only: bool,
    /// What must live as long as the scan (a source's unpacked files).
    _hold: Option<Arc<dyn std::any::Any + Send + Sync>>,
    /// The input columns of text dates (`reported_at`, `actioned_at`) whose day/month order is
    /// inferred (`date_order` auto), and that order over the whole data once a pass found it.
    text_dates: Vec<String>,
    order: std::sync::OnceLock<DateOrder>,
    /// What the last pass's text dates showed while the order was not known: a day-first date,
    /// a month-first date, an ambiguous one.
    seen: Mutex<(bool, bool, bool)>,
    /// Whether the input has a `count` column (else validation gives each row a constant 1).
    count_given: bool,
    /// For a CSV file ([`scan_csv`]): its rows against the records polars' reader gives.
    csv: Option<Arc<Layout>>,
}

/// How a scan's problem names its file when its path is not the name to show (a zip's part).
pub(crate) type RenameFile = Arc<dyn Fn(&str) -> String + Send + Sync>;

/// Maps a batch of a source's own columns to canonical columns, plus the extras named (of
/// [`Scan::extra_columns`]); the row and file columns (`__row`, `__file`), when the batch has
/// them, are kept.
pub(crate) type Prepare = Arc<dyn Fn(DataFrame, &[String]) -> Result<DataFrame> + Send + Sync>;

/// The first typed error of a pass's batches.
type Failed = Arc<Mutex<Option<Error>>>;

/// Validates one batch of the input (and gives it to the observer, if any).
type Batch = Arc<dyn Fn(DataFrame) -> PolarsResult<DataFrame> + Send + Sync>;

/// A pass over the source ([`Scan::plan`]): the validated rows as a lazy query, the tally its
/// batches fill, their first typed error, the function each batch goes through, and the input
/// columns it reads.
struct Plan {
    src: Source<'static>,
    tally: Arc<Mutex<Tally>>,
    failed: Failed,
    batch: Batch,
    read: Vec<String>,
}

/// Takes each validated batch and the place of its first row in the input ([`Scan::tables`]):
/// the batch then leaves the query empty.
type Observe = Arc<dyn Fn(&DataFrame, i64) -> Result<()> + Send + Sync>;

/// What the batches of one pass found, summed.
#[derive(Default)]
struct Tally {
    read: u64,
    rejected: u64,
    by_rule: std::collections::BTreeMap<crate::error::Rule, u64>,
    /// (column, label, value, known) -> (rows accepted, rows rejected)
    labels: std::collections::BTreeMap<(String, String, String, bool), (u64, u64)>,
    problems: Vec<Problem>,
    /// Records read: the batches' rows, and a CSV file's lines left out (blank or unreadable).
    records: u64,
    /// Whether the text dates looked at show a day-first, a month-first, an ambiguous date.
    evidence: (bool, bool, bool),
    /// Values read as missing because they were one of the options' `null_values`.
    null_values: u64,
    /// A batch's report, for what every batch's says alike: the columns matched, filled and
    /// dropped, and whether the input is an aggregate table.
    columns: Option<LoadReport>,
}

/// Scans a Parquet file, a glob or a directory (hive partitions are read as columns). Checks the
/// columns now; the rows are read and validated when an analytic runs.
pub fn scan_parquet(path: impl AsRef<Path>, opts: &LoadOptions) -> Result<Scan> {
    let path = path.as_ref();
    let source = path.display().to_string();
    if !path.exists() && !source.contains(['*', '?', '[']) {
        return Err(Error::Io {
            path: source,
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
        });
    }
    let read_err = |e: PolarsError| {
        let message = e.to_string();
        if message.contains("expanded paths were empty") {
            // polars' own text names its internal path type and suggests a schema no user passes.
            let why = if source.contains(['*', '?', '[']) {
                "no Parquet file here: no file matches the pattern"
            } else {
                "no Parquet file here: the directory holds none"
            };
            return Error::Io { path: source.clone(), source: std::io::Error::new(std::io::ErrorKind::NotFound, why) };
        }
        Error::Read { file: source.clone(), format: "Parquet".into(), message }
    };
    // A problem names its row's file. One file is the source itself; polars' column of file
    // paths costs a text value per row (at 10M rows it doubled the pass's peak memory, 0.36 to
    // 0.75 GB, and its time), so it is read only when the scan spans files.
    let one_file = path.is_file();
    let args = ScanArgsParquet {
        row_index: Some(RowIndex { name: ROW.into(), offset: 1 }),
        include_file_paths: (!one_file).then(|| FILE.into()),
        // A file or directory that exists is that path, brackets and all, not a pattern.
        glob: !one_file,
        ..Default::default()
    };
    let mut base = LazyFrame::scan_parquet(PlRefPath::new(source.as_str()), args).map_err(read_err)?;
    let schema = base.collect_schema().map_err(read_err)?;
    let names: Vec<String> = schema.iter_names().map(|s| s.to_string()).filter(|n| n != ROW && n != FILE).collect();
    let m = match_columns(&names, opts, &source)?;
    check_required(&m, &names, opts, &source)?;
    let inputs: Vec<String> = names.iter().filter(|n| !m.extras.contains(n)).cloned().collect();
    let counted = base.clone().select([len().alias("n")]).collect().map_err(read_err)?;
    let rows = counted.column("n")?.cast(&DataType::UInt64)?.u64()?.get(0).unwrap_or(0);
    let text_dates: Vec<String> = if opts.date_order == DateOrder::Auto {
        [REPORTED_AT, ACTIONED_AT]
            .iter()
            .filter_map(|c| m.canon.get(*c))
            .filter(|n| schema.get(n.as_str()) == Some(&DataType::String))
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    let mut scan = assemble(
        Prepared::of_file(base, source, rows, inputs, m.extras, Vec::new()),
        opts,
        m.canon.contains_key(COUNT),
    );
    scan.text_dates = text_dates;
    Ok(scan)
}

/// The scan of `p`, quarantining as every scan does; `count_given`: whether its input has a
/// `count` column.
fn assemble(p: Prepared, opts: &LoadOptions, count_given: bool) -> Scan {
    let mut opts = opts.clone();
    opts.on_invalid = OnInvalid::Quarantine;
    Scan {
        base: p.base,
        source: p.source,
        rows: p.rows,
        inputs: p.inputs,
        extras: p.extras,
        opts,
        partitions: None,
        last: Mutex::new(None),
        prepare: p.prepare,
        pre_rejected: p.rejected,
        rename_file: p.rename_file,
        derivation: p.derivation,
        unit: p.unit,
        actions_only: p.actions_only,
        _hold: p.hold,
        text_dates: Vec::new(),
        order: std::sync::OnceLock::new(),
        seen: Mutex::new((false, false, false)),
        count_given,
        csv: None,
    }
}

/// Scans a CSV file: each analytic's pass reads it a piece at a time (about 32 MiB, two at once)
/// with polars' fast reader and validates each piece as [`scan_parquet`] does its batches. Rows
/// are numbered, skipped (blank rows) and rejected (a record with the wrong number of fields,
/// invalid UTF-8, a field over `max_field_bytes`) as [`crate::load::read_csv`] does, by one pass
/// over the file's lines now (`load::csv_layout`), which also checks the header. The file must
/// hold no quote character: a quoted field can hold a line break, which that pass does not
/// follow; such a file is refused with the row of its first quote (read it with `read_csv`), as
/// is a carriage return inside a line. A pass over a file changed since is refused.
pub fn scan_csv(path: impl AsRef<Path>, opts: &LoadOptions) -> Result<Scan> {
    let path = path.as_ref();
    let source = path.display().to_string();
    if !opts.outcome_columns.is_empty() {
        return Err(Error::invalid_arg(
            "outcome_columns",
            "a CSV scan reads case records or long aggregate tables; read a wide table with read_csv",
        ));
    }
    let mut layout = Layout::read(path, opts)?;
    let names = layout.names.clone();
    let m = match_columns(&names, opts, &source)?;
    check_required(&m, &names, opts, &source)?;
    // The rows are read by pieces (`Scan::drive`), never through a lazy query: the query has the
    // file's columns (every field as text, as a load reads them) and no rows, so that a pass
    // made through it instead would read no record and be refused by the count of records.
    let mut columns: Vec<Column> =
        names.iter().map(|n| Column::new_empty(n.as_str().into(), &DataType::String)).collect();
    columns.push(Column::new_empty(ROW.into(), &DataType::UInt64));
    let base = DataFrame::new(0, columns)?.lazy();
    let inputs: Vec<String> = names.iter().filter(|n| !m.extras.contains(n)).cloned().collect();
    let text_dates: Vec<String> = if opts.date_order == DateOrder::Auto {
        [REPORTED_AT, ACTIONED_AT].iter().filter_map(|c| m.canon.get(*c)).cloned().collect()
    } else {
        Vec::new()
    };
    let rejected = std::mem::take(&mut layout.problems);
    let p = Prepared::of_file(base, source, layout.rows_read(), inputs, m.extras, rejected);
    let mut scan = assemble(p, opts, m.canon.contains_key(COUNT));
    scan.text_dates = text_dates;
    scan.csv = Some(Arc::new(layout));
    Ok(scan)
}

/// A published source's lazy reading, for [`scan_prepared`].
pub(crate) struct Prepared {
    /// Reads the source's own `inputs`, with the row and file columns.
    pub base: LazyFrame,
    pub source: String,
    pub rows: u64,
    pub inputs: Vec<String>,
    /// The columns beside the canonical ones that `prepare` can give (for `by`).
    pub extras: Vec<String>,
    /// Maps each batch to canonical columns (`None`: they are canonical already). It gets the
    /// batch with its row and file columns and keeps them.
    pub prepare: Option<Prepare>,
    /// Rows the source's own reading rejected before any batch (each left out of the batches by
    /// `prepare`): counted and listed in every pass's report.
    pub rejected: Vec<Problem>,
    /// How a problem names its file, when not by its path (a zip's part).
    pub rename_file: Option<RenameFile>,
    /// Lives as long as the scan.
    pub hold: Option<Arc<dyn std::any::Any + Send + Sync>>,
    /// How the rows were derived, what a row counts, and whether every row is an action (as in
    /// [`LoadReport`]).
    pub derivation: Option<String>,
    pub unit: Option<String>,
    pub actions_only: bool,
}

impl Prepared {
    /// A file of case records, its columns canonical already (no mapping, derivation or unit).
    fn of_file(
        base: LazyFrame,
        source: String,
        rows: u64,
        inputs: Vec<String>,
        extras: Vec<String>,
        rejected: Vec<Problem>,
    ) -> Prepared {
        Prepared {
            base,
            source,
            rows,
            inputs,
            extras,
            prepare: None,
            rejected,
            rename_file: None,
            hold: None,
            derivation: None,
            unit: None,
            actions_only: false,
        }
    }
}

/// A scan of a published source: `prepare` maps each batch to canonical columns before the
/// rules run.
pub(crate) fn scan_prepared(p: Prepared, opts: &LoadOptions) -> Result<Scan> {
    // The canonical columns the source gives: what its mapping makes of no rows.
    let empty =
        DataFrame::new(0, p.inputs.iter().map(|c| Column::new_empty(c.as_str().into(), &DataType::String)).collect())?;
    let out = match &p.prepare {
        Some(prepare) => prepare(empty, &p.extras)?,
        None => empty,
    };
    let names: Vec<String> = out.get_column_names().iter().map(|s| s.to_string()).collect();
    let m = match_columns(&names, opts, &p.source)?;
    check_required(&m, &names, opts, &p.source)?;
    Ok(assemble(p, opts, m.canon.contains_key(COUNT)))
}

impl Scan {
    /// Runs `run` (one analytic's pass or passes) in the day/month order of the data's text dates,
    /// as a load infers it from every date of the file (not batch by batch: a batch's dates can
    /// all be ambiguous, or show the other order). Until the order is known, a pass reads the
    /// dates with neither order assumed and gathers what they show; if that decides an order and
    /// some date was ambiguous (read differently in it), the pass is run again in that order. A
    /// file whose dates show no order, or have no ambiguous date, is read once.
    fn ordered<T>(&self, run: impl Fn() -> Result<T>) -> Result<T> {
        let tracked = !self.text_dates.is_empty() && self.order.get().is_none();
        let out = run()?;
        if !tracked {
            return Ok(out);
        }
        let (day, month, ambiguous) = *self.seen.lock().map_err(|_| Error::Internal("a pass failed".into()))?;
        let order = crate::dates::order_of((day, month));
        let _ = self.order.set(order);
        if order != DateOrder::Auto && ambiguous {
            return run();
        }
        Ok(out)
    }

    /// Rows in the source (from the Parquet metadata; for a CSV file, its rows read, as a load
    /// counts them).
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The source as given.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Columns beyond the canonical ones (hive partitions, the user's own), usable in `by`.
    pub fn extra_columns(&self) -> &[String] {
        &self.extras
    }

    /// Sets how many passes reach makes over the accounts (at least 1). Each pass reads the data
    /// again and holds about 1/`n` of the accounts.
    pub fn with_partitions(mut self, n: u32) -> Self {
        self.partitions = Some(n.max(1));
        self
    }

    /// The validated rows as a lazy query reading the columns validation needs plus the extras
    /// named in `by`, and the tally its batches fill.
    fn plan(&self, by: &[String], keys: bool, partitions: u32, observe: Option<Observe>) -> Result<Plan> {
        let mut read: Vec<String> = self.inputs.clone();
        let wanted: Vec<String> = by.iter().filter(|b| self.extras.contains(b)).cloned().collect();
        if self.prepare.is_none() {
            for b in &wanted {
                if !read.contains(b) {
                    read.push(b.clone());
                }
            }
        }
        let mut select: Vec<Expr> = read.iter().map(|c| col(c.as_str())).collect();
        select.push(col(ROW));
        let base_schema = self.base.clone().collect_schema()?;
        if base_schema.contains(FILE) {
            select.push(col(FILE));
        }
        let input = self.base.clone().select(select);
        // The output schema: what validation makes of an empty batch.
        let empty = input.clone().limit(0).collect()?;
        // Text dates: read in the whole data's order once known; until then with neither order
        // assumed, their evidence gathered ([`Scan::ordered`]).
        let known = self.order.get().copied();
        let track = if self.text_dates.is_empty() || known.is_some() { Vec::new() } else { self.text_dates.clone() };
        let order = (!self.text_dates.is_empty()).then(|| known.unwrap_or(DateOrder::Auto));
        let prepare = Reading { prepare: self.prepare.clone().map(|p| (p, wanted)), track };
        let file: Arc<str> = Arc::from(self.source.as_str());
        let scope = Scope::Batch { keys, order };
        let out = validate_batch(empty, &file, &self.opts, scope, partitions, &prepare, &Mutex::new(Tally::default()))?;
        let schema: SchemaRef = out.schema().clone();
        let tally = Arc::new(Mutex::new(Tally::default()));
        let failed: Failed = Arc::new(Mutex::new(None));
        let (opts, t, fail) = (self.opts.clone(), tally.clone(), failed.clone());
        // The batches run on polars' threads: they take the caller's cancel flag along.
        let cancel = crate::cancel::current();
        let s2 = schema.clone();
        let batch: Batch = Arc::new(move |df: DataFrame| {
            crate::cancel::check_flag(cancel.as_ref())
                .and_then(|()| {
                    let Some(observe) = &observe else {
                        return validate_batch(df, &file, &opts, scope, partitions, &prepare, &t);
                    };
                    let first = df.column(ROW)?.cast(&DataType::Int64)?.i64()?.get(0).unwrap_or(0);
                    let out = validate_batch(df, &file, &opts, scope, partitions, &prepare, &t)?;
                    metrics::in_batch(|| observe(&out, first))?;
                    Ok(out.clear())
                })
                .map_err(|e| {
                    // polars carries only a string; the typed error waits in `failed` for
                    // `analyse` to return it as it was.
                    let text = e.to_string();
                    if let Ok(mut slot) = fail.lock() {
                        slot.get_or_insert(e);
                    }
                    PolarsError::ComputeError(text.into())
                })
        });
        let each = batch.clone();
        let lf = input.map(
            move |df: DataFrame| each(df),
            OptFlags::STREAMING,
            Some(Arc::new(move |_: &Schema| Ok(s2.clone()))),
            Some("takedowns validation"),
        );
        let no_rate = metrics::NoRate::of(self.actions_only, false);
        let src = Source { lf, schema, frame: None, partitions, unit: self.unit.clone(), no_rate };
        Ok(Plan { src, tally, failed, batch, read })
    }

    /// Reads and validates every row of the source once, each batch through `plan`'s batch
    /// function. A CSV file is read by pieces with polars' fast reader (`Layout::read_pieces`):
    /// polars' streaming CSV reader counts each piece's lines byte by byte (its vectorised count
    /// needs a nightly compiler), which took half of a 10M-row pass.
    fn drive(&self, plan: &Plan) -> Result<()> {
        let Some(layout) = &self.csv else {
            return metrics::run(plan.src.lf.clone().select([len().alias("rows")])).map(|_| ());
        };
        let mut columns: Vec<&str> = plan.read.iter().map(String::as_str).collect();
        columns.push(ROW);
        let left_out = layout.read_pieces(Path::new(&self.source), &self.opts, ROW, |df| {
            (plan.batch)(df.select(columns.iter().copied())?)?;
            Ok(())
        })?;
        // The records left out count as read, as polars' reader gives them to the batches.
        plan.tally.lock().map_err(|_| Error::Internal("a validation batch failed".into()))?.records += left_out;
        Ok(())
    }

    /// Runs `f` on a fresh plan, keeps the pass's report and notes it in the `definition`.
    /// `accounts`: whether the analytic counts accounts. The others leave `account_key` null
    /// (unless a `by` names it) rather than derive it for nothing.
    fn analyse(
        &self,
        by: &[String],
        accounts: bool,
        partitions: u32,
        f: impl Fn(&Source) -> Result<DataFrame>,
    ) -> Result<DataFrame> {
        self.ordered(|| {
            let mut out = self.analyse_all(by, accounts, partitions, None, |plan| Ok(vec![f(&plan.src)?]))?;
            out.pop().ok_or_else(|| Error::Internal("an analytic gave no table".into()))
        })
    }

    /// [`Scan::analyse`] for several tables of one pass, each noted; `observe` sees each batch.
    fn analyse_all(
        &self,
        by: &[String],
        accounts: bool,
        partitions: u32,
        observe: Option<Observe>,
        f: impl FnOnce(&Plan) -> Result<Vec<DataFrame>>,
    ) -> Result<Vec<DataFrame>> {
        let keys = accounts || by.iter().any(|b| b == ACCOUNT_KEY);
        let plan = self.plan(by, keys, partitions, observe)?;
        let (tally, failed) = (plan.tally.clone(), plan.failed.clone());
        let dfs = match f(&plan) {
            Ok(dfs) => dfs,
            Err(e) => {
                let e = failed.lock().ok().and_then(|mut slot| slot.take()).unwrap_or(e);
                // A file polars' reader finds out of its format while it streams: named by the
                // scan's source, as a load names it, not as polars' own error.
                return Err(match e {
                    Error::Polars(pe) if pe.to_string().contains("out of specification") => {
                        crate::load::readers::read_error(&self.source, "Parquet", &pe)
                    }
                    e => e,
                });
            }
        };
        let t = tally.lock().map_err(|_| Error::Internal("a validation batch failed".into()))?;
        if self.order.get().is_none() {
            *self.seen.lock().map_err(|_| Error::Internal("a pass failed".into()))? = t.evidence;
        }
        // Every pass reads every row (reach makes several; an exact tie-break re-reads), so the
        // tally is divided by the passes made.
        let passes = match &self.csv {
            // A CSV file: its lines, each read once a pass (rows left out included). The pieces
            // and the line pass made with the scan must agree on them, or the rows' numbers and
            // the rows left out would not be the file's.
            Some(l) => {
                let passes = if l.records == 0 { 1 } else { t.records.div_ceil(l.records).max(1) };
                if t.records != passes * l.records && !(l.records == 0 && t.records == 0) {
                    return Err(Error::Read {
                        file: self.source.clone(),
                        format: "CSV".into(),
                        message: format!(
                            "the scan's reader gave {} records a pass where the file's lines held {} when the \
                             scan was made: if the file changed since, make the scan again; else read it with \
                             read_csv",
                            t.records / passes,
                            l.records
                        ),
                    });
                }
                passes
            }
            None if self.rows == 0 => 1,
            None => t.read.div_ceil(self.rows).max(1),
        };
        // Rows the source's reading rejected (a row may have several problems).
        let pre = {
            let mut rows: Vec<(&str, u64)> = self.pre_rejected.iter().map(|p| (p.file.as_str(), p.row)).collect();
            rows.sort_unstable();
            rows.dedup();
            rows.len() as u64
        };
        let read = t.read / passes + pre;
        let rejected = t.rejected / passes + pre;
        let mut report = LoadReport::new(&self.source, read, &[], rejected);
        report.blank_rows = self.csv.as_ref().map_or(0, |l| l.blank_rows);
        report.null_values_read = t.null_values / passes;
        if let Some(batch) = &t.columns {
            report.columns_matched = batch.columns_matched.clone();
            report.columns_filled = batch.columns_filled.clone();
            report.columns_dropped = batch.columns_dropped.clone();
            report.aggregate = batch.aggregate;
        }
        report.problems_by_rule = t.by_rule.iter().map(|(r, n)| (*r, n / passes)).collect();
        for p in &self.pre_rejected {
            *report.problems_by_rule.entry(p.rule).or_insert(0) += 1;
        }
        report.labels = t
            .labels
            .iter()
            .map(|((column, label, value, known), (a, r))| crate::load::LabelUse {
                column: column.clone(),
                label: label.clone(),
                value: value.clone(),
                known: *known,
                rows_accepted: a / passes,
                rows_rejected: r / passes,
            })
            .collect();
        report.extra_columns = self.extras.clone();
        report.derivation = self.derivation.clone();
        report.unit = self.unit.clone();
        report.actions_only = self.actions_only;
        let derived = self.derivation.as_ref().map(|d| format!("; {d}")).unwrap_or_default();
        // With rejects, what a load's note says of them too: by rule, and any label all of whose
        // rows were rejected (a platform gone from every table).
        let detail = match report.rejects_detail() {
            _ if rejected == 0 => String::new(),
            (rules, lost) => format!("; problems: {rules}{lost}"),
        };
        let note = format!(
            "{derived}; scanned {}: {read} rows read, {rejected} rejected by validation (duplicate case_id not checked in a scan){detail}",
            self.source
        );
        // Tables give their labels as text ([`crate::schema::label_dtype`]), as in memory.
        let dfs = dfs
            .into_iter()
            .map(|df| metrics::map_definitions(crate::schema::labels_as_text(df)?, |v| format!("{v}{note}")))
            .collect::<Result<Vec<_>>>()?;
        // Later passes meet the same problems again.
        let mut problems: Vec<Problem> =
            self.pre_rejected.iter().take(self.opts.max_problems).cloned().chain(t.problems.iter().cloned()).collect();
        if let Some(rename) = &self.rename_file {
            for p in &mut problems {
                p.file = rename(&p.file);
            }
        }
        // In row order (rows count across files), a row's problems in the checks' order, each
        // once, the first `max_problems` of them.
        problems.sort_by_key(|p| p.row);
        let mut seen = std::collections::HashSet::new();
        problems.retain(|p| seen.insert((p.file.clone(), p.row, p.column.clone(), p.rule)));
        problems.truncate(self.opts.max_problems);
        let rejects = crate::load::problems_frame(&problems)?;
        if let Ok(mut last) = self.last.lock() {
            *last = Some((report, rejects));
        }
        Ok(dfs)
    }

    /// Compliance per `by` group ([`crate::metrics::compliance`]); `unit` must be request.
    pub fn compliance(&self, by: &[&str], spec: &ComplianceSpec) -> Result<DataFrame> {
        metrics::compliance::refuse_actions_only(self.actions_only, self.unit.as_deref())?;
        let by = metrics::owned(by);
        // A CSV file: read by pieces, as `tables` reads it (the same table; unit=account is
        // refused below, as on any scan).
        if self.csv.is_some() && spec.unit == crate::Unit::Request {
            return self.one_table(Table::Compliance { by, spec: spec.clone() });
        }
        self.analyse(&by, false, 1, |src| metrics::compliance::compliance_on(src, &by, spec))
    }

    /// One table of [`Scan::tables`].
    fn one_table(&self, table: Table) -> Result<DataFrame> {
        let mut out = self.tables(&[table])?;
        out.pop().ok_or_else(|| Error::Internal("a table was not made".into()))
    }

    /// Reach per `by` group ([`crate::metrics::reach`]), in passes over the accounts (see
    /// [`Scan::with_partitions`]).
    pub fn reach(&self, by: &[&str], spec: &ReachSpec) -> Result<DataFrame> {
        self.reach_in_passes(by, spec, self.passes())
    }

    /// Reach in `passes` passes (at least 1) over a partition of the accounts.
    pub fn reach_in_passes(&self, by: &[&str], spec: &ReachSpec, passes: u32) -> Result<DataFrame> {
        let table = Table::Reach { by: metrics::owned(by), spec: *spec };
        let mut out = self.tables_in_passes(&[table], passes)?;
        out.pop().ok_or_else(|| Error::Internal("reach gave no table".into()))
    }

    /// The passes reach makes by default: one per 12.5 million rows, or as set.
    pub fn passes(&self) -> u32 {
        self.partitions.unwrap_or_else(|| self.rows.div_ceil(ROWS_PER_PASS).max(1) as u32)
    }

    /// A crosstab ([`crate::metrics::crosstab`]) of cases, of the compliance rate (unit
    /// request), or of accounts or followers (in [`Scan::passes`] passes over the accounts).
    pub fn crosstab(
        &self,
        rows: &str,
        columns: &str,
        value: crate::CrossValue,
        spec: &ComplianceSpec,
        reach: &ReachSpec,
    ) -> Result<DataFrame> {
        let table =
            Table::Crosstab { rows: rows.into(), columns: columns.into(), value, spec: spec.clone(), reach: *reach };
        let mut out = self.tables(&[table])?;
        out.pop().ok_or_else(|| Error::Internal("a crosstab gave no table".into()))
    }

    /// Cases per period ([`crate::metrics::trend`]); `unit` must be request.
    pub fn trend(&self, by: &[&str], spec: &TrendSpec) -> Result<DataFrame> {
        let by = metrics::owned(by);
        if self.csv.is_some() && spec.compliance.unit == crate::Unit::Request {
            return self.one_table(Table::Trend { by, spec: spec.clone() });
        }
        self.analyse(&by, false, 1, |src| metrics::trend::trend_on(src, &by, spec))
    }

    /// Several tables from one read: the data is read and validated once, and each batch feeds
    /// every table's partial sums ([`crate::metrics::partial`]), finished at the end. The tables
    /// equal each analytic's own call on the scan, definitions included; the pass's report
    /// ([`Scan::last_report`]) counts each row once. Tables that count accounts take
    /// [`Scan::passes`] passes (see [`Scan::tables_in_passes`]); the others are done in the first.
    pub fn tables(&self, tables: &[Table]) -> Result<Vec<DataFrame>> {
        let passes = if tables.iter().any(Table::counts_accounts) { self.passes() } else { 1 };
        self.tables_in_passes(tables, passes)
    }

    /// [`Scan::tables`] in `passes` passes (at least 1): the first computes every table and the
    /// accounts of the first partition; each further pass reads the data again for the next
    /// partition of the accounts (by a hash of `account_key`), so that about 1/`passes` of the
    /// accounts' states are held at a time.
    pub fn tables_in_passes(&self, tables: &[Table], passes: u32) -> Result<Vec<DataFrame>> {
        self.ordered(|| self.tables_once(tables, passes))
    }

    /// [`Scan::tables_in_passes`] in the order of text dates known so far.
    fn tables_once(&self, tables: &[Table], passes: u32) -> Result<Vec<DataFrame>> {
        use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
        for t in tables {
            self.refuse(t)?;
        }
        if passes > MAX_PASSES {
            return Err(Error::invalid_arg(
                "passes",
                format!(
                    "{passes} passes asked; at most {MAX_PASSES} (each pass reads all the data again; the default, \
                     one per 12.5 million rows, is {})",
                    self.passes()
                ),
            ));
        }
        let mut by: Vec<String> = Vec::new();
        for b in tables.iter().flat_map(Table::by) {
            if !by.contains(&b) {
                by.push(b);
            }
        }
        let accounts = tables.iter().any(Table::counts_accounts);
        let passes = if accounts { passes.max(1) } else { 1 };
        // Each table's parts of the pass: sum partials, or for a table of accounts the rows it
        // reads (of this pass's accounts), with the place of their batch's first row.
        type Slot = Mutex<Vec<(i64, DataFrame)>>;
        let slots: Arc<Vec<Slot>> = Arc::new(tables.iter().map(|_| Mutex::new(Vec::new())).collect());
        let no_rate = metrics::NoRate::of(self.actions_only, false);
        let unit = self.unit.clone();
        let source = move |df: &DataFrame| -> Source<'static> {
            Source {
                lf: df.clone().lazy(),
                schema: df.schema().clone(),
                frame: None,
                partitions: 1,
                unit: unit.clone(),
                no_rate,
            }
        };
        // Counted by hand as the batches come, where it can be: reach in one pass (without
        // holding the rows) and the tables of sums (without a polars query per batch).
        let streams: Arc<Vec<Option<Counted>>> = Arc::new(
            tables
                .iter()
                .map(|t| match t {
                    Table::Reach { by, spec } if passes == 1 => ReachStream::of(by, spec).map(Counted::Reach),
                    _ => SumStream::of(t).map(Counted::Sums),
                })
                .collect(),
        );
        // A `count` the input lacked is validation's constant 1, which the held rows leave out
        // (known from the columns: a filter makes any column of a one-row result a constant).
        let constant = !self.count_given;
        let pass = Arc::new(AtomicU32::new(0));
        let (ts, ss, at, src_of, st) = (tables.to_vec(), slots.clone(), pass.clone(), source.clone(), streams.clone());
        let observe: Observe = Arc::new(move |df: &DataFrame, first: i64| {
            let k = at.load(Relaxed);
            let src = src_of(df);
            // The rows of this pass's accounts (all of them in one pass).
            let mine = if passes > 1 { Some(df.filter(&df.column(PART)?.u32()?.equal(k))?) } else { None };
            for ((t, slot), stream) in ts.iter().zip(ss.iter()).zip(st.iter()) {
                if let Some(counted) = stream {
                    match counted {
                        Counted::Reach(r) => r.add(df, first)?,
                        Counted::Sums(s) if k == 0 => s.add(df)?,
                        Counted::Sums(_) => {}
                    }
                    continue;
                }
                let part = match sum_keys(t) {
                    Some(_) if k > 0 => continue,
                    Some(_) => part_of(t, &src)?,
                    None => held_columns(t, mine.as_ref().unwrap_or(df), constant)?,
                };
                let failed = || Error::Internal("a table's batch failed".into());
                let mut parts = slot.lock().map_err(|_| failed())?;
                parts.push((first, part));
                // Sums merge as they come, so that a long pass holds a few partials, not one a
                // batch. The merge (a polars query) runs without the lock: while it waits, this
                // thread may take up another batch, which takes the lock.
                if let Some(keys) = sum_keys(t) {
                    if parts.len() >= 32 {
                        let all: Vec<DataFrame> = std::mem::take(&mut *parts).into_iter().map(|(_, p)| p).collect();
                        drop(parts);
                        let merged = metrics::partial::merge(all, &keys)?;
                        slot.lock().map_err(|_| failed())?.push((0, merged));
                    }
                }
            }
            Ok(())
        });
        self.analyse_all(&by, accounts, passes, Some(observe), |plan| {
            let src = &plan.src;
            // The tables' columns and definitions are checked on no rows before the pass.
            let empty = DataFrame::empty_with_schema(&src.schema);
            let firsts = tables.iter().map(|t| part_of(t, &source(&empty))).collect::<Result<Vec<_>>>()?;
            let take = |slot: &Slot| -> Result<Vec<(i64, DataFrame)>> {
                Ok(std::mem::take(&mut *slot.lock().map_err(|_| Error::Internal("a table's batch failed".into()))?))
            };
            // A table of accounts: its rows in input order, kept whole in one pass; in several,
            // each pass's rows become a histogram partial, which adds up over passes.
            let mut held: Vec<Vec<DataFrame>> = tables.iter().map(|_| Vec::new()).collect();
            for k in 0..passes {
                pass.store(k, Relaxed);
                self.drive(plan)?;
                for (((t, slot), h), stream) in tables.iter().zip(slots.iter()).zip(held.iter_mut()).zip(streams.iter())
                {
                    if sum_keys(t).is_some() || stream.is_some() {
                        continue;
                    }
                    let mut parts = take(slot)?;
                    parts.sort_by_key(|(first, _)| *first);
                    let mut rows = held_columns(t, &empty, constant)?;
                    // Kept in the batches' chunks: a rechunk would copy every held column
                    // while the chunks are still held (the in-memory counting reads chunks).
                    for (_, p) in parts {
                        rows.vstack_mut_owned(p)?;
                    }
                    if !rows.schema().contains(COUNT) {
                        let one = Scalar::new(DataType::Int64, AnyValue::Int64(1));
                        rows.with_column(Column::new_scalar(COUNT.into(), one, rows.height()))?;
                    }
                    if passes == 1 {
                        h.push(rows);
                    } else {
                        let (by, spec) = account_table(t)?;
                        h.push(metrics::reach::held_part(&rows, &by, &spec)?);
                    }
                }
            }
            tables
                .iter()
                .zip(firsts)
                .zip(slots.iter())
                .zip(held)
                .zip(streams.iter())
                .map(|((((t, first), slot), h), stream)| match (stream, sum_keys(t)) {
                    (Some(Counted::Reach(r)), _) => r.finish(),
                    (Some(Counted::Sums(s)), Some(keys)) => {
                        let part = s.partial(&first)?;
                        finish(t, metrics::partial::merge(vec![first, part], &keys)?, src)
                    }
                    (Some(Counted::Sums(_)), None) => Err(Error::Internal("a table of sums without keys".into())),
                    (None, Some(keys)) => {
                        let parts = std::iter::once(first).chain(take(slot)?.into_iter().map(|(_, p)| p)).collect();
                        finish(t, metrics::partial::merge(parts, &keys)?, src)
                    }
                    (None, None) if passes == 1 => {
                        let rows = h.into_iter().next().ok_or_else(|| Error::Internal("no rows held".into()))?;
                        let held = Source { frame: Some(&rows), ..source(&rows) };
                        finish_held(t, &held)
                    }
                    (None, None) => {
                        let (mut keys, _) = account_table(t)?;
                        keys.push(metrics::reach::F.into());
                        finish(t, metrics::partial::merge(h, &keys)?, src)
                    }
                })
                .collect()
        })
    }

    /// What each analytic's own call on a scan refuses.
    fn refuse(&self, t: &Table) -> Result<()> {
        let account = |spec: &ComplianceSpec| -> Result<()> {
            if spec.unit == crate::Unit::Account {
                return Err(Error::invalid_arg(
                    "unit",
                    "unit=account needs each account's latest request among all its requests, which a pass of \
                     batches does not hold; call compliance on its own, or read the \
                         data into memory",
                ));
            }
            Ok(())
        };
        let rate = |spec: &ComplianceSpec| -> Result<()> {
            metrics::compliance::refuse_actions_only(self.actions_only, self.unit.as_deref())?;
            account(spec)
        };
        match t {
            Table::Compliance { spec, .. } => rate(spec),
            // A trend counts rows whatever their outcomes (its rates are blanked at finish).
            Table::Trend { spec, .. } => account(&spec.compliance),
            Table::Reach { spec, .. } => {
                if spec.groups == crate::GroupRule::Latest {
                    return Err(Error::invalid_arg(
                        "groups",
                        "groups=latest needs every account's requests at once, which a scan does not hold; read the \
                         data into memory for it",
                    ));
                }
                Ok(())
            }
            Table::Crosstab { rows, columns, value, spec, reach } => {
                if rows == columns {
                    return Err(Error::invalid_arg("columns", "rows and columns must be different variables"));
                }
                match value {
                    crate::CrossValue::Rate => rate(spec),
                    crate::CrossValue::Cases => Ok(()),
                    _ => self.refuse(&Table::Reach { by: t.by(), spec: *reach }),
                }
            }
        }
    }

    /// Reads and validates every row once (nothing else) and returns the report.
    pub fn check(&self) -> Result<LoadReport> {
        self.ordered(|| self.analyse_all(&[], false, 1, None, |plan| self.drive(plan).map(|()| Vec::new())))?;
        self.last_report().ok_or_else(|| Error::Internal("a checked scan left no report".into()))
    }

    /// The report of the last pass: rows read = accepted + rejected, problems by rule.
    pub fn last_report(&self) -> Option<LoadReport> {
        self.last.lock().ok().and_then(|l| l.as_ref().map(|(r, _)| r.clone()))
    }

    /// The first problems of the last pass (up to `max_problems`): file, row, column, value,
    /// rule, message.
    pub fn last_rejects(&self) -> Option<DataFrame> {
        self.last.lock().ok().and_then(|l| l.as_ref().map(|(_, r)| r.clone()))
    }
}

/// The most passes a table of accounts makes over the data.
pub const MAX_PASSES: u32 = 1024;

/// A table counted by hand as the batches come ([`Scan::tables_in_passes`]).
enum Counted {
    Reach(ReachStream),
    Sums(SumStream),
}

/// The keys a sum partial of `t` merges on; `None` for account states (which meet whole at the
/// end).
fn sum_keys(t: &Table) -> Option<Vec<String>> {
    match t {
        Table::Compliance { by, .. } => Some(by.clone()),
        Table::Trend { by, .. } => Some(by.iter().cloned().chain(["__key".to_string()]).collect()),
        Table::Crosstab { value: crate::CrossValue::Cases | crate::CrossValue::Rate, .. } => Some(t.by()),
        Table::Reach { .. } | Table::Crosstab { .. } => None,
    }
}

/// The partial state of a table of sums over one validated batch; for a table of accounts, only
/// the check of its columns (its rows are held instead).
fn part_of(t: &Table, src: &Source) -> Result<DataFrame> {
    use crate::CrossValue::*;
    match t {
        Table::Compliance { by, spec } => metrics::compliance::compliance_partial_on(src, by, spec),
        Table::Trend { by, spec } => metrics::trend::trend_partial_on(src, by, spec),
        Table::Crosstab { value: Cases, .. } => {
            metrics::compliance::compliance_partial_on(src, &t.by(), &ComplianceSpec::default())
        }
        Table::Crosstab { value: Rate, spec, .. } => metrics::compliance::compliance_partial_on(src, &t.by(), spec),
        Table::Reach { .. } | Table::Crosstab { .. } => {
            metrics::check_by(&src.schema, &t.by())?;
            Ok(DataFrame::empty())
        }
    }
}

/// The columns of `df` a table of accounts reads. A `count` the input lacked (`constant`:
/// validation's constant 1) is left out: the held rows get it back as one constant, not a copy
/// per row (80 MB at 10M rows).
fn held_columns(t: &Table, df: &DataFrame, constant: bool) -> Result<DataFrame> {
    let mut names = t.by();
    for c in [PLATFORM, ACCOUNT_KEY, GROUP, FOLLOWERS, COUNT, REPORTED_AT, ACTIONED_AT, STATUS] {
        let constant = c == COUNT && constant;
        if !constant && !names.iter().any(|n| n == c) && df.schema().contains(c) {
            names.push(c.to_string());
        }
    }
    Ok(df.select(names)?)
}

/// The `by` and reach definition of a table that counts accounts.
fn account_table(t: &Table) -> Result<(Vec<String>, ReachSpec)> {
    match t {
        Table::Reach { by, spec } => Ok((by.clone(), *spec)),
        Table::Crosstab { reach, .. } => Ok((t.by(), *reach)),
        _ => Err(Error::Internal("only reach and crosstabs of accounts hold rows".into())),
    }
}

/// A table of accounts from its rows held in memory (one pass): the in-memory computation.
fn finish_held(t: &Table, held: &Source) -> Result<DataFrame> {
    use crate::CrossValue::*;
    match t {
        Table::Reach { by, spec } => metrics::reach::reach_held(held, by, spec),
        Table::Crosstab { rows, columns, value: Accounts, reach, .. } => {
            let long = metrics::reach::reach_on(held, &t.by(), reach)?;
            metrics::crosstab::pivot(&long, rows, columns, "accounts", metrics::crosstab::ACCOUNTS_DEFINITION, Accounts)
        }
        Table::Crosstab { rows, columns, value: Followers, reach, .. } => {
            let long = metrics::reach::reach_held(held, &t.by(), reach)?;
            let definition = format!("cell = followers; {}; empty cells 0", reach.describe());
            metrics::crosstab::pivot(&long, rows, columns, "followers", &definition, Followers)
        }
        _ => Err(Error::Internal("only reach and crosstabs of accounts hold rows".into())),
    }
}

/// `t`'s table from its merged partial (for a table of accounts, the histogram partial of its
/// passes).
fn finish(t: &Table, merged: DataFrame, src: &Source) -> Result<DataFrame> {
    use metrics::partial;
    let unit = src.unit.as_deref();
    match t {
        Table::Compliance { by, spec } => metrics::compliance::compliance_finish(merged, by, spec),
        Table::Trend { by, spec } => metrics::trend::trend_finish(merged, by, spec, unit, src.no_rate),
        Table::Reach { by, spec } => partial::reach_finish(merged, by, spec),
        Table::Crosstab { rows, columns, value, spec, reach } => {
            partial::crosstab_finish(merged, rows, columns, *value, spec, reach, unit)
        }
    }
}

/// What a batch goes through before validation: a published source's mapping to canonical
/// columns (with the extra columns named), and the text dates whose evidence to gather.
struct Reading {
    prepare: Option<(Prepare, Vec<String>)>,
    /// The text date columns whose day/month evidence to gather ([`Scan::ordered`]).
    track: Vec<String>,
}

/// Validates one batch: the same rules as a load (duplicate ids aside), invalid rows dropped and
/// tallied; adds the reach partition of each row. A batch without the file column (`__file`)
/// comes from the one file `file`.
fn validate_batch(
    mut df: DataFrame,
    file: &str,
    opts: &LoadOptions,
    scope: Scope,
    partitions: u32,
    reading: &Reading,
    tally: &Mutex<Tally>,
) -> Result<DataFrame> {
    let records = df.height() as u64;
    let mut evidence = (false, false, false);
    for name in &reading.track {
        if let Ok(c) = df.column(name) {
            if c.dtype() == &DataType::String {
                let (day, month, ambiguous) = crate::dates::order_evidence(c.str()?.iter().flatten());
                evidence = (evidence.0 || day, evidence.1 || month, evidence.2 || ambiguous);
            }
        }
    }
    if let Some((prepare, wanted)) = &reading.prepare {
        df = prepare(df, wanted)?;
    }
    let rows: Vec<u64> = df.column(ROW)?.cast(&DataType::UInt64)?.u64()?.iter().map(|r| r.unwrap_or(0)).collect();
    let files = match df.drop_in_place(FILE) {
        Ok(files) => Some(files.cast(&DataType::String)?.str()?.clone()),
        Err(_) => None,
    };
    let first_file = match &files {
        Some(files) if files.is_empty() => String::new(),
        Some(files) => files.get(0).unwrap_or("").to_string(),
        None => file.to_string(),
    };
    df.drop_in_place(ROW)?;
    let n = rows.len() as u64;
    let raw = Raw {
        source: first_file,
        frame: df,
        rows: Rows::listed(rows.clone()),
        rows_read: n,
        blank_rows: 0,
        problems: Vec::new(),
        sha256: None,
        count_columns: None,
    };
    let Validated { frame: mut out, problems, report: r } = validate_with(raw, opts, scope)?;
    {
        let mut t = tally.lock().map_err(|_| Error::Internal("a validation batch failed".into()))?;
        t.records += records;
        t.evidence = (t.evidence.0 || evidence.0, t.evidence.1 || evidence.1, t.evidence.2 || evidence.2);
        t.null_values += r.null_values_read;
        t.read += r.rows_read;
        t.rejected += r.rows_rejected;
        for (rule, k) in &r.problems_by_rule {
            *t.by_rule.entry(*rule).or_insert(0) += k;
        }
        for l in &r.labels {
            let e = t.labels.entry((l.column.clone(), l.label.clone(), l.value.clone(), l.known)).or_insert((0, 0));
            e.0 += l.rows_accepted;
            e.1 += l.rows_rejected;
        }
        // The first problems in input order, whatever order the batches come in: this batch's
        // first, then the pass's first so far. Each is named by the file its row came from (a
        // batch can span files).
        // A row's problems keep the order a load lists them in (the checks' order); a later pass
        // of reach meets the same problems again, which are not listed twice.
        let mut problems = problems;
        problems.sort_by_key(|p| p.row);
        let listed: std::collections::HashSet<(u64, String, crate::error::Rule)> =
            t.problems.iter().map(|p| (p.row, p.column.clone(), p.rule)).collect();
        for mut p in problems.into_iter().take(opts.max_problems) {
            if listed.contains(&(p.row, p.column.clone(), p.rule)) {
                continue;
            }
            if let Some(files) = &files {
                p.file = rows.iter().position(|x| *x == p.row).and_then(|j| files.get(j)).unwrap_or("").to_string();
            }
            t.problems.push(p);
        }
        t.problems.sort_by_key(|p| p.row);
        t.problems.truncate(opts.max_problems);
        if t.columns.is_none() {
            t.columns = Some(r);
        }
    }
    if partitions > 1 {
        let part: UInt32Chunked = {
            use std::hash::BuildHasher;
            let state = PlFixedStateQuality::default();
            let keys = out.column(ACCOUNT_KEY)?.str()?;
            keys.iter().map(|k| Some(k.map_or(0, |k| (state.hash_one(k) % partitions as u64) as u32))).collect()
        };
        out.with_column(part.with_name(PART.into()).into_column())?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_pattern_that_names_no_file_is_said_so() {
        let dir = tempfile::tempdir().unwrap();
        for p in [dir.path().join("missing").join("*.parquet"), dir.path().join("cases_?.parquet")] {
            let Err(err) = super::scan_parquet(&p, &Default::default()) else { panic!("{p:?} scanned") };
            assert!(err.to_string().contains("no file matches the pattern"), "{err}");
        }
        let Err(err) = super::scan_parquet(dir.path().join("other_*.parquet"), &Default::default()) else {
            panic!("a pattern naming no file scanned")
        };
        assert!(err.to_string().contains("no file matches the pattern"), "{err}");
        // An empty directory, and a pattern in a directory's name, as polars expands them.
        let empty = tempfile::tempdir().unwrap();
        for p in [empty.path().to_path_buf(), empty.path().join("*").join("x.parquet")] {
            let Err(err) = super::scan_parquet(&p, &Default::default()) else { panic!("{p:?} scanned") };
            assert!(err.to_string().contains("no Parquet file here"), "{err}");
            assert!(!err.to_string().contains("PlRefPath"), "{err}");
        }
    }

    use std::sync::atomic::AtomicBool;

    use super::*;

    /// A batch's error reaches the caller as the crate error it was, not as polars' string.
    #[test]
    fn a_batch_error_keeps_its_type() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cases.parquet");
        let mut df = crate::synth::synthetic_frame(1000, 3).unwrap();
        ParquetWriter::new(std::fs::File::create(&path).unwrap()).finish(&mut df).unwrap();
        let scan = scan_parquet(&path, &LoadOptions::default()).unwrap();
        // The flag is set once the query is planned: the error comes out of a batch.
        let flag = Arc::new(AtomicBool::new(false));
        let got = crate::cancel::with_flag(flag.clone(), || {
            scan.analyse(&[], false, 1, |src| {
                flag.store(true, std::sync::atomic::Ordering::Relaxed);
                Ok(src.lf.clone().collect()?)
            })
        });
        assert!(matches!(got, Err(Error::Cancelled)), "{got:?}");
        // Without the flag the same query runs.
        assert_eq!(scan.analyse(&[], false, 1, |src| Ok(src.lf.clone().collect()?)).unwrap().height(), 1000);
    }

    #[test]
    fn the_problems_kept_are_the_first_in_input_order_whatever_order_the_batches_come_in() {
        // Two batches of 400 rows, every fifth status bad: 80 problems each, over the cap of 50.
        let df = crate::synth::synthetic_frame(800, 3).unwrap();
        let status: StringChunked =
            (0..800).map(|i| if i % 5 == 0 { Some("maybe") } else { Some("removed") }).collect();
        let mut df = df;
        df.with_column(status.with_name(STATUS.into()).into_column()).unwrap();
        let df = df.with_row_index(ROW.into(), Some(1)).unwrap();
        let opts = LoadOptions::default().with_on_invalid(OnInvalid::Quarantine);
        let tally = Mutex::new(Tally::default());
        let scope = Scope::Batch { keys: false, order: None };
        for at in [400, 0] {
            validate_batch(
                df.slice(at, 400),
                "f.parquet",
                &opts,
                scope,
                1,
                &Reading { prepare: None, track: Vec::new() },
                &tally,
            )
            .unwrap();
        }
        let rows: Vec<u64> = tally.lock().unwrap().problems.iter().map(|p| p.row).collect();
        assert_eq!(rows, (0..50).map(|k| 1 + 5 * k).collect::<Vec<u64>>());
    }
}
