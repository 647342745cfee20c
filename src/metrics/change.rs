//! Before and after a date: did compliance change when a law, a policy or a ban took effect?
//!
//! [`change`] splits the requests at `at` by `reported_at` (before: reported before `at`; after:
//! on or after it) and gives, per `by` group, the compliance of each side under the same
//! definition as [`super::compliance`] (its interval by the spec's method), and the change:
//!
//! - `difference` = rate_after − rate_before, with Newcombe's hybrid score interval;
//! - `ratio` = rate_after / rate_before, with Katz's log interval (null without successes);
//! - `p_value`: the two-sided pooled z-test of equal rates, and `p_adjusted` over the groups
//!   compared ([`Adjust`], Holm by default).
//!
//! These are [`super::pairwise`]'s comparisons of the two sides (statsmodels'
//! `confint_proportions_2indep` and `proportions_ztest`). Requests without a `reported_at` are on
//! neither side; the definition counts them. A side without requests gives null rates and
//! comparisons (0/0 is not 0). The intervals treat requests as independent and the two periods
//! as samples of one process; a difference is not by itself an effect of what happened at `at`
//! (other things change too: the accounts reported, the platforms' staffing, the trend).

use chrono::NaiveDate;
use polars::prelude::*;

use super::compliance::ComplianceSpec;
use super::pairwise::{adjust_all, compare, compared_columns, refuse_followers, Adjust, Compared, Rate};
use super::{check_by, const_str};
use crate::error::Result;
use crate::load::Validated;
use crate::schema::col_names::REPORTED_AT;
use crate::stats::special::normal_ppf;

const SIDE: &str = "__side";

/// Compliance before and after `at` per `by` group, and its change (see the module docs).
pub fn change(
    cases: &Validated,
    at: NaiveDate,
    by: &[String],
    adjust: Adjust,
    spec: &ComplianceSpec,
) -> Result<DataFrame> {
    refuse_followers(spec)?;
    check_by(cases.frame().schema(), by)?;
    let at_us = at.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_micros()).unwrap_or(i64::MIN);
    let reported = col(REPORTED_AT).cast(DataType::Int64);
    let side = when(reported.clone().is_null())
        .then(lit(NULL).cast(DataType::String))
        .when(reported.lt(lit(at_us)))
        .then(lit("before"))
        .otherwise(lit("after"))
        .alias(SIDE);
    let frame = cases.frame().clone().lazy().with_column(side).collect()?;
    let undated = frame.column(SIDE)?.null_count();
    let dated = frame.lazy().filter(col(SIDE).is_not_null()).collect()?;
    let mut keys = by.to_vec();
    keys.push(SIDE.into());
    let table = super::compliance::compliance(&cases.with_frame(dated), &keys, spec)?;

    // One row per `by` group (in the compliance table's order), each side's rate if it has one.
    let groups = if by.is_empty() {
        DataFrame::new(1, vec![Column::new("__one".into(), [1i32])])?
    } else {
        table.select(by.iter().map(String::as_str))?.unique_stable(None, UniqueKeepStrategy::First, None)?
    };
    let sides = |name: &str| -> Result<DataFrame> {
        let mut t = table.clone().lazy().filter(col(SIDE).eq(lit(name)));
        if by.is_empty() {
            t = t.with_column(lit(1i32).alias("__one"));
        }
        let cols = ["successes", "denominator", "rate", "ci_low", "ci_high", "low_n"];
        let mut sel: Vec<Expr> =
            if by.is_empty() { vec![col("__one")] } else { by.iter().map(|b| col(b.as_str())).collect() };
        sel.extend(cols.iter().map(|c| col(*c).alias(format!("{c}_{name}"))));
        Ok(t.select(sel).collect()?)
    };
    let on: Vec<Expr> = if by.is_empty() { vec![col("__one")] } else { by.iter().map(|b| col(b.as_str())).collect() };
    let mut args = JoinArgs::new(JoinType::Left);
    args.nulls_equal = true;
    args.maintain_order = MaintainOrderJoin::Left;
    let wide = groups
        .lazy()
        .join(sides("before")?.lazy(), on.clone(), on.clone(), args.clone())
        .join(sides("after")?.lazy(), on.clone(), on, args)
        .collect()?;
    let num = |c: &str| -> Result<Vec<f64>> {
        Ok(wide.column(c)?.cast(&DataType::Float64)?.f64()?.iter().map(|v| v.unwrap_or(0.0)).collect())
    };
    let flag =
        |c: &str| -> Result<Vec<bool>> { Ok(wide.column(c)?.bool()?.iter().map(|v| v.unwrap_or(true)).collect()) };
    let (xb, nb, xa, na) =
        (num("successes_before")?, num("denominator_before")?, num("successes_after")?, num("denominator_after")?);
    let (lowb, lowa) = (flag("low_n_before")?, flag("low_n_after")?);
    let z = normal_ppf(1.0 - (1.0 - spec.ci) / 2.0);
    let rate = |x: f64, n: f64, low_n: bool| Rate { label: None, x, n, low_n };
    let mut rows: Vec<Compared> = (0..wide.height())
        .map(|i| compare(&rate(xa[i], na[i], lowa[i]), &rate(xb[i], nb[i], lowb[i]), spec.ci, z))
        .collect();
    let tested = adjust_all(&mut rows, adjust);
    let ints = |v: &[f64]| v.iter().map(|x| *x as i64).collect::<Vec<_>>();
    let mut cols: Vec<Column> = by.iter().map(|b| wide.column(b).cloned()).collect::<PolarsResult<_>>()?;
    cols.push(Column::new("n_before".into(), ints(&nb)));
    cols.push(wide.column("rate_before")?.clone());
    cols.push(wide.column("ci_low_before")?.clone());
    cols.push(wide.column("ci_high_before")?.clone());
    cols.push(Column::new("n_after".into(), ints(&na)));
    cols.push(wide.column("rate_after")?.clone());
    cols.push(wide.column("ci_low_after")?.clone());
    cols.push(wide.column("ci_high_after")?.clone());
    cols.extend(compared_columns(&rows));
    cols.push(Column::new("low_n".into(), lowb.iter().zip(&lowa).map(|(a, b)| *a || *b).collect::<Vec<_>>()));
    let h = wide.height();
    let mut df = DataFrame::new(h, cols)?;
    let definition = format!(
        "change at {at}: before = requests reported before {at}, after = reported on or after it ({undated} request row(s) \
         without reported_at, on neither side); difference = rate_after - rate_before with Newcombe's hybrid score \
         interval, ratio = rate_after / rate_before with Katz's log interval, both {:.0}%; p = two-sided pooled z-test, \
         adjusted by {adjust} over the {} group(s) with a p-value; requests treated as independent; a difference is not \
         by itself an effect of what happened at {at}; rates: compliance {}",
        spec.ci * 100.0,
        tested,
        spec.describe()
    );
    df.with_column(const_str("definition", &definition, h))?;
    super::note_rejects(df, cases)
}
