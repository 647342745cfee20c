//! Sharing without exposing people: keyed pseudonyms for accounts and case ids.
//!
//! [`pseudonymise`] replaces every account with `acct_` and every case id with `case_` followed by
//! 24 hex digits (96 bits) of HMAC-SHA256 under a key the user holds. The same key maps the same
//! account to the same pseudonym in every file, so pseudonymised files can still be joined and
//! accounts counted once; without the key a pseudonym cannot be turned back into a handle, nor
//! checked against a guessed one. Accounts are hashed in their folded form (`account_key`), so
//! `@Fake_Handle` and `https://x.com/fake_handle` get one pseudonym, as they count as one account.
//!
//! Followers, dates, outcomes, platforms and groups are kept. Extra columns may hold handles or
//! URLs, so they are dropped unless named in `keep`. In the rejects table, a value from the
//! account or case-id column is pseudonymised and a whole malformed record is withheld. The key is
//! used and dropped: it is never stored, written or shown.

use hmac::{KeyInit, Mac};
use polars::prelude::*;

use crate::error::{Error, Result};
use crate::schema::{account_key, col_names::*, INPUT_COLUMNS};
use crate::Cases;

/// The shortest key accepted, in bytes (128 bits).
pub const MIN_KEY_BYTES: usize = 16;
const HEX_DIGITS: usize = 24;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// The keyed pseudonym of `value` in `domain` (`acct` or `case`): `{domain}_` and 24 hex digits.
pub fn pseudonym(key: &[u8], domain: &str, value: &str) -> Result<String> {
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(key).map_err(|e| Error::invalid_arg("key", e.to_string()))?;
    mac.update(domain.as_bytes());
    mac.update(&[0]);
    mac.update(value.as_bytes());
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{domain}_{}", &hex[..HEX_DIGITS]))
}

fn check_key(key: &[u8]) -> Result<()> {
    if key.len() < MIN_KEY_BYTES {
        return Err(Error::invalid_arg(
            "key",
            format!(
                "a pseudonymisation key needs at least {MIN_KEY_BYTES} bytes (128 bits); this one has {}",
                key.len()
            ),
        ));
    }
    Ok(())
}

fn map_column(ca: &StringChunked, f: &dyn Fn(&str) -> Result<String>) -> Result<StringChunked> {
    let out: Vec<Option<String>> = ca.iter().map(|v| v.map(f).transpose()).collect::<Result<_>>()?;
    Ok(StringChunked::from_iter_options(ca.name().clone(), out.into_iter()))
}

/// The cases with accounts and case ids replaced by keyed pseudonyms (see the module docs).
/// `keep` names extra columns to keep; the others are dropped.
pub fn pseudonymise(cases: &Cases, key: &[u8], keep: &[&str]) -> Result<Cases> {
    check_key(key)?;
    let df = cases.frame();
    for k in keep {
        if df.column(k).is_err() || INPUT_COLUMNS.contains(k) || *k == ACCOUNT_KEY {
            return Err(Error::invalid_arg("keep", format!("`{k}` is not an extra column of these cases")));
        }
    }
    let acct = |v: &str| pseudonym(key, "acct", &account_key(v));
    let case = |v: &str| pseudonym(key, "case", v);
    let accounts = map_column(df.column(ACCOUNT_KEY)?.str()?, &|v| pseudonym(key, "acct", v))?;
    let ids = map_column(df.column(CASE_ID)?.str()?, &case)?;
    // 96 bits make a collision astronomically unlikely; check anyway, since a merge of two
    // accounts would change every count.
    let distinct = |c: &Column| c.n_unique();
    if distinct(df.column(ACCOUNT_KEY)?)? != accounts.n_unique()? || distinct(df.column(CASE_ID)?)? != ids.n_unique()? {
        return Err(Error::Internal("two values got the same pseudonym; use another key".into()));
    }
    let mut out = df.clone();
    out.with_column(accounts.clone().with_name(ACCOUNT.into()).into_column())?;
    out.with_column(accounts.with_name(ACCOUNT_KEY.into()).into_column())?;
    out.with_column(ids.into_column())?;
    let schema = crate::schema::core_schema();
    let canonical: Vec<&str> = schema.iter_names().map(|s| s.as_str()).collect();
    let drop: Vec<String> = out
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .filter(|n| {
            !canonical.contains(&n.as_str())
                && !crate::schema::OPTIONAL_TEXT.contains(&n.as_str())
                && !keep.contains(&n.as_str())
        })
        .collect();
    let out = out.drop_many(drop.iter().map(String::as_str));

    // Rejects: values from the account and case-id columns (by their input names) are
    // pseudonymised; a whole malformed record, which may hold anything, is withheld.
    let report = cases.load_report();
    let input_name = |canon: &str| {
        report.columns_matched.iter().find(|(_, c)| c == canon).map_or(canon.to_string(), |(from, _)| from.clone())
    };
    let (acct_col, case_col) = (input_name(ACCOUNT), input_name(CASE_ID));
    let rej = cases.rejects();
    let (columns, values, rules) =
        (rej.column("column")?.str()?, rej.column("value")?.str()?, rej.column("rule")?.str()?);
    let new_values: Vec<Option<String>> = columns
        .iter()
        .zip(values.iter())
        .zip(rules.iter())
        .map(|((c, v), r)| -> Result<Option<String>> {
            let v = v.unwrap_or("");
            Ok(Some(match (c, r) {
                _ if v.is_empty() => String::new(),
                (_, Some("malformed_row" | "invalid_utf8")) => "(withheld: pseudonymised)".into(),
                (Some(c), _) if c == acct_col => acct(v)?,
                (Some(c), _) if c == case_col => case(v)?,
                _ => v.to_string(),
            }))
        })
        .collect::<Result<_>>()?;
    let mut rejects = rej.clone();
    rejects.with_column(Column::new("value".into(), new_values))?;
    let ids: Vec<Option<String>> =
        rej.column("case_id")?.str()?.iter().map(|v| v.map(&case).transpose()).collect::<Result<_>>()?;
    rejects.with_column(Column::new("case_id".into(), ids))?;
    let mut report = report.clone();
    report.pseudonymised = true;
    report.extra_columns.retain(|c| keep.contains(&c.as_str()));
    Ok(Cases::from_parts(out, report, rejects))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_keyed_hmac_sha256() {
        // Our framing (domain, NUL, value) checked against Python's hmac module:
        // hmac.new(b"0123456789abcdef", b"acct\x00fake_handle", "sha256").hexdigest()[:24]
        let p = pseudonym(b"0123456789abcdef", "acct", "fake_handle").unwrap();
        assert_eq!(p, "acct_b47dfa41bf7ff646d768b036");
        assert_ne!(p, pseudonym(b"0123456789abcdeg", "acct", "fake_handle").unwrap());
        assert_ne!(p, pseudonym(b"0123456789abcdef", "case", "fake_handle").unwrap());
        assert!(check_key(b"short").is_err());
    }
}
