"""Chile's customs export declarations (DUS, datos.gob.cl): a month's item lines summed into a region's exports.

The layout is `codes/dus_fields.csv` (84 fields, `;`, no header, Windows-1252, decimal comma, dates DDMMYYYY).
A line is kept when its region of origin is the plan's region; its item FOB in US$ (never the declaration's
total, repeated on each of its items) is summed by year, month, destination and sector. What is not summed is
counted and named: lines of other regions, lines cut short (customs' files have some: never guessed), lines
with another number of fields. A value that cannot be read (an amount, a date) rejects the whole import: a
total that silently left it out would be wrong. So does a figure the import would count twice: a file given
twice (the .txt and its .zip), or a declaration (customs office and number) of the region in two files.
"""

import datetime as dt
import re
from array import array
from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import NamedTuple

from plan.edit.archives import repeated_file, text_files
from plan.edit.official import CODES, Figures, aduanas_countries, sector_of
from plan.model.code_tables import read_code_table
from plan.model.countries import UNASSIGNED
from plan.model.issues import Issue, PlanInvalid
from plan.model.official_sources import ADUANAS, customs_exporter_id
from plan.model.regions import Region

MAX_ISSUES = 200  # values that cannot be read, listed one by one; beyond that, counted
KNOWN_LAYOUTS = {6: "bultos", 7: "transport_documents"}  # the month's two other files on datos.gob.cl
_AMOUNT = re.compile(rb"-?\d+(?:,\d+)?|-?\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_SHARE = re.compile(rb"\d{1,3}(?:,\d+)?")  # a percentage, decimal comma


class Layout(NamedTuple):
    fields: int  # fields of a whole line
    at: dict[str, int]  # role -> 0-based position of the fields the importer reads
    names: dict[str, str]  # role -> the field's name in the layout, as error messages name it


@cache
def layout() -> Layout:
    rows = read_code_table(CODES / "dus_fields.csv")
    used = [row for row in rows if row["role"]]
    return Layout(len(rows), {row["role"]: int(row["position"]) - 1 for row in used},
                  {row["role"]: f"{row['name']} ({row['position']})" for row in used})


def _text(raw: bytes) -> str:
    return raw.decode("cp1252", errors="replace").strip()


class _Declarations:
    """The region's declarations in each file of one import, to find one given in two files (a month and its
    correction, two downloads of one month). A declaration is known by the 64-bit hash of its customs office and
    number: 8 bytes per item line while its file is read, put in a lookup only when another file follows, so a
    single file is still read in memory that does not grow with it. Two declarations with one hash (odds of
    about 1 in 10^7 for a million of them) would be refused as repeated, never summed wrong."""

    def __init__(self):
        self.files: list[str] = []
        self.first_file: dict[int, int] = {}  # hash -> index in `files` of the first file holding it
        self.last = array("q")  # the hashes of the file read last, not in `first_file` yet
        self.repeats: dict[int, list] = {}  # earlier file -> [hashes also there, first line, office, number]

    def start(self, shown: str) -> None:
        """A new file: the one read before becomes an earlier file."""
        for declaration in self.last:
            self.first_file.setdefault(declaration, len(self.files) - 1)
        self.last, self.repeats = array("q"), {}
        self.files.append(shown)

    def forget_last(self) -> None:
        """The file just read is left out (it repeats a whole file): its declarations are not compared."""
        self.last = array("q")

    def note(self, line: int, office: bytes, number: bytes) -> None:
        declaration = hash(office.strip() + b";" + number.strip())
        self.last.append(declaration)
        other = self.first_file.get(declaration) if self.first_file else None
        if other is not None:
            self.repeats.setdefault(other, [set(), line, office, number])[0].add(declaration)

    def issues(self) -> list[Issue]:
        """One issue per earlier file holding declarations of the file read last, at its first such line."""
        return [Issue(self.files[-1], line, layout().names["declaration"], "dus_declaration_repeated",
                      {"value": _text(number), "office": _text(office), "other": self.files[other],
                       "count": len(repeated)})
                for other, (repeated, line, office, number) in self.repeats.items()]


class _Reader:
    """One pass over the lines of one file, adding to `figures`; the values that cannot be read become issues."""

    def __init__(self, figures: Figures, region: Region, shown: str, declarations: "_Declarations"):
        self.figures, self.shown, self.issues = figures, shown, []
        self.declarations = declarations
        self.region = region.value.encode()
        self.regions_seen: dict[bytes, int] = {}
        self.field_counts: dict[int, int] = {}
        self.dates: dict[bytes, tuple[int, int] | None] = {}
        self.markets: dict[bytes, str] = {}
        self.at = layout().at

    def problem(self, line: int, role: str, value: bytes, code: str) -> None:
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(Issue(self.shown, line, layout().names[role], code,
                                     {"value": _text(value)[:60]}))
        else:
            self.issues.append(None)

    def month(self, line: int, raw: bytes) -> tuple[int, int] | None:
        if raw not in self.dates:
            text = raw.strip()
            try:
                day = dt.date(int(text[4:8]), int(text[2:4]), int(text[0:2])) if len(text) == 8 else None
            except ValueError:
                day = None
            self.dates[raw] = (day.year, day.month) if day and text.isdigit() else None
        if self.dates[raw] is None:
            self.problem(line, "date", raw, "dus_date_invalid")
        return self.dates[raw]

    def market(self, raw: bytes, value: Decimal) -> str:
        market = self.markets.get(raw)
        if market is None:
            text = raw.strip()
            market = aduanas_countries().get(int(text)) if text.isdigit() else None
            if market is None:  # an unknown code: its value stays, as unassigned, and is reported
                self.figures.note_unknown("country", _text(raw), value)
                return UNASSIGNED
            self.markets[raw] = market
        return market

    def amount(self, line: int, raw: bytes) -> Decimal | None:
        text = raw.strip()
        if not _AMOUNT.fullmatch(text):
            self.problem(line, "fob_usd", raw, "dus_amount_invalid")
            return None
        return Decimal(text.replace(b".", b"").replace(b",", b".").decode())

    def read(self, lines: Iterable[bytes]) -> None:
        at, figures, expected = self.at, self.figures, layout().fields
        truncated_fields = at["last_field_of_truncated_lines"] + 1
        for number, line in enumerate(lines, 1):
            fields = line.split(b";")
            count = len(fields)
            self.field_counts[count] = self.field_counts.get(count, 0) + 1
            if count != expected:
                if line.strip():
                    reason = "truncated" if count == truncated_fields else "field_count"
                    mine = count > at["region"] and fields[at["region"]].strip().lstrip(b"0") == self.region
                    figures.skip(reason + ("_own_region" if mine else ""), f"{self.shown}:{number}")
                    figures.lines_read += 1
                continue
            figures.lines_read += 1
            region = fields[at["region"]].strip()
            if region != self.region and region.lstrip(b"0") != self.region:
                self.regions_seen[region] = self.regions_seen.get(region, 0) + 1
                figures.skipped["other_region"] += 1
                continue
            self.declarations.note(number, fields[at["customs_office"]], fields[at["declaration"]])
            month, value = self.month(number, fields[at["date"]]), self.amount(number, fields[at["fob_usd"]])
            if month is None or value is None:
                continue
            tariff = _text(fields[at["tariff_code"]])
            market, sector = self.market(fields[at["destination"]], value), sector_of(tariff)
            figures.values[((month[0], month[1], None), market, sector)] += value
            figures.lines_kept += 1
            for exporter, part in self.exporters(number, fields, month[0], value):
                figures.firms[(exporter, month[0], month[1], market, sector)] += part

    def exporters(self, line: int, fields: list[bytes], year: int, value: Decimal) -> list[tuple[str, Decimal]]:
        """The item's value by exporter: all of it to the main exporter, or split by the main exporter's share
        when a secondary exporter is named. Customs' numbers are anonymous and known stable within a year only,
        so an id carries the year (`DUS-2021-1234`). A line without a main exporter number stays in the totals
        and is counted apart (`Figures.firmless`)."""
        main = fields[self.at["exporter"]].strip().lstrip(b"0")
        if not main.isdigit():
            self.figures.firmless[0] += 1
            self.figures.firmless[1] += value
            return []
        second = fields[self.at["second_exporter"]].strip().lstrip(b"0")
        if not second.isdigit() or second == main:
            return [(customs_exporter_id(year, main.decode()), value)]
        share = self.share(line, fields[self.at["exporter_share"]])
        if share is None:
            return []
        first = (value * share / 100).quantize(Decimal("0.01"))
        return [(customs_exporter_id(year, main.decode()), first),
                (customs_exporter_id(year, second.decode()), value - first)]

    def share(self, line: int, raw: bytes) -> Decimal | None:
        """The main exporter's share in percent (0 to 100; empty: all of it); one that does not read is an issue."""
        text = raw.strip()
        if not text:
            return Decimal(100)
        share = Decimal(text.replace(b",", b".").decode()) if _SHARE.fullmatch(text) else None
        if share is None or share > 100:
            self.problem(line, "exporter_share", raw, "dus_share_invalid")
        return share if share is not None and share <= 100 else None

    def finish(self) -> list[Issue]:
        """The file's own problems: another layout, values that cannot be read; unknown region codes noted."""
        expected = layout().fields
        good = self.field_counts.get(expected, 0)
        if good * 2 < sum(self.field_counts.values()):
            common = max(self.field_counts, key=self.field_counts.get)
            code = "dus_layout_" + KNOWN_LAYOUTS.get(common, "other")
            return [Issue(self.shown, 1, "", code, {"value": common, "expected": expected})]
        known = {region.value for region in Region}
        for code, lines in self.regions_seen.items():
            if code.lstrip(b"0").decode(errors="replace") not in known:
                self.figures.unknown[("region", _text(code))] = [lines, Decimal(0)]
        issues = [issue for issue in self.issues if issue is not None]
        if len(issues) < len(self.issues):
            issues.append(Issue(self.shown, 1, "", "import_more_issues", {"value": len(self.issues) - len(issues)}))
        return issues


def read_dus(paths: Iterable[Path], region: Region, max_bytes: int) -> Figures:
    """The region's exports in the DUS files (plain, ZIP or RAR), every file read before anything is judged, so
    every problem of every file is listed at once (PlanInvalid); a file of another layout is named as such, a
    file given twice or a declaration in two files too."""
    figures, issues = Figures(ADUANAS, firm_level=True), []
    read_before: dict[str, str] = {}
    declarations = _Declarations()
    for path in paths:
        try:
            for text_file in text_files(path, max_bytes):
                figures.files.append(text_file.shown)
                declarations.start(text_file.shown)
                reader = _Reader(figures, region, text_file.shown, declarations)
                reader.read(text_file.lines(max_bytes))
                issues += reader.finish()
                repeated = repeated_file(text_file, read_before)
                if repeated:  # every declaration of it is repeated too: the file is named once
                    issues.append(repeated)
                    declarations.forget_last()
                else:
                    issues += declarations.issues()
        except PlanInvalid as invalid:
            issues += invalid.issues
    if issues:
        raise PlanInvalid(issues)
    return figures
