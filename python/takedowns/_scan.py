"""Scans: compliance, reach and trend over Parquet or CSV data larger than memory."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import polars as pl

from takedowns import _core
from takedowns._cases import By, Table, _by, _spec, _tables_arg
from takedowns._core import ComplianceSpec, LoadOptions, ReachSpec, TrendSpec
from takedowns._typing import CrossValue, Every, FollowersRule, Format, PathLike
from takedowns.errors import InvalidArgumentError

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from takedowns._typing import ComplianceOptions, ReachOptions, ScanOptions, TrendOptions


class Scan:
    """A Parquet file, glob or directory (hive partitions too), or a CSV file, read lazily for
    each analytic.

    Made by :func:`takedowns.scan_parquet` or :func:`takedowns.scan_csv`. Nothing is loaded up front: each analytic is one
    query run by polars' streaming engine, batch by batch, reading only the columns it needs. Every
    batch is validated with the same rules as :func:`takedowns.read`, with two differences a
    stream imposes: invalid rows are always left out and counted (quarantine), and the
    duplicate-``case_id`` rule is not checked (it needs every id in memory at once). Each result's
    ``definition`` ends with the rows read and rejected; :attr:`last_report` has the details.

    Reach holds one record per account while it counts (48 bytes and the account's key, for reach
    by up to two label columns with the largest follower count; the rows of each account
    otherwise); for many millions of accounts it makes several passes, each over a partition of
    the accounts (``passes``; by default one per 12.5 million rows), so memory stays bounded. Only ``unit="request"`` is available for rates.
    """

    __slots__ = ("_inner",)
    _inner: _core.Scan

    def __init__(self) -> None:
        raise TypeError("use takedowns.scan_parquet(path) to make a Scan")

    @classmethod
    def _wrap(cls, inner: _core.Scan) -> Scan:
        obj = object.__new__(cls)
        object.__setattr__(obj, "_inner", inner)
        return obj

    @property
    def rows(self) -> int:
        """Rows in the source before validation: from the Parquet metadata; for a CSV file, its
        rows read as :func:`takedowns.read_csv` counts them (blank rows aside)."""
        return self._inner.rows()

    @property
    def source(self) -> str:
        """The path or glob scanned."""
        return self._inner.source()

    @property
    def extra_columns(self) -> list[str]:
        """Columns beyond the canonical ones (hive partitions, your own), usable in ``by``."""
        return self._inner.extra_columns()

    @property
    def passes(self) -> int:
        """The passes :meth:`reach` makes by default: one per 12.5 million rows."""
        return self._inner.passes()

    def compliance(
        self, by: By = "platform", *, spec: ComplianceSpec | None = None, **options: Unpack[ComplianceOptions]
    ) -> pl.DataFrame:
        """Compliance per group, as :meth:`takedowns.Cases.compliance` (unit = request)."""
        return self._inner.compliance(_by(by), _spec(ComplianceSpec, spec, options))

    def reach(
        self,
        by: By = "group",
        *,
        passes: int | None = None,
        spec: ReachSpec | None = None,
        **options: Unpack[ReachOptions],
    ) -> pl.DataFrame:
        """Reach per group, as :meth:`takedowns.Cases.reach`, in ``passes`` passes over the accounts.

        Each pass reads the data again and holds about 1/``passes`` of the accounts; the result is
        the same for any number of passes (median and top 10 included). ``groups="latest"`` is not
        available in a scan.
        """
        if passes is not None and passes < 1:
            raise ValueError("passes must be >= 1")
        return self._inner.reach(_by(by), _spec(ReachSpec, spec, options), passes)

    def trend(
        self,
        every: Every | None = None,
        *,
        by: By = None,
        spec: TrendSpec | None = None,
        **options: Unpack[TrendOptions],
    ) -> pl.DataFrame:
        """Cases per period, as :meth:`takedowns.Cases.trend` (unit = request)."""
        spec = _spec(TrendSpec, spec, options)
        if every is not None:
            spec = spec.replace(every=every)
        return self._inner.trend(_by(by), spec)

    def crosstab(
        self,
        rows: str = "group",
        columns: str = "platform",
        *,
        value: CrossValue = "cases",
        followers: FollowersRule = "max",
        spec: ComplianceSpec | None = None,
        **options: Unpack[ComplianceOptions],
    ) -> pl.DataFrame:
        """A table with ``rows`` down and ``columns`` across, as :meth:`takedowns.Cases.crosstab`:
        ``value="cases"`` (default), ``"rate"`` (unit = request), ``"accounts"`` or
        ``"followers"`` (in :attr:`passes` passes over the accounts, as :meth:`reach`)."""
        return self._inner.crosstab(rows, columns, value, followers, _spec(ComplianceSpec, spec, options))

    def tables(self, tables: Sequence[Table], *, passes: int | None = None) -> list[pl.DataFrame]:
        """Several tables from one read of the data, in order, each equal to its own method's.

        The files are read and validated once, and every batch feeds every table (its partial
        sums, or for reach and crosstabs of accounts each account's state); :attr:`last_report`
        counts each row once. Tables that count accounts take :attr:`passes` passes (one per
        12.5 million rows unless ``passes`` is given): the first pass computes every table and
        the first part of the accounts, each further pass the next part only.

        >>> import takedowns as td, tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "cases.parquet")
        >>> td.sample().to_polars().write_parquet(path)
        >>> scan = td.scan_parquet(path)
        >>> compliance, reach, trend = scan.tables(
        ...     [td.Table.compliance("platform"), td.Table.reach("group"), td.Table.trend("month", by="platform")]
        ... )
        >>> compliance.drop("definition").equals(td.sample().compliance(by="platform").drop("definition"))
        True
        >>> scan.last_report["rows_read"]
        896
        """
        if passes is not None and passes < 1:
            raise ValueError("passes must be >= 1")
        return self._inner.tables(_tables_arg(tables), passes)

    def check(self) -> dict[str, Any]:
        """Read and validate every row once; return the report (rows read = accepted + rejected)."""
        return self._inner.check()

    @property
    def last_report(self) -> dict[str, Any] | None:
        """The report of the last analytic's pass: rows read, accepted, rejected, problems by rule."""
        return self._inner.last_report()

    @property
    def last_rejects(self) -> pl.DataFrame | None:
        """The first problems of the last pass (up to ``max_problems``), with file and row.

        Rows are numbered across the scanned files in path order, from 1.
        """
        return self._inner.last_rejects()

    def __repr__(self) -> str:
        return f"<takedowns.Scan: {self.source}, {self.rows:,} rows>"


def scan_parquet(path: PathLike, *, options: LoadOptions | None = None, **keywords: Unpack[ScanOptions]) -> Scan:
    """Scan Parquet data too large to load: a file, a glob or a directory (hive partitions too).

    ``data/year=2025/month=03/part-0.parquet`` gives columns ``year`` and ``month`` to use in
    ``by``. The columns are checked now; rows are read and validated when an analytic runs. The
    options are those of :class:`takedowns.LoadOptions`, as ``options=`` or keywords; invalid rows
    are always quarantined.

    Examples
    --------
    >>> import tempfile, os, takedowns as td
    >>> d = tempfile.mkdtemp()
    >>> _ = td.write_synthetic(os.path.join(d, "cases"), 30_000, seed=1, files=3)
    >>> scan = td.scan_parquet(os.path.join(d, "cases"))
    >>> scan
    <takedowns.Scan: ..., 30,000 rows>
    >>> scan.compliance().select("platform", "requests").row(0)
    ('facebook', 4987)
    >>> scan.last_report["rows_rejected"]
    0
    """
    return Scan._wrap(_core.scan_parquet(os.fspath(path), _spec(LoadOptions, options, _quarantined(keywords))))


def scan_csv(path: PathLike, *, options: LoadOptions | None = None, **keywords: Unpack[ScanOptions]) -> Scan:
    """Scan a CSV file too large to load: each analytic reads it batch by batch.

    One pass over the file's bytes now checks the header and finds what
    :func:`takedowns.read_csv` would: blank rows (skipped, their numbers kept), and records with
    the wrong number of fields, invalid UTF-8 or a field over ``max_field_bytes`` (each rejected
    with its row and rule). Each analytic then reads the file with polars' streaming reader and
    validates each batch with the same rules as a load (the duplicate-``case_id`` rule aside), so
    its tables, rows and rejects are a load's. The options are those of
    :class:`takedowns.LoadOptions` (``delimiter=";"``, ``null_values``, ``thousands`` ...);
    invalid rows are always quarantined.

    The file must hold no quote character (``"``): a quoted field can hold a line break or a
    delimiter, which the line-by-line check does not follow. Nor may a line hold a carriage
    return other than its ``\\r\\n`` end (an old Mac line end, which ends a record for a load).
    Such a file is refused with the row; read it with :func:`takedowns.read_csv`. A wide table
    (``outcome_columns``) is refused too. The file must not change while the scan is used: a
    pass over a changed file is refused (make the scan again).

    Reading: each analytic's pass reads the file 32 MiB at a time, two pieces at once (at 10M
    rows, reading and validating alone, ``scan.check()``, peaked at 593 MB).

    Examples
    --------
    >>> import tempfile, os, takedowns as td
    >>> p = os.path.join(tempfile.mkdtemp(), "cases.csv")
    >>> _ = td.write_synthetic(p, 20_000, seed=1)
    >>> scan = td.scan_csv(p)
    >>> scan
    <takedowns.Scan: ..., 20,000 rows>
    >>> (c,) = scan.tables([td.Table.compliance("platform")])
    >>> c["requests"].to_list() == td.read_csv(p).compliance()["requests"].to_list()
    True
    """
    return Scan._wrap(_core.scan_csv(os.fspath(path), _spec(LoadOptions, options, _quarantined(keywords))))


def _quarantined(keywords: Any) -> dict[str, Any]:
    """A scan's keyword options, quarantining: ``on_invalid="raise"`` is refused, not ignored (a
    stream cannot fail on a row it has already counted; :func:`takedowns.read` can)."""
    opts: dict[str, Any] = dict(keywords)
    if opts.get("on_invalid", "quarantine") != "quarantine":
        raise InvalidArgumentError(
            f"on_invalid={opts['on_invalid']!r}: a scan always quarantines invalid rows (each result says how "
            "many); to fail on them, read the data with td.read(...)",
            "on_invalid",
        )
    opts["on_invalid"] = "quarantine"
    return opts


def write_synthetic(
    path: PathLike, n: int, *, seed: int = 0, format: Format | None = None, files: int = 1
) -> list[str]:
    """Write ``n`` synthetic cases (as :func:`takedowns.synthetic`) to Parquet or CSV.

    ``format`` is ``"parquet"`` or ``"csv"``; by default a path ending in ``.csv`` gets CSV and
    any other Parquet.

    Written 131,072 rows (one Parquet row group) at a time, so any ``n`` (1e8 and more) fits in
    memory. With ``files`` > 1, ``path`` is a directory that gets ``part-00000.parquet`` ... with
    equal shares of the rows; the files together equal ``synthetic(n, seed=seed)``. Returns the paths written.
    """
    if n < 0 or files < 1:
        raise ValueError("n must be >= 0 and files >= 1")
    if format is None:
        format = "csv" if os.fspath(path).lower().endswith(".csv") else "parquet"
    return _core.write_synthetic(os.fspath(path), n, seed, format, files)
