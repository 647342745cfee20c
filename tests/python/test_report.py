"""The report command writes every file it lists; its tables equal the library's results."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import takedowns as td
from takedowns import cli, report


def test_report_on_sample(tmp_path: pathlib.Path, sample) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "pack"
    assert cli.main(["report", "--out", str(out), "--quiet"]) == 0
    listed = (out / "report.md").read_text()
    for name in report.tables(sample):
        assert (out / "tables" / f"{name}.csv").stat().st_size > 0
        assert (out / "tables" / f"{name}.md").read_text().startswith("| ")
        assert f"tables/{name}.md" in listed
    for fig in (
        "compliance_platform",
        "trend_month_platform",
        "reach_group",
        "heatmap_group_platform",
        "time_to_action_platform",
    ):
        for ext in ("png", "svg", "pdf"):
            assert (out / "figures" / f"{fig}.{ext}").stat().st_size > 1000
        assert f"figures/{fig}.png" in listed
    got = pl.read_csv(out / "tables" / "compliance_platform.csv")
    want = sample.compliance(by="platform")
    assert_frame_equal(got, want, check_dtypes=False)
    methods = (out / "methods.md").read_text()
    assert "Rows read: 896; accepted: 896; rejected: 0" in methods
    assert "SHA-256" in methods and f"polars {pl.__version__}" in methods
    assert "rate = (removed + restricted) / all requests" in methods


def test_report_options_change_the_definition(tmp_path: pathlib.Path, sample) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "pack"
    assert cli.main(["report", "--out", str(out), "--quiet", "--pending", "exclude", "--method", "jeffreys"]) == 0
    got = pl.read_csv(out / "tables" / "compliance_platform.csv")
    assert_frame_equal(got, sample.compliance(by="platform", pending="exclude", method="jeffreys"), check_dtypes=False)


def test_report_on_a_file_with_rejects(tmp_path: pathlib.Path) -> None:
    src = tmp_path / "cases.csv"
    src.write_text(td._core.SAMPLE_CSV + "BAD-1,X,@fake_bad,TTP,,2025-13-01,,Blocked,PTA,account,Urdu\n")
    out = tmp_path / "pack"
    assert cli.main(["report", str(src), "--out", str(out), "--quiet"]) == 2  # strict by default
    assert cli.main(["report", str(src), "--out", str(out), "--quiet", "--on-invalid", "quarantine"]) == 0
    rejects = pl.read_csv(out / "tables" / "rejects.csv")
    assert rejects["rule"].to_list() == ["impossible_date"] and rejects["row"].to_list() == [897]
    assert "rejected: 1" in (out / "methods.md").read_text()


def test_console_script_fails_clearly(tmp_path: pathlib.Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "takedowns", "report", str(tmp_path / "absent.csv"), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2 and "takedowns: error:" in r.stderr and "absent.csv" in r.stderr
    r = subprocess.run(
        [sys.executable, "-m", "takedowns", "report", "--ci", "2", "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2 and "confidence level" in r.stderr


def test_the_pack_compares_platforms_and_says_why_not_with_one(tmp_path: pathlib.Path) -> None:
    from takedowns import report

    written = report.build(td.sample(), tmp_path / "all", quiet=True)
    names = {p.name for p in written}
    assert {"pairwise_platform.csv", "pairwise_platform.png"} <= names
    table = pl.read_csv(tmp_path / "all" / "tables" / "pairwise_platform.csv")
    assert table.height == 15 and "Newcombe" in table["definition"][0]
    one = td.sample().filter(platform="x")
    report.build(one, tmp_path / "one", quiet=True)
    methods = (tmp_path / "one" / "report.md").read_text()
    assert "pairwise_platform: one platform: nothing to compare" in methods


def test_a_change_date_adds_its_table_and_figure(tmp_path: pathlib.Path) -> None:
    import datetime

    out = tmp_path / "pack"
    td.report.build(td.sample(), out, quiet=True, change_at=datetime.date(2025, 5, 1))
    got = pl.read_csv(out / "tables" / "change_platform.csv")
    want = td.sample().change(datetime.date(2025, 5, 1), by="platform")
    assert got["difference"].to_list() == pytest.approx(want["difference"].to_list())
    assert (out / "figures" / "trend_rate_change.png").exists()
    memo = (out / "report.md").read_text()
    assert "figures/trend_rate_change.png" in memo
    # Under "Over time", once, with its table linked.
    over_time = memo.split("## Over time")[1].split("## All tables")[0]
    assert "figures/trend_rate_change.png" in over_time and "tables/change_platform.md" in over_time
    assert memo.count("![Figure") == len(set(line for line in memo.splitlines() if line.startswith("![Figure")))
    # Without the date there is neither.
    td.report.build(td.sample(), tmp_path / "plain", quiet=True)
    assert not (tmp_path / "plain" / "tables" / "change_platform.csv").exists()
