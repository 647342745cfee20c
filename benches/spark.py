"""Spark (local mode) against in memory and the scan: compliance and a monthly trend by platform,
then reach by group, over the same synthetic Parquet files, each way in a fresh subprocess; and
the sizes of the partial aggregates, which are what a cluster moves over its network.

    python benches/spark.py --rows 10000000 --files 8 --dir /tmp/td10m

Prints wall seconds and the driver's peak RSS (Spark's JVM is a separate process: its memory is
not in that figure), checks that every way gives the same table, and prints the partial sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time

WAYS = ("memory", "scan", "spark")


def child(way: str, path: str, cores: int) -> None:
    import polars as pl

    import takedowns as td

    start = time.perf_counter()
    if way == "memory":
        cases = td.from_frame(pl.read_parquet(os.path.join(path, "*.parquet")))
        tables = [cases.compliance(by="platform"), cases.trend("month", by="platform")]
        mid = time.perf_counter()
        tables.append(cases.reach(by="group"))
    elif way == "scan":
        scan = td.scan_parquet(path)
        tables = [scan.compliance(by="platform"), scan.trend("month", by="platform")]
        mid = time.perf_counter()
        tables.append(scan.reach(by="group"))
    else:
        from pyspark.sql import SparkSession

        from takedowns import spark as tds

        os.environ["PYSPARK_PYTHON"] = sys.executable
        spark = (
            SparkSession.builder.master(f"local[{cores}]")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.memory", "2g")
            .getOrCreate()
        )
        sdf = spark.read.parquet(path)
        tables = [tds.compliance(sdf, by="platform").table, tds.trend(sdf, "month", by="platform").table]
        mid = time.perf_counter()
        tables.append(tds.reach(sdf, by="group").table)
    seconds, reach_seconds = mid - start, time.perf_counter() - mid
    digest = [t.drop("definition").hash_rows().sum() for t in tables]
    out = {
        "seconds": seconds,
        "reach_seconds": reach_seconds,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "digest": digest,
    }
    if way == "memory":
        # The partials a worker would send: one per Parquet file here, as one per partition there.
        from takedowns import _core

        spec = _core.ComplianceSpec()
        sizes = []
        for f in sorted(p for p in os.listdir(path) if p.endswith(".parquet")):
            part = td.read_parquet(os.path.join(path, f))._inner.compliance_partial(["platform"], spec)
            trend = td.read_parquet(os.path.join(path, f))._inner.trend_partial(["platform"], _core.TrendSpec())
            cases = td.read_parquet(os.path.join(path, f))._inner
            states = cases.reach_states(["group"], _core.ReachSpec(), 0)
            histogram = _core.reach_reduce([states], ["group"], _core.ReachSpec())
            sizes.append(
                (
                    part.height,
                    part.estimated_size(),
                    trend.height,
                    trend.estimated_size(),
                    states.height,
                    states.estimated_size(),
                    histogram.height,
                    histogram.estimated_size(),
                )
            )
        out["partials"] = sizes
        out["rows_per_file"] = pl.scan_parquet(os.path.join(path, "*.parquet")).select(
            pl.len()
        ).collect().item() // len(sizes)
    print(json.dumps(out, default=int))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--files", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--dir", default="takedowns-spark")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        child(a.child[0], a.child[1], int(a.child[2]))
        return
    if not (os.path.isdir(a.dir) and len([f for f in os.listdir(a.dir) if f.endswith(".parquet")]) == a.files):
        code = "import sys, takedowns as td; td.write_synthetic(sys.argv[1], int(sys.argv[2]), seed=int(sys.argv[3]), files=int(sys.argv[4]))"
        subprocess.run([sys.executable, "-c", code, a.dir, str(a.rows), str(a.seed), str(a.files)], check=True)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores; {a.rows:,} rows in {a.files} files; Spark local[{a.cores}]"
    )
    digests = {}
    for way in WAYS:
        r = subprocess.run(
            [sys.executable, __file__, "--child", way, a.dir, str(a.cores)], capture_output=True, text=True
        )
        if r.returncode != 0:
            raise SystemExit(f"{way} failed:\n{r.stderr[-3000:]}")
        res = json.loads(r.stdout.strip().splitlines()[-1])
        digests[way] = res["digest"]
        print(
            f"{way:<7} compliance + trend {res['seconds']:>7.1f} s, then reach by group {res['reach_seconds']:>7.1f} s;"
            f"  driver peak {res['peak_mb']:>6.0f} MB"
        )
        if "partials" in res:
            p = res["partials"][0]
            print(
                f"partials per {res['rows_per_file']:,}-row part: compliance {p[0]} rows, {p[1]:,} bytes; "
                f"monthly trend {p[2]} rows, {p[3]:,} bytes; reach states {p[4]:,} rows, {p[5]:,} bytes; "
                f"reach histogram (one part's accounts) {p[6]:,} rows, {p[7]:,} bytes"
            )
    same = all(d == digests["memory"] for d in digests.values())
    print("same tables every way:", same)
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
