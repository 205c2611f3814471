"""Fault injection: kill -9 at random points of builds, startup recovery and editor saves, a save dying at
each of its steps, disk full during builds and saves, stale .wal, a database locked by another process,
damaged databases at startup, CSVs replaced under running pages, a cache clear sent by a client.

After every fault: each CSV is an old or a new version whole, the app serves the last good data or a
clear banner, the history keeps every save that landed, and the next build or save succeeds. Each test
prints its counts (faults injected, cases tried, lost; run with -s to see them) and asserts lost == 0.

Single cases already covered by tests/test_database.py are not repeated here (kill -9 of whole
`python -m plan build` runs, one junk and one foreign .wal, one of each kind of damaged file, concurrent
ensure on a corrupt file); these tests repeat faults at random points and follow each with the app's
next start, build or save.

Quick mode (the default, as CI runs it) repeats each random loop FAULT_ROUNDS=8 times (about a minute);
the full mode repeats them 200 times (about 20 minutes); FAULT_SEED=n draws other random points:

    FAULT_ROUNDS=200 .venv/bin/python -m pytest -p no:cacheprovider -s tests/test_faults.py
"""

import asyncio
import contextlib
import errno
import fcntl
import json
import multiprocessing
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
import streamlit as st
from streamlit.proto.BackMsg_pb2 import BackMsg

from plan import outlook
from plan.bench.held import DONE_LABEL, Watcher
from plan.data import database, files
from plan.data.history import sha256
from plan.data.store import FolderStore
from plan.edit import editing
from plan.model.models import ACTIVITIES, TABLES, Status
from tests.apptest import open_page
from tests.conftest import REPO, copy_sample
from tests.test_app import _metrics
from tests.test_database import _flip_middle_byte, _foreign_wal, _truncate_half, leftovers, plain_env, snapshot
from tests.test_editing import ATACAMA

ROUNDS = int(os.environ.get("FAULT_ROUNDS", "8"))
SEED = int(os.environ.get("FAULT_SEED", "0"))


def random_points(test: int) -> random.Random:
    """The random instants and damages of one test: the same every run unless FAULT_SEED changes."""
    return random.Random(SEED * 1000 + test)


def report(name: str, **counts) -> None:
    print(f"\n{name}: " + ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in counts.items()))


def temp_files(root: Path) -> list[Path]:
    """Temporary files of `plan.data.files.write_atomically` (`.<name>.tmp-<pid>`) anywhere under `root`."""
    return sorted(p for p in root.rglob(".*.tmp-*") if p.is_file())


def wait_for(path: Path, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while not path.exists():
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline, "the subprocess did not get ready"
        time.sleep(0.01)


def wait_for_text(path: Path, process: subprocess.Popen) -> None:
    """Until the subprocess has written something to `path` (a hang detector, not a duration)."""
    deadline = time.monotonic() + 120
    while not (path.exists() and path.read_text().strip()):
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline, f"the subprocess wrote nothing to {path.name}"
        time.sleep(0.01)


def start(script: str, *args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", script, *map(str, args)], cwd=REPO, env=plain_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def kill(process: subprocess.Popen) -> bool:
    """kill -9; True if it died of it (rather than having ended first)."""
    process.send_signal(signal.SIGKILL)
    code = process.wait(timeout=60)
    process.stderr.close()
    return code == -signal.SIGKILL


@pytest.fixture
def data_pair(tmp_path) -> tuple[Path, Path, dict[Path, tuple]]:
    """Two valid data folders whose databases differ in every table (B has one more plan), and the
    snapshot (fingerprint, row counts) each builds to."""
    data_a = copy_sample(tmp_path / "a")
    data_b = copy_sample(tmp_path / "b")
    shutil.copytree(data_b / ATACAMA, data_b / "prochile-atacama-2021-bis")
    known = {}
    for data in (data_a, data_b):
        db = tmp_path / f"known-{data.name}" / "plan.duckdb"
        database.build(data, db, derive=outlook.derive)
        known[data] = snapshot(db)
    return data_a, data_b, known


# --- kill -9 at random points ------------------------------------------------------------------

ENSURE_LOOP = """
import sys
from pathlib import Path
from plan import outlook
from plan.data import database
db, ready, folders = Path(sys.argv[1]), Path(sys.argv[2]), [Path(p) for p in sys.argv[3:]]
ready.touch()
n = 0
while True:  # each data folder makes the other's database stale: every call checks, sets aside, rebuilds
    database.ensure(folders[n % 2], db, derive=outlook.derive)
    n += 1
"""


DAMAGE = ("none", "truncated", "flipped", "zeroed-block", "junk-block", "appended", "junk-wal", "foreign-wal")


def damage_database(db: Path, rng: random.Random, foreign_wal: bytes, kinds: tuple[str, ...] = DAMAGE) -> str:
    """One random kind of damage a crash, a bad copy or bit rot leaves; its name ("none": left alone)."""
    kind = rng.choice(kinds)
    data = bytearray(db.read_bytes())
    at = rng.randrange(len(data))
    if kind == "truncated":
        del data[at:]
    elif kind == "flipped":
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] ^= rng.randint(1, 255)
    elif kind in ("zeroed-block", "junk-block"):
        block = at - at % 4096
        data[block:block + 4096] = bytes(4096) if kind == "zeroed-block" else rng.randbytes(4096)
    elif kind == "appended":
        data += rng.randbytes(rng.randint(1, 300_000))
    elif kind in ("junk-wal", "foreign-wal"):
        wal = rng.randbytes(rng.randint(1, 20_000)) if kind == "junk-wal" else foreign_wal
        db.with_name(db.name + ".wal").write_bytes(wal)
    if kind not in ("none", "junk-wal", "foreign-wal"):
        db.write_bytes(bytes(data))
    return kind


def test_kill_9_at_random_points_of_startup_recovery_and_builds(data_pair, tmp_path):
    # The app's start (database.ensure: set a stale .wal aside, verify, set a damaged file aside, rebuild)
    # can die at any instant, as can a build. A process loops ensure over two data folders, so every
    # call rebuilds; before some rounds the database gets damaged. After each kill -9 the database in
    # place is one whole build (or, when the round damaged it, the damage the killed run had not yet
    # repaired), no sound database was ever set aside as corrupt, and the next start repairs all.
    data_a, data_b, known = data_pair
    db = tmp_path / "db" / "plan.duckdb"
    database.build(data_a, db, derive=outlook.derive)
    rng = random_points(6)
    foreign = _foreign_wal(tmp_path)
    kills = damaged = repaired_after_kill = half_built_seen = lost = 0
    for round_number in range(ROUNDS):
        kind = damage_database(db, rng, foreign)
        damaged += kind != "none"
        ready = tmp_path / f"ready-{round_number}"
        process = start(ENSURE_LOOP, db, ready, data_a, data_b)
        wait_for(ready, process)
        time.sleep(rng.uniform(0, 0.4))
        kills += kill(process)
        half_built_seen += len(leftovers(db))
        for aside in db.parent.glob("plan.duckdb.corrupt-*"):
            with contextlib.suppress(duckdb.Error, ValueError):
                database.verify(aside)
                lost += 1  # a sound database was set aside as corrupt
            aside.unlink()
        try:
            whole = snapshot(db) in known.values() and database.verify(db) is not None
        except (duckdb.Error, ValueError):
            whole = False
        if not whole:
            lost += kind == "none"  # a kill alone must never leave a broken database
            repaired_after_kill += 1
        ready_now = database.ensure(data_a, db, derive=outlook.derive)  # the next start
        lost += ready_now.action not in ("fresh", "built") or snapshot(db) != known[data_a]
    database.build(data_b, db, derive=outlook.derive)
    assert snapshot(db) == known[data_b] and leftovers(db) == []
    report("kill -9 during ensure/build", rounds=ROUNDS, kills=kills, damaged_before_the_round=damaged,
           left_for_the_next_start=repaired_after_kill, half_built_files_seen=half_built_seen, lost=lost)
    assert kills >= ROUNDS // 2
    assert lost == 0


SAVE_LOOP = """
import sys
from pathlib import Path
from plan.edit import editing
from plan.data.store import FolderStore
from plan.model.models import ACTIVITIES
data, db, ready, acks = (Path(arg) for arg in sys.argv[1:5])
first = int(sys.argv[5])
history = FolderStore(data)
ready.touch()
with acks.open("a") as out:
    for n in range(first, first + 10_000):
        version = editing.load(data, "prochile-atacama-2021", ACTIVITIES)
        draft = editing.apply(version, editing.Changes(changed={("ATA-21-01",): {"notes": f"kill loop {n}"}}))
        result = editing.save(data, history, "prochile-atacama-2021", ACTIVITIES, draft.raw, version.sha, "loop",
                              db_path=db)
        assert isinstance(result, editing.Saved), result
        out.write(result.version.sha256 + "\\n")  # acknowledged: the editor was told it is saved
        out.flush()
"""


@dataclass
class SaveAudit:
    """What saves that died may have lost: after each fault the CSV whole, after the next save (which must
    land) the file logged as the last version, no temporary file left and the database built from the CSV;
    over the whole history every acknowledged save logged and each version based on the one before."""

    data: Path
    db: Path
    initial: bytes
    acked: set[str] = field(default_factory=set)
    found: Counter = field(default_factory=Counter)  # losses the rounds found, by kind
    temp_files_left: int = 0

    @property
    def path(self) -> Path:
        return editing.table_path(self.data, ATACAMA, ACTIVITIES)

    def after_fault(self) -> None:
        history = FolderStore(self.data)
        raw = self.path.read_bytes()
        self.found["csv not a version any save wrote"] += raw != self.initial and history.content(sha256(raw)) != raw
        self.found["csv does not read"] += bool(editing.load(self.data, ATACAMA, ACTIVITIES).issues)
        self.temp_files_left += len(temp_files(self.data))

    def next_save(self, note: str) -> None:
        history = FolderStore(self.data)
        version = editing.load(self.data, ATACAMA, ACTIVITIES)
        draft = editing.apply(version, editing.Changes(changed={("ATA-21-02",): {"notes": note}}))
        result = editing.save(self.data, history, ATACAMA, ACTIVITIES, draft.raw, version.sha, "next", db_path=self.db)
        assert isinstance(result, editing.Saved) and not result.unfinished, result
        self.acked.add(result.version.sha256)
        last = history.versions(ATACAMA, "activities")[0]
        self.found["file not the last logged version"] += last.sha256 != sha256(self.path.read_bytes())
        self.found["temporary file left after the next save"] += len(temp_files(self.data))
        ready = database.ensure(self.data, self.db, derive=outlook.derive)
        self.found["database not rebuilt"] += ready.action != "fresh"
        with database.reader(self.db) as con:
            notes = con.execute("SELECT notes FROM activities WHERE id = 'ATA-21-02'").fetchone()
        self.found["database not rebuilt"] += notes != (note,)

    def losses(self) -> Counter:
        """Everything lost, by kind (empty: nothing)."""
        logged = FolderStore(self.data).versions(ATACAMA, "activities")[::-1]
        losses = Counter(self.found)
        losses["acknowledged save not logged"] += len(self.acked - {v.sha256 for v in logged})
        losses["saved version missing from the log"] += sum(
            after.previous != before.sha256 for before, after in zip(logged, logged[1:], strict=False))
        return +losses


def test_kill_9_at_random_points_of_editor_saves(sample_dir, tmp_path):
    # An editor's save (check, keep the versions, replace the CSV, log it, rebuild the database) can
    # die at any instant. A process saves in a loop; it is killed after a random delay, again and again.
    db = tmp_path / "plan.duckdb"
    database.build(sample_dir, db, derive=outlook.derive)
    audit = SaveAudit(sample_dir, db, editing.table_path(sample_dir, ATACAMA, ACTIVITIES).read_bytes())
    rng = random_points(7)
    kills = 0
    acks = tmp_path / "acks"
    for round_number in range(ROUNDS):
        ready = tmp_path / f"ready-{round_number}"
        process = start(SAVE_LOOP, sample_dir, db, ready, acks, round_number * 10_000)
        wait_for(ready, process)
        if round_number == 0:  # at least one save of a killed loop acknowledged, however busy the machine
            wait_for_text(acks, process)
        time.sleep(rng.uniform(0, 0.8))
        kills += kill(process)
        audit.acked |= set(acks.read_text().split())
        audit.after_fault()
        audit.next_save(f"after kill {round_number}")
    losses = audit.losses()
    report("kill -9 during saves", rounds=ROUNDS, kills=kills, saves_acknowledged=len(audit.acked),
           temporary_files_left_by_kills=audit.temp_files_left, lost=sum(losses.values()))
    assert kills >= ROUNDS // 2 and len(audit.acked) > ROUNDS
    assert not losses, losses


def _save_dying_at(data: str, db: str, step: int, results) -> None:
    """In a forked child: a save whose process dies just before its `step`-th durable step (an fsync, a
    rename or a lock: the instants where what is on disk changes); results gets the steps it reached."""
    steps = 0

    def counted(function):
        def step_then(*args, **kwargs):
            nonlocal steps
            steps += 1
            if steps == step:
                os._exit(137)  # no cleanup, no unlock: as kill -9 would
            return function(*args, **kwargs)
        return step_then

    os.fsync, os.replace, fcntl.flock = counted(os.fsync), counted(os.replace), counted(fcntl.flock)
    version = editing.load(Path(data), ATACAMA, ACTIVITIES)
    draft = editing.apply(version, editing.Changes(changed={("ATA-21-01",): {"notes": f"step {step}"}}))
    result = editing.save(Path(data), FolderStore(Path(data)), ATACAMA, ACTIVITIES, draft.raw, version.sha,
                          "dying", db_path=Path(db))
    results.put((type(result).__name__, steps))


def test_a_save_dying_at_each_of_its_steps_loses_nothing(sample_dir, tmp_path):
    # Random kills rarely land in the narrow gaps (after the CSV is replaced, before the history logs
    # it). Here a save dies at each durable step in turn, from the first to past the last.
    db = tmp_path / "plan.duckdb"
    database.build(sample_dir, db, derive=outlook.derive)
    audit = SaveAudit(sample_dir, db, editing.table_path(sample_dir, ATACAMA, ACTIVITIES).read_bytes())
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    step = deaths = 0
    while True:
        step += 1
        child = context.Process(target=_save_dying_at, args=(str(sample_dir), str(db), step, results))
        child.start()
        child.join(timeout=60)
        if child.exitcode == 0:
            outcome, steps = results.get(timeout=10)
            assert outcome == "Saved" and steps < step
            break
        assert child.exitcode == 137
        deaths += 1
        audit.after_fault()
        audit.next_save(f"after death at step {step}")
    losses = audit.losses()
    report("save dying at each step", steps=deaths, temporary_files_left_by_deaths=audit.temp_files_left,
           lost=sum(losses.values()))
    assert deaths >= 10
    assert not losses, losses


# --- disk full -----------------------------------------------------------------------------------

FULL_DISK = """
import json, resource, signal, sys
from pathlib import Path
import duckdb
from plan.data import database
from plan.edit import editing
from plan.data.store import FolderStore
from plan.model.models import ACTIVITIES
from plan import outlook
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG, as on a full disk
data_a, data_b, db, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
limits = json.loads(sys.argv[5])
results, acked = [], []
for n, limit in enumerate(limits):
    operation = ("build", "ensure", "save")[n % 3]
    history = FolderStore(data_a)
    version = editing.load(data_a, "prochile-atacama-2021", ACTIVITIES)
    draft = editing.apply(version, editing.Changes(changed={("ATA-21-01",): {"notes": f"full disk {n}"}}))
    before = db.read_bytes()
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    try:
        if operation == "build":
            database.build(data_b, db, derive=outlook.derive)
            outcome = "built"
        elif operation == "ensure":
            outcome = database.ensure(data_b, db, derive=outlook.derive).action
        else:
            saved = editing.save(data_a, history, "prochile-atacama-2021", ACTIVITIES, draft.raw, version.sha, "full",
                                 db_path=db)
            outcome = type(saved).__name__ + (" unfinished" if saved.unfinished else "")
            if outcome.startswith("Saved"):
                acked.append(saved.version.sha256)
    except (duckdb.Error, OSError) as error:  # a clean refusal: DuckDB's I/O, fatal or transaction error, EFBIG
        outcome = ("duckdb.Error " if isinstance(error, duckdb.Error) else "OSError ") + type(error).__name__
    except Exception as error:
        outcome = "unexpected " + type(error).__name__
    resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    kept = db.read_bytes() == before and not list(db.parent.glob(db.name + ".building-*"))
    results.append([operation, outcome, outcome in ("built", "Saved") or kept])
    database.build(data_a, db, derive=outlook.derive)  # the disk has room again: the next build succeeds
out.write_text(json.dumps({"results": results, "acked": acked}))
"""


def test_disk_full_during_builds_startup_and_saves(data_pair, tmp_path):
    # A full disk makes any write fail: DuckDB's own writes of a new database, the CSV, the history.
    # A child process gets a file size limit (RLIMIT_FSIZE: every write past it fails, as on a full disk,
    # no privileges needed) at random sizes, then builds, starts the app (ensure on stale CSVs) or saves.
    # A failing build raises and leaves the database; the app's start keeps the last good database; a
    # save lands whole or not at all, and is told when the database could not follow.
    data_a, data_b, _ = data_pair
    db = tmp_path / "db" / "plan.duckdb"
    database.build(data_a, db, derive=outlook.derive)
    size = db.stat().st_size
    audit = SaveAudit(data_a, db, editing.table_path(data_a, ATACAMA, ACTIVITIES).read_bytes())
    rng = random_points(8)
    limits = [rng.randrange(0, size + size // 5) for _ in range(3 * ROUNDS)]
    out = tmp_path / "results.json"
    child = subprocess.run([sys.executable, "-c", FULL_DISK, str(data_a), str(data_b), str(db), str(out),
                            json.dumps(limits)], cwd=REPO, env=plain_env(), capture_output=True,
                           timeout=60 + 3 * len(limits))
    assert child.returncode == 0, child.stderr.decode()
    written = json.loads(out.read_text())
    outcomes = {}
    for operation, outcome, _ in written["results"]:
        outcomes.setdefault(operation, {}).setdefault(outcome, 0)
        outcomes[operation][outcome] += 1
    # A build may refuse with any DuckDB or OS error; the app's start must not raise; a save raises only
    # when nothing was written (the OS error of a write before the CSV), else it says what is unfinished.
    allowed = {"build": ("built", "duckdb.Error", "OSError"), "ensure": ("built", "kept_last_good"),
               "save": ("Saved", "OSError")}
    lost = sum(count for operation, seen in outcomes.items() for outcome, count in seen.items()
               if not outcome.startswith(allowed[operation]))
    lost += sum(not database_kept for _, _, database_kept in written["results"])  # a failure changed the database
    audit.acked = set(written["acked"])
    audit.after_fault()
    audit.next_save("after the disk was full")  # with room again: the next save and build succeed
    assert leftovers(db) == []
    failed = sum(count for seen in outcomes.values() for outcome, count in seen.items()
                 if outcome not in ("built", "Saved"))
    losses = audit.losses() + Counter({"wrong outcome or database changed by a failure": lost})
    report("disk full", cases=len(written["results"]), writes_failed=failed, outcomes=outcomes,
           lost=sum(losses.values()))
    assert failed >= ROUNDS
    assert not losses, losses


class FullDisk:
    """Python's writes into the data folder after `budget` bytes fail with ENOSPC, the last one
    half-written: what a disk filling up does to the CSV, the history's blobs and its log."""

    def __init__(self, root: Path, budget: int):
        self.root, self.budget, self.written = root, budget, 0

    def open(self, file, mode="r", *args, **kwargs):
        handle = open(file, mode, *args, **kwargs)
        if set(mode) & set("wax+") and Path(file).resolve().is_relative_to(self.root):
            return _Filling(handle, self)
        return handle


@dataclass
class _Filling:
    """A file being written on a `FullDisk`."""

    handle: object
    disk: FullDisk

    def write(self, data):
        room = self.disk.budget - self.disk.written
        if len(data) > room:
            self.handle.write(data[: max(room, 0)])
            self.handle.flush()
            self.disk.written = self.disk.budget
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.disk.written += len(data)
        return self.handle.write(data)

    def __getattr__(self, name):
        return getattr(self.handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.handle.close()


def test_disk_full_at_every_write_of_a_save(sample_dir, monkeypatch):
    # The same save with the disk full after 0 bytes, then a few more, and more, until it fits: the error
    # is raised (never a half state), the CSV is the old or the new version whole, no temporary file is
    # left, the history keeps what landed (a save whose log line failed says so, and the next save logs
    # it), and once there is room the next save succeeds.
    audit = SaveAudit(sample_dir, sample_dir.parent / "plan.duckdb",
                      editing.table_path(sample_dir, ATACAMA, ACTIVITIES).read_bytes())
    database.build(sample_dir, audit.db, derive=outlook.derive)
    rng = random_points(9)
    budget = failures = unfinished = cases = 0
    while True:
        cases += 1
        full = FullDisk(sample_dir.resolve(), budget)
        with monkeypatch.context() as patched:
            patched.setattr(files, "open", full.open, raising=False)  # every durable write of a save
            version = editing.load(sample_dir, ATACAMA, ACTIVITIES)
            draft = editing.apply(version, editing.Changes(changed={("ATA-21-01",): {"notes": f"budget {budget}"}}))
            try:
                result = editing.save(sample_dir, FolderStore(sample_dir), ATACAMA, ACTIVITIES, draft.raw,
                                      version.sha, "full", db_path=audit.db)
            except OSError as error:
                assert error.errno == errno.ENOSPC
                failures += 1
                result = None
        audit.after_fault()
        audit.next_save(f"after budget {budget}")
        if result is not None:
            assert isinstance(result, editing.Saved)
            if not result.unfinished:
                break
            unfinished += 1  # the CSV was saved, the history log could not follow (the next save logs it)
        budget += rng.randint(1, 3200 // ROUNDS)  # the full mode steps through the writes more finely
    losses = audit.losses()
    report("disk full during a save", cases=cases, failed_before_the_csv=failures,
           saved_but_log_unfinished=unfinished, lost=sum(losses.values()))
    assert failures >= 5 and unfinished >= 1
    assert not losses, losses


# --- damaged, shadowed or locked databases at startup -------------------------------------------


def plan_rows(db: Path) -> dict[str, list[tuple]]:
    """Every row of every plan table: what the pages would show (verify compares only row counts)."""
    with database.reader(db) as con:
        return {table.name: con.execute(f"SELECT * FROM {table.name} ORDER BY ALL").fetchall()  # noqa: S608
                for table in TABLES}


def test_random_damage_to_the_database_never_serves_wrong_data(sample_dir, tmp_path):
    # Bit rot, a bad copy or a crash may damage the database in any place: truncated, bytes flipped,
    # a block zeroed or overwritten, junk appended, a stale .wal beside it. At the next start the app
    # must serve exactly the plan's data: the damage is detected (set aside, rebuilt) or harmless.
    db = tmp_path / "plan.duckdb"
    database.build(sample_dir, db, derive=outlook.derive)
    good, pristine = plan_rows(db), db.read_bytes()
    rng = random_points(10)
    foreign = _foreign_wal(tmp_path)
    kinds, set_aside, wal_set_aside, lost = Counter(), 0, 0, 0
    for _ in range(5 * ROUNDS):
        db.write_bytes(pristine)
        kinds[damage_database(db, rng, foreign, DAMAGE[1:])] += 1
        ready = database.ensure(sample_dir, db, derive=outlook.derive)
        lost += ready.action not in ("fresh", "built") or plan_rows(db) != good
        set_aside += ready.set_aside is not None
        for aside in [*tmp_path.glob("plan.duckdb.corrupt-*"), *tmp_path.glob("plan.duckdb.stale-wal-*")]:
            wal_set_aside += "stale-wal" in aside.name
            aside.unlink()
    report("random damage at startup", cases=sum(kinds.values()), kinds=dict(kinds), set_aside_and_rebuilt=set_aside,
           wal_set_aside=wal_set_aside, lost=lost)
    assert set_aside >= ROUNDS
    assert lost == 0


LOCKER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])  # read-write: DuckDB locks the file against every other process
open(sys.argv[2], "w").close()
time.sleep(300)
"""


@contextlib.contextmanager
def locked(db: Path, tmp_path: Path):
    """Another process holding `db` open read-write (a DuckDB shell left open, another tool)."""
    ready = tmp_path / "locked"
    process = start(LOCKER, db, ready)
    try:
        wait_for(ready, process)
        yield
    finally:
        kill(process)


STARTUP_FAULTS = {
    "truncated": lambda db, tmp: db.write_bytes(_truncate_half(db.read_bytes())),
    "flipped-byte": lambda db, tmp: db.write_bytes(_flip_middle_byte(db.read_bytes())),
    "foreign-wal": lambda db, tmp: db.with_name(db.name + ".wal").write_bytes(_foreign_wal(tmp)),
    "junk-wal": lambda db, tmp: db.with_name(db.name + ".wal").write_bytes(random.Random(3).randbytes(5000)),
}


@pytest.mark.parametrize("fault", [*STARTUP_FAULTS, "locked"])
def test_the_app_starts_on_a_damaged_shadowed_or_locked_database(app_env, tmp_path, fault):
    # The dashboard's first page on a database left damaged, shadowed by a stale .wal or held open by
    # another process: it shows the plan's figures; a damaged file is set aside with a banner saying
    # so; a .wal or a lock is no damage (no banner, the good file is not kept as "corrupt").
    db = tmp_path / "plan.duckdb"  # app_env's PLAN_DB_PATH
    database.build(app_env, db, derive=outlook.derive)
    with locked(db, tmp_path) if fault == "locked" else contextlib.nullcontext():
        if fault != "locked":
            STARTUP_FAULTS[fault](db, tmp_path)
        at = open_page()
    assert not at.exception
    # The total, then the plan shown first (Atacama); issue 23: a total counts plans with a target.
    assert _metrics(at)[DONE_LABEL] == ["13", "13"]
    damaged = fault in ("truncated", "flipped-byte")
    assert any("dañada" in warning.value for warning in at.warning) == damaged
    assert len(list(tmp_path.glob("plan.duckdb.corrupt-*"))) == damaged
    database.build(app_env, db, derive=outlook.derive)  # and the next build succeeds
    assert database.ensure(app_env, db, derive=outlook.derive).action == "fresh"


# --- CSVs replaced under running pages, caches cleared by clients ---------------------------------


def activity_variants(data: Path) -> tuple[dict[int, bytes], bytes]:
    """Valid versions of Atacama's activities.csv with 0-3 activities moved from done back to in progress
    (13 - k done), written by the editor; and an invalid one (a status no one knows)."""
    version = editing.load(data, ATACAMA, ACTIVITIES)
    done = [key for key, row in version.by_key().items() if row.value.status is Status.DONE]
    variants = {k: editing.apply(version, editing.Changes(changed={
        key: {"status": "in_progress", "actual_end": None} for key in done[:k]})).raw for k in range(4)}
    assert all(editing.check(data, ATACAMA, ACTIVITIES, raw) == [] for raw in variants.values())
    return variants, version.raw.replace(b",done,", b",dnoe,", 1)


def shuffled(events: list[str], rng: random.Random) -> list[str]:
    """Each event ROUNDS / 2 times (at least once), in a random order."""
    sequence = events * max(1, ROUNDS // 2)
    rng.shuffle(sequence)
    return sequence


def replace_atomically(path: Path, raw: bytes) -> None:
    """As an editor or `git checkout` does: a new file renamed over the old one."""
    temporary = path.with_name(path.name + ".new")
    temporary.write_bytes(raw)
    os.replace(temporary, path)


def test_csvs_replaced_between_page_runs_show_new_data_or_the_last_good_with_a_banner(app_env):
    # The director saves activities.csv from Excel (or pulls a change) while people have the dashboard
    # open; sometimes the file is invalid, sometimes a client clears the caches. Each next run shows
    # the new figures, or the last good ones under the error banner, never an exception.
    path = app_env / ATACAMA / "activities.csv"
    variants, invalid = activity_variants(app_env)
    rng = random_points(11)
    at = open_page()
    done, broken, events, lost = 13, False, Counter(), 0
    for event in shuffled(["replaced", "rewritten-in-place", "invalid", "caches-cleared", "new-session"], rng):
        events[event] += 1
        if event in ("replaced", "rewritten-in-place"):
            k = rng.randrange(4)
            (replace_atomically if event == "replaced" else Path.write_bytes)(path, variants[k])
            done, broken = 13 - k, False
        elif event == "invalid":
            replace_atomically(path, invalid)
            broken = True
        elif event == "caches-cleared":
            st.cache_data.clear()
            st.cache_resource.clear()
        at = open_page() if event == "new-session" else at.run(timeout=60)
        assert not at.exception
        lost += _metrics(at)[DONE_LABEL] != [str(done), str(done)]  # total, Atacama (issue 23)
        lost += any("dnoe" in code.value for code in at.code) != broken
    report("CSV replaced between runs", runs=sum(events.values()), events=dict(events), lost=lost)
    assert events["invalid"] and events["replaced"]
    assert lost == 0


def test_csvs_replaced_and_caches_cleared_while_a_server_runs_pages(server, tmp_path):
    # The real server, with a browser-like session rerunning the overview: the CSV is replaced (valid,
    # invalid) in the middle of a run, and another client sends Streamlit's "clear cache" message, as
    # any client can. No run fails; the run after each change shows the new figures, or the last good
    # ones with the error banner.
    path = tmp_path / "viewer" / "data" / ATACAMA / "activities.csv"  # the `server` fixture's copy
    variants, invalid = activity_variants(path.parent.parent)
    rng = random_points(12)

    async def scenario() -> tuple[Counter, int]:
        watcher, other = Watcher(server), Watcher(server)
        await watcher.open("")
        await other.open("")
        done, broken, events, lost = 13, False, Counter(), 0
        for event in shuffled(["replaced", "invalid", "cache-cleared"], rng):
            events[event] += 1
            running = asyncio.create_task(watcher.look())
            await asyncio.sleep(rng.uniform(0, 0.3))
            if event == "replaced":
                k = rng.randrange(4)
                replace_atomically(path, variants[k])
                done, broken = 13 - k, False
            elif event == "invalid":
                replace_atomically(path, invalid)
                broken = True
            else:
                await other.connection.send(BackMsg(clear_cache=True).SerializeToString())
            await running  # the run the change fell into finished without an error (ViewerError otherwise)
            await watcher.settle()  # the runs asked before the change, and any the server started itself
            watcher.error_banners.clear()
            lost += await watcher.look() != str(done)  # the overview's first card (issue 23)
            lost += bool(watcher.error_banners) != broken
        await watcher.close()
        await other.close()
        return events, lost

    events, lost = asyncio.run(scenario())
    report("CSV replaced and caches cleared on a server", runs=2 * sum(events.values()), events=dict(events),
           lost=lost)
    assert lost == 0


def test_a_database_locked_while_pages_run_does_not_break_them(app_env, tmp_path):
    # Pages already open when another process locks the database: their next uncached query must still
    # be served (the start already copes, see the test above).
    at = open_page()
    with locked(tmp_path / "plan.duckdb", tmp_path):
        at.switch_page("pages/progress.py").run(timeout=60)
    assert not at.exception
