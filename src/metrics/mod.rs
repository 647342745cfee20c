//! The analytics, one per file. Each takes [`crate::Cases`] (already filtered as wanted), a `by`
//! list of columns (canonical or the user's own) and a spec whose fields are the definition; each
//! returns a polars DataFrame whose `definition` column states the definition used.

mod accounts;
pub mod change;
pub mod cluster;
pub mod compare;
pub mod compliance;
pub mod crosstab;
mod latest;
pub mod pairwise;
pub mod partial;
pub mod period;
pub mod reach;
pub(crate) mod reach_stream;
pub mod returning;
pub(crate) mod sum_stream;
pub mod summary;
pub mod survival;
pub mod tables;
pub mod trend;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::schema::col_names::*;

/// What a metric reads: the cases in memory, or a lazy scan whose rows are validated as they
/// stream past (see [`crate::scan`]).
pub(crate) struct Source<'a> {
    pub lf: LazyFrame,
    pub schema: SchemaRef,
    /// The cases in memory; `None` for a scan (which cannot count without another pass).
    pub frame: Option<&'a DataFrame>,
    /// Passes over the accounts for reach (a scan's `__part` column says which pass a row is in).
    pub partitions: u32,
    /// What a row's `count` counts when it is not requests ([`crate::LoadReport::unit`]): the
    /// definitions of counts say it.
    pub unit: Option<String>,
    /// Why no rate can be computed from these rows, when none can.
    pub no_rate: Option<NoRate>,
}

/// Why a source's rows carry no rate: all actions, no outcomes, or both (own-initiative
/// measures: actions, their kinds in columns rather than a status).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NoRate {
    /// Every row is an action ([`crate::LoadReport::actions_only`]): a rate would be 100%.
    pub actions_only: bool,
    /// No row has an outcome ([`crate::LoadReport::outcomes_unpublished`]).
    pub outcomes_unpublished: bool,
}

impl NoRate {
    pub(crate) fn of(actions_only: bool, outcomes_unpublished: bool) -> Option<NoRate> {
        (actions_only || outcomes_unpublished).then_some(NoRate { actions_only, outcomes_unpublished })
    }
}

impl<'a> Source<'a> {
    /// `frame` as a query only, without the rows in memory (as a scan gives it): tests compare
    /// the code for rows in memory with the queries.
    #[cfg(test)]
    pub(crate) fn query_of(frame: &DataFrame) -> Source<'static> {
        Source {
            lf: frame.clone().lazy(),
            schema: frame.schema().clone(),
            frame: None,
            partitions: 1,
            unit: None,
            no_rate: None,
        }
    }

    pub fn of(cases: &'a crate::load::Validated) -> Source<'a> {
        let frame = cases.frame();
        Source {
            lf: frame.clone().lazy(),
            schema: frame.schema().clone(),
            frame: Some(frame),
            partitions: 1,
            unit: cases.report.unit.clone(),
            no_rate: NoRate::of(cases.report.actions_only, cases.report.outcomes_unpublished),
        }
    }
}

thread_local! {
    static IN_BATCH: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` as work inside a streaming query's batch: [`run`] then uses the in-memory engine.
pub(crate) fn in_batch<T>(f: impl FnOnce() -> T) -> T {
    let before = IN_BATCH.with(|b| b.replace(true));
    let out = f();
    IN_BATCH.with(|b| b.set(before));
    out
}

/// The partition column a scan adds for reach's passes (see [`crate::scan`]).
pub(crate) const PART: &str = "__part";

/// Fails when a `success` set names an outcome twice.
pub(crate) fn each_outcome_once(success: &[crate::schema::Status]) -> Result<()> {
    match success.iter().enumerate().find(|(i, s)| success[..*i].contains(s)) {
        Some((_, twice)) => {
            Err(Error::invalid_arg("success", format!("`{twice}` is named twice; name each outcome once")))
        }
        None => Ok(()),
    }
}

/// Checks that every `by` column exists and is not one the metric computes from.
pub(crate) fn check_by(schema: &Schema, by: &[String]) -> Result<()> {
    // Every analytic starts here: a cancelled call stops before it begins.
    crate::cancel::check()?;
    for b in by {
        if schema.get(b).is_none() {
            let names: Vec<String> = schema.iter_names().map(|s| s.to_string()).collect();
            return Err(Error::invalid_arg("by", format!("no column `{b}` (columns: {})", names.join(", "))));
        }
        if b == COUNT || b == FOLLOWERS {
            return Err(Error::invalid_arg("by", format!("`{b}` is a measure, not a grouping column")));
        }
    }
    for (i, b) in by.iter().enumerate() {
        if by[..i].contains(b) {
            return Err(Error::invalid_arg("by", format!("`{b}` is listed twice")));
        }
    }
    Ok(())
}

/// `by` as owned strings.
pub(crate) fn owned(by: &[&str]) -> Vec<String> {
    by.iter().map(|s| s.to_string()).collect()
}

/// Sorts a result by its `by` columns (nulls last) when there are any.
pub(crate) fn sort_by(df: DataFrame, by: &[String]) -> Result<DataFrame> {
    if by.is_empty() || df.height() < 2 {
        return Ok(df);
    }
    let names: Vec<PlSmallStr> = by.iter().map(|s| s.as_str().into()).collect();
    Ok(df.sort(names, SortMultipleOptions::default().with_nulls_last(true).with_maintain_order(true))?)
}

/// Groups by `by` (or aggregates the whole frame when `by` is empty).
pub(crate) fn group_agg(lf: LazyFrame, by: &[String], aggs: Vec<Expr>) -> LazyFrame {
    if by.is_empty() {
        lf.select(aggs)
    } else {
        let keys: Vec<Expr> = by.iter().map(|b| col(b.as_str())).collect();
        lf.group_by(keys).agg(aggs)
    }
}

/// Sum of `value` over rows where `cond` holds (0 when none do).
pub(crate) fn sum_if(cond: Expr, value: Expr) -> Expr {
    when(cond).then(value).otherwise(lit(0i64)).sum()
}

/// A constant string column of the frame's height.
pub(crate) fn const_str(name: &str, value: &str, height: usize) -> Column {
    Column::new_scalar(name.into(), Scalar::new(DataType::String, AnyValue::StringOwned(value.into())), height)
}

/// Stable sort by first report (then decision, then input order) so that "last" means latest.
pub(crate) fn chronological(lf: LazyFrame) -> LazyFrame {
    lf.sort([REPORTED_AT, ACTIONED_AT], SortMultipleOptions::default().with_nulls_last(false).with_maintain_order(true))
}

/// Adds to every `definition` of a table computed on `cases` how its rows were derived from a
/// published source, when they were ([`LoadReport::derivation`](crate::load::LoadReport)), and
/// what the load left out: the rows rejected (with the rules), so that a number is never shown
/// without its rejects. The note goes
/// at the end, or before a trend's rate clause ([`trend::RATE_CLAUSE`]) so that the counts'
/// part of the definition, which a count figure quotes, carries it too.
pub(crate) fn note_rejects(df: DataFrame, cases: &crate::load::Validated) -> Result<DataFrame> {
    note_report(df, cases.load_report())
}

/// [`note_rejects`] from a load report alone: a table finished from partials notes the report
/// merged from its parts' (Spark's batches) as an in-memory table notes its cases'.
pub(crate) fn note_report(df: DataFrame, report: &crate::LoadReport) -> Result<DataFrame> {
    // Every table gives its labels as text ([`crate::schema::label_dtype`]).
    let df = crate::schema::labels_as_text(df)?;
    // A published source's rows count every request it reports (a census, not a sample): an
    // interval on them describes the variation of the process, and the definition says so.
    let census = (report.derivation.is_some() && df.column("ci_low").is_ok()).then(|| CENSUS_NOTE.to_string());
    let notes: Vec<String> = [report.derivation.clone(), census, report.rejects_note()].into_iter().flatten().collect();
    if notes.is_empty() {
        return Ok(df);
    }
    let note = notes.join("; ");
    map_definitions(df, |v| match v.find(trend::RATE_CLAUSE) {
        Some(at) => format!("{}; {note}; {}", &v[..at].trim_end_matches("; "), &v[at..]),
        None => format!("{v}; {note}"),
    })
}

/// What the definition of an interval on a published source's counts says.
pub(crate) const CENSUS_NOTE: &str = "the rows count every request the source reports (a census, not a sample): the \
     interval describes the variation of the process that made the decisions, not sampling error";

/// Rewrites every value of a table's `definition` column with `f` (a table without one is
/// returned as it is).
pub(crate) fn map_definitions(mut df: DataFrame, f: impl Fn(&str) -> String) -> Result<DataFrame> {
    if let Ok(d) = df.column("definition") {
        let d = d.str()?;
        let text: StringChunked = if d.null_count() == 0 && d.len() > 64 {
            // A definition per group over many rows (a survival table's steps): each distinct text
            // rewritten once, and the rows gather it, sharing its bytes.
            let mut seen: PlHashMap<&str, IdxSize> = PlHashMap::new();
            let mut distinct: Vec<&str> = Vec::new();
            let idx: Vec<IdxSize> = d
                .iter()
                .flatten()
                .map(|v| {
                    *seen.entry(v).or_insert_with(|| {
                        distinct.push(v);
                        (distinct.len() - 1) as IdxSize
                    })
                })
                .collect();
            let rewritten: StringChunked = distinct.iter().map(|v| Some(f(v))).collect();
            rewritten.take(&IdxCa::from_vec("idx".into(), idx))?
        } else {
            d.iter().map(|v| v.map(&f)).collect()
        };
        df.with_column(text.with_name("definition".into()).into_column())?;
    }
    Ok(df)
}

/// Runs a query on polars' streaming engine: partitioned, parallel hash aggregation, far faster
/// than the in-memory engine when there are millions of groups (accounts); polars falls back to
/// the in-memory engine for any step the streaming engine does not support.
pub(crate) fn run(lf: LazyFrame) -> Result<DataFrame> {
    crate::cancel::check()?;
    let opt = lf.get_current_optimizations();
    // Inside a streaming query's batch (a scan's one pass of tables) another streaming query
    // would wait for the threads that run it: those queries run in memory.
    let engine = if IN_BATCH.with(|b| b.get()) { Engine::InMemory } else { Engine::Streaming };
    let mut dfs = LazyFrame::collect_all_with_engine(vec![lf.logical_plan], engine, opt)?;
    match dfs.len() {
        1 => Ok(dfs.remove(0)),
        n => Err(Error::Internal(format!("a query gave {n} results, not one"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_are_rewritten_per_row_whatever_their_number() {
        for n in [3usize, 65, 1000] {
            let defs: Vec<&str> = (0..n).map(|i| ["group a's text", "group b's text", "c"][i % 3]).collect();
            let df = DataFrame::new(n, vec![Column::new("definition".into(), defs.clone())]).unwrap();
            let out = map_definitions(df, |v| format!("{v}; noted")).unwrap();
            let got: Vec<Option<&str>> = out.column("definition").unwrap().str().unwrap().iter().collect();
            let want: Vec<String> = defs.iter().map(|v| format!("{v}; noted")).collect();
            assert_eq!(got, want.iter().map(|s| Some(s.as_str())).collect::<Vec<_>>(), "{n} rows");
        }
    }
}
