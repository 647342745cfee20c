//! # takedowns
//!
//! Analyse records of requests to remove or block social-media accounts and content linked to
//! banned militant groups: compliance by platform, reach by group, trends over time, each with its
//! definition and its uncertainty stated.
//!
//! ```
//! use takedowns::{Cases, ComplianceSpec};
//!
//! let cases = Cases::sample()?;                     // synthetic, fake handles
//! let by_platform = cases.compliance(&["platform"], &ComplianceSpec::default())?;
//! println!("{by_platform}");
//! let summary = cases.summary()?;
//! assert_eq!(summary.accounts, 850);
//! println!("{}", summary.headline());
//! # Ok::<(), takedowns::Error>(())
//! ```
//!
//! ## Loading, with nothing lost
//!
//! [`Cases::read_csv`], [`Cases::read_ndjson`], [`Cases::read_parquet`], [`Cases::read_ipc`],
//! [`Cases::from_frame`] and [`Cases::from_records`] map the input's columns and labels to the
//! canonical schema ([`schema`]), parse every value and check every rule ([`Rule`]). Strict mode
//! fails with every problem listed (file, row, column, value, rule); quarantine mode returns the
//! valid cases and a rejects table. The [`LoadReport`] always has
//! `rows_read = rows_accepted + rows_rejected`.
//!
//! ## Data larger than memory
//!
//! [`scan::scan_parquet`] reads a Parquet file, glob or directory (hive partitions become
//! columns) lazily, and [`scan::scan_csv`] a CSV file: compliance, reach and trend each run as one streaming query that validates
//! every batch with the same rules (invalid rows quarantined and counted; duplicate ids are not
//! checked in a scan), reading only the columns needed. Reach works in passes over a partition
//! of the accounts so that memory stays bounded. [`synth::write_synthetic`] writes synthetic data
//! sets of any size.
//!
//! ## Definitions
//!
//! Every result frame carries a `definition` column stating the definition used. In full:
//!
//! - **Compliance** ([`metrics::compliance`]): rate = successes / denominator, where successes are
//!   the units whose outcome is in the success set (default removed + restricted) and the
//!   denominator is all units (pending counted as not complied, PTA's rule; the default) or decided
//!   units only. Units are requests (rows × `count`) or distinct accounts (platform +
//!   `account_key`, latest request's outcome). Weights are 1 or followers (interval then on Kish's
//!   effective n). 0/0 gives a null rate. `low_n` flags n < `min_n` (default 30).
//! - **Intervals** ([`stats::interval`]): Wilson (default), Jeffreys or Clopper-Pearson at a chosen
//!   level, formulas in that module's docs.
//! - **Reach** ([`metrics::reach`]): distinct accounts, followers counted once per account (the
//!   largest reported value by default, or the latest), split into followers on accounts actioned
//!   (latest outcome removed or restricted) and still up; median followers; share of the 10
//!   largest accounts; and the undeduplicated sum for comparison.
//! - **Trend** ([`metrics::trend`]): cases per day, week, month, quarter, half-year or year on
//!   `reported_at` (cohorts) or `actioned_at` (decisions), every period present and zero-filled,
//!   with running totals and each period's compliance; periods can start in any month
//!   ([`metrics::period`]).
//! - **Time to action** ([`metrics::survival`]): Kaplan-Meier time from report to decision with
//!   pending requests right-censored at an as-of date, exponential-Greenwood bands, the median
//!   with its interval, Aalen-Johansen cumulative incidence of action and of rejection (competing
//!   outcomes), shares within deadlines, the restricted mean; naive statistics beside, marked
//!   biased.
//! - **Crosstab** ([`metrics::crosstab`]) and **summary** ([`metrics::summary`]) reuse those
//!   definitions.
//!
//! The Python package `takedowns` is built from this crate with the `python` feature; nothing
//! outside `src/python/` mentions Python.

#![warn(missing_docs)]

pub mod cancel;
pub mod cases;
pub mod dates;
pub mod designations;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod labels;
pub mod load;
pub mod metrics;
pub mod privacy;
mod rng;
pub mod sample;
pub mod scan;
pub mod schema;
mod slices;
pub mod sources;
pub mod stats;
pub mod synth;
pub mod vocab;

#[cfg(feature = "python")]
mod python;

pub use cases::{Cases, Filter};
pub use error::{Error, Problem, Result, Rule};
pub use load::{LoadOptions, LoadReport, OnInvalid, Validated};
pub use metrics::compliance::{ComplianceSpec, PendingRule, Unit, Weight};
pub use metrics::crosstab::CrossValue;
pub use metrics::pairwise::Adjust;
pub use metrics::period::Every;
pub use metrics::reach::{FollowersRule, GroupRule, ReachSpec};
pub use metrics::returning::ReturnMatch;
pub use metrics::summary::Summary;
pub use metrics::survival::SurvivalSpec;
pub use metrics::tables::Table;
pub use metrics::trend::{DateOn, TrendSpec};
pub use schema::{CaseRecord, Status};
pub use stats::IntervalMethod;
pub use vocab::Named;

/// Every vocabulary as (argument, names): what the Python package's `Literal` types must equal.
pub fn vocabularies() -> Vec<(&'static str, &'static [&'static str])> {
    use crate::dates::DateOrder;
    use crate::load::OnInvalid;
    use crate::metrics::compliance::{PendingRule, Unit, Weight};
    use crate::metrics::crosstab::CrossValue;
    use crate::metrics::pairwise::Adjust;
    use crate::metrics::period::Every;
    use crate::metrics::reach::{FollowersRule, GroupRule};
    use crate::metrics::trend::DateOn;
    use crate::schema::Status;
    use crate::stats::IntervalMethod;
    use crate::synth::Format;
    use crate::vocab;
    fn entry<V: vocab::Named>() -> (&'static str, &'static [&'static str]) {
        (V::ARGUMENT, V::NAMES)
    }
    vec![
        entry::<Status>(),
        entry::<PendingRule>(),
        entry::<Unit>(),
        entry::<Weight>(),
        entry::<IntervalMethod>(),
        entry::<FollowersRule>(),
        entry::<GroupRule>(),
        entry::<Every>(),
        entry::<DateOn>(),
        entry::<CrossValue>(),
        entry::<Adjust>(),
        entry::<crate::metrics::returning::ReturnMatch>(),
        entry::<DateOrder>(),
        entry::<OnInvalid>(),
        entry::<Format>(),
        entry::<crate::error::Rule>(),
        entry::<crate::sources::SourceName>(),
    ]
}
