"""Writes notebooks/*.ipynb from the cells below (outputs empty: they are made when run).

    python scripts/make_notebooks.py          # (re)write the notebooks
    python scripts/make_notebooks.py --check  # write nothing; exit 1 naming each notebook that differs

The cells here are the source of truth: tests/python/test_notebooks_source.py fails when a
committed notebook is not byte for byte what this script writes, so edit the cells here and rerun
the script rather than editing a notebook by hand. Cell ids are numbered (not nbformat's random
ones) so that writing twice gives the same bytes.
"""

from __future__ import annotations

import argparse
import copy
import pathlib
import sys

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"

QUICKSTART = [
    new_markdown_cell(
        "# takedowns: quick start\n\nLoad case records, then ask for compliance, reach, trends and time to action. "
        "Every table states its definition in a `definition` column. The data here is the embedded "
        "**synthetic** sample: every handle is fake."
    ),
    new_code_cell("import takedowns as td\n\ncases = td.sample()\ncases"),
    new_code_cell("print(cases.headline())"),
    new_markdown_cell(
        "## Compliance by platform\n\nDefault definition (PTA's): removed + restricted over all requests, "
        "pending requests counted as not complied with; 95% Wilson intervals; `low_n` below 30."
    ),
    new_code_cell(
        'c = cases.compliance(by="platform")\nc.select("platform", "requests", "rate", "ci_low", "ci_high", "low_n")'
    ),
    new_code_cell('print(c["definition"][0])'),
    new_markdown_cell("The pending rule is a parameter. Decided cases only:"),
    new_code_cell('cases.compliance(by="platform", pending="exclude").select("platform", "denominator", "rate")'),
    new_markdown_cell("## Reach, each account counted once"),
    new_code_cell('cases.reach(by="group").select("group", "accounts", "followers", "share_actioned", "top10_share")'),
    new_markdown_cell("## Monthly trend"),
    new_code_cell('cases.trend("month").select("period_label", "requests", "actioned", "cum_requests", "rate")'),
    new_markdown_cell("## Time to action, pending requests censored"),
    new_code_cell(
        'cases.time_to_action(by="platform").select("platform", "median_days", "actioned_within_1d", "actioned_within_7d", "naive_median_days")'
    ),
    new_markdown_cell(
        "## Your own file, with nothing lost\n\nIn quarantine mode invalid rows are set aside with the reason; "
        "rows read = accepted + rejected."
    ),
    new_code_cell(
        'import pathlib, tempfile\n\np = pathlib.Path(tempfile.mkdtemp()) / "mine.csv"\n'
        'p.write_text("case_id,platform,account,group,reported_at,status\\n"\n'
        '             "1,Twitter,@fake_one,TTP,2025-03-01,withheld\\n"\n'
        '             "2,FB,@fake_two,BLA,2025-03-02,shrug\\n")\n'
        'mine = td.read_csv(p, on_invalid="quarantine")\n'
        'print(mine.load_report["rows_read"], mine.load_report["rows_accepted"], mine.load_report["rows_rejected"])\n'
        "mine.rejects"
    ),
]

MEMO = [
    new_markdown_cell(
        "# Policy memo walkthrough\n\nThe figures a memo needs, each stamped with its definition, n, period, "
        "interval method and as-of date. Data: the embedded **synthetic** sample (fake handles)."
    ),
    new_code_cell("import takedowns as td\nfrom takedowns import plot\n\ncases = td.sample()\nprint(cases.headline())"),
    new_markdown_cell("## 1. Which platforms comply?"),
    new_code_cell('plot.compliance(cases, "platform", source="Synthetic case log")'),
    new_markdown_cell(
        "Each figure shows as the cell's value, every time, without importing pyplot. Groups with "
        'fewer than `min_n` requests are hollow with a dagger; `low_n="fade"` greys them and '
        '`low_n="drop"` leaves them out with a note. With `pending="exclude"` each label\'s n is '
        "the decided requests:"
    ),
    new_code_cell('plot.compliance(cases, "platform", pending="exclude", min_n=100, low_n="fade")'),
    new_markdown_cell(
        "Is X's lower rate a real difference? Each platform against Facebook: the difference with "
        "Newcombe's interval and a Holm-adjusted p-value (solid dots: the interval excludes 0)."
    ),
    new_code_cell('plot.pairwise(cases, "platform", reference="facebook")'),
    new_code_cell(
        'cases.pairwise(by="platform", reference="facebook").select(\n'
        '    "platform_a", "difference", "difference_low", "difference_high", "ratio", "p_adjusted"\n)'
    ),
    new_markdown_cell(
        "Requests about one account are not independent: clustered by account, each interval is "
        "widened by its design effect (the rates do not move):"
    ),
    new_code_cell(
        'cases.compliance(by="platform", cluster="account").select(\n'
        '    "platform", "rate", "ci_low", "ci_high", "clusters", "design_effect", "n_effective"\n)'
    ),
    new_markdown_cell("How much the pending rule matters (the PTA vs decided-only question):"),
    new_code_cell(
        'import polars as pl\n\nagainst = cases.compliance(by="platform").select("platform", pl.col("rate").alias("pending_against"))\n'
        'decided = cases.compliance(by="platform", pending="exclude").select("platform", pl.col("rate").alias("decided_only"))\n'
        'against.join(decided, on="platform")'
    ),
    new_markdown_cell("## 2. Which groups' reach was cut?"),
    new_code_cell('plot.reach(cases, "group")'),
    new_markdown_cell(
        "Did removed accounts come back? Of the accounts actioned, those reported again later (same "
        'platform and account; `match="handle"` for the same handle on any platform):'
    ),
    new_code_cell('cases.returning(by="group").drop("definition")'),
    new_markdown_cell("## 3. Group x platform"),
    new_code_cell('plot.heatmap(cases, "group", "platform", value="rate")'),
    new_markdown_cell("## 4. Over time, with an event marker"),
    new_code_cell(
        'import datetime as dt\n\nplot.trend(cases, "month", by="platform", events=[(dt.date(2025, 5, 1), "campaign widened")])'
    ),
    new_markdown_cell("The rate per quarter, with its interval; the last quarter is cut short by the data's end:"),
    new_code_cell('plot.trend(cases, "quarter", by=None, value="rate")'),
    new_markdown_cell(
        "Did compliance change when the campaign widened? The rates before and from the date, the "
        "difference with Newcombe's interval and a Holm-adjusted p-value (the same comparison as "
        "`pairwise`; a difference is not by itself an effect of the event):"
    ),
    new_code_cell(
        'cases.change(dt.date(2025, 5, 1), by="platform").select(\n'
        '    "platform", "rate_before", "rate_after", "difference", "difference_low", "difference_high", "p_adjusted"\n)'
    ),
    new_code_cell('plot.trend(cases, "month", by=None, value="rate", change_at=dt.date(2025, 5, 1))'),
    new_markdown_cell(
        "Split by designation: was each request's group on the US FTO list when it was made? "
        "(`td.designations()` holds the sourced dates.)"
    ),
    new_code_cell(
        'cases.with_designation("US-FTO").compliance(by="designated_us_fto").select(\n'
        '    "designated_us_fto", "requests", "rate", "ci_low", "ci_high"\n)'
    ),
    new_markdown_cell("## 5. How fast? (pending requests censored, rejection a competing outcome)"),
    new_code_cell('fig, ax = plot.time_to_action(cases, "platform")\nfig'),
    new_markdown_cell("## 6. Save for the memo: PNG (300 dpi), SVG and PDF"),
    new_code_cell(
        'import pathlib\nimport tempfile\n\nout = tempfile.mkdtemp()\n[p.name for p in plot.save(fig, f"{out}/time_to_action")]'
    ),
    new_markdown_cell('## 7. Tables for the memo: a rate is one cell, "93% (84–97), n=70"'),
    new_code_cell(
        "from takedowns.tables import memo_table\n\n"
        't = memo_table(cases.compliance(by="platform"), title="Compliance by platform", cases=cases)\n'
        '[p.name for p in t.save(f"{out}/compliance_platform")]  # HTML, Word-friendly HTML, PNG'
    ),
    new_code_cell("t"),
    new_markdown_cell(
        "## 8. What the platform published, beside what you saw\n\n"
        "`td.sources` reads platforms' own reports as published. Here the six outcome lines of "
        "Pakistan in TikTok's government removal requests download (Jul-Dec 2025, as TikTok published "
        "them); its rows count items named in requests, and the rate over them is TikTok's removal rate."
    ),
    new_code_cell(
        'p = pathlib.Path(tempfile.mkdtemp()) / "CLIGR_2025H2_GovernmentRemovalsRequests.csv"\n'
        "metrics = {\n"
        '    "Content actioned due to community guidelines violations": 4473,\n'
        '    "Content actioned due to (local) law violations": 1596,\n'
        '    "Content not actioned": 3853,\n'
        '    "Accounts actioned due to community guidelines violations": 317,\n'
        '    "Accounts actioned due to (local) law violations": 129,\n'
        '    "Accounts not actioned": 2186,\n'
        "}\n"
        'header = "replication_info,entity,aspect,metric_name,period,period_value,policy,policy_value,task,task_value,location,location_value,result,base,date"\n'
        "lines = [\n"
        '    f",LIGR,GRFCR,{m},half-year,Jul-Dec 2025,all,all,all,all,country_name,Pakistan,{v}.0,," for m, v in metrics.items()\n'
        "]\n"
        'p.write_text("\\n".join([header, *lines]) + "\\n")\n'
        'tiktok = td.sources.read("tiktok-government", p)\n'
        "print(tiktok.headline())\n"
        'td.compare_with_published(cases.filter(platform="tiktok"), tiktok)'
    ),
    new_code_cell("plot.compare(cases, tiktok)"),
    new_markdown_cell(
        "## 9. The EU's DSA Transparency Database: statements of reasons\n\n"
        "Every restriction a platform imposes in the EU is published as a *statement of reasons*, in daily "
        "dumps (`sor-global-<date>-light.zip`: a zip of zipped CSV parts; billions of rows in all). "
        "`td.sources.scan` reads a dump batch by batch, in bounded memory; `td.sources.read` loads a few "
        "parts. Here, a tiny made-up part (fake ids), zipped as the Commission zips it. Terrorist content is "
        "a *keyword* in the database, not a category, so it has its own column: `terrorist_content`."
    ),
    new_code_cell(
        'import io\nimport zipfile\n\nheader = (\n    "uuid,decision_visibility,decision_monetary,decision_provision,decision_account,decision_ground,category,"\n    "category_specification,content_type,content_date,application_date,source_type,automated_detection,"\n    "automated_decision,platform_name"\n)\nremoved, suspended = \'"[""DECISION_VISIBILITY_CONTENT_REMOVED""]"\', "DECISION_ACCOUNT_SUSPENDED"\nterror, video = \'"[""KEYWORD_TERRORIST_CONTENT""]"\', \'"[""CONTENT_TYPE_VIDEO""]"\'\nmade_up = [  # (visibility, account, keywords, platform) of five made-up statements\n    (removed, "", terror, "TikTok"),\n    (removed, "", terror, "TikTok"),\n    ("[]", suspended, terror, "X"),\n    (removed, "", "", "X"),\n    (removed, "", "", "Facebook"),\n]\nrows = [\n    f"fake-{i},{vis},,,{acc},DECISION_GROUND_ILLEGAL_CONTENT,STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY,"\n    f"{kw},{video},2025-06-{10 + i:02d} 00:00:00,2025-07-{1 + i:02d} 00:00:00,SOURCE_TRUSTED_FLAGGER,Yes,"\n    f"AUTOMATED_DECISION_PARTIALLY,{platform}"\n    for i, (vis, acc, kw, platform) in enumerate(made_up)\n]\ninner = io.BytesIO()\nwith zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:\n    z.writestr("sor-global-2025-07-01-light-00000-00000.csv", "\\n".join([header, *rows]))\ndump = pathlib.Path(tempfile.mkdtemp()) / "sor-global-2025-07-01-light.zip"\nwith zipfile.ZipFile(dump, "w") as z:\n    z.writestr("sor-global-2025-07-01-light-00000.csv.zip", inner.getvalue())\n\nscan = td.sources.scan("dsa-sor", dump)\nby_keyword = scan.trend("month", by=["platform", "terrorist_content"], on="actioned_at")\nby_keyword.filter(pl.col("requests") > 0).select("platform", "terrorist_content", "period_label", "requests")'
    ),
    new_markdown_cell(
        "Each statement is a restriction the platform chose: no request was refused, so `compliance` "
        "refuses these rows (the rate would be 100% by construction). Count them by decision, and time "
        "them from posting (`content_date`) to restriction (`application_date`):"
    ),
    new_code_cell(
        'statements = td.sources.read("dsa-sor", dump)\n'
        "print(statements.headline())\n"
        'statements.crosstab("platform", "decision")'
    ),
    new_markdown_cell(
        'Or the whole pack at once: `takedowns report --out memo-pack --source "Ministry case log"` '
        "(report.md is a memo draft: rejects first, the headline, each figure with its caption, the key "
        "tables formatted; methods.md; every table as CSV)."
    ),
]


NOTEBOOKS = {"quickstart.ipynb": QUICKSTART, "policy_memo.ipynb": MEMO}
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def build() -> dict[str, nbformat.NotebookNode]:
    """Every notebook this script writes, by file name, built in memory."""
    out = {}
    for name, cells in NOTEBOOKS.items():
        numbered = []
        for i, cell in enumerate(cells):
            cell = copy.deepcopy(cell)
            cell["id"] = f"cell-{i:02d}"
            numbered.append(cell)
        out[name] = new_notebook(cells=numbered, metadata={"kernelspec": dict(KERNELSPEC)})
    return out


def render(nb: nbformat.NotebookNode) -> str:
    """The text of the file, exactly as written (nbformat.write's JSON and its final newline)."""
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def expected() -> dict[str, str]:
    """The text of every notebook file, by name."""
    return {name: render(nb) for name, nb in build().items()}


def stale(directory: pathlib.Path = NOTEBOOK_DIR) -> list[str]:
    """Names of the notebooks in ``directory`` that differ from what this script writes, that are
    missing, or that it does not write at all (a notebook with no source here); [] if none."""
    want = expected()
    have = {p.name for p in directory.glob("*.ipynb")}
    return [
        name
        for name in sorted(set(want) | have)
        if name not in want
        or not (directory / name).is_file()
        or (directory / name).read_bytes() != want[name].encode("utf-8")
    ]


def write_all(directory: pathlib.Path = NOTEBOOK_DIR) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in expected().items():
        (directory / name).write_bytes(text.encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a notebook differs from what would be written"
    )
    ap.add_argument("--dir", type=pathlib.Path, default=NOTEBOOK_DIR, help="the notebooks folder (default: notebooks/)")
    args = ap.parse_args(argv)
    if args.check:
        bad = stale(args.dir)
        for name in bad:
            print(f"{args.dir / name}: differs from what scripts/make_notebooks.py writes", file=sys.stderr)
        return 1 if bad else 0
    write_all(args.dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
