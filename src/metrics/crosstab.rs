//! Crosstab: one variable down, another across (e.g. group x platform).
//!
//! Each cell is the value of the matching one-cell group of another metric, so a cell means exactly
//! what that metric means: `cases` (requests), `accounts` and `followers` as in
//! [`super::reach`], `rate` as in [`super::compliance`] (its n, interval and low-n flag are in
//! `compliance(by=[rows, columns])`). Empty cells are 0 for counts and null for rates. Row labels
//! are shown as text; the columns are the across-variable's values in sorted order (a missing
//! value is shown as `(none)`).

use std::collections::{BTreeSet, HashMap};

use polars::prelude::*;

use super::compliance::{compliance, ComplianceSpec};
use super::reach::{reach, reach_on, ReachSpec};
use super::{check_by, const_str, Source};
use crate::error::{Error, Result};
use crate::load::Validated;
use crate::schema::col_names::COUNT;

crate::vocabulary! {
    /// What a crosstab cell holds.
    #[derive(Default)]
    pub enum CrossValue("value") {
        /// Requests (default).
        #[default]
        Cases = "cases",
        /// Distinct accounts.
        Accounts = "accounts",
        /// Followers, each account once.
        Followers = "followers",
        /// Compliance rate.
        Rate = "rate",
    }
}

const NONE: &str = "(none)";

/// The definition of a crosstab of accounts.
pub(crate) const ACCOUNTS_DEFINITION: &str = "cell = distinct accounts (platform + account) with a request in the cell; an account in several cells counts in each; empty cells 0";

fn text_of(col: &Column) -> Result<Vec<Option<String>>> {
    let s = col.cast(&DataType::String)?;
    Ok(s.str()?.iter().map(|v| v.map(str::to_string)).collect())
}

/// Crosstab of `value` with `rows` down and `columns` across.
pub fn crosstab(
    cases: &Validated,
    rows: &str,
    columns: &str,
    value: CrossValue,
    compliance_spec: &ComplianceSpec,
    reach_spec: &ReachSpec,
) -> Result<DataFrame> {
    if rows == columns {
        return Err(Error::invalid_arg("columns", "rows and columns must be different variables"));
    }
    if value == CrossValue::Rate {
        super::compliance::refuse_actions_only(cases.report.actions_only, cases.report.unit.as_deref())?;
        super::compliance::refuse_unpublished(cases.report.outcomes_unpublished)?;
    }
    let by = vec![rows.to_string(), columns.to_string()];
    check_by(cases.frame().schema(), &by)?;
    let (long, field, definition) = match value {
        CrossValue::Cases => {
            let keys: Vec<Expr> = by.iter().map(|b| col(b.as_str())).collect();
            let r = cases.frame().clone().lazy().group_by(keys).agg([col(COUNT).sum().alias("cases")]).collect()?;
            (r, "cases", cases_definition(cases.report.unit.as_deref()))
        }
        CrossValue::Accounts => {
            let r = reach_on(&Source::of(cases), &by, reach_spec)?;
            (r, "accounts", ACCOUNTS_DEFINITION.to_string())
        }
        CrossValue::Followers => {
            let r = reach(cases, &by, reach_spec)?;
            (r, "followers", format!("cell = followers; {}; empty cells 0", reach_spec.describe()))
        }
        CrossValue::Rate => (
            compliance(cases, &by, compliance_spec)?,
            "rate",
            format!("cell = compliance {}", compliance_spec.describe()),
        ),
    };
    let df = pivot(&long, rows, columns, field, &definition, value)?;
    super::note_rejects(df, cases)
}

/// What a cell of a crosstab of `value` counts, for a source whose rows count `unit`.
pub(crate) fn cases_definition(unit: Option<&str>) -> String {
    match unit {
        // A source whose rows are not requests says what it counts.
        Some(unit) => format!("cell = {unit} (rows x count); empty cells 0"),
        None => "cell = requests (rows x count), including requests that name no account; empty cells 0".to_string(),
    }
}

/// The long table `long` (a row per `rows` x `columns` pair, the value in `field`) as a crosstab:
/// `rows` down (missing last), one column per value of `columns`, `definition` last.
pub(crate) fn pivot(
    long: &DataFrame,
    rows: &str,
    columns: &str,
    field: &str,
    definition: &str,
    value: CrossValue,
) -> Result<DataFrame> {
    let r = text_of(long.column(rows)?)?;
    let c = text_of(long.column(columns)?)?;
    let v = long.column(field)?.cast(&DataType::Float64)?;
    let v = v.f64()?;
    let mut cells: HashMap<(Option<String>, String), Option<f64>> = HashMap::new();
    let mut row_keys: BTreeSet<Option<String>> = BTreeSet::new();
    let mut col_keys: BTreeSet<String> = BTreeSet::new();
    for i in 0..long.height() {
        let ck = c[i].clone().unwrap_or_else(|| NONE.to_string());
        row_keys.insert(r[i].clone());
        col_keys.insert(ck.clone());
        cells.insert((r[i].clone(), ck), v.get(i));
    }
    // Rows sorted with a missing value last.
    let mut row_list: Vec<Option<String>> = row_keys.iter().filter(|k| k.is_some()).cloned().collect();
    if row_keys.contains(&None) {
        row_list.push(None);
    }
    let mut out = vec![Column::new(rows.into(), row_list.clone())];
    for ck in &col_keys {
        if ck == rows || ck == "definition" {
            return Err(Error::invalid_arg(
                "columns",
                format!("a value of `{columns}` is named `{ck}`, which clashes with another column"),
            ));
        }
        let vals: Vec<Option<f64>> = row_list
            .iter()
            .map(|rk| match cells.get(&(rk.clone(), ck.clone())) {
                Some(x) => *x,
                None if value == CrossValue::Rate => None,
                None => Some(0.0),
            })
            .collect();
        // A column name travels as a C string through Arrow: a NUL in a label would end it.
        let col = Column::new(ck.replace('\0', "\u{2400}").as_str().into(), vals);
        out.push(if value == CrossValue::Rate { col } else { col.cast(&DataType::Int64)? });
    }
    let mut df = DataFrame::new(row_list.len(), out)?;
    let h = df.height();
    df.with_column(const_str("definition", definition, h))?;
    Ok(df)
}
