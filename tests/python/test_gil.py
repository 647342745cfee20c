"""Heavy calls release the GIL, and Ctrl-C interrupts them.

Neither test reads a clock or compares a duration with a threshold. Both watch the native call
itself: a profile hook (``sys.setprofile``) sees the C function ``takedowns._core.read`` begin
(event ``c_call``) and end (``c_return``, or ``c_exception`` when it raises), and the tests check
what happened *between* those two events:

- GIL: another Python thread ran while the call was in progress. The switch interval is made
  huge for the test, so the interpreter never takes the GIL from a thread; another thread runs
  only if the native code gives the GIL up. A call that held it would let the other thread in only
  after returning, and the test would fail: ``test_the_gil_probe_sees_a_call_that_holds_it``
  shows the probe failing so on ``sum``, a C function that holds the GIL.
- Ctrl-C: the KeyboardInterrupt came out of the native call (``c_exception``), raised by a signal
  handler that Python ran from inside the call, rather than after the call had returned normally.
  ``test_the_ctrl_c_probe_sees_a_call_that_ignores_it`` shows the probe failing so on ``sum``.

What is left is an assumption about the scheduler, not a threshold: a thread that is ready to run
gets the CPU at some point while a 400,000-row read is in progress (a few hundred milliseconds of
work, and longer on a loaded machine, since the read slows down too)."""

from __future__ import annotations

import _thread
import pathlib
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

import polars as pl
import pytest

import takedowns as td
from takedowns import _core

_EDGES = ("c_call", "c_return", "c_exception")


def _gil_released_during(call: Callable[[], Any], native: Any) -> tuple[bool, Any]:
    """Runs ``call()`` on a worker thread; returns whether this thread ran Python code while
    ``native`` (a C function that ``call`` calls once) was executing, and what ``call`` returned."""
    entered, left = threading.Event(), threading.Event()
    out: dict[str, Any] = {}

    def hook(frame: FrameType, event: str, arg: Any) -> None:
        if arg is native and event == "c_call":
            out["entered"] = True
            entered.set()
        elif arg is native and event in _EDGES:
            left.set()

    def work() -> None:
        sys.setprofile(hook)
        try:
            out["result"] = call()
        except BaseException as e:  # noqa: BLE001 - re-raised in the test's thread
            out["error"] = e
        finally:
            sys.setprofile(None)
            entered.set()  # never leave the test waiting, whatever happened

    interval = sys.getswitchinterval()
    # No forced switches: between Python bytecodes the worker keeps the GIL until it gives it up
    # itself (a blocking call, or native code detaching). Otherwise the interpreter would hand the
    # GIL over every 5 ms, e.g. inside the hook just before or after the native call.
    sys.setswitchinterval(1000.0)
    try:
        t = threading.Thread(target=work)
        t.start()
        entered.wait()  # this thread needs the GIL back to return from here
        during = not left.is_set()
        t.join()
    finally:
        sys.setswitchinterval(interval)
    if "error" in out:
        raise out["error"]
    assert out.get("entered"), f"{native!r} was never called"
    assert left.is_set(), f"{native!r} never returned"
    return during, out["result"]


def _interrupted_inside(call: Callable[[], Any], native: Any) -> tuple[list[str], bool]:
    """Presses Ctrl-C (SIGINT, as Jupyter's interrupt sends) once ``native`` has started, from
    another thread, until Python handles it *inside* the native call. Returns the call's profile
    events (``["c_call", "c_exception"]`` if the call itself raised) and whether ``call()`` raised
    KeyboardInterrupt."""
    events: list[str] = []
    caller: list[FrameType] = []
    press, stop = threading.Event(), threading.Event()

    def hook(frame: FrameType, event: str, arg: Any) -> None:
        if arg is native and event in _EDGES:
            events.append(event)
            if event == "c_call":
                caller.append(frame)
                press.set()

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        # Python runs signal handlers in the main thread at its next check. Inside the native call
        # that check is the call's own (it has no frame, so the current frame is its caller's);
        # outside it, the check may fall in the hook, just before the call starts or as it
        # returns. There, press again later instead; after the call, ignore the press.
        if events == ["c_call"] and frame is caller[0]:
            raise KeyboardInterrupt  # what Python's default SIGINT handler does
        if events == ["c_call"]:
            press.set()

    def ctrl_c() -> None:
        while True:
            press.wait()
            if stop.is_set():
                return
            press.clear()
            _thread.interrupt_main(signal.SIGINT)

    old = signal.signal(signal.SIGINT, on_sigint)
    presser = threading.Thread(target=ctrl_c, daemon=True)
    presser.start()
    raised = False
    try:
        sys.setprofile(hook)
        try:
            call()
        except KeyboardInterrupt:
            raised = True
        finally:
            sys.setprofile(None)
    finally:
        stop.set()
        press.set()
        presser.join()
        # signal.signal runs any press still pending before it swaps handlers, so on_sigint sees it.
        signal.signal(signal.SIGINT, old)
    assert events[:1] == ["c_call"], f"{native!r} was never called"
    return events, raised


N = 400_000


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """400,000 cases: a read of a few hundred milliseconds, far more than one 50 ms signal check."""
    path = tmp_path_factory.mktemp("gil") / "cases.csv"
    pl.DataFrame(
        {
            "case_id": pl.int_range(N, eager=True).cast(pl.String),
            "platform": pl.Series(["x", "facebook", "tiktok", "telegram"] * (N // 4)),
            "account": [f"@fake_{i % 50_000}" for i in range(N)],
            "group": pl.Series(["TTP", "BLA"] * (N // 2)),
            "reported_at": pl.Series(["2025-03-01"] * N),
            "status": pl.Series(["removed", "pending", "rejected", "withheld"] * (N // 4)),
        }
    ).write_csv(path)
    return path


# The calls watched are reads of a file (`_core.read`): their arguments and result are plain (a
# path, an options object, a Cases), so nothing but the load itself happens between c_call and
# c_return. (`_core.from_frame` would do too, but converting a large polars frame argument runs
# polars code that itself gives up the GIL, so a probe of it could pass with the load holding it.)


def test_other_threads_run_during_a_long_call(big_csv: pathlib.Path) -> None:
    during, cases = _gil_released_during(lambda: td.read_csv(big_csv), _core.read)
    assert len(cases) == N
    assert during, "no other Python thread ran while read_csv was loading: the GIL was held"


def test_the_gil_probe_sees_a_call_that_holds_it() -> None:
    # sum over a range is a C loop that never gives up the GIL: the probe must say so.
    during, total = _gil_released_during(lambda: sum(range(2_000_000)), sum)
    assert total == 1_999_999_000_000
    assert not during


def test_ctrl_c_interrupts_a_long_call(big_csv: pathlib.Path) -> None:
    events, raised = _interrupted_inside(lambda: td.read_csv(big_csv), _core.read)
    # c_exception: the KeyboardInterrupt came out of the read itself, so it stopped waiting for its
    # work (it returns early only when it wakes to check signals before the result is ready),
    # instead of finishing the load and leaving the interrupt to whatever Python ran next.
    assert raised, "read_csv was not interrupted"
    assert events == ["c_call", "c_exception"], (
        f"read_csv returned normally and the KeyboardInterrupt came later ({events})"
    )


def test_the_ctrl_c_probe_sees_a_call_that_ignores_it() -> None:
    # sum never checks for signals: the press is handled only after it returns, and ignored.
    events, raised = _interrupted_inside(lambda: sum(range(2_000_000)), sum)
    assert events == ["c_call", "c_return"]
    assert not raised
