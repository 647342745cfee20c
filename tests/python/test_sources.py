"""Published sources read as published (tests/data/sources/README.md: provenance of each excerpt):
figures the publisher printed come back, withheld cells are listed, never read as 0."""

from __future__ import annotations

import pathlib

import polars as pl
import pytest

import takedowns as td
from takedowns import cli

HISTORICAL = (
    pathlib.Path(__file__).resolve().parent.parent
    / "data"
    / "sources"
    / "google"
    / "google-government-removal-requests-historical.csv"
)


def test_google_historical_gives_back_googles_figures() -> None:
    c = td.sources.read("google-removals-historical", HISTORICAL)
    with pytest.warns(td.RejectedRowsWarning):
        t = c.compliance(by=["jurisdiction", "period_end"])
    pk = t.filter(pl.col("jurisdiction") == "PK").sort("period_end")
    got = {r["period_end"]: (r["requests"], round(r["rate"] * 100)) for r in pk.iter_rows(named=True)}
    # As Google published them: 2018-H2 214 requests, 73% fully or partially complied with;
    # 2019-H1 303 and 46%; 2016-H1 30 and 73%.
    assert got["2018-12-31"] == (214, 73) and got["2019-06-30"] == (303, 46) and got["2016-06-30"] == (30, 73)
    assert "round(`All Requests: Number of Requests`" in t["definition"][0]
    # Google withheld 3 of the excerpt's 24 lines (each of the others makes two rows).
    assert "3 of 24 published lines (12.5%) were rejected" in t["definition"][0]


def test_withheld_cells_are_listed_not_zero() -> None:
    c = td.sources.read("google-removals-historical", HISTORICAL)
    r = c.load_report
    assert (r["rows_read"], r["rows_accepted"], r["rows_rejected"]) == (45, 42, 3)
    assert r["problems_by_rule"] == {"censored_value": 3}
    assert c.rejects.select("row", "value").unique(maintain_order=True).rows() == [(2, "?"), (3, "<10"), (5, "?")]
    # 2009-H2 Pakistan (<10) is in no table: not a zero row.
    frame = c.to_polars()
    assert frame.filter((pl.col("jurisdiction") == "PK") & (pl.col("period_end") == "2009-12-31")).height == 0
    with pytest.raises(td.ValidationError, match="withheld by the publisher"):
        td.sources.read("google-removals-historical", HISTORICAL, on_invalid="raise")


def test_source_names_and_mistakes() -> None:
    assert td.sources.names() == [
        "google-removals-historical",
        "google-removals-requestor",
        "google-removals-detailed",
        "tiktok-government",
        "x-removals",
        "meta-local-law",
        "dsa-sor",
        "dsa-report",
    ]
    with pytest.raises(td.InvalidArgumentError, match="did you mean 'google-removals-historical'"):
        td.sources.read("google-removals-historicl", HISTORICAL)  # type: ignore[arg-type]
    with pytest.raises(td.FileFormatError, match="by-requestor file"):
        p = HISTORICAL.parent / "not-here.csv"
        try:
            p.write_text("Period Ending,Country/Region,CLDR Territory Code,Requestor,Number of Requests\n")
            td.sources.read("google-removals-historical", p)
        finally:
            p.unlink()


def test_the_cli_reads_a_source_into_a_memo_pack(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", str(HISTORICAL), "--source", "google-removals-historical"]) == 1
    out = capsys.readouterr().out
    assert "45 rows read, 42 accepted, 3 rejected" in out
    pack = tmp_path / "pack"
    args = ["report", str(HISTORICAL), "--source", "google-removals-historical", "--out", str(pack), "--quiet"]
    assert cli.main(args) == 2  # 12.5% of the lines withheld: over the 5% the report takes without --force
    assert cli.main([*args, "--force"]) == 0
    md = (pack / "report.md").read_text()
    assert "*Source: Google Transparency Report, government requests to remove content: historical summary." in md
    table = pl.read_csv(pack / "tables" / "compliance_platform.csv")
    assert table["requests"].to_list() == [1252]  # every accepted request of the excerpt, by hand below
    frame = td.sources.read("google-removals-historical", HISTORICAL).to_polars()
    assert frame["count"].sum() == 1252


TIKTOK = HISTORICAL.parent.parent / "tiktok" / "CLIGR_2025H2_GovernmentRemovalsRequests.csv"


def test_tiktok_gives_back_its_removal_rate() -> None:
    c = td.sources.read("tiktok-government", TIKTOK)
    t = c.compliance(by="jurisdiction").sort("jurisdiction")
    rates = dict(zip(t["jurisdiction"].to_list(), t["rate"].to_list()))
    # TikTok's published removal rate, Jul-Dec 2025: Pakistan 0.518958101, United States 0.875.
    assert rates["Pakistan"] == pytest.approx(0.518958101, abs=5e-10)
    assert rates["United States"] == 0.875 and rates["Belarus"] is None
    assert "not requests" in t["definition"][0]
    by_kind = c.compliance(by=["jurisdiction", "content_type"]).filter(pl.col("jurisdiction") == "Pakistan")
    assert by_kind.sort("content_type").select("content_type", "successes", "requests").rows() == [
        ("account", 446, 2632),
        ("content", 6069, 9922),
    ]


def test_observed_beside_published_table_and_figure() -> None:
    import matplotlib

    matplotlib.use("Agg")
    from takedowns import plot

    published = td.sources.read("tiktok-government", TIKTOK).filter(jurisdiction="Pakistan")
    rows = "case_id,platform,account,group,reported_at,status\n" + "".join(
        f"c{i},TikTok,@fake_user{i},TTP,2025-08-{i + 1:02d},{'removed' if i < 6 else 'rejected'}\n" for i in range(10)
    )
    import tempfile

    p = pathlib.Path(tempfile.mkdtemp()) / "mine.csv"
    p.write_text(rows)
    mine = td.read_csv(p)
    t = td.compare_with_published(mine, published)
    assert t.select("platform", "period_label", "observed_n", "published_requests").row(0) == (
        "tiktok",
        "2025-H2",
        10,
        12554,
    )
    # 6 of 10 seen; TikTok published 6,515 of 12,554 items actioned: inside the Wilson interval.
    assert t["observed_rate"][0] == 0.6 and t["published_rate"][0] == pytest.approx(6515 / 12554, abs=1e-12)
    assert t["difference"][0] == pytest.approx(6515 / 12554 - 0.6, abs=1e-12)
    assert t["published_outside_interval"][0] is False
    fig, ax = plot.compare(mine, published)
    assert [x.get_text() for x in ax.get_yticklabels()] == ["TikTok 2025-H2 (n=10) †"]
    markers = [ln.get_marker() for ln in ax.lines]
    assert "D" in markers and "o" in markers
    # TikTok publishes nothing about X: its row shows without yours, yours is counted as not drawn.
    fig, ax = plot.compare(td.sample().filter(platform="x"), published)
    assert [x.get_text() for x in ax.get_yticklabels()] == ["TikTok 2025-H2 (no cases of yours)"]
    texts = " ".join(t.get_text().replace("\n", " ") for t in ax.texts)
    assert "2 platform-period(s) of yours have no published figure" in texts


def test_the_report_sets_your_cases_beside_a_published_source(tmp_path: pathlib.Path) -> None:
    pack = tmp_path / "pack"
    args = ["report", "--out", str(pack), "--quiet", "--compare-with", str(TIKTOK)]
    args += ["--compare-source", "tiktok-government", "--compare-jurisdiction", "Pakistan"]
    assert cli.main(args) == 0
    md = (pack / "report.md").read_text()
    section = md.split("## Published versus observed compliance")[1].split("## ")[0]
    # The sample's TikTok requests of 2025-H2: 45 of 50 complied with (90%, Wilson 79-96) beside
    # TikTok's published 52% of 12,554 items: outside.
    assert "| TikTok | 2025-H2 | 90% \\(79–96\\), n=50 | 52%, n=12,554 | -38 points | yes ‡ |" in section
    assert (
        "11 group-period(s) of yours without a published figure are not shown" in section
    )  # 6 platforms x 2 halves - 1
    assert (pack / "figures" / "compare_published.png").stat().st_size > 10_000
    t = pl.read_csv(pack / "tables" / "compare_published.csv")
    assert t.height == 12 and t.filter(pl.col("published_requests").is_not_null()).height == 1
    assert cli.main([*args[:4], "--compare-with", str(TIKTOK)]) == 2  # a source name is needed too


REQUESTOR = HISTORICAL.parent / "google-government-removal-requests.csv"


def test_google_requestor_items_round_back_to_googles_percents() -> None:
    c = td.sources.read("google-removals-requestor", REQUESTOR)
    f = c.to_polars().filter(
        (pl.col("agency") == "Information and Communications Authority") & (pl.col("period_end") == "2025-06-30")
    )
    counts = f["count"].to_list()
    assert counts == [3733, 46, 0, 410, 182, 182] and sum(counts) == 4553
    assert [round(x / 4553 * 100) for x in counts] == [82, 1, 0, 9, 4, 4]  # as Google published
    labels = {(col, label): value for col, label, value, *_ in c.load_report["labels"] if col == "status"}
    assert labels[("status", "Removed-Legal")] == "restricted" and labels[("status", "No Action Taken")] == "rejected"
    t = c.compliance(by="agency")
    assert "not requests" in t["definition"][0]
    mine = td.sources.read("google-removals-requestor", REQUESTOR, status_labels={"Content Already Removed": "removed"})
    assert mine.compliance(by=None)["successes"][0] > c.compliance(by=None)["successes"][0]


X = HISTORICAL.parent.parent / "x" / "Twitter_Transparency-Removal_Requests_Jul-Dec-2020.csv"


def test_x_gives_back_its_compliance_rates() -> None:
    c = td.sources.read("x-removals", X)
    r = c.load_report
    assert (r["rows_read"], r["rows_accepted"], r["rows_rejected"]) == (12, 10, 2)
    with pytest.warns(td.RejectedRowsWarning):
        t = c.compliance(by=["jurisdiction", "reported_at"])
    pk = t.filter(pl.col("jurisdiction") == "Pakistan").sort("reported_at")
    # X published: Pakistan 2019-H2 219 requests at 0.35; 2020-H1 241 at 0.29; 2020-H2 417 at 0.41.
    assert [(n, round(rate, 2)) for n, rate in pk.select("requests", "rate").rows()] == [
        (219, 0.35),
        (241, 0.29),
        (417, 0.41),
    ]
    assert c.rejects["value"].to_list() == ["NULL", "NULL"]


def test_source_loads_take_the_load_options_on_the_command_line(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flags = ["--source", "google-removals-requestor", "--status-labels", "Content Already Removed=removed"]
    assert cli.main(["check", str(REQUESTOR), *flags]) == 0
    out = capsys.readouterr().out
    assert "status 'Content Already Removed' read as 'removed'" in out


def test_an_x_file_saved_with_a_byte_order_mark_reads(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "x.csv"
    p.write_bytes(b"\xef\xbb\xbf" + X.read_bytes())
    assert td.sources.read("x-removals", p).load_report["rows_accepted"] == 10


def test_comparisons_name_what_they_compare(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(td.InvalidArgumentError, match="cover 3 jurisdictions"):
        td.compare_with_published(td.sample(), td.sources.read("tiktok-government", TIKTOK))
    base = ["report", "--out", str(tmp_path / "p"), "--quiet", "--compare-with", str(HISTORICAL)]
    base += ["--compare-source", "google-removals-historical", "--compare-jurisdiction", "Pakistan"]
    assert cli.main(base) == 2
    assert "its jurisdictions are written AR, BR, Europol, Interpol, PK" in capsys.readouterr().err
    pack = tmp_path / "pack"
    args = ["report", "--out", str(pack), "--quiet", "--compare-with", str(TIKTOK)]
    args += ["--compare-source", "tiktok-government", "--compare-jurisdiction", "Pakistan"]
    assert cli.main(args) == 0
    methods = (pack / "methods.md").read_text()
    assert "## Published figures compared" in methods and "CLIGR_2025H2_GovernmentRemovalsRequests.csv" in methods
    assert "Rows kept for the comparison: jurisdiction = Pakistan (6 rows)." in methods
    assert "SHA-256 of the bytes read" in methods.split("## Published figures compared")[1]


def test_a_published_source_makes_a_pack_without_empty_sections(tmp_path: pathlib.Path) -> None:
    pack = tmp_path / "pack"
    args = ["report", str(HISTORICAL), "--source", "google-removals-historical", "--force", "--out", str(pack)]
    assert cli.main([*args, "--quiet"]) == 0
    md = (pack / "report.md").read_text()
    assert md.startswith("# Takedown requests: compliance\n")  # no reach or time to action promised
    assert "Data as of 30 June 2019." in md  # the last period's end, not its start
    left_out = md.split("## Left out")[1]
    assert "compliance_group_platform: no row names a group" in left_out
    assert "time_to_action_platform: none of the 42 decided request(s) has an actioned_at" in left_out
    assert not (pack / "figures" / "heatmap_group_platform.png").exists()


def test_small_cell_suppression_leaves_the_comparison_out(tmp_path: pathlib.Path) -> None:
    pack = tmp_path / "pack"
    args = ["report", "--out", str(pack), "--quiet", "--min-cell", "10", "--compare-with", str(TIKTOK)]
    args += ["--compare-source", "tiktok-government", "--compare-jurisdiction", "Pakistan"]
    assert cli.main(args) == 0
    assert not (pack / "tables" / "compare_published.csv").exists()
    left_out = (pack / "report.md").read_text().split("## Left out")[1]
    assert "compare_published: small-cell suppression is on" in left_out


def test_the_trend_follows_the_sources_periods(tmp_path: pathlib.Path) -> None:
    pack = tmp_path / "pack"
    args = ["report", str(X), "--source", "x-removals", "--force", "--out", str(pack), "--quiet"]
    assert cli.main(args) == 0
    t = pl.read_csv(pack / "tables" / "trend_half_year.csv")
    # X's rows with a rate, by half-year: Pakistan 219 (2019-H2); 241 (2020-H1); Afghanistan 1,
    # Pakistan 417 and Turkey 3,749 (2020-H2).
    got = dict(zip(t["period_label"].to_list(), t["requests"].to_list()))
    assert got["2019-H2"] == 219 and got["2020-H1"] == 241 and got["2020-H2"] == 4167
    assert "figures/trend_half_year_platform.png" in (pack / "report.md").read_text()
    assert not (pack / "tables" / "trend_month.csv").exists()


def test_small_cells_of_any_trend_period_are_suppressed(tmp_path: pathlib.Path) -> None:
    pack = tmp_path / "pack"
    assert cli.main(["report", "--out", str(pack), "--quiet", "--min-cell", "10", "--every", "week"]) == 0
    t = pl.read_csv(pack / "tables" / "trend_week_platform.csv", infer_schema_length=0)
    # Weekly counts per platform in the sample are mostly under 10: shown as <10, never exactly.
    assert t.filter(pl.col("requests") == "<10").height > 0
    assert t.filter(pl.col("requests").str.contains(r"^[1-9]$")).height == 0


def test_an_item_counting_source_says_items() -> None:
    c = td.sources.read("tiktok-government", TIKTOK)
    assert repr(c).startswith("<takedowns.Cases: 12602 items (18 rows)")
    assert "12,602 items (pieces of content or accounts) named in requests were sent to TikTok" in c.headline()
    assert td.sources.read("x-removals", X).load_report["unit"] is None


DSA = pathlib.Path(__file__).parents[1] / "data" / "sources" / "dsa"


def test_dsa_dump_read_and_scanned_from_python() -> None:
    # The real parts 00000-00000/00001 of the 2024-03-14 global dump, zipped as the Commission
    # zips them: 100 statements; the dump repeats its first one (a duplicate_case_id reject).
    c = td.sources.read("dsa-sor", DSA / "sor-global-2024-03-14-full.zip")
    assert repr(c).startswith("<takedowns.Cases: 99 statements (99 rows)")
    assert c.rejects.select("row", "rule").rows() == [(2, "duplicate_case_id")]
    with pytest.warns(td.RejectedRowsWarning):
        headline = c.headline()
    assert "99 statements of reasons" in headline and "none a refused request" in headline
    f = c.to_polars()
    # shantay's tests (apparebit/shantay) count 12 statements with keywords in these parts.
    assert f.get_column("keywords").drop_nulls().len() == 12
    assert "reported_at = content_date" in c.load_report["derivation"]
    s = td.sources.scan("dsa-sor", DSA / "sor-global-2024-03-14-full.zip")
    assert s.rows == 100
    by_platform = s.trend("year", by="platform", on="actioned_at").group_by("platform").agg(pl.col("requests").sum())
    counts = dict(by_platform.sort("platform").iter_rows())
    # Counted by hand from the two parts: 48 Google Shopping, 32 TikTok, 12 Pinterest, 6
    # AliExpress, 2 Snapchat (TikTok's first statement twice: the scan keeps both).
    assert counts == {"AliExpress": 6, "Google Shopping": 48, "Pinterest": 12, "Snapchat": 2, "tiktok": 32}
    assert s.last_report is not None and s.last_report["unit"] == "statements of reasons"
    # The scan's crosstab of cases equals the read's (the duplicate aside: a scan keeps it).
    scanned = s.crosstab("platform", "decision").drop("definition")
    read = c.crosstab("platform", "decision").drop("definition")
    tiktok = "DECISION_VISIBILITY_OTHER"  # the decision of the statement the dump repeats
    assert scanned.drop(tiktok).equals(read.drop(tiktok))
    diff = scanned.get_column(tiktok) - read.get_column(tiktok)
    assert diff.to_list() == [0, 0, 0, 0, 1]  # tiktok's repeated statement, last in the rows


def test_dsa_scan_of_the_wrong_source_and_path() -> None:
    with pytest.raises(td.InvalidArgumentError, match="td.sources.read"):
        td.sources.scan("x-removals", DSA / "parts")
    with pytest.raises(td.TakedownsError, match="no .zip, .csv or .parquet"):
        td.sources.scan("dsa-sor", DSA.parent / "google" / "*.json")


def test_a_dsa_pack_counts_statements_and_rates_none(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "pack"
    assert cli.main(["report", str(DSA / "parts"), "--source", "dsa-sor", "--out", str(out), "--quiet"]) == 0
    memo = (out / "report.md").read_text()
    assert memo.startswith("# Statements of reasons: restrictions by platform and decision")
    assert "## Compliance by platform" not in memo
    assert "- compliance_platform: every row is an action a platform took (statements of reasons)" in memo
    t = pl.read_csv(out / "tables" / "crosstab_platform_decision_cases.csv")
    row = t.filter(pl.col("platform") == "Hotel Hideaway").row(0, named=True)
    # Counted by hand in the 2025-07-01 part: Hotel Hideaway's 39 statements all remove content.
    assert row["DECISION_VISIBILITY_CONTENT_REMOVED"] == 39
    assert not (out / "figures" / "compliance_platform.png").exists()
    assert "Time from posting (content_date) to restriction (application_date)" in memo


def test_actions_only_sources_count_and_never_rate(tmp_path: pathlib.Path) -> None:
    meta = (
        pathlib.Path(__file__).parents[1] / "data" / "sources" / "meta" / "PRPL-Facebook-Government-Report-2018_H2.csv"
    )
    c = td.sources.read("meta-local-law", meta)
    assert c.load_report["actions_only"] is True
    with pytest.raises(td.InvalidArgumentError, match="100% by construction"):
        c.compliance(by="jurisdiction")
    with pytest.raises(td.InvalidArgumentError, match="100% by construction"):
        c.crosstab("jurisdiction", "platform", value="rate")
    assert c.summary()["rate"][0] is None
    out = tmp_path / "pack"
    assert cli.main(["report", str(meta), "--source", "meta-local-law", "--out", str(out), "--quiet"]) == 0
    memo = (out / "report.md").read_text()
    assert "no compliance rate applies" in memo and "## Compliance by platform" not in memo
    t = pl.read_csv(out / "tables" / "crosstab_jurisdiction_platform_cases.csv")
    assert dict(zip(t["jurisdiction"], t["facebook"])) == {"India": 17713, "Pakistan": 4174, "Turkey": 747}
    # A scan of statements of reasons refuses a rate too.
    with pytest.raises(td.InvalidArgumentError, match="100% by construction"):
        td.sources.scan("dsa-sor", DSA / "parts").compliance()


DETAILED = HISTORICAL.parent / "google-government-detailed-removal-requests.csv"


def test_google_detailed_counts_requests_by_reason_and_never_rates(tmp_path: pathlib.Path) -> None:
    c = td.sources.read("google-removals-detailed", DETAILED)
    assert c.load_report["outcomes_unpublished"] is True
    frame = c.to_polars()
    assert frame["status"].unique().to_list() == ["unknown"]
    # Google's other files print Pakistan's requests: 214 in July-December 2018 (historical
    # summary), 232 in January-June 2025 (by requestor: 1 + 2 + 3 + 211 + 14 + 1).
    pk = frame.filter(pl.col("jurisdiction") == "PK").group_by("period_end").agg(pl.col("count").sum())
    assert dict(pk.sort("period_end").rows()) == {"2018-12-31": 214, "2025-06-30": 232}
    for call in (
        lambda: c.compliance(by="platform"),
        lambda: c.time_to_action(by="platform"),
        lambda: c.crosstab("reason", "platform", value="rate"),
    ):
        with pytest.raises(td.InvalidArgumentError, match="publishes no outcome per row"):
            call()
    t = c.trend("half-year")
    assert t["requests"].sum() == 450 and t["removed"].null_count() == t.height and t["rate"].null_count() == t.height
    assert c.summary()["requests_actioned"][0] is None
    assert "the source publishes no outcome for them" in c.headline()
    # The memo pack counts by country and reason and says why there is no rate.
    out = tmp_path / "pack"
    assert (
        cli.main(["report", str(DETAILED), "--source", "google-removals-detailed", "--out", str(out), "--quiet"]) == 0
    )
    memo = (out / "report.md").read_text()
    assert memo.startswith("# Requests by country, reason and period \\(the source publishes no outcomes\\)")
    assert "- compliance_platform: the source publishes no outcome per row" in memo
    x = pl.read_csv(out / "tables" / "crosstab_reason_platform_cases.csv")
    by_hand = frame.filter(pl.col("reason") == "Religious Offense")["count"].sum()
    assert x.filter(pl.col("reason") == "Religious Offense")["google"].item() == by_hand == 208
    assert not (out / "tables" / "compliance_platform.csv").exists()


def test_a_sources_rows_without_outcomes_read_back_as_they_were(tmp_path: pathlib.Path) -> None:
    c = td.sources.read("google-removals-detailed", DETAILED)
    p = tmp_path / "detailed.parquet"
    c.to_polars().write_parquet(p)
    back = td.read_parquet(p, required=["platform", "status", "count"])  # an aggregate table with ids
    assert back.load_report["outcomes_unpublished"] is True and back.load_report["rows_rejected"] == 0
    assert back.to_polars()["count"].sum() == c.to_polars()["count"].sum() == 450
    with pytest.raises(td.InvalidArgumentError, match="publishes no outcome per row"):
        back.compliance(by="platform")


def test_unknown_is_not_a_status_users_can_map(tmp_path: pathlib.Path) -> None:
    p = tmp_path / "log.csv"
    p.write_text("case_id,platform,account,group,reported_at,status\n1,x,@fake_1,TTP,2025-01-02,n/a\n")
    with pytest.raises(td.InvalidArgumentError, match="only a published source with no outcomes"):
        td.read_csv(p, status_labels={"n/a": "unknown"})  # type: ignore[dict-item]


def test_a_zipped_dump_with_a_shifted_line_names_its_part(tmp_path: pathlib.Path) -> None:
    import io
    import zipfile

    part = (DSA / "parts" / "sor-global-2025-07-01-full-00000-00000.csv").read_text(encoding="utf-8")
    lines = part.split("\n")
    # Line 3 (row 2) gets a field too many, right after its uuid: its values would shift.
    first, rest = lines[2].split(",", 1)
    lines[2] = f"{first},EXTRA,{rest}"
    # Row 3 writes its decision in lower case: it is still that code.
    lines[3] = lines[3].replace("DECISION_VISIBILITY_CONTENT_REMOVED", "decision_visibility_content_removed")
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("sor-global-2025-07-01-full-00000-00000.csv", "\n".join(lines))
    dump = tmp_path / "sor-global-2025-07-01-full.zip"
    with zipfile.ZipFile(dump, "w") as z:
        z.writestr("sor-global-2025-07-01-full-00000.csv.zip", inner.getvalue())
    s = td.sources.scan("dsa-sor", dump)
    report = s.check()
    assert (report["rows_read"], report["rows_rejected"]) == (50, 1)
    rejects = s.last_rejects
    assert rejects is not None
    assert rejects.select("file", "row", "rule").rows() == [
        (f"{dump} › sor-global-2025-07-01-full-00000-00000.csv", 2, "malformed_row")
    ]
    c = td.sources.read("dsa-sor", dump)
    assert c.rejects.select("row", "rule").rows() == [(2, "malformed_row")]
    decisions = c.to_polars().get_column("decision").value_counts().sort("decision")
    assert dict(decisions.iter_rows()) == {
        "DECISION_ACCOUNT_TERMINATED": 3,
        "DECISION_VISIBILITY_CONTENT_DISABLED": 4,
        "DECISION_VISIBILITY_CONTENT_REMOVED": 42,  # 43 in the file, less the shifted line
    }


def test_check_can_scan_a_dump(capsys: pytest.CaptureFixture[str]) -> None:
    dump = DSA / "sor-global-2024-03-14-full.zip"
    assert cli.main(["check", str(dump), "--source", "dsa-sor", "--scan"]) == 0
    out = capsys.readouterr().out
    assert f"{dump}: 100 rows read, 100 accepted, 0 rejected (scanned: duplicate case ids not checked)" in out
    # Read, the same dump's repeated statement is a reject.
    assert cli.main(["check", str(dump), "--source", "dsa-sor"]) == 1


def test_check_scan_takes_the_reads_options(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    part = tmp_path / "sor-x-2025-07-01-light-00000-00000.csv"
    part.write_text(
        "uuid,decision_visibility,decision_monetary,decision_provision,decision_account,decision_ground,category,"
        "content_type,content_date,application_date,source_type,automated_detection,automated_decision,platform_name\n"
        'a1,"[""DECISION_VISIBILITY_CONTENT_REMOVED""]",,,,DECISION_GROUND_ILLEGAL_CONTENT,STATEMENT_CATEGORY_VIOLENCE,'
        '"[""CONTENT_TYPE_TEXT""]",03/04/2025,05/06/2025,SOURCE_VOLUNTARY,No,AUTOMATED_DECISION_NOT_AUTOMATED,X\n'
    )
    # 03/04/2025 is ambiguous: rejected, unless the date order is given, as for a read.
    assert cli.main(["check", str(part), "--source", "dsa-sor", "--scan"]) == 1
    assert "1 rejected" in capsys.readouterr().out
    assert cli.main(["check", str(part), "--source", "dsa-sor", "--scan", "--date-order", "day-first"]) == 0
    assert cli.main(["check", str(part), "--source", "dsa-sor", "--date-order", "day-first"]) == 0


DSA_REPORT = HISTORICAL.parent.parent / "dsa-report"


def test_dsa_report_gives_back_the_platforms_totals(tmp_path: pathlib.Path) -> None:
    tiktok = DSA_REPORT / "DSA_Transparency_Report_TikTok_July_December_2025 - 3_member_states_orders.csv"
    c = td.sources.read("dsa-report", tiktok)
    assert c.load_report["outcomes_unpublished"] is True
    by_type = dict(c.to_polars().group_by("order_type").agg(pl.col("count").sum()).rows())
    # TikTok's TOTAL line, July-December 2025: 782 orders to act, 10,932 to provide information.
    assert by_type == {"act against illegal content (Art. 9)": 782, "provide information (Art. 10)": 10932}
    x = c.crosstab("jurisdiction", "order_type")
    assert x.filter(pl.col("jurisdiction") == "FR").row(0)[1:3] == (239, 2663)
    with pytest.raises(td.InvalidArgumentError, match="publishes no outcome per row"):
        c.compliance(by="platform")
    assert c.to_polars().schema["median_hours_to_give_effect"] == pl.Float64
    # Straight to a memo pack: counts by country, no rate.
    out = tmp_path / "pack"
    assert cli.main(["report", str(tiktok), "--source", "dsa-report", "--out", str(out), "--quiet"]) == 0
    t = pl.read_csv(out / "tables" / "crosstab_jurisdiction_order_type_cases.csv")
    assert (t["act against illegal content (Art. 9)"].sum(), t["provide information (Art. 10)"].sum()) == (782, 10932)
    memo = (out / "report.md").read_text()
    assert memo.startswith("# Orders from Member State authorities by country, order type and period")
    assert "TikTok received 782 orders to act against illegal content" in memo and "10,932 orders to provide" in memo
    # The trend keeps the kinds of order apart.
    assert (out / "tables" / "trend_half_year_order_type.csv").exists()


def test_a_sources_figure_states_its_periods_and_refuses_what_it_lacks() -> None:
    import matplotlib.pyplot as plt

    from takedowns import plot

    c = td.sources.read("google-removals-detailed", DETAILED)
    fig, ax = plot.trend(c, "half-year")
    note = " ".join(t.get_text().replace("\n", " ") for a in fig.axes for t in a.texts)
    # The rows stand for half-years: the footnote runs to the last one's end, not its start.
    assert "periods 1 Jan 2011–30 Jun 2025" in note, note
    plt.close(fig)
    with pytest.raises(td.InvalidArgumentError, match="the source publishes no outcome"):
        plot.trend(c, "half-year", value="rate")
