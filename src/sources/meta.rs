//! Meta (Facebook), content restricted based on local law: the per-half-year CSV of Facebook's
//! Government Requests Report (`Facebook-Government-Report-<year>-H<1|2>.csv`, 2013-H1 to
//! 2019-H1), one line per country, its count of content restricted in the first column after
//! the country:
//!
//! ```text
//! Country,Content Restrictions,Preservation Requests,Preservation Accounts Preserved,Takedown reports,...
//! Pakistan,4174,488,709,0,0,0,1752,2360,51%,...
//! ```
//!
//! `Content Restricted` until 2017-H1, `Content Restrictions` after; both are read. Each country
//! becomes one row of `count` pieces of content that Facebook restricted in that country because
//! they were reported to break local law: status `restricted`, unit items. The report gives no
//! number of requests and no refusals, so a compliance rate over these rows is 100% by
//! construction: count them (`trend`, `crosstab`), do not rate them. The file has no period
//! column: the half-year comes from the file's name as Facebook names it (`...-2018-H2.csv`,
//! `..._2018_H2.csv`), and a file named otherwise is refused with that said. An empty count is a
//! `required` reject, never 0; thousands separators (`"1,773"`) are read. The other columns
//! (requests for user data) are not about content and are not read.

use std::path::Path;

use super::{Long, Table, BASE, SOURCE_COL};
use crate::error::{Error, Result};
use crate::load::readers::{self, Raw};
use crate::load::LoadOptions;
use crate::schema::Status;

const WHAT: &str =
    "Facebook's Government Requests Report for one half-year (Facebook-Government-Report-<year>-H<1|2>.csv)";
/// The `source` value of every row.
pub(crate) const SOURCE: &str = "Facebook Government Requests Report: content restrictions based on local law";
/// What a row counts.
pub(crate) const UNIT: &str = "pieces of content restricted for local law";

/// The half-year in a file name: `2018-H2`, `2018_H2` or `2018H2` in it, as (first day, last
/// day); `None` when there is none, or two different ones (`..._2018_H2_v2019H1.csv`).
fn half_year_of(name: &str) -> Option<(String, String)> {
    let b = name.as_bytes();
    let found: Vec<(String, String)> = (0..b.len().saturating_sub(5))
        .filter_map(|i| {
            let year = name.get(i..i + 4)?;
            if !year.bytes().all(|c| c.is_ascii_digit()) || (i > 0 && b[i - 1].is_ascii_digit()) {
                return None;
            }
            let rest = name.get(i + 4..)?;
            let rest = rest.strip_prefix(['-', '_']).unwrap_or(rest);
            let mut chars = rest.chars();
            if !matches!(chars.next(), Some('H' | 'h')) {
                return None;
            }
            match chars.next() {
                Some('1') => Some((format!("{year}-01-01"), format!("{year}-06-30"))),
                Some('2') => Some((format!("{year}-07-01"), format!("{year}-12-31"))),
                _ => None,
            }
        })
        .collect();
    match found.as_slice() {
        [one, rest @ ..] if rest.iter().all(|r| r == one) => Some(one.clone()),
        _ => None,
    }
}

/// A count as Facebook writes it (`4174`, `"1,773"`), or `None`.
fn count(s: &str) -> Option<i64> {
    let t = s.trim().replace(',', "");
    (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse().ok()).flatten()
}

/// Reads `path`: see the module docs.
pub(crate) fn local_law(path: &Path) -> Result<(Raw, String)> {
    let file = path.display().to_string();
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let Some((start, end)) = half_year_of(&name) else {
        return Err(Error::Read {
            file,
            format: WHAT.into(),
            message: "the file has no period column, and its name gives no half-year, or two: keep \
                      Facebook's name (Facebook-Government-Report-2018-H2.csv) or put one `<year>-H1` or \
                      `<year>-H2` in it"
                .into(),
        });
    };
    let raw = readers::csv(path, &LoadOptions::default())?;
    let t = Table::new(&raw);
    let country = t.text(&["Country"], WHAT)?;
    let restricted_name = if t.has("Content Restrictions") { "Content Restrictions" } else { "Content Restricted" };
    let restricted = t.text(&[restricted_name], WHAT)?;
    let mut columns: Vec<&'static str> = BASE.to_vec();
    columns.extend(["period_end", SOURCE_COL]);
    let mut long = Long::new(&columns, vec![restricted_name.to_string()]);
    let mut unread = Vec::new();
    // A file whose every count is 0 reports nothing: Facebook's downloads carry the column for
    // half-years before it published content restrictions (2013-H1 is 0 for every country).
    let all_zero = (0..raw.frame.height()).all(|i| count(restricted.get(i).unwrap_or("")).is_none_or(|n| n == 0));
    for i in 0..raw.frame.height() {
        let row = raw.rows.get(i);
        let text = restricted.get(i).unwrap_or("").trim();
        if all_zero && !text.is_empty() {
            unread.push(crate::error::Problem {
                file: file.clone(),
                row,
                column: restricted_name.into(),
                value: text.into(),
                rule: crate::error::Rule::CensoredValue,
                case_id: None,
                message: "every country is 0 in this file: read as not reported, not as none (Facebook's \
                          downloads carry the column for half-years it published no restrictions for)"
                    .into(),
            });
            continue;
        }
        let Some(n) = count(text) else {
            unread.push(super::google::line_problem(&file, row, restricted_name, text));
            continue;
        };
        long.push(
            row,
            0,
            vec![
                Some("facebook".into()),
                country.get(i).map(|c| c.trim().to_string()),
                Some(start.clone()),
                Some(Status::Restricted.to_string()),
                Some(n.to_string()),
                Some(end.clone()),
                Some(SOURCE.into()),
            ],
        );
    }
    let n_unread = unread.len();
    let mut raw = raw;
    raw.problems.extend(unread);
    raw.problems.sort_by_key(|p| p.row);
    let derivation = format!(
        "rows from Facebook's Government Requests Report: per country, `{restricted_name}` pieces of content \
         restricted for local law (status restricted; no requests or refusals are published, so no rate is \
         meaningful), for the half-year {start} to {end} named by the file's name; {n_unread} line(s) with no \
         readable count are rejects"
    );
    Ok((long.into_raw(raw)?, derivation))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_half_year_of_a_name() {
        let h2 = Some(("2018-07-01".to_string(), "2018-12-31".to_string()));
        assert_eq!(half_year_of("PRPL-Facebook-Government-Report-2018_H2.csv"), h2);
        assert_eq!(half_year_of("Facebook-Government-Report-2018-H2.csv"), h2);
        assert_eq!(half_year_of("fb2018h2.csv"), h2);
        assert_eq!(half_year_of("Facebook-Government-Report-2019-H1.csv").unwrap().0, "2019-01-01");
        assert_eq!(half_year_of("Facebook-Government-Report.csv"), None);
        assert_eq!(half_year_of("report-12018-H3.csv"), None);
        assert_eq!(half_year_of("fb_2018_H2_v2019H1fix.csv"), None);
        assert_eq!(half_year_of("fb_2018_H2 copy 2018-H2.csv"), h2);
        assert_eq!(count("\"1,773\"".trim_matches('"')), Some(1773));
        assert_eq!(count(""), None);
    }
}
