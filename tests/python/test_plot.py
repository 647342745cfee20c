"""Every plot renders on the sample and on edge cases; saved files are valid images."""

from __future__ import annotations

import datetime as dt
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402
import pytest  # noqa: E402
from polars.testing import assert_frame_equal  # noqa: E402

import takedowns as td  # noqa: E402
from takedowns import plot  # noqa: E402

DRAW = {
    "compliance": lambda c: plot.compliance(c),
    "trend": lambda c: plot.trend(c, events=[(dt.date(2025, 5, 1), "policy change")]),
    "trend_area": lambda c: plot.trend(c, by="group", kind="area"),
    "reach": lambda c: plot.reach(c),
    "heatmap_rate": lambda c: plot.heatmap(c),
    "heatmap_cases": lambda c: plot.heatmap(c, value="cases"),
    "time_to_action": lambda c: plot.time_to_action(c),
    "survival": lambda c: plot.time_to_action(c, by=None, kind="survival"),
}


def footnote_text(fig: plt.Figure) -> str:
    texts = (t.get_text().replace("\n", " ") for ax in fig.axes for t in ax.texts)
    return " ".join(t for t in texts if "Source: " in t)


@pytest.mark.parametrize("name", sorted(DRAW))
def test_renders_on_sample_with_footnote(sample, name: str) -> None:  # type: ignore[no-untyped-def]
    fig, ax = DRAW[name](sample)
    assert ax.has_data() or ax.images
    note = footnote_text(fig).replace("\n", " ")
    assert "n = 896 requests" in note and "data as of 31 Aug 2025" in note, note
    plt.close(fig)


@pytest.mark.parametrize("name", sorted(DRAW))
def test_one_platform(sample, name: str) -> None:  # type: ignore[no-untyped-def]
    fig, ax = DRAW[name](sample.filter(platform="x"))
    assert ax.has_data() or ax.images
    note = footnote_text(fig).replace("\n", " ")
    assert "n = 210 requests" in note, note  # X's 210 requests in the sample, and nothing else
    plt.close(fig)


def test_compliance_labels_n_and_marks_low_n(sample) -> None:  # type: ignore[no-untyped-def]
    fig, ax = plot.compliance(sample, by="language", min_n=100)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert any(label.endswith("†") for label in labels) and all("(n=" in label for label in labels)
    assert "† n below 100 requests: read with care" in footnote_text(fig)
    plt.close(fig)


def test_long_label(tmp_path: pathlib.Path) -> None:
    long = "A Platform With A Remarkably Long Name For Testing Layout"
    df = pl.DataFrame({"platform": [long, "x"], "status": ["removed", "pending"], "reported_at": ["2025-01-01"] * 2})
    cases = td.from_frame(df, required=["platform", "status", "reported_at"])
    fig, ax = plot.compliance(cases)
    assert any(long in t.get_text() for t in ax.get_yticklabels()), "an unknown platform is shown as written"
    paths = plot.save(fig, tmp_path / "long")
    assert all(p.stat().st_size > 1000 for p in paths)
    plt.close(fig)


def test_empty_selection_is_a_clear_error(sample) -> None:  # type: ignore[no-untyped-def]
    empty = sample.filter(platform="youtube")
    for draw in DRAW.values():
        with pytest.raises(td.EmptySelectionError):
            draw(empty)


def test_saved_files_are_valid_images(sample, tmp_path: pathlib.Path) -> None:  # type: ignore[no-untyped-def]
    fig, _ = plot.compliance(sample)
    png, svg, pdf = plot.save(fig, tmp_path / "fig")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 5_000
    text = svg.read_text()
    assert "<svg" in text and "Facebook" in text
    # 300 dpi: a 6.5 in wide figure is well over 1500 px wide.
    import struct

    width = struct.unpack(">I", png.read_bytes()[16:20])[0]
    assert width > 1500
    plt.close(fig)


def test_platform_colours_are_stable(sample) -> None:  # type: ignore[no-untyped-def]
    # A platform's colour is its own, wherever it stands among the series.
    assert plot.colours(["x"])[0] == plot.colours(["a", "b", "c", "d", "e", "x"])[5] == plot.PLATFORM_COLOURS["x"]
    assert len(set(plot.PLATFORM_COLOURS.values())) == len(plot.PLATFORM_COLOURS)


def test_no_two_series_share_a_colour_while_colours_last() -> None:
    # TikTok keeps its stable black; the eight others of a DSA dump get eight other colours.
    keys = [
        "Discord",
        "Google Shopping",
        "Habbo",
        "Hotel Hideaway",
        "Idealo",
        "Kleinanzeigen",
        "Pinterest",
        "Wallapop",
        "tiktok",
    ]
    got = plot.colours(keys)
    assert got[-1] == plot.PLATFORM_COLOURS["tiktok"]
    assert len(set(got)) == len(keys)
    # The stable colours stay what they were.
    assert plot.colours(["facebook", "x"]) == [plot.PLATFORM_COLOURS["facebook"], plot.PLATFORM_COLOURS["x"]]


def test_a_curve_of_more_steps_than_a_figure_shows_is_drawn_through_its_visible_steps() -> None:
    cases = td.from_frame(td.synthetic(20_000, seed=5))
    steps = cases.survival(by=None).sort("time")
    assert steps.height > 2 * plot._CURVE_BINS
    end = float(steps["time"].max())  # type: ignore[arg-type]
    kept = plot._thin_steps(steps, end)
    # At most the first and last step of each bin of the three axes, every one a step of the table.
    assert kept.height <= 6 * plot._CURVE_BINS + 2
    assert kept.join(steps, on=steps.columns, how="anti").height == 0
    # Every dropped step lies between the kept steps around it, less than a bin apart in time
    # and in value: the drawing does not move at the figure's resolution, however the axis is cut.
    t, s, c = kept["time"].to_list(), kept["survival"].to_list(), kept["cif_action"].to_list()
    import bisect

    for time, survival, cif in steps.select("time", "survival", "cif_action").iter_rows():
        j = bisect.bisect_right(t, time) - 1
        assert s[j] >= survival - 1e-12 and time - t[j] < end / plot._CURVE_BINS
        assert s[j] - survival < 1 / plot._CURVE_BINS and cif - c[j] < 1 / plot._CURVE_BINS
        if j + 1 < len(t):
            assert survival >= s[j + 1] - 1e-12
    fig, ax = plot.time_to_action(cases, by=None, kind="survival", max_days=end)
    drawn = ax.lines[0].get_xdata()
    assert len(drawn) <= 6 * plot._CURVE_BINS + 3
    assert "Curves drawn through the first and last steps in each 1/2,000 of the time axis" in footnote_text(fig)
    plt.close(fig)
    # A curve a figure can show whole is drawn whole, and says nothing of it.
    fig, ax = plot.time_to_action(td.sample(), by="platform")
    assert "Curves drawn through" not in footnote_text(fig)


def test_the_engine_thins_a_curve_as_the_figure_does(tmp_path: pathlib.Path) -> None:
    cases = td.from_frame(td.synthetic(40_000, seed=5))
    steps = cases.survival(by="platform")
    end = float(steps["time"].max())  # type: ignore[arg-type]
    thin = cases.survival(by="platform", thin=plot._CURVE_BINS)
    # The same rows as the figure's own thinning of each group's curve of more than twice the
    # bins' steps (all six here), every value equal.
    groups = [steps.filter(pl.col("platform") == p).sort("time") for p in steps["platform"].unique().sort()]
    assert all(g.height > 2 * plot._CURVE_BINS for g in groups)
    want = pl.concat([plot._thin_steps(g, end) for g in groups])
    value_columns = [c for c in steps.columns if c != "definition"]
    assert_frame_equal(thin.select(value_columns), want.select(value_columns))
    assert thin.height < steps.height
    assert "steps thinned for drawing" in thin["definition"][0]
    assert "steps thinned" not in steps["definition"][0]
    # A table a figure shows whole is left whole, and says nothing of it.
    small = td.sample().survival(by="platform", thin=plot._CURVE_BINS)
    assert_frame_equal(small, td.sample().survival(by="platform"))
    for bad in (0, -1):
        with pytest.raises(td.InvalidArgumentError, match="at least 1"):
            cases.survival(thin=bad)
    # The figure without max_days draws the engine's thinned steps and quotes its definition.
    fig, ax = plot.time_to_action(cases, by=None)
    assert len(ax.lines[0].get_xdata()) <= 6 * plot._CURVE_BINS + 3
    assert "steps thinned for drawing" in footnote_text(fig)
    assert "Curves drawn through" not in footnote_text(fig)  # said once, by the definition
    plt.close(fig)
    # save takes the Plot a drawing function returns, as well as its figure.
    drawn = plot.time_to_action(td.sample(), by="platform")
    assert [p.suffix for p in plot.save(drawn, tmp_path / "tta", formats=("png",))] == [".png"]
    plt.close(drawn.figure)


def test_pairwise_figure_draws_each_difference_with_its_interval_and_adjusted_p() -> None:
    cases = td.sample()
    table = cases.pairwise(by="platform", reference="facebook").sort("difference", descending=True)
    fig, ax = plot.pairwise(cases, reference="facebook")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [f"{plot.label(a)} − Facebook" for a in table["platform_a"]]
    # One line (the interval) and one dot per pair, in percentage points.
    dots = [ln for ln in ax.lines if ln.get_marker() == "o"]
    assert [d.get_xdata()[0] for d in dots] == pytest.approx([v * 100 for v in table["difference"]])
    # TikTok's interval includes 0 (hollow); X's does not (solid).
    tiktok = dots[labels.index("TikTok − Facebook")]
    x = dots[labels.index("X − Facebook")]
    assert tiktok.get_markerfacecolor() == "white" and x.get_markerfacecolor() != "white"
    ps = [t.get_text() for t in ax.texts if t.get_text().startswith("p ")]
    assert "p < 0.001" in ps and len(ps) == 5
    assert "adjusted by holm over the 5 comparison(s)" in footnote_text(fig)
    assert footnote_text(fig).count("holm") == 1  # said once, by the definition
    plt.close(fig)


def test_trend_marks_a_change_with_the_levels_before_and_after() -> None:
    cases = td.sample()
    at = dt.date(2025, 5, 1)
    fig, ax = plot.trend(cases, by=None, value="rate", change_at=at)
    ch = cases.change(at)
    r = ch.row(0, named=True)
    # Two levels, at the rates change() gives, split at the date.
    from matplotlib.collections import LineCollection
    from matplotlib.dates import date2num

    levels = [c for c in ax.collections if isinstance(c, LineCollection)]
    ys = sorted(seg[0][1] for c in levels for seg in c.get_segments())
    assert ys == pytest.approx(sorted([r["rate_before"] * 100, r["rate_after"] * 100]))
    xs = sorted(x for c in levels for seg in c.get_segments() for x, _ in seg)
    assert date2num(at) in xs
    note = footnote_text(fig)
    assert f"{r['difference'] * 100:+.1f} points" in note and "from 1 May 2025" in note
    plt.close(fig)
    with pytest.raises(td.InvalidArgumentError, match="value='rate'"):
        plot.trend(cases, change_at=at)


def test_returning_figure_shows_the_table() -> None:
    import polars as pl

    base = td.synthetic(2000, seed=5)
    again = base.sample(400, seed=1).with_columns(
        (pl.col("reported_at") + pl.duration(days=30)).alias("reported_at"),
        pl.lit(None, dtype=pl.Datetime("us")).alias("actioned_at"),
        pl.lit("pending").alias("status"),
        (pl.col("case_id") + "-again").alias("case_id"),
    )
    cases = td.from_frame(pl.concat([base, again], how="vertical_relaxed"))
    fig, ax = plot.returning(cases, "group")
    t = cases.returning(by="group").sort("share_returned")
    labels = [x.get_text() for x in ax.get_yticklabels()]
    assert labels == [f"{g} ({r} of {a})" for g, r, a in t.select("group", "returned", "accounts_actioned").rows()]
    assert "strictly after" in footnote_text(fig)
    plt.close(fig)
