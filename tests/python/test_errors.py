"""Each exception class is raised where it should be, naming row, column and value."""

from __future__ import annotations

import pathlib

import polars as pl
import pytest

import takedowns as td
from takedowns import errors

HEADER = "case_id,platform,account,group,reported_at,actioned_at,status\n"


def write(tmp_path: pathlib.Path, name: str, text: str | bytes) -> pathlib.Path:
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text)
    return p


def test_hierarchy() -> None:
    assert issubclass(td.FileError, OSError) and issubclass(td.FileFormatError, td.FileError)
    for cls in (td.ValidationError, td.SchemaError, td.InvalidArgumentError, td.EmptySelectionError):
        assert issubclass(cls, ValueError) and issubclass(cls, td.TakedownsError)
    assert issubclass(td.ComputeError, RuntimeError)
    assert set(errors.__all__) <= set(td.__all__)


def test_validation_error_carries_problems(tmp_path: pathlib.Path) -> None:
    p = write(
        tmp_path,
        "bad.csv",
        HEADER + "1,X,@fake_a,TTP,2025-01-05,2025-01-02,removed\n" + "2,X,@fake_b,TTP,2025-01-05,,sometimes\n",
    )
    with pytest.raises(td.ValidationError) as info:
        td.read_csv(p)
    e = info.value
    assert e.total == 2
    assert isinstance(e.problems, pl.DataFrame)
    assert e.problems.select("row", "case_id", "column", "value", "rule").rows() == [
        (1, "1", "actioned_at", "2025-01-02", "actioned_before_reported"),
        (2, "2", "status", "sometimes", "unknown_status"),
    ]
    msg = str(e)
    assert 'bad.csv: row 2 (case_id "2"), column `status`, value "sometimes"' in msg and "unknown_status" in msg


def test_quarantine_instead(tmp_path: pathlib.Path) -> None:
    p = write(
        tmp_path, "bad.csv", HEADER + "1,X,@fake_a,TTP,2025-01-05,,pending\n2,X,@fake_b,TTP,not a date,,pending\n"
    )
    cases = td.read_csv(p, on_invalid="quarantine")
    r = cases.load_report
    assert (r["rows_read"], r["rows_accepted"], r["rows_rejected"]) == (2, 1, 1)
    assert r["problems_by_rule"] == {"invalid_date": 1}
    assert cases.rejects.row(0, named=True)["value"] == "not a date"


def test_file_errors(tmp_path: pathlib.Path) -> None:
    with pytest.raises(td.FileError) as info:
        td.read_csv(tmp_path / "absent.csv")
    assert isinstance(info.value, OSError) and "absent.csv" in str(info.value)
    assert info.value.filename.endswith("absent.csv")
    empty = write(tmp_path, "empty.csv", "")
    with pytest.raises(td.FileFormatError, match="empty.csv.*no header"):
        td.read_csv(empty)
    junk = write(tmp_path, "junk.parquet", b"not parquet")
    with pytest.raises(td.FileFormatError, match="junk.parquet"):
        td.read_parquet(junk)


def test_schema_error(tmp_path: pathlib.Path) -> None:
    p = write(tmp_path, "nostatus.csv", "case_id,platform,account,group,reported_at\n1,X,@a,TTP,2025-01-01\n")
    with pytest.raises(td.SchemaError, match=r"missing required column\(s\) `status`") as info:
        td.read_csv(p)
    assert info.value.column == "status"


def test_invalid_arguments(sample) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(td.InvalidArgumentError, match="no column `nope`"):
        sample.compliance(by="nope")
    with pytest.raises(td.InvalidArgumentError, match='unknown value "bayes"; use one of "wilson"') as info:
        sample.compliance(method="bayes")
    assert info.value.argument == "method"
    with pytest.raises(td.InvalidArgumentError, match="confidence level"):
        sample.compliance(ci=1.5)
    with pytest.raises(td.InvalidArgumentError, match="pending is no decision"):
        sample.compliance(success=["pending"])
    with pytest.raises(td.InvalidArgumentError, match='unknown value "fortnight"') as info:
        sample.trend("fortnight")
    assert info.value.argument == "every"
    with pytest.raises(td.InvalidArgumentError) as info:
        td.read_csv("x.csv", on_invalid="ignore")
    assert info.value.argument == "on_invalid"
    with pytest.raises(TypeError):
        td.from_frame([1, 2, 3])


def test_empty_selection(sample) -> None:  # type: ignore[no-untyped-def]
    none = sample.filter(platform="youtube")
    assert len(none) == 0
    with pytest.raises(td.EmptySelectionError):
        none.trend()
    assert none.compliance(by=None)["rate"].to_list() == [None]


def test_no_panic_on_hostile_input(tmp_path: pathlib.Path) -> None:
    # Invalid UTF-8, ragged rows, a huge field, quotes left open: rows rejected, nothing raised
    # beyond TakedownsError, nothing lost.
    body = (
        HEADER.encode()
        + b"1,X,@\xff,TTP,2025-01-01,,pending\n2,X\n"
        + b"3,X,"
        + b"a" * (2 << 20)
        + b',TTP,2025-01-01,,pending\n4,X,"open,TTP,2025-01-01,,pending\n'
    )
    p = write(tmp_path, "hostile.csv", body)
    cases = td.read_csv(p, on_invalid="quarantine")
    r = cases.load_report
    assert r["rows_read"] == r["rows_accepted"] + r["rows_rejected"] == 4
    with pytest.raises(td.ValidationError):
        td.read_csv(p)


def test_an_impossible_date_has_its_own_rule(tmp_path: pathlib.Path) -> None:
    # A spreadsheet's 31/02/2025 is a typing slip in a real date, not a date in an unknown form.
    p = write(
        tmp_path,
        "dates.csv",
        HEADER
        + "1,X,@fake_a,TTP,31/02/2025,,pending\n2,X,@fake_b,TTP,28/02/2025,,pending\n3,X,@fake_c,TTP,soon,,pending\n",
    )
    cases = td.read_csv(p, date_order="day-first", on_invalid="quarantine")
    got = cases.rejects.select("row", "value", "rule").rows()
    assert got == [(1, "31/02/2025", "impossible_date"), (3, "soon", "invalid_date")]
    assert "not a day on the calendar" in cases.rejects["message"][0]


def test_read_says_what_a_directory_a_pattern_and_an_unknown_extension_are(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(td.FileError, match="is a directory, and td.read reads one file; .*td.scan_parquet"):
        td.read(tmp_path)
    with pytest.raises(td.FileError, match="td.read reads one file, not a pattern"):
        td.read(tmp_path / "cases_*.parquet")
    (tmp_path / "cases.txt").write_text("case_id\n1\n")
    with pytest.raises(td.InvalidArgumentError, match=r"extension '\.txt'; use .*\.xlsx") as e:
        td.read(tmp_path / "cases.txt")
    assert e.value.argument == "path"
