//! Calendar periods: day, ISO week (Monday start), month, quarter, half-year and year, with
//! quarters, half-years and years aligned to a chosen first month (`year_start` = 12 gives
//! December–November years; 1, the default, gives calendar periods: H1 = Jan–Jun, H2 = Jul–Dec).
//! A period is named by its first day.

use chrono::{Datelike, Months, NaiveDate};
use polars::prelude::*;

use crate::error::{Error, Result};

crate::vocabulary! {
    /// The length of a period.
    #[derive(Default)]
    pub enum Every("every") {
        /// One day.
        Day = "day",
        /// ISO week, starting Monday.
        Week = "week",
        /// Calendar month (the default).
        #[default]
        Month = "month",
        /// Three months from the year start.
        Quarter = "quarter",
        /// Six months from the year start.
        HalfYear = "half-year",
        /// Twelve months from the year start.
        Year = "year",
    }
}

impl Every {
    fn months(self) -> Option<u32> {
        match self {
            Every::Month => Some(1),
            Every::Quarter => Some(3),
            Every::HalfYear => Some(6),
            Every::Year => Some(12),
            _ => None,
        }
    }
}

/// Large multiples of 7 and 12 added before `%` so that it only sees non-negative numbers.
const SHIFT_DAYS: i64 = 7 * 50_000_000;
const SHIFT_MONTHS: i64 = 12 * 1_000_000;

/// Adds `name`: each datetime's period as an integer key, computed by polars column-wise (no
/// per-row Rust): the day number (days since 1970-01-01) of the period's first day for days and
/// weeks, the month number (year · 12 + month − 1) of its first month otherwise. Null where the
/// date is null. The day or month number is computed once, into `name`, and then rounded down.
pub fn with_period_key(lf: LazyFrame, on: &str, every: Every, year_start: u32, name: &str) -> LazyFrame {
    let (base, len, offset, shift) = match every {
        Every::Day => (col(on).cast(DataType::Date).cast(DataType::Int64), 1, 0, 0),
        // 1970-01-01 was a Thursday, so Mondays are the days d with (d + 3) mod 7 = 0.
        Every::Week => (col(on).cast(DataType::Date).cast(DataType::Int64), 7, -3, SHIFT_DAYS),
        _ => (
            col(on).dt().year().cast(DataType::Int64) * lit(12i64) + col(on).dt().month().cast(DataType::Int64)
                - lit(1i64),
            every.months().unwrap_or(1) as i64,
            year_start as i64 - 1,
            SHIFT_MONTHS,
        ),
    };
    let lf = lf.with_column(base.alias(name));
    if len == 1 {
        return lf;
    }
    // start = x − ((x − offset) mod len), shifted so that `%` sees non-negative numbers.
    lf.with_column((col(name) - ((col(name) - lit(offset) + lit(shift)) % lit(len))).alias(name))
}

/// The key [`with_period_key`] gives the period containing `d`.
pub fn key_of(d: NaiveDate, every: Every, year_start: u32) -> i64 {
    let s = period_start(d, every, year_start);
    match every {
        Every::Day | Every::Week => crate::dates::days_since_epoch(s) as i64,
        _ => s.year() as i64 * 12 + s.month0() as i64,
    }
}

/// The first day of the period with key `key` (None outside chrono's dates).
pub fn key_start(key: i64, every: Every) -> Option<NaiveDate> {
    match every {
        Every::Day | Every::Week => {
            NaiveDate::from_ymd_opt(1970, 1, 1)?.checked_add_signed(chrono::Duration::try_days(key)?)
        }
        _ => NaiveDate::from_ymd_opt(i32::try_from(key.div_euclid(12)).ok()?, key.rem_euclid(12) as u32 + 1, 1),
    }
}

/// Checks a year-start month (1–12).
pub fn check_year_start(m: u32) -> Result<()> {
    if (1..=12).contains(&m) {
        Ok(())
    } else {
        Err(Error::invalid_arg("year_start", format!("month must be 1 to 12, got {m}")))
    }
}

/// The first day of the period containing `d`.
pub fn period_start(d: NaiveDate, every: Every, year_start: u32) -> NaiveDate {
    match every {
        Every::Day => d,
        Every::Week => d - chrono::Duration::days(d.weekday().num_days_from_monday() as i64),
        _ => {
            let len = every.months().unwrap_or(1) as i32;
            // Months since the most recent year start, then back to the period's first month.
            let idx = d.year() * 12 + d.month0() as i32;
            let offset = (idx - (year_start as i32 - 1)).rem_euclid(len);
            let start = idx - offset;
            NaiveDate::from_ymd_opt(start.div_euclid(12), start.rem_euclid(12) as u32 + 1, 1).unwrap_or(d)
        }
    }
}

/// The first day of the period after the one starting at `start`.
pub fn next_period(start: NaiveDate, every: Every) -> NaiveDate {
    match every {
        Every::Day => start + chrono::Duration::days(1),
        Every::Week => start + chrono::Duration::days(7),
        _ => start + Months::new(every.months().unwrap_or(1)),
    }
}

/// Every period start from the one containing `first` to the one containing `last`.
pub fn periods(first: NaiveDate, last: NaiveDate, every: Every, year_start: u32) -> Vec<NaiveDate> {
    let end = period_start(last, every, year_start);
    let mut p = period_start(first, every, year_start);
    let mut out = Vec::new();
    while p <= end {
        out.push(p);
        p = next_period(p, every);
    }
    out
}

/// A label for a period: `2025-03-14`, `2025-W11`, `2025-03`, `2025-Q1`, `2025-H1`, `2025`, or for
/// periods not aligned to January, the first and last months (`Dec 2024–Nov 2025`).
pub fn period_label(start: NaiveDate, every: Every, year_start: u32) -> String {
    let aligned = year_start == 1;
    match every {
        Every::Day => start.format("%Y-%m-%d").to_string(),
        Every::Week => {
            let w = start.iso_week();
            format!("{}-W{:02}", w.year(), w.week())
        }
        Every::Month => start.format("%Y-%m").to_string(),
        Every::Quarter if aligned => format!("{}-Q{}", start.year(), start.month0() / 3 + 1),
        Every::HalfYear if aligned => format!("{}-H{}", start.year(), start.month0() / 6 + 1),
        Every::Year if aligned => start.year().to_string(),
        _ => {
            let last = next_period(start, every) - chrono::Duration::days(1);
            format!("{}–{}", start.format("%b %Y"), last.format("%b %Y"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn starts() {
        assert_eq!(period_start(d(2025, 3, 14), Every::Day, 1), d(2025, 3, 14));
        // 2025-03-14 is a Friday; its ISO week starts Monday 10 March.
        assert_eq!(period_start(d(2025, 3, 14), Every::Week, 1), d(2025, 3, 10));
        assert_eq!(period_start(d(2025, 3, 14), Every::Month, 1), d(2025, 3, 1));
        assert_eq!(period_start(d(2025, 3, 14), Every::Quarter, 1), d(2025, 1, 1));
        assert_eq!(period_start(d(2025, 8, 1), Every::HalfYear, 1), d(2025, 7, 1));
        assert_eq!(period_start(d(2025, 6, 30), Every::HalfYear, 1), d(2025, 1, 1));
        assert_eq!(period_start(d(2025, 6, 30), Every::Year, 1), d(2025, 1, 1));
        // December–November years: Dec 2024 to Nov 2025 is one year.
        assert_eq!(period_start(d(2025, 11, 30), Every::Year, 12), d(2024, 12, 1));
        assert_eq!(period_start(d(2025, 12, 1), Every::Year, 12), d(2025, 12, 1));
        assert_eq!(period_start(d(2025, 1, 15), Every::Quarter, 12), d(2024, 12, 1));
        assert_eq!(period_start(d(2025, 3, 1), Every::Quarter, 12), d(2025, 3, 1));
    }

    /// The column-wise keys agree with `period_start` row by row, before and after 1970.
    #[test]
    fn column_keys_agree_with_period_start() {
        let day = crate::dates::MICROS_PER_DAY;
        let us: Vec<i64> = (-800i64..800).map(|k| k * 37 * day + (k * 7_919_000_003) % day).collect();
        let df = DataFrame::new(
            us.len(),
            vec![Int64Chunked::from_vec("t".into(), us.clone())
                .into_datetime(TimeUnit::Microseconds, None)
                .into_column()],
        )
        .unwrap();
        for every in [Every::Day, Every::Week, Every::Month, Every::Quarter, Every::HalfYear, Every::Year] {
            for ys in [1, 3, 12] {
                let keys = with_period_key(df.clone().lazy(), "t", every, ys, "k").collect().unwrap();
                let keys: Vec<Option<i64>> = keys.column("k").unwrap().i64().unwrap().iter().collect();
                for (u, k) in us.iter().zip(keys) {
                    let d = crate::dates::date_of(*u);
                    assert_eq!(k, Some(key_of(d, every, ys)), "{every:?} {ys} {d}");
                    assert_eq!(key_start(k.unwrap(), every), Some(period_start(d, every, ys)));
                }
            }
        }
    }

    #[test]
    fn ranges_and_labels() {
        let p = periods(d(2025, 1, 31), d(2025, 4, 1), Every::Month, 1);
        assert_eq!(p, vec![d(2025, 1, 1), d(2025, 2, 1), d(2025, 3, 1), d(2025, 4, 1)]);
        let h = periods(d(2024, 12, 31), d(2025, 7, 1), Every::HalfYear, 1);
        assert_eq!(h, vec![d(2024, 7, 1), d(2025, 1, 1), d(2025, 7, 1)]);
        assert_eq!(period_label(d(2025, 7, 1), Every::HalfYear, 1), "2025-H2");
        assert_eq!(period_label(d(2025, 4, 1), Every::Quarter, 1), "2025-Q2");
        assert_eq!(period_label(d(2025, 3, 10), Every::Week, 1), "2025-W11");
        assert_eq!(period_label(d(2024, 12, 1), Every::Year, 12), "Dec 2024–Nov 2025");
    }
}
