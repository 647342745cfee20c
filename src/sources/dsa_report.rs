//! DSA harmonised transparency reports (Commission Implementing Regulation (EU) 2024/2835,
//! Annex I templates), part 3: orders from Member States' authorities, the file each very large
//! platform publishes as `3_member_states_orders.csv` (TikTok: `... - 3_member_states_orders.csv`)
//! since its report for July-December 2025.
//!
//! ```text
//! Applicability,Service,Reporting period,Category of illegal content,"Description of the sub-category ""Other""",Scope,Number of orders to act against illegal content received,Number of specific items of information included in the total number of orders to act against illegal content,Median time to inform the authority of the receipt of the order to act against illegal content,Median time to give effect to the order to act against illegal content,Number of orders to provide information,Median time to inform the authority of the receipt of the order to provide information,Median time to give effect to the order to provide information,Contextual information on ...
//! All,Facebook,2025-07-01/2025-12-31,TOTAL,,TOTAL,"1,358","2,158",0.0,33.6,2383,0,123.01,,,...
//! All,Facebook,2025-07-01/2025-12-31,TOTAL,,AT,0,0,0.0,0.0,2,0,,,,...
//! ,,,,,BE,5,13,0.0,33.2,0,0,0.00,,,...
//! ```
//!
//! The file is one table: a line per category (or sub-category) of illegal content and scope
//! (`TOTAL`, or a Member State's two-letter code), the orders to act against illegal content
//! (Article 9) and the orders to provide information (Article 10) side by side, with median times
//! in hours. Its lines overlap (the total, each category, each sub-category, each Member State),
//! so summing them all would count an order many times. The rows read are one partition: each
//! Member State's total line (category `TOTAL`, scope a Member State) makes two rows, its orders
//! to act and its orders to provide information (`order_type`), `jurisdiction` the Member State.
//! Their sum is checked against the file's own `TOTAL`/`TOTAL` line and the derivation states
//! both; orders of that total which no Member-State line gives become one more row, jurisdiction
//! `EU (no Member State given)`, so that the rows add up to the platform's published total. A
//! file without Member-State lines is read from that total line (jurisdiction `EU`).
//!
//! The template publishes no outcome of an order (only counts and median times), so every status
//! is `unknown` ([`crate::LoadReport::outcomes_unpublished`]): count the orders, do not rate them.
//! Beside each row: `items` (the items of information named in orders to act), and
//! `median_hours_to_inform` and `median_hours_to_give_effect` as the platform published them
//! (medians of that Member State's orders: they cannot be summed or averaged across rows).
//!
//! Real files depart from the template, and all of these are read: an extra `Category label`
//! column (TikTok); the first five cells left blank on the lines of a block (Meta: filled from the
//! line above); a `Service` cell with trailing line breaks; counts with thousands separators
//! (`"1,358"`) or written `0.0`; lines cut short of the header's width (YouTube); Greece as `EL`
//! (Eurostat's code, read as `GR`, the ISO code the other sources use). An empty count is not read
//! as 0: it is a `required` reject, unless the other Member-State lines already add up to the
//! file's total (then the empty cells cannot hold an order, and the derivation says they were
//! read as 0). Headers are matched ignoring case and spacing; a report in another language's
//! headers is refused with that said.

use std::path::Path;

use polars::prelude::*;

use super::{Long, BASE, SOURCE_COL};
use crate::error::{Error, Problem, Result, Rule};
use crate::load::readers::{self, Raw, Rows};
use crate::schema::Status;

const WHAT: &str =
    "a DSA harmonised transparency report's orders from Member States (Annex I template, part 3: 3_member_states_orders.csv)";
/// The `source` value of every row.
pub(crate) const SOURCE: &str =
    "DSA harmonised transparency report (Implementing Regulation (EU) 2024/2835), part 3: orders from Member States";
/// What a row counts.
pub(crate) const UNIT: &str = "orders from Member State authorities";

const SERVICE: &str = "Service";
const PERIOD: &str = "Reporting period";
const CATEGORY: &str = "Category of illegal content";
const SCOPE: &str = "Scope";
const ACT: &str = "Number of orders to act against illegal content received";
const ITEMS: &str =
    "Number of specific items of information included in the total number of orders to act against illegal content";
const ACT_INFORM: &str =
    "Median time to inform the authority of the receipt of the order to act against illegal content";
const ACT_EFFECT: &str = "Median time to give effect to the order to act against illegal content";
const INFO: &str = "Number of orders to provide information";
const INFO_INFORM: &str = "Median time to inform the authority of the receipt of the order to provide information";
const INFO_EFFECT: &str = "Median time to give effect to the order to provide information";

/// The two kinds of order, as `order_type` values.
pub(crate) const ORDER_TO_ACT: &str = "act against illegal content (Art. 9)";
pub(crate) const ORDER_TO_INFORM: &str = "provide information (Art. 10)";

/// The `jurisdiction` of the orders in a file's total that no Member-State line gives.
pub(crate) const UNATTRIBUTED: &str = "EU (no Member State given)";

/// The extra columns, read as numbers after the checks.
pub(crate) const NUMERIC: [(&str, bool); 3] =
    [("items", true), ("median_hours_to_inform", false), ("median_hours_to_give_effect", false)];

/// A header as compared: lower case, runs of white space as one space, trimmed.
fn norm(h: &str) -> String {
    h.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// A number as the platforms write one: `782`, `"1,358"`, `33.6`, `"1,990"`, `0.00`; `None` when
/// it is none (thousands separators only in groups of three).
fn number(s: &str) -> Option<f64> {
    let t = s.trim();
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    let groups: Vec<&str> = int.split(',').collect();
    let grouped = groups.len() == 1
        || (!groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3));
    let digits = |g: &str| g.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !grouped || !groups.iter().all(|g| digits(g)) || !digits(frac) {
        return None;
    }
    format!("{}.{}", groups.concat(), if frac.is_empty() { "0" } else { frac }).parse().ok()
}

/// A count: a whole [`number`] (`0.0` is 0), as text; `None` when it is none.
fn count(s: &str) -> Option<i64> {
    number(s).filter(|n| n.fract() == 0.0 && *n >= 0.0 && *n < 1e15).map(|n| n as i64)
}

/// A median in hours, as text for the checks (thousands separators removed); empty stays empty.
fn median_text(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    Some(number(t).map(|n| n.to_string()).unwrap_or_else(|| t.to_string()))
}

/// One line of the file as read: its record number and its cells, blank cells filled from the
/// line above where the platform left a block's first cells blank.
struct Line {
    row: u64,
    service: String,
    period: String,
    category: String,
    scope: String,
    cells: [String; 7],
}

/// Reads `path`: see the module docs.
pub(crate) fn read(path: &Path) -> Result<(Raw, String)> {
    let file = path.display().to_string();
    let bytes = readers::read_file(path)?;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(&bytes);
    let text = std::str::from_utf8(body).map_err(|e| Error::Read {
        file: file.clone(),
        format: WHAT.into(),
        message: format!(
            "it is not UTF-8 (byte {} of the file), which the template prescribes: save it as UTF-8",
            e.valid_up_to()
        ),
    })?;
    let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Error::Read { file: file.clone(), format: WHAT.into(), message: e.to_string() })?
        .iter()
        .map(norm)
        .collect();
    let find = |name: &str| headers.iter().position(|h| *h == norm(name));
    let wanted = [SERVICE, PERIOD, CATEGORY, SCOPE, ACT, ITEMS, ACT_INFORM, ACT_EFFECT, INFO, INFO_INFORM, INFO_EFFECT];
    let missing: Vec<&str> = wanted.iter().copied().filter(|w| find(w).is_none()).collect();
    if !missing.is_empty() {
        let hint = if find(SCOPE).is_none() && find(CATEGORY).is_none() {
            " (is it part 3 of the English template? a report with translated headers, or another part such as \
             4_notices, is not read)"
        } else {
            ""
        };
        return Err(Error::Read {
            file,
            format: WHAT.into(),
            message: format!(
                "it has no column {}{hint}",
                missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
            ),
        });
    }
    let at: Vec<usize> = wanted.iter().map(|w| find(w).unwrap_or(0)).collect();
    let mut lines: Vec<Line> = Vec::new();
    let mut problems: Vec<Problem> = Vec::new();
    let mut prev: Option<(String, String, String)> = None;
    for (k, record) in reader.records().enumerate() {
        let row = k as u64 + 1;
        if k % (1 << 16) == 0 {
            crate::cancel::check()?;
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(Problem {
                    file: file.clone(),
                    row,
                    column: String::new(),
                    value: String::new(),
                    rule: Rule::MalformedRow,
                    case_id: None,
                    message: format!("the line cannot be read as CSV: {e}"),
                });
                continue;
            }
        };
        let cell = |i: usize| record.get(at[i]).unwrap_or("").trim().to_string();
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let (mut service, mut period, mut category) = (cell(0), cell(1), cell(2));
        // Meta leaves a block's first cells blank after its first line: they are the line above's.
        if service.is_empty() && period.is_empty() && category.is_empty() {
            if let Some((s, p, c)) = &prev {
                (service, period, category) = (s.clone(), p.clone(), c.clone());
            }
        }
        prev = Some((service.clone(), period.clone(), category.clone()));
        lines.push(Line {
            row,
            service,
            period,
            category,
            scope: cell(3),
            cells: std::array::from_fn(|i| cell(4 + i)),
        });
    }
    let is_total = |s: &str| s.eq_ignore_ascii_case("total");
    let grand = lines.iter().find(|l| is_total(&l.category) && is_total(&l.scope));
    let states: Vec<&Line> = lines.iter().filter(|l| is_total(&l.category) && !is_total(&l.scope)).collect();
    let Some(grand) = grand.or(states.first().copied()) else {
        return Err(Error::Read {
            file,
            format: WHAT.into(),
            message: "it has no line with category TOTAL (the orders of all categories), neither for all Member \
                      States (scope TOTAL) nor for one"
                .into(),
        });
    };
    let from_states = !states.is_empty();
    let chosen: Vec<&Line> = if from_states { states } else { vec![grand] };
    // Cells 0 (orders to act), 1 (items) and 4 (orders to provide information) are counts: the
    // published total of each, and the sum of the chosen lines' filled cells.
    let counted = [(0usize, ACT), (1, ITEMS), (4, INFO)];
    let total_of = |c: usize| count(&grand.cells[c]);
    let sum_of = |c: usize| chosen.iter().filter_map(|l| count(&l.cells[c])).sum::<i64>();
    let empty_of = |c: usize| chosen.iter().filter(|l| l.cells[c].is_empty()).count();
    // Empty cells are 0 only when the filled ones already make the file's total.
    let empty_is_zero: Vec<bool> =
        counted.iter().map(|&(c, _)| from_states && total_of(c).is_some_and(|t| t == sum_of(c))).collect();
    let mut columns: Vec<&'static str> = BASE.to_vec();
    columns.extend(["order_type", "items", "median_hours_to_inform", "median_hours_to_give_effect", "period_end"]);
    columns.push(SOURCE_COL);
    let mut long = Long::new(&columns, vec![ACT.to_string(), INFO.to_string(), ITEMS.to_string()]);
    for l in &chosen {
        let (start, end) = match l.period.split_once('/') {
            Some((s, e)) => (s.trim().to_string(), Some(e.trim().to_string())),
            None => (l.period.clone(), None),
        };
        let jurisdiction = if !from_states {
            "EU".to_string()
        } else if l.scope.eq_ignore_ascii_case("EL") {
            "GR".to_string()
        } else {
            l.scope.to_uppercase()
        };
        // The line's cells: its orders, and where a count cannot be read, one reject for the line.
        let mut bad = None;
        let mut value = |k: usize| -> String {
            let (c, name) = counted[k];
            let text = &l.cells[c];
            match count(text) {
                Some(n) => n.to_string(),
                None if text.is_empty() && empty_is_zero[k] => "0".into(),
                None => {
                    bad.get_or_insert((name, text.clone()));
                    String::new()
                }
            }
        };
        let (act, items, info) = (value(0), value(1), value(2));
        if let Some((column, text)) = bad {
            problems.push(super::google::line_problem(&file, l.row, column, &text));
            continue;
        }
        let medians = [(2, ACT_INFORM), (3, ACT_EFFECT), (5, INFO_INFORM), (6, INFO_EFFECT)];
        if let Some((c, name)) = medians.iter().find(|(c, _)| !l.cells[*c].is_empty() && number(&l.cells[*c]).is_none())
        {
            problems.push(Problem {
                file: file.clone(),
                row: l.row,
                column: name.to_string(),
                value: l.cells[*c].clone(),
                rule: Rule::InvalidNumber,
                case_id: None,
                message: "not a number of hours: the line is left out, not read as 0".into(),
            });
            continue;
        }
        let service = l.service.trim().to_string();
        for (order_type, n, items, inform, effect, from) in [
            (ORDER_TO_ACT, act, Some(items), &l.cells[2], &l.cells[3], 0u32),
            (ORDER_TO_INFORM, info, None, &l.cells[5], &l.cells[6], 1),
        ] {
            long.push(
                l.row,
                from,
                vec![
                    Some(service.clone()),
                    Some(jurisdiction.clone()),
                    Some(start.clone()),
                    Some(Status::Unknown.to_string()),
                    Some(n),
                    Some(order_type.into()),
                    items,
                    median_text(inform),
                    median_text(effect),
                    end.clone(),
                    Some(SOURCE.into()),
                ],
            );
        }
    }
    // Orders in the file's total that no Member-State line gives: one row, so that nothing the
    // platform counted is lost and the total comes back (only when every line was read: a
    // rejected line's orders are unknown, and the rejects say so).
    let mut residual_note = String::new();
    if from_states && problems.is_empty() {
        let gap = |c: usize| total_of(c).map(|t| t - sum_of(c));
        let (act_gap, items_gap, info_gap) = (gap(0), gap(1), gap(4));
        if act_gap.is_some_and(|g| g > 0) || info_gap.is_some_and(|g| g > 0) {
            let (start, end) = match grand.period.split_once('/') {
                Some((s, e)) => (s.trim().to_string(), Some(e.trim().to_string())),
                None => (grand.period.clone(), None),
            };
            for (order_type, n, items, from) in
                [(ORDER_TO_ACT, act_gap, items_gap.map(|g| g.max(0)), 0u32), (ORDER_TO_INFORM, info_gap, None, 1)]
            {
                let n = n.unwrap_or(0).max(0);
                long.push(
                    grand.row,
                    from,
                    vec![
                        Some(grand.service.trim().to_string()),
                        Some(UNATTRIBUTED.into()),
                        Some(start.clone()),
                        Some(Status::Unknown.to_string()),
                        Some(n.to_string()),
                        Some(order_type.into()),
                        items.map(|i| i.to_string()),
                        None,
                        None,
                        end.clone(),
                        Some(SOURCE.into()),
                    ],
                );
            }
            residual_note = format!(
                "; the orders of the TOTAL line that no Member-State line gives are a row of their own, jurisdiction \
                 `{UNATTRIBUTED}`, so that the rows sum to the platform's total"
            );
        }
    }
    problems.sort_by_key(|p| p.row);
    let checks: Vec<String> = counted
        .iter()
        .enumerate()
        .map(|(k, &(c, name))| {
            let (sum, empty) = (sum_of(c), empty_of(c));
            let total = total_of(c).map_or("no total".to_string(), |t| format!("total {t}"));
            let zero = if empty > 0 && empty_is_zero[k] {
                format!(", {empty} empty cell(s) read as 0 because the others already make the total")
            } else if empty > 0 {
                format!(", {empty} empty cell(s) rejected")
            } else {
                String::new()
            };
            format!("`{name}` {sum} ({total}{zero})")
        })
        .collect();
    let derivation = if from_states {
        format!(
            "rows from a DSA harmonised report's orders from Member States: each Member State's total line (category \
             TOTAL) as two rows, its orders to act against illegal content (Art. 9) and its orders to provide \
             information (Art. 10), `order_type`; the lines by category are not read (they overlap the Member-State \
             lines); Greece's EL read as GR; the Member-State lines sum to {} against the file's TOTAL line; the \
             template publishes no outcome of an order, so every status is unknown; medians are in hours as the \
             platform published them and are not summed{residual_note}",
            checks.join(", ")
        )
    } else {
        "rows from a DSA harmonised report's orders from Member States: the file has no Member-State lines, so its \
         TOTAL line (all Member States, jurisdiction EU) as two rows, orders to act against illegal content (Art. \
         9) and orders to provide information (Art. 10); the template publishes no outcome of an order, so every \
         status is unknown; medians are in hours as the platform published them"
            .to_string()
    };
    let source = Raw {
        source: file,
        frame: DataFrame::empty(),
        rows: Rows::Sequential,
        rows_read: 0,
        blank_rows: 0,
        problems,
        sha256: Some(readers::sha256_hex(&bytes)),
        count_columns: None,
    };
    Ok((long.into_raw(source)?, derivation))
}

/// The extra columns as numbers: `items` whole, the medians in hours.
pub(crate) fn numeric(frame: DataFrame) -> Result<DataFrame> {
    let casts: Vec<Expr> = NUMERIC
        .iter()
        .filter(|(name, _)| frame.schema().contains(name))
        .map(|(name, whole)| col(*name).cast(if *whole { DataType::Int64 } else { DataType::Float64 }).alias(*name))
        .collect();
    Ok(frame.lazy().with_columns(casts).collect()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_the_platforms_write_them() {
        assert_eq!(number("782"), Some(782.0));
        assert_eq!(number("1,358"), Some(1358.0));
        assert_eq!(number(" 1,990 "), Some(1990.0));
        assert_eq!(number("123.01"), Some(123.01));
        assert_eq!(number("0.00"), Some(0.0));
        assert_eq!(number("1,35"), None);
        assert_eq!(number("12,3456"), None);
        assert_eq!(number("n/a"), None);
        assert_eq!(number(""), None);
        assert_eq!(count("0.0"), Some(0));
        assert_eq!(count("2.5"), None);
        assert_eq!(median_text("1,990").as_deref(), Some("1990"));
        assert_eq!(median_text(""), None);
        assert_eq!(norm("Contextual information on  Number\nof orders "), "contextual information on number of orders");
    }
}
