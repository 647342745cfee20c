"""Pairwise comparisons of compliance against statsmodels' values (tests/golden/statsmodels/pairwise_*.csv,
made by tests/golden/statsmodels/make_pairwise.py) to 1e-9."""

from __future__ import annotations

import datetime
import math
import pathlib

import polars as pl
import pytest

import takedowns as td

GOLDEN = pathlib.Path(__file__).parents[1] / "golden" / "statsmodels"
COLUMNS = [
    "difference",
    "difference_low",
    "difference_high",
    "ratio",
    "ratio_low",
    "ratio_high",
    "p_value",
    "p_adjusted",
]


def _check(got: pl.DataFrame, by: str, golden: str) -> None:
    want = pl.read_csv(GOLDEN / golden, infer_schema_length=0)
    assert got.height == want.height
    for g, w in zip(got.iter_rows(named=True), want.iter_rows(named=True)):
        assert (g[f"{by}_a"], g[f"{by}_b"]) == (w["a"], w["b"])
        assert (g["n_a"], g["n_b"]) == (int(w["n_a"]), int(w["n_b"]))
        for c in COLUMNS:
            expected = w["p_holm" if c == "p_adjusted" else c]
            if expected is None:
                assert g[c] is None, (w["a"], w["b"], c, g[c])
            else:
                assert g[c] is not None and math.isclose(g[c], float(expected), rel_tol=0, abs_tol=1e-9), (
                    w["a"],
                    w["b"],
                    c,
                    g[c],
                    expected,
                )


def test_every_pair_of_platforms_equals_statsmodels() -> None:
    got = td.sample().pairwise(by="platform")
    _check(got, "platform", "pairwise_platform.csv")
    assert "Newcombe" in got["definition"][0] and "holm over the 15 comparison(s)" in got["definition"][0]


def _from_counts(rows: list[tuple[str, int, int]]) -> td.Cases:
    frame = pl.DataFrame(
        {
            "platform": ["x"] * (2 * len(rows)),
            "agency": [a for a, _, _ in rows for _ in range(2)],
            "status": ["removed", "rejected"] * len(rows),
            "count": [v for _, x, n in rows for v in (x, n - x)],
        }
    )
    # (A count of 0 is a row that counts no request: kept, and adds nothing.)
    return td.from_frame(frame, required=["platform", "status"])


def test_zeros_hundred_percents_and_small_groups_equal_statsmodels() -> None:
    cases = _from_counts([("a", 0, 12), ("b", 40, 40), ("c", 3, 7), ("d", 25, 60)])
    got = cases.pairwise(by="agency")
    _check(got, "agency", "pairwise_edges.csv")
    # A group with no success has no ratio interval; a small group is flagged.
    assert got.filter(pl.col("agency_a") == "a")["ratio_low"].null_count() == 3
    assert got.filter(pl.col("agency_a") == "c")["low_n"].to_list() == [True]


def test_against_a_reference_and_other_adjustments() -> None:
    cases = td.sample()
    ref = cases.pairwise(by="platform", reference="x", adjust="none")
    assert ref["platform_b"].unique().to_list() == ["x"] and ref.height == 5
    bonf = cases.pairwise(by="platform", reference="x", adjust="bonferroni")
    for raw, adj in zip(ref["p_value"], bonf["p_adjusted"]):
        assert adj == pytest.approx(min(1.0, raw * 5), abs=1e-15)
    with pytest.raises(td.errors.InvalidArgumentError, match='no `platform` is written "myspace"'):
        cases.pairwise(by="platform", reference="myspace")
    with pytest.raises(td.errors.InvalidArgumentError, match="give by as one column name"):
        cases.pairwise(by=["group", "platform"])  # type: ignore[arg-type]
    with pytest.raises(td.errors.InvalidArgumentError, match="weighted by followers"):
        cases.pairwise(by="platform", weight="followers")
    # Decided requests only: the same comparison under another definition, said.
    decided = cases.pairwise(by="platform", pending="exclude")
    assert (
        "rates: compliance rate = (removed + restricted) / decided requests (pending excluded)"
        in (decided["definition"][0])
    )


def test_change_at_a_date_equals_statsmodels() -> None:
    # Before and after 2025-05-01 per platform (tests/golden/statsmodels/make_change.py).
    got = td.sample().change(datetime.date(2025, 5, 1), by="platform")
    want = pl.read_csv(GOLDEN / "change_platform.csv")
    assert got["platform"].to_list() == want["platform"].to_list()
    assert got["n_before"].to_list() == want["n_before"].to_list()
    assert got["n_after"].to_list() == want["n_after"].to_list()
    for c, w in [
        ("difference", "difference"),
        ("difference_low", "difference_low"),
        ("difference_high", "difference_high"),
        ("ratio", "ratio"),
        ("ratio_low", "ratio_low"),
        ("ratio_high", "ratio_high"),
        ("p_value", "p_value"),
        ("p_adjusted", "p_holm"),
    ]:
        for a, b in zip(got[c].to_list(), want[w].to_list()):
            assert abs(a - b) < 1e-9, (c, a, b)
    assert got["definition"][0].startswith("change at 2025-05-01")
    # A string date is read as ISO; anything else is refused.
    assert got.equals(td.sample().change("2025-05-01", by="platform"))
    with pytest.raises(td.InvalidArgumentError, match="not a date written YYYY-MM-DD"):
        td.sample().change("May 2025")
    with pytest.raises(TypeError, match="at must be a date"):
        td.sample().change(20250501, by="platform")  # type: ignore[arg-type]


def _wilson(x: float, n: float, z: float = 1.959963984540054) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


@pytest.mark.parametrize(("cluster", "column"), [("account", "account"), ("agency", "agency")])
def test_clustered_intervals_equal_statsmodels_cluster_robust_errors(cluster: str, column: str) -> None:
    # tests/golden/statsmodels/make_cluster.py: OLS(y, 1) with cov_type="cluster" per platform.
    want = pl.read_csv(GOLDEN / "cluster_platform.csv")
    got = td.sample().compliance(by="platform", cluster=cluster)
    plain = td.sample().compliance(by="platform")
    assert got["platform"].to_list() == want["platform"].to_list()
    assert got["rate"].to_list() == plain["rate"].to_list()
    assert got["clusters"].to_list() == want[f"clusters_{column}"].to_list()
    for row, w in zip(got.iter_rows(named=True), want.iter_rows(named=True)):
        assert abs(row["se_cluster"] - w[f"se_{column}"]) < 1e-9
        # The design effect, floored at 1, sets the effective n of a Wilson interval.
        p, n = row["rate"], row["n"]
        deff = w[f"se_{column}"] ** 2 / (p * (1 - p) / n)
        assert abs(row["design_effect"] - deff) < 1e-6
        n_eff = n / max(deff, 1.0)
        assert abs(row["n_effective"] - n_eff) < 1e-6
        lo, hi = _wilson(p * n_eff, n_eff)
        assert abs(row["ci_low"] - lo) < 1e-9 and abs(row["ci_high"] - hi) < 1e-9
    # Clustering by account widens every interval here (accounts reported more than once).
    widths = (got["ci_high"] - got["ci_low"]) - (plain["ci_high"] - plain["ci_low"])
    assert (widths >= -1e-12).all()
    assert "interval adjusted for clustering by" in got["definition"][0]


def test_clustering_refuses_what_it_cannot_mean() -> None:
    cases = td.sample()
    with pytest.raises(td.InvalidArgumentError, match="not a column to cluster by"):
        cases.compliance(cluster="batch")
    with pytest.raises(td.InvalidArgumentError, match="unit=account"):
        cases.compliance(cluster="account", unit="account")
    with pytest.raises(td.InvalidArgumentError, match="followers"):
        cases.compliance(cluster="account", weight="followers")
    with pytest.raises(td.InvalidArgumentError, match="in by"):
        cases.compliance(by="agency", cluster="agency")


def test_cluster_is_refused_by_name_where_it_is_not_taken(tmp_path) -> None:  # type: ignore[no-untyped-def]
    cases = td.sample()
    for call in (
        lambda: cases.pairwise(by="platform", cluster="account"),
        lambda: cases.change("2025-05-01", by="platform", cluster="account"),
        lambda: cases.trend("month", cluster="account"),
    ):
        with pytest.raises(
            td.InvalidArgumentError, match="^invalid argument `cluster`: .*taken by Cases.compliance only"
        ) as e:
            call()
        assert e.value.argument == "cluster"
    path = tmp_path / "s.parquet"
    cases.to_polars().write_parquet(path)
    with pytest.raises(td.InvalidArgumentError, match="taken by Cases.compliance only"):
        td.scan_parquet(path).compliance(by="platform", cluster="account")
