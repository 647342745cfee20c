//! Which input column is which canonical column, which are required, and their types.

use std::collections::HashMap;

use polars::prelude::*;

use super::super::readers::clip;
use super::super::LoadOptions;
use crate::error::{Error, Result};
use crate::schema::{col_names::*, INPUT_COLUMNS};

/// Folds a header for matching: trimmed, lower case, spaces and `-` as `_`.
pub(super) fn header_key(name: &str) -> String {
    name.trim().to_lowercase().replace([' ', '-'], "_")
}

pub(crate) struct Matched {
    /// canonical name → input column name
    pub canon: HashMap<&'static str, String>,
    pub extras: Vec<String>,
    /// Input columns not kept: an `account_key`, which is derived from `account` again.
    pub dropped: Vec<String>,
    pub(super) report: Vec<(String, String)>,
}

pub(crate) fn match_columns(names: &[String], opts: &LoadOptions, source: &str) -> Result<Matched> {
    let canonical = |s: &str| INPUT_COLUMNS.iter().copied().find(|c| *c == s);
    let mut canon: HashMap<&'static str, String> = HashMap::new();
    let mut report = Vec::new();
    let mut taken: Vec<&str> = Vec::new();
    for (from, to) in &opts.columns {
        let Some(c) = canonical(to.trim()) else {
            return Err(Error::invalid_arg(
                "columns",
                format!("`{to}` is not a canonical column; use one of {}", INPUT_COLUMNS.join(", ")),
            ));
        };
        if !names.iter().any(|n| n == from) {
            return Err(Error::invalid_arg(
                "columns",
                format!("the mapping names `{from}`, which the input does not have (columns: {})", names.join(", ")),
            ));
        }
        if let Some(prev) = canon.insert(c, from.clone()) {
            return Err(Error::invalid_arg("columns", format!("both `{prev}` and `{from}` are mapped to `{c}`")));
        }
        taken.push(from);
        report.push((from.clone(), c.to_string()));
    }
    let mut extras = Vec::new();
    let mut dropped = Vec::new();
    for n in names {
        if taken.contains(&n.as_str()) {
            continue;
        }
        let key = header_key(n);
        if let Some(c) = canonical(&key) {
            if let Some(prev) = canon.get(c) {
                return Err(Error::AmbiguousColumn {
                    file: source.to_string(),
                    canonical: c.to_string(),
                    columns: vec![clip(prev), clip(n)],
                });
            }
            canon.insert(c, n.clone());
            if n != c {
                report.push((n.clone(), c.to_string()));
            }
        } else if key == ACCOUNT_KEY {
            // What `Cases::frame` writes reads back: the key is derived from `account` again.
            dropped.push(n.clone());
        } else {
            extras.push(n.clone());
        }
    }
    Ok(Matched { canon, extras, dropped, report })
}

/// The canonical columns this input must have (see [`LoadOptions::required_for`]) and whether it
/// is an aggregate table; fails naming every required column that is absent.
pub(crate) fn check_required(
    m: &Matched,
    names: &[String],
    opts: &LoadOptions,
    source: &str,
) -> Result<(Vec<String>, bool)> {
    if let Some(req) = &opts.required {
        for r in req {
            if !INPUT_COLUMNS.contains(&r.as_str()) {
                return Err(Error::invalid_arg(
                    "required",
                    format!("`{r}` is not a canonical column; use some of {}", INPUT_COLUMNS.join(", ")),
                ));
            }
        }
    }
    let (required, aggregate) = opts.required_for(&|c| m.canon.contains_key(c));
    let missing: Vec<String> = INPUT_COLUMNS
        .iter()
        .filter(|c| required.iter().any(|r| r == *c) && !m.canon.contains_key(*c))
        .map(|c| c.to_string())
        .collect();
    if let Some(first) = missing.first() {
        return Err(Error::MissingColumn {
            file: source.to_string(),
            name: first.clone(),
            found: clip_list(names, 1000),
            missing,
        });
    }
    Ok((required, aggregate))
}

/// Names joined with ", ", cut short (with a count of the rest) past `max` characters, so that a
/// header of a million columns does not make a message of megabytes.
pub(crate) fn clip_list(names: &[String], max: usize) -> String {
    let mut out = String::new();
    for (i, n) in names.iter().enumerate() {
        if out.len() + n.len() > max {
            out.push_str(&format!("… and {} more", names.len() - i));
            break;
        }
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&clip(n));
    }
    out
}

/// Fails when a canonical column has a type that no value of it can have: nested (struct, list,
/// array) or binary. Cast to text, such a column would be read as something it is not.
pub(super) fn check_types(frame: &DataFrame, m: &Matched, source: &str) -> Result<()> {
    for (canon, name) in &m.canon {
        let dtype = frame.column(name)?.dtype();
        if dtype.is_nested() || matches!(dtype, DataType::Binary | DataType::BinaryOffset) {
            let expected = match *canon {
                REPORTED_AT | ACTIONED_AT => "dates, datetimes or text",
                FOLLOWERS | COUNT => "whole numbers or text",
                _ => "text, numbers or categories",
            };
            return Err(Error::ColumnType {
                file: source.to_string(),
                column: clip(name),
                canonical: canon.to_string(),
                dtype: dtype.to_string(),
                expected: expected.into(),
            });
        }
    }
    Ok(())
}
