//! Whole-number columns (`followers`, `count`) and the totals their sums must fit in.

use polars::prelude::*;

use super::text::trimmed;
use super::{Checked, Ctx, Found, Input};
use crate::error::{Result, Rule};
use crate::schema::col_names::{COUNT, FOLLOWERS};

/// The largest `followers` accepted: 10^10, more than there are people.
pub const MAX_FOLLOWERS: i64 = 10_000_000_000;
/// The largest `count` accepted: 10^12 requests in one row.
pub const MAX_COUNT: i64 = 1_000_000_000_000;

/// How a whole-number column is read: the largest value it can hold, and whether NaN means
/// missing (pandas writes a column of integers with gaps as floats with NaN; true for `followers`,
/// not for `count`, where every row must say how many requests it stands for).
pub(super) struct IntRule {
    max: i64,
    nan_is_missing: bool,
}

/// Parses a whole-number column. Integers pass; floats with no fraction pass (pandas writes a
/// column of integers with gaps as floats); strings are parsed the same way. A value over
/// `rule.max` is `value_too_large`; NaN is missing or `invalid_integer` as `rule` says.
pub(super) fn int_column(col: &Column, ctx: &Ctx, name: &str, rule: &IntRule) -> Result<(Int64Chunked, Found)> {
    let mut found = Vec::new();
    let msg = "not a whole number";
    let out: Int64Chunked = match col.dtype() {
        dt if dt.is_integer() => {
            let cast = col.cast(&DataType::Int64)?;
            let ca = cast.i64()?.clone();
            if ca.null_count() != col.null_count() {
                // Only UInt64 values above i64::MAX turn null in the cast.
                let raw = col.as_materialized_series();
                for (i, v) in ca.iter().enumerate() {
                    if v.is_none() && !raw.get(i).map(|a| a.is_null()).unwrap_or(true) {
                        found.push(ctx.problem(
                            i,
                            name,
                            &value_text(col, i),
                            Rule::ValueTooLarge,
                            format!("over the largest accepted value, {}", rule.max),
                        ));
                    }
                }
            }
            ca
        }
        DataType::Float32 | DataType::Float64 => {
            let cast = col.cast(&DataType::Float64)?;
            cast.f64()?
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    None => None,
                    Some(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
                    Some(f) if f.is_nan() && rule.nan_is_missing => None,
                    Some(f) => {
                        found.push(ctx.problem(i, name, &f.to_string(), Rule::InvalidInteger, msg.into()));
                        None
                    }
                })
                .collect()
        }
        _ => {
            let text = crate::schema::text_of(col)?;
            text.iter()
                .enumerate()
                .map(|(i, v)| match trimmed(v) {
                    None => None,
                    Some(s) if censored(s) => {
                        found.push(ctx.problem(
                            i,
                            name,
                            s,
                            Rule::CensoredValue,
                            format!("withheld by the publisher ({s}): the row is left out of every number, not read as 0 or as the bound"),
                        ));
                        None
                    }
                    Some(s) => match parse_int(&without_thousands(s, ctx.thousands)) {
                        Ok(x) => Some(x),
                        Err(Rule::ValueTooLarge) => {
                            found.push(ctx.problem(
                                i,
                                name,
                                s,
                                Rule::ValueTooLarge,
                                format!("over the largest accepted value, {}", rule.max),
                            ));
                            None
                        }
                        Err(r) => {
                            let hint = if s.contains([',', '.', ' ']) && ctx.thousands.is_none() {
                                "; if it groups thousands (12,000 or 12.000), set thousands"
                            } else {
                                ""
                            };
                            found.push(ctx.problem(i, name, s, r, format!("{msg}{hint}")));
                            None
                        }
                    },
                })
                .collect()
        }
    };
    if out.max().is_some_and(|m| m > rule.max) {
        for (i, v) in out.iter().enumerate() {
            if v.is_some_and(|v| v > rule.max) {
                found.push(ctx.problem(
                    i,
                    name,
                    &value_text(col, i),
                    Rule::ValueTooLarge,
                    format!("over the largest accepted value, {}", rule.max),
                ));
            }
        }
        found.sort_by_key(|(i, _)| *i);
        let out: Int64Chunked = out.iter().map(|v| v.filter(|v| *v <= rule.max)).collect();
        return Ok((out.with_name(name.into()), found));
    }
    Ok((out.with_name(name.into()), found))
}

/// A value a publisher writes for a number it withheld: `?`, or a bound such as `<10`, `> 1,000`,
/// `≤5`.
pub(crate) fn censored(s: &str) -> bool {
    let s = s.trim();
    if s == "?" {
        return true;
    }
    let Some(rest) = s.strip_prefix(['<', '>', '≤', '≥']) else { return false };
    let rest = rest.trim_start_matches('=').trim();
    !rest.is_empty()
        && rest.bytes().all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
        && rest.as_bytes()[0].is_ascii_digit()
}

/// `s` without its thousands separators when they group the digits by three (`12,000`,
/// `-1.234.567`); otherwise `s` as it is, for the parse to judge.
pub(super) fn without_thousands(s: &str, sep: Option<char>) -> std::borrow::Cow<'_, str> {
    let Some(sep) = sep.filter(|c| s.contains(*c)) else { return s.into() };
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let groups: Vec<&str> = body.split(sep).collect();
    let digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    let grouped = groups[0].len() <= 3 && digits(groups[0]) && groups[1..].iter().all(|g| g.len() == 3 && digits(g));
    if grouped {
        let sign = &s[..s.len() - body.len()];
        format!("{sign}{}", groups.concat()).into()
    } else {
        s.into()
    }
}

/// A whole number written as text: `7`, `+7`, `7.0`. Digits beyond what 64 bits hold are
/// `value_too_large` (a number, just too big), anything else that is no whole number
/// `invalid_integer`.
pub(super) fn parse_int(s: &str) -> std::result::Result<i64, Rule> {
    let s = s.strip_prefix('+').unwrap_or(s);
    if let Ok(v) = s.parse::<i64>() {
        return Ok(v);
    }
    let digits = s.strip_prefix('-').unwrap_or(s);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Rule::ValueTooLarge);
    }
    // `12.000` is twelve thousand where `.` groups digits: with three digits after the point it is
    // no float a program writes (pandas writes `12.0`), so it is refused rather than read as 12.
    if let Some((int, frac)) = digits.split_once('.') {
        if frac.len() == 3
            && !int.is_empty()
            && int.len() <= 3
            && (int.bytes().chain(frac.bytes())).all(|b| b.is_ascii_digit())
        {
            return Err(Rule::InvalidInteger);
        }
    }
    let f: f64 = s.parse().map_err(|_| Rule::InvalidInteger)?;
    if s.contains(['e', 'E', 'i', 'n', 'N']) || !f.is_finite() || f.fract() != 0.0 {
        return Err(Rule::InvalidInteger);
    }
    if f.abs() >= 9.0e15 {
        return Err(Rule::ValueTooLarge);
    }
    Ok(f as i64)
}

/// A value of any dtype as text for a problem report.
pub(super) fn value_text(col: &Column, i: usize) -> String {
    match col.get(i) {
        Ok(AnyValue::String(s)) => s.to_string(),
        // A column of one value (a one-row file) gives its value owned: text, not quoted.
        Ok(AnyValue::StringOwned(s)) => s.to_string(),
        Ok(AnyValue::Null) => String::new(),
        Ok(v) => v.to_string(),
        Err(_) => String::new(),
    }
}

/// Rejects the rows that would push a total past `i64::MAX`: of `count` (requests), of
/// `followers`, and of followers × count (the undeduplicated reach). Values on accepted rows are
/// at least 0, so every sum an analytic takes is at most one of these totals and none can wrap.
pub(super) fn totals(
    count: Option<&Int64Chunked>,
    followers: Option<&Int64Chunked>,
    bad: &[bool],
    ctx: &Ctx,
    names: (&str, &str),
) -> Found {
    let n = bad.len() as i128;
    let max_c = count.and_then(|c| c.max()).unwrap_or(1).max(1) as i128;
    let max_f = followers.and_then(|f| f.max()).unwrap_or(0).max(1) as i128;
    if n * max_c * max_f <= i64::MAX as i128 {
        return Vec::new();
    }
    let (mut sum_c, mut sum_f, mut sum_fc) = (0i64, 0i64, 0i64);
    let mut found = Vec::new();
    for (i, b) in bad.iter().enumerate() {
        if *b {
            continue;
        }
        let c = count.and_then(|c| c.get(i)).unwrap_or(1);
        let f = followers.and_then(|f| f.get(i)).unwrap_or(0);
        let next = (sum_c.checked_add(c), sum_f.checked_add(f), f.checked_mul(c).and_then(|fc| sum_fc.checked_add(fc)));
        match next {
            (Some(a), Some(b), Some(c)) => (sum_c, sum_f, sum_fc) = (a, b, c),
            (None, _, _) => found.push(ctx.problem(i, names.0, &c.to_string(), Rule::ValueTooLarge,
                "with this row the total of `count` would pass 2^63 - 1, more than a 64-bit sum holds".into())),
            _ => found.push(ctx.problem(i, names.1, &f.to_string(), Rule::ValueTooLarge,
                "with this row the total of followers (or followers x count) would pass 2^63 - 1, more than a 64-bit sum holds".into())),
        }
    }
    found
}

/// `followers`: whole numbers from 0 to [`MAX_FOLLOWERS`]; NaN is missing.
pub(super) fn followers(input: Input, ctx: &Ctx) -> Result<Checked> {
    let Some((name, col)) = input else { return Ok(Checked::none()) };
    let (v, mut found) = int_column(col, ctx, name, &IntRule { max: MAX_FOLLOWERS, nan_is_missing: true })?;
    if v.min().is_some_and(|m| m < 0) {
        for (i, f) in v.iter().enumerate() {
            if matches!(f, Some(x) if x < 0) {
                found.push(ctx.problem(
                    i,
                    name,
                    &value_text(col, i),
                    Rule::NegativeFollowers,
                    "followers cannot be negative".into(),
                ));
            }
        }
    }
    Ok(Checked::of(v.with_name(FOLLOWERS.into()).into_column(), found))
}

/// `count`: whole numbers from 0 to [`MAX_COUNT`], never empty.
pub(super) fn count(input: Input, ctx: &Ctx) -> Result<Checked> {
    let Some((name, col)) = input else { return Ok(Checked::none()) };
    let (v, mut found) = int_column(col, ctx, name, &IntRule { max: MAX_COUNT, nan_is_missing: false })?;
    if v.null_count() > 0 || v.min().is_some_and(|m| m < 0) {
        let flagged: std::collections::HashSet<usize> = found.iter().map(|(i, _)| *i).collect();
        for (i, c) in v.iter().enumerate() {
            match c {
                None if !flagged.contains(&i) => found.push(ctx.problem(
                    i,
                    name,
                    "",
                    Rule::Required,
                    "`count` is empty: every row must say how many requests it stands for (0 for an empty cell of a published table)".into(),
                )),
                Some(x) if x < 0 => found.push(ctx.problem(
                    i,
                    name,
                    &x.to_string(),
                    Rule::InvalidCount,
                    "count must be a whole number of at least 0".into(),
                )),
                _ => {}
            }
        }
        found.sort_by_key(|(i, _)| *i);
    }
    Ok(Checked::of(v.with_name(COUNT.into()).into_column(), found))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators_group_by_three_or_are_left_alone() {
        assert_eq!(without_thousands("12,000", Some(',')), "12000");
        assert_eq!(without_thousands("-1.234.567", Some('.')), "-1234567");
        assert_eq!(without_thousands("2 000 000", Some(' ')), "2000000");
        // Not a grouping: left for the parse, which rejects it.
        for s in ["1,2,3", "12,00", "1234,000", ",000", "7.0"] {
            assert_eq!(without_thousands(s, Some(if s == "7.0" { '.' } else { ',' })), s);
        }
        assert_eq!(without_thousands("12,000", None), "12,000");
        assert_eq!(parse_int(&without_thousands("7.0", Some('.'))), Ok(7));
        // Twelve thousand in a locale that groups with `.`: never read as 12.
        assert_eq!(parse_int("12.000"), Err(Rule::InvalidInteger));
        for s in ["?", "<10", "< 10", "> 1,000", "≤5", "<=5"] {
            assert!(censored(s), "{s}");
        }
        for s in ["10", "<", "<x", "-", "n/a", "<10x", ""] {
            assert!(!censored(s), "{s}");
        }
        assert_eq!(parse_int(&without_thousands("12.000", Some('.'))), Ok(12_000));
        assert_eq!(parse_int("12.0"), Ok(12));
    }
}
