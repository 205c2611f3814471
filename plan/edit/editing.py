"""Editing one table of one plan: changes checked like the CSV files, saved so that nothing is lost.

    load(data_dir, plan_id, table)      -> TableVersion: the file's bytes, version, valid rows and their lines
    Changes (by row key: changed cells, deleted rows, added rows)
    apply(version, changes)             -> Draft: the new bytes; untouched lines stay byte for byte
    check(data_dir, plan_id, table, raw) -> every issue of the plan with this file in place
    save(data_dir, store, ...)          -> Saved | Conflict | Rejected, under the plan store's lock for the plan

A row is known by its key (the table's unique columns, e.g. an activity's id), so pending
changes can be carried over to a newer version of the file after a conflict. A save names the
version it was based on; if the file moved on since (another editor, or a person editing the
CSV on disk), it is refused, and nothing is written unless the whole plan is valid.
"""

import functools
import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from plan.data import database
from plan.data.csv_reader import CsvFile, parse_csv
from plan.data.csv_writer import cell_text, csv_record
from plan.data.history import Version, now_utc, sha256
from plan.data.loader import Row, check_rows
from plan.data.store import PlanStore, StaleBase, StoreUnavailable, plan_file_names
from plan.model.issues import Issue, PlanInvalid, shown_path
from plan.model.models import PlanModel, Table
from plan.model.parsing import DecimalMark

Key = tuple


def row_key(table: Table, row: PlanModel) -> Key:
    """What names a row across versions: its unique columns (the plan table has one row)."""
    return tuple(getattr(row, name) for name in table.unique)


@dataclass
class TableVersion:
    """A table as it is on disk now: bytes, version, and the rows that validate, by key."""

    plan_id: str
    table: Table
    shown: str
    raw: bytes | None  # None: the file does not exist (an optional table not started yet)
    csv_file: CsvFile | None
    rows: list[Row]
    issues: list[Issue]

    @property
    def sha(self) -> str:
        return sha256(self.raw)

    def by_key(self) -> dict[Key, Row]:
        return self._by_key

    @functools.cached_property
    def _by_key(self) -> dict[Key, Row]:
        return {row_key(self.table, row.value): row for row in self.rows}


def parse_version(plan_id: str, table: Table, shown: str, raw: bytes | None) -> TableVersion:
    """Rows of `raw` checked one by one (references are checked by `check`, with the whole plan)."""
    if raw is None:
        return TableVersion(plan_id, table, shown, None, None, [], [])
    opened = parse_csv(raw, table, shown)
    if isinstance(opened, list):
        return TableVersion(plan_id, table, shown, raw, None, [], opened)
    rows, issues = check_rows(opened, dict.fromkeys(table.references.values()))
    return TableVersion(plan_id, table, shown, raw, opened, rows, issues)


def table_path(data_dir: Path, plan_id: str, table: Table) -> Path:
    return data_dir / plan_id / table.file_name


def load(data_dir: Path, plan_id: str, table: Table) -> TableVersion:
    path = table_path(data_dir, plan_id, table)
    raw = path.read_bytes() if path.exists() else None
    return parse_version(plan_id, table, shown_path(path, data_dir.resolve().parent), raw)


@dataclass
class Changes:
    """Pending edits to one table: new cell values of existing rows (by key), rows deleted,
    rows added. Values are what the editor holds (typed or text); the validator judges them."""

    changed: dict[Key, dict[str, object]] = field(default_factory=dict)
    deleted: set[Key] = field(default_factory=set)
    added: list[dict[str, object]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changed or self.deleted or self.added)

    @classmethod
    def from_editor(cls, keys: list[Key], delta: dict) -> "Changes":
        """From `st.data_editor`'s state ({"edited_rows": {position: {column: value}}, "added_rows":
        [...], "deleted_rows": [...]}) over rows whose keys, in shown order, are `keys`."""
        changes = cls()
        for position, cells in (delta.get("edited_rows") or {}).items():
            changes.changed[keys[int(position)]] = dict(cells)
        changes.deleted = {keys[int(position)] for position in delta.get("deleted_rows") or []}
        changes.added = [dict(cells) for cells in delta.get("added_rows") or [] if any(
            cell_text(value).strip() for value in cells.values())]
        for key in changes.deleted:
            changes.changed.pop(key, None)
        return changes

    def missing_in(self, version: TableVersion) -> list[Key]:
        """Keys these changes name that `version` no longer has (someone deleted or renamed the row)."""
        present = version.by_key()
        return [key for key in [*self.changed, *self.deleted] if key not in present]


@dataclass
class Draft:
    """The bytes a save would write, and where each row of them came from."""

    raw: bytes
    origin: dict[int, Key | int]  # first line in the new file -> key of the row edited, or index of the row added


def _as_read(value):
    """A value read from the file, in the form that reads back to it. A text can begin with a tab or CR only
    if its cell began with the apostrophe of a download's formula guard, which reading removed
    (plan.model.fields): written without it, reading would strip them."""
    if isinstance(value, list):
        return [_as_read(item) for item in value]
    if isinstance(value, str) and value.startswith(("\t", "\r")):
        return "'" + value
    return value


@dataclass
class _Dialect:
    """How the file is written: its own delimiter, decimal mark, line ending and encoding (canonical
    for a new file), and its columns in their order."""

    table: Table
    fields: list[str | None]
    delimiter: str = ","
    mark: DecimalMark = DecimalMark.POINT
    ending: str = "\n"
    encoding: str = "utf-8"

    @classmethod
    def of(cls, version: TableVersion) -> "_Dialect":
        csv_file = version.csv_file
        if csv_file is None:
            return cls(version.table, list(version.table.model.model_fields))
        mark = csv_file.decimal_mark if csv_file.decimal_mark is not DecimalMark.EITHER else DecimalMark.POINT
        ending = "\r\n" if "\r\n" in csv_file.text[:4096] else "\n"
        return cls(version.table, list(csv_file.fields), csv_file.delimiter, mark, ending, csv_file.encoding)

    def record(self, cells: list[str]) -> str:
        return csv_record(cells, self.delimiter, self.ending)

    def row(self, row: PlanModel | None, edits: dict[str, object]) -> str:
        """A row's values (a new row: none) with `edits` over them, as one CSV record."""
        names = self.table.model.model_fields
        values = {name: _as_read(getattr(row, name)) for name in names} if row is not None else {}
        values.update({name: value for name, value in edits.items() if name in names})
        return self.record([cell_text(values.get(name), self.mark) if name else "" for name in self.fields])

    def encode(self, text: str) -> bytes:
        """In the file's encoding; a Windows-1252 file that now holds a character it cannot write
        becomes UTF-8 with BOM (Excel still opens it right)."""
        try:
            return text.encode(self.encoding)
        except UnicodeEncodeError:
            return text.encode("utf-8-sig")


class _Output:
    """The new file's text, counting lines so that each row's new first line is known."""

    def __init__(self):
        self.chunks: list[str] = []
        self.origin: dict[int, Key | int] = {}
        self.lines = 0

    def add(self, text: str, source: Key | int | None = None) -> None:
        if source is not None:
            self.origin[self.lines + 1] = source
        self.chunks.append(text)
        self.lines += text.count("\n") + text.count("\r") - text.count("\r\n")

    def end_last_line(self, ending: str) -> None:
        if self.chunks and not self.chunks[-1].endswith(("\n", "\r")):
            self.chunks[-1] += ending
            self.lines += 1

    def text(self) -> str:
        return "".join(self.chunks)


def apply(version: TableVersion, changes: Changes) -> Draft:
    """The file with `changes` applied: changed rows rewritten in place, deleted rows removed,
    added rows at the end, every other line (header, comments, untouched rows) as it was."""
    dialect = _Dialect.of(version)
    used = {name for cells in [*changes.changed.values(), *changes.added] for name, value in cells.items()
            if cell_text(value).strip()}
    missing = [name for name in version.table.model.model_fields if name in used and name not in dialect.fields]
    rows = version.by_key()
    out = _Output()
    if version.csv_file is None or missing:  # new file, or a column it leaves out: every row written again
        headers = version.csv_file.headers if version.csv_file else {}
        dialect.fields += missing
        out.add(dialect.record([headers.get(name, name) if name else "" for name in dialect.fields]))
        for key, row in rows.items():
            if key not in changes.deleted:
                out.add(dialect.row(row.value, changes.changed.get(key, {})), key)
    else:
        lines = list(io.StringIO(version.csv_file.text, newline=""))
        at_line = {row.line: (key, row) for key, row in rows.items()}
        line = 1
        while line <= len(lines):
            key, row = at_line.get(line, (None, None))
            if row is None or (key not in changes.deleted and key not in changes.changed):
                out.add(lines[line - 1], key)
                line += 1
                continue
            if key not in changes.deleted:
                out.add(dialect.row(row.value, changes.changed[key]), key)
            line = row.end + 1
        out.end_last_line(dialect.ending)
    for index, added in enumerate(changes.added):
        out.add(dialect.row(None, added), index)
    return Draft(dialect.encode(out.text()), out.origin)


def check(data_dir: Path, plan_id: str, table: Table, raw: bytes | None,
          max_bytes: int = database.DEFAULT_MAX_BYTES) -> list[Issue]:
    """Every issue of the plan `plan_id` with `raw` as the table's file, its other files as they are in
    `data_dir`: the CSV reader's rules (references between the plan's tables included), on a copy, so nothing
    is written."""
    folder = data_dir / plan_id
    files = {name: (folder / name).read_bytes() for name in plan_file_names(folder)}
    return check_files(data_dir, plan_id, _with(files, table, raw), max_bytes)


def _with(files: dict[str, bytes], table: Table, raw: bytes | None) -> dict[str, bytes]:
    """The plan's files with `raw` as the table's (None: without it)."""
    others = {name: content for name, content in files.items() if name != table.file_name}
    return others if raw is None else {**others, table.file_name: raw}


def check_files(data_dir: Path, plan_id: str, files: dict[str, bytes],
                max_bytes: int = database.DEFAULT_MAX_BYTES) -> list[Issue]:
    """Every issue of the plan made of `files` (file name -> bytes), checked in a scratch folder whose
    paths read like `data_dir`'s (issues name data/<plan>/<file>)."""
    with tempfile.TemporaryDirectory(prefix="plan-check-") as scratch:
        mirror = Path(scratch) / data_dir.resolve().name / plan_id
        mirror.mkdir(parents=True)
        for name, content in files.items():
            (mirror / name).write_bytes(content)
        try:
            database.validate(mirror.parent, max_bytes)
        except PlanInvalid as invalid:
            return invalid.issues
    return []


@dataclass
class Saved:
    version: Version
    rebuild_issues: list[Issue]  # problems of other plans that kept the database at its last good build
    # What did not follow the saved file, and why (e.g. a full disk): the history log catches up at the
    # plan's next save, the database at the next build or start of the app.
    unfinished: str = ""


@dataclass
class Conflict:
    """The file is no longer the version the edit started from."""

    base: str
    current: str


@dataclass
class Rejected:
    issues: list[Issue]


def save(data_dir: Path, store: PlanStore, plan_id: str, table: Table, raw: bytes, base: str, editor: str,
         kind: str = "edit", counts: dict | None = None, restored: str = "",
         db_path: Path | None = None) -> Saved | Conflict | Rejected:
    """Make `raw` the table's current version in `store` if it is still version `base` and the plan stays
    valid (checked with the plan's files as the store has them, under its lock); then bring `data_dir`, the
    folder this process builds from, up to date and rebuild the database at `db_path` (if given). A failure
    before the version is stored (a full disk, the store unreachable) raises and changes nothing; one after
    it is told in `Saved.unfinished`."""
    try:
        with store.saving(plan_id) as plan:
            current = plan.files.get(table.file_name)
            if sha256(current) != base:
                store.remember(current)
                return Conflict(base, sha256(current))
            issues = check_files(data_dir, plan_id, _with(plan.files, table, raw))
            if issues:
                return Rejected(issues)
            version = Version(plan_id, table.name, sha256(raw), base, now_utc(), editor, kind, counts or {},
                              restored)
            unfinished = plan.commit(version, raw)
    except StaleBase as stale:  # another save moved the file on between the check and the commit
        return Conflict(base, stale.current)
    if unfinished:
        return Saved(version, [], unfinished)
    return _follow(data_dir, store, version, db_path)


def _follow(data_dir: Path, store: PlanStore, version: Version, db_path: Path | None) -> Saved:
    """After a save: the local copy and the database follow the store (a failure here is told, not raised:
    the save itself is done, and the next sync or start catches up)."""
    rebuild_issues: list[Issue] = []
    try:
        changed = store.materialize(data_dir) | {version.plan_id}
        if db_path is not None:
            database.refresh(data_dir, db_path, changed)
    except PlanInvalid as invalid:
        rebuild_issues = invalid.issues
    except (duckdb.Error, OSError, StoreUnavailable) as error:  # the last good database stays in place
        return Saved(version, [], f"{db_path}: {error}")
    return Saved(version, rebuild_issues)


@dataclass
class Diff:
    """Rows added, removed and changed (with the columns that differ) between two versions."""

    added: list[PlanModel] = field(default_factory=list)
    removed: list[PlanModel] = field(default_factory=list)
    changed: list[tuple[PlanModel, PlanModel, list[str]]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)  # a version that does not read: no row diff

    def counts(self) -> dict:
        return {"added": len(self.added), "changed": len(self.changed), "removed": len(self.removed)}

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def diff(old: TableVersion, new: TableVersion) -> Diff:
    """By row key, on values (so `Realizada` and `done`, or `1.500,00` and `1500.00`, are the same)."""
    if old.issues or new.issues:
        return Diff(issues=[*old.issues, *new.issues])
    before, after = old.by_key(), new.by_key()
    result = Diff(added=[row.value for key, row in after.items() if key not in before],
                  removed=[row.value for key, row in before.items() if key not in after])
    for key, row in after.items():
        if key in before and before[key].value != row.value:
            names = [n for n in old.table.model.model_fields if getattr(before[key].value, n) != getattr(row.value, n)]
            result.changed.append((before[key].value, row.value, names))
    return result
