//! Pairwise comparisons of compliance: "X complied significantly less than Facebook", with the
//! numbers a memo needs.
//!
//! For each pair of `by` groups (every pair, or each group against a `reference`), with the rates
//! of [`super::compliance`] under the same definition (successes over the denominator it uses):
//!
//! - `difference` = rate_a − rate_b, with Newcombe's hybrid score interval (his method 10: from
//!   each rate's Wilson interval, lower = d − √((p_a − l_a)² + (u_b − p_b)²), upper =
//!   d + √((u_a − p_a)² + (p_b − l_b)²)), at the spec's `ci` level;
//! - `ratio` = rate_a / rate_b, with Katz's log interval, exp(ln r ± z √(1/x_a − 1/n_a + 1/x_b −
//!   1/n_b)); null when either group has no success (the interval is undefined);
//! - `p_value`: the two-sided pooled z-test of equal rates; null when the pooled rate is 0 or 1
//!   (no variation to test);
//! - `p_adjusted`: adjusted for the comparisons made ([`Adjust`], Holm by default), over the
//!   comparisons that have a p-value.
//!
//! These are the numbers of statsmodels' `confint_proportions_2indep(method="newcomb",
//! compare="diff")`, `confint_proportions_2indep(method="log", compare="ratio")`,
//! `proportions_ztest` and `multipletests(method="holm")`; the golden file
//! `tests/golden/statsmodels/pairwise_platform.csv` holds statsmodels' values and the command that made them.
//! A group with no request in the denominator gives null rates and comparisons (0/0 is not 0).
//! The intervals treat requests as independent; requests about one account, or sent in one batch,
//! are not, and the interval is then too narrow (the definition says so).

use polars::prelude::*;

use super::compliance::{ComplianceSpec, Weight};
use super::const_str;
use crate::error::{Error, Result};
use crate::load::Validated;
use crate::stats::special::{normal_cdf, normal_ppf};
use crate::stats::{binomial_interval, IntervalMethod};

crate::vocabulary! {
    /// How p-values are adjusted for the number of comparisons.
    #[derive(Default)]
    pub enum Adjust("adjust") {
        /// Holm's step-down method (default): controls the family-wise error, never less
        /// powerful than Bonferroni.
        #[default]
        Holm = "holm",
        /// Bonferroni: each p-value times the number of comparisons (at most 1).
        Bonferroni = "bonferroni",
        /// None: the raw p-values.
        None = "none",
    }
}

/// The most pairs compared at once (every pair of 447 groups).
const MAX_PAIRS: usize = 100_000;

/// One group's successes and denominator.
pub(crate) struct Rate {
    pub(crate) label: Option<String>,
    pub(crate) x: f64,
    pub(crate) n: f64,
    pub(crate) low_n: bool,
}

/// Pairwise comparisons of compliance per `by` group (see the module docs): every pair in the
/// groups' order, or each group against `reference`.
pub fn pairwise(
    cases: &Validated,
    by: &str,
    reference: Option<&str>,
    adjust: Adjust,
    spec: &ComplianceSpec,
) -> Result<DataFrame> {
    refuse_followers(spec)?;
    let table = super::compliance::compliance(cases, &[by.to_string()], spec)?;
    let labels = table.column(by)?.cast(&DataType::String)?;
    let labels = labels.str()?;
    let num = |c: &str| -> Result<Vec<f64>> {
        Ok(table.column(c)?.cast(&DataType::Float64)?.f64()?.iter().map(|v| v.unwrap_or(0.0)).collect())
    };
    let (x, n) = (num("successes")?, num("denominator")?);
    let low: Vec<bool> = table.column("low_n")?.bool()?.iter().map(|v| v.unwrap_or(false)).collect();
    let rates: Vec<Rate> = (0..table.height())
        .map(|i| Rate { label: labels.get(i).map(str::to_string), x: x[i], n: n[i], low_n: low[i] })
        .collect();
    let pairs: Vec<(usize, usize)> = match reference {
        Some(r) => {
            // As written, else the one group whose label folds to the same (`Facebook` for
            // `facebook`), or whose platform alias it is (`Twitter` for `x`).
            let folded = crate::labels::normalize_label(r);
            let alias = (by == crate::schema::col_names::PLATFORM)
                .then(|| crate::labels::Vocabulary::new(&[], &[], &[]).platform_alias(r))
                .flatten();
            let exact = rates.iter().position(|g| g.label.as_deref() == Some(r));
            let near: Vec<usize> = (0..rates.len())
                .filter(|&i| {
                    rates[i]
                        .label
                        .as_deref()
                        .is_some_and(|l| crate::labels::normalize_label(l) == folded || alias.as_deref() == Some(l))
                })
                .collect();
            let Some(j) = exact.or(if near.len() == 1 { Some(near[0]) } else { None }) else {
                let known: Vec<String> = rates.iter().filter_map(|g| g.label.clone()).collect();
                return Err(Error::invalid_arg(
                    "reference",
                    format!("no `{by}` is written {r:?}; the groups are {}", known.join(", ")),
                ));
            };
            (0..rates.len()).filter(|i| *i != j).map(|i| (i, j)).collect()
        }
        None => {
            let k = rates.len();
            if k * k.saturating_sub(1) / 2 > MAX_PAIRS {
                return Err(Error::invalid_arg(
                    "reference",
                    format!(
                        "{k} values of `{by}` make {} pairs, more than {MAX_PAIRS}; compare each with a reference \
                         (reference=...), or filter the cases first",
                        k * (k - 1) / 2
                    ),
                ));
            }
            (0..k).flat_map(|i| (i + 1..k).map(move |j| (i, j))).collect()
        }
    };
    let level = spec.ci;
    let z = normal_ppf(1.0 - (1.0 - level) / 2.0);
    let mut rows: Vec<Compared> = pairs.iter().map(|&(i, j)| compare(&rates[i], &rates[j], level, z)).collect();
    let tested = adjust_all(&mut rows, adjust);
    let name = |s: &str| PlSmallStr::from(format!("{by}_{s}"));
    let label =
        |k: usize| -> Vec<Option<String>> { pairs.iter().map(|p| rates[[p.0, p.1][k]].label.clone()).collect() };
    let f = |n: &str, g: fn(&Compared) -> Option<f64>| Column::new(n.into(), rows.iter().map(g).collect::<Vec<_>>());
    let mut cols = vec![
        Column::new(name("a"), label(0)),
        Column::new(name("b"), label(1)),
        f("rate_a", |r| r.rate_a),
        Column::new("n_a".into(), pairs.iter().map(|p| rates[p.0].n as i64).collect::<Vec<_>>()),
        f("rate_b", |r| r.rate_b),
        Column::new("n_b".into(), pairs.iter().map(|p| rates[p.1].n as i64).collect::<Vec<_>>()),
    ];
    cols.extend(compared_columns(&rows));
    cols.push(Column::new(
        "low_n".into(),
        pairs.iter().map(|p| rates[p.0].low_n || rates[p.1].low_n).collect::<Vec<_>>(),
    ));
    let h = rows.len();
    let mut df = DataFrame::new(h, cols)?;
    let definition = format!(
        "difference = rate_a - rate_b with Newcombe's hybrid score interval (from each rate's Wilson interval), \
         ratio = rate_a / rate_b with Katz's log interval, both {:.0}%; p = two-sided pooled z-test of equal rates, \
         adjusted by {} over the {} comparison(s) with a p-value; intervals treat requests as independent (requests \
         about one account or sent in one batch are not, and then the intervals are too narrow); rates: compliance {}",
        level * 100.0,
        adjust,
        tested,
        spec.describe()
    );
    df.with_column(const_str("definition", &definition, h))?;
    super::note_rejects(df, cases)
}

/// Refuses comparisons of rates weighted by followers: they have no binomial interval.
pub(crate) fn refuse_followers(spec: &ComplianceSpec) -> Result<()> {
    if spec.weight == Weight::Followers {
        return Err(Error::invalid_arg(
            "weight",
            "comparisons' intervals are for counts of requests (or accounts); a rate weighted by followers has no binomial interval to compare",
        ));
    }
    Ok(())
}

/// Adjusts the p-values of `rows` by `how` over those that have one; returns how many do.
pub(crate) fn adjust_all(rows: &mut [Compared], how: Adjust) -> usize {
    let p: Vec<Option<f64>> = rows.iter().map(|r| r.p_value).collect();
    for (r, a) in rows.iter_mut().zip(adjusted(&p, how)) {
        r.p_adjusted = a;
    }
    p.iter().flatten().count()
}

/// The comparison's columns of `rows`: difference, its interval, ratio, its interval, z and the
/// p-values.
pub(crate) fn compared_columns(rows: &[Compared]) -> Vec<Column> {
    let f = |n: &str, g: fn(&Compared) -> Option<f64>| Column::new(n.into(), rows.iter().map(g).collect::<Vec<_>>());
    vec![
        f("difference", |r| r.difference),
        f("difference_low", |r| r.difference_low),
        f("difference_high", |r| r.difference_high),
        f("ratio", |r| r.ratio),
        f("ratio_low", |r| r.ratio_low),
        f("ratio_high", |r| r.ratio_high),
        f("z", |r| r.z),
        f("p_value", |r| r.p_value),
        f("p_adjusted", |r| r.p_adjusted),
    ]
}

#[derive(Default)]
pub(crate) struct Compared {
    pub(crate) rate_a: Option<f64>,
    pub(crate) rate_b: Option<f64>,
    pub(crate) difference: Option<f64>,
    pub(crate) difference_low: Option<f64>,
    pub(crate) difference_high: Option<f64>,
    pub(crate) ratio: Option<f64>,
    pub(crate) ratio_low: Option<f64>,
    pub(crate) ratio_high: Option<f64>,
    pub(crate) z: Option<f64>,
    pub(crate) p_value: Option<f64>,
    pub(crate) p_adjusted: Option<f64>,
}

pub(crate) fn compare(a: &Rate, b: &Rate, level: f64, z: f64) -> Compared {
    if !(a.n > 0.0) || !(b.n > 0.0) {
        return Compared {
            rate_a: (a.n > 0.0).then(|| a.x / a.n),
            rate_b: (b.n > 0.0).then(|| b.x / b.n),
            ..Default::default()
        };
    }
    let (pa, pb) = (a.x / a.n, b.x / b.n);
    let d = pa - pb;
    let (la, ua) = binomial_interval(a.x, a.n, IntervalMethod::Wilson, level).unwrap_or((pa, pa));
    let (lb, ub) = binomial_interval(b.x, b.n, IntervalMethod::Wilson, level).unwrap_or((pb, pb));
    let mut out = Compared {
        rate_a: Some(pa),
        rate_b: Some(pb),
        difference: Some(d),
        difference_low: Some(d - ((pa - la).powi(2) + (ub - pb).powi(2)).sqrt()),
        difference_high: Some(d + ((ua - pa).powi(2) + (pb - lb).powi(2)).sqrt()),
        ..Default::default()
    };
    if pb > 0.0 {
        out.ratio = Some(pa / pb);
    }
    if a.x > 0.0 && b.x > 0.0 {
        let se = (1.0 / a.x - 1.0 / a.n + 1.0 / b.x - 1.0 / b.n).sqrt();
        let r = (pa / pb).ln();
        out.ratio_low = Some((r - z * se).exp());
        out.ratio_high = Some((r + z * se).exp());
    }
    let pooled = (a.x + b.x) / (a.n + b.n);
    if pooled > 0.0 && pooled < 1.0 {
        let zstat = d / (pooled * (1.0 - pooled) * (1.0 / a.n + 1.0 / b.n)).sqrt();
        out.z = Some(zstat);
        // From the lower tail, which keeps its precision far out (1 − Φ(13) is 0 in floating point).
        out.p_value = Some((2.0 * normal_cdf(-zstat.abs())).min(1.0));
    }
    out
}

/// The p-values adjusted by `how` over those present (a missing one stays missing).
pub(crate) fn adjusted(p: &[Option<f64>], how: Adjust) -> Vec<Option<f64>> {
    let present: Vec<(usize, f64)> = p.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i, v))).collect();
    let m = present.len() as f64;
    let mut out = vec![None; p.len()];
    match how {
        Adjust::None => return p.to_vec(),
        Adjust::Bonferroni => {
            for (i, v) in present {
                out[i] = Some((v * m).min(1.0));
            }
        }
        Adjust::Holm => {
            let mut order = present;
            order.sort_by(|a, b| a.1.total_cmp(&b.1));
            let mut running: f64 = 0.0;
            for (k, (i, v)) in order.into_iter().enumerate() {
                running = running.max(((m - k as f64) * v).min(1.0));
                out[i] = Some(running);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_is_found_as_a_reader_writes_it() {
        let cases = crate::Cases::sample().unwrap();
        let spec = ComplianceSpec::default();
        let exact = pairwise(cases.data(), "platform", Some("facebook"), Adjust::Holm, &spec).unwrap();
        for written in ["Facebook", " FACEBOOK ", "fb"] {
            let got = pairwise(cases.data(), "platform", Some(written), Adjust::Holm, &spec).unwrap();
            assert!(got.equals_missing(&exact), "{written}");
        }
        let x = pairwise(cases.data(), "platform", Some("Twitter"), Adjust::Holm, &spec).unwrap();
        assert_eq!(x.column("platform_b").unwrap().str().unwrap().get(0), Some("x"));
        let err = pairwise(cases.data(), "platform", Some("myspace"), Adjust::Holm, &spec).unwrap_err();
        assert!(err.to_string().contains("no `platform` is written \"myspace\""), "{err}");
    }

    #[test]
    fn holm_and_bonferroni_by_hand() {
        // Holm: sorted 0.01, 0.02, 0.04 times 3, 2, 1 = 0.03, 0.04, 0.04 (monotone).
        let p = [Some(0.04), Some(0.01), None, Some(0.02)];
        assert_eq!(adjusted(&p, Adjust::Holm), vec![Some(0.04), Some(0.03), None, Some(0.04)]);
        let b = adjusted(&p, Adjust::Bonferroni);
        assert!((b[0].unwrap() - 0.12).abs() < 1e-15 && b[1] == Some(0.03) && b[2].is_none());
        assert_eq!(adjusted(&[Some(0.6), Some(0.7)], Adjust::Holm), vec![Some(1.0), Some(1.0)]);
    }

    #[test]
    fn a_p_value_far_in_the_tail_is_not_zero() {
        // z = -13.26 (x against facebook in the sample): 2 Φ(-13.26) = 3.9e-40, not 0.
        let a = Rate { label: None, x: 62.0, n: 210.0, low_n: false };
        let b = Rate { label: None, x: 196.0, n: 212.0, low_n: false };
        let c = compare(&a, &b, 0.95, normal_ppf(0.975));
        let (z, p) = (c.z.unwrap(), c.p_value.unwrap());
        assert!((z + 13.26).abs() < 0.01, "{z}");
        assert!(p > 1e-41 && p < 1e-39, "{p}");
    }

    #[test]
    fn an_empty_group_gives_null_comparisons_not_zero() {
        let a = Rate { label: None, x: 3.0, n: 10.0, low_n: true };
        let e = Rate { label: None, x: 0.0, n: 0.0, low_n: true };
        let c = compare(&a, &e, 0.95, normal_ppf(0.975));
        assert_eq!((c.rate_a, c.rate_b, c.difference, c.p_value), (Some(0.3), None, None, None));
    }
}
