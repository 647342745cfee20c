//! The load report.

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::error::{Problem, Rule};

/// What a load did: rows read, accepted and rejected, problems per rule, and the columns matched.
/// `rows_read == rows_accepted + rows_rejected` always holds.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LoadReport {
    /// The source (path or `<dataframe>`).
    pub source: String,
    /// Data rows read (the header not counted).
    pub rows_read: u64,
    /// Rows loaded as cases.
    pub rows_accepted: u64,
    /// Rows rejected (a row with several problems counts once).
    pub rows_rejected: u64,
    /// Problems per rule (a row can have several).
    pub problems_by_rule: BTreeMap<Rule, u64>,
    /// Input column → canonical column, for every column that was renamed or matched.
    pub columns_matched: Vec<(String, String)>,
    /// Canonical columns absent from the input and filled (nulls, or row numbers for `case_id`).
    pub columns_filled: Vec<String>,
    /// Input columns kept unchanged after the canonical ones.
    pub extra_columns: Vec<String>,
    /// Status labels met and the outcome each was mapped to, with row counts.
    pub status_labels: Vec<(String, String, u64)>,
}

impl LoadReport {
    pub(crate) fn new(source: &str, rows_read: u64, problems: &[Problem], rejected: u64) -> Self {
        let mut by_rule = BTreeMap::new();
        for p in problems {
            *by_rule.entry(p.rule).or_insert(0) += 1;
        }
        LoadReport {
            source: source.to_string(),
            rows_read,
            rows_accepted: rows_read - rejected,
            rows_rejected: rejected,
            problems_by_rule: by_rule,
            columns_matched: Vec::new(),
            columns_filled: Vec::new(),
            extra_columns: Vec::new(),
            status_labels: Vec::new(),
        }
    }

    /// The report as a two-column frame: `item`, `value` (rows read/accepted/rejected, then one row
    /// per rule that had problems).
    pub fn to_frame(&self) -> PolarsResult<DataFrame> {
        let mut items: Vec<String> = vec!["rows_read".into(), "rows_accepted".into(), "rows_rejected".into()];
        let mut values: Vec<u64> = vec![self.rows_read, self.rows_accepted, self.rows_rejected];
        for (rule, n) in &self.problems_by_rule {
            items.push(format!("problems:{}", rule.as_str()));
            values.push(*n);
        }
        DataFrame::new(items.len(), vec![Column::new("item".into(), items), Column::new("value".into(), values)])
    }
}

impl std::fmt::Display for LoadReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} rows read, {} accepted, {} rejected",
            self.source, self.rows_read, self.rows_accepted, self.rows_rejected
        )?;
        if !self.problems_by_rule.is_empty() {
            let parts: Vec<String> =
                self.problems_by_rule.iter().map(|(r, n)| format!("{r}: {n}")).collect();
            write!(f, " ({})", parts.join(", "))?;
        }
        Ok(())
    }
}
