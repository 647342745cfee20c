//! Public transparency data read as published: each source's file, headers and quirks and all,
//! becomes [`Cases`] in the canonical schema (aggregate rows with `count`), checked by the same
//! rules as any load.
//!
//! ```no_run
//! use takedowns::sources::{self, SourceName};
//! let cases = sources::read(SourceName::GoogleRemovalsHistorical,
//!     "google-government-removal-requests-historical.csv", &Default::default())?;
//! # Ok::<(), takedowns::Error>(())
//! ```
//!
//! A published cell that is withheld or only a bound (`<10`, `?`) is a `censored_value` reject:
//! listed with its row, column and value, counted in the load report, never read as 0. How the
//! rows were derived (which columns, what rounding) is the load report's
//! [`derivation`](crate::LoadReport::derivation), which every table's `definition` carries.
//!
//! | name | source | rows |
//! |---|---|---|
//! | `google-removals-historical` | Google Transparency Report, government requests to remove content: `google-government-removal-requests-historical.csv` (2009-H2 to 2019-H1) | per country and half-year: requests fully or partially complied with, and not |
//! | `google-removals-detailed` | Google Transparency Report: `google-government-detailed-removal-requests.csv` (by product and reason, 2011 on) or `google-government-detailed-removal-requests-historical.csv` (2009-H2 to 2019-H1, court orders and executive requests apart) | per country, half-year, product and reason: requests, with status `unknown` (Google publishes no outcome at this level) |
//! | `google-removals-requestor` | Google Transparency Report: `google-government-removal-requests.csv` (by requestor, 2019 on) | per country, requestor and half-year: items per outcome (Google's whole percents as counts by largest remainders): items, not requests |
//! | `x-removals` | X (Twitter) Transparency Center: `Twitter_Transparency-Removal_Requests_<period>.csv` (cumulative, two tables), or one half-year's `removal-requests-report-<jan-jun\|jul-dec>-<year>.csv` (2012 to 2019-H1) | per country and half-year: requests complied with, and not (legal demands, combined) |
//! | `meta-local-law` | Facebook Government Requests Report, one half-year: `Facebook-Government-Report-<year>-H<1\|2>.csv` (2013 to 2019-H1) | per country: pieces of content restricted for local law (items; no requests or refusals published) |
//! | `dsa-sor` | EU DSA Transparency Database: the daily dumps `sor-<platform\|global>-<date>-<full\|light>.zip`, their CSV parts, or Parquet | one case per statement of reasons ([`dsa`]); [`scan`] for more than fits in memory |
//! | `dsa-report` | A DSA harmonised transparency report (Implementing Regulation (EU) 2024/2835, Annex I), July-December 2025 on: part 3 `3_member_states_orders.csv`, part 4 `4_notices.csv`, parts 5 and 6 `5_own_initiative_illegal.csv`, `6_own_initiative_TC.csv` | part 3: per Member State, orders to act against illegal content (Art. 9) and to provide information (Art. 10), `order_type`, status `unknown`; part 4: notices per category or sub-category, status `unknown`, actions as columns; parts 5 and 6: own-initiative measures per category or sub-category, actions only, kinds of restriction as columns, status `unknown` |
//! | `tiktok-government` | TikTok, Government Removal Requests Report: `CLIGR_<release>_GovernmentRemovalsRequests.csv` (cumulative) | per country and half-year: content and accounts actioned (community guidelines, local law) and not: items, not requests |

use std::path::Path;

use polars::prelude::*;

use crate::cases::Cases;
use crate::error::{Error, Result};
use crate::load::readers::{self, Raw, Rows};
use crate::load::{validate, LoadOptions};
use crate::schema::col_names::{COUNT, JURISDICTION, PLATFORM, REPORTED_AT, SOURCE, STATUS};

pub mod dsa;
mod dsa_report;
mod google;
mod meta;
mod tiktok;
mod x;

crate::vocabulary! {
    /// A public source [`read`] knows.
    pub enum SourceName("source") {
        /// Google's historical summary of government removal requests, with "% Fully Or
        /// Partially Complied With" ([`google`](self)).
        GoogleRemovalsHistorical = "google-removals-historical",
        /// Google's government removal requests by requestor, with the items' outcomes (2019 on).
        GoogleRemovalsRequestor = "google-removals-requestor",
        /// Google's government removal requests by product and reason (2011 on; its historical
        /// companion, 2009-2019, by court orders and executive requests): requests without
        /// outcomes ([`crate::LoadReport::outcomes_unpublished`]).
        GoogleRemovalsDetailed = "google-removals-detailed",
        /// TikTok's government removal requests report, cumulative CSV ([`tiktok`](self)).
        TiktokGovernment = "tiktok-government",
        /// X's (Twitter's) removal requests: the Transparency Center's cumulative CSV, or one
        /// half-year's file (2012 to 2019-H1).
        XRemovals = "x-removals",
        /// Meta (Facebook): content restricted based on local law, per country, from a
        /// half-year's Government Requests Report CSV (2013 to 2019-H1).
        MetaLocalLaw = "meta-local-law",
        /// The EU DSA Transparency Database's statements of reasons: the daily dumps (zipped
        /// CSV, full or light), their CSV parts or Parquet ([`dsa`]). Billions of rows: [`scan`].
        DsaSor = "dsa-sor",
        /// A DSA harmonised transparency report's orders from Member States (Annex I template,
        /// part 3, `3_member_states_orders.csv`): orders per Member State, without outcomes.
        DsaReport = "dsa-report",
    }
}

/// The names [`read`] takes, in the order listed.
pub fn names() -> &'static [&'static str] {
    <SourceName as crate::vocab::Named>::NAMES
}

/// Reads `path`, a file of source `name` as its publisher writes it. `opts` applies as to any
/// load: pass [`OnInvalid::Quarantine`](crate::OnInvalid) to load past withheld cells (`<10`, `?`), which published
/// tables have as a matter of course (the Python and CLI entry points do); with the default,
/// `Raise`, a withheld cell fails the load with every problem listed. `required`, `columns` and
/// `outcome_columns` are set by the source.
pub fn read(name: SourceName, path: impl AsRef<Path>, opts: &LoadOptions) -> Result<Cases> {
    refuse_delimiter(opts)?;
    let path = path.as_ref();
    let csv = || readers::csv(path, &LoadOptions::default());
    let mut part = None;
    let (raw, derivation) = match name {
        SourceName::GoogleRemovalsHistorical => google::historical(csv()?)?,
        SourceName::TiktokGovernment => tiktok::government(csv()?)?,
        SourceName::GoogleRemovalsRequestor => google::requestor(csv()?)?,
        SourceName::GoogleRemovalsDetailed => google::detailed(csv()?)?,
        SourceName::XRemovals => x::read(path)?,
        SourceName::MetaLocalLaw => meta::local_law(path)?,
        SourceName::DsaSor => return dsa::read(path, opts),
        SourceName::DsaReport => {
            let (raw, derivation, p) = dsa_report::read(path)?;
            part = Some(p);
            (raw, derivation)
        }
    };
    // A source's own outcome labels, unless the caller maps them otherwise.
    let mut status_labels = match name {
        SourceName::GoogleRemovalsRequestor => {
            google::ITEM_STATUS.iter().map(|(label, status)| (label.to_string(), *status)).collect()
        }
        _ => Vec::new(),
    };
    status_labels.extend(opts.status_labels.iter().cloned());
    let opts = LoadOptions {
        // Every published row is of a country (or a body such as Europol): one without is no figure.
        required: Some(vec![PLATFORM.into(), STATUS.into(), COUNT.into(), JURISDICTION.into()]),
        status_labels,
        columns: Vec::new(),
        outcome_columns: Vec::new(),
        ..opts.clone()
    };
    // The publisher's lines: each of those read, and each that made no row (withheld, unreadable).
    let distinct = |rows: Vec<u64>| rows.into_iter().collect::<std::collections::BTreeSet<u64>>().len() as u64;
    let lines_read =
        distinct((0..raw.frame.height()).map(|i| raw.rows.get(i)).chain(raw.problems.iter().map(|p| p.row)).collect());
    // Google's requests by product and reason, and the DSA reports' orders and notices, have no
    // outcome; the DSA reports' own-initiative measures are all actions.
    let actions_only = name == SourceName::MetaLocalLaw
        || matches!(part, Some(dsa_report::Part::OwnInitiativeIllegal | dsa_report::Part::OwnInitiativeTerms));
    // (Own-initiative measures are of several kinds, given as columns: no one outcome per row.)
    let outcomes_unpublished = name == SourceName::GoogleRemovalsDetailed || part.is_some();
    let scope = if outcomes_unpublished { validate::Scope::OutcomesUnpublished } else { validate::Scope::Load };
    let mut validated = validate::validate_with(raw, &opts, scope)?;
    let lines_rejected = distinct(validated.problems.iter().map(|p| p.row).collect());
    validated.report.published_lines = Some((lines_read, lines_rejected));
    validated.report.derivation = Some(derivation);
    validated.report.actions_only = actions_only;
    validated.report.outcomes_unpublished = outcomes_unpublished;
    validated.report.unit = match name {
        SourceName::TiktokGovernment => Some("items (pieces of content or accounts) named in requests".into()),
        SourceName::GoogleRemovalsRequestor => Some("items (URLs, videos ...) named in requests".into()),
        SourceName::MetaLocalLaw => Some(meta::UNIT.into()),
        SourceName::DsaReport => part.map(|p| p.unit().to_string()),
        _ => None,
    };
    if name == SourceName::DsaReport {
        validated.frame = dsa_report::numeric(std::mem::take(&mut validated.frame))?;
    }
    validated.try_into()
}

/// Loads `df`, rows of source `name` that another engine read (a batch of a Spark partition), as
/// [`read`] loads a file of them: each row validated, rows numbered within `df` and named
/// `source` in problems. Only the source too large for one machine has this (`dsa-sor`, a frame
/// with the dump's columns); the published tables are small and are read whole.
pub fn from_frame(name: SourceName, df: DataFrame, source: &str, opts: &LoadOptions) -> Result<Cases> {
    match name {
        SourceName::DsaSor => dsa::from_frame(df, source, opts),
        other => Err(crate::error::Error::invalid_arg(
            "source",
            format!("`{other}` is a published table small enough to read whole: use sources::read on its file"),
        )),
    }
}

/// Scans `path`, a source too large to load (`dsa-sor`): nothing is read until an analytic runs,
/// then every batch is mapped and validated as it streams past ([`crate::scan`]). Invalid rows
/// are quarantined and counted, as in any scan. The small published tables are read with [`read`].
pub fn scan(name: SourceName, path: impl AsRef<Path>, opts: &LoadOptions) -> Result<crate::scan::Scan> {
    refuse_delimiter(opts)?;
    match name {
        SourceName::DsaSor => dsa::scan(path.as_ref(), opts),
        other => Err(Error::invalid_arg(
            "source",
            format!("{other} is a small published table: read it (takedowns::sources::read, td.sources.read); scan is for dsa-sor"),
        )),
    }
}

/// A source's file is read as its publisher writes it (commas): another delimiter would be
/// ignored, so it is refused rather than silently not taken.
fn refuse_delimiter(opts: &LoadOptions) -> Result<()> {
    if opts.delimiter != b',' {
        return Err(Error::invalid_arg(
            "delimiter",
            format!(
                "{:?} is not taken by a published source: each is read as its publisher writes it (comma-separated); \
                 a file saved with another delimiter is not the publisher's file, so re-export it with commas",
                opts.delimiter as char
            ),
        ));
    }
    Ok(())
}

/// A source's rows, built column by column as text (the checks then parse them as any input).
pub(crate) struct Long {
    columns: Vec<(&'static str, Vec<Option<String>>)>,
    /// The source row of each long row.
    rows: Vec<u64>,
    /// The source column each row's count came from, as an index into `count_names`.
    count_from: Vec<u32>,
    count_names: Vec<String>,
}

impl Long {
    pub(crate) fn new(columns: &[&'static str], count_names: Vec<String>) -> Self {
        Long {
            columns: columns.iter().map(|c| (*c, Vec::new())).collect(),
            rows: Vec::new(),
            count_from: Vec::new(),
            count_names,
        }
    }

    /// Adds one row: its source row, the source column of its count, and its values in the order
    /// of the columns given to [`Long::new`].
    pub(crate) fn push(&mut self, row: u64, count_from: u32, values: Vec<Option<String>>) {
        debug_assert_eq!(values.len(), self.columns.len());
        for ((_, col), v) in self.columns.iter_mut().zip(values) {
            col.push(v);
        }
        self.rows.push(row);
        self.count_from.push(count_from);
    }

    /// The rows as a [`Raw`] for validation: `rows_read` counts them, plus the source rows that
    /// could not be read at all (each once).
    pub(crate) fn into_raw(self, source: Raw) -> Result<Raw> {
        let n = self.rows.len();
        let cols: Vec<Column> = self
            .columns
            .into_iter()
            .map(|(name, values)| StringChunked::from_iter_options(name.into(), values.into_iter()).into_column())
            .collect();
        let unreadable = source.unreadable_rows();
        Ok(Raw {
            source: source.source,
            frame: DataFrame::new(n, cols)?,
            rows: Rows::listed(self.rows),
            rows_read: n as u64 + unreadable,
            blank_rows: source.blank_rows,
            problems: source.problems,
            sha256: source.sha256,
            count_columns: Some((self.count_names, self.count_from)),
        })
    }
}

/// The text of every column of `raw`, by header (trimmed), for a source's reader.
pub(crate) struct Table<'a> {
    file: &'a str,
    names: Vec<String>,
    frame: &'a DataFrame,
}

impl<'a> Table<'a> {
    pub(crate) fn new(raw: &'a Raw) -> Self {
        let names = raw.frame.get_column_names().iter().map(|s| s.trim().to_string()).collect();
        Table { file: &raw.source, names, frame: &raw.frame }
    }

    /// The first column whose name begins with `prefix`.
    pub(crate) fn names_starting(&self, prefix: &str) -> Option<String> {
        self.names.iter().find(|n| n.starts_with(prefix)).cloned()
    }

    pub(crate) fn has(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    /// The column with one of `names` (the first the file has), as text.
    pub(crate) fn text(&self, names: &[&str], what: &str) -> Result<StringChunked> {
        let Some(i) = names.iter().find_map(|want| self.names.iter().position(|n| n == want)) else {
            return Err(Error::Read {
                file: self.file.to_string(),
                format: what.to_string(),
                message: format!(
                    "it has no column {} (its columns: {})",
                    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" or "),
                    self.names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                ),
            });
        };
        let col = &self.frame.columns()[i];
        Ok(crate::schema::text_of(col)?)
    }
}

/// The canonical columns every source fills (in this order), before its own.
pub(crate) const BASE: [&str; 5] = [PLATFORM, JURISDICTION, REPORTED_AT, STATUS, COUNT];
/// The canonical `source` column.
pub(crate) const SOURCE_COL: &str = SOURCE;
