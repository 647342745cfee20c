"""Loads one hostile case in a fresh process and reports what happened as JSON.

Run by ``test_hostile.py`` (never imported by it), one process per case, so a hang, a crash or a
signal in the loader fails that case alone::

    python hostile_probe.py probe SPEC_JSON            # load strict and quarantined, run every analytic
    python hostile_probe.py report-frame SPEC_JSON OUT # the report pack for an in-memory frame
    python hostile_probe.py serve                      # fork server: both of the above, and the CLI

SPEC_JSON is a JSON object: ``path`` (the input file) or ``frame`` (the name of a frame builder
below), ``format``, ``options`` (load options), ``analytics_once``. The last line of stdout is
``HOSTILE-RESULT {json}``. Exit code 0 whatever the loader did; any other exit code, or a signal,
means the probe itself died.

The frame builders (``FRAMES``) are the generated cases of ``tests/data/hostile/cases.json`` whose
format is ``frame``: pandas, polars and pyarrow frames that cannot be committed as files (duplicate
column names, Python objects).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import resource
import signal
import sys
import time
import traceback
import warnings
from typing import Any, Callable

MAX_ROWS_DUMPED = 500
MAX_COLS_DUMPED = 60
MAX_REJECTS_DUMPED = 2000

# ---------------------------------------------------------------------------------- frames


def _base(n: int) -> dict[str, list[Any]]:
    return {
        "case_id": [str(i) for i in range(1, n + 1)],
        "platform": ["X"] * n,
        "account": [f"@fake_{i}" for i in range(1, n + 1)],
        "group": ["TTP"] * n,
        "reported_at": [f"2025-03-{i:02d}" for i in range(1, n + 1)],
        "status": ["removed"] * n,
    }


def frame_pandas_duplicate_columns() -> Any:
    import pandas as pd

    df = pd.DataFrame(_base(3))
    df.insert(2, "platform_2", ["TikTok"] * 3)
    df.columns = [c if c != "platform_2" else "platform" for c in df.columns]
    return df


def frame_pandas_mixed_object() -> Any:
    import pandas as pd

    d = _base(5)
    d["case_id"] = [1, "2", 3, "4", 5]
    d["followers"] = [1, "2", "x", 4, None]
    return pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in d.items()})


def frame_pandas_decimal_objects() -> Any:
    import decimal

    import pandas as pd

    d = _base(4)
    df = pd.DataFrame(d)
    df["followers"] = pd.Series(
        [
            decimal.Decimal("5"),
            decimal.Decimal("10000000000"),
            decimal.Decimal("5.5"),
            decimal.Decimal("12345678901234567890"),
        ],
        dtype=object,
    )
    return df


def frame_pandas_nan() -> Any:
    import pandas as pd

    df = pd.DataFrame(_base(4))
    df["followers"] = [float("nan"), 10.0, 20.0, 30.0]
    df["count"] = [1.0, float("nan"), 0.0, -1.0]
    return df


def frame_pandas_tz_datetimes() -> Any:
    import pandas as pd

    df = pd.DataFrame(_base(3))
    df["reported_at"] = pd.to_datetime(["2025-03-01 10:00", "2025-03-02 10:00", None]).tz_localize("Asia/Karachi")
    df["actioned_at"] = pd.to_datetime(["2025-03-01 12:00", None, None])
    return df


def frame_polars_struct_followers() -> Any:
    import polars as pl

    d: dict[str, Any] = dict(_base(3))
    d["followers"] = [{"n": 1, "src": "a"}, {"n": 2, "src": "b"}, None]
    return pl.DataFrame(d)


def frame_polars_near_4e18() -> Any:
    import polars as pl

    d: dict[str, Any] = dict(_base(3))
    df = pl.DataFrame(d).with_columns(
        pl.Series("followers", [4_000_000_000_000_000_000, 5, 6], dtype=pl.Int64),
        pl.Series("count", [1, 18_446_744_073_709_551_615, 1], dtype=pl.UInt64),
    )
    return df


def frame_pyarrow_binary_account() -> Any:
    import pyarrow as pa

    d: dict[str, Any] = dict(_base(3))
    d["account"] = pa.array([b"@fake_\xff", b"@fake_2", b"@fake_3"], pa.binary())
    return pa.table(d)


FRAMES: dict[str, Callable[[], Any]] = {
    f.__name__: f
    for f in (
        frame_pandas_duplicate_columns,
        frame_pandas_mixed_object,
        frame_pandas_decimal_objects,
        frame_pandas_nan,
        frame_pandas_tz_datetimes,
        frame_polars_struct_followers,
        frame_polars_near_4e18,
        frame_pyarrow_binary_account,
    )
}

# ---------------------------------------------------------------------------------- probing


def _jsonable(v: Any) -> Any:
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else repr(v)
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return str(v)


def _exception(e: BaseException, td: Any) -> dict[str, Any]:
    msg = str(e)
    out: dict[str, Any] = {
        "class": type(e).__name__,
        "module": type(e).__module__,
        "mro": [c.__name__ for c in type(e).__mro__],
        "takedowns": td is not None and isinstance(e, td.TakedownsError),
        "message": msg[:1000],
        "message_chars": len(msg),
    }
    if td is not None and isinstance(e, getattr(td, "ValidationError", ())):
        try:
            problems = e.problems  # type: ignore[attr-defined]
            out["total"] = int(e.total)  # type: ignore[attr-defined]
            out["problems_rows"] = problems.height
            out["problems_rules"] = sorted(set(problems["rule"].to_list())) if "rule" in problems.columns else None
        except BaseException as inner:  # noqa: BLE001 - report whatever the error object does
            out["problems_error"] = f"{type(inner).__name__}: {inner}"[:500]
    if not out["takedowns"]:
        out["traceback"] = "".join(traceback.format_exception(type(e), e, e.__traceback__))[-3000:]
    return out


def _frame_facts(df: Any) -> dict[str, Any]:
    """Shape, and any numeric column with a negative or infinite value (a wrapped total shows here)."""
    facts: dict[str, Any] = {"shape": list(df.shape), "negative": {}, "infinite": []}
    for name, dtype in df.schema.items():
        if not dtype.is_numeric():
            continue
        s = df[name]
        try:
            lo = s.min()
            if lo is not None and isinstance(lo, (int, float)) and lo < 0:
                facts["negative"][name] = _jsonable(lo)
            if dtype.is_float() and s.is_infinite().any():
                facts["infinite"].append(name)
        except BaseException:  # noqa: BLE001 - decimals and the like: not our question here
            continue
    return facts


ANALYTICS: list[tuple[str, Callable[[Any], Any]]] = [
    ("compliance", lambda c: c.compliance(by="platform")),
    ("reach", lambda c: c.reach(by="group")),
    ("trend", lambda c: c.trend("month")),
    ("crosstab", lambda c: c.crosstab("group", "platform")),
    ("time_to_action", lambda c: c.time_to_action(by="platform")),
    ("survival", lambda c: c.survival()),
    ("summary", lambda c: c.summary()),
    ("headline", lambda c: c.headline()),
    ("repr", repr),
    ("repr_html", lambda c: c._repr_html_()),
    ("to_polars", lambda c: c.to_polars()),
    ("rejects", lambda c: c.rejects),
    ("load_report", lambda c: c.load_report),
    ("len", len),
]


def _analytics(cases: Any, td: Any) -> dict[str, Any]:
    import polars as pl

    out: dict[str, Any] = {}
    for name, fn in ANALYTICS:
        t = time.perf_counter()
        try:
            value = fn(cases)
            rec: dict[str, Any] = {"ok": True}
            if isinstance(value, pl.DataFrame):
                rec.update(_frame_facts(value))
            elif isinstance(value, str):
                rec["chars"] = len(value)
        except BaseException as e:  # noqa: BLE001 - PanicException is a BaseException
            rec = {"ok": False, "error": _exception(e, td)}
        rec["seconds"] = round(time.perf_counter() - t, 3)
        out[name] = rec
    return out


def _loaded(cases: Any, td: Any, analytics: bool) -> dict[str, Any]:
    res: dict[str, Any] = {"outcome": "loaded"}
    try:
        report = cases.load_report
        res["load_report"] = _jsonable(
            {k: report[k] for k in ("rows_read", "rows_accepted", "rows_rejected", "problems_by_rule") if k in report}
        )
        res["rows_read"] = report.get("rows_read")
        res["rows_accepted"] = report.get("rows_accepted")
        res["rows_rejected"] = report.get("rows_rejected")
        res["problems_by_rule"] = _jsonable(report.get("problems_by_rule", {}))
        if res["rows_rejected"]:
            res["outcome"] = "quarantined"
    except BaseException as e:  # noqa: BLE001
        res["load_report_error"] = _exception(e, td)
    try:
        res["len"] = len(cases)
        frame = cases.to_polars()
        res["frame_height"] = frame.height
        res["columns"] = frame.columns[:MAX_COLS_DUMPED]
        if frame.height <= MAX_ROWS_DUMPED and frame.width <= MAX_COLS_DUMPED:
            res["accepted"] = _jsonable(frame.to_dicts())
    except BaseException as e:  # noqa: BLE001
        res["frame_error"] = _exception(e, td)
    try:
        rj = cases.rejects
        res["rejects_height"] = rj.height
        res["rejects_distinct_rows"] = rj["row"].n_unique() if rj.height else 0
        cols = [c for c in ("row", "column", "rule", "value", "message") if c in rj.columns]
        res["rejects"] = [
            {k: (v[:300] if isinstance(v, str) else _jsonable(v)) for k, v in d.items()}
            for d in rj.select(cols).head(MAX_REJECTS_DUMPED).to_dicts()
        ]
    except BaseException as e:  # noqa: BLE001
        res["rejects_error"] = _exception(e, td)
    if analytics:
        res["analytics"] = _analytics(cases, td)
    return res


def _loader(spec: dict[str, Any], td: Any) -> Callable[..., Any]:
    if spec.get("frame"):
        build = FRAMES[spec["frame"]]
        return lambda **kw: td.from_frame(build(), **kw)
    reader = getattr(td, spec.get("reader") or "read")
    return lambda **kw: reader(spec["path"], **kw)


def probe(spec: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {"spec": {k: v for k, v in spec.items() if k != "options"}}
    t0 = time.perf_counter()
    try:
        import takedowns as td
    except BaseException as e:  # noqa: BLE001
        result["import_error"] = f"{type(e).__name__}: {e}"
        return result
    result["import_seconds"] = round(time.perf_counter() - t0, 3)
    warning = getattr(td, "RejectedRowsWarning", None)
    if warning is not None:
        warnings.simplefilter("ignore", warning)
    load = _loader(spec, td)
    options = dict(spec.get("options") or {})
    for i, mode in enumerate(("raise", "quarantine")):
        t = time.perf_counter()
        try:
            cases = load(on_invalid=mode, **options)
            seconds = time.perf_counter() - t
            res = _loaded(cases, td, analytics=not (spec.get("analytics_once") and mode == "raise"))
        except BaseException as e:  # noqa: BLE001
            seconds = time.perf_counter() - t
            err = _exception(e, td)
            res = {"outcome": err["class"], "error": err}
        res["load_seconds"] = round(seconds, 3)
        result["strict" if i == 0 else "quarantine"] = res
    result["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


def report_frame(spec: dict[str, Any], out: str) -> int:
    """What ``takedowns report --on-invalid quarantine --force`` does, for a frame in memory."""
    import takedowns as td
    from takedowns import report

    warning = getattr(td, "RejectedRowsWarning", None)
    if warning is not None:
        warnings.simplefilter("ignore", warning)
    try:
        cases = td.from_frame(FRAMES[spec["frame"]](), on_invalid="quarantine", **(spec.get("options") or {}))
        report.build(cases, out, quiet=True)
    except td.TakedownsError as e:
        print(f"takedowns: error: {e}", file=sys.stderr)
        return 2
    return 0


# ---------------------------------------------------------------------------------- fork server
# Starting Python and importing polars, takedowns and matplotlib costs about a second of CPU per
# process; with four processes per case that is most of the harness's time budget. ``serve`` pays it
# once: it imports everything, then forks one fresh child per job (a probe, a report), each in its
# own session with its own stdout and stderr files, and waits for it under a timeout and an RSS
# ceiling, reporting the exit code (negative: the signal), CPU time and peak RSS. Nothing is
# computed before forking, so no polars thread pool exists to be lost in the child. The harness
# falls back to plain subprocesses with HOSTILE_FORK=0.


def _tasks() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return -1


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def _child(job: dict[str, Any]) -> int:
    kind = job["kind"]
    if kind == "probe":
        result = probe(job["spec"])
        sys.stdout.write("\nHOSTILE-RESULT " + json.dumps(result, default=str) + "\n")
        return 0
    if kind == "report-frame":
        return report_frame(job["spec"], job["out"])
    if kind == "cli":
        from takedowns import cli

        return int(cli.main(job["argv"]) or 0)
    raise ValueError(f"unknown job kind {kind!r}")


def _fork(job: dict[str, Any]) -> dict[str, Any]:
    out_fd = os.open(job["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    err_fd = os.open(job["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    sys.stdout.flush()
    sys.stderr.flush()
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 1
        try:
            os.setsid()
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.dup2(out_fd, 1)
            os.dup2(err_fd, 2)
            code = _child(job)
        except SystemExit as e:  # argparse and friends
            if isinstance(e.code, int) or e.code is None:
                code = e.code or 0
            else:
                print(e.code, file=sys.stderr)
                code = 1
        except BaseException:  # noqa: BLE001 - what the interpreter would print
            traceback.print_exc()
            code = 1
        finally:
            with contextlib.suppress(BaseException):
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(code if 0 <= code < 256 else 1)
    os.close(out_fd)
    os.close(err_fd)
    killed, peak = None, 0.0
    while True:
        got, status, usage = os.wait4(pid, os.WNOHANG)
        if got == pid:
            return {
                "returncode": os.waitstatus_to_exitcode(status),
                "cpu": usage.ru_utime + usage.ru_stime,
                "seconds": time.monotonic() - t0,
                "killed": killed,
                "peak_rss_mb": max(peak, usage.ru_maxrss / 1024),
            }
        if killed is None:
            peak = max(peak, _rss_mb(pid))
            if peak > job["max_rss_mb"]:
                killed = "memory"
            elif time.monotonic() - t0 > job["timeout"]:
                killed = "timeout"
            if killed:
                for kill in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
                    with contextlib.suppress(OSError):
                        kill()
        time.sleep(0.02)


def serve() -> int:
    """Reads one JSON job a line on stdin, answers one JSON line on stdout per job."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401
    import polars  # noqa: F401

    import takedowns  # noqa: F401
    from takedowns import cli, plot, report  # noqa: F401

    sys.stdout.write(json.dumps({"ready": True, "tasks": _tasks(), "pid": os.getpid()}) + "\n")
    sys.stdout.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            reply = _fork(json.loads(line))
        except BaseException as e:  # noqa: BLE001 - the server must answer
            reply = {"error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
    return 0


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "probe":
        result = probe(json.loads(argv[1]))
        sys.stdout.write("\nHOSTILE-RESULT " + json.dumps(result, default=str) + "\n")
        sys.stdout.flush()
        return 0
    if len(argv) >= 3 and argv[0] == "report-frame":
        return report_frame(json.loads(argv[1]), argv[2])
    if argv[:1] == ["serve"]:
        return serve()
    print(__doc__, file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
