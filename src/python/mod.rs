//! The native module `takedowns._core`: argument conversion, `py.detach` around the Rust call,
//! result wrapping. No analytics here; the Python-facing API and its docs are in `python/takedowns`.

mod error;
mod specs;

/// The extension uses mimalloc, as polars' own Python package uses its own allocator: the
/// streaming engine's many short-lived buffers make the system allocator a bottleneck (a
/// group-by over millions of accounts ran about 25% faster in our measurements).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use chrono::NaiveDate;
use polars::prelude::DataFrame;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3_polars::PyDataFrame;

use crate::error::{Error, Result};
use crate::metrics::crosstab::CrossValue;
use crate::metrics::reach::{FollowersRule, ReachSpec};
use crate::schema::Status;
use crate::{Cases, Filter};
use specs::{PyComplianceSpec, PyLoadOptions, PyReachSpec, PySurvivalSpec, PyTrendSpec};

/// Runs `f` on a worker thread with the GIL released, waking every 50 ms to let Python handle
/// signals. On Ctrl-C (or any exception a signal handler raises) the call returns at once with
/// that exception and sets the worker's cancel flag ([`crate::cancel`]): the worker stops at its
/// next check (between batches, passes, groups) and frees what it holds.
fn run<T: Send + 'static>(py: Python<'_>, f: impl FnOnce() -> Result<T> + Send + 'static) -> PyResult<T> {
    let (tx, rx) = mpsc::channel();
    let flag = Arc::new(AtomicBool::new(false));
    let worker_flag = flag.clone();
    std::thread::spawn(move || {
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| crate::cancel::with_flag(worker_flag, f)));
        let _ = tx.send(out);
    });
    let mut rx = rx;
    loop {
        // The receiver moves into the GIL-free closure and back out each turn (it is Send, not Sync).
        let (got, back) = py.detach(move || (rx.recv_timeout(Duration::from_millis(50)), rx));
        rx = back;
        match got {
            Ok(Ok(result)) => return result.map_err(|e| error::to_pyerr(py, e)),
            Ok(Err(payload)) => {
                // A panic is a bug, but the caller still gets a takedowns error (ComputeError), not
                // pyo3's PanicException, a BaseException that `except Exception` misses.
                let what = payload
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| payload.downcast_ref::<&str>().copied())
                    .unwrap_or("a Rust panic");
                return Err(error::to_pyerr(py, Error::Internal(crate::load::clip_message(what))));
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if let Err(interrupt) = py.check_signals() {
                    flag.store(true, Ordering::Relaxed);
                    return Err(interrupt);
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(error::to_pyerr(py, Error::Internal("the worker thread vanished".into())))
            }
        }
    }
}

/// A date passed from Python as days since 1970-01-01.
fn day(days: i32) -> NaiveDate {
    crate::dates::date_of(days as i64 * crate::dates::MICROS_PER_DAY)
}

/// A load report as a dict.
fn report_dict<'py>(py: Python<'py>, r: &crate::load::LoadReport) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("source", &r.source)?;
    d.set_item("rows_read", r.rows_read)?;
    d.set_item("rows_accepted", r.rows_accepted)?;
    d.set_item("rows_rejected", r.rows_rejected)?;
    // In the rules' own order (a dict keeps the order it is filled in; a HashMap's is random).
    let by_rule = PyDict::new(py);
    for (k, v) in &r.problems_by_rule {
        by_rule.set_item(k.as_str(), *v)?;
    }
    d.set_item("problems_by_rule", by_rule)?;
    d.set_item("columns_matched", r.columns_matched.clone())?;
    d.set_item("columns_filled", r.columns_filled.clone())?;
    d.set_item("extra_columns", r.extra_columns.clone())?;
    d.set_item("columns_dropped", r.columns_dropped.clone())?;
    let labels: Vec<(String, String, String, bool, u64, u64)> = r
        .labels
        .iter()
        .map(|l| (l.column.clone(), l.label.clone(), l.value.clone(), l.known, l.rows_accepted, l.rows_rejected))
        .collect();
    d.set_item("labels", labels)?;
    let lost: Vec<(String, String, u64)> = r.lost().into_iter().map(|l| (l.column, l.value, l.rows_rejected)).collect();
    d.set_item("lost", lost)?;
    d.set_item("accounts_in_several_groups", r.accounts_in_several_groups)?;
    d.set_item("aggregate", r.aggregate)?;
    match &r.wide {
        Some(w) => {
            let wide = PyDict::new(py);
            wide.set_item("rows", w.rows)?;
            wide.set_item("outcome_columns", w.outcome_columns.clone())?;
            d.set_item("wide", wide)?;
        }
        None => d.set_item("wide", py.None())?,
    }
    d.set_item("derivation", r.derivation.clone())?;
    d.set_item("unit", r.unit.clone())?;
    d.set_item("actions_only", r.actions_only)?;
    d.set_item("outcomes_unpublished", r.outcomes_unpublished)?;
    d.set_item("published_lines", r.published_lines)?;
    d.set_item("blank_rows", r.blank_rows)?;
    d.set_item("null_values_read", r.null_values_read)?;
    d.set_item("sha256", r.sha256.clone())?;
    d.set_item("pseudonymised", r.pseudonymised)?;
    d.set_item("rejected_share", r.rejected_share())?;
    Ok(d)
}

/// One table of `tables` (`takedowns.Table` wraps this).
#[pyclass(frozen, module = "takedowns._core", name = "Table")]
struct PyTable(crate::Table);

#[pymethods]
impl PyTable {
    #[staticmethod]
    fn compliance(by: Vec<String>, spec: PyRef<'_, PyComplianceSpec>) -> PyTable {
        PyTable(crate::Table::Compliance { by, spec: spec.0.clone() })
    }

    #[staticmethod]
    fn reach(by: Vec<String>, spec: PyRef<'_, PyReachSpec>) -> PyTable {
        PyTable(crate::Table::Reach { by, spec: spec.0 })
    }

    #[staticmethod]
    fn trend(by: Vec<String>, spec: PyRef<'_, PyTrendSpec>) -> PyTable {
        PyTable(crate::Table::Trend { by, spec: spec.0.clone() })
    }

    #[staticmethod]
    fn crosstab(
        rows: String,
        columns: String,
        value: CrossValue,
        followers: FollowersRule,
        spec: PyRef<'_, PyComplianceSpec>,
    ) -> PyTable {
        let reach = ReachSpec { followers, ..Default::default() };
        PyTable(crate::Table::Crosstab { rows, columns, value, spec: spec.0.clone(), reach })
    }

    fn kind(&self) -> &'static str {
        match self.0 {
            crate::Table::Compliance { .. } => "compliance",
            crate::Table::Reach { .. } => "reach",
            crate::Table::Trend { .. } => "trend",
            crate::Table::Crosstab { .. } => "crosstab",
        }
    }

    fn by(&self) -> Vec<String> {
        self.0.by()
    }
}

fn tables_of(tables: &[PyRef<'_, PyTable>]) -> Vec<crate::Table> {
    tables.iter().map(|t| t.0.clone()).collect()
}

/// Validated case records (`takedowns.Cases` wraps this).
#[pyclass(frozen, module = "takedowns._core", name = "Cases")]
struct PyCases {
    inner: Arc<Cases>,
}

fn wrap(c: Cases) -> PyCases {
    PyCases { inner: Arc::new(c) }
}

#[pymethods]
impl PyCases {
    fn frame(&self) -> PyDataFrame {
        PyDataFrame(self.inner.frame().clone())
    }

    fn rejects(&self) -> PyDataFrame {
        PyDataFrame(self.inner.rejects().clone())
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn load_report<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        report_dict(py, self.inner.load_report())
    }

    fn compliance(&self, py: Python<'_>, by: Vec<String>, spec: PyRef<'_, PyComplianceSpec>) -> PyResult<PyDataFrame> {
        let (c, spec) = (self.inner.clone(), spec.0.clone());
        run(py, move || crate::metrics::compliance::compliance(c.data(), &by, &spec)).map(PyDataFrame)
    }

    fn compliance_partial(
        &self,
        py: Python<'_>,
        by: Vec<String>,
        spec: PyRef<'_, PyComplianceSpec>,
    ) -> PyResult<PyDataFrame> {
        let (c, spec) = (self.inner.clone(), spec.0.clone());
        run(py, move || crate::metrics::partial::compliance_partial(c.data(), &by, &spec)).map(PyDataFrame)
    }

    fn time_to_action_partial(
        &self,
        py: Python<'_>,
        by: Vec<String>,
        spec: PyRef<'_, specs::PySurvivalSpec>,
    ) -> PyResult<PyDataFrame> {
        let (c, spec) = (self.inner.clone(), spec.0.clone());
        run(py, move || crate::metrics::partial::time_to_action_partial(c.data(), &by, &spec)).map(PyDataFrame)
    }

    fn cases_partial(&self, py: Python<'_>, by: Vec<String>) -> PyResult<PyDataFrame> {
        let c = self.inner.clone();
        run(py, move || crate::metrics::partial::cases_partial(c.data(), &by)).map(PyDataFrame)
    }

    fn reach_states(
        &self,
        py: Python<'_>,
        by: Vec<String>,
        spec: PyRef<'_, PyReachSpec>,
        first_row: i64,
    ) -> PyResult<PyDataFrame> {
        let (c, spec) = (self.inner.clone(), spec.0);
        run(py, move || crate::metrics::partial::reach_states(c.data(), &by, &spec, first_row)).map(PyDataFrame)
    }

    fn trend_partial(&self, py: Python<'_>, by: Vec<String>, spec: PyRef<'_, PyTrendSpec>) -> PyResult<PyDataFrame> {
        let (c, spec) = (self.inner.clone(), spec.0.clone());
        run(py, move || crate::metrics::partial::trend_partial(c.data(), &by, &spec)).map(PyDataFrame)
    }

    fn reach(&self, py: Python<'_>, by: Vec<String>, spec: PyRef<'_, PyReachSpec>) -> PyResult<PyDataFrame> {
        let (c, spec) = (self.inner.clone(), spec.0);
        run(py, move || crate::metrics::reach::reach(c.data(), &by, &spec)).map(PyDataFrame)
    }

    fn trend(&self, py: Python<'_>, by: Vec<String>, spec: PyRef<'_, PyTrendSpec>) -> PyResult<PyDataFrame> {
        let (c, spec) = (self.inner.clone(), spec.0.clone());
        run(py, move || crate::metrics::trend::trend(c.data(), &by, &spec)).map(PyDataFrame)
    }

    fn compare_with_published(
        &self,
        py: Python<'_>,
        published: PyRef<'_, PyCases>,
        by: Vec<String>,
        spec: PyRef<'_, PyTrendSpec>,
    ) -> PyResult<PyDataFrame> {
        let (c, p, spec) = (self.inner.clone(), published.inner.clone(), spec.0.clone());
        run(py, move || crate::metrics::compare::compare_with_published(c.data(), p.data(), &by, &spec))
            .map(PyDataFrame)
    }

    fn crosstab(
        &self,
        py: Python<'_>,
        rows: String,
        columns: String,
        value: CrossValue,
        followers: FollowersRule,
        spec: PyRef<'_, PyComplianceSpec>,
    ) -> PyResult<PyDataFrame> {
        let reach = ReachSpec { followers, ..Default::default() };
        let (c, spec) = (self.inner.clone(), spec.0.clone());
        run(py, move || crate::metrics::crosstab::crosstab(c.data(), &rows, &columns, value, &spec, &reach))
            .map(PyDataFrame)
    }

    fn tables(&self, py: Python<'_>, tables: Vec<PyRef<'_, PyTable>>) -> PyResult<Vec<PyDataFrame>> {
        let (c, tables) = (self.inner.clone(), tables_of(&tables));
        run(py, move || c.tables(&tables)).map(|v| v.into_iter().map(PyDataFrame).collect())
    }

    fn compliance_clustered(
        &self,
        py: Python<'_>,
        by: Vec<String>,
        cluster: String,
        spec: PyRef<'_, PyComplianceSpec>,
    ) -> PyResult<PyDataFrame> {
        let (c, spec) = (self.inner.clone(), spec.0.clone());
        run(py, move || crate::metrics::cluster::compliance_clustered(c.data(), &by, &cluster, &spec)).map(PyDataFrame)
    }

    fn returning(&self, py: Python<'_>, by: Vec<String>, how: crate::ReturnMatch) -> PyResult<PyDataFrame> {
        let c = self.inner.clone();
        run(py, move || crate::metrics::returning::returning(c.data(), &by, how)).map(PyDataFrame)
    }

    fn with_designation(&self, py: Python<'_>, authority: String) -> PyResult<PyCases> {
        let c = self.inner.clone();
        run(py, move || c.with_designation(&authority)).map(wrap)
    }

    fn change(
        &self,
        py: Python<'_>,
        at: i32,
        by: Vec<String>,
        adjust: crate::Adjust,
        spec: PyRef<'_, PyComplianceSpec>,
    ) -> PyResult<PyDataFrame> {
        let (c, spec) = (self.inner.clone(), spec.0.clone());
        run(py, move || crate::metrics::change::change(c.data(), day(at), &by, adjust, &spec)).map(PyDataFrame)
    }

    #[pyo3(signature = (by, reference, adjust, spec))]
    fn pairwise(
        &self,
        py: Python<'_>,
        by: String,
        reference: Option<String>,
        adjust: crate::Adjust,
        spec: PyRef<'_, PyComplianceSpec>,
    ) -> PyResult<PyDataFrame> {
        let (c, spec) = (self.inner.clone(), spec.0.clone());
        run(py, move || c.pairwise(&by, reference.as_deref(), adjust, &spec)).map(PyDataFrame)
    }

    fn time_to_action(
        &self,
        py: Python<'_>,
        by: Vec<String>,
        spec: PyRef<'_, PySurvivalSpec>,
    ) -> PyResult<PyDataFrame> {
        let (c, spec) = (self.inner.clone(), spec.0.clone());
        run(py, move || crate::metrics::survival::time_to_action(c.data(), &by, &spec)).map(PyDataFrame)
    }

    #[pyo3(signature = (by, spec, thin=None))]
    fn survival(
        &self,
        py: Python<'_>,
        by: Vec<String>,
        spec: PyRef<'_, PySurvivalSpec>,
        thin: Option<i64>,
    ) -> PyResult<PyDataFrame> {
        let (c, spec) = (self.inner.clone(), spec.0.clone());
        // A negative count is refused as 0 is, by the engine (not as an integer overflow).
        let thin = thin.map(|t| usize::try_from(t).unwrap_or(0));
        run(py, move || crate::metrics::survival::survival_table_thinned(c.data(), &by, &spec, thin)).map(PyDataFrame)
    }

    fn summary(&self, py: Python<'_>) -> PyResult<PyDataFrame> {
        let c = self.inner.clone();
        run(py, move || c.summary()?.to_frame()).map(PyDataFrame)
    }

    fn headline(&self, py: Python<'_>) -> PyResult<String> {
        let c = self.inner.clone();
        run(py, move || Ok(c.summary()?.headline()))
    }

    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (platforms, groups, statuses, start, end, equals))]
    fn filter(
        &self,
        py: Python<'_>,
        platforms: Option<Vec<String>>,
        groups: Option<Vec<String>>,
        statuses: Option<Vec<Status>>,
        start: Option<i32>,
        end: Option<i32>,
        equals: Vec<(String, Vec<String>)>,
    ) -> PyResult<PyCases> {
        let f = Filter { platforms, groups, statuses, start: start.map(day), end: end.map(day), equals };
        let c = self.inner.clone();
        run(py, move || c.filter(&f)).map(wrap)
    }

    /// Accounts and case ids replaced by keyed pseudonyms; extra columns not in `keep` dropped.
    fn pseudonymise(&self, py: Python<'_>, key: Vec<u8>, keep: Vec<String>) -> PyResult<PyCases> {
        let c = self.inner.clone();
        run(py, move || {
            let keep: Vec<&str> = keep.iter().map(String::as_str).collect();
            crate::privacy::pseudonymise(&c, &key, &keep)
        })
        .map(wrap)
    }

    /// Replaces the cases with a subset of rows of the same frame (used by Python-side filters).
    fn with_frame(&self, py: Python<'_>, df: PyDataFrame) -> PyResult<PyCases> {
        let c = self.inner.clone();
        run(py, move || c.with_frame(df.0)).map(wrap)
    }
}

#[pyfunction]
fn read(
    py: Python<'_>,
    path: std::path::PathBuf,
    format: &str,
    options: PyRef<'_, PyLoadOptions>,
) -> PyResult<PyCases> {
    let o = options.0.clone();
    let format = format.to_string();
    run(py, move || match format.as_str() {
        "csv" => Cases::read_csv(&path, &o),
        "ndjson" => Cases::read_ndjson(&path, &o),
        "parquet" => Cases::read_parquet(&path, &o),
        "ipc" => Cases::read_ipc(&path, &o),
        _ => Cases::read_path(&path, &o),
    })
    .map(wrap)
}

/// Reads a published file of source `name` (`takedowns::sources`).
/// Merges partial aggregates of one analytic and spec by adding their sums per key.
#[pyfunction]
fn merge_partials(py: Python<'_>, parts: Vec<PyDataFrame>, keys: Vec<String>) -> PyResult<PyDataFrame> {
    let parts: Vec<DataFrame> = parts.into_iter().map(|p| p.0).collect();
    run(py, move || crate::metrics::partial::merge(parts, &keys)).map(PyDataFrame)
}

/// Compliance from a merged partial.
#[pyfunction]
fn compliance_finish(
    py: Python<'_>,
    partial: PyDataFrame,
    by: Vec<String>,
    spec: PyRef<'_, PyComplianceSpec>,
) -> PyResult<PyDataFrame> {
    let spec = spec.0.clone();
    run(py, move || crate::metrics::partial::compliance_finish(partial.0, &by, &spec)).map(PyDataFrame)
}

/// A crosstab from a merged partial by `[rows, columns]`: cases and rates from a compliance
/// partial, accounts and followers from a reach histogram partial.
#[pyfunction]
#[pyo3(signature = (partial, rows, columns, value, spec, reach_spec, unit=None))]
#[allow(clippy::too_many_arguments)]
fn crosstab_finish(
    py: Python<'_>,
    partial: PyDataFrame,
    rows: String,
    columns: String,
    value: CrossValue,
    spec: PyRef<'_, PyComplianceSpec>,
    reach_spec: PyRef<'_, PyReachSpec>,
    unit: Option<String>,
) -> PyResult<PyDataFrame> {
    let (spec, reach_spec) = (spec.0.clone(), reach_spec.0);
    run(py, move || {
        crate::metrics::partial::crosstab_finish(partial.0, &rows, &columns, value, &spec, &reach_spec, unit.as_deref())
    })
    .map(PyDataFrame)
}

/// Notes on every `definition` of a table finished from partials, from the load report merged
/// from its parts: rows read and rejected, problems per rule, rows accepted and rejected per
/// (column, value) of the labelled columns, and how a source's rows were derived.
#[pyfunction]
#[pyo3(signature = (df, rows_read, rows_rejected, problems_by_rule, labels, derivation=None))]
fn note_merged_report(
    py: Python<'_>,
    df: PyDataFrame,
    rows_read: u64,
    rows_rejected: u64,
    problems_by_rule: Vec<(String, u64)>,
    labels: Vec<(String, String, u64, u64)>,
    derivation: Option<String>,
) -> PyResult<PyDataFrame> {
    run(py, move || {
        let mut report = crate::LoadReport::new("", rows_read, &[], rows_rejected);
        for (rule, n) in problems_by_rule {
            report.problems_by_rule.insert(rule.parse()?, n);
        }
        report.labels = labels
            .into_iter()
            .map(|(column, value, rows_accepted, rows_rejected)| crate::load::LabelUse {
                column,
                label: value.clone(),
                value,
                known: true,
                rows_accepted,
                rows_rejected,
            })
            .collect();
        report.derivation = derivation;
        crate::metrics::note_report(df.0, &report)
    })
    .map(PyDataFrame)
}

/// Reach stage 2: account states holding every state of their accounts, merged into a
/// histogram partial.
#[pyfunction]
fn reach_reduce(
    py: Python<'_>,
    states: Vec<PyDataFrame>,
    by: Vec<String>,
    spec: PyRef<'_, PyReachSpec>,
) -> PyResult<PyDataFrame> {
    let (states, spec): (Vec<DataFrame>, _) = (states.into_iter().map(|p| p.0).collect(), spec.0);
    run(py, move || crate::metrics::partial::reach_reduce(states, &by, &spec)).map(PyDataFrame)
}

/// Reach from a merged histogram partial.
#[pyfunction]
fn reach_finish(
    py: Python<'_>,
    partial: PyDataFrame,
    by: Vec<String>,
    spec: PyRef<'_, PyReachSpec>,
) -> PyResult<PyDataFrame> {
    let spec = spec.0;
    run(py, move || crate::metrics::partial::reach_finish(partial.0, &by, &spec)).map(PyDataFrame)
}

/// Time to action from a merged partial.
#[pyfunction]
fn time_to_action_finish(
    py: Python<'_>,
    partial: PyDataFrame,
    by: Vec<String>,
    spec: PyRef<'_, specs::PySurvivalSpec>,
) -> PyResult<PyDataFrame> {
    let spec = spec.0.clone();
    run(py, move || crate::metrics::partial::time_to_action_finish(partial.0, &by, &spec)).map(PyDataFrame)
}

/// A trend from a merged partial.
#[pyfunction]
#[pyo3(signature = (partial, by, spec, unit=None, actions_only=false, outcomes_unpublished=false))]
fn trend_finish(
    py: Python<'_>,
    partial: PyDataFrame,
    by: Vec<String>,
    spec: PyRef<'_, PyTrendSpec>,
    unit: Option<String>,
    actions_only: bool,
    outcomes_unpublished: bool,
) -> PyResult<PyDataFrame> {
    let spec = spec.0.clone();
    run(py, move || {
        crate::metrics::partial::trend_finish(
            partial.0,
            &by,
            &spec,
            unit.as_deref(),
            actions_only,
            outcomes_unpublished,
        )
    })
    .map(PyDataFrame)
}

#[pyfunction]
fn read_source(
    py: Python<'_>,
    name: crate::sources::SourceName,
    path: std::path::PathBuf,
    options: PyRef<'_, PyLoadOptions>,
) -> PyResult<PyCases> {
    let o = options.0.clone();
    run(py, move || crate::sources::read(name, &path, &o)).map(wrap)
}

/// Loads a frame of a source's rows read by another engine (`dsa-sor`: the dump's columns).
#[pyfunction]
fn source_from_frame(
    py: Python<'_>,
    name: crate::sources::SourceName,
    df: PyDataFrame,
    source: String,
    options: PyRef<'_, PyLoadOptions>,
) -> PyResult<PyCases> {
    let o = options.0.clone();
    run(py, move || crate::sources::from_frame(name, df.0, &source, &o)).map(wrap)
}

/// Scans a source too large to load (`dsa-sor`).
#[pyfunction]
fn scan_source(
    py: Python<'_>,
    name: crate::sources::SourceName,
    path: std::path::PathBuf,
    options: PyRef<'_, PyLoadOptions>,
) -> PyResult<PyScan> {
    let o = options.0.clone();
    run(py, move || crate::sources::scan(name, &path, &o)).map(|s| PyScan { inner: Arc::new(s) })
}

/// The names `read_source` takes.
#[pyfunction]
fn source_names() -> Vec<&'static str> {
    crate::sources::names().to_vec()
}

/// `source` and `sha256` name a file the frame was read from (by the Python layer, for types the
/// Rust readers lack), so that problems and the load report name the file, not `<dataframe>`.
#[pyfunction]
#[pyo3(signature = (df, options, source=None, sha256=None))]
fn from_frame(
    py: Python<'_>,
    df: PyDataFrame,
    options: PyRef<'_, PyLoadOptions>,
    source: Option<String>,
    sha256: Option<String>,
) -> PyResult<PyCases> {
    let o = options.0.clone();
    run(py, move || Cases::from_frame_named(df.0, source.as_deref().unwrap_or("<dataframe>"), sha256, &o)).map(wrap)
}

/// A lazily scanned Parquet source (`takedowns.Scan` wraps this).
#[pyclass(frozen, module = "takedowns._core", name = "Scan")]
struct PyScan {
    inner: Arc<crate::scan::Scan>,
}

#[pymethods]
impl PyScan {
    fn rows(&self) -> u64 {
        self.inner.rows()
    }

    fn source(&self) -> String {
        self.inner.source().to_string()
    }

    fn extra_columns(&self) -> Vec<String> {
        self.inner.extra_columns().to_vec()
    }

    fn passes(&self) -> u32 {
        self.inner.passes()
    }

    fn compliance(&self, py: Python<'_>, by: Vec<String>, spec: PyRef<'_, PyComplianceSpec>) -> PyResult<PyDataFrame> {
        let (s, spec) = (self.inner.clone(), spec.0.clone());
        run(py, move || s.compliance(&by.iter().map(String::as_str).collect::<Vec<_>>(), &spec)).map(PyDataFrame)
    }

    fn crosstab(
        &self,
        py: Python<'_>,
        rows: String,
        columns: String,
        value: CrossValue,
        followers: FollowersRule,
        spec: PyRef<'_, PyComplianceSpec>,
    ) -> PyResult<PyDataFrame> {
        let reach = ReachSpec { followers, ..Default::default() };
        let (s, spec) = (self.inner.clone(), spec.0.clone());
        run(py, move || s.crosstab(&rows, &columns, value, &spec, &reach)).map(PyDataFrame)
    }

    #[pyo3(signature = (by, spec, passes))]
    fn reach(
        &self,
        py: Python<'_>,
        by: Vec<String>,
        spec: PyRef<'_, PyReachSpec>,
        passes: Option<u32>,
    ) -> PyResult<PyDataFrame> {
        let (s, spec) = (self.inner.clone(), spec.0);
        run(py, move || {
            let by: Vec<&str> = by.iter().map(String::as_str).collect();
            s.reach_in_passes(&by, &spec, passes.unwrap_or_else(|| s.passes()))
        })
        .map(PyDataFrame)
    }

    fn trend(&self, py: Python<'_>, by: Vec<String>, spec: PyRef<'_, PyTrendSpec>) -> PyResult<PyDataFrame> {
        let (s, spec) = (self.inner.clone(), spec.0.clone());
        run(py, move || s.trend(&by.iter().map(String::as_str).collect::<Vec<_>>(), &spec)).map(PyDataFrame)
    }

    #[pyo3(signature = (tables, passes))]
    fn tables(
        &self,
        py: Python<'_>,
        tables: Vec<PyRef<'_, PyTable>>,
        passes: Option<u32>,
    ) -> PyResult<Vec<PyDataFrame>> {
        let (s, tables) = (self.inner.clone(), tables_of(&tables));
        run(py, move || match passes {
            Some(p) => s.tables_in_passes(&tables, p),
            None => s.tables(&tables),
        })
        .map(|v| v.into_iter().map(PyDataFrame).collect())
    }

    fn check<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.inner.clone();
        let r = run(py, move || s.check())?;
        report_dict(py, &r)
    }

    fn last_report<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        self.inner.last_report().map(|r| report_dict(py, &r)).transpose()
    }

    fn last_rejects(&self) -> Option<PyDataFrame> {
        self.inner.last_rejects().map(PyDataFrame)
    }
}

#[pyfunction]
fn scan_parquet(py: Python<'_>, path: String, options: PyRef<'_, PyLoadOptions>) -> PyResult<PyScan> {
    let o = options.0.clone();
    run(py, move || crate::scan::scan_parquet(&path, &o)).map(|s| PyScan { inner: Arc::new(s) })
}

#[pyfunction]
fn scan_csv(py: Python<'_>, path: String, options: PyRef<'_, PyLoadOptions>) -> PyResult<PyScan> {
    let o = options.0.clone();
    run(py, move || crate::scan::scan_csv(&path, &o)).map(|s| PyScan { inner: Arc::new(s) })
}

#[pyfunction]
fn write_synthetic(
    py: Python<'_>,
    path: std::path::PathBuf,
    n: usize,
    seed: u64,
    format: crate::synth::Format,
    files: usize,
) -> PyResult<Vec<String>> {
    run(py, move || crate::synth::write_synthetic(&path, n, seed, format, files))
        .map(|v| v.into_iter().map(|p| p.display().to_string()).collect())
}

#[pyfunction]
fn synthetic(py: Python<'_>, n: usize, seed: u64) -> PyResult<PyDataFrame> {
    run(py, move || crate::synth::synthetic_frame(n, seed)).map(PyDataFrame)
}

#[pyfunction]
fn sample(py: Python<'_>) -> PyResult<PyCases> {
    run(py, Cases::sample).map(wrap)
}

/// The built-in labels: (vocabulary, label as matched after folding, value).
#[pyfunction]
fn builtin_labels() -> Vec<(&'static str, String, String)> {
    use crate::labels::{normalize_label, DEFAULT_GROUP_ALIASES, DEFAULT_PLATFORM_ALIASES, DEFAULT_STATUS_LABELS};
    let status = DEFAULT_STATUS_LABELS.iter().map(|(l, s)| ("status labels", l.to_string(), s.as_str().to_string()));
    let platform = DEFAULT_PLATFORM_ALIASES.iter().map(|(l, p)| ("platform aliases", l.to_string(), p.to_string()));
    let group = DEFAULT_GROUP_ALIASES.iter().map(|(l, g)| ("group aliases", l.to_string(), g.to_string()));
    // The registry's names of the groups, as matched, where the built-in list lacks them.
    let mut seen: std::collections::HashSet<String> =
        DEFAULT_GROUP_ALIASES.iter().map(|(l, _)| l.to_string()).collect();
    let registry = crate::designations::group_aliases()
        .iter()
        .map(|(l, g)| (normalize_label(l), g.clone()))
        .filter(|(l, _)| seen.insert(l.clone()))
        .map(|(l, g)| ("group aliases", l, g))
        .collect::<Vec<_>>();
    status.chain(platform).chain(group).chain(registry).collect()
}

/// The designations registry (`takedowns.designations()`).
#[pyfunction]
fn designations() -> PyResult<PyDataFrame> {
    crate::designations::designations().map(PyDataFrame).map_err(|e| Python::attach(|py| error::to_pyerr(py, e)))
}

/// The names and spellings of the groups (`takedowns.designation_aliases()`).
#[pyfunction]
fn designation_aliases() -> PyResult<PyDataFrame> {
    crate::designations::aliases().map(PyDataFrame).map_err(|e| Python::attach(|py| error::to_pyerr(py, e)))
}

/// Raises the exception an [`Error`] of kind `kind` maps to (for the tests of the mapping).
#[pyfunction]
fn _raise(py: Python<'_>, kind: &str) -> PyResult<()> {
    Err(error::to_pyerr(py, error::example(kind)?))
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    error::resolve(m.py())?;
    m.add_class::<PyCases>()?;
    m.add_class::<PyComplianceSpec>()?;
    m.add_class::<PyReachSpec>()?;
    m.add_class::<PyTrendSpec>()?;
    m.add_class::<PySurvivalSpec>()?;
    m.add_class::<PyLoadOptions>()?;
    m.add_function(wrap_pyfunction!(specs::vocabularies, m)?)?;
    m.add_function(wrap_pyfunction!(_raise, m)?)?;
    m.add_function(wrap_pyfunction!(builtin_labels, m)?)?;
    m.add_function(wrap_pyfunction!(read, m)?)?;
    m.add_function(wrap_pyfunction!(read_source, m)?)?;
    m.add_function(wrap_pyfunction!(merge_partials, m)?)?;
    m.add_function(wrap_pyfunction!(compliance_finish, m)?)?;
    m.add_function(wrap_pyfunction!(trend_finish, m)?)?;
    m.add_function(wrap_pyfunction!(crosstab_finish, m)?)?;
    m.add_function(wrap_pyfunction!(reach_reduce, m)?)?;
    m.add_function(wrap_pyfunction!(note_merged_report, m)?)?;
    m.add_function(wrap_pyfunction!(source_from_frame, m)?)?;
    m.add_function(wrap_pyfunction!(reach_finish, m)?)?;
    m.add_function(wrap_pyfunction!(time_to_action_finish, m)?)?;
    m.add_function(wrap_pyfunction!(source_names, m)?)?;
    m.add_function(wrap_pyfunction!(from_frame, m)?)?;
    m.add_function(wrap_pyfunction!(sample, m)?)?;
    m.add_function(wrap_pyfunction!(synthetic, m)?)?;
    m.add_class::<PyScan>()?;
    m.add_class::<PyTable>()?;
    m.add_function(wrap_pyfunction!(scan_parquet, m)?)?;
    m.add_function(wrap_pyfunction!(scan_csv, m)?)?;
    m.add_function(wrap_pyfunction!(designations, m)?)?;
    m.add_function(wrap_pyfunction!(designation_aliases, m)?)?;
    m.add_function(wrap_pyfunction!(scan_source, m)?)?;
    m.add_function(wrap_pyfunction!(write_synthetic, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("SAMPLE_CSV", crate::sample::SAMPLE_CSV)?;
    m.add("ERROR_KINDS", Error::KINDS.to_vec())?;
    Ok(())
}
