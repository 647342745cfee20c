"""takedowns: defensible numbers from records of takedown requests.

Load case records (one row per request about an account or item), then ask for compliance by
platform, reach by group, trends over time, crosstabs and a headline. Every result is a polars
DataFrame that states the definition used, with confidence intervals and small-n flags.

>>> import takedowns as td
>>> cases = td.sample()
>>> cases.compliance(by="platform").select("platform", "rate").row(0)
('facebook', 0.9245283018867925)
"""

from __future__ import annotations

from takedowns._compat import check_polars

check_polars()

from takedowns import _core, disclosure, plot, report, sources  # noqa: E402
from takedowns._cases import Cases, Table  # noqa: E402
from takedowns._core import (  # noqa: E402
    ComplianceSpec,
    LoadOptions,
    ReachSpec,
    SurvivalSpec,
    TrendSpec,
)
from takedowns._io import (  # noqa: E402
    designation_aliases,
    designations,
    from_frame,
    read,
    read_csv,
    read_excel,
    read_ipc,
    read_ndjson,
    read_parquet,
    sample,
    synthetic,
    vocabularies,
)
from takedowns._scan import Scan, scan_csv, scan_parquet, write_synthetic  # noqa: E402
from takedowns.errors import (  # noqa: E402
    ComputeError,
    EmptySelectionError,
    FileError,
    FileFormatError,
    InvalidArgumentError,
    RejectedRowsWarning,
    RejectsError,
    SchemaError,
    TakedownsError,
    ValidationError,
)
from takedowns.sources import compare_with_published  # noqa: E402

__version__: str = _core.__version__

__all__ = [
    "Cases",
    "Table",
    "ComplianceSpec",
    "ReachSpec",
    "TrendSpec",
    "SurvivalSpec",
    "LoadOptions",
    "plot",
    "report",
    "read",
    "read_csv",
    "read_excel",
    "read_ndjson",
    "read_parquet",
    "read_ipc",
    "from_frame",
    "sample",
    "synthetic",
    "vocabularies",
    "designations",
    "designation_aliases",
    "write_synthetic",
    "Scan",
    "scan_csv",
    "scan_parquet",
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
    "disclosure",
    "sources",
    "compare_with_published",
    "__version__",
]
