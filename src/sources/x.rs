//! X (Twitter) Transparency Center, removal requests: the cumulative CSV download
//! (`Twitter_Transparency-Removal_Requests_<period>.csv`, 2012 to the release). It holds two
//! tables, each after a title line; the first, "Table 1/2: Legal Demands", is read:
//!
//! ```text
//! Table 1/2: Legal Demands,,,,,,,,,,,,,,,
//! Time period start,Country,Court Orders,Other legal demands,Combined requests,Court orders compliance rate,Other legal demands compliance rate,Combined compliance rate,...
//! 2020-07-01,Pakistan,3,414,417,0,0.41,0.41,2,6516,6518,0,0,0,724,724
//! ```
//!
//! Each country and half-year becomes two rows of `count` requests from the "Combined" columns:
//! `removed` = round(requests × compliance rate) (half up; X publishes the rate to two decimals,
//! so the count is within requests/200 + 0.5 of the true one and the rate rounds back to X's), and
//! `rejected` the rest. `NULL` (no rate published: every period before 2019-H2, and court orders
//! where there were none) leaves the requests of that country and period without an outcome: the
//! row is a `censored_value` reject, listed, not read as a rate. The second table (reports under
//! local laws, no country) is not read. `jurisdiction` is X's country name, `reported_at` the
//! period's first day (`Time period start`), `platform` `x`.
//!
//! The older downloads, one file per half-year (`removal-requests-report-<jan-jun|jul-dec>-<year>.csv`,
//! 2012-H1 to 2019-H1), are read under the same name. Three header layouts occur (country first
//! until 2015; the period first from 2016; nine columns, no ISO code, from 2018-H2), with
//! `GOV’T`, `GOVERNMENT ` or `GOVT` in the second request column:
//!
//! ```text
//! TIME PERIOD,COUNTRY,REMOVAL REQUESTS (COURT ORDERS),"REMOVAL REQUESTS (GOVT AGENCY, POLICE, OTHER)",PERCENTAGE WHERE SOME CONTENT WITHHELD,...
//! January - June 2019,Pakistan,8,265,0%,"1,798",0,0,234
//! ```
//!
//! Requests are court orders plus other requests; `removed` = round(requests × percentage / 100)
//! (half up; X gives whole percents, and once `0.20%`), `rejected` the rest. `-` in both request
//! columns means no requests (0); a `-` percentage where there were requests is a
//! `censored_value` reject. Footnote marks (`17*`, `0%*`) are dropped; the `TOTAL` line (X's sum
//! over the countries) is not read, as it would count every request twice. `period_end` is the
//! half-year's last day. Files saved with carriage returns only, or in a legacy encoding (2016-H2's
//! header), are read: line ends are normalised and bytes that are not UTF-8 are replaced (the
//! derivation says how many).

use std::path::Path;

use super::{Long, Table, BASE, SOURCE_COL};
use crate::error::{Error, Problem, Result, Rule};
use crate::load::readers::{self, Raw};
use crate::load::LoadOptions;
use crate::schema::Status;

const WHAT: &str = "X's removal requests download (Twitter_Transparency-Removal_Requests_....csv)";
const REQUESTS: &str = "Combined requests";
const RATE: &str = "Combined compliance rate";
/// The `source` value of every row.
pub(crate) const SOURCE: &str = "X (Twitter) Transparency Center, removal requests: legal demands";

/// The bytes of the first table: from its header line (after the title line) to the line before
/// the next title, or the end.
fn first_table(bytes: &[u8]) -> &[u8] {
    // A byte-order mark (Excel's "CSV UTF-8") goes before the title line.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(bytes);
    let starts_with = |at: usize, s: &[u8]| bytes[at..].starts_with(s);
    let mut start = 0;
    if starts_with(0, b"Table 1/2") {
        start = bytes.iter().position(|b| *b == b'\n').map_or(bytes.len(), |i| i + 1);
    }
    let mut end = bytes.len();
    let mut i = start;
    while i < bytes.len() {
        if (i == 0 || bytes[i - 1] == b'\n') && starts_with(i, b"Table 2/2") {
            end = i;
            break;
        }
        i += 1;
    }
    &bytes[start..end]
}

/// A rate as X writes it (`0.41`, `0`), or `None`.
fn rate(s: &str) -> Option<f64> {
    let v: f64 = s.trim().parse().ok()?;
    (v.is_finite() && (0.0..=1.0).contains(&v)).then_some(v)
}

/// Reads `path`: the cumulative download or a half-year's file, by its header.
pub(crate) fn read(path: &Path) -> Result<(Raw, String)> {
    let bytes = readers::read_file(path)?;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(&bytes);
    let first_line = body.split(|b| *b == b'\n' || *b == b'\r').next().unwrap_or(&[]);
    if String::from_utf8_lossy(first_line).contains(PCT) {
        return half_year(path, &bytes);
    }
    legal_demands(path, &bytes)
}

/// Reads the cumulative download (the whole file is hashed; the first table is read).
fn legal_demands(path: &Path, bytes: &[u8]) -> Result<(Raw, String)> {
    let file = path.display().to_string();
    let mut raw = readers::csv_bytes(first_table(bytes), &file, &LoadOptions::default())?;
    raw.sha256 = Some(readers::sha256_hex(bytes));
    let t = Table::new(&raw);
    let period = t.text(&["Time period start"], WHAT)?;
    let country = t.text(&["Country"], WHAT)?;
    let requests = t.text(&[REQUESTS], WHAT)?;
    let rates = t.text(&[RATE], WHAT)?;
    let mut columns: Vec<&'static str> = BASE.to_vec();
    columns.extend(["period_end", SOURCE_COL]);
    let mut long = Long::new(&columns, vec![REQUESTS.to_string(), RATE.to_string()]);
    let mut unrated = Vec::new();
    for i in 0..raw.frame.height() {
        let row = raw.rows.get(i);
        let n_text = requests.get(i).unwrap_or("").trim();
        let r_text = rates.get(i).unwrap_or("").trim();
        let n = n_text.parse::<i64>().ok().filter(|n| *n >= 0);
        let (yes, no, from): (String, String, u32) = match (n, rate(r_text)) {
            (Some(n), Some(r)) => {
                let c = ((n as f64 * r + 0.5).floor() as i64).min(n);
                (c.to_string(), (n - c).to_string(), 1)
            }
            (Some(0), None) => ("0".into(), "0".into(), 1),
            (Some(_), None) if r_text == "NULL" => {
                unrated.push(Problem {
                    file: file.clone(),
                    row,
                    column: RATE.into(),
                    value: r_text.into(),
                    rule: Rule::CensoredValue,
                    case_id: None,
                    message: "X published no compliance rate for this country and period (NULL): its requests \
                              have no outcome and are in no rate"
                        .into(),
                });
                continue;
            }
            (Some(_), None) => (r_text.to_string(), r_text.to_string(), 1),
            (None, _) => (n_text.to_string(), n_text.to_string(), 0),
        };
        let start = period.get(i).map(|p| p.trim().to_string());
        // The half-year's last day (X writes its first: 2020-07-01).
        let end = start.as_deref().and_then(|s| match s.get(5..) {
            Some("01-01") => Some(format!("{}-06-30", &s[..4])),
            Some("07-01") => Some(format!("{}-12-31", &s[..4])),
            _ => None,
        });
        for (status, count) in [(Status::Removed, yes), (Status::Rejected, no)] {
            long.push(
                row,
                from,
                vec![
                    Some("x".into()),
                    country.get(i).map(|c| c.trim().to_string()),
                    start.clone(),
                    Some(status.to_string()),
                    Some(count),
                    end.clone(),
                    Some(SOURCE.into()),
                ],
            );
        }
    }
    let n_unrated = unrated.len();
    raw.problems.extend(unrated);
    raw.problems.sort_by_key(|p| p.row);
    let derivation = format!(
        "rows from X's removal requests (legal demands): per country and half-year, requests complied with \
         (status removed) = round(`{REQUESTS}` × `{RATE}`), half up, and the rest (status rejected); X's rate has \
         two decimals, so each count is within requests/200 + 0.5 of the true one; {n_unrated} country-period(s) \
         with no published rate (NULL) are rejects, not rates"
    );
    if raw.frame.height() == 0 && n_unrated == 0 {
        return Err(Error::Read { file, format: WHAT.into(), message: "no rows in its first table".into() });
    }
    Ok((long.into_raw(raw)?, derivation))
}

const HALF_WHAT: &str =
    "X's (Twitter's) removal requests for one half-year (removal-requests-report-<jan-jun|jul-dec>-<year>.csv)";
const COURT: &str = "REMOVAL REQUESTS (COURT ORDERS)";
/// The other-requests column begins so, whatever its spelling (`GOV’T`, `GOVERNMENT `, `GOVT`).
const OTHER: &str = "REMOVAL REQUESTS (GOV";
const PCT: &str = "PERCENTAGE WHERE SOME CONTENT WITHHELD";
/// The `source` value of every row of a half-year's file.
pub(crate) const HALF_SOURCE: &str = "X (Twitter) Transparency Report, removal requests (half-year download)";

/// A count as X writes it (`"1,761"`, `17*`), or `None`; `-` is `Some(None)`.
fn count(s: &str) -> Option<Option<i64>> {
    let t = s.trim().trim_end_matches('*').replace(',', "");
    if t == "-" {
        return Some(None);
    }
    (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse().ok().map(Some)).flatten()
}

/// A percentage as X writes it (`23%`, `0%*`, `0.20%`, `0`), as a share of 1.
fn percent(s: &str) -> Option<f64> {
    let t = s.trim().trim_end_matches('*').trim_end_matches('%').trim();
    let v: f64 = t.parse().ok()?;
    (v.is_finite() && (0.0..=100.0).contains(&v)).then_some(v / 100.0)
}

/// `January - June 2019` as its first and last days, or the text as it is (the checks then
/// reject it as a date).
fn half_year_dates(label: &str) -> (String, Option<String>) {
    let t = label.trim();
    let year = t.rsplit(' ').next().filter(|y| y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()));
    match (year, t.to_ascii_lowercase()) {
        (Some(y), l) if l.starts_with("january") => (format!("{y}-01-01"), Some(format!("{y}-06-30"))),
        (Some(y), l) if l.starts_with("july") => (format!("{y}-07-01"), Some(format!("{y}-12-31"))),
        _ => (t.to_string(), None),
    }
}

/// A half-year's file: see the module docs.
fn half_year(path: &Path, bytes: &[u8]) -> Result<(Raw, String)> {
    let file = path.display().to_string();
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(bytes);
    // Line ends as CR alone (two of X's files) become LF; a legacy encoding is replaced.
    let mut norm = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if body[i] == b'\r' {
            norm.push(b'\n');
            if body.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
        } else {
            norm.push(body[i]);
        }
        i += 1;
    }
    let (text, replaced) = match String::from_utf8(norm) {
        Ok(t) => (t, 0),
        Err(e) => {
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let n = lossy.matches('\u{FFFD}').count();
            (lossy, n)
        }
    };
    let mut raw = readers::csv_bytes(text.as_bytes(), &file, &LoadOptions::default())?;
    raw.sha256 = Some(readers::sha256_hex(bytes));
    let t = Table::new(&raw);
    let other_name = t.names_starting(OTHER);
    let other_name = other_name.as_deref().unwrap_or(OTHER);
    let period = t.text(&["TIME PERIOD"], HALF_WHAT)?;
    let country = t.text(&["COUNTRY"], HALF_WHAT)?;
    let court = t.text(&[COURT], HALF_WHAT)?;
    let other = t.text(&[other_name], HALF_WHAT)?;
    let pct = t.text(&[PCT], HALF_WHAT)?;
    let mut columns: Vec<&'static str> = BASE.to_vec();
    columns.extend(["period_end", SOURCE_COL]);
    let mut long = Long::new(&columns, vec![COURT.to_string(), PCT.to_string()]);
    let mut unread = Vec::new();
    let mut totals = 0;
    for i in 0..raw.frame.height() {
        let row = raw.rows.get(i);
        let name = country.get(i).unwrap_or("").trim();
        if name.eq_ignore_ascii_case("total") || name.eq_ignore_ascii_case("totals") {
            totals += 1;
            continue;
        }
        let (c_text, o_text) = (court.get(i).unwrap_or(""), other.get(i).unwrap_or(""));
        let n = match (count(c_text), count(o_text)) {
            (Some(a), Some(b)) => a.unwrap_or(0) + b.unwrap_or(0),
            (c, _) => {
                let (column, value) = if c.is_none() { (COURT, c_text) } else { (other_name, o_text) };
                unread.push(super::google::line_problem(&file, row, column, value.trim()));
                continue;
            }
        };
        let p_text = pct.get(i).unwrap_or("").trim();
        let (yes, no) = match percent(p_text) {
            _ if n == 0 => (0, 0),
            Some(p) => {
                let c = ((n as f64 * p + 0.5).floor() as i64).min(n);
                (c, n - c)
            }
            None => {
                let mut problem = super::google::line_problem(&file, row, PCT, p_text);
                if p_text == "-" {
                    problem.rule = Rule::CensoredValue;
                    problem.message = format!(
                        "X gives no percentage (-) for these {n} requests: they have no outcome and are in no rate"
                    );
                }
                unread.push(problem);
                continue;
            }
        };
        let (start, end) = half_year_dates(period.get(i).unwrap_or(""));
        for (status, k) in [(Status::Removed, yes), (Status::Rejected, no)] {
            long.push(
                row,
                1,
                vec![
                    Some("x".into()),
                    Some(name.to_string()),
                    Some(start.clone()),
                    Some(status.to_string()),
                    Some(k.to_string()),
                    end.clone(),
                    Some(HALF_SOURCE.into()),
                ],
            );
        }
    }
    let n_unread = unread.len();
    raw.problems.extend(unread);
    raw.problems.sort_by_key(|p| p.row);
    if raw.frame.height() == totals {
        return Err(Error::Read { file, format: HALF_WHAT.into(), message: "no country lines".into() });
    }
    let encoding = if replaced > 0 {
        format!("; the file is not UTF-8: {replaced} character(s) that did not decode were replaced")
    } else {
        String::new()
    };
    let derivation = format!(
        "rows from X's removal requests for one half-year: per country, requests = `{COURT}` + `{OTHER}...)` \
         (`-` read as none; the second is X's other-requests column, whatever its spelling), complied with (status removed) = round(requests × `{PCT}` / 100), half up, and the \
         rest (status rejected); footnote marks (*) dropped; {totals} TOTAL line(s) not read (X's sum over the \
         countries); {n_unread} line(s) with no readable count or percentage are rejects{encoding}"
    );
    Ok((long.into_raw(raw)?, derivation))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_table_only() {
        let b = b"Table 1/2: Legal Demands,,\nA,B,C\n1,2,3\n,,\nTable 2/2: Local,,\nX,Y,\n";
        assert_eq!(first_table(b), b"A,B,C\n1,2,3\n,,\n");
        assert_eq!(first_table(b"A,B\n1,2\n"), b"A,B\n1,2\n");
        assert_eq!(first_table(b"\xEF\xBB\xBFTable 1/2: L,\nA,B\n"), b"A,B\n");
        assert_eq!(rate("0.41"), Some(0.41));
        assert_eq!(rate("NULL"), None);
        assert_eq!(rate("1.5"), None);
        assert_eq!(count("\"1,761\""), None);
        assert_eq!(count("1,761"), Some(Some(1761)));
        assert_eq!(count("17*"), Some(Some(17)));
        assert_eq!(count("-"), Some(None));
        assert_eq!(percent("0.20%"), Some(0.002));
        assert_eq!(percent("0%*"), Some(0.0));
        assert_eq!(percent("-"), None);
        assert_eq!(half_year_dates("July - December 2015"), ("2015-07-01".into(), Some("2015-12-31".into())));
    }
}
