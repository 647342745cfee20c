"""The same tables on Spark, from mergeable partial aggregates (Rust:
``takedowns::metrics::partial``). An optional extra: ``pip install takedowns[spark]``.

The same definitions as in memory, on data one machine cannot hold. Each Spark partition's Arrow
batches go through ``mapInArrow`` into the Rust core, which validates them (the load options of
:func:`takedowns.read_csv`, rejects quarantined) and reduces them to a partial: per ``by`` group
(and period, for a trend) only sums. Spark adds the partials up per group; the driver finishes
them (rates, intervals, the grid of periods, medians) into the table the in-memory analytic
gives, with its ``definition`` and a load report merged from every batch's.

Reach counts each account once, so an account's requests must meet: each batch reduces its rows
to account states (followers, the latest request's outcome and order), Spark hash-partitions the
states by ``platform`` and ``account_key``, and each partition merges its accounts' states into a
histogram of accounts per follower count, which adds up; the exact median and top-10 share are
finished from it on the driver.

Example (``sdf`` a Spark DataFrame; tests/python/test_spark.py runs this on ``local[2]``)::

    from takedowns import spark as tds
    table, report = tds.compliance(sdf, by="platform", status_labels={"Blocked": "removed"})
    reach = tds.reach(sdf, by="group").table

Statements of reasons of the EU's DSA Transparency Database, as Spark reads the dump's CSV
parts or Parquet, are read with ``source="dsa-sor"``: each batch's columns are mapped and
validated in the executors as :func:`takedowns.sources.read` maps a file. Spark reads CSV files
by the first file's header: parts whose columns differ (days with and without
``content_id_ean``) must be read one by one and joined with
``unionByName(..., allowMissingColumns=True)``, or their columns shift and their dates are
rejected as ``invalid_date``.

The executors must import ``takedowns`` (install the wheel where Spark runs Python; in local
mode, point ``PYSPARK_PYTHON`` at the interpreter that has it before the session starts). What
Spark cannot see from one batch is said, not guessed: a ``case_id`` repeated across batches is
not found (a batch checks its own); ``unit="account"`` compliance is refused (an account's
latest request must be found among all its requests), and so is reach with
``groups="latest"`` by group. Two requests about one account with the same dates go to the
later row in Spark's order (partition, then row), which is the input order when Spark read the
files in order, not after a shuffle. Rates over published sources that have no outcome, or
whose rows are all actions, are refused as in memory; their trends count rows.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, cast, get_args

import polars as pl

from takedowns import _core
from takedowns._cases import Cases, _spec
from takedowns._io import from_frame
from takedowns._typing import Rule
from takedowns.errors import InvalidArgumentError, RejectedRowsWarning

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped]
    from pyspark.sql import DataFrame as SparkDataFrame

__all__ = ["SparkResult", "compliance", "crosstab", "reach", "time_to_action", "trend"]

_PART, _RULE, _N = "__part", "__rule", "__n"
# Between a labelled column's name and a value in a load-count key.
_SEP = "\x1f"
# Rows per partition before a batch's place in Spark's order (a partition's rows fit under it).
_PARTITION_STRIDE = 1 << 40
# The columns account states are hash-partitioned by (every state has them).
_ACCOUNT = ("platform", "account_key")


class SparkResult(NamedTuple):
    """A table computed on Spark, and the load report of every row it read."""

    table: pl.DataFrame
    load_report: dict[str, Any]


def _by(by: str | Sequence[str] | None) -> list[str]:
    return [] if by is None else [by] if isinstance(by, str) else list(by)


def _reducer(
    analytic: str, by: list[str], spec_options: dict[str, Any], load_options: dict[str, Any], source: str | None
) -> Any:
    """The function each executor runs over its batches: validate, reduce to a partial, and add
    the batch's load counts as rows of their own (``__part`` = ``report``)."""

    def reduce(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from pyspark import TaskContext

        ctx = TaskContext.get()
        first_row = (ctx.partitionId() if ctx is not None else 0) * _PARTITION_STRIDE
        for batch in batches:
            if batch.num_rows == 0:
                continue
            df = pl.from_arrow(batch)
            part = _partial_of(df, analytic, by, spec_options, load_options, source, first_row)
            first_row += batch.num_rows
            yield from part.to_arrow().to_batches()

    return reduce


def _cases_of(df: pl.DataFrame, load_options: dict[str, Any], source: str | None) -> Cases:
    """One batch validated, its rejects quarantined: case records, or a source's rows."""
    if "on_invalid" in load_options:
        raise InvalidArgumentError(
            "on Spark rejects are always quarantined and counted (a batch cannot stop the others); drop "
            "on_invalid, and read the load report, its definitions and rejects_path",
            "on_invalid",
        )
    if source is None:
        return from_frame(df, on_invalid="quarantine", **load_options)
    options = _spec(_core.LoadOptions, None, {"on_invalid": "quarantine", **load_options})
    return Cases._wrap(_core.source_from_frame(cast(Any, source), df, "a Spark batch", options))


def _partial_of(
    df: pl.DataFrame | pl.Series,
    analytic: str,
    by: list[str],
    spec_options: dict[str, Any],
    load_options: dict[str, Any],
    source: str | None = None,
    first_row: int = 0,
) -> pl.DataFrame:
    """One batch's partial and load counts, as one frame."""
    assert isinstance(df, pl.DataFrame)
    cases = _cases_of(df, load_options, source)
    inner = cases._inner
    if analytic == "compliance":
        part = inner.compliance_partial(by, _spec(_core.ComplianceSpec, None, spec_options))
    elif analytic == "time_to_action":
        part = inner.time_to_action_partial(by, _spec(_core.SurvivalSpec, None, spec_options))
    elif analytic == "cases":
        part = inner.cases_partial(by)
    elif analytic == "reach":
        part = inner.reach_states(by, _spec(_core.ReachSpec, None, spec_options), first_row)
    else:
        part = inner.trend_partial(by, _spec(_core.TrendSpec, None, spec_options))
    r = cases.load_report
    counts = {
        "rows_read": r["rows_read"],
        "rows_rejected": r["rows_rejected"],
        "batches": 1,
        "flag:actions_only": int(r["actions_only"]),
        "flag:outcomes_unpublished": int(r["outcomes_unpublished"]),
    }
    counts.update({f"rule:{k}": v for k, v in r["problems_by_rule"].items()})
    # Rows accepted and rejected per value of the labelled columns: a value only rejected rows
    # had is lost, which the definitions say (summed over every batch first).
    for column, _label, value, _known, accepted, rejected in r["labels"]:
        for kind, n in (("acc", accepted), ("rej", rejected)):
            key = f"label:{kind}:{column}{_SEP}{value}"
            counts[key] = counts.get(key, 0) + n
    report = pl.DataFrame({_RULE: list(counts), _N: list(counts.values())}, schema={_RULE: pl.String, _N: pl.Int64})
    return _with_report(part, report)


def _with_report(part: pl.DataFrame, report: pl.DataFrame) -> pl.DataFrame:
    """A partial's rows (``__part`` = ``sums``) and load-count rows (``report``) as one frame."""
    sums = part.with_columns(
        pl.lit("sums").alias(_PART), pl.lit(None, pl.String).alias(_RULE), pl.lit(None, pl.Int64).alias(_N)
    )
    report = report.select(_RULE, _N).with_columns(pl.lit("report").alias(_PART))
    both: pl.DataFrame = pl.concat([sums, report], how="diagonal_relaxed")
    return both.select(sums.columns)


def _account_reducer(by: list[str], spec_options: dict[str, Any], schema: pa.Schema) -> Any:
    """The function each executor runs over a partition of account states (every state of its
    accounts, hash-partitioned by ``platform`` and ``account_key``): the states merged per account
    into a histogram partial; load-count rows pass through."""

    def reduce(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        frames = [pl.from_arrow(b) for b in batches if b.num_rows]
        if not frames:
            return
        yield from _accounts_merged(cast(list[pl.DataFrame], frames), by, spec_options, schema).to_arrow().to_batches()

    return reduce


def _accounts_merged(
    frames: list[pl.DataFrame], by: list[str], spec_options: dict[str, Any], schema: pa.Schema | None
) -> pl.DataFrame:
    """Stage 2 of reach over one partition's rows (see :func:`_account_reducer`)."""
    rows = pl.concat(frames, how="vertical_relaxed")
    report = rows.filter(pl.col(_PART) == "report")
    states = rows.filter(pl.col(_PART) == "sums").drop(_PART, _RULE, _N)
    spec = _spec(_core.ReachSpec, None, spec_options)
    histogram = _core.reach_reduce([states], by, spec)
    out = _with_report(histogram.clear() if states.is_empty() else histogram, report)
    if schema is None:
        return out
    # Spark's declared schema (a partition without states has no partial rows, only counts).
    return out.select([pl.col(n).cast(t) for n, t in _polars_schema(schema, exclude=()).items()])


def _rejecter(load_options: dict[str, Any], source: str | None) -> Any:
    """The function each executor runs to list its batches' rejected rows: the rejects table of
    :attr:`takedowns.Cases.rejects`, its ``row`` within the batch, with the partition and batch."""

    def rejects(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from pyspark import TaskContext

        ctx = TaskContext.get()
        partition = ctx.partitionId() if ctx is not None else 0
        for i, batch in enumerate(batches):
            if batch.num_rows == 0:
                continue
            df = pl.from_arrow(batch)
            assert isinstance(df, pl.DataFrame)
            r = _cases_of(df, load_options, source).rejects
            r = r.with_columns(
                pl.lit(partition, pl.Int64).alias("partition"),
                pl.lit(i, pl.Int64).alias("batch"),
                pl.col("row").cast(pl.Int64),
            )
            yield from r.select(_REJECT_COLUMNS).to_arrow().to_batches()

    return rejects


_REJECT_COLUMNS = ["partition", "batch", "row", "case_id", "column", "value", "rule", "message"]


def _write_rejects(data: SparkDataFrame, load_options: dict[str, Any], path: str, source: str | None) -> None:
    """Writes every rejected row to ``path`` (Parquet), as its batch's rejects table lists it."""
    import pyarrow as pa
    from pyspark.sql.pandas.types import from_arrow_schema

    schema = pa.schema(
        [("partition", pa.int64()), ("batch", pa.int64()), ("row", pa.int64())]
        + [(c, pa.string()) for c in ("case_id", "column", "value", "rule", "message")]
    )
    data.mapInArrow(_rejecter(load_options, source), from_arrow_schema(schema)).write.mode("overwrite").parquet(path)


def _run(
    data: SparkDataFrame | str,
    analytic: str,
    by: list[str],
    keys: list[str],
    spec_options: dict[str, Any],
    load_options: dict[str, Any],
    source: str | None,
) -> tuple[pl.DataFrame, dict[str, Any]]:
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema

    data = _spark_data(data)
    # The partial's schema, from the first rows (an executor's batch gives the same columns),
    # and what the source says of every batch (its unit and how its rows were derived).
    sample = pl.from_arrow(data.limit(20).toArrow())
    assert isinstance(sample, pl.DataFrame)
    first = _partial_of(sample, analytic, by, spec_options, load_options, source)
    schema = first.to_arrow().schema
    parts = data.mapInArrow(_reducer(analytic, by, spec_options, load_options, source), from_arrow_schema(schema))
    if analytic == "reach":
        # Each account's states meet in one partition, which merges them.
        schema = _accounts_merged([first], by, spec_options, None).to_arrow().schema
        parts = parts.repartition(*_ACCOUNT).mapInArrow(
            _account_reducer(by, spec_options, schema), from_arrow_schema(schema)
        )
    sum_cols = [c for c in schema.names if c not in (*keys, _PART, _RULE)]
    merged = parts.groupBy(*keys, _PART, _RULE).agg(*[F.sum(c).alias(c) for c in sum_cols])
    out = pl.from_arrow(merged.toArrow())
    assert isinstance(out, pl.DataFrame)
    report_rows = dict(out.filter(pl.col(_PART) == "report").select(_RULE, _N).iter_rows())
    partial = out.filter(pl.col(_PART) == "sums").drop(_PART, _RULE, _N)
    partial = partial.select([pl.col(n).cast(t) for n, t in _polars_schema(schema, exclude=(_PART, _RULE, _N)).items()])
    read, rejected = int(report_rows.get("rows_read", 0)), int(report_rows.get("rows_rejected", 0))
    batches = int(report_rows.get("batches", 0))
    flags = {}
    for flag in ("actions_only", "outcomes_unpublished"):
        n = int(report_rows.get(f"flag:{flag}", 0))
        if 0 < n < batches:
            raise InvalidArgumentError(
                f"{n} of {batches} batches were read as {flag.replace('_', ' ')} and the others not: the rows are "
                "of different kinds (a table whose outcomes are all `unknown` in some parts only); give Spark one "
                "kind of rows",
                "data",
            )
        flags[flag] = n > 0
    sample_report = _cases_of(sample, load_options, source).load_report
    labels: dict[tuple[str, str], list[int]] = {}
    for key, n in report_rows.items():
        if key.startswith("label:"):
            kind, _, name = key[len("label:") :].partition(":")
            column, _, value = name.partition(_SEP)
            labels.setdefault((column, value), [0, 0])[kind == "rej"] += int(n)
    report = {
        "rows_read": read,
        "rows_accepted": read - rejected,
        "rows_rejected": rejected,
        # In the rules' own order, as an in-memory load report lists them.
        "problems_by_rule": {
            k[5:]: int(v)
            for k, v in sorted(report_rows.items(), key=lambda kv: _rule_order(kv[0]))
            if k.startswith("rule:")
        },
        "unit": sample_report["unit"],
        "derivation": sample_report["derivation"],
        **flags,
        "lost": [(c, v, rej) for (c, v), (acc, rej) in sorted(labels.items()) if acc == 0 and rej > 0],
        "not_checked": _NOT_CHECKED,
    }
    if rejected:
        # As an in-memory analytic on cases with rejects warns (the definition says it too).
        warnings.warn(
            f"{rejected:,} of {read:,} rows read ({100 * rejected / read:.1f}%) were rejected at load and are not "
            f"counted; see the result's load_report (and rejects_path)",
            RejectedRowsWarning,
            stacklevel=3,
        )
    return partial, report


def _rule_order(key: str) -> tuple[int, str]:
    """Where a ``rule:NAME`` count goes: the rules' declared order (the core's), others last."""
    names = get_args(Rule)
    name = key[5:]
    return (names.index(name) if name in names else len(names), key)


#: What Spark does not check, as the load report says it.
_NOT_CHECKED = (
    "a case_id repeated in two Spark batches is not found (each batch checks its own ids); deduplicate "
    "by case_id in Spark first when the data may repeat requests"
)


def _spark_data(data: SparkDataFrame | str) -> SparkDataFrame:
    """A Spark DataFrame, or the path Spark reads into one."""
    if not isinstance(data, str):
        return data
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.getOrCreate()
    reader = spark.read.option("header", True)
    return reader.parquet(data) if data.endswith(".parquet") else reader.csv(data)


def _polars_schema(schema: pa.Schema, exclude: Sequence[str]) -> dict[str, pl.DataType]:
    """The polars dtypes of an Arrow schema's columns, but ``exclude``."""
    empty = pl.from_arrow(schema.empty_table())
    assert isinstance(empty, pl.DataFrame)
    return {n: t for n, t in empty.schema.items() if n not in exclude}


def _note(table: pl.DataFrame, report: dict[str, Any]) -> pl.DataFrame:
    """Adds to every definition how the rows were derived from a source (when they were) and what
    the load rejected, by the core's own note on the merged report: the same words, in the same
    place, as an in-memory table's definition."""
    lost = [(column, value, 0, n) for column, value, n in report["lost"]]
    return _core.note_merged_report(
        table,
        report["rows_read"],
        report["rows_rejected"],
        list(report["problems_by_rule"].items()),
        lost,
        report["derivation"],
    )


def compliance(
    data: SparkDataFrame | str,
    by: str | Sequence[str] | None = None,
    *,
    spec_options: dict[str, Any] | None = None,
    rejects_path: str | None = None,
    source: str | None = None,
    **load_options: Any,
) -> SparkResult:
    """Compliance per ``by`` group on Spark: the table :meth:`takedowns.Cases.compliance` gives.

    Parameters
    ----------
    data
        A Spark DataFrame of case records (or published aggregate rows), or a path Spark reads
        (Parquet when it ends in ``.parquet``, else CSV with a header).
    by
        Columns to group by.
    spec_options
        The definition, as :class:`takedowns.ComplianceSpec` takes it (``success``, ``pending``,
        ``weight``, ``ci``, ``method``, ``min_n``); ``unit="account"`` is refused.
    rejects_path
        Where to write the rejected rows (Parquet, through Spark), when there are any: the
        columns of :attr:`takedowns.Cases.rejects`, with ``partition`` and ``batch`` (``row`` is
        the row within its batch). The batches are validated a second time to list them.
    source
        ``"dsa-sor"`` for statements of reasons (see :func:`trend`); their rows are all actions,
        so compliance is refused, as in memory.
    **load_options
        As for :func:`takedowns.read_csv` (``status_labels``, ``columns``, ``required`` ...);
        rejects are quarantined and counted.
    """
    keys = _by(by)
    spec_kw = dict(spec_options or {})
    partial, report = _run(data, "compliance", keys, keys, spec_kw, load_options, source)
    table = _core.compliance_finish(partial, keys, _spec(_core.ComplianceSpec, None, spec_kw))
    if rejects_path is not None and report["rows_rejected"]:
        _write_rejects(_spark_data(data), load_options, rejects_path, source)
    return SparkResult(_note(table, report), report)


def trend(
    data: SparkDataFrame | str,
    every: str = "month",
    by: str | Sequence[str] | None = None,
    *,
    spec_options: dict[str, Any] | None = None,
    source: str | None = None,
    **load_options: Any,
) -> SparkResult:
    """Requests and compliance per period on Spark: the table :meth:`takedowns.Cases.trend` gives.

    ``spec_options`` as :class:`takedowns.TrendSpec` takes them (``on``, ``year_start``,
    ``start``, ``end``, ``compliance``). Rows without outcomes, or all actions (statements of
    reasons), are counted and their rates left null, as in memory.

    Parameters
    ----------
    source
        ``"dsa-sor"`` when the rows are statements of reasons with the DSA Transparency Database's
        columns (as Spark reads the dump's CSV parts or Parquet): each batch is mapped as
        :func:`takedowns.sources.read` maps a file (one case per statement, actions only), in the
        executors. ``None`` (default) for case records. The other options as for
        :func:`compliance`.
    """
    keys = _by(by)
    spec_kw = {"every": every, **(spec_options or {})}
    partial, report = _run(data, "trend", keys, [*keys, "__key"], spec_kw, load_options, source)
    table = _core.trend_finish(
        partial,
        keys,
        _spec(_core.TrendSpec, None, spec_kw),
        report["unit"],
        report["actions_only"],
        report["outcomes_unpublished"],
    )
    return SparkResult(_note(table, report), report)


def reach(
    data: SparkDataFrame | str,
    by: str | Sequence[str] | None = "group",
    *,
    spec_options: dict[str, Any] | None = None,
    source: str | None = None,
    **load_options: Any,
) -> SparkResult:
    """Reach per ``by`` group on Spark, each account counted once: the table
    :meth:`takedowns.Cases.reach` gives.

    Each batch reduces its rows to account states; Spark hash-partitions them by ``platform``
    and ``account_key`` so that each account's states meet in one partition, which merges them
    into a histogram of accounts per follower count; the driver adds the histograms up and
    finishes the sums, the exact median and the top-10 share. What crosses the network is the
    states (at most one per account and batch), then the histograms (one row per distinct
    follower count per group).

    ``spec_options`` as :class:`takedowns.ReachSpec` takes them (``followers``; ``groups`` must
    be ``"each"`` when ``by`` has ``group``). Other options as for :func:`trend`.
    """
    keys = _by(by)
    spec_kw = dict(spec_options or {})
    partial, report = _run(data, "reach", keys, [*keys, "__f"], spec_kw, load_options, source)
    table = _core.reach_finish(partial, keys, _spec(_core.ReachSpec, None, spec_kw))
    return SparkResult(_note(table, report), report)


def crosstab(
    data: SparkDataFrame | str,
    rows: str,
    columns: str,
    value: str = "cases",
    *,
    spec_options: dict[str, Any] | None = None,
    source: str | None = None,
    **load_options: Any,
) -> SparkResult:
    """A crosstab of ``value`` (``"cases"``, ``"rate"``, ``"accounts"`` or ``"followers"``) with
    ``rows`` down and ``columns`` across, on Spark: the table :meth:`takedowns.Cases.crosstab`
    gives. Cases and rates come from compliance partials (``spec_options`` as
    :class:`takedowns.ComplianceSpec` takes them); accounts and followers from reach's (as
    :class:`takedowns.ReachSpec` takes them, e.g. ``{"followers": "latest"}``). Other options as
    for :func:`trend`."""
    keys = [rows, columns]
    spec_kw = dict(spec_options or {})
    if value in ("accounts", "followers"):
        partial, report = _run(data, "reach", keys, [*keys, "__f"], spec_kw, load_options, source)
        spec, reach_spec = _core.ComplianceSpec(), _spec(_core.ReachSpec, None, spec_kw)
    else:
        # Cases are counted whatever the rows' kind; rates refuse rows without one, as in memory.
        analytic = "compliance" if value == "rate" else "cases"
        partial, report = _run(data, analytic, keys, keys, spec_kw, load_options, source)
        spec, reach_spec = _spec(_core.ComplianceSpec, None, spec_kw), _core.ReachSpec()
    table = _core.crosstab_finish(partial, rows, columns, cast(Any, value), spec, reach_spec, report["unit"])
    return SparkResult(_note(table, report), report)


def time_to_action(
    data: SparkDataFrame | str,
    by: str | Sequence[str] | None = None,
    *,
    as_of: Any,
    spec_options: dict[str, Any] | None = None,
    source: str | None = None,
    **load_options: Any,
) -> SparkResult:
    """Time to action per ``by`` group on Spark: the table :meth:`takedowns.Cases.time_to_action`
    gives. Each partition counts its requests per group, time to decision and kind (action,
    rejection, censored); the driver finishes Kaplan-Meier and Aalen-Johansen from the sums.

    ``as_of`` (a date or datetime) is required: pending requests are censored at it, and every
    partition must use the same date (in memory the default is the data's latest date, which a
    cluster would need another pass to find). A part cannot tell a missing column of decision
    dates from a part that lacks them, so that check is not made here. Other options as for
    :func:`trend` (``spec_options`` as :class:`takedowns.SurvivalSpec` takes them).
    """
    keys = _by(by)
    spec_kw = {**(spec_options or {}), "as_of": as_of}
    partial, report = _run(data, "time_to_action", keys, [*keys, "__t", "__k"], spec_kw, load_options, source)
    table = _core.time_to_action_finish(partial, keys, _spec(_core.SurvivalSpec, None, spec_kw))
    return SparkResult(_note(table, report), report)
