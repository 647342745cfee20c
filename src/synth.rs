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
/// [`crate::Cases::from_frame`] or for writing to Parquet or CSV.
pub fn synthetic_frame(n: usize, seed: u64) -> Result<DataFrame> {
    synthetic_rows(n, seed, 0, n)
}

/// Rows `start .. start + len` of the `n`-row synthetic data set for `seed`. Each row is drawn
/// from its own generator (seeded by `seed` and the row number), so any slice of a data set can
/// be made on its own, in parallel, and slices put together equal the whole.
pub fn synthetic_rows(n: usize, seed: u64, start: usize, len: usize) -> Result<DataFrame> {
    let start_us: i64 = 1_735_689_600_000_000; // 2025-01-01T00:00:00Z
    let day = crate::dates::MICROS_PER_DAY;
    let accounts = (n as f64 * 0.8).max(1.0) as u64;
    let end = (start + len).min(n.max(start));
    let len = end - start;
    let (mut case_id, mut platform, mut account, mut group) =
        (Vec::with_capacity(len), Vec::with_capacity(len), Vec::with_capacity(len), Vec::with_capacity(len));
    let (mut followers, mut reported, mut actioned, mut status, mut agency) = (
        Vec::with_capacity(len),
        Vec::with_capacity(len),
        Vec::with_capacity(len),
        Vec::with_capacity(len),
        Vec::with_capacity(len),
    );
    for i in start..end {
        let mut rng = Rng(seed ^ 0x5EED ^ (i as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
        rng.next_u64();
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
        let s = if u < pr {
            "removed"
        } else if u < pr + pq {
            "restricted"
        } else if u < pr + pq + pj {
            "rejected"
        } else {
            "pending"
        };
        status.push(s);
        actioned.push(if s == "pending" { None } else { Some(rep + (-(rng.unit().ln()) * 3.0 * day as f64) as i64) });
        agency.push(AGENCIES[(rng.next_u64() % 2) as usize]);
    }
    let dt = |name: &str, v: Vec<Option<i64>>| -> Result<Column> {
        let ca: Int64Chunked = v.into_iter().collect();
        Ok(ca.with_name(name.into()).into_column().cast(&crate::schema::datetime_dtype())?)
    };
    Ok(DataFrame::new(
        len,
        vec![
            Column::new("case_id".into(), case_id),
            Column::new("platform".into(), platform),
            Column::new("account".into(), account),
            Column::new("group".into(), group),
            Column::new("followers".into(), followers),
            dt("reported_at", reported.into_iter().map(Some).collect())?,
            dt("actioned_at", actioned)?,
            Column::new("status".into(), status),
            Column::new("agency".into(), agency),
        ],
    )?)
}

crate::vocabulary! {
    /// File formats [`write_synthetic`] writes.
    pub enum Format("format") {
        /// Apache Parquet (zstd).
        Parquet = "parquet",
        /// CSV with a header row; dates in ISO 8601.
        Csv = "csv",
    }
}

/// Rows generated and written at a time (one Parquet row group): memory stays near one chunk
/// whatever `n` is, and readers can stream the files in small steps.
const CHUNK: usize = 1 << 17;

/// Writes the `n`-row synthetic data set for `seed` to `path`, a chunk of 131,072 rows (one
/// Parquet row group) at a time, so any size fits in memory. With `files` = 1, `path` is the file; with more, `path` is a
/// directory that gets `part-00000.parquet` (or `.csv`) ... each with an equal share of the rows.
/// Returns the files written.
pub fn write_synthetic(
    path: &std::path::Path,
    n: usize,
    seed: u64,
    format: Format,
    files: usize,
) -> Result<Vec<std::path::PathBuf>> {
    let files = files.max(1);
    let io =
        |p: &std::path::Path, e: std::io::Error| crate::error::Error::Io { path: p.display().to_string(), source: e };
    let targets: Vec<std::path::PathBuf> = if files == 1 {
        vec![path.to_path_buf()]
    } else {
        std::fs::create_dir_all(path).map_err(|e| io(path, e))?;
        let ext = if format == Format::Parquet { "parquet" } else { "csv" };
        (0..files).map(|k| path.join(format!("part-{k:05}.{ext}"))).collect()
    };
    let per = n.div_ceil(files);
    for (k, target) in targets.iter().enumerate() {
        let (lo, hi) = ((k * per).min(n), ((k + 1) * per).min(n));
        let file = std::fs::File::create(target).map_err(|e| io(target, e))?;
        let chunks = (lo..hi).step_by(CHUNK).map(|s| synthetic_rows(n, seed, s, CHUNK.min(hi - s)));
        match format {
            Format::Parquet => {
                let schema = synthetic_rows(n, seed, 0, 0)?.schema().as_ref().clone();
                let mut w = ParquetWriter::new(file).batched(&schema)?;
                for c in chunks {
                    w.write_batch(&c?)?;
                }
                w.finish()?;
            }
            Format::Csv => {
                let mut file = file;
                for (j, c) in chunks.enumerate() {
                    CsvWriter::new(&mut file).include_header(j == 0).finish(&mut c?)?;
                }
                if lo == hi {
                    CsvWriter::new(&mut file).finish(&mut synthetic_rows(n, seed, 0, 0)?)?;
                }
            }
        }
    }
    Ok(targets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_put_together_equal_the_whole() {
        let whole = synthetic_frame(5_000, 3).unwrap();
        let mut parts = synthetic_rows(5_000, 3, 0, 1_234).unwrap();
        parts.vstack_mut(&synthetic_rows(5_000, 3, 1_234, 10_000).unwrap()).unwrap();
        assert!(parts.equals_missing(&whole));
        let dir = tempfile::tempdir().unwrap();
        let files = write_synthetic(&dir.path().join("d"), 5_000, 3, Format::Parquet, 3).unwrap();
        assert_eq!(files.len(), 3);
        let back = LazyFrame::scan_parquet(
            PlRefPath::new(dir.path().join("d/*.parquet").to_str().unwrap()),
            Default::default(),
        )
        .unwrap()
        .collect()
        .unwrap();
        assert!(back.equals_missing(&whole));
        let csv = write_synthetic(&dir.path().join("c.csv"), 2_500, 3, Format::Csv, 1).unwrap();
        let cases = crate::Cases::read_csv(&csv[0], &crate::LoadOptions::default()).unwrap();
        assert_eq!(cases.len(), 2_500);
    }

    #[test]
    fn deterministic_and_valid() {
        let a = synthetic_frame(2_000, 7).unwrap();
        let b = synthetic_frame(2_000, 7).unwrap();
        assert!(a.equals_missing(&b));
        let cases = crate::Cases::from_frame(a, &crate::LoadOptions::default()).unwrap();
        assert_eq!(cases.load_report().rows_rejected, 0);
        // No `count` column in the input: every record counts 1 (a constant column, not copied).
        let records = cases.to_records().unwrap();
        assert_eq!(records.len(), 2_000);
        assert!(records.iter().all(|r| r.count == 1));
        assert!(cases.summary().unwrap().accounts < 2_000, "some accounts are re-reported");
    }
}
