//! Criterion benches for the Rust core: loading and each aggregation on 1M synthetic rows.
//! One group per analytic; fixtures are built outside the timed closures.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use polars::prelude::*;
use takedowns::*;

const ROWS: usize = 1_000_000;

fn benches(c: &mut Criterion) {
    let frame = synth::synthetic_frame(ROWS, 1).expect("synthetic frame");
    let cases = load::from_frame(frame.clone(), &LoadOptions::default()).expect("loads");
    let dir = tempfile::tempdir().expect("tempdir");
    let pq = dir.path().join("cases.parquet");
    ParquetWriter::new(std::fs::File::create(&pq).expect("create")).finish(&mut frame.clone()).expect("write parquet");
    let csv = dir.path().join("cases.csv");
    CsvWriter::new(std::fs::File::create(&csv).expect("create")).finish(&mut frame.clone()).expect("write csv");

    let mut g = c.benchmark_group("load");
    g.sample_size(10).throughput(Throughput::Elements(ROWS as u64));
    g.bench_function("from_frame", |b| b.iter(|| load::from_frame(frame.clone(), &LoadOptions::default()).expect("load")));
    g.bench_function("parquet", |b| b.iter(|| load::read_parquet(&pq, &LoadOptions::default()).expect("load")));
    g.bench_function("csv", |b| b.iter(|| load::read_csv(&csv, &LoadOptions::default()).expect("load")));
    g.finish();

    let cs = ComplianceSpec::default();
    let mut g = c.benchmark_group("compliance");
    g.sample_size(10).throughput(Throughput::Elements(ROWS as u64));
    g.bench_function("by_platform", |b| b.iter(|| cases.compliance(&["platform"], &cs).expect("compliance")));
    let acc = ComplianceSpec { unit: Unit::Account, ..Default::default() };
    g.bench_function("by_platform_accounts", |b| b.iter(|| cases.compliance(&["platform"], &acc).expect("compliance")));
    g.finish();

    let mut g = c.benchmark_group("reach");
    g.sample_size(10).throughput(Throughput::Elements(ROWS as u64));
    g.bench_function("by_group", |b| b.iter(|| cases.reach(&["group"], &ReachSpec::default()).expect("reach")));
    g.finish();

    let mut g = c.benchmark_group("trend");
    g.sample_size(10).throughput(Throughput::Elements(ROWS as u64));
    g.bench_function("month_by_platform", |b| b.iter(|| cases.trend(&["platform"], &TrendSpec::default()).expect("trend")));
    g.finish();

    let mut g = c.benchmark_group("crosstab");
    g.sample_size(10).throughput(Throughput::Elements(ROWS as u64));
    g.bench_function("group_platform_cases", |b| {
        b.iter(|| cases.crosstab("group", "platform", CrossValue::Cases, &cs, &ReachSpec::default()).expect("crosstab"))
    });
    g.finish();

    let mut g = c.benchmark_group("summary");
    g.sample_size(10).throughput(Throughput::Elements(ROWS as u64));
    g.bench_function("summary", |b| b.iter(|| cases.summary().expect("summary")));
    g.finish();
}

criterion_group!(core, benches);
criterion_main!(core);
