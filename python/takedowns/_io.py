"""Loaders: files, frames and the embedded sample, all to :class:`takedowns.Cases`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import polars as pl

from takedowns import _core
from takedowns._cases import Cases, _spec
from takedowns._core import LoadOptions
from takedowns._typing import PathLike
from takedowns.errors import FileError, FileFormatError, InvalidArgumentError, SchemaError

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from takedowns._typing import LoadKeywords


_OPTIONS_DOC = """
    options
        A :class:`~takedowns.LoadOptions`; the keywords below, given beside it, change it.
    columns, status_labels, platform_aliases, group_aliases, date_order, on_invalid, required, max_problems, max_field_bytes, max_columns, null_values, thousands, delimiter, outcome_columns
        The options of :class:`~takedowns.LoadOptions`, which describes each. The ones most
        often needed: ``columns={"Handle": "account"}`` maps your headers to canonical names;
        ``status_labels={"actioned": "removed"}`` adds outcome labels; ``date_order="day-first"``
        reads 03/04/2025 as 3 April; ``on_invalid="quarantine"`` loads the valid rows and keeps
        the others in ``Cases.rejects`` (the default, ``"raise"``, raises
        :class:`~takedowns.errors.ValidationError` listing every problem); from spreadsheets,
        ``null_values=["n/a", "-"]`` reads those as missing, ``thousands=","`` reads 12,000 and
        ``delimiter=";"`` reads a file saved where the decimal mark is a comma; a table published
        wide (Platform, Blocked, Pending) reads with ``outcome_columns={"Blocked": "removed",
        "Pending": "pending"}``.
"""


_WORKBOOKS = (".xlsx", ".xlsm", ".xls", ".ods")
# The extensions td.read reads with the engine (as `takedowns::load::read_path` does).
_FORMATS = (".csv", ".ndjson", ".jsonl", ".parquet", ".pq", ".arrow", ".ipc", ".feather")


def _read(path: PathLike, fmt: str, options: LoadOptions | None, keywords: Mapping[str, Any]) -> Cases:
    name = os.fspath(path)
    opts = _spec(LoadOptions, options, keywords)
    # A reader reads one file: a directory or a pattern is said so, with what reads several.
    several = "; to read a directory or a pattern of Parquet files use td.scan_parquet"
    if os.path.isdir(name):
        raise FileError(f"{name}: is a directory, and td.read reads one file{several}", name)
    if not os.path.exists(name) and any(c in os.path.basename(name) for c in "*?["):
        raise FileError(f"{name}: no such file (td.read reads one file, not a pattern{several})", name)
    ext = os.path.splitext(name)[1].lower()
    if fmt == "auto" and ext in _WORKBOOKS:
        return read_excel(name, options=opts)
    if fmt == "auto" and ext not in _FORMATS:
        raise InvalidArgumentError(
            f"invalid argument `path`: {name}: cannot tell the format from the extension {ext!r}; use "
            + ", ".join(_FORMATS + _WORKBOOKS)
            + ", or the reader of the format (td.read_csv ...)",
            "path",
        )
    try:
        return Cases._wrap(_core.read(name, fmt, opts))
    except SchemaError as e:
        if "Parquet decimals" not in str(e):
            raise
    # Decimal columns: the Rust reader lacks them, polars' Python reader has them; the frame is
    # then loaded like any other, decimals exactly as text.
    with open(name, "rb") as f:
        data = f.read()
    return _from_file_frame(pl.read_parquet(data), opts, name, data)


def _from_file_frame(df: pl.DataFrame, opts: LoadOptions, name: str, data: bytes) -> Cases:
    """A frame a Python reader made from the file ``name`` (whose bytes are ``data``), loaded like
    any other frame and still named by its file, with the SHA-256 of those bytes."""
    import hashlib

    df = _engine_types(df, opts.to_dict()["columns"])
    return Cases._wrap(_core.from_frame(df, opts, name, hashlib.sha256(data).hexdigest()))


def read(path: PathLike, *, options: LoadOptions | None = None, **keywords: Unpack[LoadKeywords]) -> Cases:
    """Read case records from a file, choosing the format by extension.

    ``.csv``, ``.ndjson``/``.jsonl``, ``.parquet``, ``.arrow``/``.ipc``/``.feather``, and the first
    sheet of a workbook (``.xlsx``, ``.xlsm``, ``.xls``, ``.ods``: :func:`read_excel`). See
    :func:`read_csv` for the options.
    """
    return _read(path, "auto", options, keywords)


def read_csv(path: PathLike, *, options: LoadOptions | None = None, **keywords: Unpack[LoadKeywords]) -> Cases:
    """Read case records from a CSV file (header row, comma-separated, UTF-8).

    Each record is read on its own: a record with the wrong number of fields, invalid UTF-8 or a
    field over 1 MiB is a problem of that row only.

    Parameters
    ----------
    path
        The file.
    """
    return _read(path, "csv", options, keywords)


read_csv.__doc__ = (
    (read_csv.__doc__ or "")
    + _OPTIONS_DOC
    + """
    Returns
    -------
    Cases

    Raises
    ------
    FileError, FileFormatError, SchemaError, ValidationError, InvalidArgumentError

    Examples
    --------
    >>> import takedowns as td, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "cases.csv"
    >>> _ = p.write_text(
    ...     "case_id,platform,account,group,reported_at,status\\n"
    ...     "1,Twitter,@fake_a,TTP,2025-03-01,withheld\\n"
    ...     "2,FB,@fake_b,BLA,2025-03-02,maybe\\n")
    >>> cases = td.read_csv(p, on_invalid="quarantine")
    >>> cases.load_report["rows_read"], cases.load_report["rows_accepted"]
    (2, 1)
    >>> cases.rejects.select("row", "column", "value", "rule")
    shape: (1, 4)
    ┌─────┬────────┬───────┬────────────────┐
    │ row ┆ column ┆ value ┆ rule           │
    │ --- ┆ ---    ┆ ---   ┆ ---            │
    │ u64 ┆ str    ┆ str   ┆ str            │
    ╞═════╪════════╪═══════╪════════════════╡
    │ 2   ┆ status ┆ maybe ┆ unknown_status │
    └─────┴────────┴───────┴────────────────┘
"""
)


def read_excel(
    path: PathLike,
    *,
    sheet: int | str = 0,
    options: LoadOptions | None = None,
    **keywords: Unpack[LoadKeywords],
) -> Cases:
    """Read case records from a sheet of an Excel workbook (``.xlsx``, ``.xlsm``, ``.xls``,
    ``.ods``), with polars' calamine reader (``pip install fastexcel``).

    Every cell is read as the text Excel shows for it and then parsed like a CSV field (dates typed
    as dates come as ``2025-04-03 00:00:00``, read as such). Empty rows are skipped and counted
    (``load_report["blank_rows"]``); row numbers count every row below the header, so a rejected
    row's number plus one is its line in the sheet. The load report names the file and the SHA-256
    of its bytes. Options as for :func:`read_csv`.

    Parameters
    ----------
    sheet
        The sheet's name, or its position from 0 (default: the first).

    Examples
    --------
    >>> import takedowns as td
    >>> cases = td.read_excel("tests/data/messy_sheet.xlsx", columns={"Ref No": "case_id", "Handle": "account",
    ...     "Organisation": "group", "Date reported": "reported_at", "Outcome": "status"},
    ...     status_labels={"Actioned": "removed"}, group_aliases={"Fitna al-Hindustan": "BLA"},
    ...     date_order="day-first", thousands=",", null_values=["n/a"], on_invalid="quarantine")
    >>> cases.load_report["rows_read"], cases.load_report["blank_rows"], cases.rejects["rule"].to_list()
    (5, 1, ['impossible_date'])
    """
    import io

    name = os.fspath(path)
    try:
        import fastexcel  # noqa: F401
    except ModuleNotFoundError as e:
        raise ModuleNotFoundError("read_excel needs fastexcel: pip install fastexcel") from e
    try:
        with open(name, "rb") as f:
            data = f.read()
    except OSError as e:
        raise FileError(f"{name}: {e.strerror or e}", name) from None
    which: dict[str, Any] = {"sheet_name": sheet} if isinstance(sheet, str) else {"sheet_id": sheet + 1}
    try:
        df = pl.read_excel(io.BytesIO(data), engine="calamine", infer_schema_length=0, drop_empty_rows=False, **which)
    except Exception as e:  # calamine's own errors: not a workbook, no such sheet
        raise FileFormatError(f"{name}: cannot read as a workbook: {e}", name) from None
    return _from_file_frame(df, _spec(LoadOptions, options, keywords), name, data)


def read_ndjson(path: PathLike, *, options: LoadOptions | None = None, **keywords: Unpack[LoadKeywords]) -> Cases:
    """Read case records from newline-delimited JSON (one object a line).

    Options as for :func:`read_csv`. A line that is not a JSON object is a problem of that row
    only.
    """
    return _read(path, "ndjson", options, keywords)


def read_parquet(path: PathLike, *, options: LoadOptions | None = None, **keywords: Unpack[LoadKeywords]) -> Cases:
    """Read case records from a Parquet file. Options as for :func:`read_csv`."""
    return _read(path, "parquet", options, keywords)


def read_ipc(path: PathLike, *, options: LoadOptions | None = None, **keywords: Unpack[LoadKeywords]) -> Cases:
    """Read case records from an Arrow IPC (Feather v2) file. Options as for :func:`read_csv`."""
    return _read(path, "ipc", options, keywords)


def _from_pandas(obj: Any) -> pl.DataFrame:
    """A pandas frame as polars: duplicate column names are refused (which of two `status`
    columns is the status?); an object column whose values mix types (ints and strings, as
    spreadsheets give) is read as text, each value by ``str``, missing values kept missing."""
    names = [str(c) for c in obj.columns]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise SchemaError(
            f"<dataframe>: the column name(s) {', '.join(repr(d) for d in dupes)} appear more than once; "
            "rename or drop the duplicates",
            dupes[0],
        )
    try:
        return pl.from_pandas(obj)
    except Exception:  # pyarrow refuses object columns of mixed types; read those as text
        fixed = obj.copy()
        fixed.columns = names
        for name in names:
            col = fixed[name]
            if col.dtype == object:
                fixed[name] = [None if v is None or (isinstance(v, float) and v != v) else str(v) for v in col]
        try:
            return pl.from_pandas(fixed)
        except Exception as e:
            raise SchemaError(f"<dataframe>: the pandas frame cannot be converted: {e}", "") from None


# Arrow types the engine does not take as they are: read exactly as text, then parsed and
# checked like any text column. (Decimal followers from a database stay exact this way.)
_AS_TEXT = (pl.Decimal, pl.Time, pl.Int128, pl.UInt128, pl.Float16)
# Nested types the engine is not built with: a canonical column of such a type is an error; an
# extra column is carried as the text of each value.
_NESTED = (pl.Struct, pl.Array, pl.Object)
_CANONICAL = (
    "case_id",
    "platform",
    "account",
    "group",
    "followers",
    "reported_at",
    "actioned_at",
    "status",
    "agency",
    "content_type",
    "reason",
    "jurisdiction",
    "source",
    "count",
)


def _fold(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def _engine_types(df: pl.DataFrame, columns: Mapping[str, str] | None = None) -> pl.DataFrame:
    """Casts the columns whose types the native engine lacks to text (Enum to String too); a
    canonical column of a nested type fails by name, as the engine's own type check does."""
    mapped = dict(columns or {})
    casts = []
    for name, dtype in df.schema.items():
        if isinstance(dtype, _NESTED) or dtype in _NESTED:
            canonical = mapped.get(name, _fold(name))
            if canonical in _CANONICAL:
                raise SchemaError(
                    f"<dataframe>: column `{name}` has type {dtype}, which `{canonical}` cannot take; convert or "
                    "drop the column, or map another one",
                    canonical,
                )
            casts.append(pl.col(name).map_elements(lambda v: None if v is None else str(v), return_dtype=pl.String))
        elif isinstance(dtype, _AS_TEXT) or dtype in _AS_TEXT or isinstance(dtype, pl.Enum):
            casts.append(pl.col(name).cast(pl.String))
    return df.with_columns(casts) if casts else df


def _to_polars(obj: Any) -> pl.DataFrame:
    if isinstance(obj, pl.DataFrame):
        return obj
    if isinstance(obj, pl.LazyFrame):
        return obj.collect()
    module = type(obj).__module__.split(".")[0]
    if module == "pandas":
        return _from_pandas(obj)
    if hasattr(obj, "__arrow_c_stream__") or module == "pyarrow":
        out = pl.from_arrow(obj) if module == "pyarrow" else pl.DataFrame(obj)
        if isinstance(out, pl.Series):
            return out.to_frame()
        return out
    raise TypeError(
        "from_frame takes a polars DataFrame or LazyFrame, a pandas DataFrame, or an object with "
        f"the Arrow PyCapsule stream interface (__arrow_c_stream__); got {type(obj).__name__}"
    )


def from_frame(obj: Any, *, options: LoadOptions | None = None, **keywords: Unpack[LoadKeywords]) -> Cases:
    """Load case records from a frame already in memory.

    Parameters
    ----------
    obj
        A polars DataFrame or LazyFrame (collected), a pandas DataFrame, or any object with the
        Arrow PyCapsule stream interface (pyarrow tables, DuckDB results ...). String columns are
        parsed; typed columns (dates, datetimes with zones, integers) are checked as they are.
    options, **keywords
        Options as for :func:`read_csv`.

    Examples
    --------
    >>> import polars as pl, takedowns as td
    >>> df = pl.DataFrame({"platform": ["X", "TikTok", "TikTok"],
    ...                    "status": ["withheld", "taken down", "declined"],
    ...                    "count": [3, 10, 2]})
    >>> cases = td.from_frame(df, required=["platform", "status"])
    >>> cases.compliance(by="platform").select("platform", "requests", "successes", "rate")
    shape: (2, 4)
    ┌──────────┬──────────┬───────────┬──────────┐
    │ platform ┆ requests ┆ successes ┆ rate     │
    │ ---      ┆ ---      ┆ ---       ┆ ---      │
    │ str      ┆ i64      ┆ i64       ┆ f64      │
    ╞══════════╪══════════╪═══════════╪══════════╡
    │ tiktok   ┆ 12       ┆ 10        ┆ 0.833333 │
    │ x        ┆ 3        ┆ 3         ┆ 1.0      │
    └──────────┴──────────┴───────────┴──────────┘
    """
    opts = _spec(LoadOptions, options, keywords)
    df = _engine_types(_to_polars(obj), opts.to_dict()["columns"])
    return Cases._wrap(_core.from_frame(df, opts))


def sample() -> Cases:
    """The embedded synthetic sample: 896 requests about 850 accounts with fake handles.

    Calibrated to the public figures of Pakistan's 2025 campaign (850 accounts linked to TTP, BLA
    and BLF reported to six platforms, over 500 removed or restricted, over 2 million followers).
    The numbers are invented; no handle is real.

    Examples
    --------
    >>> import takedowns as td
    >>> td.sample()
    <takedowns.Cases: 896 requests (896 rows), 850 accounts, 6 platforms, 3 groups, reported 2025-02-03 to 2025-08-29, 0 rows rejected>
    """
    return Cases._wrap(_core.sample())


def synthetic(n: int, *, seed: int = 0) -> pl.DataFrame:
    """``n`` synthetic case records for benchmarks and scale tests, deterministic by ``seed``.

    Six platforms with different compliance, five groups, about one request in five naming an
    account seen before, heavy-tailed (Pareto) followers, a campaign of 240 days from 2025-01-01,
    pending and rejected cases; handles are fake (``@synthetic_<n>``). Each row is drawn from its
    own generator, so any slice can be made alone: :func:`takedowns.write_synthetic` writes data
    sets of any size to Parquet or CSV a million rows at a time.

    Examples
    --------
    >>> import takedowns as td
    >>> df = td.synthetic(1_000, seed=7)
    >>> df.shape, df.equals(td.synthetic(1_000, seed=7))
    ((1000, 9), True)
    >>> td.from_frame(df).load_report["rows_rejected"]
    0
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    return _core.synthetic(n, seed)


def designations() -> pl.DataFrame:
    """Who banned which group, and since when: one row per designation fact, with its source.

    Columns ``group_id``, ``authority`` (``PK-ATA1997``: Pakistan's proscribed organisations,
    First Schedule of the Anti-Terrorism Act 1997; ``UN-1267``; ``US-FTO``; ``US-SDGT``;
    ``UK-proscribed``; ``EU-list``), ``listed_on`` (Date; null where no source found states the
    day), ``reference``, ``source_title``, ``source_url``, ``note`` and ``confirmed`` (False for a
    fact that was looked for and not found: no source, no date). A date is never inferred.

    Examples
    --------
    >>> import polars as pl, takedowns as td
    >>> d = td.designations()
    >>> d.filter(pl.col("group_id") == "TTP", pl.col("authority") == "UN-1267", pl.col("listed_on").is_not_null())[
    ...     "listed_on"
    ... ].unique().to_list()
    [datetime.date(2011, 7, 29)]
    """
    return _core.designations()


def designation_aliases() -> pl.DataFrame:
    """The names and spellings of each group found in the sources (Urdu script included).

    A load maps every label with ``maps`` True to its ``group_id`` (your ``group_aliases`` win);
    ``note`` says why a label is not mapped (``Fitna al-Hindustan`` names every terrorist group in
    Balochistan, not one).

    Examples
    --------
    >>> import polars as pl, takedowns as td
    >>> a = td.designation_aliases()
    >>> a.filter(pl.col("alias") == "Fitna al-Khawarij").select("group_id", "maps").rows()
    [('TTP', True)]
    """
    return _core.designation_aliases()


def vocabularies() -> pl.DataFrame:
    """Every name the library knows: the values of each option (``pending``, ``method``, ``every``
    ...) and the built-in status labels, platform aliases and group aliases with what each becomes.

    Columns ``vocabulary``, ``label`` (as matched: labels are compared after folding case, spaces
    and punctuation), ``value``. Labels not listed are kept as written (platforms, groups) or
    rejected as ``unknown_status``; add yours with ``status_labels``, ``platform_aliases`` and
    ``group_aliases``.

    Examples
    --------
    >>> import polars as pl, takedowns as td
    >>> v = td.vocabularies()
    >>> v.filter(pl.col("label") == "still accessible").rows()
    [('status labels', 'still accessible', 'pending')]
    >>> v.filter(pl.col("vocabulary") == "pending")["value"].to_list()
    ['against', 'exclude']
    """
    rows = [(name, v, v) for name, values in sorted(_core.vocabularies().items()) for v in values]
    rows += _core.builtin_labels()
    return pl.DataFrame(rows, schema=["vocabulary", "label", "value"], orient="row")
