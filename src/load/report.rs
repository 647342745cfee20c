//! The load report.

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::error::{Problem, Rule};

/// The [`LoadReport::unit`] of a source whose rows are a platform's own restrictions (statements
/// of reasons), not requests: the headline says so and speaks of no refusal.
pub const STATEMENTS_UNIT: &str = "statements of reasons";

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
    /// Input columns not kept: an `account_key` column (as `Cases::frame` writes it), which is
    /// derived from `account` again.
    pub columns_dropped: Vec<String>,
    /// Every distinct label of `platform`, `group` and `status` as it was in the input, the
    /// value it became, whether the vocabulary knew it, and how many rows had it.
    pub labels: Vec<LabelUse>,
    /// Accounts (platform + `account_key`) whose accepted requests name more than one group: reach
    /// by group counts them in each group unless told otherwise ([`crate::ReachSpec`]). `None` in
    /// a scan's report: a pass does not count them (reach by group's definition says how many).
    pub accounts_in_several_groups: Option<u64>,
    /// Rows with every field empty (a spreadsheet's trailing `,,,,`), skipped as no records: they
    /// are not in `rows_read`.
    pub blank_rows: u64,
    /// Values read as missing because they were one of `LoadOptions::null_values`.
    pub null_values_read: u64,
    /// True when the input was read as an aggregate table (a `count` column, no `case_id`, and
    /// no `required` set): only platform and status were required.
    pub aggregate: bool,
    /// Read as a wide table ([`LoadOptions::outcome_columns`](super::LoadOptions::outcome_columns)):
    /// its own rows and outcome columns. The counts above are then of cells.
    pub wide: Option<super::wide::WideTable>,
    /// For a published source read by [`crate::sources`]: how its rows were derived from the
    /// file (which columns, what rounding). Every table's `definition` carries it.
    pub derivation: Option<String>,
    /// What a row's `count` counts when it is not requests: a published source that counts the
    /// items named in requests says so here, and the headline uses it.
    pub unit: Option<String>,
    /// True when every row is an action a platform took of its own accord or reported as taken
    /// (statements of reasons, content restrictions), not a request with an outcome: there is
    /// no refusal in such data, so compliance refuses to rate it (it would be 100% by
    /// construction); count and time the rows instead.
    pub actions_only: bool,
    /// True when the source publishes requests without their outcome (Google's requests by
    /// product and reason; the DSA reports' orders and notices): every row's status is `unknown`,
    /// so no rate, trend of rates or time to action can be computed; count the requests instead.
    pub outcomes_unpublished: bool,
    /// For a published source whose lines become several rows each (a country-period's complied
    /// and not complied requests): (lines read, lines with a rejected row), in the publisher's
    /// lines. The share of rejects is stated in lines, where a withheld line is one line, not the
    /// rows it would have made.
    pub published_lines: Option<(u64, u64)>,
    /// SHA-256 (hex) of the bytes read, for files: what was analysed, as it was read.
    pub sha256: Option<String>,
    /// True when accounts and case ids were replaced by keyed pseudonyms ([`crate::privacy`]).
    pub pseudonymised: bool,
}

/// One distinct label of a categorical column and what the load made of it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LabelUse {
    /// `platform`, `group` or `status`.
    pub column: String,
    /// The label as it was in the input (trimmed).
    pub label: String,
    /// The value it became (for an unknown status label, the label itself: those rows are rejected).
    pub value: String,
    /// True when the vocabulary knew the label (built in or added by the load options); false for
    /// a new platform or group kept as given, or an unknown status label.
    pub known: bool,
    /// Accepted rows with this label.
    pub rows_accepted: u64,
    /// Rejected rows with this label.
    pub rows_rejected: u64,
}

/// A value of `platform`, `group` or `status` that only rejected rows had: the rejects removed it
/// from every table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Lost {
    /// `platform`, `group` or `status`.
    pub column: String,
    /// The value (canonical where known, else as given).
    pub value: String,
    /// Rejected rows that had it.
    pub rows_rejected: u64,
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
            columns_dropped: Vec::new(),
            labels: Vec::new(),
            accounts_in_several_groups: None,
            blank_rows: 0,
            wide: None,
            derivation: None,
            unit: None,
            actions_only: false,
            outcomes_unpublished: false,
            published_lines: None,
            null_values_read: 0,
            aggregate: false,
            sha256: None,
            pseudonymised: false,
        }
    }

    /// Share of the rows read that were rejected (null when nothing was read); for a published
    /// source whose lines make several rows, the share of its lines ([`LoadReport::published_lines`]).
    pub fn rejected_share(&self) -> Option<f64> {
        let (read, rejected) = self.published_lines.unwrap_or((self.rows_read, self.rows_rejected));
        (read > 0).then(|| rejected as f64 / read as f64)
    }

    /// Labels that the load changed (an alias mapped to its canonical value), with row counts.
    pub fn mapped_labels(&self) -> impl Iterator<Item = &LabelUse> {
        self.labels.iter().filter(|l| l.known && l.label != l.value)
    }

    /// Platforms and groups the vocabulary did not know, kept as given.
    pub fn new_labels(&self) -> impl Iterator<Item = &LabelUse> {
        self.labels.iter().filter(|l| !l.known && l.column != "status")
    }

    /// Values of platform, group or status that the rejects removed entirely: every row that had
    /// them was rejected. A table computed without them is missing a whole category.
    pub fn lost(&self) -> Vec<Lost> {
        let mut by: BTreeMap<(&str, &str), (u64, u64)> = BTreeMap::new();
        for l in &self.labels {
            let e = by.entry((l.column.as_str(), l.value.as_str())).or_default();
            e.0 += l.rows_accepted;
            e.1 += l.rows_rejected;
        }
        by.into_iter()
            .filter(|(_, (acc, rej))| *acc == 0 && *rej > 0)
            .map(|((c, v), (_, rej))| Lost { column: c.to_string(), value: v.to_string(), rows_rejected: rej })
            .collect()
    }

    /// One sentence on the rejects for the `definition` of a table computed on these cases, or
    /// `None` when no row was rejected.
    pub fn rejects_note(&self) -> Option<String> {
        if self.rows_rejected == 0 {
            return None;
        }
        let (rules, lost) = self.rejects_detail();
        let (rejected, read, what) = match self.published_lines {
            Some((read, rejected)) => (rejected, read, "published lines"),
            None => (self.rows_rejected, self.rows_read, "rows read"),
        };
        Some(format!(
            "{rejected} of {read} {what} ({:.1}%) were rejected at load and are not counted (problems: {}){lost}",
            if read == 0 { 0.0 } else { 100.0 * rejected as f64 / read as f64 },
            rules
        ))
    }

    /// The problems by rule (`rule n, ...`) and, when some label's every row was rejected, what
    /// was lost (`; no row of platform "x" (3 rows) was accepted`): what [`LoadReport::rejects_note`]
    /// and a scan's note say of the rejects.
    pub(crate) fn rejects_detail(&self) -> (String, String) {
        let rules: Vec<String> = self.problems_by_rule.iter().map(|(r, n)| format!("{r} {n}")).collect();
        let lost: Vec<String> =
            self.lost().iter().map(|l| format!("{} \"{}\" ({} rows)", l.column, l.value, l.rows_rejected)).collect();
        let lost =
            if lost.is_empty() { String::new() } else { format!("; no row of {} was accepted", lost.join(" or ")) };
        (rules.join(", "), lost)
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
            let parts: Vec<String> = self.problems_by_rule.iter().map(|(r, n)| format!("{r}: {n}")).collect();
            write!(f, " ({})", parts.join(", "))?;
        }
        Ok(())
    }
}
