"""The command line: ``takedowns report [INPUT] [--out DIR] [options]`` (also ``python -m takedowns``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from takedowns._cases import Cases
from takedowns.errors import TakedownsError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="takedowns", description="Defensible numbers from records of takedown requests.")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("report", help="write a memo pack: tables, figures and a methods note")
    r.add_argument("input", nargs="?", help="CSV, NDJSON, Parquet or Arrow file (default: the embedded sample)")
    r.add_argument("--out", default="takedowns-report", help="output directory (default: takedowns-report)")
    r.add_argument("--on-invalid", choices=["raise", "quarantine"], default="raise",
                   help="fail on invalid rows (default) or set them aside and report them")
    r.add_argument("--date-order", choices=["auto", "day-first", "month-first"], default="auto")
    r.add_argument("--required", help="comma-separated required columns (default: case_id,platform,account,group,reported_at,status)")
    r.add_argument("--pending", choices=["against", "exclude"], default="against", help="how pending requests count in rates")
    r.add_argument("--method", choices=["wilson", "jeffreys", "clopper-pearson"], default="wilson")
    r.add_argument("--ci", type=float, default=0.95, help="confidence level (default 0.95)")
    r.add_argument("--quiet", action="store_true", help="no progress messages")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the exit code (0 ok, 2 bad input or options)."""
    args = _parser().parse_args(argv)
    import takedowns as td
    from takedowns import report

    try:
        if args.input is None:
            cases: Cases = td.sample()
        else:
            if not args.quiet:
                print(f"loading {args.input} ...", file=sys.stderr, flush=True)
            required = args.required.split(",") if args.required else None
            cases = td.read(args.input, on_invalid=args.on_invalid, date_order=args.date_order, required=required)
        options = {"pending": args.pending, "method": args.method, "ci": args.ci}
        report.build(cases, args.out, input_path=args.input, options=options, quiet=args.quiet)
    except TakedownsError as e:
        print(f"takedowns: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
