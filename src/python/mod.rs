//! The native module `takedowns._core`: argument conversion, `py.detach` around the Rust call,
//! result wrapping. No analytics here; the Python-facing API and its docs are in `python/takedowns`.

mod error;

/// The extension uses mimalloc, as polars' own Python package uses its own allocator: the
/// streaming engine's many short-lived buffers make the system allocator a bottleneck (a
/// group-by over millions of accounts ran about 25% faster in our measurements).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::collections::HashMap;
use std::sync::{mpsc, Arc};
use std::time::Duration;

use chrono::NaiveDate;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3_polars::PyDataFrame;

use crate::dates::DateOrder;
use crate::error::{Error, Result};
use crate::load::{self, LoadOptions, OnInvalid};
use crate::metrics::compliance::{ComplianceSpec, PendingRule, Unit, Weight};
use crate::metrics::crosstab::CrossValue;
use crate::metrics::period::Every;
use crate::metrics::reach::{FollowersRule, GroupRule, ReachSpec};
use crate::metrics::survival::SurvivalSpec;
use crate::metrics::trend::{DateOn, TrendSpec};
use crate::schema::Status;
use crate::stats::IntervalMethod;
use crate::{Cases, Filter};

/// Runs `f` on a worker thread with the GIL released, waking every 50 ms to let Python handle
/// signals: Ctrl-C in Jupyter raises KeyboardInterrupt at once (the worker finishes in the
/// background and its result is dropped).
fn run<T: Send + 'static>(py: Python<'_>, f: impl FnOnce() -> Result<T> + Send + 'static) -> PyResult<T> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
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
            Err(mpsc::RecvTimeoutError::Timeout) => py.check_signals()?,
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

fn arg<T>(py: Python<'_>, r: Result<T>) -> PyResult<T> {
    r.map_err(|e| error::to_pyerr(py, e))
}

fn pairs(m: Option<HashMap<String, String>>) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = m.unwrap_or_default().into_iter().collect();
    v.sort();
    v
}

fn status_of(py: Python<'_>, s: &str) -> PyResult<Status> {
    Status::parse(s.trim()).ok_or_else(|| {
        error::to_pyerr(
            py,
            Error::invalid_arg(
                "status",
                format!("{s:?} is not an outcome; use removed, restricted, rejected or pending"),
            ),
        )
    })
}

/// The load options as the Python layer passes them: one dict, keys as in `takedowns.read_csv`.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct LoadArgs {
    columns: Option<HashMap<String, String>>,
    status_labels: Option<HashMap<String, String>>,
    platform_aliases: Option<HashMap<String, String>>,
    group_aliases: Option<HashMap<String, String>>,
    group_aliases_csv: Option<String>,
    date_order: String,
    on_invalid: String,
    required: Option<Vec<String>>,
    max_problems: usize,
}

impl LoadArgs {
    fn options(self, py: Python<'_>) -> PyResult<LoadOptions> {
        let mut o = LoadOptions {
            columns: pairs(self.columns),
            platform_aliases: pairs(self.platform_aliases),
            group_aliases: pairs(self.group_aliases),
            date_order: arg(py, DateOrder::parse(&self.date_order))?,
            on_invalid: arg(py, OnInvalid::parse(&self.on_invalid))?,
            max_problems: self.max_problems,
            ..Default::default()
        };
        for (label, st) in pairs(self.status_labels) {
            o.status_labels.push((label, status_of(py, &st)?));
        }
        o.required = self.required;
        if let Some(p) = self.group_aliases_csv {
            o = arg(py, o.with_group_aliases_csv(p))?;
        }
        Ok(o)
    }
}

/// A trend definition from the arguments `Cases.trend` and `Scan.trend` pass.
fn trend_spec(
    py: Python<'_>,
    every: &str,
    on: &str,
    year_start: u32,
    start: Option<i32>,
    end: Option<i32>,
    spec: SpecArgs,
) -> PyResult<TrendSpec> {
    Ok(TrendSpec {
        every: arg(py, Every::parse(every))?,
        on: arg(py, DateOn::parse(on))?,
        year_start,
        start: start.map(day),
        end: end.map(day),
        compliance: spec.spec(py)?,
    })
}

/// A load report as a dict.
fn report_dict<'py>(py: Python<'py>, r: &crate::load::LoadReport) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("source", &r.source)?;
    d.set_item("rows_read", r.rows_read)?;
    d.set_item("rows_accepted", r.rows_accepted)?;
    d.set_item("rows_rejected", r.rows_rejected)?;
    let by_rule: Vec<(String, u64)> = r.problems_by_rule.iter().map(|(k, v)| (k.as_str().to_string(), *v)).collect();
    d.set_item("problems_by_rule", by_rule.into_iter().collect::<HashMap<_, _>>())?;
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
    d.set_item("sha256", r.sha256.clone())?;
    d.set_item("pseudonymised", r.pseudonymised)?;
    d.set_item("rejected_share", r.rejected_share())?;
    Ok(d)
}

/// Validated case records (`takedowns.Cases` wraps this).
#[pyclass(frozen, module = "takedowns._core", name = "Cases")]
struct PyCases {
    inner: Arc<Cases>,
}

fn wrap(c: Cases) -> PyCases {
    PyCases { inner: Arc::new(c) }
}

/// A compliance definition as the Python layer passes it: one dict, keys as in
/// `Cases.compliance`.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct SpecArgs {
    success: Vec<String>,
    pending: String,
    unit: String,
    weight: String,
    method: String,
    ci: f64,
    min_n: u64,
}

impl SpecArgs {
    fn spec(self, py: Python<'_>) -> PyResult<ComplianceSpec> {
        let success = self.success.iter().map(|s| status_of(py, s)).collect::<PyResult<Vec<_>>>()?;
        let spec = ComplianceSpec {
            success,
            pending: arg(py, PendingRule::parse(&self.pending))?,
            unit: arg(py, Unit::parse(&self.unit))?,
            weight: arg(py, Weight::parse(&self.weight))?,
            method: arg(py, IntervalMethod::parse(&self.method))?,
            level: self.ci,
            min_n: self.min_n,
        };
        arg(py, spec.check())?;
        Ok(spec)
    }
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

    fn compliance(&self, py: Python<'_>, by: Vec<String>, spec: SpecArgs) -> PyResult<PyDataFrame> {
        let spec = spec.spec(py)?;
        let c = self.inner.clone();
        run(py, move || crate::metrics::compliance::compliance(&c, &by, &spec)).map(PyDataFrame)
    }

    #[pyo3(signature = (by, followers, groups))]
    fn reach(&self, py: Python<'_>, by: Vec<String>, followers: &str, groups: &str) -> PyResult<PyDataFrame> {
        let spec = ReachSpec {
            followers: arg(py, FollowersRule::parse(followers))?,
            groups: arg(py, GroupRule::parse(groups))?,
        };
        let c = self.inner.clone();
        run(py, move || crate::metrics::reach::reach(&c, &by, &spec)).map(PyDataFrame)
    }

    #[allow(clippy::too_many_arguments)]
    fn trend(
        &self,
        py: Python<'_>,
        by: Vec<String>,
        every: &str,
        on: &str,
        year_start: u32,
        start: Option<i32>,
        end: Option<i32>,
        spec: SpecArgs,
    ) -> PyResult<PyDataFrame> {
        let spec = trend_spec(py, every, on, year_start, start, end, spec)?;
        let c = self.inner.clone();
        run(py, move || crate::metrics::trend::trend(&c, &by, &spec)).map(PyDataFrame)
    }

    fn crosstab(
        &self,
        py: Python<'_>,
        rows: String,
        columns: String,
        value: &str,
        followers: &str,
        spec: SpecArgs,
    ) -> PyResult<PyDataFrame> {
        let value = arg(py, CrossValue::parse(value))?;
        let reach = ReachSpec { followers: arg(py, FollowersRule::parse(followers))?, ..Default::default() };
        let spec = spec.spec(py)?;
        let c = self.inner.clone();
        run(py, move || crate::metrics::crosstab::crosstab(&c, &rows, &columns, value, &spec, &reach)).map(PyDataFrame)
    }

    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (by, as_of, success, ci, deadlines_hours, horizon_days, steps))]
    fn time_to_action(
        &self,
        py: Python<'_>,
        by: Vec<String>,
        as_of: Option<i64>,
        success: Vec<String>,
        ci: f64,
        deadlines_hours: Vec<f64>,
        horizon_days: f64,
        steps: bool,
    ) -> PyResult<PyDataFrame> {
        let success = success.iter().map(|s| status_of(py, s)).collect::<PyResult<Vec<_>>>()?;
        let spec = SurvivalSpec { as_of, success, level: ci, deadlines_hours, horizon_days };
        let c = self.inner.clone();
        run(py, move || {
            if steps {
                crate::metrics::survival::survival_table(&c, &by, &spec)
            } else {
                crate::metrics::survival::time_to_action(&c, &by, &spec)
            }
        })
        .map(PyDataFrame)
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
        statuses: Option<Vec<String>>,
        start: Option<i32>,
        end: Option<i32>,
        equals: Vec<(String, Vec<String>)>,
    ) -> PyResult<PyCases> {
        let statuses = match statuses {
            None => None,
            Some(v) => Some(v.iter().map(|s| status_of(py, s)).collect::<PyResult<Vec<_>>>()?),
        };
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
fn read(py: Python<'_>, path: std::path::PathBuf, format: &str, options: LoadArgs) -> PyResult<PyCases> {
    let o = options.options(py)?;
    let format = format.to_string();
    run(py, move || match format.as_str() {
        "csv" => load::read_csv(&path, &o),
        "ndjson" => load::read_ndjson(&path, &o),
        "parquet" => load::read_parquet(&path, &o),
        "ipc" => load::read_ipc(&path, &o),
        _ => load::read_path(&path, &o),
    })
    .map(wrap)
}

/// `source` and `sha256` name a file the frame was read from (by the Python layer, for types the
/// Rust readers lack), so that problems and the load report name the file, not `<dataframe>`.
#[pyfunction]
#[pyo3(signature = (df, options, source=None, sha256=None))]
fn from_frame(
    py: Python<'_>,
    df: PyDataFrame,
    options: LoadArgs,
    source: Option<String>,
    sha256: Option<String>,
) -> PyResult<PyCases> {
    let o = options.options(py)?;
    run(py, move || load::from_frame_named(df.0, source.as_deref().unwrap_or("<dataframe>"), sha256, &o)).map(wrap)
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

    fn compliance(&self, py: Python<'_>, by: Vec<String>, spec: SpecArgs) -> PyResult<PyDataFrame> {
        let spec = spec.spec(py)?;
        let s = self.inner.clone();
        run(py, move || s.compliance(&by.iter().map(String::as_str).collect::<Vec<_>>(), &spec)).map(PyDataFrame)
    }

    #[pyo3(signature = (by, followers, passes))]
    fn reach(&self, py: Python<'_>, by: Vec<String>, followers: &str, passes: Option<u32>) -> PyResult<PyDataFrame> {
        let spec = ReachSpec { followers: arg(py, FollowersRule::parse(followers))?, ..Default::default() };
        let s = self.inner.clone();
        run(py, move || {
            let by: Vec<&str> = by.iter().map(String::as_str).collect();
            s.reach_in_passes(&by, &spec, passes.unwrap_or_else(|| s.passes()))
        })
        .map(PyDataFrame)
    }

    #[allow(clippy::too_many_arguments)]
    fn trend(
        &self,
        py: Python<'_>,
        by: Vec<String>,
        every: &str,
        on: &str,
        year_start: u32,
        start: Option<i32>,
        end: Option<i32>,
        spec: SpecArgs,
    ) -> PyResult<PyDataFrame> {
        let spec = trend_spec(py, every, on, year_start, start, end, spec)?;
        let s = self.inner.clone();
        run(py, move || s.trend(&by.iter().map(String::as_str).collect::<Vec<_>>(), &spec)).map(PyDataFrame)
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
fn scan_parquet(py: Python<'_>, path: String, options: LoadArgs) -> PyResult<PyScan> {
    let o = options.options(py)?;
    run(py, move || crate::scan::scan_parquet(&path, &o)).map(|s| PyScan { inner: Arc::new(s) })
}

#[pyfunction]
fn write_synthetic(
    py: Python<'_>,
    path: std::path::PathBuf,
    n: usize,
    seed: u64,
    format: &str,
    files: usize,
) -> PyResult<Vec<String>> {
    let format = arg(py, crate::synth::Format::parse(format))?;
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

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyCases>()?;
    m.add_function(wrap_pyfunction!(read, m)?)?;
    m.add_function(wrap_pyfunction!(from_frame, m)?)?;
    m.add_function(wrap_pyfunction!(sample, m)?)?;
    m.add_function(wrap_pyfunction!(synthetic, m)?)?;
    m.add_class::<PyScan>()?;
    m.add_function(wrap_pyfunction!(scan_parquet, m)?)?;
    m.add_function(wrap_pyfunction!(write_synthetic, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("SAMPLE_CSV", crate::sample::SAMPLE_CSV)?;
    Ok(())
}
