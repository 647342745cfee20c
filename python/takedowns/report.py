"""The memo pack: every table (CSV and Markdown), every figure (PNG, SVG, PDF), a methods note and
a report that opens with what the load rejected.

>>> import takedowns as td, tempfile
>>> out = tempfile.mkdtemp()
>>> files = td.report.build(td.sample(), out, quiet=True)
>>> sorted(p.name for p in files if p.suffix == ".csv")[:3]
['compliance_group_platform.csv', 'compliance_platform.csv', 'compliance_platform_clustered.csv']

Before anything is computed, :func:`check_rejects` refuses data whose rejected rows would bias the
numbers: more than ``max_rejects`` of the rows read (default 5%), or every row of a platform, a
group or an outcome. ``force=True`` writes the pack anyway, with the rejects stated first.
"""

from __future__ import annotations

import datetime as dt
import os
import pathlib
import platform as _platform
import sys
from collections.abc import Callable
from typing import Any, cast

import polars as pl

from takedowns import _core, disclosure, plot
from takedowns._cases import Cases, rejects_sentence
from takedowns._escape import csv_safe, md_cell, md_code, md_note, md_text
from takedowns._progress import Progress
from takedowns.errors import EmptySelectionError, InvalidArgumentError, RejectsError

TableFn = Callable[[Cases], pl.DataFrame]

#: The largest share of rows read that may be rejected before the report refuses (``--max-rejects``).
DEFAULT_MAX_REJECTS = 0.05
#: Figures with more categories than this (platforms, groups) are left out: they cannot be read.
MAX_FIGURE_CATEGORIES = 30
#: Key tables with more rows than this are not formatted for the memo (the CSV has them).
MAX_MEMO_ROWS = 60
#: Crosstabs with more columns than this are left out (the long tables carry the same numbers).
MAX_CROSSTAB_COLUMNS = 100


def check_rejects(cases: Cases, max_rejects: float = DEFAULT_MAX_REJECTS) -> None:
    """Raises :class:`~takedowns.errors.RejectsError` when the rows rejected at load would bias the
    report: a larger share of the rows read than ``max_rejects``, or every row of a platform, a
    group or an outcome (status label) rejected, so that a table would lack it without a word.

    >>> import takedowns as td
    >>> check_rejects(td.sample())  # nothing rejected: passes
    """
    if not 0 <= max_rejects <= 1:
        raise InvalidArgumentError(f"max_rejects is a share between 0 and 1, not {max_rejects}", "max_rejects")
    r = cases.load_report
    sentence = rejects_sentence(r)
    if sentence is None:
        return
    lost = [(c, v, int(n)) for c, v, n in r["lost"]]
    read, rejected = r.get("published_lines") or (r["rows_read"], r["rows_rejected"])
    share = rejected / read
    reasons = []
    if share > max_rejects:
        reasons.append(f"more than {100 * max_rejects:g}% of the rows were rejected")
    if lost:
        reasons.append("whole categories were rejected: " + ", ".join(f'{c} "{v}" ({n} rows)' for c, v, n in lost))
    if reasons:
        raise RejectsError(
            f"refusing to report: {'; and '.join(reasons)}. {sentence} Every number would leave these rows out. "
            "Fix the input (see the rejects: `takedowns check` or cases.rejects), add the missing labels to the "
            "load options, or write the pack anyway with --force (report.build(force=True)), which states the "
            "rejects at the top of every output; --max-rejects sets the threshold.",
            lost,
        )


def _platforms_and_groups(cases: Cases) -> tuple[int, int]:
    df = cases.to_polars()
    return df.get_column("platform").n_unique(), df.get_column("group").drop_nulls().n_unique()


# The tables that are rates: a source whose rows are all actions, or have no outcome, has none.
_RATE_TABLES = (
    "compliance_platform",
    "compliance_group_platform",
    "compliance_platform_clustered",
    "pairwise_platform",
    "crosstab_group_platform_rate",
    "change_platform",
)


def tables(
    cases: Cases,
    options: dict[str, Any] | None = None,
    skipped: dict[str, str] | None = None,
    as_of: dt.date | dt.datetime | None = None,
    published: Cases | None = None,
    compare_every: str = "half-year",
    every: str = "month",
    progress: Progress | None = None,
    change_at: dt.date | None = None,
) -> dict[str, pl.DataFrame]:
    """Every table of the pack, by file stem. ``options`` go to the compliance-type tables
    (``pending``, ``method``, ``ci``, ``unit`` ...); ``as_of`` to time to action (when pending
    requests are censored); ``change_at`` adds ``change_platform``, compliance per platform
    before and after that date (:meth:`Cases.change`); ``published`` (a source read with :mod:`takedowns.sources`) adds
    ``compare_published``, your compliance beside it per platform and ``compare_every`` period.
    A table the data cannot give (no dates for a trend, no follower counts
    for reach) is left out, with the reason in ``skipped``."""
    o = dict(options or {})
    skipped = {} if skipped is None else skipped
    n_platforms, n_groups = _platforms_and_groups(cases)
    actions = _actions_only(cases)
    split = _trend_split(cases)
    # Statements of reasons are counted by when the restriction applied, not when the content
    # was posted (their reported_at).
    on: dict[str, Any] = {"on": "actioned_at"} if _statements(cases) else {}
    makers: dict[str, Callable[[], pl.DataFrame]] = {
        "summary": cases.summary,
        "compliance_platform": lambda: cases.compliance(by="platform", **o),
        "compliance_platform_clustered": lambda: cases.compliance(by="platform", cluster="account", **o),
        "compliance_group_platform": lambda: cases.compliance(by=["group", "platform"], **o),
        "pairwise_platform": lambda: cases.pairwise(by="platform", **o),
        "reach_group": lambda: cases.reach(by="group"),
        "reach_platform": lambda: cases.reach(by="platform"),
        "returning_group_platform": lambda: cases.returning(by=["group", "platform"]),
        trend_name(every): lambda: cases.trend(cast(Any, every), **on, **o),
        trend_name(every, split): lambda: cases.trend(cast(Any, every), by=split, **on, **o),
        "crosstab_group_platform_cases": lambda: cases.crosstab("group", "platform"),
        "crosstab_group_platform_rate": lambda: cases.crosstab("group", "platform", value="rate", **o),
        "time_to_action_platform": lambda: cases.time_to_action(by="platform", as_of=as_of),
    }
    if change_at is not None:
        makers["change_platform"] = lambda: cases.change(change_at, by="platform", **o)
    if o.get("unit", "request") != "request" or o.get("weight", "requests") != "requests":
        del makers["compliance_platform_clustered"]
        skipped["compliance_platform_clustered"] = "clustering by account is for rates of requests, unweighted"

    if actions:
        # A platform's own actions: nothing was refused, so no rate says anything.
        unit = cases.load_report.get("unit") or "actions"
        why = (
            f"every row is an action a platform took ({unit}), none a refused request: a compliance rate "
            "would be 100% by construction"
        )
        for name in _RATE_TABLES:
            if name in makers:
                del makers[name]
                skipped[name] = why
        if _statements(cases):
            makers = {
                "crosstab_platform_decision_cases": lambda: cases.crosstab("platform", "decision"),
                "crosstab_platform_reason_cases": lambda: cases.crosstab("platform", "reason"),
                **makers,
            }
        elif "jurisdiction" in cases.to_polars().columns:
            makers = {
                "crosstab_jurisdiction_platform_cases": lambda: cases.crosstab("jurisdiction", "platform"),
                **makers,
            }
    if _outcomes_unpublished(cases):
        # Requests without outcomes: count them; no rate and no time to action exist.
        why = "the source publishes no outcome per row (every status is unknown)"
        for name in (*_RATE_TABLES, "time_to_action_platform"):
            makers.pop(name, None)
            skipped.setdefault(name, why)
        columns = cases.to_polars().columns
        extra: dict[str, Callable[[], pl.DataFrame]] = {}
        if "jurisdiction" in columns and "order_type" in columns:
            extra["crosstab_jurisdiction_order_type_cases"] = lambda: cases.crosstab("jurisdiction", "order_type")
        elif "jurisdiction" in columns:
            extra["crosstab_jurisdiction_platform_cases"] = lambda: cases.crosstab("jurisdiction", "platform")
        if "reason" in columns:
            extra["crosstab_reason_platform_cases"] = lambda: cases.crosstab("reason", "platform")
        makers = {**extra, **makers}
    if published is not None:
        makers["compare_published"] = lambda: cases.compare_with_published(
            published, by="platform", every=cast(Any, compare_every), **o
        )
    out: dict[str, pl.DataFrame] = {}
    if progress is not None:
        progress.begin("tables", len(makers))
    for name, make in makers.items():
        if progress is not None:
            progress.step(name)
        if "group" in name and n_groups == 0:
            skipped[name] = "no row names a group (a published source counts requests by country, not by group)"
            continue
        if name == "pairwise_platform" and n_platforms > MAX_FIGURE_CATEGORIES:
            skipped[name] = (
                f"{n_platforms} platforms would make {n_platforms * (n_platforms - 1) // 2:,} pairs; "
                "compare chosen platforms with cases.pairwise(by='platform', reference=...)"
            )
            continue
        if name.startswith("crosstab_group_platform") and n_platforms > MAX_CROSSTAB_COLUMNS:
            skipped[name] = (
                f"{n_platforms} platforms would make {n_platforms} columns; "
                "compliance_group_platform has the same numbers in long form"
            )
            continue
        try:
            out[name] = make()
        except EmptySelectionError as e:
            skipped[name] = str(e)
        if name == "pairwise_platform" and name in out and out[name].height == 0:
            del out[name]
            skipped[name] = "one platform: nothing to compare"
    if cases.rejects.height:
        out["rejects"] = cases.rejects
    return out


def _statements(cases: Cases) -> bool:
    """Whether the rows are statements of reasons (a platform's own restrictions), not requests."""
    return cases.load_report.get("unit") == "statements of reasons"


def _trend_split(cases: Cases) -> str:
    """What the pack's split trend is split by: kinds of order (a DSA report's orders to act and
    to provide information, which are not one series) where the rows have them, else platforms."""
    return "order_type" if "order_type" in cases.to_polars().columns else "platform"


def _outcomes_unpublished(cases: Cases) -> bool:
    """Whether the source publishes requests without their outcome (status ``unknown``)."""
    return bool(cases.load_report.get("outcomes_unpublished"))


def _actions_only(cases: Cases) -> bool:
    """Whether every row is an action a platform took (no refusal to rate): statements of reasons,
    content restrictions."""
    return bool(cases.load_report.get("actions_only"))


def _short(v: Any) -> Any:
    """A number that suppression turned into text, shown as the numbers beside it are (4 digits)."""
    if isinstance(v, str) and "." in v:
        try:
            return float(v)
        except ValueError:
            return v
    return v


def markdown(df: pl.DataFrame) -> str:
    """A DataFrame as a Markdown table, its definition (if any) as a note under it. Every cell is
    escaped, so a label cannot break the table or inject a heading, link or image.

    >>> print(markdown(pl.DataFrame({"a": [1, 2], "rate": [0.5, None], "definition": ["d", "d"]})))
    | a | rate |
    |---|---|
    | 1 | 0.5 |
    | 2 |  |
    <BLANKLINE>
    Definition: d
    """
    cols = [c for c in df.columns if c != "definition"]
    lines = ["| " + " | ".join(md_cell(c) for c in cols) + " |", "|" + "---|" * len(cols)]
    for row in df.select(cols).iter_rows():
        lines.append("| " + " | ".join(md_cell(_short(v)) for v in row) + " |")
    if "definition" in df.columns and df.height:
        defs = df.get_column("definition").unique(maintain_order=True).to_list()
        if len(defs) == 1:
            lines += ["", f"Definition: {md_note(defs[0])}"]
        else:
            lines += ["", "Definitions (each row has its own):"] + [f"- {md_note(d)}" for d in defs]
    return "\n".join(lines)


def trend_name(every: str, by: str | None = None) -> str:
    """The pack's name of a trend table or figure: ``trend_month``, ``trend_half_year_platform``.

    >>> trend_name("half-year", "platform")
    'trend_half_year_platform'
    """
    return f"trend_{every.replace('-', '_')}" + (f"_{by}" if by else "")


def _figures(
    cases: Cases,
    options: dict[str, Any],
    made: dict[str, pl.DataFrame],
    skipped: dict[str, str],
    stamp: dict[str, Any] | None = None,
    every: str = "month",
    change_at: dt.date | None = None,
) -> dict[str, Callable[[], Any]]:
    o = dict(options)
    st = dict(stamp or {})
    on: dict[str, Any] = {"on": "actioned_at"} if _statements(cases) else {}
    n_platforms, n_groups = _platforms_and_groups(cases)
    split = _trend_split(cases)
    figures: dict[str, tuple[Callable[[], Any], list[str], str | None]] = {
        "compliance_platform": (
            lambda: plot.compliance(cases, "platform", **st, **o),
            ["platform"],
            "compliance_platform",
        ),
        "pairwise_platform": (
            lambda: plot.pairwise(cases, "platform", **st, **o),
            ["platform"],
            "pairwise_platform",
        ),
        trend_name(every, split): (
            lambda: plot.trend(cases, cast(Any, every), by=split, **on, **st),
            [split],
            trend_name(every),
        ),
        "reach_group": (lambda: plot.reach(cases, "group", **st), ["group"], "reach_group"),
        "returning_group": (lambda: plot.returning(cases, "group", **st), ["group"], "returning_group_platform"),
        **(
            {
                "trend_rate_change": (
                    lambda: plot.trend(
                        cases, cast(Any, every), by="platform", value="rate", change_at=change_at, **st, **o
                    ),
                    ["platform"],
                    "change_platform",
                )
            }
            if change_at is not None
            else {}
        ),
        "heatmap_group_platform": (
            lambda: plot.heatmap(cases, "group", "platform", value="rate", **st, **o),
            ["group", "platform"],
            "compliance_group_platform",
        ),
        "time_to_action_platform": (
            lambda: plot.time_to_action(cases, "platform", **st),
            ["platform"],
            "time_to_action_platform",
        ),
    }
    counts = {"platform": n_platforms, "group": n_groups, "order_type": 2}
    out: dict[str, Callable[[], Any]] = {}
    for name, (draw, dims, needs) in figures.items():
        too_many = [d for d in dims if counts[d] > MAX_FIGURE_CATEGORIES]
        pairs = n_platforms * (n_platforms - 1) // 2
        if name == "pairwise_platform" and pairs > MAX_FIGURE_CATEGORIES and not too_many:
            skipped[f"figure {name}"] = (
                f"{pairs} pairs of platforms: more than {MAX_FIGURE_CATEGORIES} cannot be read in a figure; see the "
                "table, or draw plot.pairwise with a reference"
            )
        elif too_many:
            skipped[f"figure {name}"] = (
                f"{', '.join(f'{counts[d]} {d}s' for d in too_many)}: more than "
                f"{MAX_FIGURE_CATEGORIES} cannot be read in a figure; see the tables"
            )
        elif needs is not None and needs not in made:
            skipped[f"figure {name}"] = f"its table was left out ({skipped.get(needs, 'no data')})"
        else:
            out[name] = draw
    return out


def _safe_path(out: pathlib.Path, relative: str) -> pathlib.Path:
    """``out / relative``, refusing a path that resolves outside ``out`` (a symlinked ``tables``
    folder, say): the pack writes only inside the folder it is given."""
    root = out.resolve()
    path = (out / relative).resolve()
    if path != root and root not in path.parents:
        raise InvalidArgumentError(
            f"{out / relative} resolves to {path}, outside the output folder {root}; remove the link", "out"
        )
    return out / relative


def _prepare_out(out: pathlib.Path) -> None:
    if out.exists() and not out.is_dir():
        raise InvalidArgumentError(f"--out {out} is a file, not a folder; name a folder for the pack", "out")
    out.mkdir(parents=True, exist_ok=True)
    for sub in ("tables", "figures"):
        _safe_path(out, sub).mkdir(exist_ok=True)


def _designations_lines(cases: Cases) -> list[str]:
    """The designations of the data's groups, from the registry (``td.designations()``): per group
    and authority the earliest sourced day (or the month or year the sources give), a reference
    where one is recorded, a later delisting, and the source."""
    from takedowns._io import designation_aliases, designations

    groups = sorted(g for g in cases.to_polars().get_column("group").unique().to_list() if g is not None)
    if not groups:
        return []
    d = designations().filter(pl.col("confirmed"), pl.col("group_id").is_in(groups))
    # The earliest day; among sources of the same day, an official one (a government's or the UN's).
    official = pl.col("source_url").str.contains(r"(\.gov\b|\.gov\.|un\.org|parliament\.uk)")
    listed = d.filter(pl.col("event") == "listed").with_columns(official.alias("_official"))
    first = (
        listed.sort(["listed_on", "listed_by", "_official"], descending=[False, False, True], nulls_last=True)
        .group_by("group_id", "authority", maintain_order=True)
        .first()
        .sort("group_id", "authority")
    )
    refs = dict(
        listed.filter(pl.col("reference").str.starts_with("QDe"))
        .group_by("group_id", "authority")
        .agg(pl.col("reference").first())
        .select(pl.concat_str("group_id", "authority", separator="|"), "reference")
        .rows()
    )
    delisted = {f"{g}|{a}" for g, a in d.filter(pl.col("event") == "delisted").select("group_id", "authority").rows()}
    unmapped = dict(designation_aliases().filter(~pl.col("maps")).group_by("alias").agg(pl.col("note").first()).rows())
    lines = [
        "",
        "## Designations of the groups",
        "",
        "From takedowns' designations registry (`td.designations()`: every fact with its public source; "
        "a day is given only where a source states it):",
    ]
    for g in groups:
        rows = first.filter(pl.col("group_id") == g)
        if rows.height == 0:
            why = unmapped.get(g)
            lines.append(f"- {md_code(g)}: " + (f"{md_note(why)}." if why else "no designation in the registry."))
            continue
        parts = []
        for authority, on, by, title, url in rows.select(
            "authority", "listed_on", "listed_by", "source_title", "source_url"
        ).rows():
            key = f"{g}|{authority}"
            if on is not None:
                when = f"{on:%Y-%m-%d}"
            elif by is not None:
                when = f"by {by:%Y-%m-%d} (the sources give the month or year only)"
            else:
                when = "day not in the sources"
            ref = f", {refs[key]}" if key in refs else ""
            later = ", later delisted (see the registry)" if key in delisted else ""
            parts.append(f"{authority} {when}{ref}{later} ([{md_note(title)}]({url}))")
        lines.append(f"- {md_code(g)}: " + "; ".join(parts) + ".")
    return lines


def _rows(n: int) -> str:
    """``n`` rows, as a memo writes it: "1 row", "1,500,000 rows"."""
    return f"{n:,} row" + ("" if n == 1 else "s")


def methods_note(
    cases: Cases,
    made: dict[str, pl.DataFrame],
    input_path: pathlib.Path | None,
    skipped: dict[str, str] | None = None,
    min_cell: int | None = None,
    published: Cases | None = None,
    published_filter: str | None = None,
) -> str:
    """The methods note: source and checksum of the bytes read, load report (rejects, labels
    mapped, new labels, accounts in several groups), the published figures compared (file,
    checksum, rows, how they were derived, the filter), definitions, suppression, versions."""
    import matplotlib

    r = cases.load_report
    src = "the embedded synthetic sample (fake handles)" if input_path is None else md_code(input_path)
    sha = r.get("sha256")
    lines = [
        "# Methods",
        "",
        f"Made {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M UTC} by takedowns {_core.__version__}.",
        "",
        "## Data",
        f"- Input: {src}" + (f"; SHA-256 of the bytes read `{sha}`." if sha else " (a frame in memory: no checksum)."),
        f"- Rows read: {r['rows_read']:,}; accepted: {r['rows_accepted']:,}; rejected: {r['rows_rejected']:,} "
        f"(rows read = accepted + rejected).",
    ]
    if r.get("blank_rows"):
        lines.append(
            f"- {r['blank_rows']:,} entirely empty row(s) (such as a spreadsheet's trailing `,,,,`) were skipped: "
            "they hold no request and are not counted as rows read."
        )
    for rule, n in sorted(r["problems_by_rule"].items()):
        lines.append(f"  - `{rule}`: {n:,} problem(s)")
    if r["rows_rejected"]:
        lines.append("- The rejected rows, with row, column, value and rule, are in `tables/rejects.csv`.")
    for c, v, n in r["lost"]:
        lines.append(f"- Every row with {c} {md_code(v)} was rejected ({_rows(n)}): no table shows it.")
    if r.get("wide"):
        w = r["wide"]
        cols = ", ".join(f"{md_code(c)} as {s}" for c, s in w["outcome_columns"])
        lines.append(
            f"- Read as a wide table: {_rows(w['rows'])}, each with the outcome columns {cols}; each cell is a row "
            "of its own (`status` its column's outcome, `count` the cell), so the rows above are cells."
        )
    if r.get("aggregate"):
        lines.append(
            "- Read as an aggregate table (a `count` column and no `case_id`): only platform and status were required."
        )
    case_only = []
    for column, label, value, known, acc, rej in r["labels"]:
        counted = _rows(acc) + (f", {rej:,} rejected" if rej else "")
        if known and label != value and label.lower() == value.lower():
            case_only.append(f"{md_code(label)} ({counted})")
        elif known and label != value:
            lines.append(f"- {column} label {md_code(label)} read as {md_code(value)} ({counted}).")
    if case_only:
        lines.append("- Labels read in lower case, otherwise unchanged: " + ", ".join(case_only) + ".")
    for column, label, _value, known, acc, _rejected in r["labels"]:
        if not known and column != "status":
            lines.append(
                f"- New {column} {md_code(label)} ({_rows(acc)}): not in the vocabulary, kept as given; "
                "if it is another name of a known one, add an alias."
            )
    if r["accounts_in_several_groups"]:
        lines.append(
            f"- {r['accounts_in_several_groups']} account(s) were reported under more than one group; reach "
            'by group counts each in every one of its groups (`groups="latest"` counts it once).'
        )
    if r["columns_filled"]:
        lines.append(f"- Columns absent from the input and left empty: {', '.join(r['columns_filled'])}.")
    if r["columns_dropped"]:
        lines.append(f"- Input columns not kept: {', '.join(r['columns_dropped'])} (derived again from `account`).")
    if r.get("pseudonymised"):
        lines.append("- Accounts and case ids are keyed pseudonyms (HMAC-SHA256); the key is not part of the pack.")
    lines += _designations_lines(cases)
    if published is not None:
        p = published.load_report
        psha = p.get("sha256")
        lines += [
            "",
            "## Published figures compared",
            f"- File: {md_code(p['source'])}" + (f"; SHA-256 of the bytes read `{psha}`." if psha else "."),
            f"- Rows read: {p['rows_read']:,}; accepted: {p['rows_accepted']:,}; rejected: {p['rows_rejected']:,}"
            + (
                f" ({', '.join(f'{k} {v}' for k, v in sorted(p['problems_by_rule'].items()))})."
                if p["rows_rejected"]
                else "."
            ),
            f"- Rows kept for the comparison: {published_filter or 'all'} ({_rows(len(published))}).",
        ]
        if p.get("derivation"):
            lines.append(f"- How its rows were derived: {md_note(p['derivation'])}.")
    lines += ["", "## Definitions", ""]
    for name, df in made.items():
        if "definition" in df.columns and df.height:
            defs = df.get_column("definition").unique(maintain_order=True).to_list()
            lines.append(
                f"- **{name}**: {md_note(defs[0])}"
                + (" (each row states its own counts; see the table)" if len(defs) > 1 else "")
            )
    lines += ["", "Rates are null where the denominator is 0; `low_n` marks rates on fewer than 30 units."]
    if skipped:
        lines += ["", "## Left out", ""] + [f"- {name}: {md_note(why)}" for name, why in skipped.items()]
    if min_cell:
        lines += ["", "## Small cells", "", disclosure.describe(min_cell)]
    lines += [
        "",
        "## Software",
        f"- takedowns {_core.__version__}, polars {pl.__version__}, matplotlib {matplotlib.__version__}, "
        f"Python {sys.version.split()[0]} on {_platform.system()} {_platform.machine()}.",
    ]
    return "\n".join(lines) + "\n"


def build(
    cases: Cases,
    out: str | pathlib.Path,
    *,
    input_path: str | pathlib.Path | None = None,
    options: dict[str, Any] | None = None,
    quiet: bool = False,
    max_rejects: float = DEFAULT_MAX_REJECTS,
    force: bool = False,
    min_cell: int | None = None,
    source: str | None = None,
    as_of: dt.date | dt.datetime | None = None,
    title: str | None = None,
    published: Cases | None = None,
    compare_every: str = "half-year",
    published_filter: str | None = None,
    every: str = "month",
    change_at: dt.date | None = None,
) -> list[pathlib.Path]:
    """Writes the memo pack under ``out`` and returns every file written: ``report.md``, a memo
    draft (the rejects first, the headline, each figure with a numbered caption, the key tables
    formatted, what was left out); ``tables/`` (every table as CSV and Markdown, and the key
    tables for a memo as HTML, Word-friendly HTML and PNG: :mod:`takedowns.tables`);
    ``figures/`` (PNG, SVG, PDF); ``methods.md``.

    Parameters
    ----------
    source
        The data's source, as a memo cites it ("Ministry of Interior case log, obtained under
        RTI, 2025"); it is stamped on every figure and table. Default: the input file's name.
    as_of
        The date the data describe: pending requests are censored then in time to action, and a
        trend's last period is incomplete when it ends after it. Default: the latest date in the
        data.
    title
        The memo's heading (default "Takedown requests: compliance, reach and time to action").
    every
        The trend's period (default month; a published source's half-years want ``"half-year"``,
        which the CLI chooses with ``--source``). The tables are named by it: ``trend_month``,
        ``trend_half_year_platform``.
    change_at
        A date (a law, a policy, a ban): the pack adds ``change_platform``, compliance per
        platform before and after it with the change and its interval (:meth:`Cases.change`),
        and the figure ``trend_rate_change`` (the monthly rates with both levels and the date).
    published, compare_every, published_filter
        A platform's published figures (:func:`takedowns.sources.read`, filtered to the requesting
        country): the pack then compares your compliance with them per platform and period
        (``compare_every``, default half-year), as a table and a figure; methods.md names the
        published file, its checksum and ``published_filter`` (how its rows were chosen, e.g.
        ``"jurisdiction = Pakistan"``).
    max_rejects, force
        The pack is refused (:class:`~takedowns.errors.RejectsError`) when more than
        ``max_rejects`` of the rows read were rejected, or every row of a platform, group or
        outcome was; ``force=True`` writes it anyway. Either way the rejects open ``report.md``
        and are printed first.
    min_cell
        Suppress small cells in the exported tables: counts from 1 to ``min_cell - 1`` show as
        ``<min_cell``, with complementary suppression so that no total reveals them
        (:mod:`takedowns.disclosure`). Figures are left out when it is set, since they draw the
        exact values.
    """
    from takedowns.tables import memo_table

    out = pathlib.Path(out)
    src = pathlib.Path(input_path) if input_path is not None else None
    o = dict(options or {})

    bar = Progress(quiet)

    def say(msg: str) -> None:
        # What the user must read (rejects, where the pack went); the steps are the bar's, drawn
        # on a terminal only.
        if not quiet:
            print(msg, file=sys.stderr, flush=True)

    sentence = rejects_sentence(cases.load_report)
    if not force:
        check_rejects(cases, max_rejects)
    if sentence:
        say(f"WARNING: {sentence}")
    if min_cell is not None and min_cell < 2:
        raise InvalidArgumentError(f"min_cell is at least 2, not {min_cell}", "min_cell")
    _prepare_out(out)
    written: list[pathlib.Path] = []
    skipped: dict[str, str] = {}
    import warnings

    from takedowns.errors import RejectedRowsWarning

    with warnings.catch_warnings(), bar:
        # The rejects are stated at the top of every output instead.
        warnings.simplefilter("ignore", RejectedRowsWarning)
        made = tables(cases, o, skipped, as_of, published, compare_every, every, bar, change_at)
        if min_cell and "compare_published" in made:
            # Suppression knows the pack's own tables; the comparison would show exact counts.
            del made["compare_published"]
            skipped["compare_published"] = "small-cell suppression is on, and the comparison shows exact counts"
        shown = disclosure.apply(made, min_cell) if min_cell else made
        bar.begin("writing tables", len(shown))
        for name, df in shown.items():
            bar.step(f"tables/{name}")
            csv = _safe_path(out, f"tables/{name}.csv")
            csv_safe(df).write_csv(csv)
            md = _safe_path(out, f"tables/{name}.md")
            md.write_text(markdown(df) + "\n")
            written += [csv, md]
        memo: dict[str, Any] = {}
        if not min_cell:
            for name, heading in _MEMO_TABLES.items():
                if name in made and made[name].height > MAX_MEMO_ROWS:
                    skipped[f"memo table {name}"] = (
                        f"{made[name].height} rows are more than a memo table can show ({MAX_MEMO_ROWS}); "
                        f"see tables/{name}.csv"
                    )
                elif name in made:
                    memo[name] = memo_table(made[name], title=heading, cases=cases, source=source, as_of=as_of)
                    written += memo[name].save(_safe_path(out, f"tables/{name}"))
        figs: dict[str, Callable[[], Any]] = {}
        if min_cell:
            skipped["figures"] = "small-cell suppression is on, and figures draw exact values"
        else:
            figs = _figures(cases, o, made, skipped, {"source": source, "as_of": as_of}, every, change_at)
            if published is not None and "compare_published" in made:
                figs["compare_published"] = lambda: plot.compare(
                    cases, published, "platform", every=cast(Any, compare_every), as_of=as_of, **o
                )
        captions: dict[str, str] = {}
        bar.begin("figures", len(figs))
        for name, draw in figs.items():
            bar.step(f"figures/{name}")
            fig, ax = draw()
            written += plot.save(fig, _safe_path(out, f"figures/{name}"))
            captions[name] = ax.get_title(loc="left")
        headline = cases.headline()
    methods = _safe_path(out, "methods.md")
    methods.write_text(methods_note(cases, made, src, skipped, min_cell, published, published_filter))
    written.append(methods)
    index = _safe_path(out, "report.md")
    index.write_text(
        _memo_draft(cases, made, memo, captions, shown, skipped, headline, sentence, min_cell, source, as_of, title)
    )
    written.append(index)
    say(f"wrote {len(written)} files to {out}")
    if not quiet:
        if sentence:
            print(f"Rejected rows: {sentence}")
        print(headline)
        print(f"Memo pack: {index}")
    return written


#: The tables a memo draft shows formatted, with their headings (the pack has them all as CSV).
_MEMO_TABLES = {
    "crosstab_platform_decision_cases": "Statements of reasons by platform and strongest decision",
    "crosstab_jurisdiction_platform_cases": "By country and platform",
    "crosstab_reason_platform_cases": "By reason and platform",
    "crosstab_jurisdiction_order_type_cases": "By country and order type",
    "compliance_platform": "Compliance by platform",
    "compliance_group_platform": "Compliance by group and platform",
    "reach_group": "Reach by group",
    "time_to_action_platform": "Time to action by platform",
    "compare_published": "Published versus observed compliance",
}
# Where each figure goes in the memo draft: after the table it illustrates.
_FIGURE_AFTER = {
    "compliance_platform": "compliance_platform",
    "pairwise_platform": "compliance_platform",
    "heatmap_group_platform": "compliance_group_platform",
    "reach_group": "reach_group",
    "returning_group": "reach_group",
    "time_to_action_platform": "time_to_action_platform",
    "compare_published": "compare_published",
}


def _memo_draft(
    cases: Cases,
    made: dict[str, pl.DataFrame],
    memo: dict[str, Any],
    captions: dict[str, str],
    shown: dict[str, pl.DataFrame],
    skipped: dict[str, str],
    headline: str,
    sentence: str | None,
    min_cell: int | None,
    source: str | None,
    as_of: dt.date | dt.datetime | None,
    title: str | None,
) -> str:
    """report.md: a memo draft a colleague can edit. The rejects first, then the headline, the
    source and as-of date, each key table formatted with the figure that shows it (numbered, with
    its caption and definition), the trend, and what was left out."""
    parts = ["compliance"] + [
        w for t, w in (("reach_group", "reach"), ("time_to_action_platform", "time to action")) if t in made
    ]
    default = "Takedown requests: " + (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0])
    headings = dict(_MEMO_TABLES)
    if _actions_only(cases) and not _statements(cases):
        unit = str(cases.load_report.get("unit") or "actions")
        default = f"{unit[:1].upper()}{unit[1:]}: counts by country, platform and period"
        headings["crosstab_jurisdiction_platform_cases"] = f"{unit[:1].upper()}{unit[1:]}, by country and platform"
    if _outcomes_unpublished(cases):
        unit = str(cases.load_report.get("unit") or "requests")
        unit = unit[:1].upper() + unit[1:]
        columns = cases.to_polars().columns
        splits = ", ".join(s for c, s in (("reason", "reason"), ("order_type", "order type")) if c in columns)
        if _actions_only(cases):
            default = f"{unit}: counts by category and period (actions only, no rate)"
        else:
            default = (
                f"{unit} by country{', ' + splits if splits else ''} and period (the source publishes no outcomes)"
            )
        headings["crosstab_jurisdiction_platform_cases"] = f"{unit}, by country and platform"
        headings["crosstab_jurisdiction_order_type_cases"] = f"{unit}, by country and order type"
        headings["crosstab_reason_platform_cases"] = f"{unit}, by reason and platform"
    if _statements(cases):
        default = "Statements of reasons: restrictions by platform and decision, and time from posting to restriction"
        headings["time_to_action_platform"] = "Time from posting (content_date) to restriction (application_date)"
    body = [f"# {md_text(title or default)}", ""]
    if sentence:
        body += [
            f"**Rejected rows.** {rejects_sentence(cases.load_report, md_code)} They are listed in "
            "[tables/rejects.csv](tables/rejects.csv).",
            "",
        ]
    if min_cell:
        body += ["The headline is left out: small-cell suppression is on and a sentence cannot show `<10`.", ""]
    else:
        body += [md_text(headline), ""]
    when = as_of if as_of is not None else plot._data_as_of(cases)
    src = source if source is not None else plot.default_source(cases)
    body += [
        f"*Source: {md_text(src)}. Data as of {when:%-d %B %Y}.*" if when else f"*Source: {md_text(src)}.*",
        "",
        "Each table gives its definition under it; each figure prints its definition, n, period and source "
        "under it. † marks numbers on too few cases to read with confidence.",
        "",
    ]
    n = 0

    def figure(name: str) -> list[str]:
        nonlocal n
        if name not in captions:
            return []
        n += 1
        return [
            f"![Figure {n}. {md_text(captions[name])}](figures/{name}.png)",
            "",
            f"*Figure {n}. {md_text(captions[name])}.* ([SVG](figures/{name}.svg), [PDF](figures/{name}.pdf))",
            "",
        ]

    for name, heading in headings.items():
        if name not in memo and not any(f in captions for f, t in _FIGURE_AFTER.items() if t == name):
            continue
        body += [f"## {heading}", ""]
        if name in memo:
            body += [
                memo[name].markdown(omit=("Rejected rows:",)),
                f"([HTML](tables/{name}.html), [Word](tables/{name}.word.html), [PNG](tables/{name}.png), "
                f"[CSV](tables/{name}.csv))",
                "",
            ]
        for fig, after in _FIGURE_AFTER.items():
            if after == name:
                body += figure(fig)
    trends = [name for name in captions if name.startswith("trend_") and name != "trend_rate_change"]
    if trends or "trend_rate_change" in captions:
        body += ["## Over time", ""] + (figure(trends[0]) if trends else [])
    if "trend_rate_change" in captions:
        body += figure("trend_rate_change") + [
            "The rates before and from the date, with the change and its interval: "
            "[change_platform](tables/change_platform.md) ([CSV](tables/change_platform.csv)).",
            "",
        ]
    body += ["## All tables", ""] + [f"- [{t}](tables/{t}.md) ([CSV](tables/{t}.csv))" for t in shown]
    if skipped:
        body += ["", "## Left out", ""] + [f"- {t}: {md_note(why)}" for t, why in skipped.items()]
    body += ["", "See [methods.md](methods.md) for definitions, rejected rows and versions.", ""]
    return "\n".join(body)


def read_key(path: str | os.PathLike[str]) -> bytes:
    """A pseudonymisation key from a file: its bytes, without a trailing line break."""
    with open(path, "rb") as f:
        return f.read().rstrip(b"\r\n")
