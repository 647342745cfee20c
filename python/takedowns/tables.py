"""Tables for memos: the analytics' tables as a reader sees them, through `great_tables`_.

A rate is one cell, ``93% (84–97), n=70``: the rate, its interval and the denominator it was
computed on; a rate on fewer than ``min_n`` units carries a dagger and a footnote; headers are
words; the table's definition, the data's source and as-of date, and any rows the load rejected
are notes under it.

:func:`memo_table` returns a :class:`MemoTable`, which writes HTML (:meth:`MemoTable.html`, the
great_tables rendering), Word-friendly HTML (:meth:`MemoTable.word_html`: one page, every style
inline, so Word keeps it when the file is opened or pasted) and PNG (:meth:`MemoTable.png`). A
notebook shows it as the HTML table.

great_tables draws PNG through a web browser (selenium and Chrome); where none is set up the PNG
is drawn with matplotlib from the same cells and notes, which needs nothing more.

.. _great_tables: https://posit-dev.github.io/great-tables/

>>> import takedowns as td
>>> from takedowns.tables import memo_table
>>> t = memo_table(td.sample().compliance(by="platform"))
>>> t.frame.row(0)
('Facebook', 212, 196, '92% (88–95), n=212')
>>> t.frame.columns[-1]
'Compliance (95% CI), n'
"""

from __future__ import annotations

import datetime as dt
import html
import math
import pathlib
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl

from takedowns.errors import InvalidArgumentError

if TYPE_CHECKING:
    from takedowns._cases import Cases

#: Canonical column names as a memo writes them.
HEADERS = {
    "platform": "Platform",
    "group": "Group",
    "agency": "Agency",
    "country": "Country",
    "language": "Language",
    "content_type": "Content type",
    "period_label": "Period",
    "requests": "Requests",
    "accounts": "Accounts",
    "cases": "Requests",
    "successes": "Complied",
    "removed": "Removed",
    "restricted": "Restricted",
    "rejected": "Rejected",
    "pending": "Pending",
    "followers": "Followers",
    "followers_actioned": "Followers on accounts actioned",
    "followers_live": "Followers on accounts still up",
    "share_actioned": "Share of followers actioned",
    "median_followers": "Median followers per account",
    "top10_share": "Share on the 10 largest accounts",
    "accounts_missing_followers": "Accounts without a follower count",
    "actioned": "Actioned",
    "censored": "Pending (censored)",
    "median_days": "Median days to decision",
    "naive_mean_days": "Mean days, actioned only (biased)",
    "naive_median_days": "Median days, actioned only (biased)",
}
# Columns a memo table leaves out: they are in the rate cell, or are machine columns.
_HIDDEN = {
    "definition",
    "denominator",
    "n",
    "rate",
    "ci_low",
    "ci_high",
    "low_n",
    "period",
    "cum_requests",
    "cum_actioned",
    "followers_undeduplicated",
    "median_ci_low",
    "median_ci_high",
}
_INTERVAL = re.compile(r"(\d+(?:\.\d+)?)% [^;%]*?(?:interval|bands?)")
_DAGGER = "†"
#: Rows on fewer requests than this are marked (the analytics' ``min_n`` default).
MIN_N = 30


def percent(v: float) -> str:
    """A share as a whole percent, with one decimal where rounding would say 0% or 100% of
    something that is neither.

    >>> [percent(v) for v in (0.0, 0.0001, 0.004, 0.5, 0.925, 0.996, 0.9999, 1.0)]
    ['0%', '<0.1%', '0.4%', '50%', '93%', '99.6%', '>99.9%', '100%']
    """
    p = v * 100
    whole = math.floor(round(p, 9) + 0.5)  # half up, as a reader rounds (92.5 -> 93)
    if whole == 0 and p > 0:
        return "<0.1%" if f"{p:.1f}" == "0.0" else f"{p:.1f}%"
    if whole == 100 and p < 100:
        return ">99.9%" if f"{p:.1f}" == "100.0" else f"{p:.1f}%"
    return f"{whole:.0f}%"


def rate_cell(rate: float | None, low: float | None, high: float | None, n: int, low_n: bool = False) -> str:
    """``93% (84–97), n=70``: rate, interval bounds in percent, the denominator; a dagger when
    ``low_n``; ``no rate (n=0)`` for 0/0.

    >>> rate_cell(0.925, 0.84, 0.97, 70)
    '93% (84–97), n=70'
    >>> rate_cell(0.5, 0.2, 0.8, 8, low_n=True)
    '50% (20–80), n=8 †'
    >>> rate_cell(None, None, None, 0)
    'no rate (n=0)'
    """
    if rate is None:
        return f"no rate (n={n:,})"
    lo = "" if low is None else percent(low).rstrip("%")
    hi = "" if high is None else percent(high).rstrip("%")
    return f"{percent(rate)} ({lo}–{hi}), n={n:,}" + (f" {_DAGGER}" if low_n else "")


def _header(col: str) -> str:
    """A column's heading: its name in words, or a value from the data as the data writes it
    (a crosstab's platforms as platforms are written, ``TikTok``; ``... (Art. 9)`` keeps its case).

    >>> [_header(c) for c in ("median_days", "tiktok", "act against illegal content (Art. 9)")]
    ['Median days to decision', 'TikTok', 'Act against illegal content (Art. 9)']
    """
    from takedowns.plot import DISPLAY

    if col in HEADERS:
        return HEADERS[col]
    if col in DISPLAY:
        return DISPLAY[col]
    m = re.fullmatch(r"(actioned|decided|rejected)_within_(\w+)", col)
    if m:
        return f"{m.group(1).capitalize()} within {m.group(2)}"
    m = re.fullmatch(r"rmst_(\w+)", col)
    if m:
        return f"Mean days undecided in the first {m.group(1)}"
    if col != col.lower() or " " in col:  # a value from the data, not a column name
        return col[:1].upper() + col[1:]
    return col.replace("_", " ").capitalize()


def _display(key: Any) -> Any:
    from takedowns.plot import label

    return label(key).replace(r"\$", "$") if isinstance(key, str) or key is None else key


@dataclass
class MemoTable:
    """A table formatted for a memo: ``frame`` holds the cells as shown, ``notes`` the lines
    under it (definition, low-n, source), ``title`` its heading."""

    frame: pl.DataFrame
    title: str
    notes: list[str] = field(default_factory=list)
    #: Rows (0-based) with a low-n rate, shaded in the renderings.
    low_rows: list[int] = field(default_factory=list)

    def gt(self) -> Any:
        """The great_tables ``GT`` object, to restyle before rendering."""
        from great_tables import GT, loc, style

        g = GT(self.frame).tab_header(title=self.title)
        if self.low_rows:
            g = g.tab_style(style=style.text(color="#666666"), locations=loc.body(rows=self.low_rows))
        for note in self.notes:
            g = g.tab_source_note(note)
        return g.opt_table_font(font=["Arial", "Helvetica", "sans-serif"])

    def html(self) -> str:
        """The table as an HTML fragment (great_tables' rendering, with its stylesheet)."""
        return str(self.gt().as_raw_html())

    def word_html(self) -> str:
        """A whole HTML page with every style inline and no scripts or classes to resolve: Word
        opens it (or takes it pasted from a browser) as a native table."""
        head = [f"<th style='{_TH}'>{html.escape(c)}</th>" for c in self.frame.columns]
        body = []
        for i, row in enumerate(self.frame.iter_rows()):
            colour = "color:#666666;" if i in self.low_rows else ""
            cells = []
            for c, v in zip(self.frame.columns, row):
                align = "right" if self.frame.schema[c].is_numeric() else "left"
                cells.append(f"<td style='{_TD}text-align:{align};{colour}'>{html.escape(_text(v))}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        notes = "".join(f"<p style='{_NOTE}'>{html.escape(n)}</p>" for n in self.notes)
        return (
            "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
            f"<title>{html.escape(self.title)}</title></head>"
            f"<body style='font-family:Arial,Helvetica,sans-serif'><p style='{_TITLE}'>{html.escape(self.title)}</p>"
            f"<table style='border-collapse:collapse;font-size:10pt'><thead><tr>{''.join(head)}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>{notes}</body></html>\n"
        )

    def png(self, path: str | pathlib.Path, dpi: int = 200) -> pathlib.Path:
        """Writes the table as a PNG image (drawn with matplotlib from the same cells and notes)."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.transforms import Bbox

        cols = self.frame.columns
        rows = [[_text(v) for v in r] for r in self.frame.iter_rows()]
        widths = [max(len(c), *(len(r[j]) for r in rows)) if rows else len(c) for j, c in enumerate(cols)]
        total = sum(widths) or 1
        width_in = min(11.0, max(4.0, 0.075 * total + 0.4))
        wrapped = [textwrap.fill(n, width=int(width_in * 17)) for n in self.notes]
        note_lines = sum(w.count("\n") + 1 for w in wrapped)
        height = 0.55 + 0.24 * (len(rows) + 1) + 0.14 * note_lines
        fig = Figure(figsize=(width_in, height))
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0.01, 0.0, 0.98, 1.0))
        ax.axis("off")
        top = 1 - 0.45 / height
        table_h = 0.24 * (len(rows) + 1) / height
        t = ax.table(
            cellText=rows or [[""] * len(cols)],
            colLabels=cols,
            colWidths=[w / total for w in widths],
            cellLoc="left",
            colLoc="left",
            bbox=Bbox.from_bounds(0.0, top - table_h, 1.0, table_h),
        )
        t.auto_set_font_size(False)
        t.set_fontsize(8)
        for (r, _c), cell in t.get_celld().items():
            cell.set_edgecolor("#bbbbbb")
            cell.visible_edges = "B" if r == 0 else "horizontal"
            if r == 0:
                cell.get_text().set_fontweight("bold")
            elif r - 1 in self.low_rows:
                cell.get_text().set_color("#666666")
        ax.text(0.0, 1 - 0.12 / height, self.title, fontsize=10, fontweight="bold", va="top")
        ax.text(0.0, top - table_h - 0.08 / height, "\n".join(wrapped), fontsize=6.5, va="top", color="#444444")
        path = pathlib.Path(path)
        fig.savefig(path, dpi=dpi, bbox_inches="tight")
        return path

    def markdown(self, *, omit: Sequence[str] = ()) -> str:
        """The table as Markdown, its notes as lines under it (each cell escaped); notes that
        start with one of ``omit`` are left out (a memo that states the rejects once, first)."""
        from takedowns._escape import md_cell, md_note

        lines = ["| " + " | ".join(md_cell(c) for c in self.frame.columns) + " |"]
        lines.append(
            "|" + "|".join("---:" if self.frame.schema[c].is_numeric() else "---" for c in self.frame.columns) + "|"
        )
        for row in self.frame.iter_rows():
            lines.append("| " + " | ".join(md_cell(_text(v)) for v in row) + " |")
        lines.append("")
        lines += [f"*{md_note(n)}*  " for n in self.notes if not n.startswith(tuple(omit))]
        return "\n".join(lines).rstrip() + "\n"

    def save(self, stem: str | pathlib.Path) -> list[pathlib.Path]:
        """Writes ``stem.html`` (great_tables), ``stem.word.html`` and ``stem.png``."""
        stem = pathlib.Path(stem)
        stem.parent.mkdir(parents=True, exist_ok=True)
        html_path = stem.with_suffix(".html")
        html_path.write_text(self.html(), encoding="utf-8")
        word = stem.with_suffix(".word.html")
        word.write_text(self.word_html(), encoding="utf-8")
        return [html_path, word, self.png(stem.with_suffix(".png"))]

    def _repr_html_(self) -> str:
        return self.html()


_TH = "border-bottom:1.5pt solid #333333;padding:3pt 8pt;text-align:left;font-weight:bold;"
_TD = "border-bottom:0.5pt solid #cccccc;padding:3pt 8pt;"
_NOTE = "font-size:8pt;color:#444444;margin:2pt 0;"
_TITLE = "font-size:12pt;font-weight:bold;margin:0 0 4pt 0;"


def _text(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.2f}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    return str(v)


def _facts(cases: Cases | None, source: str | None, as_of: dt.date | dt.datetime | None) -> str | None:
    from takedowns import plot

    parts = []
    if source is not None or cases is not None:
        parts.append(f"Source: {source if source is not None else plot.default_source(cases)}")  # type: ignore[arg-type]
    when = as_of if as_of is not None else (plot._data_as_of(cases) if cases is not None else None)
    if when is not None:
        parts.append(f"data as of {when:%-d %b %Y}")
    return "; ".join(parts) + "." if parts else None


def memo_table(
    df: pl.DataFrame,
    *,
    title: str | None = None,
    cases: Cases | None = None,
    source: str | None = None,
    as_of: dt.date | dt.datetime | None = None,
    columns: Sequence[str] | None = None,
) -> MemoTable:
    """Formats a table of takedowns (compliance, trend, reach, time to action, summary ...) for a
    memo. A table with rates gets one ``Compliance (95% CI), n`` cell per row; a time-to-action
    table gives shares within each deadline as percents and the median with its interval; the
    ``definition`` column becomes a note, as do the low-n rows, the source and the as-of date
    (from ``cases`` when given, which also states rows its load rejected). ``columns`` keeps only
    those input columns (by their names in ``df``)."""
    from takedowns._cases import rejects_sentence

    if df.height == 0:
        raise InvalidArgumentError("memo_table needs a table with rows", "df")
    if "published_rate" in df.columns and columns is None:
        return _comparison(df, title, cases, source, as_of)
    keep = [c for c in (columns or _default_columns(df)) if c not in _HIDDEN]
    unknown = [c for c in keep if c not in df.columns]
    if unknown:
        raise InvalidArgumentError(f"columns not in the table: {', '.join(unknown)}", "columns")
    has_rate = {"rate", "ci_low", "ci_high", "n"} <= set(df.columns)
    defs = df.get_column("definition").unique(maintain_order=True).to_list() if "definition" in df.columns else []
    m = _INTERVAL.search(defs[0]) if defs else None
    level = f"{m.group(1)}% CI" if m else "CI"
    out: dict[str, list[Any]] = {}
    low_rows: list[int] = []
    for c in keep:
        values = df.get_column(c).to_list()
        if c.endswith("_within_" + c.rsplit("_within_", 1)[-1]) and "_within_" in c:
            out[_header(c)] = [None if v is None else percent(v) for v in values]
        elif c in ("share_actioned", "top10_share"):
            out[_header(c)] = [None if v is None else percent(v) for v in values]
        elif df.schema[c] == pl.String or c == "period_label":
            out[_header(c)] = [_display(v) for v in values]
        elif c == "median_days" and {"median_ci_low", "median_ci_high"} <= set(df.columns):
            lows, highs = df.get_column("median_ci_low").to_list(), df.get_column("median_ci_high").to_list()
            sizes = df.get_column("requests").to_list() if "requests" in df.columns else [None] * df.height
            out[f"Median days to decision ({level})"] = [
                ("not reached" if v is None else f"{v:.1f} ({_num(lo)} to {_num(hi)})")
                + (f" {_DAGGER}" if n is not None and n < MIN_N else "")
                for v, lo, hi, n in zip(values, lows, highs, sizes)
            ]
            low_rows = [i for i, n in enumerate(sizes) if n is not None and n < MIN_N]
        elif df.schema[c].is_float():
            out[_header(c)] = [None if v is None else round(v, 2) for v in values]
        else:
            out[_header(c)] = values
    if has_rate:
        lows = df.get_column("low_n").to_list() if "low_n" in df.columns else [False] * df.height
        out[f"Compliance ({level}), n"] = [
            rate_cell(r, lo, hi, int(n or 0), bool(low))
            for r, lo, hi, n, low in zip(
                df.get_column("rate").to_list(),
                df.get_column("ci_low").to_list(),
                df.get_column("ci_high").to_list(),
                df.get_column("n").to_list(),
                lows,
            )
        ]
        low_rows = [i for i, low in enumerate(lows) if low]
    frame = pl.DataFrame(out, strict=False)
    notes: list[str] = []
    if cases is not None:
        sentence = rejects_sentence(cases.load_report)
        if sentence:
            notes.append(f"Rejected rows: {sentence}")
    if len(defs) == 1:
        notes.append(f"Definition: {defs[0]}.")
    elif defs:
        notes.append(f"Definition (first row; each row states its own counts): {defs[0]}.")
    if low_rows:
        thresholds = re.findall(r"low_n when n < (\d+)", defs[0]) if defs else []
        below = f"below {thresholds[0]}" if thresholds else f"below {MIN_N}"
        notes.append(f"{_DAGGER} n {below}: too few to read the rate with confidence.")
    if has_rate:
        notes.append(f"Compliance cells: rate ({level} low–high, in percent), n = the denominator.")
    facts = _facts(cases, source, as_of)
    if facts:
        notes.append(facts)
    return MemoTable(frame=frame, title=title or "Table", notes=notes, low_rows=low_rows)


def _comparison(
    df: pl.DataFrame,
    title: str | None,
    cases: Cases | None,
    source: str | None,
    as_of: dt.date | dt.datetime | None,
) -> MemoTable:
    """A :meth:`~takedowns.Cases.compare_with_published` table for a memo: yours as a rate cell,
    the published rate and its n, the difference in points, and whether it lies outside yours."""
    defs = df.get_column("definition").to_list()
    m = _INTERVAL.search(defs[0]) if defs else None
    level = f"{m.group(1)}% CI" if m else "CI"
    matched = df.filter(pl.col("published_requests").is_not_null())
    # Yours without a published figure (periods with none of yours are only the trend's zero fill).
    unmatched = df.filter(pl.col("published_requests").is_null() & (pl.col("observed_requests") > 0)).height
    if matched.height:  # the groups and periods the publisher covers; the CSV has them all
        df = matched
    keys = [c for c in df.columns if df.schema[c] == pl.String and c not in ("period_label", "definition")]
    out: dict[str, list[Any]] = {_header(k): [_display(v) for v in df.get_column(k).to_list()] for k in keys}
    out["Period"] = df.get_column("period_label").to_list()
    low_rows: list[int] = []
    yours, theirs, diff, outside = [], [], [], []
    for i, r in enumerate(df.iter_rows(named=True)):
        if r["observed_n"] is None:
            yours.append("none of yours")
        else:
            low = bool(r["observed_low_n"])
            yours.append(
                rate_cell(r["observed_rate"], r["observed_ci_low"], r["observed_ci_high"], r["observed_n"], low)
            )
            if low:
                low_rows.append(i)
        n = r["published_requests"]
        if n is None:
            theirs.append("not published")
        elif r["published_rate"] is None:
            theirs.append(f"no rate (n={n:,})")
        else:
            theirs.append(f"{percent(r['published_rate'])}, n={n:,}")
        diff.append(None if r["difference"] is None else f"{r['difference'] * 100:+.0f} points")
        flag = r["published_outside_interval"]
        outside.append("–" if flag is None else "yes ‡" if flag else "no")
    out[f"Yours ({level}), n"] = yours
    out["Published, n"] = theirs
    out["Published − yours"] = diff
    out["Published outside your interval"] = outside
    notes = [f"Definitions: {defs[0]}."] if defs else []
    if low_rows:
        notes.append(f"{_DAGGER} few of your cases: too few to read the rate with confidence.")
    notes.append("‡ the published rate lies outside your interval. The published n is in the publisher's unit.")
    if unmatched and matched.height:
        notes.append(f"{unmatched} group-period(s) of yours without a published figure are not shown.")
    facts = _facts(cases, source, as_of)
    if facts:
        notes.append(facts)
    frame = pl.DataFrame(out, strict=False)
    return MemoTable(frame=frame, title=title or "Published versus observed", notes=notes, low_rows=low_rows)


def _default_columns(df: pl.DataFrame) -> list[str]:
    """What a memo shows of each kind of table: its groups, its size and its result; the counts
    behind the result stay in the CSV."""
    counts = {"requests", "accounts", "cases", "removed", "restricted", "rejected", "pending", "successes", "actioned"}
    keys = [c for c in df.columns if df.schema[c] == pl.String and c != "definition" and c not in counts]
    cols = set(df.columns)
    if {"rate", "ci_low", "ci_high", "n"} <= cols:
        size = ["accounts"] if "accounts" in cols else ["requests"] if "requests" in cols else []
        return keys + size + ["successes"]
    if "median_days" in cols:
        within = [c for c in df.columns if c.startswith("actioned_within_")]
        return keys + ["requests", "median_days"] + within
    if "followers_actioned" in cols:
        return keys + [c for c in ("accounts", "followers", "share_actioned", "top10_share") if c in cols]
    return list(df.columns)


def _num(v: float | None) -> str:
    return "not reached" if v is None else f"{v:.1f}"
