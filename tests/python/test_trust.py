"""Nothing quietly biased, nothing lost, nothing leaked: each test is a case a user met, as they met
it (a quarantined report, an unknown label, an exported table), and what happens now."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import decimal
import os
import pathlib
import subprocess
import sys
import warnings

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import takedowns as td
from takedowns import cli, plot

SAMPLE = pathlib.Path(__file__).resolve().parents[2] / "data" / "sample.csv"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed command, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "takedowns", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture()
def awaiting(tmp_path: pathlib.Path) -> pathlib.Path:
    """The sample with every pending request labelled "Awaiting", a label the library does not know."""
    p = tmp_path / "cases.csv"
    p.write_text(SAMPLE.read_text().replace(",Still accessible,", ",Awaiting,"))
    return p


def test_a_quarantined_report_refuses_then_states_its_rejects(awaiting: pathlib.Path, tmp_path: pathlib.Path) -> None:
    out = tmp_path / "pack"
    refused = run_cli("report", str(awaiting), "--on-invalid", "quarantine", "--out", str(out))
    assert refused.returncode == 2, refused.stderr
    assert "Traceback" not in refused.stderr
    assert "refusing to report" in refused.stderr and "--force" in refused.stderr
    assert "115 of 896 rows read (12.8%)" in refused.stderr
    assert 'status "Awaiting" (115 rows)' in refused.stderr
    assert not (out / "report.md").exists()
    # A higher threshold alone does not help: a whole outcome label was lost.
    assert (
        run_cli(
            "report", str(awaiting), "--on-invalid", "quarantine", "--out", str(out), "--max-rejects", "0.5"
        ).returncode
        == 2
    )
    forced = run_cli("report", str(awaiting), "--on-invalid", "quarantine", "--out", str(out), "--force")
    assert forced.returncode == 0, forced.stderr
    assert forced.stdout.splitlines()[0].startswith("Rejected rows: 115 of 896 rows read (12.8%) were rejected")
    body = (out / "report.md").read_text().splitlines()
    assert body[2].startswith("**Rejected rows.** 115 of 896 rows read (12.8%) were rejected at load")
    assert "every row with status `Awaiting` was rejected" in body[2]
    # The headline shown below it says so too, and the tables' definitions carry it.
    assert "Note: 115 of 896 rows read" in body[4]
    table = pl.read_csv(out / "tables" / "compliance_platform.csv")
    assert table.get_column("definition").str.contains("115 of 896 rows read").all()
    methods = (out / "methods.md").read_text()
    assert "Every row with status `Awaiting` was rejected (115 rows)" in methods


def test_small_share_of_rejects_passes_the_threshold(tmp_path: pathlib.Path) -> None:
    lines = SAMPLE.read_text().splitlines()
    lines[5] = lines[5].replace("2025-", "20x5-", 1)  # one bad date: 1 of 896 rows
    p = tmp_path / "one_bad.csv"
    p.write_text("\n".join(lines) + "\n")
    cases = td.read_csv(p, on_invalid="quarantine")
    td.report.check_rejects(cases)  # 0.1%: passes
    with pytest.raises(td.RejectsError):
        td.report.check_rejects(cases, max_rejects=0.0005)


def test_analytics_on_quarantined_data_warn_once(awaiting: pathlib.Path) -> None:
    cases = td.read_csv(awaiting, on_invalid="quarantine")
    with pytest.warns(td.RejectedRowsWarning, match="115 of 896 rows read"):
        c = cases.compliance()
    assert c.get_column("definition").str.contains("115 of 896 rows read").all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cases.reach()  # once per Cases: no second warning
    fresh = td.read_csv(awaiting, on_invalid="quarantine")
    with warnings.catch_warnings():
        warnings.simplefilter("error", td.RejectedRowsWarning)
        with pytest.raises(td.RejectedRowsWarning):
            fresh.trend()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        td.sample().compliance()  # nothing rejected: no warning


def test_mappings_and_new_labels_are_in_the_methods_note(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "labels.csv"
    p.write_text(
        "case_id,platform,account,group,followers,reported_at,status\n"
        "1,Twitter,@fake_a,Fitna al-Khawarij,10,2025-01-01,withheld\n"
        "2,WhatsApp channel,@fake_b,TTP,20,2025-01-02,removed\n"
        "3,WhatsApp channel,@fake_c,TTP,30,2025-01-03,removed\n"
    )
    cases = td.read_csv(p)
    assert cases.summary().get_column("platforms").item() == "WhatsApp channel, x"
    assert "WhatsApp channel" in cases.headline()
    out = tmp_path / "pack"
    assert cli.main(["report", str(p), "--out", str(out), "--quiet"]) == 0
    methods = (out / "methods.md").read_text()
    assert "group label `Fitna al-Khawarij` read as `TTP` (1 row)" in methods
    assert "platform label `Twitter` read as `x` (1 row)" in methods
    assert "New platform `WhatsApp channel` (2 rows): not in the vocabulary, kept as given" in methods


def test_accounts_in_two_groups_are_flagged_and_the_user_chooses(tmp_path: pathlib.Path) -> None:
    df = pl.DataFrame(
        {
            "case_id": ["1", "2", "3"],
            "platform": ["X", "X", "X"],
            "account": ["@fake_a", "@fake_a", "@fake_b"],
            "group": ["TTP", "BLA", "BLA"],
            "followers": [100, 150, 50],
            "reported_at": [dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 1, 1)],
            "status": ["removed", "removed", "pending"],
        }
    )
    cases = td.from_frame(df)
    assert cases.load_report["accounts_in_several_groups"] == 1
    each = cases.reach()
    assert each.get_column("accounts").to_list() == [2, 1]
    assert each.get_column("accounts").sum() == 3 > 2  # group rows sum past the accounts in all
    assert "1 account(s) were reported under more than one group" in each.get_column("definition")[0]
    latest = cases.reach(groups="latest")
    assert latest.get_column("group").to_list() == ["BLA"]
    assert latest.get_column("accounts").to_list() == [2]


def test_figure_footnotes_describe_what_is_drawn(sample) -> None:  # type: ignore[no-untyped-def]
    fig, ax = plot.trend(sample, "month", by="platform")
    note = " ".join(t.get_text() for t in ax.texts).replace("\n", " ")
    assert "requests per month by reported_at" in note
    assert "rate =" not in note and "each period's rate" not in note
    assert "of this group" not in note


def test_reach_without_followers_raises(tmp_path: pathlib.Path) -> None:
    df = pl.DataFrame(
        {
            "case_id": ["1"],
            "platform": ["X"],
            "account": ["@fake_a"],
            "group": ["TTP"],
            "reported_at": ["2025-01-01"],
            "status": ["removed"],
        }
    )
    cases = td.from_frame(df)
    with pytest.raises(td.EmptySelectionError, match="follower counts"):
        cases.reach()
    with pytest.raises(td.EmptySelectionError, match="follower counts"):
        plot.reach(cases)


def test_aggregate_tables_load_as_published() -> None:
    published = pl.DataFrame(
        {"platform": ["X", "X", "Facebook"], "status": ["withheld", "declined", "removed"], "count": [12, 0, 7]}
    )
    cases = td.from_frame(published)
    assert cases.load_report["aggregate"] is True
    c = cases.compliance()
    assert c.select("platform", "requests", "successes").rows() == [("facebook", 7, 7), ("x", 12, 12)]
    with pytest.raises(td.SchemaError, match="`required`"):
        td.from_frame(published.with_columns(case_id=pl.Series(["1", "2", "3"])))


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_what_it_writes_it_reads(tmp_path: pathlib.Path, sample, fmt: str) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / f"cases.{fmt}"
    getattr(sample.to_polars(), f"write_{fmt}")(p)
    back = td.read(p)
    assert back.load_report["columns_dropped"] == ["account_key"]
    assert_frame_equal(back.to_polars(), sample.to_polars())


def test_frames_of_every_kind_load_or_fail_by_name() -> None:
    pd = pytest.importorskip("pandas")
    base = {"platform": ["X", "X"], "status": ["removed", "pending"], "count": [1, 2]}
    dec = pl.DataFrame({**base, "followers": [decimal.Decimal("12.00"), decimal.Decimal("7")]})
    assert td.from_frame(dec).to_polars().get_column("followers").to_list() == [12, 7]
    mixed = pd.DataFrame(
        {
            **base,
            "case_id": [1, "b"],
            "account": ["@fake_a", "@fake_b"],
            "group": ["TTP", "BLA"],
            "reported_at": ["2025-01-01", "2025-01-02"],
        }
    )
    assert td.from_frame(mixed).to_polars().get_column("case_id").to_list() == ["1", "b"]
    dupes = pd.DataFrame([["X", "removed", "pending"]], columns=["platform", "status", "status"])
    with pytest.raises(td.SchemaError, match="'status' appear more than once"):
        td.from_frame(dupes)


def test_many_threads_on_one_cases_agree(sample) -> None:  # type: ignore[no-untyped-def]
    jobs = [
        lambda: sample.compliance(by=["group", "platform"]),
        lambda: sample.reach(by="platform"),
        lambda: sample.trend("week", by="platform"),
        lambda: sample.time_to_action(by="group"),
        lambda: sample.crosstab("group", "platform", value="rate"),
    ]
    want = [job() for job in jobs]
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda i: jobs[i % len(jobs)](), range(40)))
    for i, frame in enumerate(got):
        assert_frame_equal(frame, want[i % len(jobs)])


def test_parquet_page_checksums_are_verified(tmp_path: pathlib.Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table = pa.table({"platform": ["X"] * 50, "status": ["removed"] * 50, "count": list(range(1, 51))})
    good = tmp_path / "good.parquet"
    pq.write_table(table, good, write_page_checksum=True, compression="none", use_dictionary=False)
    assert len(td.read_parquet(good)) == 50
    data = bytearray(good.read_bytes())
    at = bytes(data).index((37).to_bytes(8, "little"))  # the value 37 of `count`, inside a data page
    data[at] ^= 0x01
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(bytes(data))
    with pytest.raises(td.FileFormatError, match="CRC-32"):
        td.read_parquet(bad)


def test_pseudonymised_pack_holds_no_handle(tmp_path: pathlib.Path) -> None:
    key = tmp_path / "key"
    key.write_bytes(os.urandom(32))
    out = tmp_path / "pack"
    done = run_cli("report", "--out", str(out), "--quiet", "--pseudonymise-key-file", str(key))
    assert done.returncode == 0, done.stderr
    for f in out.rglob("*"):
        if f.suffix in (".csv", ".md", ".svg"):
            assert "@fake" not in f.read_text(), f
    assert "keyed pseudonyms" in (out / "methods.md").read_text()
    assert done.returncode == 0 and key.read_bytes().hex() not in "".join(
        f.read_text() for f in out.rglob("*") if f.suffix in (".csv", ".md")
    )


def test_out_cannot_escape_or_be_a_file(tmp_path: pathlib.Path) -> None:
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    done = run_cli("report", "--out", str(a_file), "--quiet")
    assert done.returncode == 2 and "is a file" in done.stderr and "Traceback" not in done.stderr
    out = tmp_path / "pack"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / "tables").symlink_to(elsewhere)
    done = run_cli("report", "--out", str(out), "--quiet")
    assert done.returncode == 2 and "outside the output folder" in done.stderr
    assert list(elsewhere.iterdir()) == []


def test_a_file_without_dates_gives_a_pack_without_the_dated_sections(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "published.csv"
    p.write_text("platform,status,count\nX,withheld,12\nX,declined,3\nFacebook,removed,7\n")
    out = tmp_path / "pack"
    done = run_cli("report", str(p), "--out", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    left_out = (out / "report.md").read_text().split("## Left out")[1]
    for name in ("trend_month", "time_to_action_platform", "reach_group"):
        assert f"- {name}:" in left_out
    assert (out / "tables" / "compliance_platform.csv").exists()


def test_min_cell_suppresses_the_exported_tables(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "pack"
    done = run_cli("report", "--out", str(out), "--quiet", "--min-cell", "10")
    assert done.returncode == 0, done.stderr
    t = pl.read_csv(out / "tables" / "compliance_group_platform.csv", infer_schema_length=0)
    counts = ["removed", "restricted", "rejected", "pending"]
    hidden = t.select(pl.any_horizontal(pl.col(c).is_in(["<10", "suppressed"]) for c in counts)).to_series()
    assert hidden.any()
    for row in t.iter_rows(named=True):
        # No row of outcomes can be completed by subtraction from its total.
        n_hidden = sum(row[c] in ("<10", "suppressed") for c in counts)
        assert n_hidden != 1, row
        if row["successes"] in ("<10", "suppressed") or row["denominator"] in ("<10", "suppressed"):
            assert row["rate"] == row["ci_low"] == row["ci_high"] == "suppressed", row
    # The exact figures are not drawn, and the memo sentence (which cannot show "<10") is left out.
    assert not list((out / "figures").glob("*.png"))
    report_md = (out / "report.md").read_text()
    assert "headline is left out" in report_md and "Between" not in report_md
    assert "## Small cells" in (out / "methods.md").read_text()
