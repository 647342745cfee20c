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
            let msg = format!("{USED_ON}{}", ctx.rows.get(j));
            ctx.problem(i, name, ids.get(i).unwrap_or_default(), Rule::DuplicateCaseId, msg)
        })
        .collect()
}

/// How a duplicate id's problem begins, before the row of the id's first use.
const USED_ON: &str = "case_id already used on row ";

/// Says, in each duplicate id's problem whose first use was itself rejected, that it was and
/// why: every row with that id is then left out, which the message would otherwise hide.
/// `problems` are a load's, every one (the first use's problems among them); a message already
/// saying so is left as it is, so that a load by parts can run this on each part and again on
/// the merged problems.
pub(crate) fn note_rejected_first_uses(problems: &mut [crate::error::Problem]) {
    if !problems.iter().any(|p| p.rule == Rule::DuplicateCaseId) {
        return;
    }
    let mut why: PlHashMap<u64, Rule> = PlHashMap::new();
    for p in problems.iter().filter(|p| p.rule != Rule::DuplicateCaseId) {
        why.entry(p.row).or_insert(p.rule);
    }
    for p in problems.iter_mut().filter(|p| p.rule == Rule::DuplicateCaseId) {
        let Some(rest) = p.message.strip_prefix(USED_ON) else { continue };
        if !rest.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Some(rule) = rest.parse::<u64>().ok().and_then(|first| why.get(&first)) else { continue };
        p.message =
            format!("{USED_ON}{rest}, which was itself rejected ({}): no row with this case_id is kept", rule.as_str());
    }
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
/// slice where two accounts' hashes collide). `p` and `g` are the platform's and group's value
/// numbers ([`crate::slices::value_codes`], 0 for missing).
fn several_by_value(
    rows: &[u32],
    p: &[u32],
    k: &crate::slices::Chunks<'_, polars_arrow::array::Utf8ViewArray>,
    g: &[u32],
) -> u64 {
    // (platform, account) -> (its first group, whether a second was seen).
    type Seen<'a> = PlHashMap<(u32, Option<&'a str>), (u32, bool)>;
    let mut first: Seen = PlHashMap::new();
    let mut several = 0;
    for &i in rows {
        let i = i as usize;
        let (group, seen) = first.entry((p[i], k.str_at(i))).or_insert((g[i], false));
        if !*seen && *group != g[i] {
            *seen = true;
            several += 1;
        }
    }
    several
}

/// Accounts (platform + `account_key`) whose rows name more than one group.
///
/// Hash-sliced like the duplicate-id check, in one pass over the columns in row order and none
/// by row number: each row's account gets two independent 64-bit hashes (of its platform's
/// number and its key) and its group a number (groups and platforms are numbered exactly, by
/// value, from their category ids). Rows are split into cache-sized slices by the first hash;
/// each slice keeps, per account, the second hash and the first row's group, and counts an
/// account once when a row of it names another group. Two rows are one account when both hashes
/// agree (two different accounts agreeing on 128 bits has a chance of about 10^-25 in 10^7
/// accounts); a first hash shared by two accounts with different second hashes has its slice
/// counted again by the values.
pub(crate) fn accounts_in_several_groups(df: &DataFrame) -> Result<u64> {
    use rayon::prelude::*;
    use std::hash::BuildHasher;
    let (gcol, k, pcol) = (df.column(GROUP)?, df.column(ACCOUNT_KEY)?.str()?, df.column(PLATFORM)?);
    if gcol.null_count() == gcol.len() || k.null_count() == k.len() {
        return Ok(0);
    }
    let (p, g) = rayon::join(|| crate::slices::value_codes(pcol), || crate::slices::value_codes(gcol));
    let (p, g) = (p?.0, g?.0);
    let state = PlRandomState::default();
    let n = df.height();
    let (mut first_hash, mut second_hash) = (vec![0u64; n], vec![0u64; n]);
    // In parallel over runs of rows, each read in order.
    const RUN: usize = 1 << 14;
    let kc = crate::slices::text(k);
    first_hash.par_chunks_mut(RUN).zip(second_hash.par_chunks_mut(RUN)).enumerate().for_each(|(r, (h1, h2))| {
        let mut ck = 0;
        for (o, i) in (r * RUN..).take(h1.len()).enumerate() {
            let (a, j) = kc.seq(&mut ck, i);
            let Some(kv) = crate::slices::get_str(a, j) else { continue };
            h1[o] = state.hash_one((p[i], kv));
            // Another input (a salt, the values in the other order): an independent hash.
            h2[o] = state.hash_one((0x5bd1_e995u32, kv, p[i]));
        }
    });
    // A row counts when it names an account and a group.
    let counts = |i: usize| g[i] != 0 && kc.str_at(i).is_some();
    let named: Vec<bool> = (0..n).into_par_iter().map(counts).collect();
    let slices = crate::slices::Slices::new(&first_hash, |i| named[i]);
    let counted: u64 = (0..slices.len())
        .into_par_iter()
        .map(|s| {
            let rows = slices.get(s);
            // Per account: (second hash, first row's group, whether a second group was seen).
            let mut first: crate::slices::ByHash<(u64, u32, bool)> =
                crate::slices::ByHash::with_capacity_and_hasher(rows.len(), Default::default());
            let mut several = 0u64;
            for &i in rows {
                let i = i as usize;
                let (h2, g0, seen) = first.entry(first_hash[i]).or_insert((second_hash[i], g[i], false));
                if *h2 != second_hash[i] {
                    return several_by_value(rows, &p, &kc, &g);
                }
                if !*seen && *g0 != g[i] {
                    *seen = true;
                    several += 1;
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
        let codes = |c: &str| crate::slices::value_codes(df.column(c).unwrap()).unwrap().0;
        let kc = df.column(ACCOUNT_KEY).unwrap().str().unwrap();
        let rows: Vec<u32> = (0..8).collect();
        assert_eq!(several_by_value(&rows, &codes(PLATFORM), &crate::slices::text(kc), &codes(GROUP)), hashed);
        // The same frame with categorical labels, as a load makes it.
        let cat = |c: &str| df.column(c).unwrap().cast(&crate::schema::label_dtype()).unwrap();
        let labelled = DataFrame::new(8, vec![cat(PLATFORM), Column::new(ACCOUNT_KEY.into(), k), cat(GROUP)]).unwrap();
        assert_eq!(accounts_in_several_groups(&labelled).unwrap(), 2);
    }
}
