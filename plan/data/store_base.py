"""What every plan store shares: the files it holds in a plan folder, the names of its small state, and the
errors it raises (plan.data.store chooses a store; store_postgres is one kind, the folder store the other)."""

import re
from pathlib import Path

from plan.data.loader import csv_files
from plan.model.models import TABLES

STATE_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,99}")  # a state's name is a file name in a folder store
FILE_NAMES = tuple(table.file_name for table in TABLES)
TABLE_OF_FILE = {table.file_name: table.name for table in TABLES}


class StaleBase(Exception):
    """The file is no longer the version the save was based on; nothing was written."""

    def __init__(self, base: str, current: str):
        super().__init__(f"version {base[:12] or '(absent)'} is no longer current ({current[:12] or '(absent)'})")
        self.base, self.current = base, current


class StoreUnavailable(Exception):
    """The store cannot be reached or used (network, credentials, server down); the message shows no secret."""


class NotALocalCopy(Exception):
    """A folder given as a PostgreSQL store's local copy holds plan files that the store did not write there
    (a working folder, a pulled one with local changes): copying the store over them would lose them."""

    def __init__(self, folder: Path):
        super().__init__(str(folder))
        self.folder = folder


def plan_file_names(folder: Path) -> list[str]:
    """The plan CSVs present in a plan folder (other files there are not the store's), by their exact names as
    listed: on a disk that ignores case, `OUTCOMES.CSV` must not be taken for outcomes.csv (it is refused by name
    when the plan is checked)."""
    if not folder.is_dir():
        return []
    listed = {path.name for path in csv_files(folder)}
    return [name for name in FILE_NAMES if name in listed and (folder / name).is_file()]


def state_name(name: str) -> str:
    """A state's name, checked: lower-case letters, digits, `_`, `.` and `-` (it names a file in a folder)."""
    if not STATE_NAME.fullmatch(name):
        raise ValueError(f"not a state name: {name!r} (expected lower-case letters, digits, _ . -)")
    return name
