//! The options that cross the seam, typed: one frozen pyclass per definition (`ComplianceSpec`,
//! `ReachSpec`, `TrendSpec`, `SurvivalSpec`) and `LoadOptions`, each wrapping the core struct.
//!
//! A constructor takes keywords only and starts from the core's `Default`, so the defaults live in
//! one place; `replace(**options)` gives a copy with some changed. Names (`pending="exclude"`) are
//! converted to the core enums here and only here, with the core's `FromStr` (see
//! `crate::vocab`). The Python types of the keywords are the `TypedDict`s of
//! `python/takedowns/_typing.py`.

use std::collections::BTreeMap;
use std::convert::Infallible;

use chrono::{NaiveDate, NaiveDateTime};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDate, PyDateTime, PyDict, PyString};

use super::error::to_pyerr;
use crate::dates::DateOrder;
use crate::error::Error;
use crate::load::{LoadOptions, OnInvalid};
use crate::metrics::compliance::{ComplianceSpec, PendingRule, Unit, Weight};
use crate::metrics::crosstab::CrossValue;
use crate::metrics::pairwise::Adjust;
use crate::metrics::period::Every;
use crate::metrics::reach::{FollowersRule, GroupRule, ReachSpec};
use crate::metrics::survival::SurvivalSpec;
use crate::metrics::trend::{DateOn, TrendSpec};
use crate::schema::Status;
use crate::sources::SourceName;
use crate::stats::IntervalMethod;
use crate::synth::Format;
use crate::vocab::Named;

/// Names in, enums out (with the core's `FromStr`); enums out as their names.
macro_rules! named_conversions {
    ($($t:ty),+ $(,)?) => {$(
        impl<'a, 'py> FromPyObject<'a, 'py> for $t {
            type Error = PyErr;
            fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
                let Ok(s) = obj.cast::<PyString>() else {
                    return Err(PyTypeError::new_err(format!(
                        "expected one of {:?}, got {}",
                        <$t as Named>::NAMES,
                        obj.repr().map(|r| r.to_string()).unwrap_or_default()
                    )));
                };
                s.to_cow()?.parse::<$t>().map_err(|e| to_pyerr(obj.py(), e))
            }
        }
        impl<'py> IntoPyObject<'py> for $t {
            type Target = PyString;
            type Output = Bound<'py, PyString>;
            type Error = Infallible;
            fn into_pyobject(self, py: Python<'py>) -> Result<Self::Output, Infallible> {
                Ok(PyString::new(py, self.as_str()))
            }
        }
    )+};
}
named_conversions!(
    Status,
    PendingRule,
    Unit,
    Weight,
    IntervalMethod,
    FollowersRule,
    GroupRule,
    Every,
    DateOn,
    CrossValue,
    Adjust,
    crate::metrics::returning::ReturnMatch,
    DateOrder,
    OnInvalid,
    Format,
    SourceName
);

/// Every vocabulary, argument -> names (the tests check the Python `Literal`s against this).
#[pyfunction]
pub fn vocabularies() -> BTreeMap<&'static str, Vec<&'static str>> {
    crate::vocabularies().into_iter().map(|(a, n)| (a, n.to_vec())).collect()
}

/// Applies `options` with `set`, which returns `false` for a key it does not know.
fn apply(
    class: &str,
    keys: &[&str],
    options: Option<&Bound<'_, PyDict>>,
    mut set: impl FnMut(&str, &Bound<'_, PyAny>) -> PyResult<bool>,
) -> PyResult<()> {
    let Some(options) = options else { return Ok(()) };
    for (k, v) in options.iter() {
        let k: String = k.extract()?;
        if !set(&k, &v).map_err(|e| naming(v.py(), class, &k, e))? {
            let near =
                crate::vocab::nearest(&k, keys, |_| 2).map(|n| format!(" (did you mean {n:?}?)")).unwrap_or_default();
            return Err(PyTypeError::new_err(format!(
                "{class}: unknown option {k:?}{near}; the options are {}",
                keys.join(", ")
            )));
        }
    }
    Ok(())
}

/// A conversion error (a wrong type, a negative or huge whole number) with the option named; the
/// package's own errors name it already.
fn naming(py: Python<'_>, class: &str, key: &str, e: PyErr) -> PyErr {
    if e.is_instance_of::<pyo3::exceptions::PyOverflowError>(py) {
        return to_pyerr(py, Error::invalid_arg(key, format!("{}: a whole number from 0 up is expected", e.value(py))));
    }
    if e.is_instance_of::<PyTypeError>(py) {
        return PyTypeError::new_err(format!("{class}: `{key}`: {}", e.value(py)));
    }
    e
}

/// `Class(key=value, ...)` with Python reprs, in `keys` order.
fn repr_of(class: &str, dict: &Bound<'_, PyDict>, keys: &[&str]) -> PyResult<String> {
    let mut parts = Vec::with_capacity(keys.len());
    for k in keys {
        if let Some(v) = dict.get_item(k)? {
            parts.push(format!("{k}={}", v.repr()?));
        }
    }
    Ok(format!("{class}({})", parts.join(", ")))
}

fn arg_err(py: Python<'_>, name: &str, message: String) -> PyErr {
    to_pyerr(py, Error::invalid_arg(name, message))
}

fn checked<T>(py: Python<'_>, r: crate::Result<T>) -> PyResult<T> {
    r.map_err(|e| to_pyerr(py, e))
}

/// One outcome name or several.
fn statuses(v: &Bound<'_, PyAny>) -> PyResult<Vec<Status>> {
    if v.is_instance_of::<PyString>() {
        return Ok(vec![v.extract()?]);
    }
    v.extract()
}

fn date_parts(v: &Bound<'_, PyAny>) -> PyResult<(i32, u32, u32)> {
    Ok((v.getattr("year")?.extract()?, v.getattr("month")?.extract()?, v.getattr("day")?.extract()?))
}

/// A `date` (or the day of a `datetime`), or `None`.
fn day_of(v: &Bound<'_, PyAny>, name: &str) -> PyResult<Option<NaiveDate>> {
    if v.is_none() {
        return Ok(None);
    }
    if !v.is_instance_of::<PyDate>() {
        return Err(PyTypeError::new_err(format!("{name}: expected a date or None, got {}", v.repr()?)));
    }
    let (y, m, d) = date_parts(v)?;
    NaiveDate::from_ymd_opt(y, m, d)
        .map(Some)
        .ok_or_else(|| arg_err(v.py(), name, format!("{y}-{m}-{d} is not a date")))
}

/// A `date` or `datetime` as microseconds since 1970-01-01 (a zoned time in UTC, as the cases
/// are), or `None`.
fn micros_of(v: &Bound<'_, PyAny>, name: &str) -> PyResult<Option<i64>> {
    if v.is_none() {
        return Ok(None);
    }
    if !v.is_instance_of::<PyDateTime>() {
        return Ok(day_of(v, name)?.and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc().timestamp_micros()));
    }
    let py = v.py();
    let mut t = v.clone();
    if !t.getattr("tzinfo")?.is_none() {
        let utc = py.import("datetime")?.getattr("timezone")?.getattr("utc")?;
        t = t.call_method1("astimezone", (utc,))?;
    }
    let (y, m, d) = date_parts(&t)?;
    let hms: (u32, u32, u32, u32) = (
        t.getattr("hour")?.extract()?,
        t.getattr("minute")?.extract()?,
        t.getattr("second")?.extract()?,
        t.getattr("microsecond")?.extract()?,
    );
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_micro_opt(hms.0, hms.1, hms.2, hms.3))
        .map(|t: NaiveDateTime| Some(t.and_utc().timestamp_micros()))
        .ok_or_else(|| arg_err(py, name, "not a valid time".into()))
}

/// A duration as hours: `"36h"`, `"7d"`, or a number of days.
fn hours_of(v: &Bound<'_, PyAny>, name: &str) -> PyResult<f64> {
    let bad = || {
        arg_err(
            v.py(),
            name,
            format!(
                "a duration is like '1h', '24h' or '7d', or a number of days; got {}",
                v.repr().map(|r| r.to_string()).unwrap_or_default()
            ),
        )
    };
    if let Ok(s) = v.cast::<PyString>() {
        let text = s.to_cow()?.trim().to_ascii_lowercase();
        let (number, unit) = text.split_at(text.len().saturating_sub(1));
        let value: f64 = number.trim().parse().map_err(|_| bad())?;
        return match unit {
            "h" if value.is_finite() => Ok(value),
            "d" if value.is_finite() => Ok(value * 24.0),
            _ => Err(bad()),
        };
    }
    if v.is_instance_of::<pyo3::types::PyBool>() {
        return Err(bad());
    }
    let days: f64 = v.extract().map_err(|_| bad())?;
    if days.is_finite() {
        Ok(days * 24.0)
    } else {
        Err(bad())
    }
}

/// Hours written back as the shortest of `"7d"` or `"36h"`.
fn duration_text(hours: f64) -> String {
    if hours % 24.0 == 0.0 {
        format!("{}d", hours / 24.0)
    } else {
        format!("{hours}h")
    }
}

/// A `Mapping[str, T]` (or `None`) as pairs sorted by key.
fn pairs<T>(v: &Bound<'_, PyAny>) -> PyResult<Vec<(String, T)>>
where
    for<'a, 'py> T: FromPyObject<'a, 'py, Error = PyErr>,
{
    if v.is_none() {
        return Ok(Vec::new());
    }
    let m: std::collections::HashMap<String, T> = v.extract()?;
    let mut out: Vec<(String, T)> = m.into_iter().collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// A Python `date`.
fn py_date(py: Python<'_>, d: Option<NaiveDate>) -> PyResult<Option<Bound<'_, PyDate>>> {
    use chrono::Datelike;
    d.map(|d| PyDate::new(py, d.year(), d.month() as u8, d.day() as u8)).transpose()
}

/// A Python naive `datetime` (UTC) from microseconds since 1970-01-01.
fn py_datetime(py: Python<'_>, us: Option<i64>) -> PyResult<Option<Bound<'_, PyDateTime>>> {
    use chrono::{Datelike, Timelike};
    let Some(t) = us.and_then(chrono::DateTime::from_timestamp_micros).map(|t| t.naive_utc()) else { return Ok(None) };
    PyDateTime::new(
        py,
        t.year(),
        t.month() as u8,
        t.day() as u8,
        t.hour() as u8,
        t.minute() as u8,
        t.second() as u8,
        t.nanosecond() / 1000,
        None,
    )
    .map(Some)
}

// --- ComplianceSpec ----------------------------------------------------------------------------

const COMPLIANCE_KEYS: [&str; 7] = ["success", "pending", "unit", "weight", "ci", "method", "min_n"];

fn set_compliance(s: &mut ComplianceSpec, k: &str, v: &Bound<'_, PyAny>) -> PyResult<bool> {
    match k {
        "success" => s.success = statuses(v)?,
        "pending" => s.pending = v.extract()?,
        "unit" => s.unit = v.extract()?,
        "weight" => s.weight = v.extract()?,
        "ci" => s.ci = v.extract()?,
        "method" => s.method = v.extract()?,
        "min_n" => s.min_n = v.extract()?,
        _ => return Ok(false),
    }
    Ok(true)
}

fn compliance_dict(s: &ComplianceSpec, d: &Bound<'_, PyDict>) -> PyResult<()> {
    d.set_item("success", s.success.clone())?;
    d.set_item("pending", s.pending)?;
    d.set_item("unit", s.unit)?;
    d.set_item("weight", s.weight)?;
    d.set_item("ci", s.ci)?;
    d.set_item("method", s.method)?;
    d.set_item("min_n", s.min_n)?;
    Ok(())
}

/// The definition of a compliance rate. Keywords only; every one has a default:
///
/// - success: outcomes that count as complied with (default ["removed", "restricted"]).
/// - pending: "against" (default, PTA's rule: pending requests stay in the denominator as not
///   complied) or "exclude" (decided requests only).
/// - unit: "request" (default; a row with count k is k requests) or "account" (each distinct
///   account on a platform once, with the outcome of its latest request).
/// - weight: "requests" (default) or "followers" (each unit weighs its followers; the interval
///   then uses Kish's effective sample size).
/// - ci: confidence level in (0, 1) (default 0.95).
/// - method: "wilson" (default), "jeffreys" or "clopper-pearson".
/// - min_n: low_n is true below this many units (default 30).
#[pyclass(frozen, eq, skip_from_py_object, module = "takedowns._core", name = "ComplianceSpec")]
#[derive(Clone, PartialEq)]
pub struct PyComplianceSpec(pub ComplianceSpec);

impl PyComplianceSpec {
    fn build(py: Python<'_>, mut s: ComplianceSpec, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        apply("ComplianceSpec", &COMPLIANCE_KEYS, options, |k, v| set_compliance(&mut s, k, v))?;
        checked(py, s.check())?;
        Ok(Self(s))
    }
}

#[pymethods]
impl PyComplianceSpec {
    #[new]
    #[pyo3(signature = (**options))]
    fn new(py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        Self::build(py, ComplianceSpec::default(), options)
    }

    /// A copy with the given options changed.
    #[pyo3(signature = (**options))]
    fn replace(&self, py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        Self::build(py, self.0.clone(), options)
    }

    /// The options as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        compliance_dict(&self.0, &d)?;
        Ok(d)
    }

    /// The definition in one citable sentence, as the results' `definition` column states it.
    fn describe(&self) -> String {
        self.0.describe()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_of("ComplianceSpec", &self.to_dict(py)?, &COMPLIANCE_KEYS)
    }

    #[getter]
    fn success(&self) -> Vec<Status> {
        self.0.success.clone()
    }
    #[getter]
    fn pending(&self) -> PendingRule {
        self.0.pending
    }
    #[getter]
    fn unit(&self) -> Unit {
        self.0.unit
    }
    #[getter]
    fn weight(&self) -> Weight {
        self.0.weight
    }
    #[getter]
    fn ci(&self) -> f64 {
        self.0.ci
    }
    #[getter]
    fn method(&self) -> IntervalMethod {
        self.0.method
    }
    #[getter]
    fn min_n(&self) -> u64 {
        self.0.min_n
    }
}

// --- ReachSpec ---------------------------------------------------------------------------------

const REACH_KEYS: [&str; 2] = ["followers", "groups"];

/// The definition of a reach table. Keywords only:
///
/// - followers: the count an account reported more than once gets: "max" (default) or "latest".
/// - groups: where an account reported under more than one group counts when `by` includes
///   group: "each" (default: in every one of its groups) or "latest" (once, in the group of its
///   latest request).
#[pyclass(frozen, eq, skip_from_py_object, module = "takedowns._core", name = "ReachSpec")]
#[derive(Clone, PartialEq)]
pub struct PyReachSpec(pub ReachSpec);

impl PyReachSpec {
    fn build(mut s: ReachSpec, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        apply("ReachSpec", &REACH_KEYS, options, |k, v| {
            match k {
                "followers" => s.followers = v.extract()?,
                "groups" => s.groups = v.extract()?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(Self(s))
    }
}

#[pymethods]
impl PyReachSpec {
    #[new]
    #[pyo3(signature = (**options))]
    fn new(options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        Self::build(ReachSpec::default(), options)
    }

    /// A copy with the given options changed.
    #[pyo3(signature = (**options))]
    fn replace(&self, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        Self::build(self.0, options)
    }

    /// The options as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("followers", self.0.followers)?;
        d.set_item("groups", self.0.groups)?;
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_of("ReachSpec", &self.to_dict(py)?, &REACH_KEYS)
    }

    #[getter]
    fn followers(&self) -> FollowersRule {
        self.0.followers
    }
    #[getter]
    fn groups(&self) -> GroupRule {
        self.0.groups
    }
}

// --- TrendSpec ---------------------------------------------------------------------------------

const TREND_KEYS: [&str; 13] = [
    "every",
    "on",
    "year_start",
    "start",
    "end",
    "compliance",
    "success",
    "pending",
    "unit",
    "weight",
    "ci",
    "method",
    "min_n",
];

/// The definition of a trend table. Keywords only:
///
/// - every: "day", "week" (ISO, Monday start), "month" (default), "quarter", "half-year" or
///   "year".
/// - on: "reported_at" (default: each period's cases with their current outcome) or
///   "actioned_at" (decisions per period; pending cases drop out).
/// - year_start: first month of quarters, half-years and years (default 1; 12 for
///   December-November years).
/// - start, end: the range of periods as dates (default: the data's range).
/// - compliance: the ComplianceSpec of each period's rate; or its options (success, pending,
///   unit, weight, ci, method, min_n) directly.
#[pyclass(frozen, eq, skip_from_py_object, module = "takedowns._core", name = "TrendSpec")]
#[derive(Clone, PartialEq)]
pub struct PyTrendSpec(pub TrendSpec);

impl PyTrendSpec {
    fn build(py: Python<'_>, mut s: TrendSpec, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        // A whole `compliance=` first, so that options beside it refine it whatever their order.
        if let Some(c) = options.map(|o| o.get_item("compliance")).transpose()?.flatten() {
            s.compliance = c
                .cast::<PyComplianceSpec>()
                .map_err(|_| PyTypeError::new_err("TrendSpec: compliance must be a ComplianceSpec"))?
                .get()
                .0
                .clone();
        }
        apply("TrendSpec", &TREND_KEYS, options, |k, v| {
            match k {
                "every" => s.every = v.extract()?,
                "on" => s.on = v.extract()?,
                "year_start" => s.year_start = v.extract()?,
                "start" => s.start = day_of(v, "start")?,
                "end" => s.end = day_of(v, "end")?,
                "compliance" => {}
                other => return set_compliance(&mut s.compliance, other, v),
            }
            Ok(true)
        })?;
        checked(py, s.compliance.check())?;
        checked(py, crate::metrics::period::check_year_start(s.year_start))?;
        if let (Some(a), Some(b)) = (s.start, s.end) {
            if a > b {
                return Err(arg_err(py, "start", format!("start {a} is after end {b}")));
            }
        }
        Ok(Self(s))
    }
}

#[pymethods]
impl PyTrendSpec {
    #[new]
    #[pyo3(signature = (**options))]
    fn new(py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        Self::build(py, TrendSpec::default(), options)
    }

    /// A copy with the given options changed.
    #[pyo3(signature = (**options))]
    fn replace(&self, py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        Self::build(py, self.0.clone(), options)
    }

    /// The options as a dict (the compliance options flattened, as the constructor takes them).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("every", self.0.every)?;
        d.set_item("on", self.0.on)?;
        d.set_item("year_start", self.0.year_start)?;
        d.set_item("start", py_date(py, self.0.start)?)?;
        d.set_item("end", py_date(py, self.0.end)?)?;
        compliance_dict(&self.0.compliance, &d)?;
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_of("TrendSpec", &self.to_dict(py)?, &TREND_KEYS)
    }

    #[getter]
    fn every(&self) -> Every {
        self.0.every
    }
    #[getter]
    fn on(&self) -> DateOn {
        self.0.on
    }
    #[getter]
    fn year_start(&self) -> u32 {
        self.0.year_start
    }
    #[getter]
    fn start<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDate>>> {
        py_date(py, self.0.start)
    }
    #[getter]
    fn end<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDate>>> {
        py_date(py, self.0.end)
    }
    #[getter]
    fn compliance(&self) -> PyComplianceSpec {
        PyComplianceSpec(self.0.compliance.clone())
    }
}

// --- SurvivalSpec ------------------------------------------------------------------------------

const SURVIVAL_KEYS: [&str; 5] = ["as_of", "success", "ci", "deadlines", "horizon"];

/// The definition of time to action. Keywords only:
///
/// - as_of: when pending requests are censored, a date or datetime (default: the latest date in
///   the data). A decision after as_of counts as pending then.
/// - success: outcomes that count as action (default ["removed", "restricted"]).
/// - ci: level of the intervals (default 0.95).
/// - deadlines: "1h", "24h", "7d" ... or numbers of days (default ["1d", "7d", "30d"]). Hour
///   deadlines need timestamps with times.
/// - horizon: horizon of the restricted mean (default "30d").
#[pyclass(frozen, eq, skip_from_py_object, module = "takedowns._core", name = "SurvivalSpec")]
#[derive(Clone, PartialEq)]
pub struct PySurvivalSpec(pub SurvivalSpec);

impl PySurvivalSpec {
    fn build(py: Python<'_>, mut s: SurvivalSpec, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        apply("SurvivalSpec", &SURVIVAL_KEYS, options, |k, v| {
            match k {
                "as_of" => s.as_of = micros_of(v, "as_of")?,
                "success" => s.success = statuses(v)?,
                "ci" => s.ci = v.extract()?,
                "deadlines" => {
                    if v.is_instance_of::<PyString>() {
                        s.deadlines_hours = vec![hours_of(v, "deadlines")?];
                    } else {
                        s.deadlines_hours =
                            v.try_iter()?.map(|d| hours_of(&d?, "deadlines")).collect::<PyResult<Vec<_>>>()?;
                    }
                }
                "horizon" => s.horizon_days = hours_of(v, "horizon")? / 24.0,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        checked(py, s.check())?;
        Ok(Self(s))
    }
}

#[pymethods]
impl PySurvivalSpec {
    #[new]
    #[pyo3(signature = (**options))]
    fn new(py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        Self::build(py, SurvivalSpec::default(), options)
    }

    /// A copy with the given options changed.
    #[pyo3(signature = (**options))]
    fn replace(&self, py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        Self::build(py, self.0.clone(), options)
    }

    /// The options as a dict (`as_of` in microseconds since 1970-01-01 UTC, durations as text).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("as_of", py_datetime(py, self.0.as_of)?)?;
        d.set_item("success", self.0.success.clone())?;
        d.set_item("ci", self.0.ci)?;
        d.set_item("deadlines", self.deadlines())?;
        d.set_item("horizon", self.horizon())?;
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_of("SurvivalSpec", &self.to_dict(py)?, &SURVIVAL_KEYS)
    }

    #[getter]
    fn as_of<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDateTime>>> {
        py_datetime(py, self.0.as_of)
    }
    #[getter]
    fn success(&self) -> Vec<Status> {
        self.0.success.clone()
    }
    #[getter]
    fn ci(&self) -> f64 {
        self.0.ci
    }
    #[getter]
    fn deadlines(&self) -> Vec<String> {
        self.0.deadlines_hours.iter().map(|h| duration_text(*h)).collect()
    }
    #[getter]
    fn horizon(&self) -> String {
        duration_text(self.0.horizon_days * 24.0)
    }
}

// --- LoadOptions -------------------------------------------------------------------------------

const LOAD_KEYS: [&str; 14] = [
    "columns",
    "status_labels",
    "platform_aliases",
    "group_aliases",
    "date_order",
    "on_invalid",
    "required",
    "max_problems",
    "max_field_bytes",
    "max_columns",
    "null_values",
    "thousands",
    "delimiter",
    "outcome_columns",
];

/// How a file or frame is read and checked. Keywords only:
///
/// - columns: the file's column names mapped to canonical ones, e.g. {"Handle": "account"}.
///   Headers that already match a canonical name (ignoring case, spaces and hyphens) need no
///   entry.
/// - status_labels: extra status labels mapped to an outcome, e.g. {"actioned": "removed"}.
///   Built-in labels (blocked, withheld, geo-blocked, declined, still accessible, under review
///   ...) apply too; a label in neither is an unknown_status problem, never a guess.
/// - platform_aliases: extra platform aliases, e.g. {"Threads": "threads"} (built in: Twitter and
///   "X (formerly Twitter)" are x, FB facebook, IG instagram ...).
/// - group_aliases: extra group aliases as a mapping, or the path of a CSV file with two columns
///   (alias, group), read now. Built in: TTP, BLA and BLF with their full names and common
///   spellings.
/// - date_order: "auto" (default), "day-first" or "month-first": the order of day and month in
///   dates such as 03/04/2025. ISO dates are always read. With "auto" a file whose slash dates
///   never show which part is the day rejects them as ambiguous_date.
/// - on_invalid: "raise" (default: any invalid row raises ValidationError listing every problem)
///   or "quarantine" (load the valid rows, keep the others in Cases.rejects). A scan always
///   quarantines.
/// - required: canonical columns that must be present and filled. Default (None): a case log
///   needs case_id, platform, account, group, reported_at and status; a table with a count column
///   and no case_id is read as an aggregate and needs platform and status. platform and status
///   are always required.
/// - max_problems: how many problems a ValidationError lists (its total counts all; default 50).
/// - max_field_bytes: longest accepted CSV or NDJSON field (default 1 MiB).
/// - max_columns: most columns a header may have (default 1,000).
/// - delimiter: the CSV field delimiter, one ASCII character (default ","; ";" for spreadsheets
///   saved where the decimal mark is a comma, "\t" for tab-separated files). A header that reads
///   as one column holding ";" twice or more fails with a hint to pass it.
/// - null_values: values read as missing besides the empty string, compared trimmed and ignoring
///   case, e.g. ["n/a", "-", "unknown"] (default none); the load report counts them.
/// - thousands: the thousands separator of numbers written as text, "," for 12,000 or "." for
///   12.000 (default none: 12,000 is then an invalid_integer). Digits must group by three.
/// - outcome_columns: a published table's outcome columns and the outcome each counts, e.g.
///   {"Blocked": "removed", "Not blocked": "rejected", "Pending": "pending"}: the table is read
///   long, each cell a row with that status and the cell as its count (default none). The load
///   report then counts cells, and its "wide" entry gives the table's rows.
#[pyclass(frozen, skip_from_py_object, module = "takedowns._core", name = "LoadOptions")]
#[derive(Clone)]
pub struct PyLoadOptions(pub LoadOptions);

impl PyLoadOptions {
    fn build(py: Python<'_>, mut o: LoadOptions, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        apply("LoadOptions", &LOAD_KEYS, options, |k, v| {
            match k {
                "columns" => o.columns = pairs(v)?,
                "status_labels" => o.status_labels = pairs(v)?,
                "platform_aliases" => o.platform_aliases = pairs(v)?,
                "group_aliases" => {
                    o.group_aliases = Vec::new();
                    if v.is_instance_of::<PyString>() || v.hasattr("__fspath__")? {
                        let path: std::path::PathBuf = v.extract()?;
                        o = checked(py, std::mem::take(&mut o).with_group_aliases_csv(path))?;
                    } else {
                        o.group_aliases = pairs(v)?;
                    }
                }
                "date_order" => o.date_order = v.extract()?,
                "on_invalid" => o.on_invalid = v.extract()?,
                "required" => {
                    o.required = if v.is_none() {
                        None
                    } else if v.is_instance_of::<PyString>() {
                        return Err(PyTypeError::new_err("required: expected a list of column names, got a str"));
                    } else {
                        Some(v.extract()?)
                    }
                }
                "max_problems" => o.max_problems = v.extract()?,
                "max_field_bytes" => o.max_field_bytes = v.extract()?,
                "max_columns" => o.max_columns = v.extract()?,
                "null_values" => {
                    if v.is_instance_of::<PyString>() {
                        return Err(PyTypeError::new_err("a list of values such as [\"n/a\", \"-\"], got a str"));
                    }
                    o.null_values = if v.is_none() { Vec::new() } else { v.extract()? };
                }
                "thousands" => o.thousands = v.extract()?,
                "outcome_columns" => o.outcome_columns = pairs(v)?,
                "delimiter" => {
                    let c: char = v.extract()?;
                    if !c.is_ascii() || matches!(c, '"' | '\n' | '\r') {
                        return Err(arg_err(
                            py,
                            "delimiter",
                            format!(
                                "{c:?} cannot separate fields; use one ASCII character such as \",\", \";\" or \"\\t\""
                            ),
                        ));
                    }
                    o.delimiter = c as u8;
                }
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        Ok(Self(o))
    }
}

#[pymethods]
impl PyLoadOptions {
    #[new]
    #[pyo3(signature = (**options))]
    fn new(py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        Self::build(py, LoadOptions::default(), options)
    }

    /// A copy with the given options changed.
    #[pyo3(signature = (**options))]
    fn replace(&self, py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        Self::build(py, self.0.clone(), options)
    }

    /// The options as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        let map = |v: &[(String, String)]| v.iter().cloned().collect::<BTreeMap<String, String>>();
        d.set_item("columns", map(&self.0.columns))?;
        d.set_item("status_labels", self.0.status_labels.iter().cloned().collect::<BTreeMap<String, Status>>())?;
        d.set_item("platform_aliases", map(&self.0.platform_aliases))?;
        d.set_item("group_aliases", map(&self.0.group_aliases))?;
        d.set_item("date_order", self.0.date_order)?;
        d.set_item("on_invalid", self.0.on_invalid)?;
        d.set_item("required", self.0.required.clone())?;
        d.set_item("max_problems", self.0.max_problems)?;
        d.set_item("max_field_bytes", self.0.max_field_bytes)?;
        d.set_item("max_columns", self.0.max_columns)?;
        d.set_item("null_values", self.0.null_values.clone())?;
        d.set_item("thousands", self.0.thousands)?;
        d.set_item("outcome_columns", self.0.outcome_columns.iter().cloned().collect::<BTreeMap<String, Status>>())?;
        d.set_item("delimiter", (self.0.delimiter as char).to_string())?;
        Ok(d)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        repr_of("LoadOptions", &self.to_dict(py)?, &LOAD_KEYS)
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        match other.cast::<PyLoadOptions>() {
            Ok(o) => self.to_dict(py)?.eq(o.get().to_dict(py)?),
            Err(_) => Ok(false),
        }
    }

    #[getter]
    fn date_order(&self) -> DateOrder {
        self.0.date_order
    }
    #[getter]
    fn on_invalid(&self) -> OnInvalid {
        self.0.on_invalid
    }
    #[getter]
    fn required(&self) -> Option<Vec<String>> {
        self.0.required.clone()
    }
    #[getter]
    fn max_problems(&self) -> usize {
        self.0.max_problems
    }
}
