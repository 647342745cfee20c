"""The designations registry: sourced facts, and the names a load maps through it."""

from __future__ import annotations

import datetime as dt
import pathlib

import polars as pl
import pytest

import takedowns as td


def test_registry_loads_with_sources() -> None:
    d = td.designations()
    assert d.schema["listed_on"] == pl.Date and d.schema["confirmed"] == pl.Boolean
    assert set(d["authority"]) <= {"PK-ATA1997", "UN-1267", "US-FTO", "US-SDGT", "UK-proscribed", "EU-list"}
    # A fact without a source states nothing.
    unconfirmed = d.filter(~pl.col("confirmed"))
    assert unconfirmed.height > 0
    assert unconfirmed.select(pl.col("listed_on").is_null().all(), pl.col("reference").is_null().all()).row(0) == (
        True,
        True,
    )
    assert d.filter(pl.col("confirmed"))["source_url"].str.starts_with("http").all()
    # Checked by hand against the sources named in the rows.
    pk = d.filter(pl.col("authority") == "PK-ATA1997", pl.col("listed_on").is_not_null())
    firsts = dict(pk.group_by("group_id").agg(pl.col("listed_on").min()).rows())
    assert firsts["TTP"] == dt.date(2008, 8, 25)
    assert firsts["BLA"] == dt.date(2006, 4, 7)
    assert firsts["BLF"] == dt.date(2010, 9, 8)
    # Every group of the sample has a sourced designation.
    assert set(td.sample().to_polars()["group"]) <= set(d.filter(pl.col("confirmed"))["group_id"])


def test_a_load_maps_names_through_the_registry(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(
        "case_id,platform,account,group,reported_at,status\n"
        "1,x,@fake_a,فتنہ الخوارج,2025-01-02,removed\n"
        "2,x,@fake_b,Baloch Liberation Front,2025-01-02,removed\n"
        "3,x,@fake_c,Fitna al-Hindustan,2025-01-02,removed\n"
        "4,x,@fake_d,Majeed Brigade,2025-01-02,removed\n",
        encoding="utf-8",
    )
    assert td.read_csv(path).to_polars()["group"].to_list() == ["TTP", "BLF", "Fitna al-Hindustan", "BLA_MB"]
    # The user's own alias wins over the registry's.
    cases = td.read_csv(path, group_aliases={"Majeed Brigade": "BLA"})
    assert cases.to_polars()["group"].to_list()[3] == "BLA"
    a = td.designation_aliases()
    assert a.filter(~pl.col("maps"))["note"].is_not_null().all()
    v = td.vocabularies().filter(pl.col("vocabulary") == "group aliases")
    assert ("fitna al khawarij", "TTP") in v.select("label", "value").rows()


def test_with_designation_splits_on_the_request_date() -> None:
    cases = td.sample().with_designation("US-FTO")
    f = cases.to_polars()
    # TTP: designated 2010-09-01, before every request; BLA: 2025-08-11, inside the sample's
    # months; BLF: none found. Counted independently with polars.
    bla_after = f.filter(pl.col("group") == "BLA", pl.col("reported_at") >= dt.datetime(2025, 8, 11)).height
    want = {
        "designated": f.filter(pl.col("group") == "TTP").height + bla_after,
        "not yet designated": f.filter(pl.col("group") == "BLA").height - bla_after,
        "no designation found": f.filter(pl.col("group") == "BLF").height,
    }
    got = dict(cases.compliance(by="designated_us_fto").select("designated_us_fto", "requests").rows())
    assert got == want
    with pytest.raises(td.InvalidArgumentError, match="not one of"):
        td.sample().with_designation("FTO")


def test_the_methods_note_cites_the_designations(tmp_path: pathlib.Path) -> None:
    td.report.build(td.sample(), tmp_path / "pack")
    note = (tmp_path / "pack" / "methods.md").read_text(encoding="utf-8")
    assert "## Designations of the groups" in note
    ttp = next(line for line in note.splitlines() if line.startswith("- `TTP`"))
    assert "UN-1267 2011-07-29" in ttp and "PK-ATA1997 2008-08-25" in ttp and "un.org" in ttp
    blf = next(line for line in note.splitlines() if line.startswith("- `BLF`"))
    assert "PK-ATA1997 2010-09-08" in blf and "US-FTO" not in blf
    assert "QDe.132" in ttp and "UK-proscribed by 2011-01-31" in ttp
