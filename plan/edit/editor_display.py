"""The editor's tables, from `plan.edit.editing` values: the grid a person edits, and the
differences, problems and versions shown around it, in the user's language.

The grid holds typed values (enum and country codes, dates, numbers, lists of codes) that
`st.data_editor` shows through the column settings of `plan.ui.editor`; everything else is text.
"""

import datetime as dt
import re
from decimal import Decimal

import pandas as pd

from plan.data.csv_writer import cell_text
from plan.data.history import Version
from plan.edit.downloads import neutralize
from plan.edit.editing import Changes, Diff, Draft, Key, TableVersion, row_key
from plan.edit.pending import Collision
from plan.model import countries
from plan.model.enums import LabeledEnum
from plan.model.fields import Kind
from plan.model.i18n import format_date, format_number, t
from plan.model.issues import Issue
from plan.model.models import PlanModel, Table
from plan.model.schema import kinds


def label(table: Table, name: str, lang: str) -> str:
    """A column's header as the CSV and README name it."""
    return table.model.model_fields[name].json_schema_extra[lang]


def _grid_value(kind: Kind, value):
    if value is None:
        return None
    if kind.name == "list":
        return [str(item) for item in value]
    if kind.name == "money":
        return float(value)
    return str(value) if isinstance(value, LabeledEnum) else value


def _edited_value(kind: Kind, value):
    """A value as the grid sent it back (JSON: a date as ISO text), in the form `grid` shows it; one that does
    not convert is shown empty (the check names it)."""
    if value is None or (kind.name in ("money", "count", "date") and value == ""):
        return None
    try:
        if kind.name == "list":
            return [str(item) for item in value]
        if kind.name == "money":
            return float(value)
        if kind.name == "count":
            return int(value)
        if kind.name == "date":
            return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        return None
    return str(value)


def grid(version: TableVersion, keys: list[Key], held: Changes | None = None) -> pd.DataFrame:
    """The rows named by `keys` with the values the grid edits, one column per field (codes as names); with
    `held` edits applied: rows deleted left out, cells changed, new rows at the end (`pending.grid_rows`)."""
    held = held or Changes()
    rows = version.by_key()
    columns = kinds(version.table)
    shown = [key for key in keys if key not in held.deleted]

    def value(key: Key, name: str, kind: Kind):
        cells = held.changed.get(key, {})
        return _edited_value(kind, cells[name]) if name in cells else _grid_value(kind, getattr(rows[key].value, name))

    data = {name: [value(key, name, kind) for key in shown] + [_edited_value(kind, cells.get(name))
                                                                for cells in held.added]
            for name, kind in columns.items()}
    frame = pd.DataFrame(data, columns=list(columns))
    for name, kind in columns.items():
        if kind.name == "count":
            frame[name] = frame[name].astype("Int64")
        elif kind.name == "money":
            frame[name] = frame[name].astype("float64")
    return frame


def filter_columns(table: Table) -> list[str]:
    """The key columns a big table is narrowed by (outcomes: metric, year, month, market, ...)."""
    columns = kinds(table)
    return [name for name in table.unique if columns[name].name in ("enum", "country", "count")]


def filter_options(version: TableVersion, name: str) -> list:
    """The values a filter column takes in the table, sorted."""
    kind = kinds(version.table)[name]
    return sorted({value for row in version.rows if (value := _grid_value(kind, getattr(row.value, name))) is not None})


def keys_matching(version: TableVersion, chosen: dict[str, list]) -> list[Key]:
    """Keys of the rows whose value in every filtered column is one of the chosen ones, in file order."""
    columns = kinds(version.table)
    chosen = {name: set(values) for name, values in chosen.items() if values}

    def wanted(row: PlanModel) -> bool:
        return all(_grid_value(columns[name], getattr(row, name)) in values for name, values in chosen.items())

    return [key for key, row in version.by_key().items() if wanted(row.value)]


def shown(kind: Kind, value, lang: str) -> str:
    """A value as a person reads it: labels, country names, local numbers and dates."""
    if value is None or (isinstance(value, list) and not value):
        return ""
    if kind.name == "list":
        item = Kind(kind.item or "text", enum=kind.enum)
        return ", ".join(shown(item, v, lang) for v in value)
    if isinstance(value, LabeledEnum):
        return value.label(lang)
    if kind.name == "country":
        return countries.country_name(value, lang)
    if kind.name == "money":
        return format_number(Decimal(value), lang, 2)
    if kind.name == "count":
        return format_number(value, lang)
    if isinstance(value, dt.date):
        return format_date(value, lang)
    return str(value)


def key_text(table: Table, key: Key, lang: str) -> str:
    """How a row is named in messages: its id, or its key columns (`Exportaciones / 2021 / China`)."""
    columns = kinds(table)
    parts = [shown(columns[name], value, lang) for name, value in zip(table.unique, key, strict=True)]
    return " / ".join(part for part in parts if part) or t("editor_the_row", lang)


def diff_table(difference: Diff, table: Table, lang: str) -> pd.DataFrame:
    """One line per row added or removed, and per cell changed (with its value before and after)."""
    columns = kinds(table)
    change, row, column, before, after = (t(k, lang) for k in (
        "editor_change", "editor_row", "editor_column", "editor_before", "editor_after"))
    lines = []
    for kind_key, values in (("editor_added", difference.added), ("editor_removed", difference.removed)):
        for value in values:
            summary = "; ".join(f"{label(table, n, lang)}: {shown(columns[n], getattr(value, n), lang)}"
                                for n in columns if shown(columns[n], getattr(value, n), lang))
            lines.append({change: t(kind_key, lang), row: key_text(table, row_key(table, value), lang), column: "",
                          before: summary if kind_key == "editor_removed" else "",
                          after: summary if kind_key == "editor_added" else ""})
    for old, new, names in difference.changed:
        for name in names:
            lines.append({change: t("editor_changed", lang), row: key_text(table, row_key(table, old), lang),
                          column: label(table, name, lang), before: shown(columns[name], getattr(old, name), lang),
                          after: shown(columns[name], getattr(new, name), lang)})
    return pd.DataFrame(lines, columns=[change, row, column, before, after])


def collision_label(table: Table, collision: Collision, lang: str) -> str:
    """A colliding cell as a person names it: `ATA-21-01 · Título`, or the row's key and `(the whole row)`."""
    column = label(table, collision.column, lang) if collision.column else t("editor_collision_row", lang)
    return f"{key_text(table, collision.key, lang)} · {column}"


def collision_values(table: Table, collision: Collision, lang: str) -> tuple[str, str]:
    """(the file's value, the edits' value) of a collision, as a person reads them."""
    if collision.column is None:
        changed = ", ".join(label(table, name, lang) for name in collision.theirs)
        return t("editor_collision_changed", lang, columns=changed), t("editor_collision_deleted", lang)
    kind = kinds(table)[collision.column]
    try:
        mine = shown(kind, collision.mine, lang)
    except (ArithmeticError, TypeError, ValueError):  # as typed in the grid: its row does not read
        mine = cell_text(collision.mine)
    return shown(kind, collision.theirs, lang), mine


def collision_table(collisions: list[Collision], table: Table, lang: str) -> pd.DataFrame:
    """One line per colliding cell: its row, its column, the file's value and the edits' value."""
    row, column, theirs, mine = (t(k, lang) for k in ("editor_row", "editor_column", "editor_theirs", "editor_mine"))
    lines = []
    for collision in collisions:
        file_value, edit_value = collision_values(table, collision, lang)
        lines.append({row: key_text(table, collision.key, lang),
                      column: label(table, collision.column, lang) if collision.column else t(
                          "editor_collision_row", lang), theirs: file_value, mine: edit_value})
    return pd.DataFrame(lines, columns=[row, column, theirs, mine])


def issue_table(issues: list[Issue], version: TableVersion, draft: Draft | None, keys: list[Key],
                lang: str) -> pd.DataFrame:
    """The problems of a draft, each placed at its grid row (`3 · ATA-21-03`, `new row 1`) when it
    is in the edited file, else at its file and line."""
    row, column, problem = (t(k, lang) for k in ("editor_row", "editor_column", "editor_problem"))
    lines = []
    for issue in issues:
        source = draft.origin.get(issue.line) if draft is not None and issue.path == version.shown else None
        if isinstance(source, int):
            where = t("editor_new_row", lang, number=source + 1)
        elif source is not None:
            position = f"{keys.index(source) + 1} · " if source in keys else ""
            where = position + key_text(version.table, source, lang)
        else:
            where = f"{issue.path}:{issue.line}"
        named = issue.column in version.table.model.model_fields and issue.path in (version.shown, "")
        lines.append({row: where, column: label(version.table, issue.column, lang) if named else issue.column,
                      problem: issue.message(lang)})
    return pd.DataFrame(lines, columns=[row, column, problem])


def versions_table(versions: list[Version], lang: str) -> pd.DataFrame:
    when, who, what, counts, version = (t(k, lang) for k in (
        "editor_saved_at", "editor_editor", "editor_kind", "editor_counts", "editor_version"))
    return pd.DataFrame([{
        when: _local_time(v.saved_at, lang), who: v.editor, what: t(f"editor_kind_{v.kind}", lang),
        counts: t("editor_counts_text", lang, **{k: v.counts.get(k, 0) for k in ("added", "changed", "removed")}),
        version: v.sha256[:10]} for v in versions], columns=[when, who, what, counts, version])


def _local_time(iso: str, lang: str) -> str:
    moment = dt.datetime.fromisoformat(iso)
    return f"{format_date(moment.date(), lang)} {moment:%H:%M} UTC"


def version_label(version: Version, lang: str) -> str:
    return f"{_local_time(version.saved_at, lang)} · {version.editor} · {version.sha256[:10]}"


def download_frame(version: TableVersion) -> pd.DataFrame:
    """The table as a spreadsheet holds it: field codes as headers, codes and `|`-joined lists as text,
    amounts as exact decimals, dates as dates."""
    columns = kinds(version.table)
    records = []
    for row in version.rows:
        record = {}
        for name, kind in columns.items():
            value = getattr(row.value, name)
            if kind.name == "list":  # each item guarded: a formula-like item after the first would lose its mark
                value = "|".join(neutralize(cell_text(item)) for item in value)
            record[name] = cell_text(value) if kind.name == "enum" and value is not None else value
        records.append(record)
    return pd.DataFrame(records, columns=list(columns))


ID_NUMBER = re.compile(r"^(.*?)(\d+)$")


def proposed_ids(existing: list[str], count: int) -> list[str]:
    """Ids for new rows that follow the plan's own numbering (`ATA-21-27` -> `ATA-21-28`)."""
    numbered = [m for m in (ID_NUMBER.match(i) for i in existing) if m]
    if not numbered:
        return [f"{len(existing) + i + 1:02d}" for i in range(count)]
    prefixes = pd.Series([m.group(1) for m in numbered]).value_counts()
    prefix = prefixes.index[0]
    numbers = [m.group(2) for m in numbered if m.group(1) == prefix]
    width, top = max(len(n) for n in numbers), max(int(n) for n in numbers)
    taken = set(existing)
    proposals, candidate = [], top
    while len(proposals) < count:
        candidate += 1
        if f"{prefix}{candidate:0{width}d}" not in taken:
            proposals.append(f"{prefix}{candidate:0{width}d}")
    return proposals
