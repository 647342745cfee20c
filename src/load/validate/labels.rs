//! Labelled columns: platforms and groups (open sets) and the status (a closed set).

use polars::prelude::*;

use super::super::LabelUse;
use super::text::{clean_text, distinct_codes, null_codes};
use super::{Checked, Ctx, Found, Input};
use crate::error::{Error, Result, Rule};
use crate::labels::Vocabulary;
use crate::schema::labels_from_codes;
use crate::schema::{col_names::*, Status};

/// How the labels of one categorical column were mapped: each distinct label as given, the value
/// it became and whether the vocabulary knew it, and each row's label (`u32::MAX` for null).
pub(crate) struct LabelMap {
    column: &'static str,
    codes: Vec<u32>,
    labels: Vec<(String, String, bool)>,
}

impl LabelMap {
    /// Each label with its rows accepted and rejected (`bad` marks the rejected frame rows).
    pub(super) fn uses(&self, bad: &[bool]) -> Vec<LabelUse> {
        let mut acc = vec![0u64; self.labels.len()];
        let mut rej = vec![0u64; self.labels.len()];
        for (&c, &b) in self.codes.iter().zip(bad) {
            if c != u32::MAX {
                if b {
                    rej[c as usize] += 1
                } else {
                    acc[c as usize] += 1
                }
            }
        }
        self.labels
            .iter()
            .zip(acc.into_iter().zip(rej))
            .filter(|(_, (a, r))| a + r > 0)
            .map(|((label, value, known), (a, r))| LabelUse {
                column: self.column.to_string(),
                label: label.clone(),
                value: value.clone(),
                known: *known,
                rows_accepted: a,
                rows_rejected: r,
            })
            .collect()
    }
}

/// Maps the labels of an open set (platforms, groups): a label the vocabulary knows becomes its
/// canonical value; an unknown one is kept exactly as given (trimmed), and the load report lists
/// it as new. Unknown labels are not merged with each other (`WhatsApp channel` and
/// `whatsapp-channel` stay two values, both listed) and never lower-cased or re-spelled; an alias
/// in the load options merges them. The column is categorical, each value put in the categories
/// once.
pub(super) fn map_open_labels(
    ca: &StringChunked,
    column: &'static str,
    known: &dyn Fn(&str) -> Option<String>,
) -> Result<(Column, LabelMap)> {
    let (codes, values) = distinct_codes(ca);
    let labels: Vec<(String, String, bool)> = values
        .iter()
        .map(|v| match known(v) {
            Some(canon) => (v.to_string(), canon, true),
            None => (v.to_string(), v.to_string(), false),
        })
        .collect();
    let targets: Vec<&str> = labels.iter().map(|(_, v, _)| v.as_str()).collect();
    let out = labels_from_codes(column, &codes, &targets)?;
    Ok((out, LabelMap { column, codes, labels }))
}

/// The status column: each distinct label looked up once. Returns the canonical column, the label
/// map and the problems.
pub(super) struct StatusOut {
    column: Column,
    labels: LabelMap,
    found: Found,
}

pub(super) fn status_column(col: &Column, vocab: &Vocabulary, ctx: &Ctx, name: &str) -> Result<StatusOut> {
    let ca = clean_text(col)?;
    let (codes, values) = distinct_codes(&ca);
    let statuses: Vec<Option<Status>> = values.iter().map(|s| vocab.status(s)).collect();
    let mut found = Vec::new();
    let unknown = "not a known status label; canonical outcomes are removed, restricted, rejected, pending: add this label to the status mapping (`unknown` is kept for published sources that give no outcome)";
    // (`unknown` is refused here too unless the load is a source without outcomes, which maps it.)
    for (i, &c) in codes.iter().enumerate() {
        if c == u32::MAX {
            found.push(ctx.problem(i, name, "", Rule::Required, "`status` is required and empty".into()));
        } else if statuses[c as usize].is_none() {
            found.push(ctx.problem(i, name, values[c as usize], Rule::UnknownStatus, unknown.into()));
        }
    }
    let labels: Vec<(String, String, bool)> = values
        .iter()
        .zip(&statuses)
        .map(|(v, st)| match st {
            Some(st) => (v.to_string(), st.as_str().to_string(), true),
            None => (v.to_string(), v.to_string(), false),
        })
        .collect();
    // Rows with an unknown label are rejected; an empty string stands in until they are.
    let mapped: Vec<&str> = statuses.iter().map(|s| s.map(|s| s.as_str()).unwrap_or("")).collect();
    let column = labels_from_codes(STATUS, &codes, &mapped)?;
    Ok(StatusOut { column, labels: LabelMap { column: STATUS, codes, labels }, found })
}

/// A column of an open set of labels (platforms, groups): mapped with `known`, unknown labels
/// kept as given; `required` problems when the column is required.
pub(super) fn labelled(
    input: Input,
    canonical: &'static str,
    required: bool,
    known: &(dyn Fn(&str) -> Option<String> + Sync),
    ctx: &Ctx,
) -> Result<Checked> {
    let Some((name, col)) = input else { return Ok(Checked::none()) };
    let (column, map) = map_open_labels(&clean_text(col)?, canonical, known)?;
    let problems = if required {
        let message = format!("`{canonical}` is required and empty");
        null_codes(&map.codes).map(|i| ctx.problem(i, name, "", Rule::Required, message.clone())).collect()
    } else {
        Vec::new()
    };
    Ok(Checked { columns: vec![column], problems, labels: Some(map) })
}

/// The status column (always required).
pub(super) fn status(input: Input, vocab: &Vocabulary, ctx: &Ctx) -> Result<Checked> {
    let (name, col) = input.ok_or_else(|| Error::Internal("the status column was not matched".into()))?;
    let out = status_column(col, vocab, ctx, name)?;
    Ok(Checked { columns: vec![out.column], problems: out.found, labels: Some(out.labels) })
}
