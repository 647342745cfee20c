"""Memo output as a researcher met it: small numbers visibly small in every figure, the
denominator a label states is the one used, incomplete periods and follow-up drawn honestly,
figures that show in a notebook, tables formatted for a memo, and a report that reads as a draft."""

from __future__ import annotations

import datetime as dt
import math
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402
import pytest  # noqa: E402

import takedowns as td  # noqa: E402
from takedowns import plot, report  # noqa: E402
from takedowns.tables import memo_table, percent, rate_cell  # noqa: E402


def note(fig) -> str:  # type: ignore[no-untyped-def]
    texts = (t.get_text().replace("\n", " ") for ax in fig.axes for t in ax.texts)
    return " ".join(t for t in texts if "Source: " in t)


def wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval, written out (an independent check of the library's)."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


# ---- 1. small numbers visibly small -----------------------------------------------------------


def test_compliance_labels_give_the_denominator_used(sample) -> None:  # type: ignore[no-untyped-def]
    # Facebook in the sample: 212 requests, 7 of them pending, so 205 decided.
    fig, ax = plot.compliance(sample, pending="exclude")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "Facebook (n=205)" in labels and "X (n=168)" in labels  # X: 210 - 42 pending
    assert "decided requests" in ax.get_title(loc="left")
    assert "n = decided requests" in ax.get_xlabel()
    fig, ax = plot.compliance(sample)
    assert "Facebook (n=212)" in [t.get_text() for t in ax.get_yticklabels()]
    assert "of all requests" in ax.get_title(loc="left")
    # The same through a spec.
    fig, ax = plot.compliance(sample, spec=td.ComplianceSpec(pending="exclude"))
    assert "Facebook (n=205)" in [t.get_text() for t in ax.get_yticklabels()]


def test_low_n_groups_can_be_marked_faded_or_dropped(sample) -> None:  # type: ignore[no-untyped-def]
    # With min_n=100: Telegram (95), WhatsApp (63) fall below; the other four do not.
    fig, ax = plot.compliance(sample, min_n=100)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert sorted(x for x in labels if x.endswith("†")) == ["Telegram (n=95) †", "WhatsApp (n=63) †"]
    fig, ax = plot.compliance(sample, min_n=100, low_n="fade")
    faded = [t.get_text() for t in ax.get_yticklabels() if t.get_color() == plot.FADED]
    assert sorted(faded) == ["Telegram (n=95) †", "WhatsApp (n=63) †"]
    fig, ax = plot.compliance(sample, min_n=100, low_n="drop")
    assert len(ax.get_yticklabels()) == 4
    assert "2 platform(s) with fewer than 100 requests not shown" in note(fig)
    with pytest.raises(td.EmptySelectionError, match="low_n='drop' would leave nothing"):
        plot.compliance(sample, min_n=1000, low_n="drop")
    with pytest.raises(td.InvalidArgumentError, match="low_n is one of mark, fade, drop"):
        plot.compliance(sample, low_n="hide")  # type: ignore[arg-type]


def test_heatmap_cells_give_n_and_hatch_low_n(sample) -> None:  # type: ignore[no-untyped-def]
    fig, ax = plot.heatmap(sample)
    texts = [t.get_text() for t in ax.texts]
    # BLA on WhatsApp: 2 of 16 requests complied, fewer than 30.
    assert "12%\nn=16 †" in texts
    assert "90%\nn=72" in texts  # BLA on Facebook: 65 of 72
    hatched = [p for p in ax.patches if p.get_hatch()]
    # The sample's group x platform cells under 30 requests: BLA Telegram 27, BLA WhatsApp 16,
    # BLF Telegram 22, BLF WhatsApp 8.
    assert len(hatched) == 4
    assert "4 cell(s) with n below 30 (hatched, †)" in note(fig)
    fig, ax = plot.heatmap(sample, low_n="drop")
    texts = [t.get_text() for t in ax.texts]
    assert "n=16" in texts and not any(t.startswith("12%") for t in texts)
    fig, ax = plot.heatmap(sample, value="cases")
    assert "72" in [t.get_text() for t in ax.texts] and not [p for p in ax.patches if p.get_hatch()]


def test_reach_marks_groups_with_few_accounts(sample) -> None:  # type: ignore[no-untyped-def]
    # Accounts per group: BLF 175, BLA 264, TTP 411.
    fig, ax = plot.reach(sample, min_n=200)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["BLF †", "BLA", "TTP"]
    assert "fewer than 200 accounts" in note(fig)
    fig, ax = plot.reach(sample, min_n=200, low_n="drop")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["BLA", "TTP"]


def test_rate_trend_has_a_percent_axis_bands_and_low_n_markers(sample) -> None:  # type: ignore[no-untyped-def]
    fig, ax = plot.trend(sample, "quarter", by=None, value="rate")
    fig.canvas.draw()
    assert ax.get_ylim() == (0.0, 100.0)
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "100%"
    assert ax.collections, "the interval is drawn as a band"
    # Quarter 2025-Q1: 158 of 250 requests complied: the band is Wilson's interval, in percent.
    lo, hi = wilson(158, 250)
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert min(band) == pytest.approx(lo * 100, abs=1e-9)
    # Monthly by platform, several months hold fewer than 30 requests: drawn hollow.
    fig, ax = plot.trend(sample, "month", by="platform", value="rate")
    hollow = [ln for ln in ax.lines if ln.get_marker() == "o" and ln.get_markerfacecolor() == "white"]
    low = sample.trend("month", by="platform").filter(pl.col("low_n")).height
    assert len(hollow) >= low > 0
    assert "Hollow dots: n below 30 requests" in note(fig)
    with pytest.raises(td.InvalidArgumentError, match="rates do not stack"):
        plot.trend(sample, value="rate", kind="area")


def test_a_trend_cut_short_by_the_as_of_date_is_drawn_incomplete(sample) -> None:  # type: ignore[no-untyped-def]
    # The sample runs to 31 Aug 2025: August is whole, the third quarter is not.
    fig, ax = plot.trend(sample, "month", by=None)
    assert "incomplete" not in note(fig)
    fig, ax = plot.trend(sample, "quarter", by=None)
    assert "The last period (2025-Q3, shaded, dashed) is incomplete" in note(fig)
    assert "the period to 30 Sep 2025" in note(fig)
    dashed = [ln for ln in ax.lines if ln.get_linestyle() not in ("-", "None")]
    assert len(dashed) == 1
    fig, ax = plot.trend(sample, "month", by=None, as_of=dt.date(2025, 8, 20))
    assert "The last period (2025-08, shaded, dashed) is incomplete: the data run to 20 Aug 2025" in note(fig)


def test_km_curves_run_flat_to_the_end_of_follow_up(sample) -> None:  # type: ignore[no-untyped-def]
    s = sample.survival(by="platform")
    follow_up = s.group_by("platform").agg(pl.col("time").max()).rows()
    fig, ax = plot.time_to_action(sample, "platform")
    ends = {ln.get_label().split(" (n=")[0]: max(ln.get_xdata()) for ln in ax.lines}
    for platform, end in follow_up:
        assert ends[plot.label(platform)] == pytest.approx(end)
    # Each curve's n is in the legend; fewer than min_n requests: dashed, with a dagger.
    labels = [ln.get_label() for ln in ax.lines]
    assert "Facebook (n=212)" in labels and "WhatsApp (n=63)" in labels
    fig, ax = plot.time_to_action(sample, "platform", min_n=100)
    assert "WhatsApp (n=63) †" in [ln.get_label() for ln in ax.lines]
    assert "† fewer than 100 requests (dashed)" in note(fig)
    # The axis shows where the action is, and says it is cut.
    right = ax.get_xlim()[1]
    assert right < max(e for _, e in follow_up)
    assert f"Axis cut at {right:.0f} days" in note(fig)
    # With max_days every curve reaches it, flat after its last step.
    fig, ax = plot.time_to_action(sample, "platform", max_days=300)
    assert all(max(ln.get_xdata()) == 300 for ln in ax.lines)
    assert ax.get_xlim() == (0.0, 300.0)


# ---- 3. memo output ---------------------------------------------------------------------------


def test_figures_carry_the_source_and_as_of_date(sample, tmp_path: pathlib.Path) -> None:  # type: ignore[no-untyped-def]
    fig, ax = plot.compliance(sample, source="Ministry case log (RTI release)", as_of=dt.date(2025, 9, 1))
    assert "Source: Ministry case log (RTI release)." in note(fig)
    assert "data as of 1 Sep 2025" in note(fig)
    assert "Source: synthetic sample shipped with takedowns" in note(plot.compliance(sample)[0])
    path = tmp_path / "cases.csv"
    path.write_text(td._core.SAMPLE_CSV)
    assert "Source: cases.csv." in note(plot.reach(td.read_csv(path))[0])
    fig, ax = plot.compliance(sample, title="Who complied")
    assert ax.get_title(loc="left") == "Who complied"


def test_figures_show_in_a_notebook_without_pyplot(sample) -> None:  # type: ignore[no-untyped-def]
    before = plt.get_fignums()
    p = plot.compliance(sample)
    assert plt.get_fignums() == before, "not pyplot's: nothing left open, nothing shown twice"
    assert p._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"
    assert p.figure._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"  # the figure alone shows too
    fig, ax = p  # still unpacks
    assert fig is p.figure and ax is p.axes


def test_rate_cells_read_as_a_memo_writes_them(sample) -> None:  # type: ignore[no-untyped-def]
    assert rate_cell(0.925, 0.84, 0.97, 70) == "93% (84–97), n=70"
    assert percent(0.996) == "99.6%" and percent(0.004) == "0.4%" and percent(1.0) == "100%"
    t = memo_table(sample.compliance(by="platform"), title="Compliance by platform", cases=sample)
    # Facebook: 196 of 212; Wilson 95% by hand.
    lo, hi = wilson(196, 212)
    assert t.frame.row(0) == ("Facebook", 212, 196, f"92% ({lo * 100:.0f}–{hi * 100:.0f}), n=212")
    assert t.frame.columns == ["Platform", "Requests", "Complied", "Compliance (95% CI), n"]
    assert t.notes[0].startswith("Definition: rate = (removed + restricted) / all requests")
    assert t.notes[-1] == "Source: synthetic sample shipped with takedowns (fake handles); data as of 31 Aug 2025."
    # Decided requests only: n is the denominator used.
    t = memo_table(sample.compliance(by="platform", pending="exclude", ci=0.9))
    assert t.frame.row(0)[-1].endswith("n=205") and t.frame.columns[-1] == "Compliance (90% CI), n"
    # Low n marked, and said so under the table.
    t = memo_table(sample.compliance(by=["group", "platform"]))
    assert t.frame.filter(pl.col("Platform") == "WhatsApp").row(1)[-1] == "50% (22–78), n=8 †"
    assert any(n.startswith("† n below 30") for n in t.notes) and len(t.low_rows) == 4


def test_memo_tables_write_html_word_and_png(sample, tmp_path: pathlib.Path) -> None:  # type: ignore[no-untyped-def]
    t = memo_table(sample.time_to_action(by="platform"), title="Time to action", cases=sample)
    assert t.frame.columns[:3] == ["Platform", "Requests", "Median days to decision (95% CI)"]
    cells = dict(zip(t.frame["Platform"].to_list(), t.frame["Median days to decision (95% CI)"].to_list()))
    assert cells["Facebook"] == "1.5 (1.3 to 1.7)"
    # BLF on WhatsApp: 8 requests, an interval without an upper bound: said in words, marked low-n.
    few = memo_table(sample.filter(platform="whatsapp").filter(group="BLF").time_to_action(by="platform"))
    assert few.frame.row(0)[2] == "25.1 (4.6 to not reached) †" and few.low_rows == [0]
    assert any(n.startswith("† n below 30") for n in few.notes)
    html_path, word, png = t.save(tmp_path / "tta")
    html = html_path.read_text()
    assert "Time to action" in html and "Facebook" in html and "<table" in html
    page = word.read_text()
    assert page.startswith("<!DOCTYPE html>") and "<style" not in page and "class=" not in page
    assert "Facebook" in page and "Median days to decision (95% CI)" in page
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    assert "<table" in t._repr_html_()
    # A label that is markup stays text.
    odd = pl.DataFrame({"platform": ["<b>x</b>"], "status": ["removed"]})
    t = memo_table(td.from_frame(odd, required=["platform", "status"]).compliance())
    assert "<b>x</b>" not in t.word_html() and "&lt;b&gt;" in t.word_html()


def test_report_reads_as_a_memo_draft(sample, tmp_path: pathlib.Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "pack"
    report.build(sample, out, quiet=True, source="Synthetic case log", title="Takedowns in 2025: a first look")
    md = (out / "report.md").read_text()
    lines = md.splitlines()
    assert lines[0] == "# Takedowns in 2025: a first look"
    assert lines[2].startswith("Between 3 February and 29 August 2025")  # the headline
    assert lines[4] == "*Source: Synthetic case log. Data as of 31 August 2025.*"
    sections = [ln for ln in lines if ln.startswith("## ")]
    assert sections[:5] == [
        "## Compliance by platform",
        "## Compliance by group and platform",
        "## Reach by group",
        "## Time to action by platform",
        "## Over time",
    ]
    assert "| Facebook | 212 | 196 | 92% \\(88–95\\), n=212 |" in md
    for n in range(1, 6):
        assert f"*Figure {n}. " in md
    for name in ("compliance_platform", "reach_group", "time_to_action_platform"):
        for suffix in (".html", ".word.html", ".png"):
            assert (out / "tables" / f"{name}{suffix}").stat().st_size > 500
    assert "Source: Synthetic case log" in (out / "tables" / "compliance_platform.word.html").read_text()


def test_the_messy_workbook_makes_a_memo_draft_with_the_rejects_first(tmp_path: pathlib.Path, messy_workbook) -> None:  # type: ignore[no-untyped-def]
    cases = messy_workbook
    out = tmp_path / "pack"
    report.build(cases, out, quiet=True, force=True, as_of=dt.date(2025, 6, 30))
    lines = (out / "report.md").read_text().splitlines()
    assert lines[2].startswith("**Rejected rows.** 1 of 5 rows read (20.0%) were rejected at load")
    assert lines[6] == "*Source: messy\\_sheet.xlsx. Data as of 30 June 2025.*"
    word = (out / "tables" / "compliance_platform.word.html").read_text()
    assert "Rejected rows: 1 of 5 rows read" in word
    # Four requests on two platforms: every rate is low-n, and the table says so.
    assert "n below 30" in word
