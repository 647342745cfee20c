"""Small-cell suppression: exact outputs on hand-made tables, and an attacker's checks on the
pack's table shapes and on random tables.

The attacker knows every published total: a row's total when it is shown, and a column's (or a
margin's) total over the rows, which other tables publish (as "<10" when it is small). A hidden
cell must never be one subtraction away, i.e. every line has 0 or at least 2 hidden cells; and
(stronger) no "<10" cell may be fixed by any linear combination of the table's lines, unless the
totals published elsewhere fix it whatever the table shows (then only those tables can help).
The checks here are written independently of the module, except where noted.
"""

from __future__ import annotations

import itertools
import random
import warnings
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from takedowns import disclosure
from takedowns.disclosure import SPECS, SUPPRESSED, TableSpec, apply, describe, suppress, suppress_like

OUTCOMES = ["removed", "restricted", "rejected", "pending"]
COMPLIANCE_COUNTS = ["requests", "removed", "restricted", "rejected", "pending", "successes", "denominator", "n"]
COMPLIANCE_SPEC = TableSpec(
    counts=COMPLIANCE_COUNTS,
    row_lines=[
        ("requests", OUTCOMES),
        ("successes", ["removed", "restricted"]),
        ("denominator", ["requests"]),
        ("n", ["denominator"]),
    ],
    column_totals=True,
    derived={
        "rate": ["successes", "denominator"],
        "ci_low": ["successes", "denominator"],
        "ci_high": ["successes", "denominator"],
    },
    key_columns=["platform"],
)


# --- a pure-polars stand-in for the pack ------------------------------------------------------


def records(n: int, seed: int, *, groups: int = 3, platforms: int = 4, months: int = 4) -> pl.DataFrame:
    """Case records with the skew of real data: some platforms and groups rare, so small cells."""
    rng = random.Random(seed)
    g_names = ["BLA", "BLF", "TTP", "ISKP", "LeJ"][:groups]
    p_names = ["facebook", "telegram", "tiktok", "x", "whatsapp", "youtube"][:platforms]
    g_w = [rng.choice([1, 2, 8, 20]) for _ in g_names]
    p_w = [rng.choice([1, 3, 10, 25]) for _ in p_names]
    s_w = [rng.choice([1, 5, 20]) for _ in OUTCOMES]
    rows = [
        {
            "group": rng.choices(g_names, g_w)[0],
            "platform": rng.choices(p_names, p_w)[0],
            "month": rng.randrange(months),
            "status": rng.choices(OUTCOMES, s_w)[0],
            "account": f"@acct{rng.randrange(max(1, n // 2))}",
            "followers": rng.choice([None, rng.randrange(10, 5000)]),
            "days": rng.random() * 20,
        }
        for _ in range(n)
    ]
    schema = {
        "group": pl.String,
        "platform": pl.String,
        "month": pl.Int64,
        "status": pl.String,
        "account": pl.String,
        "followers": pl.Int64,
        "days": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)


def _outcome_counts(by: list[str]) -> list[pl.Expr]:
    return [pl.len().alias("requests")] + [(pl.col("status") == s).sum().cast(pl.Int64).alias(s) for s in OUTCOMES]


def _rates(df: pl.DataFrame) -> pl.DataFrame:
    return (
        df.with_columns(
            (pl.col("removed") + pl.col("restricted")).alias("successes"),
            pl.col("requests").alias("denominator"),
        )
        .with_columns(
            pl.col("denominator").alias("n"),
            pl.when(pl.col("denominator") > 0).then(pl.col("successes") / pl.col("denominator")).alias("rate"),
        )
        .with_columns(
            (pl.col("rate") * 0.9).alias("ci_low"),
            (pl.col("rate") * 0.9 + 0.1).alias("ci_high"),
            (pl.col("n") < 30).alias("low_n"),
            pl.lit("rate = (removed + restricted) / all requests").alias("definition"),
        )
    )


def compliance(rec: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    return _rates(rec.group_by(by).agg(_outcome_counts(by)).sort(by))


def reach(rec: pl.DataFrame, by: str) -> pl.DataFrame:
    per_acc = rec.group_by(list(dict.fromkeys([by, "platform", "account"]))).agg(
        pl.col("followers").max(), (pl.col("status").last().is_in(["removed", "restricted"])).alias("act")
    )
    cases = rec.group_by(by).agg(pl.len().alias("cases"), pl.col("followers").fill_null(0).sum().alias("fu"))
    acc = per_acc.group_by(by).agg(
        pl.len().alias("accounts"),
        pl.col("followers").fill_null(0).sum().alias("followers"),
        pl.col("followers").filter(pl.col("act")).fill_null(0).sum().alias("followers_actioned"),
        pl.col("followers").filter(~pl.col("act")).fill_null(0).sum().alias("followers_live"),
        pl.col("followers").median().alias("median_followers"),
        pl.col("followers").fill_null(0).sort(descending=True).head(10).sum().alias("top10"),
        pl.col("followers").is_null().sum().cast(pl.Int64).alias("accounts_missing_followers"),
    )
    df = cases.join(acc, on=by, how="left").sort(by)
    share = pl.when(pl.col("followers") > 0)
    return df.select(
        by,
        "cases",
        "accounts",
        "followers",
        "followers_actioned",
        "followers_live",
        share.then(pl.col("followers_actioned") / pl.col("followers")).alias("share_actioned"),
        "median_followers",
        share.then(pl.col("top10") / pl.col("followers")).alias("top10_share"),
        "accounts_missing_followers",
        pl.col("fu").alias("followers_undeduplicated"),
        pl.lit("accounts = distinct platform + account").alias("definition"),
    )


def trend(rec: pl.DataFrame, months: int, by: list[str]) -> pl.DataFrame:
    grid = pl.DataFrame({"month": list(range(months))})
    if by:
        grid = rec.select(by).unique().sort(by).join(grid, how="cross")
    agg = rec.group_by([*by, "month"]).agg(_outcome_counts([*by, "month"]))
    df = (
        grid.join(agg, on=[*by, "month"], how="left")
        .with_columns(pl.col(c).fill_null(0) for c in ["requests", *OUTCOMES])
        .sort([*by, "month"])
    )
    df = df.with_columns((pl.col("removed") + pl.col("restricted")).alias("actioned"))
    over = by if by else None
    cum = [pl.col("requests").cum_sum(), pl.col("actioned").cum_sum()]
    if over:
        cum = [c.over(over) for c in cum]
    df = df.with_columns(
        cum[0].alias("cum_requests"),
        cum[1].alias("cum_actioned"),
        pl.format("2025-{}", pl.col("month") + 1).alias("period_label"),
    )
    df = _rates(df).rename({"month": "period"})
    return df.select(
        *by,
        "period",
        "period_label",
        "requests",
        *OUTCOMES,
        "actioned",
        "cum_requests",
        "cum_actioned",
        "successes",
        "denominator",
        "n",
        "rate",
        "ci_low",
        "ci_high",
        "low_n",
        "definition",
    )


def crosstab(rec: pl.DataFrame, value: str) -> pl.DataFrame:
    long = compliance(rec, ["group", "platform"])
    wide = long.pivot(on="platform", index="group", values=value).sort("group")
    plats = sorted(c for c in wide.columns if c != "group")
    wide = wide.select("group", *plats)
    if value == "requests":
        wide = wide.with_columns(pl.col(p).fill_null(0) for p in plats)
    return wide.with_columns(pl.lit(f"cell = {value}").alias("definition"))


def time_to_action(rec: pl.DataFrame) -> pl.DataFrame:
    df = (
        rec.group_by("platform")
        .agg(
            pl.len().alias("requests"),
            pl.col("status").is_in(["removed", "restricted"]).sum().cast(pl.Int64).alias("actioned"),
            (pl.col("status") == "rejected").sum().cast(pl.Int64).alias("rejected"),
            (pl.col("status") == "pending").sum().cast(pl.Int64).alias("censored"),
            pl.col("days").median().alias("median_days"),
            pl.col("days").min().alias("median_ci_low"),
            pl.col("days").max().alias("median_ci_high"),
            (pl.col("days") < 1).mean().alias("actioned_within_1d"),
            (pl.col("days") < 7).mean().alias("decided_within_7d"),
            (pl.col("days") < 7).mean().alias("rejected_within_7d"),
            pl.col("days").mean().alias("rmst_30d"),
            pl.col("days").mean().alias("naive_mean_days"),
            pl.col("days").median().alias("naive_median_days"),
        )
        .sort("platform")
    )
    return df.with_columns(pl.lit("Kaplan-Meier time to decision").alias("definition"))


def summary(rec: pl.DataFrame) -> pl.DataFrame:
    act = rec.filter(pl.col("status").is_in(["removed", "restricted"])).height
    rej = rec.filter(pl.col("status") == "rejected").height
    pen = rec.filter(pl.col("status") == "pending").height
    accounts = rec.select(pl.struct("platform", "account").n_unique()).item() if rec.height else 0
    acc_act = (
        rec.group_by("platform", "account")
        .agg(pl.col("status").last())
        .filter(pl.col("status").is_in(["removed", "restricted"]))
        .height
    )
    return pl.DataFrame(
        {
            "rows": [rec.height],
            "requests": [rec.height],
            "accounts": [accounts],
            "accounts_actioned": [acc_act],
            "account_rate": [acc_act / accounts if accounts else None],
            "account_ci_low": [0.1],
            "account_ci_high": [0.9],
            "requests_actioned": [act],
            "requests_rejected": [rej],
            "requests_pending": [pen],
            "rate": [act / rec.height if rec.height else None],
            "ci_low": [0.1],
            "ci_high": [0.9],
            "followers": [int(rec["followers"].fill_null(0).sum())],
            "n_platforms": [rec["platform"].n_unique()],
            "platforms": [", ".join(sorted(rec["platform"].unique()))],
            "n_groups": [rec["group"].n_unique()],
            "groups": [", ".join(sorted(rec["group"].unique()))],
            "agencies": ["PTA"],
        }
    )


def pack(rec: pl.DataFrame, months: int) -> dict[str, pl.DataFrame]:
    return {
        "summary": summary(rec),
        "compliance_platform": compliance(rec, ["platform"]),
        "compliance_group_platform": compliance(rec, ["group", "platform"]),
        "reach_group": reach(rec, "group"),
        "reach_platform": reach(rec, "platform"),
        "trend_month": trend(rec, months, []),
        "trend_month_platform": trend(rec, months, ["platform"]),
        "crosstab_group_platform_cases": crosstab(rec, "requests"),
        "crosstab_group_platform_rate": crosstab(rec, "rate"),
        "time_to_action_platform": time_to_action(rec),
        "rejects": pl.DataFrame({"row": [7], "column": ["reported_at"], "value": ["=HYPERLINK(1)"]}),
    }


# --- the attacker ------------------------------------------------------------------------------

# (total, components) that hold in every row, by table, and the keys whose margins are published.
ROW_RELATIONS: dict[str, list[tuple[str, list[str]]]] = {
    "compliance": [
        ("requests", OUTCOMES),
        ("successes", ["removed", "restricted"]),
        ("denominator", ["requests"]),
        ("n", ["denominator"]),
    ],
    "trend": [
        ("requests", OUTCOMES),
        ("successes", ["removed", "restricted"]),
        ("denominator", ["requests"]),
        ("n", ["denominator"]),
        ("actioned", ["removed", "restricted"]),
    ],
    "reach": [],
    "time_to_action": [("requests", ["actioned", "rejected", "censored"])],
    "summary": [("requests", ["requests_actioned", "requests_rejected", "requests_pending"])],
}
SHAPES: dict[str, tuple[str, list[str], list[list[str]]]] = {
    # name: (kind, count columns, margins: lists of key columns whose groups' sums are published)
    "compliance_platform": ("compliance", COMPLIANCE_COUNTS, [[]]),
    "compliance_group_platform": ("compliance", COMPLIANCE_COUNTS, [[], ["group"], ["platform"]]),
    "reach_group": ("reach", ["cases", "accounts", "accounts_missing_followers"], [[]]),
    "reach_platform": ("reach", ["cases", "accounts", "accounts_missing_followers"], [[]]),
    "trend_month": ("trend", [*COMPLIANCE_COUNTS, "actioned"], [[]]),
    "trend_month_platform": ("trend", [*COMPLIANCE_COUNTS, "actioned"], [[], ["platform"], ["period"]]),
    "time_to_action_platform": ("time_to_action", ["requests", "actioned", "rejected", "censored"], [[]]),
    "summary": ("summary", ["requests", "requests_actioned", "requests_rejected", "requests_pending"], []),
}


def lines_of(
    df: pl.DataFrame,
    relations: Iterable[tuple[str, Sequence[str]]],
    counts: Sequence[str],
    margins: Iterable[Sequence[str]],
) -> list[tuple[list[tuple[int, str]], tuple[int, str] | None]]:
    """Every published total of a table, found independently of the module."""
    out: list[tuple[list[tuple[int, str]], tuple[int, str] | None]] = []
    for total, parts in relations:
        if total in df.columns and all(p in df.columns for p in parts):
            out.extend(([(i, p) for p in parts], (i, total)) for i in range(df.height))
    for keys in margins:
        groups: dict[tuple[Any, ...], list[int]] = {}
        kv = {k: df[k].to_list() for k in keys}
        for i in range(df.height):
            groups.setdefault(tuple(kv[k][i] for k in keys), []).append(i)
        for rows in groups.values():
            if len(rows) >= 2:  # a one-cell margin is the cell itself, published in the coarser table
                out.extend(([(i, c) for i in rows], None) for c in counts)
    return out


def crosstab_lines(df: pl.DataFrame) -> list[tuple[list[tuple[int, str]], tuple[int, str] | None]]:
    cols = [c for c in df.columns if c not in ("group", "definition")]
    out: list[tuple[list[tuple[int, str]], tuple[int, str] | None]] = []
    if len(cols) >= 2:
        out += [([(i, c) for c in cols], None) for i in range(df.height)]
    if df.height >= 2:
        out += [([(i, c) for i in range(df.height)], None) for c in cols]
    return out


def hidden(out: pl.DataFrame, cell: tuple[int, str]) -> bool:
    return disclosure.is_suppressed(out[cell[1]][cell[0]])


def number(df: pl.DataFrame, cell: tuple[int, str]) -> float:
    v = df[cell[1]][cell[0]]
    return float(v or 0)


def attack(
    orig: pl.DataFrame, out: pl.DataFrame, lines: Sequence[tuple[list[tuple[int, str]], tuple[int, str] | None]]
) -> list[str]:
    """What a reader recovers by subtraction, and lines with exactly one hidden cell."""
    found = []
    for parts, total in lines:
        cells = parts + ([total] if total else [])
        hid = [c for c in cells if hidden(out, c)]
        if len(hid) == 1:
            found.append(f"line {cells} has exactly one hidden cell {hid[0]}")
        if total is not None and hidden(out, total):
            continue
        known = number(orig, total) if total else sum(number(orig, p) for p in parts)  # the published total
        rest = [p for p in parts if hidden(out, p)]
        if len(rest) == 1:
            shown = sum(float(out[p[1]][p[0]]) for p in parts if p not in rest)
            if known - shown == number(orig, rest[0]):
                found.append(f"{rest[0]} = {known} - {shown} recovered")
    return found


_P = (1 << 61) - 1  # exact with overwhelming probability for these small integer systems


def determined(hid: set[Any], lines: Sequence[tuple[list[Any], Any]]) -> list[Any]:
    """Hidden cells that some combination of the lines fixes (sparse Gauss-Jordan modulo a large
    prime)."""
    rows: list[dict[Any, int]] = []
    for parts, total in lines:
        r: dict[Any, int] = {}
        for p in parts:
            if p in hid:
                r[p] = r.get(p, 0) + 1
        if total is not None and total in hid:
            r[total] = r.get(total, 0) - 1
        rows.append({c: a % _P for c, a in r.items() if a % _P})
    pivots: dict[Any, dict[Any, int]] = {}
    for r in rows:
        for c in [c for c in r if c in pivots]:
            f = r.get(c, 0)
            if f:
                for d, b in pivots[c].items():
                    v = (r.get(d, 0) - f * b) % _P
                    if v:
                        r[d] = v
                    else:
                        r.pop(d, None)
        if not r:
            continue
        piv = min(r, key=repr)
        inv = pow(r[piv], _P - 2, _P)
        r = {c: a * inv % _P for c, a in r.items()}
        for q in pivots.values():
            f = q.get(piv, 0)
            if f:
                for d, b in r.items():
                    v = (q.get(d, 0) - f * b) % _P
                    if v:
                        q[d] = v
                    else:
                        q.pop(d, None)
        pivots[piv] = r
    return sorted((c for c, r in pivots.items() if len(r) == 1 and c in hid), key=repr)


def exposed_small(
    orig: pl.DataFrame,
    out: pl.DataFrame,
    lines: Sequence[tuple[list[tuple[int, str]], tuple[int, str] | None]],
    min_cell: int = 10,
    spec: TableSpec | None = None,
) -> list[tuple[int, str]]:
    """ "<10" cells that the lines fix exactly, other than those that the totals published elsewhere
    fix whatever the table shows (those are the publishing tables' business): fixed by the lines
    with every cell hidden, or (with ``spec``) pinned then by the module's interval reasoning, e.g.
    three "<3" cells in a column whose published total is 3."""
    small_total = [total is None and 0 < sum(number(orig, p) for p in parts) < min_cell for parts, total in lines]
    cells = {c for parts, total in lines for c in parts + ([total] if total else [])}
    hid = {c for c in cells if hidden(out, c)}
    small = {c for c in hid if str(out[c[1]][c[0]]).startswith("<")}
    found = set(_determined_open(hid, lines, small_total)) & small
    if found:
        everything = {c for c in cells if orig[c[1]][c[0]] is not None}
        found -= set(_determined_open(everything, lines, small_total))
    if found and spec is not None:
        t = disclosure._Table(orig, spec, min_cell)
        found -= set(disclosure._pinned(t, {c for c, v in t.values.items() if v is not None}, small))
    return sorted(found)


def _determined_open(
    hid: set[tuple[int, str]],
    lines: Sequence[tuple[list[tuple[int, str]], tuple[int, str] | None]],
    small_total: list[bool],
) -> list[tuple[int, str]]:
    """As determined(), with each small published total (it reads "<10" where it is published) an
    unknown of its own."""
    fixed: list[tuple[list[Any], Any]] = [
        ([*parts, ("open", k)], total) if small_total[k] else (list(parts), total)
        for k, (parts, total) in enumerate(lines)
    ]
    opened: set[Any] = {("open", k) for k in range(len(lines)) if small_total[k]}
    return [c for c in determined(hid | opened, fixed) if c[0] != "open"]


def relations(kind: str, unit: str = "requests", pending: str = "against") -> list[tuple[str, list[str]]]:
    """The row relations of a table kind under the compliance options (default success set)."""
    if kind not in ("compliance", "trend"):
        return ROW_RELATIONS[kind]
    unit = unit if kind == "compliance" else "requests"
    rel = [
        (unit, OUTCOMES),
        ("successes", ["removed", "restricted"]),
        ("denominator", [unit]) if pending == "against" else (unit, ["denominator", "pending"]),
        ("n", ["denominator"]),
    ]
    return rel + ([("actioned", ["removed", "restricted"])] if kind == "trend" else [])


def check_table(
    name: str,
    orig: pl.DataFrame,
    out: pl.DataFrame,
    min_cell: int,
    spec: TableSpec | None = None,
    unit: str = "requests",
    pending: str = "against",
) -> None:
    """Every guarantee on one table of the pack."""
    assert out.columns == orig.columns and out.height == orig.height
    if name.startswith("crosstab"):
        lines = crosstab_lines(orig)
        counts = [c for c in orig.columns if c not in ("group", "definition")]
        keys = ["group"]
    else:
        kind, counts, margins = SHAPES[name]
        if kind == "compliance":
            counts = [unit if c == "requests" else c for c in counts]
        lines = lines_of(orig, relations(kind, unit, pending), counts, margins)
        keys = [c for c in orig.columns if c not in counts and orig[c].dtype in (pl.String, pl.Date)]
    for k in [*keys, "definition"]:
        if k in orig.columns:
            assert_frame_equal(out.select(k), orig.select(k))
    if name == "crosstab_group_platform_rate":
        return
    assert attack(orig, out, lines) == []
    assert exposed_small(orig, out, lines, min_cell, spec or SPECS.get(name)) == []
    for c in counts:
        for i, (v, w) in enumerate(zip(orig[c].to_list(), out[c].to_list())):
            if v is not None and 0 < v < min_cell:
                assert w == f"<{min_cell}", (name, i, c, v, w)
            elif w == f"<{min_cell}":
                raise AssertionError(f"{name} row {i} {c}={v} shown as {w}")
            elif w != SUPPRESSED:
                assert str(w) == str(v)
    for c in orig.columns:
        if out[c].dtype != orig[c].dtype:
            assert out[c].dtype == pl.String and any(disclosure.is_suppressed(v) for v in out[c].to_list())


def check_derived(tables: dict[str, pl.DataFrame], out: dict[str, pl.DataFrame], unit: str = "requests") -> None:
    """Rates, bounds, shares, medians and running totals hide with their counts."""
    derived = {
        "compliance": (["rate", "ci_low", "ci_high"], ["successes", "denominator", "n"]),
        "trend": (["rate", "ci_low", "ci_high"], ["successes", "denominator", "n"]),
        "reach": (
            [
                "followers",
                "followers_actioned",
                "followers_live",
                "share_actioned",
                "median_followers",
                "top10_share",
                "followers_undeduplicated",
            ],
            ["accounts"],
        ),
        "time_to_action": (
            [
                c
                for c in out["time_to_action_platform"].columns
                if "_within_" in c or "median" in c or c.startswith(("rmst", "naive"))
            ],
            ["requests", "actioned", "rejected", "censored"],
        ),
    }
    for name, df in out.items():
        if name not in SHAPES or name == "summary":
            continue
        cols, sources = derived[SHAPES[name][0]]
        for i in range(df.height):
            if any(hidden(df, (i, s)) for s in sources):
                for c in cols:
                    assert df[c][i] == SUPPRESSED, (name, i, c)
    for name in ("trend_month", "trend_month_platform"):
        df = out[name]
        by = ["platform"] if "platform" in df.columns else []
        seen: dict[Any, set[str]] = {}
        for i in range(df.height):
            key = tuple(df[k][i] for k in by)
            for base, cum in (("requests", "cum_requests"), ("actioned", "cum_actioned")):
                if hidden(df, (i, base)):
                    seen.setdefault(key, set()).add(base)
                if base in seen.get(key, set()):
                    assert df[cum][i] == SUPPRESSED, (name, i, cum)
    # The crosstab and the compliance rows hold the same numbers: same fate.
    cx, cg = out["crosstab_group_platform_cases"], out["compliance_group_platform"]
    rx = out["crosstab_group_platform_rate"]
    row_of = {g: i for i, g in enumerate(cx["group"].to_list())}
    for j in range(cg.height):
        g, p = cg["group"][j], cg["platform"][j]
        i = row_of[g]
        if unit == "requests":
            assert hidden(cx, (i, p)) == hidden(cg, (j, "requests")), (g, p)
        if cg["rate"][j] == SUPPRESSED or hidden(cx, (i, p)):
            assert rx[p][i] == SUPPRESSED
        elif rx[p][i] is not None:
            assert float(rx[p][i]) == pytest.approx(float(tables["crosstab_group_platform_rate"][p][i]))


def check_pack(
    tables: dict[str, pl.DataFrame], min_cell: int, unit: str = "requests", pending: str = "against"
) -> dict[str, pl.DataFrame]:
    """apply() on a whole pack, and every guarantee on every table."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", disclosure.DisclosureWarning)
        out = apply(tables, min_cell)
    assert list(out) == list(tables)
    for name in [*SHAPES, "crosstab_group_platform_cases", "crosstab_group_platform_rate"]:
        check_table(name, tables[name], out[name], min_cell, None, unit, pending)
    check_derived(tables, out, unit)
    return out


def run_pack(rec: pl.DataFrame, months: int, min_cell: int) -> tuple[dict[str, pl.DataFrame], dict[str, pl.DataFrame]]:
    tables = pack(rec, months)
    out = check_pack(tables, min_cell)
    assert out["rejects"] is tables["rejects"]
    return tables, out


# --- exact outputs on hand-made tables ---------------------------------------------------------


def with_requests(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns(pl.sum_horizontal(OUTCOMES).alias("requests")).select("platform", "requests", *OUTCOMES)


def comp_table(removed: list[int], restricted: list[int], rejected: list[int], pending: list[int]) -> pl.DataFrame:
    """A compliance table by platform (default definition) from its outcome counts."""
    df = pl.DataFrame(
        {
            "platform": ["facebook", "telegram", "x", "tiktok", "whatsapp"][: len(removed)],
            "removed": removed,
            "restricted": restricted,
            "rejected": rejected,
            "pending": pending,
        }
    )
    return _rates(with_requests(df))


def three_platforms() -> pl.DataFrame:
    return comp_table([60, 40, 25], [20, 15, 11], [3, 12, 14], [17, 13, 0])


def test_three_platforms_one_small_rejected() -> None:
    # Row facebook: rejected 3 is primary; the row total would give it away, so the smallest other
    # non-zero part of the row (pending 17) goes too. Column rejected: total 29 published, so the
    # smallest other non-zero cell (telegram 12) goes; column pending likewise (telegram 13).
    # Telegram's row then has two hidden cells. Nothing else: successes, denominator and the rates
    # do not depend on rejected or pending under the default definition.
    df = three_platforms()
    lines = lines_of(df, relations("compliance"), COMPLIANCE_COUNTS, [[]])
    primary_only = df.with_columns(rejected=pl.Series(["<10", "12", "14"]))
    assert "(0, 'rejected') = 100.0 - 97.0 recovered" in attack(df, primary_only, lines)  # the attack works
    out = suppress(df, COMPLIANCE_SPEC)
    assert attack(df, out, lines) == []
    assert out.select("platform", "rejected", "pending").rows() == [
        ("facebook", "<10", SUPPRESSED),
        ("telegram", SUPPRESSED, SUPPRESSED),
        ("x", "14", "0"),
    ]
    assert out["removed"].to_list() == [60, 40, 25] and out["rate"].dtype == pl.Float64
    assert out["requests"].dtype == pl.Int64 and out["definition"].to_list() == df["definition"].to_list()


def test_small_success_hides_the_rate() -> None:
    df = comp_table([60, 40, 2], [20, 15, 4], [13, 12, 44], [17, 13, 0])
    out = suppress(df, COMPLIANCE_SPEC)
    x = out.row(2, named=True)
    assert (x["removed"], x["restricted"], x["successes"]) == ("<10", "<10", "<10")
    assert (x["rate"], x["ci_low"], x["ci_high"]) == (SUPPRESSED,) * 3
    # The other rows keep their rates where their successes stay shown.
    shown = [i for i in range(3) if not disclosure.is_suppressed(out["successes"][i])]
    for i in shown:
        assert float(out["rate"][i]) == pytest.approx(df["rate"][i])


def test_zero_is_shown_and_null_stays_null() -> None:
    df = pl.DataFrame({"k": ["a", "b", "c"], "x": [0, None, 40], "y": [5, 7, 30]})
    out = suppress(df, TableSpec(counts=["x", "y"], key_columns=["k"]))
    assert out.rows() == [("a", 0, "<10"), ("b", None, "<10"), ("c", 40, "30")]


def test_only_zeros_left_hides_the_total() -> None:
    # removed 4 is the whole of requests: nothing non-zero to hide beside it, so the total goes.
    df = pl.DataFrame({"k": ["a"], "requests": [4], "removed": [4], "rejected": [0]})
    spec = TableSpec(counts=["requests", "removed", "rejected"], row_lines=[("requests", ["removed", "rejected"])])
    assert suppress(df, spec).rows() == [("a", "<10", "<10", 0)]
    # With a total published elsewhere and only zeros beside the small cell, a zero is hidden.
    df = pl.DataFrame({"k": ["a", "b", "c"], "rejected": [3, 0, 0]})
    out = suppress(df, TableSpec(counts=["rejected"], column_totals=True, key_columns=["k"]))
    assert out["rejected"].to_list() == ["<10", SUPPRESSED, "0"]


def test_crosstab_exact() -> None:
    df = pl.DataFrame(
        {
            "group": ["BLA", "BLF", "TTP"],
            "facebook": [40, 2, 30],
            "telegram": [25, 33, 12],
            "x": [50, 60, 70],
            "definition": ["cell = cases"] * 3,
        }
    )
    out = suppress(df, SPECS["crosstab_group_platform_cases"])
    # BLF facebook 2 is primary; its row's smallest other (telegram 33) and its column's (TTP 30)
    # go; then telegram's column needs a second one (TTP 12), and TTP's row has two.
    assert out.drop("definition").rows() == [
        ("BLA", "40", "25", 50),
        ("BLF", "<10", SUPPRESSED, 60),
        ("TTP", SUPPRESSED, SUPPRESSED, 70),
    ]
    assert exposed_small(df, out, crosstab_lines(df)) == [] and attack(df, out, crosstab_lines(df)) == []


def test_pinned_by_the_range_of_small_cells() -> None:
    # Two cells of 1 under a published total of 72: each is "<10", so 1..9, and they add up to
    # 72 - 40 - 30 = 2: both must be 1. A third cell is hidden so the sum is no longer pinned.
    df = pl.DataFrame({"k": ["a", "b", "c", "d"], "x": [1, 1, 40, 30]})
    out = suppress(df, TableSpec(counts=["x"], column_totals=True, key_columns=["k"]))
    assert out["x"].to_list() == ["<10", "<10", "40", SUPPRESSED]


def test_linear_combination_is_blocked() -> None:
    # Two 2x2 blocks of small cells joined by one small cell (row 1, c2): every row and column
    # has at least two hidden cells, yet rows 0 + 1 minus columns c0 + c1 give the joining cell.
    df = pl.DataFrame(
        {"group": list("abcd"), "c0": [1, 3, 80, 55], "c1": [2, 4, 90, 65], "c2": [50, 5, 6, 8], "c3": [60, 70, 7, 9]}
    )
    lines = crosstab_lines(df)
    primary_only = df.with_columns(
        pl.when(pl.col(c) < 10).then(pl.lit("<10")).otherwise(pl.col(c).cast(pl.String)).alias(c)
        for c in ["c0", "c1", "c2", "c3"]
    )
    assert attack(df, primary_only, lines) == [] and exposed_small(df, primary_only, lines) == [(1, "c2")]
    out = suppress(df, SPECS["crosstab_group_platform_cases"])
    assert attack(df, out, lines) == [] and exposed_small(df, out, lines) == []
    assert sum(v == SUPPRESSED for c in ["c0", "c1", "c2", "c3"] for v in out[c].to_list()) >= 1


def test_cumulative_hides_from_the_first_hidden_period_on() -> None:
    month = [pl.lit(k, dtype=pl.Int64).alias("month") for k in (0, 1, 2)]
    rec = pl.concat(
        [
            records(30, seed=3, months=1).with_columns(month[0]),
            records(4, seed=4, months=1).with_columns(month[1]),
            records(30, seed=5, months=1).with_columns(month[2]),
        ]
    )
    df = trend(rec, 3, [])
    out = suppress(df, SPECS["trend_month"])
    first = next(i for i in range(df.height) if hidden(out, (i, "requests")))
    assert all(out["cum_requests"][i] == SUPPRESSED for i in range(first, df.height))
    assert all(out["cum_requests"][i] == str(df["cum_requests"][i]) for i in range(first))


def test_reach_hides_followers_of_few_accounts() -> None:
    df = pl.DataFrame(
        {
            "group": ["BLA", "BLF", "TTP"],
            "cases": [300, 12, 200],
            "accounts": [250, 6, 180],
            "followers": [90000, 800, 70000],
            "share_actioned": [0.5, 0.25, 0.75],
            "definition": ["d"] * 3,
        }
    )
    out = suppress(df, SPECS["reach_group"])
    assert out.drop("definition").rows() == [
        ("BLA", 300, "250", "90000", "0.5"),
        ("BLF", 12, "<10", SUPPRESSED, SUPPRESSED),
        ("TTP", 200, SUPPRESSED, SUPPRESSED, SUPPRESSED),
    ]


def test_suppress_like_and_rate_crosstab() -> None:
    counts = pl.DataFrame({"group": ["A", "B"], "x": [3, 40], "y": [50, 60], "z": [70, 0]})
    rates = pl.DataFrame(
        {"group": ["A", "B"], "x": [1.0, 0.5], "y": [0.2, 0.3], "z": [0.4, None], "definition": ["r", "r"]}
    )
    hid = suppress(counts, SPECS["crosstab_group_platform_cases"])
    assert hid.rows() == [("A", "<10", SUPPRESSED, 70), ("B", SUPPRESSED, SUPPRESSED, 0)]
    out = suppress_like(rates, hid)
    assert out.rows() == [("A", SUPPRESSED, SUPPRESSED, 0.4, "r"), ("B", SUPPRESSED, SUPPRESSED, None, "r")]
    with pytest.raises(ValueError, match="suppress_like"):
        suppress(rates, SPECS["crosstab_group_platform_rate"])
    # Rows or columns the counts table lacks are hidden whole (fail closed).
    more = pl.DataFrame({"group": ["A", "C"], "x": [0.1, 0.2], "z": [0.3, 0.4]})
    more = more.with_columns(w=pl.lit(0.5))
    assert suppress_like(more, hid).rows() == [
        ("A", SUPPRESSED, "0.3", SUPPRESSED),
        ("C", SUPPRESSED, SUPPRESSED, SUPPRESSED),
    ]


def test_nothing_to_hide_keeps_the_frame() -> None:
    df = comp_table([60, 40, 25], [20, 15, 11], [30, 12, 14], [17, 13, 0])
    assert_frame_equal(suppress(df, COMPLIANCE_SPEC), df)
    assert_frame_equal(suppress(three_platforms(), COMPLIANCE_SPEC, min_cell=1), three_platforms())


def test_spec_errors() -> None:
    with pytest.raises(ValueError, match="not one of the counts"):
        TableSpec(counts=["a"], row_lines=[("a", ["b"])])
    with pytest.raises(ValueError, match="min_cell"):
        suppress(three_platforms(), COMPLIANCE_SPEC, min_cell=-1)
    with pytest.raises(TypeError, match="already suppressed"):
        suppress(suppress(three_platforms(), COMPLIANCE_SPEC), COMPLIANCE_SPEC)


def test_unknown_numeric_column_is_treated_as_derived() -> None:
    df = pl.DataFrame({"k": ["a", "b", "c"], "x": [3, 40, 50], "mystery": [0.1, 0.2, 0.3]})
    out = suppress(df, TableSpec(counts=["x"], column_totals=True, key_columns=["k"]))
    assert out["mystery"].to_list() == [SUPPRESSED, SUPPRESSED, "0.3"]


def test_summary_line() -> None:
    df = summary(records(400, seed=1)).with_columns(
        requests_rejected=pl.lit(3),
        requests_pending=pl.lit(97),
        requests_actioned=pl.lit(300),
        requests=pl.lit(400),
        rows=pl.lit(400),
    )
    out = suppress(df, SPECS["summary"])
    assert (out["requests_rejected"][0], out["requests_pending"][0]) == ("<10", SUPPRESSED)
    assert out["rate"][0] != SUPPRESSED  # actioned / requests do not involve pending (pending "against")
    assert out["platforms"].to_list() == df["platforms"].to_list()


def test_apply_links_tables_and_passes_unknown() -> None:
    rec = records(150, seed=11)
    tables, out = run_pack(rec, 4, 10)
    assert out["rejects"] is tables["rejects"]
    # The same count in two tables is hidden in both.
    one = pack(records(80, seed=5, platforms=1), 4)
    res = apply({k: one[k] for k in ("summary", "compliance_platform")}, 10)
    s, c = res["summary"], res["compliance_platform"]
    for a, b in (("requests_rejected", "rejected"), ("requests_pending", "pending")):
        if one["summary"][a][0] == one["compliance_platform"][b][0]:
            assert hidden(s, (0, a)) == hidden(c, (0, b))


def test_empty_and_null_keys() -> None:
    empty = three_platforms().head(0)
    assert_frame_equal(suppress(empty, SPECS["compliance_platform"]), empty)
    df = pl.DataFrame({"group": ["A", None, "B"], "platform": ["x", "x", "y"], "cases": [30, 4, 50]})
    out = suppress(df, TableSpec(counts=["cases"], column_totals=True, key_columns=["group", "platform"]))
    assert out["group"].to_list() == ["A", None, "B"] and out["cases"].to_list() == [SUPPRESSED, "<10", "50"]


def test_rate_crosstab_needs_its_tables() -> None:
    tables = pack(records(120, seed=2), 4)
    with pytest.raises(ValueError, match="crosstab_group_platform_cases"):
        apply({"crosstab_group_platform_rate": tables["crosstab_group_platform_rate"]}, 10)
    with pytest.raises(ValueError, match="compliance_group_platform"):
        apply({k: tables[k] for k in ("crosstab_group_platform_rate", "crosstab_group_platform_cases")}, 10)


def test_describe() -> None:
    text = describe(10)
    assert '"<10"' in text and '"suppressed"' in text and "1 to 9" in text and "zero" in text
    assert "does not solve every combination" in text and "\n" not in text
    assert "no count is suppressed" in describe(0)


# --- the attacker on the pack's shapes and on random tables ------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_pack_shapes(seed: int) -> None:
    months = 3 + seed % 3
    rec = records(40 + 60 * seed, seed=seed, groups=2 + seed % 3, platforms=2 + seed % 4, months=months)
    run_pack(rec, months, 10)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(1, 250),
    seed=st.integers(0, 10**6),
    groups=st.integers(1, 4),
    platforms=st.integers(1, 5),
    months=st.integers(1, 5),
    min_cell=st.sampled_from([3, 5, 10, 20]),
)
def test_pack_random(n: int, seed: int, groups: int, platforms: int, months: int, min_cell: int) -> None:
    run_pack(records(n, seed, groups=groups, platforms=platforms, months=months), months, min_cell)


counts_st = st.one_of(st.integers(0, 12), st.integers(0, 200))


@st.composite
def compliance_tables(draw: st.DrawFn) -> pl.DataFrame:
    h = draw(st.integers(1, 8))
    cols = {o: draw(st.lists(counts_st, min_size=h, max_size=h)) for o in OUTCOMES}
    return _rates(with_requests(pl.DataFrame({"platform": [f"p{i}" for i in range(h)], **cols})))


@settings(max_examples=150, deadline=None)
@given(df=compliance_tables(), min_cell=st.sampled_from([2, 5, 10]))
def test_random_compliance_tables(df: pl.DataFrame, min_cell: int) -> None:
    for spec in (COMPLIANCE_SPEC, SPECS["compliance_platform"]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", disclosure.DisclosureWarning)
            out = suppress(df, spec, min_cell)
        check_table("compliance_platform", df, out, min_cell, spec)
        for i in range(df.height):
            if any(hidden(out, (i, c)) for c in ("successes", "denominator", "n")):
                assert out["rate"][i] == SUPPRESSED


@st.composite
def crosstabs(draw: st.DrawFn) -> pl.DataFrame:
    h, w = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    cols = {f"c{j}": draw(st.lists(counts_st, min_size=h, max_size=h)) for j in range(w)}
    return pl.DataFrame({"group": [f"g{i}" for i in range(h)], **cols, "definition": ["d"] * h})


@settings(max_examples=150, deadline=None)
@given(df=crosstabs(), min_cell=st.sampled_from([2, 5, 10]))
def test_random_crosstabs(df: pl.DataFrame, min_cell: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", disclosure.DisclosureWarning)
        out = suppress(df, SPECS["crosstab_group_platform_cases"], min_cell)
    check_table("crosstab_group_platform_cases", df, out, min_cell)


@settings(max_examples=60, deadline=None)
@given(h=st.integers(2, 6), w=st.integers(2, 5), seed=st.integers(0, 10**6))
def test_random_two_way_margins(h: int, w: int, seed: int) -> None:
    """A long group x platform table with both margins published, like compliance_group_platform."""
    rng = random.Random(seed)
    sizes = [0, 1, 2, 5, 9, 12, 40, 100]
    rows = [(f"g{i}", f"p{j}", rng.choice(sizes)) for i, j in itertools.product(range(h), range(w))]
    rows = [r for r in rows if rng.random() < 0.85]
    df = pl.DataFrame(rows, schema={"group": pl.String, "platform": pl.String, "cases": pl.Int64}, orient="row")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", disclosure.DisclosureWarning)
        out = suppress(df, TableSpec(counts=["cases"], column_totals=True, key_columns=["group", "platform"]))
    lines = lines_of(df, [], ["cases"], [[], ["group"], ["platform"]])
    assert attack(df, out, lines) == [] and exposed_small(df, out, lines) == []


# --- the library's own tables ------------------------------------------------------------------


def library_pack(cases: Any, **o: Any) -> dict[str, pl.DataFrame]:
    """The report pack's tables as the library makes them (as ``report.tables`` lists them)."""
    return {
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


SUBSETS: dict[str, dict[str, Any]] = {
    "all": {},
    "two platforms": {"platform": ["telegram", "whatsapp"]},
    "one month": {"start": date(2025, 6, 1), "end": date(2025, 6, 30)},
    "one platform, one group": {"platform": ["x"], "group": ["BLF"]},
}


@pytest.mark.parametrize("subset", list(SUBSETS))
@pytest.mark.parametrize(
    "options", [{}, {"pending": "exclude"}, {"unit": "account"}], ids=["default", "pending-exclude", "accounts"]
)
def test_library_pack(sample: Any, subset: str, options: dict[str, Any]) -> None:
    cases = sample.filter(**SUBSETS[subset]) if SUBSETS[subset] else sample
    tables = library_pack(cases, **options)
    unit = "accounts" if options.get("unit") == "account" else "requests"
    out = check_pack(tables, 10, unit=unit, pending=options.get("pending", "against"))
    if subset != "all":
        assert any(disclosure.is_suppressed(v) for df in out.values() for c in df.columns for v in df[c].to_list())
