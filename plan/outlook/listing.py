"""`python -m plan outlook`: the projections of chosen plans at a date, as rows (the `--json` objects) or a table."""

import datetime as dt
import json

import duckdb

from plan.model.i18n import format_number, t
from plan.model.issues import UsageError
from plan.model.parsing import ParseError, parse_date
from plan.outlook.projection import Projection, project

COLUMNS = ("plan_id", "kpi", "target", "actual_to_date", "median", "p10", "p90", "chance", "method", "n", "as_of")


def as_of_date(text: str | None, lang: str) -> dt.date | None:
    """The `--as-of` option as a date (YYYY-MM-DD or DD-MM-YYYY); UsageError naming what is wrong."""
    if text is None:
        return None
    try:
        return parse_date(text)
    except ParseError as error:
        raise UsageError("outlook_bad_date", value=text, message=t(error.code, lang, **error.params)) from None


def projections(con: duckdb.DuckDBPyConnection, plan_ids: list[str], as_of: dt.date | None) -> list[Projection]:
    """Every KPI's projection for `plan_ids` (all plans when empty); UsageError naming each unknown plan."""
    known = {row[0] for row in con.execute("SELECT plan_id FROM plan").fetchall()}
    unknown = [plan_id for plan_id in plan_ids if plan_id not in known]
    if unknown:
        raise UsageError.every([("outlook_unknown_plan", {"plan": plan_id, "plans": ", ".join(sorted(known))})
                                for plan_id in unknown])
    return project(con, plan_ids or None, as_of)


def as_json(found: list[Projection]) -> str:
    return json.dumps([p.as_row() for p in found], ensure_ascii=False, indent=1)


def lines(found: list[Projection], lang: str) -> list[str]:
    """A plain table: one line per plan and KPI, figures in the language's format, then the notes used."""
    def cell(row: dict, column: str) -> str:
        value = row[column]
        if value is None:
            return "-"
        if column == "chance":
            return f"{format_number(100 * value, lang)} %"
        if column == "kpi":
            return t(f"kpi_{value}", lang)
        if column == "method":
            return t(f"outlook_method_{value}", lang)
        if isinstance(value, float):
            return format_number(value, lang)
        return str(value)

    rows = [p.as_row() for p in found]
    table = [[t(f"outlook_column_{column}", lang) for column in COLUMNS]]
    table += [[cell(row, column) for column in COLUMNS] for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    text = ["  ".join(value.ljust(width) for value, width in zip(line, widths, strict=True)).rstrip()
            for line in table]
    notes = sorted({row["note"] for row in rows})
    return text + [""] + [f"{note}: {t(f'outlook_note_{note}', lang)}" for note in notes]
