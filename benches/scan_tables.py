"""One read for several tables: a scan's ``tables`` against three separate calls, on a Parquet file.

Each run is a fresh process that prints its wall time and peak RSS:

    python benches/scan_tables.py cases.parquet tables
    python benches/scan_tables.py cases.parquet separate

Write the file first with ``td.write_synthetic("cases.parquet", 10_000_000, seed=1)``.
"""

from __future__ import annotations

import resource
import sys
import time

import takedowns as td


def main(path: str, mode: str) -> None:
    t0 = time.perf_counter()
    scan = td.scan_parquet(path)
    if mode == "tables":
        out = scan.tables(
            [td.Table.compliance("platform"), td.Table.reach("group"), td.Table.trend("month", by="platform")]
        )
    elif mode == "separate":
        out = [scan.compliance(by="platform"), scan.reach(by="group"), scan.trend("month", by="platform")]
    else:
        raise SystemExit("mode is tables or separate")
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"{mode}: {seconds:.2f} s, peak {peak} MB, accounts {out[1]['accounts'].sum()}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
