"""Writing plan CSVs: cells in the form the reader reads back to the same value, files whole or not at all."""

import csv
import datetime as dt
import io
import math
import os
from decimal import Decimal
from enum import Enum
from pathlib import Path

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


def fsync_write(path: Path, raw: bytes) -> None:
    """Write `path` whole or not at all: a temporary file beside it, fsync, rename, fsync the folder.
    Temporary files that writers killed mid-write left in the folder are removed first."""
    _remove_dead_temporaries(path.parent)
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


def _remove_dead_temporaries(folder: Path) -> None:
    """`.<name>.tmp-<pid>` files of writers that died (kill -9, power cut): never read, but they would pile
    up in the data folder, where git shows them."""
    for leftover in folder.glob(".*.tmp-*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not process_alive(int(pid)):
            leftover.unlink(missing_ok=True)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
