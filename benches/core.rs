//! Criterion benches for the Rust core: loading, each aggregation, and each of the three
//! benchmark aggregations beside the same numbers computed by hand-written polars.
//! Fixtures are built outside the timed closures. Rows: `TD_BENCH_ROWS` (default 1,000,000),
//! except for time to action, which runs at 1M and 10M rows whatever `TD_BENCH_ROWS` says.
//!
//! The bench binary uses mimalloc, the allocator of the Python package (src/python/mod.rs).

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput};
use polars::prelude::*;
use takedowns::*;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn rows() -> usize {
    std::env::var("TD_BENCH_ROWS").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000)
}

/// Compliance by platform by hand: outcome counts, rate and its 95% Wilson interval.
fn compliance_by_hand(df: &DataFrame) -> DataFrame {
    let is = |s: &str| col("status").eq(lit(s));
    let z = 1.959963984540054f64;
    let (x, n) = (col("successes").cast(DataType::Float64), col("requests").cast(DataType::Float64));
    let p = x.clone() / n.clone();
    let centre = (p.clone() + lit(z * z) / (lit(2.0) * n.clone())) / (lit(1.0) + lit(z * z) / n.clone());
    let half = lit(z)
        * (p.clone() * (lit(1.0) - p.clone()) / n.clone() + lit(z * z) / (lit(4.0) * n.clone() * n.clone())).sqrt()
        / (lit(1.0) + lit(z * z) / n.clone());
    df.clone()
        .lazy()
        .group_by([col("platform")])
        .agg([
            col("count").sum().alias("requests"),
            when(is("removed")).then(col("count")).otherwise(lit(0i64)).sum().alias("removed"),
            when(is("restricted")).then(col("count")).otherwise(lit(0i64)).sum().alias("restricted"),
            when(is("rejected")).then(col("count")).otherwise(lit(0i64)).sum().alias("rejected"),
            when(is("pending")).then(col("count")).otherwise(lit(0i64)).sum().alias("pending"),
            when(is("removed").or(is("restricted"))).then(col("count")).otherwise(lit(0i64)).sum().alias("successes"),
        ])
        .with_columns([
            p.alias("rate"),
            (centre.clone() - half.clone()).alias("ci_low"),
            (centre + half).alias("ci_high"),
        ])
        .sort(["platform"], Default::default())
        .collect_with_engine(Engine::Streaming)
        .expect("compliance by hand")
        .unwrap_single()
}

/// Reach by group by hand, the usual way: sort by date so that `last` is the latest request,
/// one row per account, then the sums, median and top 10 per group.
fn reach_by_hand(df: &DataFrame) -> DataFrame {
    let actioned = col("status").eq(lit("removed")).or(col("status").eq(lit("restricted")));
    let acc = || col("account_key").is_not_null();
    let f = || when(acc()).then(col("f")).otherwise(lit(NULL).cast(DataType::Int64));
    df.clone()
        .lazy()
        .sort(["reported_at", "actioned_at"], SortMultipleOptions::default().with_maintain_order(true))
        .group_by([col("group"), col("platform"), col("account_key")])
        .agg([
            col("followers").max().alias("f"),
            actioned.last().alias("a"),
            col("count").sum().alias("c"),
            (col("followers") * col("count")).sum().alias("naive"),
        ])
        .group_by([col("group")])
        .agg([
            col("c").sum().alias("cases"),
            acc().cast(DataType::Int64).sum().alias("accounts"),
            f().sum().alias("followers"),
            when(acc().and(col("a"))).then(col("f")).otherwise(lit(0i64)).sum().alias("followers_actioned"),
            f().cast(DataType::Float64).median().alias("median_followers"),
            f().sort(SortOptions::default().with_order_descending(true).with_nulls_last(true))
                .head(Some(10))
                .sum()
                .alias("top"),
            col("naive").sum().alias("followers_undeduplicated"),
        ])
        .sort(["group"], Default::default())
        .collect_with_engine(Engine::Streaming)
        .expect("reach by hand")
        .unwrap_single()
}

/// Cases per month per platform by hand, with the outcome counts.
fn trend_by_hand(df: &DataFrame) -> DataFrame {
    let t = || col("reported_at");
    df.clone()
        .lazy()
        .group_by([
            col("platform"),
            (t().dt().year().cast(DataType::Int64) * lit(12i64) + t().dt().month().cast(DataType::Int64)).alias("m"),
        ])
        .agg(
            ["removed", "restricted", "rejected", "pending"]
                .iter()
                .map(|s| when(col("status").eq(lit(*s))).then(col("count")).otherwise(lit(0i64)).sum().alias(*s))
                .chain([col("count").sum().alias("requests")])
                .collect::<Vec<_>>(),
        )
        .sort(["platform", "m"], Default::default())
        .collect_with_engine(Engine::Streaming)
        .expect("trend by hand")
        .unwrap_single()
}

fn benches(c: &mut Criterion) {
    let n = rows();
    let frame = synth::synthetic_frame(n, 1).expect("synthetic frame");
    let cases = Cases::from_frame(frame.clone(), &LoadOptions::default()).expect("loads");
    let dir = tempfile::tempdir().expect("tempdir");
    let pq = dir.path().join("cases.parquet");
    ParquetWriter::new(std::fs::File::create(&pq).expect("create")).finish(&mut frame.clone()).expect("write parquet");
    let csv = dir.path().join("cases.csv");
    CsvWriter::new(std::fs::File::create(&csv).expect("create")).finish(&mut frame.clone()).expect("write csv");

    // The hand-written versions compute the same numbers (checked here, outside the timing).
    let ours = cases.compliance(&["platform"], &ComplianceSpec::default()).expect("compliance");
    let hand = compliance_by_hand(cases.frame());
    for col_name in ["requests", "successes", "rate", "ci_low"] {
        let values = |df: &DataFrame| -> Vec<f64> {
            df.column(col_name)
                .unwrap()
                .cast(&DataType::Float64)
                .unwrap()
                .f64()
                .unwrap()
                .iter()
                .map(|v| v.unwrap_or(f64::NAN))
                .collect()
        };
        let diff = values(&ours).iter().zip(values(&hand)).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        assert!(diff < 1e-9, "compliance {col_name} differs by {diff}");
    }
    let ours = cases.reach(&["group"], &ReachSpec::default()).expect("reach");
    let hand = reach_by_hand(cases.frame());
    for col_name in
        ["cases", "accounts", "followers", "followers_actioned", "median_followers", "followers_undeduplicated"]
    {
        assert!(
            ours.column(col_name).unwrap().equals_missing(hand.column(col_name).unwrap()),
            "reach {col_name} differs"
        );
    }

    let mut g = c.benchmark_group("load");
    g.sample_size(10).throughput(Throughput::Elements(n as u64));
    g.bench_function("from_frame", |b| {
        b.iter(|| Cases::from_frame(frame.clone(), &LoadOptions::default()).expect("load"))
    });
    g.bench_function("parquet", |b| b.iter(|| Cases::read_parquet(&pq, &LoadOptions::default()).expect("load")));
    g.bench_function("csv", |b| b.iter(|| Cases::read_csv(&csv, &LoadOptions::default()).expect("load")));
    g.finish();

    let cs = ComplianceSpec::default();
    let mut g = c.benchmark_group("compliance");
    g.sample_size(10).throughput(Throughput::Elements(n as u64));
    g.bench_function("by_platform", |b| b.iter(|| cases.compliance(&["platform"], &cs).expect("compliance")));
    g.bench_function("by_platform_hand_written_polars", |b| b.iter(|| compliance_by_hand(cases.frame())));
    let acc = ComplianceSpec { unit: Unit::Account, ..Default::default() };
    g.bench_function("by_platform_accounts", |b| b.iter(|| cases.compliance(&["platform"], &acc).expect("compliance")));
    g.finish();

    let mut g = c.benchmark_group("reach");
    g.sample_size(10).throughput(Throughput::Elements(n as u64));
    g.bench_function("by_group", |b| b.iter(|| cases.reach(&["group"], &ReachSpec::default()).expect("reach")));
    g.bench_function("by_group_hand_written_polars", |b| b.iter(|| reach_by_hand(cases.frame())));
    g.finish();

    let mut g = c.benchmark_group("trend");
    g.sample_size(10).throughput(Throughput::Elements(n as u64));
    g.bench_function("month_by_platform", |b| {
        b.iter(|| cases.trend(&["platform"], &TrendSpec::default()).expect("trend"))
    });
    g.bench_function("month_by_platform_hand_written_polars", |b| b.iter(|| trend_by_hand(cases.frame())));
    g.finish();

    let mut g = c.benchmark_group("crosstab");
    g.sample_size(10).throughput(Throughput::Elements(n as u64));
    g.bench_function("group_platform_cases", |b| {
        b.iter(|| cases.crosstab("group", "platform", CrossValue::Cases, &cs, &ReachSpec::default()).expect("crosstab"))
    });
    g.finish();

    let mut g = c.benchmark_group("summary");
    g.sample_size(10).throughput(Throughput::Elements(n as u64));
    g.bench_function("summary", |b| b.iter(|| cases.summary().expect("summary")));
    g.finish();
}

/// `n` synthetic cases, loaded, checked to exercise the survival path: decided requests with
/// their own `actioned_at` (the synthetic decisions come a random number of microseconds after
/// the report, so nearly every duration is a distinct time of the step table), pending ones
/// censored, and a median reached.
fn survival_fixture(n: usize) -> Cases {
    let cases = Cases::from_frame(synth::synthetic_frame(n, 1).expect("synthetic frame"), &LoadOptions::default())
        .expect("loads");
    let durations = cases
        .frame()
        .clone()
        .lazy()
        .select([
            col("actioned_at").is_not_null().sum().alias("decided"),
            (col("actioned_at") - col("reported_at")).drop_nulls().n_unique().alias("distinct"),
        ])
        .collect()
        .expect("durations");
    let get = |name: &str| durations.column(name).unwrap().cast(&DataType::Int64).unwrap().i64().unwrap().get(0);
    let (decided, distinct) = (get("decided").unwrap_or(0), get("distinct").unwrap_or(0));
    let t = cases.time_to_action(&[], &SurvivalSpec::default()).expect("time to action");
    let count = |name: &str| t.column(name).unwrap().i64().unwrap().get(0).unwrap_or(0);
    assert!(decided as f64 > 0.5 * n as f64 && distinct as f64 > 0.9 * decided as f64, "{decided} {distinct}");
    assert!(count("actioned") > 0 && count("rejected") > 0 && count("censored") > 0);
    assert!(t.column("median_days").unwrap().f64().unwrap().get(0).is_some(), "median reached");
    eprintln!(
        "time_to_action fixture: {n} requests, {} actioned, {} rejected, {} pending (censored), {distinct} distinct decision times",
        count("actioned"),
        count("rejected"),
        count("censored")
    );
    cases
}

/// Time to action over all requests (no `by`) at 1M and 10M synthetic requests. Each fixture is
/// built on the first call of its bench (untimed), so a filtered run that skips it does not
/// build it, and dropped when its bench is done (10M cases take over 2 GB loaded). Ten samples
/// each, flat sampling: at 10M an iteration takes seconds, so that run is about eleven of them
/// (criterion warns that 10 s is too short for 10 samples, and takes them anyway).
fn survival_benches(c: &mut Criterion) {
    let spec = SurvivalSpec::default();
    let mut g = c.benchmark_group("time_to_action");
    g.sample_size(10).sampling_mode(SamplingMode::Flat).warm_up_time(Duration::from_secs(1));
    for (n, seconds) in [(1_000_000usize, 5), (10_000_000, 10)] {
        g.throughput(Throughput::Elements(n as u64)).measurement_time(Duration::from_secs(seconds));
        let mut fixture: Option<Cases> = None;
        g.bench_function(BenchmarkId::new("all_requests", n), |b| {
            let cases = fixture.get_or_insert_with(|| survival_fixture(n));
            b.iter(|| cases.time_to_action(&[], &spec).expect("time to action"))
        });
    }
    g.finish();
}

criterion_group!(core, benches, survival_benches);
criterion_main!(core);
