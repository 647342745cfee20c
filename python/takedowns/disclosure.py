"""Small-cell suppression for exported tables, with complementary suppression.

Transparency reports show small counts as ``<10``. This module does that for the memo pack's
tables, and does it properly: hiding a small count is useless if the reader can get it back by
subtracting the other cells of a published total from that total, so more cells are hidden
until no total gives a hidden count away.

- **Primary suppression**: a count cell with ``0 < value < min_cell`` is shown as ``"<10"``
  (for ``min_cell=10``). A zero is shown: a zero cell is a published fact.
- **Complementary suppression**: a *line* is a set of cells whose total is published (a row
  relation such as requests = removed + restricted + rejected + pending, or a column whose sum
  over the rows is published in another table). Whenever a line has exactly one hidden cell,
  the smallest other non-zero cell of the line is hidden too (if only zeros are left, the line's
  total if it is in the table, else a zero cell), until no line has exactly one hidden cell.
  Then two stronger checks run, and each cell they flag gets one more complementary cell from
  the lines that flag it: no ``"<10"`` cell may be fixed by a linear combination of the lines,
  nor pinned to one value by the lines together with what the reader knows of the hidden
  cells (a ``"<10"`` is 1 to 9, a ``"suppressed"`` cell at least 1). Complementary cells are
  shown as ``"suppressed"``.
- **Derived figures** (rates, interval bounds, shares, medians, running totals) are shown as
  ``"suppressed"`` wherever a count they come from is hidden.

The attacker model: the reader knows every published total, a row's total when it is shown and
each column's (or margin's) total over the rows, which other tables publish; a total under the
threshold reads ``"<10"`` where it is published, so it is known as 1 to 9 only. A ``"<10"`` cell
that those outside totals give away whatever this table shows (e.g. a one-row margin that is
the grand total less the other margins) is left to the tables that publish them: :func:`apply`
suppresses those too, :func:`suppress` alone warns (:class:`DisclosureWarning`).

Null count cells stay null, key (label) columns and ``definition`` are never touched. Affected
columns become ``pl.String``; untouched columns keep their dtype.

>>> import polars as pl
>>> from takedowns import disclosure
>>> df = pl.DataFrame({"platform": ["a", "b", "c"], "requests": [40, 25, 7]})
>>> spec = disclosure.TableSpec(counts=["requests"], column_totals=True, key_columns=["platform"])
>>> disclosure.suppress(df, spec)  # the total, 72, is published: 7 = 72 - 40 - 25
shape: (3, 2)
┌──────────┬────────────┐
│ platform ┆ requests   │
│ ---      ┆ ---        │
│ str      ┆ str        │
╞══════════╪════════════╡
│ a        ┆ 40         │
│ b        ┆ suppressed │
│ c        ┆ <10        │
└──────────┴────────────┘
"""

from __future__ import annotations

import fnmatch
import itertools
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, get_args

import polars as pl

from takedowns._typing import Every, Status

__all__ = [
    "SPECS",
    "SUPPRESSED",
    "DisclosureWarning",
    "TableSpec",
    "apply",
    "describe",
    "is_suppressed",
    "primary_text",
    "suppress",
    "suppress_like",
]

#: The text of a complementary or derived suppressed cell.
SUPPRESSED = "suppressed"
#: The column every table carries with its definition; never touched.
DEFINITION = "definition"

Cell = tuple[int, str]
_INF = float("inf")
# Rounds of interval propagation per check (each round tightens some bound or stops).
_MAX_ROUNDS = 60


class DisclosureWarning(UserWarning):
    """A small cell that hiding more of its own table cannot protect (see :func:`suppress`)."""


def primary_text(min_cell: int) -> str:
    """The text of a primary suppressed cell: ``"<10"`` for ``min_cell=10``.

    Examples
    --------
    >>> primary_text(10)
    '<10'
    """
    return f"<{min_cell}"


def is_suppressed(value: Any) -> bool:
    """Whether an exported cell is a suppressed one (``"<10"``-style or ``"suppressed"``).

    Examples
    --------
    >>> [is_suppressed(v) for v in ["<10", "suppressed", "12", 12, None]]
    [True, True, False, False, False]
    """
    return isinstance(value, str) and (value == SUPPRESSED or value.startswith("<"))


def _tuple(v: Iterable[str]) -> tuple[str, ...]:
    if isinstance(v, str):
        return (v,)
    return tuple(v)


@dataclass(frozen=True)
class TableSpec:
    """What is published about a table, so that :func:`suppress` knows what to protect.

    Parameters
    ----------
    counts
        Columns of count cells (primary suppression applies to these).
    row_lines
        ``(total, [components])`` relations that hold within every row by definition, e.g.
        ``("requests", ["removed", "restricted", "rejected", "pending"])``. One whose columns
        are not all in the table is skipped; one that fails in a row raises ``ValueError`` (the
        spec does not describe the table).
    alternatives
        Groups of relations of which the table's options make one hold, e.g. the denominator is
        all requests or requests less pending: ``[[("denominator", ["requests"]),
        ("requests", ["denominator", "pending"])]]``. From each group the first relation that
        holds in every row is used (the others may hold by coincidence, e.g. when every pending
        count is 0, and are not a reader's knowledge).
    column_totals
        Whether each count column's sums over the rows are published elsewhere. Then every
        column is a line, and so is each margin: the rows that share the values of any proper
        subset of the key columns (e.g. in a group x platform table, each group's rows and each
        platform's rows).
    derived
        Derived column (``fnmatch`` patterns allowed) -> the count columns of the same row it
        comes from. A numeric column that is neither a key, a count, derived nor cumulative is
        treated as derived from all the row's counts (fail closed).
    key_columns
        Label columns: never touched, they define the margins. Other text and date columns are
        keys too.
    crosstab
        A wide crosstab: every non-key numeric column is a count, and both its row totals and
        its column totals (and the grand total) are published.
    cumulative
        Running-total column -> the count column it adds up, within the rows that share the key
        columns other than ``period_columns``, in the order of ``period_columns[0]``.
    period_columns
        The key columns that step through time in a table with running totals.
    like
        For a table of rates laid out like a counts table (a rate crosstab): the name of the
        counts table whose suppressed cells it copies; see :func:`suppress_like`.

    Examples
    --------
    >>> spec = TableSpec(counts=["requests", "removed", "rejected"],
    ...                  row_lines=[("requests", ["removed", "rejected"])],
    ...                  derived={"rate": ["removed", "requests"]}, key_columns=["platform"])
    >>> spec.row_lines
    (('requests', ('removed', 'rejected')),)
    """

    counts: Sequence[str] = ()
    row_lines: Sequence[tuple[str, Sequence[str]]] = ()
    alternatives: Sequence[Sequence[tuple[str, Sequence[str]]]] = ()
    column_totals: bool = False
    derived: Mapping[str, Sequence[str]] = field(default_factory=dict)
    key_columns: Sequence[str] = ()
    crosstab: bool = False
    cumulative: Mapping[str, str] = field(default_factory=dict)
    period_columns: Sequence[str] = ()
    like: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "counts", _tuple(self.counts))
        object.__setattr__(self, "row_lines", tuple((t, _tuple(c)) for t, c in self.row_lines))
        object.__setattr__(self, "alternatives", tuple(tuple((t, _tuple(c)) for t, c in g) for g in self.alternatives))
        object.__setattr__(self, "derived", {k: _tuple(v) for k, v in self.derived.items()})
        object.__setattr__(self, "key_columns", _tuple(self.key_columns))
        object.__setattr__(self, "cumulative", dict(self.cumulative))
        object.__setattr__(self, "period_columns", _tuple(self.period_columns))
        for total, parts in (*self.row_lines, *(line for g in self.alternatives for line in g)):
            for c in (total, *parts):
                if c not in self.counts:
                    raise ValueError(f"row line {total} = {' + '.join(parts)}: `{c}` is not one of the counts")


# --- the pack's tables ------------------------------------------------------------------------

_OUTCOMES: tuple[str, ...] = get_args(Status)  # the outcome columns, in their canonical order
_DECIDED = tuple(o for o in _OUTCOMES if o != "pending")
_COMPLIANCE_COUNTS = (
    "requests",
    "accounts",
    "removed",
    "restricted",
    "rejected",
    "pending",
    "successes",
    "denominator",
    "n",
    "missing_weight",
)
_Lines = tuple[tuple[str, tuple[str, ...]], ...]
# The unit is requests or accounts: whichever column the table has.
_COMPLIANCE_LINES: _Lines = (("requests", _OUTCOMES), ("accounts", _OUTCOMES))
# What the options decide: the success set (any non-empty set of decided outcomes, the default
# first), the pending rule (denominator = all units, or all but pending) and the weights (n = the
# denominator, or with follower weights the units with a follower count).
_COMPLIANCE_ALTERNATIVES: tuple[_Lines, ...] = (
    tuple(("successes", s) for r in (2, 1, 3) for s in itertools.combinations(_DECIDED, r)),
    (
        ("denominator", ("requests",)),
        ("denominator", ("accounts",)),
        ("requests", ("denominator", "pending")),
        ("accounts", ("denominator", "pending")),
    ),
    (("n", ("denominator",)), ("requests", ("n", "missing_weight")), ("accounts", ("n", "missing_weight"))),
)
_RATES = {
    "rate": ("successes", "denominator", "n"),
    "ci_low": ("successes", "denominator", "n"),
    "ci_high": ("successes", "denominator", "n"),
    "low_n": ("n",),
}
_REACH_DERIVED = {
    c: ("accounts",)
    for c in (
        "followers",
        "followers_actioned",
        "followers_live",
        "share_actioned",
        "median_followers",
        "top10_share",
        "followers_undeduplicated",
    )
}
_TTA_COUNTS = ("requests", "actioned", "rejected", "censored")
_TTA_DERIVED = {
    c: _TTA_COUNTS
    for c in (
        "median_days",
        "median_ci_low",
        "median_ci_high",
        "actioned_within_*",
        "decided_within_*",
        "rejected_within_*",
        "rmst_*",
        "naive_*",
    )
}


def _compliance(keys: Sequence[str]) -> TableSpec:
    return TableSpec(
        counts=_COMPLIANCE_COUNTS,
        row_lines=_COMPLIANCE_LINES,
        alternatives=_COMPLIANCE_ALTERNATIVES,
        column_totals=True,
        derived=_RATES,
        key_columns=keys,
    )


def _reach(keys: Sequence[str]) -> TableSpec:
    return TableSpec(
        counts=("cases", "accounts", "accounts_missing_followers"),
        column_totals=True,
        derived=_REACH_DERIVED,
        key_columns=keys,
    )


def _trend(keys: Sequence[str]) -> TableSpec:
    return TableSpec(
        counts=(*_COMPLIANCE_COUNTS, "actioned"),
        row_lines=(*_COMPLIANCE_LINES, ("actioned", ("removed", "restricted"))),
        alternatives=_COMPLIANCE_ALTERNATIVES,
        column_totals=True,
        derived=_RATES,
        key_columns=(*keys, "period", "period_label"),
        cumulative={"cum_requests": "requests", "cum_actioned": "actioned"},
        period_columns=("period", "period_label"),
    )


_SUMMARY_RATE = ("requests_actioned", "requests")
_SUMMARY_ACCOUNTS = ("accounts_actioned", "accounts")

#: The memo pack's tables by file stem. ``rejects`` (row-level data) is not here: never suppressed.
SPECS: dict[str, TableSpec] = {
    "summary": TableSpec(
        counts=(
            "rows",
            "requests",
            "accounts",
            "accounts_actioned",
            "requests_actioned",
            "requests_rejected",
            "requests_pending",
        ),
        # requests = actioned + rejected + pending holds by definition: without it, a small
        # requests_rejected would be one subtraction away.
        row_lines=(("requests", ("requests_actioned", "requests_rejected", "requests_pending")),),
        alternatives=((("requests", ("rows",)),),),
        derived={
            "rate": _SUMMARY_RATE,
            "ci_low": _SUMMARY_RATE,
            "ci_high": _SUMMARY_RATE,
            "account_rate": _SUMMARY_ACCOUNTS,
            "account_ci_low": _SUMMARY_ACCOUNTS,
            "account_ci_high": _SUMMARY_ACCOUNTS,
            "followers": ("accounts",),
        },
        key_columns=("n_platforms", "platforms", "n_groups", "groups", "agencies", "first_reported", "last_reported"),
    ),
    "compliance_platform": _compliance(("platform",)),
    "compliance_group_platform": _compliance(("group", "platform")),
    "reach_group": _reach(("group",)),
    "reach_platform": _reach(("platform",)),
    **{f"trend_{e.replace('-', '_')}": _trend(()) for e in get_args(Every)},
    **{f"trend_{e.replace('-', '_')}_platform": _trend(("platform",)) for e in get_args(Every)},
    "crosstab_group_platform_cases": TableSpec(crosstab=True, key_columns=("group",)),
    "crosstab_group_platform_rate": TableSpec(
        crosstab=True, key_columns=("group",), like="crosstab_group_platform_cases"
    ),
    "time_to_action_platform": TableSpec(
        counts=_TTA_COUNTS,
        row_lines=(("requests", ("actioned", "rejected", "censored")),),
        column_totals=True,
        derived=_TTA_DERIVED,
        key_columns=("platform",),
    ),
}


# --- the table as cells and lines -------------------------------------------------------------


class _Line:
    """``sum(parts) - total = 0`` (total a cell of the table), or ``sum(parts) = known`` (total
    published elsewhere). A total published elsewhere that is itself under the threshold is
    ``open``: where it is published it reads ``"<10"``, so a reader knows it only as 1 to 9."""

    __slots__ = ("cells", "known", "open", "parts", "total")

    def __init__(self, total: Cell | None, parts: tuple[Cell, ...], known: float, open_: bool) -> None:
        self.total = total
        self.parts = parts
        self.known = known
        self.open = open_
        self.cells: tuple[Cell, ...] = parts if total is None else (*parts, total)


def _is_numeric(dtype: pl.DataType) -> bool:
    return dtype.is_numeric() or dtype == pl.Boolean


def _num(v: Any) -> float | None:
    if v is None or isinstance(v, str):
        return None
    if isinstance(v, bool):
        return float(v)
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


class _Table:
    """A frame seen as cells, lines and derivations under a spec."""

    def __init__(self, df: pl.DataFrame, spec: TableSpec, min_cell: int) -> None:
        self.df = df
        self.min_cell = min_cell
        self.spec = spec
        cols = df.columns
        self.pos = {c: i for i, c in enumerate(cols)}
        schema = df.schema
        declared_keys = [c for c in spec.key_columns if c in self.pos]
        if spec.crosstab:
            self.counts = [c for c in cols if c not in declared_keys and c != DEFINITION and _is_numeric(schema[c])]
        else:
            self.counts = [c for c in spec.counts if c in self.pos]
        for c in self.counts:
            if not _is_numeric(schema[c]):
                raise TypeError(f"count column `{c}` is {schema[c]}, not numeric: is the table already suppressed?")
        counted = set(self.counts)
        self.cumulative = {c: b for c, b in spec.cumulative.items() if c in self.pos and b in counted}
        # Derived columns: declared (patterns allowed), else any other numeric column (fail closed).
        self.derived: dict[str, tuple[str, ...]] = {}
        self.keys = list(declared_keys)
        for c in cols:
            if c in counted or c == DEFINITION or c in declared_keys or c in self.cumulative:
                continue
            sources = next((s for pat, s in spec.derived.items() if fnmatch.fnmatchcase(c, pat)), None)
            if sources is not None:
                present = tuple(s for s in sources if s in counted)
                self.derived[c] = present if present else tuple(self.counts)
            elif _is_numeric(schema[c]):
                self.derived[c] = tuple(self.counts)
            else:
                self.keys.append(c)
        self.height = df.height
        self.values: dict[Cell, float | None] = {}
        for c in self.counts:
            for i, v in enumerate(df.get_column(c).to_list()):
                self.values[(i, c)] = _num(v)
        self.lines = self._lines()
        self.inherent: set[Cell] | None = None  # cache of _plan
        self.by_cell: dict[Cell, list[_Line]] = {}
        for line in self.lines:
            for cell in line.cells:
                self.by_cell.setdefault(cell, []).append(line)

    def order(self, cell: Cell) -> tuple[int, int]:
        return (cell[0], self.pos[cell[1]])

    def _lines(self) -> list[_Line]:
        out: list[_Line] = []
        seen: set[tuple[Cell | None, frozenset[Cell]]] = set()

        def add(total: Cell | None, parts: list[Cell]) -> None:
            if total is None and len(parts) < 2:
                return  # the one cell is its own published total: nothing to protect it with
            sig = (total, frozenset(parts))
            if sig in seen or not parts:
                return
            seen.add(sig)
            known = 0.0 if total is not None else float(sum(self.values[p] or 0.0 for p in parts))
            out.append(_Line(total, tuple(parts), known, total is None and 0 < known < self.min_cell))

        counted = set(self.counts)
        chosen: list[tuple[str, tuple[str, ...]]] = []
        for total_col, part_cols in self.spec.row_lines:
            if total_col in counted and all(p in counted for p in part_cols):
                bad = self._fails(total_col, part_cols)
                if bad is not None:
                    raise ValueError(
                        f"{total_col} = {' + '.join(part_cols)} does not hold in row {bad}: the spec "
                        "does not describe this table"
                    )
                chosen.append((total_col, tuple(part_cols)))
        for group in self.spec.alternatives:
            for total_col, part_cols in group:
                if (
                    total_col in counted
                    and all(p in counted for p in part_cols)
                    and self.height
                    and self._fails(total_col, part_cols) is None
                ):
                    chosen.append((total_col, tuple(part_cols)))
                    break
        for total_col, part_cols in chosen:
            for i in range(self.height):
                if self.values[(i, total_col)] is not None and all(self.values[(i, p)] is not None for p in part_cols):
                    add((i, total_col), [(i, p) for p in part_cols])
        if self.spec.crosstab:
            for i in range(self.height):
                add(None, [(i, c) for c in self.counts if self.values[(i, c)] is not None])
            add(None, [(i, c) for c in self.counts for i in range(self.height) if self.values[(i, c)] is not None])
        if self.spec.column_totals or self.spec.crosstab:
            for rows in self._margins():
                for c in self.counts:
                    add(None, [(i, c) for i in rows if self.values[(i, c)] is not None])
        return out

    def _fails(self, total_col: str, part_cols: Sequence[str]) -> int | None:
        """The first row where ``total = sum(parts)`` fails (rows with a null are skipped)."""
        for i in range(self.height):
            t = self.values[(i, total_col)]
            ps = [self.values[(i, p)] for p in part_cols]
            if t is None or any(p is None for p in ps):
                continue
            s = float(sum(p for p in ps if p is not None))
            if abs(s - t) > 1e-9 * max(1.0, abs(t)):
                return i
        return None

    def _margins(self) -> list[list[int]]:
        """Groups of rows whose sums are published: for each proper subset of the keys, the rows
        sharing its values."""
        keys = self.keys
        if len(keys) <= 5:
            subsets = [s for r in range(len(keys)) for s in itertools.combinations(keys, r)]
        else:
            subsets = [(), *((k,) for k in keys)]
        if not subsets:
            subsets = [()]
        values = {k: self.df.get_column(k).to_list() for k in keys}
        groups: list[list[int]] = []
        seen: set[tuple[int, ...]] = set()
        for sub in subsets:
            by: dict[tuple[Any, ...], list[int]] = {}
            for i in range(self.height):
                by.setdefault(tuple(_hashable(values[k][i]) for k in sub), []).append(i)
            for rows in by.values():
                sig = tuple(rows)
                if len(rows) >= 2 and sig not in seen:
                    seen.add(sig)
                    groups.append(rows)
        return groups


def _hashable(v: Any) -> Any:
    try:
        hash(v)
        return v
    except TypeError:
        return repr(v)


# --- the plan: which cells to hide ------------------------------------------------------------


def _bounds(t: _Table, hidden: set[Cell], primary: set[Cell]) -> tuple[dict[Cell, float], dict[Cell, float]]:
    """What a reader knows of each hidden cell before using the lines: 1 to 9 for a "<10", at
    least 1 for a non-zero complementary cell (they are picked non-zero where possible)."""
    lo: dict[Cell, float] = {}
    hi: dict[Cell, float] = {}
    for c in hidden:
        v = t.values[c] or 0.0
        if c in primary:
            lo[c], hi[c] = min(1.0, v), max(float(t.min_cell - 1), v)
        else:
            lo[c], hi[c] = min(1.0, v), _INF
    for li, line in enumerate(t.lines):
        if line.open:
            lo[(-1 - li, "")], hi[(-1 - li, "")] = 1.0, float(t.min_cell - 1)
    return lo, hi


def _line_terms(li: int, line: _Line, hidden: set[Cell], t: _Table) -> tuple[list[tuple[Cell, int]], float]:
    """The line as ``sum(a * x) = k`` over its hidden cells (and its total, when open)."""
    terms: list[tuple[Cell, int]] = []
    k = line.known
    if line.open:
        terms.append(((-1 - li, ""), -1))
        k = 0.0
    for p in line.parts:
        if p in hidden:
            terms.append((p, 1))
        else:
            k -= t.values[p] or 0.0
    if line.total is not None:
        if line.total in hidden:
            terms.append((line.total, -1))
        else:
            k += t.values[line.total] or 0.0
    return terms, k


def _pinned(t: _Table, hidden: set[Cell], primary: set[Cell]) -> dict[Cell, set[int]]:
    """Primary cells that interval reasoning over the lines pins to one value, each with the lines
    that gave its last bounds."""
    lo, hi = _bounds(t, hidden, primary)
    why_lo: dict[Cell, int] = {}
    why_hi: dict[Cell, int] = {}
    active = [
        (li, *_line_terms(li, line, hidden, t))
        for li, line in enumerate(t.lines)
        if any(c in hidden for c in line.cells)
    ]
    for _ in range(_MAX_ROUNDS):
        changed = False
        for li, terms, k in active:
            # a_i x_i = k - sum_{j != i} a_j x_j, the sum's range from the line's sums less term i
            spans = [(lo[c], hi[c]) if a > 0 else (-hi[c], -lo[c]) for c, a in terms]
            lo_fin = sum(x for x, _ in spans if x != -_INF)
            lo_inf = sum(1 for x, _ in spans if x == -_INF)
            hi_fin = sum(y for _, y in spans if y != _INF)
            hi_inf = sum(1 for _, y in spans if y == _INF)
            for (ci, ai), (x, y) in zip(terms, spans):
                o_lo = -_INF if lo_inf - (x == -_INF) > 0 else lo_fin - (x if x != -_INF else 0.0)
                o_hi = _INF if hi_inf - (y == _INF) > 0 else hi_fin - (y if y != _INF else 0.0)
                r_lo, r_hi = k - o_hi, k - o_lo  # range of a_i x_i
                n_lo, n_hi = (r_lo, r_hi) if ai > 0 else (-r_hi, -r_lo)
                if n_lo > lo[ci] + 1e-9:
                    lo[ci], why_lo[ci] = n_lo, li
                    changed = True
                if n_hi < hi[ci] - 1e-9:
                    hi[ci], why_hi[ci] = n_hi, li
                    changed = True
        if not changed:
            break
    return {c: {w[c] for w in (why_lo, why_hi) if c in w} for c in primary if hi[c] - lo[c] < 0.5}


# Linear algebra modulo a 61-bit prime: exact for these small integer systems except with
# negligible probability (the prime would have to divide one of their minors), and far faster
# than fractions.
_P = (1 << 61) - 1


def _determined(t: _Table, hidden: set[Cell], primary: set[Cell]) -> dict[Cell, set[int]]:
    """Primary cells that a linear combination of the lines gives exactly, each with the lines of
    that combination (Gauss-Jordan on the lines restricted to hidden cells; an open line's total
    is one more unknown, which other lines may still fix)."""
    rank = {c: i for i, c in enumerate(sorted(hidden, key=t.order))}
    # Fully reduced pivot rows: pivot cell -> (coefficients over hidden cells, combination of lines).
    pivots: dict[Cell, tuple[dict[Cell, int], dict[int, int]]] = {}

    def sub(dst: dict[Any, int], src: dict[Any, int], f: int) -> None:
        for c, b in src.items():
            nv = (dst.get(c, 0) - f * b) % _P
            if nv:
                dst[c] = nv
            else:
                dst.pop(c, None)

    for li, line in enumerate(t.lines):
        row: dict[Cell, int] = {}
        if line.open:
            row[(-1 - li, "")] = _P - 1
            rank[(-1 - li, "")] = len(rank)
        for p in line.parts:
            if p in hidden:
                row[p] = (row.get(p, 0) + 1) % _P
        if line.total is not None and line.total in hidden:
            row[line.total] = (row.get(line.total, 0) - 1) % _P
        row = {c: a for c, a in row.items() if a}
        if not row:
            continue
        combo: dict[int, int] = {li: 1}
        for p in [c for c in row if c in pivots]:
            a = row.get(p, 0)
            if a:
                prow, pcombo = pivots[p]
                sub(row, prow, a)
                sub(combo, pcombo, a)
        if not row:
            continue
        piv = min(row, key=lambda c: rank[c])
        inv = pow(row[piv], _P - 2, _P)
        row = {c: b * inv % _P for c, b in row.items()}
        combo = {i: b * inv % _P for i, b in combo.items()}
        for qrow, qcombo in pivots.values():
            f = qrow.get(piv, 0)
            if f:
                sub(qrow, row, f)
                sub(qcombo, combo, f)
        pivots[piv] = (row, combo)
    return {p: set(combo) for p, (row, combo) in pivots.items() if len(row) == 1 and p in primary}


def _component(t: _Table, cell: Cell, hidden: set[Cell]) -> list[_Line]:
    """The lines linked to ``cell`` through hidden cells."""
    seen_cells = {cell}
    seen_lines: dict[int, _Line] = {}
    todo = [cell]
    while todo:
        c = todo.pop()
        for line in t.by_cell.get(c, []):
            if id(line) in seen_lines:
                continue
            seen_lines[id(line)] = line
            for d in line.cells:
                if d in hidden and d not in seen_cells:
                    seen_cells.add(d)
                    todo.append(d)
    return list(seen_lines.values())


def _pick(t: _Table, lines: Iterable[_Line], hidden: set[Cell]) -> Cell | None:
    """The complementary cell: the smallest shown non-zero component; else a shown total; else a
    shown zero component."""
    nonzero: list[Cell] = []
    totals: list[Cell] = []
    zeros: list[Cell] = []
    for line in lines:
        for p in line.parts:
            if p in hidden or t.values[p] is None:
                continue
            (nonzero if t.values[p] else zeros).append(p)
        if line.total is not None and line.total not in hidden and t.values[line.total] is not None:
            totals.append(line.total)
    if nonzero:
        return min(nonzero, key=lambda c: (t.values[c] or 0.0, t.order(c)))
    if totals:
        return min(totals, key=t.order)
    if zeros:
        return min(zeros, key=t.order)
    return None


def _exposed(t: _Table, hidden: set[Cell], primary: set[Cell]) -> dict[Cell, set[int]]:
    """Primary cells pinned or fixed by the lines, with the lines that do it."""
    exposed = _pinned(t, hidden, primary)
    for c, why in _determined(t, hidden, primary).items():
        exposed.setdefault(c, set()).update(why)
    return exposed


class _Plan:
    """Which count cells to hide: ``primary`` (under the threshold) and all ``hidden`` ones;
    ``inherent``: primary cells that totals published elsewhere give away whatever this table
    shows; ``gave_up``: primary cells still exposed that no further cell could protect."""

    __slots__ = ("gave_up", "hidden", "inherent", "primary")

    def __init__(self, primary: set[Cell], hidden: set[Cell], inherent: set[Cell], gave_up: set[Cell]) -> None:
        self.primary = primary
        self.hidden = hidden
        self.inherent = inherent
        self.gave_up = gave_up


def _plan(t: _Table, min_cell: int, force: Iterable[Cell] = ()) -> _Plan:
    """Primary suppression, then complementary suppression until no line has exactly one hidden
    cell and no primary cell is pinned or fixed by the lines (unless only other tables can help)."""
    primary = {c for c, v in t.values.items() if v is not None and 0 < v < min_cell}
    hidden = set(primary) | {c for c in force if c in t.values and t.values[c] is not None}
    gave_up: set[Cell] = set()
    inherent: set[Cell] | None = None
    while True:
        progress = True
        while progress:
            progress = False
            for line in t.lines:
                inside = [c for c in line.cells if c in hidden]
                if len(inside) == 1:
                    pick = _pick(t, [line], hidden)
                    if pick is not None:
                        hidden.add(pick)
                        progress = True
        exposed = _exposed(t, hidden, primary)
        if exposed and inherent is None:
            # What the totals alone give away, whatever this table shows: only the tables that
            # publish those totals can prevent it, so it is not chased here.
            if t.inherent is None:
                t.inherent = set(_exposed(t, {c for c, v in t.values.items() if v is not None}, primary))
            inherent = t.inherent
        for c in gave_up | (inherent or set()):
            exposed.pop(c, None)
        if not exposed:
            return _Plan(primary, hidden, inherent or set(), gave_up)
        # For each exposed cell (one per set of lines exposing it, in order), hide a cell of the
        # lines that expose it; failing that, of its own lines or of any line linked to it through
        # hidden cells.
        used: set[int] = set()
        for cell in sorted(exposed, key=t.order):
            why = exposed[cell]
            if why & used:
                continue
            used |= why
            pick = (
                _pick(t, [t.lines[i] for i in sorted(why)], hidden)
                or _pick(t, t.by_cell.get(cell, []), hidden)
                or _pick(t, _component(t, cell, hidden), hidden)
            )
            if pick is None:
                gave_up.add(cell)
            else:
                hidden.add(pick)


def _spread(t: _Table, hidden: set[Cell]) -> set[Cell]:
    """Derived and running-total cells whose sources are hidden."""
    out: set[Cell] = set()
    rows_hidden: dict[int, set[str]] = {}
    for i, c in hidden:
        rows_hidden.setdefault(i, set()).add(c)
    for col, sources in t.derived.items():
        for i, cols in rows_hidden.items():
            if cols.intersection(sources):
                out.add((i, col))
    if t.cumulative:
        group_keys = [k for k in t.keys if k not in t.spec.period_columns]
        order_col = next((p for p in t.spec.period_columns if p in t.pos), None)
        kv = {k: t.df.get_column(k).to_list() for k in group_keys}
        ov = t.df.get_column(order_col).to_list() if order_col else list(range(t.height))
        groups: dict[tuple[Any, ...], list[int]] = {}
        for i in range(t.height):
            groups.setdefault(tuple(_hashable(kv[k][i]) for k in group_keys), []).append(i)
        for rows in groups.values():
            rows.sort(key=lambda i: (ov[i] is None, ov[i] if ov[i] is not None else 0, i))
            for col, base in t.cumulative.items():
                tainted = False
                for i in rows:
                    tainted = tainted or (i, base) in hidden
                    if tainted:
                        out.add((i, col))
    return out


def _render(t: _Table, primary: set[Cell], hidden: set[Cell], spread: set[Cell], min_cell: int) -> pl.DataFrame:
    marks: dict[str, dict[int, str]] = {}
    small = primary_text(min_cell)
    for i, c in hidden:
        marks.setdefault(c, {})[i] = small if (i, c) in primary else SUPPRESSED
    for i, c in spread:
        marks.setdefault(c, {})[i] = SUPPRESSED
    if not marks:
        return t.df.clone()
    cols: list[pl.Series] = []
    for c in t.df.columns:
        s = t.df.get_column(c)
        if c in marks:
            vals = s.cast(pl.String).to_list()
            for i, text in marks[c].items():
                vals[i] = text
            s = pl.Series(c, vals, dtype=pl.String)
        cols.append(s)
    return pl.DataFrame(cols)


def _warn(cells: set[Cell], name: str, why: str) -> None:
    if cells:
        some = ", ".join(f"row {i} `{c}`" for i, c in sorted(cells)[:5])
        more = ", ..." if len(cells) > 5 else ""
        warnings.warn(f"{name}: {len(cells)} small cell(s) ({some}{more}) {why}", DisclosureWarning, stacklevel=3)


def _check(min_cell: int) -> None:
    if isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 0:
        raise ValueError(f"min_cell is a whole number >= 0; got {min_cell!r}")


def suppress(df: pl.DataFrame, spec: TableSpec, min_cell: int = 10) -> pl.DataFrame:
    """A copy of ``df`` with small counts and what would give them away replaced by text.

    Parameters
    ----------
    df
        A table of counts (and figures derived from them).
    spec
        What the table contains and which totals are published: see :class:`TableSpec`.
    min_cell
        Counts with ``0 < value < min_cell`` are shown as ``"<{min_cell}"``. ``min_cell <= 1``
        hides nothing.

    Returns
    -------
    polars.DataFrame
        The same rows and columns. Primary cells read ``"<10"``, complementary cells and derived
        figures of a hidden count read ``"suppressed"`` (a derived figure that is null reads
        ``"suppressed"`` too when a source is hidden, as its nullness would tell). Columns with a
        hidden cell become ``pl.String`` (other values as polars casts them); the rest keep
        their dtype.

    Warns
    -----
    DisclosureWarning
        When a ``"<10"`` cell is given away by the totals published elsewhere whatever this table
        shows (e.g. three cells of 1 in a column whose total, 3, is published with
        ``min_cell=3``): suppress those totals where they are published. Also, rarely, when a
        flagged cell could not be protected by hiding more.

    Examples
    --------
    Three platforms, one with 3 rejected requests. Its row total and the column total of
    ``rejected`` would give the 3 away, so the smallest other cells of that row and that column
    are hidden too, and so on until every row and column has 0 or at least 2 hidden cells:

    >>> df = pl.DataFrame({
    ...     "platform": ["a", "b", "c"],
    ...     "requests": [100, 80, 50], "removed": [60, 40, 25], "restricted": [20, 15, 11],
    ...     "rejected": [3, 12, 14], "pending": [17, 13, 0],
    ... })
    >>> spec = TableSpec(counts=["requests", "removed", "restricted", "rejected", "pending"],
    ...                  row_lines=[("requests", ["removed", "restricted", "rejected", "pending"])],
    ...                  column_totals=True, key_columns=["platform"])
    >>> suppress(df, spec)
    shape: (3, 6)
    ┌──────────┬──────────┬─────────┬────────────┬────────────┬────────────┐
    │ platform ┆ requests ┆ removed ┆ restricted ┆ rejected   ┆ pending    │
    │ ---      ┆ ---      ┆ ---     ┆ ---        ┆ ---        ┆ ---        │
    │ str      ┆ i64      ┆ i64     ┆ i64        ┆ str        ┆ str        │
    ╞══════════╪══════════╪═════════╪════════════╪════════════╪════════════╡
    │ a        ┆ 100      ┆ 60      ┆ 20         ┆ <10        ┆ suppressed │
    │ b        ┆ 80       ┆ 40      ┆ 15         ┆ suppressed ┆ suppressed │
    │ c        ┆ 50       ┆ 25      ┆ 11         ┆ 14         ┆ 0          │
    └──────────┴──────────┴─────────┴────────────┴────────────┴────────────┘
    """
    _check(min_cell)
    if spec.like is not None:
        raise ValueError(
            f"this table copies the suppression of `{spec.like}`: use suppress_like(df, that table "
            "after suppression), or apply() on the whole pack"
        )
    t = _Table(df, spec, min_cell)
    plan = _plan(t, min_cell)
    _warn(
        plan.inherent,
        "suppress",
        "can be worked out from the totals this table's lines take as published "
        "elsewhere (column or margin totals), whatever it shows: suppress those totals where they are published",
    )
    _warn(plan.gave_up, "suppress", "are still pinned by the table's own lines and no further cell could be hidden")
    return _render(t, plan.primary, plan.hidden, _spread(t, plan.hidden), min_cell)


def suppress_like(df: pl.DataFrame, like: pl.DataFrame, on: str | Sequence[str] | None = None) -> pl.DataFrame:
    """Hide in ``df`` (e.g. a crosstab of rates) the cells hidden in ``like`` (the matching
    crosstab of counts, after :func:`suppress`), as ``"suppressed"``.

    Rows are matched on ``on`` (default: ``df``'s first column), cells by column name. A row or a
    column of ``df`` that ``like`` lacks is hidden whole (fail closed). Null stays null unless
    hidden. Key columns and ``definition`` are not touched.

    Note that a rate may need more hiding than its counts cell: in the pack, :func:`apply` also
    hides a rate cell whose compliance row (``compliance_group_platform``) has its rate hidden.

    Examples
    --------
    >>> counts = pl.DataFrame({"group": ["A", "B"], "x": ["<10", "12"], "y": ["suppressed", "40"]})
    >>> rates = pl.DataFrame({"group": ["A", "B"], "x": [0.5, 0.75], "y": [0.9, None]})
    >>> suppress_like(rates, counts)
    shape: (2, 3)
    ┌───────┬────────────┬────────────┐
    │ group ┆ x          ┆ y          │
    │ ---   ┆ ---        ┆ ---        │
    │ str   ┆ str        ┆ str        │
    ╞═══════╪════════════╪════════════╡
    │ A     ┆ suppressed ┆ suppressed │
    │ B     ┆ 0.75       ┆ null       │
    └───────┴────────────┴────────────┘
    """
    keys = [df.columns[0]] if on is None else list(_tuple(on))
    for k in keys:
        if k not in df.columns or k not in like.columns:
            raise ValueError(f"key column `{k}` must be in both tables")
    index: dict[tuple[Any, ...], int] = {}
    lk = {k: like.get_column(k).to_list() for k in keys}
    for j in range(like.height):
        index[tuple(_hashable(lk[k][j]) for k in keys)] = j
    dk = {k: df.get_column(k).to_list() for k in keys}
    match = [index.get(tuple(_hashable(dk[k][i]) for k in keys)) for i in range(df.height)]
    cells: dict[str, set[int]] = {}
    for c in df.columns:
        if c in keys or c == DEFINITION or not _is_numeric(df.schema[c]):
            continue
        src = like.get_column(c).to_list() if c in like.columns else None
        rows = {i for i, j in enumerate(match) if src is None or j is None or is_suppressed(src[j])}
        if rows:
            cells[c] = rows
    return _mask(df, cells)


def _mask(df: pl.DataFrame, cells: Mapping[str, Iterable[int]]) -> pl.DataFrame:
    out: list[pl.Series] = []
    for c in df.columns:
        s = df.get_column(c)
        rows = set(cells.get(c, ()))
        if rows:
            vals = s.cast(pl.String).to_list()
            for i in rows:
                vals[i] = SUPPRESSED
            s = pl.Series(c, vals, dtype=pl.String)
        out.append(s)
    return pl.DataFrame(out) if cells else df


# --- the whole pack ---------------------------------------------------------------------------

_SAME = (
    "requests",
    "accounts",
    "removed",
    "restricted",
    "rejected",
    "pending",
    "successes",
    "denominator",
    "n",
    "missing_weight",
    "actioned",
)
_TO_SUMMARY = (
    ("requests", "requests"),
    ("cases", "requests"),
    ("rejected", "requests_rejected"),
    ("pending", "requests_pending"),
    ("censored", "requests_pending"),
    ("successes", "requests_actioned"),
    ("actioned", "requests_actioned"),
    ("accounts", "accounts"),
)
# (fine table, coarse table, keys the coarse table is by, [(fine column, coarse column)]): where
# the coarse table's row is the sum of one row of the fine table, the cells are the same number.
_LINKS: tuple[tuple[str, str, tuple[str, ...], tuple[tuple[str, str], ...]], ...] = (
    ("compliance_group_platform", "compliance_platform", ("platform",), tuple((c, c) for c in _SAME)),
    ("compliance_group_platform", "reach_group", ("group",), (("requests", "cases"), ("accounts", "accounts"))),
    ("compliance_platform", "reach_platform", ("platform",), (("requests", "cases"), ("accounts", "accounts"))),
    (
        "compliance_platform",
        "time_to_action_platform",
        ("platform",),
        (("requests", "requests"), ("rejected", "rejected"), ("pending", "censored"), ("successes", "actioned")),
    ),
    *(
        link
        for e in (e.replace("-", "_") for e in get_args(Every))
        for link in (
            (f"trend_{e}_platform", f"trend_{e}", ("period",), tuple((c, c) for c in _SAME)),
            (f"trend_{e}_platform", "compliance_platform", ("platform",), tuple((c, c) for c in _SAME)),
        )
    ),
    ("compliance_platform", "summary", (), _TO_SUMMARY),
    ("compliance_group_platform", "summary", (), _TO_SUMMARY),
    ("reach_platform", "summary", (), _TO_SUMMARY),
    ("reach_group", "summary", (), _TO_SUMMARY),
    *((f"trend_{e.replace('-', '_')}", "summary", (), _TO_SUMMARY) for e in get_args(Every)),
    ("time_to_action_platform", "summary", (), _TO_SUMMARY),
)


def _pairs(ta: _Table, tb: _Table, keys: tuple[str, ...], cols: Iterable[tuple[str, str]]) -> list[tuple[Cell, Cell]]:
    if any(k not in ta.pos or k not in tb.pos for k in keys):
        return []
    ka = {k: ta.df.get_column(k).to_list() for k in keys}
    kb = {k: tb.df.get_column(k).to_list() for k in keys}
    fine: dict[tuple[Any, ...], list[int]] = {}
    for i in range(ta.height):
        fine.setdefault(tuple(_hashable(ka[k][i]) for k in keys), []).append(i)
    coarse: dict[tuple[Any, ...], list[int]] = {}
    for j in range(tb.height):
        coarse.setdefault(tuple(_hashable(kb[k][j]) for k in keys), []).append(j)
    out: list[tuple[Cell, Cell]] = []
    for key, rows in fine.items():
        if len(rows) != 1 or len(coarse.get(key, [])) != 1:
            continue
        i, j = rows[0], coarse[key][0]
        for ca, cb in cols:
            if (i, ca) in ta.values and (j, cb) in tb.values:
                out.append(((i, ca), (j, cb)))
    return out


def _crosstab_pairs(tx: _Table, tl: _Table) -> list[tuple[Cell, Cell]]:
    """Crosstab cell (group, platform) and the requests of that compliance row."""
    if not tx.keys or "group" not in tl.pos or "platform" not in tl.pos or "requests" not in tl.pos:
        return []
    gx = tx.df.get_column(tx.keys[0]).to_list()
    rows = {_hashable(g): i for i, g in enumerate(gx)}
    out: list[tuple[Cell, Cell]] = []
    for j, (g, p) in enumerate(zip(tl.df.get_column("group").to_list(), tl.df.get_column("platform").to_list())):
        i = rows.get(_hashable(g))
        col = "(none)" if p is None else str(p)
        if i is not None and (i, col) in tx.values:
            out.append(((i, col), (j, "requests")))
    return out


def apply(tables: Mapping[str, pl.DataFrame], min_cell: int = 10) -> dict[str, pl.DataFrame]:
    """Suppresses every table of the memo pack that :data:`SPECS` names; others pass unchanged.

    Beyond :func:`suppress` on each table, the same count appearing in two tables (a crosstab
    cell and its compliance row's requests; a table's only row in a margin and the table of
    that margin, e.g. a one-platform pack's compliance row and the summary) is hidden in both,
    and the rate crosstab hides each cell whose count is hidden in the counts crosstab or whose
    rate is hidden in ``compliance_group_platform``.

    Examples
    --------
    >>> pack = {"reach_platform": pl.DataFrame({"platform": ["a", "b", "c"], "cases": [50, 4, 30],
    ...                                         "accounts": [40, 3, 25], "followers": [900, 70, 500]}),
    ...         "rejects": pl.DataFrame({"row": [3], "value": ["x"]})}
    >>> out = apply(pack, 10)
    >>> out["reach_platform"]
    shape: (3, 4)
    ┌──────────┬────────────┬────────────┬────────────┐
    │ platform ┆ cases      ┆ accounts   ┆ followers  │
    │ ---      ┆ ---        ┆ ---        ┆ ---        │
    │ str      ┆ str        ┆ str        ┆ str        │
    ╞══════════╪════════════╪════════════╪════════════╡
    │ a        ┆ 50         ┆ 40         ┆ 900        │
    │ b        ┆ <10        ┆ <10        ┆ suppressed │
    │ c        ┆ suppressed ┆ suppressed ┆ suppressed │
    └──────────┴────────────┴────────────┴────────────┘
    >>> out["rejects"] is pack["rejects"]
    True
    """
    _check(min_cell)
    parsed = {
        name: _Table(df, SPECS[name], min_cell)
        for name, df in tables.items()
        if name in SPECS and SPECS[name].like is None
    }
    hidden: dict[str, set[Cell]] = {name: set() for name in parsed}
    plans: dict[str, _Plan] = {}
    links: list[tuple[str, Cell, str, Cell]] = []
    for fine, coarse, keys, cols in _LINKS:
        if fine in parsed and coarse in parsed:
            links += [(fine, a, coarse, b) for a, b in _pairs(parsed[fine], parsed[coarse], keys, cols)]
    cx, cg = "crosstab_group_platform_cases", "compliance_group_platform"
    if cx in parsed and cg in parsed:
        links += [(cx, a, cg, b) for a, b in _crosstab_pairs(parsed[cx], parsed[cg])]
    # Same number, same fate: only cells that hold equal values are linked.
    links = [
        (na, a, nb, b)
        for na, a, nb, b in links
        if parsed[na].values[a] is not None and parsed[na].values[a] == parsed[nb].values[b]
    ]
    todo = set(parsed)
    while todo:
        for name in sorted(todo):
            plans[name] = _plan(parsed[name], min_cell, hidden[name])
            hidden[name] = plans[name].hidden
        todo = set()
        for na, a, nb, b in links:
            for (n1, c1), (n2, c2) in (((na, a), (nb, b)), ((nb, b), (na, a))):
                if c1 in hidden[n1] and c2 not in hidden[n2]:
                    hidden[n2].add(c2)
                    todo.add(n2)
    rendered: dict[str, pl.DataFrame] = {}
    for name, t in parsed.items():
        # The pack's other tables publish this one's margins, suppressed too: `inherent` is theirs.
        _warn(plans[name].gave_up, name, "are still pinned by the table's own lines and no more could be hidden")
        rendered[name] = _render(t, plans[name].primary, hidden[name], _spread(t, hidden[name]), min_cell)
    out: dict[str, pl.DataFrame] = {}
    for name, df in tables.items():
        if name in rendered:
            out[name] = rendered[name]
        elif name in SPECS:
            out[name] = _apply_like(name, df, rendered, parsed, hidden)
        else:
            out[name] = df
    return out


def _apply_like(
    name: str,
    df: pl.DataFrame,
    rendered: Mapping[str, pl.DataFrame],
    parsed: Mapping[str, _Table],
    hidden: Mapping[str, set[Cell]],
) -> pl.DataFrame:
    """A rate crosstab: hidden where its counts crosstab is, or where its compliance row's rate is."""
    like = SPECS[name].like
    if like is None or like not in rendered:
        raise ValueError(f"`{name}` copies the suppression of `{like}`, which is not among the tables given")
    masked = suppress_like(df, rendered[like])
    comp = parsed.get("compliance_group_platform")
    if comp is None or "group" not in comp.pos or "platform" not in comp.pos:
        # A rate shown beside its count gives its successes away: which rates rest on small
        # successes only the compliance table tells.
        raise ValueError(f"`{name}` needs `compliance_group_platform` (with group and platform) among the tables")
    spread = _spread(comp, hidden["compliance_group_platform"])
    rows = {_hashable(g): i for i, g in enumerate(df.get_column(df.columns[0]).to_list())}
    cells: dict[str, set[int]] = {}
    pairs = zip(comp.df.get_column("group").to_list(), comp.df.get_column("platform").to_list())
    for j, (g, p) in enumerate(pairs):
        i = rows.get(_hashable(g))
        col = "(none)" if p is None else str(p)
        if i is not None and col in df.columns and (j, "rate") in spread:
            cells.setdefault(col, set()).add(i)
    return _mask(masked, cells)


def describe(min_cell: int = 10) -> str:
    """One paragraph on the suppression, for the methods note.

    Examples
    --------
    >>> print(describe(10))  # doctest: +ELLIPSIS
    Small cells: counts from 1 to 9 are shown as "<10" (primary suppression); ... (complementary
    suppression): ... ("<10" itself says 1 to 9).
    """
    _check(min_cell)
    if min_cell <= 1:
        return "Small cells: no count is suppressed in these tables (threshold 1); every count is shown as computed."
    small = primary_text(min_cell)
    top = min_cell - 1
    return (
        f'Small cells: counts from 1 to {top} are shown as "{small}" (primary suppression); a zero is shown '
        f"as 0, since a zero cell is a published fact. So that a hidden count cannot be recovered by "
        f"subtracting the shown cells from a published total (a row's total, such as requests = removed + "
        f"restricted + rejected + pending, or a column's total over the rows, which other tables publish), "
        f'further cells are hidden and shown as "suppressed" (complementary suppression): wherever such a '
        f"line of cells has exactly one hidden cell, the smallest other non-zero cell of the line is hidden "
        f'too, until every line has none or at least two; and cells are hidden until no "{small}" count '
        f'can be worked out exactly by combining the table\'s lines or from each "{small}" being between 1 '
        f"and {top}. Rates, interval bounds, shares, medians, running totals and other figures computed from a "
        f'hidden count are shown as "suppressed" too, and a count that appears in two tables is hidden in '
        f"both. Scope: this protects each table against its own rows' and columns' totals; it does not solve "
        f"every combination of figures across tables, and a hidden count can still be bounded to a range "
        f'("{small}" itself says 1 to {top}).'
    )
