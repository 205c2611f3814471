"""The import benchmark: a customs month (DUS) imported against DuckDB's own read_csv of the same file.

A synthetic month of `lines` item lines (`plan.bench.dus`, about 1 KB each as published) is measured side by
side, alternating, `repetitions` times:

    read_csv      DuckDB reading the file into a table (84 VARCHAR columns, `;`, Latin-1), what the target
                  compares with; it splits lines on CR too, so it finds more rows than the file has lines
    read and sum  the importer's pass over the file (plan.edit.aduanas.read_dus)
    whole import  what `python -m plan import aduanas FILE --plan … --yes` does (plan.edit.imports), in-process on
                  a fresh copy of the sample plan: read, sum, merge into outcomes.csv and preview, check the plan,
                  save with history, refresh the database

and the peak memory (high-water RSS) of the import command in its own process, for this file and for a file of
1/100 the lines: memory that does not grow with the file is what streaming means. Last, the month saved
(`--yes`) into a plan whose outcomes.csv is at the size limit (`plan_bytes`, 200 MB and 3 million rows by
default; its database built first, so the save refreshes it): the command's peak memory and time; then that
folder pushed (`python -m plan store push`) into a new PostgreSQL store (Debian's package, on 127.0.0.1).
"""

import contextlib
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from plan import outlook
from plan.bench.dus import FIELDS, dus_month
from plan.bench.postgres import LocalPostgres
from plan.data import database
from plan.data.csv_reader import DEFAULT_MAX_BYTES
from plan.data.store import FolderStore
from plan.edit import editing, imports
from plan.edit.aduanas import read_dus
from plan.model import countries
from plan.model.models import Sector
from plan.model.regions import Region

SAMPLE = Path(__file__).resolve().parents[2] / "data"
PLAN_ID = "prochile-atacama-2021"
LIMIT = 2.0  # whole import / read_csv
PLAN_BYTES = DEFAULT_MAX_BYTES - 1_000_000  # the large plan's outcomes.csv: at the size limit, with room to import
READ_CSV = ("CREATE TABLE month AS SELECT * FROM read_csv($path, delim = ';', header = false, auto_detect = false, "
            "columns = $columns, null_padding = true, ignore_errors = true, strict_mode = false, "
            "encoding = 'latin-1', quote = '', escape = '')")


def _read_csv(path: Path) -> tuple[float, int]:
    with duckdb.connect() as con:
        started = time.perf_counter()
        con.execute(READ_CSV, {"path": str(path), "columns": {f"f{i}": "VARCHAR" for i in range(1, FIELDS + 1)}})
        seconds = time.perf_counter() - started
        return seconds, con.execute("SELECT count(*) FROM month").fetchone()[0]


def _read_and_sum(path: Path) -> float:
    started = time.perf_counter()
    read_dus([path], Region("3"), 10**10)
    return time.perf_counter() - started


def _whole_import(path: Path, work: Path) -> float:
    """The import command's work, saved into a fresh copy of the sample plan (with its database built before):
    the plan's region, the month read and summed, the preview and its lines, the save and the refresh."""
    data = work / "data"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(SAMPLE, data, ignore=shutil.ignore_patterns("*.duckdb*", ".history"))
    database.build(data, data / "plan.duckdb", derive=outlook.derive)
    started = time.perf_counter()
    region = imports.region_to_import(data, PLAN_ID, None)
    preview = imports.preview(data, PLAN_ID, imports.SOURCES["aduanas"].read([path], region, DEFAULT_MAX_BYTES))
    preview.lines("es")
    draft = preview.draft()
    del preview  # as the command does: the old file is not held through the save
    result = imports.save(data, FolderStore(data), draft, "bench", db_path=data / "plan.duckdb")
    seconds = time.perf_counter() - started
    if not isinstance(result, editing.Saved):
        raise RuntimeError(f"the import was not saved: {result}")
    return seconds


def _high_water_kib(pid: int) -> int | None:
    """VmHWM of a running process: its own peak RSS since it started (exec), in KiB."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return None


def _peak_rss_mib(args: list[str]) -> float:
    """Peak RSS of `python -m plan ARGS` in its own process, read from /proc while it runs (the high-water mark
    only grows; wait4's ru_maxrss would count this process's memory at the fork)."""
    child = subprocess.Popen([sys.executable, "-m", "plan", *args], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    peak = 0
    while child.poll() is None:
        peak = max(peak, _high_water_kib(child.pid) or 0)
        time.sleep(0.01)
    if child.returncode != 0:
        raise RuntimeError(f"python -m plan {args[0]} failed with exit code {child.returncode}")
    return round(peak / 1024, 1)


def _preview_peak_rss_mib(path: Path, work: Path) -> float:
    """Peak RSS of the import command's preview of `path` into a fresh copy of the sample plan."""
    data = work / "data"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(SAMPLE, data, ignore=shutil.ignore_patterns("*.duckdb*", ".history"))
    return _peak_rss_mib(["import", "aduanas", str(path), "--plan", str(data / PLAN_ID)])


def _size_limit_import(path: Path, work: Path, plan_bytes: int) -> dict:
    """The import command saving `path` into a plan whose outcomes.csv is `plan_bytes` (database built first):
    its peak RSS and seconds, in its own process."""
    outcomes = plan_at_size(work / "data", plan_bytes)
    raw = outcomes.read_bytes()
    database.build(work / "data", work / "data" / "plan.duckdb", derive=outlook.derive)
    started = time.perf_counter()
    peak = _peak_rss_mib(["import", "aduanas", str(path), "--plan", str(outcomes.parent), "--yes"])
    return {"outcomes_bytes": len(raw), "outcomes_rows": raw.count(b"\n") - 1, "peak_rss_mib": peak,
            "seconds": round(time.perf_counter() - started, 1)}


def _size_limit_push(data: Path) -> dict:
    """`python -m plan store push` of `data` (a plan at the size limit) into a new PostgreSQL store: its peak RSS
    and seconds, in its own process."""
    with LocalPostgres() as server:
        started = time.perf_counter()
        peak = _peak_rss_mib(["store", "push", str(data), "--url", server.url])
        return {"peak_rss_mib": peak, "seconds": round(time.perf_counter() - started, 1)}


def plan_at_size(data: Path, size: int) -> Path:
    """A copy of the sample data whose Atacama outcomes.csv is filled to just under `size` bytes with distinct
    synthetic rows (three US$ metrics, months of 1990-2019, every market and sector: up to 4 million rows,
    none in 2020, the year imported here); returns that file."""
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(SAMPLE, data, ignore=shutil.ignore_patterns("*.duckdb*", ".history"))
    outcomes = data / PLAN_ID / "outcomes.csv"
    rows = ("SELECT metric, year, month, market, NULL, sector, NULL, (hash(metric, year, month, market, sector) "
            "% 10000000000) / 100, 'sintético ' || year FROM (SELECT unnest(['exports_usd', 'deals_closed_usd', "
            "'deals_projected_usd']) AS metric), (SELECT range AS year FROM range(1990, 2020)), (SELECT range AS "
            "month FROM range(1, 13)), (SELECT unnest($markets) AS market), (SELECT unnest($sectors) AS sector)")
    with duckdb.connect() as con:
        con.execute("SET threads = 1")  # rows in the order of the query: the same file every time
        con.execute("SET enable_progress_bar = false")
        params = {"markets": sorted(set(countries.alias_table().values())), "sectors": [s.value for s in Sector]}
        count = (size - outcomes.stat().st_size) // 50 + 1  # rows are 55 to 80 bytes: more than enough
        body = data / "rows.csv"
        con.execute(f"COPY ({rows} LIMIT $count) TO $body (FORMAT csv, HEADER false)",  # noqa: S608 (constant)
                    {**params, "count": count, "body": str(body)})
    with open(body, "rb") as more:
        room = more.read(size - outcomes.stat().st_size)
    with open(outcomes, "ab") as out:
        out.write(room[: room.rfind(b"\n") + 1])
    body.unlink()
    return outcomes


def _stats(seconds: list[float]) -> dict:
    return {"median_s": round(statistics.median(seconds), 4), "min_s": round(min(seconds), 4),
            "max_s": round(max(seconds), 4)}


def run(out: Path, lines: int = 100_000, repetitions: int = 3, log=print, plan_bytes: int = PLAN_BYTES) -> dict:
    with tempfile.TemporaryDirectory(prefix="plan-bench-import-") as scratch:
        work = Path(scratch)
        month, small = work / "month.txt", work / "small.txt"
        generated = dus_month(2020, 3, lines, seed=1, truncated=lines // 5000, unknown_destinations=3)
        month.write_bytes(generated.raw)
        small.write_bytes(dus_month(2020, 3, max(lines // 100, 10), seed=1).raw)
        log(f"{month.stat().st_size:,} bytes, {lines:,} lines")
        runs = {"read_csv": [], "read_and_sum": [], "whole_import": []}
        rows = 0
        for repetition in range(repetitions):
            seconds, rows = _read_csv(month)
            runs["read_csv"].append(seconds)
            runs["read_and_sum"].append(_read_and_sum(month))
            runs["whole_import"].append(_whole_import(month, work / "plan"))
            times = ", ".join(f"{name} {seconds[-1]:.2f} s" for name, seconds in runs.items())
            log(f"repetition {repetition + 1}/{repetitions}: {times}")
        memory = {"small_file": _preview_peak_rss_mib(small, work / "plan"),
                  "month": _preview_peak_rss_mib(month, work / "plan")}
        log(f"the month into a plan whose outcomes.csv is {plan_bytes:,} bytes")
        size_limit = _size_limit_import(month, work / "limit", plan_bytes)
        log("that plan pushed into a new PostgreSQL store")
        size_limit["push"] = _size_limit_push(work / "limit" / "data")
        size = month.stat().st_size
    ratio = statistics.median(runs["whole_import"]) / statistics.median(runs["read_csv"])
    results = {"lines": lines, "bytes": size, "read_csv_rows": rows, "repetitions": repetitions,
               "runs": {name: _stats(seconds) for name, seconds in runs.items()},
               "peak_rss_mib": memory, "size_limit_import": size_limit,
               "target": {"name": "whole import / DuckDB read_csv", "ratio": round(ratio, 2), "limit": LIMIT,
                          "met": ratio <= LIMIT}}
    out.mkdir(parents=True, exist_ok=True)
    (out / "import.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (out / "import.md").write_text(markdown(results), encoding="utf-8")
    return results


def markdown(results: dict) -> str:
    runs, memory, target, limit = (results["runs"], results["peak_rss_mib"], results["target"],
                                   results["size_limit_import"])
    lines = [f"Import benchmark: a customs month of {results['lines']:,} lines, {results['bytes']:,} bytes; "
             f"{results['repetitions']} repetitions (DuckDB's read_csv found {results['read_csv_rows']:,} rows: it "
             "also splits on the CR inside fields).", "",
             "| step | median s | min s | max s |", "| --- | ---: | ---: | ---: |"]
    names = {"read_csv": "DuckDB read_csv of the file", "read_and_sum": "importer: read and sum",
             "whole_import": "whole import (sum, merge, check, save, refresh)"}
    lines += [f"| {names[name]} | {s['median_s']:.3f} | {s['min_s']:.3f} | {s['max_s']:.3f} |"
              for name, s in runs.items()]
    lines += ["", "| import command, own process | peak RSS MiB |", "| --- | ---: |",
              f"| 1/100 of the lines | {memory['small_file']} |", f"| the month | {memory['month']} |",
              f"| the month saved into a plan whose outcomes.csv has {limit['outcomes_bytes']:,} bytes, "
              f"{limit['outcomes_rows']:,} rows (database refreshed; {limit['seconds']} s) | {limit['peak_rss_mib']} |",
              f"| that plan's folder pushed into a new PostgreSQL store (`store push`; {limit['push']['seconds']} s) "
              f"| {limit['push']['peak_rss_mib']} |",
              "",
              f"Target: {target['name']} = {target['ratio']} (limit {target['limit']}): "
              f"{'met' if target['met'] else 'NOT met'}.", ""]
    return "\n".join(lines)
