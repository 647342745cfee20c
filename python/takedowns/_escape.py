"""Safe exports: text for Markdown tables and lines, CSV cells for spreadsheets, HTML text.

Labels in the tables (platforms, groups, agencies, rejected values) come from the input file,
and an input file can carry anything: a label such as ``![x](https://evil/img.png)``,
``# heading``, ``a|b`` or ``<script>`` must show as that literal text in the memo, and a cell
such as ``=HYPERLINK("http://x","y")`` must not run as a formula when the CSV is opened in a
spreadsheet.

>>> md_cell("![x](https://evil/img.png)")
'\\\\!\\\\[x\\\\]\\\\(https\\\\://evil/img.png\\\\)'
>>> print(md_cell("![x](https://evil/img.png)"))
\\!\\[x\\]\\(https\\://evil/img.png\\)
"""

from __future__ import annotations

import html
import re
from typing import Any

import polars as pl

__all__ = ["csv_safe", "html_text", "md_cell", "md_note", "md_text"]

# Line breaks a Markdown renderer (or an editor) may honour: CR LF, CR, LF, line and paragraph
# separators, and the other vertical breaks of str.splitlines.
_BREAKS = re.compile("\r\n|[\r\n\u2028\u2029\u0085\u000b\u000c\u001c\u001d\u001e]")
# Markdown and HTML metacharacters, escaped with a backslash (CommonMark: any ASCII punctuation
# may be escaped, and shows as itself). `&` too, so that an entity such as `&#124;` shows as
# typed; `:` only in `://`, and `.` only in `www.`, so that no bare URL becomes a link.
_META = re.compile(r"[\\|*_\[\]()#!<>`~&]|(?<=[A-Za-z0-9])://|(?i:\bwww)\.")
# A line that starts like a list item, a thematic break or a setext underline (quotes, headings
# and `*` items are escaped anyway).
_LEAD = re.compile(r"^([-+=]|\d{1,9}(?=[.)](\s|$)))")


def _escape_meta(m: re.Match[str]) -> str:
    s = m.group(0)
    if s == "://":
        return "\\://"
    if s.endswith("."):
        return s[:-1] + "\\."
    return "\\" + s


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def md_cell(value: Any) -> str:
    """Any value as the text of one Markdown table cell.

    ``None`` is empty, a float is shown with 4 significant digits (``:.4g``), anything else as
    ``str()``; then every line break becomes a space and Markdown/HTML metacharacters
    (``\\ | * _ [ ] ( ) # ! < > ` ~ &``) are escaped with a backslash, so the cell shows the
    literal text: no image, link, heading, HTML or extra column can come out of it.

    Examples
    --------
    >>> print(md_cell("a|b"), md_cell("# heading"), md_cell("<script>"), md_cell(0.123456), md_cell(None) == "")
    a\\|b \\# heading \\<script\\> 0.1235 True
    >>> print(md_cell("line one\\nline two"))
    line one line two
    """
    return _META.sub(_escape_meta, _BREAKS.sub(" ", _text(value)))


def md_text(text: Any) -> str:
    """A line of running text for a Markdown document (e.g. a headline sentence).

    As :func:`md_cell`, and besides: leading spaces and tabs are dropped (no code block), and a
    leading ``-``, ``+``, ``=`` or ``1.``/``1)`` is escaped (no list item, thematic break or
    setext heading), so the text shows as one literal paragraph line.

    Examples
    --------
    >>> print(md_text("- 12 accounts of *BLA* were [removed](http://x)"))
    \\- 12 accounts of \\*BLA\\* were \\[removed\\]\\(http\\://x\\)
    >>> print(md_text("1. first"))
    1\\. first
    """
    escaped = md_cell(text).lstrip(" \t")
    return _LEAD.sub(lambda m: m.group(0) + "\\" if m.group(0).isdigit() else "\\" + m.group(0), escaped, count=1)


_MARKUP = re.compile(r"([\\`*\[\]<>!|~])")


def md_note(text: str) -> str:
    """Library text (a definition, a reason) for Markdown, on one line. A definition can quote a
    label from the data (a platform or status whose every row was rejected), so the characters
    that make links, images, HTML, code or table cells are escaped; the rest reads as written.

    >>> print(md_note('rate = (removed + restricted) / all requests; no row of platform "![x](http://e/x.png)" was accepted'))
    rate = (removed + restricted) / all requests; no row of platform "\\!\\[x\\](http://e/x.png)" was accepted
    """
    line = _MARKUP.sub(r"\\\1", " ".join(str(text).split()))
    return "\\" + line if line[:1] in ("#", "-", "+", "=") else line


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _neutralise(s: str | None) -> str | None:
    if s is not None and s.startswith(_FORMULA_START):
        return "'" + s
    return s


def csv_safe(df: pl.DataFrame) -> pl.DataFrame:
    """A copy with spreadsheet formula injection neutralised (OWASP "CSV injection").

    In text columns (``String``, and ``Categorical``/``Enum``, which come back as ``String``), a
    cell whose first character is ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    leading ``'``, so a spreadsheet shows it as text instead of evaluating it; so does such a
    column name (a crosstab's columns are labels). Numeric columns are untouched: a negative
    number stays a number.

    Examples
    --------
    >>> df = pl.DataFrame({"label": ['=HYPERLINK("http://x","y")', "@SUM(1)", "ok", None], "n": [-2, 1, 0, 3]})
    >>> csv_safe(df)
    shape: (4, 2)
    ┌─────────────────────────────┬─────┐
    │ label                       ┆ n   │
    │ ---                         ┆ --- │
    │ str                         ┆ i64 │
    ╞═════════════════════════════╪═════╡
    │ '=HYPERLINK("http://x","y") ┆ -2  │
    │ '@SUM(1)                    ┆ 1   │
    │ ok                          ┆ 0   │
    │ null                        ┆ 3   │
    └─────────────────────────────┴─────┘
    """
    cols: list[pl.Series] = []
    for s in df.get_columns():
        dtype = s.dtype
        if dtype == pl.String or isinstance(dtype, (pl.Categorical, pl.Enum)):
            text = s.cast(pl.String) if dtype != pl.String else s
            s = pl.Series(s.name, [_neutralise(v) for v in text.to_list()], dtype=pl.String)
        cols.append(s.rename(_neutralise(s.name) or ""))
    return pl.DataFrame(cols) if cols else df.clone()


def md_code(value: Any) -> str:
    r"""``value`` as an inline code span for Markdown: shown literally (no link, image or HTML can
    start inside one), with backticks and line breaks, which would end or break it, replaced.

    Examples
    --------
    >>> md_code("Fitna al-Khawarij")
    '`Fitna al-Khawarij`'
    >>> md_code("a`b\n![x](http://evil)")
    "`a'b ![x](http://evil)`"
    """
    text = "" if value is None else str(value)
    for ch in ("\r\n", "\r", "\n", "\u2028", "\u2029"):
        text = text.replace(ch, " ")
    return "`" + (text.replace("`", "'") or " ") + "`"


def html_text(value: Any) -> str:
    """``value`` as HTML text: ``html.escape(str(value), quote=True)``.

    Examples
    --------
    >>> html_text('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    return html.escape(str(value), quote=True)
