"""Every source reader on hostile input: the hostile corpus's files, and the real excerpts cut,
garbled and mislabelled. Each read gives Cases (with rows read = accepted + rejected) or a
TakedownsError naming the file; never another exception, never a Rust panic."""

from __future__ import annotations

import pathlib
import random

import pytest

import takedowns as td

DATA = pathlib.Path(__file__).resolve().parent.parent / "data"
HOSTILE = sorted((DATA / "hostile").glob("*.csv"))
EXCERPTS = sorted((DATA / "sources").rglob("*.csv"))


def _read_checked(name: str, path: pathlib.Path) -> None:
    try:
        cases = td.sources.read(name, path)  # type: ignore[arg-type]
    except td.TakedownsError as e:
        assert "panicked" not in str(e) and "internal error" not in str(e).lower(), e
        return
    r = cases.load_report
    assert r["rows_read"] == r["rows_accepted"] + r["rows_rejected"], r


@pytest.mark.parametrize("name", td.sources.names())
def test_hostile_corpus_through_every_source(name: str) -> None:
    assert HOSTILE, "the hostile corpus is missing"
    for path in HOSTILE:
        _read_checked(name, path)


@pytest.mark.parametrize("name", td.sources.names())
def test_excerpts_cut_garbled_and_mislabelled(name: str, tmp_path: pathlib.Path) -> None:
    rng = random.Random(20261129)
    for src in EXCERPTS:
        data = src.read_bytes()
        variants = [
            data[: len(data) // 2],  # cut mid-line
            data.replace(b",", b";", 3),  # a few fields merged
            data.replace(b"0", b"x", 5),  # numbers that are not
            b"\xef\xbb\xbf" + data,  # a byte-order mark
            data.replace(b"\n", b"\r"),  # old Mac line ends
            bytes(b if rng.random() > 0.002 else rng.randrange(256) for b in data),  # bit rot
            data.split(b"\n", 1)[0] + b"\n",  # the header alone
        ]
        for i, v in enumerate(variants):
            p = tmp_path / f"{src.stem}-{i}.csv"
            p.write_bytes(v)
            _read_checked(name, p)


def test_a_dsa_zip_cut_and_garbled(tmp_path: pathlib.Path) -> None:
    rng = random.Random(7)
    data = (DATA / "sources" / "dsa" / "sor-global-2024-03-14-full.zip").read_bytes()
    variants = [
        data[: len(data) // 2],
        data[:100],
        bytes(b if rng.random() > 0.001 else rng.randrange(256) for b in data),
        b"PK\x03\x04" + b"\x00" * 40,
    ]
    for i, v in enumerate(variants):
        p = tmp_path / f"sor-global-2024-03-14-full-{i}.zip"
        p.write_bytes(v)
        _read_checked("dsa-sor", p)
        try:
            td.sources.scan("dsa-sor", p).check()
        except td.TakedownsError as e:
            assert "panicked" not in str(e), e
