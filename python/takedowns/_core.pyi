"""Type stubs for the native module (checked with mypy stubtest)."""

from collections.abc import Sequence
from os import PathLike
from typing import Any

import polars as pl
from typing_extensions import final

__all__ = ["Cases", "read", "from_frame", "sample", "synthetic", "__version__", "SAMPLE_CSV"]

__version__: str
SAMPLE_CSV: str

@final
class Cases:
    def frame(self) -> pl.DataFrame: ...
    def rejects(self) -> pl.DataFrame: ...
    def __len__(self) -> int: ...
    def load_report(self) -> dict[str, Any]: ...
    def compliance(
        self, by: Sequence[str], success: Sequence[str], pending: str, unit: str, weight: str,
        method: str, ci: float, min_n: int,
    ) -> pl.DataFrame: ...
    def reach(self, by: Sequence[str], followers: str) -> pl.DataFrame: ...
    def trend(
        self, by: Sequence[str], every: str, on: str, year_start: int, start: int | None,
        end: int | None, success: Sequence[str], pending: str, unit: str, weight: str,
        method: str, ci: float, min_n: int,
    ) -> pl.DataFrame: ...
    def crosstab(
        self, rows: str, columns: str, value: str, followers: str, success: Sequence[str],
        pending: str, unit: str, weight: str, method: str, ci: float, min_n: int,
    ) -> pl.DataFrame: ...
    def time_to_action(
        self, by: Sequence[str], as_of: int | None, success: Sequence[str], ci: float,
        deadlines_hours: Sequence[float], horizon_days: float, steps: bool,
    ) -> pl.DataFrame: ...
    def summary(self) -> pl.DataFrame: ...
    def headline(self) -> str: ...
    def filter(
        self, platforms: Sequence[str] | None, groups: Sequence[str] | None,
        statuses: Sequence[str] | None, start: int | None, end: int | None,
        equals: Sequence[tuple[str, Sequence[str]]],
    ) -> Cases: ...
    def with_frame(self, df: pl.DataFrame) -> Cases: ...

def read(
    path: str | PathLike[str], format: str, columns: dict[str, str] | None,
    status_labels: dict[str, str] | None, platform_aliases: dict[str, str] | None,
    group_aliases: dict[str, str] | None, group_aliases_csv: str | None, date_order: str,
    on_invalid: str, required: Sequence[str] | None, max_problems: int,
) -> Cases: ...
def from_frame(
    df: pl.DataFrame, columns: dict[str, str] | None, status_labels: dict[str, str] | None,
    platform_aliases: dict[str, str] | None, group_aliases: dict[str, str] | None,
    group_aliases_csv: str | None, date_order: str, on_invalid: str,
    required: Sequence[str] | None, max_problems: int,
) -> Cases: ...
def sample() -> Cases: ...
def synthetic(n: int, seed: int) -> pl.DataFrame: ...
