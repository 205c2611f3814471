"""Writing plan CSVs: cells and records in the form the reader reads back to the same value (whole files are
written by `plan.data.files`)."""

import csv
import datetime as dt
import io
import math
from decimal import Decimal
from enum import Enum

import pandas as pd

from plan.model.parsing import DecimalMark


def cell_text(value, mark: DecimalMark = DecimalMark.POINT) -> str:
    """A value as a CSV cell: enum codes, ISO dates, plain amounts with the file's decimal mark
    (no thousands separator), `|`-joined lists, empty for None. Anything else as written, so
    that the validator, not this function, judges it."""
    if isinstance(value, list | tuple):
        return "|".join(cell_text(item, mark) for item in value)
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and not isinstance(value, bool):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.replace(".", ",") if mark is DecimalMark.COMMA else text
    return str(value)


def csv_record(cells: list[str], delimiter: str, ending: str) -> str:
    """One CSV record ending in `ending`. A cell holding a line break (CR or LF) is quoted whatever
    `ending` is: the csv module quotes only the characters of its own line terminator, and the
    reader, like Excel, also ends a line at a lone CR."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue()[:-2] + ending
