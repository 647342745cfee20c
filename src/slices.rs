//! Rows split into slices by a hash computed once, so that each slice can be worked on alone, in
//! parallel, with a hash table small enough for the cache. Shared by the duplicate-id check
//! (`load::validate`) and reach on cases in memory (`metrics::accounts`).

use polars::prelude::*;
use polars_arrow::array::{Array, Utf8ViewArray};

/// A column's arrays, read at a row number without copying them into one array.
pub(crate) struct Chunks<'a, A> {
    pub(crate) arrs: Vec<&'a A>,
    /// Where each array ends (exclusive), in rows.
    ends: Vec<usize>,
}

impl<'a, A: Array> Chunks<'a, A> {
    pub(crate) fn new(arrs: impl Iterator<Item = &'a A>) -> Self {
        let arrs: Vec<&A> = arrs.collect();
        let mut end = 0;
        let ends = arrs
            .iter()
            .map(|a| {
                end += a.len();
                end
            })
            .collect();
        Chunks { arrs, ends }
    }
    pub(crate) fn start(&self, c: usize) -> usize {
        if c == 0 {
            0
        } else {
            self.ends[c - 1]
        }
    }
    /// Row `i` when rows are visited in increasing order; `cur` (from 0) remembers the array.
    #[inline]
    pub(crate) fn seq(&self, cur: &mut usize, i: usize) -> (&'a A, usize) {
        while self.ends[*cur] <= i {
            *cur += 1;
        }
        (self.arrs[*cur], i - self.start(*cur))
    }
    /// Row `i`, in any order (a binary search over the arrays' ends).
    #[inline]
    pub(crate) fn at(&self, i: usize) -> (&'a A, usize) {
        let c = if self.arrs.len() == 1 { 0 } else { self.ends.partition_point(|&e| e <= i) };
        (self.arrs[c], i - self.start(c))
    }
}

/// A text column's arrays.
pub(crate) fn text<'a>(ca: &'a StringChunked) -> Chunks<'a, Utf8ViewArray> {
    Chunks::new(ca.downcast_iter())
}

/// The value at `i` of one array.
#[inline]
pub(crate) fn get_str(a: &Utf8ViewArray, i: usize) -> Option<&str> {
    a.is_valid(i).then(|| a.value(i))
}

impl<'a> Chunks<'a, Utf8ViewArray> {
    /// The text at row `i`, in any order.
    #[inline]
    pub(crate) fn str_at(&self, i: usize) -> Option<&'a str> {
        let (a, j) = self.at(i);
        get_str(a, j)
    }
}

/// 256 slices, by the top 8 bits of the hash.
const BITS: u32 = 8;

/// The rows of each slice, in row order.
pub(crate) struct Slices {
    /// Where each slice starts in `rows` (and, last, where the last one ends).
    offsets: Vec<usize>,
    rows: Vec<u32>,
}

impl Slices {
    /// The rows `i` with `present(i)`, by the top bits of `hashes[i]`.
    pub(crate) fn new(hashes: &[u64], present: impl Fn(usize) -> bool) -> Slices {
        let slice_of = |h: u64| (h >> (64 - BITS)) as usize;
        let mut offsets = vec![0usize; (1 << BITS) + 1];
        for (i, h) in hashes.iter().enumerate() {
            if present(i) {
                offsets[slice_of(*h) + 1] += 1;
            }
        }
        for s in 1..offsets.len() {
            offsets[s] += offsets[s - 1];
        }
        let mut next = offsets.clone();
        let mut rows = vec![0u32; offsets[1 << BITS]];
        for (i, h) in hashes.iter().enumerate() {
            if present(i) {
                let s = slice_of(*h);
                rows[next[s]] = i as u32;
                next[s] += 1;
            }
        }
        Slices { offsets, rows }
    }

    /// How many slices.
    pub(crate) fn len(&self) -> usize {
        1 << BITS
    }

    /// The rows of slice `s`.
    pub(crate) fn get(&self, s: usize) -> &[u32] {
        &self.rows[self.offsets[s]..self.offsets[s + 1]]
    }
}

/// A hasher for keys that are already hashes: one multiply spreads the bits hashbrown reads.
#[derive(Default)]
pub(crate) struct Mixed(u64);

impl std::hash::Hasher for Mixed {
    fn finish(&self) -> u64 {
        self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

/// A hash table keyed by a hash computed beforehand.
pub(crate) type ByHash<V> = std::collections::HashMap<u64, V, std::hash::BuildHasherDefault<Mixed>>;

/// Each row's value numbered from 1 in order of first appearance (0 for missing), and how many
/// numbers there are (distinct values + 1). A label column is numbered from its category ids,
/// without decoding a value; other dtypes are read as text.
pub(crate) fn value_codes(col: &Column) -> PolarsResult<(Vec<u32>, u64)> {
    fn number<T: std::hash::Hash + Eq>(values: impl Iterator<Item = Option<T>>) -> (Vec<u32>, u64) {
        let mut index: PlHashMap<T, u32> = PlHashMap::new();
        let codes = values
            .map(|v| match v {
                None => 0,
                Some(s) => {
                    let next = index.len() as u32 + 1;
                    *index.entry(s).or_insert(next)
                }
            })
            .collect();
        (codes, index.len() as u64 + 1)
    }
    match col.dtype() {
        DataType::String => Ok(number(col.str()?.iter())),
        d if d.is_categorical() => Ok(number(col.cat32()?.physical().iter())),
        _ => Ok(number(col.cast(&DataType::String)?.str()?.iter())),
    }
}

/// The combinations of `cols`' values at `rows` (a missing value is a value), numbered from 0 in
/// order of first appearance among `rows`: each given row's combination, and each combination's
/// first row. With no column every row is combination 0. An `invalid argument by` error when the
/// columns have too many combinations of values to number (more than 2^128).
pub(crate) fn combinations(
    cols: &[&Column],
    rows: impl IntoIterator<Item = usize>,
) -> crate::error::Result<(Vec<u32>, Vec<IdxSize>)> {
    let codes: Vec<(Vec<u32>, u64)> = cols.iter().map(|c| value_codes(c)).collect::<PolarsResult<_>>()?;
    let mut index: PlHashMap<u128, u32> = PlHashMap::new();
    let (mut of_row, mut first_row) = (Vec::new(), Vec::new());
    for i in rows {
        let label = codes
            .iter()
            .try_fold(0u128, |acc, (c, k)| acc.checked_mul(u128::from(*k)).map(|a| a + u128::from(c[i])))
            .ok_or_else(|| {
                crate::Error::invalid_arg(
                    "by",
                    "the by columns have too many combinations of values to number; use fewer",
                )
            })?;
        let g = *index.entry(label).or_insert_with(|| {
            first_row.push(i as IdxSize);
            (first_row.len() - 1) as u32
        });
        of_row.push(g);
    }
    Ok((of_row, first_row))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_present_row_once_in_its_slice_in_row_order() {
        let hashes: Vec<u64> = (0..5000u64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15)).collect();
        let s = Slices::new(&hashes, |i| i % 3 != 0);
        let mut seen = Vec::new();
        for k in 0..s.len() {
            let rows = s.get(k);
            assert!(rows.windows(2).all(|w| w[0] < w[1]));
            assert!(rows.iter().all(|&i| (hashes[i as usize] >> 56) as usize == k));
            seen.extend_from_slice(rows);
        }
        seen.sort_unstable();
        let want: Vec<u32> = (0..5000u32).filter(|i| i % 3 != 0).collect();
        assert_eq!(seen, want);
    }
}
