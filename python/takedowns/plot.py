"""Memo figures: one style for all, colour-blind-safe, a stable colour per platform, and a
footnote stamped on every figure with the definition used, n, the period, the interval method
and the data's as-of date.

Every function takes :class:`~takedowns.Cases`, draws on a new figure (or on ``ax``) and returns
``(figure, axes)`` for further edits; :func:`save` writes PNG (300 dpi), SVG and PDF.
"""

from __future__ import annotations

import datetime as dt
import pathlib
import re
import textwrap
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

import polars as pl

from takedowns._typing import CrossValue, Every, FollowersRule
from takedowns.errors import EmptySelectionError

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
}
OUTCOME_COLOURS = {"actioned": "#009E73", "live": "#D55E00", "rejected": "#D55E00", "pending": "#999999"}
WIDTH_IN = 6.5  # a memo's single text column
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
}

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


def colour(key: str, i: int = 0) -> str:
    """The stable colour of a platform, else the i-th palette colour."""
    return PLATFORM_COLOURS.get(key, OKABE_ITO[i % len(OKABE_ITO)])


def label(key: Any) -> str:
    """How a platform or other key is written in a figure (``x`` -> X, ``None`` -> (none))."""
    if key is None:
        return "(none)"
    # "$" would start matplotlib's math mode: a label is text, never markup.
    return DISPLAY.get(str(key), str(key)).replace("$", r"\$")


def _plt() -> Any:
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
        try:
            import matplotlib.pyplot as plt  # noqa: F401
        except Exception:  # pragma: no cover - headless fallback
            matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _figure(ax: Axes | None, height: float) -> tuple[Figure, Axes]:
    plt = _plt()
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    with plt.rc_context(_RC):
        fig, ax = plt.subplots(figsize=(WIDTH_IN, height))
    _style(ax)
    return fig, ax


def _style(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=8)


def _facts(cases: Cases) -> str:
    df = cases.to_polars()
    rep = df.get_column("reported_at")
    act = df.get_column("actioned_at")
    first, last = cast("dt.datetime | None", rep.min()), cast("dt.datetime | None", rep.max())
    latest_action = cast("dt.datetime | None", act.max())
    as_of = max(x for x in (last, latest_action) if x is not None) if last is not None else None
    period = f"{first:%-d %b %Y}–{last:%-d %b %Y}" if first is not None else "undated"
    as_of_text = f"{as_of:%-d %b %Y}" if as_of is not None else "n/a"
    n = int(df.get_column("count").sum()) if len(df) else 0
    return f"n = {n:,} requests; reported {period}; data as of {as_of_text}"


def footnote(fig: Figure, definition: str, cases: Cases, extra: str = "") -> None:
    """Stamps the definition, n, period and as-of date under the figure's lowest axes, clear of
    its tick labels and axis label (placed in points, so it holds at any figure size)."""
    text = f"{definition}. {_facts(cases)}.{(' ' + extra) if extra else ''} Source: takedowns."
    wrapped = "\n".join(textwrap.wrap(text, width=125))
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


def _nonempty(df: pl.DataFrame, what: str) -> None:
    if df.height == 0:
        raise EmptySelectionError(f"no cases to plot for {what}: the selection is empty")


def compliance(
    cases: Cases,
    by: str = "platform",
    *,
    ax: Axes | None = None,
    title: str | None = None,
    **options: Any,
) -> tuple[Figure, Axes]:
    """Compliance rate per group as dots with confidence-interval whiskers, sorted by rate.

    n is in each label; groups flagged ``low_n`` are drawn hollow and marked with a dagger.
    ``options`` go to :meth:`Cases.compliance` (``pending``, ``unit``, ``method`` ...).

    Examples
    --------
    >>> import takedowns as td
    >>> from takedowns import plot
    >>> fig, ax = plot.compliance(td.sample())
    >>> [t.get_text() for t in ax.get_yticklabels()][-1]
    'Facebook (n=212)'
    """
    if len(cases) == 0:
        raise EmptySelectionError("no cases to plot: the selection is empty")
    c = cases.compliance(by=by, **options).sort("rate", nulls_last=False)
    _nonempty(c, "compliance")
    fig, ax = _figure(ax, 0.45 + 0.32 * c.height)
    unit = "accounts" if "accounts" in c.columns else "requests"
    rows = list(c.iter_rows(named=True))
    low_any = False
    for i, r in enumerate(rows):
        key = r[by]
        col = colour(str(key), i)
        if r["rate"] is None:
            ax.text(0.0, i, "  no rate (0/0)", va="center", fontsize=8, color="#666666")
            continue
        ax.plot([r["ci_low"] * 100, r["ci_high"] * 100], [i, i], color=col, lw=1.6, solid_capstyle="butt")
        hollow = bool(r["low_n"])
        low_any |= hollow
        ax.plot(r["rate"] * 100, i, "o", ms=6, color=col, mfc="white" if hollow else col, mew=1.5)
        ax.text(r["ci_high"] * 100 + 1.2, i, f"{r['rate'] * 100:.1f}%", va="center", fontsize=8)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{label(r[by])} (n={r[unit]:,}){' †' if r['low_n'] else ''}" for r in rows])
    ax.set_xlim(0, 108)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel("Compliance rate, % (dot) with confidence interval (line)")
    ax.set_title(title or f"Compliance by {by}", loc="left")
    extra = "† fewer than the low-n threshold; read with care." if low_any else ""
    footnote(fig, str(c["definition"][0]), cases, extra)
    return fig, ax


def trend(
    cases: Cases,
    every: Every = "month",
    *,
    by: str | None = "platform",
    value: str = "requests",
    kind: str = "lines",
    events: Iterable[tuple[dt.date, str]] = (),
    ax: Axes | None = None,
    title: str | None = None,
    **options: Any,
) -> tuple[Figure, Axes]:
    """Cases per period as lines or stacked areas per group, with optional event markers.

    ``value`` is any count column of :meth:`Cases.trend` (``requests``, ``actioned``,
    ``cum_requests`` ...); ``events`` is a list of ``(date, label)`` drawn as dashed lines.
    """
    if kind not in ("lines", "area"):
        raise ValueError(f"kind is 'lines' or 'area', not {kind!r}")
    t = cases.trend(every, by=by, **options)
    _nonempty(t, "trend")
    fig, ax = _figure(ax, 3.4)
    keys = [None] if by is None else t.get_column(by).unique(maintain_order=True).sort(nulls_last=True).to_list()
    periods = t.get_column("period").unique().sort().to_list()
    series = []
    for key in keys:
        sub = t if by is None else t.filter(pl.col(by).eq_missing(key))
        series.append(sub.sort("period").get_column(value).to_list())
    colours = [colour(str(k), i) for i, k in enumerate(keys)]
    names = ["all" if k is None else label(k) for k in keys]
    if kind == "area":
        ax.stackplot(
            periods, series, labels=names, colors=colours, alpha=0.85, step="post" if len(periods) == 1 else None
        )
    else:
        for s, c, n in zip(series, colours, names):
            ax.plot(periods, s, marker="o", ms=3, lw=1.5, color=c, label=n)
    from matplotlib.dates import date2num

    for when, text in events:
        x = float(date2num(when))  # type: ignore[no-untyped-call]
        ax.axvline(x, color="#555555", lw=0.8, ls="--")
        ax.text(x, ax.get_ylim()[1], f" {text}", rotation=90, va="top", ha="left", fontsize=7, color="#555555")
    ax.set_ylabel(value.replace("_", " "))
    ax.set_ylim(bottom=0)
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
    ax.set_title(title or f"{value.replace('_', ' ').capitalize()} per {every}", loc="left")
    definition = str(t["definition"][0])
    if value not in ("rate", "ci_low", "ci_high"):
        # The figure draws counts: its footnote states how they are counted, not the rate.
        definition = definition.split(_RATE_CLAUSE)[0]
        if by is not None:
            # Each row states its own group's undated requests; the figure states them all.
            on = options.get("on", "reported_at")
            frame = cases.to_polars()
            undated = int(frame.filter(pl.col(on).is_null()).get_column("count").sum())
            definition = re.sub(r"\d+ request\(s\) of this group without", f"{undated} request(s) without", definition)
    footnote(fig, definition, cases)
    return fig, ax


def reach(
    cases: Cases,
    by: str = "group",
    *,
    ax: Axes | None = None,
    title: str | None = None,
    followers: FollowersRule = "max",
) -> tuple[Figure, Axes]:
    """Followers per group, split into accounts actioned and accounts still up."""
    r = cases.reach(by=by, followers=followers).sort("followers")
    _nonempty(r, "reach")
    fig, ax = _figure(ax, 0.6 + 0.38 * r.height)
    names = [label(k) for k in r.get_column(by).to_list()]
    act = r.get_column("followers_actioned").to_list()
    live = r.get_column("followers_live").to_list()
    y = list(range(r.height))
    ax.barh(y, act, color=OUTCOME_COLOURS["actioned"], label="on accounts removed or restricted")
    ax.barh(y, live, left=act, color=OUTCOME_COLOURS["live"], label="on accounts still up")
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
    ax.set_yticklabels(names)
    ax.set_xlim(0, top * 1.55)
    ax.set_xlabel("Followers (each account counted once)")
    ax.xaxis.set_major_formatter(_plt().FuncFormatter(lambda v, _: _compact(v)))
    ax.legend(frameon=False, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, fontsize=8)
    ax.set_title(title or f"Reach by {by}", loc="left", pad=20)
    footnote(fig, str(r["definition"][0]), cases)
    return fig, ax


def heatmap(
    cases: Cases,
    rows: str = "group",
    columns: str = "platform",
    *,
    value: CrossValue = "rate",
    ax: Axes | None = None,
    title: str | None = None,
    **options: Any,
) -> tuple[Figure, Axes]:
    """A rows x columns heatmap of compliance rate (default) or cases, values written in cells."""
    x = cases.crosstab(rows, columns, value=value, **options)
    _nonempty(x, "heatmap")
    cols = [c for c in x.columns if c not in (rows, "definition")]
    data = x.select(cols).to_numpy().astype(float)
    fig, ax = _figure(ax, 0.9 + 0.42 * x.height)
    import numpy as np

    masked = np.ma.masked_invalid(data)
    cmap = _plt().get_cmap("cividis").with_extremes(bad="#eeeeee")
    vmax = 1.0 if value == "rate" else max(float(np.nanmax(data)) if data.size else 1.0, 1.0)
    im = ax.imshow(masked, cmap=cmap, vmin=0, vmax=vmax, aspect="auto")
    for i in range(data.shape[0]):
        for j in range(data.shape[1]):
            v = data[i, j]
            if np.isnan(v):
                text = "–"
            else:
                text = f"{v * 100:.0f}%" if value == "rate" else f"{int(v):,}"
            bright = not np.isnan(v) and v / vmax > 0.6
            ax.text(
                j,
                i,
                text,
                ha="center",
                va="center",
                fontsize=8,
                color="black" if bright else "white" if not np.isnan(v) else "#666666",
            )
    ax.set_xticks(range(len(cols)))
    ax.set_xticklabels([label(c) for c in cols])
    ax.set_yticks(range(x.height))
    ax.set_yticklabels([label(k) for k in x.get_column(rows).to_list()])
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    bar = fig.colorbar(im, ax=ax, fraction=0.04, pad=0.02, format="{x:.0%}" if value == "rate" else None)
    bar.ax.tick_params(labelsize=8)
    ax.set_title(title or f"{'Compliance' if value == 'rate' else value.capitalize()}: {rows} × {columns}", loc="left")
    footnote(fig, str(x["definition"][0]), cases)
    return fig, ax


def time_to_action(
    cases: Cases,
    by: str | None = "platform",
    *,
    kind: str = "incidence",
    ax: Axes | None = None,
    title: str | None = None,
    max_days: float | None = None,
    **options: Any,
) -> tuple[Figure, Axes]:
    """Curves with confidence bands: the cumulative incidence of action (``kind="incidence"``,
    default) or the share still undecided (``kind="survival"``), per group."""
    if kind not in ("incidence", "survival"):
        raise ValueError(f"kind is 'incidence' or 'survival', not {kind!r}")
    s = cases.survival(by=by, **options)
    _nonempty(s, "time to action")
    fig, ax = _figure(ax, 3.4)
    keys = [None] if by is None else s.get_column(by).unique().sort(nulls_last=True).to_list()
    col = "cif_action" if kind == "incidence" else "survival"
    for i, key in enumerate(keys):
        sub = s if by is None else s.filter(pl.col(by).eq_missing(key))
        if max_days is not None:
            sub = sub.filter(pl.col("time") <= max_days)
        c = colour(str(key), i)
        t = sub.get_column("time").to_list()
        ax.step(
            t,
            [v * 100 for v in sub.get_column(col).to_list()],
            where="post",
            color=c,
            lw=1.5,
            label="all" if key is None else label(key),
        )
        ax.fill_between(
            t,
            [v * 100 for v in sub.get_column(f"{col}_low").to_list()],
            [v * 100 for v in sub.get_column(f"{col}_high").to_list()],
            step="post",
            color=c,
            alpha=0.15,
            lw=0,
        )
    ax.set_ylim(0, 100)
    ax.set_xlim(left=0)
    ax.set_xlabel("Days since the request")
    ax.set_ylabel("% actioned (removed or restricted)" if kind == "incidence" else "% still undecided")
    if len(keys) > 1:
        ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    ax.set_title(title or ("Time to action" if kind == "incidence" else "Requests still undecided"), loc="left")
    footnote(fig, str(s["definition"][0]), cases)
    return fig, ax


def save(
    fig: Figure, stem: str | pathlib.Path, formats: Sequence[str] = ("png", "svg", "pdf"), dpi: int = 300
) -> list[pathlib.Path]:
    """Saves ``fig`` as ``stem.png`` (300 dpi), ``stem.svg`` and ``stem.pdf``; returns the paths."""
    stem = pathlib.Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        p = stem.with_suffix(f".{fmt}")
        fig.savefig(p, dpi=dpi, bbox_inches="tight")
        paths.append(p)
    return paths
