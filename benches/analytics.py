"""Every analytic at scale: each takedowns analytic on the same validated cases, with its time and
the memory it adds, beside a peer where one exists; and the whole ``takedowns report`` command.

    python benches/analytics.py --rows 10000000 --file /tmp/td10m.parquet

Each analytic runs in a fresh subprocess that loads the file (``td.read``), then times the
analytic alone and reports the process's peak RSS before and after it (the analytic's own memory
is the difference). Peers, on the same file:

- crosstab of cases, group by platform: hand-written polars (``group_by`` + ``pivot``);
- Kaplan-Meier time to decision by platform: lifelines' ``KaplanMeierFitter`` per platform on
  the first 1,000,000 rows (``--km-rows``), against takedowns' ``survival`` on the same rows;
  each platform's survival at 1, 3, 7 and 14 days is checked to agree to 1e-9.

``takedowns report FILE --out DIR --quiet`` runs last, as a user would run it, timed with its
peak RSS (the child's ``ru_maxrss``). The parent never loads the data (a child starts with its
parent's peak RSS as its own).
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

ANALYTICS = (
    "summary",
    "compliance",
    "reach",
    "trend",
    "crosstab_cases",
    "crosstab_rate",
    "crosstab_accounts",
    "time_to_action",
    "survival_thin",
    "returning",
    "pairwise",
    "change",
    "compliance_clustered",
)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(kind: str, path: str, km_rows: int) -> None:
    import polars as pl

    import takedowns as td

    out: dict[str, Any] = {}
    if kind == "polars_crosstab":
        start = time.perf_counter()
        # (The synthetic file has no `count` column: a row is one request, as in takedowns.)
        df = pl.read_parquet(path, columns=["group", "platform"])
        loaded, base = time.perf_counter() - start, _peak_mb()
        start = time.perf_counter()
        # takedowns' platforms are lower case (its built-in aliases); the sample's already are.
        t = (
            df.group_by("group", pl.col("platform").str.to_lowercase())
            .agg(pl.len().cast(pl.Int64).alias("n"))
            .pivot("platform", index="group", values="n", sort_columns=True)
        )
        out["table"] = t.sort("group").fill_null(0).rows()
    elif kind in ("lifelines_km", "takedowns_km"):
        cases = td.read(path)
        df = cases.to_polars().head(km_rows)
        sample = td.from_frame(df)
        as_of = max(df["reported_at"].max(), df["actioned_at"].max())  # type: ignore[type-var]
        loaded, base = 0.0, _peak_mb()
        start = time.perf_counter()
        if kind == "takedowns_km":
            km = sample.survival(by="platform", as_of=as_of)
            out["table"] = _km_points(km)
        else:
            out["table"] = _lifelines_points(df, as_of)
    else:
        start = time.perf_counter()
        cases = td.read(path)
        loaded, base = time.perf_counter() - start, _peak_mb()
        start = time.perf_counter()
        table = {
            "summary": lambda: cases.summary(),
            "compliance": lambda: cases.compliance(by="platform"),
            "reach": lambda: cases.reach(by="group"),
            "trend": lambda: cases.trend("month", by="platform"),
            "crosstab_cases": lambda: cases.crosstab("group", "platform"),
            "crosstab_rate": lambda: cases.crosstab("group", "platform", value="rate"),
            "crosstab_accounts": lambda: cases.crosstab("group", "platform", value="accounts"),
            "time_to_action": lambda: cases.time_to_action(by="platform"),
            "survival_thin": lambda: cases.survival(by="platform", thin=2000),
            "returning": lambda: cases.returning(by="group"),
            "pairwise": lambda: cases.pairwise(by="platform"),
            "change": lambda: cases.change("2025-05-01", by="platform"),
            "compliance_clustered": lambda: cases.compliance(by="platform", cluster="account"),
        }[kind]()
        if kind == "crosstab_cases":
            out["table"] = table.drop("definition").sort("group").rows()
    out.update(seconds=time.perf_counter() - start, load_seconds=loaded, base_mb=base, peak_mb=_peak_mb())
    print(json.dumps(out, default=str))


#: The days at which the two Kaplan-Meier curves are compared (a median can sit exactly at 0.5,
#: where the last bits of the product decide it: the curve itself is what is compared).
DAYS = (1.0, 3.0, 7.0, 14.0)


def _km_points(km: Any) -> list[tuple[str, list[float]]]:
    """Per platform, the survival at each of :data:`DAYS`, from takedowns' Kaplan-Meier table
    (``time`` in days, ``survival``, a step at each time)."""
    import polars as pl

    out = []
    for (p,), g in km.sort("platform", "time").group_by("platform", maintain_order=True):
        at = [g.filter(pl.col("time") <= d)["survival"] for d in DAYS]
        out.append((str(p), [float(s[-1]) if len(s) else 1.0 for s in at]))
    return out


def _lifelines_points(df: Any, as_of: Any) -> list[tuple[str, list[float]]]:
    """The same points from lifelines: a decision (action or rejection) is the event, a pending
    request censored at ``as_of`` (takedowns' Kaplan-Meier of time to decision, beside which it
    gives the cumulative incidence of action)."""
    import polars as pl
    from lifelines import KaplanMeierFitter

    d = df.filter(pl.col("reported_at").is_not_null()).with_columns(
        (
            (pl.col("actioned_at").fill_null(pl.lit(as_of)) - pl.col("reported_at")).dt.total_microseconds()
            / 86_400_000_000
        ).alias("t"),
        (pl.col("status") != "pending").alias("e"),
    )
    out = []
    for (p,), g in d.sort("platform").group_by("platform", maintain_order=True):
        kmf = KaplanMeierFitter().fit(g["t"].to_numpy(), g["e"].to_numpy())
        out.append((str(p), [float(kmf.predict(x)) for x in DAYS]))
    return out


def run(args: list[str]) -> dict[str, Any]:
    r = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{args} failed:\n{r.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(r.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--file", default=None, help="a Parquet file of synthetic cases (written when missing)")
    ap.add_argument("--km-rows", type=int, default=1_000_000)
    ap.add_argument("--only", nargs="+", choices=ANALYTICS, help="these analytics only (no peers, no report)")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        child(a.child[0], a.child[1], int(a.child[2]))
        return
    path = a.file or os.path.join(tempfile.gettempdir(), f"td-analytics-{a.rows}.parquet")
    if not os.path.exists(path):
        code = "import sys, takedowns as td; td.write_synthetic(sys.argv[1], int(sys.argv[2]), seed=1)"
        subprocess.run([sys.executable, "-c", code, path, str(a.rows)], check=True)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; {path}")
    print(f"{'analytic':<28} {'seconds':>8} {'load s':>7} {'MB after load':>14} {'MB peak':>8} {'MB added':>9}")

    def show(name: str, r: dict[str, Any]) -> None:
        added = r["peak_mb"] - r["base_mb"]
        print(
            f"{name:<28} {r['seconds']:>8.2f} {r['load_seconds']:>7.2f} {r['base_mb']:>14,.0f} "
            f"{r['peak_mb']:>8,.0f} {added:>9,.0f}"
        )

    results = {}
    for kind in a.only or ANALYTICS:
        results[kind] = run(["--child", kind, path, str(a.km_rows)])
        show(kind, results[kind])
    if a.only:
        return
    peer = run(["--child", "polars_crosstab", path, str(a.km_rows)])
    show("peer: polars crosstab", peer)
    if peer["table"] != results["crosstab_cases"]["table"]:
        raise SystemExit("the polars crosstab disagrees with takedowns'")
    ours, theirs = (run(["--child", k, path, str(a.km_rows)]) for k in ("takedowns_km", "lifelines_km"))
    show(f"takedowns KM, {a.km_rows:,} rows", ours)
    show(f"peer: lifelines KM, {a.km_rows:,}", theirs)
    if len(ours["table"]) != len(theirs["table"]):
        raise SystemExit("the Kaplan-Meier tables have different platforms")
    for (p, s1), (q, s2) in zip(ours["table"], theirs["table"]):
        if p != q or any(abs(x - y) > 1e-9 for x, y in zip(s1, s2)):
            raise SystemExit(f"Kaplan-Meier disagrees for {p}: takedowns {s1}; lifelines {s2}")
    print(f"peers agree: crosstab of cases (polars); Kaplan-Meier survival at {DAYS} days, to 1e-9 (lifelines)")
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "takedowns", "report", path, "--out", os.path.join(out, "pack"), "--quiet"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{'takedowns report (CLI)':<28} {seconds:>8.2f} {'':>7} {'':>14} {peak:>8,.0f}")


if __name__ == "__main__":
    main()
