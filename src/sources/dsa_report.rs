//! DSA harmonised transparency reports (Commission Implementing Regulation (EU) 2024/2835,
//! Annex I templates), the CSV files each very large platform publishes per part since its
//! report for July-December 2025. Parts 3 to 6 are read, told apart by their headers: 3, orders
//! from Member States' authorities (`3_member_states_orders.csv`; TikTok: `... -
//! 3_member_states_orders.csv`); 4, notices (`4_notices.csv`); 5 and 6, measures at the
//! provider's own initiative (`5_own_initiative_illegal.csv`, `6_own_initiative_TC.csv`).
//!
//! # Parts 4 to 6
//!
//! A line per category (`STATEMENT_CATEGORY_...`) and sub-category (`KEYWORD_...`, under the
//! category above it), after a `TOTAL` line; no Member States. Categories and sub-categories
//! overlap, so one level of each category is read: its sub-category lines when they account for
//! it (their sum at most the category's; the rest a row with subcategory `(no sub-category
//! given)`), else the category line alone (and the derivation says why). The categories' sum is
//! checked against the TOTAL line, and what no category gives is one more row, reason `(no
//! category given)`, so the rows give back the platform's total. Part 4's rows count notices
//! (Art. 16), status `unknown`: the template gives actions, which platforms count per item (they
//! can exceed the notices), not each notice's outcome, so the actions are columns beside the
//! notices (`actions_on_law`, `actions_on_terms`, with `notices_trusted_flaggers`, `items`,
//! `median_hours_to_action`). Parts 5 and 6 count measures, each a restriction the platform
//! imposed (actions only; their kinds are columns, so the status, one outcome per row, is
//! `unknown`), with the kinds of restriction and the measures after
//! solely automated detection as columns. A part left empty is refused, never read as zeros.
//!
//! # Part 3
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
//! `EU (no Member State given)`, so that the rows add up to the platform's published total (not
//! when a Member-State row was rejected: its orders are unknown, and the derivation says the rows
//! fall short). A Member State given twice (or as both `EL` and `GR`) is a `duplicate_case_id`
//! reject: `case_id` is service, period, Member State and order type. A file without
//! Member-State lines is read from that total line (jurisdiction `EU`).
//!
//! The template publishes no outcome of an order (only counts and median times), so every status
//! is `unknown` ([`crate::LoadReport::outcomes_unpublished`]): count the orders, do not rate them.
//! Beside each row: `items` (the items of information named in orders to act), and
//! `median_hours_to_inform` and `median_hours_to_give_effect` as the platform published them
//! (medians of that Member State's orders: they cannot be summed or averaged across rows). A
//! median over 0 orders is no time and is left empty; a median that is no number is left empty,
//! its orders kept, and the derivation lists it.
//!
//! Real files depart from the template, and all of these are read: an extra `Category label`
//! column (TikTok); the first five cells left blank on the lines of a block (Meta: filled from the
//! line above); a `Service` cell with trailing line breaks; counts with thousands separators
//! (`"1,358"`) or written `0.0`; lines cut short of the header's width (YouTube); Greece as `EL`
//! (Eurostat's code, read as `GR`, the ISO code the other sources use). A count that is no number
//! rejects its row only (the other kind of order on the line is kept): empty is a `required`
//! reject, never 0, unless the other Member-State lines already add up to the file's total (then
//! the empty cells cannot hold an order, and the derivation says they were read as 0); `<10` is a
//! `censored_value`. Headers are matched ignoring case and spacing; a report in another
//! language's headers is refused with that said.

use std::path::Path;

use polars::prelude::*;

use super::{Long, BASE, SOURCE_COL};
use crate::error::{Error, Problem, Result, Rule};
use crate::load::readers::{self, Raw, Rows};
use crate::schema::col_names::{CASE_ID, REASON};
use crate::schema::Status;

const WHAT: &str = "a DSA harmonised transparency report's CSV (Annex I template, parts 3 to 6: \
     3_member_states_orders.csv, 4_notices.csv, 5_own_initiative_illegal.csv, 6_own_initiative_TC.csv)";
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

/// One kind of order: the cells of its count, items, and medians, and what its rows say.
struct Kind {
    count: usize,
    name: &'static str,
    items: Option<usize>,
    inform: usize,
    inform_name: &'static str,
    effect: usize,
    effect_name: &'static str,
    order_type: &'static str,
    /// The index of its count column in the rows' count names.
    from: u32,
}

/// Orders to act (cells 0-3) and to provide information (cells 4-6).
const KINDS: [Kind; 2] = [
    Kind {
        count: 0,
        name: ACT,
        items: Some(1),
        inform: 2,
        inform_name: ACT_INFORM,
        effect: 3,
        effect_name: ACT_EFFECT,
        order_type: ORDER_TO_ACT,
        from: 0,
    },
    Kind {
        count: 4,
        name: INFO,
        items: None,
        inform: 5,
        inform_name: INFO_INFORM,
        effect: 6,
        effect_name: INFO_EFFECT,
        order_type: ORDER_TO_INFORM,
        from: 1,
    },
];

/// The Member States' codes as the template writes them (Eurostat's: Greece `EL`, read as `GR`).
const MEMBER_STATES: [&str; 27] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV",
    "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

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
    // `1.000` is a thousand grouped the European way, or one: neither is read as a guess.
    if s.trim().split_once('.').is_some_and(|(_, f)| f.len() == 3) {
        return None;
    }
    number(s).filter(|n| n.fract() == 0.0 && *n >= 0.0 && *n < 1e15).map(|n| n as i64)
}

/// What is wrong with a reporting period, if anything: the template writes
/// `YYYY-MM-DD/YYYY-MM-DD`, the first day not after the last.
fn period_fault(period: &str) -> Option<String> {
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    match period.split_once('/') {
        _ if period.is_empty() => Some("the reporting period is empty".into()),
        Some((a, b)) => match (day(a), day(b)) {
            (Some(a), Some(b)) if a <= b => None,
            (Some(_), Some(_)) => Some("the reporting period ends before it starts".into()),
            _ => Some("not a reporting period as the template writes it (YYYY-MM-DD/YYYY-MM-DD)".into()),
        },
        None => Some("not a reporting period as the template writes it (YYYY-MM-DD/YYYY-MM-DD)".into()),
    }
}

/// A reporting period's first and last day as written (`2025-07-01/2025-12-31`); the text
/// alone, for the checks to reject, when it has no `/`.
fn period_days(period: &str) -> (String, Option<String>) {
    match period.split_once('/') {
        Some((s, e)) => (s.trim().to_string(), Some(e.trim().to_string())),
        None => (period.to_string(), None),
    }
}

/// Cells that are no number, left empty, as the derivation says it: how many, and the first five.
fn unread_note(what: &str, cells: &[String]) -> String {
    let some: Vec<&str> = cells.iter().take(5).map(String::as_str).collect();
    format!("; {} {what}: {}{}", cells.len(), some.join(", "), if cells.len() > 5 { ", ..." } else { "" })
}

/// One line of the file as read: its record number and its cells, blank cells filled from the
/// line above where the platform left a block's first cells blank.
struct Line {
    row: u64,
    service: String,
    period: String,
    category: String,
    /// The sub-category's description (the template's placeholder read as empty).
    description: String,
    /// Part 3's scope (`TOTAL` or a Member State); empty in the other parts.
    scope: String,
    /// The part's value cells, in the order of its layout.
    cells: Vec<String>,
}

/// Which part of the template a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// Part 3: orders from Member States (Art. 9 and 10).
    Orders,
    /// Part 4: notices (Art. 16).
    Notices,
    /// Part 5: measures at the provider's own initiative against illegal content.
    OwnInitiativeIllegal,
    /// Part 6: measures at the provider's own initiative under its terms and conditions.
    OwnInitiativeTerms,
}

impl Part {
    /// What a row counts.
    pub(crate) fn unit(self) -> &'static str {
        match self {
            Part::Orders => UNIT,
            Part::Notices => "notices (Art. 16)",
            Part::OwnInitiativeIllegal => "own-initiative measures against illegal content",
            Part::OwnInitiativeTerms => "own-initiative measures under the terms and conditions",
        }
    }

    /// The `source` value of its rows.
    pub(crate) fn source(self) -> &'static str {
        match self {
            Part::Orders => SOURCE,
            Part::Notices => {
                "DSA harmonised transparency report (Implementing Regulation (EU) 2024/2835), part 4: notices"
            }
            Part::OwnInitiativeIllegal => {
                "DSA harmonised transparency report (Implementing Regulation (EU) 2024/2835), part 5: own-initiative \
                 measures, illegal content"
            }
            Part::OwnInitiativeTerms => {
                "DSA harmonised transparency report (Implementing Regulation (EU) 2024/2835), part 6: own-initiative \
                 measures, terms and conditions"
            }
        }
    }

    /// The column naming the category.
    fn category(self) -> &'static str {
        if self == Part::OwnInitiativeTerms {
            CATEGORY_TERMS
        } else {
            CATEGORY
        }
    }

    /// The value columns read, in order.
    fn values(self) -> &'static [&'static str] {
        match self {
            Part::Orders => &[ACT, ITEMS, ACT_INFORM, ACT_EFFECT, INFO, INFO_INFORM, INFO_EFFECT],
            Part::Notices => &NOTICE_VALUES,
            Part::OwnInitiativeIllegal | Part::OwnInitiativeTerms => &MEASURE_VALUES,
        }
    }

    /// The part a header names: by the columns only it has.
    fn of(find: &dyn Fn(&str) -> Option<usize>) -> Option<Part> {
        if find(ACT).is_some() && find(SCOPE).is_some() {
            Some(Part::Orders)
        } else if find(NOTICES).is_some() {
            Some(Part::Notices)
        } else if find(MEASURES).is_some() && find(CATEGORY_TERMS).is_some() {
            Some(Part::OwnInitiativeTerms)
        } else if find(MEASURES).is_some() {
            Some(Part::OwnInitiativeIllegal)
        } else {
            None
        }
    }
}

const CATEGORY_TERMS: &str = "Category of incompatibility with the provider's terms and conditions";
const DESCRIPTION: &str = "Description of the sub-category \"Other\"";
/// The template's text in an unused "other" line, which some platforms leave in.
const PLACEHOLDER: &str = "Text to detail the \"Other\" keyword.";
const NOTICES: &str = "Number of notices received";
const MEASURES: &str = "Number of measures taken at the provider's own initiative";
/// Part 4's value columns: the notices first, then what the rows carry beside them.
const NOTICE_VALUES: [&str; 8] = [
    NOTICES,
    "Number of notices received from Trusted flaggers",
    "Number of specific items of information included in the total number of notices",
    "Median time to take action",
    "Median time to take action (Trusted Flagger notices)",
    "Number of actions taken on the basis of the law",
    "Number of actions taken on the basis of the terms and conditions of the service",
    "Number of specific items of information included in the total number of notices by Trusted Flaggers (Trusted Flagger notices)",
];
/// Part 4's columns beside the count, by value index: (name, whole number).
const NOTICE_EXTRAS: [(usize, &str, bool); 6] = [
    (1, "notices_trusted_flaggers", true),
    (2, "items", true),
    (3, "median_hours_to_action", false),
    (4, "median_hours_to_action_trusted_flaggers", false),
    (5, "actions_on_law", true),
    (6, "actions_on_terms", true),
];
/// Parts 5 and 6: the measures, those after solely automated detection, and each restriction.
const MEASURE_VALUES: [&str; 16] = [
    MEASURES,
    "Number of measures taken after detection with solely automated means",
    "Visibility restriction Removal",
    "Visibility restriction Disable",
    "Visibility restriction Demoted",
    "Visibility restriction Age restricted",
    "Visibility restriction Interaction restricted",
    "Visibility restriction Labelled",
    "Visibility restriction Other",
    "Monetary restriction Suspension",
    "Monetary restriction Termination",
    "Monetary restriction Other",
    "Provision of the service Suspension",
    "Provision of the service Termination",
    "Account restriction Suspension",
    "Account restriction Termination",
];

/// The file's text and its header: `(text, normalised headers)`.
fn open(path: &Path, file: &str) -> Result<(Vec<u8>, String)> {
    let bytes = readers::read_file(path)?;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(&bytes);
    let text = std::str::from_utf8(body)
        .map_err(|e| Error::Read {
            file: file.to_string(),
            format: WHAT.into(),
            message: format!(
                "it is not UTF-8 (byte {} of the file), which the template prescribes: save it as UTF-8",
                e.valid_up_to()
            ),
        })?
        .to_string();
    Ok((bytes, text))
}

/// Reads `path`: see the module docs. Returns the rows, their derivation and the part read.
pub(crate) fn read(path: &Path) -> Result<(Raw, String, Part)> {
    let file = path.display().to_string();
    let (bytes, text) = open(path, &file)?;
    let mut reader = csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Error::Read { file: file.clone(), format: WHAT.into(), message: e.to_string() })?
        .iter()
        .map(norm)
        .collect();
    let find = |name: &str| headers.iter().position(|h| *h == norm(name));
    let Some(part) = Part::of(&find) else {
        return Err(Error::Read {
            file,
            format: WHAT.into(),
            message: "it is none of parts 3 (orders from Member States: `Scope`, `Number of orders to act against \
                      illegal content received`), 4 (notices: `Number of notices received`), 5 or 6 (own-initiative \
                      measures: `Number of measures taken at the provider's own initiative`) of the English \
                      template; a report with translated headers is not read"
                .into(),
        });
    };
    let mut wanted: Vec<&str> = vec![SERVICE, PERIOD, part.category()];
    wanted.extend(part.values());
    let missing: Vec<&str> = wanted.iter().copied().filter(|w| find(w).is_none()).collect();
    if !missing.is_empty() {
        return Err(Error::Read {
            file,
            format: WHAT.into(),
            message: format!(
                "it reads as part {} of the template but has no column {}",
                match part {
                    Part::Orders => 3,
                    Part::Notices => 4,
                    Part::OwnInitiativeIllegal => 5,
                    Part::OwnInitiativeTerms => 6,
                },
                missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
            ),
        });
    }
    let at: Vec<usize> = wanted.iter().map(|w| find(w).unwrap_or(0)).collect();
    let (description_at, scope_at) = (find(DESCRIPTION), find(SCOPE));
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
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("").trim().to_string();
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let (mut service, mut period, mut category) = (get(Some(at[0])), get(Some(at[1])), get(Some(at[2])));
        // Meta leaves a block's first cells blank after its first line: they are the line above's
        // (the service and the period whenever blank; the category when all three are).
        if let Some((s, p, c)) = &prev {
            if service.is_empty() && period.is_empty() && category.is_empty() {
                category = c.clone();
            }
            if service.is_empty() {
                service = s.clone();
            }
            if period.is_empty() {
                period = p.clone();
            }
        }
        prev = Some((service.clone(), period.clone(), category.clone()));
        // A period the template does not allow makes the line one reject: no figure is dated wrong.
        if let Some(message) = period_fault(&period) {
            problems.push(Problem {
                file: file.clone(),
                row,
                column: PERIOD.into(),
                value: period.clone(),
                rule: Rule::InvalidDate,
                case_id: None,
                message,
            });
            continue;
        }
        let description = get(description_at);
        lines.push(Line {
            row,
            service,
            period,
            category,
            description: if norm(&description) == norm(PLACEHOLDER) { String::new() } else { description },
            scope: get(scope_at),
            cells: at[3..].iter().map(|&i| get(Some(i))).collect(),
        });
    }
    let sha256 = readers::sha256_hex(&bytes);
    if part != Part::Orders {
        let (raw, derivation) = categories(&file, part, &lines, problems, sha256)?;
        return Ok((raw, derivation, part));
    }
    let is_total = |s: &str| s.eq_ignore_ascii_case("total");
    let grand = lines.iter().find(|l| is_total(&l.category) && is_total(&l.scope));
    // Member-State lines: a scope that is no Member State's code, or a Member State given twice
    // (Greece as EL and GR is one), is a reject, before any sum, so that no total counts it.
    let mut states: Vec<&Line> = Vec::new();
    let mut seen: std::collections::HashMap<(String, String, String), u64> = std::collections::HashMap::new();
    for l in lines.iter().filter(|l| is_total(&l.category) && !is_total(&l.scope)) {
        let code = l.scope.to_uppercase();
        let code = if code == "EL" { "GR".to_string() } else { code };
        let (rule, message) = if !MEMBER_STATES.contains(&code.as_str()) {
            (Rule::InvalidCode, format!("not a Member State's two-letter code ({})", MEMBER_STATES.join(", ")))
        } else if let Some(first) = seen.get(&(l.service.clone(), l.period.clone(), code.clone())) {
            (
                Rule::DuplicateCaseId,
                format!("this Member State's total is given on row {first} too: left out, not counted twice"),
            )
        } else {
            seen.insert((l.service.clone(), l.period.clone(), code), l.row);
            states.push(l);
            continue;
        };
        problems.push(Problem {
            file: file.clone(),
            row: l.row,
            column: SCOPE.into(),
            value: l.scope.clone(),
            rule,
            case_id: None,
            message,
        });
    }
    let from_states = !states.is_empty();
    let chosen: Vec<&Line> = match (from_states, grand) {
        (true, _) => states,
        (false, Some(g)) => vec![g],
        (false, None) => {
            return Err(Error::Read {
                file,
                format: WHAT.into(),
                message: "it has no line with category TOTAL (the orders of all categories), neither for all Member \
                          States (scope TOTAL) nor for one"
                    .into(),
            })
        }
    };
    // Each cell a count: the published total, the sum of the chosen lines that give a number, and
    // the lines that give none (empty, or text).
    let total_of = |c: usize| grand.filter(|_| from_states).and_then(|g| count(&g.cells[c]));
    let sum_of = |c: usize| chosen.iter().filter_map(|l| count(&l.cells[c])).sum::<i64>();
    let empty_of = |c: usize| chosen.iter().filter(|l| l.cells[c].is_empty()).count();
    let unread_of = |c: usize| chosen.iter().filter(|l| !l.cells[c].is_empty() && count(&l.cells[c]).is_none()).count();
    // Empty cells are 0 only when the filled ones already make the file's total.
    let empty_is_zero = |c: usize| total_of(c).is_some_and(|t| t == sum_of(c)) && unread_of(c) == 0;
    let mut columns: Vec<&'static str> = vec![CASE_ID];
    columns.extend(BASE);
    columns.extend(["order_type", "items", "median_hours_to_inform", "median_hours_to_give_effect", "period_end"]);
    columns.push(SOURCE_COL);
    let mut long = Long::new(&columns, vec![ACT.to_string(), INFO.to_string()]);
    let mut unread_medians: Vec<String> = Vec::new();
    let mut greece_el = false;
    for l in &chosen {
        let (start, end) = period_days(&l.period);
        let jurisdiction = if !from_states {
            "EU".to_string()
        } else if l.scope.eq_ignore_ascii_case("EL") {
            greece_el = true;
            "GR".to_string()
        } else {
            l.scope.to_uppercase()
        };
        let service = l.service.trim().to_string();
        for kind in &KINDS {
            let text = &l.cells[kind.count];
            // A count that is no number goes to the checks as written: a reject of this row only
            // (empty: required; `<10`: censored_value), never 0.
            let (n, n_text) = match count(text) {
                Some(n) => (Some(n), n.to_string()),
                None if text.is_empty() && empty_is_zero(kind.count) => (Some(0), "0".to_string()),
                None => (None, text.clone()),
            };
            let items = kind.items.and_then(|c| match count(&l.cells[c]) {
                Some(i) => Some(i.to_string()),
                None if l.cells[c].is_empty() && empty_is_zero(c) => Some("0".into()),
                None => None,
            });
            // A median over no order is no time; one that is no number is left empty and said.
            let mut median = |c: usize, name: &str| -> Option<String> {
                let t = &l.cells[c];
                if n == Some(0) || t.is_empty() {
                    return None;
                }
                let v = number(t).map(|v| v.to_string());
                if v.is_none() {
                    unread_medians.push(format!("row {} `{name}` {t:?}", l.row));
                }
                v
            };
            let (inform, effect) = (median(kind.inform, kind.inform_name), median(kind.effect, kind.effect_name));
            long.push(
                l.row,
                kind.from,
                vec![
                    Some(format!("{service} {} {jurisdiction} {}", l.period, kind.order_type)),
                    Some(service.clone()),
                    Some(jurisdiction.clone()),
                    Some(start.clone()),
                    Some(Status::Unknown.to_string()),
                    Some(n_text),
                    Some(kind.order_type.into()),
                    items,
                    inform,
                    effect,
                    end.clone(),
                    Some(SOURCE.into()),
                ],
            );
        }
    }
    // Orders of the file's total that no Member-State line gives: one row per kind of order, so
    // that nothing the platform counted is lost and its total comes back. Only where every line
    // gave its count: a rejected row's orders are unknown, and the derivation says so.
    let mut checks: Vec<String> = Vec::new();
    if let (true, Some(g)) = (from_states, grand) {
        let (start, end) = period_days(&g.period);
        for kind in &KINDS {
            let (sum, empty, unread) = (sum_of(kind.count), empty_of(kind.count), unread_of(kind.count));
            let Some(total) = total_of(kind.count) else {
                checks
                    .push(format!("`{}`: {sum} in the Member-State lines; the TOTAL line gives no number", kind.name));
                continue;
            };
            let rejected = unread + if empty_is_zero(kind.count) { 0 } else { empty };
            let mut check = format!("`{}`: {sum} in the Member-State lines, {total} in the TOTAL line", kind.name);
            if empty > 0 && empty_is_zero(kind.count) {
                check.push_str(&format!(" ({empty} empty cell(s) read as 0, as the others already make the total)"));
            }
            if rejected > 0 {
                check.push_str(&format!(
                    "; {rejected} Member-State row(s) rejected (their orders are in no row, and the rows fall short \
                     of the total)"
                ));
            } else if total > sum {
                let items = kind.items.and_then(|c| {
                    let (t, s) = (total_of(c)?, sum_of(c));
                    (unread_of(c) == 0 && t >= s).then(|| (t - s).to_string())
                });
                long.push(
                    g.row,
                    kind.from,
                    vec![
                        Some(format!("{} {} {UNATTRIBUTED} {}", g.service.trim(), g.period, kind.order_type)),
                        Some(g.service.trim().to_string()),
                        Some(UNATTRIBUTED.into()),
                        Some(start.clone()),
                        Some(Status::Unknown.to_string()),
                        Some((total - sum).to_string()),
                        Some(kind.order_type.into()),
                        items,
                        None,
                        None,
                        end.clone(),
                        Some(SOURCE.into()),
                    ],
                );
                check.push_str(&format!(
                    "; the {} in no Member-State line are a row of their own, jurisdiction `{UNATTRIBUTED}`",
                    total - sum
                ));
            } else if total < sum {
                check.push_str(&format!(
                    "; the Member-State lines count {} more than the platform's total (its figures disagree)",
                    sum - total
                ));
            }
            checks.push(check);
        }
        if let Some(c) = KINDS[0].items {
            let (sum, total) = (sum_of(c), total_of(c));
            match total {
                Some(t) if t != sum => {
                    checks.push(format!("`{ITEMS}`: {sum} in the Member-State lines, {t} in the TOTAL line"))
                }
                _ => {}
            }
        }
    } else if from_states {
        checks.push("the file has no TOTAL line for all Member States, so the sums cannot be checked".into());
    }
    problems.sort_by_key(|p| p.row);
    let mut derivation = if from_states {
        format!(
            "rows from a DSA harmonised report's orders from Member States: each Member State's total line (category \
             TOTAL) as two rows, its orders to act against illegal content (Art. 9) and its orders to provide \
             information (Art. 10), `order_type`; the lines by category are not read (they overlap the Member-State \
             lines); {}; the template publishes no outcome of an order, so every status is unknown; medians are in \
             hours as the platform published them, not summed, and left empty over 0 orders",
            checks.join("; ")
        )
    } else {
        "rows from a DSA harmonised report's orders from Member States: the file has no Member-State lines, so its \
         TOTAL line (all Member States, jurisdiction EU) as two rows, orders to act against illegal content (Art. \
         9) and orders to provide information (Art. 10); the template publishes no outcome of an order, so every \
         status is unknown; medians are in hours as the platform published them"
            .to_string()
    };
    if greece_el {
        derivation.push_str("; Greece's EL (Eurostat's code) read as GR (ISO's, as the other sources write it)");
    }
    if !unread_medians.is_empty() {
        derivation.push_str(&unread_note(
            "median cell(s) that are no number left empty (their orders kept)",
            &unread_medians,
        ));
    }
    Ok((long.into_raw(source_raw(file, problems, sha256))?, derivation, part))
}

/// The [`Raw`] the rows are built onto: the file, the problems of lines not read, its hash.
fn source_raw(file: String, problems: Vec<Problem>, sha256: String) -> Raw {
    Raw {
        source: file,
        frame: DataFrame::empty(),
        rows: Rows::Sequential,
        rows_read: 0,
        blank_rows: 0,
        problems,
        sha256: Some(sha256),
        count_columns: None,
    }
}

/// Parts 5 and 6's restriction columns as row columns (by value index from 2).
const RESTRICTION_NAMES: [&str; 14] = [
    "removal",
    "disable",
    "demoted",
    "age_restricted",
    "interaction_restricted",
    "labelled",
    "visibility_other",
    "monetary_suspension",
    "monetary_termination",
    "monetary_other",
    "service_suspension",
    "service_termination",
    "account_suspension",
    "account_termination",
];

/// A cell of a count: empty, a count, or text that is none.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cell {
    Empty,
    Count(i64),
    Text,
}

fn cell(text: &str) -> Cell {
    match count(text) {
        Some(n) => Cell::Count(n),
        None if text.is_empty() => Cell::Empty,
        None => Cell::Text,
    }
}

/// The `reason` of the notices or measures of a file's total that no category line gives.
pub(crate) const NO_CATEGORY: &str = "(no category given)";
/// The `subcategory` of a category's notices or measures that none of its sub-category lines gives.
pub(crate) const NO_SUBCATEGORY: &str = "(no sub-category given)";

/// One row of parts 4 to 6: its line (none for a residual row), reason, subcategory, count (as
/// text: a number, or the cell as written for the checks to reject) and, for a residual row,
/// its columns beside the count.
struct CatRow<'l> {
    line: Option<&'l Line>,
    reason: String,
    sub: Option<String>,
    count: String,
    extras: Option<Vec<Option<String>>>,
}

/// Parts 4 to 6: one row per category, or per sub-category where a category's sub-category lines
/// account for it (see the module docs).
fn categories<'a>(
    file: &str,
    part: Part,
    lines: &'a [Line],
    mut problems: Vec<Problem>,
    sha256: String,
) -> Result<(Raw, String)> {
    let is_total = |s: &str| s.eq_ignore_ascii_case("total");
    let main = |l: &Line| cell(&l.cells[0]);
    let as_count = |l: &Line| count(&l.cells[0]).map_or_else(|| l.cells[0].clone(), |n| n.to_string());
    let mut notes: Vec<String> = Vec::new();
    // A line that repeats an earlier one (same service, period, category, description; an
    // "other" line under the same category) is left out: counted twice it would inflate every total.
    let mut seen: std::collections::HashMap<(String, String, String, String, String), u64> =
        std::collections::HashMap::new();
    let mut parent = String::new();
    let mut kept: Vec<&'a Line> = Vec::new();
    for l in lines {
        if l.category.to_uppercase().starts_with("STATEMENT_CATEGORY") || is_total(&l.category) {
            parent = l.category.clone();
        }
        // A sub-category code names its category, except "other" lines, which every category has.
        let under = if l.category.to_uppercase().starts_with("KEYWORD_OTHER") { parent.clone() } else { String::new() };
        let key = (l.service.clone(), l.period.clone(), under, l.category.clone(), l.description.clone());
        if let Some(first) = seen.get(&key) {
            problems.push(Problem {
                file: file.to_string(),
                row: l.row,
                column: part.category().into(),
                value: l.category.clone(),
                rule: Rule::DuplicateCaseId,
                case_id: None,
                message: format!(
                    "this line repeats row {first} (same service, period, category and description): left out, not \
                     counted twice"
                ),
            });
            continue;
        }
        seen.insert(key, l.row);
        kept.push(l);
    }
    // Category lines, each with the sub-category lines under it (in file order); sub-category
    // lines before any category are under none.
    let mut blocks: Vec<(&'a Line, Vec<&'a Line>)> = Vec::new();
    let mut orphans: Vec<&'a Line> = Vec::new();
    for l in kept.iter().copied().filter(|l| !is_total(&l.category)) {
        if l.category.to_uppercase().starts_with("STATEMENT_CATEGORY") {
            blocks.push((l, Vec::new()));
        } else if let Some((_, keys)) = blocks.last_mut() {
            keys.push(l);
        } else {
            orphans.push(l);
        }
    }
    let total_line = kept.iter().copied().find(|l| is_total(&l.category));
    let mut out: Vec<CatRow<'a>> = Vec::new();
    let (mut category_sum, mut unread) = (0i64, 0usize);
    let mut residual_subs: Vec<String> = Vec::new();
    let line_row = |l: &'a Line, reason: &str, sub: Option<&str>| CatRow {
        line: Some(l),
        reason: reason.to_string(),
        sub: sub.map(String::from),
        count: as_count(l),
        extras: None,
    };
    for (head, keys) in &blocks {
        let filled: Vec<(&'a Line, Cell)> =
            keys.iter().map(|k| (*k, main(k))).filter(|(_, c)| *c != Cell::Empty).collect();
        let key_text = filled.iter().any(|(_, c)| *c == Cell::Text);
        let key_sum: i64 =
            filled.iter().filter_map(|(_, c)| if let Cell::Count(n) = c { Some(*n) } else { None }).sum();
        let cat = head.category.as_str();
        match main(head) {
            Cell::Text => {
                // Its own count is rejected (its row only); its sub-category lines, when they are
                // numbers, are still read.
                out.push(line_row(head, cat, None));
                unread += 1;
                if !filled.is_empty() && !key_text {
                    out.extend(filled.iter().map(|(k, _)| line_row(k, cat, Some(k.category.as_str()))));
                    category_sum += key_sum;
                    notes.push(format!("{cat}'s own count is no number (rejected): its sub-category lines are read"));
                }
            }
            Cell::Empty if filled.is_empty() => {}
            Cell::Empty => {
                // No figure for the category, figures for its sub-categories: they are its rows.
                out.extend(filled.iter().map(|(k, _)| line_row(k, cat, Some(k.category.as_str()))));
                category_sum += key_sum;
                unread += filled.iter().filter(|(_, c)| *c == Cell::Text).count();
            }
            Cell::Count(v) => {
                category_sum += v;
                // The first sub-category lines that make the category exactly (a platform may put
                // an unmapped "other" line after the last block: it is under no category).
                let mut running = 0i64;
                let prefix = if key_text {
                    None
                } else {
                    filled.iter().position(|(_, c)| {
                        running += if let Cell::Count(n) = c { *n } else { 0 };
                        running == v
                    })
                };
                if !filled.is_empty() && !key_text && key_sum <= v {
                    out.extend(filled.iter().map(|(k, _)| line_row(k, cat, Some(k.category.as_str()))));
                    if v > key_sum {
                        residual_subs.push(format!("{cat} {}", v - key_sum));
                        out.push(CatRow {
                            line: None,
                            reason: cat.to_string(),
                            sub: Some(NO_SUBCATEGORY.into()),
                            count: (v - key_sum).to_string(),
                            extras: None,
                        });
                    }
                } else if let (Some(last), true) = (prefix, key_sum > v) {
                    out.extend(filled[..=last].iter().map(|(k, _)| line_row(k, cat, Some(k.category.as_str()))));
                    let rest: Vec<&'a Line> = filled[last + 1..].iter().map(|(k, _)| *k).collect();
                    notes.push(format!(
                        "{cat}'s first {} sub-category line(s) make its {v}: the {} after them (row(s) {}) are read as \
                         under no category",
                        last + 1,
                        rest.len(),
                        rest.iter().map(|l| l.row.to_string()).collect::<Vec<_>>().join(", ")
                    ));
                    orphans.extend(rest);
                } else {
                    out.push(line_row(head, cat, None));
                    if key_sum > v || key_text {
                        notes.push(format!(
                            "{cat}'s sub-category lines {}: read as one row",
                            if key_text {
                                "include a count that is no number".to_string()
                            } else {
                                format!("sum to {key_sum}, more than its {v}")
                            }
                        ));
                    }
                }
            }
        }
    }
    // Lines under no category: each a row of its own.
    for l in &orphans {
        match main(l) {
            Cell::Empty => {}
            Cell::Count(n) => {
                category_sum += n;
                out.push(line_row(l, NO_CATEGORY, Some(l.category.as_str())));
            }
            Cell::Text => {
                unread += 1;
                out.push(line_row(l, NO_CATEGORY, Some(l.category.as_str())));
            }
        }
    }
    if !residual_subs.is_empty() {
        notes.push(format!(
            "what a category's sub-category lines do not give is a row with subcategory `{NO_SUBCATEGORY}`: {}",
            residual_subs.join(", ")
        ));
    }
    // Platforms' own labels: a terrorist-content line described as another offence is said.
    for l in &kept {
        let d = l.description.to_lowercase();
        if l.category.eq_ignore_ascii_case("KEYWORD_TERRORIST_CONTENT") && !d.is_empty() && !d.contains("terror") {
            notes.push(format!(
                "the KEYWORD_TERRORIST_CONTENT line (row {}) is described by the platform as {:?}, which names no \
                 terrorism: its label may be wrong (the rows keep the code and the description as published)",
                l.row, l.description
            ));
        }
    }
    let extras: Vec<(usize, &str, bool)> = match part {
        Part::Notices => NOTICE_EXTRAS.to_vec(),
        _ => std::iter::once((1usize, "measures_solely_automated", true))
            .chain(RESTRICTION_NAMES.iter().enumerate().map(|(i, n)| (i + 2, *n, true)))
            .collect(),
    };
    let period_line = total_line.or(blocks.first().map(|(h, _)| *h)).or(orphans.first().copied());
    match total_line.map(main) {
        Some(Cell::Count(_)) if out.is_empty() => {
            out.push(line_row(total_line.expect("matched"), "TOTAL", None));
            notes.push("no category line gives a number: the TOTAL line is the one row".into());
        }
        Some(Cell::Count(t)) => {
            if unread > 0 {
                notes.push(format!(
                    "{category_sum} in the category rows read, {t} in the TOTAL line: {unread} row(s) rejected, so \
                     the rows fall short"
                ));
            } else if t > category_sum {
                // The residual's columns: the TOTAL line's less the rows', where every row gives one.
                let t_line = total_line.expect("matched");
                let residual: Vec<Option<String>> = extras
                    .iter()
                    .map(|(i, _, whole)| {
                        if !whole {
                            return None;
                        }
                        let total = count(&t_line.cells[*i])?;
                        let mut sum = 0i64;
                        for r in &out {
                            sum += count(&r.line?.cells[*i])?;
                        }
                        (total >= sum).then(|| (total - sum).to_string())
                    })
                    .collect();
                out.push(CatRow {
                    line: None,
                    reason: NO_CATEGORY.into(),
                    sub: None,
                    count: (t - category_sum).to_string(),
                    extras: Some(residual),
                });
                notes.push(format!(
                    "{category_sum} in the category lines, {t} in the TOTAL line: the {} in no category line are a row \
                     of their own, reason `{NO_CATEGORY}`",
                    t - category_sum
                ));
            } else if t < category_sum {
                notes.push(format!(
                    "the category lines count {category_sum}, more than the TOTAL line's {t} (the platform's figures \
                     disagree)"
                ));
            } else {
                notes.push(format!("the category lines sum to the TOTAL line's {t}"));
            }
        }
        Some(_) => notes.push("the TOTAL line gives no number, so the sums cannot be checked".into()),
        None => notes.push("the file has no TOTAL line, so the sums cannot be checked".into()),
    }
    if out.is_empty() {
        return Err(Error::Read {
            file: file.to_string(),
            format: WHAT.into(),
            message: format!(
                "the platform filled no line of part {} (every count is empty): there is nothing to read",
                if part == Part::Notices {
                    4
                } else if part == Part::OwnInitiativeIllegal {
                    5
                } else {
                    6
                }
            ),
        });
    }
    // The TOTAL line's columns beside the count that the rows do not add up to (a platform may
    // give its actions or a kind of restriction on the TOTAL line only): said, as no row has them.
    if let Some(t) = total_line {
        let mut said = Vec::new();
        for (i, name, whole) in &extras {
            let Some(total) = count(&t.cells[*i]).filter(|_| *whole) else { continue };
            let sum: i64 = out
                .iter()
                .filter_map(|r| match (&r.extras, r.line) {
                    (Some(e), _) => e[extras.iter().position(|x| x.1 == *name)?].as_deref().and_then(count),
                    (None, Some(l)) => count(&l.cells[*i]),
                    _ => None,
                })
                .sum();
            if sum != total {
                said.push(format!("`{name}` {total} (the rows give {sum})"));
            }
        }
        if !said.is_empty() {
            notes.push(format!("the TOTAL line's {}", said.join(", ")));
        }
    }
    let status = Status::Unknown;
    let mut columns: Vec<&'static str> = vec![CASE_ID];
    columns.extend(BASE);
    columns.extend([REASON, "subcategory", "subcategory_description"]);
    let extra_names: Vec<&'static str> = extras.iter().map(|(_, n, _)| *n).collect();
    columns.extend(extra_names);
    columns.extend(["period_end", SOURCE_COL]);
    let mut long = Long::new(&columns, vec![part.values()[0].to_string()]);
    let mut unread_numbers: Vec<String> = Vec::new();
    let row_of_total = period_line.map_or(1, |l| l.row);
    for r in out {
        let basis = r.line.or(period_line);
        let (service, period) =
            basis.map_or((String::new(), String::new()), |l| (l.service.trim().to_string(), l.period.clone()));
        let (start, end) = period_days(&period);
        let zero = count(&r.count) == Some(0);
        let description = r.line.map(|l| l.description.clone()).filter(|d| !d.is_empty());
        let case_id = format!(
            "{service} {period} {} {} {}",
            r.reason,
            r.sub.as_deref().unwrap_or("-"),
            description.as_deref().unwrap_or("")
        );
        let mut values: Vec<Option<String>> = vec![
            Some(case_id.trim_end().to_string()),
            Some(service),
            Some("EU".into()),
            Some(start),
            Some(status.to_string()),
            Some(r.count),
            Some(r.reason),
            r.sub,
            description,
        ];
        for (k, (i, _, whole)) in extras.iter().enumerate() {
            let v = match (&r.extras, r.line) {
                (Some(e), _) => e[k].clone(),
                (None, Some(l)) => {
                    let t = &l.cells[*i];
                    if t.is_empty() || (!whole && zero) {
                        None
                    } else {
                        let v = if *whole { count(t).map(|c| c.to_string()) } else { number(t).map(|x| x.to_string()) };
                        if v.is_none() {
                            unread_numbers.push(format!("row {} `{}` {t:?}", l.row, part.values()[*i]));
                        }
                        v
                    }
                }
                (None, None) => None,
            };
            values.push(v);
        }
        values.push(end);
        values.push(Some(part.source().into()));
        long.push(r.line.map_or(row_of_total, |l| l.row), 0, values);
    }
    let what = match part {
        Part::Notices => {
            "rows from a DSA harmonised report's notices (part 4): notices received (`count`) per category, or per \
             sub-category where the category's sub-category lines account for its notices; the category and \
             sub-category lines overlap, so only one level of each is a row; the notices' outcomes are not \
             published (actions are counted per item, not per notice, and can exceed the notices), so every status is \
             unknown and the actions are columns (`actions_on_law`, `actions_on_terms`) beside the row that published \
             them; medians are in hours, not summed, and left empty over 0 notices"
        }
        _ => {
            "rows from a DSA harmonised report's own-initiative measures (parts 5 and 6): measures (`count`) per \
             category, or per sub-category where the category's sub-category lines account for its measures; each \
             measure is a restriction the platform imposed (actions only: no rate applies), of kinds given as columns \
             (removal, disable, demoted ... account termination; a measure may be of several), so the status, one \
             outcome per row, is unknown; the measures after solely automated detection are a column too"
        }
    };
    let mut derivation = format!("{what}; {}", notes.join("; "));
    if !unread_numbers.is_empty() {
        derivation.push_str(&unread_note(
            "cell(s) beside the count that are no number left empty (their rows kept)",
            &unread_numbers,
        ));
    }
    problems.sort_by_key(|p| p.row);
    Ok((long.into_raw(source_raw(file.to_string(), problems, sha256))?, derivation))
}

/// Every extra column a part gives, with whether it is whole (else hours).
fn numeric_columns() -> Vec<(&'static str, bool)> {
    let mut v: Vec<(&str, bool)> = NUMERIC.to_vec();
    v.extend(NOTICE_EXTRAS.iter().map(|(_, n, w)| (*n, *w)).filter(|(n, _)| !NUMERIC.iter().any(|(m, _)| m == n)));
    v.push(("measures_solely_automated", true));
    v.extend(RESTRICTION_NAMES.iter().map(|n| (*n, true)));
    v
}

/// The extra columns as numbers: `items` whole, the medians in hours.
pub(crate) fn numeric(frame: DataFrame) -> Result<DataFrame> {
    let casts: Vec<Expr> = numeric_columns()
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
        assert_eq!(norm("Contextual information on  Number\nof orders "), "contextual information on number of orders");
    }
}
