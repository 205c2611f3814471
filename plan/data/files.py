"""Files written whole or not at all, one writer at a time, and what killed writers leave behind.

    write_atomically(path, raw)   .<name>.tmp-<pid> beside it --fsync--> os.replace --> fsync the folder
    locked(path)                  an exclusive flock held while the block runs (released if the process dies)
    remove_dead_leftovers(...)    files named after a writer's pid whose process no longer exists

Every durable write of the project goes through here (plan CSVs, history blobs and intents, reports,
the demo's marker); the database build swaps in a file DuckDB wrote, with the same fsync and cleanup.
"""

import contextlib
import fcntl
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

_PID_SUFFIX = re.compile(r"-(\d+)(?:\.[^-]*)?$")  # "<name>-<pid>" or "<name>-<pid>.wal"


def temporary_for(path: Path) -> Path:
    """Where `write_atomically` writes `path` before swapping it in."""
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")


def is_temporary_for(entry: Path, path: Path) -> bool:
    """`entry` is a temporary of some process writing `path` (alive or not)."""
    return entry.parent == path.parent and re.fullmatch(rf"\.{re.escape(path.name)}\.tmp-\d+", entry.name) is not None


def write_atomically(path: Path, raw: bytes) -> None:
    """Write `path` whole or not at all: a temporary file beside it, fsync, rename, fsync the folder.
    Temporary files that writers killed mid-write left in the folder are removed first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_dead_leftovers(path.parent, ".*.tmp-*")
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


def remove_dead_leftovers(folder: Path, pattern: str) -> None:
    """Remove the files in `folder` matching `pattern` whose name ends in the pid of a process that no longer
    exists (`-<pid>`, optionally followed by an extension): what writers killed mid-write (kill -9, power
    cut) left. They are never read, but they would pile up where people (and git) see them."""
    for leftover in folder.glob(pattern):
        match = _PID_SUFFIX.search(leftover.name)
        if match and not process_alive(int(match.group(1))):
            leftover.unlink(missing_ok=True)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
