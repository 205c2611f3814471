"""Editing one table of one plan: changes checked like the CSV files, saved so that nothing is lost.

    load(data_dir, plan_id, table)      -> TableVersion: the file's bytes, version, valid rows and their lines
    load_where(..., column, values)     -> the same, checked whole in bulk, holding only the rows chosen
    Changes (by row key: changed cells, deleted rows, added rows)
    apply(version, changes)             -> Draft: the new bytes; untouched lines stay byte for byte
    check(data_dir, plan_id, table, raw) -> every issue of the plan with this file in place
    save(data_dir, store, ...)          -> Saved | Conflict | Rejected, under the plan store's lock for the plan

A row is known by its key (the table's unique columns, e.g. an activity's id), so pending
changes can be carried over to a newer version of the file after a conflict. A save names the
version it was based on; if the file moved on since (another editor, or a person editing the
CSV on disk), it is refused, and nothing is written unless the whole plan is valid.
"""

import bisect
import functools
import math
import re
import tempfile
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated

import duckdb
from pydantic import TypeAdapter, ValidationError

from plan import outlook
from plan.data import database
from plan.data.csv_reader import CsvFile, parse_csv, records
from plan.data.csv_writer import cell_text, csv_record
from plan.data.history import Version, now_utc, sha256
from plan.data.loader import Row, bulk_valid, check_rows
from plan.data.store import PlanStore
from plan.data.store_base import StaleBase, StoreUnavailable, plan_file_names
from plan.model.issues import Issue, PlanInvalid, shown_path
from plan.model.models import PlanModel, Table
from plan.model.parsing import DecimalMark

Key = tuple
HELD_WHOLE_BELOW = 2_000_000  # bytes (about 30,000 outcome rows, 60 MB as models; DuckDB's check takes 50 MB)


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
    partial: bool = False  # holds only the rows `load_where` chose: `apply` leaves every other row as it is

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


def load_where(data_dir: Path, plan_id: str, table: Table, column: str, values: Collection) -> TableVersion:
    """`load` for a bulk table, which can hold millions of rows up to the size limit (as models they would take
    about 2 KB a row): every row is checked as a build checks it (DuckDB; the Python validator, and then every
    row held, only for a file DuckDB doubts), but only the rows whose `column` reads as one of `values` are
    held (e.g. the exports of the years an import replaces). The issues are the file's own, as `load`'s.
    A file under `HELD_WHOLE_BELOW` bytes is loaded whole: its models take less than DuckDB's working memory."""
    path = table_path(data_dir, plan_id, table)
    if not table.bulk or not path.exists() or path.stat().st_size < HELD_WHOLE_BELOW:
        return load(data_dir, plan_id, table)
    raw = path.read_bytes()
    shown = shown_path(path, data_dir.resolve().parent)
    with tempfile.TemporaryDirectory(prefix="plan-load-") as scratch:
        copy = Path(scratch) / table.file_name
        copy.write_bytes(raw)  # DuckDB reads the bytes held, not a file someone may be saving meanwhile
        opened = parse_csv(raw, table, shown, copy)
        if isinstance(opened, list):
            return TableVersion(plan_id, table, shown, raw, None, [], opened)
        sure = bulk_valid(opened)
    opened = replace(opened, path=path)
    known_ids = dict.fromkeys(table.references.values())
    rows, issues = check_rows(opened, known_ids, _reads_as(opened, column, values) if sure else None)
    return TableVersion(plan_id, table, shown, raw, opened, rows, issues, partial=sure)


def _reads_as(csv_file: CsvFile, column: str, values: Collection) -> Callable[[list[str]], bool]:
    """Whether a row's `column` cell, read by the column's own validator, is one of `values` (each distinct
    text is read once; a cell that does not read is kept, for the validator to name)."""
    info = csv_file.table.model.model_fields[column]
    if column not in csv_file.fields:
        return lambda _row: info.default in values
    at = csv_file.fields.index(column)
    reader = TypeAdapter(Annotated[info.annotation, *info.metadata])
    context = {"decimal_mark": csv_file.decimal_mark}
    kept: dict[str, bool] = {}

    def keep(row: list[str]) -> bool:
        cell = row[at] if at < len(row) else ""
        if cell not in kept:
            try:
                kept[cell] = reader.validate_python(cell, context=context) in values
            except ValidationError:
                kept[cell] = True
        return kept[cell]

    return keep


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
    """The new file as pieces (text, or bytes copied from the old file), counting lines so that each row's
    new first line is known."""

    def __init__(self, empty: str | bytes = ""):
        self.pieces: list = []
        self.empty = empty
        self.origin: dict[int, Key | int] = {}
        self.lines = 0
        self.ends_line = True

    def add(self, content: str | bytes, source: Key | int | None = None) -> None:
        if source is not None:
            self.origin[self.lines + 1] = source
        self.copy(content, 0, len(content))

    def copy(self, content: str | bytes, start: int, stop: int, rows: list[tuple[int, Key]] = (),
             first_line: int = 1) -> None:
        """`content[start:stop]`, the old file's lines from `first_line` on, where `rows` (first line, key) begin;
        bytes are not copied twice (a memoryview of them)."""
        if stop <= start:
            return
        for line, key in rows:
            self.origin[self.lines + line - first_line + 1] = key
        lf, cr, crlf = ("\n", "\r", "\r\n") if isinstance(content, str) else (b"\n", b"\r", b"\r\n")
        self.lines += content.count(lf, start, stop) + content.count(cr, start, stop) - content.count(crlf, start,
                                                                                                     stop)
        self.pieces.append(memoryview(content)[start:stop] if isinstance(content, bytes) else content[start:stop])
        self.ends_line = content[stop - 1 : stop] in (lf, cr)

    def end_last_line(self, ending: str | bytes) -> None:
        if self.pieces and not self.ends_line:
            self.add(ending)

    def content(self) -> str | bytes:
        return self.empty.join(self.pieces)


def apply(version: TableVersion, changes: Changes) -> Draft:
    """The file with `changes` applied: changed rows rewritten in place, deleted rows removed,
    added rows at the end, every other line (header, comments, untouched rows) as it was."""
    dialect = _Dialect.of(version)
    used = {name for cells in [*changes.changed.values(), *changes.added] for name, value in cells.items()
            if cell_text(value).strip()}
    missing = [name for name in version.table.model.model_fields if name in used and name not in dialect.fields]
    if version.csv_file is None or missing:  # new file, or a column it leaves out: every row written again
        out = _Output()
        headers = version.csv_file.headers if version.csv_file else {}
        dialect.fields += missing
        out.add(dialect.record([headers.get(name, name) if name else "" for name in dialect.fields]))
        for key, row in _every_row(version):
            if key not in changes.deleted:
                out.add(dialect.row(row.value, changes.changed.get(key, {})), key)
        _add_rows(out, dialect, changes, str)
        return Draft(dialect.encode(out.content()), out.origin)
    if version.csv_file.encoding in BYTE_LINES:
        try:
            return _in_place(version, changes, dialect, True)
        except UnicodeEncodeError:  # a character the file's encoding lacks: written whole again (_Dialect.encode)
            pass
    return _in_place(version, changes, dialect, False)


# Encodings whose bytes split into lines exactly as their text does (CR and LF are single bytes no other
# character uses) -> the encoding of a piece written in the middle of such a file.
BYTE_LINES = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "cp1252": "cp1252"}


def _in_place(version: TableVersion, changes: Changes, dialect: "_Dialect", as_bytes: bool) -> Draft:
    """`apply` to an existing file with the columns it needs: the old content copied between the rows changed
    or deleted, as its bytes (`as_bytes`, so a file of millions of rows is never split into lines) or text."""
    content = version.raw if as_bytes else version.csv_file.text
    encode = functools.partial(str.encode, encoding=BYTE_LINES[version.csv_file.encoding]) if as_bytes else str
    rows, edited = version.by_key(), changes.deleted | changes.changed.keys()
    touched = sorted((row.line, key) for key, row in rows.items() if key in edited)
    kept = sorted((row.line, key) for key, row in rows.items() if key not in edited)
    kept_lines = [line for line, _key in kept]
    starts = _line_starts(content, {line for first, key in touched for line in (first, rows[key].end + 1)})
    out = _Output(content[:0])
    line, at = 1, 0  # the old file's first line not written yet, and where it starts

    def copy_until(next_line: float, stop: int) -> None:
        held = kept[bisect.bisect_left(kept_lines, line) : bisect.bisect_left(kept_lines, next_line)]
        out.copy(content, at, stop, held, line)

    for first, key in touched:
        copy_until(first, starts[first])
        if key not in changes.deleted:
            out.add(encode(dialect.row(rows[key].value, changes.changed[key])), key)
        line, at = rows[key].end + 1, starts[rows[key].end + 1]
    copy_until(math.inf, len(content))
    out.end_last_line(encode(dialect.ending))
    _add_rows(out, dialect, changes, encode)
    return Draft(out.content() if as_bytes else dialect.encode(out.content()), out.origin)


def _add_rows(out: _Output, dialect: "_Dialect", changes: Changes, encode) -> None:
    for index, added in enumerate(changes.added):
        out.add(encode(dialect.row(None, added)), index)


_LINE_BREAK = {str: re.compile(r"\r\n|\r|\n"), bytes: re.compile(rb"\r\n|\r|\n")}


def _line_starts(content: str | bytes, lines: set[int]) -> dict[int, int]:
    """Where each of the 1-based `lines` starts in `content` (its length for a line past the last), lines
    ending as the csv module counts them (LF, CR LF or a lone CR)."""
    starts = {line: len(content) for line in lines} | ({1: 0} if 1 in lines else {})
    line, last = 1, max(lines, default=1)
    for found in _LINE_BREAK[type(content)].finditer(content):
        if line >= last:
            break
        line += 1
        if line in starts:
            starts[line] = found.end()
    return starts


def _every_row(version: TableVersion) -> Iterator[tuple[Key, Row]]:
    """The file's rows in order: the ones held, or, for a partial version (checked whole), every row of the
    file read and validated in turn, none kept."""
    if not version.partial:
        yield from version.by_key().items()
        return
    context = {"decimal_mark": version.csv_file.decimal_mark}
    for line, end, cells in records(version.csv_file):
        value = version.table.model.model_validate(cells, context=context)
        yield row_key(version.table, value), Row(line, end, value)


def check(data_dir: Path, plan_id: str, table: Table, raw: bytes | None,
          max_bytes: int = database.DEFAULT_MAX_BYTES) -> list[Issue]:
    """Every issue of the plan `plan_id` with `raw` as the table's file, its other files as they are in
    `data_dir`: the CSV reader's rules (references between the plan's tables included), on a copy, so nothing
    is written."""
    folder = data_dir / plan_id
    files = {name: (folder / name).read_bytes() for name in plan_file_names(folder) if name != table.file_name}
    return check_files(data_dir, plan_id, _with(files, table, raw), max_bytes)


def _with(files: Mapping[str, bytes], table: Table, raw: bytes | None) -> dict[str, bytes]:
    """The plan's files with `raw` as the table's (None: without it); the table's current file is not read."""
    others = {name: files[name] for name in files if name != table.file_name}
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


@dataclass(frozen=True)
class FileDraft:
    """One file of a save: its new bytes, the version they were made from, the history's row counts."""

    table: Table
    raw: bytes
    base: str
    counts: dict = field(default_factory=dict)


def save(data_dir: Path, store: PlanStore, plan_id: str, table: Table, raw: bytes, base: str, editor: str,
         kind: str = "edit", counts: dict | None = None, restored: str = "",
         db_path: Path | None = None) -> Saved | Conflict | Rejected:
    """`save_files` of one file."""
    return save_files(data_dir, store, plan_id, [FileDraft(table, raw, base, counts or {})], editor, kind, restored,
                      db_path)


def save_files(data_dir: Path, store: PlanStore, plan_id: str, drafts: list[FileDraft], editor: str,
               kind: str = "edit", restored: str = "", db_path: Path | None = None) -> Saved | Conflict | Rejected:
    """Make each draft its table's current version in `store` if every file is still the version its draft
    started from and the plan stays valid with all of them (checked with the plan's files as the store has them,
    under its lock: one save, so an import's outcomes and firm rows never land one without the other); then
    bring `data_dir`, the folder this process builds from, up to date and rebuild the database at `db_path` (if
    given). A failure before the versions are stored (a full disk, the store unreachable) raises and changes
    nothing; one after it is told in `Saved.unfinished`."""
    try:
        with store.saving(plan_id) as plan:
            for draft in drafts:
                current = plan.files.get(draft.table.file_name)
                if sha256(current) != draft.base:
                    store.remember(current)
                    return Conflict(draft.base, sha256(current))
            del current  # not held through the check: it can be as large as a draft
            files: Mapping[str, bytes] = plan.files
            for draft in drafts:
                files = _with(files, draft.table, draft.raw)
            issues = check_files(data_dir, plan_id, files)
            if issues:
                return Rejected(issues)
            versions = [Version(plan_id, draft.table.name, sha256(draft.raw), draft.base, now_utc(), editor, kind,
                                draft.counts, restored) for draft in drafts]
            unfinished = "".join(plan.commit(version, draft.raw) for version, draft in zip(versions, drafts,
                                                                                             strict=True))
    except StaleBase as stale:  # another save moved the file on between the check and the commit
        return Conflict(stale.base, stale.current)
    if unfinished:
        return Saved(versions[0], [], unfinished)
    return _follow(data_dir, store, versions, db_path)


def _follow(data_dir: Path, store: PlanStore, versions: list[Version], db_path: Path | None) -> Saved:
    """After a save: the local copy and the database follow the store (a failure here is told, not raised:
    the save itself is done, and the next sync or start catches up)."""
    rebuild_issues: list[Issue] = []
    try:
        changed = store.materialize(data_dir) | {version.plan_id for version in versions}
        if db_path is not None:
            database.refresh(data_dir, db_path, changed, derive=outlook.derive)
    except PlanInvalid as invalid:
        rebuild_issues = invalid.issues
    except (duckdb.Error, OSError, StoreUnavailable) as error:  # the last good database stays in place
        return Saved(versions[0], [], f"{db_path}: {error}")
    return Saved(versions[0], rebuild_issues)


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
