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
        let unmatched: Vec<&String> = names.iter().filter(|n| !m.canon.values().any(|v| v == *n)).collect();
        return Err(Error::MissingColumn {
            file: source.to_string(),
            name: first.clone(),
            found: clip_list(names, 1000),
            suggestions: suggest_headers(&missing, &unmatched).into(),
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

/// What people call each canonical column in their own sheets (folded: lower case, words).
const SYNONYMS: [(&str, &[&str]); 9] = [
    (
        CASE_ID,
        &["case id", "id", "ref", "ref no", "reference", "request id", "ticket", "case", "case no", "no", "number"],
    ),
    (PLATFORM, &["platform", "site", "service", "network", "app", "social media", "social network"]),
    (ACCOUNT, &["account", "handle", "username", "user", "url", "profile", "link", "page", "channel", "account url"]),
    (
        GROUP,
        &[
            "group",
            "organisation",
            "organization",
            "outfit",
            "affiliation",
            "org",
            "banned group",
            "militant group",
            "proscribed group",
        ],
    ),
    (FOLLOWERS, &["followers", "follower count", "subscribers", "audience", "fans", "reach"]),
    (
        REPORTED_AT,
        &[
            "reported",
            "date reported",
            "report date",
            "reported on",
            "date",
            "submitted",
            "request date",
            "date of request",
            "date of report",
        ],
    ),
    (
        ACTIONED_AT,
        &[
            "actioned",
            "date actioned",
            "action date",
            "decided",
            "decision date",
            "removed on",
            "date removed",
            "takedown date",
            "blocked on",
        ],
    ),
    (STATUS, &["status", "outcome", "result", "action taken", "decision", "state", "action"]),
    (AGENCY, &["agency", "requester", "authority", "requested by", "reporting agency"]),
];

/// Words of a header: lower case, split on anything but letters and digits.
fn words(s: &str) -> Vec<String> {
    s.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(String::from).collect()
}

/// For each missing canonical column, the unmatched header that most looks like it (each header
/// suggested once): a known synonym whole (3), every word of a synonym (2), or within two edits of
/// the canonical name (1).
pub(super) fn suggest_headers(missing: &[String], headers: &[&String]) -> Vec<(String, String)> {
    let mut taken: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for c in missing {
        let synonyms = SYNONYMS.iter().find(|(k, _)| k == c).map_or(&[][..], |(_, s)| *s);
        let score = |h: &str| -> u32 {
            let hw = words(h);
            let joined = hw.join(" ");
            if synonyms.contains(&joined.as_str()) || joined.replace(' ', "_") == *c {
                return 3;
            }
            if synonyms.iter().any(|s| s.contains(' ') && words(s).iter().all(|w| hw.contains(w))) {
                return 2;
            }
            u32::from(crate::vocab::edit_distance(&joined.replace(' ', "_"), c) <= 2)
        };
        let best = headers
            .iter()
            .filter(|h| !taken.contains(&h.as_str()))
            .map(|h| (score(h), h.as_str()))
            .filter(|(s, _)| *s > 0)
            .max_by_key(|(s, h)| (*s, std::cmp::Reverse(h.len())));
        if let Some((_, h)) = best {
            taken.push(h);
            out.push((clip(h), c.clone()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheets_headers_are_suggested_for_the_missing_columns() {
        let headers: Vec<String> =
            ["Ref No", "Platform", "Handle", "Organisation", "Date reported", "Outcome", "Notes"]
                .map(String::from)
                .to_vec();
        let unmatched: Vec<&String> = headers.iter().filter(|h| *h != "Platform").collect();
        let missing: Vec<String> = [CASE_ID, ACCOUNT, GROUP, REPORTED_AT, STATUS].map(String::from).to_vec();
        let got = suggest_headers(&missing, &unmatched);
        let want = [
            ("Ref No", CASE_ID),
            ("Handle", ACCOUNT),
            ("Organisation", GROUP),
            ("Date reported", REPORTED_AT),
            ("Outcome", STATUS),
        ];
        assert_eq!(got, want.map(|(h, c)| (h.to_string(), c.to_string())));
        // Nothing alike: no suggestion rather than a guess.
        assert!(suggest_headers(&[STATUS.to_string()], &[&"Notes".to_string()]).is_empty());
    }
}
