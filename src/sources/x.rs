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

/// Reads `path` (the whole file is hashed; the first table is read).
pub(crate) fn legal_demands(path: &Path) -> Result<(Raw, String)> {
    let bytes = readers::read_file(path)?;
    let file = path.display().to_string();
    let mut raw = readers::csv_bytes(first_table(&bytes), &file, &LoadOptions::default())?;
    raw.sha256 = Some(readers::sha256_hex(&bytes));
    let t = Table::new(&raw);
    let period = t.text(&["Time period start"], WHAT)?;
    let country = t.text(&["Country"], WHAT)?;
    let requests = t.text(&[REQUESTS], WHAT)?;
    let rates = t.text(&[RATE], WHAT)?;
    let mut columns: Vec<&'static str> = BASE.to_vec();
    columns.extend([SOURCE_COL]);
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
    }
}
