"""`python -m plan`: validate the plan CSVs, build the database, write demo data and reports, keep the plan store.

Exit codes: 0 success, 1 the plan has errors (each printed as `path:line:column: message`,
all of them at once, nothing changed), 2 wrong usage.
"""

import argparse
import contextlib
import getpass
import os
import sys
import tempfile
import time
from pathlib import Path

from plan import outlook
from plan.cli import store
from plan.cli.arguments import add_common, plans_arguments, url_argument
from plan.cli.reference import commands_markdown
from plan.data import database, demo, mail, secrets
from plan.data.files import write_atomically
from plan.data.store import STORE_URL_VARIABLE, default_data_dir, local_copy, store_url
from plan.data.store_base import NotALocalCopy, StoreUnavailable
from plan.edit import editing, imports
from plan.model import column_docs
from plan.model.i18n import DEFAULT_LANG, t
from plan.model.issues import PlanInvalid, UsageError
from plan.outlook import listing
from plan.view import digest_run, queries, report, report_options, report_pdf
from plan.view.filters import Filters
from plan.view.report_options import ReportOptions

# Each command parses its arguments here and calls the library; the store's subcommands are in plan.cli.store,
# the arguments several commands share in plan.cli.arguments, and the reference written from this parser
# (docs/commands.md) in plan.cli.reference. (The docstring above is the parser's description.)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m plan", description=__doc__.splitlines()[0],
                                     epilog=" ".join(__doc__.split("\n\n", 1)[1].split()))
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check every plan CSV; change nothing",
                                   description="Check every CSV of every plan folder and list all errors.")
    plans_arguments(validate)
    add_common(validate)

    build = commands.add_parser("build", help="validate, then build the DuckDB database atomically",
                                description="Validate every CSV, then build the database into a new file and "
                                            "swap it in atomically: readers never see a half-built database, and "
                                            "on any error (or a killed build) the previous one stays as it was.")
    plans_arguments(build)
    build.add_argument("--db", type=Path, default=None,
                       help="database file (default: $PLAN_DB_PATH or DATA_DIR/plan.duckdb)")
    build.add_argument("--if-stale", action="store_true",
                       help="only build when the database is missing, stale or corrupt (a corrupt one is set aside)")
    add_common(build)

    demo_cmd = commands.add_parser("demo", help="write deterministic synthetic plan data",
                                   description="Write synthetic plan folders, valid by construction: 'sample' "
                                               "(2 offices) or 'national' (16 offices x 10 years, 5M+ outcome rows).")
    demo_cmd.add_argument("--scale", choices=("sample", "national"), default="sample")
    demo_cmd.add_argument("--out", type=Path, required=True, help="folder to write (created; reused if same demo)")
    demo_cmd.add_argument("--seed", type=int, default=0)

    bench_cmd = commands.add_parser("bench", help="measure build, page, memory and viewer costs at scale",
                                    description="Generate (or reuse) demo data; time `build` against DuckDB's plain "
                                                "read_csv, every page cold and warm (AppTest), a real server's peak "
                                                "memory and a crowd of viewers over its websocket, at the scale asked "
                                                "for against the sample; print a table and write results.json "
                                                "(with the targets) and results.md.")
    bench_cmd.add_argument("--scale", choices=("sample", "national"), default="national")
    bench_cmd.add_argument("--quick", action="store_true",
                           help="one repetition, a small crowd for a few seconds (a smoke test for CI)")
    bench_cmd.add_argument("--repetitions", type=int, default=3)
    bench_cmd.add_argument("--out", type=Path, default=Path("benchmarks"), help="folder for the results")
    bench_cmd.add_argument("--work", type=Path, default=None,
                           help="folder for the demo data and databases, reused by later runs "
                                "(default: a temporary folder)")

    bench_import = commands.add_parser(
        "bench-import", help="measure importing a customs month against DuckDB's read_csv of the same file",
        description="Generate a synthetic customs month (DUS, about 1 KB a line), then time DuckDB's read_csv of it "
                    "and the importer (read and sum; the whole import into a copy of the sample plan) side by side, "
                    "and the import command's peak memory, also saving into a plan at the size limit; print a table "
                    "and write import.json and import.md.")
    bench_import.add_argument("--lines", type=int, default=100_000, help="lines of the month (default 100,000)")
    bench_import.add_argument("--repetitions", type=int, default=3)
    bench_import.add_argument("--out", type=Path, default=Path("benchmarks"), help="folder for the results")
    bench_import.add_argument("--plan-bytes", type=int, default=None,
                              help="size of the large plan's outcomes.csv the month is also saved into (default: "
                                   "the size limit less 1,000,000)")

    hold_cmd = commands.add_parser("hold", help="hold a crowd of viewers while an editor saves and rebuilds",
                                   description="On a private copy of the demo: a real server, active and idle "
                                               "viewers over its websocket and a watcher reading the overview, while "
                                               "an editor saves a change (and the database is rebuilt) every few "
                                               "seconds; counts errors and half-built states seen (must be 0).")
    hold_cmd.add_argument("--scale", choices=("sample", "national"), default="national")
    hold_cmd.add_argument("--seconds", type=float, default=180.0, help="how long the load is held")
    hold_cmd.add_argument("--quick", action="store_true", help="a small crowd for a few seconds (a smoke test)")
    hold_cmd.add_argument("--out", type=Path, default=Path("benchmarks"), help="folder for held.json")
    hold_cmd.add_argument("--work", type=Path, default=None, help="folder for the demo copy (default: temporary)")

    backtest_cmd = commands.add_parser(
        "backtest", help="backtest the year-end outlook on national demos (docs/benchmarks.md)",
        description="For each seed, write (or reuse) the national demo, build it, and project every plan year with "
                    "at least two earlier years as of 31 March, 30 June and 30 September; compare with the actual "
                    "year end: the share of year ends inside the 80 % band and the median absolute percentage "
                    "error against the linear pace's, per method and date. Prints a table and writes "
                    "backtest.json and backtest.md.")
    backtest_cmd.add_argument("--seed", type=int, action="append", default=[], help="demo seed (repeatable; "
                              "default 0 and 1: the outlook's spreads were set on seed 7)")
    backtest_cmd.add_argument("--out", type=Path, default=Path("benchmarks"), help="folder for the results")
    backtest_cmd.add_argument("--work", type=Path, default=None,
                              help="folder for the demos and databases, reused by later runs (default: temporary)")

    commands.add_parser("columns", help="print the CSV columns as Markdown (the tables of docs/editing.md)",
                        description="Print every CSV's columns, generated from the models, as Markdown tables.")
    commands.add_parser("commands", help="print this command reference as Markdown (docs/commands.md)",
                        description="Print every command and subcommand of `python -m plan`, with its description, "
                                    "usage and options, as Markdown generated from this parser.")
    _add_report_command(commands)
    _add_outlook_command(commands)
    _add_impact_command(commands)
    store.add_command(commands)
    _add_import_command(commands)
    _add_digest_command(commands)
    serve_cmd = commands.add_parser(
        "serve", help="serve the dashboard as N replicas behind HAProxy (self-hosting)",
        description="Start N `streamlit run app.py` processes and HAProxy in front of them on one port, with "
                    "sticky sessions and WebSockets; with $PLAN_STORE_URL every replica shares the PostgreSQL "
                    "plan store, otherwise the plan folders of DATA_DIR. Runs until interrupted (Ctrl-C).")
    plans_arguments(serve_cmd)
    serve_cmd.add_argument("--replicas", type=int, default=2, help="how many app processes (default 2)")
    serve_cmd.add_argument("--port", type=int, default=8501, help="the load balancer's port (default 8501)")
    serve_cmd.add_argument("--work", type=Path, default=Path(".replicas"),
                           help="folder for each replica's database, local copy and log (default .replicas/)")
    add_common(serve_cmd)
    return parser


def _add_import_command(commands) -> None:
    import_cmd = commands.add_parser(
        "import", help="import official export statistics into a plan's outcomes (preview; --yes saves)",
        description="Read official export files and show what would change in the plan's outcomes.csv (rows "
                    "added, changed, removed; each period's total; lines read, summed and left out, by reason); "
                    "with --yes, save it like an edit (conflict check, history, database refresh). "
                    + " ".join(f"{source.key}: {source.about}" for source in imports.SOURCES.values())
                    + " Importing a period again replaces that period's rows; other rows stay. Exit codes: 0 done "
                    "(or previewed), 1 a file or the plan has errors (all listed, nothing written), 2 wrong usage.")
    sources = import_cmd.add_subparsers(dest="source", required=True, metavar="SOURCE")
    for official in imports.SOURCES.values():
        source = sources.add_parser(official.key, help=official.summary, description=f"Import {official.summary}.")
        source.add_argument("files", nargs="+", type=Path, metavar="FILE")
        source.add_argument("--plan", type=Path, required=True,
                            help="the plan folder, e.g. data/prochile-atacama-2021, or its id (the folder of that "
                                 "name in $PLAN_DATA_DIR or data/; with a store URL, in its local copy, and the "
                                 "import is saved into the store)")
        url_argument(source)
        if official.needs_region:
            source.add_argument("--region", default=None,
                                help="region of origin (3, III or Atacama; default: plan.csv's region_code)")
        source.add_argument("--yes", action="store_true", help="save the changes (without it: preview only)")
        source.add_argument("--db", type=Path, default=None,
                            help="database to refresh after saving (default: $PLAN_DB_PATH or DATA_DIR/plan.duckdb, "
                                 "if it exists)")
        add_common(source)


def _run_import(args) -> int:
    lang = args.lang
    data_dir, plan_id = imports.plan_folder(args.plan, default_data_dir(args.url))
    with local_copy(args.url, data_dir) as store:
        imports.check_plan(data_dir, plan_id, args.plan)
        source = imports.SOURCES[args.source]
        region = imports.region_to_import(data_dir, plan_id, args.region) if source.needs_region else None
        preview = imports.preview(data_dir, plan_id, source.read(args.files, region, args.max_bytes))
        print("\n".join(preview.lines(lang)))
        if not preview.changes:
            print(t("import_nothing_to_change", lang))
            return 0
        if not args.yes:
            print(t("import_dry_run", lang))
            return 0
        db_path = args.db or database.default_db_path(data_dir)
        draft = preview.draft()
        del preview  # its outcomes.csv, bytes and text (twice the file), is not needed by the save
        result = imports.save(data_dir, store, draft, getpass.getuser(), db_path=db_path if db_path.exists() else None)
    if isinstance(result, editing.Rejected):
        raise PlanInvalid(result.issues)
    if isinstance(result, editing.Conflict):
        print(t("import_conflict", lang), file=sys.stderr)
        return 1
    print(t("import_saved", lang, file=draft.shown, version=result.version.sha256[:10]))
    return 0


def _run_bench(args) -> int:
    from plan.bench import suite  # drives Streamlit (AppTest, its websocket protocol): loaded for this command only

    repetitions = 1 if args.quick else args.repetitions
    if args.work is not None:
        results = suite.run(args.scale, args.out, repetitions, args.work, quick=args.quick)
    else:
        with tempfile.TemporaryDirectory() as work:
            results = suite.run(args.scale, args.out, repetitions, Path(work), quick=args.quick)
    print(suite.markdown(results), end="")
    return 0


def _run_bench_import(args) -> int:
    from plan.bench import importing

    results = importing.run(args.out, args.lines, args.repetitions, log=lambda text: print(text, file=sys.stderr),
                            plan_bytes=args.plan_bytes or importing.PLAN_BYTES)
    print(importing.markdown(results), end="")
    return 0


def _run_backtest(args) -> int:
    from plan.bench import backtest

    seeds = args.seed or [0, 1]
    if args.work is not None:
        results = backtest.run(seeds, args.out, args.work, log=lambda text: print(text, file=sys.stderr))
    else:
        with tempfile.TemporaryDirectory() as work:
            results = backtest.run(seeds, args.out, Path(work), log=lambda text: print(text, file=sys.stderr))
    print(backtest.markdown(results), end="")
    return 0


def _run_hold(args) -> int:
    from plan.bench import held  # drives Streamlit's websocket protocol: loaded for this command only

    hold = held.QUICK if args.quick else held.Hold(seconds=args.seconds)
    with tempfile.TemporaryDirectory() as scratch:
        results = held.run_demo(args.scale, args.work or Path(scratch), args.out, hold)
    print(held.markdown(results), end="")
    return 0 if results["half_built_seen"] == 0 and results["viewer_runs"]["errors"] == 0 else 1


def _run_columns(_args) -> int:
    print(column_docs.columns_markdown(), end="")
    return 0


def _run_commands(_args) -> int:
    print(commands_markdown(build_parser()), end="")
    return 0


def _run_validate(args) -> int:
    with local_copy(args.url, args.data_dir):
        report = database.validate(args.data_dir, args.max_bytes)
    print(t("summary_valid", args.lang, plans=len(report.plans), rows=report.rows))
    return 0


def _run_build(args) -> int:
    db_path = args.db or database.default_db_path(args.data_dir)
    with local_copy(args.url, args.data_dir):
        if not args.if_stale:
            report = database.build(args.data_dir, db_path, args.max_bytes, derive=outlook.derive)
            print(t("summary_built", args.lang, path=db_path, plans=len(report.plans), rows=report.rows))
            return 0
        readiness = database.ensure(args.data_dir, db_path, args.max_bytes, derive=outlook.derive)
    if readiness.set_aside:
        print(t("summary_set_aside", args.lang, path=readiness.set_aside))
    if readiness.issues:
        raise PlanInvalid(readiness.issues)
    if readiness.report is None:
        print(t("summary_fresh", args.lang, path=db_path))
    else:
        print(t("summary_built", args.lang, path=db_path, plans=len(readiness.report.plans),
                rows=readiness.report.rows))
    return 0


def _run_demo(args) -> int:
    started = time.perf_counter()
    summary = demo.write_demo(args.out, args.scale, args.seed)
    print(f"{args.out}: {summary.plans} plans, rows {summary.rows}, {summary.bytes:,} bytes, "
          f"{time.perf_counter() - started:.1f} s")
    return 0


def _add_report_command(commands) -> None:
    report_cmd = commands.add_parser(
        "report", help="write the progress report as a self-contained HTML file (works offline) or a PDF",
        description="Write the progress report of the chosen plans and filters as one HTML file: KPIs with their "
                    "status, the main charts (plotly.js inlined, no internet needed) and the late activities, in "
                    "the language of --lang; or, when --out ends in .pdf, the same report printed by headless "
                    "Chromium (A4, charts as vectors, page numbers and the data's date on every page; Debian's "
                    "chromium, or the one $PLAN_CHROMIUM_PATH names). "
                    "Builds the database first when it is missing or stale. Repeat an option to choose several "
                    "values; an option left out means all.")
    plans_arguments(report_cmd)
    report_cmd.add_argument("--out", type=Path, required=True, metavar="FILE.html|FILE.pdf",
                            help="file to write, HTML or PDF by its extension (replaced atomically)")
    report_cmd.add_argument("--db", type=Path, default=None,
                            help="database file (default: $PLAN_DB_PATH or DATA_DIR/plan.duckdb)")
    report_cmd.add_argument("--office", action="append", default=[], metavar="NAME",
                            help="office of the plan, e.g. 'ProChile Atacama' (repeatable)")
    report_cmd.add_argument("--year", action="append", default=[], type=int, metavar="N",
                            help="plan year, e.g. 2021 (repeatable; default: each office's latest plan)")
    report_cmd.add_argument("--quarter", type=int, choices=(1, 2, 3, 4), default=None,
                            help="quarter of the planned start (outcomes: month of the figure)")
    report_cmd.add_argument("--from", dest="date_from", default=None, metavar="DATE",
                            help="activities whose planned span ends on or after DATE (YYYY-MM-DD or DD-MM-YYYY)")
    report_cmd.add_argument("--to", dest="date_to", default=None, metavar="DATE",
                            help="activities whose planned span starts on or before DATE (YYYY-MM-DD or DD-MM-YYYY)")
    report_cmd.add_argument("--market", action="append", default=[], metavar="M",
                            help="target market as ISO-3 code or country name, e.g. GBR or 'Reino Unido' (repeatable)")
    for option, _field, enum in report_options.ENUM_OPTIONS:
        report_cmd.add_argument(f"--{option}", action="append", default=[], metavar=option[0].upper(),
                                help=f"{option}: code, Spanish or English label, e.g. "
                                     f"{', '.join(m.value for m in list(enum)[:3])} (repeatable)")
    add_common(report_cmd)


def _run_report(args) -> int:
    lang = args.lang
    options = ReportOptions(**{name: getattr(args, name) for name in ReportOptions.__dataclass_fields__})
    values = report_options.filter_values(options, lang)  # a mistyped option is told before any build
    as_pdf = _report_format(args.out) == ".pdf"
    if as_pdf and (missing := report_pdf.unavailable(lang)):  # told before any build; nothing is written
        print(f"error: {missing}", file=sys.stderr)
        return 1
    with local_copy(args.url, args.data_dir):
        readiness = database.ensure(args.data_dir, args.db or database.default_db_path(args.data_dir),
                                    args.max_bytes, derive=outlook.derive)
    if readiness.set_aside:
        print(t("summary_set_aside", lang, path=readiness.set_aside), file=sys.stderr)
    if readiness.issues:
        print(t("report_kept_last_good", lang, count=len(readiness.issues)), file=sys.stderr)
        print("\n".join(issue.render(lang) for issue in readiness.issues), file=sys.stderr)
    with database.reader(readiness.db_path) as con:
        plan_ids = report_options.chosen_plan_ids(options, queries.plans(con), lang)
        chosen = Filters(plan_ids=plan_ids, **values)
        try:
            content = (report_pdf.render(con, chosen, lang) if as_pdf
                       else report.render(con, chosen, lang).encode("utf-8"))
        except report_pdf.PdfUnavailable as missing:  # Chromium found but it did not start
            print(f"error: {missing.message(lang)}", file=sys.stderr)
            return 1
    try:
        write_atomically(args.out, content)
    except OSError as error:  # a folder, a read-only place, a full disk: say so, leave what was there
        raise UsageError("report_cannot_write", option="--out", value=args.out,
                         reason=error.strerror or error) from None
    print(t("report_written", lang, path=args.out, size=f"{len(content):,}"))
    return 0


REPORT_FORMATS = (".html", ".pdf")


def _report_format(out: Path) -> str:
    """`.html` or `.pdf`, from --out's extension (any case); another one is a usage error naming it."""
    suffix = out.suffix.lower()
    if suffix not in REPORT_FORMATS:
        raise UsageError("report_unknown_format" if suffix else "report_no_format", option="--out", value=out,
                         suffix=suffix, allowed=", ".join(REPORT_FORMATS))
    return suffix


def _add_outlook_command(commands) -> None:
    outlook_cmd = commands.add_parser(
        "outlook", help="year-end projection per plan and KPI, with the chance of each target",
        description="Project where each plan and KPI will close its year, from what was known at the date: the "
                    "earlier of --as-of and the plan's status date (today when both are empty). Methods: schedule "
                    "(what is done plus what is still scheduled, weighted by the office's record in its earlier "
                    "plan years), seasonal (a seasonal model of the office's monthly exports and new exporters, at "
                    "least 24 months), pace (too little history: the linear pace with a wide band). One line per plan "
                    "and KPI; with --json, a list of objects with the keys plan_id, kpi, unit (usd | count), target, "
                    "actual_to_date, median, p10, p90, chance (0 to 1, null without a target), method, n (earlier "
                    "plan years or months learned from), as_of (the date used) and note. Builds the database first "
                    "when it is missing or stale.")
    plans_arguments(outlook_cmd)
    outlook_cmd.add_argument("--db", type=Path, default=None,
                             help="database file (default: $PLAN_DB_PATH or DATA_DIR/plan.duckdb)")
    outlook_cmd.add_argument("--plan", action="append", default=[], metavar="ID",
                             help="plan id, e.g. prochile-atacama-2021 (repeatable; default: every plan)")
    outlook_cmd.add_argument("--as-of", dest="as_of", default=None, metavar="DATE",
                             help="project from what was known at DATE (YYYY-MM-DD or DD-MM-YYYY), for a backtest")
    outlook_cmd.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_common(outlook_cmd)


def _run_outlook(args) -> int:
    as_of = listing.as_of_date(args.as_of, args.lang)  # a mistyped date is told before any build
    with local_copy(args.url, args.data_dir):
        readiness = database.ensure(args.data_dir, args.db or database.default_db_path(args.data_dir),
                                    args.max_bytes, derive=outlook.derive)
    if readiness.issues:
        raise PlanInvalid(readiness.issues)
    with database.reader(readiness.db_path) as con:
        found = listing.projections(con, args.plan, as_of)
    print(listing.as_json(found) if args.json else "\n".join(listing.lines(found, args.lang)))
    return 0


def _add_impact_command(commands) -> None:
    impact_cmd = commands.add_parser(
        "impact", help="did a plan's activities move exports? estimates per activity with their 90-percent intervals",
        description="For each done activity of the plan (or --activity), the change in exports after it, at two "
                    "levels: aggregate (the region's monthly exports by market and sector, customs data: the "
                    "activity's markets against the other markets in its sectors, 12 months before and after; an "
                    "association) and firm (firm_exports.csv and participants.csv: participants against firms in no "
                    "activity). docs/firms.md says how. With --json, a list of objects with the keys activity_id, "
                    "level (aggregate | firm), outcome (exports | exporting), estimate, low, high (a relative change "
                    "for exports, 0.15 = +15 %; a change in the share of months exporting for exporting, 0.05 = +5 "
                    "points), n_treated, n_control (firms at firm level, market-sector cells at aggregate level), "
                    "method and note (why there is no estimate, or what it means). Builds the database first when it "
                    "is missing or stale; estimates are kept per version of the plan's files.")
    plans_arguments(impact_cmd)
    impact_cmd.add_argument("--db", type=Path, default=None,
                            help="database file (default: $PLAN_DB_PATH or DATA_DIR/plan.duckdb)")
    impact_cmd.add_argument("--plan", required=True, metavar="ID", help="plan id, e.g. prochile-atacama-2021")
    impact_cmd.add_argument("--activity", default=None, metavar="ID", help="one activity, e.g. ATA-21-07")
    impact_cmd.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_common(impact_cmd)


def _run_impact(args) -> int:
    from plan.impact import listing as impact_listing  # scipy: loaded for this command only

    with local_copy(args.url, args.data_dir):
        readiness = database.ensure(args.data_dir, args.db or database.default_db_path(args.data_dir),
                                    args.max_bytes, derive=outlook.derive)
    if readiness.issues:
        raise PlanInvalid(readiness.issues)
    found = impact_listing.chosen(readiness.db_path, args.plan, args.activity)
    print(impact_listing.as_json(found, args.lang) if args.json else "\n".join(impact_listing.lines(found, args.lang)))
    return 0


DIGEST_CONFIG = "digest.toml"


def _add_digest_command(commands) -> None:
    digest_cmd = commands.add_parser(
        "digest", help="e-mail each recipient what changed in their plans since their last digest",
        description="Send one e-mail (plain text and HTML, the PDF report attached when Chromium is there) per "
                    "recipient with what changed in their plans since the last digest sent to them: KPIs whose "
                    "pace status or year-end likelihood worsened, activities that became late, postponed, cancelled "
                    "or done, official statistics imported, saves (who, when) and files changed by hand; a "
                    "recipient's first digest gives the current state (late activities, KPIs off track). Nothing "
                    "changed: no e-mail. What was sent is kept in the plan store per recipient, so a failed send "
                    "is repeated by the next run. Each setting comes from the first place that gives it: the "
                    "command line, the environment ($PLAN_SMTP_URL, $PLAN_BASE_URL), Streamlit's secrets "
                    "(.streamlit/secrets.toml of this folder or of the home folder: [digest] smtp_url, base_url, "
                    "[[digest.recipients]] address, plans), then --config for the recipients ([[recipient]] "
                    "address = ..., plans = [...]). Exit codes: 0 "
                    "done, 1 a digest could not be sent (the others were), 2 wrong usage. docs/digest.md has "
                    "scheduling recipes.")
    plans_arguments(digest_cmd)
    digest_cmd.add_argument("--db", type=Path, default=None,
                            help="database file (default: $PLAN_DB_PATH or DATA_DIR/plan.duckdb)")
    digest_cmd.add_argument("--to", action="append", default=[], metavar="ADDR",
                            help="recipient, for every plan or those of --plan (repeatable; overrides the secrets' "
                                 "and --config's)")
    digest_cmd.add_argument("--plan", action="append", default=[], metavar="ID",
                            help="plan id, e.g. prochile-atacama-2021 (repeatable; default: every plan)")
    digest_cmd.add_argument("--config", type=Path, default=Path(DIGEST_CONFIG),
                            help=f"recipients and their plans when neither --to nor the secrets name any; no "
                                 f"credentials (default: {DIGEST_CONFIG})")
    digest_cmd.add_argument("--smtp", default=None, metavar="URL",
                            help=f"smtp://user:password@host:port (STARTTLS when offered) or smtps://... "
                                 f"(default: ${mail.SMTP_URL_VARIABLE}, else the secrets' [digest] smtp_url)")
    digest_cmd.add_argument("--since", default=None, metavar="DATE",
                            help="what changed since this day (YYYY-MM-DD) instead of since each recipient's last "
                                 "digest, by the dates the plan keeps (docs/digest.md says what cannot be dated); "
                                 "marks nothing as sent")
    digest_cmd.add_argument("--dry-run", action="store_true",
                            help="print each message instead of sending it; mark nothing as sent")
    add_common(digest_cmd)


def _run_digest(args) -> int:
    found = digest_run.settings(args.to, args.plan, args.config, args.smtp, secrets.read(), os.environ, args.dry_run)
    since = digest_run.since_date(args.since) if args.since is not None else None
    request = digest_run.Request(args.data_dir, args.db, args.url, found, args.lang, args.max_bytes, args.dry_run,
                                 since)
    failed = False
    for said in digest_run.run(request):
        print(said.text, file=sys.stderr if said.error else sys.stdout)
        failed |= said.error
    return 1 if failed else 0


def _run_serve(args) -> int:
    from plan.serve.replicas import replicas  # starts streamlit servers: loaded for this command only

    if args.replicas < 1:
        raise UsageError("serve_replicas_invalid", value=args.replicas)
    settings = {name: os.environ[name] for name in ("PLAN_EDITOR_PASSWORD",) if name in os.environ}
    if args.url:
        settings[STORE_URL_VARIABLE] = args.url
    with replicas(args.replicas, args.data_dir, args.work, settings, args.port) as served:
        print(f"{served.url}  ({args.replicas} replicas: {', '.join(s.url for s in served.servers)})", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if hasattr(args, "url"):
        args.url = store_url(args.url)
    if getattr(args, "data_dir", "absent") is None:  # `store push` sends a working folder: data/ by default
        args.data_dir = default_data_dir(args.url if getattr(args, "reads_the_store", False) else None)
    runner = {"validate": _run_validate, "build": _run_build, "demo": _run_demo, "bench": _run_bench,
              "hold": _run_hold, "backtest": _run_backtest, "columns": _run_columns, "commands": _run_commands,
              "report": _run_report, "outlook": _run_outlook, "impact": _run_impact, "store": store.run,
              "serve": _run_serve, "import": _run_import, "bench-import": _run_bench_import,
              "digest": _run_digest}[args.command]
    lang = getattr(args, "lang", DEFAULT_LANG)
    try:
        return runner(args)
    except PlanInvalid as invalid:
        print(invalid.render(lang), file=sys.stderr)
        print(t("summary_invalid", lang, count=len(invalid.issues)), file=sys.stderr)
        return 1
    except StoreUnavailable as error:
        print(t("store_unreachable", lang, reason=error), file=sys.stderr)
        return 1
    except NotALocalCopy as refused:
        print(t("store_not_a_copy", lang, folder=refused.folder), file=sys.stderr)
        return 1
    except UsageError as usage:  # options naming unknown values, a plan folder that is not one, ...
        for message in usage.messages(lang):
            print(f"error: {message}", file=sys.stderr)
        return 2
    except ValueError as error:  # e.g. demo refusing a folder that is not a demo
        print(f"error: {error}", file=sys.stderr)
        return 2
