"""The memo pack: every table (CSV and Markdown), every figure (PNG, SVG, PDF) and a methods note.

>>> import takedowns as td, tempfile
>>> out = tempfile.mkdtemp()
>>> files = td.report.build(td.sample(), out, quiet=True)
>>> sorted(p.name for p in files if p.suffix == ".csv")[:3]
['compliance_group_platform.csv', 'compliance_platform.csv', 'crosstab_group_platform_cases.csv']
"""

from __future__ import annotations

import datetime as dt
import hashlib
import pathlib
import platform as _platform
import sys
from collections.abc import Callable
from typing import Any

import polars as pl

from takedowns import _core, plot
from takedowns._cases import Cases

TableFn = Callable[[Cases], pl.DataFrame]


def tables(cases: Cases, options: dict[str, Any] | None = None) -> dict[str, pl.DataFrame]:
    """Every table of the pack, by file stem. ``options`` go to the compliance-type tables
    (``pending``, ``method``, ``ci``, ``unit`` ...)."""
    o = dict(options or {})
    out: dict[str, pl.DataFrame] = {
        "summary": cases.summary(),
        "compliance_platform": cases.compliance(by="platform", **o),
        "compliance_group_platform": cases.compliance(by=["group", "platform"], **o),
        "reach_group": cases.reach(by="group"),
        "reach_platform": cases.reach(by="platform"),
        "trend_month": cases.trend("month", **o),
        "trend_month_platform": cases.trend("month", by="platform", **o),
        "crosstab_group_platform_cases": cases.crosstab("group", "platform"),
        "crosstab_group_platform_rate": cases.crosstab("group", "platform", value="rate", **o),
        "time_to_action_platform": cases.time_to_action(by="platform"),
    }
    if cases.rejects.height:
        out["rejects"] = cases.rejects
    return out


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v).replace("|", "\\|")


def markdown(df: pl.DataFrame) -> str:
    """A DataFrame as a Markdown table, its definition (if any) as a note under it.

    >>> print(markdown(pl.DataFrame({"a": [1, 2], "rate": [0.5, None], "definition": ["d", "d"]})))
    | a | rate |
    |---|---|
    | 1 | 0.5 |
    | 2 |  |
    <BLANKLINE>
    Definition: d
    """
    cols = [c for c in df.columns if c != "definition"]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.select(cols).iter_rows():
        lines.append("| " + " | ".join(_fmt(v) for v in row) + " |")
    if "definition" in df.columns and df.height:
        lines += ["", f"Definition: {df['definition'][0]}"]
    return "\n".join(lines)


def _figures(cases: Cases, options: dict[str, Any]) -> dict[str, Callable[[], Any]]:
    o = dict(options)
    return {
        "compliance_platform": lambda: plot.compliance(cases, "platform", **o),
        "trend_month_platform": lambda: plot.trend(cases, "month", by="platform"),
        "reach_group": lambda: plot.reach(cases, "group"),
        "heatmap_group_platform": lambda: plot.heatmap(cases, "group", "platform", value="rate", **o),
        "time_to_action_platform": lambda: plot.time_to_action(cases, "platform", max_days=60),
    }


def _checksum(input_path: pathlib.Path | None) -> str:
    h = hashlib.sha256()
    if input_path is None:
        h.update(_core.SAMPLE_CSV.encode())
    else:
        with open(input_path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def methods_note(cases: Cases, made: dict[str, pl.DataFrame], input_path: pathlib.Path | None) -> str:
    """The methods note: source and checksum, load report, definitions, versions."""
    import matplotlib

    r = cases.load_report
    src = "the embedded synthetic sample (fake handles)" if input_path is None else f"`{input_path}`"
    lines = [
        "# Methods",
        "",
        f"Made {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M UTC} by takedowns {_core.__version__}.",
        "",
        "## Data",
        f"- Input: {src}; SHA-256 `{_checksum(input_path)}`.",
        f"- Rows read: {r['rows_read']}; accepted: {r['rows_accepted']}; rejected: {r['rows_rejected']} "
        f"(rows read = accepted + rejected).",
    ]
    for rule, n in sorted(r["problems_by_rule"].items()):
        lines.append(f"  - `{rule}`: {n} problem(s)")
    if r["rows_rejected"]:
        lines.append("- The rejected rows, with row, column, value and rule, are in `tables/rejects.csv`.")
    for label_, status, n in r["status_labels"]:
        lines.append(f"- Status label `{label_}` read as `{status}` ({n} rows).")
    if r["columns_filled"]:
        lines.append(f"- Columns absent from the input and left empty: {', '.join(r['columns_filled'])}.")
    lines += ["", "## Definitions", ""]
    for name, df in made.items():
        if "definition" in df.columns and df.height:
            lines.append(f"- **{name}**: {df['definition'][0]}")
    lines += [
        "- **summary**: accounts are distinct platform + account; accounts actioned are those whose "
        "latest request was removed or restricted; rates with 95% Wilson intervals; followers "
        "counted once per account at the largest reported value.",
        "",
        "Rates are null where the denominator is 0; `low_n` marks rates on fewer than 30 units.",
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
) -> list[pathlib.Path]:
    """Writes the memo pack under ``out`` (``tables/``, ``figures/``, ``methods.md``,
    ``report.md``) and returns every file written."""
    import matplotlib.pyplot as plt

    out = pathlib.Path(out)
    src = pathlib.Path(input_path) if input_path is not None else None
    o = dict(options or {})

    def say(msg: str) -> None:
        if not quiet:
            print(msg, file=sys.stderr, flush=True)

    written: list[pathlib.Path] = []
    (out / "tables").mkdir(parents=True, exist_ok=True)
    say("computing tables ...")
    made = tables(cases, o)
    for i, (name, df) in enumerate(made.items(), 1):
        csv = out / "tables" / f"{name}.csv"
        df.write_csv(csv)
        md = out / "tables" / f"{name}.md"
        md.write_text(markdown(df) + "\n")
        written += [csv, md]
        say(f"  [{i}/{len(made)}] tables/{name}")
    figs = _figures(cases, o)
    say("drawing figures ...")
    for i, (name, draw) in enumerate(figs.items(), 1):
        fig, _ = draw()
        written += plot.save(fig, out / "figures" / name)
        plt.close(fig)
        say(f"  [{i}/{len(figs)}] figures/{name}")
    methods = out / "methods.md"
    methods.write_text(methods_note(cases, made, src))
    written.append(methods)
    index = out / "report.md"
    body = ["# Takedown requests: memo pack", "", cases.headline(), ""]
    body += [f"![{n}](figures/{n}.png)" for n in figs]
    body += ["", "## Tables", ""] + [f"- [{n}](tables/{n}.md) ([CSV](tables/{n}.csv))" for n in made]
    body += ["", "See [methods.md](methods.md) for definitions, rejected rows and versions.", ""]
    index.write_text("\n".join(body))
    written.append(index)
    say(f"wrote {len(written)} files to {out}")
    if not quiet:
        print(cases.headline())
        print(f"Memo pack: {index}")
    return written
