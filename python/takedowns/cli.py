"""The command line (also ``python -m takedowns``).

- ``takedowns report [INPUT] [--out DIR] [options]``: the memo pack.
- ``takedowns check INPUT [options]``: load and validate only; print the load report and the
  rejects. Exit 0 when every row was accepted, 1 when rows were rejected, 2 on bad input.

Both read their options from ``takedowns.toml`` in the working folder (or ``--config FILE``) when
there is one: a ``[load]`` table with the loading options and a ``[report]`` table with the
report's. A flag on the command line wins over the file; ``FROM=TO`` pairs add to the file's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import pathlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast, get_args

from takedowns._cases import Cases, rejects_sentence
from takedowns._typing import DateOrder, Every, Method, OnInvalid, Pending, ScanOptions, Status
from takedowns.errors import InvalidArgumentError, TakedownsError

if TYPE_CHECKING:
    import polars as pl

#: The options ``takedowns.toml`` may set, by table, with their defaults (None: the library's).
CONFIG_KEYS: dict[str, dict[str, Any]] = {
    "load": {
        "columns": {},
        "status_labels": {},
        "platform_aliases": {},
        "group_aliases": {},
        "date_order": "auto",
        "on_invalid": None,  # raise for report, quarantine for check
        "thousands": None,
        "null_values": [],
        "delimiter": ",",
        "required": None,
        "outcome_columns": {},
    },
    "report": {
        "out": "takedowns-report",
        "pending": "against",
        "method": "wilson",
        "ci": 0.95,
        "max_rejects": 0.05,
        "min_cell": None,
        "cite": None,
        "as_of": None,
        "title": None,
    },
}
_PAIRS = ("columns", "status_labels", "platform_aliases", "group_aliases", "outcome_columns")
CONFIG_FILE = "takedowns.toml"


def _suggest(word: str, names: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, names, n=1)
    return f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(names)}"


def read_config(path: str | pathlib.Path) -> dict[str, dict[str, Any]]:
    """The options of a ``takedowns.toml``: ``{"load": {...}, "report": {...}}``. An unknown table or
    key, a mapping that is not a table of text, or text that is not TOML is an
    :class:`~takedowns.errors.InvalidArgumentError` naming the file and the key."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.9 and 3.10
        import tomli as tomllib
    path = pathlib.Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise InvalidArgumentError(f"cannot read the config file {path}: {e.strerror or e}", "config") from e
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise InvalidArgumentError(f"{path} is not valid TOML: {e}", "config") from e
    out: dict[str, dict[str, Any]] = {"load": {}, "report": {}}
    for table, values in data.items():
        if table not in CONFIG_KEYS or not isinstance(values, dict):
            raise InvalidArgumentError(f"{path}: unknown table [{table}]{_suggest(table, list(CONFIG_KEYS))}", "config")
        for key, value in values.items():
            if key not in CONFIG_KEYS[table]:
                raise InvalidArgumentError(
                    f"{path}: unknown key {key!r} in [{table}]{_suggest(key, list(CONFIG_KEYS[table]))}", "config"
                )
            if key in _PAIRS and not (key == "group_aliases" and isinstance(value, str)):
                if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                    raise InvalidArgumentError(
                        f'{path}: [{table}] {key} is a table of text, e.g. {key} = {{ "Ref No" = "case_id" }}',
                        "config",
                    )
            if key == "as_of" and isinstance(value, str):
                try:
                    value = dt.date.fromisoformat(value)
                except ValueError as e:
                    raise InvalidArgumentError(f"{path}: [report] as_of is a date, e.g. 2025-08-31", "config") from e
            out[table][key] = value
    return out


def _config(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """The config file named by ``--config``, else ``takedowns.toml`` here if there is one."""
    path = args.config
    if path is None and pathlib.Path(CONFIG_FILE).is_file():
        path = CONFIG_FILE
        if not getattr(args, "quiet", False):
            print(f"using options from {CONFIG_FILE}", file=sys.stderr)
    return read_config(path) if path is not None else {"load": {}, "report": {}}


def _opt(args: argparse.Namespace, config: dict[str, dict[str, Any]], table: str, key: str) -> Any:
    """A flag's value when given, else the config file's, else the default."""
    given = getattr(args, key, None)
    if given is not None:
        return given
    return config[table].get(key, CONFIG_KEYS[table][key])


def _load_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        default=None,
        metavar="FILE",
        help=f"read options from this TOML file (default: {CONFIG_FILE} in the working folder, if any)",
    )
    from takedowns._typing import SourceName

    p.add_argument(
        "--source",
        choices=get_args(SourceName),
        default=None,
        metavar="NAME",
        help="read INPUT as this published source, as its publisher writes it "
        f"({', '.join(get_args(SourceName))}); rows it withholds (<10, ?) are listed as rejects",
    )
    p.add_argument(
        "--on-invalid",
        choices=get_args(OnInvalid),
        default=None,
        help="fail on invalid rows (report's default) or set them aside and report them (check's default)",
    )
    p.add_argument("--date-order", choices=get_args(DateOrder), default=None, help="default: auto")
    p.add_argument("--thousands", default=None, help='thousands separator of numbers written as text, e.g. ","')
    p.add_argument(
        "--null-values",
        action="append",
        default=[],
        metavar="TEXT",
        help='a value read as missing, e.g. "n/a"; repeat for more',
    )
    p.add_argument("--delimiter", default=None, help='the CSV field delimiter (default ","; ";" or "\\t" too)')
    p.add_argument(
        "--required",
        help="comma-separated required columns (default: case_id,platform,account,group,"
        "reported_at,status; platform,status for an aggregate table with a count column)",
    )
    for flag, what in (
        ("--columns", 'your header mapped to a canonical column, e.g. "Ref No=case_id"'),
        ("--status-labels", 'an outcome label of yours, e.g. "Actioned=removed"'),
        ("--platform-aliases", 'a platform label of yours, e.g. "Threads=threads"'),
        ("--outcome-columns", 'a published wide table\'s outcome column, e.g. "Blocked=removed"'),
    ):
        p.add_argument(flag, action="append", default=[], metavar="FROM=TO", help=f"{what}; repeat for more")
    p.add_argument(
        "--group-aliases",
        action="append",
        default=[],
        metavar="FROM=TO|FILE.csv",
        help='a group label of yours, e.g. "Fitna al-Hindustan=BLA", or a CSV file of alias,group pairs',
    )


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="takedowns", description="Defensible numbers from records of takedown requests.")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("report", help="write a memo pack: tables, figures and a methods note")
    r.add_argument(
        "input", nargs="?", help="CSV, NDJSON, Parquet, Arrow or Excel/ODS file (default: the embedded sample)"
    )
    r.add_argument("--out", default=None, help="output directory (default: takedowns-report)")
    _load_options(r)
    r.add_argument(
        "--pending",
        choices=get_args(Pending),
        default=None,
        help="how pending requests count in rates (default: against)",
    )
    r.add_argument("--method", choices=get_args(Method), default=None, help="interval method (default: wilson)")
    r.add_argument("--ci", type=float, default=None, help="confidence level (default 0.95)")
    r.add_argument(
        "--max-rejects",
        type=float,
        default=None,
        help="refuse when more than this share of rows was rejected (default 0.05)",
    )
    r.add_argument(
        "--cite",
        default=None,
        metavar="TEXT",
        help="the data's source as the memo cites it, stamped on every figure and table "
        "(default: the published source's name, or the input file's)",
    )
    r.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="the date the data describe (default: the latest date in the data)",
    )
    r.add_argument("--title", default=None, help="the memo draft's heading")
    r.add_argument(
        "--change-at",
        type=dt.date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="a date (a law, a policy, a ban): adds compliance per platform before and after it, "
        "with the change and its interval (table change_platform, figure trend_rate_change)",
    )
    from takedowns._typing import SourceName

    r.add_argument(
        "--compare-with",
        default=None,
        metavar="FILE",
        help="a platform's published report to set beside your cases (with --compare-source)",
    )
    r.add_argument("--compare-source", choices=get_args(SourceName), default=None, metavar="NAME")
    r.add_argument(
        "--compare-jurisdiction",
        default=None,
        metavar="TEXT",
        help="keep the published rows of this jurisdiction only, as the source writes it (e.g. Pakistan, PK)",
    )
    r.add_argument("--compare-every", choices=get_args(Every), default="half-year", help="default: half-year")
    r.add_argument(
        "--every",
        choices=get_args(Every),
        default=None,
        help="the trend's period (default month; half-year with --source, as platforms publish)",
    )
    r.add_argument(
        "--force",
        action="store_true",
        help="write the pack even when the rejects exceed --max-rejects or remove a whole platform, "
        "group or outcome (they are stated at the top of every output)",
    )
    r.add_argument(
        "--min-cell",
        type=int,
        default=None,
        help="suppress counts below this in the tables (shown as <N, with complementary suppression)",
    )
    r.add_argument(
        "--pseudonymise-key-file",
        default=None,
        help="replace accounts and case ids with keyed pseudonyms (HMAC-SHA256) using the key in this file",
    )
    r.add_argument("--quiet", action="store_true", help="no progress messages")
    c = sub.add_parser("check", help="validate a file and print the load report and the rejects")
    c.add_argument("input", help="CSV, NDJSON, Parquet, Arrow or Excel/ODS workbook file")
    _load_options(c)
    c.add_argument("--rejects", type=int, default=20, help="how many rejected rows to print (default 20)")
    c.add_argument(
        "--scan",
        action="store_true",
        help="stream the file batch by batch instead of loading it (--source dsa-sor: a dump larger than memory; "
        "otherwise Parquet, or CSV without quotes); duplicate case ids are not checked in a scan",
    )
    return p


def _pairs(flag: str, values: Sequence[str]) -> dict[str, str]:
    """``["Ref No=case_id", ...]`` as a mapping; a value without ``=`` is an error naming the flag."""
    out: dict[str, str] = {}
    for v in values:
        left, eq, right = v.partition("=")
        if not eq or not left.strip() or not right.strip():
            raise InvalidArgumentError(f'{flag} takes FROM=TO, e.g. "Ref No=case_id"; got {v!r}', flag.lstrip("-"))
        out[left.strip()] = right.strip()
    return out


def _source_options(args: argparse.Namespace, config: dict[str, dict[str, Any]]) -> ScanOptions:
    """The load options a published source takes (it sets the columns itself), as for any file;
    a read and a scan of it take the same."""
    load = config["load"]

    def pairs(key: str) -> dict[str, str]:
        return {**load.get(key, {}), **_pairs("--" + key.replace("_", "-"), getattr(args, key))}

    return {
        "date_order": _opt(args, config, "load", "date_order"),
        "status_labels": cast("dict[str, Status]", pairs("status_labels")),
        "platform_aliases": pairs("platform_aliases"),
        "thousands": _opt(args, config, "load", "thousands"),
        "null_values": args.null_values or load.get("null_values", []),
    }


def _load(args: argparse.Namespace, config: dict[str, dict[str, Any]], on_invalid: str | None) -> Cases:
    import takedowns as td

    if args.source is not None:
        return td.sources.read(
            args.source,
            args.input,
            on_invalid=cast(OnInvalid, on_invalid or "quarantine"),
            **_source_options(args, config),
        )

    return td.read(args.input, on_invalid=cast(OnInvalid, on_invalid), **_file_options(args, config))


def _file_options(args: argparse.Namespace, config: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The load options of a file of case records (not a published source), from the command line
    over the config file; a read and a scan of it take the same."""
    load = config["load"]

    def pairs(key: str) -> dict[str, str]:
        return {**load.get(key, {}), **_pairs("--" + key.replace("_", "-"), getattr(args, key))}

    required = args.required.split(",") if args.required else load.get("required")
    files = [g for g in args.group_aliases if "=" not in g]
    if len(files) > 1 or (files and len(files) != len(args.group_aliases)):
        raise InvalidArgumentError("--group-aliases takes either one CSV file or FROM=TO pairs", "group_aliases")
    from_config = load.get("group_aliases", {})
    groups: Any
    if files:  # a file on the command line replaces the config file's aliases
        groups = files[0]
    elif isinstance(from_config, str):
        if args.group_aliases:
            raise InvalidArgumentError(
                f"the config file names a group aliases file ({from_config}); add the pairs to it "
                "or give --group-aliases FILE.csv",
                "group_aliases",
            )
        groups = from_config
    else:
        groups = {**from_config, **_pairs("--group-aliases", args.group_aliases)}

    delimiter = _opt(args, config, "load", "delimiter")
    return dict(
        date_order=_opt(args, config, "load", "date_order"),
        required=required,
        columns=pairs("columns"),
        status_labels=cast("dict[str, Status]", pairs("status_labels")),
        platform_aliases=pairs("platform_aliases"),
        group_aliases=groups,
        delimiter="\t" if delimiter in ("\\t", "tab") else delimiter,
        thousands=_opt(args, config, "load", "thousands"),
        outcome_columns=cast("dict[str, Status]", pairs("outcome_columns")) or None,
        null_values=args.null_values or load.get("null_values", []),
    )


def _check(args: argparse.Namespace, config: dict[str, dict[str, Any]]) -> int:
    if args.scan:
        return _check_scan(args, config)
    cases = _load(args, config, args.on_invalid or "quarantine")
    r = cases.load_report
    print(_counts(r))
    if r.get("wide"):
        w = r["wide"]
        cols = ", ".join(f"{c}={s}" for c, s in w["outcome_columns"])
        print(
            f"read as a wide table: {w['rows']} rows x {len(w['outcome_columns'])} outcome columns ({cols}); rows above are cells"
        )
    _print_details(r)
    return _print_rejects(cases.rejects, args.rejects)


def _print_details(r: dict[str, Any]) -> None:
    """What ``check`` says of a load's or a scan's report after its counts: blank rows skipped,
    the rejects sentence, each label mapped or kept as new, accounts under several groups."""
    if r.get("blank_rows"):
        print(f"{r['blank_rows']} entirely empty row(s) skipped (no request in them; not counted as rows read)")
    _print_sentence(r)
    for column, label, value, known, acc, _rejected in r["labels"]:
        if known and label != value:
            print(f"  {column} {label!r} read as {value!r} ({acc:,} row{'' if acc == 1 else 's'})")
        elif not known and column != "status":
            print(f"  new {column} {label!r} kept as given ({acc:,} row{'' if acc == 1 else 's'})")
    if r.get("accounts_in_several_groups"):
        print(f"  {r['accounts_in_several_groups']} account(s) reported under more than one group")


def _counts(r: dict[str, Any]) -> str:
    return f"{r['source']}: {r['rows_read']} rows read, {r['rows_accepted']} accepted, {r['rows_rejected']} rejected"


def _print_sentence(r: dict[str, Any]) -> None:
    sentence = rejects_sentence(r)
    if sentence:
        print(sentence)


def _print_rejects(rejects: pl.DataFrame | None, n: int) -> int:
    """Prints the first ``n`` rejects; the exit code of ``check`` (1 when rows were rejected)."""
    import polars as pl

    if rejects is None or not rejects.height:
        return 0
    with pl.Config(tbl_rows=n, fmt_str_lengths=60, tbl_width_chars=160):
        print(rejects.head(n))
    return 1


def _check_scan(args: argparse.Namespace, config: dict[str, dict[str, Any]]) -> int:
    """``check --scan``: every row read and validated batch by batch, nothing held."""
    import takedowns as td

    if (args.on_invalid or "quarantine") != "quarantine":
        # As the Python API: a scan cannot fail on a row it has already counted.
        raise InvalidArgumentError(
            f"--on-invalid {args.on_invalid}: a scan always quarantines invalid rows (the report says how many); "
            "to fail on them, check without --scan",
            "on_invalid",
        )
    if args.source is not None:
        scan = td.sources.scan(args.source, args.input, **_source_options(args, config))
    elif str(args.input).lower().endswith(".csv"):
        scan = td.scan_csv(args.input, **_file_options(args, config))
    else:
        scan = td.scan_parquet(args.input, **_file_options(args, config))
    r = scan.check()
    print(f"{_counts(r)} (scanned: duplicate case ids not checked)")
    _print_details(r)
    return _print_rejects(scan.last_rejects, args.rejects)


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the exit code (0 ok, 2 bad input, options or refused rejects;
    ``check`` returns 1 when rows were rejected)."""
    args = _parser().parse_args(argv)
    import takedowns as td
    from takedowns import report

    try:
        config = _config(args)
        if args.command == "check":
            return _check(args, config)

        def opt(key: str) -> Any:
            return _opt(args, config, "report", key)

        out = pathlib.Path(opt("out"))
        if out.exists() and not out.is_dir():
            print(f"takedowns: error: --out {out} is a file; give a directory for the pack", file=sys.stderr)
            return 2
        if args.input is None:
            cases: Cases = td.sample()
        else:
            from takedowns._progress import Progress

            on_invalid = _opt(args, config, "load", "on_invalid")
            bar = Progress(args.quiet)
            with bar.ticking(f"loading {args.input}"):
                cases = _load(args, config, on_invalid or ("quarantine" if args.source else "raise"))
        if args.pseudonymise_key_file:
            cases = cases.pseudonymise(report.read_key(args.pseudonymise_key_file))
        published = None
        if (args.compare_with is None) != (args.compare_source is None):
            raise InvalidArgumentError("--compare-with FILE and --compare-source NAME go together", "compare_with")
        if args.compare_with is not None:
            whole = td.sources.read(args.compare_source, args.compare_with)
            published = whole
            if args.compare_jurisdiction is not None:
                published = whole.filter(jurisdiction=args.compare_jurisdiction)
                if len(published) == 0:
                    names = whole.to_polars()["jurisdiction"]
                    known = ", ".join(sorted(str(j) for j in names.drop_nulls().unique().to_list())[:30])
                    raise InvalidArgumentError(
                        f"{args.compare_with} has no rows of jurisdiction {args.compare_jurisdiction!r}; "
                        f"its jurisdictions are written {known}",
                        "compare_jurisdiction",
                    )
        options = {"pending": opt("pending"), "method": opt("method"), "ci": opt("ci")}
        report.build(
            cases,
            out,
            input_path=args.input,
            options=options,
            quiet=args.quiet,
            max_rejects=opt("max_rejects"),
            force=args.force,
            min_cell=opt("min_cell"),
            source=opt("cite"),
            as_of=opt("as_of"),
            title=opt("title"),
            published=published,
            compare_every=args.compare_every,
            published_filter=None
            if args.compare_jurisdiction is None
            else f"jurisdiction = {args.compare_jurisdiction}",
            every=args.every or ("half-year" if args.source else "month"),
            change_at=args.change_at,
        )
    except TakedownsError as e:
        # The library speaks Python; the command line has a flag for it.
        message = str(e).replace("pass on_invalid=quarantine", "pass --on-invalid quarantine")
        print(f"takedowns: error: {message}", file=sys.stderr)
        return 2
    except OSError as e:  # the output folder or the key file
        print(f"takedowns: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
