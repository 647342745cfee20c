//! Reported versus observed: the compliance a platform published beside the compliance seen in
//! one's own case records, per group and period.
//!
//! Both sides are [`trend`](super::trend) tables under the same [`TrendSpec`] (period, date,
//! compliance definition), fully joined on the `by` columns and the period, so that a period only
//! one side has still shows. Columns: the `by` columns, `period`, `period_label`, then
//! `observed_requests`, `observed_successes`, `observed_n`, `observed_rate`, `observed_ci_low`,
//! `observed_ci_high`, `observed_low_n`, then `published_requests`, `published_successes`,
//! `published_rate`, then `difference` (published − observed rate, null unless both exist),
//! `published_outside_interval` (the published rate lies outside the observed rate's interval;
//! null unless both exist) and `definition` (both sides' definitions). A published rate is a
//! census of the platform's own counting: it has no interval here, and its unit is the
//! publisher's (the definition says when it counts items rather than requests).

use polars::prelude::*;

use super::trend::{trend, TrendSpec};
use crate::error::{Error, Result};
use crate::load::Validated;
use crate::schema::col_names::JURISDICTION;

/// The observed and published compliance side by side (see the module docs).
pub fn compare_with_published(
    observed: &Validated,
    published: &Validated,
    by: &[String],
    spec: &TrendSpec,
) -> Result<DataFrame> {
    // Rows that are all actions have no refusal to rate, on either side.
    for side in [observed, published] {
        super::compliance::refuse_actions_only(side.report.actions_only, side.report.unit.as_deref())?;
        super::compliance::refuse_unpublished(side.report.outcomes_unpublished)?;
    }
    // A published table covers many countries; summed, they are nobody's figure.
    if !by.iter().any(|b| b == JURISDICTION) {
        if let Ok(j) = published.frame.column(JURISDICTION) {
            let distinct = j.drop_nulls().n_unique()?;
            if distinct > 1 {
                let some: Vec<String> =
                    j.drop_nulls().unique()?.str()?.iter().flatten().take(8).map(|s| format!("{s:?}")).collect();
                return Err(Error::invalid_arg(
                    "published",
                    format!(
                        "the published cases cover {distinct} jurisdictions ({}{}): keep the requesting country's \
                         rows (published.filter(jurisdiction=...)), or add jurisdiction to by",
                        some.join(", "),
                        if distinct > 8 { ", ..." } else { "" }
                    ),
                ));
            }
        }
    }
    let o = trend(observed, by, spec)?;
    let p = trend(published, by, &TrendSpec { start: None, end: None, ..spec.clone() })?;
    let keys: Vec<Expr> = by.iter().map(|c| col(c.as_str())).chain([col("period")]).collect();
    let pick = |prefix: &str, names: &[&str]| -> Vec<Expr> {
        names.iter().map(|n| col(*n).alias(format!("{prefix}{n}"))).collect::<Vec<_>>()
    };
    let mut o_cols = keys.clone();
    o_cols.push(col("period_label"));
    o_cols.extend(pick("observed_", &["requests", "successes", "n", "rate", "ci_low", "ci_high", "low_n"]));
    o_cols.push(col("definition").alias("__o_def"));
    let mut p_cols = keys.clone();
    p_cols.push(col("period_label").alias("__p_label"));
    p_cols.extend(pick("published_", &["requests", "successes", "rate"]));
    p_cols.push(col("definition").alias("__p_def"));
    let mut args = JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns);
    args.nulls_equal = true;
    let o_def = first_text(&o, "definition");
    let p_def = first_text(&p, "definition");
    let both = col("published_rate").is_not_null().and(col("observed_rate").is_not_null());
    let outside =
        col("published_rate").lt(col("observed_ci_low")).or(col("published_rate").gt(col("observed_ci_high")));
    let sort: Vec<PlSmallStr> = by.iter().map(|c| c.as_str().into()).chain(["period".into()]).collect();
    let df = o
        .lazy()
        .select(o_cols)
        .join(p.lazy().select(p_cols), keys.clone(), keys, args)
        .with_columns([
            col("period_label").fill_null(col("__p_label")),
            when(both.clone())
                .then(col("published_rate") - col("observed_rate"))
                .otherwise(lit(NULL))
                .alias("difference"),
            when(both).then(outside).otherwise(lit(NULL)).alias("published_outside_interval"),
        ])
        .sort(sort, SortMultipleOptions::default().with_nulls_last(true).with_maintain_order(true))
        .collect()?;
    // Each row states both sides' definitions (a side without the row states its first).
    let (od, pd) = (df.column("__o_def")?.str()?.clone(), df.column("__p_def")?.str()?.clone());
    let definition: StringChunked = od
        .iter()
        .zip(pd.iter())
        .map(|(o, p)| {
            Some(format!(
                "observed: {} | published: {} | difference = published rate - observed rate; \
                 published_outside_interval: the published rate lies outside the observed rate's interval (the \
                 published rate is the publisher's own count, with no interval of its own)",
                o.unwrap_or(&o_def),
                p.unwrap_or(&p_def)
            ))
        })
        .collect();
    let mut df = df.drop_many(["__o_def", "__p_def", "__p_label"]);
    df.with_column(definition.with_name("definition".into()).into_column())?;
    Ok(df)
}

/// The first non-null text of `column` (a definition), or "".
fn first_text(df: &DataFrame, column: &str) -> String {
    df.column(column)
        .ok()
        .and_then(|c| c.str().ok().and_then(|s| s.iter().flatten().next().map(String::from)))
        .unwrap_or_default()
}
