//! Entry points for the fuzz targets in `fuzz/` and for the test that replays their corpus
//! (`tests/fuzz_replay.rs`). Each runs one stage of loading on arbitrary input and returns what it
//! found; none may panic, whatever the input. Not part of the supported API.

use polars::prelude::*;

use crate::dates::{parse_datetime, DateOrder};
use crate::error::Result;
use crate::labels::{normalize_label, Vocabulary};
use crate::load::{LoadOptions, OnInvalid};
use crate::Cases;

/// Reads `data` as a CSV file and validates it in quarantine mode; then runs every analytic that
/// the loaded cases allow. Errors are fine; panics are not.
pub fn csv(data: &[u8]) -> Result<Cases> {
    let opts = LoadOptions { on_invalid: OnInvalid::Quarantine, required: None, ..LoadOptions::default() };
    let cases = Cases::read_csv_bytes(data, "<fuzz>", &opts)?;
    analyse(&cases);
    Ok(cases)
}

/// Reads `data` as NDJSON in quarantine mode, then runs the analytics.
pub fn ndjson(data: &[u8]) -> Result<Cases> {
    let opts = LoadOptions { on_invalid: OnInvalid::Quarantine, required: None, ..LoadOptions::default() };
    let cases = Cases::read_ndjson_bytes(data, "<fuzz>", &opts)?;
    analyse(&cases);
    Ok(cases)
}

/// Parses `s` as a date in each order; also checks that a parsed value maps back to a calendar
/// date without panicking.
pub fn date(s: &str) -> [std::result::Result<i64, crate::Rule>; 3] {
    let out = [DateOrder::Auto, DateOrder::DayFirst, DateOrder::MonthFirst].map(|o| parse_datetime(s, o));
    for us in out.iter().flatten() {
        let _ = crate::dates::checked_date_of(*us);
    }
    out
}

/// Folds `s` as a label and looks it up in every vocabulary. Folding must be idempotent.
pub fn label(s: &str) -> String {
    let folded = normalize_label(s);
    assert_eq!(normalize_label(&folded), folded, "normalize_label is not idempotent on {s:?}");
    let v = Vocabulary::default();
    let _ = (v.status(s), v.platform(s), v.group(s), crate::schema::account_key(s));
    folded
}

/// Validates a frame built from `data`: the bytes are split into up to 14 text columns named as
/// the canonical ones, so every rule sees arbitrary values. Then runs the analytics.
pub fn frame(data: &[u8]) -> Result<Cases> {
    let text = String::from_utf8_lossy(data);
    let names = crate::schema::INPUT_COLUMNS;
    let mut cols: Vec<Vec<Option<String>>> = vec![Vec::new(); names.len()];
    for line in text.lines() {
        let mut fields = line.split('\u{1f}');
        for c in cols.iter_mut() {
            c.push(fields.next().filter(|f| !f.is_empty()).map(str::to_string));
        }
    }
    let height = cols[0].len();
    let columns = names.iter().zip(cols).map(|(n, v)| Column::new((*n).into(), v)).collect();
    let df = DataFrame::new(height, columns)?;
    let opts = LoadOptions { on_invalid: OnInvalid::Quarantine, required: None, ..LoadOptions::default() };
    let cases = Cases::from_frame(df, &opts)?;
    analyse(&cases);
    Ok(cases)
}

/// Every analytic with its default definition; errors are expected on odd data, panics are not.
fn analyse(cases: &Cases) {
    use crate::{ComplianceSpec, CrossValue, ReachSpec, SurvivalSpec, TrendSpec};
    let _ = cases.compliance(&["platform"], &ComplianceSpec::default());
    let _ = cases.reach(&["group"], &ReachSpec::default());
    let _ = cases.trend(&[], &TrendSpec::default());
    let _ = cases.crosstab("group", "platform", CrossValue::Cases, &ComplianceSpec::default(), &ReachSpec::default());
    let _ = cases.time_to_action(&["platform"], &SurvivalSpec::default());
    if let Ok(s) = cases.summary() {
        let _ = s.headline();
    }
    let _ = format!("{}", cases.frame());
}
