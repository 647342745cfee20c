"""The command line (also ``python -m takedowns``).

- ``takedowns report [INPUT] [--out DIR] [options]``: the memo pack.
- ``takedowns check INPUT [options]``: load and validate only; print the load report and the
  rejects. Exit 0 when every row was accepted, 1 when rows were rejected, 2 on bad input.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
from collections.abc import Sequence
from typing import Any, cast, get_args

from takedowns._cases import Cases, rejects_sentence
from takedowns._typing import DateOrder, Method, OnInvalid, Pending, Status
from takedowns.errors import InvalidArgumentError, TakedownsError


def _load_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--on-invalid",
        choices=get_args(OnInvalid),
        default="raise",
        help="fail on invalid rows (default) or set them aside and report them",
    )
    p.add_argument("--date-order", choices=get_args(DateOrder), default="auto")
    p.add_argument("--thousands", default=None, help='thousands separator of numbers written as text, e.g. ","')
    p.add_argument(
        "--null-values",
        action="append",
        default=[],
        metavar="TEXT",
        help='a value read as missing, e.g. "n/a"; repeat for more',
    )
    p.add_argument("--delimiter", default=",", help='the CSV field delimiter (default ","; ";" or "\\t" too)')
    p.add_argument(
        "--required",
        help="comma-separated required columns (default: case_id,platform,account,group,"
        "reported_at,status; platform,status for an aggregate table with a count column)",
    )
    for flag, what in (
        ("--columns", 'your header mapped to a canonical column, e.g. "Ref No=case_id"'),
        ("--status-labels", 'an outcome label of yours, e.g. "Actioned=removed"'),
        ("--platform-aliases", 'a platform label of yours, e.g. "Threads=threads"'),
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
    r.add_argument("input", nargs="?", help="CSV, NDJSON, Parquet or Arrow file (default: the embedded sample)")
    r.add_argument("--out", default="takedowns-report", help="output directory (default: takedowns-report)")
    _load_options(r)
    r.add_argument(
        "--pending", choices=get_args(Pending), default="against", help="how pending requests count in rates"
    )
    r.add_argument("--method", choices=get_args(Method), default="wilson")
    r.add_argument("--ci", type=float, default=0.95, help="confidence level (default 0.95)")
    r.add_argument(
        "--max-rejects",
        type=float,
        default=0.05,
        help="refuse when more than this share of rows was rejected (default 0.05)",
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
    c.add_argument("input", help="CSV, NDJSON, Parquet or Arrow file")
    _load_options(c)
    c.set_defaults(on_invalid="quarantine")
    c.add_argument("--rejects", type=int, default=20, help="how many rejected rows to print (default 20)")
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


def _load(args: argparse.Namespace) -> Cases:
    import takedowns as td

    required = args.required.split(",") if args.required else None
    files = [g for g in args.group_aliases if "=" not in g]
    if len(files) > 1 or (files and len(files) != len(args.group_aliases)):
        raise InvalidArgumentError("--group-aliases takes either one CSV file or FROM=TO pairs", "group_aliases")
    groups: Any = files[0] if files else _pairs("--group-aliases", args.group_aliases)
    return td.read(
        args.input,
        on_invalid=args.on_invalid,
        date_order=args.date_order,
        required=required,
        columns=_pairs("--columns", args.columns),
        status_labels=cast("dict[str, Status]", _pairs("--status-labels", args.status_labels)),
        platform_aliases=_pairs("--platform-aliases", args.platform_aliases),
        group_aliases=groups,
        delimiter="\t" if args.delimiter in ("\\t", "tab") else args.delimiter,
        thousands=args.thousands,
        null_values=args.null_values,
    )


def _check(args: argparse.Namespace) -> int:
    import polars as pl

    cases = _load(args)
    r = cases.load_report
    print(f"{r['source']}: {r['rows_read']} rows read, {r['rows_accepted']} accepted, {r['rows_rejected']} rejected")
    if r.get("blank_rows"):
        print(f"{r['blank_rows']} entirely empty row(s) skipped (no request in them; not counted as rows read)")
    sentence = rejects_sentence(r)
    if sentence:
        print(sentence)
    for column, label, value, known, acc, _rejected in r["labels"]:
        if known and label != value:
            print(f"  {column} {label!r} read as {value!r} ({acc} rows)")
        elif not known and column != "status":
            print(f"  new {column} {label!r} kept as given ({acc} rows)")
    if r["accounts_in_several_groups"]:
        print(f"  {r['accounts_in_several_groups']} account(s) reported under more than one group")
    if cases.rejects.height:
        with pl.Config(tbl_rows=args.rejects, fmt_str_lengths=60, tbl_width_chars=160):
            print(cases.rejects.head(args.rejects))
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the exit code (0 ok, 2 bad input, options or refused rejects;
    ``check`` returns 1 when rows were rejected)."""
    args = _parser().parse_args(argv)
    import takedowns as td
    from takedowns import report

    try:
        if args.command == "check":
            return _check(args)
        out = pathlib.Path(args.out)
        if out.exists() and not out.is_dir():
            print(f"takedowns: error: --out {args.out} is a file; give a directory for the pack", file=sys.stderr)
            return 2
        if args.input is None:
            cases: Cases = td.sample()
        else:
            if not args.quiet:
                print(f"loading {args.input} ...", file=sys.stderr, flush=True)
            cases = _load(args)
        if args.pseudonymise_key_file:
            cases = cases.pseudonymise(report.read_key(args.pseudonymise_key_file))
        options = {"pending": args.pending, "method": args.method, "ci": args.ci}
        report.build(
            cases,
            args.out,
            input_path=args.input,
            options=options,
            quiet=args.quiet,
            max_rejects=args.max_rejects,
            force=args.force,
            min_cell=args.min_cell,
        )
    except TakedownsError as e:
        print(f"takedowns: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:  # the output folder or the key file
        print(f"takedowns: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
