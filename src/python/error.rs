//! `Error` → Python exception, routed by one exhaustive match. The classes live in
//! `takedowns/errors.py` so they can inherit from both `TakedownsError` and a builtin
//! (`ValueError`, `OSError`, `RuntimeError`); they are looked up once, when `_core` is imported.

use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;
use pyo3_polars::PyDataFrame;

use crate::error::{Error, Problem, Rule};
use crate::load::problems_frame;

/// The exception classes of `takedowns.errors`.
struct Classes {
    file: Py<PyType>,
    file_format: Py<PyType>,
    schema: Py<PyType>,
    validation: Py<PyType>,
    invalid_argument: Py<PyType>,
    empty_selection: Py<PyType>,
    compute: Py<PyType>,
}

static CLASSES: PyOnceLock<Classes> = PyOnceLock::new();

/// Looks the classes up (at import of `_core`; a missing class fails the import, not a later call).
pub fn resolve(py: Python<'_>) -> PyResult<()> {
    CLASSES
        .get_or_try_init(py, || {
            let m = py.import("takedowns.errors")?;
            let get = |name: &str| -> PyResult<Py<PyType>> { Ok(m.getattr(name)?.cast_into::<PyType>()?.unbind()) };
            Ok::<_, PyErr>(Classes {
                file: get("FileError")?,
                file_format: get("FileFormatError")?,
                schema: get("SchemaError")?,
                validation: get("ValidationError")?,
                invalid_argument: get("InvalidArgumentError")?,
                empty_selection: get("EmptySelectionError")?,
                compute: get("ComputeError")?,
            })
        })
        .map(|_| ())
}

fn raise(
    py: Python<'_>,
    class: impl Fn(&Classes) -> &Py<PyType>,
    args: impl for<'a> pyo3::call::PyCallArgs<'a>,
) -> PyErr {
    let built = match CLASSES.get(py) {
        Some(c) => class(c).bind(py).call1(args),
        None => return PyRuntimeError::new_err("takedowns._core was used before its exception classes were resolved"),
    };
    match built {
        Ok(exc) => PyErr::from_value(exc),
        Err(e) => e,
    }
}

/// Converts a crate error to the matching `takedowns.errors` exception.
pub fn to_pyerr(py: Python<'_>, err: Error) -> PyErr {
    let msg = err.to_string();
    match err {
        Error::Io { path, .. } => raise(py, |c| &c.file, (msg, path)),
        Error::Read { file, .. } => raise(py, |c| &c.file_format, (msg, file)),
        Error::MissingColumn { name, .. } => raise(py, |c| &c.schema, (msg, name)),
        Error::ColumnType { canonical, .. } | Error::AmbiguousColumn { canonical, .. } => {
            raise(py, |c| &c.schema, (msg, canonical))
        }
        Error::Validation { problems, total } => match problems_frame(&problems) {
            Ok(df) => raise(py, |c| &c.validation, (msg, PyDataFrame(df), total)),
            Err(e) => raise(py, |c| &c.compute, (format!("{msg} (and the problems table failed: {e})"),)),
        },
        Error::InvalidArgument { name, .. } => raise(py, |c| &c.invalid_argument, (msg, name)),
        Error::Empty(_) => raise(py, |c| &c.empty_selection, (msg,)),
        Error::Cancelled => PyKeyboardInterrupt::new_err(msg),
        Error::Polars(_) | Error::Internal(_) => raise(py, |c| &c.compute, (msg,)),
    }
}

/// An error of each kind, for the tests of the mapping (`_core._raise(kind)`).
pub fn example(kind: &str) -> PyResult<Error> {
    let problem = Problem {
        file: "cases.csv".into(),
        row: 3,
        column: "status".into(),
        value: "shrug".into(),
        rule: Rule::UnknownStatus,
        message: "not a known status".into(),
        case_id: None,
    };
    Ok(match kind {
        "io" => Error::Io { path: "cases.csv".into(), source: std::io::Error::from(std::io::ErrorKind::NotFound) },
        "read" => Error::Read { file: "cases.parquet".into(), format: "Parquet".into(), message: "bad magic".into() },
        "missing_column" => Error::MissingColumn {
            file: "cases.csv".into(),
            name: "status".into(),
            missing: vec!["status".into()],
            found: "case_id".into(),
            suggestions: vec![("Outcome".into(), "status".into())].into(),
        },
        "column_type" => Error::ColumnType {
            file: "cases.parquet".into(),
            column: "Followers".into(),
            canonical: "followers".into(),
            dtype: "list[i64]".into(),
            expected: "integers".into(),
        },
        "ambiguous_column" => Error::AmbiguousColumn {
            file: "cases.csv".into(),
            canonical: "reported_at".into(),
            columns: vec!["reported_at".into(), "Reported At".into()],
        },
        "validation" => Error::Validation { problems: vec![problem], total: 7 },
        "invalid_argument" => Error::invalid_arg("pending", "unknown value"),
        "empty" => Error::Empty("no case has a date".into()),
        "cancelled" => Error::Cancelled,
        "polars" => Error::Polars(polars::prelude::PolarsError::ComputeError("boom".into())),
        "internal" => Error::Internal("a batch failed".into()),
        other => return Err(pyo3::exceptions::PyValueError::new_err(format!("no example error {other:?}"))),
    })
    .and_then(|e: Error| {
        if e.kind() == kind {
            Ok(e)
        } else {
            Err(PyRuntimeError::new_err(format!("the example of {kind:?} is a {:?}", e.kind())))
        }
    })
}
