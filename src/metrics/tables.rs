//! Several tables in one call: [`tables`] on cases in memory, [`crate::scan::Scan::tables`] on a
//! scan, where it reads and validates the data once for all of them (each analytic of a scan is
//! otherwise one pass over the files).
//!
//! ```no_run
//! use takedowns::metrics::tables::{tables, Table};
//! use takedowns::{Cases, LoadOptions};
//! let cases = Cases::read_csv("cases.csv", &LoadOptions::default())?;
//! let out = tables(
//!     cases.data(),
//!     &[Table::compliance(&["platform"]), Table::reach(&["group"]), Table::trend(&["platform"])],
//! )?;
//! assert_eq!(out.len(), 3);
//! # Ok::<(), takedowns::Error>(())
//! ```

use polars::prelude::*;

use super::compliance::ComplianceSpec;
use super::crosstab::CrossValue;
use super::reach::ReachSpec;
use super::trend::TrendSpec;
use crate::error::Result;
use crate::load::Validated;

/// One table of [`tables`] or [`crate::scan::Scan::tables`]: the analytic, its `by` and its
/// definition, as the analytic's own call takes them.
#[derive(Debug, Clone, PartialEq)]
pub enum Table {
    /// [`crate::metrics::compliance::compliance`] per `by` group.
    Compliance {
        /// Grouping columns.
        by: Vec<String>,
        /// The definition.
        spec: ComplianceSpec,
    },
    /// [`crate::metrics::reach::reach`] per `by` group.
    Reach {
        /// Grouping columns.
        by: Vec<String>,
        /// The definition.
        spec: ReachSpec,
    },
    /// [`crate::metrics::trend::trend`] per `by` group and period.
    Trend {
        /// Grouping columns besides the period.
        by: Vec<String>,
        /// The definition (period, dates, compliance).
        spec: TrendSpec,
    },
    /// [`crate::metrics::crosstab::crosstab`] of `value`, `rows` down and `columns` across.
    Crosstab {
        /// The variable down the side.
        rows: String,
        /// The variable across the top.
        columns: String,
        /// What a cell holds.
        value: CrossValue,
        /// The compliance definition (for `value = rate`).
        spec: ComplianceSpec,
        /// The reach definition (for `value = accounts` or `followers`).
        reach: ReachSpec,
    },
}

fn owned(by: &[&str]) -> Vec<String> {
    by.iter().map(|s| s.to_string()).collect()
}

impl Table {
    /// Compliance per `by` under the default definition.
    pub fn compliance(by: &[&str]) -> Table {
        Table::Compliance { by: owned(by), spec: ComplianceSpec::default() }
    }

    /// Reach per `by` under the default definition.
    pub fn reach(by: &[&str]) -> Table {
        Table::Reach { by: owned(by), spec: ReachSpec::default() }
    }

    /// Cases per month per `by` under the default definition.
    pub fn trend(by: &[&str]) -> Table {
        Table::Trend { by: owned(by), spec: TrendSpec::default() }
    }

    /// A crosstab of `value` under the default definitions.
    pub fn crosstab(rows: &str, columns: &str, value: CrossValue) -> Table {
        Table::Crosstab {
            rows: rows.into(),
            columns: columns.into(),
            value,
            spec: ComplianceSpec::default(),
            reach: ReachSpec::default(),
        }
    }

    /// The columns the table groups by.
    pub fn by(&self) -> Vec<String> {
        match self {
            Table::Compliance { by, .. } | Table::Reach { by, .. } | Table::Trend { by, .. } => by.clone(),
            Table::Crosstab { rows, columns, .. } => vec![rows.clone(), columns.clone()],
        }
    }

    /// Whether the table counts accounts (and so needs `account_key`).
    pub fn counts_accounts(&self) -> bool {
        match self {
            Table::Reach { .. } => true,
            Table::Crosstab { value, .. } => matches!(value, CrossValue::Accounts | CrossValue::Followers),
            Table::Compliance { spec, .. } => spec.unit == super::compliance::Unit::Account,
            Table::Trend { .. } => false,
        }
    }

    /// The table over cases in memory: what the analytic's own call gives.
    pub fn on(&self, cases: &Validated) -> Result<DataFrame> {
        match self {
            Table::Compliance { by, spec } => super::compliance::compliance(cases, by, spec),
            Table::Reach { by, spec } => super::reach::reach(cases, by, spec),
            Table::Trend { by, spec } => super::trend::trend(cases, by, spec),
            Table::Crosstab { rows, columns, value, spec, reach } => {
                super::crosstab::crosstab(cases, rows, columns, *value, spec, reach)
            }
        }
    }
}

/// Each table of `tables` over `cases`, in order: the same tables, definitions included, as
/// each analytic's own call. In memory the data is read and validated once already; a scan's
/// [`crate::scan::Scan::tables`] is where one call saves passes.
pub fn tables(cases: &Validated, tables: &[Table]) -> Result<Vec<DataFrame>> {
    tables.iter().map(|t| t.on(cases)).collect()
}
