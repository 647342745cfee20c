"""Returning accounts against a plain reading of the definition, row by row in Python."""

from __future__ import annotations

import datetime as dt
import statistics

import polars as pl
import pytest

import takedowns as td


def _by_hand(frame: pl.DataFrame, match: str) -> dict[str, tuple[int, int, float | None]]:
    """group -> (accounts actioned, returned, median days), read straight off the definition."""
    rows = frame.to_dicts()
    first: dict[tuple[str, str], tuple[dt.datetime, int]] = {}
    for i, r in enumerate(rows):
        if r["account_key"] is None or r["status"] not in ("removed", "restricted"):
            continue
        t = r["actioned_at"] or r["reported_at"]
        if t is None:
            continue
        k = (r["platform"], r["account_key"])
        if k not in first or t < first[k][0]:
            first[k] = (t, i)
    out: dict[str, list[object]] = {}
    for (p, key), (t, i) in first.items():
        later = [
            r["reported_at"]
            for r in rows
            if r["account_key"] == key
            and (match == "handle" or r["platform"] == p)
            and r["reported_at"] is not None
            and r["reported_at"] > t
        ]
        g = rows[i]["group"]
        acc = out.setdefault(g, [0, 0, []])
        acc[0] += 1  # type: ignore[operator]
        if later:
            acc[1] += 1  # type: ignore[operator]
            acc[2].append((min(later) - t).total_seconds() / 86400)  # type: ignore[union-attr]
    return {g: (a, r, statistics.median(d) if d else None) for g, (a, r, d) in out.items()}  # type: ignore[misc]


@pytest.mark.parametrize("match", ["platform", "handle"])
def test_returning_equals_a_plain_reading(match: str) -> None:
    # Synthetic cases with accounts reported again, some across platforms.
    base = td.synthetic(3000, seed=5)
    again = base.sample(600, seed=1).with_columns(
        (pl.col("reported_at") + pl.duration(days=40)).alias("reported_at"),
        pl.lit(None, dtype=pl.Datetime("us")).alias("actioned_at"),
        pl.lit("pending").alias("status"),
        (pl.col("case_id") + "-again").alias("case_id"),
    )
    moved = again.head(200).with_columns(
        pl.lit("telegram").alias("platform"), (pl.col("case_id") + "-tg").alias("case_id")
    )
    cases = td.from_frame(pl.concat([base, again, moved], how="vertical_relaxed"))
    got = cases.returning(by="group", match=match)
    want = _by_hand(cases.to_polars(), match)
    assert sum(r for _, r, _ in want.values()) > 0
    for row in got.iter_rows(named=True):
        a, r, med = want[row["group"]]
        assert (row["accounts_actioned"], row["returned"]) == (a, r)
        assert row["share_returned"] == pytest.approx(r / a)
        assert row["median_days_to_return"] == pytest.approx(med)
    assert set(got["group"]) == set(want)
    assert "strictly after" in got["definition"][0]


def test_returning_refuses_an_unknown_match() -> None:
    with pytest.raises(td.InvalidArgumentError):
        td.sample().returning(match="person")  # type: ignore[arg-type]
