"""The file primitives every durable write uses: whole files, one writer at a time, leftovers of dead writers."""

import fcntl
import multiprocessing
import os
import subprocess
import sys

from plan.data import files


def _dead_pid() -> int:
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


def test_leftovers_of_dead_writers_go_and_those_of_live_ones_stay(tmp_path):
    dead, alive = _dead_pid(), os.getpid()
    for name in (f".a.csv.tmp-{dead}", f".a.csv.tmp-{alive}", f"plan.duckdb.building-{dead}.wal",
                 f"plan.duckdb.building-{alive}", "notes.txt"):
        (tmp_path / name).write_bytes(b"x")
    files.write_atomically(tmp_path / "b.csv", b"b")  # cleans temporaries on the way
    files.remove_dead_leftovers(tmp_path, "plan.duckdb.building-*")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f".a.csv.tmp-{alive}", f"plan.duckdb.building-{alive}", "b.csv", "notes.txt"])


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
    assert not files.process_alive(_dead_pid()) and files.process_alive(os.getpid())
