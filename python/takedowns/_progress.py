"""Progress of a long command: a bar redrawn in place on a terminal, nothing otherwise.

``takedowns report`` on millions of rows takes tens of seconds; on a terminal the user sees each
step as it starts (which table, which figure), how far along the phase is, and the time spent.
Written to a log or a pipe (not a terminal), it says nothing: a bar drawn with carriage returns
would fill a log with redraws.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

_WIDTH = 24


class Progress:
    """Draws ``phase [#####-----] k/n label  12.3 s`` on ``stream`` when it is a terminal."""

    def __init__(self, quiet: bool = False, stream: TextIO | None = None) -> None:
        self.stream = sys.stderr if stream is None else stream
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = not quiet and callable(isatty) and bool(isatty())
        self.start = time.perf_counter()
        self.phase, self.total, self.done, self.width = "", 0, 0, 0

    def begin(self, phase: str, total: int) -> None:
        """Starts a phase of ``total`` steps (0 when it is one step of unknown length)."""
        self.phase, self.total, self.done = phase, total, 0
        self._draw("")

    def step(self, label: str) -> None:
        """Says that the next step, ``label``, starts."""
        self._draw(label)
        self.done += 1

    @contextmanager
    def ticking(self, phase: str) -> Iterator[None]:
        """A phase of one long step (a load, which releases the GIL): its time redrawn twice a
        second until it ends."""
        self.begin(phase, 0)
        stop = threading.Event()

        def tick() -> None:
            while not stop.wait(0.5):
                self._draw("")

        thread = threading.Thread(target=tick, daemon=True) if self.enabled else None
        if thread is not None:
            thread.start()
        try:
            yield
        finally:
            stop.set()
            if thread is not None:
                thread.join()
            self.end()

    def end(self) -> None:
        """Ends the bar's line (the next output starts on a line of its own)."""
        if self.enabled and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        # The bar's line is cleared whether the work ended or failed, so an error starts clean.
        self.end()

    def _draw(self, label: str) -> None:
        if not self.enabled:
            return
        seconds = time.perf_counter() - self.start
        if self.total:
            filled = _WIDTH * self.done // self.total
            bar = f"[{'#' * filled}{'-' * (_WIDTH - filled)}] {self.done}/{self.total}"
        else:
            bar = "..."
        # Within the terminal's width: a wrapped line would leave its first part behind on
        # every redraw (a carriage return goes back to the start of the last line only).
        width = max(20, shutil.get_terminal_size((80, 24)).columns - 1)
        tail = f"  {seconds:.1f} s"
        line = f"{self.phase} {bar} {label}"[: max(0, width - len(tail))] + tail
        self.width = min(self.width, width)
        # Pad over what the last line left, then return to its start.
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = max(self.width, len(line))
