//! Reach on cases held in memory, in Rust: one small hash table per slice of the accounts instead
//! of polars' group-by over three text columns.
//!
//! The definition is the one in [`super::reach`]; the polars query there still serves scans, the
//! `latest` followers rule and `by` columns that are not text, and the tests below check that
//! both give the same table. Working on the validated frame directly keeps little per row:
//!
//! - `cases` and `followers_undeduplicated` add up over rows, so they are summed per `by` group
//!   in one pass and never per account.
//! - The `by` values and the platform of each row are numbered once (a "cell"); an account is a
//!   (cell, `account_key`) pair, hashed once. Rows are split into 256 slices by the top bits of
//!   the hash, and each slice is aggregated on its own, in parallel, in a table small enough for
//!   the cache. A slice's rows are gathered 64 at a time so that their cache misses overlap.
//!   Equal hashes are confirmed by comparing the cell and the key; a slice with a true hash
//!   collision is aggregated again with the values as keys.
//! - Per account it keeps the largest follower count and its latest request: the largest
//!   (`reported_at`, `actioned_at`, row), a missing date counting as earliest, compared exactly.
//! - The median and the top 10 per group come from each account's follower count (8 bytes an
//!   account) by selection, not sorting.
//! - Columns are read where they are, array by array; nothing is copied into one array.
//!
//! At 10M cases (5.7M accounts) this takes about 1.7 s and 0.7 GB, against 2.4 s and 1.8 GB for
//! the polars group-by (BENCHMARKS.md).

use std::hash::BuildHasher;

use polars::prelude::*;
use polars_arrow::array::{Array, PrimitiveArray, Utf8ViewArray};
use rayon::prelude::*;

use super::reach::TOP_K;
use crate::error::Result;
use crate::schema::col_names::*;
use crate::schema::Status;
use crate::slices::{get_str, text, ByHash, Chunks, Slices};

fn ints<'a>(ca: &'a Int64Chunked) -> Chunks<'a, PrimitiveArray<i64>> {
    Chunks::new(ca.downcast_iter())
}

/// A column as Int64 (datetimes as their microseconds; no copy for Int64 and datetimes).
pub(crate) fn as_i64(c: &Column) -> Result<Int64Chunked> {
    let phys = c.to_physical_repr();
    let phys = if phys.dtype() == &DataType::Int64 { phys } else { phys.cast(&DataType::Int64)? };
    Ok(phys.as_materialized_series().i64()?.clone())
}

fn get_int(a: &PrimitiveArray<i64>, i: usize) -> Option<i64> {
    a.is_valid(i).then(|| a.value(i))
}

/// What is kept for an account while its rows are read.
#[derive(Clone, Copy)]
struct Acc {
    /// The account's `by` group and platform ([`Labels`] id).
    cell: u32,
    /// Largest follower count; `None` while no row had one.
    followers: Option<i64>,
    /// The latest request so far: (reported_at, actioned_at) with a missing date as `i64::MIN`,
    /// and its outcome code.
    when: (i64, i64),
    code: u8,
}

/// One account's result: its `by` group and platform, follower count and whether its latest
/// request was actioned (removed or restricted).
type Done = (u32, Option<i64>, bool);

/// Per `by` group totals.
#[derive(Default, Clone)]
pub(crate) struct Group {
    pub(crate) cases: i64,
    pub(crate) naive: i64,
    pub(crate) accounts: i64,
    pub(crate) followers: i64,
    pub(crate) actioned: i64,
    pub(crate) live: i64,
    pub(crate) missing: i64,
    pub(crate) values: Vec<i64>,
}

impl Group {
    /// Counts one account: its largest follower count (`None`: missing) and whether its latest
    /// request was actioned.
    pub(crate) fn account(&mut self, followers: Option<i64>, actioned: bool) {
        self.accounts += 1;
        match followers {
            None => self.missing += 1,
            Some(x) => {
                self.followers = self.followers.wrapping_add(x);
                if actioned {
                    self.actioned = self.actioned.wrapping_add(x);
                } else {
                    self.live = self.live.wrapping_add(x);
                }
                self.values.push(x);
            }
        }
    }

    /// Adds the accounts of `p` (another part of the same group's accounts).
    pub(crate) fn merge_accounts(&mut self, p: Group) {
        self.accounts += p.accounts;
        self.missing += p.missing;
        self.followers = self.followers.wrapping_add(p.followers);
        self.actioned = self.actioned.wrapping_add(p.actioned);
        self.live = self.live.wrapping_add(p.live);
        self.values.extend(p.values);
    }
}

/// Stage 2 of reach (see [`reach_max`]) from the `by` columns (one row per group, in the order
/// of `groups`) and each group's totals.
pub(crate) fn totals_frame(mut cols: Vec<Column>, groups: &mut [Group]) -> Result<DataFrame> {
    let (median, top): (Vec<Option<f64>>, Vec<i64>) = groups.iter_mut().map(|g| median_and_top(&mut g.values)).unzip();
    let int =
        |name: &str, f: &dyn Fn(&Group) -> i64| Column::new(name.into(), groups.iter().map(f).collect::<Vec<i64>>());
    cols.push(int("cases", &|g| g.cases));
    cols.push(int("accounts", &|g| g.accounts));
    cols.push(int("followers", &|g| g.followers));
    cols.push(int("followers_actioned", &|g| g.actioned));
    cols.push(int("followers_live", &|g| g.live));
    cols.push(Column::new("median_followers".into(), median));
    cols.push(Column::new("__top".into(), top));
    cols.push(int("accounts_missing_followers", &|g| g.missing));
    cols.push(int("followers_undeduplicated", &|g| g.naive));
    Ok(DataFrame::new(groups.len(), cols)?)
}

/// Reach of the validated cases `df` per `by` group (max followers rule), before the ratios: the
/// columns of [`super::reach`]'s stage 2 (`by`..., `cases`, `accounts`, `followers`,
/// `followers_actioned`, `followers_live`, `median_followers`, `__top`,
/// `accounts_missing_followers`, `followers_undeduplicated`). `None` when a `by` column is not
/// text, or the `by` values are too many to number (the polars query handles those).
pub(crate) fn reach_max(df: &DataFrame, by: &[String]) -> Result<Option<DataFrame>> {
    let text_or_labels = |c: &Column| c.dtype() == &DataType::String || c.dtype().is_categorical();
    if by.iter().any(|b| df.column(b).map(|c| !text_or_labels(c)).unwrap_or(true)) {
        return Ok(None);
    }
    let n = df.height();
    let str_col =
        |name: &str| -> Result<StringChunked> { Ok(df.column(name)?.as_materialized_series().str()?.clone()) };
    let mut label_cols: Vec<Column> = by.iter().map(|b| df.column(b).cloned()).collect::<PolarsResult<_>>()?;
    label_cols.push(df.column(PLATFORM)?.clone());
    let Some(labels) = Labels::new(&label_cols, n)? else { return Ok(None) };
    drop(label_cols);
    let key = str_col(ACCOUNT_KEY)?;
    let followers = as_i64(df.column(FOLLOWERS)?)?;
    let (reported, actioned) = (as_i64(df.column(REPORTED_AT)?)?, as_i64(df.column(ACTIONED_AT)?)?);

    // The additive sums per `by` group, over every row (accounts or not).
    // Without `by` there is one group, even of no cases (as a polars `select` gives one row).
    let mut groups = vec![Group::default(); if by.is_empty() { labels.groups.max(1) } else { labels.groups }];
    let mut add = |cell: u32, c: Option<i64>, f: Option<i64>| {
        let grp = &mut groups[labels.group_of[cell as usize] as usize];
        let c = c.unwrap_or(0);
        grp.cases = grp.cases.wrapping_add(c);
        if let Some(x) = f {
            grp.naive = grp.naive.wrapping_add(x.wrapping_mul(c));
        }
    };
    // A `count` the input did not have is one constant, not 10M copies of it.
    let count = df.column(COUNT)?;
    match count.as_scalar_column().map(|s| s.scalar().value().extract::<i64>()) {
        Some(c) => labels.cell.iter().zip(followers.iter()).for_each(|(&cell, f)| add(cell, c, f)),
        None => {
            let count = as_i64(count)?;
            labels.cell.iter().zip(count.iter()).zip(followers.iter()).for_each(|((&cell, c), f)| add(cell, c, f));
        }
    }

    // Accounts, hashed once (in parallel, array by array), split into slices by the hash.
    let state = PlRandomState::default();
    let keys = text(&key);
    let mut hashes = vec![0u64; n];
    {
        let mut parts: Vec<(&Utf8ViewArray, usize, &mut [u64])> = Vec::with_capacity(keys.arrs.len());
        let mut rest: &mut [u64] = &mut hashes;
        for (c, a) in keys.arrs.iter().enumerate() {
            let (head, tail) = rest.split_at_mut(a.len());
            parts.push((a, keys.start(c), head));
            rest = tail;
        }
        parts.into_par_iter().for_each(|(a, start, out)| {
            for (j, h) in out.iter_mut().enumerate() {
                if let Some(s) = get_str(a, j) {
                    *h = state.hash_one((labels.cell[start + j], s));
                }
            }
        });
    }
    let valid: Vec<bool> = keys.arrs.iter().flat_map(|a| (0..a.len()).map(|j| a.is_valid(j))).collect();
    let slices = Slices::new(&hashes, |i| valid[i]);
    drop(valid);

    let codes = status_codes(df.column(STATUS)?)?;
    let rows = Rows {
        cell: &labels.cell,
        key: keys,
        followers: ints(&followers),
        reported: ints(&reported),
        actioned: ints(&actioned),
        codes: &codes,
    };
    // Each slice's accounts summed per `by` group as the slice is counted (the groups it
    // touches only), so that no record per account outlives its slice.
    let partials: Vec<PlHashMap<u32, Group>> = (0..slices.len())
        .into_par_iter()
        .map(|s| {
            let done =
                by_hash(&rows, &hashes, slices.get(s)).unwrap_or_else(|| by_value(&rows, &hashes, slices.get(s)));
            let mut part: PlHashMap<u32, Group> = PlHashMap::new();
            for (cell, fol, act) in done {
                part.entry(labels.group_of[cell as usize]).or_default().account(fol, act);
            }
            part
        })
        .collect();
    drop((hashes, slices));
    for part in partials {
        for (g, p) in part {
            groups[g as usize].merge_accounts(p);
        }
    }

    // The table: `by` values from each group's first row, then the measures.
    let take = IdxCa::from_vec("idx".into(), labels.first_row.iter().map(|&r| r as IdxSize).collect());
    let cols = by.iter().map(|b| df.column(b)?.take(&take)).collect::<PolarsResult<Vec<Column>>>()?;
    Ok(Some(totals_frame(cols, &mut groups)?))
}

/// The columns an account's rows are read from.
struct Rows<'a> {
    cell: &'a [u32],
    key: Chunks<'a, Utf8ViewArray>,
    followers: Chunks<'a, PrimitiveArray<i64>>,
    reported: Chunks<'a, PrimitiveArray<i64>>,
    actioned: Chunks<'a, PrimitiveArray<i64>>,
    codes: &'a [u8],
}

/// Where a slice's walk through the arrays of each column is.
#[derive(Default)]
struct Cursor {
    key: usize,
    followers: usize,
    reported: usize,
    actioned: usize,
}

fn finish(a: Acc) -> Done {
    (a.cell, a.followers, a.code <= 1)
}

/// One row's values, gathered.
#[derive(Clone, Copy, Default)]
struct Row<'a> {
    hash: u64,
    cell: u32,
    code: u8,
    key: &'a str,
    followers: Option<i64>,
    when: (i64, i64),
}

/// Rows gathered at a time: the loads of a batch do not depend on each other, so their cache
/// misses overlap (a slice's rows are spread over the whole frame).
const BATCH: usize = 64;

impl<'a> Rows<'a> {
    fn gather(&self, cur: &mut Cursor, hashes: &[u64], i: usize) -> Row<'a> {
        let (k, j) = self.key.seq(&mut cur.key, i);
        let (f, jf) = self.followers.seq(&mut cur.followers, i);
        let (r, jr) = self.reported.seq(&mut cur.reported, i);
        let (d, jd) = self.actioned.seq(&mut cur.actioned, i);
        Row {
            hash: hashes[i],
            cell: self.cell[i],
            code: self.codes[i],
            key: k.value(j),
            followers: get_int(f, jf),
            when: (get_int(r, jr).unwrap_or(i64::MIN), get_int(d, jd).unwrap_or(i64::MIN)),
        }
    }
}

impl Acc {
    fn of(r: &Row) -> Acc {
        Acc { cell: r.cell, followers: r.followers, when: r.when, code: r.code }
    }
    /// Adds a later row of the same account (a later row wins a tie).
    fn add(&mut self, r: &Row) {
        if let Some(x) = r.followers {
            self.followers = Some(self.followers.map_or(x, |y| y.max(x)));
        }
        if r.when >= self.when {
            self.when = r.when;
            self.code = r.code;
        }
    }
}

/// The accounts of one slice, keyed by hash; `None` on a true hash collision.
fn by_hash(rows: &Rows, hashes: &[u64], slice: &[u32]) -> Option<Vec<Done>> {
    let mut index: ByHash<u32> = ByHash::with_capacity_and_hasher(slice.len() / 2, Default::default());
    // Each account and the key it was first seen with.
    let mut accs: Vec<(Acc, &str)> = Vec::new();
    let mut cur = Cursor::default();
    let mut batch = [Row::default(); BATCH];
    for part in slice.chunks(BATCH) {
        for (b, &i) in batch.iter_mut().zip(part) {
            *b = rows.gather(&mut cur, hashes, i as usize);
        }
        for r in &batch[..part.len()] {
            let next = accs.len() as u32;
            let a = *index.entry(r.hash).or_insert(next);
            if a == next {
                accs.push((Acc::of(r), r.key));
            } else {
                let (acc, key) = &mut accs[a as usize];
                if r.cell != acc.cell || r.key != *key {
                    return None;
                }
                acc.add(r);
            }
        }
    }
    Some(accs.into_iter().map(|(a, _)| finish(a)).collect())
}

/// The accounts of one slice, keyed by their values.
fn by_value(rows: &Rows, hashes: &[u64], slice: &[u32]) -> Vec<Done> {
    let mut index: PlHashMap<(u32, &str), u32> = PlHashMap::with_capacity(slice.len() / 2);
    let mut accs: Vec<Acc> = Vec::new();
    let mut cur = Cursor::default();
    for &i in slice {
        let r = rows.gather(&mut cur, hashes, i as usize);
        let next = accs.len() as u32;
        let a = *index.entry((r.cell, r.key)).or_insert(next);
        if a == next {
            accs.push(Acc::of(&r));
        } else {
            accs[a as usize].add(&r);
        }
    }
    accs.into_iter().map(finish).collect()
}

/// The outcome code of a status, as [`super::latest::status_code`] gives it: 0 removed,
/// 1 restricted, 2 rejected, anything else (pending, unknown, missing) [`PENDING_CODE`].
pub(crate) fn status_code(s: Option<Status>) -> u8 {
    match s {
        Some(Status::Removed) => 0,
        Some(Status::Restricted) => 1,
        Some(Status::Rejected) => 2,
        _ => PENDING_CODE,
    }
}

/// The code of a request with no decision ([`status_code`]).
pub(crate) const PENDING_CODE: u8 = 3;

/// Each row's outcome code ([`status_code`]), each category of a label column decoded once.
pub(crate) fn status_codes(col: &Column) -> Result<Vec<u8>> {
    let code = |v: Option<&str>| status_code(v.and_then(Status::parse));
    if col.dtype().is_categorical() {
        // Each category decoded once.
        let ca = col.cat32()?;
        let mapping = ca.get_mapping();
        let mut known: PlHashMap<u32, u8> = PlHashMap::new();
        return Ok(ca
            .physical()
            .iter()
            .map(|c| match c {
                None => PENDING_CODE,
                Some(c) => *known.entry(c).or_insert_with(|| code(mapping.cat_to_str(c))),
            })
            .collect());
    }
    Ok(crate::schema::text_of(col)?.iter().map(code).collect())
}

/// Each row's cell: its `by` values and its platform, numbered; and per cell its `by` group.
struct Labels {
    /// Each row's cell.
    cell: Vec<u32>,
    /// Each cell's `by` group.
    group_of: Vec<u32>,
    /// How many `by` groups, and each one's first row.
    groups: usize,
    first_row: Vec<u32>,
}

impl Labels {
    /// From the `by` columns followed by the platform column (a missing value is a value).
    /// `None` when the combinations cannot be numbered in 64 bits.
    fn new(cols: &[Column], n: usize) -> Result<Option<Labels>> {
        // Each column's distinct values numbered (0 for missing), column by column in parallel.
        let codes: Vec<(Vec<u32>, u64)> =
            cols.par_iter().map(crate::slices::value_codes).collect::<PolarsResult<_>>()?;
        // A row's combination as one number, the platform as the last digit.
        let mut radix = 1u64;
        for (_, k) in &codes {
            let Some(r) = radix.checked_mul(*k) else { return Ok(None) };
            radix = r;
        }
        let platforms = codes.last().map_or(1, |c| c.1);
        let mut cell_of: PlHashMap<u64, u32> = PlHashMap::new();
        let mut group_of_key: PlHashMap<u64, u32> = PlHashMap::new();
        let (mut group_of, mut first_row) = (Vec::new(), Vec::new());
        let cell = (0..n)
            .map(|i| {
                let combined = codes.iter().fold(0u64, |acc, (c, k)| acc * k + u64::from(c[i]));
                let next = cell_of.len() as u32;
                let c = *cell_of.entry(combined).or_insert(next);
                if c == next {
                    let g_next = group_of_key.len() as u32;
                    let g = *group_of_key.entry(combined / platforms).or_insert(g_next);
                    if g == g_next {
                        first_row.push(i as u32);
                    }
                    group_of.push(g);
                }
                c
            })
            .collect();
        Ok(Some(Labels { cell, group_of, groups: first_row.len(), first_row }))
    }
}

/// The median (mean of the two middle values for an even count) and the sum of the `TOP_K`
/// largest, by selection.
fn median_and_top(v: &mut [i64]) -> (Option<f64>, i64) {
    let n = v.len();
    if n == 0 {
        return (None, 0);
    }
    let top = if n <= TOP_K {
        v.iter().sum()
    } else {
        v.select_nth_unstable(n - TOP_K);
        v[n - TOP_K..].iter().sum()
    };
    let (_, &mut upper, _) = v.select_nth_unstable(n / 2);
    let median = if n % 2 == 1 {
        upper as f64
    } else {
        let lower = *v[..n / 2].iter().max().expect("n even and > 0: the lower half is not empty");
        (lower as f64 + upper as f64) / 2.0
    };
    (Some(median), top)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::load::{self, Validated};
    use crate::metrics::{reach, Source};
    use crate::{LoadOptions, ReachSpec};

    /// Reach from this path and from the polars query (a `Source` without a frame takes it).
    fn both(cases: &Validated, by: &[&str]) -> (DataFrame, DataFrame) {
        let by: Vec<String> = by.iter().map(|s| s.to_string()).collect();
        let spec = ReachSpec::default();
        let fast = reach::reach_on(&Source::of(cases), &by, &spec).unwrap();
        let frame = cases.frame();
        let lazy = Source::query_of(frame);
        let slow = reach::reach_on(&lazy, &by, &spec).unwrap();
        (fast, slow)
    }

    /// 4,000 cases with ties in dates, missing dates, followers, accounts and groups, weights
    /// above 1, accounts under two groups and two platforms, accounts written differently.
    pub(crate) fn mixed_cases() -> Validated {
        let mut rng = crate::rng::Rng(0x9E37_79B9_7F4A_7C15);
        let mut next = |m: u64| rng.below(m);
        let statuses = ["removed", "restricted", "rejected", "pending"];
        let mut csv =
            String::from("case_id,platform,account,group,agency,followers,reported_at,actioned_at,status,count\n");
        for i in 0..4000 {
            let account = match next(10) {
                0 => String::new(),
                1 => format!("https://x.com/Fake_{}/", next(300)),
                _ => format!("@fake_{}", next(300)),
            };
            let group = ["TTP", "BLA", "BLF", ""][next(4) as usize];
            let followers = if next(6) == 0 { String::new() } else { next(100_000).to_string() };
            let day = |d: u64| if d == 0 { String::new() } else { format!("2025-0{}-1{}", 1 + d % 3, d % 5) };
            let st = next(4) as usize;
            // Decisions after every report date, with ties.
            let act = if st == 3 || next(5) == 0 { String::new() } else { format!("2025-04-1{}", next(3)) };
            csv.push_str(&format!(
                "{i},{},{account},{group},{},{followers},{},{act},{},{}\n",
                ["x", "tiktok", "facebook"][next(3) as usize],
                ["PTA", "MoI"][next(2) as usize],
                day(next(5)),
                statuses[st],
                1 + next(3) / 2
            ));
        }
        let opts = LoadOptions::default().with_required(&["platform", "status"]);
        load::read_csv_bytes(csv.as_bytes(), "mixed.csv", &opts).unwrap()
    }

    #[test]
    fn agrees_with_the_polars_query() {
        let cases = mixed_cases();
        assert_eq!(cases.frame().height(), 4000);
        for by in [&[][..], &["group"], &["platform"], &["group", "agency"], &["status"], &["account_key"]] {
            let (fast, slow) = both(&cases, by);
            assert!(fast.equals_missing(&slow), "by {by:?}\nRust {fast}\npolars {slow}");
        }
        // No cases: one row without `by`, none with.
        let none = cases.with_frame(cases.frame().clear());
        for by in [&[][..], &["group"]] {
            let (fast, slow) = both(&none, by);
            assert!(fast.equals_missing(&slow), "by {by:?}\nRust {fast}\npolars {slow}");
            assert_eq!(fast.height(), usize::from(by.is_empty()));
        }
        // The synthetic generator's shape (heavy tails, accounts reported again and again), in a
        // frame of several arrays per column as a Parquet file gives.
        let mut frame = crate::synth::synthetic_rows(50_000, 3, 0, 20_000).unwrap();
        frame.vstack_mut(&crate::synth::synthetic_rows(50_000, 3, 20_000, 30_000).unwrap()).unwrap();
        let cases = load::from_frame(frame, &LoadOptions::default()).unwrap();
        assert!(cases.frame().column(ACCOUNT_KEY).unwrap().as_materialized_series().n_chunks() > 1);
        for by in [&["group"][..], &["platform", "group"]] {
            let (fast, slow) = both(&cases, by);
            assert!(fast.equals_missing(&slow), "by {by:?}\nRust {fast}\npolars {slow}");
        }
    }

    #[test]
    fn hand_counted_median_top_and_latest() {
        // Twelve accounts of one group: followers 1..=12 (the first reported twice, the larger
        // value counts), the latest request of account 12 is a rejection after a removal.
        let mut csv = String::from("case_id,platform,account,group,followers,reported_at,status\n");
        for a in 1..=12 {
            csv.push_str(&format!("{a},x,@fake_{a},TTP,{a},2025-01-01,removed\n"));
        }
        csv.push_str("13,x,@FAKE_1,TTP,0,2025-01-02,removed\n14,x,@fake_12,TTP,3,2025-01-02,rejected\n");
        let cases = load::read_csv_bytes(csv.as_bytes(), "hand.csv", &LoadOptions::default()).unwrap();
        let (fast, slow) = both(&cases, &["group"]);
        assert!(fast.equals_missing(&slow));
        let get = |c: &str| fast.column(c).unwrap().get(0).unwrap().into_static();
        assert_eq!(get("cases"), AnyValue::Int64(14));
        assert_eq!(get("accounts"), AnyValue::Int64(12));
        assert_eq!(get("followers"), AnyValue::Int64(78)); // 1 + ... + 12
        assert_eq!(get("followers_live"), AnyValue::Int64(12));
        assert_eq!(get("median_followers"), AnyValue::Float64(6.5));
        assert_eq!(get("top10_share"), AnyValue::Float64((78.0 - 1.0 - 2.0) / 78.0));
        assert_eq!(get("followers_undeduplicated"), AnyValue::Int64(78 + 3));
    }

    #[test]
    fn accounts_keyed_by_value_agree_with_accounts_keyed_by_hash() {
        // The path taken on a hash collision, over every row as one slice.
        let cases =
            load::from_frame(crate::synth::synthetic_frame(20_000, 7).unwrap(), &LoadOptions::default()).unwrap();
        let df = cases.frame();
        let col = |c: &str| df.column(c).unwrap().as_materialized_series().str().unwrap().clone();
        let labels =
            Labels::new(&[df.column(GROUP).unwrap().clone(), df.column(PLATFORM).unwrap().clone()], df.height())
                .unwrap()
                .unwrap();
        let key = col(ACCOUNT_KEY);
        let i64s: Vec<Int64Chunked> =
            [FOLLOWERS, REPORTED_AT, ACTIONED_AT].iter().map(|c| as_i64(df.column(c).unwrap()).unwrap()).collect();
        let codes = status_codes(df.column(STATUS).unwrap()).unwrap();
        let rows = Rows {
            cell: &labels.cell,
            key: text(&key),
            followers: ints(&i64s[0]),
            reported: ints(&i64s[1]),
            actioned: ints(&i64s[2]),
            codes: &codes,
        };
        let slice: Vec<u32> = key.iter().enumerate().filter(|(_, k)| k.is_some()).map(|(i, _)| i as u32).collect();
        let state = PlRandomState::default();
        let hashes: Vec<u64> =
            key.iter().enumerate().map(|(i, k)| state.hash_one((labels.cell[i], k.unwrap_or("")))).collect();
        let mut a = by_hash(&rows, &hashes, &slice).unwrap();
        let mut b = by_value(&rows, &hashes, &slice);
        assert!(a.len() > 100);
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a, b);
    }

    #[test]
    fn median_and_top_by_selection_match_sorting() {
        for n in [1usize, 2, 3, 9, 10, 11, 12, 57] {
            let mut v: Vec<i64> = (0..n as i64).map(|i| (i * 7919) % 101).collect();
            let mut sorted = v.clone();
            sorted.sort_unstable();
            let median =
                if n % 2 == 1 { sorted[n / 2] as f64 } else { (sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0 };
            let top: i64 = sorted.iter().rev().take(TOP_K).sum();
            assert_eq!(median_and_top(&mut v), (Some(median), top), "n = {n}");
        }
        assert_eq!(median_and_top(&mut []), (None, 0));
    }
}
