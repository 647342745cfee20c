"""takedowns.spark on PySpark in local mode: every table equal to the in-memory one, on the sample
split over many partitions and on data with rejects; what a batch cannot see is refused."""

from __future__ import annotations

import os
import pathlib
import sys
from collections.abc import Iterator
from typing import Any

import polars as pl
import pytest

import takedowns as td

pyspark = pytest.importorskip("pyspark")

from pyspark.sql import SparkSession  # noqa: E402

from takedowns import spark as tds  # noqa: E402


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    os.environ["PYSPARK_PYTHON"] = sys.executable  # the executors import takedowns from this venv
    session = (
        SparkSession.builder.master("local[2]")
        .appName("takedowns-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        # Small Arrow batches: each partition reaches the core in several parts.
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "97")
        .getOrCreate()
    )
    yield session
    session.stop()


def _spark_frame(spark: Any, frame: pl.DataFrame, partitions: int) -> Any:
    text = frame.with_columns(pl.col(pl.Datetime).dt.strftime("%Y-%m-%d %H:%M:%S"))
    return spark.createDataFrame(text.to_pandas()).repartition(partitions)


def test_compliance_and_trend_equal_the_in_memory_tables(spark: Any) -> None:
    cases = td.sample()
    sdf = _spark_frame(spark, cases.to_polars().drop("account_key"), 7)
    for by, options in [
        ("platform", {}),
        (["group", "platform"], {"pending": "exclude"}),
        ("group", {"weight": "followers"}),
        (None, {"success": ["removed"], "method": "jeffreys"}),
    ]:
        got = tds.compliance(sdf, by=by, spec_options=options)
        want = cases.compliance(by=by, **options)
        assert got.table.equals(want), (by, options)
        assert got.load_report == {
            "rows_read": 896,
            "rows_accepted": 896,
            "rows_rejected": 0,
            "problems_by_rule": {},
            "unit": None,
            "derivation": None,
            "actions_only": False,
            "outcomes_unpublished": False,
            "lost": [],
            "not_checked": tds._NOT_CHECKED,
        }
    got = tds.trend(sdf, "week", by="platform")
    assert got.table.equals(cases.trend("week", by="platform"))
    latest = max(cases.to_polars()["reported_at"].max(), cases.to_polars()["actioned_at"].max())  # type: ignore[type-var]
    got = tds.time_to_action(sdf, by="platform", as_of=latest)
    assert got.table.equals(cases.time_to_action(by="platform", as_of=latest))
    for value in ("cases", "rate"):
        got = tds.crosstab(sdf, "group", "platform", value)
        assert got.table.equals(cases.crosstab("group", "platform", value=value)), value


def _in_order(spark: Any, frame: pl.DataFrame, partitions: int) -> Any:
    """``frame`` in Spark split into ``partitions`` runs of rows in input order (as Spark splits
    files it reads), not shuffled as ``repartition`` does."""
    text = (
        frame.with_columns(pl.col(pl.Datetime).dt.strftime("%Y-%m-%d %H:%M:%S"))
        .with_row_index("__i")
        .cast({"__i": pl.Int64})
    )
    sdf = spark.createDataFrame(text.to_pandas())
    return sdf.repartitionByRange(partitions, "__i").sortWithinPartitions("__i").drop("__i")


def test_reach_equals_the_in_memory_table(spark: Any) -> None:
    cases = td.sample()
    sdf = _in_order(spark, cases.to_polars().drop("account_key"), 5)
    for by, options in [
        ("group", {}),
        (None, {}),
        (["group", "platform"], {"followers": "latest"}),
        ("agency", {}),
    ]:
        got = tds.reach(sdf, by=by, spec_options=options)
        want = cases.reach(by=by, **options)
        assert got.table.equals(want), (by, options)
        assert got.load_report["rows_read"] == 896
    # The note on accounts in several groups is the in-memory one, and the numbers are the
    # sample's: 850 accounts, over 2 million followers counted once each.
    table = tds.reach(sdf, by=None).table
    assert table["accounts"][0] == 850 and table["followers"][0] > 2_000_000
    for value in ("accounts", "followers"):
        got = tds.crosstab(sdf, "group", "platform", value)
        assert got.table.equals(cases.crosstab("group", "platform", value=value)), value
    with pytest.raises(td.errors.InvalidArgumentError, match="groups=latest has no partial"):
        tds.reach(sdf, by="group", spec_options={"groups": "latest"})


def test_reach_ties_go_to_the_later_row_across_partitions(spark: Any) -> None:
    # One account, two requests on the same dates in different partitions: the later row's
    # outcome is the account's, as in memory; followers are the largest.
    frame = pl.DataFrame(
        {
            "case_id": ["a", "b", "c", "d"],
            "platform": ["x", "x", "x", "tiktok"],
            "account": ["@fake_one", "@fake_two", "@fake_one", "@fake_three"],
            "group": ["TTP", "BLA", "TTP", "BLF"],
            "status": ["rejected", "rejected", "removed", "removed"],
            "reported_at": ["2025-03-01"] * 4,
            "actioned_at": ["2025-03-02"] * 4,
            "followers": [100, 7, 40, 9],
        }
    )
    want = td.from_frame(frame).reach(by="platform")
    got = tds.reach(_in_order(spark, frame, 3), by="platform").table
    assert got.equals(want)
    x = got.filter(pl.col("platform") == "x")
    assert x["accounts"][0] == 2 and x["followers"][0] == 107 and x["followers_actioned"][0] == 100
    reversed_frame = frame.reverse()
    got = tds.reach(_in_order(spark, reversed_frame, 3), by="platform").table
    assert got.equals(td.from_frame(reversed_frame).reach(by="platform"))
    assert got.filter(pl.col("platform") == "x")["followers_actioned"][0] == 0


DSA_PARTS = pathlib.Path(__file__).parents[1] / "data" / "sources" / "dsa" / "parts"


def test_dsa_statements_of_reasons_on_spark_equal_the_source_read(spark: Any) -> None:
    want = td.sources.read("dsa-sor", DSA_PARTS)
    parts = [pl.read_csv(p, infer_schema=False) for p in sorted(DSA_PARTS.glob("*.csv"))]
    sdf = spark.createDataFrame(pl.concat(parts, how="diagonal").to_pandas()).repartition(3)
    got = tds.trend(sdf, "month", by="platform", source="dsa-sor")
    assert got.table.equals(want.trend("month", by="platform"))
    # Statements are actions: counted, with no rate (not 100%).
    assert got.table["rate"].null_count() == got.table.height
    assert got.load_report["actions_only"] and got.load_report["rows_read"] == want.load_report["rows_read"]
    got = tds.crosstab(sdf, "platform", "decision", source="dsa-sor")
    assert got.table.equals(want.crosstab("platform", "decision"))
    with pytest.raises(td.errors.InvalidArgumentError, match="statements of reasons"):
        tds.compliance(sdf, by="platform", source="dsa-sor")
    with pytest.raises(td.errors.InvalidArgumentError, match="small enough to read whole"):
        tds.trend(sdf, source="tiktok-government")


def test_rejects_are_counted_across_batches_and_said(spark: Any, tmp_path: Any) -> None:
    frame = td.synthetic(3000, seed=11)
    # 30 unknown statuses and 20 negative follower counts, spread over the partitions.
    bad = frame.with_columns(
        pl.when(pl.int_range(pl.len()) % 100 == 7).then(pl.lit("maybe")).otherwise(pl.col("status")).alias("status"),
        pl.when(pl.int_range(pl.len()) % 150 == 3).then(-5).otherwise(pl.col("followers")).alias("followers"),
    )
    want = td.from_frame(bad, on_invalid="quarantine")
    out = str(tmp_path / "rejects")
    with pytest.warns(td.RejectedRowsWarning, match="50 of 3,000 rows read"):
        got = tds.compliance(_spark_frame(spark, bad, 9), by="platform", rejects_path=out)
    r = want.load_report
    keys = ("rows_read", "rows_accepted", "rows_rejected", "problems_by_rule", "unit", "derivation", "lost")
    assert got.load_report == {
        **{k: r[k] for k in keys},
        "actions_only": False,
        "outcomes_unpublished": False,
        "not_checked": tds._NOT_CHECKED,
    }
    assert "case_id repeated in two Spark batches is not found" in got.load_report["not_checked"]
    with pytest.raises(td.errors.InvalidArgumentError, match="always quarantined"):
        tds.compliance(_spark_frame(spark, bad, 2), by="platform", on_invalid="raise")
    assert got.load_report["rows_rejected"] == 50
    with pytest.warns(td.RejectedRowsWarning):
        table = want.compliance(by="platform")
    # The same table, definitions included: the rejects note is the core's, on the merged report
    # (every row of status "maybe" was rejected, which it says).
    assert got.table.equals(table)
    assert got.load_report["lost"] == [("status", "maybe", 30)]
    assert (
        "50 of 3000 rows read (1.7%) were rejected at load and are not counted (problems: "
        in got.table["definition"][0]
    )
    # The rules in the order an in-memory report lists them (the core's), not alphabetically.
    assert (
        list(got.load_report["problems_by_rule"])
        == list(r["problems_by_rule"])
        == [
            "unknown_status",
            "negative_followers",
        ]
    )
    # Every rejected row written out, with its rule, as the in-memory rejects list them.
    written = pl.read_parquet(f"{out}/*.parquet")
    assert written.height == want.rejects.height == 50
    assert sorted(written["rule"].to_list()) == sorted(want.rejects["rule"].to_list())
    # (pandas made the follower counts floats on the way into Spark: -5.0 there, -5 here.)
    pairs = sorted(written.select("column", "rule").rows())
    assert pairs == sorted(want.rejects.select("column", "rule").rows())
    assert written.filter(pl.col("column") == "status")["value"].unique().to_list() == ["maybe"]


def test_what_a_batch_cannot_see_is_refused(spark: Any) -> None:
    sdf = _spark_frame(spark, td.sample().to_polars().drop("account_key"), 2)
    with pytest.raises(Exception, match="unit=account has no partial"):
        tds.compliance(sdf, by="platform", spec_options={"unit": "account"})
