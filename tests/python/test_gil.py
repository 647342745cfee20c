"""Heavy calls release the GIL: another Python thread makes progress during them."""

from __future__ import annotations

import threading

import polars as pl

import takedowns as td


def test_other_threads_run_during_a_long_call() -> None:
    n = 400_000
    df = pl.DataFrame({
        "case_id": [str(i) for i in range(n)],
        "platform": ["x", "facebook", "tiktok", "telegram"] * (n // 4),
        "account": [f"@fake_{i % 50_000}" for i in range(n)],
        "group": ["TTP", "BLA"] * (n // 2),
        "reported_at": ["2025-03-01"] * n,
        "status": ["removed", "pending", "rejected", "withheld"] * (n // 4),
    })
    done = threading.Event()
    result: list[td.Cases] = []

    def work() -> None:
        result.append(td.from_frame(df))
        done.set()

    t = threading.Thread(target=work)
    ticks = 0
    t.start()
    while not done.is_set():
        ticks += 1
    t.join()
    assert len(result[0]) == n
    # With the GIL held for the whole load this loop could not run; released, it spins freely.
    assert ticks > 10_000, ticks


def test_ctrl_c_interrupts_a_long_call() -> None:
    import _thread
    import time

    n = 2_000_000
    df = pl.DataFrame({
        "case_id": pl.int_range(n, eager=True).cast(pl.String),
        "platform": pl.Series(["x", "facebook"] * (n // 2)),
        "account": pl.int_range(n, eager=True).cast(pl.String),
        "group": pl.Series(["TTP", "BLA"] * (n // 2)),
        "reported_at": pl.Series(["2025-03-01"] * n),
        "status": pl.Series(["removed", "pending"] * (n // 2)),
    })
    start = time.perf_counter()
    td.from_frame(df)
    full = time.perf_counter() - start
    timer = threading.Timer(0.1, _thread.interrupt_main)  # what Ctrl-C in Jupyter does
    timer.start()
    start = time.perf_counter()
    try:
        td.from_frame(df)
        raise AssertionError("the call was not interrupted")
    except KeyboardInterrupt:
        waited = time.perf_counter() - start
    finally:
        timer.cancel()
    assert waited < 0.1 + 0.5 * full + 0.2, (waited, full)
