//! TikTok, Government Removal Requests Report: the cumulative download
//! `CLIGR_<release>_GovernmentRemovalsRequests.csv` (2019-H1 to the release), one line per metric,
//! country and half-year:
//!
//! ```text
//! replication_info,entity,aspect,metric_name,period,period_value,policy,policy_value,task,task_value,location,location_value,result,base,date
//! ,LIGR,GRFCR,Content actioned due to (local) law violations,half-year,Jul-Dec 2025,all,all,all,all,country_name,Pakistan,1596.0,,
//! ```
//!
//! The six outcome metrics become rows of `count` items: content (`content_type` `content`) and
//! accounts (`account`) named in the requests, `removed` when actioned for community-guidelines
//! violations (removed everywhere), `restricted` when actioned for (local) law violations
//! (restricted in the requesting country), `rejected` when not actioned. A compliance rate over
//! these rows is TikTok's "Removal rate" (actioned content and accounts over all received).
//! The units are items, not requests: "Total requests received" and the other totals, the
//! "Removal rate" and the global "Total Government Requests" (the only lines for 2019-2021) are
//! not rows; they restate the outcomes or count requests, and the derivation says how many were
//! read. `jurisdiction` is TikTok's country name (it gives no code); `reported_at` the first day of
//! the half-year (`Jan-Jun 2025` -> 2025-01-01), `period_end` its last.

use super::{Long, Table, BASE, SOURCE_COL};
use crate::error::{Error, Result};
use crate::load::readers::Raw;
use crate::schema::col_names::CONTENT_TYPE;
use crate::schema::Status;

const WHAT: &str = "TikTok's government removal requests report (CLIGR_..._GovernmentRemovalsRequests.csv)";
/// The `source` value of every row.
pub(crate) const SOURCE: &str = "TikTok Government Removal Requests Report";
const RESULT: &str = "result";

/// Each outcome metric: its status and what it counts.
const OUTCOMES: [(&str, Status, &str); 6] = [
    ("Content actioned due to community guidelines violations", Status::Removed, "content"),
    ("Content actioned due to (local) law violations", Status::Restricted, "content"),
    ("Content not actioned", Status::Rejected, "content"),
    ("Accounts actioned due to community guidelines violations", Status::Removed, "account"),
    ("Accounts actioned due to (local) law violations", Status::Restricted, "account"),
    ("Accounts not actioned", Status::Rejected, "account"),
];
/// Metrics that restate the outcomes or count requests: read, not rows.
const TOTALS: [&str; 5] = [
    "Total requests received",
    "Total content received",
    "Total accounts received",
    "Removal rate",
    "Total Government Requests",
];

/// `Jan-Jun 2025` -> (`2025-01-01`, `2025-06-30`); `Jul-Dec 2025` -> (`2025-07-01`, `2025-12-31`).
fn half_year(p: &str) -> Option<(String, String)> {
    let (half, year) = p.trim().split_once(' ')?;
    let year = year.trim();
    (year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit())).then_some(())?;
    match half {
        "Jan-Jun" => Some((format!("{year}-01-01"), format!("{year}-06-30"))),
        "Jul-Dec" => Some((format!("{year}-07-01"), format!("{year}-12-31"))),
        _ => None,
    }
}

/// The report's outcome lines as rows of items.
pub(crate) fn government(raw: Raw) -> Result<(Raw, String)> {
    let t = Table::new(&raw);
    let metric = t.text(&["metric_name"], WHAT)?;
    let period = t.text(&["period_value"], WHAT)?;
    let location = t.text(&["location_value"], WHAT)?;
    let result = t.text(&[RESULT], WHAT)?;
    let mut columns: Vec<&'static str> = BASE.to_vec();
    columns.extend([CONTENT_TYPE, "metric", "period_end", SOURCE_COL]);
    let mut long = Long::new(&columns, vec![RESULT.to_string()]);
    let mut totals = 0u64;
    for i in 0..raw.frame.height() {
        let m = metric.get(i).unwrap_or("").trim();
        let Some((_, status, unit)) = OUTCOMES.iter().find(|(name, ..)| *name == m) else {
            if TOTALS.contains(&m) {
                totals += 1;
                continue;
            }
            return Err(Error::Read {
                file: raw.source.clone(),
                format: WHAT.into(),
                message: format!(
                    "row {}: unknown metric_name {m:?}; the report's metrics are {}",
                    raw.rows.get(i),
                    OUTCOMES.iter().map(|o| o.0).chain(TOTALS).map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ")
                ),
            });
        };
        let p = period.get(i).unwrap_or("").trim();
        let (start, end) = match half_year(p) {
            Some((s, e)) => (Some(s), Some(e)),
            None => (Some(p.to_string()), None), // the checks reject it as a date, naming it
        };
        long.push(
            raw.rows.get(i),
            0,
            vec![
                Some("tiktok".into()),
                location.get(i).map(|l| l.trim().to_string()),
                start,
                Some(status.to_string()),
                result.get(i).map(|r| r.trim().to_string()),
                Some((*unit).into()),
                Some(m.to_string()),
                end,
                Some(SOURCE.into()),
            ],
        );
    }
    let derivation = format!(
        "rows from TikTok's government removal requests report: each counts items (pieces of content or accounts) \
         named in requests, not requests, so a table's requests and n here are items: actioned for community-guidelines violations (status removed), for \
         (local) law violations (restricted), not actioned (rejected); a compliance rate over them is TikTok's \
         removal rate; {totals} line(s) of totals, removal rates and request counts were read and are not rows"
    );
    Ok((long.into_raw(raw)?, derivation))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_years() {
        assert_eq!(half_year("Jul-Dec 2025"), Some(("2025-07-01".into(), "2025-12-31".into())));
        assert_eq!(half_year("Jan-Jun 2022"), Some(("2022-01-01".into(), "2022-06-30".into())));
        assert_eq!(half_year("H1 2022"), None);
        assert_eq!(half_year("Jan-Jun 22"), None);
    }
}
