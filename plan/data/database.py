"""The built DuckDB database: atomic builds from the CSVs, freshness, recovery, readers.

    build:   CSVs --validate+load--> <db>.building-<pid> --checkpoint, fsync--> os.replace --> <db>
    readers: in-memory DuckDB + ATTACH <db> READ_ONLY, then external access and local files switched off

A build writes a new file and swaps it in, so readers never see a half-built database,
a killed build leaves the previous one in place, and a rejected plan changes nothing.
Readers attach the file from a fresh in-memory instance: DuckDB's per-path instance cache
would otherwise keep serving the replaced file to this process.
"""

import contextlib
import datetime as dt
import hashlib
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from plan.data.csv_reader import DEFAULT_MAX_BYTES
from plan.data.files import fsync_folder, locked, pid_named, remove_dead_leftovers
from plan.data.loader import LoadReport, load_data_dir, plan_dirs, plan_folders, scratch_database
from plan.model.issues import Issue, PlanInvalid
from plan.model.models import TABLES

SCHEMA_VERSION = 2  # bump when what `derive` computes changes, so older databases are rebuilt (a plan table
# or column the models added is noticed by itself: `_lacks_plan_columns`)
DB_FILE_NAME = "plan.duckdb"
# What a build adds to the loaded plans before the swap, for the given plan ids (None: every plan): the
# year-end projections (`plan.outlook.tables.derive`), passed in since that layer comes after this one.
Derive = Callable[[duckdb.DuckDBPyConnection, set[str] | None], None]


def default_data_dir() -> Path:
    return Path(os.environ.get("PLAN_DATA_DIR", "data"))


def default_db_path(data_dir: Path) -> Path:
    """Built next to the CSVs (git-ignored), unless PLAN_DB_PATH says otherwise."""
    return Path(os.environ.get("PLAN_DB_PATH", data_dir / DB_FILE_NAME))


def csv_stats(data_dir: Path) -> list[tuple[str, int, int]]:
    """(path, size, mtime_ns) of every CSV of the plan folders, the cheap staleness check; `OUTCOMES.CSV` too,
    which a build refuses: its arrival makes the database stale, so the build that says why runs."""
    stats = []
    if data_dir.is_dir():
        for folder, files in plan_folders(data_dir):
            for entry in files:
                stat = entry.stat()
                stats.append((f"{folder}/{entry.name}", stat.st_size, stat.st_mtime_ns))
    return stats


def csv_digest(data_dir: Path) -> str:
    """One short key for `csv_stats`: changes whenever a plan CSV does, and no file is read."""
    return hashlib.sha256(repr(csv_stats(data_dir)).encode()).hexdigest()


def _fingerprint(hashes: list[tuple[str, str]]) -> str:
    digest = hashlib.sha256(f"schema {SCHEMA_VERSION}\n".encode())
    for name, sha in sorted(hashes):
        digest.update(f"{name} {sha}\n".encode())
    return digest.hexdigest()


def _content_fingerprint(data_dir: Path) -> str:
    hashes = []
    for name, _size, _mtime in csv_stats(data_dir):
        hashes.append((name, hashlib.sha256((data_dir / name).read_bytes()).hexdigest()))
    return _fingerprint(hashes)


def _build_lock(db_path: Path) -> contextlib.AbstractContextManager:
    """One build at a time per database; a killed builder's lock dies with it."""
    return locked(db_path.with_name(db_path.name + ".lock"))


def _write_build_info(con: duckdb.DuckDBPyConnection, data_dir: Path, report: LoadReport) -> str:
    fingerprint = _fingerprint([(f"{f.plan_id}/{Path(f.path).name}", f.sha256) for f in report.files])
    con.execute("CREATE TABLE build_info (fingerprint VARCHAR, schema_version INTEGER, built_at_utc TIMESTAMP,"
                " data_dir VARCHAR)")
    con.execute("INSERT INTO build_info VALUES (?, ?, ?, ?)",
                [fingerprint, SCHEMA_VERSION, dt.datetime.now(dt.UTC).replace(tzinfo=None), str(data_dir)])
    con.execute("CREATE TABLE source_files (plan_id VARCHAR, table_name VARCHAR, path VARCHAR, sha256 VARCHAR,"
                " bytes BIGINT, mtime_ns BIGINT, rows BIGINT, encoding VARCHAR, delimiter VARCHAR)")
    con.executemany("INSERT INTO source_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(f.plan_id, f.table, f.path, f.sha256, f.bytes, f.mtime_ns, f.rows, f.encoding, f.delimiter)
                     for f in report.files])
    return fingerprint


def validate(data_dir: Path, max_bytes: int = DEFAULT_MAX_BYTES, only: set[str] | None = None) -> LoadReport:
    """Check every plan (or the plans named in `only`) without writing anything; raise PlanInvalid with every
    issue."""
    with scratch_database() as con:
        return load_data_dir(con, data_dir, max_bytes, only)


def build(data_dir: Path, db_path: Path, max_bytes: int = DEFAULT_MAX_BYTES, *, derive: Derive) -> LoadReport:
    """Validate and build a new database with what `derive` adds, then swap it in atomically.

    On PlanInvalid (or any failure, or a kill) the previous database is left untouched.
    """
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with _build_lock(db_path):
        return _build_locked(data_dir, db_path, max_bytes, derive)


def _build_locked(data_dir: Path, db_path: Path, max_bytes: int, derive: Derive) -> LoadReport:
    """`build`'s work; the caller holds the build lock."""
    with _building(db_path) as building:
        con = duckdb.connect(str(building))
        try:
            con.execute("SET enable_progress_bar = false")  # a build in a server would print bars to its log
            report = load_data_dir(con, data_dir, max_bytes)
            derive(con, None)
            _write_build_info(con, data_dir, report)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        _swap_in(building, db_path)
        return report


@contextlib.contextmanager
def _building(db_path: Path) -> Iterator[Path]:
    """The file a build writes before it is swapped in (`<db>.building-<pid>`); whatever is left of it, and of
    the builds that were killed (their file, .wal and DuckDB's spill folder `.tmp`), is removed."""
    remove_dead_leftovers(db_path.parent, pid_named(rf"{re.escape(db_path.name)}\.building-", r"(?:\.wal|\.tmp)?"))
    building = db_path.with_name(f"{db_path.name}.building-{os.getpid()}")
    building.unlink(missing_ok=True)
    try:
        yield building
    finally:
        building.unlink(missing_ok=True)
        building.with_name(building.name + ".wal").unlink(missing_ok=True)


def refresh(data_dir: Path, db_path: Path, plan_ids: set[str], max_bytes: int = DEFAULT_MAX_BYTES, *,
            derive: Derive) -> LoadReport:
    """After the plans `plan_ids` changed (saved, or copied in from the store): replace only their rows, in a
    copy of the database that is then swapped in as a build is, so a save at national scale shows in about a
    second instead of a whole rebuild; `derive` recomputes what depends on them. A missing, foreign or older
    database gets a whole build instead. Raises PlanInvalid (the database untouched) when a changed plan is
    invalid; returns what was loaded."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with _build_lock(db_path):
        if not _refreshable(db_path) or not plan_dirs(data_dir):
            return _build_locked(data_dir, db_path, max_bytes, derive)
        with _building(db_path) as building:
            shutil.copyfile(db_path, building)
            with scratch_database() as con:
                con.execute("SET enable_progress_bar = false")
                report = load_data_dir(con, data_dir, max_bytes, only=set(plan_ids))
                con.execute("ATTACH ? AS target", [str(building)])
                _replace_plans(con, sorted(plan_ids), report)
                con.execute("USE target")
                derive(con, set(plan_ids))
                con.execute("USE memory")
                con.execute("CHECKPOINT target")
                con.execute("DETACH target")
            _swap_in(building, db_path)
            return report


def _refreshable(db_path: Path) -> bool:
    """A database of this schema version that opens: its rows can be replaced plan by plan."""
    try:
        with reader(db_path) as con:
            found = con.execute("SELECT schema_version FROM build_info").fetchone()
            lacking = _lacks_plan_columns(con)
    except (duckdb.Error, OSError):
        return False
    return found is not None and found[0] == SCHEMA_VERSION and not lacking


def _replace_plans(con: duckdb.DuckDBPyConnection, plan_ids: list[str], report: LoadReport) -> None:
    """In the attached `target`: the plans' rows of every table and their source files replaced by the ones
    loaded into `con`, and the fingerprint recomputed over every source file."""
    for table in TABLES:
        con.execute(f"DELETE FROM target.main.{table.name} WHERE list_contains(?, plan_id)", [plan_ids])  # noqa: S608
        con.execute(f"INSERT INTO target.main.{table.name} SELECT * FROM memory.main.{table.name}")  # noqa: S608
    con.execute("DELETE FROM target.main.source_files WHERE list_contains(?, plan_id)", [plan_ids])
    if report.files:  # none when every changed plan was removed from the store
        con.executemany("INSERT INTO target.main.source_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [(f.plan_id, f.table, f.path, f.sha256, f.bytes, f.mtime_ns, f.rows, f.encoding, f.delimiter)
                         for f in report.files])
    hashes = con.execute("SELECT plan_id, path, sha256 FROM target.main.source_files").fetchall()
    fingerprint = _fingerprint([(f"{plan_id}/{Path(path).name}", sha) for plan_id, path, sha in hashes])
    con.execute("UPDATE target.main.build_info SET fingerprint = ?, built_at_utc = ?",
                [fingerprint, dt.datetime.now(dt.UTC).replace(tzinfo=None)])


def _swap_in(building: Path, db_path: Path) -> None:
    """The new file, synced, replaces the database in one rename (readers see the old or the new one whole)."""
    with open(building, "rb+") as handle:
        os.fsync(handle.fileno())
    _set_wal_aside(db_path)
    os.replace(building, db_path)
    fsync_folder(db_path.parent)


def _set_wal_aside(db_path: Path) -> None:
    """A .wal beside the database belongs to no build of ours (builds are checkpointed and nothing opens
    the file read-write) and would break the open or replay foreign changes: keep it aside, unused."""
    wal = db_path.with_name(db_path.name + ".wal")
    if wal.exists():
        wal.replace(db_path.with_name(f"{db_path.name}.stale-wal-{_stamp()}"))


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")


@contextlib.contextmanager
def reader(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short read-only connection: no file access, no attaching, settings locked."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("ATTACH ? AS plan_db (READ_ONLY)", [str(db_path)])
        con.execute("USE plan_db")
        con.execute("SET enable_external_access = false")
        # External access still allows the attached path (it may be re-attached read-write after a DETACH);
        # with local files switched off nothing new can be opened, the attached file reads on.
        con.execute("SET disabled_filesystems = 'LocalFileSystem'")
        con.execute("SET lock_configuration = true")
        yield con
    finally:
        con.close()


class Outdated(ValueError):
    """A sound database an older release built (another schema version, or lacking a plan column)."""


def _lacks_plan_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The plan tables' columns (`table.column`) the models have and the database has not: a database built
    before a release added them is stale, whatever its schema version says."""
    found = set(con.execute("SELECT table_name || '.' || column_name FROM duckdb_columns()"
                            " WHERE database_name = 'plan_db'").fetchall())
    return [f"{table.name}.{column}" for table in TABLES for column in table.model.model_fields
            if (f"{table.name}.{column}",) not in found]


def verify(db_path: Path) -> str:
    """Open and scan every table, the derived ones too (DuckDB checks block checksums on read); return the
    fingerprint. Raises duckdb.Error (or ValueError) on a corrupt or foreign file."""
    with reader(db_path) as con:
        info = con.execute("SELECT fingerprint, schema_version FROM build_info").fetchone()
        if info is None or info[1] != SCHEMA_VERSION:
            raise Outdated("not a database of this schema version")
        if lacking := _lacks_plan_columns(con):
            raise Outdated(f"built by an older version: no {', '.join(lacking)}")
        expected = dict(con.execute("SELECT table_name, sum(rows) FROM source_files GROUP BY ALL").fetchall())
        plan_tables = {table.name for table in TABLES}
        for (name,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'plan_db'"
                                   " ORDER BY table_name").fetchall():  # the plan's tables and what derive added
            count, *_ = con.execute("SELECT count(*), sum(hash(COLUMNS(*))) FROM query_table($name)",
                                    {"name": name}).fetchone()
            if name in plan_tables and count != expected.get(name, 0):
                raise ValueError(f"{name}: {count} rows, expected {expected.get(name, 0)}")
        return info[0]


def is_fresh(data_dir: Path, db_path: Path, fingerprint: str) -> bool:
    """Same CSV sizes and times as built from, or, if those moved, the same content."""
    with reader(db_path) as con:
        built = sorted((f"{p}/{Path(f).name}", b, m) for p, f, b, m in
                       con.execute("SELECT plan_id, path, bytes, mtime_ns FROM source_files").fetchall())
    current = csv_stats(data_dir)
    return built == current or _content_fingerprint(data_dir) == fingerprint


@dataclass
class Readiness:
    """What `ensure` did: the database to read, and the problems to show in a banner."""

    db_path: Path
    action: str  # "fresh", "built", "kept_last_good"
    issues: list[Issue] = field(default_factory=list)
    set_aside: Path | None = None
    report: LoadReport | None = None  # when built
    error: str = ""  # kept_last_good because the rebuild failed (e.g. a full disk), not because of the CSVs


def ensure(data_dir: Path, db_path: Path, max_bytes: int = DEFAULT_MAX_BYTES, *, derive: Derive) -> Readiness:
    """Make sure `db_path` is a sound database of the current CSVs, rebuilding if it is
    missing, stale or corrupt (the corrupt file is kept aside, not deleted; a file another
    process holds locked is not corrupt and is simply replaced). When the CSVs are invalid,
    or the rebuild fails (a full disk), the last good database stays in use; with none,
    PlanInvalid (or the rebuild's error) is raised."""
    with contextlib.suppress(duckdb.Error, ValueError, OSError):  # fast path, no lock: a sound, fresh database
        if db_path.exists() and is_fresh(data_dir, db_path, verify(db_path)):
            return Readiness(db_path, "fresh")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    # Look again under the build lock: another process may have set the file aside or rebuilt it meanwhile,
    # and setting aside without the lock could move away a good database, or a file that is already gone.
    with _build_lock(db_path):
        set_aside = None
        fingerprint = None
        _set_wal_aside(db_path)  # a stale .wal is not the database's fault: judge the file alone
        if db_path.exists():
            try:
                fingerprint = verify(db_path)
            except Outdated:
                pass  # sound, only stale: rebuilt below, nothing to keep as evidence
            except (duckdb.Error, ValueError) as error:
                if "Conflicting lock" not in str(error):  # locked: unreadable now, but nothing to keep as evidence
                    set_aside = db_path.with_name(f"{db_path.name}.corrupt-{_stamp()}")
                    os.replace(db_path, set_aside)
        if fingerprint is not None and is_fresh(data_dir, db_path, fingerprint):
            return Readiness(db_path, "fresh", set_aside=set_aside)
        try:
            report = _build_locked(data_dir, db_path, max_bytes, derive)
        except PlanInvalid as invalid:
            if fingerprint is None:
                raise
            return Readiness(db_path, "kept_last_good", invalid.issues, set_aside)
        except (duckdb.Error, OSError) as error:  # the build left the database in place (see build)
            if fingerprint is None:
                raise
            return Readiness(db_path, "kept_last_good", set_aside=set_aside, error=str(error))
        return Readiness(db_path, "built", set_aside=set_aside, report=report)
