"""Export figures from official statistics (customs declarations, UN Comtrade) merged into a plan's outcomes.

    Figures                 what an importer read: US$ summed by period, market and sector, lines kept and
                            skipped (by reason, with line numbers), codes it did not know
    merge(version, figures) -> Merge: the outcome rows to add, change and remove, and the totals per period

An import owns the `exports_usd` rows of the periods it covers, for its origin (a plan's own region: no
origin country; Comtrade: the reporter): importing a period again replaces exactly those rows, and rows typed
by hand for the same period (or its whole year) are replaced too, so a total never counts a figure twice;
the preview says which, and names the rows it adds, changes and removes (up to `SHOWN_ROWS` of each). Every
other row (other metrics, other periods, other origins) is left as it is.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

from plan.edit.editing import Changes, Key, TableVersion, load_where
from plan.model.code_tables import read_code_table
from plan.model.countries import UNASSIGNED, country_name
from plan.model.i18n import format_number, format_usd, t
from plan.model.models import FIRM_EXPORTS, OUTCOMES, Metric, Outcome, Sector
from plan.model.official_sources import source_text

CODES = Path(__file__).resolve().parent / "codes"
SHOWN_LINES = 20  # line numbers listed per reason; the count is always whole
SHOWN_ROWS = 10  # outcome rows named per kind of change (added, changed, removed); the rest are counted

# (year, month or None for the whole year, origin country or None for the plan's own region)
Period = tuple[int, int | None, str | None]
# (period, market ISO-3 or UNASSIGNED or None for all markets, sector or None for all sectors)
FigureKey = tuple[Period, str | None, Sector | None]


@cache
def aduanas_countries() -> dict[int, str]:
    """Customs country code -> ISO-3 (UNASSIGNED for the codes that are not one country)."""
    return {int(row["code"]): row["iso3"] for row in read_code_table(CODES / "aduanas_countries.csv")}


@cache
def _sector_prefixes() -> tuple[tuple[str, Sector], ...]:
    rows = read_code_table(CODES / "hs_sectors.csv")
    return tuple(sorted(((row["hs_prefix"], Sector(row["sector"])) for row in rows), key=lambda p: -len(p[0])))


@cache
def sector_of(tariff_code: str) -> Sector:
    """The plan's sector of a tariff code: the longest prefix of the table that matches, else OTHER."""
    for prefix, sector in _sector_prefixes():
        if tariff_code.startswith(prefix):
            return sector
    return Sector.OTHER


@dataclass
class Figures:
    """Exports read from official files, summed, and an account of every line read."""

    source_name: str  # plan.model.official_sources' ADUANAS or COMTRADE: a row's source is it and its period
    files: list[str] = field(default_factory=list)
    values: dict[FigureKey, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    lines_read: int = 0
    lines_kept: int = 0
    skipped: Counter = field(default_factory=Counter)  # reason -> lines
    skipped_lines: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # reason -> "file:line"
    unknown: dict[tuple[str, str], list] = field(default_factory=dict)  # (what, code) -> [lines, US$]
    # Firm by firm (customs only): (exporter id, year, month, market, sector) -> US$, the rows of firm_exports.csv
    firms: dict[tuple[str, int, int, str, Sector], Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    firmless: list = field(default_factory=lambda: [0, Decimal(0)])  # [lines, US$] with no exporter number
    firm_level: bool = False  # the source names exporters (customs): the import also writes firm_exports.csv

    def skip(self, reason: str, where: str) -> None:
        self.skipped[reason] += 1
        if len(self.skipped_lines[reason]) < SHOWN_LINES:
            self.skipped_lines[reason].append(where)

    def note_unknown(self, what: str, code: str, value: Decimal = Decimal(0)) -> None:
        seen = self.unknown.setdefault((what, code), [0, Decimal(0)])
        seen[0] += 1
        seen[1] += value

    def source(self, period: Period) -> str:
        year, month, _origin = period
        return source_text(self.source_name, year, month)

    def periods(self) -> list[Period]:
        return sorted({key[0] for key in self.values}, key=_period_order)

    def total(self, period: Period) -> Decimal:
        return sum((value for key, value in self.values.items() if key[0] == period), Decimal(0))


def _period_order(period: Period) -> tuple:
    year, month, origin = period
    return (origin or "", year, month or 0)


def _outcome_key(period: Period, market: str | None, sector: Sector | None) -> Key:
    year, month, origin = period
    return (Metric.EXPORTS_USD, year, month, market, origin, sector, None)


@dataclass
class PeriodChange:
    """One period of an import: its source, the total imported and the total the plan had for it before."""

    period: Period
    source: str
    imported: Decimal
    before: Decimal


@dataclass
class Merge:
    """What an import does to outcomes.csv, as editor changes (so it is saved like an edit) and as a preview."""

    changes: Changes
    changed_rows: list[tuple[Outcome, Decimal, str]] = field(default_factory=list)  # row, new value, new source
    removed_rows: list[Outcome] = field(default_factory=list)
    unchanged: int = 0
    typed_replaced: list[Outcome] = field(default_factory=list)  # rows not from this import that it replaces
    typed_lines: list[int] = field(default_factory=list)
    periods: list[PeriodChange] = field(default_factory=list)

    def counts(self) -> dict:
        return {"added": len(self.changes.added), "changed": len(self.changes.changed),
                "removed": len(self.changes.deleted)}


def _covers(period: Period, row: Outcome) -> bool:
    """Whether an imported period stands for `row`'s figure (same origin, same year, same month or a whole year
    on either side): such a row would be counted twice."""
    year, month, origin = period
    return (row.metric is Metric.EXPORTS_USD and row.year == year and row.origin_country == origin
            and (row.month is None or month is None or row.month == month))


def outcomes_to_merge(data_dir: Path, plan_id: str, figures: Figures) -> TableVersion:
    """The plan's outcomes.csv checked whole, holding as rows only those of the years `figures` cover: all that
    `merge` needs, and bounded memory for a file of millions of rows."""
    return load_where(data_dir, plan_id, OUTCOMES, "year", {period[0] for period in figures.periods()})


def merge(version: TableVersion, figures: Figures) -> Merge:
    """The changes that make outcomes.csv hold `figures` for their periods and nothing else for those periods.
    `version` needs to hold only the rows of the years of `figures` (`outcomes_to_merge`)."""
    periods = figures.periods()
    wanted: dict[Key, tuple[Decimal, str]] = {
        _outcome_key(period, market, sector): (value.quantize(Decimal("0.01")), figures.source(period))
        for (period, market, sector), value in figures.values.items()}
    result = Merge(Changes())
    before: dict[Period, Decimal] = defaultdict(Decimal)
    for key, row in version.by_key().items():
        period = next((p for p in periods if _covers(p, row.value)), None)
        if period is None:
            continue
        if row.value.month == period[1]:  # a whole year's typed figure is told apart (typed_replaced)
            before[period] += row.value.value
        if key in wanted:
            value, source = wanted[key]
            if (row.value.value, row.value.source) == (value, source):
                result.unchanged += 1
            else:
                result.changes.changed[key] = {"value": value, "source": source}
                result.changed_rows.append((row.value, value, source))
        else:
            result.changes.deleted.add(key)
            result.removed_rows.append(row.value)
        if row.value.source != figures.source(period):
            result.typed_replaced.append(row.value)
            result.typed_lines.append(row.line)
    present = version.by_key()
    for key, (value, source) in wanted.items():
        if key not in present:
            result.changes.added.append({**dict(zip(OUTCOMES.unique, key, strict=True)), "value": value,
                                         "source": source})
    result.periods = [PeriodChange(p, figures.source(p), figures.total(p), before[p]) for p in periods]
    return result


@dataclass
class FirmMerge:
    """What a customs import does to firm_exports.csv: the months it covers hold its firms' rows and nothing else
    (rows of another source for those months, e.g. typed by hand, are replaced too: a firm would count twice)."""

    changes: Changes
    unchanged: int = 0
    other_sources: int = 0  # rows of those months that did not come from this import, replaced

    def counts(self) -> dict:
        return {"added": len(self.changes.added), "changed": len(self.changes.changed),
                "removed": len(self.changes.deleted)}


def firm_rows_to_merge(data_dir: Path, plan_id: str, figures: Figures) -> TableVersion:
    """firm_exports.csv checked whole, holding as rows only those of the years `figures` cover."""
    return load_where(data_dir, plan_id, FIRM_EXPORTS, "year", {period[0] for period in figures.periods()})


def merge_firms(version: TableVersion, figures: Figures) -> FirmMerge:
    """The changes that make firm_exports.csv hold `figures.firms` for the months imported and nothing else."""
    months = {(year, month): figures.source((year, month, origin)) for year, month, origin in figures.periods()}
    wanted = {key: value.quantize(Decimal("0.01")) for key, value in figures.firms.items()}
    result = FirmMerge(Changes())
    present = version.by_key()
    for key, row in present.items():
        source = months.get((row.value.year, row.value.month))
        if source is None:
            continue
        if row.value.source != source:
            result.other_sources += 1
        if key not in wanted:
            result.changes.deleted.add(key)
        elif (row.value.value_usd, row.value.source) == (wanted[key], source):
            result.unchanged += 1
        else:
            result.changes.changed[key] = {"value_usd": wanted[key], "source": source}
    for key, value in wanted.items():
        if key not in present:
            result.changes.added.append({**dict(zip(FIRM_EXPORTS.unique, key, strict=True)), "value_usd": value,
                                         "source": months[(key[1], key[2])]})
    return result


def describe_firms(figures: Figures, result: FirmMerge, lang: str) -> list[str]:
    """The firm-level part of a customs import's preview: firms, rows changed, lines without an exporter."""
    lines = [t("import_firms", lang, firms=format_number(len({key[0] for key in figures.firms}), lang),
               **result.counts(), unchanged=result.unchanged)]
    if figures.firmless[0]:
        lines.append(t("import_firmless", lang, count=format_number(figures.firmless[0], lang),
                       value=format_usd(figures.firmless[1], lang)))
    if result.other_sources:
        lines.append(t("import_firms_replaced", lang, count=format_number(result.other_sources, lang)))
    return lines


def describe(figures: Figures, result: Merge, lang: str) -> list[str]:
    """The preview, one statement per line: files and lines read, what was left out and why, codes not known,
    each period's total against what the plan had, and the rows that change."""
    lines = [t("import_files", lang, files=", ".join(figures.files)),
             t("import_lines", lang, read=format_number(figures.lines_read, lang),
               kept=format_number(figures.lines_kept, lang))]
    for reason, count in sorted(figures.skipped.items()):
        shown = figures.skipped_lines.get(reason, [])
        more = " …" if count > len(shown) else ""
        where = t("import_at_lines", lang, lines=", ".join(shown) + more) if shown else ""
        lines.append(t(f"import_skipped_{reason}", lang, count=format_number(count, lang)) + where)
    for (what, code), (count, value) in sorted(figures.unknown.items()):
        lines.append(t(f"import_unknown_{what}", lang, code=code, count=format_number(count, lang),
                       value=format_usd(value, lang), unassigned=country_name(UNASSIGNED, lang)))
    for change in result.periods:
        origin = f" · {change.period[2]}" if change.period[2] else ""
        lines.append(t("import_period", lang, source=change.source, origin=origin,
                       imported=format_usd(change.imported, lang), before=format_usd(change.before, lang)))
    lines.append(t("import_rows", lang, **result.counts(), unchanged=result.unchanged))
    lines += _named_rows(result, lang)
    if result.typed_replaced:
        total = sum((row.value for row in result.typed_replaced), Decimal(0))
        lines.append(t("import_typed_replaced", lang, count=len(result.typed_replaced), value=format_usd(total, lang),
                       lines=", ".join(str(line) for line in result.typed_lines[:SHOWN_LINES])))
    return lines


def _row_label(row: Outcome, lang: str) -> str:
    """`2020-03 · Estados Unidos · Fruta fresca · Aduanas DUS 2020-03`: what tells an export row apart."""
    market = country_name(row.market, lang) if row.market else t("import_all_markets", lang)
    origin = f"{country_name(row.origin_country, lang)} → " if row.origin_country else ""
    parts = [f"{row.year}-{row.month:02d}" if row.month else str(row.year), origin + market,
             row.sector.label(lang) if row.sector else t("import_all_sectors", lang),
             row.source or t("import_no_source", lang)]
    return " · ".join(parts)


def _row_order(row: Outcome) -> tuple:
    return (row.origin_country or "", row.year, row.month or 0, row.market or "", row.sector or "")


def _named_rows(result: Merge, lang: str) -> list[str]:
    """The rows changed (value before and after), removed and added, `SHOWN_ROWS` of each, the rest counted."""
    def usd(value: Decimal) -> str:
        return format_usd(value, lang, decimals=2)

    changed = []
    for row, value, source in sorted(result.changed_rows, key=lambda change: _row_order(change[0])):
        new = usd(value) + (t("import_row_new_source", lang, source=source) if source != row.source else "")
        changed.append(t("import_row_changed", lang, row=_row_label(row, lang), old=usd(row.value), new=new))
    removed = [t("import_row_removed", lang, row=_row_label(row, lang), value=usd(row.value))
               for row in sorted(result.removed_rows, key=_row_order)]
    added_rows = [Outcome.model_construct(**cells) for cells in result.changes.added]
    added = [t("import_row_added", lang, row=_row_label(row, lang), value=usd(row.value))
             for row in sorted(added_rows, key=_row_order)]
    lines = []
    for kind, named in (("changed", changed), ("removed", removed), ("added", added)):
        lines += named[:SHOWN_ROWS]
        if len(named) > SHOWN_ROWS:
            lines.append(t(f"import_more_{kind}", lang, count=format_number(len(named) - SHOWN_ROWS, lang)))
    return lines
