"""Build cost measured against DuckDB's own plain `read_csv` of the same files.

Both are timed side by side in one run, several repetitions each, alternating, so a noisy
shared machine affects both alike; the result is a ratio, never a wall-clock limit.
"""

import time
from pathlib import Path

import duckdb

from plan import outlook
from plan.data import database
from plan.model.models import TABLES


def plain_read(data_dir: Path, db_path: Path) -> None:
    """What DuckDB does unaided: one `CREATE TABLE AS SELECT * FROM read_csv([...])` per table."""
    for leftover in db_path.parent.glob(db_path.name + "*"):
        leftover.unlink()
    con = duckdb.connect(str(db_path))
    try:
        for table in TABLES:
            files = sorted(str(p) for p in data_dir.glob(f"*/{table.file_name}"))
            if files:
                con.execute(f"CREATE TABLE {table.name} AS SELECT * FROM read_csv(?, union_by_name = true)",  # noqa: S608
                            [files])
        con.execute("CHECKPOINT")
    finally:
        con.close()


def measure(data_dir: Path, db_path: Path, plain_path: Path, repetitions: int) -> dict[str, list[float]]:
    """Seconds of `plan build` into `db_path` (left built) and of `plain_read`, per repetition."""
    times = {"plan build": [], "plain read_csv": []}
    for _ in range(repetitions):
        started = time.perf_counter()
        database.build(data_dir, db_path, derive=outlook.derive)
        times["plan build"].append(time.perf_counter() - started)
        started = time.perf_counter()
        plain_read(data_dir, plain_path)
        times["plain read_csv"].append(time.perf_counter() - started)
    plain_path.unlink()
    return times
