//! Google Transparency Report, "Government requests to remove content" (download:
//! `google-government-removals.zip`, folder `google-government-removals/`).
//!
//! `google-government-removal-requests-historical.csv`, 2009-H2 to 2019-H1, one row per country
//! (or Europol, Interpol) and half-year:
//!
//! ```text
//! Period Ending,Country/Region,CLDR Territory Code,All Requests: Number of Requests,All Requests: % Fully Or Partially Complied With,All Requests: Items Requested To Be Removed,Court Orders: ...,"Other Requests (Executive, Police, etc.): ..."
//! 2018-12-31,Pakistan,PK,214,73,3125,1,100,31,213,73,3094
//! ```
//!
//! Each row becomes two rows of `count` requests: `removed` (fully or partially complied with)
//! and `rejected` (not), both from the "All Requests" columns. Google publishes the share as a
//! whole percent, so the complied count is `round(requests × % / 100)` (half up), within
//! `requests / 200 + 0.5` of the true count, and a rate computed from it rounds back to Google's
//! percent. `<10` (first two periods) and `?` (China, 2009-2010) are withheld values: both rows
//! of that country and period are `censored_value` rejects. Items are not read (a request's
//! items are not split by outcome in this file); the court-order and other-request blocks are not
//! read either (in the first two periods they lack percentages). Before 2019 the same layout was
//! published as `google-government-removal-requests.csv`, with `Country` for `Country/Region`;
//! both headers are read. `reported_at` is the first day of the half-year (`period_end` its
//! last), `jurisdiction` the CLDR code (the name where Google gives none: Europol, Interpol),
//! `platform` `google`.

use super::{Long, Table, BASE, SOURCE_COL};
use crate::error::Result;
use crate::load::readers::Raw;
use crate::schema::Status;

const WHAT: &str =
    "Google's historical summary of government removal requests (google-government-removal-requests-historical.csv)";
const REQUESTS: &str = "All Requests: Number of Requests";
const COMPLIED: &str = "All Requests: % Fully Or Partially Complied With";
/// The `source` value of every row.
pub(crate) const HISTORICAL_SOURCE: &str =
    "Google Transparency Report, government requests to remove content: historical summary";

/// The first day of the half-year that ends on `end` (`2018-12-31` -> `2018-07-01`), or `end` as
/// written when it is no half-year's end (the checks then reject it as a date).
fn half_year_start(end: &str) -> String {
    match end.get(..4).zip(end.get(4..)) {
        Some((year, "-06-30")) => format!("{year}-01-01"),
        Some((year, "-12-31")) => format!("{year}-07-01"),
        _ => end.to_string(),
    }
}

/// A whole number as Google writes one (plain digits), or `None`.
fn whole(s: &str) -> Option<i64> {
    let s = s.trim();
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

/// The historical summary as rows of requests complied with and not.
pub(crate) fn historical(raw: Raw) -> Result<(Raw, String)> {
    let t = Table::new(&raw);
    if !t.has(REQUESTS) {
        let other = if t.has("Requestor") || t.has("Requester") {
            Some("Google's by-requestor file (google-government-removal-requests.csv since 2019)")
        } else if t.has("Product") && t.has("Reason") {
            Some("Google's file by product and reason (google-government-detailed-removal-requests.csv)")
        } else {
            None
        };
        if let Some(other) = other {
            return Err(crate::Error::Read {
                file: raw.source.clone(),
                format: WHAT.into(),
                message: format!("this is {other}, which takedowns does not read yet"),
            });
        }
    }
    let period = t.text(&["Period Ending"], WHAT)?;
    let country = t.text(&["Country/Region", "Country"], WHAT)?;
    let code = t.text(&["CLDR Territory Code"], WHAT)?;
    let requests = t.text(&[REQUESTS], WHAT)?;
    let complied = t.text(&[COMPLIED], WHAT)?;
    let mut columns: Vec<&'static str> = BASE.to_vec();
    columns.extend(["country", "period_end", SOURCE_COL]);
    let mut long = Long::new(&columns, vec![REQUESTS.to_string(), COMPLIED.to_string()]);
    for i in 0..raw.frame.height() {
        let row = raw.rows.get(i);
        let n_text = requests.get(i).unwrap_or("").trim();
        let p_text = complied.get(i).unwrap_or("").trim();
        // (count of the complied row, count of the other, the column both came from)
        let (yes, no, from): (String, String, u32) = match (whole(n_text), whole(p_text)) {
            (Some(n), Some(p)) => {
                let c = (n * p + 50).div_euclid(100).min(n);
                (c.to_string(), (n - c).to_string(), 1)
            }
            (Some(0), None) if p_text.is_empty() => ("0".into(), "0".into(), 1),
            // A withheld or missing number of requests, then a withheld or missing share: the
            // checks reject both rows with the value and the column it came from.
            (None, _) => (n_text.to_string(), n_text.to_string(), 0),
            (Some(_), None) => (p_text.to_string(), p_text.to_string(), 1),
        };
        let end = period.get(i).map(str::trim);
        let jurisdiction = code.get(i).map(str::trim).filter(|c| !c.is_empty()).or(country.get(i).map(str::trim));
        for (status, count) in [(Status::Removed, yes), (Status::Rejected, no)] {
            long.push(
                row,
                from,
                vec![
                    Some("google".into()),
                    jurisdiction.map(String::from),
                    end.map(half_year_start),
                    Some(status.to_string()),
                    Some(count),
                    country.get(i).map(|c| c.trim().to_string()),
                    end.map(String::from),
                    Some(HISTORICAL_SOURCE.into()),
                ],
            );
        }
    }
    let derivation = format!(
        "rows from Google's historical summary: per country and half-year, requests fully or partially complied with \
         (status removed) = round(`{REQUESTS}` × `{COMPLIED}` / 100), half up, and the rest (status rejected); \
         Google's percent is whole, so each count is within requests/200 + 0.5 of the true one"
    );
    Ok((long.into_raw(raw)?, derivation))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_years_and_numbers() {
        assert_eq!(half_year_start("2018-12-31"), "2018-07-01");
        assert_eq!(half_year_start("2019-06-30"), "2019-01-01");
        assert_eq!(half_year_start("2019-05-31"), "2019-05-31");
        assert_eq!(whole("214"), Some(214));
        assert_eq!(whole("<10"), None);
        assert_eq!(whole("?"), None);
        assert_eq!(whole(""), None);
    }
}
