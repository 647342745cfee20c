"""A small run of benches/compare.py: the four engines agree on the same files (not timed)."""

from __future__ import annotations

import importlib.util
import pathlib

import pytest

pytest.importorskip("duckdb")

SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "benches" / "compare.py"


def test_engines_agree_on_a_few_thousand_rows(tmp_path: pathlib.Path) -> None:
    spec = importlib.util.spec_from_file_location("compare", SCRIPT)
    assert spec and spec.loader
    compare = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(compare)
    results = compare.main(["--rows", "3000", "--dir", str(tmp_path)])
    assert set(results) == {"parquet", "csv"}
    for res in results.values():
        # Both formats: read and scan (scan_parquet, scan_csv).
        assert set(res) == {"takedowns", "takedowns_scan", "polars", "duckdb", "pandas"}
        # main() exits if engines disagree; check one number by hand too: requests sum to rows.
        assert sum(row[1] for row in res["takedowns"]["compliance"]) == 3000
        assert all(r["seconds"] > 0 and r["peak_mb"] > 0 for r in res.values())


def test_every_analytic_at_scale_agrees_with_its_peers_on_a_few_thousand_rows(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # benches/analytics.py exits when the polars crosstab or lifelines' Kaplan-Meier disagree.
    pytest.importorskip("lifelines")
    spec = importlib.util.spec_from_file_location("analytics", SCRIPT.parent / "analytics.py")
    assert spec and spec.loader
    analytics = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(analytics)
    analytics.main(["--rows", "4000", "--km-rows", "3000", "--file", str(tmp_path / "cases.parquet")])
    out = capsys.readouterr().out
    assert "peers agree" in out
    for name in (*analytics.ANALYTICS, "takedowns report (CLI)"):
        assert name in out
