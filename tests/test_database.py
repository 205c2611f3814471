"""The built database: read-only readers, atomic builds, kill -9, concurrent readers, ensure()."""

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from plan import outlook
from plan.data import database
from plan.data.demo import write_demo
from plan.data.loader import csv_files, plan_dirs
from plan.model.issues import PlanInvalid
from plan.model.models import TABLES
from tests.conftest import REPO
from tests.test_files import dead_pid

# One statement, so a reader gets the fingerprint and the row counts from one snapshot.
# Table names come from plan.model.models, not from input.
SNAPSHOT_SQL = "SELECT (SELECT fingerprint FROM build_info), " + ", ".join(  # noqa: S608
    f"(SELECT count(*) FROM {table.name})" for table in TABLES)  # noqa: S608


def snapshot(db: Path) -> tuple:
    """(fingerprint, row count of every plan table) as a reader sees them."""
    with database.reader(db) as con:
        return tuple(con.execute(SNAPSHOT_SQL).fetchone())


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def leftovers(db: Path) -> list[Path]:
    return sorted(db.parent.glob(db.name + ".building-*"))


def break_plan(data: Path) -> None:
    """Two errors in two files: an unknown activity type and a target that is not a number."""
    activities = data / "prochile-atacama-2021" / "activities.csv"
    text = activities.read_text(encoding="utf-8")
    activities.write_text(text.replace(",roundtable,", ",roundtabel,", 1), encoding="utf-8")
    targets = data / "alianza-pacifico-2020" / "targets.csv"
    text = targets.read_text(encoding="utf-8")
    assert "exporters,2020,,,300," in text
    targets.write_text(text.replace("exporters,2020,,,300,", "exporters,2020,,,trescientos,", 1), encoding="utf-8")


def plain_env() -> dict[str, str]:
    """The environment without PLAN_* settings, so subprocesses use exactly the paths given."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PLAN_")}


def copy_folders(source: Path, target: Path, copies: int) -> Path:
    """`source`'s plan folders plus `copies` renamed copies of each (a bigger, still valid data folder)."""
    target.mkdir(parents=True)
    for folder in sorted(p for p in source.iterdir() if p.is_dir()):
        shutil.copytree(folder, target / folder.name)
        for i in range(copies):
            shutil.copytree(folder, target / f"{folder.name}-copy{i}")
    return target


@pytest.fixture(scope="module")
def demo_pairs(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """Two data folders with different content, small (builds in ~0.2 s) and big (~1 s):
    B is A plus more plan folders, so their row counts differ in every table the demo writes."""
    root = tmp_path_factory.mktemp("demo")
    write_demo(root / "generated", "sample")
    small_a = copy_folders(root / "generated", root / "small-a", 0)
    small_b = copy_folders(root / "generated", root / "small-b", 1)
    big_a = copy_folders(root / "generated", root / "big-a", 5)
    big_b = copy_folders(root / "generated", root / "big-b", 6)
    return {"small": (small_a, small_b), "big": (big_a, big_b)}


def known_snapshots(pair: tuple[Path, Path], work: Path) -> tuple[tuple, tuple]:
    """The snapshot each data folder builds to."""
    found = []
    for i, data in enumerate(pair):
        db = work / f"known-{i}" / "plan.duckdb"
        database.build(data, db, derive=outlook.derive)
        found.append(snapshot(db))
    # (the demo writes no firm-level files: those tables stay empty in both)
    assert found[0][0] != found[1][0] and all(a != b for a, b in zip(found[0][1:], found[1][1:], strict=True)
                                              if a or b)
    return found[0], found[1]


# --- readers ---------------------------------------------------------------------------------


def test_build_creates_the_database_and_reader_sees_the_plan(sample_dir, tmp_path):
    # The dashboard only ever reads through database.reader; a build must produce what it reads.
    db = tmp_path / "out" / "plan.duckdb"
    report = database.build(sample_dir, db, derive=outlook.derive)
    assert db.is_file()
    assert sorted(report.plans) == ["alianza-pacifico-2020", "prochile-atacama-2021"]
    fingerprint, *counts = snapshot(db)
    assert fingerprint == database.verify(db)
    assert sum(counts) == report.rows
    assert leftovers(db) == []


@pytest.mark.parametrize("statement", [
    "SELECT * FROM read_csv('{csv}')",
    "SELECT * FROM '{csv}'",
    "SELECT count(*) FROM read_text('{csv}')",
    "SELECT * FROM glob('{folder}/*')",
    "ATTACH '{other}' AS other",
    "ATTACH '{db}' AS again",
    "COPY activities TO '{out}'",
    "COPY (SELECT 1) TO '{out}' (FORMAT csv)",
    "EXPORT DATABASE '{folder}/export'",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
    "RESET enable_external_access",
    "SET lock_configuration = false",
    "SET threads = 1",
    "CREATE TABLE scratch (a INTEGER)",
    "INSERT INTO activities SELECT * FROM activities LIMIT 1",
    "UPDATE build_info SET fingerprint = 'x'",
    "DELETE FROM outcomes",
    "DROP TABLE targets",
])
def test_reader_refuses_files_extensions_settings_and_writes(sample_dir, tmp_path, statement):
    # Viewers of the shared link reach the database only through reader(): it must not read or
    # write any other file, load code, undo its own lock-down, or change the plan database.
    db = tmp_path / "plan.duckdb"
    database.build(sample_dir, db, derive=outlook.derive)
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    before = tree_bytes(tmp_path)
    sql = statement.format(csv=sample_dir / "prochile-atacama-2021" / "plan.csv", folder=tmp_path, other=other,
                           db=db, out=tmp_path / "leak.csv")
    with database.reader(db) as con:
        with pytest.raises(duckdb.Error):
            con.execute(sql).fetchall()
    with database.reader(db) as con:  # the lock-down holds after the refusal, and the data is intact
        assert con.execute("SELECT current_setting('enable_external_access')").fetchone() == (False,)
    assert tree_bytes(tmp_path) == before
    assert database.verify(db)


def test_reader_is_read_only_even_after_switching_database(sample_dir, tmp_path):
    # A scratch in-memory table is harmless, but the file itself stays read-only whatever the
    # viewer's SQL does with USE/DETACH.
    db = tmp_path / "plan.duckdb"
    database.build(sample_dir, db, derive=outlook.derive)
    before = db.read_bytes()
    with database.reader(db) as con:
        con.execute("USE memory")
        with pytest.raises(duckdb.Error):
            con.execute("CREATE TABLE plan_db.scratch (a INTEGER)")
        with pytest.raises(duckdb.Error):
            con.execute("INSERT INTO plan_db.activities SELECT * FROM plan_db.activities LIMIT 1")
        con.execute("DETACH plan_db")
        with pytest.raises(duckdb.Error):  # re-attaching read-write is a file access, refused
            con.execute("ATTACH ? AS plan_db", [str(db)])
    assert db.read_bytes() == before


def test_new_reader_in_the_same_process_sees_a_swapped_in_build(demo_pairs, tmp_path):
    # DuckDB caches instances per path: a plain connect() after the swap would keep serving the
    # old file while any connection to it is open. reader() attaches from a fresh in-memory
    # instance, so a rebuild is visible at once, and old readers finish on their old snapshot.
    data_a, data_b = demo_pairs["small"]
    known_a, known_b = known_snapshots((data_a, data_b), tmp_path)
    db = tmp_path / "plan.duckdb"
    database.build(data_a, db, derive=outlook.derive)
    with database.reader(db) as old:
        assert tuple(old.execute(SNAPSHOT_SQL).fetchone()) == known_a
        database.build(data_b, db, derive=outlook.derive)
        assert snapshot(db) == known_b
        with database.reader(db) as new:
            assert tuple(new.execute(SNAPSHOT_SQL).fetchone()) == known_b
        assert tuple(old.execute(SNAPSHOT_SQL).fetchone()) == known_a
        database.build(data_a, db, derive=outlook.derive)
        assert snapshot(db) == known_a
    assert database.verify(db) == known_a[0]


# --- rejected builds -------------------------------------------------------------------------


def test_rejected_build_changes_no_file(sample_dir):
    # The rule for bad input: a rejected plan changes nothing, byte for byte, and leaves no
    # half-built file behind (the database sits in the data folder, its default place).
    db = sample_dir / database.DB_FILE_NAME
    database.build(sample_dir, db, derive=outlook.derive)
    break_plan(sample_dir)
    before = tree_bytes(sample_dir)
    with pytest.raises(PlanInvalid) as raised:
        database.build(sample_dir, db, derive=outlook.derive)
    assert {(issue.path.split("/")[-1], issue.column) for issue in raised.value.issues} == {
        ("activities.csv", "type"), ("targets.csv", "target")}
    assert tree_bytes(sample_dir) == before
    assert leftovers(db) == []


def test_rejected_bulk_file_changes_no_file(demo_pairs, tmp_path):
    # Outcome files go through DuckDB's bulk path first; a bad row there must be just as harmless.
    data = copy_folders(demo_pairs["small"][0], tmp_path / "data", 0)
    db = tmp_path / "db" / "plan.duckdb"
    database.build(data, db, derive=outlook.derive)
    outcomes = sorted(data.glob("*/outcomes.csv"))[0]
    lines = outcomes.read_text(encoding="utf-8").split("\n")
    lines[100] = lines[100].replace("exports_usd", "exportz", 1)
    outcomes.write_text("\n".join(lines), encoding="utf-8")
    before = tree_bytes(tmp_path)
    with pytest.raises(PlanInvalid) as raised:
        database.build(data, db, derive=outlook.derive)
    assert [(i.path.endswith("outcomes.csv"), i.line, i.column) for i in raised.value.issues] == [
        (True, 101, "metric")]
    assert tree_bytes(tmp_path) == before


# --- file names --------------------------------------------------------------------------------


def rename_upper(folder: Path, *names: str) -> None:
    """What Windows and Excel users produce: a plan file named in upper case."""
    for name in names:
        (folder / name).rename(folder / name.upper())


def test_a_plan_file_named_in_upper_case_is_refused_by_validate_build_and_ensure(sample_dir, tmp_path):
    # Read as absent, OUTCOMES.CSV would build a plan without its outcomes and never reach the store, which
    # (like the editor and the history) knows the file as outcomes.csv: it is refused, naming both names.
    db = tmp_path / "plan.duckdb"
    database.build(sample_dir, db, derive=outlook.derive)
    before = db.read_bytes()
    rename_upper(sample_dir / "prochile-atacama-2021", "outcomes.csv")
    expected = ("data/prochile-atacama-2021/OUTCOMES.CSV:1:-: el archivo «OUTCOMES.CSV» debe llamarse outcomes.csv "
                "(en minúsculas); renómbrelo")
    for run in (lambda: database.validate(sample_dir), lambda: database.build(sample_dir, db, derive=outlook.derive)):
        with pytest.raises(PlanInvalid) as raised:
            run()
        assert [issue.render("es") for issue in raised.value.issues] == [expected]
        assert raised.value.issues[0].render("en") == (
            "data/prochile-atacama-2021/OUTCOMES.CSV:1:-: the file 'OUTCOMES.CSV' must be named outcomes.csv "
            "(in lower case); rename it")
    # the file's arrival makes the database stale: checked, not skipped
    ready = database.ensure(sample_dir, db, derive=outlook.derive)
    assert ready.action == "kept_last_good"
    assert [issue.render("es") for issue in ready.issues] == [expected]
    assert db.read_bytes() == before and leftovers(db) == []


def test_a_plan_folder_named_in_upper_case_throughout_is_refused_not_dropped(sample_dir):
    # A folder whose files are all upper case (PLAN.CSV included) is still a plan folder: every file is
    # refused by name, none is reported missing, and the folder does not vanish from the dashboard.
    folder = sample_dir / "prochile-atacama-2021"
    names = sorted(path.name for path in folder.iterdir())
    rename_upper(folder, *names)
    with pytest.raises(PlanInvalid) as raised:
        database.validate(sample_dir)
    assert [(issue.path, issue.code, issue.params["expected"]) for issue in raised.value.issues] == [
        (f"data/prochile-atacama-2021/{name.upper()}", "file_name_case", name) for name in names]


def test_the_staleness_check_stats_exactly_the_files_a_build_reads(tmp_path):
    # Every page run stats the CSVs (`csv_stats`) from one listing per folder: the same folders as
    # `plan_dirs` (hidden, `_`-prefixed and CSV-less ones skipped, a linked one followed) and the same files
    # as `csv_files` (any case of ".csv", a name of dots too), so no file a build reads escapes the check.
    for folder, names in {"b": ["plan.csv", "OUTCOMES.CSV", "..csv", "notes.txt"], "a": ["targets.Csv"],
                          ".hidden": ["plan.csv"], "_old": ["plan.csv"], "empty": ["readme.txt"]}.items():
        (tmp_path / folder).mkdir()
        for name in names:
            (tmp_path / folder / name).write_text(name)
    (tmp_path / "top.csv").write_text("not in a plan folder")
    (tmp_path / "linked").symlink_to(tmp_path / "a")
    listed = [f"{folder.name}/{path.name}" for folder in plan_dirs(tmp_path) for path in csv_files(folder)]
    assert listed == ["a/targets.Csv", "b/..csv", "b/OUTCOMES.CSV", "b/plan.csv", "linked/targets.Csv"]
    assert [(name, size) for name, size, _mtime in database.csv_stats(tmp_path)] == [
        (name, len(name.split("/")[1])) for name in listed]


def test_a_file_that_rows_point_at_named_in_upper_case_is_the_only_issue(sample_dir):
    # Six activities name a pisco campaign: with the campaigns' file refused by name they are not checked
    # against it, rather than each blamed for a campaign "not found".
    rename_upper(sample_dir / "prochile-atacama-2021", "pisco_campaigns.csv")
    with pytest.raises(PlanInvalid) as raised:
        database.validate(sample_dir)
    assert [(issue.path, issue.code) for issue in raised.value.issues] == [
        ("data/prochile-atacama-2021/PISCO_CAMPAIGNS.CSV", "file_name_case")]


def test_a_plan_file_beside_its_upper_case_twin_is_refused(sample_dir):
    # Both names in one folder (possible on Linux; on Windows and macOS they would be one file): which one
    # is meant cannot be known, so the plan is refused rather than read from the lower-case one alone.
    folder = sample_dir / "prochile-atacama-2021"
    (folder / "Activities.csv").write_bytes((folder / "activities.csv").read_bytes())
    with pytest.raises(PlanInvalid) as raised:
        database.validate(sample_dir)
    assert [issue.render("es") for issue in raised.value.issues] == [
        "data/prochile-atacama-2021/Activities.csv:1:-: el archivo «Activities.csv» y activities.csv difieren solo "
        "en mayúsculas, y el plan lee solo activities.csv: pase a activities.csv lo que falte y borre "
        "«Activities.csv»"]


# --- kill -9 and concurrency -----------------------------------------------------------------


def test_a_build_removes_what_killed_builds_left_and_nothing_else(sample_dir):
    # A killed build leaves its file, its .wal and, if it was spilling to disk, DuckDB's folder of temporary
    # blocks (whose folder made every later build fail); anything else in the data folder, the user's, stays.
    dead = dead_pid()
    db = sample_dir / database.DB_FILE_NAME
    left = [f"plan.duckdb.building-{dead}", f"plan.duckdb.building-{dead}.wal"]
    spill = sample_dir / f"plan.duckdb.building-{dead}.tmp"
    kept = [f"plan.duckdb.building-{os.getppid()}", f"plan.duckdb.building-{dead}.docx",
            f"copia-plan.duckdb.building-{dead}"]
    for name in left + kept:
        (sample_dir / name).write_bytes(b"x")
    spill.mkdir()
    (spill / "duckdb_temp_storage_S32K-0.tmp").write_bytes(b"x")
    database.build(sample_dir, db, derive=outlook.derive)
    assert database.verify(db)
    assert not spill.exists() and not any((sample_dir / name).exists() for name in left)
    assert all((sample_dir / name).read_bytes() == b"x" for name in kept)


def test_kill_9_during_builds_keeps_the_previous_database(demo_pairs, tmp_path):
    # A build can die at any instant (OOM killer, a closed terminal, a redeploy). Whatever the
    # instant, the database in place must be a complete one: the previous build, or the new
    # one if the swap already happened. Leftover half-built files of dead builders are cleaned
    # by the next build.
    data_a, data_b = demo_pairs["big"]
    known = dict(zip((data_a, data_b), known_snapshots((data_a, data_b), tmp_path), strict=True))
    db = tmp_path / "db" / "plan.duckdb"

    def start(data: Path) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "plan", "build", str(data), "--db", str(db)], cwd=REPO,
                                env=plain_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    started = time.monotonic()
    first = start(data_a)
    _, err = first.communicate(timeout=60)
    assert first.returncode == 0, err.decode()
    full = time.monotonic() - started  # a whole build run, imports included
    current = data_a
    rng = random.Random(20)
    kills = kept_previous = swapped_before_kill = finished = leftovers_seen = 0
    for _ in range(60):  # until enough kills landed mid-build, however slow a busy machine makes each round
        if kills >= 10 and kept_previous >= 5 and leftovers_seen > 0:
            break
        target = data_b if current == data_a else data_a
        process = start(target)
        time.sleep(rng.uniform(0.2, full))
        process.send_signal(signal.SIGKILL)
        code = process.wait(timeout=30)
        process.stderr.close()
        seen = snapshot(db)
        assert database.verify(db) == seen[0]
        if code == -signal.SIGKILL:
            kills += 1
            assert seen in (known[current], known[target])
            if seen == known[current]:
                kept_previous += 1
            else:
                swapped_before_kill += 1
        else:
            assert code == 0
            finished += 1
            assert seen == known[target]
        current = target if seen == known[target] else current
        assert not db.with_name(db.name + ".wal").exists()
        leftovers_seen += len(leftovers(db))
    print(f"\nkill -9 loop: {kills} kills ({kept_previous} kept the previous database, {swapped_before_kill} "
          f"swapped just before the kill), {finished} finished first, {leftovers_seen} leftovers seen, "
          f"full build {full:.2f} s")
    assert kills >= 10 and kept_previous >= 5
    assert leftovers_seen > 0  # the kills did leave half-built files for the next build to clean
    target = data_b if current == data_a else data_a
    database.build(target, db, derive=outlook.derive)
    assert snapshot(db) == known[target]
    assert leftovers(db) == []
    assert sorted(p.name for p in db.parent.iterdir()) == ["plan.duckdb", "plan.duckdb.lock"]


READER_LOOP = """
import json, sys, time
from pathlib import Path
from plan.data import database
from plan import outlook
db, ready, stop, out, sql = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]), sys.argv[5]
deadline = time.monotonic() + 60
seen, errors, queries, slowest = {}, [], 0, 0.0
while not stop.exists() and time.monotonic() < deadline:
    started = time.monotonic()
    try:
        with database.reader(db) as con:
            key = json.dumps(list(con.execute(sql).fetchone()))
        seen[key] = seen.get(key, 0) + 1
    except Exception as error:
        errors.append(repr(error))
    queries += 1
    slowest = max(slowest, time.monotonic() - started)
    ready.write_text(str(queries))  # progress the test waits on, rather than on a duration
out.write_text(json.dumps({"seen": seen, "errors": errors, "queries": queries, "slowest": slowest}))
"""


def test_readers_in_other_processes_never_fail_nor_block_rebuilds(demo_pairs, tmp_path):
    # The dashboard keeps reading while `python -m plan build` swaps databases under it: every
    # query must see one whole build (fingerprint and row counts of the same data, never a mix),
    # never an error, and the builds must never wait for the readers.
    data_a, data_b = demo_pairs["small"]
    known_a, known_b = known_snapshots((data_a, data_b), tmp_path)
    db = tmp_path / "db" / "plan.duckdb"
    database.build(data_a, db, derive=outlook.derive)
    readers = []
    for i in range(2):
        files = [tmp_path / f"reader{i}.{name}" for name in ("ready", "stop", "json")]
        process = subprocess.Popen([sys.executable, "-c", READER_LOOP, str(db), *map(str, files), SNAPSHOT_SQL],
                                   cwd=REPO, env=plain_env(), stderr=subprocess.PIPE)
        readers.append((process, files))
    wait_until = time.monotonic() + 120  # a hang detector; a busy machine starts Python slowly
    while not all(files[0].exists() for _, files in readers):
        assert time.monotonic() < wait_until, "readers did not start"
        assert all(process.poll() is None for process, _ in readers)
        time.sleep(0.05)

    def fewest_queries() -> int:
        return min(int(files[0].read_text() or 0) for _, files in readers)

    durations = []
    while len(durations) < 10 or fewest_queries() < 20:  # conditions, not a duration: a busy machine is slower
        assert len(durations) < 500, "the readers made no progress"
        started = time.monotonic()
        database.build(data_b if len(durations) % 2 == 0 else data_a, db, derive=outlook.derive)
        durations.append(time.monotonic() - started)
    for _, files in readers:
        files[1].touch()
    results = []
    for process, files in readers:
        _, err = process.communicate(timeout=60)
        assert process.returncode == 0, err.decode()
        results.append(json.loads(files[2].read_text()))

    allowed = {json.dumps(list(known_a)), json.dumps(list(known_b))}
    queries = sum(r["queries"] for r in results)
    errors = [e for r in results for e in r["errors"]]
    print(f"\nconcurrency: {len(durations)} builds (slowest {max(durations):.2f} s, median "
          f"{sorted(durations)[len(durations) // 2]:.2f} s), {queries} reader queries, {len(errors)} errors, "
          f"seen {[sorted(r['seen'].values()) for r in results]}")
    assert errors == []
    for result in results:
        assert set(result["seen"]) == allowed  # both versions, nothing else
        assert result["queries"] >= 20
    assert len(durations) >= 10
    assert max(durations) < 60  # a build that waited on a reader's lock would hang, not take a bit longer
    assert snapshot(db) in (known_a, known_b)


def test_concurrent_ensure_on_a_corrupt_database_all_succeed(sample_dir, tmp_path):
    # Several processes (app servers, `build --if-stale`) may find the same corrupt file at the
    # same moment. Each must end with a sound database; none may crash moving aside a file
    # another one already moved, nor set aside the good database another one just built.
    db = tmp_path / "db" / "plan.duckdb"
    db.parent.mkdir()
    code = ("import sys, time; from pathlib import Path; from plan import outlook; from plan.data import database\n"
            "start = float(sys.argv[3])\n"
            "while time.time() < start: time.sleep(0.001)\n"
            "print(database.ensure(Path(sys.argv[1]), Path(sys.argv[2]), derive=outlook.derive).action)\n")
    actions = []
    for _ in range(3):
        db.write_bytes(os.urandom(50_000))
        start = time.time() + 1.0  # past the imports of every process
        processes = [subprocess.Popen([sys.executable, "-c", code, str(sample_dir), str(db), str(start)], cwd=REPO,
                                      env=plain_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for _ in range(3)]
        results = [(process.communicate(timeout=60), process.returncode) for process in processes]
        for (out, err), status in results:
            assert status == 0, err
            actions.append(out.strip())
        assert database.verify(db)
        corrupt = sorted(db.parent.glob("plan.duckdb.corrupt-*"))
        assert len(corrupt) == 1  # only the junk was set aside, once
        corrupt[0].unlink()
    assert sorted(set(actions)) == ["built", "fresh"]
    assert actions.count("built") == 3


# --- ensure ----------------------------------------------------------------------------------


def test_ensure_builds_a_missing_database(sample_dir, tmp_path):
    # First start of the app: no database yet.
    db = tmp_path / "plan.duckdb"
    ready = database.ensure(sample_dir, db, derive=outlook.derive)
    assert (ready.action, ready.issues, ready.set_aside) == ("built", [], None)
    assert ready.report is not None and database.verify(db)


def test_ensure_leaves_a_fresh_database_alone(sample_dir, tmp_path):
    # Every app start calls ensure; an up-to-date database must not be rewritten (readers keep
    # their file, and the check is cheap).
    db = tmp_path / "plan.duckdb"
    database.build(sample_dir, db, derive=outlook.derive)
    before, stat = db.read_bytes(), db.stat()
    ready = database.ensure(sample_dir, db, derive=outlook.derive)
    assert (ready.action, ready.report, ready.set_aside) == ("fresh", None, None)
    assert db.read_bytes() == before
    assert (db.stat().st_ino, db.stat().st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)


def test_ensure_rebuilds_when_a_csv_changed(sample_dir, tmp_path):
    # The director edited a CSV: the dashboard must show the edit.
    db = tmp_path / "plan.duckdb"
    database.build(sample_dir, db, derive=outlook.derive)
    activities = sample_dir / "prochile-atacama-2021" / "activities.csv"
    text = activities.read_text(encoding="utf-8")
    assert "Entregado con una semana de atraso." in text
    activities.write_text(text.replace("una semana de atraso", "dos semanas de atraso"), encoding="utf-8")
    ready = database.ensure(sample_dir, db, derive=outlook.derive)
    assert ready.action == "built"
    with database.reader(db) as con:
        notes = con.execute("SELECT notes FROM activities WHERE id = 'ATA-21-02'").fetchone()
    assert notes == ("Entregado con dos semanas de atraso.",)
    assert database.ensure(sample_dir, db, derive=outlook.derive).action == "fresh"


def test_ensure_does_not_rebuild_when_only_the_mtime_changed(sample_dir, tmp_path):
    # git checkout, copying the folder or saving unchanged in Excel moves times, not content.
    db = tmp_path / "plan.duckdb"
    database.build(sample_dir, db, derive=outlook.derive)
    before = db.read_bytes()
    for csv in sample_dir.rglob("*.csv"):
        os.utime(csv, ns=(csv.stat().st_atime_ns, csv.stat().st_mtime_ns + 5_000_000_000))
    ready = database.ensure(sample_dir, db, derive=outlook.derive)
    assert ready.action == "fresh"
    assert db.read_bytes() == before


def _truncate_half(raw: bytes) -> bytes:
    return raw[: len(raw) // 2]


def _flip_middle_byte(raw: bytes) -> bytes:
    # One flipped byte. (DuckDB's block checksum XORs per-8-byte-word hashes, so an even number
    # of identical word changes, e.g. 0xFF over 64 zero bytes, cancels out and is not detected.)
    data = bytearray(raw)
    data[len(raw) // 2] ^= 0xFF
    return bytes(data)


def _flip_bytes_in_blocks(raw: bytes) -> bytes:
    data = bytearray(raw)
    for offset in range(len(raw) // 3, len(raw), len(raw) // 5):
        data[offset + 3] ^= 0x5A
    return bytes(data)


def _junk(raw: bytes) -> bytes:
    return random.Random(7).randbytes(len(raw))


@pytest.mark.parametrize("damage", [_truncate_half, _flip_middle_byte, _flip_bytes_in_blocks, _junk,
                                    lambda raw: b""], ids=["truncated", "flipped-byte", "flipped-bytes", "junk",
                                                           "empty"])
def test_ensure_sets_a_corrupt_database_aside_and_rebuilds(sample_dir, tmp_path, damage):
    # A damaged file (disk full, bad copy, bit rot) may even open and fail only on a scan. It is
    # kept aside as evidence, never deleted, and a sound database is rebuilt from the CSVs.
    db = tmp_path / "plan.duckdb"
    database.build(sample_dir, db, derive=outlook.derive)
    good = database.verify(db)
    damaged = damage(db.read_bytes())
    db.write_bytes(damaged)
    with pytest.raises((duckdb.Error, ValueError)):
        database.verify(db)
    ready = database.ensure(sample_dir, db, derive=outlook.derive)
    assert ready.action == "built"
    assert ready.set_aside is not None and ready.set_aside.name.startswith("plan.duckdb.corrupt-")
    assert ready.set_aside.read_bytes() == damaged
    assert database.verify(db) == good
    assert database.ensure(sample_dir, db, derive=outlook.derive).action == "fresh"


def test_ensure_keeps_the_last_good_database_when_the_csvs_are_invalid(sample_dir, tmp_path):
    # A bad edit must not take the dashboard down: the last good data stays, with the errors.
    db = tmp_path / "plan.duckdb"
    database.build(sample_dir, db, derive=outlook.derive)
    before = db.read_bytes()
    break_plan(sample_dir)
    ready = database.ensure(sample_dir, db, derive=outlook.derive)
    assert ready.action == "kept_last_good"
    assert {(issue.line, issue.column, issue.code) for issue in ready.issues} == {
        (5, "type", "enum_unknown"), (2, "target", "number_invalid")}
    assert ready.set_aside is None
    assert db.read_bytes() == before
    assert leftovers(db) == []


def test_ensure_raises_when_the_csvs_are_invalid_and_there_is_no_database(sample_dir, tmp_path):
    # Nothing good to fall back on: the caller must show the errors, and no file appears.
    db = tmp_path / "db" / "plan.duckdb"
    break_plan(sample_dir)
    with pytest.raises(PlanInvalid) as raised:
        database.ensure(sample_dir, db, derive=outlook.derive)
    assert len(raised.value.issues) == 2
    assert not db.exists()
    assert leftovers(db) == []


# --- stale .wal ------------------------------------------------------------------------------


def test_junk_wal_next_to_the_database_breaks_neither_open_nor_build(sample_dir, tmp_path):
    # A .wal left beside the database (a crashed tool, a bad copy) belongs to no build.
    db = tmp_path / "plan.duckdb"
    database.build(sample_dir, db, derive=outlook.derive)
    good = database.verify(db)
    wal = tmp_path / "plan.duckdb.wal"
    junk = random.Random(3).randbytes(5000)
    wal.write_bytes(junk)
    assert database.verify(db) == good
    database.build(sample_dir, db, derive=outlook.derive)
    assert database.verify(db) == good
    assert not wal.exists()
    assert [p.read_bytes() for p in tmp_path.glob("plan.duckdb.stale-wal-*")] == [junk]


def _foreign_wal(tmp_path: Path) -> bytes:
    """A real WAL, of another database file, from a writer killed before its checkpoint."""
    other = tmp_path / "writer" / "other.duckdb"
    other.parent.mkdir()
    code = ("import duckdb, os, sys\n"
            "con = duckdb.connect(sys.argv[1])\n"
            "con.execute(\"SET checkpoint_threshold = '1GB'\")\n"
            "con.execute('CREATE TABLE t AS SELECT range AS i FROM range(1000)')\n"
            "os._exit(0)\n")
    subprocess.run([sys.executable, "-c", code, str(other)], check=True, env=plain_env())
    return other.with_name("other.duckdb.wal").read_bytes()


def test_foreign_wal_next_to_the_database_is_set_aside(sample_dir, tmp_path):
    # DuckDB refuses to open a file whose .wal does not match it ("WAL does not match database
    # file"). ensure must put the .wal aside and keep the sound database (not call it corrupt
    # and rebuild); build must do the same before swapping a new file in.
    db = tmp_path / "plan.duckdb"
    database.build(sample_dir, db, derive=outlook.derive)
    good, before = database.verify(db), db.read_bytes()
    wal = tmp_path / "plan.duckdb.wal"
    foreign = _foreign_wal(tmp_path)
    wal.write_bytes(foreign)
    with pytest.raises(duckdb.Error):
        database.verify(db)
    ready = database.ensure(sample_dir, db, derive=outlook.derive)
    assert (ready.action, ready.set_aside) == ("fresh", None)
    assert db.read_bytes() == before and not wal.exists()
    assert database.verify(db) == good
    wal.write_bytes(foreign)
    database.build(sample_dir, db, derive=outlook.derive)
    assert database.verify(db) == good and not wal.exists()
    assert sorted(p.read_bytes() for p in tmp_path.glob("plan.duckdb.stale-wal-*")) == [foreign, foreign]


# --- refresh: one plan's rows replaced -------------------------------------------------------------

def every_row(db: Path) -> dict[str, list]:
    """Every table's rows in one order, build_info's fingerprint and source_files without times."""
    with database.reader(db) as con:
        rows = {table.name: con.execute(f"SELECT * FROM {table.name} ORDER BY ALL").fetchall()  # noqa: S608
                for table in TABLES}
        rows["source_files"] = con.execute("SELECT plan_id, table_name, path, sha256, bytes, rows, encoding,"
                                           " delimiter FROM source_files ORDER BY ALL").fetchall()
        rows["fingerprint"] = con.execute("SELECT fingerprint FROM build_info").fetchall()
    return rows


def test_refreshing_the_changed_plans_gives_the_database_a_whole_build_gives(demo_pairs, tmp_path):
    # The big demo folder: a bulk outcomes table (DuckDB's own reader) in every plan, one plan changed,
    # one plan removed, one plan added.
    data = tmp_path / "data"
    shutil.copytree(demo_pairs["big"][0], data)
    db = tmp_path / "plan.duckdb"
    database.build(data, db, derive=outlook.derive)
    folders = sorted(p.name for p in data.iterdir() if p.is_dir())
    changed, removed, added = folders[0], folders[1], folders[2] + "-new"
    outcomes = data / changed / "outcomes.csv"
    lines = outcomes.read_text(encoding="utf-8").splitlines(keepends=True)
    outcomes.write_text("".join(lines[:-5]), encoding="utf-8")
    shutil.rmtree(data / removed)
    shutil.copytree(data / folders[2], data / added)
    report = database.refresh(data, db, {changed, removed, added}, derive=outlook.derive)
    assert sorted(report.plans) == sorted([changed, added])
    whole = tmp_path / "whole.duckdb"
    database.build(data, whole, derive=outlook.derive)
    assert every_row(db) == every_row(whole)
    # what the pages check next: nothing to rebuild
    assert database.ensure(data, db, derive=outlook.derive).action == "fresh"
    assert leftovers(db) == []


def test_a_refresh_with_an_invalid_plan_changes_nothing(sample_dir, tmp_path):
    db = tmp_path / "plan.duckdb"
    database.build(sample_dir, db, derive=outlook.derive)
    before = db.read_bytes()
    break_plan(sample_dir)
    with pytest.raises(PlanInvalid) as invalid:
        database.refresh(sample_dir, db, {"prochile-atacama-2021"}, derive=outlook.derive)
    assert [issue.code for issue in invalid.value.issues] == ["enum_unknown"]  # only the plan refreshed
    assert db.read_bytes() == before and leftovers(db) == []


def test_a_refresh_without_a_sound_database_builds_it_whole(sample_dir, tmp_path):
    db = tmp_path / "plan.duckdb"
    db.write_bytes(b"not a database")
    database.refresh(sample_dir, db, {"prochile-atacama-2021"}, derive=outlook.derive)
    whole = tmp_path / "whole.duckdb"
    database.build(sample_dir, whole, derive=outlook.derive)
    assert every_row(db) == every_row(whole)


@pytest.mark.parametrize("older", ["DROP TABLE firm_exports", "ALTER TABLE activities DROP COLUMN notes",
                                   "UPDATE build_info SET schema_version = schema_version - 1"])
def test_a_database_an_older_release_built_is_rebuilt_not_set_aside(sample_dir, tmp_path, older):
    # After an upgrade that added a plan file or column, the database on the host still has the old tables
    # and the same CSV fingerprint: pages would query a table it lacks. It is rebuilt, and, being sound, not
    # set aside as corrupt (which would put a "damaged database" banner in front of every viewer).
    db = tmp_path / "plan.duckdb"
    database.build(sample_dir, db, derive=outlook.derive)
    with duckdb.connect(str(db)) as con:
        con.execute(older)
    ready = database.ensure(sample_dir, db, derive=outlook.derive)
    assert (ready.action, ready.set_aside) == ("built", None)
    assert list(tmp_path.glob("*.corrupt-*")) == []
    with database.reader(db) as con:
        assert con.execute("SELECT count(*) FROM firm_exports").fetchone()[0] > 0
        assert con.execute("SELECT count(notes) FROM activities").fetchone()[0] > 0
