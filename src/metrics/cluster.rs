//! Compliance with intervals that respect clustering: requests about one account, or sent in one
//! batch, are not independent, and a binomial interval over requests is then too narrow.
//!
//! [`compliance_clustered`] gives [`super::compliance`]'s table with the interval widened by the
//! design effect of the clusters (each account, or each value of a batch column):
//!
//! - per `by` group, over the requests in the denominator: N requests, p = successes / N, G
//!   clusters with x_c successes of n_c requests;
//! - the cluster-robust variance of p (CR1, the sandwich estimator with the G/(G−1) correction):
//!   V = G/(G−1) · Σ_c (x_c − p·n_c)² / N² (`se_cluster` = √V), which is statsmodels' standard
//!   error of the intercept of `OLS(y, 1).fit(cov_type="cluster")`;
//! - `design_effect` = V / (p(1−p)/N) (null when p is 0 or 1, or G < 2);
//! - the interval: the spec's method (Wilson by default) on the effective sample size
//!   `n_effective` = N / max(design effect, 1), with p·n_effective successes. The design effect is
//!   shown as estimated but not let below 1 in the interval: clustering never narrows it. With one
//!   cluster there is no cluster-robust variance and no interval; `few_clusters` flags groups of
//!   fewer than 30 clusters, where the variance is unreliable.
//!
//! A request without a value in the cluster column is its own cluster. The definition says
//! which clusters were used. Rates are unchanged; only the interval moves.

use polars::prelude::*;

use super::compliance::{ComplianceSpec, PendingRule, Unit, Weight};
use super::{check_by, group_agg, run};
use crate::error::{Error, Result};
use crate::load::Validated;
use crate::schema::col_names::{ACCOUNT_KEY, COUNT, STATUS};
use crate::stats::binomial_interval;

/// Below this many clusters a group is flagged `few_clusters`.
const MIN_CLUSTERS: usize = 30;

/// The cluster column of `cluster`: `account` is the folded account (`account_key`).
fn cluster_column(cluster: &str) -> &str {
    if cluster == "account" {
        ACCOUNT_KEY
    } else {
        cluster
    }
}

/// Compliance per `by` group with cluster-robust intervals (see the module docs).
pub fn compliance_clustered(
    cases: &Validated,
    by: &[String],
    cluster: &str,
    spec: &ComplianceSpec,
) -> Result<DataFrame> {
    if spec.unit == Unit::Account {
        return Err(Error::invalid_arg(
            "cluster",
            "with unit=account each account is one unit already; cluster the requests (unit=request), or leave cluster out",
        ));
    }
    if spec.weight == Weight::Followers {
        return Err(Error::invalid_arg(
            "cluster",
            "a rate weighted by followers has its own effective n (Kish); clustering is for counts of requests",
        ));
    }
    let c = cluster_column(cluster);
    check_by(cases.frame().schema(), &[c.to_string()]).map_err(|_| {
        let names: Vec<String> = cases.frame().get_column_names().iter().map(|s| s.to_string()).collect();
        Error::invalid_arg(
            "cluster",
            format!("`{cluster}` is not a column to cluster by (`account`, or one of: {})", names.join(", ")),
        )
    })?;
    if by.iter().any(|b| b == c) {
        return Err(Error::invalid_arg("cluster", format!("`{c}` is in by: each group would be one cluster")));
    }
    super::compliance::refuse_actions_only(cases.report.actions_only, cases.report.unit.as_deref())?;
    super::compliance::refuse_unpublished(cases.report.outcomes_unpublished)?;
    // The table without the load's note, which goes after the clustering's.
    let table = super::compliance::compliance_on(&super::Source::of(cases), by, spec)?;

    let is = |s: crate::schema::Status| col(STATUS).eq(lit(s.as_str()));
    let success = spec.success.iter().fold(lit(false), |acc, s| acc.or(is(*s)));
    let in_denom = match spec.pending {
        PendingRule::Against => lit(true),
        PendingRule::Exclude => is(crate::schema::Status::Pending).not(),
    };
    // A request without a cluster value is its own cluster (its row number keys it).
    let lone = when(col(c).is_null()).then(col("__i")).otherwise(lit(NULL).cast(DataType::UInt32)).alias("__lone");
    let units = cases.frame().clone().lazy().with_row_index("__i", None).filter(in_denom).with_columns([
        (success.cast(DataType::Int64) * col(COUNT)).cast(DataType::Float64).alias("__x"),
        col(COUNT).cast(DataType::Float64).alias("__n"),
        lone,
    ]);
    let mut keys = by.to_vec();
    keys.extend([c.to_string(), "__lone".to_string()]);
    let per_cluster = run(group_agg(units, &keys, vec![col("__x").sum(), col("__n").sum()]))?;
    let totals = run(group_agg(
        per_cluster.clone().lazy(),
        by,
        vec![col("__x").sum().alias("__X"), col("__n").sum().alias("__N"), len().alias("clusters")],
    ))?;
    let joined = if by.is_empty() {
        per_cluster.lazy().cross_join(totals.lazy(), None)
    } else {
        let on: Vec<Expr> = by.iter().map(|b| col(b.as_str())).collect();
        let mut args = JoinArgs::new(JoinType::Left);
        args.nulls_equal = true;
        per_cluster.lazy().join(totals.lazy(), on.clone(), on, args)
    };
    let p = col("__X") / col("__N");
    let resid = (col("__x") - p * col("__n")).pow(2);
    let stats = run(group_agg(
        joined,
        by,
        vec![
            resid.sum().alias("__S"),
            col("__X").first(),
            col("__N").first(),
            col("clusters").first().cast(DataType::Int64),
        ],
    ))?;

    // Per group of the table (in its order): the cluster statistics and the widened interval.
    let lookup = if by.is_empty() {
        stats
    } else {
        let on: Vec<Expr> = by.iter().map(|b| col(b.as_str())).collect();
        let mut args = JoinArgs::new(JoinType::Left);
        args.nulls_equal = true;
        args.maintain_order = MaintainOrderJoin::Left;
        let order = table.select(by.iter().map(String::as_str))?;
        order.lazy().join(stats.lazy(), on.clone(), on, args).collect()?
    };
    let f = |name: &str| -> Result<Vec<Option<f64>>> {
        Ok(lookup.column(name)?.cast(&DataType::Float64)?.f64()?.iter().collect())
    };
    let (s, x, n, g) = (f("__S")?, f("__X")?, f("__N")?, f("clusters")?);
    let h = table.height();
    let (mut se, mut deff, mut neff, mut lo, mut hi) = (vec![], vec![], vec![], vec![], vec![]);
    let (old_lo, old_hi) = (table.column("ci_low")?.f64()?, table.column("ci_high")?.f64()?);
    for i in 0..h {
        let (Some(s), Some(x), Some(n), Some(g)) = (s.get(i).copied().flatten(), x[i], n[i], g[i]) else {
            se.push(None);
            deff.push(None);
            neff.push(None);
            lo.push(old_lo.get(i));
            hi.push(old_hi.get(i));
            continue;
        };
        let p = x / n;
        let v = if g >= 2.0 && n > 0.0 { Some(g / (g - 1.0) * s / (n * n)) } else { None };
        se.push(v.map(f64::sqrt));
        if v.is_none() {
            // One cluster: no cluster-robust variance, so no interval (not the binomial one).
            deff.push(None);
            neff.push(None);
            lo.push(None);
            hi.push(None);
            continue;
        }
        let d = v.filter(|_| p > 0.0 && p < 1.0).map(|v| v / (p * (1.0 - p) / n));
        deff.push(d);
        let ne = n / d.unwrap_or(1.0).max(1.0);
        neff.push(Some(ne));
        let ci = binomial_interval(p * ne, ne, spec.method, spec.ci);
        lo.push(ci.map(|c| c.0));
        hi.push(ci.map(|c| c.1));
    }
    let mut out = table;
    out.with_column(Column::new("ci_low".into(), lo))?;
    out.with_column(Column::new("ci_high".into(), hi))?;
    let definition = out.drop_in_place("definition")?;
    out.with_column(Column::new("clusters".into(), g.iter().map(|v| v.map(|v| v as i64)).collect::<Vec<_>>()))?;
    out.with_column(Column::new("se_cluster".into(), se))?;
    out.with_column(Column::new("design_effect".into(), deff))?;
    out.with_column(Column::new("n_effective".into(), neff))?;
    out.with_column(Column::new(
        "few_clusters".into(),
        g.iter().map(|v| v.is_some_and(|v| v < MIN_CLUSTERS as f64)).collect::<Vec<_>>(),
    ))?;
    out.with_column(definition)?;
    let what = if c == ACCOUNT_KEY {
        "account (platform + account; a request without one is its own cluster)".to_string()
    } else {
        format!("`{c}` (a request without one is its own cluster)")
    };
    let note = format!(
        "interval adjusted for clustering by {what}: design_effect = cluster-robust variance (CR1: G/(G-1) sum_c (x_c - p n_c)^2 / N^2) over p(1-p)/N, as estimated (it can be below 1); the {} interval on n_effective = N / max(design_effect, 1); no interval with one cluster; few_clusters when fewer than {MIN_CLUSTERS} clusters (the cluster-robust variance is then unreliable)",
        spec.method
    );
    let out = super::map_definitions(out, |v| format!("{v}; {note}"))?;
    super::note_rejects(out, cases)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_design_effect_by_hand() {
        // Account a: 2 requests, both removed; b: 1 rejected; c: 1 removed, 1 rejected. N = 5,
        // p = 0.6; residual sums 0.8, -0.6, -0.2; V = 3/2 * (0.64 + 0.36 + 0.04) / 25 = 0.0624;
        // binomial 0.24 / 5 = 0.048; design effect 1.3; n_effective 5 / 1.3.
        let csv = "case_id,platform,account,group,reported_at,status\n\
                   1,x,@fake_a,TTP,2025-01-01,removed\n2,x,@fake_a,TTP,2025-01-02,removed\n\
                   3,x,@fake_b,TTP,2025-01-01,rejected\n4,x,@fake_c,TTP,2025-01-01,removed\n\
                   5,x,@fake_c,TTP,2025-01-03,rejected\n";
        let cases = crate::Cases::read_csv_bytes(csv.as_bytes(), "t.csv", &Default::default()).unwrap();
        let spec = ComplianceSpec::default();
        let t = compliance_clustered(cases.data(), &[], "account", &spec).unwrap();
        let f = |c: &str| t.column(c).unwrap().cast(&DataType::Float64).unwrap().f64().unwrap().get(0).unwrap();
        assert_eq!(f("clusters"), 3.0);
        assert!((f("se_cluster") - 0.0624f64.sqrt()).abs() < 1e-12);
        assert!((f("design_effect") - 1.3).abs() < 1e-12);
        assert!((f("n_effective") - 5.0 / 1.3).abs() < 1e-12);
        let n = 5.0 / 1.3;
        let (lo, hi) = binomial_interval(0.6 * n, n, spec.method, spec.ci).unwrap();
        assert!((f("ci_low") - lo).abs() < 1e-12 && (f("ci_high") - hi).abs() < 1e-12);
        assert_eq!(f("rate"), 0.6);
        // One cluster: no cluster variance, so no interval.
        let one = crate::Cases::read_csv_bytes(
            "case_id,platform,account,group,reported_at,status\n1,x,@fake_a,TTP,2025-01-01,removed\n2,x,@fake_a,TTP,2025-01-02,rejected\n".as_bytes(),
            "t.csv",
            &Default::default(),
        )
        .unwrap();
        let t1 = compliance_clustered(one.data(), &[], "account", &spec).unwrap();
        assert_eq!(t1.column("se_cluster").unwrap().null_count(), 1);
        assert_eq!(t1.column("ci_low").unwrap().f64().unwrap().get(0), None, "no interval from one cluster");
        assert_eq!(t1.column("few_clusters").unwrap().bool().unwrap().get(0), Some(true));
    }
}
