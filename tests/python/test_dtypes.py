"""dtypes round-trip across the boundary; pandas, pyarrow and Arrow-stream inputs work."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import polars as pl
import pyarrow as pa

import takedowns as td


def frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "case_id": ["a1", "a2", "a3"],
            "platform": pl.Series(["Twitter", "FB", "TikTok"], dtype=pl.Categorical),
            "account": ["@fake_" + "x" * 100_000, "@fake_b", None],
            "group": ["TTP", "BLA", "BLF"],
            "followers": [10, None, 30],
            # Wall-clock times in Karachi (UTC+5).
            "reported_at": pl.Series(
                [dt.datetime(2025, 3, 1, 10, 0), dt.datetime(2025, 3, 2, 12, 30), dt.datetime(2025, 3, 3)],
            ).dt.replace_time_zone("Asia/Karachi"),
            "actioned_at": pl.Series([dt.date(2025, 3, 2), None, None], dtype=pl.Date),
            "status": ["removed", "pending", "declined"],
            "region": pl.Series(["north", None, "south"], dtype=pl.Categorical),
            "seen": pl.Series([dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)] * 3, dtype=pl.Datetime("ms", "UTC")),
        }
    )


def test_canonical_dtypes_and_values() -> None:
    cases = td.from_frame(frame(), required=["platform", "status"])
    out = cases.to_polars()
    assert out.schema["reported_at"] == pl.Datetime("us")
    assert out.schema["actioned_at"] == pl.Datetime("us")
    assert out.schema["followers"] == pl.Int64
    assert out["platform"].to_list() == ["x", "facebook", "tiktok"]
    # 10:00 in Karachi (UTC+5) is 05:00 UTC.
    assert out["reported_at"][0] == dt.datetime(2025, 3, 1, 5, 0)
    assert out["actioned_at"].to_list() == [dt.datetime(2025, 3, 2), None, None]
    assert out["followers"].to_list() == [10, None, 30]
    assert len(out["account"][0]) == 100_006
    assert out["account"][2] is None


def test_extra_columns_keep_their_dtypes_and_group() -> None:
    cases = td.from_frame(frame(), required=["platform", "status"])
    out = cases.to_polars()
    assert out.schema["region"] == pl.Categorical
    assert out.schema["seen"] == pl.Datetime("ms", "UTC")
    assert out["region"].to_list() == ["north", None, "south"]
    by_region = cases.compliance(by="region")
    assert by_region["region"].to_list() == ["north", "south", None]
    assert by_region["requests"].to_list() == [1, 1, 1]


def test_pandas_pyarrow_and_lazy_inputs_agree() -> None:
    base = frame().drop("region", "seen").with_columns(pl.col("platform").cast(pl.String))
    opts = dict(required=["platform", "status"])
    want = td.from_frame(base, **opts).compliance(by="platform")
    for obj in (base.to_pandas(), base.to_arrow(), base.lazy(), pa.table(base.to_arrow())):
        got = td.from_frame(obj, **opts).compliance(by="platform")
        assert got.equals(want), type(obj)


def test_pandas_integer_column_with_gaps_is_float_but_loads() -> None:
    df = pd.DataFrame({"platform": ["x", "x"], "status": ["removed", "pending"], "followers": [1200.0, float("nan")]})
    cases = td.from_frame(df, required=["platform", "status"])
    assert cases.to_polars()["followers"].to_list() == [1200, None]


def test_result_dtypes(sample) -> None:  # type: ignore[no-untyped-def]
    c = sample.compliance()
    assert c.schema["rate"] == pl.Float64 and c.schema["low_n"] == pl.Boolean
    t = sample.trend()
    assert t.schema["period"] == pl.Date
    s = sample.summary()
    assert s.schema["first_reported"] == pl.Date
    assert s["accounts"].item() == 850


def test_jupyter_repr(sample) -> None:  # type: ignore[no-untyped-def]
    text = repr(sample)
    assert text.startswith("<takedowns.Cases: 896 requests (896 rows), 850 accounts, 6 platforms, 3 groups")
    html = sample._repr_html_()
    assert "<table>" in html and "850" in html and "rows rejected" in html
    empty = sample.filter(platform="youtube")
    assert "0 requests" in repr(empty) and "no dates" in repr(empty)


def test_the_loaded_frame_is_compact_and_tables_give_text(sample) -> None:  # type: ignore[no-untyped-def]
    out = sample.to_polars()
    for c in ("platform", "group", "status", "agency"):
        assert out.schema[c] == pl.Categorical, c
    assert out.schema["account_key"] == pl.String
    # Filters take text; a join with a text column takes a cast on one side.
    x = out.filter(pl.col("platform") == "x")
    assert x.height == out.filter(pl.col("platform").cast(pl.String) == "x").height > 0
    names = pl.DataFrame(
        {"group": ["TTP", "BLA"], "name": ["Tehrik-i-Taliban Pakistan", "Balochistan Liberation Army"]}
    )
    joined = out.with_columns(pl.col("group").cast(pl.String)).join(names, on="group")
    assert joined.height == out.filter(pl.col("group").is_in(["TTP", "BLA"])).height
    # Every table gives its labels as text, whatever the frame holds.
    tables = [
        sample.compliance(by="platform"),
        sample.compliance(by=["group", "status"]),
        sample.reach(by="group"),
        sample.trend(by="platform"),
        sample.crosstab(rows="group", columns="platform"),
        sample.time_to_action(by="platform"),
        sample.returning(by="group"),
        sample.pairwise(by="platform"),
    ]
    for t in tables:
        assert not any(d == pl.Categorical for d in t.schema.values()), t.schema
    # A scan's tables too, from a file whose labels are categories or text.
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        path = f"{d}/cases.parquet"
        out.write_parquet(path)
        scan = td.scan_parquet(path)
        scanned = [
            scan.compliance(by=["platform", "group"]),
            scan.reach(by="group"),
            scan.trend("month", by="platform"),
            *scan.tables([td.Table.compliance("platform"), td.Table.reach("group")]),
        ]
        for t in scanned:
            assert not any(d == pl.Categorical for d in t.schema.values()), t.schema
    # The numbers match a count on the frame by hand.
    c = sample.compliance(by="platform").sort("platform")
    by_hand = (
        out.group_by(pl.col("platform").cast(pl.String)).agg(pl.col("count").sum().alias("requests")).sort("platform")
    )
    assert c["platform"].to_list() == by_hand["platform"].to_list()
    assert c["requests"].to_list() == by_hand["requests"].to_list()
