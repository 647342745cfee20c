//! Text columns: trimmed, empty as null, accounts folded to their keys.

use polars::prelude::*;
use polars_arrow::array::{Array, Utf8ViewArray, View};
use polars_arrow::datatypes::ArrowDataType;

use super::{Checked, Ctx, Input};
use crate::error::{Result, Rule};
use crate::schema::{account_key, col_names::*, fold_account, text_of};

pub(super) fn trimmed(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

pub(super) fn needs_trim(s: &str) -> bool {
    match (s.chars().next(), s.chars().next_back()) {
        (Some(a), Some(b)) => a.is_whitespace() || b.is_whitespace(),
        _ => true,
    }
}

/// A column as trimmed text with empty as null. A column that is already clean is returned as it
/// is (no copy).
pub(super) fn clean_text(col: &Column) -> Result<StringChunked> {
    let ca = text_of(col)?;
    if !ca.iter().any(|v| v.is_some_and(needs_trim)) {
        return Ok(ca);
    }
    let out: StringChunked = ca.iter().map(trimmed).collect();
    Ok(out.with_name(ca.name().clone()))
}

/// The distinct values of a column in order of first appearance, and each row's index into them
/// (`u32::MAX` for null). Labels are then mapped once per distinct value, not once per row.
///
/// A value of 12 bytes or fewer is whole in its 16-byte view (length and bytes), so it is looked
/// up by the view as one number, without reading or hashing the text: labels are short, and at
/// 10M rows this made a label column's codes several times faster. A view met for the first time
/// is looked up by its text, so two views of the same text (whatever their padding) share a code.
pub(super) fn distinct_codes(ca: &StringChunked) -> (Vec<u32>, Vec<&str>) {
    let mut by_text: PlHashMap<&str, u32> = PlHashMap::new();
    let mut by_view: PlHashMap<u128, u32> = PlHashMap::new();
    let mut values: Vec<&str> = Vec::new();
    let mut codes = Vec::with_capacity(ca.len());
    let mut code_of = |s| {
        *by_text.entry(s).or_insert_with(|| {
            values.push(s);
            (values.len() - 1) as u32
        })
    };
    for arr in ca.downcast_iter() {
        let validity = arr.validity();
        for (i, view) in arr.views().iter().enumerate() {
            if validity.is_some_and(|b| !b.get_bit(i)) {
                codes.push(u32::MAX);
            } else if view.length <= View::MAX_INLINE_SIZE {
                let code = *by_view.entry(view.as_u128()).or_insert_with(|| code_of(arr.value(i)));
                codes.push(code);
            } else {
                codes.push(code_of(arr.value(i)));
            }
        }
    }
    (codes, values)
}

/// A label column (categorical, [`crate::schema::label_dtype`]) of a clean text column: its
/// distinct values put in the categories once.
pub(super) fn label_column(ca: &StringChunked) -> Result<Column> {
    let (codes, values) = distinct_codes(ca);
    Ok(crate::schema::labels_from_codes(ca.name(), &codes, &values)?)
}

/// The frame rows whose code is null (`u32::MAX`).
pub(super) fn null_codes(codes: &[u32]) -> impl Iterator<Item = usize> + '_ {
    codes.iter().enumerate().filter(|(_, c)| **c == u32::MAX).map(|(i, _)| i)
}

/// Folds each account the way [`account_key`] does, into a key column that shares the account
/// column's buffers: a key is most often a slice of its account (`@handle` without the `@`, the
/// path of a URL), and then its view points into the account's bytes; a key of 12 bytes or fewer
/// is inline in its view; only a key that differs from every slice of its account (upper case,
/// non-ASCII) is written to a new buffer, sized to fit. At 10M accounts this holds the keys in
/// their views alone (160 MB), where a column of fresh strings took 480 MB.
pub(super) fn account_keys(ca: &StringChunked) -> Result<StringChunked> {
    let chunks = ca.downcast_iter().map(keys_sharing_buffers).collect::<Result<Vec<_>>>()?;
    Ok(StringChunked::from_chunk_iter(ACCOUNT_KEY.into(), chunks))
}

/// The keys of one array of accounts, sharing its buffers ([`account_keys`]).
fn keys_sharing_buffers(arr: &Utf8ViewArray) -> Result<Utf8ViewArray> {
    let shared = arr.data_buffers().len() as u32;
    let mut fresh: Vec<u8> = Vec::new();
    let mut owned = String::new();
    let views: Vec<View> = arr
        .views()
        .iter()
        .enumerate()
        .map(|(i, view)| {
            if !arr.is_valid(i) {
                return View::default();
            }
            let s = arr.value(i);
            let key: &str = if s.is_ascii() {
                let folded = fold_account(s);
                if !folded.bytes().any(|b| b.is_ascii_uppercase()) {
                    if folded.len() <= View::MAX_INLINE_SIZE as usize {
                        return View::new_inline(folded.as_bytes());
                    }
                    // The account is longer than the key, so it is in a buffer too.
                    let delta = folded.as_ptr() as usize - s.as_ptr() as usize;
                    return View::new_from_bytes(folded.as_bytes(), view.buffer_idx, view.offset + delta as u32);
                }
                owned.clear();
                owned.extend(folded.bytes().map(|b| b.to_ascii_lowercase() as char));
                &owned
            } else {
                owned = account_key(s);
                &owned
            };
            if key.len() <= View::MAX_INLINE_SIZE as usize {
                return View::new_inline(key.as_bytes());
            }
            let offset = fresh.len() as u32;
            fresh.extend_from_slice(key.as_bytes());
            View::new_from_bytes(key.as_bytes(), shared, offset)
        })
        .collect();
    let mut buffers: Vec<_> = arr.data_buffers().iter().cloned().collect();
    if !fresh.is_empty() {
        fresh.shrink_to_fit();
        buffers.push(fresh.into());
    }
    Ok(Utf8ViewArray::try_new(ArrowDataType::Utf8View, views.into(), buffers.into(), arr.validity().cloned())?)
}

/// A text column (trimmed, empty as null), with a `required` problem for each empty value when
/// the column is required. A label column ([`crate::schema::LABEL_COLUMNS`]) is made categorical.
pub(super) fn text(input: Input, canonical: &'static str, required: bool, ctx: &Ctx) -> Result<Checked> {
    let Some((name, col)) = input else { return Ok(Checked::none()) };
    let ca = clean_text(col)?.with_name(canonical.into());
    let problems = if required { ctx.required(&ca, name, canonical) } else { Vec::new() };
    let column = if crate::schema::LABEL_COLUMNS.contains(&canonical) { label_column(&ca)? } else { ca.into_column() };
    Ok(Checked::of(column, problems))
}

/// `account` and its `account_key`, with `invalid_account` for an account that folds to nothing.
/// The keys are always derived (to check that each account names one); `keep_keys = false` (a
/// scan's batch that does not count accounts) then leaves the key column null.
pub(super) fn accounts(input: Input, required: bool, keep_keys: bool, ctx: &Ctx) -> Result<Checked> {
    let Some((name, col)) = input else { return Ok(Checked::none()) };
    let ca = clean_text(col)?.with_name(ACCOUNT.into());
    let mut found = if required { ctx.required(&ca, name, ACCOUNT) } else { Vec::new() };
    let keys = account_keys(&ca)?;
    if keys.iter().zip(ca.iter()).any(|(k, a)| a.is_some() && k.is_some_and(str::is_empty)) {
        for (i, (k, a)) in keys.iter().zip(ca.iter()).enumerate() {
            if let (Some(a), Some("")) = (a, k) {
                found.push(ctx.problem(
                    i,
                    name,
                    a,
                    Rule::InvalidAccount,
                    "names no account once the URL, `@` and slashes are taken off; give the handle, id or profile URL"
                        .into(),
                ));
            }
        }
        found.sort_by_key(|(i, _)| *i);
    }
    let keys = if keep_keys { keys } else { StringChunked::full_null(ACCOUNT_KEY.into(), ca.len()) };
    Ok(Checked { columns: vec![ca.into_column(), keys.into_column()], problems: found, labels: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Codes by view (short values) and by text (long ones) give each distinct value one code, in
    /// order of first appearance, across chunks, as a lookup by text does.
    #[test]
    fn distinct_codes_equal_a_lookup_by_text() {
        let values = ["x", "facebook", "", "a value longer than twelve", "twelve bytes", "x", "thirteen byte"];
        let rows: Vec<Option<&str>> = (0..500).map(|i| (i % 11 != 3).then(|| values[(i * 7) % values.len()])).collect();
        let mut ca: StringChunked = rows[..200].iter().copied().collect();
        ca.append(&rows[200..].iter().copied().collect()).unwrap();
        assert!(ca.chunks().len() > 1);
        let (codes, distinct) = distinct_codes(&ca);
        let mut want: Vec<&str> = Vec::new();
        for v in rows.iter().flatten() {
            if !want.contains(v) {
                want.push(v);
            }
        }
        assert_eq!(distinct, want);
        let back: Vec<Option<&str>> = codes.iter().map(|c| (*c != u32::MAX).then(|| distinct[*c as usize])).collect();
        assert_eq!(back, rows);
    }
}
