"""Excel workbooks both ways: a table as an .xlsx download, an uploaded .xlsx as CSV for the reader.

Many people keep their plan in Excel, so the editor offers .xlsx beside CSV. Downloads are
protected against formula injection: text cells are neutralized (`plan.edit.downloads.neutralize`)
and always written as strings, so a text such as `=SUM(A1)` is never stored as a formula.
Numbers stay numbers and dates stay dates. openpyxl writes every number, Decimal included,
as "%.16g" of its float, so an amount of up to 15 significant digits (13 before the decimal
point, 2 after) reads back exactly. The download's bytes depend only on the table.

Uploads become the CSV the tolerant reader (`plan.data.csv_reader`) already checks: UTF-8, `,`, point
decimals, ISO dates. A float is written with the 15 significant digits Excel itself shows and
computes with, so an amount Excel computed (`=A2*1.19`, a sum) arrives as the figure the person
saw, not as binary noise (0.1 + 0.2 is 0.3); what cannot be converted is reported as an `Issue`
at its spreadsheet row.
"""

import datetime as dt
import io
import numbers
import re
from decimal import Decimal
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.read_only import EMPTY_CELL
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from plan.data.csv_writer import csv_record
from plan.edit.downloads import neutralize
from plan.model.issues import Issue

DEFAULT_MAX_CELLS = 5_000_000
FIXED_TIME = dt.datetime(2000, 1, 1)  # workbook properties and zip entries: equal tables, equal bytes
MAX_COLUMN_WIDTH = 60
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def xlsx_bytes(frame: pd.DataFrame, sheet_name: str) -> bytes:
    """The table as one worksheet: bold frozen header with autofilter, typed cells, fitted widths."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_NAME_FORBIDDEN.sub(" ", sheet_name)[:31] or "Sheet1"
    widths = []
    for column, name in enumerate(frame.columns, 1):
        cell = _write(sheet, 1, column, str(name))
        cell.font = Font(bold=True)
        widths.append(len(cell.value))
    for row, values in enumerate(frame.itertuples(index=False, name=None), 2):
        for column, value in enumerate(values, 1):
            cell = _write(sheet, row, column, value)
            if cell is not None:
                widths[column - 1] = max(widths[column - 1], len(str(cell.value)))
    for column, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, MAX_COLUMN_WIDTH)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    book.properties.created = book.properties.modified = FIXED_TIME
    workbook = io.BytesIO()
    ExcelWriter(book, ZipFile(workbook, "w", ZIP_DEFLATED)).save()  # not book.save(): it stamps "modified" now
    return _with_fixed_dates(workbook.getvalue())


def _write(sheet, row: int, column: int, value):
    """One cell: text as a neutralized string, numbers as numbers, dates as dates; None (no cell) if missing."""
    if isinstance(value, list):
        value = "|".join(map(str, value))
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    cell = sheet.cell(row, column)
    if isinstance(value, bool):
        cell.value = value
    elif isinstance(value, Decimal):
        cell.value = float(value)  # what openpyxl writes for a Decimal anyway ("%.16g"), now explicit
        places = -value.as_tuple().exponent
        cell.number_format = "#,##0." + "0" * places if places > 0 else "#,##0"
    elif isinstance(value, numbers.Number):
        cell.value = value
    elif isinstance(value, dt.datetime) and value.time() != dt.time():
        cell.value = value
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
    elif isinstance(value, dt.date):
        cell.value = value.date() if isinstance(value, dt.datetime) else value
        cell.number_format = "yyyy-mm-dd"
    else:  # XML holds no control character but tab and line breaks: the others are shown as "�"
        cell.value = _escaped(ILLEGAL_CHARACTERS_RE.sub("\ufffd", neutralize(str(value))))
        cell.data_type = "s"  # a string even if it started with "=": never a formula
    return cell


# XML turns a carriage return into a line feed on reading, so spreadsheets write it as `_x000D_`, and a
# text that itself looks like such a code gets its underscore written as `_x005F_` (Excel's convention).
_CODE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _escaped(text: str) -> str:
    return _CODE.sub(r"_x005F_x\1_", text).replace("\r", "_x000D_")


def _unescaped(text: str) -> str:
    return _CODE.sub(lambda match: chr(int(match.group(1), 16)), text)


def _with_fixed_dates(raw: bytes) -> bytes:
    """The same zip with every entry dated FIXED_TIME (zip entries otherwise carry the time of writing)."""
    out = io.BytesIO()
    with ZipFile(io.BytesIO(raw)) as source, ZipFile(out, "w", ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(ZipInfo(info.filename, FIXED_TIME.timetuple()[:6]), source.read(info), ZIP_DEFLATED)
    return out.getvalue()


def xlsx_to_csv(raw: bytes, shown: str, max_cells: int = DEFAULT_MAX_CELLS) -> bytes | list[Issue]:
    """The first worksheet as UTF-8 `,` CSV with one line per spreadsheet row, or every problem found."""
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (zip, XML, KeyError...) for what is not a workbook
        return [Issue(shown, 0, "", "xlsx_unreadable", {"value": shown})]
    try:
        if not book.worksheets:
            return [Issue(shown, 1, "", "file_empty")]
        rows = _cell_texts(book.worksheets[0], shown, max_cells)
    except Exception:  # a damaged sheet only shows while its rows are read
        return [Issue(shown, 0, "", "xlsx_unreadable", {"value": shown})]
    finally:
        book.close()
    if isinstance(rows, Issue):
        return [rows]
    if any(None in row for row in rows):
        issues = _formulas_not_computed(raw, rows, shown)
        if issues:
            return issues
    rows = [["" if text is None else text for text in row] for row in rows]
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        return [Issue(shown, 1, "", "file_empty")]
    width = max(max((i + 1 for i, text in enumerate(row) if text), default=0) for row in rows)
    return "".join(csv_record(row[:width] + [""] * (width - len(row)), ",", "\n") for row in rows).encode("utf-8")


def _cell_texts(sheet, shown: str, max_cells: int) -> list[list[str | None]] | Issue:
    """Each row's cells as text, from row 1 on; None marks a cell written without a value (maybe a formula)."""
    if sheet.max_row and sheet.max_column and sheet.max_row * sheet.max_column > max_cells:
        return Issue(shown, 0, "", "xlsx_too_large", {"value": sheet.max_row * sheet.max_column, "limit": max_cells})
    sheet.reset_dimensions()  # a wrong <dimension> (some writers leave A1) would otherwise cut the sheet short
    rows, width = [], 0
    for row in sheet.iter_rows():
        width = max(width, len(row))
        if (len(rows) + 1) * width > max_cells:
            return Issue(shown, 0, "", "xlsx_too_large", {"value": (len(rows) + 1) * width, "limit": max_cells})
        rows.append([_text(cell) for cell in row])
    return rows


def _text(cell) -> str | None:
    """A read cell as the reader expects it; None only for a cell that is present but has no value."""
    value = cell.value
    if value is None:
        # A formula whose result was never computed reads as a present numeric cell without value;
        # a formula that computed an empty text is type "str" and is a plain empty cell.
        return None if cell is not EMPTY_CELL and cell.data_type == "n" else ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return _plain(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ", "seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return _unescaped(str(value))


def _plain(number: float) -> str:
    """The number as Excel shows it (15 significant digits), without exponent or a trailing `.0`."""
    text = format(Decimal(format(number, ".15g")), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _formulas_not_computed(raw: bytes, rows: list[list[str | None]], shown: str) -> list[Issue]:
    """Formula cells among the valueless ones, read again with formulas instead of cached values."""
    header = next((row for row in rows if any(row)), [])
    book = load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()
        issues = []
        for line, (texts, cells) in enumerate(zip(rows, sheet.iter_rows(), strict=False), 1):
            for index, (text, cell) in enumerate(zip(texts, cells, strict=False)):
                if text is None and cell.data_type == "f":
                    label = header[index] if index < len(header) and header[index] else get_column_letter(index + 1)
                    formula = str(getattr(cell.value, "text", cell.value))[:80]
                    params = {"value": formula, "cell": cell.coordinate}
                    issues.append(Issue(shown, line, label, "xlsx_formula_not_computed", params))
        return issues
    finally:
        book.close()
