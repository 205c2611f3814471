"""Writing plan CSVs: cells in the form the reader reads back to the same value, files whole or not at all."""

import datetime as dt
import math
import os
from decimal import Decimal
from enum import Enum
from pathlib import Path

import pandas as pd

from plan.parsing import DecimalMark


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


def fsync_write(path: Path, raw: bytes) -> None:
    """Write `path` whole or not at all: a temporary file beside it, fsync, rename, fsync the folder."""
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(temporary, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
