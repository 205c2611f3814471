"""Reading the CSV files people produce: what is tolerated and what is refused.

Tolerated files must load exactly the rows of the canonical file; refused files must be
reported with file, line, column and value in Spanish and English, and change nothing
(CSVs and database byte-identical). The fixtures under `tests/fixtures/csv/` are real
bytes (see its README): `canonical/` is a small valid plan folder, and every
`tolerated/<table>--<case>.csv` or `rejected/<table>--<case>.csv` replaces one of its files.
"""

import codecs
import csv
import io
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plan import outlook
from plan.bench.importing import plan_at_size
from plan.data import csv_reader, database, loader, sql_reader
from plan.model.issues import Issue, PlanInvalid
from plan.model.models import ACTIVITIES, OUTCOMES, TABLES_BY_NAME
from plan.model.parsing import DecimalMark, ParseError, parse_decimal
from plan.model.schema import kinds, to_arrow

REPO = Path(__file__).resolve().parent.parent
SAMPLE_DATA = REPO / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "csv"
CANONICAL = FIXTURES / "canonical"
TOLERATED = FIXTURES / "tolerated"
REJECTED = FIXTURES / "rejected"
PLAN_ID = "atacama-2021"
NOT_CONTENT = {"source_files", "build_info"}  # provenance of a build, not the plan's content
DERIVED = {"outlook", "outlook_months"}  # computed from the content (plan.outlook), compared with it


# ----------------------------------------------------------------------------- helpers


def plan_folder(root: Path, files: dict[str, Path | bytes | None] | None = None) -> Path:
    """A data folder holding a copy of the canonical plan, with some files replaced
    (a fixture path or bytes) or removed (None). Returns the data folder."""
    data = root / "data"
    shutil.copytree(CANONICAL, data / PLAN_ID)
    for name, content in (files or {}).items():
        target = data / PLAN_ID / name
        if content is None:
            target.unlink()
        else:
            target.write_bytes(content.read_bytes() if isinstance(content, Path) else content)
    return data


def with_fixture(root: Path, fixture: Path) -> Path:
    """The canonical plan with `<table>--<case>.csv` in place of `<table>.csv`."""
    return plan_folder(root, {fixture.name.split("--")[0] + ".csv": fixture})


def shown(table: str, plan_id: str = PLAN_ID) -> str:
    return f"data/{plan_id}/{table}.csv"


def tables_in(db_path: Path) -> dict[str, list[tuple]]:
    """Every table's rows in a fixed order, provenance tables left out."""
    with database.reader(db_path) as con:
        names = [name for (name,) in con.execute("SHOW TABLES").fetchall() if name not in NOT_CONTENT]
        return {name: con.execute(f"SELECT * FROM {name} ORDER BY ALL").fetchall() for name in names}  # noqa: S608


def rows_without(db_path: Path, table: str, columns: tuple[str, ...] = ()) -> list[tuple]:
    """A table's rows in a fixed order, some columns left out."""
    exclude = f" EXCLUDE ({', '.join(columns)})" if columns else ""
    with database.reader(db_path) as con:
        return con.execute(f"SELECT *{exclude} FROM {table} ORDER BY ALL").fetchall()  # noqa: S608


def build(data: Path) -> Path:
    db_path = data / "plan.duckdb"
    database.build(data, db_path, derive=outlook.derive)
    return db_path


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def issues_of(data: Path) -> list[Issue]:
    with pytest.raises(PlanInvalid) as raised:
        database.validate(data)
    return raised.value.issues


def where(issues: list[Issue]) -> list[tuple[str, int, str, str]]:
    return [(issue.path, issue.line, issue.column, issue.code) for issue in issues]


@pytest.fixture(scope="module")
def canonical_db(tmp_path_factory) -> Path:
    return build(plan_folder(tmp_path_factory.mktemp("canonical")))


@pytest.fixture(scope="module")
def built_plan(canonical_db) -> Path:
    """A data folder and the database `database.build` made of it, to copy (building each time is slower)."""
    return canonical_db.parent


# ----------------------------------------------------------------------------- tolerated

# fixture -> why people produce it
TOLERATED_CASES = {
    "activities--semicolon": "Excel in a Spanish locale separates cells with ; and writes 1500000,50",
    "activities--decimal_comma_thousands": "the same Excel showing thousands dots: 1.500.000,50",
    "activities--cp1252": "Excel's plain 'CSV' on Windows writes Windows-1252 (Híbrida, Perú as single bytes)",
    "activities--utf16_tab": "Excel's 'Unicode text': UTF-16 with BOM, tabs, CRLF, locale numbers and dates",
    "activities--dates_dd-mm-yyyy": "the Chilean short date format",
    "activities--dates_dd_mm_yyyy_slashes": "dd/mm/yyyy, as typed or pasted from other sources",
    "activities--dates_with_midnight_time": "a date column formatted as date-time: 2021-03-15 00:00:00",
    "activities--dates_mixed_styles": "rows pasted from several sources: ISO, dd-mm-yyyy, dd/mm/yyyy, dd.mm.yyyy...",
    "activities--headers_case_accents_spaces": "headers retyped with other case, no accents, extra spaces, - or _",
    "activities--spanish_headers": "headers written as the Spanish labels (Título, Inicio planificado)",
    "activities--columns_reordered": "columns moved around in the spreadsheet",
    "activities--blank_rows": "blank lines and ;;;; rows that Excel leaves after cells are cleared",
    "activities--enum_aliases": "presencial, in-person, 'Presencial ', Híbrido, Rueda de negocios, VIRTUAL",
    "activities--country_names": "countries written as names in Spanish or English, or EE.UU.",
    "activities--usd_amounts": "amounts formatted as currency: US$ 1.500.000,50",
    "pisco_campaigns--crlf": "Windows line endings",
    "pisco_campaigns--comma_all_text_quoted": "a , file with every text cell quoted (LibreOffice's option)",
    "targets--utf8_bom": "Excel's 'CSV UTF-8' starts with a byte order mark",
    "targets--cr_line_endings": "old Mac Excel ends lines with a lone CR",
    "targets--comma_quoted_thousands": "a , file with thousands commas, quoted: \"1,500,000.50\"",
    "targets--trailing_empty_columns": "a;b;c;;; in header and rows, from cells once used to the right",
    "outcomes--semicolon_decimal_comma": "the bulk table from Spanish Excel: ; and 1500000,50",
    "outcomes--thousands_dots": "the bulk table with 1.500.000,50",
    "outcomes--cp1252": "the bulk table in Windows-1252",
    "outcomes--utf8_bom": "the bulk table with a byte order mark",
    "outcomes--blank_rows": "the bulk table with blank and ;;;; rows",
    "outcomes--trailing_empty_columns": "the bulk table with trailing empty columns",
    "outcomes--spanish_headers": "the bulk table with Spanish labels as headers (Métrica, Año, País de origen)",
    "outcomes--english_headers": "the bulk table with English labels as headers",
    "outcomes--columns_reordered": "the bulk table with its columns moved around",
    "outcomes--excel_sep_line": "Excel's sep=; first line, which tells Excel the delimiter",
    "outcomes--country_names": "the bulk table with country names (Reino Unido, Perú, EE.UU., Chile)",
    "outcomes--cells_with_blanks": "Alt+Enter newlines, tabs and no-break spaces around cells of the bulk table",
    "outcomes--pandas_floats": "pandas writes a whole-number column with gaps as floats: month 6.0, 96.0",
}
# Optional columns left out: the rows are the canonical ones with those columns empty.
OPTIONAL_LEFT_OUT = {
    "activities--optional_columns_missing": ("activities", ("campaign_id", "deals_projected_usd", "notes", "source")),
    "outcomes--optional_columns_missing": ("outcomes", ("month", "origin_country", "source")),
}


def test_every_fixture_file_is_used_by_a_test():
    # A fixture nobody checks is a case we believe is covered and is not.
    tolerated = {path.stem for path in TOLERATED.glob("*.csv")}
    assert tolerated == set(TOLERATED_CASES) | set(OPTIONAL_LEFT_OUT)
    rejected = {path.stem for path in REJECTED.glob("*.csv")}
    assert rejected == {case.fixture for case in REFUSALS if case.fixture}


def test_canonical_fixture_is_valid_and_fills_every_table(canonical_db):
    # Every comparison below is against this database, so it must hold rows in every table.
    content = tables_in(canonical_db)
    assert set(content) == set(TABLES_BY_NAME) | DERIVED
    assert all(content.values())


@pytest.mark.parametrize("case", sorted(TOLERATED_CASES))
def test_tolerated_file_builds_the_canonical_content(tmp_path, canonical_db, case):
    # What people's tools write must mean exactly what the canonical file means.
    data = with_fixture(tmp_path, TOLERATED / f"{case}.csv")
    assert tables_in(build(data)) == tables_in(canonical_db)


@pytest.mark.parametrize("case", sorted(OPTIONAL_LEFT_OUT))
def test_optional_columns_left_out_load_as_empty(tmp_path, canonical_db, case):
    # A column the plan does not use may be left out; it then reads as empty, nothing else changes.
    table, columns = OPTIONAL_LEFT_OUT[case]
    db_path = build(with_fixture(tmp_path, TOLERATED / f"{case}.csv"))
    assert rows_without(db_path, table, columns) == rows_without(canonical_db, table, columns)
    with database.reader(db_path) as con:
        empty = " AND ".join(f"{name} IS NULL" for name in columns)
        assert con.execute(f"SELECT count(*) FROM {table} WHERE NOT ({empty})").fetchone() == (0,)  # noqa: S608


def test_tolerated_files_are_read_with_the_expected_encoding_and_delimiter(tmp_path):
    # The dialect guessing is what the tolerance rests on: pin what each Excel output is read as.
    expected = {
        "activities--utf16_tab": ("utf-16", "\t"),
        "activities--cp1252": ("cp1252", ","),
        "activities--semicolon": ("utf-8", ";"),
        "targets--utf8_bom": ("utf-8-sig", ","),
        "outcomes--excel_sep_line": ("utf-8", ";"),
        "outcomes--cp1252": ("cp1252", ";"),
    }
    for case, dialect in expected.items():
        report = database.validate(with_fixture(tmp_path / case, TOLERATED / f"{case}.csv"))
        table = case.split("--")[0]
        assert [(f.encoding, f.delimiter) for f in report.files if f.table == table] == [dialect], case


# The most important promise: any sample plan saved by a Spanish-locale Excel loads unchanged.


def _excel_es_amount(text: str, thousands: bool) -> str:
    integer, _, decimals = text.partition(".")
    if thousands:
        integer = f"{int(integer):,}".replace(",", ".")
    return integer + ("," + decimals if decimals else "")


def _excel_es_date(text: str) -> str:
    year, month, day = text.split("-")
    return f"{day}-{month}-{year}"


def as_spanish_excel(canonical: bytes, table: str, thousands: bool) -> bytes:
    """The file as Excel in a Chilean locale saves it: Windows-1252, `;`, CRLF, decimal comma
    (with or without thousands dots), dd-mm-yyyy dates."""
    column_kinds = kinds(TABLES_BY_NAME[table])
    header, *rows = csv.reader(io.StringIO(canonical.decode("utf-8"), newline=""))
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        cells = []
        for name, cell in zip(header, row, strict=True):
            kind = column_kinds[name]
            if cell and kind.name == "money":
                cell = _excel_es_amount(cell, thousands)
            elif cell and kind.name == "count" and kind.high is None:  # not years and months
                cell = _excel_es_amount(cell, thousands)
            elif cell and kind.name == "date":
                cell = _excel_es_date(cell)
            cells.append(cell)
        writer.writerow(cells)
    return out.getvalue().encode("cp1252")


def test_every_sample_csv_saved_with_semicolons_and_decimal_points_builds_the_same_database(tmp_path):
    # What a spreadsheet in an English locale writes when told to use `;`: the amounts decide their mark.
    original, english = tmp_path / "original", tmp_path / "english"
    shutil.copytree(SAMPLE_DATA, original, ignore=shutil.ignore_patterns("*.duckdb*"))
    shutil.copytree(SAMPLE_DATA, english, ignore=shutil.ignore_patterns("*.duckdb*"))
    for path in english.glob("*/*.csv"):
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        out = io.StringIO(newline="")
        csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8", newline="")
    outcomes = (english / "prochile-atacama-2021" / "outcomes.csv").read_text(encoding="utf-8")
    assert ";1448751861.26;" in outcomes  # the issue's line: `;` and a decimal point
    report = database.build(english, english / "plan.duckdb", derive=outlook.derive)
    assert {f.delimiter for f in report.files} == {";"}
    assert tables_in(english / "plan.duckdb") == tables_in(build(original))


@pytest.mark.parametrize("thousands", [False, True], ids=["1500000,50", "1.500.000,50"])
def test_every_sample_csv_saved_by_spanish_excel_builds_the_same_database(tmp_path, thousands):
    # Directors edit these files in Excel on Spanish Windows; saving must never change the plan.
    original = tmp_path / "original"
    excel = tmp_path / "excel"
    shutil.copytree(SAMPLE_DATA, original, ignore=shutil.ignore_patterns("*.duckdb*"))
    shutil.copytree(SAMPLE_DATA, excel, ignore=shutil.ignore_patterns("*.duckdb*"))
    converted = list(excel.glob("*/*.csv"))
    assert len(converted) >= 9
    for path in converted:
        path.write_bytes(as_spanish_excel(path.read_bytes(), path.stem, thousands))
    expected = tables_in(build(original))
    report = database.build(excel, excel / "plan.duckdb", derive=outlook.derive)
    assert tables_in(excel / "plan.duckdb") == expected
    assert all(rows for rows in expected.values())
    # The copies really were read as Windows-1252 with `;` (pure-ASCII files are valid UTF-8 too).
    assert {f.delimiter for f in report.files} == {";"}
    assert "cp1252" in {f.encoding for f in report.files}


# ----------------------------------------------------------------------------- rejected


@dataclass(frozen=True)
class Refusal:
    """A rejected input and what its one message must say."""

    name: str
    line: int
    column: str  # the header as written, "" for a whole row or file
    code: str
    value: str | None  # quoted in both languages (None: the problem has no single value)
    why: str
    table: str = "activities"
    also: tuple[str, ...] = ()  # more text both messages show
    es: tuple[str, ...] = ()
    en: tuple[str, ...] = ()
    fixture: str = ""  # file under rejected/ replacing <table>.csv
    files: dict = field(default_factory=dict)  # or: file name -> Path (copied) or None (removed)
    max_bytes: int = csv_reader.DEFAULT_MAX_BYTES


def refused(fixture: str, line: int, column: str, code: str, value: str | None, why: str, **kwargs) -> Refusal:
    return Refusal(fixture, line, column, code, value, why, table=fixture.split("--")[0], fixture=fixture, **kwargs)


REFUSALS = [
    refused("activities--enum_unknown", 5, "modality", "enum_unknown", "semipresencial",
            "a value outside the list; the message must list what is allowed",
            es=("Virtual, Presencial, Híbrida",), en=("Virtual, In person, Hybrid",)),
    refused("activities--date_impossible", 3, "planned_start", "date_impossible", "31-02-2021",
            "a date that does not exist must not roll over to March"),
    refused("activities--date_two_digit_year", 6, "planned_start", "date_two_digit_year", "15/03/21",
            "15/03/21 could be 1921 or 2021 (DuckDB reads it as 2015-03-21)"),
    refused("activities--date_excel_serial", 5, "planned_end", "date_excel_serial", "44482",
            "a date column that lost its format shows Excel's serial number"),
    refused("activities--column_missing", 1, "title", "column_missing", "title",
            "a required column deleted in the spreadsheet"),
    refused("activities--column_unknown", 1, "responsable", "column_unknown", "responsable",
            "an extra column would be silently ignored; the plan has no place for it",
            also=("planned_start",)),
    refused("activities--duplicate_id", 6, "id", "duplicate_id", "ATA-21-03",
            "a copied row keeps its id; the message names both lines", es=("línea 4",), en=("line 4",)),
    refused("activities--ragged_too_many", 5, "", "row_ragged", None,
            "an unquoted comma in a title shifts every cell after it", also=("24", "23")),
    refused("activities--ragged_too_few", 5, "", "row_ragged", None,
            "a row cut short would shift values into the wrong columns", also=("21", "23")),
    refused("activities--nan", 2, "budget_usd", "number_excel_error", "NaN", "pandas writes NaN for empty"),
    refused("activities--inf", 5, "budget_usd", "number_excel_error", "inf", "a division by zero exported"),
    refused("activities--excel_na", 4, "spent_usd", "number_excel_error", "#N/A", "an English Excel lookup error"),
    refused("activities--excel_valor", 2, "deals_closed_usd", "number_excel_error", "#¡VALOR!",
            "a Spanish Excel formula error, in a cp1252 ; file"),
    refused("activities--amount_free_text", 3, "budget_usd", "number_invalid", "US$ 1,5 millones",
            "an amount written in words"),
    refused("activities--amount_negative", 6, "spent_usd", "number_negative", "-1500.00",
            "spending cannot be negative"),
    refused("activities--amount_three_decimals", 4, "budget_usd", "number_too_many_decimals", "20000.125",
            "more than cents is a typo or a thousands mix-up"),
    refused("activities--ambiguous_thousands_tab", 3, "budget_usd", "number_ambiguous", "1.500",
            "in a tab file whose other amounts show no decimal mark, 1.500 could be one and a half or fifteen "
            "hundred"),
    refused("activities--end_before_start", 5, "planned_end", "end_before_start", "2021-09-13",
            "an end before the start is a typo in one of them", also=("2021-10-09",)),
    refused("activities--actual_dates_on_planned", 3, "actual_start", "actual_dates_not_started", None,
            "a planned activity cannot have happened already", es=("Planificada",), en=("Planned",)),
    refused("activities--meetings_held_over_requested", 4, "meetings_held", "held_over_requested", "62",
            "more meetings held than requested is a typo", also=("50",)),
    refused("activities--campaign_unknown", 3, "campaign_id", "reference_unknown", "PIS-21-09",
            "a pisco campaign id that pisco_campaigns.csv does not have", also=("pisco_campaigns.csv",)),
    refused("activities--unclosed_quote", 4, "", "quote_malformed", None,
            "an unclosed quote swallows the rest of the file"),
    refused("activities--nul_bytes", 3, "", "file_binary", None, "a file damaged by NUL bytes"),
    refused("activities--xlsx_renamed", 1, "", "file_binary", None, "an Excel workbook renamed to .csv"),
    refused("activities--pdf_renamed", 10, "", "file_binary", None, "a PDF renamed to .csv"),
    refused("activities--empty", 1, "", "file_empty", None, "a file emptied by mistake"),
    refused("targets--header_only", 1, "", "file_header_only", None, "a header with no rows: delete the file instead"),
    refused("plan--two_rows", 2, "", "plan_rows", None, "plan.csv describes one plan", also=("2",)),
    refused("outcomes--enum_unknown", 7, "metric", "enum_unknown", "ventas", "a metric the dashboard does not know",
            es=("Exportaciones (US$)",), en=("Exports (US$)",)),
    refused("outcomes--metric_not_allowed", 7, "metric", "enum_unknown", "activities_done",
            "a metric computed from activities would be counted twice"),
    refused("outcomes--month_out_of_range", 4, "month", "number_out_of_range", "13", "there is no month 13",
            also=("12",)),
    refused("outcomes--month_not_a_number", 4, "month", "number_invalid", "junio",
            "a month in words; the SQL path once loaded such a cell as an empty month"),
    refused("outcomes--country_unknown", 3, "market", "country_unknown", "Atlántida", "not a country"),
    refused("outcomes--nan", 4, "value", "number_excel_error", "NaN", "pandas writes NaN for empty"),
    refused("outcomes--inf", 4, "value", "number_excel_error", "inf", "a division by zero exported"),
    refused("outcomes--excel_na", 6, "value", "number_excel_error", "#N/A", "an Excel lookup error"),
    refused("outcomes--amount_free_text", 3, "value", "number_invalid", "US$ 1,5 millones", "an amount in words"),
    refused("outcomes--amount_negative", 3, "value", "number_negative", "-2527500000.00", "exports are >= 0"),
    refused("outcomes--amount_three_decimals", 3, "value", "number_too_many_decimals", "2527500000.125",
            "more than cents"),
    refused("outcomes--duplicate_key", 3, "metric", "duplicate_key", "exports_usd / 2020",
            "the same figure twice (here once with names, once with codes) would be added up",
            also=("GBR", "fresh_fruit"), es=("línea 2",), en=("line 2",)),
    refused("outcomes--activity_unknown", 6, "activity_id", "reference_unknown", "ATA-21-99",
            "a figure for an activity that activities.csv does not have", also=("activities.csv",)),
    refused("outcomes--ragged_row", 7, "", "row_ragged", None, "extra cells in one row", also=("11", "9")),
    refused("outcomes--unclosed_quote", 6, "", "quote_malformed", None, "an unclosed quote"),
    refused("outcomes--quote_then_space", 6, "", "quote_malformed", None,
            "a space after a closing quote: Python's csv refuses it, DuckDB would read it"),
    Refusal("file over max_bytes", 1, "", "file_too_large", "1280", "a file too big to be a plan is refused unread",
            also=("1000",), max_bytes=1000),
    Refusal("unknown file name", 1, "", "file_unknown", "actividades.csv",
            "a misnamed file would be silently ignored", table="actividades", also=("activities.csv",),
            files={"actividades.csv": CANONICAL / "activities.csv"}),
    Refusal("plan.csv missing", 1, "", "file_missing", "plan.csv", "every plan folder needs plan.csv",
            table="plan", files={"plan.csv": None}),
    Refusal("activities.csv missing", 1, "", "file_missing", "activities.csv",
            "every plan folder needs activities.csv", files={"activities.csv": None}),
]
OUTCOME_ROW_REFUSALS = [case for case in REFUSALS if case.fixture.startswith("outcomes--")]


@pytest.mark.parametrize("case", REFUSALS, ids=lambda case: case.name)
def test_rejected_input_is_reported_in_both_languages_and_changes_nothing(tmp_path, built_plan, case):
    # The rule for bad input: one clear message naming file, line, column and value, in the
    # user's language, and the CSVs and the last good database left byte-identical.
    data = tmp_path / "data"
    shutil.copytree(built_plan, data)
    db_path = data / "plan.duckdb"
    files = {case.table + ".csv": REJECTED / f"{case.fixture}.csv"} if case.fixture else case.files
    for name, content in files.items():
        if content is None:
            (data / PLAN_ID / name).unlink()
        else:
            shutil.copyfile(content, data / PLAN_ID / name)
    before = snapshot(tmp_path)
    with pytest.raises(PlanInvalid) as raised:
        database.build(data, db_path, max_bytes=case.max_bytes, derive=outlook.derive)
    assert snapshot(tmp_path) == before
    invalid = raised.value
    assert where(invalid.issues) == [(shown(case.table), case.line, case.column, case.code)]
    for lang, extra in (("es", case.es), ("en", case.en)):
        rendered = invalid.render(lang)
        assert rendered.startswith(f"{shown(case.table)}:{case.line}:{case.column or '-'}: "), rendered
        for text in ((case.value,) if case.value else ()) + case.also + extra:
            assert text in rendered, (lang, text, rendered)
        assert "{" not in rendered
    assert invalid.render("es") != invalid.render("en")


def test_several_errors_in_several_files_are_all_reported_at_once_sorted(tmp_path):
    # Fixing one error per build would take a director a dozen round trips; and a row that
    # points at a refused row must not be blamed for that row's problem.
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "several_errors", data)
    with pytest.raises(PlanInvalid) as raised:
        database.validate(data)
    activities, outcomes = shown("activities"), shown("outcomes")
    assert where(raised.value.issues) == [
        (activities, 2, "budget_usd", "number_excel_error"),
        (activities, 3, "campaign_id", "reference_unknown"),
        (activities, 5, "modality", "enum_unknown"),
        (activities, 6, "planned_start", "date_two_digit_year"),
        (shown("notas"), 1, "", "file_unknown"),
        (outcomes, 3, "metric", "duplicate_key"),
        (outcomes, 4, "value", "number_excel_error"),
        (shown("pisco_campaigns"), 3, "planned_end", "end_before_start"),
        (shown("targets"), 3, "target", "number_negative"),
        (shown("plan", "coquimbo-2022"), 2, "year", "number_out_of_range"),
    ]
    lines = raised.value.render("en").splitlines()
    assert len(lines) == 10 and lines[0].startswith(f"{activities}:2:budget_usd: 'NaN'")


# ----------------------------------------------------------------------------- the bulk path

BIG_ROWS = 5_000  # several DuckDB vectors (2,048 rows), still quick for the Python fallback


def with_valid_rows_first(fixture: Path, count: int = BIG_ROWS) -> tuple[bytes, int]:
    """The fixture with `count` valid outcome rows inserted right after its header, in its own
    encoding, delimiter and line ending: its bad rows now come at the end of a big file."""
    opened = csv_reader.open_csv(fixture, OUTCOMES, fixture.name)
    assert isinstance(opened, csv_reader.CsvFile), opened
    lines = io.StringIO(opened.text, newline="").readlines()
    header = lines[opened.header_line - 1]
    newline = header[len(header.rstrip("\r\n")):]
    d = opened.delimiter
    markets = ("CHN", "JPN", "KOR", "IND", "BRA", "DEU", "ESP", "MEX", "COL", "ARG")
    extra = [f"exports_usd{d}{1990 + n // 120}{d}{n // 10 % 12 + 1}{d}{markets[n % 10]}{d}{d}mining{d}{d}"
             f"{1000 + n}{d}ilustrativo{newline}" for n in range(count)]
    text = "".join(lines[:opened.header_line] + extra + lines[opened.header_line:])
    return text.encode(opened.encoding), count  # utf-8-sig and utf-16 write their BOM back


def shifted(issue: Issue, rows: int) -> Issue:
    """Where an issue moves when `rows` rows are inserted after the header (line 1)."""
    params = dict(issue.params)
    if "other_line" in params:
        params["other_line"] += rows
    return replace(issue, line=issue.line + rows if issue.line > 1 else issue.line, params=params)


def outcome_answers(monkeypatch) -> list:
    """What DuckDB's bulk load answers for outcomes files from now on (the plan's other bulk file, firm_exports.csv,
    is loaded apart and not recorded)."""
    answers, real_load = [], sql_reader.load

    def recorded(con, files):
        answer = real_load(con, files)
        if files[0][0].table is OUTCOMES:
            answers.append(answer)
        return answer

    monkeypatch.setattr(sql_reader, "load", recorded)
    return answers


@pytest.mark.parametrize("case", OUTCOME_ROW_REFUSALS, ids=lambda case: case.name)
def test_rejected_outcomes_give_the_same_issues_in_a_big_file(tmp_path, monkeypatch, case):
    # DuckDB judges big outcome files; whatever it doubts must be judged again by the Python
    # validator, so the messages are the same whether the bad row is alone or after 5,000 good ones.
    fixture = REJECTED / f"{case.fixture}.csv"
    small = issues_of(with_fixture(tmp_path / "small", fixture))
    big_bytes, added = with_valid_rows_first(fixture)
    answers = outcome_answers(monkeypatch)
    big = issues_of(plan_folder(tmp_path / "big", {"outcomes.csv": big_bytes}))
    expected = [shifted(issue, added) for issue in small]
    assert where(big) == where(expected)
    assert [issue.render("es") for issue in big] == [issue.render("es") for issue in expected]
    # How the big file reached Python: DuckDB doubted it, or loaded it and the key and reference
    # check sent it back, or (quotes it reads unlike Python's csv) it never went to DuckDB.
    if case.code in ("duplicate_key", "reference_unknown"):
        assert answers == [{PLAN_ID: added + 6}]
    else:
        assert answers == ([] if case.fixture == "outcomes--quote_then_space" else [None])


# fixture -> whether DuckDB itself takes it (if not, Python judges the file, with the same result)
OUTCOME_VARIANTS = {
    "outcomes--semicolon_decimal_comma": True,
    "outcomes--thousands_dots": True,
    "outcomes--cp1252": True,
    "outcomes--utf8_bom": True,
    "outcomes--blank_rows": True,
    "outcomes--trailing_empty_columns": True,
    "outcomes--spanish_headers": True,
    "outcomes--english_headers": True,
    "outcomes--columns_reordered": True,
    "outcomes--optional_columns_missing": True,
    "outcomes--excel_sep_line": True,
    "outcomes--country_names": True,
    "outcomes--cells_with_blanks": False,  # a text ending in a tab or newline is left to Python
    "outcomes--pandas_floats": False,  # 6.0 is a month for Python only (the SQL once loaded it as empty)
}


@pytest.mark.parametrize("case", sorted(OUTCOME_VARIANTS))
def test_tolerated_outcomes_load_the_same_rows_by_sql_and_by_python(tmp_path, canonical_db, monkeypatch, case):
    # The SQL path is only a faster way to the Python validator's answer: both must load the
    # canonical rows, and clean files must really take the fast path.
    left_out = OPTIONAL_LEFT_OUT.get(case, ("outcomes", ()))[1]
    expected = rows_without(canonical_db, "outcomes", left_out)
    answers = outcome_answers(monkeypatch)
    data = with_fixture(tmp_path, TOLERATED / f"{case}.csv")
    exclude = f" EXCLUDE ({', '.join(left_out)})" if left_out else ""
    for path in ("sql", "python"):
        con = duckdb.connect(":memory:")
        loader.load_data_dir(con, data)
        assert con.execute(f"SELECT *{exclude} FROM outcomes ORDER BY ALL").fetchall() == expected, path  # noqa: S608
        con.close()
        monkeypatch.setattr(sql_reader, "supports", lambda csv_file: False)
    assert len(answers) == 1 and (answers[0] is not None) is OUTCOME_VARIANTS[case]


def open_outcomes(path: Path, content: bytes | str) -> csv_reader.CsvFile:
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    opened = csv_reader.open_csv(path, OUTCOMES, path.name)
    assert isinstance(opened, csv_reader.CsvFile), opened
    return opened


def outcome_tables() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    loader.create_tables(con, [OUTCOMES])
    return con


def test_bulk_load_counts_the_rows_of_clean_files(tmp_path, canonical_db):
    # The fast path must load clean files whole, including several plans in one scan.
    first = open_outcomes(tmp_path / "a.csv", (CANONICAL / "outcomes.csv").read_bytes())
    second = open_outcomes(tmp_path / "b.csv", (TOLERATED / "outcomes--english_headers.csv").read_bytes())
    assert sql_reader.supports(first) and sql_reader.supports(second)
    con = outcome_tables()
    assert sql_reader.load(con, [(first, PLAN_ID)]) == {PLAN_ID: 6}
    assert con.execute("SELECT * FROM outcomes ORDER BY ALL").fetchall() == tables_in(canonical_db)["outcomes"]
    con = outcome_tables()
    assert sql_reader.load(con, [(first, "one"), (second, "two")]) == {"one": 6, "two": 6}


DOUBTFUL_BUT_VALID = {
    "US$ 1.500 amount": "exports_usd;2021;;GBR;;;;US$ 1.500;x",
    "thousands dot in a count": "meetings_held;2.021;;;;;;96;x",
    "no-break space in a sector": "exports_usd;2021;;GBR;;fruta\u00a0fresca;;5;x",
    "full-width country": "exports_usd;2021;;ＧＢＲ;;;;5;x",
    "decimal count": "new_exporters;2021,00;;;;;;9;x",
}


def test_bulk_load_of_a_large_file_fits_in_a_small_memory_limit(tmp_path):
    # DuckDB guessed a few dozen rows for the file and built the alias joins' hash tables from its rows: a
    # 20 MB file needed over 200 MB (4 GB for 200 MB) and, under the limit plans are checked with, failed,
    # sending the file to the Python validator (2 KB and 30 us a row).
    outcomes = plan_at_size(tmp_path / "data", 20_000_000)
    opened = csv_reader.open_csv(outcomes, OUTCOMES, "outcomes.csv")
    with tempfile.TemporaryDirectory() as spill, duckdb.connect(config={
            "memory_limit": "128MB", "threads": 2, "temp_directory": spill}) as con:
        loader.create_tables(con, [OUTCOMES])
        assert sql_reader.load(con, [(opened, PLAN_ID)]) == {PLAN_ID: outcomes.read_bytes().count(b"\n") - 1}


@pytest.mark.parametrize("row", list(DOUBTFUL_BUT_VALID.values()), ids=list(DOUBTFUL_BUT_VALID))
def test_bulk_load_returns_none_for_cells_it_cannot_judge_which_python_accepts(tmp_path, row):
    # The SQL matches only the plainest spellings; anything else is Python's to judge, and here
    # Python accepts: the fast path must step aside, not refuse and not guess.
    header = "metric;year;month;market;origin_country;sector;activity_id;value;source\n"
    opened = open_outcomes(tmp_path / "outcomes.csv", header + row + "\n")
    con = outcome_tables()
    assert sql_reader.load(con, [(opened, PLAN_ID)]) is None
    assert con.execute("SELECT count(*) FROM outcomes").fetchone() == (0,)
    rows, issues = loader.check_rows(opened, {"activities": set()})
    assert issues == [] and len(rows) == 1


@pytest.mark.parametrize("case", [case for case in OUTCOME_ROW_REFUSALS if case.code not in
                                  ("duplicate_key", "reference_unknown")], ids=lambda case: case.name)
def test_bulk_load_returns_none_and_inserts_nothing_for_rejected_rows(tmp_path, case):
    # A doubtful file must leave no row behind, also when it shares the scan with a clean one.
    clean = open_outcomes(tmp_path / "clean.csv", (CANONICAL / "outcomes.csv").read_bytes())
    bad = open_outcomes(tmp_path / "bad.csv", (REJECTED / f"{case.fixture}.csv").read_bytes())
    if not sql_reader.supports(bad):  # quotes DuckDB reads unlike Python's csv never reach it
        assert case.fixture == "outcomes--quote_then_space"
        return
    con = outcome_tables()
    assert sql_reader.load(con, [(bad, "bad")]) is None
    assert sql_reader.load(con, [(clean, "clean"), (bad, "bad")]) is None
    assert con.execute("SELECT count(*) FROM outcomes").fetchone() == (0,)


def test_bulk_load_leaves_keys_and_references_to_the_later_check(tmp_path):
    # Repeated keys and unknown activities are checked once for all plans after loading
    # (`plans_breaking_rules`), which sends those plans back to Python for line numbers.
    con = outcome_tables()
    loader.create_tables(con, [ACTIVITIES])
    activities = csv_reader.open_csv(CANONICAL / "activities.csv", ACTIVITIES, "activities.csv")
    rows, issues = loader.check_rows(activities, {"pisco_campaigns": {"PIS-21-01", "PIS-21-02"}})
    assert issues == []
    plans = {"clean": CANONICAL / "outcomes.csv"} | {case: REJECTED / f"{case}.csv" for case in
                                                      ("outcomes--duplicate_key", "outcomes--activity_unknown")}
    for plan_id, path in plans.items():
        con.register("activity_rows", to_arrow(ACTIVITIES, plan_id, [row.value for row in rows]))
        con.execute("INSERT INTO activities SELECT * FROM activity_rows")
        con.unregister("activity_rows")
        opened = open_outcomes(tmp_path / path.name, path.read_bytes())
        assert sql_reader.load(con, [(opened, plan_id)]) == {plan_id: 6}
    assert sql_reader.plans_breaking_rules(con, OUTCOMES) == {"outcomes--duplicate_key", "outcomes--activity_unknown"}


@pytest.mark.parametrize("content", [
    "metric,year,month,market,origin_country,sector,activity_id,value,source\n",
    "metric;year;month;market;origin_country;sector;activity_id;value;source\r\n;;;;;;;;\r\n\r\n",
], ids=["header only", "only empty rows"])
def test_bulk_load_returns_none_for_a_file_without_rows(tmp_path, content):
    # No rows is an error only Python can word ("add rows or delete the file").
    opened = open_outcomes(tmp_path / "outcomes.csv", content)
    assert sql_reader.load(outcome_tables(), [(opened, PLAN_ID)]) is None


BLANK_EDGES = {
    "tab": ('"ilustrativo\t"', False), "newline": ('"ilustrativo\n"', False), "tab only": ('"\t"', False),
    "line separator": ("ilustrativo\u2028", False), "no-break space": ("ilustrativo\u00a0", True),
    "em space": ("\u2003ilustrativo", True), "space": ('"ilustrativo "', True),
}


@pytest.mark.parametrize("name", list(BLANK_EDGES))
def test_bulk_load_trims_cells_like_the_python_validator_or_steps_aside(tmp_path, name):
    # Python strips every kind of blank (Excel's Alt+Enter leaves a newline); DuckDB's trim() only
    # strips space separators, so a text with other blanks at its ends must go to Python, or the two
    # paths would store different text.
    cell, fast = BLANK_EDGES[name]
    text = "metric,year,month,market,origin_country,sector,activity_id,value,source\n"
    opened = open_outcomes(tmp_path / "outcomes.csv", f"{text}exports_usd,2021,,GBR,,,,5,{cell}\n")
    con = outcome_tables()
    counts = sql_reader.load(con, [(opened, PLAN_ID)])
    assert (counts is not None) is fast
    rows, issues = loader.check_rows(opened, {})
    assert issues == []
    if fast:
        assert con.execute("SELECT source FROM outcomes").fetchone() == (rows[0].value.source,)


@pytest.mark.parametrize("row", [
    'exports_usd,2021,,GBR,,,,5, "ilustrativo"',
    'exports_usd,2021,,GBR,,,,5,"ilustrativo" ',
    'exports_usd,2021,,GBR,,,,5,"ilustrativo" "2021"',
    'exports_usd,2021,,GBR,,,, "5,5",x',
], ids=["space before quote", "space after quote", "two quoted parts", "quoted number after a space"])
def test_bulk_path_leaves_quotes_next_to_blanks_to_python(tmp_path, row):
    # DuckDB reads `, "a"` as `a` and accepts `"a" ` and `"a" "b"`, where Python's csv keeps the
    # quotes or refuses the row: such files must not take the SQL path at all.
    text = "metric,year,month,market,origin_country,sector,activity_id,value,source\n" + row + "\n"
    opened = open_outcomes(tmp_path / "outcomes.csv", text)
    assert not sql_reader.supports(opened)


# Random amounts: the SQL twin of parse_decimal must never disagree with it.

STYLES = {
    "1500000,5": (DecimalMark.COMMA, False),
    "1.500.000,5": (DecimalMark.COMMA, True),
    "1500000.5": (DecimalMark.POINT, False),
    "1,500,000.5": (DecimalMark.POINT, True),
}


def formatted(value: Decimal, decimals: int, style: str) -> str:
    mark, thousands = STYLES[style]
    integer, _, fraction = f"{value:.{decimals}f}".partition(".")
    group, point = (".", ",") if mark is DecimalMark.COMMA else (",", ".")
    if thousands:
        integer = f"{int(integer):,}".replace(",", group)
    return integer + (point + fraction if fraction else "")


@pytest.fixture(scope="module")
def outcomes_con():
    con = outcome_tables()
    yield con
    con.close()


def sql_value(con, folder: Path, cell: str, mark: DecimalMark) -> Decimal | None:
    """The value the SQL path loads for one outcomes row holding `cell`, or None if it steps aside."""
    d = ";" if mark is DecimalMark.COMMA else ","
    quoted = f'"{cell}"' if d in cell or '"' in cell else cell
    header = d.join(["metric", "year", "value"])
    opened = open_outcomes(folder / "outcomes.csv", f"{header}\nexports_usd{d}2021{d}{quoted}\n")
    if not sql_reader.supports(opened):
        return None
    con.execute("DELETE FROM outcomes")
    if sql_reader.load(con, [(opened, PLAN_ID)]) is None:
        return None
    return con.execute("SELECT value FROM outcomes").fetchone()[0]


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(integer=st.integers(0, 10**15 - 1), cents=st.integers(0, 99), decimals=st.sampled_from([0, 1, 2]),
       style=st.sampled_from(sorted(STYLES)))
def test_sql_amounts_agree_with_parse_decimal(tmp_path_factory, outcomes_con, integer, cents, decimals, style):
    # Plain amounts in each Excel style: the SQL path takes them and reads the same value.
    value = Decimal(integer) + Decimal(cents).scaleb(-2)
    value = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_DOWN)
    cell = formatted(value, decimals, style)
    mark = STYLES[style][0]
    assert parse_decimal(cell, mark) == value
    assert sql_value(outcomes_con, tmp_path_factory.mktemp("amount"), cell, mark) == value


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cell=st.text(alphabet="0123456789.,- $US", min_size=1, max_size=14),
       mark=st.sampled_from([DecimalMark.COMMA, DecimalMark.POINT]))
def test_sql_path_accepts_no_amount_that_parse_decimal_reads_otherwise(tmp_path_factory, outcomes_con, cell, mark):
    # Whatever odd text the SQL path accepts, the Python parser must read the very same amount.
    loaded = sql_value(outcomes_con, tmp_path_factory.mktemp("text"), cell, mark)
    if loaded is not None:
        try:
            expected = parse_decimal(cell, mark)
        except ParseError as error:
            pytest.fail(f"SQL loaded {cell!r} as {loaded}, Python refuses it: {error.code}")
        assert loaded == expected


def test_utf16_fixture_is_what_excel_unicode_text_writes():
    # Guard the fixture itself: a re-save by an editor would silently turn it into UTF-8.
    raw = (TOLERATED / "activities--utf16_tab.csv").read_bytes()
    assert raw.startswith(codecs.BOM_UTF16_LE) and b"\t\x00" in raw and b"\r\x00\n\x00" in raw
