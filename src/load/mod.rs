//! Loading case records from files and frames, with nothing lost.
//!
//! Every loader reads raw rows, then validation maps labels, parses values and checks every
//! rule, and returns a [`Validated`]: the accepted rows, the problems and the [`LoadReport`].
//! [`crate::Cases`] is made from it (`Cases::read_csv` and the other constructors call these).
//! In strict mode ([`OnInvalid::Raise`], the default) any problem fails the load with one
//! [`Error::Validation`] listing every problem up to [`LoadOptions::max_problems`]; in
//! quarantine mode the valid rows load and the rest come back in [`crate::Cases::rejects`]. Either
//! way the [`LoadReport`] holds `rows_read = rows_accepted + rows_rejected`.
//!
//! CSV and NDJSON are read record by record so that a malformed record, invalid UTF-8 or an
//! over-long field rejects that row only. A CSV file is first read by polars' parallel reader; that
//! result is kept only when the file is well formed (it then equals the record reader's), and the
//! record reader reads the file otherwise. Parquet and Arrow IPC are typed formats read by polars; a
//! file that is not valid in its format fails as a whole ([`Error::Read`]).

mod checksums;
pub(crate) mod csv_layout;
pub(crate) mod csv_parts;
mod parts;
pub(crate) mod readers;
mod report;
pub(crate) mod validate;
mod wide;

use std::path::Path;

use polars::prelude::*;

pub use report::{LabelUse, LoadReport, Lost, STATEMENTS_UNIT};
pub(crate) use validate::accounts_in_several_groups;
pub use validate::{Validated, MAX_COUNT, MAX_FOLLOWERS};
pub use wide::WideTable;

use crate::dates::DateOrder;
use crate::error::{Error, Result};
use crate::schema::{col_names::*, Status};

crate::vocabulary! {
    /// What to do with invalid rows.
    #[derive(Default)]
    pub enum OnInvalid("on_invalid") {
        /// Fail the load with every problem listed (up to the cap).
        #[default]
        Raise = "raise",
        /// Load the valid rows; return the others as rejects.
        Quarantine = "quarantine",
    }
}

/// Options for every loader. Build with [`LoadOptions::default`] and the `with_*` methods.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// The input's column names mapped to canonical names (`("Handle", "account")`).
    pub columns: Vec<(String, String)>,
    /// Status labels added to the built-in ones (user entries win).
    pub status_labels: Vec<(String, Status)>,
    /// Platform aliases added to the built-in ones.
    pub platform_aliases: Vec<(String, String)>,
    /// Group aliases added to the built-in ones (TTP, BLA, BLF).
    pub group_aliases: Vec<(String, String)>,
    /// Order of day and month in slash dates.
    pub date_order: DateOrder,
    /// Strict or quarantine.
    pub on_invalid: OnInvalid,
    /// Canonical columns that must be present and filled; `platform` and `status` always are.
    /// `None` (the default) decides from the input: a case log needs [`DEFAULT_REQUIRED`]; an
    /// aggregate table (a `count` column and no `case_id`) needs only [`AGGREGATE_REQUIRED`].
    pub required: Option<Vec<String>>,
    /// How many problems a strict-mode error lists (the total is always given). Default 50.
    pub max_problems: usize,
    /// Longest accepted field in bytes (CSV and NDJSON). Default 1 MiB.
    pub max_field_bytes: usize,
    /// The field delimiter of CSV input (default `,`; `;` for spreadsheets saved in locales that
    /// write decimal commas, `\t` for tab-separated files).
    pub delimiter: u8,
    /// Values read as missing, besides the empty string (compared trimmed, ignoring case), e.g.
    /// `n/a`, `-`, `unknown`. Default none. Each value so read is counted in the load report.
    pub null_values: Vec<String>,
    /// The thousands separator of whole numbers written as text (`12,000` with `,`; `12.000` with
    /// `.`), for `followers` and `count`. Default none: `12,000` is then an `invalid_integer`.
    pub thousands: Option<char>,
    /// Most columns a CSV header (or distinct NDJSON keys) may have. Default 1,000: a wider
    /// "header" is almost always the wrong file, and would make every display of it enormous.
    pub max_columns: usize,
    /// A published table's outcome columns, each with the outcome it counts
    /// (`("Blocked", Removed)`, `("Pending", Pending)`): the table is read long, one row per cell,
    /// `status` the outcome and `count` the cell (see [`WideTable`]). Default none.
    pub outcome_columns: Vec<(String, Status)>,
}

/// The columns a case log must have (one row per request).
pub const DEFAULT_REQUIRED: [&str; 6] = [CASE_ID, PLATFORM, ACCOUNT, GROUP, REPORTED_AT, STATUS];
/// The columns an aggregate table must have (rows of `count` requests, as platforms publish).
pub const AGGREGATE_REQUIRED: [&str; 2] = [PLATFORM, STATUS];

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            columns: Vec::new(),
            status_labels: Vec::new(),
            platform_aliases: Vec::new(),
            group_aliases: Vec::new(),
            date_order: DateOrder::Auto,
            on_invalid: OnInvalid::Raise,
            required: None,
            max_problems: 50,
            max_field_bytes: 1 << 20,
            max_columns: 1000,
            null_values: Vec::new(),
            thousands: None,
            delimiter: b',',
            outcome_columns: Vec::new(),
        }
    }
}

impl LoadOptions {
    /// Maps the input column `from` to the canonical column `to`.
    pub fn with_column(mut self, from: &str, to: &str) -> Self {
        self.columns.push((from.into(), to.into()));
        self
    }
    /// Adds a status label.
    pub fn with_status_label(mut self, label: &str, status: Status) -> Self {
        self.status_labels.push((label.into(), status));
        self
    }
    /// Adds a platform alias.
    pub fn with_platform_alias(mut self, alias: &str, platform: &str) -> Self {
        self.platform_aliases.push((alias.into(), platform.into()));
        self
    }
    /// Adds a group alias.
    pub fn with_group_alias(mut self, alias: &str, group: &str) -> Self {
        self.group_aliases.push((alias.into(), group.into()));
        self
    }
    /// Reads the input as a wide table: the column `from` counts requests with outcome `status`.
    pub fn with_outcome_column(mut self, from: &str, status: Status) -> Self {
        self.outcome_columns.push((from.into(), status));
        self
    }
    /// Sets the date order.
    pub fn with_date_order(mut self, order: DateOrder) -> Self {
        self.date_order = order;
        self
    }
    /// Sets strict or quarantine mode.
    pub fn with_on_invalid(mut self, mode: OnInvalid) -> Self {
        self.on_invalid = mode;
        self
    }
    /// Sets the required columns (`platform` and `status` are added if missing).
    pub fn with_required(mut self, cols: &[&str]) -> Self {
        self.required = Some(cols.iter().map(|s| s.to_string()).collect());
        self
    }

    /// The canonical columns required of an input whose canonical columns are `present`, and
    /// whether it is read as an aggregate table (see [`LoadOptions::required`]).
    pub fn required_for(&self, present: &dyn Fn(&str) -> bool) -> (Vec<String>, bool) {
        let mut out: Vec<String> = match &self.required {
            Some(r) => r.clone(),
            None if present(COUNT) && !present(CASE_ID) => {
                return (AGGREGATE_REQUIRED.iter().map(|s| s.to_string()).collect(), true)
            }
            None => DEFAULT_REQUIRED.iter().map(|s| s.to_string()).collect(),
        };
        for c in [PLATFORM, STATUS] {
            if !out.iter().any(|r| r == c) {
                out.push(c.to_string());
            }
        }
        (out, false)
    }

    /// Adds group aliases from a CSV file with a header and two columns: alias, group.
    pub fn with_group_aliases_csv(mut self, path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_path(path).map_err(|e| Error::Read {
            file: name.clone(),
            format: "CSV".into(),
            message: e.to_string(),
        })?;
        for (i, rec) in rdr.records().enumerate() {
            let rec = rec.map_err(|e| Error::Read {
                file: name.clone(),
                format: "CSV".into(),
                message: format!("row {}: {e}", i + 1),
            })?;
            match (rec.get(0), rec.get(1)) {
                (Some(a), Some(g)) if !a.trim().is_empty() && !g.trim().is_empty() => {
                    self.group_aliases.push((a.to_string(), g.trim().to_string()));
                }
                _ => {
                    return Err(Error::Read {
                        file: name,
                        format: "CSV".into(),
                        message: format!("row {}: expected two non-empty fields: alias, group", i + 1),
                    })
                }
            }
        }
        Ok(self)
    }
}

/// A message cut to at most 1,000 bytes (on a character boundary), for errors that quote input.
pub fn clip_message(s: &str) -> String {
    if s.len() <= 1000 {
        return s.to_string();
    }
    let mut end = 1000;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &s[..end], s.len())
}

/// Reads a CSV file (header row required, comma-separated, UTF-8).
pub fn read_csv(path: impl AsRef<Path>, opts: &LoadOptions) -> Result<Validated> {
    csv_parts::read_csv(path.as_ref(), opts, csv_parts::MIN_BYTES, csv_parts::PIECE_BYTES)
}

/// A problems table (`file`, `row`, `column`, `value`, `rule`, `message`), as in
/// [`crate::Cases::rejects`] and for the problems of an [`Error::Validation`].
pub fn problems_frame(problems: &[crate::error::Problem]) -> Result<DataFrame> {
    validate::rejects_frame(problems)
}

/// Reads CSV text from memory; `name` stands for the file in problems and reports.
pub fn read_csv_bytes(bytes: &[u8], name: &str, opts: &LoadOptions) -> Result<Validated> {
    let mut raw = readers::csv_bytes(bytes, name, opts)?;
    raw.sha256 = Some(readers::sha256_hex(bytes));
    validate::validate(raw, opts)
}

/// Reads NDJSON text from memory; `name` stands for the file in problems and reports.
pub fn read_ndjson_bytes(bytes: &[u8], name: &str, opts: &LoadOptions) -> Result<Validated> {
    let mut raw = readers::ndjson_from(bytes, name, opts)?;
    raw.sha256 = Some(readers::sha256_hex(bytes));
    validate::validate(raw, opts)
}

/// Reads a newline-delimited JSON file: one object a line.
pub fn read_ndjson(path: impl AsRef<Path>, opts: &LoadOptions) -> Result<Validated> {
    validate::validate(readers::ndjson(path.as_ref(), opts)?, opts)
}

/// Reads a Parquet file. A file of a million rows or more in several row groups is read and
/// validated a few row groups at a time, with the same result as a whole read (see `parts`): the
/// decoded file is never held beside the validated frame.
pub fn read_parquet(path: impl AsRef<Path>, opts: &LoadOptions) -> Result<Validated> {
    parts::read_parquet(path.as_ref(), opts, parts::MIN_ROWS, parts::PART_ROWS)
}

/// Reads an Arrow IPC (Feather v2) file.
pub fn read_ipc(path: impl AsRef<Path>, opts: &LoadOptions) -> Result<Validated> {
    validate::validate(readers::ipc(path.as_ref())?, opts)
}

/// Reads a file, choosing the format by extension: `.csv`, `.ndjson`/`.jsonl`, `.parquet`,
/// `.arrow`/`.ipc`/`.feather`.
pub fn read_path(path: impl AsRef<Path>, opts: &LoadOptions) -> Result<Validated> {
    let path = path.as_ref();
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "csv" => read_csv(path, opts),
        "ndjson" | "jsonl" => read_ndjson(path, opts),
        "parquet" | "pq" => read_parquet(path, opts),
        "arrow" | "ipc" | "feather" => read_ipc(path, opts),
        _ => Err(Error::invalid_arg(
            "path",
            format!(
                "{}: cannot tell the format from the extension {ext:?}; use .csv, .ndjson, .jsonl, .parquet, .arrow, .ipc or .feather",
                path.display()
            ),
        )),
    }
}

/// Loads cases from a polars DataFrame (any dtypes; strings are parsed, typed columns checked).
pub fn from_frame(df: DataFrame, opts: &LoadOptions) -> Result<Validated> {
    validate::validate(readers::frame(df, "<dataframe>"), opts)
}

/// Loads cases from a frame read from `source` (a file name for problems and the report), with the
/// SHA-256 of the bytes it was read from when known.
pub fn from_frame_named(df: DataFrame, source: &str, sha256: Option<String>, opts: &LoadOptions) -> Result<Validated> {
    let mut raw = readers::frame(df, source);
    raw.sha256 = sha256;
    validate::validate(raw, opts)
}

/// Loads cases from a polars LazyFrame (collected first).
pub fn from_lazy(lf: LazyFrame, opts: &LoadOptions) -> Result<Validated> {
    validate::validate(readers::frame(lf.collect()?, "<lazyframe>"), opts)
}
