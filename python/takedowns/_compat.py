"""The supported polars range, checked at import with a clear message."""

from __future__ import annotations

import re

import polars as pl

SUPPORTED = ((2, 0), (3, 0))


def check_polars(version: str = pl.__version__) -> None:
    """Raise ImportError unless ``version`` is within the supported polars range.

    >>> check_polars("2.1.0")
    >>> check_polars("1.44.2")
    Traceback (most recent call last):
    ...
    ImportError: takedowns needs polars >=2.0,<3.0 but polars 1.44.2 is installed; run: pip install 'polars>=2.0,<3'
    """
    m = re.match(r"(\d+)\.(\d+)", version)
    found = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
    lo, hi = SUPPORTED
    if not (lo <= found < hi):
        raise ImportError(
            f"takedowns needs polars >={lo[0]}.{lo[1]},<{hi[0]}.{hi[1]} but polars {version} is "
            f"installed; run: pip install 'polars>={lo[0]}.{lo[1]},<{hi[0]}'"
        )
