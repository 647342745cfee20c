//! Synthetic case records at any size, for benchmarks and scale tests.
//!
//! Deterministic by seed. Shape: six platforms with different compliance, a handful of groups,
//! accounts re-reported (about one request in five names an account seen before), heavy-tailed
//! (Pareto, α = 1.2) followers, a campaign over 240 days, pending and rejected cases. Handles are
//! fake (`@synthetic_<n>`).

use polars::prelude::*;

use crate::error::Result;
use crate::rng::Rng;

const PLATFORMS: [&str; 6] = ["facebook", "instagram", "tiktok", "x", "telegram", "whatsapp"];
/// Probability of removed, restricted, rejected (pending is the rest), per platform.
const OUTCOMES: [[f64; 3]; 6] = [
    [0.88, 0.04, 0.03],
    [0.76, 0.04, 0.09],
    [0.87, 0.04, 0.04],
    [0.10, 0.20, 0.48],
    [0.60, 0.00, 0.13],
    [0.29, 0.00, 0.33],
];
const GROUPS: [&str; 5] = ["TTP", "BLA", "BLF", "ISKP", "JuA"];
const AGENCIES: [&str; 2] = ["NCCIA", "PTA"];

/// `n` synthetic cases as a canonical-input frame (strings, integers and datetimes), ready for
/// [`crate::load::from_frame`] or for writing to Parquet or CSV.
pub fn synthetic_frame(n: usize, seed: u64) -> Result<DataFrame> {
    let mut rng = Rng(seed ^ 0x5EED);
    let start_us: i64 = 1_735_689_600_000_000; // 2025-01-01T00:00:00Z
    let day = crate::dates::MICROS_PER_DAY;
    let accounts = (n as f64 * 0.8).max(1.0) as u64;
    let (mut case_id, mut platform, mut account, mut group) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut followers, mut reported, mut actioned, mut status, mut agency) =
        (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..n {
        let acc = rng.next_u64() % accounts;
        let p = (acc % 6) as usize;
        case_id.push(format!("S{i}"));
        platform.push(PLATFORMS[p]);
        account.push(format!("@synthetic_{acc}"));
        group.push(GROUPS[((acc / 6) % 5) as usize]);
        let f = (50.0 * rng.unit().powf(-1.0 / 1.2)).min(5.0e7) as i64;
        followers.push(if rng.unit() < 0.02 { None } else { Some(f) });
        let rep = start_us + (rng.unit() * 240.0 * day as f64) as i64;
        reported.push(rep);
        let u = rng.unit();
        let [pr, pq, pj] = OUTCOMES[p];
        let s = if u < pr { "removed" } else if u < pr + pq { "restricted" } else if u < pr + pq + pj { "rejected" } else { "pending" };
        status.push(s);
        actioned.push(if s == "pending" { None } else { Some(rep + (-(rng.unit().ln()) * 3.0 * day as f64) as i64) });
        agency.push(AGENCIES[(rng.next_u64() % 2) as usize]);
    }
    let dt = |name: &str, v: Vec<Option<i64>>| -> Result<Column> {
        let ca: Int64Chunked = v.into_iter().collect();
        Ok(ca.with_name(name.into()).into_column().cast(&crate::schema::datetime_dtype())?)
    };
    Ok(DataFrame::new(n, vec![
        Column::new("case_id".into(), case_id),
        Column::new("platform".into(), platform),
        Column::new("account".into(), account),
        Column::new("group".into(), group),
        Column::new("followers".into(), followers),
        dt("reported_at", reported.into_iter().map(Some).collect())?,
        dt("actioned_at", actioned)?,
        Column::new("status".into(), status),
        Column::new("agency".into(), agency),
    ])?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_valid() {
        let a = synthetic_frame(2_000, 7).unwrap();
        let b = synthetic_frame(2_000, 7).unwrap();
        assert!(a.equals_missing(&b));
        let cases = crate::load::from_frame(a, &crate::LoadOptions::default()).unwrap();
        assert_eq!(cases.load_report().rows_rejected, 0);
        assert!(cases.summary().unwrap().accounts < 2_000, "some accounts are re-reported");
    }
}
