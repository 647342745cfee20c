//! Rows split into slices by a hash computed once, so that each slice can be worked on alone, in
//! parallel, with a hash table small enough for the cache. Shared by the duplicate-id check
//! (`load::validate`) and reach on cases in memory (`metrics::accounts`).

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
