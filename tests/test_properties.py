"""Property-based tests (hypothesis): what the app writes reads back identical, and any bytes given
as a plan CSV either validate or give located errors, changing nothing when refused.

    valid rows (drawn from each model's column kinds, enums and rules, in the spellings people use)
        -> editor saves (editing.apply + editing.save, in the file's own dialect) -> load and build: same values
        -> downloads (table_csv both dialects, xlsx_bytes -> xlsx_to_csv)         -> parse_version: same values
    bytes (random, near-CSV text in many encodings and dialects, damaged sample files)
        -> parse_version, check, save, build, ensure: valid, or issues with a plan file, a line and a
           message in es and en; the editor's check and the build agree; after a refusal every file
           (CSVs, database, history) is byte-identical

Profiles: "ci" (the default: fixed seed, moderate example counts, the file runs in well under a minute)
and "full" (20 times the examples, a new random seed each run):

    HYPOTHESIS_PROFILE=full .venv/bin/python -m pytest -p no:cacheprovider -s tests/test_properties.py
"""

import csv
import datetime as dt
import io
import os
import shutil
import tempfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pycountry
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from plan import outlook
from plan.data import database
from plan.data.csv_writer import cell_text
from plan.data.history import sha256
from plan.data.loader import LOAD_ORDER
from plan.data.store import FolderStore
from plan.edit import editing, editor_display, workbooks
from plan.edit.downloads import table_csv
from plan.model.issues import Issue, PlanInvalid
from plan.model.models import (
    ACTIVITIES,
    FIRM_EXPORTS,
    OUTCOMES,
    PARTICIPANTS,
    PISCO_CAMPAIGNS,
    PLAN,
    STARTED,
    TABLES,
    TABLES_BY_NAME,
    TARGETS,
    Status,
    Table,
)
from plan.model.schema import kind_of, to_arrow
from tests.conftest import SAMPLE_DATA
from tests.test_editing import ATACAMA, snapshot

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
SCALE = {"ci": 1, "full": 20}[PROFILE]


def examples(count: int) -> settings:
    """`count` examples in CI (fixed seed: the same cases every run), 20 times as many, freshly drawn, in full."""
    return settings(max_examples=count * SCALE, deadline=None, database=None, derandomize=PROFILE == "ci",
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# --- valid rows ------------------------------------------------------------------------------

COUNTRIES = sorted(country.alpha_3 for country in pycountry.countries)
CONTROL = [chr(c) for c in range(32) if chr(c) not in "\t\n\r"] + ["\x7f"]
LETTERS = st.characters(exclude_categories=("Cs",), exclude_characters=CONTROL)
# Texts a spreadsheet would run as formulas, separators, quotes, line breaks, accents, other scripts.
TRICKY_TEXTS = ["=SUM(A1)", "-5 %", "+56 9 1234 5678", "@oficina", "'citado'", '"comillas" dobles', "a,b;c|d",
                "línea 1\nlínea 2", "línea 1\r\nlínea 2", "Ñandú, café y €", "上海 · Ελλάδα", "tab\tdentro",
                "'\tcon tabulador", "   "]
MAX_MONEY = Decimal("999999999999999.99")  # 15 integer digits, 2 decimals (plan.model.parsing)
XLSX_MAX_MONEY = Decimal("9999999999999.99")  # what an .xlsx keeps exactly (15 significant digits, plan.edit.workbooks)


def texts(separators: bool = True) -> st.SearchStrategy[str]:
    """Non-blank texts; without `separators` none of `|;,` (items of a list cell)."""
    excluded = CONTROL + ([] if separators else list("|;,"))
    tricky = [text for text in TRICKY_TEXTS if not set(text) & set(excluded)]
    alphabet = st.characters(exclude_categories=("Cs",), exclude_characters=excluded)
    return (st.text(alphabet, min_size=1, max_size=30) | st.sampled_from(tricky)).filter(lambda text: text.strip())


def canonical(kind, max_money: Decimal) -> st.SearchStrategy:
    """The typed value of one column (the value the model holds after validation, up to spelling)."""
    if kind.name == "code":
        return st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._\-]{0,11}", fullmatch=True)
    if kind.name == "text":
        return texts()
    if kind.name == "money":
        return st.decimals(min_value=0, max_value=max_money, places=2)
    if kind.name == "count":
        return st.integers(kind.low, kind.high if kind.high is not None else 10**15 - 1)
    if kind.name == "date":
        return st.dates(dt.date(1900, 3, 1), dt.date(2999, 12, 31))
    if kind.name == "enum":
        return st.sampled_from([member for member in kind.enum if kind.allowed is None or member in kind.allowed])
    if kind.name == "country":
        return st.sampled_from(COUNTRIES)
    item = {"country": st.sampled_from(COUNTRIES), "text": texts(separators=False)}.get(kind.item)
    return st.lists(item if item is not None else st.sampled_from(list(kind.enum)), max_size=4)


def spelled(kind, value) -> st.SearchStrategy:
    """`value` as the editor may hold it or a person may type it: enum labels and aliases, lower-case
    country codes, a float amount (the grid's), a date as datetime or text in either order."""
    if value is None:
        return st.just(None)
    if kind.name == "list":
        item_kind = type(kind)(kind.item or "text", enum=kind.enum)
        return st.tuples(*(spelled(item_kind, item) for item in value)).map(list)
    if kind.name == "enum":
        return st.sampled_from([value, value.value, value.label_es, value.label_en, *value.aliases])
    if kind.name == "country":
        return st.sampled_from([value, value.lower()])
    if kind.name == "money" and value <= XLSX_MAX_MONEY:  # a float holds 15 significant digits exactly
        return st.sampled_from([value, float(value)])
    if kind.name == "count":
        return st.sampled_from([value, str(value)])
    if kind.name == "date":
        return st.sampled_from([value, dt.datetime.combine(value, dt.time()), value.isoformat(),
                                value.strftime("%d-%m-%Y") if value.year >= 1000 else value.isoformat()])
    return st.just(value)


def _follow_rules(table: Table, values: dict) -> dict:
    """The cross-field rules of `plan.model.models`: dates in order, actual dates only once started (end
    only when done), meetings held within those requested."""
    if table in (ACTIVITIES, PISCO_CAMPAIGNS):
        for start, end in (("planned_start", "planned_end"), ("actual_start", "actual_end")):
            if values[start] and values[end] and values[end] < values[start]:
                values[start], values[end] = values[end], values[start]
        if values["status"] not in STARTED:
            values["actual_start"] = values["actual_end"] = None
        elif values["status"] is not Status.DONE:
            values["actual_end"] = None
    if table is ACTIVITIES:
        held, requested = values["meetings_held"], values["meetings_requested"]
        if held is not None and requested is not None and held > requested:
            values["meetings_held"], values["meetings_requested"] = requested, held
    return values


@st.composite
def rows(draw, table: Table, references: dict[str, list[str]] | None = None,
         max_money: Decimal = MAX_MONEY) -> tuple[dict, dict]:
    """(canonical values, values as written into the editor) of one valid row; `references` gives the ids a
    reference column may name (none: empty, or any code when the column is required)."""
    values = {}
    for name, info in table.model.model_fields.items():
        kind = kind_of(info)
        strategy = canonical(kind, max_money)
        if name in table.references:  # a required one without ids to name (a table read alone): any code
            known = (references or {}).get(name)
            strategy = st.sampled_from(known) if known else strategy if info.is_required() else st.none()
        if not info.is_required() and kind.name != "list":
            strategy = st.none() | strategy
        values[name] = draw(strategy)
    values = _follow_rules(table, values)
    written = {name: draw(spelled(kind_of(info), values[name])) for name, info in table.model.model_fields.items()}
    return values, written


def table_rows(table: Table, references: dict[str, list[str]] | None = None, min_size: int = 0, max_size: int = 4,
               max_money: Decimal = MAX_MONEY) -> st.SearchStrategy[list[tuple[dict, dict]]]:
    """Rows of one table with unique keys (the plan table: exactly one row)."""
    if table is PLAN:
        return st.lists(rows(table, references, max_money), min_size=1, max_size=1)
    return st.lists(rows(table, references, max_money), min_size=min_size, max_size=max_size,
                    unique_by=lambda row: tuple(row[0][name] for name in table.unique))


@st.composite
def plans(draw) -> dict[str, list[tuple[dict, dict]]]:
    """A whole valid plan, by table name: references point at rows that exist; optional tables may be
    left out."""
    drawn = {"plan": draw(table_rows(PLAN)), "pisco_campaigns": draw(table_rows(PISCO_CAMPAIGNS, max_size=3))}
    campaign_ids = [values["id"] for values, _ in drawn["pisco_campaigns"]]
    drawn["activities"] = draw(table_rows(ACTIVITIES, {"campaign_id": campaign_ids}, min_size=1))
    activity_ids = [values["id"] for values, _ in drawn["activities"]]
    drawn["outcomes"] = draw(table_rows(OUTCOMES, {"activity_id": activity_ids}))
    drawn["targets"] = draw(table_rows(TARGETS, max_size=3))
    drawn["firm_exports"] = draw(table_rows(FIRM_EXPORTS, max_size=3))
    drawn["participants"] = draw(table_rows(PARTICIPANTS, {"activity_id": activity_ids}, max_size=3))
    return drawn


def validated(table: Table, drawn: list[tuple[dict, dict]]) -> list:
    """What the plan holds for these rows: each as written, validated by its model."""
    return [table.model.model_validate(written) for _, written in drawn]


# --- seed plan in a dialect ------------------------------------------------------------------

SEED = {"plan": {"office": "Oficina semilla", "agency": "ProChile", "year": 2021, "priority_markets": ["CHN"],
               "priority_sectors": ["pisco"]},
        "activities": {"id": "SEED-1", "title": "Semilla", "type": "roundtable", "modality": "virtual",
                     "status": "planned", "planned_start": "2021-01-04", "planned_end": "2021-01-05"}}
DIALECTS = ("canonical", "spanish_excel", "cp1252_semicolon")


def written_new(table: Table, rows_written: list[dict]) -> bytes:
    """A new file of `table` as the editor writes it (canonical form)."""
    return editing.apply(editing.parse_version("new", table, table.file_name, None),
                         editing.Changes(added=rows_written)).raw


def in_dialect(table: Table, raw: bytes, dialect: str) -> bytes:
    """A canonical file as the download for a Spanish Excel writes it (`;`, decimal comma, CRLF, BOM), or
    as Excel saves that again on Windows (Windows-1252, no BOM)."""
    if dialect == "canonical":
        return raw
    excel = table_csv(editor_display.download_frame(editing.parse_version("seed", table, table.file_name, raw)), True)
    return excel if dialect == "spanish_excel" else excel.decode("utf-8-sig").encode("cp1252")


def seed_plan(data: Path, dialect: str) -> None:
    folder = data / ATACAMA
    folder.mkdir(parents=True)
    for name, values in SEED.items():
        table = TABLES_BY_NAME[name]
        (folder / table.file_name).write_bytes(in_dialect(table, written_new(table, [values]), dialect))


# --- comparing ---------------------------------------------------------------------------------


def frozen(value):
    return tuple(frozen(item) for item in value) if isinstance(value, list) else value


def database_rows(db: Path, table: Table) -> Counter:
    with database.reader(db) as con:
        return Counter(tuple(frozen(v) for v in row) for row in con.execute(
            f"SELECT * EXCLUDE (plan_id) FROM {table.name}").fetchall())  # noqa: S608 - name from plan.model.models


def expected_rows(table: Table, models: list) -> Counter:
    """The database rows of `models`, typed as the database holds them (plan.model.schema)."""
    return Counter(tuple(frozen(v) for v in record.values())
                   for record in to_arrow(table, ATACAMA, models).drop(["plan_id"]).to_pylist())


# --- 1. what the app writes reads back identical -------------------------------------------


@examples(25)
@given(plan=plans(), dialect=st.sampled_from(DIALECTS))
def test_a_plan_saved_through_the_editor_reads_back_and_builds_identical(plan, dialect):
    # Every table of a drawn plan goes through the editor as a person would: the seed rows changed
    # in place (in the seed file's own dialect), the other rows added, optional files created. The
    # files must read back to exactly the validated values, in order, and build to the same rows.
    with tempfile.TemporaryDirectory(prefix="props-") as scratch:
        data = Path(scratch) / "data"
        seed_plan(data, dialect)
        history = FolderStore(data)
        saves = 0
        for table in LOAD_ORDER:
            drawn = plan[table.name]
            if not drawn:
                continue
            version = editing.load(data, ATACAMA, table)
            written = [row for _, row in drawn]
            seeded = list(version.by_key())
            changes = editing.Changes(changed={seeded[0]: written[0]}, added=written[1:]) if seeded else \
                editing.Changes(added=written)
            raw = editing.apply(version, changes).raw
            result = editing.save(data, history, ATACAMA, table, raw, version.sha, "prop")
            assert isinstance(result, editing.Saved), [i.render("en") for i in getattr(result, "issues", [])]
            saves += 1
            again = editing.load(data, ATACAMA, table)
            assert again.raw == raw and again.issues == []
            assert [row.value for row in again.rows] == validated(table, drawn)
            # Every row written again from the values read (what an edit of another column does): no value moves.
            raw = editing.apply(again, editing.Changes(changed={key: {} for key in again.by_key()})).raw
            result = editing.save(data, history, ATACAMA, table, raw, again.sha, "prop")
            assert isinstance(result, editing.Saved), [i.render("en") for i in getattr(result, "issues", [])]
            saves += 1
            assert [row.value for row in editing.load(data, ATACAMA, table).rows] == validated(table, drawn)
        logged = [v for table in TABLES for v in history.versions(ATACAMA, table.name)]
        assert len(logged) == saves
        db = Path(scratch) / "plan.duckdb"
        database.build(data, db, derive=outlook.derive)
        for table in TABLES:
            assert database_rows(db, table) == expected_rows(table, validated(table, plan[table.name]))


# What each download keeps exactly. An .xlsx keeps amounts of up to 13 integer digits
# (plan.edit.workbooks documents it).
DOWNLOADS = {"excel_csv": MAX_MONEY, "plain_csv": MAX_MONEY, "xlsx": XLSX_MAX_MONEY}


def downloaded(version: editing.TableVersion, form: str) -> bytes:
    """The table as the editor's download `form` gives it, brought back as a CSV (an .xlsx as the upload reads it)."""
    frame = editor_display.download_frame(version)
    if form == "xlsx":
        raw = workbooks.xlsx_to_csv(workbooks.xlsx_bytes(frame, version.table.name), f"{version.table.name}.xlsx")
        assert isinstance(raw, bytes), raw
        return raw
    return table_csv(frame, spanish_excel=form == "excel_csv")


@examples(40)
@given(data=st.data(), table=st.sampled_from(TABLES), form=st.sampled_from(sorted(DOWNLOADS)))
def test_a_downloaded_table_reads_back_identical(data, table, form):
    # The editor's downloads (CSV for a Spanish Excel, plain CSV, .xlsx) are meant to be edited and
    # uploaded again: read back, they must hold exactly the rows of the table.
    drawn = data.draw(table_rows(table, min_size=1, max_money=DOWNLOADS[form]))
    version = editing.parse_version(ATACAMA, table, table.file_name, written_new(table, [row for _, row in drawn]))
    assert version.issues == []
    again = editing.parse_version(ATACAMA, table, "upload", downloaded(version, form))
    assert again.issues == []
    assert [row.value for row in again.rows] == [row.value for row in version.rows] == validated(table, drawn)


CR_NOTES = {"notes": "línea 1\rlínea 2", "source": "línea 1\r\nlínea 2"}
TAB_LED_ITEM = {"partners": ["ProColombia", "'\tPROMPERU"]}


@pytest.mark.parametrize(("form", "cells"), [
    *((form, CR_NOTES) for form in sorted(DOWNLOADS)),
    *((form, TAB_LED_ITEM) for form in sorted(DOWNLOADS)),
], ids=[*(f"{form}-cr" for form in sorted(DOWNLOADS)), *(f"{form}-tab-led-item" for form in sorted(DOWNLOADS))])
def test_a_download_keeps_carriage_returns_and_tab_led_list_items(form, cells):
    # A note pasted from an old Mac or a CRLF multi-line cell holds CR; a list item can begin with a tab
    # when its cell was written `'\t...`. The editor writes both back as read (plan.data.csv_writer.csv_record,
    # plan.edit.editing); the downloads do too.
    version = editing.parse_version(ATACAMA, ACTIVITIES, "activities.csv",
                                    written_new(ACTIVITIES, [{**SEED["activities"], **cells}]))
    assert version.issues == []
    again = editing.parse_version(ATACAMA, ACTIVITIES, "upload", downloaded(version, form))
    assert again.issues == [] and [row.value for row in again.rows] == [row.value for row in version.rows]


# --- 2. any bytes given as a plan CSV ----------------------------------------------------------

SAMPLE_BYTES = {table.name: (SAMPLE_DATA / ATACAMA / table.file_name).read_bytes() for table in TABLES}
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "utf-16-le", "utf-16-be", "utf-32"]
ODD_CELLS = ['"', '""', '"abierta', 'a"b', "\x00", "\x1b", "=1+1", "1.500.000,50", "1,500,000.50", "1.500", "15/03/25",
             "#N/A", "-5", "2021-02-30", "31-12-2021", "44197", "n/a", "Reino Unido", "Narnia", "sep=;", "\ufeff",
             "\u2028", " ", "x" * 3000, "y" * 140_000, "ATA-21-01", "PIS-21-99"]  # 140 KB: past csv's field limit


def spellings(table: Table) -> list[str]:
    """Header cells the reader accepts for `table` (codes, Spanish and English labels), in odd cases too."""
    names = [spelling for name, info in table.model.model_fields.items()
             for spelling in (name, info.json_schema_extra["es"], info.json_schema_extra["en"])]
    return names + [name.upper() for name in names] + [f" {name} " for name in names]


@st.composite
def near_csv(draw, table: Table) -> bytes:
    """Text close to a plan CSV: a header of accepted, unknown, duplicate or missing columns, rows of valid
    cells with odd ones mixed in, any delimiter, quoting and line ending, maybe a `sep=` line, then encoded
    in one of many encodings and perhaps truncated or given a NUL."""
    names = list(table.model.model_fields)
    header = draw(st.just(names) | st.permutations(names) | st.lists(
        st.sampled_from(spellings(table)) | st.text(max_size=12), max_size=len(names) + 2))
    cells = st.text(max_size=20) | st.sampled_from(ODD_CELLS)
    body = []
    for _, written in draw(st.lists(rows(table), max_size=5)):
        row = [cell_text(written[name]) for name in names]
        for index, odd in draw(st.lists(st.tuples(st.integers(0, len(row)), cells), max_size=3)):
            row[index:index + 1] = [odd] if draw(st.booleans()) else [odd, ""]
        body.append(row)
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    if draw(st.booleans()):
        out = io.StringIO()
        quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]))
        csv.writer(out, delimiter=delimiter, lineterminator=ending, quoting=quoting).writerows([header, *body])
        text = out.getvalue()
    else:  # joined by hand: quotes left unbalanced, delimiters inside cells unquoted
        text = "".join(delimiter.join(map(str, row)) + ending for row in [header, *body])
    if draw(st.booleans()):
        text = f"sep={draw(st.sampled_from([',', ';', '|']))}{ending}{text}"
    raw = text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    if draw(st.booleans()):
        raw = raw[:draw(st.integers(0, len(raw)))]
    if draw(st.booleans()):
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + b"\x00" + raw[at:]
    return raw


@st.composite
def damaged(draw, raw: bytes) -> bytes:
    """`raw` with a few bytes flipped, deleted, inserted or duplicated, or cut short."""
    data = bytearray(raw)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        operation = draw(st.sampled_from(["flip", "delete", "insert", "truncate", "duplicate"]))
        if operation == "flip" and at < len(data):
            data[at] ^= draw(st.integers(1, 255))
        elif operation == "delete":
            del data[at:at + draw(st.integers(1, 200))]
        elif operation == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=20) | st.sampled_from(
                [b'"', b"\r", b"\n", b";", b",", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\xc3"]))
        elif operation == "truncate":
            del data[at:]
        else:
            data[at:at] = data[at:at + draw(st.integers(1, 300))]
    return bytes(data)


def plan_csv_bytes(table: Table) -> st.SearchStrategy[bytes]:
    """Any bytes, text close to the table's CSV, a damaged sample file, or a valid file of drawn rows (which
    may still break the plan: rows that other files of the sample point at are gone)."""
    written = st.tuples(table_rows(table, min_size=1), st.sampled_from(["canonical", "spanish_excel"])).map(
        lambda drawn: in_dialect(table, written_new(table, [row for _, row in drawn[0]]), drawn[1]))
    return st.binary(max_size=2000) | near_csv(table) | damaged(SAMPLE_BYTES[table.name]) | written


def assert_located(issues: list[Issue], files: dict[str, bytes]) -> None:
    """Each issue names a file of the plan and a line within it, and its message renders in Spanish and English."""
    for issue in issues:
        assert issue.path in files, issue
        raw = files[issue.path]
        assert 1 <= issue.line <= raw.count(b"\n") + raw.count(b"\r") + 1, issue
        for lang in ("es", "en"):
            assert issue.message(lang).strip() and issue.render(lang).startswith(f"{issue.path}:{issue.line}:")


@pytest.fixture(scope="module")
def one_plan(tmp_path_factory) -> tuple[Path, Path]:
    """A data folder named `data` holding only the Atacama sample plan (so that the editor's check, which
    looks at one plan, and the build, which looks at all, judge the same files), and its built database."""
    root = tmp_path_factory.mktemp("fuzz")
    data = root / "data"
    shutil.copytree(SAMPLE_DATA / ATACAMA, data / ATACAMA)
    database.build(data, root / "db" / "plan.duckdb", derive=outlook.derive)
    return data, root / "db" / "plan.duckdb"


@examples(60)
@given(table=st.sampled_from(TABLES), data=st.data())
def test_any_bytes_as_a_plan_csv_are_valid_or_located_errors_and_change_nothing(one_plan, table, data):
    # Whatever a person uploads or leaves on disk as a plan CSV: the reader, the editor's check, a save,
    # a build and the app's start (ensure) never raise anything but PlanInvalid; the issues name a file
    # and line of the plan and render in both languages; the check and the build agree; a refused
    # save or build leaves every file (CSVs, history, database) byte-identical, with the last good
    # database kept for the banner.
    raw = data.draw(plan_csv_bytes(table), label="raw")
    data_dir, db = one_plan
    for other in TABLES:  # each example starts from the sample (an earlier one may have saved its bytes)
        (data_dir / ATACAMA / other.file_name).write_bytes(SAMPLE_BYTES[other.name])
    path = data_dir / ATACAMA / table.file_name
    files = {f"data/{ATACAMA}/{other.file_name}": SAMPLE_BYTES[other.name] for other in TABLES}
    files[f"data/{ATACAMA}/{table.file_name}"] = raw
    version = editing.parse_version(ATACAMA, table, f"data/{ATACAMA}/{table.file_name}", raw)
    assert_located(version.issues, files)
    issues = editing.check(data_dir, ATACAMA, table, raw)
    assert_located(issues, files)
    assert issues or not version.issues  # a row's own problem is a problem of the plan
    event(f"{table.name}: {'refused' if issues else 'valid'}")  # counts shown by --hypothesis-show-statistics
    before = snapshot(data_dir.parent)
    result = editing.save(data_dir, FolderStore(data_dir), ATACAMA, table, raw, sha256(path.read_bytes()),
                          "fuzz")
    if not issues:
        assert isinstance(result, editing.Saved) and path.read_bytes() == raw
        database.build(data_dir, db, derive=outlook.derive)
        return
    assert result == editing.Rejected(issues)
    assert snapshot(data_dir.parent) == before
    path.write_bytes(raw)  # the same bytes, put in place by hand
    before = snapshot(data_dir.parent)
    with pytest.raises(PlanInvalid) as raised:
        database.build(data_dir, db, derive=outlook.derive)
    assert raised.value.issues == issues
    ready = database.ensure(data_dir, db, derive=outlook.derive)
    assert (ready.action, ready.issues) == ("kept_last_good", issues)
    assert snapshot(data_dir.parent) == before  # no half-built file left, the database untouched


def test_an_excel_sep_line_naming_an_unknown_delimiter_does_not_crash_the_reader():
    # Found by the property above in its full mode: `sep=|` crashed the reader (and so the check, the
    # build and the app's start) instead of giving an issue.
    header = "|".join(PLAN.model.model_fields)
    raw = f"sep=|\n{header}\nProChile Atacama|ProChile||2021||CHN|pisco||\n".encode()
    issues = editing.parse_version(ATACAMA, PLAN, "plan.csv", raw).issues
    assert_located(issues, {"plan.csv": raw})
    assert [(issue.line, issue.code, issue.params["value"]) for issue in issues] == [(1, "separator_unsupported", "|")]


XLSX_SAMPLE = workbooks.xlsx_bytes(editor_display.download_frame(editing.parse_version(
    ATACAMA, ACTIVITIES, "activities.csv", SAMPLE_BYTES["activities"])), "activities")


@examples(30)
@given(raw=st.binary(max_size=2000) | damaged(XLSX_SAMPLE))
def test_any_bytes_as_an_xlsx_upload_give_a_csv_or_issues(raw):
    # An upload named .xlsx may be anything: a damaged workbook or another file. It becomes a CSV
    # for the reader or issues, never an exception.
    converted = workbooks.xlsx_to_csv(raw, "activities.xlsx")
    if isinstance(converted, bytes):
        editing.parse_version(ATACAMA, ACTIVITIES, "activities.xlsx", converted)
    else:
        assert converted and all(issue.message(lang) for issue in converted for lang in ("es", "en"))
