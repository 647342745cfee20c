//! The case record and its polars schema.
//!
//! One row is one request about one account or item. Canonical columns, in this order:
//!
//! | column | dtype | null | meaning |
//! |---|---|---|---|
//! | `case_id` | String | no | unique id of the request (generated as the row number when the input has none and it is not required) |
//! | `platform` | Categorical | no | canonical lowercase platform id (`facebook`, `instagram`, `tiktok`, `x`, `telegram`, `whatsapp`, `youtube`, ... an open set) |
//! | `account` | String | yes | handle, URL or id as given |
//! | `account_key` | String | yes | `account` folded for counting an account once ([`account_key`]): lower case; of a URL the path only (scheme, `www.`, host and tracking query removed, with or without `https://`); leading `@` and trailing `/` removed |
//! | `group` | Categorical | yes | canonical group id (`TTP`, `BLA`, `BLF`, or the label as given) |
//! | `followers` | Int64 | yes | followers of the account when reported, ≥ 0 |
//! | `reported_at` | Datetime(μs) | yes | when the request was made (UTC when the input had a zone) |
//! | `actioned_at` | Datetime(μs) | yes | when the platform decided (removed, restricted or rejected) |
//! | `status` | Categorical | no | `removed`, `restricted`, `rejected` or `pending` (`unknown` only from a published source with no outcomes) |
//! | `agency` | Categorical | yes | the requesting agency |
//! | `content_type`, `reason`, `jurisdiction`, `source` | String | yes | optional; present when the input has them |
//! | `count` | Int64 | no | how many identical requests the row stands for (≥ 1, default 1) |
//!
//! The label columns (`platform`, `group`, `status`, `agency`) are polars categories with the
//! global categories ([`label_dtype`]); every table gives them as text.
//!
//! Columns the input has beyond these are kept after them, unchanged, and can be used in `by` and
//! in filters.

use polars::prelude::*;

crate::vocabulary! {
    /// The outcome of a request.
    pub enum Status("status") {
        /// Taken down everywhere.
        Removed = "removed",
        /// Withheld or geo-blocked in the requesting country only.
        Restricted = "restricted",
        /// The platform declined to act.
        Rejected = "rejected",
        /// No decision yet (PTA: "still accessible").
        Pending = "pending",
        /// Not published: the row is a request from a source that publishes requests without
        /// their outcome (Google's requests by product and reason, the DSA reports' orders). Only
        /// such a source makes it ([`crate::LoadReport::outcomes_unpublished`]); a case log's
        /// status must be one of the four above.
        Unknown = "unknown",
    }
}

impl Status {
    /// The outcomes a request can have, which compliance tables count (every status but
    /// [`Status::Unknown`], which rates refuse).
    pub const OUTCOMES: &'static [Status] = &[Status::Removed, Status::Restricted, Status::Rejected, Status::Pending];

    /// Parses a canonical name (exactly; for source labels use [`crate::labels::Vocabulary`]).
    pub fn parse(s: &str) -> Option<Status> {
        s.parse().ok()
    }
}

/// Canonical column names.
pub mod col_names {
    #![allow(missing_docs)]
    pub const CASE_ID: &str = "case_id";
    pub const PLATFORM: &str = "platform";
    pub const ACCOUNT: &str = "account";
    pub const ACCOUNT_KEY: &str = "account_key";
    pub const GROUP: &str = "group";
    pub const FOLLOWERS: &str = "followers";
    pub const REPORTED_AT: &str = "reported_at";
    pub const ACTIONED_AT: &str = "actioned_at";
    pub const STATUS: &str = "status";
    pub const AGENCY: &str = "agency";
    pub const CONTENT_TYPE: &str = "content_type";
    pub const REASON: &str = "reason";
    pub const JURISDICTION: &str = "jurisdiction";
    pub const SOURCE: &str = "source";
    pub const COUNT: &str = "count";
}
use col_names::*;

/// Canonical input columns (everything but the derived `account_key`), in schema order.
pub const INPUT_COLUMNS: [&str; 14] = [
    CASE_ID,
    PLATFORM,
    ACCOUNT,
    GROUP,
    FOLLOWERS,
    REPORTED_AT,
    ACTIONED_AT,
    STATUS,
    AGENCY,
    CONTENT_TYPE,
    REASON,
    JURISDICTION,
    SOURCE,
    COUNT,
];

/// Optional text columns, kept only when the input has them.
pub const OPTIONAL_TEXT: [&str; 4] = [CONTENT_TYPE, REASON, JURISDICTION, SOURCE];

/// The datetime dtype of `reported_at` and `actioned_at`.
pub fn datetime_dtype() -> DataType {
    DataType::Datetime(TimeUnit::Microseconds, None)
}

/// The label columns, held as polars categories ([`label_dtype`]): a few distinct values over
/// many rows, 4 bytes a row where text takes 16 (the validated frame of 10M rows is 530 MB lighter).
pub const LABEL_COLUMNS: [&str; 4] = [PLATFORM, GROUP, STATUS, AGENCY];

/// The dtype of the label columns: polars' categorical type with its global categories, so that
/// the columns of two loads (or a load and a user's own categorical column) compare and join.
/// Filters take text (`pl.col("platform") == "x"`); joins with a text column need a cast on
/// either side. Tables give their label columns as text.
pub fn label_dtype() -> DataType {
    DataType::from_categories(Categories::global())
}

/// A label column from each row's code into `values` (`u32::MAX` for null): each distinct value
/// is put in the global categories once.
pub(crate) fn labels_from_codes(name: &str, codes: &[u32], values: &[&str]) -> PolarsResult<Column> {
    let mapping = Categories::global().mapping();
    let cats = values.iter().map(|v| mapping.insert_cat(v)).collect::<PolarsResult<Vec<u32>>>()?;
    let phys: UInt32Chunked = codes.iter().map(|&c| (c != u32::MAX).then(|| cats[c as usize])).collect();
    let ca = Categorical32Chunked::from_cats_and_dtype(phys.with_name(name.into()), label_dtype());
    Ok(ca.into_series().into_column())
}

/// A text or label column as text: a label column's categories decoded, a text column as it is
/// (other dtypes cast to their text form).
pub(crate) fn text_of(col: &Column) -> PolarsResult<StringChunked> {
    match col.dtype() {
        DataType::String => Ok(col.str()?.clone()),
        _ => Ok(col.cast(&DataType::String)?.str()?.clone()),
    }
}

/// `df` with its categorical columns as text (what tables give).
pub(crate) fn labels_as_text(df: DataFrame) -> PolarsResult<DataFrame> {
    if !df.columns().iter().any(|c| c.dtype().is_categorical()) {
        return Ok(df);
    }
    let cols = df
        .columns()
        .iter()
        .map(|c| if c.dtype().is_categorical() { c.cast(&DataType::String) } else { Ok(c.clone()) })
        .collect::<PolarsResult<Vec<_>>>()?;
    DataFrame::new(df.height(), cols)
}

/// The polars schema of the canonical columns that are always present.
pub fn core_schema() -> Schema {
    Schema::from_iter([
        Field::new(CASE_ID.into(), DataType::String),
        Field::new(PLATFORM.into(), label_dtype()),
        Field::new(ACCOUNT.into(), DataType::String),
        Field::new(ACCOUNT_KEY.into(), DataType::String),
        Field::new(GROUP.into(), label_dtype()),
        Field::new(FOLLOWERS.into(), DataType::Int64),
        Field::new(REPORTED_AT.into(), datetime_dtype()),
        Field::new(ACTIONED_AT.into(), datetime_dtype()),
        Field::new(STATUS.into(), label_dtype()),
        Field::new(AGENCY.into(), label_dtype()),
        Field::new(COUNT.into(), DataType::Int64),
    ])
}

/// Folds an account for counting it once: trims, lower-cases, and of a URL keeps the path: drops
/// an `http(s)://` scheme, a `www.`, the host (with a scheme whatever it is; without one when it
/// has a dot, as in `x.com/handle` or `t.me/channel`), the query and fragment (tracking such as
/// `?s=20`; but a `.php?id=...` profile keeps its id), then a trailing `/` and a leading `@`.
///
/// `https://x.com/Fake_Handle/`, `x.com/fake_handle?s=20`, `@fake_handle` and `FAKE_HANDLE` all
/// give `fake_handle`; `tiktok.com/@fake_handle` too. A handle with a dot (`fake.page`) is kept.
pub fn account_key(account: &str) -> String {
    fold_account(&account.trim().to_lowercase()).to_string()
}

/// The part of `t` that [`account_key`] keeps, before lower-casing (the prefixes are matched
/// without regard to ASCII case, so ASCII input can be folded first and lower-cased after).
pub(crate) fn fold_account(t: &str) -> &str {
    let starts = |t: &str, p: &str| t.len() >= p.len() && t.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes());
    let mut t = t.trim();
    let mut url = false;
    for scheme in ["https://", "http://"] {
        if starts(t, scheme) {
            t = &t[scheme.len()..];
            url = true;
            break;
        }
    }
    if starts(t, "www.") {
        t = &t[4..];
    }
    if let Some(pos) = t.find('/') {
        let (host, rest) = (&t[..pos], &t[pos + 1..]);
        let hostlike = host.contains('.') && !host.contains(['@', ' ', '?', '#']);
        if url || (hostlike && !rest.trim_matches('/').is_empty()) {
            t = rest;
            url = true;
        }
    }
    if url {
        if let Some(q) = t.find('#') {
            t = &t[..q];
        }
        if let Some(q) = t.find('?') {
            if !t[..q].ends_with(".php") {
                t = &t[..q];
            }
        }
    }
    t.trim_end_matches('/').trim_start_matches('@')
}

/// One case record: the serde form of one row of the canonical schema.
///
/// Dates are `chrono::NaiveDateTime` (UTC when the source had a zone). A Rust program can build
/// [`crate::Cases`] from a `Vec<CaseRecord>` and get records back with `Cases::to_records`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CaseRecord {
    /// Unique id of the request.
    pub case_id: String,
    /// Platform, as a label (mapped to the canonical id on load).
    pub platform: String,
    /// Handle, URL or id.
    pub account: Option<String>,
    /// Group, as a label (mapped on load).
    pub group: Option<String>,
    /// Followers when reported.
    pub followers: Option<i64>,
    /// When the request was made.
    pub reported_at: Option<chrono::NaiveDateTime>,
    /// When the platform decided.
    pub actioned_at: Option<chrono::NaiveDateTime>,
    /// Outcome.
    pub status: Status,
    /// Requesting agency.
    pub agency: Option<String>,
    /// Kind of item (account, post, channel ...).
    #[serde(default)]
    pub content_type: Option<String>,
    /// Stated reason.
    #[serde(default)]
    pub reason: Option<String>,
    /// Jurisdiction of the request.
    #[serde(default)]
    pub jurisdiction: Option<String>,
    /// Where the record comes from.
    #[serde(default)]
    pub source: Option<String>,
    /// How many identical requests the record stands for.
    #[serde(default = "one")]
    pub count: i64,
}

fn one() -> i64 {
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_keys_fold_handles_and_urls() {
        assert_eq!(account_key("https://x.com/Fake_Handle/"), "fake_handle");
        assert_eq!(account_key(" @Fake_Handle "), "fake_handle");
        assert_eq!(account_key("http://www.facebook.com/fake.page"), "fake.page");
        assert_eq!(account_key("www.tiktok.com"), "tiktok.com");
        assert_eq!(account_key("t.me/fakechannel"), "fakechannel");
        // Without a scheme too, and without the tracking query.
        for same in [
            "x.com/Fake_4",
            "www.x.com/fake_4/",
            "x.com/fake_4?s=20",
            "https://x.com/fake_4?s=20#top",
            "tiktok.com/@fake_4",
        ] {
            assert_eq!(account_key(same), "fake_4", "{same}");
        }
        // A profile id is the account; a handle with a dot is a handle.
        assert_eq!(account_key("https://facebook.com/profile.php?id=100012"), "profile.php?id=100012");
        assert_eq!(account_key("fake.page"), "fake.page");
        assert_eq!(account_key("fake.page/"), "fake.page");
    }

    #[test]
    fn status_names_round_trip() {
        for &s in <Status as crate::vocab::Named>::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("Removed"), None);
    }
}
