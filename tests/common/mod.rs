//! Shared fixtures for the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use polars::prelude::*;
use takedowns::{Cases, LoadOptions};

/// Nine rows, hand-checked in tests/metrics.rs. Row 6 re-reports X account @a (written `@A`) with
/// fewer followers; row 9 is an aggregate row (count 3) naming no account; `campaign` is an extra
/// column.
pub const FIXTURE: &str = "\
case_id,platform,account,group,followers,reported_at,actioned_at,status,agency,count,campaign
1,Facebook,@a,TTP,100,2025-01-05,2025-01-06,removed,PTA,1,alpha
2,FB,@b,TTP,50,2025-01-10,2025-01-20,restricted,PTA,1,alpha
3,facebook,@c,Baloch Liberation Army,,2025-02-01,2025-02-03,rejected,NCCIA,1,beta
4,Facebook,@d,BLA,200,2025-02-15,,pending,NCCIA,1,beta
5,Twitter,@a,TTP,1000,2025-01-07,2025-01-30,rejected,PTA,1,alpha
6,X,@A,TTP,900,2025-03-02,2025-03-04,restricted,NCCIA,1,alpha
7,X,@e,BLF,300,2025-03-10,,pending,PTA,1,beta
8,Telegram,@f,BLF,0,2025-03-20,2025-03-21,removed,PTA,1,beta
9,WhatsApp,,BLF,,2025-03-25,,pending,PTA,3,beta
";

pub fn fixture() -> Cases {
    let opts = LoadOptions::default().with_required(&["case_id", "platform", "group", "reported_at", "status"]);
    Cases::read_csv_bytes(FIXTURE.as_bytes(), "fixture.csv", &opts).expect("fixture loads")
}

/// Loads CSV text in quarantine mode and checks rows read = accepted + rejected.
pub fn quarantined(csv: &str) -> Cases {
    let opts = LoadOptions::default().with_on_invalid(takedowns::OnInvalid::Quarantine);
    let cases = Cases::read_csv_bytes(csv.as_bytes(), "t.csv", &opts).unwrap();
    let r = cases.load_report();
    assert_eq!(r.rows_read, r.rows_accepted + r.rows_rejected, "{r}");
    assert_eq!(r.rows_accepted as usize, cases.len());
    cases
}

/// Writes `content` to a fresh file named `name` in a temporary directory.
pub fn write_file(dir: &tempfile::TempDir, name: &str, content: &[u8]) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, content).expect("write fixture");
    p
}

pub fn f64_col(df: &DataFrame, name: &str) -> Vec<Option<f64>> {
    df.column(name).unwrap().cast(&DataType::Float64).unwrap().f64().unwrap().iter().collect()
}

pub fn i64_col(df: &DataFrame, name: &str) -> Vec<Option<i64>> {
    df.column(name).unwrap().cast(&DataType::Int64).unwrap().i64().unwrap().iter().collect()
}

pub fn str_col(df: &DataFrame, name: &str) -> Vec<Option<String>> {
    df.column(name)
        .unwrap()
        .cast(&DataType::String)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|s| s.map(String::from))
        .collect()
}

pub fn bool_col(df: &DataFrame, name: &str) -> Vec<Option<bool>> {
    df.column(name).unwrap().bool().unwrap().iter().collect()
}

pub fn close(a: Option<f64>, b: f64) -> bool {
    matches!(a, Some(x) if (x - b).abs() < 1e-12)
}
