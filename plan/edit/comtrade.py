"""UN Comtrade export files (CSV as downloaded) summed into national exports by reporter, partner and sector.

For comparisons between Pacific Alliance members: a row's origin country is the reporter. Only exports
(`flowCode` X) count. A file holds totals beside their breakdown (partner `W00` = the world, commodity `TOTAL`);
a total is used only where the file has no breakdown for it, so nothing is counted twice. Annual figures
(`refMonth` 52 or empty) are whole-year rows.
"""

import csv
import io
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path

from plan.edit.archives import text_files
from plan.edit.official import COMTRADE, Figures, sector_of
from plan.model.countries import UNASSIGNED, to_iso3
from plan.model.issues import Issue, PlanInvalid

REQUIRED = ("refYear", "refMonth", "reporterISO", "partnerISO", "cmdCode", "flowCode")
VALUE_COLUMNS = ("primaryValue", "fobvalue")
WORLD, ALL_COMMODITIES, ANNUAL = "W00", "TOTAL", "52"


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


def _rows(shown: str, text: str, figures: Figures, issues: list[Issue]) -> list[tuple]:
    """(year, month, reporter, partner, commodity, value) of every export row that reads."""
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
        rows.append((*period, reporter, row["partnerISO"].strip(), row["cmdCode"].strip(), value, reader.line_num))
    return rows


def _add(rows: list[tuple], figures: Figures, shown: str) -> None:
    """The rows summed, each total left out where its breakdown is in the file."""
    broken_down = {(y, m, r) for y, m, r, partner, *_ in rows if partner != WORLD}
    by_commodity = {(y, m, r, p) for y, m, r, p, commodity, *_ in rows if commodity != ALL_COMMODITIES}
    for year, month, reporter, partner, commodity, value, line in rows:
        if partner == WORLD and (year, month, reporter) in broken_down:
            figures.skip("world_total", f"{shown}:{line}")
            continue
        if commodity == ALL_COMMODITIES and (year, month, reporter, partner) in by_commodity:
            figures.skip("all_commodities_total", f"{shown}:{line}")
            continue
        market = None if partner == WORLD else to_iso3(partner)
        if market is None and partner != WORLD:
            figures.note_unknown("country", partner, value)
            market = UNASSIGNED
        sector = None if commodity == ALL_COMMODITIES else sector_of(commodity)
        figures.values[((year, month, reporter), market, sector)] += value
        figures.lines_kept += 1


def read_comtrade(paths: Iterable[Path], max_bytes: int) -> Figures:
    """The export rows of Comtrade CSV files (plain or zipped), every problem of every file listed at once."""
    figures, issues = Figures(COMTRADE), []
    for path in paths:
        try:
            for text_file in text_files(path, max_bytes):
                figures.files.append(text_file.shown)
                raw = b"\n".join(text_file.lines(max_bytes))
                try:
                    text = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    text = raw.decode("cp1252")
                _add(_rows(text_file.shown, text, figures, issues), figures, text_file.shown)
        except PlanInvalid as invalid:
            issues += invalid.issues
    if issues:
        raise PlanInvalid(issues)
    return figures
