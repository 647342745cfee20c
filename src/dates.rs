//! Date and datetime parsing.
//!
//! Accepted forms (surrounding white space ignored):
//! - ISO: `2025-03-14`, `2025/03/14`, `2025-03-14T09:30`, `2025-03-14 09:30:05.123`, each datetime
//!   optionally with a zone: `Z`, `UTC`, `+05:00`, `+0500`, `+05`.
//! - Day-first or month-first: `14/03/2025`, `14.03.2025`, `14-03-2025`, optionally followed by a
//!   time `09:30[:05]`. Which part is the day is set by [`DateOrder`]; with [`DateOrder::Auto`] a file
//!   whose slash dates all have both parts ≤ 12 (and different) cannot be read without the option,
//!   and those values are rejected as `ambiguous_date`: a date is never guessed.
//!
//! Values are microseconds since 1970-01-01T00:00. A value with a zone is converted to UTC; one
//! without is kept as written (naive).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use crate::error::Rule;

crate::vocabulary! {
    /// The order of day and month in non-ISO dates such as `03/04/2025`.
    #[derive(Default)]
    pub enum DateOrder("date_order") {
        /// Infer from the file: if some slash date has a first part above 12 the file is day-first,
        /// if some has a second part above 12 it is month-first; otherwise ambiguous values are
        /// rejected.
        #[default]
        Auto = "auto",
        /// `dd/mm/yyyy`.
        DayFirst = "day-first",
        /// `mm/dd/yyyy`.
        MonthFirst = "month-first",
    }
}

const MICROS_PER_SEC: i64 = 1_000_000;
/// Microseconds in a day.
pub const MICROS_PER_DAY: i64 = 86_400 * MICROS_PER_SEC;

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn digits(&mut self, min: usize, max: usize) -> Option<u32> {
        let start = self.i;
        while self.i < self.b.len() && self.i - start < max && self.b[self.i].is_ascii_digit() {
            self.i += 1;
        }
        if self.i - start < min {
            return None;
        }
        std::str::from_utf8(&self.b[start..self.i]).ok()?.parse().ok()
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn done(&self) -> bool {
        self.i == self.b.len()
    }
    fn rest(&self) -> &'a [u8] {
        &self.b[self.i..]
    }
}

/// Parses `HH:MM[:SS[.fraction]]`, returning microseconds since midnight.
fn time_of_day(c: &mut Cursor) -> Option<i64> {
    let h = c.digits(1, 2)?;
    if !c.eat(b':') {
        return None;
    }
    let m = c.digits(2, 2)?;
    let (mut s, mut frac_us) = (0u32, 0i64);
    if c.eat(b':') {
        s = c.digits(2, 2)?;
        if c.eat(b'.') || c.eat(b',') {
            let start = c.i;
            while c.peek().is_some_and(|d| d.is_ascii_digit()) {
                c.i += 1;
            }
            let digits = &c.b[start..c.i];
            if digits.is_empty() {
                return None;
            }
            for k in 0..6 {
                frac_us = frac_us * 10 + digits.get(k).map_or(0, |d| (d - b'0') as i64);
            }
        }
    }
    NaiveTime::from_hms_opt(h, m, s)?;
    Some(((h as i64 * 60 + m as i64) * 60 + s as i64) * MICROS_PER_SEC + frac_us)
}

/// Parses a zone suffix, returning its offset from UTC in seconds.
fn zone(c: &mut Cursor) -> Option<i64> {
    let rest = c.rest();
    if rest.eq_ignore_ascii_case(b"z")
        || rest.eq_ignore_ascii_case(b" utc")
        || rest.eq_ignore_ascii_case(b"utc")
        || rest.eq_ignore_ascii_case(b" z")
    {
        c.i = c.b.len();
        return Some(0);
    }
    let _ = c.eat(b' ');
    let sign = match c.peek()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    c.i += 1;
    let h = c.digits(2, 2)? as i64;
    let _ = c.eat(b':');
    let m = if c.done() { 0 } else { c.digits(2, 2)? as i64 };
    if h > 23 || m > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60))
}

fn micros(date: NaiveDate, time_us: i64, offset_s: i64) -> i64 {
    let dt = NaiveDateTime::new(date, NaiveTime::MIN);
    dt.and_utc().timestamp() * MICROS_PER_SEC + time_us - offset_s * MICROS_PER_SEC
}

/// Optional time and zone after a date.
fn time_and_zone(c: &mut Cursor, allow_t: bool) -> Option<(i64, i64)> {
    if c.done() {
        return Some((0, 0));
    }
    if !(c.eat(b' ') || (allow_t && (c.eat(b'T') || c.eat(b't')))) {
        return None;
    }
    let t = time_of_day(c)?;
    let off = if c.done() { 0 } else { zone(c)? };
    c.done().then_some((t, off))
}

/// What [`parse_datetime`] found in a slash date, used to infer the order of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderHint {
    /// The value is ISO or has equal day and month: it says nothing about the order.
    None,
    /// The first part is above 12: day-first.
    DayFirst,
    /// The second part is above 12: month-first.
    MonthFirst,
    /// Both parts are 12 or less and differ: it needs the order.
    Ambiguous,
}

/// Looks at a value without parsing it fully: which order a slash date implies.
pub fn order_hint(s: &str) -> OrderHint {
    let mut c = Cursor { b: s.trim().as_bytes(), i: 0 };
    let Some(a) = c.digits(1, 2) else { return OrderHint::None };
    if !(c.eat(b'/') || c.eat(b'.') || c.eat(b'-')) {
        return OrderHint::None;
    }
    let Some(b) = c.digits(1, 2) else { return OrderHint::None };
    match (a > 12, b > 12) {
        (true, false) => OrderHint::DayFirst,
        (false, true) => OrderHint::MonthFirst,
        (false, false) if a != b => OrderHint::Ambiguous,
        _ => OrderHint::None,
    }
}

/// Resolves [`DateOrder::Auto`] from the hints of every date value of a file.
pub fn infer_order<'a>(values: impl IntoIterator<Item = &'a str>) -> DateOrder {
    let (day, month, _) = order_evidence(values);
    order_of((day, month))
}

/// Whether any of `values` is a day-first date, whether any is a month-first one (what
/// [`infer_order`] decides from; the evidence of several pieces of a file is their `or`), and
/// whether any is ambiguous: the only values read differently in the orders a file's evidence can
/// lead to (a day-first date reads the same day-first or in `Auto`, and a file with one never
/// becomes month-first).
pub(crate) fn order_evidence<'a>(values: impl IntoIterator<Item = &'a str>) -> (bool, bool, bool) {
    let (mut day, mut month, mut ambiguous) = (false, false, false);
    for v in values {
        match order_hint(v) {
            OrderHint::DayFirst => day = true,
            OrderHint::MonthFirst => month = true,
            OrderHint::Ambiguous => ambiguous = true,
            OrderHint::None => {}
        }
    }
    (day, month, ambiguous)
}

/// The order [`order_evidence`] implies: one kind of evidence decides, none or both leave `Auto`.
pub(crate) fn order_of((day, month): (bool, bool)) -> DateOrder {
    match (day, month) {
        (true, false) => DateOrder::DayFirst,
        (false, true) => DateOrder::MonthFirst,
        _ => DateOrder::Auto,
    }
}

/// Parses one date or datetime to microseconds since the epoch (UTC when a zone is given).
///
/// `order` must already be resolved for the file (see [`infer_order`]); with `Auto`, a slash date
/// is read only where it is unambiguous.
pub fn parse_datetime(s: &str, order: DateOrder) -> Result<i64, Rule> {
    let s = s.trim();
    let mut c = Cursor { b: s.as_bytes(), i: 0 };
    let first = c.digits(1, 4).ok_or(Rule::InvalidDate)?;
    let first_len = c.i;
    let sep = c.peek().ok_or(Rule::InvalidDate)?;
    if !matches!(sep, b'-' | b'/' | b'.') {
        return Err(Rule::InvalidDate);
    }
    c.i += 1;
    if first_len == 4 {
        // Year first: ISO order.
        let m = c.digits(1, 2).ok_or(Rule::InvalidDate)?;
        if !c.eat(sep) {
            return Err(Rule::InvalidDate);
        }
        let d = c.digits(1, 2).ok_or(Rule::InvalidDate)?;
        let date = NaiveDate::from_ymd_opt(first as i32, m, d).ok_or(Rule::ImpossibleDate)?;
        let (t, off) = time_and_zone(&mut c, true).ok_or(Rule::InvalidDate)?;
        return Ok(micros(date, t, off));
    }
    if first_len > 2 {
        return Err(Rule::InvalidDate);
    }
    let second = c.digits(1, 2).ok_or(Rule::InvalidDate)?;
    if !c.eat(sep) {
        return Err(Rule::InvalidDate);
    }
    let year = c.digits(4, 4).ok_or(Rule::InvalidDate)?;
    let (day, month) = match order {
        DateOrder::DayFirst => (first, second),
        DateOrder::MonthFirst => (second, first),
        DateOrder::Auto => match (first > 12, second > 12) {
            (true, false) => (first, second),
            (false, true) => (second, first),
            (false, false) if first == second => (first, second),
            (false, false) => return Err(Rule::AmbiguousDate),
            (true, true) => return Err(Rule::ImpossibleDate),
        },
    };
    let date = NaiveDate::from_ymd_opt(year as i32, month, day).ok_or(Rule::ImpossibleDate)?;
    let (t, off) = time_and_zone(&mut c, false).ok_or(Rule::InvalidDate)?;
    Ok(micros(date, t, off))
}

/// The calendar date of a microsecond timestamp. Loaded dates are within [`MIN_MICROS`] and
/// [`MAX_MICROS`]; a value beyond chrono's range gives the nearest date it has, never a panic.
pub fn date_of(us: i64) -> NaiveDate {
    checked_date_of(us).unwrap_or(if us < 0 { NaiveDate::MIN } else { NaiveDate::MAX })
}

/// The calendar date of a microsecond timestamp, or `None` beyond chrono's range.
pub fn checked_date_of(us: i64) -> Option<NaiveDate> {
    let days = us.div_euclid(MICROS_PER_DAY);
    NaiveDate::from_ymd_opt(1970, 1, 1)?.checked_add_signed(chrono::Duration::try_days(days)?)
}

/// 1900-01-01T00:00 in microseconds since the epoch: the earliest date a load accepts.
pub const MIN_MICROS: i64 = -2_208_988_800_000_000;
/// 2200-01-01T00:00 in microseconds since the epoch: loaded dates are before it.
pub const MAX_MICROS: i64 = 7_258_118_400_000_000;

/// Days since 1970-01-01 of a date.
pub fn days_since_epoch(d: NaiveDate) -> i32 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch is a valid date")).num_days() as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us(y: i32, m: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, mi, s).unwrap().and_utc().timestamp() * 1_000_000
    }

    #[test]
    fn iso_forms() {
        let a = DateOrder::Auto;
        assert_eq!(parse_datetime("2025-03-14", a), Ok(us(2025, 3, 14, 0, 0, 0)));
        assert_eq!(parse_datetime(" 2025/3/4 ", a), Ok(us(2025, 3, 4, 0, 0, 0)));
        assert_eq!(parse_datetime("2025-03-14T09:30", a), Ok(us(2025, 3, 14, 9, 30, 0)));
        assert_eq!(parse_datetime("2025-03-14 09:30:05", a), Ok(us(2025, 3, 14, 9, 30, 5)));
        assert_eq!(parse_datetime("2025-03-14T09:30:05.25", a), Ok(us(2025, 3, 14, 9, 30, 5) + 250_000));
        // Zones convert to UTC.
        assert_eq!(parse_datetime("2025-03-14T09:30:00Z", a), Ok(us(2025, 3, 14, 9, 30, 0)));
        assert_eq!(parse_datetime("2025-03-14T09:30:00+05:00", a), Ok(us(2025, 3, 14, 4, 30, 0)));
        assert_eq!(parse_datetime("2025-03-14 02:00+0500", a), Ok(us(2025, 3, 13, 21, 0, 0)));
        assert_eq!(parse_datetime("2025-03-14T09:30:00-03", a), Ok(us(2025, 3, 14, 12, 30, 0)));
        assert_eq!(parse_datetime("2025-03-14 09:30 UTC", a), Ok(us(2025, 3, 14, 9, 30, 0)));
    }

    #[test]
    fn rejects_invalid() {
        for bad in
            ["", "14th March", "2025-03-14T25:00", "2025-03-14x", "20250314", "03/14/25", "2025-03-14T09:30+99:00"]
        {
            assert_eq!(parse_datetime(bad, DateOrder::Auto), Err(Rule::InvalidDate), "{bad}");
        }
    }

    #[test]
    fn slash_dates_need_an_order_when_ambiguous() {
        assert_eq!(parse_datetime("03/04/2025", DateOrder::Auto), Err(Rule::AmbiguousDate));
        assert_eq!(parse_datetime("03/04/2025", DateOrder::DayFirst), Ok(us(2025, 4, 3, 0, 0, 0)));
        assert_eq!(parse_datetime("03/04/2025", DateOrder::MonthFirst), Ok(us(2025, 3, 4, 0, 0, 0)));
        assert_eq!(parse_datetime("14/03/2025", DateOrder::Auto), Ok(us(2025, 3, 14, 0, 0, 0)));
        assert_eq!(parse_datetime("03/14/2025 18:05", DateOrder::Auto), Ok(us(2025, 3, 14, 18, 5, 0)));
        assert_eq!(parse_datetime("05.05.2025", DateOrder::Auto), Ok(us(2025, 5, 5, 0, 0, 0)));
        assert_eq!(parse_datetime("14/03/2025", DateOrder::MonthFirst), Err(Rule::ImpossibleDate));
        // Well formed but not on the calendar: its own rule.
        for bad in ["31/02/2025", "29/02/2025", "2025-02-30", "2025-13-01", "31/04/2025", "32/01/2025"] {
            assert_eq!(parse_datetime(bad, DateOrder::DayFirst), Err(Rule::ImpossibleDate), "{bad}");
        }
        assert_eq!(parse_datetime("29/02/2024", DateOrder::DayFirst).map(|_| ()), Ok(()));
    }

    #[test]
    fn order_inference() {
        assert_eq!(infer_order(["03/04/2025", "14/03/2025"]), DateOrder::DayFirst);
        assert_eq!(infer_order(["03/04/2025", "03/14/2025"]), DateOrder::MonthFirst);
        assert_eq!(infer_order(["03/04/2025", "2025-01-01"]), DateOrder::Auto);
        assert_eq!(infer_order(["13/04/2025", "03/14/2025"]), DateOrder::Auto);
    }

    #[test]
    fn date_helpers_round_trip() {
        let d = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        assert_eq!(date_of(days_since_epoch(d) as i64 * MICROS_PER_DAY + 5), d);
        assert_eq!(date_of(-1), NaiveDate::from_ymd_opt(1969, 12, 31).unwrap());
    }
}
