"""Files written whole or not at all, one writer at a time, and what killed writers leave behind.

    write_atomically(path, raw)   .<name>.tmp-<pid> beside it --fsync--> os.replace --> fsync the folder
    locked(path)                  an exclusive flock held while the block runs (released if the process dies)
    remove_dead_leftovers(...)    what writers left under names only they make, whose process no longer exists

Every durable write of the project goes through here (plan CSVs, history blobs and intents, reports,
the demo's marker); the database build swaps in a file DuckDB wrote, with the same fsync and cleanup.
The folders written to are often the user's (a report's --out, a plan folder), so a leftover is only ever
recognised by the whole of its name: a write removes the dead temporaries of its own file, never a file
merely named like one (`.draft.tmp-2024.docx`).
"""

import contextlib
import fcntl
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import IO


def pid_named(before: str, after: str = "") -> re.Pattern[str]:
    """Whole names `<before><pid><after>` (regular expressions either side of a writer's pid, group `pid`)."""
    return re.compile(rf"{before}(?P<pid>\d+){after}")


def temporary_for(path: Path) -> Path:
    """Where `write_atomically` writes `path` before swapping it in."""
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")


def temporaries_of(name: str) -> re.Pattern[str]:
    """The names of `temporary_for`'s files for a file called `name`, whatever the writer's pid."""
    return pid_named(rf"\.{re.escape(name)}\.tmp-")


def is_temporary_for(entry: Path, path: Path) -> bool:
    """`entry` is a temporary of some process writing `path` (alive or not)."""
    return entry.parent == path.parent and temporaries_of(path.name).fullmatch(entry.name) is not None


def write_atomically(path: Path, raw: bytes) -> None:
    """Write `path` whole or not at all: a temporary file beside it, fsync, rename, fsync the folder.
    The temporaries of `path` that writers killed mid-write left are removed first (nothing else: the
    folder may be anyone's)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_dead_leftovers(path.parent, temporaries_of(path.name))
    temporary = temporary_for(path)
    try:
        with open(temporary, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    fsync_folder(path.parent)


def fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (a power cut could otherwise bring the old name back)."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def locked(path: Path, mode: str = "a") -> Iterator[IO]:
    """Hold an exclusive lock on `path` (created if missing) while the block runs; yields the open file.
    The lock dies with the process, so a writer killed mid-way never blocks the next one."""
    with open(path, mode) as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield handle
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_dead_leftovers(folder: Path, names: re.Pattern[str]) -> None:
    """Remove the entries of `folder` whose whole name matches `names` (see `pid_named`) and whose writer's
    process no longer exists: what writers killed mid-write (kill -9, power cut) left. They are never read,
    but they would pile up where people (and git) see them. A folder among them (DuckDB's spill folder of a
    killed build) goes with what it holds."""
    for leftover in folder.iterdir():
        match = names.fullmatch(leftover.name)
        if match is None or process_alive(int(match["pid"])):
            continue
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
