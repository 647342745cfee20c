"""Larger than memory: compliance, reach and trend over a directory of Parquet files with
``takedowns.scan_parquet`` (streaming, projection pushdown, validation batch by batch).

Writes ``--rows`` synthetic cases as ``--files`` Parquet files (skipped when the directory already
holds them), then runs each analytic in a fresh subprocess and prints its wall time and peak RSS.

    python benches/scale.py --rows 100000000 --files 10 --dir /tmp/td100m
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

WORK = ("compliance", "trend", "reach")


def child(work: str, path: str) -> None:
    import takedowns as td

    start = time.perf_counter()
    scan = td.scan_parquet(path)
    if work == "compliance":
        out = scan.compliance(by="platform")
    elif work == "trend":
        out = scan.trend("month", by="platform")
    else:
        out = scan.reach(by="group")
    report = scan.last_report or {}
    print(
        json.dumps(
            {
                "seconds": time.perf_counter() - start,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "rows_read": report.get("rows_read"),
                "rows_rejected": report.get("rows_rejected"),
                "result_rows": out.height,
                "passes": scan.passes if work == "reach" else 1,
                "first": [str(v) for v in out.row(0)[:4]],
            }
        )
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=100_000_000)
    ap.add_argument("--files", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dir", default="takedowns-scale")
    ap.add_argument("--work", nargs="+", default=list(WORK), choices=WORK)
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        child(*a.child)
        return
    if not (os.path.isdir(a.dir) and len([f for f in os.listdir(a.dir) if f.endswith(".parquet")]) == a.files):
        # In a child: a child process starts with its parent's peak RSS as its own.
        t = time.perf_counter()
        code = "import sys, takedowns as td; td.write_synthetic(sys.argv[1], int(sys.argv[2]), seed=int(sys.argv[3]), files=int(sys.argv[4]))"
        subprocess.run([sys.executable, "-c", code, a.dir, str(a.rows), str(a.seed), str(a.files)], check=True)
        print(f"wrote {a.rows:,} rows in {a.files} files in {time.perf_counter() - t:.0f} s")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; {a.rows:,} rows in {a.dir}")
    print(f"{'analytic':<12} {'seconds':>9} {'peak MB':>9} {'passes':>7} {'rows read':>13} {'rejected':>9}")
    for w in a.work:
        r = subprocess.run([sys.executable, __file__, "--child", w, a.dir], capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"{w} failed:\n{r.stderr}")
        res = json.loads(r.stdout.strip().splitlines()[-1])
        print(
            f"{w:<12} {res['seconds']:>9.1f} {res['peak_mb']:>9.0f} {res['passes']:>7} {res['rows_read']:>13,} {res['rows_rejected']:>9}"
        )


if __name__ == "__main__":
    main()
