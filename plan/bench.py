"""Build cost measured against DuckDB's own plain `read_csv` of the same files.

Both are timed side by side in one run, several repetitions each, alternating, so a noisy
shared machine affects both alike; the result is a ratio, never a wall-clock limit.
Writes `results.json` (raw figures, machine, versions and `targets`) and `results.md`.
"""

import json
import os
import platform
import statistics
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import duckdb

from plan import demo, store
from plan.models import TABLES

BUILD_RATIO_LIMIT = 3.0


@dataclass(frozen=True)
class Timing:
    name: str
    seconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def _fresh(path: Path) -> Path:
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()
    return path


def plain_read(data_dir: Path, db_path: Path) -> None:
    """What DuckDB does unaided: one `CREATE TABLE AS SELECT * FROM read_csv([...])` per table."""
    con = duckdb.connect(str(_fresh(db_path)))
    try:
        for table in TABLES:
            files = sorted(str(p) for p in data_dir.glob(f"*/{table.file_name}"))
            if files:
                con.execute(f"CREATE TABLE {table.name} AS SELECT * FROM read_csv(?, union_by_name = true)",  # noqa: S608
                            [files])
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _machine() -> dict:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {"cores": os.cpu_count(), "memory_gib": round(memory / 2**30, 1), "platform": platform.platform(),
            "python": platform.python_version(),
            "versions": {name: version(name) for name in ("duckdb", "pandas", "pydantic", "pyarrow", "streamlit")}}


def run(scale: str, out_dir: Path, repetitions: int, work_dir: Path) -> dict:
    data_dir = work_dir / f"demo-{scale}"
    summary = demo.write_demo(data_dir, scale)
    build_times, plain_times = [], []
    for _ in range(repetitions):
        started = time.perf_counter()
        store.build(data_dir, _fresh(work_dir / "built.duckdb"))
        build_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        plain_read(data_dir, work_dir / "plain.duckdb")
        plain_times.append(time.perf_counter() - started)
    build, plain = Timing("plan build", build_times), Timing("plain read_csv", plain_times)
    ratio = build.median / plain.median
    results = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "scale": scale, "repetitions": repetitions, "rows": summary.rows, "csv_bytes": summary.bytes,
        "machine": _machine(),
        "build": {t.name: {"median_s": round(t.median, 3), "min_s": round(min(t.seconds), 3),
                           "max_s": round(max(t.seconds), 3), "runs_s": [round(s, 3) for s in t.seconds]}
                  for t in (build, plain)},
        "targets": [{"name": "build / plain read_csv", "ratio": round(ratio, 2), "limit": BUILD_RATIO_LIMIT,
                     "met": ratio <= BUILD_RATIO_LIMIT}],
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (out_dir / "results.md").write_text(markdown(results), encoding="utf-8")
    return results


def markdown(results: dict) -> str:
    machine = results["machine"]
    lines = [f"Build benchmark, scale `{results['scale']}` ({sum(results['rows'].values()):,} rows, "
             f"{results['csv_bytes']:,} bytes of CSV), {results['repetitions']} repetitions, {results['date']}, "
             f"{machine['cores']} cores, {machine['memory_gib']} GiB, DuckDB {machine['versions']['duckdb']}.", "",
             "| step | median s | min s | max s |", "| --- | ---: | ---: | ---: |"]
    for name, timing in results["build"].items():
        lines.append(f"| {name} | {timing['median_s']:.3f} | {timing['min_s']:.3f} | {timing['max_s']:.3f} |")
    lines += ["", "| target | ratio | limit | met |", "| --- | ---: | ---: | --- |"]
    for target in results["targets"]:
        lines.append(f"| {target['name']} | {target['ratio']:.2f} | {target['limit']:.2f} | "
                     f"{'yes' if target['met'] else 'NO'} |")
    return "\n".join(lines) + "\n"
