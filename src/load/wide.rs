//! Aggregate tables as published, wide: one row per platform (or country, period ...) and one
//! column per outcome (`Platform, Blocked, Not blocked, Pending`). With
//! [`LoadOptions::outcome_columns`](super::LoadOptions::outcome_columns) naming those columns and
//! the outcome each counts, the table is read long before it is checked: each cell becomes a row
//! with `status` the outcome and `count` the cell, the row's other columns repeated.
//!
//! The load report then counts cells: `rows_read` is the cells read (each readable row times the
//! outcome columns, plus each row that could not be read at all, once), so rows read = accepted +
//! rejected still holds; [`LoadReport::wide`](super::LoadReport::wide) gives the table's own rows
//! and the outcome columns. A problem in a cell names the row of the sheet and the outcome column,
//! as the user sees them.

use polars::prelude::*;

use super::readers::{Raw, Rows};
use crate::error::{Error, Result};
use crate::schema::col_names::{COUNT, STATUS};
use crate::schema::Status;

/// What the unpivot did: the input's rows and its outcome columns, in the order read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WideTable {
    /// Rows of the table as published (readable or not).
    pub rows: u64,
    /// The outcome columns and the outcome each counts.
    pub outcome_columns: Vec<(String, Status)>,
}

/// `raw` unpivoted: each cell of an outcome column a row of its own, each row knowing the outcome
/// column its count came from (so that a problem names that column).
pub(crate) fn unpivot(raw: Raw, outcomes: &[(String, Status)]) -> Result<(Raw, WideTable)> {
    let unreadable = raw.unreadable_rows();
    let Raw { source, frame, rows, rows_read, blank_rows, problems, sha256, .. } = raw;
    let names: Vec<String> = frame.get_column_names().iter().map(|s| s.to_string()).collect();
    let missing: Vec<&str> =
        outcomes.iter().map(|(c, _)| c.as_str()).filter(|c| !names.iter().any(|n| n == c)).collect();
    if !missing.is_empty() {
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let hints: Vec<String> = missing
            .iter()
            .map(|m| match crate::vocab::nearest(m, &refs, |n| 2.max(n.len() / 3)) {
                Some(n) => format!("`{m}` (the input has `{n}`)"),
                None => format!("`{m}`"),
            })
            .collect();
        return Err(Error::invalid_arg(
            "outcome_columns",
            format!(
                "{source}: outcome_columns names column(s) the input lacks: {}; its columns are {}",
                hints.join(", "),
                names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    for taken in [STATUS, COUNT] {
        if let Some(n) = names.iter().find(|n| n.trim().eq_ignore_ascii_case(taken)) {
            if !outcomes.iter().any(|(c, _)| c == n) {
                return Err(Error::invalid_arg(
                    "outcome_columns",
                    format!(
                        "{source}: a wide table's `{taken}` comes from outcome_columns, and the input has a column `{n}` too; rename or drop it"
                    ),
                ));
            }
        }
    }
    let k = outcomes.len();
    let n = frame.height();
    let long = n.checked_mul(k).filter(|l| *l < u32::MAX as usize).ok_or_else(|| {
        Error::invalid_arg("outcome_columns", format!("{n} rows × {k} outcome columns is more than one load takes"))
    })?;
    // Row i of the table becomes rows i*k .. i*k+k-1, one per outcome column.
    let repeat: IdxCa = (0..n as IdxSize).flat_map(|i| std::iter::repeat_n(i, k)).collect_ca("".into());
    let mut cols: Vec<Column> = Vec::with_capacity(names.len() + 2 - k);
    for c in frame.columns() {
        if !outcomes.iter().any(|(o, _)| o.as_str() == c.name().as_str()) {
            cols.push(c.take(&repeat)?);
        }
    }
    // The cells, column after column, then taken in row order.
    let first = frame.column(&outcomes[0].0)?.as_materialized_series().clone();
    let same_type = outcomes.iter().all(|(o, _)| frame.column(o).map(|c| c.dtype() == first.dtype()).unwrap_or(false));
    let cast = |s: &Series| if same_type { Ok(s.clone()) } else { s.cast(&DataType::String) };
    let mut cells = cast(&first)?;
    for (o, _) in &outcomes[1..] {
        cells.append(&cast(frame.column(o)?.as_materialized_series())?)?;
    }
    let order: IdxCa =
        (0..n as IdxSize).flat_map(|i| (0..k as IdxSize).map(move |j| j * n as IdxSize + i)).collect_ca("".into());
    cols.push(cells.take(&order)?.with_name(COUNT.into()).into_column());
    let status: StringChunked = (0..long).map(|i| Some(outcomes[i % k].1.to_string())).collect();
    cols.push(status.with_name(STATUS.into()).into_column());
    let long_frame = DataFrame::new(long, cols)?;
    let long_rows = Rows::listed((0..long).map(|i| rows.get(i / k)).collect());
    let column_of = (0..long).map(|i| (i % k) as u32).collect();
    let names = outcomes.iter().map(|(c, _)| c.clone()).collect();
    let wide = WideTable { rows: rows_read, outcome_columns: outcomes.to_vec() };
    let raw = Raw {
        source,
        frame: long_frame,
        rows: long_rows,
        rows_read: (rows_read - unreadable) * k as u64 + unreadable,
        blank_rows,
        problems,
        sha256,
        count_columns: Some((names, column_of)),
    };
    Ok((raw, wide))
}
