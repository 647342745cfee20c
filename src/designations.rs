//! Who banned whom, and since when: the registry of designations of the groups in the case
//! records, with a public source for every fact.
//!
//! Two tables are compiled into the crate from `data/designations/` (their provenance is in that
//! folder's README):
//!
//! - [`designations`]: one row per designation fact of a group by an authority
//!   ([`AUTHORITIES`]): `group_id`, `authority`, `event` (`listed`, `delisted`, `listed again`),
//!   `listed_on` (a Date, null where no source found states the day), `listed_by` (the last day
//!   of a month or year a source states, where it gives no day), `reference` (a list's serial number, a UN reference, a Federal Register or
//!   S.R.O. citation), `source_title`, `source_url`, `note` and `confirmed`. A fact that was looked
//!   for and not found is a row with `confirmed = false`, no source and a note saying what is
//!   missing: a date is never inferred from memory or from other groups' dates. Several rows can
//!   state the same fact from different sources; where sources disagree (the BLA's Pakistani ban
//!   on 7 or 9 April 2006) both are kept.
//! - [`aliases`]: the names and spellings of each group found in the sources, Urdu script
//!   included, with `maps`: whether a load maps the label to the group. Labels that are not one
//!   group's name are not mapped: "Fitna al-Hindustan", Pakistan's 2025 label for every terrorist
//!   group in Balochistan; the Majeed Brigade, which Pakistan proscribed apart from the BLA and
//!   the US lists as a BLA alias; and fronts or parties the US lists as aliases.
//!
//! Loading maps every alias with `maps = yes` to its group ([`crate::labels::Vocabulary`]),
//! after the built-in aliases and before the user's own `group_aliases` (which win).

use std::sync::OnceLock;

use polars::prelude::*;

use crate::error::{Error, Result};

/// The designations, as CSV text (see the module docs).
pub const DESIGNATIONS_CSV: &str = include_str!("../data/designations/designations.csv");
/// The aliases, as CSV text (see the module docs).
pub const ALIASES_CSV: &str = include_str!("../data/designations/aliases.csv");

/// The authorities of [`designations`]: id and what the list is.
pub const AUTHORITIES: &[(&str, &str)] = &[
    ("PK-ATA1997", "Pakistan: proscribed organisations, First Schedule of the Anti-Terrorism Act 1997 (NACTA's list)"),
    ("UN-1267", "UN Security Council ISIL (Da'esh) and Al-Qaida sanctions list (resolution 1267 and successors)"),
    ("US-FTO", "United States: Foreign Terrorist Organizations (Immigration and Nationality Act, section 219)"),
    ("US-SDGT", "United States: Specially Designated Global Terrorists (Executive Order 13224)"),
    ("UK-proscribed", "United Kingdom: proscribed terrorist groups or organisations (Terrorism Act 2000)"),
    ("EU-list", "European Union: terrorist list (Common Position 2001/931/CFSP)"),
];

fn read_csv(text: &str, name: &str) -> Result<DataFrame> {
    let df = CsvReadOptions::default()
        .with_infer_schema_length(Some(0))
        .into_reader_with_file_handle(std::io::Cursor::new(text.as_bytes()))
        .finish()
        .map_err(|e| Error::Internal(format!("the embedded {name} does not read: {e}")))?;
    // Empty fields are missing values. Done column by column, without a query: a load's first
    // vocabulary can be built inside a scan's streaming batch.
    let mut df = df;
    let names: Vec<PlSmallStr> = df.get_column_names().into_iter().cloned().collect();
    for name in names {
        let blanked: StringChunked = df.column(&name)?.str()?.iter().map(|v| v.filter(|v| !v.is_empty())).collect();
        df.with_column(blanked.with_name(name).into_column())?;
    }
    Ok(df)
}

/// The designations registry (see the module docs), sorted by group, authority and date.
pub fn designations() -> Result<DataFrame> {
    let mut df = read_csv(DESIGNATIONS_CSV, "designations")?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date");
    for name in ["listed_on", "listed_by"] {
        let days = df
            .column(name)?
            .str()?
            .iter()
            .map(|v| {
                v.map(|v| {
                    chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                        .map(|d| (d - epoch).num_days() as i32)
                        .map_err(|_| Error::Internal(format!("the embedded designations have a bad date `{v}`")))
                })
                .transpose()
            })
            .collect::<Result<Int32Chunked>>()?;
        df.with_column(days.with_name(name.into()).into_date().into_column())?;
    }
    let confirmed = df.column("source_url")?.is_not_null().with_name("confirmed".into());
    df.with_column(confirmed.into_column())?;
    Ok(df)
}

/// The names and spellings of the groups (see the module docs).
pub fn aliases() -> Result<DataFrame> {
    let mut df = read_csv(ALIASES_CSV, "aliases")?;
    let maps = df.column("maps")?.str()?.equal("yes").with_name("maps".into());
    df.with_column(maps.into_column())?;
    Ok(df)
}

/// The (alias, group) pairs a load maps, read once.
pub(crate) fn group_aliases() -> &'static [(String, String)] {
    static PAIRS: OnceLock<Vec<(String, String)>> = OnceLock::new();
    PAIRS.get_or_init(|| {
        // The same reading as [`aliases`]; an embedded file that did not read maps nothing (a test
        // reads it).
        let Ok(a) = aliases() else { return Vec::new() };
        let (Ok(alias), Ok(group), Ok(maps)) = (a.column("alias"), a.column("group_id"), a.column("maps")) else {
            return Vec::new();
        };
        let (Ok(alias), Ok(group), Ok(maps)) = (alias.str(), group.str(), maps.bool()) else { return Vec::new() };
        alias
            .iter()
            .zip(group.iter())
            .zip(maps.iter())
            .filter_map(|((a, g), m)| (m == Some(true)).then(|| Some((a?.to_string(), g?.to_string()))).flatten())
            .collect()
    })
}

/// The values of a [`designated`] column.
pub const DESIGNATED: &str = "designated";
/// Reported before the group's earliest dated designation by the authority.
pub const NOT_YET: &str = "not yet designated";
/// The registry has no sourced designation of the group by the authority.
pub const NONE_FOUND: &str = "no designation found";
/// The registry has a sourced designation with no day before the request, or the request has
/// no date.
pub const DATE_UNKNOWN: &str = "date unknown";
/// The group was delisted by the authority after a listing (and perhaps listed again): whether it
/// was listed on the request's day needs the registry's rows.
pub const LISTING_CHANGED: &str = "listing changed (see the registry)";

/// The name of the [`designated`] column for `authority` (`designated_us_fto` for `US-FTO`).
pub fn designated_column(authority: &str) -> String {
    format!("designated_{}", authority.to_lowercase().replace('-', "_"))
}

/// Whether each case's group was designated by `authority` ([`AUTHORITIES`]) when the request
/// was made: a String column, [`designated_column`], of [`DESIGNATED`] (reported on or after
/// the earliest sourced day of the group's listing, or after the last day of a month or year a
/// source states for it: `listed_by`), [`NOT_YET`] (before the sourced day), [`NONE_FOUND`] (no
/// sourced listing of the group by the authority in the registry), [`DATE_UNKNOWN`] (no sourced
/// day or month before the request, or the case has no `reported_at`) or [`LISTING_CHANGED`]
/// (listed, then delisted: the TLP in 2021); null for a case without a group.
pub fn designated(frame: &DataFrame, authority: &str) -> Result<Column> {
    if !AUTHORITIES.iter().any(|(a, _)| *a == authority) {
        let known: Vec<&str> = AUTHORITIES.iter().map(|(a, _)| *a).collect();
        let near = crate::vocab::nearest(authority, &known, |_| 3)
            .map(|n| format!(" (did you mean {n:?}?)"))
            .unwrap_or_default();
        return Err(Error::invalid_arg("authority", format!("`{authority}` is not one of {}{near}", known.join(", "))));
    }
    let d = designations()?;
    let (groups, authorities, events) =
        (d.column("group_id")?.str()?, d.column("authority")?.str()?, d.column("event")?.str()?);
    let (days, bys) = (d.column("listed_on")?.date()?.phys.clone(), d.column("listed_by")?.date()?.phys.clone());
    let confirmed = d.column("confirmed")?.bool()?;
    // Per group: the earliest sourced day of a listing, the earliest day by which a month or year
    // the sources state puts the listing, and whether a delisting is recorded.
    #[derive(Default, Clone, Copy)]
    struct Known {
        day: Option<i64>,
        by: Option<i64>,
        delisted: bool,
    }
    let earliest = |a: Option<i64>, b: Option<i64>| match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    let micros = |n: Option<i32>| n.map(|n| n as i64 * crate::dates::MICROS_PER_DAY);
    let mut known: std::collections::HashMap<&str, Known> = std::collections::HashMap::new();
    for i in 0..d.height() {
        let (Some(g), Some(a), Some(true)) = (groups.get(i), authorities.get(i), confirmed.get(i)) else { continue };
        if a != authority {
            continue;
        }
        let k = known.entry(g).or_default();
        match events.get(i) {
            Some("delisted") => k.delisted = true,
            Some("listed") | None => {
                k.day = earliest(k.day, micros(days.get(i)));
                k.by = earliest(k.by, micros(bys.get(i)));
            }
            Some(_) => {}
        }
    }
    let g = crate::schema::text_of(frame.column(crate::schema::col_names::GROUP)?)?;
    let g = &g;
    let at = frame.column(crate::schema::col_names::REPORTED_AT)?.cast(&DataType::Int64)?;
    let at = at.i64()?;
    let values: StringChunked = g
        .iter()
        .zip(at.iter())
        .map(|(g, at)| {
            let g = g?;
            let Some(k) = known.get(g) else { return Some(NONE_FOUND) };
            let Some(at) = at else { return Some(DATE_UNKNOWN) };
            let listed = earliest(k.day, k.by).is_some_and(|since| at >= since);
            Some(match (listed, k.delisted, k.day) {
                (true, true, _) => LISTING_CHANGED,
                (true, false, _) => DESIGNATED,
                (false, _, Some(_)) => NOT_YET,
                (false, _, None) => DATE_UNKNOWN,
            })
        })
        .collect();
    Ok(values.with_name(designated_column(authority).into()).into_column())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::labels::{normalize_label, DEFAULT_GROUP_ALIASES};

    fn str_at(df: &DataFrame, c: &str, i: usize) -> Option<String> {
        df.column(c).unwrap().str().unwrap().get(i).map(str::to_string)
    }

    #[test]
    fn every_fact_has_a_source_or_says_it_has_none() {
        let d = designations().unwrap();
        assert!(d.height() >= 80, "{}", d.height());
        let known: Vec<&str> = AUTHORITIES.iter().map(|(a, _)| *a).collect();
        let dates = d.column("listed_on").unwrap().date().unwrap().clone();
        for i in 0..d.height() {
            let authority = str_at(&d, "authority", i).unwrap();
            assert!(known.contains(&authority.as_str()), "row {i}: {authority}");
            let (url, title) = (str_at(&d, "source_url", i), str_at(&d, "source_title", i));
            let note = str_at(&d, "note", i).unwrap_or_default();
            if let Some(url) = &url {
                assert!(title.is_some() && url.starts_with("http"), "row {i}");
            } else {
                // No source: nothing stated, and the note says so.
                let by = d.column("listed_by").unwrap().date().unwrap().phys.get(i);
                assert!(
                    title.is_none()
                        && dates.phys.get(i).is_none()
                        && by.is_none()
                        && str_at(&d, "reference", i).is_none(),
                    "row {i}"
                );
                assert!(note.starts_with("not confirmed by a source found"), "row {i}: {note}");
            }
        }
    }

    #[test]
    fn the_facts_checked_by_hand_against_their_sources() {
        // Each checked against the source named in the row (UN narrative summary, State
        // Department statements, the Interior Ministry's list read to the Senate, The Hindu).
        let d = designations().unwrap();
        let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        let dated = |g: &str, a: &str| -> Vec<String> {
            let f = d
                .clone()
                .lazy()
                .filter(col("group_id").eq(lit(g)).and(col("authority").eq(lit(a))).and(col("listed_on").is_not_null()))
                .collect()
                .unwrap();
            let mut v: Vec<String> = f
                .column("listed_on")
                .unwrap()
                .date()
                .unwrap()
                .phys
                .iter()
                .flatten()
                .map(|n| (epoch + chrono::Duration::days(n.into())).to_string())
                .collect();
            v.sort();
            v.dedup();
            v
        };
        assert_eq!(dated("TTP", "PK-ATA1997"), ["2008-08-25"]);
        assert_eq!(dated("TTP", "UN-1267"), ["2011-07-29"]);
        assert_eq!(dated("TTP", "US-FTO"), ["2010-09-01"]);
        assert_eq!(dated("BLA", "PK-ATA1997"), ["2006-04-07"]);
        assert_eq!(dated("BLA", "US-SDGT"), ["2019-07-02", "2025-08-11"]);
        assert_eq!(dated("BLF", "PK-ATA1997"), ["2010-09-08"]);
        assert!(dated("BLF", "US-FTO").is_empty(), "no US designation of the BLF was found");
    }

    #[test]
    fn the_samples_groups_resolve_through_the_registry() {
        let d = designations().unwrap();
        let sample = crate::Cases::sample().unwrap();
        let groups = crate::schema::text_of(sample.frame().column("group").unwrap()).unwrap().unique().unwrap();
        for g in groups.iter().flatten() {
            let n =
                d.clone().lazy().filter(col("group_id").eq(lit(g)).and(col("confirmed"))).collect().unwrap().height();
            assert!(n > 0, "{g} has no sourced designation");
        }
    }

    #[test]
    fn no_label_maps_to_two_groups() {
        let mut seen: HashMap<String, String> =
            DEFAULT_GROUP_ALIASES.iter().map(|(k, v)| (normalize_label(k), v.to_string())).collect();
        let pairs = group_aliases();
        assert!(pairs.len() >= 60, "{}", pairs.len());
        for (alias, group) in pairs {
            let key = normalize_label(alias);
            if let Some(other) = seen.insert(key.clone(), group.clone()) {
                assert_eq!(&other, group, "`{alias}` ({key}) maps to {other} and {group}");
            }
        }
        let a = aliases().unwrap();
        let not_mapped = a.clone().lazy().filter(col("maps").not()).collect().unwrap();
        for i in 0..not_mapped.height() {
            assert!(str_at(&not_mapped, "note", i).is_some(), "an alias left unmapped says why");
        }
    }

    #[test]
    fn designated_is_read_on_the_request_date() {
        // TTP: US-FTO 2010-09-01; BLA: US-FTO announced 2025-08-11; BLF: none found; the
        // Majeed Brigade's US row is an alias entry dated 2025-08-11.
        let day = |y, m, d| {
            chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp_micros()
        };
        let frame = df!(
            "group" => [Some("TTP"), Some("TTP"), Some("BLA"), Some("BLA"), Some("BLF"), None, Some("TTP")],
            "reported_at" => [
                Some(day(2010, 8, 31)), Some(day(2010, 9, 1)), Some(day(2025, 8, 10)), Some(day(2025, 8, 11)),
                Some(day(2025, 8, 11)), Some(day(2025, 8, 11)), None
            ]
        )
        .unwrap()
        .lazy()
        .with_column(col("reported_at").cast(crate::schema::datetime_dtype()))
        .collect()
        .unwrap();
        let c = designated(&frame, "US-FTO").unwrap();
        assert_eq!(c.name().as_str(), "designated_us_fto");
        let got: Vec<Option<&str>> = c.str().unwrap().iter().collect();
        assert_eq!(
            got,
            [
                Some(NOT_YET),
                Some(DESIGNATED),
                Some(NOT_YET),
                Some(DESIGNATED),
                Some(NONE_FOUND),
                None,
                Some(DATE_UNKNOWN)
            ]
        );
        // The UK's TTP rows give January 2011 only: unknown in September 2010, designated in 2025.
        let uk = designated(&frame, "UK-proscribed").unwrap();
        assert_eq!(uk.str().unwrap().get(1), Some(DATE_UNKNOWN));
        assert_eq!(uk.str().unwrap().get(3), Some(DESIGNATED));
        let err = designated(&frame, "US-fto").unwrap_err().to_string();
        assert!(err.contains("did you mean \"US-FTO\""), "{err}");
        // The TLP was listed on 2021-04-15 and delisted in November 2021.
        let tlp = df!("group" => ["TLP", "TLP"], "reported_at" => [day(2021, 4, 1), day(2023, 3, 1)])
            .unwrap()
            .lazy()
            .with_column(col("reported_at").cast(crate::schema::datetime_dtype()))
            .collect()
            .unwrap();
        let tlp = designated(&tlp, "PK-ATA1997").unwrap();
        let got: Vec<Option<&str>> = tlp.str().unwrap().iter().collect();
        assert_eq!(got, [Some(NOT_YET), Some(LISTING_CHANGED)]);
    }

    #[test]
    fn a_load_maps_the_aliases_and_leaves_the_ambiguous_labels() {
        let csv = "case_id,platform,account,group,followers,reported_at,status\n\
                   1,x,@fake_a,Fitna al-Khawarij,1,2025-01-01,removed\n\
                   2,x,@fake_b,فتنہ الخوارج,1,2025-01-01,removed\n\
                   3,x,@fake_c,Tehrik-e Taliban Pakistan,1,2025-01-01,removed\n\
                   4,x,@fake_d,Balochistan Liberation Front,1,2025-01-01,removed\n\
                   5,x,@fake_e,Fitna al-Hindustan,1,2025-01-01,removed\n\
                   6,x,@fake_f,Jaish-e-Muhammad,1,2025-01-01,removed\n\
                   7,x,@fake_g,Majeed Brigade,1,2025-01-01,removed\n";
        let cases = crate::Cases::read_csv_bytes(csv.as_bytes(), "t.csv", &Default::default()).unwrap();
        let groups = crate::schema::text_of(cases.frame().column("group").unwrap()).unwrap();
        let got: Vec<&str> = groups.iter().flatten().collect();
        assert_eq!(got, ["TTP", "TTP", "TTP", "BLF", "Fitna al-Hindustan", "JeM", "BLA_MB"]);
    }
}
