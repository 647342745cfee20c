"""Ctrl-C stops the work, not only the wait: after the interrupt the worker stops at its next
check and the process goes idle.

Each case runs in a fresh interpreter so that the CPU time it measures is that process's alone. A
timer thread sends SIGINT once the native call is under way; the call must raise
KeyboardInterrupt, and over the second that follows (after a half-second grace for the batch in
hand) the process must use almost no CPU. Without cancellation the worker would keep computing
for seconds: the measure is of CPU seconds used, not of time taken, so a loaded machine does not
make it pass or fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

PROBE = r"""
import json, os, resource, signal, sys, threading, time
import takedowns as td

kind, path = sys.argv[1], sys.argv[2]
if kind == "scan":
    scan = td.scan_parquet(path)
    work = lambda: scan.reach(passes=40)
else:
    cases = td.from_frame(td.synthetic(400_000, seed=5))
    work = lambda: cases.time_to_action(by="account_key")

def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

def interrupt():
    time.sleep(0.5)
    os.kill(os.getpid(), signal.SIGINT)

threading.Thread(target=interrupt, daemon=True).start()
started = cpu()
try:
    work()
    out = {"interrupted": False}
except KeyboardInterrupt:
    time.sleep(0.5)
    before = cpu()
    time.sleep(1.0)
    out = {"interrupted": True, "cpu_before": before - started, "cpu_after": cpu() - before}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def big_parquet(tmp_path_factory: pytest.TempPathFactory) -> str:
    import takedowns as td

    path = tmp_path_factory.mktemp("cancel") / "cases.parquet"
    td.write_synthetic(path, 1_000_000, seed=9)
    return str(path)


@pytest.mark.parametrize("kind", ["scan", "time_to_action"])
def test_ctrl_c_stops_the_worker(kind: str, big_parquet: str) -> None:
    env = dict(os.environ, POLARS_MAX_THREADS="2")
    run = subprocess.run(
        [sys.executable, "-c", PROBE, kind, big_parquet], capture_output=True, text=True, timeout=600, env=env
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout.strip().splitlines()[-1])
    # The work must still have been running when the interrupt came, or this proves nothing.
    assert out["interrupted"], f"{kind} finished before the interrupt: make the work bigger"
    # Idle: a worker left running would use close to a CPU-second per second here.
    assert out["cpu_after"] < 0.15, out
