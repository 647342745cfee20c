//! Date columns (`reported_at`, `actioned_at`).

use polars::prelude::*;

use super::text::trimmed;
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
            // Text: parsed in runs of rows in parallel (each value on its own), the runs' values
            // and problems put back together in row order.
            use rayon::prelude::*;
            const RUN: usize = 1 << 16;
            let text = crate::schema::text_of(col)?;
            let n = text.len();
            let runs: Vec<(Vec<Option<i64>>, Found)> = (0..n.div_ceil(RUN))
                .into_par_iter()
                .map(|r| {
                    let start = r * RUN;
                    let run = text.slice(start as i64, RUN.min(n - start));
                    let mut found = Vec::new();
                    let values = run
                        .iter()
                        .enumerate()
                        .map(|(j, v)| parse_text(start + j, v, order, ctx, name, required, &mut found))
                        .collect();
                    (values, found)
                })
                .collect();
            let out: Int64Chunked = runs.iter().flat_map(|(v, _)| v.iter().copied()).collect();
            let mut found: Found = runs.into_iter().flat_map(|(_, f)| f).collect();
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

/// Row `i`'s text date `v` as microseconds, or its problem pushed to `found`.
fn parse_text(
    i: usize,
    v: Option<&str>,
    order: DateOrder,
    ctx: &Ctx,
    name: &str,
    required: Option<&str>,
    found: &mut Found,
) -> Option<i64> {
    let in_range = |us: i64| (MIN_MICROS..MAX_MICROS).contains(&us);
    match trimmed(v) {
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
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::readers::Rows;

    #[test]
    fn text_dates_parsed_in_parallel_runs_equal_a_pass_in_row_order() {
        // Over three runs of rows, with problems of every kind on both sides of each boundary.
        let values: Vec<Option<String>> = (0..150_000usize)
            .map(|i| match i % 7919 {
                0 => None,
                1 => Some("31/02/2025".into()),
                2 => Some("junk".into()),
                3 => Some("1850-01-01".into()),
                _ => Some(format!("2025-{:02}-{:02}T{:02}:30:00Z", i % 12 + 1, i % 28 + 1, i % 24)),
            })
            .chain([65_535, 65_536, 131_071].iter().map(|_| Some("32/13/2025".to_string())))
            .collect();
        let ca: StringChunked = values.iter().map(|v| v.as_deref()).collect();
        let rows = Rows::Sequential;
        let ctx = Ctx { file: "f", rows: &rows, thousands: None };
        let col = ca.into_column();
        let (got, got_found) =
            date_column(&col, DateOrder::DayFirst, &ctx, "reported_at", Some("reported_at")).unwrap();
        let mut want_found = Vec::new();
        let want: Vec<Option<i64>> = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                parse_text(
                    i,
                    v.as_deref(),
                    DateOrder::DayFirst,
                    &ctx,
                    "reported_at",
                    Some("reported_at"),
                    &mut want_found,
                )
            })
            .collect();
        assert_eq!(got.iter().collect::<Vec<_>>(), want);
        let key = |f: &Found| f.iter().map(|(i, p)| (*i, p.rule, p.value.clone())).collect::<Vec<_>>();
        assert_eq!(key(&got_found), key(&want_found));
        assert!(got_found.len() > 70, "{}", got_found.len());
        assert!(got_found.windows(2).all(|w| w[0].0 <= w[1].0), "problems in row order");
    }
}
