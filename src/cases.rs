//! [`Cases`]: validated case records, their load report and their rejects.

use chrono::{NaiveDate, NaiveDateTime};
use polars::prelude::*;

use crate::error::{Error, Result};
use crate::labels::Vocabulary;
use crate::load::{self, LoadOptions, LoadReport, Validated};
use crate::metrics::{
    self, compliance::ComplianceSpec, crosstab::CrossValue, reach::ReachSpec, summary::Summary, survival::SurvivalSpec,
    trend::TrendSpec,
};
use crate::schema::{col_names::*, CaseRecord, Status, OPTIONAL_TEXT};

/// A validated collection of case records in the canonical schema ([`crate::schema`]), with the
/// report of the load that made it and the rows it rejected.
#[derive(Debug, Clone)]
pub struct Cases {
    data: Validated,
    rejects: DataFrame,
}

impl TryFrom<Validated> for Cases {
    type Error = Error;
    fn try_from(mut data: Validated) -> Result<Cases> {
        let rejects = load::problems_frame(&data.problems)?;
        // The problems live on as the rejects table; the analytics need the frame and report.
        data.problems = Vec::new();
        Ok(Cases { data, rejects })
    }
}

impl Cases {
    /// Reads a CSV file ([`load::read_csv`]).
    pub fn read_csv(path: impl AsRef<std::path::Path>, opts: &LoadOptions) -> Result<Cases> {
        load::read_csv(path, opts)?.try_into()
    }
    /// Reads CSV text from memory; `name` stands for the file ([`load::read_csv_bytes`]).
    pub fn read_csv_bytes(bytes: &[u8], name: &str, opts: &LoadOptions) -> Result<Cases> {
        load::read_csv_bytes(bytes, name, opts)?.try_into()
    }
    /// Reads a newline-delimited JSON file ([`load::read_ndjson`]).
    pub fn read_ndjson(path: impl AsRef<std::path::Path>, opts: &LoadOptions) -> Result<Cases> {
        load::read_ndjson(path, opts)?.try_into()
    }
    /// Reads NDJSON text from memory; `name` stands for the file ([`load::read_ndjson_bytes`]).
    pub fn read_ndjson_bytes(bytes: &[u8], name: &str, opts: &LoadOptions) -> Result<Cases> {
        load::read_ndjson_bytes(bytes, name, opts)?.try_into()
    }
    /// Reads a Parquet file ([`load::read_parquet`]).
    pub fn read_parquet(path: impl AsRef<std::path::Path>, opts: &LoadOptions) -> Result<Cases> {
        load::read_parquet(path, opts)?.try_into()
    }
    /// Reads an Arrow IPC file ([`load::read_ipc`]).
    pub fn read_ipc(path: impl AsRef<std::path::Path>, opts: &LoadOptions) -> Result<Cases> {
        load::read_ipc(path, opts)?.try_into()
    }
    /// Reads a file, choosing the format by extension ([`load::read_path`]).
    pub fn read_path(path: impl AsRef<std::path::Path>, opts: &LoadOptions) -> Result<Cases> {
        load::read_path(path, opts)?.try_into()
    }
    /// Loads a polars DataFrame ([`load::from_frame`]).
    pub fn from_frame(df: DataFrame, opts: &LoadOptions) -> Result<Cases> {
        load::from_frame(df, opts)?.try_into()
    }
    /// Loads a frame read from `source`, with the SHA-256 of its bytes when known
    /// ([`load::from_frame_named`]).
    pub fn from_frame_named(df: DataFrame, source: &str, sha256: Option<String>, opts: &LoadOptions) -> Result<Cases> {
        load::from_frame_named(df, source, sha256, opts)?.try_into()
    }
    /// Loads a polars LazyFrame, collected first ([`load::from_lazy`]).
    pub fn from_lazy(lf: LazyFrame, opts: &LoadOptions) -> Result<Cases> {
        load::from_lazy(lf, opts)?.try_into()
    }

    /// The embedded synthetic sample (see [`crate::sample`]): 896 requests about 850 fake accounts.
    pub fn sample() -> Result<Cases> {
        Cases::read_csv_bytes(crate::sample::SAMPLE_CSV.as_bytes(), "<sample>", &LoadOptions::default())
    }

    pub(crate) fn from_parts(frame: DataFrame, report: LoadReport, rejects: DataFrame) -> Self {
        Cases { data: Validated { frame, problems: Vec::new(), report }, rejects }
    }

    /// The frame and load report, as the analytics ([`crate::metrics`]) take them (the problems
    /// are in [`Cases::rejects`]).
    pub fn data(&self) -> &Validated {
        &self.data
    }

    /// The cases as a polars DataFrame in the canonical schema, extra columns after.
    pub fn frame(&self) -> &DataFrame {
        &self.data.frame
    }

    /// The cases as a DataFrame, consuming `self`.
    pub fn into_frame(self) -> DataFrame {
        self.data.frame
    }

    /// What the load read, accepted and rejected.
    pub fn load_report(&self) -> &LoadReport {
        &self.data.report
    }

    /// The rejected rows: `file`, `row`, `column`, `value`, `rule`, `message` (one row per problem;
    /// empty after a strict load, which fails instead).
    pub fn rejects(&self) -> &DataFrame {
        &self.rejects
    }

    /// Number of case rows (a row with `count` > 1 is one row).
    pub fn len(&self) -> usize {
        self.data.frame.height()
    }

    /// True when there are no cases.
    pub fn is_empty(&self) -> bool {
        self.data.frame.height() == 0
    }

    /// Builds cases from records, validated like any other input (source `<records>`).
    pub fn from_records(records: &[CaseRecord], opts: &LoadOptions) -> Result<Cases> {
        let text = |f: &dyn Fn(&CaseRecord) -> Option<String>| records.iter().map(f).collect::<Vec<_>>();
        let dt = |f: &dyn Fn(&CaseRecord) -> Option<NaiveDateTime>| -> Result<Column> {
            let v: Int64Chunked = records.iter().map(|r| f(r).map(|d| d.and_utc().timestamp_micros())).collect();
            Ok(v.into_column().cast(&crate::schema::datetime_dtype())?)
        };
        let mut cols = vec![
            Column::new(CASE_ID.into(), text(&|r| Some(r.case_id.clone()))),
            Column::new(PLATFORM.into(), text(&|r| Some(r.platform.clone()))),
            Column::new(ACCOUNT.into(), text(&|r| r.account.clone())),
            Column::new(GROUP.into(), text(&|r| r.group.clone())),
            Column::new(FOLLOWERS.into(), records.iter().map(|r| r.followers).collect::<Vec<_>>()),
            dt(&|r| r.reported_at)?.with_name(REPORTED_AT.into()),
            dt(&|r| r.actioned_at)?.with_name(ACTIONED_AT.into()),
            Column::new(STATUS.into(), text(&|r| Some(r.status.as_str().to_string()))),
            Column::new(AGENCY.into(), text(&|r| r.agency.clone())),
            Column::new(CONTENT_TYPE.into(), text(&|r| r.content_type.clone())),
            Column::new(REASON.into(), text(&|r| r.reason.clone())),
            Column::new(JURISDICTION.into(), text(&|r| r.jurisdiction.clone())),
            Column::new(SOURCE.into(), text(&|r| r.source.clone())),
            Column::new(COUNT.into(), records.iter().map(|r| r.count).collect::<Vec<_>>()),
        ];
        // Optional columns that no record fills are left out, as a file without them would be.
        cols.retain(|c| !OPTIONAL_TEXT.contains(&c.name().as_str()) || c.null_count() < c.len());
        let df = DataFrame::new(records.len(), cols)?;
        let mut data = load::from_frame(df, opts)?;
        data.report.source = "<records>".into();
        data.try_into()
    }

    /// The cases as records (extra columns are not part of a record).
    pub fn to_records(&self) -> Result<Vec<CaseRecord>> {
        let df = &self.data.frame;
        let s = |name: &str| -> Result<Option<StringChunked>> {
            Ok(match df.column(name) {
                Ok(c) => Some(crate::schema::text_of(c)?),
                Err(_) => None,
            })
        };
        let get = |ca: &Option<StringChunked>, i: usize| ca.as_ref().and_then(|c| c.get(i).map(str::to_string));
        let (ids, plat, acc, grp, stat, agency) =
            (s(CASE_ID)?, s(PLATFORM)?, s(ACCOUNT)?, s(GROUP)?, s(STATUS)?, s(AGENCY)?);
        let opt: Vec<Option<StringChunked>> = OPTIONAL_TEXT.iter().map(|c| s(c)).collect::<Result<_>>()?;
        let fol = df.column(FOLLOWERS)?.i64()?.clone();
        let cnt = df.column(COUNT)?.i64()?.clone();
        let dt = |name: &str| -> Result<Int64Chunked> { Ok(df.column(name)?.cast(&DataType::Int64)?.i64()?.clone()) };
        let (rep, act) = (dt(REPORTED_AT)?, dt(ACTIONED_AT)?);
        let to_dt =
            |v: Option<i64>| v.and_then(|us| chrono::DateTime::from_timestamp_micros(us).map(|d| d.naive_utc()));
        (0..df.height())
            .map(|i| {
                let status = get(&stat, i)
                    .and_then(|s| Status::parse(&s))
                    .ok_or_else(|| Error::Internal(format!("row {i} of validated cases has no canonical status")))?;
                Ok(CaseRecord {
                    case_id: get(&ids, i).unwrap_or_default(),
                    platform: get(&plat, i).unwrap_or_default(),
                    account: get(&acc, i),
                    group: get(&grp, i),
                    followers: fol.get(i),
                    reported_at: to_dt(rep.get(i)),
                    actioned_at: to_dt(act.get(i)),
                    status,
                    agency: get(&agency, i),
                    content_type: get(&opt[0], i),
                    reason: get(&opt[1], i),
                    jurisdiction: get(&opt[2], i),
                    source: get(&opt[3], i),
                    count: cnt.get(i).unwrap_or(1),
                })
            })
            .collect()
    }

    /// Keeps the cases that match `filter`. The load report and rejects are kept as they were.
    pub fn filter(&self, filter: &Filter) -> Result<Cases> {
        let expr = filter.to_expr(&self.data.frame)?;
        self.filter_expr(expr)
    }

    /// The same cases narrowed to `frame`, which must have exactly this collection's schema (for
    /// example the result of filtering [`Cases::frame`] with polars).
    pub fn with_frame(&self, frame: DataFrame) -> Result<Cases> {
        if frame.schema() != self.data.frame.schema() {
            return Err(Error::invalid_arg(
                "frame",
                "the frame's columns or dtypes differ from the cases' schema; filter rows, do not change columns",
            ));
        }
        Ok(Cases { data: self.data.with_frame(frame), rejects: self.rejects.clone() })
    }

    /// Keeps the cases for which a polars expression is true.
    pub fn filter_expr(&self, expr: Expr) -> Result<Cases> {
        let frame = self.data.frame.clone().lazy().filter(expr).collect()?;
        Ok(Cases { data: self.data.with_frame(frame), rejects: self.rejects.clone() })
    }
}

/// The analytics, each computed by its module of [`crate::metrics`] on the validated data.
impl Cases {
    /// Compliance per `by` group ([`metrics::compliance`]).
    pub fn compliance(&self, by: &[&str], spec: &ComplianceSpec) -> Result<DataFrame> {
        metrics::compliance::compliance(&self.data, &metrics::owned(by), spec)
    }

    /// Reach per `by` group ([`metrics::reach`]); `by` is usually `["group"]`.
    pub fn reach(&self, by: &[&str], spec: &ReachSpec) -> Result<DataFrame> {
        metrics::reach::reach(&self.data, &metrics::owned(by), spec)
    }

    /// Cases per period ([`metrics::trend`]).
    pub fn trend(&self, by: &[&str], spec: &TrendSpec) -> Result<DataFrame> {
        metrics::trend::trend(&self.data, &metrics::owned(by), spec)
    }

    /// This cases' compliance per `by` group and period beside the compliance `published` gives
    /// for the same groups and periods (a platform's report read with [`crate::sources`]), with the
    /// difference and whether the published rate lies outside this interval
    /// ([`metrics::compare`]).
    pub fn compare_with_published(&self, published: &Cases, by: &[&str], spec: &TrendSpec) -> Result<DataFrame> {
        metrics::compare::compare_with_published(&self.data, &published.data, &metrics::owned(by), spec)
    }

    /// A crosstab of `value` with `rows` down and `columns` across ([`metrics::crosstab`]).
    pub fn crosstab(
        &self,
        rows: &str,
        columns: &str,
        value: CrossValue,
        compliance: &ComplianceSpec,
        reach: &ReachSpec,
    ) -> Result<DataFrame> {
        metrics::crosstab::crosstab(&self.data, rows, columns, value, compliance, reach)
    }

    /// These cases with a column saying whether each request's group was designated by
    /// `authority` when the request was made ([`crate::designations::designated`]): use it in
    /// `by` to split any analytic.
    pub fn with_designation(&self, authority: &str) -> Result<Cases> {
        let column = crate::designations::designated(self.frame(), authority)?;
        let mut frame = self.frame().clone();
        frame.with_column(column)?;
        Ok(Cases { data: self.data.with_frame(frame), rejects: self.rejects.clone() })
    }

    /// Compliance per `by` group with intervals adjusted for clustering by `cluster` (`account`,
    /// or a column such as a batch id) ([`metrics::cluster`]).
    pub fn compliance_clustered(&self, by: &[&str], cluster: &str, spec: &ComplianceSpec) -> Result<DataFrame> {
        metrics::cluster::compliance_clustered(&self.data, &metrics::owned(by), cluster, spec)
    }

    /// Returning accounts per `by` group: of the accounts actioned, how many were reported again
    /// later, and how soon ([`metrics::returning`]).
    pub fn returning(&self, by: &[&str], how: crate::ReturnMatch) -> Result<DataFrame> {
        metrics::returning::returning(&self.data, &metrics::owned(by), how)
    }

    /// Compliance before and after `at` per `by` group, with the change and its interval
    /// ([`metrics::change`]).
    pub fn change(
        &self,
        at: chrono::NaiveDate,
        by: &[&str],
        adjust: crate::Adjust,
        spec: &ComplianceSpec,
    ) -> Result<DataFrame> {
        metrics::change::change(&self.data, at, &metrics::owned(by), adjust, spec)
    }

    /// Each table of `tables`, in order ([`metrics::tables`]): what each analytic's own call gives.
    pub fn tables(&self, tables: &[crate::Table]) -> Result<Vec<DataFrame>> {
        metrics::tables::tables(&self.data, tables)
    }

    /// Pairwise comparisons of compliance per `by` group: differences with Newcombe's interval,
    /// ratios with Katz's, p-values adjusted for the comparisons ([`metrics::pairwise`]). Every
    /// pair, or each group against `reference`.
    pub fn pairwise(
        &self,
        by: &str,
        reference: Option<&str>,
        adjust: crate::Adjust,
        compliance: &ComplianceSpec,
    ) -> Result<DataFrame> {
        metrics::pairwise::pairwise(&self.data, by, reference, adjust, compliance)
    }

    /// Time to action per `by` group: median with interval, shares within deadlines, restricted
    /// mean, naive statistics ([`metrics::survival`]).
    pub fn time_to_action(&self, by: &[&str], spec: &SurvivalSpec) -> Result<DataFrame> {
        metrics::survival::time_to_action(&self.data, &metrics::owned(by), spec)
    }

    /// The Kaplan-Meier / Aalen-Johansen step table per `by` group ([`metrics::survival`]).
    pub fn survival(&self, by: &[&str], spec: &SurvivalSpec) -> Result<DataFrame> {
        metrics::survival::survival_table(&self.data, &metrics::owned(by), spec)
    }
    /// [`Cases::survival`] thinned for a figure of `bins` columns
    /// ([`metrics::survival::survival_table_thinned`]).
    pub fn survival_thinned(&self, by: &[&str], spec: &SurvivalSpec, bins: usize) -> Result<DataFrame> {
        metrics::survival::survival_table_thinned(&self.data, &metrics::owned(by), spec, Some(bins))
    }

    /// The headline numbers ([`metrics::summary`]).
    pub fn summary(&self) -> Result<Summary> {
        metrics::summary::summary(&self.data)
    }
}

/// A selection of cases. Fields left `None` or empty select everything.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Platforms to keep (labels are mapped with the built-in aliases, so `Twitter` means `x`).
    pub platforms: Option<Vec<String>>,
    /// Groups to keep (mapped with the built-in aliases).
    pub groups: Option<Vec<String>>,
    /// Outcomes to keep.
    pub statuses: Option<Vec<Status>>,
    /// First day of `reported_at` to keep (inclusive).
    pub start: Option<NaiveDate>,
    /// Last day of `reported_at` to keep (inclusive).
    pub end: Option<NaiveDate>,
    /// Any column equal to one of the values, compared as text (`("agency", ["PTA"])`).
    pub equals: Vec<(String, Vec<String>)>,
}

impl Filter {
    /// Keeps these platforms.
    pub fn platforms<S: AsRef<str>>(mut self, p: &[S]) -> Self {
        self.platforms = Some(p.iter().map(|s| s.as_ref().to_string()).collect());
        self
    }
    /// Keeps these groups.
    pub fn groups<S: AsRef<str>>(mut self, g: &[S]) -> Self {
        self.groups = Some(g.iter().map(|s| s.as_ref().to_string()).collect());
        self
    }
    /// Keeps cases reported from `start` to `end`, both inclusive.
    pub fn between(mut self, start: Option<NaiveDate>, end: Option<NaiveDate>) -> Self {
        self.start = start;
        self.end = end;
        self
    }
    /// Keeps rows whose `column` (as text) is one of `values`.
    pub fn equals<S: AsRef<str>>(mut self, column: &str, values: &[S]) -> Self {
        self.equals.push((column.to_string(), values.iter().map(|s| s.as_ref().to_string()).collect()));
        self
    }

    fn to_expr(&self, df: &DataFrame) -> Result<Expr> {
        let vocab = Vocabulary::default();
        let any_of = |c: &str, values: Vec<String>| -> Expr {
            values.into_iter().fold(lit(false), |acc, v| acc.or(col(c).cast(DataType::String).eq(lit(v))))
        };
        let mut e = lit(true);
        if let Some(p) = &self.platforms {
            e = e.and(any_of(PLATFORM, p.iter().map(|s| vocab.platform(s)).collect()));
        }
        if let Some(g) = &self.groups {
            e = e.and(any_of(GROUP, g.iter().map(|s| vocab.group(s)).collect()));
        }
        if let Some(st) = &self.statuses {
            e = e.and(any_of(STATUS, st.iter().map(|s| s.as_str().to_string()).collect()));
        }
        if let (Some(s), Some(t)) = (self.start, self.end) {
            if s > t {
                return Err(Error::invalid_arg("start", format!("start {s} is after end {t}")));
            }
        }
        let micros = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|x| x.and_utc().timestamp_micros()).unwrap_or(0);
        let rep = col(REPORTED_AT).cast(DataType::Int64);
        if let Some(s) = self.start {
            e = e.and(rep.clone().gt_eq(lit(micros(s))));
        }
        if let Some(t) = self.end {
            e = e.and(rep.lt(lit(micros(t) + crate::dates::MICROS_PER_DAY)));
        }
        for (c, values) in &self.equals {
            if df.column(c).is_err() {
                return Err(Error::invalid_arg("filter", format!("no column `{c}` to filter on")));
            }
            e = e.and(any_of(c, values.clone()));
        }
        Ok(e)
    }
}
