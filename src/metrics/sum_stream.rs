//! The partial sums of compliance, trends and crosstabs of cases or rates, counted by hand as a
//! scan's batches come.
//!
//! Such a table's partial is, per `by` group (and period, for a trend), the requests and the
//! requests of each outcome ([`super::compliance::compliance_aggs`] with each request weighing
//! 1). Run as a polars query on every batch, inside the streaming query that reads the files,
//! it cost about 300 MB and 0.4 s at 10M rows on 2 cores: while a batch's thread waited for its
//! query, it took up the next batches (BENCHMARKS.md, "Reach and sums counted in the batches").
//! Here each batch is counted into a small table of sums, keyed by the `by` columns' category
//! ids and the period, and the partial is made once, at the end, with the query's own columns
//! and types; `tests/scan.rs` and the tests below check it against the query's.

use std::sync::Mutex;

use chrono::NaiveDate;
use polars::prelude::*;

use super::reach_stream::{label_keys, values_at, Counts, MAX_BY};
use crate::error::{Error, Result};
use crate::schema::col_names::*;
use crate::schema::Status;
use crate::{ComplianceSpec, Table, TrendSpec, Unit, Weight};

/// A trend's period key: the query's `__key` ([`super::period::with_period_key`]), the period
/// of each case's date, `OUTSIDE` beyond `start`..`end`, none when undated.
struct Periods {
    spec: TrendSpec,
    start: Option<i64>,
    end: Option<i64>,
}

const MICROS_PER_DAY: i64 = 86_400_000_000;

impl Periods {
    /// The key of a date on `day` (days since 1970, UTC as validation keeps dates).
    fn key(&self, day: i64) -> Result<i64> {
        let date = NaiveDate::from_ymd_opt(1970, 1, 1)
            .and_then(|d| d.checked_add_signed(chrono::Duration::try_days(day)?))
            .ok_or_else(|| Error::Internal(format!("a date {day} days from 1970 has no period")))?;
        let k = super::period::key_of(date, self.spec.every, self.spec.year_start);
        Ok(if self.start.is_some_and(|s| k < s) || self.end.is_some_and(|e| k > e) { super::trend::OUTSIDE } else { k })
    }
}

/// The sums of one table over the batches so far.
pub(crate) struct SumStream {
    by: Vec<String>,
    periods: Option<Periods>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Per (`by` values, period): requests, then the requests of each of [`Status::OUTCOMES`].
    sums: PlHashMap<(u128, Option<i64>), [i64; 5]>,
    /// Each `by` key's values (one row of the batch it was first met in).
    values: PlHashMap<u128, DataFrame>,
}

impl SumStream {
    /// The stream of `t`'s partial sums, when it can count them: each request weighing 1, unit
    /// request, and `by` of at most two label columns (other tables run the query per batch).
    pub(crate) fn of(t: &Table) -> Option<SumStream> {
        let simple = |spec: &ComplianceSpec| spec.weight == Weight::Requests && spec.unit == Unit::Request;
        let periods = match t {
            Table::Compliance { spec, .. } => simple(spec).then_some(None)?,
            Table::Trend { spec, .. } => simple(&spec.compliance).then(|| {
                let key = |d: Option<NaiveDate>| d.map(|d| super::period::key_of(d, spec.every, spec.year_start));
                Some(Periods { spec: spec.clone(), start: key(spec.start), end: key(spec.end) })
            })?,
            Table::Crosstab { value: crate::CrossValue::Cases, .. } => None,
            Table::Crosstab { value: crate::CrossValue::Rate, spec, .. } => simple(spec).then_some(None)?,
            _ => return None,
        };
        let by = t.by();
        let labels = by.iter().all(|b| crate::schema::LABEL_COLUMNS.contains(&b.as_str()));
        (labels && by.len() <= MAX_BY).then(|| SumStream { by, periods, state: Mutex::new(State::default()) })
    }

    /// Counts a validated batch.
    pub(crate) fn add(&self, df: &DataFrame) -> Result<()> {
        let n = df.height();
        if n == 0 {
            return Ok(());
        }
        let keys = label_keys(df, self.by.iter().map(String::as_str))?;
        let periods: Vec<Option<i64>> = match &self.periods {
            None => vec![None; n],
            Some(p) => {
                let on = df.column(p.spec.on.column())?.to_physical_repr();
                let on = on.as_materialized_series().i64()?;
                // Each day's key once.
                let mut known: PlHashMap<i64, i64> = PlHashMap::new();
                on.iter()
                    .map(|m| {
                        m.map(|m| {
                            let day = m.div_euclid(MICROS_PER_DAY);
                            match known.get(&day) {
                                Some(&k) => Ok(k),
                                None => {
                                    let k = p.key(day)?;
                                    known.insert(day, k);
                                    Ok(k)
                                }
                            }
                        })
                        .transpose()
                    })
                    .collect::<Result<_>>()?
            }
        };
        // Each status category's place among the outcomes, decoded once.
        let status = df.column(STATUS)?.cat32()?;
        let mapping = status.get_mapping();
        let mut outcome: PlHashMap<u32, Option<usize>> = PlHashMap::new();
        let mut place = |c: Option<u32>| -> Option<usize> {
            let c = c?;
            *outcome.entry(c).or_insert_with(|| {
                let s = mapping.cat_to_str(c).and_then(Status::parse)?;
                Status::OUTCOMES.iter().position(|o| *o == s)
            })
        };
        let counts = Counts::of(df)?;
        let mut sums: PlHashMap<(u128, Option<i64>), ([i64; 5], usize)> = PlHashMap::new();
        for (i, (((k, p), c), s)) in
            keys.iter().zip(&periods).zip(counts.iter()).zip(status.physical().iter()).enumerate()
        {
            let (cell, _) = sums.entry((*k, *p)).or_insert(([0; 5], i));
            // A missing count adds nothing (polars' sum skips it).
            let c = c.unwrap_or(0);
            cell[0] = cell[0].wrapping_add(c);
            if let Some(o) = place(s) {
                cell[1 + o] = cell[1 + o].wrapping_add(c);
            }
        }
        let mut state = self.state.lock().map_err(|_| Error::Internal("a batch of sums failed".into()))?;
        for ((k, p), (add, first)) in sums {
            if !state.values.contains_key(&k) {
                state.values.insert(k, values_at(df, &self.by, first)?);
            }
            let cell = state.sums.entry((k, p)).or_insert([0; 5]);
            for (x, y) in cell.iter_mut().zip(add) {
                *x = x.wrapping_add(y);
            }
        }
        Ok(())
    }

    /// The partial of every batch added, with the columns and types of `like` (the query's
    /// partial of no rows).
    pub(crate) fn partial(&self, like: &DataFrame) -> Result<DataFrame> {
        let state =
            std::mem::take(&mut *self.state.lock().map_err(|_| Error::Internal("a batch of sums failed".into()))?);
        let names: Vec<&PlSmallStr> = like.get_column_names();
        let keys = self.by.len() + usize::from(self.periods.is_some());
        if names.len() != keys + 5 {
            return Err(Error::Internal(format!("a partial of sums has columns {names:?}")));
        }
        type Sums<'a> = (&'a (u128, Option<i64>), &'a [i64; 5]);
        let mut rows: Vec<Sums> = state.sums.iter().collect();
        rows.sort_by_key(|(k, _)| **k);
        let mut cols: Vec<Column> = Vec::with_capacity(names.len());
        if !self.by.is_empty() {
            let mut values = DataFrame::empty_with_schema(like.select(self.by.iter().cloned())?.schema());
            for ((k, _), _) in &rows {
                values.vstack_mut(&state.values[k])?;
            }
            cols.extend(values.into_columns());
        }
        if self.periods.is_some() {
            cols.push(Column::new(names[self.by.len()].clone(), rows.iter().map(|((_, p), _)| *p).collect::<Vec<_>>()));
        }
        for j in 0..5 {
            cols.push(Column::new(names[keys + j].clone(), rows.iter().map(|(_, s)| s[j]).collect::<Vec<i64>>()));
        }
        let mut df = DataFrame::new(rows.len(), cols)?;
        // The query's types (its sums and keys may not be 64-bit).
        for (name, dtype) in like.schema().iter() {
            if df.column(name)?.dtype() != dtype {
                let c = df.column(name)?.cast(dtype)?;
                df.with_column(c)?;
            }
        }
        Ok(df.select(names.into_iter().cloned())?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Source;
    use crate::{DateOn, Every};

    /// The query's partial of `t` over `frame`.
    fn query(t: &Table, frame: &DataFrame) -> DataFrame {
        let src = Source::query_of(frame);
        match t {
            Table::Compliance { by, spec } => super::super::compliance::compliance_partial_on(&src, by, spec),
            Table::Trend { by, spec } => super::super::trend::trend_partial_on(&src, by, spec),
            _ => super::super::compliance::compliance_partial_on(&src, &t.by(), &ComplianceSpec::default()),
        }
        .unwrap()
    }

    fn sorted(df: DataFrame) -> DataFrame {
        let keys: Vec<PlSmallStr> = df
            .get_column_names()
            .into_iter()
            .filter(|c| !["requests", "removed", "restricted", "rejected", "pending"].contains(&c.as_str()))
            .cloned()
            .collect();
        let df = crate::schema::labels_as_text(df).unwrap();
        if keys.is_empty() {
            return df;
        }
        df.sort(keys, SortMultipleOptions::default().with_nulls_last(true)).unwrap()
    }

    #[test]
    fn sums_by_hand_equal_the_query_in_batches_of_any_size() {
        let cases = super::super::accounts::tests::mixed_cases();
        let mut frame = cases.frame().clone();
        // Statuses the outcomes leave out (unknown, missing) and counts of 0 and more.
        let status: Vec<Option<&str>> = (0..frame.height())
            .map(|i| match i % 11 {
                0 => None,
                1 => Some("unknown"),
                _ => ["removed", "restricted", "rejected", "pending"].get(i % 4).copied(),
            })
            .collect();
        let status = Column::new(STATUS.into(), status).cast(&crate::schema::label_dtype()).unwrap();
        frame.with_column(status).unwrap();
        // A date before 1970 with a time of day (its day is the one before 1970-01-01).
        let reported: Vec<Option<i64>> = frame
            .column(REPORTED_AT)
            .unwrap()
            .to_physical_repr()
            .i64()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(i, v)| if i == 5 { Some(-12 * 3_600_000_000) } else { v })
            .collect();
        let reported = Column::new(REPORTED_AT.into(), reported).cast(&crate::schema::datetime_dtype()).unwrap();
        frame.with_column(reported).unwrap();
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        let trend = |by: &[&str], every, on, year_start, start, end| Table::Trend {
            by: by.iter().map(|b| b.to_string()).collect(),
            spec: TrendSpec { every, on, year_start, start, end, ..Default::default() },
        };
        let tables = [
            Table::compliance(&[]),
            Table::compliance(&["platform"]),
            Table::compliance(&["group", "agency"]),
            Table::crosstab("group", "platform", crate::CrossValue::Cases),
            trend(&["platform"], Every::Month, DateOn::Reported, 1, None, None),
            trend(&[], Every::Week, DateOn::Actioned, 1, None, None),
            trend(&["group"], Every::Day, DateOn::Reported, 1, d(2025, 1, 12), d(2025, 3, 11)),
            trend(&[], Every::Day, DateOn::Reported, 1, None, None),
            trend(&["status"], Every::Quarter, DateOn::Reported, 4, None, d(2025, 2, 1)),
            trend(&[], Every::Year, DateOn::Actioned, 7, d(2025, 1, 1), None),
        ];
        for t in &tables {
            let want = sorted(query(t, &frame));
            let like = query(t, &frame.clear());
            for size in [1, 333, 4_000] {
                let s = SumStream::of(t).unwrap();
                for at in (0..frame.height()).step_by(size) {
                    s.add(&frame.slice(at as i64, size)).unwrap();
                }
                let got = sorted(s.partial(&like).unwrap());
                assert!(got.equals_missing(&want), "{t:?}, batches of {size}\n{got}\n{want}");
            }
        }
    }

    #[test]
    fn what_it_cannot_sum_is_left_to_the_query() {
        let followers = ComplianceSpec { weight: Weight::Followers, ..Default::default() };
        assert!(SumStream::of(&Table::Compliance { by: vec![], spec: followers }).is_none());
        assert!(SumStream::of(&Table::reach(&["group"])).is_none());
        assert!(SumStream::of(&Table::compliance(&["group", "platform", "agency"])).is_none());
        assert!(SumStream::of(&Table::compliance(&["account_key"])).is_none());
        assert!(SumStream::of(&Table::compliance(&["group", "platform"])).is_some());
    }
}
