"""Compliance and trends on Spark, from mergeable partial aggregates (Rust:
``takedowns::metrics::partial``). An optional extra: ``pip install takedowns[spark]``.

The same definitions as in memory, on data one machine cannot hold. Each Spark partition's Arrow
batches go through ``mapInArrow`` into the Rust core, which validates them (the load options of
:func:`takedowns.read_csv`, rejects quarantined) and reduces them to a partial: per ``by`` group
(and period, for a trend) only sums. Spark adds the partials up per group; the driver finishes
them (rates, intervals, the grid of periods) into the table the in-memory analytic gives, with its
``definition`` and a load report merged from every batch's.

Example (``sdf`` a Spark DataFrame; tests/python/test_spark.py runs this on ``local[2]``)::

    from takedowns import spark as tds
    table, report = tds.compliance(sdf, by="platform", status_labels={"Blocked": "removed"})

The executors must import ``takedowns`` (install the wheel where Spark runs Python; in local
mode, point ``PYSPARK_PYTHON`` at the interpreter that has it before the session starts). What
Spark cannot see from one batch is said, not guessed: a ``case_id`` repeated across
batches is not found (a batch checks its own), and ``unit="account"`` is refused (an account's
latest request must be found among all its requests). Rates over published sources that have no
outcome, or whose rows are all actions, are refused as in memory.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import polars as pl

from takedowns import _core
from takedowns._cases import _spec
from takedowns._io import from_frame

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped]
    from pyspark.sql import DataFrame as SparkDataFrame

__all__ = ["SparkResult", "compliance", "crosstab", "time_to_action", "trend"]

_PART, _RULE, _N = "__part", "__rule", "__n"


class SparkResult(NamedTuple):
    """A table computed on Spark, and the load report of every row it read."""

    table: pl.DataFrame
    load_report: dict[str, Any]


def _by(by: str | Sequence[str] | None) -> list[str]:
    return [] if by is None else [by] if isinstance(by, str) else list(by)


def _reducer(analytic: str, by: list[str], spec_options: dict[str, Any], load_options: dict[str, Any]) -> Any:
    """The function each executor runs over its batches: validate, reduce to a partial, and add
    the batch's load counts as rows of their own (``__part`` = ``report``)."""

    def reduce(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            if batch.num_rows == 0:
                continue
            yield from (
                _partial_of(pl.from_arrow(batch), analytic, by, spec_options, load_options).to_arrow().to_batches()
            )

    return reduce


def _partial_of(
    df: pl.DataFrame | pl.Series,
    analytic: str,
    by: list[str],
    spec_options: dict[str, Any],
    load_options: dict[str, Any],
) -> pl.DataFrame:
    """One batch's partial and load counts, as one frame."""
    assert isinstance(df, pl.DataFrame)
    cases = from_frame(df, on_invalid="quarantine", **load_options)
    inner = cases._inner
    if analytic == "compliance":
        part = inner.compliance_partial(by, _spec(_core.ComplianceSpec, None, spec_options))
    elif analytic == "time_to_action":
        part = inner.time_to_action_partial(by, _spec(_core.SurvivalSpec, None, spec_options))
    else:
        part = inner.trend_partial(by, _spec(_core.TrendSpec, None, spec_options))
    r = cases.load_report
    counts = {"rows_read": r["rows_read"], "rows_rejected": r["rows_rejected"]}
    counts.update({f"rule:{k}": v for k, v in r["problems_by_rule"].items()})
    report = pl.DataFrame({_RULE: list(counts), _N: list(counts.values())}, schema={_RULE: pl.String, _N: pl.Int64})
    sums = part.with_columns(
        pl.lit("sums").alias(_PART), pl.lit(None, pl.String).alias(_RULE), pl.lit(None, pl.Int64).alias(_N)
    )
    report = report.with_columns(pl.lit("report").alias(_PART))
    both: pl.DataFrame = pl.concat([sums, report], how="diagonal_relaxed")
    return both.select(sums.columns)


def _rejecter(load_options: dict[str, Any]) -> Any:
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
            r = from_frame(df, on_invalid="quarantine", **load_options).rejects
            r = r.with_columns(
                pl.lit(partition, pl.Int64).alias("partition"),
                pl.lit(i, pl.Int64).alias("batch"),
                pl.col("row").cast(pl.Int64),
            )
            yield from r.select(_REJECT_COLUMNS).to_arrow().to_batches()

    return rejects


_REJECT_COLUMNS = ["partition", "batch", "row", "case_id", "column", "value", "rule", "message"]


def _write_rejects(data: SparkDataFrame, load_options: dict[str, Any], path: str) -> None:
    """Writes every rejected row to ``path`` (Parquet), as its batch's rejects table lists it."""
    import pyarrow as pa
    from pyspark.sql.pandas.types import from_arrow_schema

    schema = pa.schema(
        [("partition", pa.int64()), ("batch", pa.int64()), ("row", pa.int64())]
        + [(c, pa.string()) for c in ("case_id", "column", "value", "rule", "message")]
    )
    data.mapInArrow(_rejecter(load_options), from_arrow_schema(schema)).write.mode("overwrite").parquet(path)


def _run(
    data: SparkDataFrame | str,
    analytic: str,
    by: list[str],
    keys: list[str],
    spec_options: dict[str, Any],
    load_options: dict[str, Any],
) -> tuple[pl.DataFrame, dict[str, Any]]:
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema

    data = _spark_data(data)
    # The partial's schema, from the first rows (an executor's batch gives the same columns).
    sample = pl.from_arrow(data.limit(20).toArrow())
    assert isinstance(sample, pl.DataFrame)
    schema = _partial_of(sample, analytic, by, spec_options, load_options).to_arrow().schema
    parts = data.mapInArrow(_reducer(analytic, by, spec_options, load_options), from_arrow_schema(schema))
    sum_cols = [c for c in schema.names if c not in (*keys, _PART, _RULE)]
    merged = parts.groupBy(*keys, _PART, _RULE).agg(*[F.sum(c).alias(c) for c in sum_cols])
    out = pl.from_arrow(merged.toArrow())
    assert isinstance(out, pl.DataFrame)
    report_rows = dict(out.filter(pl.col(_PART) == "report").select(_RULE, _N).iter_rows())
    partial = out.filter(pl.col(_PART) == "sums").drop(_PART, _RULE, _N)
    partial = partial.select([pl.col(n).cast(t) for n, t in _polars_schema(schema, exclude=(_PART, _RULE, _N)).items()])
    read, rejected = int(report_rows.get("rows_read", 0)), int(report_rows.get("rows_rejected", 0))
    report = {
        "rows_read": read,
        "rows_accepted": read - rejected,
        "rows_rejected": rejected,
        "problems_by_rule": {k[5:]: int(v) for k, v in sorted(report_rows.items()) if k.startswith("rule:")},
    }
    return partial, report


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
    """Adds to every definition what the load rejected, as an in-memory table's says it."""
    if not report["rows_rejected"]:
        return table
    rules = ", ".join(f"{k} {v}" for k, v in report["problems_by_rule"].items())
    share = 100 * report["rows_rejected"] / report["rows_read"]
    note = (
        f"{report['rows_rejected']} of {report['rows_read']} rows read ({share:.1f}%) were rejected at load and are "
        f"not counted (problems: {rules})"
    )
    return table.with_columns((pl.col("definition") + "; " + note).alias("definition"))


def compliance(
    data: SparkDataFrame | str,
    by: str | Sequence[str] | None = None,
    *,
    spec_options: dict[str, Any] | None = None,
    rejects_path: str | None = None,
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
    **load_options
        As for :func:`takedowns.read_csv` (``status_labels``, ``columns``, ``required`` ...);
        rejects are quarantined and counted.
    """
    keys = _by(by)
    spec_kw = dict(spec_options or {})
    partial, report = _run(data, "compliance", keys, keys, spec_kw, load_options)
    table = _core.compliance_finish(partial, keys, _spec(_core.ComplianceSpec, None, spec_kw))
    if rejects_path is not None and report["rows_rejected"]:
        _write_rejects(_spark_data(data), load_options, rejects_path)
    return SparkResult(_note(table, report), report)


def trend(
    data: SparkDataFrame | str,
    every: str = "month",
    by: str | Sequence[str] | None = None,
    *,
    spec_options: dict[str, Any] | None = None,
    **load_options: Any,
) -> SparkResult:
    """Requests and compliance per period on Spark: the table :meth:`takedowns.Cases.trend` gives.

    ``spec_options`` as :class:`takedowns.TrendSpec` takes them (``on``, ``year_start``,
    ``start``, ``end``, ``compliance``); the rest as for :func:`compliance`.
    """
    keys = _by(by)
    spec_kw = {"every": every, **(spec_options or {})}
    partial, report = _run(data, "trend", keys, [*keys, "__key"], spec_kw, load_options)
    table = _core.trend_finish(partial, keys, _spec(_core.TrendSpec, None, spec_kw))
    return SparkResult(_note(table, report), report)


def crosstab(
    data: SparkDataFrame | str,
    rows: str,
    columns: str,
    value: str = "cases",
    *,
    spec_options: dict[str, Any] | None = None,
    **load_options: Any,
) -> SparkResult:
    """A crosstab of ``value`` (``"cases"`` or ``"rate"``) with ``rows`` down and ``columns``
    across, on Spark: the table :meth:`takedowns.Cases.crosstab` gives. Counts of accounts and
    followers need accounts in one place and are refused. Options as for :func:`compliance`."""
    keys = [rows, columns]
    spec_kw = dict(spec_options or {})
    partial, report = _run(data, "compliance", keys, keys, spec_kw, load_options)
    spec = _spec(_core.ComplianceSpec, None, spec_kw)
    table = _core.crosstab_finish(partial, rows, columns, cast(Any, value), spec)
    return SparkResult(_note(table, report), report)


def time_to_action(
    data: SparkDataFrame | str,
    by: str | Sequence[str] | None = None,
    *,
    as_of: Any,
    spec_options: dict[str, Any] | None = None,
    **load_options: Any,
) -> SparkResult:
    """Time to action per ``by`` group on Spark: the table :meth:`takedowns.Cases.time_to_action`
    gives. Each partition counts its requests per group, time to decision and kind (action,
    rejection, censored); the driver finishes Kaplan-Meier and Aalen-Johansen from the sums.

    ``as_of`` (a date or datetime) is required: pending requests are censored at it, and every
    partition must use the same date (in memory the default is the data's latest date, which a
    cluster would need another pass to find). A part cannot tell a missing column of decision
    dates from a part that lacks them, so that check is not made here. Other options as for
    :func:`compliance` (``spec_options`` as :class:`takedowns.SurvivalSpec` takes them).
    """
    keys = _by(by)
    spec_kw = {**(spec_options or {}), "as_of": as_of}
    partial, report = _run(data, "time_to_action", keys, [*keys, "__t", "__k"], spec_kw, load_options)
    table = _core.time_to_action_finish(partial, keys, _spec(_core.SurvivalSpec, None, spec_kw))
    return SparkResult(_note(table, report), report)
