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
use polars::prelude::StringChunked;

use crate::schema::col_names::{AGENCY, CONTENT_TYPE, REASON};
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

/// A `Period Ending` that is no half-year's last day (Google's periods end on 30 June and 31
/// December): the line is one reject naming that column, not read as a one-day period.
fn period_problem(file: &str, row: u64, end: Option<&str>) -> Option<crate::error::Problem> {
    let end = end.unwrap_or("").trim();
    let ok =
        end.len() == 10 && end[..4].bytes().all(|b| b.is_ascii_digit()) && matches!(&end[4..], "-06-30" | "-12-31");
    (!ok).then(|| crate::error::Problem {
        file: file.to_string(),
        row,
        column: "Period Ending".into(),
        value: end.to_string(),
        rule: crate::error::Rule::InvalidDate,
        case_id: None,
        message: "not the last day of a half-year: Google's periods end on 30 June or 31 December".into(),
    })
}

/// `raw` with the problems of the lines that made no row, all in row order.
fn with_unread(mut raw: Raw, unread: Vec<crate::error::Problem>) -> Raw {
    raw.problems.extend(unread);
    raw.problems.sort_by_key(|p| p.row);
    raw
}

/// A whole number as Google writes one (plain digits), or `None`.
fn whole(s: &str) -> Option<i64> {
    let s = s.trim();
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

/// A published line that gives no count: withheld (`<10`, `?`), empty, or no number; one reject
/// for the line, naming the column and value.
pub(crate) fn line_problem(file: &str, row: u64, column: &str, value: &str) -> crate::error::Problem {
    use crate::error::{Problem, Rule};
    let (rule, message) = if crate::load::validate::censored(value) {
        (
            Rule::CensoredValue,
            format!("withheld by the publisher ({value}): the line is left out of every number, not read as 0"),
        )
    } else if value.is_empty() {
        (Rule::Required, "the cell is empty: a published table's empty cell is not read as 0".to_string())
    } else {
        (Rule::InvalidInteger, "not a whole number".to_string())
    };
    Problem {
        file: file.to_string(),
        row,
        column: column.to_string(),
        value: value.to_string(),
        rule,
        case_id: None,
        message,
    }
}

/// The historical summary as rows of requests complied with and not.
pub(crate) fn historical(raw: Raw) -> Result<(Raw, String)> {
    let t = Table::new(&raw);
    if !t.has(REQUESTS) {
        let other = if t.has("Requestor") || t.has("Requester") {
            Some("Google's by-requestor file (google-government-removal-requests.csv since 2019): read it as google-removals-requestor")
        } else if t.has("Product") && t.has("Reason") {
            Some("Google's file by product and reason (google-government-detailed-removal-requests.csv): read it as google-removals-detailed")
        } else {
            None
        };
        if let Some(other) = other {
            return Err(crate::Error::Read {
                file: raw.source.clone(),
                format: WHAT.into(),
                message: format!("this is {other}"),
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
    let mut unread = Vec::new();
    for i in 0..raw.frame.height() {
        let row = raw.rows.get(i);
        if let Some(p) = period_problem(&raw.source, row, period.get(i)) {
            unread.push(p);
            continue;
        }
        let n_text = requests.get(i).unwrap_or("").trim();
        let p_text = complied.get(i).unwrap_or("").trim();
        let (yes, no) = match (whole(n_text), whole(p_text)) {
            (Some(n), Some(p)) => {
                let c = (n * p + 50).div_euclid(100).min(n);
                (c.to_string(), (n - c).to_string())
            }
            (Some(0), None) if p_text.is_empty() => ("0".into(), "0".into()),
            // A withheld, missing or unreadable number of requests or share: the line is one
            // reject, with the value and the column it came from.
            (n, _) => {
                let (column, value) = if n.is_none() { (REQUESTS, n_text) } else { (COMPLIED, p_text) };
                unread.push(line_problem(&raw.source, row, column, value));
                continue;
            }
        };
        let end = period.get(i).map(str::trim);
        let jurisdiction = code.get(i).map(str::trim).filter(|c| !c.is_empty()).or(country.get(i).map(str::trim));
        for (status, count) in [(Status::Removed, yes), (Status::Rejected, no)] {
            long.push(
                row,
                1,
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
    let raw = with_unread(raw, unread);
    let derivation = format!(
        "rows from Google's historical summary: per country and half-year, requests fully or partially complied with \
         (status removed) = round(`{REQUESTS}` × `{COMPLIED}` / 100), half up, and the rest (status rejected); \
         Google's percent is whole, so each count is within requests/200 + 0.5 of the true one"
    );
    Ok((long.into_raw(raw)?, derivation))
}

const REQUESTOR_WHAT: &str =
    "Google's government removal requests by requestor (google-government-removal-requests.csv, 2019 on)";
const ITEMS: &str = "Items Requested To Be Removed";
/// Google's six outcomes of the items, as its columns name them (`% ` and trailing spaces aside).
pub(crate) const ITEM_OUTCOMES: [&str; 6] = [
    "Removed-Legal",
    "Removed-Policy",
    "Content Not Found",
    "Not Enough Information",
    "No Action Taken",
    "Content Already Removed",
];
/// The `source` value of every row.
pub(crate) const REQUESTOR_SOURCE: &str =
    "Google Transparency Report, government requests to remove content: by requestor";
/// What each of Google's outcomes counts as, unless the caller's `status_labels` say otherwise:
/// removed for legal reasons is withheld where the law applies (`restricted`), for a policy
/// violation removed everywhere (`removed`); not found, not enough information, no action and
/// already removed are no action by Google (`rejected`).
pub(crate) const ITEM_STATUS: [(&str, Status); 6] = [
    ("Removed-Legal", Status::Restricted),
    ("Removed-Policy", Status::Removed),
    ("Content Not Found", Status::Rejected),
    ("Not Enough Information", Status::Rejected),
    ("No Action Taken", Status::Rejected),
    ("Content Already Removed", Status::Rejected),
];

/// `items` split over whole `percents` (blank = 0) by largest remainders, so that the counts sum
/// to `items` and each is within one of `items × share`; `None` when no share is given.
fn allocate(items: i64, percents: &[i64; 6]) -> Option<[i64; 6]> {
    let total: i64 = percents.iter().sum();
    if total == 0 {
        return None;
    }
    let exact: Vec<(i64, i64)> = percents.iter().map(|p| ((items * p) / total, (items * p) % total)).collect();
    let mut out: [i64; 6] = std::array::from_fn(|k| exact[k].0);
    let left = items - out.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..6).collect();
    // Largest remainder first; ties to the larger share, then to the column order.
    order.sort_by(|&a, &b| exact[b].1.cmp(&exact[a].1).then(percents[b].cmp(&percents[a])).then(a.cmp(&b)));
    for &k in order.iter().take(left as usize) {
        out[k] += 1;
    }
    Some(out)
}

/// The by-requestor file as rows of items per outcome.
pub(crate) fn requestor(raw: Raw) -> Result<(Raw, String)> {
    let t = Table::new(&raw);
    if t.has("Product") && !t.has(REQUESTS) {
        return Err(crate::Error::Read {
            file: raw.source.clone(),
            format: REQUESTOR_WHAT.into(),
            message: "this is Google's file by product and reason (google-government-detailed-removal-requests.csv): \
                      read it as google-removals-detailed"
                .into(),
        });
    }
    if t.has(REQUESTS) {
        return Err(crate::Error::Read {
            file: raw.source.clone(),
            format: REQUESTOR_WHAT.into(),
            message:
                "this is Google's historical summary (\"All Requests: ...\" columns; before 2019 it was published \
                      under this same name): read it as google-removals-historical"
                    .into(),
        });
    }
    let period = t.text(&["Period Ending"], REQUESTOR_WHAT)?;
    let country = t.text(&["Country/Region", "Country"], REQUESTOR_WHAT)?;
    let code = t.text(&["CLDR Territory Code"], REQUESTOR_WHAT)?;
    let requestor = t.text(&["Requestor", "Requester"], REQUESTOR_WHAT)?;
    let items = t.text(&[ITEMS], REQUESTOR_WHAT)?;
    let shares: Vec<_> =
        ITEM_OUTCOMES.iter().map(|o| t.text(&[format!("% {o}").as_str()], REQUESTOR_WHAT)).collect::<Result<_>>()?;
    let mut columns: Vec<&'static str> = BASE.to_vec();
    columns.extend([AGENCY, CONTENT_TYPE, "country", "period_end", SOURCE_COL]);
    let count_names =
        std::iter::once(ITEMS.to_string()).chain(ITEM_OUTCOMES.iter().map(|o| format!("% {o}"))).collect();
    let mut long = Long::new(&columns, count_names);
    let mut rounded_to_zero = 0u64;
    let mut unread = Vec::new();
    for i in 0..raw.frame.height() {
        if let Some(p) = period_problem(&raw.source, raw.rows.get(i), period.get(i)) {
            unread.push(p);
            continue;
        }
        let n_text = items.get(i).unwrap_or("").trim();
        let texts: Vec<&str> = shares.iter().map(|s| s.get(i).unwrap_or("").trim()).collect();
        let bad = texts.iter().position(|p| !p.is_empty() && whole(p).is_none());
        let percents: [i64; 6] = std::array::from_fn(|k| whole(texts[k]).unwrap_or(0));
        rounded_to_zero += texts.iter().filter(|p| **p == "0").count() as u64;
        // Each outcome's count, or the text (and its column) the checks reject.
        let counts: Vec<(String, u32)> = match (whole(n_text), bad) {
            (None, _) => vec![(n_text.to_string(), 0); 6],
            (Some(_), Some(k)) => vec![(texts[k].to_string(), k as u32 + 1); 6],
            (Some(n), None) => match allocate(n, &percents) {
                Some(c) => c.iter().map(|c| (c.to_string(), 0)).collect(),
                None if n == 0 => vec![("0".to_string(), 0); 6],
                None => vec![(String::new(), 1); 6], // items without any share: rejected as empty
            },
        };
        let end = period.get(i).map(str::trim);
        let jurisdiction = code.get(i).map(str::trim).filter(|c| !c.is_empty()).or(country.get(i).map(str::trim));
        for (k, (count, from)) in counts.into_iter().enumerate() {
            long.push(
                raw.rows.get(i),
                from,
                vec![
                    Some("google".into()),
                    jurisdiction.map(String::from),
                    end.map(half_year_start),
                    Some(ITEM_OUTCOMES[k].to_string()),
                    Some(count),
                    requestor.get(i).map(|r| r.trim().to_string()),
                    Some("item".into()),
                    country.get(i).map(|c| c.trim().to_string()),
                    end.map(String::from),
                    Some(REQUESTOR_SOURCE.into()),
                ],
            );
        }
    }
    let raw = with_unread(raw, unread);
    let mapping: Vec<String> = ITEM_STATUS.iter().map(|(o, s)| format!("{o} -> {s}")).collect();
    let derivation = format!(
        "rows from Google's by-requestor file: each counts items (URLs, videos ...) named in requests, not requests; \
         per country, requestor and half-year, `{ITEMS}` split over Google's six outcome percentages by largest \
         remainders (a blank share is 0 items, as Google writes it; the whole percents are scaled to sum to 100), so \
         the counts sum to the items and each is within 1 of items × its scaled share (where Google's percents do \
         not sum to 100 a count can miss its printed percent by one point); {rounded_to_zero} \
         share(s) written 0 stand for fewer than 0.5% of the items and count 0; outcomes as statuses: {} (status_labels \
         change them); `Number of Requests` is not a row",
        mapping.join(", ")
    );
    Ok((long.into_raw(raw)?, derivation))
}

const DETAILED_WHAT: &str = "Google's government removal requests by product and reason \
     (google-government-detailed-removal-requests.csv, or its -historical companion)";
/// The `source` value of every row of the file by product and reason.
pub(crate) const DETAILED_SOURCE: &str =
    "Google Transparency Report, government requests to remove content: by product and reason";
/// The historical companion's two requester columns, each an `agency` value.
const DETAILED_HISTORICAL_AGENCIES: [&str; 2] = ["Court Orders", "Executive, Police, etc."];

/// The file by product and reason as rows of requests whose outcome Google does not publish.
///
/// `google-government-detailed-removal-requests.csv` (2011-H1 on): `Period Ending, Country/Region,
/// CLDR Territory Code, Product, Reason, Total`, one line per country, half-year, product and
/// reason with requests (none with zero). Each line is one row of `Total` requests. Its companion
/// `google-government-detailed-removal-requests-historical.csv` (2009-H2 to 2019-H1) splits the
/// requests into `Court Orders` and `Executive, Police, etc.`: each line is then two rows, the
/// column name as `agency`; its items (not split by requester) are not read.
pub(crate) fn detailed(raw: Raw) -> Result<(Raw, String)> {
    let t = Table::new(&raw);
    if !t.has("Product") {
        let other = if t.has(REQUESTS) {
            "Google's historical summary: read it as google-removals-historical"
        } else if t.has("Requestor") || t.has("Requester") {
            "Google's by-requestor file: read it as google-removals-requestor"
        } else {
            ""
        };
        if !other.is_empty() {
            return Err(crate::Error::Read {
                file: raw.source.clone(),
                format: DETAILED_WHAT.into(),
                message: format!("this is {other}"),
            });
        }
    }
    let historical = t.has(DETAILED_HISTORICAL_AGENCIES[0]);
    let period = t.text(&["Period Ending"], DETAILED_WHAT)?;
    let country = t.text(&["Country/Region", "Country"], DETAILED_WHAT)?;
    let code = t.text(&["CLDR Territory Code"], DETAILED_WHAT)?;
    let product = t.text(&["Product"], DETAILED_WHAT)?;
    let reason = t.text(&["Reason"], DETAILED_WHAT)?;
    // The count columns: each requester's (its name the rows' `agency`), or the one total.
    let names: &[&str] = if historical { &DETAILED_HISTORICAL_AGENCIES } else { &["Total"] };
    let counts: Vec<(Option<&str>, StringChunked)> =
        names.iter().map(|n| Ok((historical.then_some(*n), t.text(&[n], DETAILED_WHAT)?))).collect::<Result<_>>()?;
    let count_names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut columns: Vec<&'static str> = BASE.to_vec();
    columns.extend([AGENCY, REASON, "product", "country", "period_end", SOURCE_COL]);
    let mut long = Long::new(&columns, count_names);
    let mut unread = Vec::new();
    for i in 0..raw.frame.height() {
        let row = raw.rows.get(i);
        if let Some(p) = period_problem(&raw.source, row, period.get(i)) {
            unread.push(p);
            continue;
        }
        // A count that is empty or withheld goes to the checks as written: a reject of its row
        // only (the line's other requester keeps its row), never 0.
        let texts: Vec<&str> = counts.iter().map(|(_, c)| c.get(i).unwrap_or("").trim()).collect();
        let end = period.get(i).map(str::trim);
        let jurisdiction = code.get(i).map(str::trim).filter(|c| !c.is_empty()).or(country.get(i).map(str::trim));
        let nonempty = |v: Option<&str>| v.map(str::trim).filter(|v| !v.is_empty()).map(String::from);
        for (k, (agency, _)) in counts.iter().enumerate() {
            long.push(
                row,
                k as u32,
                vec![
                    Some("google".into()),
                    jurisdiction.map(String::from),
                    end.map(half_year_start),
                    Some(Status::Unknown.to_string()),
                    Some(texts[k].to_string()),
                    agency.map(String::from),
                    nonempty(reason.get(i)),
                    nonempty(product.get(i)),
                    country.get(i).map(|c| c.trim().to_string()),
                    end.map(String::from),
                    Some(DETAILED_SOURCE.into()),
                ],
            );
        }
    }
    let raw = with_unread(raw, unread);
    let derivation = if historical {
        "rows from Google's historical file by product and reason: per country, half-year, product and reason, \
         the requests of `Court Orders` and of `Executive, Police, etc.` (each a row, that column as `agency`); \
         Google publishes no outcome per product or reason, so every status is unknown; `Items Requested To Be \
         Removed` is not read (it is not split by requester)"
    } else {
        "rows from Google's file by product and reason: per country, half-year, product and reason, `Total` \
         requests (a country's lines for a half-year sum to its requests in Google's other files); Google \
         publishes no outcome per product or reason, so every status is unknown"
    };
    Ok((long.into_raw(raw)?, derivation.to_string()))
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

    #[test]
    fn largest_remainders_sum_to_the_items() {
        // Pakistan, ICA, 2025-H1: 4,553 items at 82/1/0/9/4/4 -> 3733.46, 45.53, 0, 409.77,
        // 182.12, 182.12: floors sum to 4,551, the two largest remainders (.77, .53) get one each.
        assert_eq!(allocate(4553, &[82, 1, 0, 9, 4, 4]), Some([3733, 46, 0, 410, 182, 182]));
        // Shares summing to 101 are scaled: 3 items at 33/67 -> 0.98 and 1.99 of 3.
        assert_eq!(allocate(3, &[0, 0, 33, 67, 0, 0]), Some([0, 0, 1, 2, 0, 0]));
        assert_eq!(allocate(5, &[0; 6]), None);
    }
}
