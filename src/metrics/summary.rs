//! Summary: the headline numbers and a one-sentence headline for a memo.
//!
//! # Definition
//!
//! - `rows`: case rows; `requests`: rows times `count`.
//! - `accounts`: distinct (platform, account_key) pairs; `accounts_actioned`: those whose latest
//!   request (as in [`super::reach`]) was removed or restricted.
//! - `platforms`, `groups`, `agencies`: distinct non-null values.
//! - `first_reported`, `last_reported`: the range of `reported_at` dates; for a published source,
//!   whose rows stand for whole periods, `last_reported` is the last day of its last period
//!   (`period_end`).
//! - `requests_actioned`, `requests_rejected`, `requests_pending`: requests by outcome
//!   (actioned = removed + restricted).
//! - `rate`, `ci_low`, `ci_high`: request compliance under the default
//!   [`ComplianceSpec`] (pending counted against, 95% Wilson).
//! - `account_rate`, `account_ci_low`, `account_ci_high`: accounts_actioned / accounts (95%
//!   Wilson).
//! - `followers`: combined following, each account once at its largest reported value.

use chrono::NaiveDate;
use polars::prelude::*;

use super::compliance::ComplianceSpec;
use super::reach::{reach_on, ReachSpec};
use crate::dates::date_of;
use crate::error::Result;
use crate::load::Validated;
use crate::schema::col_names::*;
use crate::stats::interval::{binomial_interval, IntervalMethod};

/// The headline numbers. See the module docs for each definition.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Summary {
    /// Case rows.
    pub rows: u64,
    /// Requests: rows times `count`.
    pub requests: u64,
    /// Distinct accounts (platform + account_key).
    pub accounts: u64,
    /// Accounts whose latest request was removed or restricted.
    pub accounts_actioned: u64,
    /// Distinct platforms, sorted.
    pub platforms: Vec<String>,
    /// Distinct groups, sorted.
    pub groups: Vec<String>,
    /// Distinct agencies, sorted.
    pub agencies: Vec<String>,
    /// Earliest `reported_at` date.
    pub first_reported: Option<NaiveDate>,
    /// Latest `reported_at` date.
    pub last_reported: Option<NaiveDate>,
    /// Requests removed or restricted.
    pub requests_actioned: u64,
    /// Requests rejected.
    pub requests_rejected: u64,
    /// Requests pending.
    pub requests_pending: u64,
    /// Request compliance, default definition (null when there are no requests).
    pub rate: Option<f64>,
    /// Lower bound of its 95% Wilson interval.
    pub ci_low: Option<f64>,
    /// Upper bound of its 95% Wilson interval.
    pub ci_high: Option<f64>,
    /// accounts_actioned / accounts.
    pub account_rate: Option<f64>,
    /// Lower bound of its 95% Wilson interval.
    pub account_ci_low: Option<f64>,
    /// Upper bound of its 95% Wilson interval.
    pub account_ci_high: Option<f64>,
    /// Combined following, each account once at its largest reported value.
    pub followers: u64,
    /// What the load rejected, in one sentence (`None` when nothing was): the headline ends with it.
    pub rejects: Option<String>,
    /// What a row counts when not requests (a published source's items): the headline says so.
    pub unit: Option<String>,
    /// Every row is an action ([`crate::LoadReport::actions_only`]): no rate is given.
    pub actions_only: bool,
    /// The source publishes no outcome ([`crate::LoadReport::outcomes_unpublished`]): the
    /// outcome counts are 0 here and null in [`Summary::to_frame`], and no rate is given.
    pub outcomes_unpublished: bool,
    /// Requests per `order_type` when the rows have one (a DSA report's orders to act and to
    /// provide information, which the headline keeps apart), in the order of their names.
    pub by_order_type: Vec<(String, u64)>,
    /// How a published source's rows were derived ([`crate::LoadReport::derivation`]): the
    /// definition carries it, as every table's does.
    pub derivation: Option<String>,
    /// For statements of reasons, the first and last day a restriction applied (`actioned_at`):
    /// the headline's span.
    pub applied: Option<(NaiveDate, NaiveDate)>,
}

/// The summary's definitions, as its `definition` column states them.
pub const DEFINITION: &str = "requests = rows x count; accounts = distinct platform + account; accounts actioned = latest request removed or restricted; account_rate and rate (requests, pending counted as not complied) with 95% Wilson intervals; followers counted once per account at the largest reported value";

fn distinct(df: &DataFrame, name: &str) -> Result<Vec<String>> {
    let s = df.column(name)?.as_materialized_series().unique_stable()?;
    let s = crate::schema::text_of(&s.into_column())?;
    let mut v: Vec<String> = s.iter().flatten().map(str::to_string).collect();
    v.sort();
    Ok(v)
}

fn u(v: Option<i64>) -> u64 {
    v.unwrap_or(0).max(0) as u64
}

/// Computes the summary.
pub fn summary(cases: &Validated) -> Result<Summary> {
    let df = cases.frame();
    // The counts of outcomes (an actions-only source's rate is left out below, not refused here).
    let c = super::note_rejects(
        super::compliance::compliance_on(&super::Source::of(cases), &[], &ComplianceSpec::default())?,
        cases,
    )?;
    let actions_only = cases.load_report().actions_only;
    let outcomes_unpublished = cases.load_report().outcomes_unpublished;
    let no_rate = actions_only || outcomes_unpublished;
    // Without follower counts the summary still counts accounts (followers are then 0).
    let r = reach_on(&super::Source::of(cases), &[], &ReachSpec::default())?;
    let geti =
        |df: &DataFrame, n: &str| -> Result<Option<i64>> { Ok(df.column(n)?.cast(&DataType::Int64)?.i64()?.get(0)) };
    let getf = |n: &str| -> Result<Option<f64>> { Ok(c.column(n)?.f64()?.get(0)) };
    let accounts = u(geti(&r, "accounts")?);
    // Accounts actioned: one row per account with its latest outcome, over all cases.
    let accounts_actioned = if accounts == 0 {
        0
    } else {
        // Each account's latest outcome (compliance with unit=account and the default success,
        // removed or restricted), over the cases naming an account, filtered inside the query: a
        // copy of every column of every such case took as much memory again as the cases.
        let named = cases.frame().clone().lazy().filter(col(ACCOUNT_KEY).is_not_null());
        let per = super::latest::aggregate_with_latest(named, &[PLATFORM.into(), ACCOUNT_KEY.into()], vec![])?;
        per.column("__code")?.i64()?.iter().filter(|c| c.is_some_and(|c| c <= 1)).count() as u64
    };
    let acc_ci = binomial_interval(accounts_actioned as f64, accounts as f64, IntervalMethod::Wilson, 0.95);
    let rep = df.column(REPORTED_AT)?.cast(&DataType::Int64)?;
    let rep = rep.i64()?;
    // A published source's rows stand for periods: its requests run to the last period's end.
    let period_end = df
        .column("period_end")
        .ok()
        .and_then(|c| c.str().ok().cloned())
        .and_then(|s| s.iter().flatten().filter_map(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()).max());
    let last = rep.max().map(date_of).max(period_end);
    // Statements of reasons are dated by when their restrictions applied, not by posting.
    let applied = if cases.load_report().unit.as_deref() == Some(crate::load::STATEMENTS_UNIT) {
        let act = df.column(ACTIONED_AT)?.cast(&DataType::Int64)?;
        let act = act.i64()?;
        act.min().map(date_of).zip(act.max().map(date_of))
    } else {
        None
    };
    let by_order_type = match df.column("order_type") {
        Ok(_) => {
            let t = df
                .clone()
                .lazy()
                .group_by([col("order_type")])
                .agg([col(COUNT).sum()])
                .sort(["order_type"], Default::default())
                .collect()?;
            let names = t.column("order_type")?.str()?.clone();
            let counts = t.column(COUNT)?.cast(&DataType::Int64)?;
            names.iter().zip(counts.i64()?.iter()).filter_map(|(n, c)| Some((n?.to_string(), u(c)))).collect()
        }
        Err(_) => Vec::new(),
    };
    Ok(Summary {
        derivation: cases.load_report().derivation.clone(),
        by_order_type,
        applied,
        rows: df.height() as u64,
        requests: u(geti(&c, "requests")?),
        accounts,
        accounts_actioned,
        platforms: distinct(df, PLATFORM)?,
        groups: distinct(df, GROUP)?,
        agencies: distinct(df, AGENCY)?,
        first_reported: rep.min().map(date_of),
        last_reported: last,
        requests_actioned: u(geti(&c, "removed")?) + u(geti(&c, "restricted")?),
        requests_rejected: u(geti(&c, "rejected")?),
        requests_pending: u(geti(&c, "pending")?),
        rate: if no_rate { None } else { getf("rate")? },
        ci_low: if no_rate { None } else { getf("ci_low")? },
        ci_high: if no_rate { None } else { getf("ci_high")? },
        account_rate: (accounts > 0).then(|| accounts_actioned as f64 / accounts as f64),
        account_ci_low: acc_ci.map(|x| x.0),
        account_ci_high: acc_ci.map(|x| x.1),
        followers: u(geti(&r, "followers")?),
        rejects: cases.load_report().rejects_note(),
        unit: cases.load_report().unit.clone(),
        actions_only,
        outcomes_unpublished,
    })
}

/// A platform id as people write it (`x` → X, `tiktok` → TikTok).
pub fn platform_display(id: &str) -> String {
    match id {
        "facebook" => "Facebook".into(),
        "instagram" => "Instagram".into(),
        "tiktok" => "TikTok".into(),
        "x" => "X".into(),
        "telegram" => "Telegram".into(),
        "whatsapp" => "WhatsApp".into(),
        "youtube" => "YouTube".into(),
        "google" => "Google".into(),
        // A platform the vocabulary does not know is kept as the input wrote it.
        other => other.to_string(),
    }
}

/// "a, b and c".
fn and_list(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} and {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

/// A count in words for a memo: 2,140,512 → "2.1 million", 850 → "850".
pub fn human_count(n: u64) -> String {
    if n >= 1_000_000 {
        format!("{:.1} million", n as f64 / 1e6)
    } else {
        let s = n.to_string();
        let mut out = String::new();
        for (i, ch) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(ch);
        }
        out
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

impl Summary {
    /// One plain-English sentence for a memo, stating the unit and interval it uses.
    pub fn headline(&self) -> String {
        match &self.rejects {
            Some(note) => format!("{} Note: {note}.", self.sentence()),
            None => self.sentence(),
        }
    }

    fn sentence(&self) -> String {
        if self.rows == 0 {
            return "No cases match this selection.".into();
        }
        let (first, last) = match self.applied {
            Some((a, b)) => (Some(a), Some(b)),
            None => (self.first_reported, self.last_reported),
        };
        let span = match (first, last) {
            (Some(a), Some(b)) if a.format("%Y").to_string() == b.format("%Y").to_string() => {
                format!("Between {} and {}, ", a.format("%-d %B"), b.format("%-d %B %Y"))
            }
            (Some(a), Some(b)) => format!("Between {} and {}, ", a.format("%-d %B %Y"), b.format("%-d %B %Y")),
            _ => String::new(),
        };
        let who = if self.agencies.is_empty() { String::new() } else { format!("{} ", and_list(&self.agencies)) };
        let platforms: Vec<String> = self.platforms.iter().map(|p| platform_display(p)).collect();
        let groups =
            if self.groups.is_empty() { String::new() } else { format!(" linked to {}", and_list(&self.groups)) };
        let reach = if self.followers > 0 {
            format!(" (combined following {})", human_count(self.followers))
        } else {
            String::new()
        };
        if self.accounts > 0 {
            let ci = match (self.account_ci_low, self.account_ci_high) {
                (Some(l), Some(h)) => format!(", 95% CI {}–{}", pct(l), pct(h)),
                _ => String::new(),
            };
            let subject = if who.is_empty() {
                format!("{} accounts{}{} were reported", human_count(self.accounts), groups, reach)
            } else {
                format!("{}reported {} accounts{}{}", who, human_count(self.accounts), groups, reach)
            };
            format!(
                "{}{} to {} in {} requests; {} of those accounts ({}{}) {} removed or restricted.",
                span,
                subject,
                and_list(&platforms),
                human_count(self.requests),
                human_count(self.accounts_actioned),
                self.account_rate.map(pct).unwrap_or_default(),
                ci,
                if self.accounts_actioned == 1 { "was" } else { "were" }
            )
        } else if self.actions_only {
            // A platform's own actions: nothing was sent, nothing refused.
            let unit = self.unit.as_deref().unwrap_or("actions");
            let (verb, split) = if unit == crate::load::STATEMENTS_UNIT {
                ("filed", " (a removal, a suspension or a lesser restriction: split them by `decision`)")
            } else {
                ("reported", "")
            };
            // Statements are dated by when the restrictions applied (see `applied`).
            let span = match (self.applied, span.strip_suffix(", ")) {
                (Some(_), Some(s)) => format!("{s} (dates the restrictions applied), "),
                _ => span,
            };
            format!(
                "{}{} {verb} {} {}{}: each an action the platform took{}, none a refused request, so no \
                 compliance rate applies.",
                span,
                and_list(&platforms),
                human_count(self.requests),
                unit,
                groups,
                split,
            )
        } else if self.outcomes_unpublished && !self.by_order_type.is_empty() {
            // Kinds of order are not one count: each is given apart.
            let kinds: Vec<String> = self
                .by_order_type
                .iter()
                .map(|(kind, n)| format!("{} {} to {kind}", human_count(*n), if *n == 1 { "order" } else { "orders" }))
                .collect();
            format!(
                "{}{} received {}{} from {}; the source publishes no outcome for them, so no compliance rate \
                 applies.",
                span,
                and_list(&platforms),
                and_list(&kinds),
                groups,
                self.unit.as_deref().and_then(|u| u.strip_prefix("orders from ")).unwrap_or("requesters"),
            )
        } else if self.outcomes_unpublished {
            format!(
                "{}{} {}{} were sent to {}; the source publishes no outcome for them, so no compliance rate \
                 applies.",
                span,
                human_count(self.requests),
                self.unit.as_deref().unwrap_or("requests"),
                groups,
                and_list(&platforms),
            )
        } else {
            let rate = match (self.rate, self.ci_low, self.ci_high) {
                (Some(r), Some(l), Some(h)) => {
                    format!(" ({}, 95% CI {}–{}, pending counted as not complied)", pct(r), pct(l), pct(h))
                }
                _ => String::new(),
            };
            format!(
                "{}{} {}{} were sent to {}; {} {} removed or restricted{}.",
                span,
                human_count(self.requests),
                self.unit.as_deref().unwrap_or("requests"),
                groups,
                and_list(&platforms),
                human_count(self.requests_actioned),
                if self.requests_actioned == 1 { "was" } else { "were" },
                rate
            )
        }
    }

    /// The summary as a one-row frame (lists joined with `, `).
    pub fn to_frame(&self) -> Result<DataFrame> {
        let d = |x: Option<NaiveDate>| x.map(crate::dates::days_since_epoch);
        let date_col = |name: &str, v: Option<NaiveDate>| -> Result<Column> {
            let ca: Int32Chunked = [d(v)].into_iter().collect();
            Ok(ca.with_name(name.into()).into_date().into_column())
        };
        let s = |name: &str, v: &[String]| Column::new(name.into(), [v.join(", ")]);
        let i = |name: &str, v: u64| Column::new(name.into(), [v as i64]);
        let f = |name: &str, v: Option<f64>| Column::new(name.into(), [v]);
        // Outcome counts of a source that publishes none are unknown, not 0.
        let outcome = |name: &str, v: u64| Column::new(name.into(), [(!self.outcomes_unpublished).then_some(v as i64)]);
        Ok(DataFrame::new(
            1,
            vec![
                i("rows", self.rows),
                i("requests", self.requests),
                i("accounts", self.accounts),
                i("accounts_actioned", self.accounts_actioned),
                f("account_rate", self.account_rate),
                f("account_ci_low", self.account_ci_low),
                f("account_ci_high", self.account_ci_high),
                outcome("requests_actioned", self.requests_actioned),
                outcome("requests_rejected", self.requests_rejected),
                outcome("requests_pending", self.requests_pending),
                f("rate", self.rate),
                f("ci_low", self.ci_low),
                f("ci_high", self.ci_high),
                i("followers", self.followers),
                i("n_platforms", self.platforms.len() as u64),
                s("platforms", &self.platforms),
                i("n_groups", self.groups.len() as u64),
                s("groups", &self.groups),
                s("agencies", &self.agencies),
                date_col("first_reported", self.first_reported)?,
                date_col("last_reported", self.last_reported)?,
                Column::new(
                    "definition".into(),
                    [{
                        let mut d = DEFINITION.to_string();
                        if self.outcomes_unpublished {
                            d.push_str("; the source publishes no outcomes: outcome counts and rates are null");
                        }
                        if let Some(derivation) = &self.derivation {
                            d.push_str("; ");
                            d.push_str(derivation);
                        }
                        if let Some(note) = &self.rejects {
                            d.push_str("; ");
                            d.push_str(note);
                        }
                        d
                    }],
                ),
            ],
        )?)
    }
}
