"""Safe exports: hostile labels stay literal text in Markdown, formulas stay text in spreadsheets."""

from __future__ import annotations

import io
import re

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from takedowns._escape import csv_safe, html_text, md_cell, md_text

HOSTILE = {
    "a|b": r"a\|b",
    "# heading": r"\# heading",
    "![x](https://evil/img.png)": r"\!\[x\]\(https\://evil/img.png\)",
    "[click](http://evil.example/login)": r"\[click\]\(http\://evil.example/login\)",
    "<script>alert(1)</script>": r"\<script\>alert\(1\)\</script\>",
    '<img src=x onerror="alert(1)">': r'\<img src=x onerror="alert\(1\)"\>',
    "line one\nline two": "line one line two",
    "crlf\r\nend": "crlf end",
    "cr\rend": "cr end",
    "sep\u2028line\u2029para": "sep line para",
    "**bold** _it_ `code` ~~gone~~": r"\*\*bold\*\* \_it\_ \`code\` \~\~gone\~\~",
    "back\\slash|pipe": r"back\\slash\|pipe",
    "already \\| escaped": r"already \\\| escaped",
    "&#124; &lt;b&gt;": r"\&\#124; \&lt;b\&gt;",
    "visit www.evil.example": r"visit www\.evil.example",
    "@fake_handle": r"@fake\_handle",
    '=HYPERLINK("http://x","y")': r'=HYPERLINK\("http\://x","y"\)',
}


@pytest.mark.parametrize(("raw", "want"), list(HOSTILE.items()))
def test_md_cell_exact(raw: str, want: str) -> None:
    assert md_cell(raw) == want


def test_md_cell_values() -> None:
    assert md_cell(None) == ""
    assert md_cell(0.123456) == "0.1235"
    assert md_cell(1234567.0) == "1.235e+06"
    assert md_cell(float("nan")) == "nan"
    assert md_cell(12) == "12"
    assert md_cell(True) == "True"
    assert md_cell("") == ""
    assert md_cell(-2) == "-2"


def cells(line: str) -> list[str]:
    """A GFM table row split on its unescaped pipes (a backslash escapes the next character)."""
    body = line.strip()
    assert body.startswith("|") and body.endswith("|") and not body.endswith("\\|"), line
    return re.findall(r"((?:\\.|[^|\\])*)\|", body[1:])


def test_markdown_table_keeps_its_columns() -> None:
    header = ["group", "platform", "label"]
    rows = [[k, v, 1.5] for k, v in HOSTILE.items()] + [[None, "x|y|z", "a\nb|c"], ["|", "\\", "\\|"]]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(md_cell(v) for v in row) + " |" for row in rows]
    text = "\n".join(lines)
    assert len(text.splitlines()) == len(rows) + 2  # no cell added a line
    for line in lines[2:]:
        assert len(cells(line)) == len(header), line
        for cell in cells(line):  # no unescaped metacharacter is left in any cell
            assert not re.search(r"[\\|*_\[\]()#!<>`~&]", re.sub(r"\\.", "", cell)), cell


def unescape(s: str) -> str:
    """What CommonMark shows for text made only of backslash escapes and plain characters."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", s)


def breaks_to_spaces(s: str) -> str:
    return re.sub("\r\n|[\r\n\u2028\u2029\u0085\u000b\u000c\u001c\u001d\u001e]", " ", s)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_md_cell_is_literal(s: str) -> None:
    out = md_cell(s)
    assert breaks_to_spaces(s) == unescape(out)  # shows exactly the text
    assert "\n" not in out and "\r" not in out
    # Every metacharacter is escaped: removing escaped pairs leaves none.
    assert not re.search(r"[\\|*_\[\]()#!<>`~&]", re.sub(r"\\.", "", out))


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("- 12 accounts", r"\- 12 accounts"),
        ("+ item", r"\+ item"),
        ("---", r"\---"),
        ("===", r"\==="),
        ("1. first", r"1\. first"),
        ("2) second", r"2\) second"),
        ("10.5% of accounts", "10.5% of accounts"),
        ("    indented code", "indented code"),
        ("\t# tabbed heading", r"\# tabbed heading"),
        ("> quote", r"\> quote"),
        (
            "Between 3 and 29 August 2025, 586 of those (68.9%) were removed.",
            r"Between 3 and 29 August 2025, 586 of those \(68.9%\) were removed.",
        ),
        ("![x](https://evil/img.png)\n# and a heading", r"\!\[x\]\(https\://evil/img.png\) \# and a heading"),
    ],
)
def test_md_text_exact(raw: str, want: str) -> None:
    assert md_text(raw) == want


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_md_text_is_one_literal_line(s: str) -> None:
    out = md_text(s)
    assert "\n" not in out and "\r" not in out
    assert unescape(out) == breaks_to_spaces(s).lstrip(" \t")
    assert not re.match(r"[ \t]|[-+=*#>]|\d{1,9}[.)](\s|$)", out)


FORMULAS = ['=HYPERLINK("http://x","y")', "@SUM(1)", "+1", "-2+3", "=1+1", "\tx", "\rx", "-", "@"]


def test_csv_safe_exact() -> None:
    df = pl.DataFrame(
        {
            "label": [*FORMULAS, "ok", "a=b", "", None],
            "n": list(range(-6, 7)),
            "x": [-1.5] * 13,
        }
    )
    out = csv_safe(df)
    assert out["label"].to_list() == ["'" + f for f in FORMULAS] + ["ok", "a=b", "", None]
    assert out["n"].to_list() == df["n"].to_list() and out["n"].dtype == pl.Int64
    assert out["x"].dtype == pl.Float64 and out.columns == df.columns
    assert df["label"][0] == FORMULAS[0]  # the input is not changed


def test_csv_safe_categorical_and_roundtrip() -> None:
    df = pl.DataFrame(
        {"cat": ["=1", "b"], "enum": ["+2", "ok"]}, schema={"cat": pl.Categorical, "enum": pl.Enum(["+2", "ok"])}
    )
    out = csv_safe(df)
    assert out.schema == pl.Schema({"cat": pl.String, "enum": pl.String})
    assert out.rows() == [("'=1", "'+2"), ("b", "ok")]
    buf = io.BytesIO()
    csv_safe(pl.DataFrame({"v": ['=HYPERLINK("http://x","y")'], "n": [-2]})).write_csv(buf)
    text = buf.getvalue().decode()
    assert text.splitlines()[1] == '"\'=HYPERLINK(""http://x"",""y"")",-2'


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text()), min_size=1, max_size=5))
def test_csv_safe_no_cell_starts_a_formula(values: list[str | None]) -> None:
    out = csv_safe(pl.DataFrame({"v": values}, schema={"v": pl.String}))["v"].to_list()
    for v, w in zip(values, out):
        if v is None:
            assert w is None
        elif v[:1] in ("=", "+", "-", "@", "\t", "\r"):
            assert w == "'" + v
        else:
            assert w == v


def test_html_text() -> None:
    assert html_text("<script>\"x\" & 'y'</script>") == "&lt;script&gt;&quot;x&quot; &amp; &#x27;y&#x27;&lt;/script&gt;"
    assert html_text(3) == "3" and html_text(None) == "None"
