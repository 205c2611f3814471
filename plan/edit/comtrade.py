"""UN Comtrade export files (CSV as downloaded) summed into national exports by reporter, partner and sector.

For comparisons between Pacific Alliance members: a row's origin country is the reporter. Only exports
(`flowCode` X) count. Downloads hold totals beside their breakdown: partner `W00` (the world) beside partners,
commodity `TOTAL` beside commodity codes, the year (`refMonth` 52 or empty) beside its months. A total is used
only where no file of the import breaks it down, so nothing is counted twice, whether the total and its
breakdown come in one file or in two. A row that two files of one import both hold (overlapping downloads),
or a file given twice, is refused for the same reason.
"""

import csv
import io
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple

from plan.edit.archives import repeated_file, text_files
from plan.edit.official import Figures, sector_of
from plan.model.countries import UNASSIGNED, to_iso3
from plan.model.issues import Issue, PlanInvalid
from plan.model.official_sources import COMTRADE

REQUIRED = ("refYear", "refMonth", "reporterISO", "partnerISO", "cmdCode", "flowCode")
VALUE_COLUMNS = ("primaryValue", "fobvalue")
WORLD, ALL_COMMODITIES, ANNUAL = "W00", "TOTAL", "52"


class _Row(NamedTuple):
    year: int
    month: int | None  # None: the whole year
    reporter: str
    partner: str
    commodity: str
    value: Decimal
    shown: str  # the file
    line: int

    def where(self) -> str:
        return f"{self.shown}:{self.line}"


def _period(row: dict, where: tuple[str, int], issues: list[Issue]) -> tuple[int, int | None] | None:
    year, month = row["refYear"].strip(), row["refMonth"].strip()
    if not (year.isdigit() and 1990 <= int(year) <= 2100):
        issues.append(Issue(*where, "refYear", "comtrade_year_invalid", {"value": year}))
        return None
    if month in ("", ANNUAL):
        return int(year), None
    if not (month.isdigit() and 1 <= int(month) <= 12):
        issues.append(Issue(*where, "refMonth", "comtrade_month_invalid", {"value": month}))
        return None
    return int(year), int(month)


def _rows(shown: str, text: str, figures: Figures, issues: list[Issue]) -> list[_Row]:
    """Every export row of one file that reads."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    value_column = next((name for name in VALUE_COLUMNS if name in header), None)
    missing = [name for name in REQUIRED if name not in header] + ([] if value_column else [VALUE_COLUMNS[0]])
    if missing:
        issues.append(Issue(shown, 1, "", "comtrade_columns_missing", {"value": ", ".join(missing)}))
        return []
    rows = []
    for row in reader:
        where = (shown, reader.line_num)
        figures.lines_read += 1
        if row["flowCode"].strip().upper() != "X":
            figures.skipped["not_exports"] += 1
            continue
        period = _period(row, where, issues)
        reporter = to_iso3(row["reporterISO"])
        if reporter is None:
            issues.append(Issue(*where, "reporterISO", "country_unknown", {"value": row["reporterISO"].strip()}))
        try:
            value = Decimal(row[value_column].strip())
        except InvalidOperation:
            issues.append(Issue(*where, value_column, "comtrade_value_invalid", {"value": row[value_column][:60]}))
            continue
        if period is None or reporter is None:
            continue
        rows.append(_Row(*period, reporter, row["partnerISO"].strip(), row["cmdCode"].strip(), value, shown,
                         reader.line_num))
    return rows


def _repeated_rows(rows: list[_Row], first_of: dict[tuple, _Row]) -> list[Issue]:
    """One issue per earlier file holding rows of this one (same period, reporter, partner and commodity), at
    the first such line; the file's rows are then noted in `first_of` (rows of earlier files only, so a row
    repeated within one file is not a repeat: a file may break a figure down by what the plan does not keep)."""
    repeats: dict[str, list] = {}  # earlier file -> [rows also there, this file's row, the earlier row]
    for row in rows:
        first = first_of.get(row[:5])
        if first is not None:
            repeats.setdefault(first.shown, [0, row, first])[0] += 1
    for row in rows:
        first_of.setdefault(row[:5], row)
    return [Issue(row.shown, row.line, "", "comtrade_row_repeated", {
        "value": f"{row.year}{f'-{row.month:02d}' if row.month else ''} · {row.reporter} → {row.partner} · "
                 f"{row.commodity}", "other": first.shown, "other_line": first.line, "count": count})
        for count, row, first in repeats.values()]


def _add(rows: list[_Row], figures: Figures) -> None:
    """The rows of every file summed, each total left out where a breakdown of it is among them."""
    by_month = {(row.year, row.reporter) for row in rows if row.month is not None}
    broken_down = {row[:3] for row in rows if row.partner != WORLD}
    by_commodity = {row[:4] for row in rows if row.commodity != ALL_COMMODITIES}
    for row in rows:
        if row.month is None and (row.year, row.reporter) in by_month:
            figures.skip("annual_total", row.where())
            continue
        if row.partner == WORLD and row[:3] in broken_down:
            figures.skip("world_total", row.where())
            continue
        if row.commodity == ALL_COMMODITIES and row[:4] in by_commodity:
            figures.skip("all_commodities_total", row.where())
            continue
        market = None if row.partner == WORLD else to_iso3(row.partner)
        if market is None and row.partner != WORLD:
            figures.note_unknown("country", row.partner, row.value)
            market = UNASSIGNED
        sector = None if row.commodity == ALL_COMMODITIES else sector_of(row.commodity)
        figures.values[((row.year, row.month, row.reporter), market, sector)] += row.value
        figures.lines_kept += 1


def read_comtrade(paths: Iterable[Path], max_bytes: int) -> Figures:
    """The export rows of Comtrade CSV files (plain or zipped), every problem of every file listed at once."""
    figures, issues, rows = Figures(COMTRADE), [], []
    read_before: dict[str, str] = {}
    first_of: dict[tuple, _Row] = {}
    for path in paths:
        try:
            for text_file in text_files(path, max_bytes):
                figures.files.append(text_file.shown)
                raw = b"\n".join(text_file.lines(max_bytes))
                try:
                    text = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    text = raw.decode("cp1252")
                file_rows = _rows(text_file.shown, text, figures, issues)
                repeated = repeated_file(text_file, read_before)
                if repeated:  # every row of it is repeated too: the file is named once
                    issues.append(repeated)
                    continue
                issues += _repeated_rows(file_rows, first_of)
                rows += file_rows
        except PlanInvalid as invalid:
            issues += invalid.issues
    if issues:
        raise PlanInvalid(issues)
    _add(rows, figures)
    return figures
