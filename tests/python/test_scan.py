"""Scans agree with loading the same data; write_synthetic writes what synthetic makes."""

from __future__ import annotations

import pathlib

import polars as pl
import pytest

import takedowns as td


def _broken(n: int) -> pl.DataFrame:
    """Synthetic cases with an unknown status every 401 rows and negative followers every 613."""
    df = td.synthetic(n, seed=4).with_row_index("i")
    return df.with_columns(
        pl.when(pl.col("i") % 401 == 5).then(pl.lit("maybe")).otherwise(pl.col("status")).alias("status"),
        pl.when(pl.col("i") % 613 == 2).then(-1).otherwise(pl.col("followers")).alias("followers"),
    ).drop("i")


def _same(a: pl.DataFrame, b: pl.DataFrame) -> None:
    assert a.drop("definition").equals(b.drop("definition")), f"{a}\n{b}"


def test_scan_matches_a_quarantined_read(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "cases.parquet"
    _broken(12_000).write_parquet(path)
    cases = td.read_parquet(path, on_invalid="quarantine")
    scan = td.scan_parquet(path)
    assert scan.rows == 12_000
    _same(scan.compliance(by="platform"), cases.compliance(by="platform"))
    _same(scan.trend("week", by="group"), cases.trend("week", by="group"))
    _same(scan.reach(by="group"), cases.reach(by="group"))
    _same(scan.reach(by="group", passes=4), cases.reach(by="group"))
    report = scan.last_report
    assert report is not None
    assert report["rows_read"] == report["rows_accepted"] + report["rows_rejected"] == 12_000
    # Rows 6, 407, 808 ... have an unknown status; rows 3, 616 ... negative followers (1-based).
    assert report["problems_by_rule"] == {
        "unknown_status": len(range(5, 12_000, 401)),
        "negative_followers": len(range(2, 12_000, 613)),
    }
    assert report["rows_rejected"] == cases.load_report["rows_rejected"]
    rejects = scan.last_rejects
    assert rejects is not None
    assert rejects.select("row", "rule").row(0) == (3, "negative_followers")
    assert rejects.select("row", "rule").row(1) == (6, "unknown_status")
    assert "rejected by validation" in scan.compliance()["definition"][0]


def test_scan_reads_hive_partitions_as_columns(tmp_path: pathlib.Path) -> None:
    # agency=<name>/batch=<k>/0.parquet: `agency` is a canonical column, `batch` an extra one.
    df = td.synthetic(4_000, seed=2).with_columns((pl.int_range(pl.len()) % 2).alias("batch"))
    for (agency, batch), part in df.group_by("agency", "batch"):
        d = tmp_path / f"agency={agency}" / f"batch={batch}"
        d.mkdir(parents=True)
        part.drop("agency", "batch").write_parquet(d / "0.parquet")
    scan = td.scan_parquet(tmp_path)
    assert scan.rows == 4_000
    assert scan.extra_columns == ["batch"]
    want = td.from_frame(df)
    got = scan.compliance(by="agency").select(pl.col("agency").cast(pl.String), "requests", "rate")
    assert got.equals(want.compliance(by="agency").select("agency", "requests", "rate"))
    got = scan.reach(by="batch").select(pl.col("batch").cast(pl.Int64), "accounts", "followers")
    assert got.equals(want.reach(by="batch").select(pl.col("batch").cast(pl.Int64), "accounts", "followers"))


def test_write_synthetic_writes_the_synthetic_rows(tmp_path: pathlib.Path) -> None:
    files = td.write_synthetic(tmp_path / "d", 5_000, seed=9, files=2)
    assert len(files) == 2
    back = pl.concat([pl.read_parquet(f) for f in files])
    assert back.equals(td.synthetic(5_000, seed=9))
    [csv] = td.write_synthetic(tmp_path / "c.csv", 1_000, seed=9, format="csv")
    assert len(td.read_csv(csv)) == 1_000


def test_scan_errors(tmp_path: pathlib.Path) -> None:
    with pytest.raises(td.FileError):
        td.scan_parquet(tmp_path / "missing.parquet")
    td.synthetic(100).drop("status").write_parquet(tmp_path / "x.parquet")
    with pytest.raises(td.SchemaError):
        td.scan_parquet(tmp_path / "x.parquet")
    td.synthetic(100).write_parquet(tmp_path / "ok.parquet")
    with pytest.raises(ValueError):
        td.scan_parquet(tmp_path / "ok.parquet").reach(passes=0)
    with pytest.raises(td.InvalidArgumentError, match="passes asked; at most 1024"):
        td.scan_parquet(tmp_path / "ok.parquet").reach(passes=10**9)
    # A scan always quarantines: asking it to fail on invalid rows is refused, not ignored.
    with pytest.raises(td.InvalidArgumentError, match="a scan always quarantines") as e:
        td.scan_parquet(tmp_path / "ok.parquet", on_invalid="raise")  # type: ignore[call-arg]
    assert e.value.argument == "on_invalid"
    assert td.scan_parquet(tmp_path / "ok.parquet", on_invalid="quarantine").rows == 100  # type: ignore[call-arg]
    with pytest.raises(td.InvalidArgumentError):
        td.write_synthetic(tmp_path / "y", 10, format="xlsx")
    # A file that breaks its format while the scan streams it is named, as a load names it.
    good = tmp_path / "good.parquet"
    td.sample().to_polars().write_parquet(good, compression="uncompressed")
    broken = bytearray(good.read_bytes())
    broken[len(broken) // 2] ^= 0xFF
    (tmp_path / "bad.parquet").write_bytes(bytes(broken))
    with pytest.raises(td.FileFormatError, match="bad.parquet: cannot read as Parquet"):
        td.scan_parquet(tmp_path / "bad.parquet").compliance(by="platform")
    # A file whose folder has brackets in its name is that file, not a pattern.
    (tmp_path / "batch[1]").mkdir()
    td.sample().to_polars().write_parquet(tmp_path / "batch[1]" / "a.parquet")
    assert td.scan_parquet(tmp_path / "batch[1]" / "a.parquet").compliance(by="platform").height == 6


def test_write_synthetic_writes_csv_to_a_csv_path(tmp_path: pathlib.Path) -> None:
    (path,) = td.write_synthetic(tmp_path / "cases.csv", 500, seed=2)
    assert pathlib.Path(path).read_text().splitlines()[0].startswith("case_id,")
    assert td.read_csv(path).load_report["rows_read"] == 500
    (parquet,) = td.write_synthetic(tmp_path / "cases.parquet", 500, seed=2)
    assert pathlib.Path(parquet).read_bytes()[:4] == b"PAR1"


def _tables() -> list[td.Table]:
    return [
        td.Table.compliance("platform"),
        td.Table.compliance(["group", "platform"], method="jeffreys", pending="exclude"),
        td.Table.reach("group"),
        td.Table.reach("platform", followers="latest"),
        td.Table.trend("month", by="platform"),
        td.Table.trend("quarter", on="actioned_at"),
        td.Table.crosstab("group", "platform"),
        td.Table.crosstab("group", "platform", value="rate"),
        td.Table.crosstab("group", "platform", value="accounts"),
        td.Table.crosstab("platform", "group", value="followers", followers="latest"),
    ]


def _own(source: td.Cases | td.Scan, t: td.Table, i: int) -> pl.DataFrame:
    """The same table from the method's own call (the calls mirror `_tables`)."""
    calls = [
        lambda: source.compliance(by="platform"),
        lambda: source.compliance(by=["group", "platform"], method="jeffreys", pending="exclude"),
        lambda: source.reach(by="group"),
        lambda: source.reach(by="platform", followers="latest"),
        lambda: source.trend("month", by="platform"),
        lambda: source.trend("quarter", on="actioned_at"),
        lambda: source.crosstab("group", "platform"),
        lambda: source.crosstab("group", "platform", value="rate"),
        lambda: source.crosstab("group", "platform", value="accounts"),
        lambda: source.crosstab("platform", "group", value="followers", followers="latest"),
    ]
    return calls[i]()


@pytest.mark.filterwarnings("ignore::takedowns.RejectedRowsWarning")
def test_tables_in_one_pass_equal_each_call(tmp_path: pathlib.Path) -> None:
    # Two files with rejected rows: one pass of ten tables gives each method's table, in memory
    # and on the scan, and the pass's report counts every row once.
    df = _broken(9_000)
    df.slice(0, 4_000).write_parquet(tmp_path / "a.parquet")
    df.slice(4_000).write_parquet(tmp_path / "b.parquet")
    cases = td.from_frame(df, on_invalid="quarantine")
    scan = td.scan_parquet(tmp_path)
    tables = _tables()
    assert [t.kind for t in tables[:3]] == ["compliance", "compliance", "reach"]
    assert tables[1].by == ["group", "platform"]
    in_memory = cases.tables(tables)
    for passes in (None, 3):
        got = scan.tables(tables, passes=passes)
        report = scan.last_report
        assert report is not None and report["rows_read"] == 9_000
        assert report["rows_rejected"] == cases.load_report["rows_rejected"] > 0
        for i, (t, g, m) in enumerate(zip(tables, got, in_memory)):
            assert m.equals(_own(cases, t, i)), t
            _same(g, m)
            assert g.equals(_own(scan, t, i)), t
            assert "9000 rows read" in g["definition"][0]


def test_tables_refuse_what_a_scan_cannot_do(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "cases.parquet"
    td.synthetic(500, seed=3).write_parquet(path)
    scan = td.scan_parquet(path)
    with pytest.raises(TypeError, match="wrap one table in a list"):
        scan.tables(td.Table.compliance())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must hold takedowns.Table"):
        scan.tables(["compliance"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="passes"):
        scan.tables([td.Table.reach()], passes=0)
    with pytest.raises(td.InvalidArgumentError, match="unit=account"):
        scan.tables([td.Table.trend(), td.Table.compliance(unit="account")])
    with pytest.raises(td.InvalidArgumentError, match="groups=latest"):
        scan.tables([td.Table.reach(groups="latest")])
    with pytest.raises(td.InvalidArgumentError, match="no column `nope`"):
        scan.tables([td.Table.compliance(), td.Table.trend(by="nope")])
    with pytest.raises(TypeError):
        td.Table()


def test_a_csv_scan_equals_a_read_of_the_file(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A spreadsheet's export: `;` between fields, `N/A` for missing, thousands separators,
    renamed headers, an empty line, a record with no value and one with a field too few."""
    lines = ["Case ID;Platform;Account;Group;Followers;Reported at;Status"]
    for i in range(6_000):
        followers = "N/A" if i % 97 == 3 else f"{i % 50},{i % 1000:03}"
        status = ["Removed", "pending", "maybe", "rejected"][i % 4] if i % 501 == 0 else "removed"
        lines.append(
            f"K{i};{['Facebook', 'X', 'TikTok'][i % 3]};@fake_{i % 700};TTP;{followers};2025-{1 + i % 12:02}-{1 + i % 28:02};{status}"
        )
    lines[40] = ""
    lines[41] = ";;;;;;"
    lines[2_000] = "K1999;X;@fake_1"
    path = tmp_path / "export.csv"
    path.write_text("\n".join(lines) + "\n")
    options = {"delimiter": ";", "null_values": ["N/A"], "thousands": ","}
    cases = td.read_csv(path, on_invalid="quarantine", **options)  # type: ignore[arg-type]
    scan = td.scan_csv(path, **options)  # type: ignore[arg-type]
    assert scan.rows == cases.load_report["rows_read"] == 5_998
    _same(scan.compliance(by="platform"), cases.compliance(by="platform"))
    _same(scan.reach(by="group"), cases.reach(by="group"))
    _same(scan.trend("month", by="platform"), cases.trend("month", by="platform"))
    report = scan.last_report
    assert report is not None
    want = cases.load_report
    for key in ("rows_read", "rows_rejected", "blank_rows", "problems_by_rule", "null_values_read"):
        assert report[key] == want[key], key
    assert report["problems_by_rule"]["malformed_row"] == 1
    rejects = scan.last_rejects
    assert rejects is not None
    assert rejects.select("row", "rule").rows()[:3] == cases.rejects.select("row", "rule").rows()[:3]
    assert (2_000, "malformed_row") in rejects.select("row", "rule").rows()
    # The command line's check streams a CSV file too.
    from takedowns import cli

    capsys.readouterr()
    assert cli.main(["check", str(path), "--scan", "--delimiter", ";", "--null-values", "N/A", "--thousands", ","]) == 1
    out = capsys.readouterr().out
    # As a load's check: blank rows, labels read as canonical ones, with the same counts.
    assert cli.main(["check", str(path), "--delimiter", ";", "--null-values", "N/A", "--thousands", ","]) == 1
    loaded = capsys.readouterr().out
    notes = sorted(line for line in out.splitlines() if " read as " in line or "empty row" in line)
    assert "2 entirely empty row(s) skipped" in out
    assert "  platform 'Facebook' read as 'facebook'" in out
    assert notes == sorted(line for line in loaded.splitlines() if " read as " in line or "empty row" in line)
    # As in Python, a scan refuses to fail on invalid rows rather than quarantine them quietly.
    assert cli.main(["check", str(path), "--scan", "--delimiter", ";", "--on-invalid", "raise"]) == 2


def test_a_csv_scan_refuses_a_quoted_file_with_its_row(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "quoted.csv"
    td.synthetic(50).write_csv(path)
    text = path.read_text().splitlines()
    text[7] = text[7].replace("@", '"@', 1).replace(",", '",', 3)
    path.write_text("\n".join(text) + "\n")
    with pytest.raises(td.FileFormatError, match="row 7 holds a quote.*read_csv"):
        td.scan_csv(path)
    with pytest.raises(td.InvalidArgumentError, match="a scan always quarantines"):
        td.scan_csv(path, on_invalid="raise")  # type: ignore[call-arg]
