"""The command line for people who live in spreadsheets: their own headers and labels as flags,
and clear exits for mistakes."""

from __future__ import annotations

import io
import pathlib
import re
import sys

import pytest

import takedowns as td
from takedowns import cli

SHEET = (
    "Ref No,Platform,Handle,Organisation,Date reported,Outcome\n"
    "R1,Twitter,@fake_one,Fitna al-Hindustan,03/04/2025,Actioned\n"
    "R2,FB,@fake_two,TTP,14/04/2025,Still accessible\n"
    "R3,FB,@fake_three,TTP,15/04/2025,Actioned\n"
)
FLAGS = [
    "--columns", "Ref No=case_id",
    "--columns", "Handle=account",
    "--columns", "Organisation=group",
    "--columns", "Date reported=reported_at",
    "--columns", "Outcome=status",
    "--status-labels", "Actioned=removed",
    "--group-aliases", "Fitna al-Hindustan=BLA",
    "--date-order", "day-first",
]  # fmt: skip


def sheet(tmp_path: pathlib.Path) -> str:
    p = tmp_path / "sheet.csv"
    p.write_text(SHEET)
    return str(p)


def test_check_reads_a_sheet_with_its_own_headers_and_labels(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["check", sheet(tmp_path), *FLAGS]) == 0
    out = capsys.readouterr().out
    assert "3 rows read, 3 accepted, 0 rejected" in out
    assert "status 'Actioned' read as 'removed' (2 rows)" in out
    assert "group 'Fitna al-Hindustan' read as 'BLA' (1 row)" in out


def test_aliases_from_a_file(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    aliases = tmp_path / "groups.csv"
    aliases.write_text("alias,group\nFitna al-Hindustan,BLA\n")
    flags = [f for f in FLAGS if f != "Fitna al-Hindustan=BLA"]
    flags[flags.index("--group-aliases")] = "--group-aliases"
    flags.insert(flags.index("--group-aliases") + 1, str(aliases))
    assert cli.main(["check", sheet(tmp_path), *flags]) == 0
    assert "group 'Fitna al-Hindustan' read as 'BLA'" in capsys.readouterr().out


def test_a_flag_without_a_pair_exits_2_naming_it(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", sheet(tmp_path), "--columns", "Ref No"]) == 2
    err = capsys.readouterr().err
    assert "--columns takes FROM=TO" in err and "Traceback" not in err


def test_without_the_flags_the_missing_columns_are_named(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["check", sheet(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "missing required column(s) `case_id`, `account`, `group`, `reported_at`, `status`" in err
    # Each with the header of the sheet that looks like it.
    assert (
        'Perhaps columns={"Ref No": "case_id", "Handle": "account", "Organisation": "group", '
        '"Date reported": "reported_at", "Outcome": "status"}?' in err
    )


def test_out_pointing_to_a_file_exits_2(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "report.md"
    target.write_text("mine")
    assert cli.main(["report", "--out", str(target), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "is a file; give a directory" in err and "Traceback" not in err
    assert target.read_text() == "mine"


def test_a_sheets_trailing_empty_rows_are_skipped_and_said(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Excel writes ",,,,," for rows it once formatted; they are not requests, and a strict load
    # must not fail on them. Row numbers keep counting them, so rejects point at the sheet's line.
    p = tmp_path / "sheet.csv"
    p.write_text(SHEET.replace("R2,", ",,,,,\nR2,") + ",,,,,\n ,,, , ,\n")
    assert cli.main(["check", str(p), *FLAGS]) == 0
    out = capsys.readouterr().out
    assert "3 rows read, 3 accepted, 0 rejected" in out
    assert "3 entirely empty row(s) skipped" in out
    import takedowns as td

    bad = p.read_text().replace("R3,FB", "R3,FB,extra")
    p.write_text(bad)
    cases = td.read_csv(
        p,
        columns={
            "Ref No": "case_id",
            "Handle": "account",
            "Organisation": "group",
            "Date reported": "reported_at",
            "Outcome": "status",
        },
        status_labels={"Actioned": "removed"},
        date_order="day-first",
        on_invalid="quarantine",
    )
    assert cases.load_report["blank_rows"] == 3
    # R3 is the 4th record after the header (a blank row before R2): its row number says so.
    assert cases.rejects.select("row", "rule").rows() == [(4, "malformed_row")]


def test_null_markers_and_thousands_separators_of_a_sheet(tmp_path: pathlib.Path) -> None:
    import takedowns as td

    p = tmp_path / "sheet.csv"
    p.write_text(
        "case_id,platform,account,group,followers,reported_at,status,agency\n"
        '1,X,@fake_a,TTP,"12,000",2025-03-01,removed,n/a\n'
        '2,X,@fake_b,TTP,"1,250,000",2025-03-02,pending,-\n'
        "3,X,@fake_c,TTP,N/A,2025-03-03,removed,PTA\n"
        '4,X,@fake_d,TTP,"12,00",2025-03-04,removed,PTA\n'
    )
    cases = td.read_csv(p, null_values=["n/a", "-"], thousands=",", on_invalid="quarantine")
    got = cases.to_polars().select("case_id", "followers", "agency").rows()
    assert got == [("1", 12_000, None), ("2", 1_250_000, None), ("3", None, "PTA")]
    # "12,00" does not group by three: rejected, never read as 1,200.
    assert cases.rejects.select("row", "value", "rule").rows() == [(4, "12,00", "invalid_integer")]
    assert cases.load_report["null_values_read"] == 3
    # Without the options the same sheet is not silently misread.
    plain = td.read_csv(p, on_invalid="quarantine")
    assert plain.load_report["rows_rejected"] == 4
    assert plain.to_polars()["agency"].to_list() == []


def test_a_semicolon_sheet_gets_a_hint_then_loads(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    import takedowns as td

    p = tmp_path / "sheet.csv"
    p.write_text(
        "case_id;platform;account;group;followers;reported_at;status\n"
        "1;X;@fake_a;TTP;12.000;2025-03-01;removed\n"
        "2;X;@fake_b;TTP;1.250.000;2025-03-02;pending\n"
    )
    with pytest.raises(td.FileFormatError, match='looks ";"-separated; pass delimiter=";"'):
        td.read_csv(p)
    cases = td.read_csv(p, delimiter=";", thousands=".")
    assert cases.to_polars()["followers"].to_list() == [12_000, 1_250_000]
    # Without thousands=".", "12.000" is refused, never read as twelve.
    plain = td.read_csv(p, delimiter=";", on_invalid="quarantine")
    assert plain.rejects.select("row", "value", "rule").rows() == [
        (1, "12.000", "invalid_integer"),
        (2, "1.250.000", "invalid_integer"),
    ]
    assert cli.main(["check", str(p), "--delimiter", ";"]) == 1
    assert "invalid_integer" in capsys.readouterr().out
    with pytest.raises(td.InvalidArgumentError, match="cannot separate fields"):
        td.LoadOptions(delimiter='"')


def test_a_messy_workbook_loads_and_makes_a_pack(tmp_path: pathlib.Path, messy_workbook) -> None:  # type: ignore[no-untyped-def]
    from takedowns import report

    sheet = pathlib.Path(__file__).resolve().parent.parent / "data" / "messy_sheet.xlsx"
    cases = messy_workbook
    r = cases.load_report
    assert (r["rows_read"], r["rows_accepted"], r["rows_rejected"], r["blank_rows"]) == (5, 4, 1, 1)
    # The empty row is counted, so R4 is the 5th row below the header, line 6 of the sheet.
    assert cases.rejects.select("row", "case_id", "value", "rule").rows() == [
        (5, "R4", "31/02/2025", "impossible_date")
    ]
    got = cases.to_polars().select("case_id", "platform", "account_key", "group", "followers", "status").rows()
    assert got == [
        ("R1", "x", "fake_one", "TTP", 12_000, "removed"),
        ("R2", "facebook", "fake_two", "BLA", 1_250, "pending"),
        ("R3", "facebook", "fake_three", "BLA", 3, "removed"),
        ("R5", "x", "fake_one", "TTP", 15_000, "rejected"),
    ]
    # x.com/fake_one?s=20 and @fake_one are one account: 3 accounts, not 4.
    assert cases.reach(by=None)["accounts"].to_list() == [3]
    assert r["sha256"] and r["source"].endswith("messy_sheet.xlsx")
    out = tmp_path / "pack"
    report.build(cases, out, input_path=str(sheet), quiet=True, force=True)
    methods = (out / "methods.md").read_text()
    assert "1 entirely empty row(s)" in methods and "impossible_date" in methods


def test_read_excel_errors_are_takedowns_errors(tmp_path: pathlib.Path) -> None:
    import takedowns as td

    with pytest.raises(td.FileError, match="No such file"):
        td.read_excel(tmp_path / "absent.xlsx")
    not_a_book = tmp_path / "notes.xlsx"
    not_a_book.write_text("hello")
    with pytest.raises(td.FileFormatError, match="cannot read as a workbook"):
        td.read_excel(not_a_book)


def test_the_cli_reads_a_workbook(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = pathlib.Path(__file__).resolve().parent.parent / "data" / "messy_sheet.xlsx"
    args = ["check", str(sheet), *FLAGS, "--thousands", ",", "--null-values", "n/a"]
    assert cli.main(args) == 1  # one impossible date
    out = capsys.readouterr().out
    assert "5 rows read, 4 accepted, 1 rejected" in out
    assert "1 entirely empty row(s) skipped" in out and "impossible_date" in out
    out_dir = tmp_path / "pack"
    assert (
        cli.main(
            ["report", str(sheet), *args[2:], "--out", str(out_dir), "--quiet", "--on-invalid", "quarantine", "--force"]
        )
        == 0
    )
    assert "impossible_date" in (out_dir / "methods.md").read_text()


CONFIG = """
[load]
date_order = "day-first"
columns = { "Ref No" = "case_id", "Handle" = "account", "Organisation" = "group", "Date reported" = "reported_at", "Outcome" = "status" }
status_labels = { Actioned = "removed" }
group_aliases = { "Fitna al-Hindustan" = "BLA" }

[report]
cite = "Ministry case log, RTI release"
title = "Takedowns in April"
as_of = 2025-04-30
pending = "exclude"
"""


def test_a_takedowns_toml_holds_the_options(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    src = sheet(tmp_path)
    (tmp_path / "takedowns.toml").write_text(CONFIG)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check", src]) == 0
    captured = capsys.readouterr()
    assert "using options from takedowns.toml" in captured.err
    assert "3 rows read, 3 accepted, 0 rejected" in captured.out
    assert "group 'Fitna al-Hindustan' read as 'BLA' (1 row)" in captured.out
    assert cli.main(["report", src, "--out", "pack", "--quiet"]) == 0
    md = (tmp_path / "pack" / "report.md").read_text().splitlines()
    assert md[0] == "# Takedowns in April"
    assert md[4] == "*Source: Ministry case log, RTI release. Data as of 30 April 2025.*"
    # pending = "exclude" from the file: R2 is still accessible (live), so decided, not pending.
    methods = (tmp_path / "pack" / "methods.md").read_text()
    assert "decided requests (pending excluded)" in methods
    # A flag wins over the file; pairs on the command line add to the file's.
    assert cli.main(["report", src, "--out", "pack2", "--quiet", "--title", "Mine", "--status-labels", "Still accessible=rejected"]) == 0  # fmt: skip
    assert (tmp_path / "pack2" / "report.md").read_text().startswith("# Mine\n")
    assert "Still accessible" in (tmp_path / "pack2" / "methods.md").read_text()


def test_a_config_file_with_a_typo_exits_2_naming_key_and_file(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "opts.toml"
    bad.write_text('[load]\nstatus_label = { Actioned = "removed" }\n')
    assert cli.main(["check", sheet(tmp_path), "--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "opts.toml: unknown key 'status_label' in [load]; did you mean 'status_labels'?" in err
    bad.write_text("[reprot]\n")
    assert cli.main(["check", sheet(tmp_path), "--config", str(bad)]) == 2
    assert "unknown table [reprot]; did you mean 'report'?" in capsys.readouterr().err
    bad.write_text("[load\n")
    assert cli.main(["check", sheet(tmp_path), "--config", str(bad)]) == 2
    assert "opts.toml is not valid TOML" in capsys.readouterr().err
    bad.write_text('[load]\ncolumns = "Ref No=case_id"\n')
    assert cli.main(["check", sheet(tmp_path), "--config", str(bad)]) == 2
    assert 'columns is a table of text, e.g. columns = { "Ref No" = "case_id" }' in capsys.readouterr().err
    assert cli.main(["check", sheet(tmp_path), "--config", str(tmp_path / "absent.toml")]) == 2
    assert "cannot read the config file" in capsys.readouterr().err


PUBLISHED = 'Platform,Blocked,Not blocked,Pending\nFacebook,"1,204",12,30\nX,88,150,0\nTikTok,,4,n/a\n'
OUTCOMES = {"Blocked": "removed", "Not blocked": "rejected", "Pending": "pending"}


def test_a_wide_published_table_loads_with_one_option(tmp_path: pathlib.Path) -> None:
    import polars as pl

    import takedowns as td

    p = tmp_path / "published.csv"
    p.write_text(PUBLISHED)
    cases = td.read_csv(p, outcome_columns=OUTCOMES, thousands=",", null_values=["n/a"], on_invalid="quarantine")  # type: ignore[arg-type]
    r = cases.load_report
    # 3 rows x 3 outcome columns = 9 cells; TikTok's empty and n/a cells are rejected, not zero.
    assert (r["rows_read"], r["rows_accepted"], r["rows_rejected"]) == (9, 7, 2)
    assert r["wide"] == {"rows": 3, "outcome_columns": [("Blocked", "removed"), ("Not blocked", "rejected"), ("Pending", "pending")]}  # fmt: skip
    assert cases.rejects.select("row", "column").rows() == [(3, "Blocked"), (3, "Pending")]
    t = cases.compliance(by="platform", pending="exclude").sort("platform")
    # By hand: Facebook 1,204 of 1,204 + 12 decided; X 88 of 238; TikTok 0 of 4.
    assert t.select("platform", "successes", "n").rows() == [("facebook", 1204, 1216), ("tiktok", 0, 4), ("x", 88, 238)]
    # The same table as a frame with integer cells.
    frame = pl.DataFrame(
        {"Platform": ["Facebook", "X"], "Blocked": [1204, 88], "Not blocked": [12, 150], "Pending": [30, 0]}
    )
    again = td.from_frame(frame, outcome_columns=OUTCOMES)  # type: ignore[arg-type]
    assert again.compliance(by="platform").sort("platform")["requests"].to_list() == [1246, 238]


def test_cli_errors_speak_in_flags(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "sheet.csv"
    p.write_text(SHEET.replace("03/04/2025", "31/02/2025"))
    assert cli.main(["report", str(p), *FLAGS, "--out", str(tmp_path / "pack"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "pass --on-invalid quarantine to load the valid rows" in err and "on_invalid=" not in err


def test_the_cli_checks_a_wide_table(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "published.csv"
    p.write_text(PUBLISHED)
    flags = [f"--outcome-columns={k}={v}" for k, v in OUTCOMES.items()]
    assert cli.main(["check", str(p), *flags, "--thousands", ",", "--null-values", "n/a"]) == 1
    out = capsys.readouterr().out
    assert "9 rows read, 7 accepted, 2 rejected" in out
    assert (
        "read as a wide table: 3 rows x 3 outcome columns (Blocked=removed, Not blocked=rejected, Pending=pending)"
        in out
    )
    (tmp_path / "takedowns.toml").write_text(
        '[load]\noutcome_columns = { Blocked = "removed", "Not blocked" = "rejected" }\n'
    )
    assert cli.main(["check", str(p), "--config", str(tmp_path / "takedowns.toml"), "--thousands", ","]) == 1
    assert "3 rows x 2 outcome columns" in capsys.readouterr().out


class _Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_report_shows_a_progress_bar_on_a_terminal_and_nothing_elsewhere(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "cases.csv"
    td.sample().to_polars().drop("account_key").write_csv(src)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setenv("COLUMNS", "400")  # a wide terminal: the bar is cut to the terminal's width
    assert cli.main(["report", str(src), "--out", str(tmp_path / "a")]) == 0
    drawn = terminal.getvalue()
    # Each phase's bar, redrawn in place (carriage returns, no newline), with the step it is on.
    assert "\n" not in drawn.split("wrote ")[0]
    assert f"loading {src} ..." in drawn
    n = len(re.findall(r"\rtables \[", drawn))
    assert n >= 8, drawn[:500]
    assert "tables [------------------------] 0/" in drawn
    assert re.search(r"tables \[#+-*\] \d+/\d+ compliance_platform", drawn)
    assert re.search(r"figures \[#+-*\] \d+/\d+ figures/", drawn)
    # Its line is cleared before what follows, which starts clean.
    assert drawn.split("\r")[-1].startswith("wrote ")
    # Not a terminal: no bar and no step messages, only where the pack went (and the headline
    # on stdout).
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    capsys.readouterr()
    assert cli.main(["report", str(src), "--out", str(tmp_path / "b")]) == 0
    assert sys.stderr.getvalue().splitlines() == [f"wrote 61 files to {tmp_path / 'b'}"]  # type: ignore[attr-defined]
    assert "Memo pack:" in capsys.readouterr().out
    # --quiet on a terminal: nothing either.
    quiet = _Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    assert cli.main(["report", str(src), "--out", str(tmp_path / "c"), "--quiet"]) == 0
    assert quiet.getvalue() == ""


def test_a_failing_load_clears_the_bar_before_its_error(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("platform,status\nx,maybe\n")
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert cli.main(["report", str(bad), "--out", str(tmp_path / "p")]) == 2
    drawn = terminal.getvalue()
    bar_end = drawn.rindex("\r")
    assert drawn[bar_end + 1 :].startswith("takedowns: error:"), drawn


def test_the_progress_bar_fits_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import shutil

    from takedowns._progress import Progress

    monkeypatch.setattr(shutil, "get_terminal_size", lambda fallback=(80, 24): os.terminal_size((40, 24)))
    terminal = _Terminal()
    bar = Progress(stream=terminal)
    bar.begin("writing tables", 11)
    for name in ("tables/crosstab_group_platform_cases", "tables/summary", "x" * 200):
        bar.step(name)
    bar.end()
    # Every redraw within 39 columns (a wrapped line would leave its first part behind).
    assert all(len(line) <= 39 for line in terminal.getvalue().split("\r")), terminal.getvalue()
