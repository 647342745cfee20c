"""The exceptions raised by takedowns.

Every exception derives from :class:`TakedownsError`, and also from the builtin a caller would
expect: file problems are ``OSError``, bad data and bad arguments are ``ValueError``.

- :class:`FileError` (``OSError``): a file cannot be opened or read.
- :class:`FileFormatError` (``FileError``): a file is not valid in its format (no header row,
  corrupt Parquet).
- :class:`SchemaError` (``ValueError``): a required column is missing.
- :class:`ValidationError` (``ValueError``): strict loading found invalid rows; ``.problems`` is a
  polars DataFrame (file, row, column, value, rule, message) and ``.total`` the number of problems.
- :class:`InvalidArgumentError` (``ValueError``): an option or argument is not valid.
- :class:`EmptySelectionError` (``ValueError``): nothing to compute on (e.g. a trend with no dates).
- :class:`RejectsError` (``ValueError``): the report pack refuses to show numbers that the rows
  rejected at load would bias (too large a share rejected, or a whole platform, group or outcome
  rejected); ``.lost`` lists what was lost.
- :class:`ComputeError` (``RuntimeError``): an unexpected failure inside the engine.

One warning: :class:`RejectedRowsWarning` (a ``UserWarning``), issued once per ``Cases`` by the
first analytic on cases whose load rejected rows. Filter it or turn it into an error with the
``warnings`` module (``warnings.simplefilter("error", td.RejectedRowsWarning)``).
"""

from __future__ import annotations

import polars as pl

__all__ = [
    "TakedownsError",
    "FileError",
    "FileFormatError",
    "SchemaError",
    "ValidationError",
    "InvalidArgumentError",
    "EmptySelectionError",
    "ComputeError",
    "RejectsError",
    "RejectedRowsWarning",
]


class TakedownsError(Exception):
    """Base class of every takedowns error."""


class FileError(TakedownsError, OSError):
    """A file cannot be opened or read. ``.filename`` is the path."""

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message)
        self.filename = path

    def __str__(self) -> str:
        return str(self.args[0])


class FileFormatError(FileError):
    """A file is not valid in the format it was read as."""


class SchemaError(TakedownsError, ValueError):
    """A required column is missing. ``.column`` is its canonical name."""

    def __init__(self, message: str, column: str) -> None:
        super().__init__(message)
        self.column = column


class ValidationError(TakedownsError, ValueError):
    """Strict loading found invalid rows.

    ``.problems`` lists them (at most ``max_problems`` rows): file, row, column, value, rule,
    message; ``.total`` counts all of them.
    """

    def __init__(self, message: str, problems: pl.DataFrame, total: int) -> None:
        super().__init__(message)
        self.problems = problems
        self.total = total


class InvalidArgumentError(TakedownsError, ValueError):
    """An argument or option is not valid. ``.argument`` names it."""

    def __init__(self, message: str, argument: str) -> None:
        super().__init__(message)
        self.argument = argument


class EmptySelectionError(TakedownsError, ValueError):
    """There is nothing to compute on."""


class ComputeError(TakedownsError, RuntimeError):
    """An unexpected failure inside the engine."""


class RejectsError(TakedownsError, ValueError):
    """The rows rejected at load would bias the report: more than the allowed share, or every row
    of a platform, group or outcome. ``.lost`` lists (column, value, rows rejected)."""

    def __init__(self, message: str, lost: list[tuple[str, str, int]]) -> None:
        super().__init__(message)
        self.lost = lost


class RejectedRowsWarning(UserWarning):
    """An analytic ran on cases whose load rejected rows: its numbers leave those rows out."""
