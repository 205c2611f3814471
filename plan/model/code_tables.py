"""Code tables kept as committed CSV files (`plan/*/codes/*.csv`): a correction is a one-line change.

Lines starting with `#` say where the table comes from; the first other line is the header.
"""

import csv
from functools import cache
from pathlib import Path


@cache
def read_code_table(path: Path) -> tuple[dict[str, str], ...]:
    """The rows of a code table as dicts by column name (cells trimmed), provenance comments left out."""
    with open(path, encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return tuple({name: (cell or "").strip() for name, cell in row.items()} for row in csv.DictReader(lines))
