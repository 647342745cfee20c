from __future__ import annotations

import pathlib

import pytest

GOLDEN = pathlib.Path(__file__).resolve().parent.parent / "golden"


@pytest.fixture(scope="session")
def sample():  # type: ignore[no-untyped-def]
    import takedowns as td

    return td.sample()


MESSY_SHEET = pathlib.Path(__file__).resolve().parent.parent / "data" / "messy_sheet.xlsx"


@pytest.fixture(scope="session")
def messy_workbook():  # type: ignore[no-untyped-def]
    """tests/data/messy_sheet.xlsx loaded with the options its headers and labels need."""
    import takedowns as td

    return td.read_excel(
        MESSY_SHEET,
        columns={"Ref No": "case_id", "Handle": "account", "Organisation": "group",
                 "Date reported": "reported_at", "Outcome": "status"},
        status_labels={"Actioned": "removed"},
        group_aliases={"Fitna al-Hindustan": "BLA"},
        date_order="day-first",
        thousands=",",
        null_values=["n/a"],
        on_invalid="quarantine",
    )  # fmt: skip
