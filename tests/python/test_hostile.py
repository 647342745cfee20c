"""The hostile-input corpus: every case of tests/data/hostile/cases.json, loaded strict and
quarantined, every analytic run on every load that succeeds, and the report command run on it.

Bad input must never crash takedowns, hang it, or quietly change a number. Each load and each
report runs in a process of its own, under a timeout and an RSS ceiling, so a hang, a memory
blow-up or a signal (SIGBUS, SIGSEGV, an abort) fails that case and nothing else. The processes
are forked from ``hostile_probe.py serve``, which imports takedowns and matplotlib once (four
interpreter start-ups per case would eat most of the 90-second budget); the report job calls
``takedowns.cli.main`` exactly as the console script does. ``HOSTILE_FORK=0`` runs plain
subprocesses instead: ``hostile_probe.py probe`` and ``<venv>/bin/takedowns report``. The cases run
concurrently (one worker per core) in a session fixture before the first test that needs them;
the tests then compare what happened with the manifest (tests/data/hostile/cases.json, described
in tests/data/hostile/README.md).

Four tests per case, named by the case id (``pytest -k unterminated_quote``):

- ``test_strict[id]``: ``on_invalid="raise"`` gives the expected outcome;
- ``test_quarantine[id]``: ``on_invalid="quarantine"`` gives the expected outcome, counts, rules
  and rows;
- ``test_analytics[id]``: every analytic on every successful load returns, or raises a
  ``TakedownsError``, with no negative or infinite numbers; and nothing in the probe's process
  panicked, not even a panic caught and turned into an exception;
- ``test_report[id]``: ``takedowns report FILE --out DIR --on-invalid quarantine --force`` exits 0
  or 2 without a traceback, and a pack it writes is safe to open (no image links, headings or
  broken tables from labels in the Markdown, no formulas in the CSV).

``test_zz_summary`` prints the counts (cases, errors by class, quarantines, panics). Set
``HOSTILE_RESULTS=/some/file.json`` to keep every raw result.

No test asserts on how long something took: wall time depends on what else the machine is doing.
A hang or a runaway (a read blocked on a FIFO, an endless /dev/zero, an analytic that never ends)
is caught by the process guards instead, the case's ``timeout`` and ``max_rss_mb``: the process is
killed and its tests fail as hung or as a memory blow-up; those limits are far above what a case
needs, so they only ever stop a runaway. Being merely slow fails nothing: the manifest's
``max_load_seconds`` and ``analytic_seconds`` are reported only, ``test_zz_summary`` listing the
loads and analytics that took longer.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, get_args

import pytest

from hostile_probe import _rss_mb  # the probe and the harness watch memory the same way
from takedowns._typing import Rule

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE.parent / "data" / "hostile"
PROBE = HERE / "hostile_probe.py"
MANIFEST: dict[str, Any] = json.loads((DATA / "cases.json").read_text(encoding="utf-8"))
DEFAULTS: dict[str, Any] = MANIFEST["defaults"]
CASES: dict[str, dict[str, Any]] = {c["id"]: c for c in MANIFEST["cases"]}
RULES = set(get_args(Rule))  # every rule, as the package types them (checked against Rust there)
# Numeric columns of analytic results that may legitimately hold negative values. Empty: every
# count, total, rate, bound and duration the analytics return is >= 0.
SIGNED_COLUMNS: set[str] = set()
RESULT_MARK = "HOSTILE-RESULT "
csv.field_size_limit(2**31 - 1)  # a 2 MB field is one of the cases


# ================================================================================ generators
# Inputs too big, too strange or too alive to commit. Each takes an empty directory and yields the
# path to load; whatever it starts (a writer thread) runs until the case's probe and report end.

BASE_HEADER = "case_id,platform,account,group,followers,reported_at,actioned_at,status,agency"


def _row(i: int, platform: str = "X", agency: str = "PTA", status: str = "removed") -> str:
    day = 1 + i % 28
    return f"{i},{platform},@fake_{i},{['TTP', 'BLA', 'BLF'][i % 3]},{i % 5000},2025-{1 + i % 12:02d}-{day:02d},,{status},{agency}"


def _csv_blob(first: int, n: int) -> bytes:
    statuses = ["removed", "restricted", "rejected", "pending"]
    return (
        "\n".join(
            _row(i, platform=["X", "TikTok", "Facebook"][i % 3], status=statuses[i % 4])
            for i in range(first, first + n)
        )
        + "\n"
    ).encode()


@contextlib.contextmanager
def gen_fifo_no_writer(d: pathlib.Path) -> Iterator[pathlib.Path]:
    p = d / "cases.csv"
    os.mkfifo(p)
    yield p


@contextlib.contextmanager
def gen_directory(d: pathlib.Path) -> Iterator[pathlib.Path]:
    p = d / "cases.csv"
    p.mkdir()
    yield p


@contextlib.contextmanager
def gen_symlink_dev_zero(d: pathlib.Path) -> Iterator[pathlib.Path]:
    p = d / "cases.csv"
    p.symlink_to("/dev/zero")
    yield p


@contextlib.contextmanager
def gen_header_1e6_columns(d: pathlib.Path) -> Iterator[pathlib.Path]:
    p = d / "cases.csv"
    names = BASE_HEADER.split(",")
    names += [f"c{i}" for i in range(1_000_001 - len(names))]
    assert len(names) == 1_000_001
    p.write_text(",".join(names) + "\n" + _row(1) + "\n")
    yield p


@contextlib.contextmanager
def gen_header_30mb_line(d: pathlib.Path) -> Iterator[pathlib.Path]:
    p = d / "cases.csv"
    with open(p, "w") as f:
        f.write(BASE_HEADER + ",")
        f.write("x" * 30_000_000)
        f.write("\n" + _row(1) + ",v\n" + _row(2) + ",v\n")
    yield p


@contextlib.contextmanager
def gen_field_2mb(d: pathlib.Path) -> Iterator[pathlib.Path]:
    p = d / "cases.csv"
    p.write_text("\n".join([BASE_HEADER, _row(1), _row(2, agency="A" * 2_000_000), _row(3)]) + "\n")
    yield p


@contextlib.contextmanager
def gen_100k_platforms(d: pathlib.Path) -> Iterator[pathlib.Path]:
    p = d / "cases.csv"
    statuses = ["removed", "restricted", "rejected", "pending"]
    with open(p, "w") as f:
        f.write(BASE_HEADER + "\n")
        for i in range(1, 100_001):
            actioned = "" if i % 4 == 3 else f"2025-{1 + i % 12:02d}-28"
            f.write(
                f"{i},plat{i:06d},@fake_{i},{['TTP', 'BLA', 'BLF'][i % 3]},{i % 5000},2025-{1 + i % 12:02d}-{1 + i % 27:02d},"
                f"{actioned},{statuses[i % 4]},PTA\n"
            )
    yield p


class _Mutator:
    """A thread that changes a file until told to stop."""

    def __init__(self, target: Any) -> None:
        self.stop = threading.Event()
        self.thread = threading.Thread(target=target, args=(self.stop,), daemon=True)

    def __enter__(self) -> _Mutator:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=10)


@contextlib.contextmanager
def gen_growing_csv(d: pathlib.Path) -> Iterator[pathlib.Path]:
    """Appended to in 48 KiB pieces cut mid-record, 4 MB/s, up to 12 MB."""
    p = d / "cases.csv"
    p.write_bytes(BASE_HEADER.encode() + b"\n" + _csv_blob(1, 2000))
    blob = _csv_blob(2001, 200_000)[:12_000_000]

    def grow(stop: threading.Event) -> None:
        with open(p, "ab", buffering=0) as f:
            for k in range(0, len(blob), 48 * 1024):
                if stop.is_set():
                    return
                f.write(blob[k : k + 48 * 1024])
                time.sleep(0.012)

    with _Mutator(grow):
        yield p


def _truncating(p: pathlib.Path, content: bytes) -> _Mutator:
    p.write_bytes(content)

    def churn(stop: threading.Event) -> None:
        while not stop.is_set():
            os.truncate(p, len(content) // 2)
            time.sleep(0.002)
            os.truncate(p, 0)
            time.sleep(0.002)
            with open(p, "r+b") as f:
                f.write(content)
            time.sleep(0.004)

    return _Mutator(churn)


def _typed_frame(n: int) -> Any:
    import polars as pl

    return pl.DataFrame(
        {
            "case_id": [str(i) for i in range(n)],
            "platform": [["X", "TikTok", "Facebook"][i % 3] for i in range(n)],
            "account": [f"@fake_{i}" for i in range(n)],
            "group": [["TTP", "BLA", "BLF"][i % 3] for i in range(n)],
            "followers": list(range(n)),
            "reported_at": [f"2025-03-{1 + i % 28:02d}" for i in range(n)],
            "status": [["removed", "rejected", "pending"][i % 3] for i in range(n)],
        }
    )


@contextlib.contextmanager
def gen_truncated_csv(d: pathlib.Path) -> Iterator[pathlib.Path]:
    p = d / "cases.csv"
    with _truncating(p, BASE_HEADER.encode() + b"\n" + _csv_blob(1, 40_000)):
        yield p


@contextlib.contextmanager
def gen_truncated_ipc(d: pathlib.Path) -> Iterator[pathlib.Path]:
    p = d / "cases.arrow"
    buf = io.BytesIO()
    _typed_frame(40_000).write_ipc(buf, compression="uncompressed")
    with _truncating(p, buf.getvalue()):
        yield p


@contextlib.contextmanager
def gen_truncated_parquet(d: pathlib.Path) -> Iterator[pathlib.Path]:
    p = d / "cases.parquet"
    buf = io.BytesIO()
    _typed_frame(40_000).write_parquet(buf, compression="uncompressed")
    with _truncating(p, buf.getvalue()):
        yield p


GENERATORS = {
    f.__name__: f
    for f in (
        gen_fifo_no_writer,
        gen_directory,
        gen_symlink_dev_zero,
        gen_header_1e6_columns,
        gen_header_30mb_line,
        gen_field_2mb,
        gen_100k_platforms,
        gen_growing_csv,
        gen_truncated_csv,
        gen_truncated_ipc,
        gen_truncated_parquet,
    )
}


# ================================================================================ processes


@dataclass
class Run:
    cmd: list[str]
    returncode: int | None
    stdout: str
    stderr: str
    seconds: float
    killed: str | None  # "timeout" or "memory"
    peak_rss_mb: float
    cpu_seconds: float

    def died(self) -> str | None:
        """Why the process failed as a process (not as a loader), or None."""
        if self.killed == "timeout":
            return f"hung: killed after {self.seconds:.1f}s"
        if self.killed == "memory":
            return f"memory blow-up: killed at {self.peak_rss_mb:.0f} MB RSS"
        if self.returncode is not None and self.returncode < 0:
            try:
                name = signal.Signals(-self.returncode).name
            except ValueError:
                name = str(-self.returncode)
            return f"killed by signal {name}"
        return None

    def panicked(self) -> bool:
        return "panicked at" in self.stderr or "PanicException" in self.stderr


def run_guarded(cmd: list[str], timeout: float, max_rss_mb: float, env: dict[str, str] | None = None) -> Run:
    """Runs ``cmd`` in its own process group; kills the group on timeout or past ``max_rss_mb``."""
    t0 = time.monotonic()
    p = subprocess.Popen(
        cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, env=env
    )
    chunks: dict[str, list[bytes]] = {"out": [], "err": []}

    def drain(stream: Any, key: str) -> None:
        for block in iter(lambda: stream.read(65536), b""):
            chunks[key].append(block)

    readers = [
        threading.Thread(target=drain, args=(p.stdout, "out"), daemon=True),
        threading.Thread(target=drain, args=(p.stderr, "err"), daemon=True),
    ]
    for r in readers:
        r.start()
    killed, peak, cpu = None, 0.0, 0.0
    while True:
        pid, status, usage = os.wait4(p.pid, os.WNOHANG)  # reaps it here, to read its CPU time
        if pid == p.pid:
            p.returncode = os.waitstatus_to_exitcode(status)
            cpu = usage.ru_utime + usage.ru_stime
            peak = max(peak, usage.ru_maxrss / 1024)
            break
        peak = max(peak, _rss_mb(p.pid))
        if peak > max_rss_mb:
            killed = "memory"
        elif time.monotonic() - t0 > timeout:
            killed = "timeout"
        if killed:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
        time.sleep(0.02)
    for r in readers:
        r.join(timeout=5)
    text = {k: b"".join(v).decode("utf-8", "replace") for k, v in chunks.items()}
    return Run(cmd, p.returncode, text["out"], text["err"], time.monotonic() - t0, killed, peak, cpu)


class Zygote:
    """A ``hostile_probe.py serve`` process: it imports takedowns once and forks a fresh child
    per job (each in its own session, under the job's timeout and RSS ceiling), so a case costs
    what its loads and report cost, not four interpreter start-ups. One per worker thread."""

    def __init__(self, base: pathlib.Path) -> None:
        self.base = base
        self.log = open(base / f"zygote-{threading.get_ident()}.log", "wb")  # noqa: SIM115
        self.p = subprocess.Popen(
            [sys.executable, str(PROBE), "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            start_new_session=True,
            env=_env(),
        )
        ready = self._reply(120.0)
        if not ready or not ready.get("ready"):
            self.close()
            raise RuntimeError(f"the fork server did not start: {ready}")
        self.n = 0

    def _reply(self, timeout: float) -> dict[str, Any] | None:
        assert self.p.stdout is not None
        import select

        r, _, _ = select.select([self.p.stdout], [], [], timeout)
        if not r:
            return None
        line = self.p.stdout.readline()
        return json.loads(line) if line else None

    def run(self, job: dict[str, Any], d: pathlib.Path, label: str, timeout: float, max_rss_mb: float) -> Run:
        assert self.p.stdin is not None
        self.n += 1
        out, err = d / f"job{self.n}.out", d / f"job{self.n}.err"
        job = dict(job, stdout=str(out), stderr=str(err), timeout=timeout, max_rss_mb=max_rss_mb)
        self.p.stdin.write((json.dumps(job) + "\n").encode())
        self.p.stdin.flush()
        reply = self._reply(timeout + 60.0)
        text = {
            k: f.read_bytes().decode("utf-8", "replace") if f.exists() else "" for k, f in (("out", out), ("err", err))
        }
        if reply is None or "error" in reply:
            raise RuntimeError(f"the fork server failed on {label}: {reply}")
        return Run(
            [label],
            reply["returncode"],
            text["out"],
            text["err"],
            reply["seconds"],
            reply["killed"],
            reply["peak_rss_mb"],
            reply["cpu"],
        )

    def close(self) -> None:
        with contextlib.suppress(Exception):
            assert self.p.stdin is not None
            self.p.stdin.close()
            self.p.wait(timeout=10)
        if self.p.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.p.pid, signal.SIGKILL)
            self.p.wait()
        self.log.close()


_LOCAL = threading.local()
_ZYGOTES: list[Zygote] = []
_ZLOCK = threading.Lock()


def _zygote(base: pathlib.Path) -> Zygote | None:
    if os.environ.get("HOSTILE_FORK", "1") == "0" or not hasattr(os, "fork"):
        return None
    z = getattr(_LOCAL, "zygote", None)
    if z is None or z.p.poll() is not None:
        z = Zygote(base)
        _LOCAL.zygote = z
        with _ZLOCK:
            _ZYGOTES.append(z)
    return z


def _close_zygotes() -> None:
    with _ZLOCK:
        while _ZYGOTES:
            _ZYGOTES.pop().close()


def execute(job: dict[str, Any], cmd: list[str], d: pathlib.Path, timeout: float, max_rss_mb: float) -> Run:
    """Runs a job forked from the fork server, or ``cmd`` as a plain subprocess (HOSTILE_FORK=0);
    ``d`` is the case's own directory."""
    z = _zygote(d.parent)
    if z is None:
        return run_guarded(cmd, timeout, max_rss_mb, _env())
    return z.run(job, d, " ".join(cmd[-8:]), timeout, max_rss_mb)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["MPLBACKEND"] = "Agg"
    env.setdefault("PYTHONFAULTHANDLER", "1")
    return env


def _cli() -> list[str]:
    script = pathlib.Path(sys.executable).parent / "takedowns"
    return [str(script)] if script.exists() else [sys.executable, "-m", "takedowns"]


def _limit(case: dict[str, Any], key: str) -> Any:
    return (case.get("limits") or {}).get(key, DEFAULTS.get(key))


@contextlib.contextmanager
def materialise(case: dict[str, Any], d: pathlib.Path) -> Iterator[pathlib.Path | None]:
    if case.get("file"):
        yield DATA / case["file"]
    elif case["generator"] in GENERATORS:
        with GENERATORS[case["generator"]](d) as p:
            yield p
    else:  # a frame, built inside the probe
        yield None


def run_case(case: dict[str, Any], base: pathlib.Path) -> dict[str, Any]:
    try:
        return _run_case(case, base)
    except Exception:  # noqa: BLE001 - a harness bug fails this case, not the session
        import traceback

        return {"id": case["id"], "harness_error": traceback.format_exc()}


def _run_case(case: dict[str, Any], base: pathlib.Path) -> dict[str, Any]:
    d = pathlib.Path(tempfile.mkdtemp(prefix=case["id"][:40] + "-", dir=base))
    (d / "in").mkdir()
    frame = case.get("format") == "frame"
    spec: dict[str, Any] = {
        "format": case.get("format"),
        "options": case.get("options") or {},
        "analytics_once": bool(_limit(case, "analytics_once")),
        "reader": case.get("reader"),
    }
    rss = float(_limit(case, "max_rss_mb"))
    out: dict[str, Any] = {"id": case["id"]}
    with materialise(case, d / "in") as path:
        if frame:
            spec["frame"] = case["generator"]
        else:
            spec["path"] = str(path)
        probe = execute(
            {"kind": "probe", "spec": spec},
            [sys.executable, str(PROBE), "probe", json.dumps(spec)],
            d,
            float(_limit(case, "timeout")),
            rss,
        )
        out["probe_run"] = probe
        out["probe"] = _parse_probe(probe)
        rep = case.get("report") or {}
        timeout = float(rep.get("timeout", DEFAULTS["report_timeout"]))
        pack = d / "pack"
        if frame:
            cmd = [sys.executable, str(PROBE), "report-frame", json.dumps(spec), str(pack)]
            job = {"kind": "report-frame", "spec": spec, "out": str(pack)}
        else:
            cmd = _cli() + ["report", str(path), "--out", str(pack), "--on-invalid", "quarantine"]
            opts = case.get("options") or {}
            if opts.get("required"):
                cmd += ["--required", ",".join(opts["required"])]
            if opts.get("date_order"):
                cmd += ["--date-order", opts["date_order"]]
            out["report_no_force_cmd"] = list(cmd)
            cmd = cmd + ["--force"]
            job = {"kind": "cli", "argv": cmd[len(_cli()) :]}
        out["report_run"] = execute(job, cmd, d, timeout, max(rss, 3072.0))
        out["pack"] = pack
        out["export_problems"] = export_problems(pack) if out["report_run"].returncode == 0 else None
        if "no_force_exit" in rep and not frame:
            nf = out["report_no_force_cmd"]
            nf[nf.index("--out") + 1] = str(d / "pack-no-force")
            out["report_no_force_run"] = execute(
                {"kind": "cli", "argv": nf[len(_cli()) :]}, nf, d, timeout, max(rss, 3072.0)
            )
    return out


def _parse_probe(run: Run) -> dict[str, Any] | None:
    for line in reversed(run.stdout.splitlines()):
        if line.startswith(RESULT_MARK):
            return json.loads(line[len(RESULT_MARK) :])
    return None


# ================================================================================ export checks

_IMAGE_LINK = re.compile(r"!\[[^\]]*\]\(\s*<?\s*(?:https?:|//)", re.IGNORECASE)
_HEADING = re.compile(r"^ {0,3}#")
_LINE_END = re.compile(r"\r\n|\r|\n")  # CommonMark line endings: a bare CR ends a line too
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|nan)$", re.IGNORECASE)
_LABEL_COLUMNS = {
    "platform",
    "group",
    "agency",
    "account",
    "status",
    "content_type",
    "reason",
    "jurisdiction",
    "source",
    "case_id",
    "language",
    "label",
}
MARK = "INJ"  # every export-attacking label in the corpus carries it


def _pipes(line: str) -> int:
    """Unescaped ``|`` in a Markdown line (``\\|`` is a literal pipe)."""
    n, backslashes = 0, 0
    for ch in line:
        if ch == "\\":
            backslashes += 1
            continue
        if ch == "|" and backslashes % 2 == 0:
            n += 1
        backslashes = 0
    return n


def export_problems(pack: pathlib.Path) -> list[str]:
    """What in a written pack could mislead or attack whoever opens it."""
    found: list[str] = []
    if not (pack / "report.md").is_file():
        return ["report.md missing from a pack reported as written"]
    md = [pack / "report.md"] + sorted((pack / "tables").glob("*.md"))
    for f in md:
        text = f.read_bytes().decode("utf-8", "replace")
        rel = f.relative_to(pack)
        # A code span shows its text literally: an image link inside one is only text.
        outside_code = re.sub(r"`[^`\n]*`", "``", text)
        for m in _IMAGE_LINK.finditer(outside_code):
            found.append(f"{rel}: raw image link from the data: {outside_code[m.start() : m.start() + 60]!r}")
        lines = _LINE_END.split(text)
        for i, line in enumerate(lines, 1):
            if _HEADING.match(line) and MARK in line:
                found.append(f"{rel}:{i}: a heading made by a label: {line[:80]!r}")
        header_pipes: int | None = None
        for i, line in enumerate(lines, 1):
            if line.lstrip().startswith("|"):
                n = _pipes(line)
                if header_pipes is None:
                    header_pipes = n
                elif n != header_pipes:
                    found.append(
                        f"{rel}:{i}: table row with {n} unescaped '|', header has {header_pipes}: {line[:80]!r}"
                    )
            else:
                if header_pipes is not None and line.strip() and MARK in line:
                    found.append(f"{rel}:{i}: a table row broken over lines by a label: {line[:80]!r}")
                header_pipes = None
    for f in sorted((pack / "tables").glob("*.csv")):
        rel = f.relative_to(pack)
        try:
            with open(f, newline="", encoding="utf-8", errors="replace") as fh:
                rows = list(csv.reader(fh))
        except csv.Error as e:
            found.append(f"{rel}: not readable as CSV: {e}")
            continue
        if not rows:
            continue
        header = rows[0]
        for cell in header:
            if cell[:1] in ("=", "+", "-", "@"):
                found.append(f"{rel}: header cell from a label starts with {cell[:1]!r}: {cell[:60]!r}")
        for r_i, row in enumerate(rows[1:], 2):
            for name, cell in zip(header, row):
                c0 = cell[:1]
                if c0 not in ("=", "+", "-", "@"):
                    continue
                label = name.lower() in _LABEL_COLUMNS
                if label or c0 in ("=", "@") or not _NUMBER.match(cell.strip()):
                    found.append(f"{rel}:{r_i}: cell {name}={cell[:60]!r} starts with {c0!r} (a spreadsheet runs it)")
    return found


# ================================================================================ expectations


def _alts(e: Any) -> list[dict[str, Any]]:
    return e if isinstance(e, list) else [e]


def _rules_seen(got: dict[str, Any]) -> set[str]:
    if got.get("error"):
        return set(got["error"].get("problems_rules") or [])
    return set((got.get("problems_by_rule") or {}).keys())


def check_expectation(exp: dict[str, Any], got: dict[str, Any]) -> list[str]:
    bad: list[str] = []
    err = got.get("error")
    outcome = exp.get("outcome", "any")
    if outcome == "any":
        pass
    elif outcome in ("loaded", "quarantined"):
        if got["outcome"] != outcome:
            bad.append(f"outcome {got['outcome']}{': ' + err['message'][:160] if err else ''}, expected {outcome}")
            return bad
    elif not err or outcome not in err["mro"]:
        detail = (
            f" ({err['message'][:160]})"
            if err
            else f" (rows_read {got.get('rows_read')}, rejected {got.get('rows_rejected')})"
        )
        bad.append(f"outcome {got['outcome']}{detail}, expected {outcome}")
        return bad
    for k in ("rows_read", "rows_accepted", "rows_rejected"):
        if k in exp and got.get(k) != exp[k]:
            bad.append(f"{k} {got.get(k)}, expected {exp[k]}")
    if "problems_by_rule" in exp and (got.get("problems_by_rule") or {}) != exp["problems_by_rule"]:
        bad.append(f"problems_by_rule {got.get('problems_by_rule')}, expected {exp['problems_by_rule']}")
    seen = _rules_seen(got)
    if "rules_include" in exp and not set(exp["rules_include"]) <= seen:
        bad.append(f"rules {sorted(seen)} lack {sorted(set(exp['rules_include']) - seen)}")
    if "rules_subset" in exp and not seen <= set(exp["rules_subset"]):
        bad.append(f"unexpected rules {sorted(seen - set(exp['rules_subset']))}")
    if err:
        if "total" in exp and err.get("total") != exp["total"]:
            bad.append(f"ValidationError.total {err.get('total')}, expected {exp['total']}")
        if "problems_max_rows" in exp and (err.get("problems_rows") or 0) > exp["problems_max_rows"]:
            bad.append(
                f"ValidationError.problems has {err.get('problems_rows')} rows, max_problems is {exp['problems_max_rows']}"
            )
        if "max_message_chars" in exp and err["message_chars"] > exp["max_message_chars"]:
            bad.append(f"error message of {err['message_chars']} characters (limit {exp['max_message_chars']})")
    return bad


def match_any(expect: Any, got: dict[str, Any]) -> list[str]:
    """[] if ``got`` meets one of the acceptable expectations, else why it meets none."""
    reasons = []
    for e in _alts(expect):
        bad = check_expectation(e, got)
        if not bad:
            return []
        reasons.append("; ".join(bad))
    if len(reasons) == 1:
        return reasons
    return ["none of the acceptable outcomes: " + " | ".join(f"[{i + 1}] {r}" for i, r in enumerate(reasons))]


def invariants(got: dict[str, Any]) -> list[str]:
    """What every load must satisfy, whatever the case."""
    bad: list[str] = []
    err = got.get("error")
    if err:
        if not err["takedowns"]:
            bad.append(f"raised {err['module']}.{err['class']} (not a TakedownsError): {err['message'][:200]}")
        elif err.get("problems_error"):
            bad.append(f"ValidationError.problems/.total broken: {err['problems_error']}")
        return bad
    for k in ("load_report_error", "frame_error", "rejects_error"):
        if got.get(k):
            e = got[k]
            bad.append(f"{k.replace('_error', '')} raised {e['class']}: {e['message'][:200]}")
    if bad:
        return bad
    read, acc, rej = got.get("rows_read"), got.get("rows_accepted"), got.get("rows_rejected")
    if None in (read, acc, rej) or read != acc + rej:
        bad.append(f"rows_read {read} != rows_accepted {acc} + rows_rejected {rej}")
    if got.get("frame_height") != acc or got.get("len") != acc:
        bad.append(f"len(cases) {got.get('len')} / to_polars().height {got.get('frame_height')} != rows_accepted {acc}")
    if got.get("rejects_distinct_rows") != rej:
        bad.append(f"rejects name {got.get('rejects_distinct_rows')} distinct rows, rows_rejected is {rej}")
    total = sum((got.get("problems_by_rule") or {}).values())
    if got.get("rejects_height") != total:
        bad.append(f"rejects has {got.get('rejects_height')} problems, problems_by_rule counts {total}")
    unknown = {p.get("rule") for p in got.get("rejects") or []} - RULES
    if unknown:
        bad.append(f"rejects use rules outside the contract: {sorted(map(str, unknown))}")
    return bad


def _accepted_row(got: dict[str, Any], key: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in got.get("accepted") or [] if all(str(r.get(k)) == str(v) for k, v in key.items())]


def _same(a: Any, b: Any) -> bool:
    if b is None or a is None:
        return a is None and b is None
    if isinstance(b, (int, float)) and not isinstance(b, bool):
        return isinstance(a, (int, float)) and not isinstance(a, bool) and a == b
    return str(a) == str(b)


def check_rows(case: dict[str, Any], got: dict[str, Any]) -> list[str]:
    bad: list[str] = []
    by_row: dict[int, set[str]] = {}
    for p in got.get("rejects") or []:
        by_row.setdefault(int(p["row"]), set()).add(str(p["rule"]))
    for want in case.get("rows") or []:
        n, kind = want["row"], want["expect"]
        rules = by_row.get(n)
        values = dict(want.get("values") or {})
        key = want.get("key") or ({"case_id": values["case_id"]} if "case_id" in values else None)
        if rules is not None:
            if kind == "accepted":
                bad.append(f"row {n} rejected ({', '.join(sorted(rules))}), expected accepted")
            elif not rules & set(want.get("rules") or []):
                bad.append(f"row {n} rejected as {sorted(rules)}, expected one of {want.get('rules')}")
            continue
        if kind == "rejected":
            bad.append(f"row {n} not rejected, expected {' or '.join(want.get('rules') or [])}")
            continue
        if key is None or got.get("accepted") is None:
            continue
        found = _accepted_row(got, key)
        if len(found) != 1:
            bad.append(f"row {n}: {len(found)} accepted rows match {key}, expected 1")
            continue
        for col, v in values.items():
            if col in key:
                continue
            if not _same(found[0].get(col), v):
                bad.append(f"row {n}: {col} = {found[0].get(col)!r}, expected {v!r}")
    return bad


def check_data(case: dict[str, Any], got: dict[str, Any]) -> list[str]:
    bad: list[str] = []
    checks = case.get("checks") or {}
    acc = got.get("accepted")
    if acc is None:
        return bad
    for col in checks.get("no_newline_in") or []:
        for r in acc:
            v = r.get(col)
            if isinstance(v, str) and ("\n" in v or "\r" in v):
                bad.append(
                    f"accepted {col} of case {r.get('case_id')} holds a line break (another record swallowed?): {v[:80]!r}"
                )
    if "accepted_case_ids" in checks:
        ids = sorted(str(r.get("case_id")) for r in acc)
        if ids != sorted(checks["accepted_case_ids"]):
            bad.append(f"accepted case_ids {ids}, expected {sorted(checks['accepted_case_ids'])}")
    return bad


def check_analytics(case: dict[str, Any], got: dict[str, Any], label: str) -> list[str]:
    bad: list[str] = []
    for name, rec in (got.get("analytics") or {}).items():
        where = f"{label} {name}"
        if not rec["ok"]:
            e = rec["error"]
            if not e["takedowns"]:
                bad.append(f"{where} raised {e['module']}.{e['class']}: {e['message'][:200]}")
        # How long it took is not checked here (see the module docstring): a hang is the probe's
        # timeout, and slow_steps() reports what went over analytic_seconds.
        neg = {k: v for k, v in (rec.get("negative") or {}).items() if k not in SIGNED_COLUMNS}
        if neg:
            bad.append(f"{where} has negative numbers (a wrapped total?): {neg}")
        if rec.get("infinite"):
            bad.append(f"{where} has infinite values in {rec['infinite']}")
    return bad


# ================================================================================ fixtures

_RESULTS: dict[str, dict[str, Any]] = {}
_WALL: dict[str, float] = {}


def _await_package() -> None:
    r = subprocess.run(
        [sys.executable, "-c", "import takedowns"], capture_output=True, text=True, timeout=120, check=False
    )
    if r.returncode != 0:
        pytest.fail(f"cannot import takedowns with {sys.executable}:\n{r.stderr[-2000:]}", pytrace=False)


def slow_steps(case: dict[str, Any], probe: dict[str, Any]) -> list[str]:
    """Loads over the case's ``max_load_seconds`` and analytics over its ``analytic_seconds``, for
    the summary only: wall time on a loaded machine says little, so nothing fails on it."""
    out = []
    load_limit, analytic_limit = _limit(case, "max_load_seconds"), float(_limit(case, "analytic_seconds"))
    for mode in ("strict", "quarantine"):
        got = probe.get(mode) or {}
        if load_limit is not None and got.get("load_seconds", 0) > load_limit:
            out.append(f"{mode} load {got['load_seconds']:.2f}s (over {load_limit}s)")
        for name, rec in (got.get("analytics") or {}).items():
            if rec.get("seconds", 0) > analytic_limit:
                out.append(f"{mode} {name} {rec['seconds']:.1f}s (over {analytic_limit:.0f}s)")
    return out


def _cost(case: dict[str, Any]) -> float:
    return float((case.get("report") or {}).get("timeout", 0)) + float((case.get("limits") or {}).get("timeout", 0))


@pytest.fixture(scope="session")
def hostile(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Runs every selected case (all of them if only the summary is selected), concurrently."""
    if not _RESULTS:
        _await_package()
        wanted = []
        for item in request.session.items:
            cs = getattr(item, "callspec", None)
            if cs is not None and "case_id" in cs.params and cs.params["case_id"] in CASES:
                wanted.append(cs.params["case_id"])
        ids = sorted(set(wanted) or set(CASES), key=lambda i: -_cost(CASES[i]))
        base = tmp_path_factory.mktemp("hostile")
        workers = max(2, os.cpu_count() or 2)
        t0 = time.monotonic()
        try:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                for res in pool.map(lambda i: run_case(CASES[i], base), ids):
                    _RESULTS[res["id"]] = res
        finally:
            _close_zygotes()
        _WALL["seconds"] = time.monotonic() - t0
        _WALL["workers"] = workers
        if os.environ.get("HOSTILE_RESULTS"):
            pathlib.Path(os.environ["HOSTILE_RESULTS"]).write_text(json.dumps(_RESULTS, default=_dump, indent=1))
    return _RESULTS


def _dump(o: Any) -> Any:
    if isinstance(o, Run):
        return {
            "cmd": o.cmd[-6:],
            "returncode": o.returncode,
            "seconds": round(o.seconds, 2),
            "cpu": round(o.cpu_seconds, 2),
            "killed": o.killed,
            "peak_rss_mb": round(o.peak_rss_mb),
            "stderr_tail": o.stderr[-1500:],
        }
    return str(o)


def _harness(res: dict[str, Any]) -> None:
    if res.get("harness_error"):
        pytest.fail(f"the harness failed on this case:\n{res['harness_error']}", pytrace=False)


def _probe(res: dict[str, Any], mode: str, panics: bool = False) -> dict[str, Any]:
    """The probe's result for one load mode; fails the test if the probe process itself failed,
    or (``panics``) if Rust panicked anywhere in it, even where the panic was caught."""
    _harness(res)
    run: Run = res["probe_run"]
    why = run.died()
    if why:
        pytest.fail(f"probe process {why}\n{run.stderr[-1500:]}", pytrace=False)
    if res["probe"] is None:
        pytest.fail(f"probe died (exit {run.returncode}) without a result\n{run.stderr[-2000:]}", pytrace=False)
    if res["probe"].get("import_error"):
        pytest.fail(f"import takedowns failed: {res['probe']['import_error']}", pytrace=False)
    if panics and run.panicked():
        pytest.fail(
            f"a Rust panic (even if caught) during the loads or analytics:\n{run.stderr[-1500:]}", pytrace=False
        )
    return res["probe"][mode]


def _fail(bad: list[str]) -> None:
    if bad:
        pytest.fail("\n".join(bad), pytrace=False)


IDS = list(CASES)


@pytest.mark.parametrize("case_id", IDS)
def test_strict(case_id: str, hostile: dict[str, dict[str, Any]]) -> None:
    case, res = CASES[case_id], hostile[case_id]
    got = _probe(res, "strict")
    bad = invariants(got) + match_any(case["expect"]["strict"], got)
    _fail(bad)


@pytest.mark.parametrize("case_id", IDS)
def test_quarantine(case_id: str, hostile: dict[str, dict[str, Any]]) -> None:
    case, res = CASES[case_id], hostile[case_id]
    got = _probe(res, "quarantine")
    bad = invariants(got) + match_any(case["expect"]["quarantine"], got)
    if got.get("error") is None and not bad:
        bad += check_rows(case, got) + check_data(case, got)
    strict = res["probe"]["strict"]
    if not _limit(case, "no_crash_only") and got.get("error") is None:
        # the two modes read the same file: they must agree on what is wrong with it
        serr = strict.get("error")
        n = sum((got.get("problems_by_rule") or {}).values())
        if got.get("rows_rejected") and not (serr and "ValidationError" in serr["mro"]):
            bad.append(f"quarantine rejected {got['rows_rejected']} rows but the strict load gave {strict['outcome']}")
        if not got.get("rows_rejected") and serr:
            bad.append(f"quarantine rejected nothing but the strict load raised {serr['class']}")
        if serr and serr.get("total") is not None and serr["total"] != n:
            bad.append(f"ValidationError.total {serr['total']} != {n} problems in the quarantined load")
    _fail(bad)


@pytest.mark.parametrize("case_id", IDS)
def test_analytics(case_id: str, hostile: dict[str, dict[str, Any]]) -> None:
    case, res = CASES[case_id], hostile[case_id]
    bad: list[str] = []
    for mode in ("strict", "quarantine"):
        got = _probe(res, mode, panics=True)
        if got.get("error") is None:
            bad += check_analytics(case, got, mode)
    _fail(bad)


@pytest.mark.parametrize("case_id", IDS)
def test_report(case_id: str, hostile: dict[str, dict[str, Any]]) -> None:
    case, res = CASES[case_id], hostile[case_id]
    _harness(res)
    run: Run = res["report_run"]
    bad: list[str] = []
    why = run.died()
    if why:
        _fail([f"report {why}", run.stderr[-1500:]])
    allowed = (case.get("report") or {}).get("exit", DEFAULTS["report_exit"])
    if "unrecognized arguments" in run.stderr:
        bad.append(f"the report command does not take its options: {run.stderr.strip().splitlines()[-1][:200]}")
    elif run.returncode not in allowed:
        bad.append(f"report exit {run.returncode}, expected one of {allowed}")
    if "Traceback" in run.stderr:
        bad.append("report printed a Python traceback:\n" + run.stderr[-1500:])
    if run.panicked():
        bad.append("a Rust panic in the report:\n" + run.stderr[-1000:])
    if run.returncode == 2 and "takedowns: error:" in run.stderr and len(run.stderr) > 4000:
        bad.append(f"report error output of {len(run.stderr)} characters")
    checks = case.get("checks") or {}
    if checks.get("exports") and run.returncode != 0:
        bad.append(
            f"the pack was not written (exit {run.returncode}), so its exports cannot be checked: "
            f"{run.stderr.strip()[-300:]}"
        )
    bad += res.get("export_problems") or []
    nf = res.get("report_no_force_run")
    if nf is not None:
        want = case["report"]["no_force_exit"]
        if nf.died() or nf.returncode != want or "Traceback" in nf.stderr:
            bad.append(
                f"report without --force: {nf.died() or 'exit ' + str(nf.returncode)}, expected exit {want}"
                f"{' (traceback)' if 'Traceback' in nf.stderr else ''}"
            )
    _fail(bad)


def test_manifest_is_consistent() -> None:
    """Every case names a committed file or a known generator; the committed folder stays small."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("hostile_probe", PROBE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # the probe's frame builders
    FRAMES = module.FRAMES

    problems = []
    for c in MANIFEST["cases"]:
        if c.get("file"):
            if not (DATA / c["file"]).is_file():
                problems.append(f"{c['id']}: {c['file']} missing")
        elif c.get("generator") not in GENERATORS and c.get("generator") not in FRAMES:
            problems.append(f"{c['id']}: unknown generator {c.get('generator')}")
        for mode in ("strict", "quarantine"):
            if mode not in c.get("expect", {}):
                problems.append(f"{c['id']}: no {mode} expectation")
    size = sum(p.stat().st_size for p in DATA.iterdir())
    if size > 300_000:
        problems.append(f"tests/data/hostile holds {size} bytes (limit 300 KB)")
    _fail(problems)


def test_zz_summary(hostile: dict[str, dict[str, Any]], capsys: pytest.CaptureFixture[str]) -> None:
    """The counts the README quotes: cases, errors by class, quarantines, panics, signals."""
    strict, quarantine = Counter(), Counter()
    panics, signals, hangs, foreign, tracebacks, report_exit, slow = [], [], [], [], [], Counter(), []
    harness = [cid for cid, res in hostile.items() if res.get("harness_error")]
    cpu = sum(
        run.cpu_seconds
        for res in hostile.values()
        for key in ("probe_run", "report_run", "report_no_force_run")
        if isinstance(run := res.get(key), Run)
    )
    for cid, res in sorted(hostile.items()):
        if res.get("harness_error"):
            continue
        runs = [("probe", res["probe_run"]), ("report", res["report_run"])]
        for what, run in runs:
            if run.panicked():
                panics.append(f"{cid} ({what})")
            if run.returncode is not None and run.returncode < 0 and not run.killed:
                signals.append(f"{cid} ({what}: {run.died()})")
            if run.killed:
                hangs.append(f"{cid} ({what}: {run.died()})")
        if "Traceback" in res["report_run"].stderr:
            tracebacks.append(cid)
        report_exit[
            str(res["report_run"].returncode) if not res["report_run"].killed else res["report_run"].killed
        ] += 1
        probe = res["probe"] or {}
        slow += [f"{cid} {what}" for what in slow_steps(CASES[cid], probe)]
        for mode, counter in (("strict", strict), ("quarantine", quarantine)):
            got = probe.get(mode)
            if got is None:
                counter["(no result)"] += 1
                continue
            counter[got["outcome"]] += 1
            errors = [got.get("error")] + [a.get("error") for a in (got.get("analytics") or {}).values()]
            for e in errors:
                if e and not e["takedowns"]:
                    foreign.append(f"{cid} {mode}: {e['class']}")
                if e and e["class"] == "PanicException":
                    panics.append(f"{cid} {mode}")
    lines = [
        f"hostile corpus: {len(hostile)} cases",
        "  strict load:      " + ", ".join(f"{k} {v}" for k, v in sorted(strict.items())),
        "  quarantined load: " + ", ".join(f"{k} {v}" for k, v in sorted(quarantine.items())),
        "  report exit:      " + ", ".join(f"{k}: {v}" for k, v in sorted(report_exit.items())),
        (
            f"  panics: {len(panics)}  signals: {len(signals)}  hangs/blow-ups: {len(hangs)}  "
            f"non-takedowns exceptions: {len(foreign)}  report tracebacks: {len(tracebacks)}"
        ),
        f"  time: {_WALL.get('seconds', 0):.0f}s wall with {_WALL.get('workers', 0):.0f} workers; {cpu:.0f}s CPU in subprocesses",
    ]
    if harness:
        lines.append(f"  harness errors: {', '.join(sorted(harness))}")
    for name, items in (
        ("panics", panics),
        ("signals", signals),
        ("hangs", hangs),
        ("non-takedowns exceptions", foreign),
        ("report tracebacks", tracebacks),
        ("slow (reported, not failed)", slow),
    ):
        if items:
            lines.append(f"  {name}: " + "; ".join(sorted(set(items)))[:1500])
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    _fail([f"{len(set(panics))} panic(s), {len(signals)} signal(s)"] if panics or signals else [])
