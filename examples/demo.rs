//! The main job on the embedded sample: the headline, compliance by platform, reach by group and
//! the monthly trend, each with the definition it uses.
use polars::prelude::*;
use takedowns::{Cases, ComplianceSpec, ReachSpec, TrendSpec};

fn show(title: &str, df: &DataFrame, cols: &[&str]) -> takedowns::Result<()> {
    let def = df.column("definition")?.str()?.get(0).unwrap_or_default().to_string();
    println!("\n## {title}\n{}\nDefinition: {def}", df.select(cols.iter().copied())?);
    Ok(())
}

fn main() -> takedowns::Result<()> {
    std::env::set_var("POLARS_FMT_MAX_COLS", "20");
    std::env::set_var("POLARS_FMT_MAX_ROWS", "40");
    std::env::set_var("POLARS_FMT_TABLE_CELL_NUMERIC_PRECISION", "3");
    let cases = Cases::sample()?;
    println!("{}", cases.load_report());
    println!("\n{}", cases.summary()?.headline());
    let c = cases.compliance(&["platform"], &ComplianceSpec::default())?;
    show(
        "Compliance by platform",
        &c,
        &["platform", "requests", "removed", "restricted", "rejected", "pending", "rate", "ci_low", "ci_high", "low_n"],
    )?;
    let r = cases.reach(&["group"], &ReachSpec::default())?;
    show(
        "Reach by group",
        &r,
        &[
            "group",
            "cases",
            "accounts",
            "followers",
            "followers_actioned",
            "followers_live",
            "share_actioned",
            "median_followers",
            "top10_share",
        ],
    )?;
    let t = cases.trend(&[], &TrendSpec::default())?;
    show(
        "Monthly trend (by reported_at)",
        &t,
        &[
            "period_label",
            "requests",
            "removed",
            "restricted",
            "rejected",
            "pending",
            "cum_requests",
            "cum_actioned",
            "rate",
            "ci_low",
            "ci_high",
        ],
    )?;
    Ok(())
}
