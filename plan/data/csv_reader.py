"""Reading the CSV files people actually produce, Excel on a Spanish Windows included.

Tolerated and normalized: `;`, `,` or tab delimiter (the one whose split of the first line
names the most expected columns), an Excel `sep=;` first line, UTF-8 with or without BOM,
UTF-16 with or without BOM, Windows-1252, CRLF, headers differing in case/accents/spaces or written
as the Spanish or English label, columns in any order, optional columns left out, blank
rows and trailing empty columns. Everything else is reported as an `Issue` with its line,
a UTF-8 file with a line in another encoding too (read as Windows-1252 it would turn "Perú"
into "PerÃº" everywhere).
"""

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from plan.model.issues import Issue
from plan.model.models import Table
from plan.model.parsing import DecimalMark
from plan.model.textkey import text_key

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
# The csv module refuses a cell over 128 KiB as if its quotes were broken; a long cell is the
# validator's to judge (`text_too_long`, with its line and column), so any cell a file can hold is read.
csv.field_size_limit(2**31 - 1)
DELIMITERS = (";", ",", "\t")
DECIMAL_MARK_BY_DELIMITER = {";": DecimalMark.COMMA, ",": DecimalMark.POINT, "\t": DecimalMark.EITHER}
LINE_CHUNK = 1 << 20  # characters of text split into lines at a time


@dataclass
class CsvFile:
    """A CSV whose bytes, encoding, delimiter and header were accepted."""

    path: Path
    shown: str
    table: Table
    raw: bytes
    encoding: str
    text: str
    delimiter: str
    header_line: int  # 1-based line of the header
    fields: list[str | None]  # field code per header position; None for trailing empty cells
    headers: dict[str, str] = field(default_factory=dict)  # field code -> header as written
    mtime_ns: int = 0  # taken before reading, so a later change always looks stale
    mark: DecimalMark | None = None  # the decimal mark its amounts showed (loader.check_rows), if any did

    @property
    def decimal_mark(self) -> DecimalMark:
        """The amounts' own mark when they showed one, else the delimiter's convention."""
        return self.mark or DECIMAL_MARK_BY_DELIMITER[self.delimiter]

    def column_label(self, field_name: str) -> str:
        return self.headers.get(field_name, field_name)


def header_spellings(table: Table) -> dict[str, str]:
    """Accepted header spellings (text keys) -> field code: the code and both labels."""
    spellings: dict[str, str] = {}
    for name, info in table.model.model_fields.items():
        extra = info.json_schema_extra or {}
        for spelling in (name, extra.get("es", ""), extra.get("en", "")):
            if spelling:
                spellings[text_key(spelling)] = name
    return spellings


def _line_of(raw: bytes, offset: int) -> int:
    """The 1-based line of a byte, lines ending in \n, \r\n or a lone \r (as `physical_lines` counts)."""
    before = raw[:offset]
    return before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1


# UTF-8 for a Latin letter or sign (é is C3 A9); Windows-1252 text shows such a pair as "Ã©", which no
# Spanish text holds, so a file that has them is UTF-8 and another byte in it was written otherwise.
_UTF8_LATIN = re.compile(rb"[\xc2\xc3][\x80-\xbf]")


def _utf16_without_bom(raw: bytes) -> tuple[str, str] | None:
    """UTF-16 written without its byte order mark (some database exports): text in Latin script has a
    NUL as every other byte, and only there."""
    even, odd = raw[::2], raw[1::2]
    for encoding, high, low in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if len(raw) % 2 == 0 and high.count(0) >= 0.9 * len(high) and low.count(0) <= 0.1 * len(low):
            try:
                return encoding, raw.decode(encoding)
            except UnicodeDecodeError:
                return None
    return None


def _around(raw: bytes, offset: int) -> str:
    """The text of the line around the byte at `offset`, that byte shown as a replacement character."""
    start = max(raw.rfind(b"\n", 0, offset), raw.rfind(b"\r", 0, offset)) + 1
    end = min([i for i in (raw.find(b"\n", offset), raw.find(b"\r", offset)) if i >= 0] or [len(raw)])
    before = raw[start:offset].decode("utf-8", "replace")[-30:]
    after = raw[offset + 1 : end].decode("utf-8", "replace")[:20]
    return f"{before}\ufffd{after}".strip()


def decode(raw: bytes, shown: str) -> tuple[str, str] | Issue:
    """(encoding, text), trying BOMs, then UTF-8, then Windows-1252."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return "utf-16", raw.decode("utf-16")
        except UnicodeDecodeError as error:
            return Issue(shown, 1, "", "file_encoding", {"value": f"{error.start}"})
    nul = raw.find(b"\x00")
    if nul >= 0:
        return _utf16_without_bom(raw) or Issue(shown, _line_of(raw, nul), "", "file_binary")
    if raw.startswith(codecs.BOM_UTF8):
        encodings = ("utf-8-sig",)
    else:
        encodings = ("utf-8", "cp1252")
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as error:
            last = error
            continue
        if encoding == "cp1252" and _UTF8_LATIN.search(raw):  # read as Windows-1252, "Perú" would become "PerÃº"
            params = {"value": f"0x{raw[last.start : last.start + 1].hex()}", "text": _around(raw, last.start)}
            return Issue(shown, _line_of(raw, last.start), "", "file_encoding_mixed", params)
        return encoding, text
    bad = raw[last.start : last.start + 1].hex()
    return Issue(shown, _line_of(raw, last.start), "", "file_encoding", {"value": f"0x{bad}"})


def text_lines(text: str) -> Iterator[str]:
    """Lines as the csv module counts them (\n, \r\n or a lone \r), with their ending. Read a million characters
    at a time, cut after an LF (so never inside a CR LF): `io.StringIO` over the whole text would first copy it
    at 4 bytes a character, 800 MB for a 200 MB file."""
    start = 0
    while start < len(text):
        end = text.find("\n", start + LINE_CHUNK) + 1 or len(text)
        yield from io.StringIO(text[start:end], newline="")
        start = end


def physical_lines(text: str) -> Iterator[str]:
    """`text_lines` without their ending."""
    return (line.rstrip("\r\n") for line in text_lines(text))


def _first_filled(lines: Iterator[tuple[int, str]]) -> tuple[int, str] | None:
    """The first line with anything but separators and spaces, with its 0-based index."""
    return next(((i, line) for i, line in lines if line.strip(" \t,;")), None)


def _split(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def _choose_delimiter(first_line: str, spellings: dict[str, str]) -> str | None:
    scores = {d: sum(text_key(cell) in spellings for cell in _split(first_line, d)) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: scores[d])
    return best if scores[best] else None


def open_csv(path: Path, table: Table, shown: str, max_bytes: int = DEFAULT_MAX_BYTES) -> CsvFile | list[Issue]:
    """Check size, bytes, encoding and header; the rows are read by `records`."""
    stat = path.stat()
    if stat.st_size > max_bytes:
        return [Issue(shown, 1, "", "file_too_large", {"value": stat.st_size, "limit": max_bytes})]
    opened = parse_csv(path.read_bytes(), table, shown, path)
    if isinstance(opened, CsvFile):
        opened.mtime_ns = stat.st_mtime_ns
    return opened


def parse_csv(raw: bytes, table: Table, shown: str, path: Path | None = None) -> CsvFile | list[Issue]:
    """`open_csv` for bytes already in hand (an upload, an edited table, a version from history)."""
    decoded = decode(raw, shown)
    if isinstance(decoded, Issue):
        return [decoded]
    encoding, text = decoded
    lines = enumerate(physical_lines(text))
    found = _first_filled(lines)
    if found is None:
        return [Issue(shown, 1, "", "file_empty")]
    first, header = found
    delimiter = None
    if text_key(header).startswith("sep=") and len(header.strip()) == 5:
        delimiter = header.strip()[4]
        if delimiter not in DELIMITERS:  # the reader's number and date rules are set per delimiter
            return [Issue(shown, first + 1, "", "separator_unsupported", {"value": delimiter})]
        found = _first_filled(lines)
        if found is None:
            return [Issue(shown, 1, "", "file_empty")]
        first, header = found
    spellings = header_spellings(table)
    delimiter = delimiter or _choose_delimiter(header, spellings)
    expected = ", ".join(table.model.model_fields)
    if delimiter is None:
        return [Issue(shown, first + 1, "", "header_unrecognized", {"value": header[:80], "allowed": expected})]
    return _map_header(path or Path(shown), table, shown, raw, encoding, text, delimiter, first + 1, header, spellings)


def _map_header(path, table, shown, raw, encoding, text, delimiter, header_line, header, spellings):
    cells = _split(header, delimiter)
    while cells and not cells[-1].strip():
        cells.pop()
    issues: list[Issue] = []
    fields: list[str | None] = []
    headers: dict[str, str] = {}
    for cell in cells:
        name = spellings.get(text_key(cell))
        if name is None:
            allowed = ", ".join(table.model.model_fields)
            params = {"value": cell.strip(), "allowed": allowed}
            issues.append(Issue(shown, header_line, cell.strip(), "column_unknown", params))
        elif name in headers:
            issues.append(Issue(shown, header_line, cell.strip(), "column_duplicate", {"value": cell.strip()}))
        else:
            headers[name] = cell.strip()
        fields.append(name)
    for name, info in table.model.model_fields.items():
        if info.is_required() and name not in headers:
            issues.append(Issue(shown, header_line, name, "column_missing", {"value": name}))
    if issues:
        return issues
    return CsvFile(path, shown, table, raw, encoding, text, delimiter, header_line, fields, headers)


def records(csv_file: CsvFile, keep: Callable[[list[str]], bool] | None = None,
            ) -> Iterator[tuple[int, int, dict[str, str]] | Issue]:
    """Data rows as (first line, last line, {field: cell}) in file order, or an Issue for a
    bad row. A row spans several lines when a quoted cell holds line breaks. With `keep`, only
    the rows whose cells (as split, in the file's column order) it accepts are looked at."""
    reader = csv.reader(text_lines(csv_file.text), delimiter=csv_file.delimiter, strict=True)
    width = len(csv_file.fields)
    previous_end = 0
    try:
        for row in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if start <= csv_file.header_line or (keep is not None and not keep(row)):
                continue
            if not any(cell.strip() for cell in row):
                continue
            used = len(row)
            while used > width and not row[used - 1].strip():
                used -= 1
            if used != width:
                yield Issue(csv_file.shown, start, "", "row_ragged", {"value": used, "expected": width})
                continue
            yield start, previous_end, {name: cell for name, cell in zip(csv_file.fields, row, strict=False) if name}
    except csv.Error:
        yield Issue(csv_file.shown, previous_end + 1, "", "quote_malformed")
