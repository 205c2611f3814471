"""The file primitives every durable write uses: whole files, one writer at a time, leftovers of dead writers."""

import fcntl
import multiprocessing
import os
import subprocess
import sys

from plan.data import files
from plan.data.store import FolderStore
from plan.edit import editing
from plan.model.models import ACTIVITIES
from tests.test_editing import ATACAMA


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                           check=True)
    return int(child.stdout)


def test_write_atomically_replaces_the_file_whole_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "sub" / "activities.csv"
    files.write_atomically(target, b"old")
    files.write_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["activities.csv"]


def test_a_write_removes_its_own_dead_temporaries_and_no_other_file(tmp_path):
    # The folder written to may be anyone's (`python -m plan report --out R/r.html`): only the temporaries
    # of the file being written, left by writers that no longer exist, are the writer's to remove.
    dead, alive = dead_pid(), os.getppid()  # (this process's own temporary is the one it writes)
    ours = [f".a.csv.tmp-{dead}"]
    kept = [f".a.csv.tmp-{alive}", f".draft.tmp-{dead}.docx", f".a.csv.tmp-{dead}.docx", f".b.csv.tmp-{dead}",
            f".a.csv.tmp-{dead}x", f"a.csv.tmp-{dead}", "notes.txt"]
    for name in ours + kept:
        (tmp_path / name).write_bytes(b"x")
    files.write_atomically(tmp_path / "a.csv", b"a")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["a.csv", *kept])


def test_a_save_of_a_plan_csv_leaves_the_users_hidden_files_in_the_plan_folder(sample_dir):
    # People keep their own files beside the plan's CSVs; a save removes only what a killed save of the same
    # file left.
    dead = dead_pid()
    folder = sample_dir / ATACAMA
    users = {f".draft.tmp-{dead}.docx": b"borrador", f".presupuesto.tmp-{dead}": b"cifras",
             f".activities.csv.tmp-{dead}.bak": b"copia"}
    for name, raw in users.items():
        (folder / name).write_bytes(raw)
    (folder / f".activities.csv.tmp-{dead}").write_bytes(b"half a save")
    version = editing.load(sample_dir, ATACAMA, ACTIVITIES)
    draft = editing.apply(version, editing.Changes(changed={("ATA-21-02",): {"notes": "guardado"}}))
    saved = editing.save(sample_dir, FolderStore(sample_dir), ATACAMA, ACTIVITIES, draft.raw, version.sha, "ana")
    assert isinstance(saved, editing.Saved), saved
    assert {name: (folder / name).read_bytes() for name in users} == users
    assert not (folder / f".activities.csv.tmp-{dead}").exists()


def test_leftovers_of_dead_writers_go_and_those_of_live_ones_stay(tmp_path):
    dead, alive = dead_pid(), os.getpid()
    building = files.pid_named(r"plan\.duckdb\.building-", r"(?:\.wal)?")
    for name in (f"plan.duckdb.building-{dead}", f"plan.duckdb.building-{dead}.wal", f"plan.duckdb.building-{alive}",
                 f"plan.duckdb.building-{dead}.docx", f"old-plan.duckdb.building-{dead}", "notes.txt"):
        (tmp_path / name).write_bytes(b"x")
    files.remove_dead_leftovers(tmp_path, building)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"plan.duckdb.building-{alive}", f"plan.duckdb.building-{dead}.docx", f"old-plan.duckdb.building-{dead}",
         "notes.txt"])


def test_a_temporary_is_recognised_only_for_its_own_file(tmp_path):
    marker = tmp_path / ".demo"
    assert files.is_temporary_for(tmp_path / "..demo.tmp-123", marker)
    assert not files.is_temporary_for(tmp_path / "..demo.tmp-x", marker)
    assert not files.is_temporary_for(tmp_path / "..other.tmp-123", marker)


def _hold_lock(path, held, release) -> None:
    with files.locked(path):
        held.set()
        release.wait(30)


def test_locked_keeps_out_a_second_process_until_released(tmp_path):
    lock = tmp_path / "plan.lock"
    context = multiprocessing.get_context("fork")
    held, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_lock, args=(lock, held, release))
    holder.start()
    try:
        assert held.wait(30)
        # A non-blocking try shows the lock is taken, without waiting on the clock.
        with open(lock, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                taken = False
            except BlockingIOError:
                taken = True
        assert taken
    finally:
        release.set()
        holder.join(30)
    with files.locked(lock) as handle:  # free again once the holder ended
        assert not handle.closed
    assert not files.process_alive(dead_pid()) and files.process_alive(os.getpid())
