"""`python -m plan`: validate the plan CSVs, build the database, write demo data.

Exit codes: 0 success, 1 the plan has errors (each printed as `path:line:column: message`,
all of them at once, nothing changed), 2 wrong usage.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from plan import bench, demo, docs, store
from plan.csvio import DEFAULT_MAX_BYTES
from plan.i18n import DEFAULT_LANG, LANGS, t
from plan.issues import PlanInvalid


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=LANGS, default=os.environ.get("PLAN_LANG", DEFAULT_LANG),
                        help="language of the messages: es (default) or en")
    # A string default goes through `type`, so a bad $PLAN_MAX_CSV_BYTES is a usage error (exit 2), not a traceback.
    parser.add_argument("--max-bytes", type=int, default=os.environ.get("PLAN_MAX_CSV_BYTES", str(DEFAULT_MAX_BYTES)),
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

    bench_cmd = commands.add_parser("bench", help="measure the build against DuckDB's plain read_csv",
                                    description="Generate (or reuse) demo data, time `build` and a plain DuckDB "
                                                "read_csv of the same files side by side, print a table and write "
                                                "results.json and results.md.")
    bench_cmd.add_argument("--scale", choices=("sample", "national"), default="national")
    bench_cmd.add_argument("--quick", action="store_true", help="one repetition (a smoke test for CI)")
    bench_cmd.add_argument("--repetitions", type=int, default=5)
    bench_cmd.add_argument("--out", type=Path, default=Path("benchmarks"), help="folder for the results")
    bench_cmd.add_argument("--work", type=Path, default=None,
                           help="folder for the demo data and databases (default: a temporary folder)")

    commands.add_parser("columns", help="print the CSV columns as Markdown (the README's tables)",
                        description="Print every CSV's columns, generated from the models, as Markdown tables.")
    return parser


def _run_bench(args) -> int:
    repetitions = 1 if args.quick else args.repetitions
    if args.work is not None:
        results = bench.run(args.scale, args.out, repetitions, args.work)
    else:
        with tempfile.TemporaryDirectory() as work:
            results = bench.run(args.scale, args.out, repetitions, Path(work))
    print(bench.markdown(results), end="")
    return 0


def _run_columns(_args) -> int:
    print(docs.columns_markdown(), end="")
    return 0


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
    runner = {"validate": _run_validate, "build": _run_build, "demo": _run_demo, "bench": _run_bench,
              "columns": _run_columns}[args.command]
    try:
        return runner(args)
    except PlanInvalid as invalid:
        print(invalid.render(getattr(args, "lang", "es")), file=sys.stderr)
        print(t("summary_invalid", getattr(args, "lang", "es"), count=len(invalid.issues)), file=sys.stderr)
        return 1
    except ValueError as error:  # e.g. demo refusing a folder that is not a demo
        print(f"error: {error}", file=sys.stderr)
        return 2
