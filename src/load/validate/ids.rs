//! The duplicate-`case_id` rule.

use polars::prelude::*;

use super::{Checked, Ctx, Found, Input};
use crate::error::{Result, Rule};
use crate::schema::col_names::{ACCOUNT_KEY, GROUP, PLATFORM};
use crate::slices::{ByHash, Slices};

/// `DuplicateCaseId` for every id already used on an earlier row.
///
/// Radix-partitioned: each id is hashed once, rows are split into 256 partitions by the top bits
/// of the hash, and each partition (small enough for the cache) is checked on its own, in
/// parallel. Equal hashes are confirmed by comparing the ids; a partition with a true hash
/// collision is checked again id by id.
pub(super) fn duplicate_ids(ids: &StringChunked, ctx: &Ctx, name: &str) -> Found {
    use rayon::prelude::*;
    use std::hash::BuildHasher;
    let state = PlRandomState::default();
    let (hashes, present): (Vec<u64>, Vec<bool>) =
        ids.iter().map(|v| (v.map_or(0, |s| state.hash_one(s)), v.is_some())).unzip();
    let slices = Slices::new(&hashes, |i| present[i]);
    let pairs: Vec<(u32, u32)> = (0..slices.len())
        .into_par_iter()
        .flat_map_iter(|p| {
            let rows = slices.get(p);
            let mut first: ByHash<u32> = ByHash::with_capacity_and_hasher(rows.len(), Default::default());
            let mut out = Vec::new();
            for &i in rows {
                let j = *first.entry(hashes[i as usize]).or_insert(i);
                if j != i {
                    if ids.get(i as usize) != ids.get(j as usize) {
                        return exact_duplicates(ids, rows);
                    }
                    out.push((i, j));
                }
            }
            out
        })
        .collect();
    let mut pairs = pairs;
    pairs.sort_unstable();
    pairs
        .into_iter()
        .map(|(i, j)| {
            let (i, j) = (i as usize, j as usize);
            let msg = format!("case_id already used on row {}", ctx.rows.get(j));
            ctx.problem(i, name, ids.get(i).unwrap_or_default(), Rule::DuplicateCaseId, msg)
        })
        .collect()
}

/// (row, first row with the same id) for the repeated ids among `rows` (in row order).
pub(super) fn exact_duplicates(ids: &StringChunked, rows: &[u32]) -> Vec<(u32, u32)> {
    let mut first: PlHashMap<&str, u32> = PlHashMap::with_capacity(rows.len());
    let mut out = Vec::new();
    for &i in rows {
        let Some(id) = ids.get(i as usize) else { continue };
        let j = *first.entry(id).or_insert(i);
        if j != i {
            out.push((i, j));
        }
    }
    out
}

/// The duplicate-`case_id` rule over the `case_id` column (problems only).
pub(super) fn duplicates(input: Input, ctx: &Ctx) -> Result<Checked> {
    let Some((name, col)) = input else { return Ok(Checked::none()) };
    Ok(Checked {
        columns: Vec::new(),
        problems: duplicate_ids(&super::text::clean_text(col)?, ctx, name),
        labels: None,
    })
}

/// The accounts among `rows` that name more than one group, with the values as keys (for a
/// slice where two accounts' hashes collide).
fn several_by_value(
    rows: &[u32],
    p: &crate::slices::Chunks<'_, polars_arrow::array::Utf8ViewArray>,
    k: &crate::slices::Chunks<'_, polars_arrow::array::Utf8ViewArray>,
    g: &crate::slices::Chunks<'_, polars_arrow::array::Utf8ViewArray>,
) -> u64 {
    // (platform, account) -> (its first group, whether a second was seen).
    type Seen<'a> = PlHashMap<(Option<&'a str>, Option<&'a str>), (Option<&'a str>, bool)>;
    let mut first: Seen = PlHashMap::new();
    let mut several = 0;
    for &i in rows {
        let i = i as usize;
        let (group, seen) = first.entry((p.str_at(i), k.str_at(i))).or_insert((g.str_at(i), false));
        if !*seen && *group != g.str_at(i) {
            *seen = true;
            several += 1;
        }
    }
    several
}

/// Accounts (platform + `account_key`) whose rows name more than one group.
///
/// Hash-sliced like the duplicate-id check: each account is hashed once, the rows are split into
/// cache-sized slices by hash, and each slice keeps, per account, the first row's group; an
/// account seen again with another group is counted once. Equal hashes are confirmed by comparing
/// the values.
pub(crate) fn accounts_in_several_groups(df: &DataFrame) -> Result<u64> {
    use rayon::prelude::*;
    use std::hash::BuildHasher;
    let (g, k, p) = (df.column(GROUP)?.str()?, df.column(ACCOUNT_KEY)?.str()?, df.column(PLATFORM)?.str()?);
    if g.null_count() == g.len() || k.null_count() == k.len() {
        return Ok(0);
    }
    // One pass in row order (no lookup by row number): each row's account hash and group hash.
    let state = PlRandomState::default();
    let n = df.height();
    let (mut hashes, mut groups, mut present) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    for ((pv, kv), gv) in p.iter().zip(k.iter()).zip(g.iter()) {
        match (kv, gv) {
            (Some(kv), Some(gv)) => {
                hashes.push(state.hash_one((pv, kv)));
                groups.push(state.hash_one(gv));
                present.push(true);
            }
            _ => {
                hashes.push(0);
                groups.push(0);
                present.push(false);
            }
        }
    }
    let slices = crate::slices::Slices::new(&hashes, |i| present[i]);
    let (p, k, g) = (crate::slices::text(p), crate::slices::text(k), crate::slices::text(g));
    let counted: u64 = (0..slices.len())
        .into_par_iter()
        .map(|s| {
            let rows = slices.get(s);
            // Per account hash: (first row, whether a second group was seen).
            let mut first: crate::slices::ByHash<(u32, bool)> =
                crate::slices::ByHash::with_capacity_and_hasher(rows.len(), Default::default());
            let mut several = 0u64;
            for &i in rows {
                let i = i as usize;
                match first.entry(hashes[i]) {
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert((i as u32, false));
                    }
                    std::collections::hash_map::Entry::Occupied(mut e) => {
                        let (j, seen) = e.get_mut();
                        let j = *j as usize;
                        // Equal hashes confirmed by the values (read by row number only here); a
                        // true collision of two accounts has this slice counted by the values.
                        if p.str_at(j) != p.str_at(i) || k.str_at(j) != k.str_at(i) {
                            return several_by_value(rows, &p, &k, &g);
                        }
                        // Different group hashes are different groups; equal ones are confirmed.
                        if !*seen && (groups[j] != groups[i] || g.str_at(j) != g.str_at(i)) {
                            *seen = true;
                            several += 1;
                        }
                    }
                }
            }
            several
        })
        .sum();
    Ok(counted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_by_value_a_hash_collision_falls_back_to_agrees_with_the_hashed_one() {
        // Accounts on two platforms, some under two groups, some named twice in one group.
        let p = ["x", "x", "x", "tiktok", "tiktok", "x", "x", "tiktok"];
        let k = ["a", "a", "b", "a", "a", "c", "c", "b"];
        let g = ["TTP", "BLA", "TTP", "BLF", "BLF", "BLA", "TTP", "TTP"];
        let df = df!(PLATFORM => p, ACCOUNT_KEY => k, GROUP => g).unwrap();
        let hashed = accounts_in_several_groups(&df).unwrap();
        assert_eq!(hashed, 2, "x/a and x/c");
        let (pc, kc, gc) = (df.column(PLATFORM).unwrap(), df.column(ACCOUNT_KEY).unwrap(), df.column(GROUP).unwrap());
        let (pc, kc, gc) = (pc.str().unwrap(), kc.str().unwrap(), gc.str().unwrap());
        let (pt, kt, gt) = (crate::slices::text(pc), crate::slices::text(kc), crate::slices::text(gc));
        let rows: Vec<u32> = (0..8).collect();
        assert_eq!(several_by_value(&rows, &pt, &kt, &gt), hashed);
    }
}
