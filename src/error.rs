//! The crate's one error type.
//!
//! Every failure names what a user needs to fix it: the file, and for a bad value the row, the
//! column, the value and the rule it broke.

use std::fmt;

use polars::prelude::PolarsError;

crate::vocabulary! {
    /// A validation rule a case record can break. `as_str` is the stable name used in rejects
    /// tables, load reports and error messages.
    pub enum Rule("rule") {
        /// A required value is missing or empty.
        Required = "required",
        /// A date or datetime that does not parse in any accepted form.
        InvalidDate = "invalid_date",
        /// A date written in an accepted form that is not on the calendar: `31/02/2025`, 29 February
        /// of a common year, month 13, day 32.
        ImpossibleDate = "impossible_date",
        /// A slash date such as `03/04/2025` whose order (day or month first) is not set and cannot be
        /// inferred from the file.
        AmbiguousDate = "ambiguous_date",
        /// A value that should be a whole number is not one.
        InvalidInteger = "invalid_integer",
        /// A number the publisher withheld or gave only as a bound (`<10`, `>1000`, `?`): its row is
        /// kept out of every number and listed, never read as 0 or as the bound.
        CensoredValue = "censored_value",
        /// A status label that is neither canonical nor in the label mapping.
        UnknownStatus = "unknown_status",
        /// `followers` below zero.
        NegativeFollowers = "negative_followers",
        /// `count` below zero (a zero cell is a fact of a published table, and is kept).
        InvalidCount = "invalid_count",
        /// `actioned_at` earlier than `reported_at`.
        ActionedBeforeReported = "actioned_before_reported",
        /// A pending case that has an `actioned_at`.
        PendingWithActionedAt = "pending_with_actioned_at",
        /// A `case_id` seen on an earlier row.
        DuplicateCaseId = "duplicate_case_id",
        /// A row that cannot be read as a record (wrong number of fields, broken JSON).
        MalformedRow = "malformed_row",
        /// Bytes that are not UTF-8.
        InvalidUtf8 = "invalid_utf8",
        /// A field longer than the configured maximum.
        FieldTooLong = "field_too_long",
        /// A date before 1900 or after 2199: almost always a typing or unit error (year 0, days read as
        /// microseconds), and beyond what dates in reports and figures can show.
        DateOutOfRange = "date_out_of_range",
        /// An account that names no account once folded (`@`, `/`, `https://x.com/`): counting it
        /// would merge every such row into one empty account.
        InvalidAccount = "invalid_account",
        /// A number above the bounds a count can have (`followers` over 10^10, `count` over 10^12),
        /// or one that would push the column's total past what a 64-bit sum holds.
        ValueTooLarge = "value_too_large",
        /// A code that is none of its list (a DSA report's scope that is no Member State's).
        InvalidCode = "invalid_code",
    }
}

impl Rule {
    /// The rule with this stable name.
    pub fn parse(name: &str) -> Option<Rule> {
        name.parse().ok()
    }
}

/// One problem found in one row.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Problem {
    /// The source: a file path, or `<dataframe>` / `<records>` for in-memory input.
    pub file: String,
    /// 1-based data row number (the header is not counted: the first record is row 1).
    pub row: u64,
    /// The column, by the name it has in the input.
    pub column: String,
    /// The offending value as read (truncated to 200 characters).
    pub value: String,
    /// The rule broken.
    pub rule: Rule,
    /// The row's `case_id` as read, when the row has one (a record that could not be read has
    /// none), so that a spreadsheet user finds the row by its reference as well as its number.
    #[serde(default)]
    pub case_id: Option<String>,
    /// A sentence saying what is wrong and what would be accepted.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = self.case_id.as_ref().map(|c| format!(" (case_id {c:?})")).unwrap_or_default();
        write!(
            f,
            "{}: row {}{id}, column `{}`, value {:?}: {} ({})",
            self.file, self.row, self.column, self.value, self.message, self.rule
        )
    }
}

fn suggest(pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return String::new();
    }
    let map: Vec<String> = pairs.iter().map(|(h, c)| format!("{h:?}: {c:?}")).collect();
    format!(" Perhaps columns={{{}}}?", map.join(", "))
}

fn list_problems(problems: &[Problem], total: &usize) -> String {
    let mut s = format!("{total} problem(s) found");
    if *total > problems.len() {
        s.push_str(&format!(", the first {} listed", problems.len()));
    }
    s.push_str(" (pass on_invalid=quarantine to load the valid rows and get the rest as rejects):");
    for p in problems {
        s.push_str("\n  ");
        s.push_str(&p.to_string());
    }
    s
}

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The path as given.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file could not be parsed as the format it was read as (corrupt Parquet, no header row).
    #[error("{file}: cannot read as {format}: {message}")]
    Read {
        /// The path as given.
        file: String,
        /// CSV, NDJSON, Parquet, IPC.
        format: String,
        /// What went wrong.
        message: String,
    },
    /// Columns the load options require are absent; every missing column is named.
    #[error("{file}: missing required column(s) {} (columns found: {found}).{} Map a header to a canonical name with `columns`, or set `required` to load without them; a table with a `count` column and no `case_id` is read as an aggregate and needs only platform and status", .missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", "), suggest(.suggestions))]
    MissingColumn {
        /// The source.
        file: String,
        /// The first missing canonical column (all of them are in `missing`).
        name: String,
        /// Every missing canonical column, in schema order.
        missing: Vec<String>,
        /// The columns the input has, comma-separated (cut short past 1,000 characters).
        found: String,
        /// For missing columns, the input header that looks like each: (header, canonical).
        suggestions: Box<[(String, String)]>,
    },
    /// Strict loading found invalid rows; every problem up to the cap is listed.
    #[error("{}", list_problems(.problems, .total))]
    Validation {
        /// The problems, at most `LoadOptions::max_problems` of them.
        problems: Vec<Problem>,
        /// How many problems there are in all.
        total: usize,
    },
    /// A canonical column has a type no value of it can have (a struct, list or binary column
    /// mapped to `followers` or `account`): nothing in it is read as text silently.
    #[error("{file}: column `{column}` has type {dtype}, which `{canonical}` cannot take ({expected}); convert or drop the column, or map another one")]
    ColumnType {
        /// The source.
        file: String,
        /// The column, by its name in the input.
        column: String,
        /// The canonical column it was matched to.
        canonical: String,
        /// Its type.
        dtype: String,
        /// What is accepted.
        expected: String,
    },
    /// Two input columns would both be one canonical column (`reported_at` and `Reported At`).
    #[error("{file}: the columns {} would both be the canonical column `{canonical}`; rename or drop one, or map one with `columns`", .columns.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(" and "))]
    AmbiguousColumn {
        /// The source.
        file: String,
        /// The canonical column.
        canonical: String,
        /// The input columns that fold to it.
        columns: Vec<String>,
    },
    /// An argument or option is not valid (an unknown column in `by`, a level outside (0, 1) ...).
    #[error("invalid argument `{name}`: {message}")]
    InvalidArgument {
        /// The argument or option.
        name: String,
        /// What is wrong with it.
        message: String,
    },
    /// A computation has nothing to work on (every case filtered out, no dated cases ...).
    #[error("{0}")]
    Empty(String),
    /// An error from polars.
    #[error(transparent)]
    Polars(#[from] PolarsError),
    /// The call was cancelled (its [`crate::cancel`] flag was set, as by Ctrl-C in Python).
    #[error("cancelled")]
    Cancelled,
    /// Something that should not happen did: a bug, to be reported with the input.
    #[error("internal error in takedowns: {0}; please report it with the input that caused it")]
    Internal(String),
}

impl Error {
    /// Every kind of error, as [`Error::kind`] names them.
    pub const KINDS: [&'static str; 11] = [
        "io",
        "read",
        "missing_column",
        "validation",
        "column_type",
        "ambiguous_column",
        "invalid_argument",
        "empty",
        "polars",
        "cancelled",
        "internal",
    ];

    /// The kind of error, a stable name (the Python binding's tests check each maps to its
    /// exception class).
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Io { .. } => "io",
            Error::Read { .. } => "read",
            Error::MissingColumn { .. } => "missing_column",
            Error::Validation { .. } => "validation",
            Error::ColumnType { .. } => "column_type",
            Error::AmbiguousColumn { .. } => "ambiguous_column",
            Error::InvalidArgument { .. } => "invalid_argument",
            Error::Empty(_) => "empty",
            Error::Polars(_) => "polars",
            Error::Cancelled => "cancelled",
            Error::Internal(_) => "internal",
        }
    }

    pub(crate) fn invalid_arg(name: &str, message: impl Into<String>) -> Self {
        Error::InvalidArgument { name: name.to_string(), message: message.into() }
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
