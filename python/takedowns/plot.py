"""Memo figures: one style for all, colour-blind-safe, a stable colour per platform where colour
tells series apart (one neutral colour where it would encode nothing), and a footnote stamped on
every figure with the definition used, n, the period, the interval method, the data's as-of date
and its source.

Every function takes :class:`~takedowns.Cases`, draws on a new figure (or on ``ax``) and returns a
:class:`Plot`, the pair ``(figure, axes)`` for further edits, which a notebook shows as an image
each time it is the cell's value (no ``import matplotlib.pyplot`` needed: the figures are not
pyplot's, so none is shown twice or kept open). :func:`save` writes PNG (300 dpi), SVG and PDF.

Small numbers stay visibly small: rates on fewer than ``min_n`` units (30 unless given) are
marked (``low_n="mark"``: hollow, with a dagger, or hatched in a heatmap), greyed
(``low_n="fade"``) or left out with a note saying how many (``low_n="drop"``).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import pathlib
import re
import textwrap
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, cast, get_args

import polars as pl

from takedowns._cases import last_period_end
from takedowns._typing import CrossValue, Every, FollowersRule, LowN, ReturnMatch
from takedowns.errors import EmptySelectionError, InvalidArgumentError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from takedowns._cases import Cases

# Okabe-Ito, the colour-blind-safe palette; each known platform keeps its colour in every figure.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
PLATFORM_COLOURS = {
    "facebook": "#0072B2",
    "instagram": "#CC79A7",
    "tiktok": "#000000",
    "x": "#E69F00",
    "telegram": "#56B4E9",
    "whatsapp": "#009E73",
    "youtube": "#D55E00",
    "google": "#F0E442",
}
#: The one colour of dots and bars whose colour would encode nothing (the label says what each is).
NEUTRAL = "#33415C"
#: Low-n marks and faded groups.
FADED = "#A0A0A0"
OUTCOME_COLOURS = {"actioned": "#009E73", "live": "#D55E00", "rejected": "#D55E00", "pending": "#999999"}
WIDTH_IN = 6.5  # a memo's single text column
#: The low-n threshold when none is given (the analytics' ``min_n`` default).
MIN_N = 30
# Where a trend's definition turns from counts to rates (src/metrics/trend.rs, RATE_CLAUSE).
_RATE_CLAUSE = "; each period's rate: "
DISPLAY = {
    "facebook": "Facebook",
    "instagram": "Instagram",
    "tiktok": "TikTok",
    "x": "X",
    "telegram": "Telegram",
    "whatsapp": "WhatsApp",
    "youtube": "YouTube",
    "google": "Google",
}
# How far one period reaches, for the incomplete last period of a trend.
_PERIOD = {"day": "1d", "week": "1w", "month": "1mo", "quarter": "3mo", "half-year": "6mo", "year": "1y"}

_RC = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "figure.dpi": 100,
    "savefig.bbox": "tight",
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
}


class Plot(NamedTuple):
    """A drawn figure and its axes: unpack it (``fig, ax = plot.compliance(cases)``) to edit it;
    as a notebook cell's value it shows as the image."""

    figure: Figure
    axes: Axes

    def _repr_png_(self) -> bytes:
        return _png(self.figure)

    def save(
        self, stem: str | pathlib.Path, formats: Sequence[str] = ("png", "svg", "pdf"), dpi: int = 300
    ) -> list[pathlib.Path]:
        """:func:`save` for this figure."""
        return save(self.figure, stem, formats, dpi)


def _estimate(
    ax: Axes, y: float, x: float, low: float, high: float, *, colour: str = NEUTRAL, hollow: bool = False
) -> None:
    """One estimate at height ``y``: its interval a line with square ends, the estimate a dot,
    hollow to mark it (a small n; an interval across 0)."""
    ax.plot([low, high], [y, y], color=colour, lw=1.6, solid_capstyle="butt")
    ax.plot(x, y, "o", ms=6, color=colour, mfc="white" if hollow else colour, mew=1.5)


def _png(fig: Figure, dpi: int = 110) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return buf.getvalue()


@functools.cache
def _figure_class() -> type[Figure]:
    from matplotlib.figure import Figure

    class MemoFigure(Figure):
        """A figure of this module: shown in a notebook as its PNG, drawn without pyplot."""

        def _repr_png_(self) -> bytes:
            return _png(self)

    return MemoFigure


#: Colours after Okabe and Ito's eight, for figures with more series (Paul Tol's "muted").
MORE_COLOURS = ["#882255", "#44AA99", "#117733", "#332288", "#AA4499", "#88CCEE", "#DDCC77", "#999933", "#CC6677"]


def colours(keys: list[str]) -> list[str]:
    """A colour for each key, no two alike while colours last: a platform's stable colour, else
    the next palette colour no series of this figure already has."""
    taken = {PLATFORM_COLOURS[k] for k in keys if k in PLATFORM_COLOURS}
    free = [c for c in OKABE_ITO + MORE_COLOURS if c not in taken]
    out, j = [], 0
    for k in keys:
        if k in PLATFORM_COLOURS:
            out.append(PLATFORM_COLOURS[k])
        else:
            out.append(free[j % len(free)])
            j += 1
    return out


def label(key: Any) -> str:
    """How a platform or other key is written in a figure (``x`` -> X, ``None`` -> (none))."""
    if key is None:
        return "(none)"
    # "$" would start matplotlib's math mode: a label is text, never markup.
    return DISPLAY.get(str(key), str(key)).replace("$", r"\$")


def _figure(ax: Axes | None, height: float) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    with matplotlib.rc_context(cast(Any, _RC)):
        fig = _figure_class()(figsize=(WIDTH_IN, height))
        FigureCanvasAgg(fig)
        ax = fig.subplots()
    _style(ax)
    return fig, ax


def _style(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=8)


def _day(v: dt.date | dt.datetime) -> str:
    return f"{v:%-d %b %Y}"


def _data_as_of(cases: Cases) -> dt.datetime | None:
    """The latest date in the data: its last request or decision, or for a published source the
    last day of its last period (``period_end``)."""
    df = cases.to_polars()
    dates = [cast("dt.datetime | None", df.get_column(c).max()) for c in ("reported_at", "actioned_at")]
    dates.append(last_period_end(df))
    known = [d for d in dates if d is not None]
    return max(known) if known else None


def _as_datetime(v: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(v, dt.datetime):
        return v.replace(tzinfo=None) if v.tzinfo is None else v.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return dt.datetime(v.year, v.month, v.day)


def default_source(cases: Cases) -> str:
    """Where the cases came from: the one value of their ``source`` column when they have one (a
    published source names itself), else the file's name, or the sample."""
    frame = cases.to_polars()
    if "source" in frame.columns:
        named = frame.get_column("source").drop_nulls().unique()
        if named.len() == 1:  # a published source names itself
            return str(named.item())
    src = str(cases.load_report.get("source") or "")
    if src.strip("<>") == "sample":
        return "synthetic sample shipped with takedowns (fake handles)"
    if not src or src.startswith("<"):
        return "case records (a frame in memory)"
    return pathlib.PurePath(src).name


def _facts(cases: Cases, as_of: dt.date | dt.datetime | None = None) -> str:
    df = cases.to_polars()
    rep = df.get_column("reported_at")
    first, last = cast("dt.datetime | None", rep.min()), cast("dt.datetime | None", rep.max())
    when = as_of if as_of is not None else _data_as_of(cases)
    # A published source's rows stand for periods: from the first one's start to the last one's end.
    end = last_period_end(df)
    span = "periods" if end is not None and first is not None else "reported"
    last = end if span == "periods" else last
    period = f"{_day(first)}–{_day(cast(dt.datetime, last))}" if first is not None else "undated"
    as_of_text = _day(when) if when is not None else "n/a"
    n = int(df.get_column("count").sum()) if len(df) else 0
    # A source whose rows are not requests (items, statements of reasons) counts in its unit.
    unit = cases.load_report.get("unit") or "requests"
    return f"n = {n:,} {unit}; {span} {period}; data as of {as_of_text}"


def footnote(
    fig: Figure,
    definition: str,
    cases: Cases,
    extra: str = "",
    *,
    source: str | None = None,
    as_of: dt.date | dt.datetime | None = None,
) -> None:
    """Stamps the definition, n, period, as-of date and source under the figure's lowest axes,
    clear of its tick labels and axis label (placed in points, so it holds at any figure size).
    ``source`` is the data's source (default: the file the cases were read from)."""
    src = source if source is not None else default_source(cases)
    text = f"{definition}. {_facts(cases, as_of)}.{(' ' + extra) if extra else ''} Source: {src}."
    wrapped = "\n".join(textwrap.wrap(text.replace("$", r"\$"), width=125))
    axes = [a for a in fig.axes if a.get_label() != "<colorbar>"]
    ax = min(axes, key=lambda a: a.get_position().y0)
    below = 24 + (14 if ax.get_xlabel() else 0) + (16 if any(t.get_rotation() for t in ax.get_xticklabels()) else 0)
    ax.annotate(
        wrapped,
        xy=(0, 0),
        xycoords="axes fraction",
        xytext=(0, -below),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=6.5,
        color="#444444",
        annotation_clip=False,
    )


def _compact(v: float) -> str:
    """Axis numbers a reader can take in: 0, 250k, 1.5M.

    >>> [_compact(v) for v in (0, 2_500, 250_000, 1_500_000)]
    ['0', '2.5k', '250k', '1.5M']
    """
    if abs(v) >= 1e6:
        return f"{v / 1e6:.3g}M"
    if abs(v) >= 1e3:
        return f"{v / 1e3:.3g}k"
    return f"{v:.0f}"


def _percent_axis(ax: Axes, axis: str = "y") -> None:
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _: f"{v:.0f}%")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def _nonempty(df: pl.DataFrame, what: str) -> None:
    if df.height == 0:
        raise EmptySelectionError(f"no cases to plot for {what}: the selection is empty")


def _check_low_n(low_n: str) -> None:
    if low_n not in get_args(LowN):
        raise InvalidArgumentError(f"low_n is one of {', '.join(get_args(LowN))}; got {low_n!r}", "low_n")


def _drop_low_n(df: pl.DataFrame, low_n: LowN, what: str, min_n: int, unit: str) -> tuple[pl.DataFrame, str]:
    """The rows a figure draws and the note for those it leaves out (``low_n="drop"``)."""
    _check_low_n(low_n)
    if low_n != "drop" or "low_n" not in df.columns:
        return df, ""
    dropped = df.filter(pl.col("low_n"))
    if dropped.height == 0:
        return df, ""
    kept = df.filter(~pl.col("low_n"))
    if kept.height == 0:
        raise EmptySelectionError(
            f"every {what} has fewer than {min_n} {unit}; low_n='drop' would leave nothing to draw "
            "(use low_n='mark' or 'fade', or a smaller min_n)"
        )
    return kept, f"{dropped.height} {what}(s) with fewer than {min_n} {unit} not shown (low_n='drop')."


def _compliance_spec(options: dict[str, Any]) -> Any:
    """The compliance definition the options name (a ``spec=`` beside keywords changes it)."""
    from takedowns import ComplianceSpec, TrendSpec
    from takedowns._cases import _spec

    opts = dict(options)
    spec = opts.pop("spec", None)
    for k in ("on", "year_start", "start", "end", "every"):
        opts.pop(k, None)
    return _spec(ComplianceSpec, spec.compliance if isinstance(spec, TrendSpec) else spec, opts)


def _denominator_words(spec: Any) -> tuple[str, str]:
    """What n counts, and the title's clause saying so."""
    unit = "accounts" if spec.unit == "account" else "requests"
    if spec.pending == "exclude":
        return f"decided {unit}", f"of decided {unit} (pending left out)"
    return unit, f"of all {unit} (pending count as not complied)"


def compliance(
    cases: Cases,
    by: str = "platform",
    *,
    ax: Axes | None = None,
    title: str | None = None,
    source: str | None = None,
    as_of: dt.date | dt.datetime | None = None,
    low_n: LowN = "mark",
    **options: Any,
) -> Plot:
    """Compliance rate per group as dots with confidence-interval whiskers, sorted by rate.

    Each label gives n, the denominator actually used (with ``pending="exclude"``, the decided
    requests; the title says which). Groups flagged ``low_n`` are drawn hollow with a dagger
    (``low_n="mark"``), greyed (``"fade"``) or left out with a note (``"drop"``). Dots are one
    neutral colour: the label says which group each is. ``options`` go to
    :meth:`Cases.compliance` (``pending``, ``unit``, ``method``, ``min_n`` ...).

    Examples
    --------
    >>> import takedowns as td
    >>> from takedowns import plot
    >>> fig, ax = plot.compliance(td.sample())
    >>> [t.get_text() for t in ax.get_yticklabels()][-1]
    'Facebook (n=212)'
    >>> fig, ax = plot.compliance(td.sample(), pending="exclude")
    >>> [t.get_text() for t in ax.get_yticklabels()][-1], ax.get_title(loc="left")
    ('Facebook (n=205)', 'Compliance by platform, of decided requests (pending left out)')
    """
    if len(cases) == 0:
        raise EmptySelectionError("no cases to plot: the selection is empty")
    spec = _compliance_spec(options)
    n_words, clause = _denominator_words(spec)
    c = cases.compliance(by=by, **options).sort("rate", nulls_last=False)
    _nonempty(c, "compliance")
    c, dropped_note = _drop_low_n(c, low_n, by, spec.min_n, n_words)
    fig, ax = _figure(ax, 0.45 + 0.32 * c.height)
    rows = list(c.iter_rows(named=True))
    low_any = False
    for i, r in enumerate(rows):
        if r["rate"] is None:
            ax.text(0.0, i, "  no rate (0/0)", va="center", fontsize=8, color="#666666")
            continue
        low = bool(r["low_n"])
        low_any |= low
        col = FADED if low and low_n == "fade" else NEUTRAL
        _estimate(ax, i, r["rate"] * 100, r["ci_low"] * 100, r["ci_high"] * 100, colour=col, hollow=low)
        from takedowns.tables import percent

        ax.text(
            r["ci_high"] * 100 + 1.2,
            i,
            percent(r["rate"]),
            va="center",
            fontsize=8,
            color=FADED if low and low_n == "fade" else "black",
        )
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{label(r[by])} (n={r['n']:,}){' †' if r['low_n'] else ''}" for r in rows])
    if low_n == "fade":
        for tick, r in zip(ax.get_yticklabels(), rows):
            if r["low_n"]:
                tick.set_color(FADED)
    ax.set_xlim(0, 108)
    ax.set_xticks([0, 25, 50, 75, 100])
    _percent_axis(ax, "x")
    ax.set_xlabel(f"Compliance rate (dot) with confidence interval (line); n = {n_words}")
    ax.set_title(title or f"Compliance by {by}, {clause}", loc="left")
    notes = []
    if low_any:
        notes.append(f"† n below {spec.min_n} {n_words}: read with care.")
    if dropped_note:
        notes.append(dropped_note)
    footnote(fig, str(c["definition"][0]), cases, " ".join(notes), source=source, as_of=as_of)
    return Plot(fig, ax)


def pairwise(
    cases: Cases,
    by: str = "platform",
    *,
    reference: str | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    source: str | None = None,
    as_of: dt.date | dt.datetime | None = None,
    **options: Any,
) -> Plot:
    """Differences in compliance between groups, in percentage points, each with Newcombe's
    interval (:meth:`Cases.pairwise`): a dot and a line per pair, a rule at 0, and the
    adjusted p-value beside each. Pairs whose interval excludes 0 are drawn solid, the others
    hollow. ``options`` go to :meth:`Cases.pairwise` (``adjust``, ``pending``, ``min_n`` ...).

    Examples
    --------
    >>> import takedowns as td
    >>> from takedowns import plot
    >>> fig, ax = plot.pairwise(td.sample(), reference="facebook")
    >>> [t.get_text() for t in ax.get_yticklabels()][0]
    'TikTok − Facebook'
    """
    if len(cases) == 0:
        raise EmptySelectionError("no cases to plot: the selection is empty")
    t = cases.pairwise(by=by, reference=reference, **options).filter(pl.col("difference").is_not_null())
    _nonempty(t, "pairwise comparison")
    t = t.sort("difference", descending=True)
    fig, ax = _figure(ax, 0.45 + 0.3 * t.height)
    rows = list(t.iter_rows(named=True))
    low_any = False
    for i, r in enumerate(rows):
        lo, hi, d = (r[c] * 100 for c in ("difference_low", "difference_high", "difference"))
        clear = lo > 0 or hi < 0
        low_any |= bool(r["low_n"])
        _estimate(ax, i, d, lo, hi, hollow=not clear)
        p = r["p_adjusted"]
        ax.text(
            1.01,
            i,
            "p n/a" if p is None else ("p < 0.001" if p < 0.001 else f"p = {p:.3f}"),
            transform=ax.get_yaxis_transform(),
            va="center",
            fontsize=8,
        )
    ax.axvline(0, color="#999999", lw=0.8, zorder=0)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{label(r[f'{by}_a'])} − {label(r[f'{by}_b'])}{' †' if r['low_n'] else ''}" for r in rows])
    ax.set_xlabel("Difference in compliance, percentage points (dot), with Newcombe interval (line)")
    against = f" against {label(reference)}" if reference is not None else ""
    ax.set_title(title or f"Compliance compared by {by}{against}", loc="left")
    # (The definition, quoted first, states the adjustment and the number of comparisons.)
    notes = ["Solid: interval excludes 0."]
    if low_any:
        notes.append("† a group with a small n: read with care.")
    footnote(fig, str(t["definition"][0]), cases, " ".join(notes), source=source, as_of=as_of)
    return Plot(fig, ax)


def _period_end(start: dt.date, every: str) -> dt.datetime:
    end = pl.Series([start]).dt.offset_by(_PERIOD[every]).item()
    return dt.datetime(end.year, end.month, end.day)


def trend(
    cases: Cases,
    every: Every = "month",
    *,
    by: str | None = "platform",
    value: str = "requests",
    kind: str = "lines",
    events: Iterable[tuple[dt.date, str]] = (),
    change_at: dt.date | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    source: str | None = None,
    as_of: dt.date | dt.datetime | None = None,
    low_n: LowN = "mark",
    **options: Any,
) -> Plot:
    """Cases per period as lines or stacked areas per group, with optional event markers.

    ``value`` is any count column of :meth:`Cases.trend` (``requests``, ``actioned``,
    ``cum_requests`` ...) or ``"rate"``: the compliance rate on a percent axis with its interval
    as a band, low-n periods hollow (or greyed, or left out: ``low_n``). ``events`` is a list of
    ``(date, label)`` drawn as dashed lines. A last period that ends after ``as_of`` (default:
    the latest date in the data) is shaded and drawn dashed: it is incomplete.

    ``change_at`` (with ``value="rate"``) marks a date and draws each group's rate before and
    after it as a level (:meth:`Cases.change`), the change and its interval in the footnote.
    """
    if kind not in ("lines", "area"):
        raise InvalidArgumentError(f"kind is 'lines' or 'area', not {kind!r}", "kind")
    _check_low_n(low_n)
    rate = value == "rate"
    if rate and kind == "area":
        raise InvalidArgumentError("rates do not stack: use kind='lines' with value='rate'", "kind")
    if change_at is not None and not rate:
        raise InvalidArgumentError("change_at draws the rate before and after a date: use value='rate'", "change_at")
    t = cases.trend(every, by=by, **options)
    _nonempty(t, "trend")
    if value not in t.columns or value in ("period", "period_label", "definition", "low_n") or value == by:
        raise InvalidArgumentError(f"value {value!r} is not a numeric column of the trend table", "value")
    if t.height and t.get_column(value).null_count() == t.height:
        # A source without outcomes (or rows that are all actions) has no such value: an empty
        # axis would look like a finding.
        why = (
            "the source publishes no outcome"
            if cases.load_report.get("outcomes_unpublished")
            else "every row is an action, so no rate applies"
            if cases.load_report.get("actions_only")
            else "it is null in every period"
        )
        raise InvalidArgumentError(f"the trend has no {value!r} to draw: {why}; draw value='requests'", "value")
    spec = _compliance_spec(options)
    n_words, clause = _denominator_words(spec)
    fig, ax = _figure(ax, 3.4)
    keys = [None] if by is None else t.get_column(by).unique(maintain_order=True).sort(nulls_last=True).to_list()
    periods = t.get_column("period").unique().sort().to_list()
    colours_ = colours([str(k) for k in keys]) if by is not None else [NEUTRAL] * len(keys)
    names = ["all" if k is None else label(k) for k in keys]
    when = as_of if as_of is not None else _data_as_of(cases)
    last_end = _period_end(periods[-1], every)
    # Complete when the data reach the period's last day.
    incomplete = when is not None and _as_datetime(when).date() < (last_end - dt.timedelta(days=1)).date()
    low_any = dropped = 0
    series = []
    for key in keys:
        sub = t if by is None else t.filter(pl.col(by).eq_missing(key))
        sub = sub.sort("period")
        series.append(sub)
    if kind == "area":
        ys = [[dict(zip(s["period"].to_list(), s[value].to_list())).get(p, 0) or 0 for p in periods] for s in series]
        ax.stackplot(periods, ys, labels=names, colors=colours_, alpha=0.85, step="post" if len(periods) == 1 else None)
    else:
        for s, c, n in zip(series, colours_, names):
            x = s["period"].to_list()
            y = [None if v is None else v * 100 if rate else v for v in s[value].to_list()]
            lows = s["low_n"].to_list() if rate else [False] * len(x)
            if rate and low_n == "drop":
                dropped += sum(1 for v, lo in zip(y, lows) if lo and v is not None)
                y = [None if lo else v for v, lo in zip(y, lows)]
            yy = [float("nan") if v is None else v for v in y]
            cut = len(x) - 1 if incomplete and x and x[-1] == periods[-1] and len(x) > 1 else len(x)
            ax.plot(x[:cut], yy[:cut], lw=1.5, color=c, label=n)
            if cut < len(x):
                ax.plot(x[cut - 1 :], yy[cut - 1 :], lw=1.5, color=c, ls=(0, (2, 2)))
            if rate:
                lo = [
                    float("nan") if v is None or m else v * 100
                    for v, m in zip(s["ci_low"].to_list(), [low_n == "drop" and f for f in lows])
                ]
                hi = [
                    float("nan") if v is None or m else v * 100
                    for v, m in zip(s["ci_high"].to_list(), [low_n == "drop" and f for f in lows])
                ]
                ax.fill_between(x, lo, hi, color=c, alpha=0.15, lw=0)
            for xi, yi, lo_n in zip(x, yy, lows):
                if yi != yi:  # NaN: no rate, or dropped
                    continue
                low_any += bool(lo_n)
                face = "white" if lo_n or (incomplete and xi == periods[-1]) else c
                ax.plot(xi, yi, "o", ms=3.5, color=FADED if lo_n and low_n == "fade" else c, mfc=face, mew=1.2)
    from matplotlib.dates import date2num

    if incomplete:
        span = (float(date2num(periods[-1])), float(date2num(last_end)))  # type: ignore[no-untyped-call]
        ax.axvspan(*span, color="#dddddd", alpha=0.5, lw=0, zorder=0)

    if rate:
        ax.set_ylim(0, 100)
        _percent_axis(ax)
    else:
        from matplotlib.ticker import MaxNLocator

        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    change_notes: list[str] = []
    if change_at is not None:
        ch = cases.change(change_at, by=by, **options)
        events = [*events, (change_at, f"{_day(change_at)}")]
        left, right = periods[0], last_end
        for key, c in zip(keys, colours_):
            row = ch if by is None else ch.filter(pl.col(by).eq_missing(key))
            if row.height == 0:
                continue
            r = row.row(0, named=True)
            edges = [float(date2num(v)) for v in (left, change_at, right)]  # type: ignore[no-untyped-call]
            for a, b, level in ((edges[0], edges[1], r["rate_before"]), (edges[1], edges[2], r["rate_after"])):
                if level is not None:
                    ax.hlines(level * 100, a, b, colors=c, lw=2.2, alpha=0.55, linestyles=(0, (5, 2)))
            if r["difference"] is not None:
                name = "" if key is None else f"{label(key)}: "
                change_notes.append(
                    f"{name}{r['difference'] * 100:+.1f} points ({r['difference_low'] * 100:+.1f} to "
                    f"{r['difference_high'] * 100:+.1f}), p={r['p_adjusted']:.2g}"
                    if r["p_adjusted"] is not None
                    else f"{name}{r['difference'] * 100:+.1f} points"
                )
    for when_, text in events:
        at = float(date2num(when_))  # type: ignore[no-untyped-call]
        ax.axvline(at, color="#555555", lw=0.8, ls="--")
        ax.text(at, ax.get_ylim()[1], f" {text}", rotation=90, va="top", ha="left", fontsize=7, color="#555555")
    # A source whose rows are not requests (statements of reasons, items) names its own unit.
    unit = cases.load_report.get("unit")
    shown = str(unit) if (unit and value == "requests") else value.replace("_", " ")
    ax.set_ylabel("Compliance rate" if rate else shown)
    labels = t.sort("period").get_column("period_label").unique(maintain_order=True).to_list()
    step = max(1, len(periods) // 12)
    ax.set_xticks(periods[::step])
    ax.set_xticklabels(
        labels[::step],
        rotation=0 if len(labels[::step]) <= 8 else 45,
        ha="center" if len(labels[::step]) <= 8 else "right",
    )
    if by is not None and len(keys) > 1:
        ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    default_title = f"Compliance per {every}, {clause}" if rate else f"{shown[:1].upper()}{shown[1:]} per {every}"
    if change_at is not None:
        default_title = f"Compliance per {every} before and from {_day(change_at)}, {clause}"
    ax.set_title(title or default_title, loc="left")
    definition = str(t["definition"][0])
    if not rate and value not in ("ci_low", "ci_high"):
        # The figure draws counts: its footnote states how they are counted, not the rate.
        definition = definition.split(_RATE_CLAUSE)[0]
        if by is not None:
            # Each row states its own group's undated requests; the figure states them all.
            on = options.get("on", "reported_at")
            frame = cases.to_polars()
            undated = int(frame.filter(pl.col(on).is_null()).get_column("count").sum())
            definition = re.sub(r"\d+ request\(s\) of this group without", f"{undated} request(s) without", definition)
    notes = []
    if incomplete and when is not None:
        notes.append(
            f"The last period ({labels[-1]}, shaded, dashed) is incomplete: the data run to {_day(when)}, "
            f"the period to {_day(last_end - dt.timedelta(days=1))}."
        )
    if rate and low_any and low_n != "drop":
        notes.append(f"Hollow dots: n below {spec.min_n} {n_words}; read with care.")
    if dropped:
        notes.append(f"{dropped} period rate(s) on fewer than {spec.min_n} {n_words} not shown (low_n='drop').")
    if change_at is not None:
        shown_notes = change_notes[:6] + (
            [f"{len(change_notes) - 6} more in cases.change()"] if len(change_notes) > 6 else []
        )
        notes.append(
            f"Dashed levels: the rate of requests reported before and from {_day(change_at)}; change after - before "
            f"(95% Newcombe interval, Holm-adjusted p): " + "; ".join(shown_notes or ["no side has a rate"]) + "."
        )
    footnote(fig, definition, cases, " ".join(notes), source=source, as_of=as_of)
    return Plot(fig, ax)


def reach(
    cases: Cases,
    by: str = "group",
    *,
    ax: Axes | None = None,
    title: str | None = None,
    followers: FollowersRule = "max",
    source: str | None = None,
    as_of: dt.date | dt.datetime | None = None,
    low_n: LowN = "mark",
    min_n: int = MIN_N,
) -> Plot:
    """Followers per group, split into accounts actioned and accounts still up. A group with fewer
    than ``min_n`` accounts is marked with a dagger (``low_n="mark"``), greyed (``"fade"``) or
    left out with a note (``"drop"``)."""
    r = cases.reach(by=by, followers=followers).sort("followers")
    _nonempty(r, "reach")
    r = r.with_columns(low_n=pl.col("accounts") < min_n)
    r, dropped_note = _drop_low_n(r, low_n, by, min_n, "accounts")
    fig, ax = _figure(ax, 0.6 + 0.38 * r.height)
    names = [label(k) for k in r.get_column(by).to_list()]
    lows = r.get_column("low_n").to_list()
    act = r.get_column("followers_actioned").to_list()
    live = r.get_column("followers_live").to_list()
    y = list(range(r.height))
    for i, (a, b, lo) in enumerate(zip(act, live, lows)):
        alpha = 0.35 if lo and low_n == "fade" else 1.0
        ax.barh(i, a, color=OUTCOME_COLOURS["actioned"], alpha=alpha)
        ax.barh(i, b, left=a, color=OUTCOME_COLOURS["live"], alpha=alpha)
    top = max((a + b for a, b in zip(act, live)), default=0) or 1
    for i, row in enumerate(r.iter_rows(named=True)):
        share = row["share_actioned"]
        text = (
            f"{row['followers']:,} ({share * 100:.0f}% actioned; {row['accounts']:,} accounts)"
            if share is not None
            else "no follower counts"
        )
        ax.text(act[i] + live[i] + top * 0.01, i, text, va="center", fontsize=7.5)
    ax.set_yticks(y)
    ax.set_yticklabels([f"{n}{' †' if lo else ''}" for n, lo in zip(names, lows)])
    ax.set_xlim(0, top * 1.55)
    ax.set_xlabel("Followers (each account counted once)")
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _compact(v)))
    from matplotlib.patches import Patch

    ax.legend(
        handles=[
            Patch(color=OUTCOME_COLOURS["actioned"], label="on accounts removed or restricted"),
            Patch(color=OUTCOME_COLOURS["live"], label="on accounts still up"),
        ],
        frameon=False,
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        ncols=2,
        fontsize=8,
    )
    ax.set_title(title or f"Reach by {by}", loc="left", pad=20)
    notes = [f"† fewer than {min_n} accounts: read with care."] if any(lows) else []
    if dropped_note:
        notes.append(dropped_note)
    footnote(fig, str(r["definition"][0]), cases, " ".join(notes), source=source, as_of=as_of)
    return Plot(fig, ax)


def returning(
    cases: Cases,
    by: str = "group",
    *,
    match: ReturnMatch = "platform",
    ax: Axes | None = None,
    title: str | None = None,
    source: str | None = None,
    as_of: dt.date | dt.datetime | None = None,
) -> Plot:
    """The share of actioned accounts reported again later, per group, as dots with 95% Wilson
    whiskers; each label gives the accounts actioned and how many returned, and the median days to
    return where any did (:meth:`Cases.returning`). Groups under 30 actioned accounts are hollow
    with a dagger.

    Examples
    --------
    >>> import takedowns as td
    >>> from takedowns import plot
    >>> fig, ax = plot.returning(td.sample())
    >>> [t.get_text() for t in ax.get_yticklabels()][0]
    'BLA (0 of 168)'
    """
    if len(cases) == 0:
        raise EmptySelectionError("no cases to plot: the selection is empty")
    t = cases.returning(by=by, match=match).sort("share_returned", nulls_last=False)
    _nonempty(t, "returning")
    fig, ax = _figure(ax, 0.45 + 0.32 * t.height)
    rows = list(t.iter_rows(named=True))
    low_any = False
    from takedowns.tables import percent

    for i, r in enumerate(rows):
        if r["share_returned"] is None:
            ax.text(0.0, i, "  no account actioned (0/0)", va="center", fontsize=8, color="#666666")
            continue
        low = bool(r["low_n"])
        low_any |= low
        _estimate(ax, i, r["share_returned"] * 100, r["ci_low"] * 100, r["ci_high"] * 100, hollow=low)
        days = r["median_days_to_return"]
        text = percent(r["share_returned"]) + (f", median {days:.0f} days" if days is not None else "")
        ax.text(r["ci_high"] * 100 + 1.2, i, text, va="center", fontsize=8)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(
        [f"{label(r[by])} ({r['returned']:,} of {r['accounts_actioned']:,}){' †' if r['low_n'] else ''}" for r in rows]
    )
    ax.set_xlim(0, 108)
    ax.set_xticks([0, 25, 50, 75, 100])
    _percent_axis(ax, "x")
    ax.set_xlabel("Share of actioned accounts reported again later (dot), 95% interval (line)")
    where = "on the same platform" if match == "platform" else "on any platform"
    ax.set_title(title or f"Actioned accounts reported again {where}, by {by}", loc="left")
    notes = ["† fewer than 30 accounts actioned: read with care."] if low_any else []
    footnote(fig, str(t["definition"][0]), cases, " ".join(notes), source=source, as_of=as_of)
    return Plot(fig, ax)


def heatmap(
    cases: Cases,
    rows: str = "group",
    columns: str = "platform",
    *,
    value: CrossValue = "rate",
    ax: Axes | None = None,
    title: str | None = None,
    source: str | None = None,
    as_of: dt.date | dt.datetime | None = None,
    low_n: LowN = "mark",
    **options: Any,
) -> Plot:
    """A rows x columns heatmap of compliance rate (default) or cases, values written in cells.

    A rate cell also gives its n (the denominator used); a rate on fewer than ``min_n`` units is
    hatched (``low_n="mark"``), greyed without its colour (``"fade"``) or blanked (``"drop"``).
    """
    _check_low_n(low_n)
    x = cases.crosstab(rows, columns, value=value, **options)
    _nonempty(x, "heatmap")
    cols = [c for c in x.columns if c not in (rows, "definition")]
    data = x.select(cols).to_numpy().astype(float)
    import numpy as np

    row_keys = x.get_column(rows).to_list()
    n_cell = np.full(data.shape, np.nan)
    low_cell = np.zeros(data.shape, dtype=bool)
    spec = _compliance_spec(options) if value == "rate" else None
    n_words = _denominator_words(spec)[0] if spec is not None else ""
    if spec is not None:
        c = cases.compliance(by=[rows, columns], **options)
        where = {(r[rows], str(r[columns])): r for r in c.iter_rows(named=True)}
        for i, rk in enumerate(row_keys):
            for j, ck in enumerate(cols):
                r = where.get((rk, ck))
                if r is not None:
                    n_cell[i, j] = r["n"]
                    low_cell[i, j] = bool(r["low_n"]) and r["rate"] is not None
    shown = data.copy()
    if low_n in ("fade", "drop"):
        shown[low_cell] = np.nan
    fig, ax = _figure(ax, 0.9 + 0.5 * x.height)
    masked = np.ma.masked_invalid(shown)
    import matplotlib

    cmap = matplotlib.colormaps["cividis"].with_extremes(bad="white")
    vmax = 1.0 if value == "rate" else max(float(np.nanmax(data)) if data.size else 1.0, 1.0)
    im = ax.imshow(masked, cmap=cmap, vmin=0, vmax=vmax, aspect="auto")
    for i in range(data.shape[0]):
        for j in range(data.shape[1]):
            v = data[i, j]
            low = bool(low_cell[i, j])
            if np.isnan(v) or (low and low_n == "drop"):
                text = "–" if np.isnan(v) else f"n={int(n_cell[i, j])}"
            else:
                text = f"{v * 100:.0f}%" if value == "rate" else f"{int(v):,}"
                if value == "rate" and not np.isnan(n_cell[i, j]):
                    text += f"\nn={int(n_cell[i, j]):,}" + (" †" if low else "")
            if low and low_n == "mark":
                ax.add_patch(
                    matplotlib.patches.Rectangle(
                        (j - 0.5, i - 0.5), 1, 1, fill=False, hatch="////", edgecolor="white", lw=0, alpha=0.6
                    )
                )
            greyed = np.isnan(shown[i, j])
            bright = not greyed and shown[i, j] / vmax > 0.6
            ax.text(
                j,
                i,
                text,
                ha="center",
                va="center",
                fontsize=7.5,
                color="#555555" if greyed else "black" if bright else "white",
            )
    ax.set_xticks(range(len(cols)))
    ax.set_xticklabels([label(c) for c in cols])
    ax.set_yticks(range(x.height))
    ax.set_yticklabels([label(k) for k in row_keys])
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    bar = fig.colorbar(im, ax=ax, fraction=0.04, pad=0.02, format="{x:.0%}" if value == "rate" else None)
    bar.ax.tick_params(labelsize=8)
    ax.set_title(title or f"{'Compliance' if value == 'rate' else value.capitalize()}: {rows} × {columns}", loc="left")
    notes = ["–: no requests in the cell."] if np.isnan(data).any() else []
    if spec is not None:
        notes.append(f"Each cell's n counts its {n_words}; the intervals are in the table, not drawn.")
        k = int(low_cell.sum())
        if k:
            how = {"mark": "hatched, †", "fade": "greyed", "drop": "rate not shown"}[low_n]
            notes.append(f"{k} cell(s) with n below {spec.min_n} ({how}): read with care.")
    footnote(fig, str(x["definition"][0]), cases, " ".join(notes), source=source, as_of=as_of)
    return Plot(fig, ax)


def compare(
    observed: Cases,
    published: Cases,
    by: str = "platform",
    *,
    every: Every = "half-year",
    ax: Axes | None = None,
    title: str | None = None,
    source: str | None = None,
    as_of: dt.date | dt.datetime | None = None,
    **options: Any,
) -> Plot:
    """Published versus observed compliance, per group and period: your rate as a dot with its
    interval (hollow with a dagger on fewer than ``min_n``), the platform's published rate as a
    diamond, and a double dagger where it lies outside your interval. ``options`` go to
    :meth:`Cases.compare_with_published`. The footnote gives both definitions and both sources.
    """
    t = observed.compare_with_published(published, by=by, every=every, **options)
    shown = t.filter(pl.col("published_requests").is_not_null())
    if shown.height == 0:
        raise EmptySelectionError(
            f"the published source has no rows for these {by}s and periods; check its platform and jurisdiction"
        )
    unmatched = t.height - shown.height
    rows = list(shown.iter_rows(named=True))
    fig, ax = _figure(ax, 0.6 + 0.34 * len(rows))
    outside_any = low_any = False
    for i, r in enumerate(rows):
        if r["observed_rate"] is not None:
            low = bool(r["observed_low_n"])
            low_any |= low
            ax.plot([r["observed_ci_low"] * 100, r["observed_ci_high"] * 100], [i, i], color=NEUTRAL, lw=1.6)
            ax.plot(r["observed_rate"] * 100, i, "o", ms=6, color=NEUTRAL, mfc="white" if low else NEUTRAL, mew=1.5)
        if r["published_rate"] is not None:
            ax.plot(r["published_rate"] * 100, i, "D", ms=6, color=OKABE_ITO[1], mec="black", mew=0.6)
        if r["published_outside_interval"]:
            outside_any = True
            ax.text(103, i, "‡", va="center", fontsize=9)
    labels = []
    for r in rows:
        n = r["observed_n"]
        tail = f" (n={n:,}){' †' if r['observed_low_n'] else ''}" if n is not None else " (no cases of yours)"
        labels.append(f"{label(r[by])} {r['period_label']}{tail}")
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(labels)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(0, 108)
    ax.set_xticks([0, 25, 50, 75, 100])
    _percent_axis(ax, "x")
    ax.set_xlabel("Compliance: yours (dot, with interval) and the platform's published rate (diamond)")
    ax.set_title(title or "Published versus observed compliance", loc="left")
    notes = []
    if outside_any:
        notes.append("‡ the published rate lies outside your interval.")
    if low_any:
        notes.append("† few of your cases: read with care.")
    if unmatched:
        notes.append(f"{unmatched} {by}-period(s) of yours have no published figure and are not drawn.")
    src = source if source is not None else f"{default_source(observed)}; published: {default_source(published)}"
    footnote(fig, str(t["definition"][0]), observed, " ".join(notes), source=src, as_of=as_of)
    return Plot(fig, ax)


def _action_window(curves: list[tuple[list[float], list[float]]], end: float) -> float:
    """The right edge that shows where the action is: 1.25 times the latest time at which a curve
    reaches 95% of its final level, at least 1 day, at most ``end``."""
    reached = []
    for t, y in curves:
        if not t:
            continue
        final, start = y[-1], y[0]
        if final == start:
            continue
        target = start + 0.95 * (final - start)
        reached.append(next(ti for ti, yi in zip(t, y) if (yi - target) * (final - start) >= 0))
    if not reached:
        return end
    return min(end, max(1.0, 1.25 * max(reached)))


def time_to_action(
    cases: Cases,
    by: str | None = "platform",
    *,
    kind: str = "incidence",
    ax: Axes | None = None,
    title: str | None = None,
    max_days: float | None = None,
    source: str | None = None,
    as_of: dt.date | dt.datetime | None = None,
    min_n: int = MIN_N,
    **options: Any,
) -> Plot:
    """Curves with confidence bands: the cumulative incidence of action (``kind="incidence"``,
    default) or the share still undecided (``kind="survival"``), per group.

    Each curve is carried flat from its last step to the end of its follow-up (its last
    request's time at ``as_of``), or to ``max_days``. Without ``max_days`` the x-axis ends where
    the action is: 1.25 times the time by which the slowest curve has made 95% of its rise or fall
    (the footnote says where it is cut and how far follow-up runs). ``as_of`` (default: the
    latest date in the data) is when pending requests are censored, as in
    :meth:`Cases.time_to_action`.
    """
    if kind not in ("incidence", "survival"):
        raise InvalidArgumentError(f"kind is 'incidence' or 'survival', not {kind!r}", "kind")
    if as_of is not None:
        options["as_of"] = as_of
    # Without max_days the axis runs to the table's last time: the steps are thinned in the
    # engine to what the figure can show (the definition, quoted below, says so).
    s = cases.survival(by=by, thin=_CURVE_BINS if max_days is None else None, **options)
    _nonempty(s, "time to action")
    engine_thinned = "steps thinned for drawing" in str(s["definition"][0])
    fig, ax = _figure(ax, 3.4)
    keys = [None] if by is None else s.get_column(by).unique().sort(nulls_last=True).to_list()
    col = "cif_action" if kind == "incidence" else "survival"
    follow_up = float(cast(float, s.get_column("time").max()))
    end = follow_up if max_days is None else float(max_days)
    drawn: list[tuple[list[float], list[float]]] = []
    low = 0
    palette = colours([str(k) for k in keys])
    thinned = False
    for i, key in enumerate(keys):
        sub = s if by is None else s.filter(pl.col(by).eq_missing(key))
        sub = sub.filter(pl.col("time") <= end).sort("time")
        # (Steps the engine thinned are not thinned again: its definition, quoted below, says how.)
        if sub.height > 2 * _CURVE_BINS and not engine_thinned:
            sub, thinned = _thin_steps(sub, end), True
        group_end = end if max_days is not None else float(cast(float, sub.get_column("time").max()))
        c = palette[i] if by is not None else NEUTRAL
        t = sub.get_column("time").to_list()
        y, lo, hi = ([v * 100 for v in sub.get_column(name).to_list()] for name in (col, f"{col}_low", f"{col}_high"))
        if t and t[-1] < group_end:  # flat to the end of follow-up (or max_days)
            t, y, lo, hi = t + [group_end], y + [y[-1]], lo + [lo[-1]], hi + [hi[-1]]
        n = int(sub.get_column("at_risk").max() or 0)  # type: ignore[arg-type]
        small = n < min_n
        low += small
        name = "all" if key is None else label(key)
        ax.step(
            t,
            y,
            where="post",
            color=c,
            lw=1.5,
            ls=(0, (2, 1.5)) if small else "-",
            label=f"{name} (n={n:,}){' †' if small else ''}",
        )
        ax.fill_between(t, lo, hi, step="post", color=c, alpha=0.15, lw=0)
        drawn.append((t, y))
    right = max(1.0, end if max_days is not None else _action_window(drawn, end))
    ax.set_ylim(0, 100)
    ax.set_xlim(0, right)
    _percent_axis(ax)
    ax.set_xlabel("Days since the request")
    ax.set_ylabel("Actioned (removed or restricted)" if kind == "incidence" else "Still undecided")
    if len(keys) > 1:
        ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    ax.set_title(title or ("Time to action" if kind == "incidence" else "Requests still undecided"), loc="left")
    extra = f"† fewer than {min_n} requests (dashed): read with care. " if low else ""
    if max_days is None and right < follow_up:
        extra += (
            f"Axis cut at {right:.0f} days, by when every curve had made 95% of its change; "
            f"follow-up runs to {follow_up:.0f} days (curves flat after their last step)."
        )
    if thinned:
        extra += (
            f" Curves drawn through the first and last steps in each 1/{_CURVE_BINS:,} of the time axis "
            "and of the value axis (finer steps cannot be seen; the table has every step)."
        )
    footnote(fig, str(s["definition"][0]), cases, extra.strip(), source=source, as_of=as_of)
    return Plot(fig, ax)


#: Bins across a curve's time axis when it has more steps than a figure can show (a 300-dpi
#: figure is about 2,000 pixels wide).
_CURVE_BINS = 2000


def _thin_steps(steps: pl.DataFrame, end: float) -> pl.DataFrame:
    """The rows of a step curve (sorted by ``time``) that a figure can show: the first and the
    last step in each of :data:`_CURVE_BINS` equal bins of ``[0, end]`` and of ``[0, 1]`` for
    ``survival`` and ``cif_action``. The curves are monotone, so every dropped step lies between
    the two kept around it, less than 1/:data:`_CURVE_BINS` of either axis apart: the drawing is
    the same at the figure's resolution, even where the axis shows a small part of ``[0, end]``,
    and millions of steps no longer go into the figure's files. (The engine's
    ``survival(thin=...)`` keeps the same rows.)"""
    width = max(end, 1e-12) / _CURVE_BINS
    i = pl.col("__row")
    keep = pl.lit(False)
    for b in (
        (pl.col("time") / width).floor(),
        (pl.col("survival") * _CURVE_BINS).floor(),
        (pl.col("cif_action") * _CURVE_BINS).floor(),
    ):
        keep = keep | (i == i.min().over(b)) | (i == i.max().over(b))
    return steps.with_row_index("__row").filter(keep).drop("__row")


def save(
    fig: Figure | Plot, stem: str | pathlib.Path, formats: Sequence[str] = ("png", "svg", "pdf"), dpi: int = 300
) -> list[pathlib.Path]:
    """Saves ``fig`` (a figure, or the :class:`Plot` a drawing function returns) as
    ``stem.png`` (300 dpi), ``stem.svg`` and ``stem.pdf``; returns the paths."""
    if isinstance(fig, Plot):
        fig = fig.figure
    stem = pathlib.Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        p = stem.with_suffix(f".{fmt}")
        fig.savefig(p, dpi=dpi, bbox_inches="tight")
        paths.append(p)
    return paths
