//! Reach counted as a scan's batches arrive, without holding their rows.
//!
//! A scan's reach used to hold eight columns of every row (about 0.7 GB at 10M rows) and count
//! them after the pass with the in-memory code ([`super::accounts`]). Here each validated batch
//! is counted into one record per account, and the batch is dropped:
//!
//! - A row's `by` values and platform, as their category ids, make its cell, numbered once for the
//!   whole scan; `cases` and `followers_undeduplicated` add up per `by` group as in memory.
//! - An account (cell, `account_key`) lives in one of 256 shards, chosen by a hash of the key
//!   alone, so that an account's entries under several groups meet in one shard (the count of
//!   accounts reported under several groups is exact, per shard). Each shard keeps, per account,
//!   its cell, largest follower count, latest request (`reported_at`, `actioned_at`, row number:
//!   compared exactly, so the batches' order does not matter) with its outcome, and the key's
//!   bytes (48 bytes and the key's). Equal hashes are confirmed on the cell and the key's bytes.
//! - A batch's rows are split by shard and each shard is locked once per batch.
//!
//! The result is the in-memory table, note on accounts in several groups included (tests below
//! and `tests/scan.rs`). It serves `Scan::tables` in one pass for reach by up to two label
//! columns with the largest follower count; other reach tables hold rows as before.

use std::hash::BuildHasher;
use std::sync::Mutex;

use polars::prelude::*;
use rayon::prelude::*;

use super::accounts::{as_i64, status_codes, totals_frame, Group};
use super::reach::{each_group_note, finish, ReachSpec, NO_FOLLOWERS};
use crate::error::{Error, Result};
use crate::schema::col_names::*;
use crate::FollowersRule;

/// Bits of a cell's key per column: a category id + 1 (0 for missing).
pub(super) const WIDTH: u32 = 33;
/// The most `by` columns a key holds beside the platform.
pub(super) const MAX_BY: usize = 2;

/// A batch's `count`: the constant validation gives an input without one, or each row's.
pub(super) enum Counts {
    Constant(Option<i64>),
    Rows(Int64Chunked),
}

impl Counts {
    pub(super) fn of(df: &DataFrame) -> Result<Counts> {
        let count = df.column(COUNT)?;
        Ok(match count.as_scalar_column().and_then(|s| s.scalar().value().extract::<i64>()) {
            Some(c) => Counts::Constant(Some(c)),
            None => Counts::Rows(as_i64(count)?),
        })
    }

    /// Each row's count (the constant repeated: zip it with a column of the batch).
    pub(super) fn iter(&self) -> Box<dyn Iterator<Item = Option<i64>> + '_> {
        match self {
            Counts::Constant(c) => Box::new(std::iter::repeat(*c)),
            Counts::Rows(c) => Box::new(c.iter()),
        }
    }
}

/// Row `i` of `df`'s columns `by`, copied: a one-row slice would keep the batch's whole columns
/// alive for as long as the scan counts.
pub(super) fn values_at(df: &DataFrame, by: &[String], i: usize) -> PolarsResult<DataFrame> {
    df.select(by.iter().cloned())?.take(&IdxCa::from_vec("i".into(), vec![i as IdxSize]))
}

/// Each row's values of the label columns `names` (at most three), as one number: their
/// category ids + 1 (0 for missing), `WIDTH` bits each, the last column lowest.
pub(super) fn label_keys<'a>(df: &DataFrame, names: impl Iterator<Item = &'a str>) -> Result<Vec<u128>> {
    let mut keys = vec![0u128; df.height()];
    for name in names {
        let ids = df.column(name)?.cat32()?.physical();
        for (k, v) in keys.iter_mut().zip(ids.iter()) {
            *k = (*k << WIDTH) | v.map_or(0, |v| u128::from(v) + 1);
        }
    }
    Ok(keys)
}
const SHARDS: usize = 256;

/// One account while the batches are read (48 bytes).
#[derive(Clone, Copy)]
struct Acc {
    /// The largest follower count; `i64::MIN` while no row had one (validation keeps counts of
    /// 0 or more).
    followers: i64,
    /// The latest request: (`reported_at`, `actioned_at`) with a missing date as `i64::MIN`, and
    /// the row number.
    when: (i64, i64, u64),
    cell: u32,
    /// Where the key's bytes are in the shard's `keys`.
    key_at: u32,
    key_len: u32,
    /// The latest request's outcome code ([`super::accounts::status_code`]).
    code: u8,
}

impl Acc {
    fn add(&mut self, followers: i64, when: (i64, i64, u64), code: u8) {
        self.followers = self.followers.max(followers);
        if when > self.when {
            self.when = when;
            self.code = code;
        }
    }
}

/// How the scan hashes an account's key (`mask`: all bits but in tests, which force equal
/// hashes).
#[derive(Clone)]
struct Hasher {
    state: PlRandomState,
    mask: u64,
}

impl Hasher {
    fn key(&self, key: &[u8]) -> u64 {
        self.state.hash_one(key) & self.mask
    }
    /// Within a shard: the key's hash and the cell, turned so that the hash's top 8 bits (the
    /// shard's, the same for every account of a shard) go to the bottom, out of the tag (the
    /// top 32 bits, whose own bottom bits place an entry in the table).
    fn within(key_hash: u64, cell: u32) -> u64 {
        (key_hash ^ u64::from(cell).wrapping_mul(0x9E37_79B9_7F4A_7C15)).rotate_left(8)
    }
}

/// Accounts per chunk of a shard's records (96 KiB).
const ACC_CHUNK: usize = 2048;
/// Bytes per chunk of a shard's keys; a longer key has a chunk of its own.
const KEY_CHUNK: usize = 1 << 16;

/// One shard's accounts. Records and keys are kept in chunks of fixed size, so that growing
/// copies nothing and leaves no spare room beyond the last chunk (a vector that doubles holds up
/// to twice what it needs, and its copies are freed after their pages were touched).
#[derive(Default)]
struct Shard {
    /// An open-addressing table (linear probing, at most 3/4 full): each slot 0 (empty) or the
    /// top 32 bits of the account's [`Hasher::within`] hash (its tag, whose bottom bits place it)
    /// above its number + 1. A tag match is confirmed on the cell and the key's bytes (equal
    /// hashes of different accounts are two entries).
    slots: Vec<u64>,
    accs: Vec<Vec<Acc>>,
    /// The keys' bytes; a key at `key_at` is in chunk `key_at / KEY_CHUNK`, from `key_at %
    /// KEY_CHUNK`, and never spans two chunks.
    keys: Vec<Vec<u8>>,
    len: u32,
}

/// The tag of a [`Hasher::within`] hash.
fn tag(within: u64) -> u32 {
    (within >> 32) as u32
}

/// Rows of a shard looked up at a time: their loads do not depend on each other, so their cache
/// misses overlap (a shard's records are cold again by the next batch).
const AHEAD: usize = 16;

impl Shard {
    fn acc(&self, i: u32) -> &Acc {
        &self.accs[i as usize / ACC_CHUNK][i as usize % ACC_CHUNK]
    }

    fn accounts(&self) -> impl Iterator<Item = &Acc> {
        self.accs.iter().flatten()
    }

    fn key(&self, a: &Acc) -> &[u8] {
        key_of(&self.keys, a)
    }

    /// Puts `bytes` in the keys: where they start.
    fn push_key(&mut self, bytes: &[u8]) -> Result<u32> {
        if !self.keys.last().is_some_and(|c| c.len() + bytes.len() <= KEY_CHUNK) {
            self.keys.push(Vec::with_capacity(bytes.len().max(KEY_CHUNK)));
        }
        let c = self.keys.len() - 1;
        let at = c.checked_mul(KEY_CHUNK).map(|x| x + self.keys[c].len()).and_then(|x| u32::try_from(x).ok());
        self.keys[c].extend_from_slice(bytes);
        at.ok_or_else(|| Error::Internal("a reach shard passed 4 GB of keys".into()))
    }

    /// Twice the slots (at least 1,024), each entry placed again by its tag.
    fn grow(&mut self) {
        let n = (self.slots.len() * 2).max(1024);
        let mut slots = vec![0u64; n];
        for &e in self.slots.iter().filter(|&&e| e != 0) {
            let mut p = (e >> 32) as usize & (n - 1);
            while slots[p] != 0 {
                p = (p + 1) & (n - 1);
            }
            slots[p] = e;
        }
        self.slots = slots;
    }

    /// Reads, for each row of a group, its first slot, then the record it points to, then the
    /// key's first byte: hints only (the values are dropped), so that the lookups that follow
    /// find these in the cache.
    fn warm(&self, tags: &[u32]) {
        if self.slots.is_empty() {
            return;
        }
        let mask = self.slots.len() - 1;
        let mut found = [0u32; AHEAD];
        for (f, &t) in found.iter_mut().zip(tags) {
            let e = self.slots[t as usize & mask];
            *f = if e != 0 && tag(e) == t { e as u32 } else { 0 };
        }
        let mut at = [(0u32, 0u32); AHEAD];
        for (a, &f) in at.iter_mut().zip(&found) {
            if f != 0 {
                let acc = self.acc(f - 1);
                *a = (acc.key_at, acc.key_len);
            }
        }
        for &(key_at, key_len) in &at {
            if key_len > 0 {
                let (c, o) = (key_at as usize / KEY_CHUNK, key_at as usize % KEY_CHUNK);
                std::hint::black_box(self.keys[c][o]);
            }
        }
        std::hint::black_box(&found);
    }

    fn add(&mut self, w: u64, cell: u32, key: &str, followers: i64, when: (i64, i64, u64), code: u8) -> Result<()> {
        if (self.len as usize + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let bytes = key.as_bytes();
        let (t, mask) = (tag(w), self.slots.len() - 1);
        let mut p = t as usize & mask;
        loop {
            let e = self.slots[p];
            if e == 0 {
                break;
            }
            if tag(e) == t {
                let i = e as u32 - 1;
                let a = self.acc(i);
                if a.cell == cell && key_of(&self.keys, a) == bytes {
                    self.accs[i as usize / ACC_CHUNK][i as usize % ACC_CHUNK].add(followers, when, code);
                    return Ok(());
                }
            }
            p = (p + 1) & mask;
        }
        let key_at = self.push_key(bytes)?;
        let key_len = u32::try_from(bytes.len()).map_err(|_| Error::Internal("an account key passed 4 GB".into()))?;
        let i = self.len;
        self.len = i
            .checked_add(1)
            .filter(|n| *n < u32::MAX)
            .ok_or_else(|| Error::Internal("a reach shard passed 4 billion accounts".into()))?;
        if self.accs.last().is_none_or(|c| c.len() == ACC_CHUNK) {
            self.accs.push(Vec::with_capacity(ACC_CHUNK));
        }
        if let Some(c) = self.accs.last_mut() {
            c.push(Acc { followers, when, cell, key_at, key_len, code });
        }
        self.slots[p] = (u64::from(t) << 32) | u64::from(i + 1);
        Ok(())
    }
}

/// The bytes of `a`'s key in a shard's `keys`.
fn key_of<'k>(keys: &'k [Vec<u8>], a: &Acc) -> &'k [u8] {
    let (c, at) = (a.key_at as usize / KEY_CHUNK, a.key_at as usize % KEY_CHUNK);
    &keys[c][at..at + a.key_len as usize]
}

/// A batch's row of an account, as a shard adds it.
#[derive(Clone, Copy, Default)]
struct Row<'a> {
    within: u64,
    key: &'a str,
    followers: i64,
    when: (i64, i64, u64),
    cell: u32,
    code: u8,
}

/// The cells met so far and each `by` group's additive sums.
#[derive(Default)]
struct Cells {
    /// A cell's key (its columns' category ids) to its number.
    index: PlHashMap<u128, u32>,
    keys: Vec<u128>,
    group_of: Vec<u32>,
    groups: PlHashMap<u128, u32>,
    /// Each group's `by` values (one row), and its sums.
    values: Vec<DataFrame>,
    sums: Vec<Group>,
    rows: u64,
    rows_with_followers: u64,
}

/// Reach of a scan's batches, counted as they come ([`ReachStream::add`]), then
/// [`ReachStream::finish`]ed into the table.
pub(crate) struct ReachStream {
    by: Vec<String>,
    spec: ReachSpec,
    hasher: Hasher,
    cells: Mutex<Cells>,
    shards: Vec<Mutex<Shard>>,
}

fn poisoned<T>(_: T) -> Error {
    Error::Internal("a reach batch failed".into())
}

impl ReachStream {
    /// A stream for reach by `by` with `spec`, when it can count it: followers by the largest
    /// value, and `by` of at most two label columns (which validation makes categorical).
    pub(crate) fn of(by: &[String], spec: &ReachSpec) -> Option<ReachStream> {
        let labels = by.iter().all(|b| crate::schema::LABEL_COLUMNS.contains(&b.as_str()));
        (spec.followers == FollowersRule::Max && by.len() <= MAX_BY && labels).then(|| ReachStream {
            by: by.to_vec(),
            spec: *spec,
            hasher: Hasher { state: PlRandomState::default(), mask: u64::MAX },
            cells: Mutex::new(Cells::default()),
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
        })
    }

    /// Counts a validated batch whose first input row is `first` (its rows keep their order,
    /// and no batch's rows interleave another's, so `first` + place orders every row).
    pub(crate) fn add(&self, df: &DataFrame, first: i64) -> Result<()> {
        let n = df.height();
        if n == 0 {
            return Ok(());
        }
        // Each row's cell key: the `by` columns' category ids, then the platform's.
        let keys = label_keys(df, self.by.iter().map(String::as_str).chain([PLATFORM]))?;
        // The batch's cells, numbered in the batch, then in the scan.
        let mut local: PlHashMap<u128, u32> = PlHashMap::new();
        let mut firsts: Vec<(u128, usize)> = Vec::new();
        let mut last: Option<(u128, u32)> = None;
        let cell_local: Vec<u32> = keys
            .iter()
            .enumerate()
            .map(|(i, &k)| match last {
                Some((lk, c)) if lk == k => c,
                _ => {
                    let next = firsts.len() as u32;
                    let c = *local.entry(k).or_insert(next);
                    if c == next {
                        firsts.push((k, i));
                    }
                    last = Some((k, c));
                    c
                }
            })
            .collect();
        drop((keys, local));
        let counts = Counts::of(df)?;
        let followers = as_i64(df.column(FOLLOWERS)?)?;
        let mut sums = vec![(0i64, 0i64); firsts.len()];
        for ((&c, k), f) in cell_local.iter().zip(counts.iter()).zip(followers.iter()) {
            let s = &mut sums[c as usize];
            let k = k.unwrap_or(0);
            s.0 = s.0.wrapping_add(k);
            if let Some(f) = f {
                s.1 = s.1.wrapping_add(f.wrapping_mul(k));
            }
        }
        let global: Vec<u32> = {
            let mut cells = self.cells.lock().map_err(poisoned)?;
            cells.rows += n as u64;
            cells.rows_with_followers += (n - followers.null_count()) as u64;
            firsts
                .iter()
                .zip(&sums)
                .map(|(&(k, i), &(cases, naive))| {
                    let cell = self.cell(&mut cells, k, || values_at(df, &self.by, i))?;
                    let g = cells.group_of[cell as usize] as usize;
                    let g = &mut cells.sums[g];
                    g.cases = g.cases.wrapping_add(cases);
                    g.naive = g.naive.wrapping_add(naive);
                    Ok(cell)
                })
                .collect::<Result<_>>()?
        };

        // The accounts, by shard: each row's values gathered in shard order (read in row
        // order, written to one run per shard), so that a shard reads its rows in a line.
        let key = df.column(ACCOUNT_KEY)?.str()?;
        let (reported, actioned) = (as_i64(df.column(REPORTED_AT)?)?, as_i64(df.column(ACTIONED_AT)?)?);
        let codes = status_codes(df.column(STATUS)?)?;
        let hashes: Vec<u64> = key.iter().map(|k| k.map_or(0, |k| self.hasher.key(k.as_bytes()))).collect();
        let shard_of = |h: u64| (h >> 56) as usize;
        let mut offsets = vec![0usize; SHARDS + 1];
        for (h, k) in hashes.iter().zip(key.iter()) {
            if k.is_some() {
                offsets[shard_of(*h) + 1] += 1;
            }
        }
        for s in 1..=SHARDS {
            offsets[s] += offsets[s - 1];
        }
        let base = u64::try_from(first).unwrap_or(0);
        let mut next = offsets.clone();
        let mut rows = vec![Row::default(); offsets[SHARDS]];
        let values = key.iter().zip(followers.iter()).zip(reported.iter().zip(actioned.iter()));
        for (i, ((k, f), (r, a))) in values.enumerate() {
            let Some(k) = k else { continue };
            let s = shard_of(hashes[i]);
            let cell = global[cell_local[i] as usize];
            rows[next[s]] = Row {
                within: Hasher::within(hashes[i], cell),
                key: k,
                followers: f.unwrap_or(i64::MIN),
                when: (r.unwrap_or(i64::MIN), a.unwrap_or(i64::MIN), base + i as u64),
                cell,
                code: codes[i],
            };
            next[s] += 1;
        }
        drop(hashes);
        // Batches on other threads start elsewhere, so that they seldom wait for a shard.
        let start = (base as usize / n.max(1)) % SHARDS;
        for s in (start..SHARDS).chain(0..start) {
            let rows = &rows[offsets[s]..offsets[s + 1]];
            if rows.is_empty() {
                continue;
            }
            let mut shard = self.shards[s].lock().map_err(poisoned)?;
            for group in rows.chunks(AHEAD) {
                let mut tags = [0u32; AHEAD];
                for (t, r) in tags.iter_mut().zip(group) {
                    *t = tag(r.within);
                }
                shard.warm(&tags[..group.len()]);
                for r in group {
                    shard.add(r.within, r.cell, r.key, r.followers, r.when, r.code)?;
                }
            }
        }
        Ok(())
    }

    /// The number of the cell of key `k`, numbering it (and its group) when new.
    fn cell(&self, cells: &mut Cells, k: u128, values: impl FnOnce() -> PolarsResult<DataFrame>) -> Result<u32> {
        if let Some(&c) = cells.index.get(&k) {
            return Ok(c);
        }
        let c = cells.keys.len() as u32;
        let next = cells.values.len() as u32;
        let g = *cells.groups.entry(k >> WIDTH).or_insert(next);
        if g == next {
            cells.values.push(values()?);
            cells.sums.push(Group::default());
        }
        cells.index.insert(k, c);
        cells.keys.push(k);
        cells.group_of.push(g);
        Ok(c)
    }

    /// The reach table of every batch added, with the in-memory definition and note.
    pub(crate) fn finish(&self) -> Result<DataFrame> {
        let mut cells = std::mem::take(&mut *self.cells.lock().map_err(poisoned)?);
        if cells.rows > 0 && cells.rows_with_followers == 0 {
            return Err(Error::Empty(NO_FOLLOWERS.into()));
        }
        let shards: Vec<Shard> =
            self.shards.iter().map(|s| Ok(std::mem::take(&mut *s.lock().map_err(poisoned)?))).collect::<Result<_>>()?;
        // Where the group's id sits in a cell's key, when `by` has `group`.
        let slots = self.by.len() as u32 + 1;
        let group_shift = self.by.iter().position(|b| b == GROUP).map(|p| WIDTH * (slots - 1 - p as u32));
        let field = |k: u128, shift: u32| (k >> shift) & ((1u128 << WIDTH) - 1);
        let (cell_keys, group_of) = (&cells.keys, &cells.group_of);
        let groups = cells.sums.len();
        let parts: Vec<(Vec<Group>, u64)> = shards
            .into_par_iter()
            .map(|shard| {
                let mut part = vec![Group::default(); groups];
                // Per (platform, key) of an account that names a group: the first group met, and
                // whether another was.
                let mut named: PlHashMap<(u128, &[u8]), (u128, bool)> = PlHashMap::new();
                for a in shard.accounts() {
                    let followers = (a.followers != i64::MIN).then_some(a.followers);
                    part[group_of[a.cell as usize] as usize].account(followers, a.code <= 1);
                    if let Some(shift) = group_shift {
                        let k = cell_keys[a.cell as usize];
                        let g = field(k, shift);
                        if g != 0 {
                            let (first, several) = named.entry((field(k, 0), shard.key(a))).or_insert((g, false));
                            *several |= *first != g;
                        }
                    }
                }
                (part, named.values().filter(|(_, several)| *several).count() as u64)
            })
            .collect();
        let mut several = 0;
        for (part, s) in parts {
            several += s;
            for (g, p) in cells.sums.iter_mut().zip(part) {
                g.merge_accounts(p);
            }
        }
        // Without `by` there is one group, even of no cases (as in memory).
        if self.by.is_empty() && cells.sums.is_empty() {
            cells.sums.push(Group::default());
        }
        let cols = if self.by.is_empty() {
            Vec::new()
        } else {
            let mut values = cells.values.drain(..);
            let mut all = values.next().unwrap_or_else(DataFrame::empty);
            for v in values {
                all.vstack_mut_owned(v)?;
            }
            if all.width() == 0 {
                // No rows at all: the `by` columns, empty, with the labels' type.
                self.by.iter().map(|b| Column::new_empty(b.into(), &crate::schema::label_dtype())).collect()
            } else {
                all.into_columns()
            }
        };
        let df = finish(totals_frame(cols, &mut cells.sums)?, &self.by, &self.spec)?;
        if group_shift.is_none() {
            return Ok(df);
        }
        let note = each_group_note(several);
        super::map_definitions(df, |v| format!("{v}; {note}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::Validated;
    use crate::metrics::Source;
    use crate::{LoadOptions, OnInvalid};

    /// Synthetic cases with accounts under several groups and requests of equal dates.
    fn cases(n: usize) -> Validated {
        let df = crate::synth::synthetic_frame(n, 5).unwrap();
        let df = df
            .lazy()
            .with_row_index("__i", None)
            .with_columns([
                // Few accounts, so that most have several rows, some in several groups.
                (lit("@fake_") + (col("__i") % lit(997u32)).cast(DataType::String)).alias("account"),
                when((col("__i") % lit(13u32)).eq(lit(0u32))).then(lit("BLA")).otherwise(col("group")).alias("group"),
                // Ties on dates: the later row wins.
                when((col("__i") % lit(7u32)).eq(lit(0u32)))
                    .then(col("reported_at").first())
                    .otherwise(col("reported_at"))
                    .alias("reported_at"),
            ])
            .drop(cols(["__i"]))
            .collect()
            .unwrap();
        let opts = LoadOptions::default().with_on_invalid(OnInvalid::Quarantine);
        crate::load::from_frame(df, &opts).unwrap()
    }

    /// The stream's table from `cases` in batches of `size`, given in reverse order.
    fn streamed(cases: &Validated, by: &[String], size: usize, mask: u64) -> DataFrame {
        let mut s = ReachStream::of(by, &ReachSpec::default()).unwrap();
        s.hasher.mask = mask;
        let f = cases.frame();
        let starts: Vec<usize> = (0..f.height()).step_by(size).collect();
        for &at in starts.iter().rev() {
            s.add(&f.slice(at as i64, size), at as i64).unwrap();
        }
        s.finish().unwrap()
    }

    #[test]
    fn batches_in_any_order_and_hash_collisions_give_the_in_memory_table() {
        for c in [cases(6_000), super::super::accounts::tests::mixed_cases()] {
            let held =
                |by: &[String]| super::super::reach::reach_held(&Source::of(&c), by, &ReachSpec::default()).unwrap();
            let all =
                [vec![], vec!["group".to_string()], vec!["platform".into(), "group".into()], vec!["status".into()]];
            // (An account's rows under one group and two statuses: two cells, one group.)
            let all = all.into_iter().chain([vec!["group".to_string(), "status".into()]]);
            for by in all {
                let want = held(&by);
                // Every hash kept; then only two bits of it, so that most accounts share a hash.
                for mask in [u64::MAX, 0xC000_0000_0000_0000] {
                    for size in [1, 777, 6_000] {
                        let got = streamed(&c, &by, size, mask);
                        assert!(got.equals_missing(&want), "by {by:?}, mask {mask:x}, size {size}\n{got}\n{want}");
                    }
                }
                if by.iter().any(|b| b == "group") {
                    let d = want.column("definition").unwrap().str().unwrap().get(0).unwrap().to_string();
                    assert!(d.contains("were reported under more than one group"), "{d}");
                }
            }
        }
    }

    #[test]
    fn a_later_row_wins_a_tie_whatever_the_order_of_batches() {
        // One account, two requests of the same dates: the later row's outcome counts.
        let c = cases(2);
        let f = c.frame().clone();
        let same = f
            .lazy()
            .with_columns([
                lit("@fake_tie").alias(ACCOUNT_KEY),
                lit("x").cast(crate::schema::label_dtype()).alias(PLATFORM),
                col(REPORTED_AT).first().alias(REPORTED_AT),
                col(ACTIONED_AT).first().alias(ACTIONED_AT),
                lit(10i64).alias(FOLLOWERS),
            ])
            .collect()
            .unwrap();
        let status = |a: &str, b: &str| {
            let mut df = same.clone();
            let s = Column::new(STATUS.into(), [a, b]).cast(&crate::schema::label_dtype()).unwrap();
            df.with_column(s).unwrap();
            df
        };
        for (first, second, actioned) in [("removed", "rejected", 0i64), ("rejected", "removed", 10)] {
            let df = status(first, second);
            let mut s = ReachStream::of(&[], &ReachSpec::default()).unwrap();
            s.add(&df.slice(1, 1), 1).unwrap();
            s.add(&df.slice(0, 1), 0).unwrap();
            let got = s.finish().unwrap();
            assert_eq!(got.column("followers_actioned").unwrap().i64().unwrap().get(0), Some(actioned), "{got}");
            s = ReachStream::of(&[], &ReachSpec::default()).unwrap();
            s.add(&df, 0).unwrap();
            assert!(s.finish().unwrap().equals_missing(&got));
        }
    }

    #[test]
    fn keys_longer_than_a_chunk_and_chunks_filled_to_the_byte_are_kept_whole() {
        let mut shard = Shard::default();
        let long = "k".repeat(KEY_CHUNK + 5);
        let fill = "f".repeat(KEY_CHUNK - 3);
        let keys = ["abc", fill.as_str(), "xyz", long.as_str(), "after", fill.as_str()];
        let h = Hasher { state: PlRandomState::default(), mask: u64::MAX };
        for (i, k) in keys.iter().enumerate() {
            // The last key is the second one again, in another cell: a second account.
            let cell = u32::from(i == keys.len() - 1);
            shard.add(Hasher::within(h.key(k.as_bytes()), cell), cell, k, i as i64, (0, 0, i as u64), 0).unwrap();
        }
        let got: Vec<&[u8]> = shard.accounts().map(|a| shard.key(a)).collect();
        assert_eq!(got, keys.map(str::as_bytes).to_vec());
        // The same keys again find their accounts.
        for (i, k) in keys.iter().enumerate() {
            let cell = u32::from(i == keys.len() - 1);
            shard.add(Hasher::within(h.key(k.as_bytes()), cell), cell, k, 100, (1, 0, 9), 1).unwrap();
        }
        assert_eq!(shard.len as usize, keys.len());
        assert!(shard.accounts().all(|a| a.followers == 100 && a.code == 1));
    }

    #[test]
    fn no_rows_give_the_in_memory_table_of_no_rows() {
        let c = cases(10);
        let none = c.with_frame(c.frame().clear());
        for by in [vec![], vec!["group".to_string()]] {
            let want = super::super::reach::reach_held(&Source::of(&none), &by, &ReachSpec::default()).unwrap();
            let s = ReachStream::of(&by, &ReachSpec::default()).unwrap();
            s.add(none.frame(), 0).unwrap();
            let got = s.finish().unwrap();
            assert!(got.equals_missing(&want), "by {by:?}\n{got}\n{want}");
            assert_eq!(got.height(), usize::from(by.is_empty()));
        }
        // Rows, none with a follower count: the in-memory error.
        let s = ReachStream::of(&[], &ReachSpec::default()).unwrap();
        let mut f = c.frame().clone();
        f.with_column(Column::full_null(FOLLOWERS.into(), f.height(), &DataType::Int64)).unwrap();
        s.add(&f, 0).unwrap();
        assert!(matches!(s.finish(), Err(Error::Empty(_))));
    }

    #[test]
    fn what_it_cannot_count_it_leaves_to_the_held_rows() {
        let latest = ReachSpec { followers: FollowersRule::Latest, ..Default::default() };
        assert!(ReachStream::of(&["group".into()], &latest).is_none());
        assert!(ReachStream::of(&["account_key".into()], &ReachSpec::default()).is_none());
        let three: Vec<String> = ["group", "platform", "status"].map(String::from).to_vec();
        assert!(ReachStream::of(&three, &ReachSpec::default()).is_none());
        assert!(ReachStream::of(&three[..2], &ReachSpec::default()).is_some());
    }
}
