from __future__ import annotations

import pathlib

import pytest

GOLDEN = pathlib.Path(__file__).resolve().parent.parent / "golden"


@pytest.fixture(scope="session")
def sample():  # type: ignore[no-untyped-def]
    import takedowns as td

    return td.sample()
