//! `Error` → Python exception, routed by one exhaustive match. The classes live in
//! `takedowns/errors.py` so they can inherit from both `TakedownsError` and a builtin
//! (`ValueError`, `OSError`, `RuntimeError`).

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3_polars::PyDataFrame;

use crate::error::Error;
use crate::load::problems_frame;

fn raise(py: Python<'_>, class: &str, args: impl for<'a> pyo3::call::PyCallArgs<'a>) -> PyErr {
    let built = py.import("takedowns.errors").and_then(|m| m.getattr(class)).and_then(|cls| cls.call1(args));
    match built {
        Ok(exc) => PyErr::from_value(exc),
        Err(e) => e,
    }
}

/// Converts a crate error to the matching `takedowns.errors` exception.
pub fn to_pyerr(py: Python<'_>, err: Error) -> PyErr {
    let msg = err.to_string();
    match err {
        Error::Io { path, .. } => raise(py, "FileError", (msg, path)),
        Error::Read { file, .. } => raise(py, "FileFormatError", (msg, file)),
        Error::MissingColumn { name, .. } => raise(py, "SchemaError", (msg, name)),
        Error::ColumnType { canonical, .. } | Error::AmbiguousColumn { canonical, .. } => {
            raise(py, "SchemaError", (msg, canonical))
        }
        Error::Validation { problems, total } => match problems_frame(&problems) {
            Ok(df) => raise(py, "ValidationError", (msg, PyDataFrame(df), total)),
            Err(e) => PyRuntimeError::new_err(format!("{msg} (and the problems table failed: {e})")),
        },
        Error::InvalidArgument { name, .. } => raise(py, "InvalidArgumentError", (msg, name)),
        Error::Empty(_) => raise(py, "EmptySelectionError", (msg,)),
        Error::Polars(_) | Error::Internal(_) => raise(py, "ComputeError", (msg,)),
    }
}
