"""Side-by-side benchmark: takedowns against hand-written polars (lazy), DuckDB SQL and pandas.

The same files (Parquet and CSV), the same work with the same definitions:

1. load;
2. compliance by platform: requests, successes (removed + restricted), rate = successes / requests
   (pending counted against, takedowns' default);
3. reach by group: distinct accounts (platform + account folded to lower case without a leading
   ``@``), followers summed over accounts at each account's largest reported value;
4. cases per month per platform (by ``reported_at``).

takedowns runs twice on each format: ``read`` (load everything, validated, then aggregate in
memory) and ``scan_parquet`` / ``scan_csv`` (validate batch by batch inside one streaming pass,
never holding the data). Ratios are to the fastest and the most frugal of the three peers.

Each engine runs in a fresh subprocess that reports its wall time and peak RSS; the parent first
checks that all engines produce the same numbers, then prints the table. The parent never loads
data (a child starts with its parent's peak RSS as its own), so each peak is the engine's.

    python benches/compare.py --rows 10000000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any

ENGINES = ["takedowns", "takedowns_scan", "polars", "duckdb", "pandas"]
OURS = ("takedowns", "takedowns_scan")


def _takedowns_tables(cases: Any) -> dict[str, Any]:
    """The three tables from a ``takedowns.Cases`` or ``takedowns.Scan``, in one call (on a scan,
    one read and validation of the files for all three)."""
    import polars as pl

    import takedowns as td

    c, r, t = cases.tables(
        [td.Table.compliance("platform"), td.Table.reach("group"), td.Table.trend("month", by="platform")]
    )
    c = c.select("platform", "requests", "successes")
    r = r.select("group", "accounts", "followers")
    t = t.filter(pl.col("requests") > 0).select(
        "platform", pl.col("period").dt.strftime("%Y-%m").alias("month"), "requests"
    )
    return {"compliance": c.rows(), "reach": r.rows(), "monthly": t.rows()}


def work_takedowns(path: str) -> dict[str, Any]:
    import takedowns as td

    return _takedowns_tables(td.read(path))


def work_takedowns_scan(path: str) -> dict[str, Any]:
    import takedowns as td

    scan = td.scan_parquet(path) if path.endswith(".parquet") else td.scan_csv(path)
    return _takedowns_tables(scan)


def work_polars(path: str) -> dict[str, Any]:
    import polars as pl

    lf = pl.scan_parquet(path) if path.endswith(".parquet") else pl.scan_csv(path, try_parse_dates=True)
    ok = pl.col("status").is_in(["removed", "restricted"])
    key = pl.col("account").str.to_lowercase().str.strip_chars_start("@")
    c = lf.group_by("platform").agg(
        pl.len().cast(pl.Int64).alias("requests"), ok.sum().cast(pl.Int64).alias("successes")
    )
    r = (
        lf.with_columns(key.alias("k"))
        .group_by("group", "platform", "k")
        .agg(pl.col("followers").max())
        .group_by("group")
        .agg(pl.len().cast(pl.Int64).alias("accounts"), pl.col("followers").sum().cast(pl.Int64))
    )
    t = lf.group_by("platform", pl.col("reported_at").dt.strftime("%Y-%m").alias("month")).agg(
        pl.len().cast(pl.Int64).alias("requests")
    )
    c, r, t = pl.collect_all([c, r, t])
    return {
        "compliance": c.sort("platform").rows(),
        "reach": r.sort("group").rows(),
        "monthly": t.sort("platform", "month").rows(),
    }


def work_duckdb(path: str) -> dict[str, Any]:
    import duckdb

    src = f"read_parquet('{path}')" if path.endswith(".parquet") else f"read_csv_auto('{path}')"
    con = duckdb.connect()
    con.execute(f"CREATE TEMP VIEW cases AS SELECT * FROM {src}")
    c = con.execute("""SELECT platform, count(*)::BIGINT, sum(CASE WHEN status IN ('removed','restricted') THEN 1 ELSE 0 END)::BIGINT
                       FROM cases GROUP BY platform ORDER BY platform""").fetchall()
    r = con.execute("""SELECT "group", count(*)::BIGINT, sum(f)::BIGINT FROM (
                         SELECT "group", platform, ltrim(lower(account), '@') AS k, max(followers) AS f
                         FROM cases GROUP BY ALL) GROUP BY "group" ORDER BY "group" """).fetchall()
    t = con.execute("""SELECT platform, strftime(reported_at, '%Y-%m') AS month, count(*)::BIGINT
                       FROM cases GROUP BY ALL ORDER BY platform, month""").fetchall()
    return {"compliance": c, "reach": r, "monthly": t}


def work_pandas(path: str) -> dict[str, Any]:
    import pandas as pd

    df = (
        pd.read_parquet(path)
        if path.endswith(".parquet")
        else pd.read_csv(path, parse_dates=["reported_at", "actioned_at"])
    )
    df["ok"] = df["status"].isin(["removed", "restricted"])
    c = df.groupby("platform").agg(requests=("ok", "size"), successes=("ok", "sum")).reset_index()
    df["k"] = df["account"].str.lower().str.lstrip("@")
    acc = df.groupby(["group", "platform", "k"])["followers"].max().reset_index()
    r = acc.groupby("group").agg(accounts=("k", "size"), followers=("followers", "sum")).reset_index()
    df["month"] = df["reported_at"].dt.strftime("%Y-%m")
    t = df.groupby(["platform", "month"]).size().reset_index(name="requests")

    def as_rows(d: Any) -> list[tuple[Any, ...]]:
        return [
            tuple(int(v) if hasattr(v, "item") and not isinstance(v, str) else v for v in row)
            for row in d.itertuples(index=False)
        ]

    return {"compliance": as_rows(c), "reach": as_rows(r), "monthly": as_rows(t)}


WORK = {
    "takedowns": work_takedowns,
    "takedowns_scan": work_takedowns_scan,
    "polars": work_polars,
    "duckdb": work_duckdb,
    "pandas": work_pandas,
}


def child(engine: str, path: str) -> None:
    start = time.perf_counter()
    out = WORK[engine](path)
    out["seconds"] = time.perf_counter() - start
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out, default=str))


def run(engine: str, path: str) -> dict[str, Any]:
    r = subprocess.run([sys.executable, __file__, "--child", engine, path], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{engine} failed on {path}:\n{r.stderr}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def normalise(res: dict[str, Any]) -> dict[str, Any]:
    return {
        k: sorted(tuple(x if not isinstance(x, float) else int(x) for x in row) for row in res[k])
        for k in ("compliance", "reach", "monthly")
    }


def write_data(rows: int, seed: int, directory: str, formats: list[str]) -> dict[str, str]:
    """Writes the files in a child process: the parent must stay small, because a child process
    starts with its parent's peak RSS as its own (Linux keeps ru_maxrss across fork and exec)."""
    paths = {fmt: os.path.join(directory, f"cases_{rows}.{fmt}") for fmt in formats}
    code = (
        "import sys, takedowns as td\n"
        "for fmt, p in zip(sys.argv[3::2], sys.argv[4::2]):\n"
        "    td.write_synthetic(p, int(sys.argv[1]), seed=int(sys.argv[2]), format=fmt)\n"
    )
    args = [a for fmt, p in paths.items() for a in (fmt, p)]
    subprocess.run([sys.executable, "-c", code, str(rows), str(seed), *args], check=True)
    return paths


def main(argv: list[str] | None = None) -> dict[str, dict[str, dict[str, Any]]]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--formats", nargs="+", default=["parquet", "csv"], choices=["parquet", "csv"])
    ap.add_argument("--engines", nargs="+", default=ENGINES, choices=ENGINES)
    ap.add_argument("--dir", help="where to write the data (default: a temporary directory)")
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="rounds; engines run in a rotated order each round and the median is shown",
    )
    ap.add_argument("--child", nargs=2, metavar=("ENGINE", "PATH"), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        child(*a.child)
        return {}
    directory = a.dir or tempfile.mkdtemp(prefix="takedowns-bench-")
    os.makedirs(directory, exist_ok=True)
    paths = write_data(a.rows, a.seed, directory, a.formats)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{a.rows:,} rows; files in {directory}")
    results: dict[str, dict[str, dict[str, Any]]] = {}
    for fmt, path in paths.items():
        engines = list(a.engines)
        # On a virtual machine the first process after a pause pays for fresh memory, so the
        # order rotates each round and each engine's median round is reported.
        rounds: dict[str, list[dict[str, Any]]] = {e: [] for e in engines}
        for r in range(max(1, a.repeat)):
            for e in engines[r % len(engines) :] + engines[: r % len(engines)]:
                rounds[e].append(run(e, path))
        res = {}
        for e, rs in rounds.items():
            rs.sort(key=lambda x: x["seconds"])
            res[e] = dict(rs[len(rs) // 2])
            res[e]["peak_mb"] = sorted(x["peak_mb"] for x in rs)[len(rs) // 2]
            res[e]["runs"] = len(rs)
        base = normalise(res[engines[0]])
        for e in engines[1:]:
            if normalise(res[e]) != base:
                raise SystemExit(f"engines disagree on {fmt}: {engines[0]} vs {e}")
        peers = [r for e, r in res.items() if e not in OURS] or list(res.values())
        fastest = min(r["seconds"] for r in peers)
        frugal = min(r["peak_mb"] for r in peers)
        print(f"\n{fmt}: all engines agree")
        print(
            f"{'engine':<15} {'seconds':>9} {'peak MB':>9} {'time / fastest peer':>20} {'memory / most frugal peer':>26}"
        )
        for e, r in res.items():
            print(
                f"{e:<15} {r['seconds']:>9.2f} {r['peak_mb']:>9.0f} {r['seconds'] / fastest:>20.2f} {r['peak_mb'] / frugal:>26.2f}"
            )
        results[fmt] = res
    return results


if __name__ == "__main__":
    main()
