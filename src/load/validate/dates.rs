//! Date columns (`reported_at`, `actioned_at`).

use polars::prelude::*;

use super::text::{as_text, trimmed};
use super::{Checked, Ctx, Found, Input};
use crate::dates::{parse_datetime, DateOrder, MAX_MICROS, MICROS_PER_DAY, MIN_MICROS};
use crate::error::{Result, Rule};

pub(super) const DATE_RANGE: &str =
    "outside the accepted range, 1900-01-01 to 2199-12-31: check the year, and for numbers the unit";

/// Parses a date column to microseconds since the epoch: Date and Datetime dtypes directly (zoned
/// values are already UTC instants), strings with [`parse_datetime`]. Checks `required` and the
/// range ([`MIN_MICROS`], [`MAX_MICROS`]).
pub(super) fn date_column(
    col: &Column,
    order: DateOrder,
    ctx: &Ctx,
    name: &str,
    required: Option<&str>,
) -> Result<(Int64Chunked, Found)> {
    let mut found = Vec::new();
    let in_range = |us: i64| (MIN_MICROS..MAX_MICROS).contains(&us);
    let out: Int64Chunked = match col.dtype() {
        dt @ (DataType::Date | DataType::Datetime(_, _)) => {
            // Microseconds per stored unit; nanoseconds are divided instead.
            let (per, unit) = match dt {
                DataType::Date => (MICROS_PER_DAY, "days"),
                DataType::Datetime(TimeUnit::Milliseconds, _) => (1000, "milliseconds"),
                DataType::Datetime(TimeUnit::Microseconds, _) => (1, "microseconds"),
                _ => (0, "nanoseconds"),
            };
            let phys = col.to_physical_repr().cast(&DataType::Int64)?;
            let ca = phys.i64()?;
            let to_us = |v: i64| if per == 0 { Some(v.div_euclid(1000)) } else { v.checked_mul(per) };
            let ok = |v: Option<i64>| v.and_then(to_us).is_some_and(in_range);
            if ca.null_count() == ca.len() || (ok(ca.min()) && ok(ca.max())) {
                match per {
                    0 => ca.apply_values(|v| v.div_euclid(1000)),
                    1 => ca.clone(),
                    _ => ca * per,
                }
            } else {
                ca.iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let v = v?;
                        let us = to_us(v).filter(|u| in_range(*u));
                        if us.is_none() {
                            found.push(ctx.problem(
                                i,
                                name,
                                &format!("{v} {unit} since 1970-01-01"),
                                Rule::DateOutOfRange,
                                DATE_RANGE.into(),
                            ));
                        }
                        us
                    })
                    .collect()
            }
        }
        _ => {
            let text = as_text(col)?;
            let out = text
                .iter()
                .enumerate()
                .map(|(i, v)| match trimmed(v) {
                    None => {
                        if let Some(c) = required {
                            found.push(ctx.problem(i, name, "", Rule::Required, format!("`{c}` is required and empty")));
                        }
                        None
                    }
                    Some(s) => match parse_datetime(s, order) {
                        Ok(us) if in_range(us) => Some(us),
                        Ok(_) => {
                            found.push(ctx.problem(i, name, s, Rule::DateOutOfRange, DATE_RANGE.into()));
                            None
                        }
                        Err(rule) => {
                            let message = if rule == Rule::AmbiguousDate {
                                "day and month could each be either; set date_order to day-first or month-first".to_string()
                            } else if rule == Rule::ImpossibleDate {
                                "not a day on the calendar (such as 31 February, or month 13): check the day and month, and \
                                 date_order for dd/mm against mm/dd"
                                    .to_string()
                            } else {
                                "not a date in an accepted form (ISO 2025-03-14[T09:30[:00][Z|+05:00]], or dd/mm/yyyy or mm/dd/yyyy with date_order)".to_string()
                            };
                            found.push(ctx.problem(i, name, s, rule, message));
                            None
                        }
                    },
                })
                .collect();
            found.sort_by_key(|(i, p)| (*i, p.rule != Rule::Required));
            return Ok((out, found));
        }
    };
    if let Some(c) = required {
        if out.null_count() > 0 {
            let flagged: Vec<usize> = found.iter().map(|(i, _)| *i).collect();
            let mut flagged = flagged.into_iter().peekable();
            for (i, v) in out.iter().enumerate() {
                while flagged.peek().is_some_and(|f| *f < i) {
                    flagged.next();
                }
                if v.is_none() && flagged.peek() != Some(&i) {
                    found.push(ctx.problem(i, name, "", Rule::Required, format!("`{c}` is required and empty")));
                }
            }
            found.sort_by_key(|(i, _)| *i);
        }
    }
    Ok((out, found))
}

/// A date column as microseconds since the epoch (Int64, named `canonical`), with `required`
/// problems when the column is required.
pub(super) fn date(
    input: Input,
    canonical: &'static str,
    order: DateOrder,
    required: bool,
    ctx: &Ctx,
) -> Result<Checked> {
    let Some((name, col)) = input else { return Ok(Checked::none()) };
    let (v, found) = date_column(col, order, ctx, name, required.then_some(canonical))?;
    Ok(Checked::of(v.with_name(canonical.into()).into_column(), found))
}
