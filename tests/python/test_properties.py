"""Invariants that hold for any input (hypothesis), with pinned edge cases."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import takedowns as td

PLATFORMS = ["x", "facebook", "tiktok"]
STATUSES = ["removed", "restricted", "rejected", "pending", "blocked", "nonsense"]

row = st.fixed_dictionaries(
    {
        "platform": st.sampled_from(PLATFORMS),
        "account": st.sampled_from(["@a", "@b", "@c", "@d"]),
        "group": st.sampled_from(["TTP", "BLA"]),
        "followers": st.one_of(st.none(), st.integers(min_value=-3, max_value=10_000)),
        "day": st.integers(min_value=0, max_value=120),
        "status": st.sampled_from(STATUSES),
        "count": st.integers(min_value=1, max_value=4),
    }
)


def build(rows: list[dict[str, object]]) -> pl.DataFrame:
    start = dt.date(2025, 1, 1)
    return pl.DataFrame(
        {
            "case_id": [str(i) for i in range(len(rows))],
            "platform": [r["platform"] for r in rows],
            "account": [r["account"] for r in rows],
            "group": [r["group"] for r in rows],
            "followers": [r["followers"] for r in rows],
            "reported_at": [start + dt.timedelta(days=int(r["day"])) for r in rows],  # type: ignore[call-overload]
            "status": [r["status"] for r in rows],
            "count": [r["count"] for r in rows],
        },
        schema_overrides={"followers": pl.Int64, "reported_at": pl.Date},
    )


EDGE = [
    [],
    [{"platform": "x", "account": "@a", "group": "TTP", "followers": 0, "day": 0, "status": "pending", "count": 1}],
    [{"platform": "x", "account": "@a", "group": "TTP", "followers": -1, "day": 0, "status": "nonsense", "count": 2}],
]


@settings(max_examples=60, deadline=None)
@given(st.lists(row, max_size=40))
@example(EDGE[0])
@example(EDGE[1])
@example(EDGE[2])
def test_invariants(rows: list[dict[str, object]]) -> None:
    df = build(rows)
    cases = td.from_frame(df, on_invalid="quarantine")
    r = cases.load_report
    assert r["rows_read"] == r["rows_accepted"] + r["rows_rejected"] == len(rows)
    if len(cases) == 0:
        return
    total = int(cases.to_polars()["count"].sum())
    for pending in ("against", "exclude"):
        c = cases.compliance(by="platform", pending=pending)
        outcome_sum = c.select(pl.sum_horizontal("removed", "restricted", "rejected", "pending")).to_series()
        assert outcome_sum.to_list() == c["requests"].to_list()
        assert int(c["requests"].sum()) == total
        for rate, den in zip(c["rate"], c["denominator"]):
            assert (rate is None) == (den == 0)
            assert rate is None or 0.0 <= rate <= 1.0
        for lo, rate, hi in zip(c["ci_low"], c["rate"], c["ci_high"]):
            assert rate is None or lo <= rate <= hi
    if cases.to_polars()["followers"].null_count() == len(cases):
        with pytest.raises(td.EmptySelectionError):  # no follower counts: an error, never zeros
            cases.reach(by="group")
    else:
        reach = cases.reach(by="group")
        for dedup, naive in zip(reach["followers"], reach["followers_undeduplicated"]):
            assert dedup <= naive
    trend = cases.trend("week")
    assert int(trend["requests"].sum()) == total
    assert trend["cum_requests"][-1] == total
