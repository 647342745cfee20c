"""The typed seam: option classes, their vocabularies in both languages, mypy catching a
misspelled option, and every error kind mapped to its exception class."""

from __future__ import annotations

import datetime as dt
import pathlib
import subprocess
import sys
import textwrap
from typing import Any, get_args

import polars as pl
import pytest

import takedowns as td
from takedowns import _core
from takedowns._typing import VOCABULARIES


def test_each_vocabulary_is_the_same_in_python_and_rust() -> None:
    rust = _core.vocabularies()
    assert set(rust) == set(VOCABULARIES), "a vocabulary is defined in one language only"
    for argument, names in rust.items():
        assert list(get_args(VOCABULARIES[argument])) == names, argument


def test_defaults_live_in_the_constructor_and_match_the_old_defaults() -> None:
    c = td.ComplianceSpec()
    assert (c.success, c.pending, c.unit, c.weight, c.ci, c.method, c.min_n) == (
        ["removed", "restricted"],
        "against",
        "request",
        "requests",
        0.95,
        "wilson",
        30,
    )
    assert (td.ReachSpec().followers, td.ReachSpec().groups) == ("max", "each")
    t = td.TrendSpec()
    assert (t.every, t.on, t.year_start, t.start, t.end, t.compliance) == ("month", "reported_at", 1, None, None, c)
    s = td.SurvivalSpec()
    assert (s.as_of, s.success, s.ci, s.deadlines, s.horizon) == (
        None,
        ["removed", "restricted"],
        0.95,
        ["1d", "7d", "30d"],
        "30d",
    )
    o = td.LoadOptions()
    assert (o.date_order, o.on_invalid, o.required, o.max_problems) == ("auto", "raise", None, 50)


def test_specs_are_frozen_values() -> None:
    a = td.ComplianceSpec(pending="exclude", ci=0.9)
    assert a == td.ComplianceSpec(ci=0.9, pending="exclude")
    assert a != td.ComplianceSpec()
    assert a.replace(pending="against") == td.ComplianceSpec(ci=0.9)
    assert a.pending == "exclude"  # replace made a copy
    assert td.ComplianceSpec(**a.to_dict()) == a
    assert td.TrendSpec(**td.TrendSpec(every="week", year_start=4).to_dict()) == td.TrendSpec(
        every="week", year_start=4
    )
    assert td.LoadOptions(**td.LoadOptions(columns={"H": "account"}).to_dict()) == td.LoadOptions(
        columns={"H": "account"}
    )
    with pytest.raises(AttributeError):
        a.pending = "against"  # type: ignore[misc]
    assert repr(a).startswith("ComplianceSpec(success=['removed', 'restricted'], pending='exclude'")
    assert a.describe() in td.sample().compliance(by=None, spec=a)["definition"][0]


def test_spec_and_keywords_give_the_same_numbers(sample: td.Cases) -> None:
    spec = td.ComplianceSpec(pending="exclude", method="jeffreys")
    by_spec = sample.compliance(spec=spec)
    assert by_spec.equals(sample.compliance(pending="exclude", method="jeffreys"))
    # Keywords beside a spec change it.
    assert sample.compliance(spec=spec, pending="against").equals(sample.compliance(method="jeffreys"))
    assert sample.reach(spec=td.ReachSpec(followers="latest")).equals(sample.reach(followers="latest"))
    trend = td.TrendSpec(every="quarter", pending="exclude")
    assert sample.trend(spec=trend).equals(sample.trend("quarter", pending="exclude"))
    assert sample.trend("year", spec=trend)["period_label"].to_list() == ["2025"]
    tta = td.SurvivalSpec(deadlines=["36h", 2], horizon=10)
    out = sample.time_to_action(spec=tta)
    assert {"actioned_within_36h", "actioned_within_2d", "rmst_10d"} <= set(out.columns)
    assert out.equals(sample.time_to_action(deadlines=["36h", "2d"], horizon="240h"))


def test_dates_and_durations_convert_as_before() -> None:
    t = td.TrendSpec(start=dt.datetime(2025, 3, 5, 17, 0), end=dt.date(2025, 6, 30))
    assert (t.start, t.end) == (dt.date(2025, 3, 5), dt.date(2025, 6, 30))
    zoned = dt.datetime(2025, 9, 1, 5, 30, tzinfo=dt.timezone(dt.timedelta(hours=5)))
    assert td.SurvivalSpec(as_of=zoned).as_of == dt.datetime(2025, 9, 1, 0, 30)
    assert td.SurvivalSpec(as_of=dt.date(2025, 9, 1)).as_of == dt.datetime(2025, 9, 1)
    assert td.SurvivalSpec(deadlines="12h", horizon=0.5).to_dict()["deadlines"] == ["12h"]
    assert td.SurvivalSpec(horizon=0.5).horizon == "12h"
    for bad in ("7 days", "h", "1w", True, float("nan")):
        with pytest.raises(td.InvalidArgumentError) as info:
            td.SurvivalSpec(deadlines=[bad])  # type: ignore[list-item]
        assert info.value.argument == "deadlines"
    with pytest.raises(td.InvalidArgumentError, match="start 2025-06-01 is after end 2025-01-01"):
        td.TrendSpec(start=dt.date(2025, 6, 1), end=dt.date(2025, 1, 1))
    with pytest.raises(TypeError, match="expected a date"):
        td.TrendSpec(start="2025-01-01")  # type: ignore[arg-type]


def test_bad_options_are_refused_by_name(sample: td.Cases, tmp_path: pathlib.Path) -> None:
    with pytest.raises(td.InvalidArgumentError, match='did you mean "exclude"') as info:
        sample.compliance(pending="exlcude")  # type: ignore[arg-type]
    assert info.value.argument == "pending"
    with pytest.raises(TypeError, match='unknown option "pendng" \\(did you mean "pending"\\?\\)'):
        sample.compliance(pendng="exclude")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unknown option"):
        td.read_csv(tmp_path / "x.csv", on_invalide="raise")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="expected one of"):
        td.ComplianceSpec(unit=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="spec must be a ComplianceSpec"):
        sample.compliance(spec=td.ReachSpec())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="a list of column names"):
        td.LoadOptions(required="platform")  # type: ignore[typeddict-item]
    # Canonical names only: the aliases once accepted by hand-written parsers are gone, so a value
    # means one thing in the code, the docs and the types.
    with pytest.raises(td.InvalidArgumentError):
        td.ComplianceSpec(method="exact")  # type: ignore[typeddict-item]
    with pytest.raises(td.InvalidArgumentError, match="pending is no decision"):
        td.ComplianceSpec(success="pending")
    with pytest.raises(td.InvalidArgumentError, match="confidence level"):
        td.SurvivalSpec(ci=1.0)
    # A single outcome may be given as a string.
    assert td.ComplianceSpec(success="removed").success == ["removed"]


def test_group_aliases_from_a_file(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "aliases.csv"
    p.write_text("alias,group\nTehreek-e-Fake,TTP\n")
    assert td.LoadOptions(group_aliases=p).to_dict()["group_aliases"] == {"Tehreek-e-Fake": "TTP"}
    assert td.LoadOptions(group_aliases=str(p)) == td.LoadOptions(group_aliases={"Tehreek-e-Fake": "TTP"})
    with pytest.raises(td.FileError):
        td.LoadOptions(group_aliases=tmp_path / "missing.csv")


def test_a_scan_refuses_what_it_cannot_compute(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "cases.parquet"
    td.synthetic(200, seed=3).write_parquet(path)
    scan = td.scan_parquet(path)
    with pytest.raises(td.InvalidArgumentError, match="groups=latest"):
        scan.reach(groups="latest")
    with pytest.raises(td.InvalidArgumentError, match="unit=account"):
        scan.compliance(unit="account")
    assert scan.compliance(spec=td.ComplianceSpec(pending="exclude")).equals(scan.compliance(pending="exclude"))


MISSPELLED = """
    import datetime
    import takedowns as td

    cases = td.sample()
    cases.compliance(pending="exlcude")
    cases.compliance(method="bayes")
    cases.trend("fortnight")
    cases.reach(followers="biggest")
    cases.time_to_action(as_of="2025-09-01")
    td.ComplianceSpec(unit="accounts")
    td.read_csv("cases.csv", date_order="dmy")
    td.read_csv("cases.csv", on_invalid="skip")
    cases.crosstab(value="reach")
    cases.compliance(pendng="exclude")
"""

CORRECT = """
    import datetime
    import takedowns as td

    cases = td.sample()
    spec = td.ComplianceSpec(pending="exclude", method="clopper-pearson", success=["removed"])
    cases.compliance(by="platform", spec=spec, ci=0.9)
    cases.trend("quarter", on="actioned_at", start=datetime.date(2025, 1, 1), pending="exclude")
    cases.reach(followers="latest", groups="latest")
    cases.time_to_action(as_of=datetime.date(2025, 9, 1), deadlines=["24h", 7], horizon="30d")
    td.read_csv("cases.csv", date_order="day-first", on_invalid="quarantine", columns={"H": "account"})
    cases.crosstab(value="rate", unit="account")
"""


def _mypy(tmp_path: pathlib.Path, name: str, code: str) -> subprocess.CompletedProcess[str]:
    src = tmp_path / name
    src.write_text(textwrap.dedent(code))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / "cache"),
            str(src),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
    )


def test_mypy_catches_a_misspelled_option(tmp_path: pathlib.Path) -> None:
    bad = _mypy(tmp_path, "misspelled.py", MISSPELLED)
    flagged = {int(line.split(":")[1]) for line in bad.stdout.splitlines() if ": error:" in line}
    lines = textwrap.dedent(MISSPELLED).splitlines()
    wanted = {i + 1 for i, line in enumerate(lines) if line.startswith(("cases.", "td.read", "td.Compliance"))}
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert wanted and flagged == wanted, bad.stdout
    good = _mypy(tmp_path, "correct.py", CORRECT)
    assert good.returncode == 0, good.stdout + good.stderr


EXPECTED: dict[str, type[BaseException]] = {
    "io": td.FileError,
    "read": td.FileFormatError,
    "missing_column": td.SchemaError,
    "column_type": td.SchemaError,
    "ambiguous_column": td.SchemaError,
    "validation": td.ValidationError,
    "invalid_argument": td.InvalidArgumentError,
    "empty": td.EmptySelectionError,
    "polars": td.ComputeError,
    "internal": td.ComputeError,
    "cancelled": KeyboardInterrupt,
}


@pytest.mark.parametrize("kind", _core.ERROR_KINDS)
def test_every_error_kind_maps_to_its_class(kind: str) -> None:
    assert kind in EXPECTED, f"the error kind {kind!r} has no expected exception class here"
    with pytest.raises(BaseException) as info:
        _core._raise(kind)
    assert type(info.value) is EXPECTED[kind]
    e: Any = info.value
    if isinstance(e, td.TakedownsError):
        assert str(e)
    if kind in ("io", "read"):
        assert e.filename.startswith("cases.")
    if kind in ("missing_column", "column_type", "ambiguous_column"):
        assert e.column in ("status", "followers", "reported_at")
    if kind == "validation":
        assert e.total == 7
        assert isinstance(e.problems, pl.DataFrame)
        assert e.problems.select("row", "column", "value", "rule").row(0) == (3, "status", "shrug", "unknown_status")
    if kind == "invalid_argument":
        assert e.argument == "pending"


def test_the_error_kinds_are_every_kind() -> None:
    assert sorted(_core.ERROR_KINDS) == sorted(EXPECTED)


def test_a_wrong_type_or_number_names_its_option() -> None:
    with pytest.raises(TypeError, match="ComplianceSpec: `ci`"):
        td.ComplianceSpec(ci="0.95")  # type: ignore[typeddict-item]
    with pytest.raises(TypeError, match="TrendSpec: `year_start`"):
        td.TrendSpec(year_start="1")  # type: ignore[typeddict-item]
    with pytest.raises(td.InvalidArgumentError, match="a whole number from 0 up") as info:
        td.ComplianceSpec(min_n=-1)
    assert info.value.argument == "min_n"
    with pytest.raises(TypeError, match="LoadOptions: `columns`"):
        td.LoadOptions(columns=["Handle"])  # type: ignore[typeddict-item]


def test_an_outcome_or_deadline_twice_is_refused(sample: td.Cases) -> None:
    # Counted twice, `removed` would give Facebook a rate of 1.77.
    with pytest.raises(td.InvalidArgumentError, match="`removed` is named twice"):
        sample.compliance(success=["removed", "removed"])
    with pytest.raises(td.InvalidArgumentError, match="given twice"):
        sample.time_to_action(deadlines=["24h", "1d"])


def test_vocabularies_list_every_name_once() -> None:
    v = td.vocabularies()
    assert v.columns == ["vocabulary", "label", "value"]
    assert v.select("vocabulary", "label").is_duplicated().sum() == 0
    rows = set(v.rows())
    assert {
        ("pending", "exclude", "exclude"),
        ("status labels", "blocked", "removed"),
        ("platform aliases", "fb", "facebook"),
        ("method", "clopper-pearson", "clopper-pearson"),
    } <= rows
    # Every option vocabulary of the core is there, and every outcome a status label maps to is one.
    assert set(_core.vocabularies()) <= set(v["vocabulary"])
    statuses = set(get_args(VOCABULARIES["status"]))
    assert set(v.filter(pl.col("vocabulary") == "status labels")["value"]) <= statuses


def test_to_pandas(sample: td.Cases) -> None:
    df = sample.to_pandas()
    assert len(df) == 896 and list(df.columns) == sample.to_polars().columns
