"""`python -m plan`: validate the plan CSVs, build the database, write demo data.

Exit codes: 0 success, 1 the plan has errors (each printed as `path:line:column: message`,
all of them at once, nothing changed), 2 wrong usage.
"""

import argparse
import os
import sys
import time
from pathlib import Path

from plan import demo, store
from plan.csvio import DEFAULT_MAX_BYTES
from plan.i18n import DEFAULT_LANG, LANGS, t
from plan.issues import PlanInvalid


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=LANGS, default=os.environ.get("PLAN_LANG", DEFAULT_LANG),
                        help="language of the messages: es (default) or en")
    parser.add_argument("--max-bytes", type=int, default=int(os.environ.get("PLAN_MAX_CSV_BYTES", DEFAULT_MAX_BYTES)),
                        help=f"largest CSV file accepted, in bytes (default {DEFAULT_MAX_BYTES:,})")


def _data_dir_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data_dir", nargs="?", type=Path, default=None,
                        help="folder of plan folders (default: $PLAN_DATA_DIR or data/)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m plan", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check every plan CSV; change nothing",
                                   description="Check every CSV of every plan folder and list all errors.")
    _data_dir_argument(validate)
    _add_common(validate)

    build = commands.add_parser("build", help="validate, then build the DuckDB database atomically",
                                description="Validate every CSV, then build the database into a new file and "
                                            "swap it in; on any error the previous database stays as it was.")
    _data_dir_argument(build)
    build.add_argument("--db", type=Path, default=None,
                       help="database file (default: $PLAN_DB_PATH or DATA_DIR/plan.duckdb)")
    build.add_argument("--if-stale", action="store_true",
                       help="only build when the database is missing, stale or corrupt (a corrupt one is set aside)")
    _add_common(build)

    demo_cmd = commands.add_parser("demo", help="write deterministic synthetic plan data",
                                   description="Write synthetic plan folders, valid by construction: 'sample' "
                                               "(2 offices) or 'national' (16 offices x 10 years, 5M+ outcome rows).")
    demo_cmd.add_argument("--scale", choices=("sample", "national"), default="sample")
    demo_cmd.add_argument("--out", type=Path, required=True, help="folder to write (created; reused if same demo)")
    demo_cmd.add_argument("--seed", type=int, default=0)
    return parser


def _run_validate(args) -> int:
    report = store.validate(args.data_dir, args.max_bytes)
    print(t("summary_valid", args.lang, plans=len(report.plans), rows=report.rows))
    return 0


def _run_build(args) -> int:
    db_path = args.db or store.default_db_path(args.data_dir)
    if args.if_stale:
        readiness = store.ensure(args.data_dir, db_path, args.max_bytes)
        if readiness.set_aside:
            print(t("summary_set_aside", args.lang, path=readiness.set_aside))
        if readiness.issues:
            raise PlanInvalid(readiness.issues)
        if readiness.report is None:
            print(t("summary_fresh", args.lang, path=db_path))
            return 0
        report = readiness.report
    else:
        report = store.build(args.data_dir, db_path, args.max_bytes)
    print(t("summary_built", args.lang, path=db_path, plans=len(report.plans), rows=report.rows))
    return 0


def _run_demo(args) -> int:
    started = time.perf_counter()
    summary = demo.write_demo(args.out, args.scale, args.seed)
    print(f"{args.out}: {summary.plans} plans, rows {summary.rows}, {summary.bytes:,} bytes, "
          f"{time.perf_counter() - started:.1f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "data_dir", "absent") is None:
        args.data_dir = store.default_data_dir()
    runner = {"validate": _run_validate, "build": _run_build, "demo": _run_demo}[args.command]
    try:
        return runner(args)
    except PlanInvalid as invalid:
        print(invalid.render(args.lang), file=sys.stderr)
        print(t("summary_invalid", args.lang, count=len(invalid.issues)), file=sys.stderr)
        return 1
    except ValueError as error:  # e.g. demo refusing a folder that is not a demo
        print(f"error: {error}", file=sys.stderr)
        return 2
