"""Validate every plan folder under a data folder and load it into a DuckDB connection.

    data/                      a data folder: one sub-folder per plan (office x year)
      prochile-atacama-2021/   plan.csv, activities.csv, [pisco_campaigns.csv, outcomes.csv, targets.csv]

`load_data_dir` checks every file (all problems of all files at once) and, file by file,
either lets DuckDB parse a bulk table (`plan.data.sql_reader`) or validates rows with the pydantic
models. The caller decides what the connection is (in-memory for `validate`, a new
database file for `build`) and throws it away when `PlanInvalid` is raised.
"""

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath
from typing import NamedTuple

import duckdb
from pydantic import ValidationError

from plan.data import sql_reader
from plan.data.csv_reader import DEFAULT_MAX_BYTES, CsvFile, open_csv, records
from plan.model.i18n import LANGS, MESSAGES, t
from plan.model.issues import Issue, PlanInvalid, shown_path
from plan.model.models import (
    ACTIVITIES,
    FIRM_EXPORTS,
    OUTCOMES,
    PARTICIPANTS,
    PISCO_CAMPAIGNS,
    PLAN,
    TABLES,
    TABLES_BY_NAME,
    TARGETS,
    PlanModel,
    Table,
)
from plan.model.parsing import DecimalMark, mark_of
from plan.model.schema import create_table_sql, kinds, to_arrow

# Referenced tables come before the tables that point at them.
LOAD_ORDER = (PLAN, PISCO_CAMPAIGNS, ACTIVITIES, OUTCOMES, TARGETS, FIRM_EXPORTS, PARTICIPANTS)
UNREAD_ROWS = ("row_ragged", "quote_malformed")  # issues of rows whose cells are unknown
SCRATCH_MEMORY = "256MB"  # DuckDB's memory when it checks plans (`scratch_database`)


@dataclass(frozen=True)
class SourceFile:
    """A loaded CSV, recorded in the database so staleness and provenance can be shown."""

    plan_id: str
    table: str
    path: str
    sha256: str
    bytes: int
    mtime_ns: int
    rows: int
    encoding: str
    delimiter: str


@dataclass
class LoadReport:
    plans: list[str] = field(default_factory=list)
    files: list[SourceFile] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)


def csv_files(folder: Path) -> list[Path]:
    """The files of `folder` named like CSVs, whatever the case: `OUTCOMES.CSV`, as Windows and Excel name
    files, is refused by its name (`_open_plan_files`), never silently left out."""
    return [folder / entry.name for entry in _csv_entries(folder)]


def plan_dirs(data_dir: Path) -> list[Path]:
    """Sub-folders holding CSV files (hidden and `_`-prefixed folders are skipped)."""
    return [data_dir / name for name, _files in plan_folders(data_dir)]


def plan_folders(data_dir: Path) -> list[tuple[str, list[os.DirEntry]]]:
    """`plan_dirs`' names, each with its `csv_files` as directory entries, by name, every folder listed once:
    the staleness check of every page run stats a national folder's 800 CSVs, and listing each folder twice
    and making a Path of every file doubled its cost."""
    with os.scandir(data_dir) as entries:
        names = sorted(entry.name for entry in entries if entry.is_dir() and not entry.name.startswith((".", "_")))
    listed = ((name, _csv_entries(data_dir / name)) for name in names)
    return [(name, files) for name, files in listed if files]


def _csv_entries(folder: Path) -> list[os.DirEntry]:
    with os.scandir(folder) as entries:
        return sorted((entry for entry in entries if PurePath(entry.name).suffix.lower() == ".csv"),
                      key=lambda entry: entry.name)


def _row_issues(csv_file: CsvFile, line: int, cells: dict[str, str], error: ValidationError) -> list[Issue]:
    issues = []
    for detail in error.errors():
        name = str(detail["loc"][0]) if detail["loc"] else ""
        params = dict(detail.get("ctx") or {})
        code = detail["type"] if detail["type"] in MESSAGES else "value_invalid"
        params.setdefault("value", str(cells.get(name, ""))[:80])
        issues.append(Issue(csv_file.shown, line, csv_file.column_label(name), code, params))
    return issues


class Row(NamedTuple):
    """A valid row and the lines of the file it came from (the editor writes it back there)."""

    line: int
    end: int
    value: PlanModel


def _decimal_mark(csv_file: CsvFile, items: list) -> Issue | None:
    """Set `csv_file.mark` from its amounts (the first one that can only be read one way decides); an amount
    that can only be read the other way is the issue returned, naming the line that decided."""
    amounts = [name for name, kind in kinds(csv_file.table).items() if kind.name in ("money", "count")]
    first: tuple[int, str, str, DecimalMark] | None = None
    for item in items:
        if isinstance(item, Issue):
            continue
        line, _end, cells = item
        for name in amounts:
            mark = mark_of(cells.get(name) or "")
            if mark is None:
                continue
            if first is None:
                first = (line, name, cells[name].strip(), mark)
                csv_file.mark = mark
            elif mark is not first[3]:
                return Issue(csv_file.shown, line, csv_file.column_label(name), "number_marks_disagree", {
                    "value": cells[name].strip(), "other_line": first[0], "other_value": first[2],
                    "mark": {lang: t(f"decimal_{mark}", lang) for lang in LANGS},
                    "other_mark": {lang: t(f"decimal_{first[3]}", lang) for lang in LANGS}})
    return None


def check_rows(csv_file: CsvFile, known_ids: dict[str, set[str] | None],
               keep: Callable[[list[str]], bool] | None = None) -> tuple[list[Row], list[Issue]]:
    """The Python validator: every row, every rule, every problem with its line.

    Amounts are read with the decimal mark the file's own amounts show (`_decimal_mark`). References are
    checked against `known_ids` (None: that file could not be read, its own issue says why); a file with
    ids records there every id it names, refused rows too, so a row pointing at one is not blamed for the
    other row's problem. With `keep` (see `records`), only the rows it accepts are validated and returned."""
    table = csv_file.table
    items = list(records(csv_file, keep))
    disagreement = _decimal_mark(csv_file, items)
    context = {"decimal_mark": csv_file.decimal_mark}
    rows: list[Row] = []
    issues: list[Issue] = [disagreement] if disagreement else []
    first_line_of: dict[tuple, int] = {}
    named_ids: set[str] = set()
    for item in items:
        if isinstance(item, Issue):
            issues.append(item)
            continue
        line, end, cells = item
        if table.unique == ("id",):
            named_ids.add(cells.get("id", "").strip())
        try:
            row = table.model.model_validate(cells, context=context)
        except ValidationError as error:
            issues.extend(_row_issues(csv_file, line, cells, error))
            continue
        row_issues = [Issue(csv_file.shown, line, csv_file.column_label(rule.column), rule.code, rule.params)
                      for rule in row.rule_breaks()]
        for column_name, target in table.references.items():
            value, known = getattr(row, column_name), known_ids.get(target, set())
            if value is not None and known is not None and value not in known:
                row_issues.append(Issue(csv_file.shown, line, csv_file.column_label(column_name), "reference_unknown",
                                        {"value": value, "table": TABLES_BY_NAME[target].file_name}))
        if table.unique:
            key = tuple(getattr(row, name) for name in table.unique)
            if key in first_line_of:
                code = "duplicate_id" if table.unique == ("id",) else "duplicate_key"
                shown = key[0] if code == "duplicate_id" else " / ".join("" if k is None else str(k) for k in key)
                row_issues.append(Issue(csv_file.shown, line, csv_file.column_label(table.unique[0]), code,
                                        {"value": shown, "other_line": first_line_of[key]}))
            else:
                first_line_of[key] = line
        issues.extend(row_issues)
        rows.append(Row(line, end, row))
    if disagreement:  # that cell's amount is the disagreement, not another problem
        issues = [i for i in issues if (i.line, i.column, i.code) != (disagreement.line, disagreement.column,
                                                                      "number_invalid")]
    if not rows and not issues and keep is None:
        issues.append(Issue(csv_file.shown, csv_file.header_line, "", "file_header_only"))
    if table.unique == ("id",):
        # A row that could not be split into cells (ragged, broken quotes) may hold any id: rows pointing
        # at this file are not checked until it reads whole, rather than blamed for its problem.
        unread = any(issue.code in UNREAD_ROWS for issue in issues)
        known_ids[table.name] = None if unread else named_ids
    return rows, issues


def bulk_valid(csv_file: CsvFile) -> bool:
    """Whether DuckDB is sure that every row of a bulk table's file is valid and that no key repeats (the
    references are the whole plan's to check): then no row needs the Python validator. False when it doubts,
    or cannot read the file: `check_rows` then judges it and names the lines."""
    if not sql_reader.supports(csv_file):
        return False
    with scratch_database() as con:
        create_tables(con, [csv_file.table])
        return (sql_reader.load(con, [(_without_bytes(csv_file), "")]) is not None
                and not sql_reader.plans_repeating_keys(con, csv_file.table))


@contextlib.contextmanager
def scratch_database() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB to check plans in, that holds at most `SCRATCH_MEMORY` (DuckDB's default is 80% of
    the machine's memory: 3 GB more to check a 200 MB outcomes.csv) and writes the rest to a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="plan-duckdb-") as spill:
        con = duckdb.connect(":memory:", config={"memory_limit": SCRATCH_MEMORY, "temp_directory": spill})
        try:
            yield con
        finally:
            con.close()


def _open_plan_files(folder: Path, base: Path, max_bytes: int) -> tuple[dict[str, CsvFile], list[Issue], set[str]]:
    """The plan's CSVs that read, every issue of its files, and the plan file names present in any case.

    A file named other than in lower case is refused by name: the store, the editor and the history know
    each file by its lower-case name only, so read it and the file would be built but never saved, pushed
    or versioned. Names are taken from the folder's listing, never by opening the lower-case name, which
    a case-insensitive disk (Windows, macOS) would resolve to `OUTCOMES.CSV`."""
    files: dict[str, CsvFile] = {}
    issues: list[Issue] = []
    expected = {table.file_name: table for table in TABLES}
    names = {path.name for path in csv_files(folder)}
    for name in sorted(names - expected.keys()):
        shown, meant = shown_path(folder / name, base), name.lower()
        if meant in expected:
            code = "file_name_case_twin" if meant in names else "file_name_case"
            issues.append(Issue(shown, 1, "", code, {"value": name, "expected": meant}))
        else:
            issues.append(Issue(shown, 1, "", "file_unknown", {"value": name, "allowed": ", ".join(expected)}))
    present = {name.lower() for name in names}
    for table in TABLES:
        path = folder / table.file_name
        shown = shown_path(path, base)
        if table.file_name not in names:
            if table.required and table.file_name not in present:  # else its name is the issue
                issues.append(Issue(shown, 1, "", "file_missing", {"value": table.file_name}))
            continue
        opened = open_csv(path, table, shown, max_bytes)
        if isinstance(opened, list):
            issues.extend(opened)
        else:
            files[table.name] = opened
    return files, issues, present


def _load_checked(con, csv_file: CsvFile, plan_id: str,
                  known_ids: dict[str, set[str] | None]) -> tuple[int, list[Issue]]:
    """The Python path: validate every row, insert them if the whole file is valid."""
    rows, issues = check_rows(csv_file, known_ids)
    if issues:
        return 0, issues
    if csv_file.table is PLAN and len(rows) != 1:
        return 0, [Issue(csv_file.shown, csv_file.header_line + 1, "", "plan_rows", {"value": len(rows)})]
    con.register("validated_rows", to_arrow(csv_file.table, plan_id, [row.value for row in rows]))
    con.execute(f"INSERT INTO {csv_file.table.name} SELECT * FROM validated_rows")  # noqa: S608 - name from plan.model.models
    con.unregister("validated_rows")
    return len(rows), []


@dataclass
class _PlanState:
    """What a second look at a bulk-loaded file needs: the ids its references may use."""

    folder: Path
    known_ids: dict[str, set[str] | None]
    bulk_files: dict[str, int] = field(default_factory=dict)  # table name -> index in report.files


def create_tables(con: duckdb.DuckDBPyConnection, tables: Iterable[Table] = TABLES) -> None:
    for table in tables:
        con.execute(create_table_sql(table))


def load_data_dir(con: duckdb.DuckDBPyConnection, data_dir: Path, max_bytes: int = DEFAULT_MAX_BYTES,
                  only: set[str] | None = None) -> LoadReport:
    """Create the plan tables in `con` and fill them (with the plans named in `only`, when given); raise
    PlanInvalid with every issue."""
    base = data_dir.resolve().parent
    folders = plan_dirs(data_dir) if data_dir.is_dir() else []
    if only is not None:
        folders = [folder for folder in folders if folder.name in only]
    elif not folders:
        raise PlanInvalid([Issue(shown_path(data_dir, base), 0, "", "no_plans", {"value": str(data_dir)})])
    create_tables(con)
    report, issues, states = LoadReport(), [], {}
    waiting: list[tuple[CsvFile, str]] = []  # bulk files, loaded together after the small tables
    for folder in folders:
        files, folder_issues, present = _open_plan_files(folder, base, max_bytes)
        issues.extend(folder_issues)
        state = states[folder.name] = _PlanState(folder, {})
        for table in LOAD_ORDER:
            csv_file = files.pop(table.name, None)  # let the file's bytes go once it is read
            if csv_file is None:
                if table.required or table.file_name in present:
                    state.known_ids[table.name] = None  # missing or unread: no reference checks against it
                continue
            report.files.append(SourceFile(folder.name, table.name, csv_file.shown,
                                           hashlib.sha256(csv_file.raw).hexdigest(), len(csv_file.raw),
                                           csv_file.mtime_ns, 0, csv_file.encoding, csv_file.delimiter))
            if sql_reader.supports(csv_file):
                state.bulk_files[table.name] = len(report.files) - 1
                waiting.append((_without_bytes(csv_file), folder.name))
                continue
            count, file_issues = _load_checked(con, csv_file, folder.name, state.known_ids)
            issues.extend(file_issues)
            report.files[-1] = replace(report.files[-1], rows=count)
        report.plans.append(folder.name)
    issues.extend(_load_bulk(con, waiting, states, report, base, max_bytes))
    issues.extend(_recheck_bulk_rules(con, states.values(), report, base, max_bytes))
    if issues:
        raise PlanInvalid(issues)
    return report


def _without_bytes(csv_file: CsvFile) -> CsvFile:
    """Keep a UTF-8 bulk file's description only; DuckDB reads the file itself."""
    if csv_file.encoding in ("utf-8", "utf-8-sig"):
        return replace(csv_file, raw=b"", text="")
    return replace(csv_file, raw=b"")


def _reload_checked(con, state: _PlanState, table: Table, report: LoadReport, base: Path, max_bytes: int):
    """Judge one bulk file with the Python validator (it was doubtful for the SQL path)."""
    path = state.folder / table.file_name
    csv_file = open_csv(path, table, shown_path(path, base), max_bytes)
    if isinstance(csv_file, list):  # the file changed since the first read
        return csv_file
    count, issues = _load_checked(con, csv_file, state.folder.name, state.known_ids)
    index = state.bulk_files[table.name]
    report.files[index] = replace(report.files[index], rows=count)
    return issues


def _load_bulk(con, waiting, states, report: LoadReport, base: Path, max_bytes: int) -> list[Issue]:
    """One DuckDB scan per dialect for all bulk files."""
    groups: dict[tuple, list[tuple[CsvFile, str]]] = {}
    for csv_file, plan_id in waiting:
        groups.setdefault(sql_reader.dialect(csv_file), []).append((csv_file, plan_id))
    return [issue for group in groups.values() for issue in _load_group(con, group, states, report, base, max_bytes)]


def _load_group(con, group, states, report: LoadReport, base: Path, max_bytes: int, split: bool = True) -> list[Issue]:
    """A doubtful group is retried file by file; a doubtful file goes to Python."""
    counts = sql_reader.load(con, group)
    if counts is None and split and len(group) > 1:
        return [issue for item in group for issue in _load_group(con, [item], states, report, base, max_bytes, False)]
    issues: list[Issue] = []
    for csv_file, plan_id in group:
        state = states[plan_id]
        if counts is None:
            issues.extend(_reload_checked(con, state, csv_file.table, report, base, max_bytes))
        else:
            index = state.bulk_files[csv_file.table.name]
            report.files[index] = replace(report.files[index], rows=counts[plan_id])
    return issues


def _recheck_bulk_rules(con, states: Iterable[_PlanState], report: LoadReport, base: Path,
                        max_bytes: int) -> list[Issue]:
    """Keys and references of bulk tables, checked once for all plans; the plans that
    break them are judged again by the Python path, which names the lines."""
    issues: list[Issue] = []
    for table in TABLES:
        if not table.bulk:
            continue
        bad = sql_reader.plans_breaking_rules(con, table)
        for state in states:
            if state.folder.name not in bad or table.name not in state.bulk_files:
                continue
            con.execute(f"DELETE FROM {table.name} WHERE plan_id = ?", [state.folder.name])  # noqa: S608
            issues.extend(_reload_checked(con, state, table, report, base, max_bytes))
    return issues
