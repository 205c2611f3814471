"""The plan store: the one place that knows where the plan's CSV versions live.

    FolderStore(data_dir)   the CSV files under data/ are the current versions, data/.history keeps every
                            version (the embedded default: `make run`, a laptop, the tests)
    PostgresStore(engine)   PostgreSQL keeps the current versions and every version, shared by every app
                            process (hosted use: a reboot or a new replica loses nothing; plan.data.store_postgres)

Everything else asks the store for a plan's files, saves through it naming the base version (a save whose base
is no longer current is refused and writes nothing), and reads the history from it. Pages never read the store:
each process copies the current versions into a local folder (`materialize`; a folder store is read in place)
and builds its DuckDB file from there, so the local files are a cache that any process can rebuild.

    with store.saving(plan_id) as plan:     the plan locked against every other save, in every process
        plan.files                          file name -> current bytes of each of its CSVs
        plan.commit(version, raw)           the file's new current version (None: removed), recorded in the history

`open_store(url, data_dir)` is the one place that chooses: a URL (given, or $PLAN_STORE_URL) is PostgreSQL and
`data_dir` its local copy; no URL is the folder store of `data_dir`. Besides the plan, a store keeps small
named state that is not a plan file (e.g. what a digest already sent: `read_state`, `write_state`), so that no
such state lives in a folder that looks like a plan.
"""

import contextlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Protocol

from plan.data import database
from plan.data.database import csv_digest
from plan.data.files import fsync_folder, locked, write_atomically
from plan.data.history import History, Version, default_history_dir, sha256
from plan.data.loader import plan_dirs
from plan.data.store_base import StaleBase, plan_file_names, state_name
from plan.model.models import TABLES_BY_NAME

STORE_URL_VARIABLE = "PLAN_STORE_URL"
COPY_DIR_VARIABLE = "PLAN_CACHE_DIR"  # where a process keeps its local copy of a PostgreSQL store
DEFAULT_COPY_DIR = ".plan-cache"
FOLDER_LAYOUT = 1  # what a folder store's `init` reports: its layout has one version so far


class PlanFiles(Protocol):
    files: Mapping[str, bytes]

    def commit(self, version: Version, raw: bytes | None) -> str:
        """Make `raw` the current version (None removes the file; the history keeps it); returns what did not
        follow ("" when everything did). Raises StaleBase when the file is not `version.previous` any more."""


class PlanStore(Protocol):
    kind: str  # "folder" or "postgresql"

    def where(self) -> str:
        """Which store this is, with no secret (a local copy remembers where it was pulled from)."""

    def init(self) -> int:
        """Make the store ready (idempotent, safe from several processes); returns its layout version."""

    def close(self) -> None: ...

    def log(self, limit: int = 1000) -> list[tuple[int, Version]]:
        """The latest versions of every file, newest first, with their sequence numbers."""

    def saving(self, plan_id: str) -> contextlib.AbstractContextManager[PlanFiles]: ...

    def versions(self, plan_id: str, table: str) -> list[Version]: ...

    def content(self, version: str) -> bytes | None: ...

    def remember(self, raw: bytes | None) -> str: ...

    def token(self) -> str: ...

    def current(self) -> dict[tuple[str, str], str]: ...

    def materialize(self, folder: Path) -> set[str]:
        """Bring the local copy `folder` in step with the store; returns the plans whose files changed."""

    def read_state(self, name: str) -> bytes | None:
        """A small named state that is not a plan file (None: never written)."""

    def write_state(self, name: str, raw: bytes, expected: bytes | None) -> None:
        """Replace the state `name` if it is still `expected` (None: absent), else raise StaleBase: two
        processes that read the same state cannot both replace it."""


class _FolderFiles(Mapping):
    """A locked plan's files, read from its folder when asked for (not before, nor kept: an outcomes.csv can be
    200 MB), except the ones a commit has replaced."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.names = plan_file_names(folder)
        self.replaced: dict[str, bytes] = {}

    def __getitem__(self, name: str) -> bytes:
        if name in self.replaced:
            return self.replaced[name]
        if name not in self.names:
            raise KeyError(name)
        return (self.folder / name).read_bytes()

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def __contains__(self, name: object) -> bool:
        return name in self.names  # without reading the file

    def __setitem__(self, name: str, raw: bytes) -> None:
        self.replaced[name] = raw
        if name not in self.names:
            self.names.append(name)

    def forget(self, name: str) -> None:
        """A commit removed the file."""
        self.replaced.pop(name, None)
        if name in self.names:
            self.names.remove(name)


class _FolderPlan:
    """One plan of a folder store, locked: its files as on disk; a commit replaces one of them whole."""

    def __init__(self, store: "FolderStore", plan_id: str):
        self.store, self.plan_id = store, plan_id
        self.files = _FolderFiles(store.data_dir / plan_id)

    def commit(self, version: Version, raw: bytes | None) -> str:
        name = TABLES_BY_NAME[version.table].file_name
        path = self.store.data_dir / self.plan_id / name
        # Read again, not the bytes read when the lock was taken: a person editing the CSV takes no lock,
        # and an edit made while this save checked the plan must refuse the save, not be overwritten.
        current = path.read_bytes() if path.exists() else None
        if sha256(current) != version.previous:
            raise StaleBase(version.previous, sha256(current))
        history = self.store.history
        history.remember(current)
        history.remember(raw)
        history.intend(version)
        if raw is None:
            path.unlink()
            fsync_folder(path.parent)
            self.files.forget(name)
        else:
            write_atomically(path, raw)
            self.files[name] = raw
        try:
            history.record(version)
        except OSError as error:  # the file is saved; its intent gets it logged at the plan's next save
            return f"{history.log_path}: {error}"
        return ""


class FolderStore:
    """The plan folders themselves: the files are the current versions, the history folder keeps every one."""

    kind = "folder"

    def __init__(self, data_dir: Path, history: History | None = None):
        self.data_dir = data_dir
        self.history = history or History(default_history_dir(data_dir))

    def where(self) -> str:
        return str(self.data_dir.resolve())

    def init(self) -> int:
        """Nothing to create: the plan folders are the store (a missing one is told by whoever reads it)."""
        return FOLDER_LAYOUT

    def close(self) -> None:
        """Nothing is held open between calls."""

    @contextlib.contextmanager
    def saving(self, plan_id: str) -> Iterator[_FolderPlan]:
        """One save at a time per plan (all its tables: references cross them), across processes."""
        with self._locked(plan_id):
            self._settle(plan_id)
            yield _FolderPlan(self, plan_id)

    @contextlib.contextmanager
    def _locked(self, name: str) -> Iterator[None]:
        locks = self.data_dir / ".locks"
        locks.mkdir(parents=True, exist_ok=True)
        with locked(locks / f"{name}.lock"):
            yield

    def log(self, limit: int = 1000) -> list[tuple[int, Version]]:
        return self.history.log(limit)

    def read_state(self, name: str) -> bytes | None:
        path = self._state_path(name)
        return path.read_bytes() if path.exists() else None

    def write_state(self, name: str, raw: bytes, expected: bytes | None) -> None:
        """In `.state/` beside the plan folders (hidden: no build reads it), under a lock of its own."""
        path = self._state_path(name)
        with self._locked(f".state-{name}"):
            current = path.read_bytes() if path.exists() else None
            if current != expected:
                raise StaleBase(sha256(expected), sha256(current))
            write_atomically(path, raw)

    def _state_path(self, name: str) -> Path:
        return self.data_dir / ".state" / state_name(name)

    def _settle(self, plan_id: str) -> None:
        """Log the saves of the plan that died after replacing their file and before logging it."""
        for version in self.history.pending(plan_id):
            path = self.data_dir / plan_id / TABLES_BY_NAME[version.table].file_name
            self.history.settle(version, sha256(path.read_bytes() if path.exists() else None))

    def versions(self, plan_id: str, table: str) -> list[Version]:
        return self.history.versions(plan_id, table)

    def content(self, version: str) -> bytes | None:
        return self.history.content(version)

    def remember(self, raw: bytes | None) -> str:
        return self.history.remember(raw)

    def token(self) -> str:
        """Changes whenever a plan CSV does (sizes and times: no file is read)."""
        return csv_digest(self.data_dir)

    def current(self) -> dict[tuple[str, str], str]:
        return {(folder.name, name): sha256((folder / name).read_bytes())
                for folder in plan_dirs(self.data_dir) for name in plan_file_names(folder)}

    def materialize(self, folder: Path) -> set[str]:
        """Nothing to copy: a folder store is where the database is built from."""
        if folder.resolve() != self.data_dir.resolve():
            raise ValueError(f"a folder store is read in place ({self.data_dir}), not copied to {folder}")
        return set()


def store_url(explicit: str | None = None) -> str | None:
    """The PostgreSQL URL to use: the one given, else $PLAN_STORE_URL; None means the folder store."""
    return explicit or os.environ.get(STORE_URL_VARIABLE) or None


def default_data_dir(url: str | None) -> Path:
    """The folder a process builds its database from: with a store URL its local copy ($PLAN_CACHE_DIR or
    .plan-cache/), otherwise the plan folders themselves ($PLAN_DATA_DIR or data/)."""
    if url is None:
        return database.default_data_dir()
    return Path(os.environ.get(COPY_DIR_VARIABLE, DEFAULT_COPY_DIR))


def open_store(url: str | None, data_dir: Path) -> PlanStore:
    """The store `url` names (None: the folder store of `data_dir`, whose plan folders are the versions).
    With a URL, `data_dir` is only the local copy that `materialize` keeps. Nothing is connected yet."""
    if url is None:
        return FolderStore(data_dir)
    from plan.data.store_postgres import PostgresStore  # SQLAlchemy and the driver load only for a URL

    return PostgresStore.from_url(url)


@contextlib.contextmanager
def local_copy(url: str | None, data_dir: Path) -> Iterator[PlanStore]:
    """The store, ready, with `data_dir` in step with it (for a command that reads or saves plans); closed
    after the block. Raises StoreUnavailable, or NotALocalCopy for a folder that holds other plan files."""
    store = open_store(url, data_dir)
    try:
        store.init()
        store.materialize(data_dir)
        yield store
    finally:
        store.close()
