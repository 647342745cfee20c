//! Confidence intervals for a binomial proportion x / n.
//!
//! With z = Φ⁻¹(1 − α/2) and p̂ = x / n:
//!
//! - **Wilson** (score interval; the default):
//!   `(p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)`.
//! - **Jeffreys** (Bayesian, Beta(½, ½) prior, equal tails): the α/2 and 1 − α/2 quantiles of
//!   Beta(x + ½, n − x + ½), with the lower bound set to 0 when x = 0 and the upper to 1 when x = n
//!   (Brown, Cai and DasGupta 2001).
//! - **Clopper-Pearson** ("exact"): lower = Beta(α/2; x, n − x + 1), upper = Beta(1 − α/2; x + 1,
//!   n − x), with 0 when x = 0 and 1 when x = n. Conservative: coverage is at least the level.
//!
//! n = 0 gives no interval (None), never (0, 0). x and n may be non-integer (an effective sample
//! size for weighted rates): the formulas are used as written.

use super::special::{beta_ppf, normal_ppf};
use crate::error::{Error, Result};

crate::vocabulary! {
    /// How a confidence interval for a rate is computed.
    #[derive(Default)]
    pub enum IntervalMethod("method") {
        /// Wilson score interval (default): good coverage at every n, never outside [0, 1].
        #[default]
        Wilson = "wilson",
        /// Jeffreys equal-tailed Bayesian interval.
        Jeffreys = "jeffreys",
        /// Clopper-Pearson exact interval (conservative).
        ClopperPearson = "clopper-pearson",
    }
}

/// Checks that a confidence level is strictly between 0 and 1.
pub fn check_level(level: f64) -> Result<()> {
    if level > 0.0 && level < 1.0 {
        Ok(())
    } else {
        Err(Error::invalid_arg("ci", format!("confidence level must be in (0, 1), got {level}")))
    }
}

/// The two-sided confidence interval for x successes out of n at `level` (e.g. 0.95).
/// Returns None when n = 0 (no rate, so no interval).
pub fn binomial_interval(x: f64, n: f64, method: IntervalMethod, level: f64) -> Option<(f64, f64)> {
    if !(n > 0.0) || !(x >= 0.0) || x > n || !(level > 0.0 && level < 1.0) {
        return None;
    }
    let alpha = 1.0 - level;
    let (lo, hi) = match method {
        IntervalMethod::Wilson => {
            let z = normal_ppf(1.0 - alpha / 2.0);
            let p = x / n;
            let z2 = z * z;
            let denom = 1.0 + z2 / n;
            let centre = (p + z2 / (2.0 * n)) / denom;
            let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
            (centre - half, centre + half)
        }
        IntervalMethod::Jeffreys => {
            let (a, b) = (x + 0.5, n - x + 0.5);
            let lo = if x <= 0.0 { 0.0 } else { beta_ppf(alpha / 2.0, a, b) };
            let hi = if x >= n { 1.0 } else { beta_ppf(1.0 - alpha / 2.0, a, b) };
            (lo, hi)
        }
        IntervalMethod::ClopperPearson => {
            let lo = if x <= 0.0 { 0.0 } else { beta_ppf(alpha / 2.0, x, n - x + 1.0) };
            let hi = if x >= n { 1.0 } else { beta_ppf(1.0 - alpha / 2.0, x + 1.0, n - x) };
            (lo, hi)
        }
    };
    // Rounding can put a bound a hair inside the estimate (Wilson's upper bound at x = n comes out
    // 0.9999999999999999): every method's interval contains p̂ exactly.
    let p = x / n;
    Some((lo.clamp(0.0, 1.0).min(p), hi.clamp(0.0, 1.0).max(p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binom_cdf(k: u32, n: u32, p: f64) -> f64 {
        (0..=k)
            .map(|j| {
                let lc =
                    libm::lgamma(n as f64 + 1.0) - libm::lgamma(j as f64 + 1.0) - libm::lgamma((n - j) as f64 + 1.0);
                (lc + j as f64 * p.ln() + (n - j) as f64 * (1.0 - p).ln()).exp()
            })
            .sum()
    }

    #[test]
    fn wilson_matches_newcombe_1998() {
        // Newcombe (1998), Stat Med 17:857, table I, method 3 (Wilson), 95%.
        let cases = [
            (81.0, 263.0, 0.2553, 0.3662),
            (15.0, 148.0, 0.0624, 0.1605),
            (0.0, 20.0, 0.0, 0.1611),
            (1.0, 29.0, 0.0061, 0.1718),
        ];
        for (x, n, lo, hi) in cases {
            let (l, h) = binomial_interval(x, n, IntervalMethod::Wilson, 0.95).unwrap();
            assert!((l - lo).abs() < 5e-5 && (h - hi).abs() < 5e-5, "{x}/{n}: {l} {h}");
        }
    }

    #[test]
    fn clopper_pearson_satisfies_its_defining_tail_equations() {
        // Upper u solves P(X <= x | n, u) = α/2; lower l solves P(X >= x | n, l) = α/2.
        for &(x, n) in &[(1u32, 29u32), (81, 263), (15, 148), (7, 7), (0, 20), (12, 40)] {
            let (l, u) = binomial_interval(x as f64, n as f64, IntervalMethod::ClopperPearson, 0.95).unwrap();
            if x < n {
                assert!((binom_cdf(x, n, u) - 0.025).abs() < 1e-10, "{x}/{n} upper {u}");
            } else {
                assert_eq!(u, 1.0);
            }
            if x > 0 {
                assert!((1.0 - binom_cdf(x - 1, n, l) - 0.025).abs() < 1e-10, "{x}/{n} lower {l}");
            } else {
                assert_eq!(l, 0.0);
            }
        }
        // Closed form at x = 0: upper = 1 - (α/2)^(1/n).
        let (_, u) = binomial_interval(0.0, 20.0, IntervalMethod::ClopperPearson, 0.95).unwrap();
        assert!((u - (1.0 - 0.025f64.powf(1.0 / 20.0))).abs() < 1e-13);
    }

    #[test]
    fn jeffreys_bounds_are_beta_quantiles_checked_by_integration() {
        // Integrate the Beta(x+1/2, n-x+1/2) density numerically up to each bound: an independent
        // check of the quantile (Simpson's rule after the substitution t = s², which removes the
        // endpoint singularity).
        let (x, n) = (3.0, 17.0);
        let (l, u) = binomial_interval(x, n, IntervalMethod::Jeffreys, 0.90).unwrap();
        let (a, b) = (x + 0.5, n - x + 0.5);
        let lnb = libm::lgamma(a) + libm::lgamma(b) - libm::lgamma(a + b);
        let cdf = |q: f64| {
            let m = 20_000;
            let top = q.sqrt();
            let h = top / m as f64;
            let f = |s: f64| {
                if s == 0.0 {
                    return 0.0;
                }
                let t = s * s;
                2.0 * s * ((a - 1.0) * t.ln() + (b - 1.0) * (1.0 - t).ln() - lnb).exp()
            };
            let mut acc = f(0.0) + f(top);
            for i in 1..m {
                acc += f(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
            }
            acc * h / 3.0
        };
        assert!((cdf(l) - 0.05).abs() < 1e-8, "{}", cdf(l));
        assert!((cdf(u) - 0.95).abs() < 1e-8, "{}", cdf(u));
    }

    #[test]
    fn interval_contains_the_estimate_at_the_edges() {
        for m in [IntervalMethod::Wilson, IntervalMethod::Jeffreys, IntervalMethod::ClopperPearson] {
            for n in 1..60 {
                let (l, h) = binomial_interval(n as f64, n as f64, m, 0.95).unwrap();
                assert!(l <= 1.0 && h == 1.0, "{m:?} {n}/{n}: ({l}, {h})");
                let (l, _) = binomial_interval(0.0, n as f64, m, 0.95).unwrap();
                assert_eq!(l, 0.0);
            }
        }
    }

    #[test]
    fn no_interval_without_denominator() {
        for m in [IntervalMethod::Wilson, IntervalMethod::Jeffreys, IntervalMethod::ClopperPearson] {
            assert_eq!(binomial_interval(0.0, 0.0, m, 0.95), None);
        }
        // 5 of 5 at 95%: the lower bounds by scipy (Wilson n/(n+z^2); Jeffreys Beta(0.025; 5.5,
        // 0.5); Clopper-Pearson 0.025^(1/5)); every upper bound is 1.
        for (m, want) in [
            (IntervalMethod::Wilson, 0.5655175352168252),
            (IntervalMethod::Jeffreys, 0.6206228577009606),
            (IntervalMethod::ClopperPearson, 0.4781762498950185),
        ] {
            let (l, h) = binomial_interval(5.0, 5.0, m, 0.95).unwrap();
            assert!((l - want).abs() < 1e-9 && h == 1.0, "{m:?}: ({l}, {h})");
        }
    }

    #[test]
    fn wider_at_higher_level_and_ordered_by_method() {
        let w95 = binomial_interval(30.0, 100.0, IntervalMethod::Wilson, 0.95).unwrap();
        let w99 = binomial_interval(30.0, 100.0, IntervalMethod::Wilson, 0.99).unwrap();
        assert!(w99.0 < w95.0 && w99.1 > w95.1);
        // Clopper-Pearson is the widest of the three at the same level.
        let cp = binomial_interval(30.0, 100.0, IntervalMethod::ClopperPearson, 0.95).unwrap();
        let jf = binomial_interval(30.0, 100.0, IntervalMethod::Jeffreys, 0.95).unwrap();
        assert!(cp.1 - cp.0 > w95.1 - w95.0 && cp.1 - cp.0 > jf.1 - jf.0);
    }
}
