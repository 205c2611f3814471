"""The bad-input catalog: what a person can give the plan by mistake, and what happens to it.

Five ways in: a CSV file on disk (read when the database is built), a file uploaded in the editor
(CSV or .xlsx), a cell edited in the editor's grid, a URL parameter, and an official statistics file
imported into a plan's outcomes (imported with what it left out said, or refused). Every case is tolerated (the
test checks the value that lands in the database, or the filter the page uses) or refused (the test
checks the message's file, line, column and value in Spanish and English, and that the CSVs, the
database and the edit history are byte-identical afterwards). A URL value is never an error: the page
drops it, with a notice where it can say which. Fixture files are under `tests/fixtures/bad_input/` (see its README);
`docs/bad-input.md` is generated from this catalog (`python -m tests.test_bad_input`), and a test
keeps the two equal.
"""

import shutil
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest

from plan import cli, outlook
from plan.data import database
from plan.data.store import FolderStore
from plan.edit import editing, editor_display
from plan.model import countries
from plan.model.issues import PlanInvalid
from plan.model.models import ACTIVITIES
from tests.apptest import open_page
from tests.test_csv_reading import CANONICAL, OPTIONAL_LEFT_OUT, REFUSALS, TOLERATED_CASES, snapshot, tables_in
from tests.test_page_editor import ATACAMA, button, edit, edit_tables_frame, editor_page, upload

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bad_input"
DOC = REPO / "docs" / "bad-input.md"
PLAN_ID = ATACAMA  # the canonical plan is copied under the name the editor page helpers choose
LONG_NOTE = ("Reunión con importadores de pisco en Lima; seguimiento por correo. " * 8)[:500]
ALL_COUNTRIES = sorted(set(countries.alias_table().values()))
SECRET = "clave-secreta-9"  # a password in the digest's settings: never shown
NOTICE = "Se ignoró un valor del enlace que no existe en este plan: {}. Se usa el valor por defecto."


# ----------------------------------------------------------------------------- the catalog


@dataclass(frozen=True)
class Stored:
    """A value that must land in the database: `column` of the `table` row whose `where` column is `key`."""

    table: str
    where: str
    key: str
    column: str
    value: object


@dataclass(frozen=True)
class Tolerated:
    note: str  # the normalization, as the document states it
    stored: tuple[Stored, ...] = ()


@dataclass(frozen=True)
class Rejected:
    """The first message listed (issues are sorted by file, line and column) and how many there are."""

    line: int
    column: str  # as the file's header writes it; "" for a whole row or file
    code: str
    value: str | None  # must be quoted in both languages (None: the problem has no single value)
    es: str  # the Spanish message, whole
    issues: int = 1


@dataclass(frozen=True)
class Reported:
    """An official statistics file imported, with lines left out or codes not known said in the preview (its
    Spanish lines, each shown as written) and the rows it must leave in outcomes (market -> US$)."""

    note: str
    es: tuple[str, ...]
    exports: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Ignored:
    """A URL value the page drops, saying so in the sidebar."""

    code: str
    es: tuple[str, ...]  # every notice, in Spanish
    values: tuple[str, ...] = ()  # what the notices quote, in both languages


@dataclass(frozen=True)
class Case:
    id: str
    entry: str  # "csv", "upload", "edit", "url", "import" or "digest"
    given: str  # the input, in words
    outcome: Tolerated | Rejected | Ignored | Reported
    # csv, upload: a file of bad_input/<entry>/ named <table>--<case>.<ext> (uploads: activities); import: named
    # <source>--<case>.<ext> (aduanas or comtrade)
    fixture: str = ""
    changes: editing.Changes | None = None  # edit: to activities.csv, rows by key
    grid: bool = False  # edit: also made in the editor page's grid
    params: dict = field(default_factory=dict)  # url: query parameters (a list repeats the parameter); import:
    # "args", more options of the command; "member", the file of an archive the message names; "first", files
    # of the same folder given before the fixture in the same import; csv without a fixture: "renamed" or
    # "copied", the canonical plan's files given another name (file -> name); digest: "args", the command's
    # options, and "files", files of the folder it runs from (path -> text)
    expect: dict = field(default_factory=dict)  # url: filter (widget key) -> the value the page uses

    @property
    def table(self) -> str:
        return self.fixture.split("--")[0] if self.fixture else ACTIVITIES.name

    @property
    def path(self) -> str:
        """The file the first message names (issues are sorted by file)."""
        if self.entry in ("upload", "import"):
            return self.fixture + (f"/{self.params['member']}" if "member" in self.params else "")
        names = {**self.params.get("renamed", {}), **self.params.get("copied", {})}
        return f"data/{PLAN_ID}/" + (min(names.values()) if names else f"{self.table}.csv")


def activity(key: str, column: str, value, where: str = "id") -> Stored:
    return Stored("activities", where, key, column, value)


def changed(key: str, **cells) -> editing.Changes:
    return editing.Changes(changed={(key,): cells})


def ignored(*values: str) -> Ignored:
    """Unknown URL values (`param=value`, as the notice shows them)."""
    return Ignored("url_ignored", tuple(NOTICE.format(value) for value in values), values)


CATALOG = [
    # --- a CSV file on disk, read when the database is built
    Case("csv-utf16-without-bom", "csv", "UTF-16 (little-endian) without a byte order mark, as database exports "
         "write it",
         Tolerated("decoded as UTF-16: a NUL as every other byte, and only there, is UTF-16 text, not a damaged file",
                   (activity("ATA-21-01", "title", "Rueda de negocios híbrida con compradores de Perú"),)),
         fixture="activities--utf16le_no_bom.csv"),
    Case("csv-utf16-big-endian", "csv", "UTF-16 big-endian with byte order mark, `;`, CRLF, `1500000,50`",
         Tolerated("decoded by its byte order mark; amounts read with the `;` file's decimal comma",
                   (activity("ATA-21-01", "budget_usd", Decimal("1500000.50")),)),
         fixture="activities--utf16be_semicolon.csv"),
    Case("csv-embedded-newlines", "csv", "line breaks (Alt+Enter) inside a quoted cell of a CRLF file",
         Tolerated("kept inside the text", (activity("ATA-21-01", "notes", "Híbrida:\nen Lima\ny en línea"),)),
         fixture="activities--embedded_newlines.csv"),
    Case("csv-embedded-newlines-line-numbers", "csv", "a quoted cell over 3 lines in row 1, an unknown status in "
         "row 3", Rejected(6, "status", "enum_unknown", "hecho", "«hecho» no es un valor permitido; se espera uno "
                           "de: Planificada, En curso, Realizada, Postergada, Cancelada"),
         fixture="activities--embedded_newlines_then_error.csv"),
    Case("csv-leading-tabs", "csv", "a tab before the first header and before cells (text, choice, amount)",
         Tolerated("blanks around a cell, a tab included, are trimmed",
                   (activity("ATA-21-02", "title", "Misión comercial de pisco al Reino Unido"),
                    activity("ATA-21-02", "modality", "in_person"),
                    activity("ATA-21-02", "budget_usd", Decimal("30000.00")))),
         fixture="activities--leading_tabs.csv"),
    Case("csv-unquoted-semicolon", "csv", "`;` inside an unquoted title of a `;` file: one cell too many (and "
         "outcomes.csv rows pointing at that activity are not blamed for it)",
         Rejected(2, "", "row_ragged", "24", "la fila tiene 24 columnas y el encabezado 23"),
         fixture="activities--semicolon_unquoted_in_text.csv"),
    Case("csv-semicolon-in-comma-file", "csv", "`;` inside a title of a `,` file",
         Tolerated("part of the text", (activity("ATA-21-02", "title", "Misión comercial; pisco al Reino Unido"),)),
         fixture="activities--semicolon_in_text_comma_file.csv"),
    Case("csv-mixed-amounts-semicolon", "csv", "`1.500` and `1,5` in one amount column of a `;` file",
         Tolerated("read as Spanish Excel writes them: `1.500` is 1500 (thousands dot), `1,5` is 1.5",
                   (activity("ATA-21-02", "budget_usd", Decimal("1500.00")),
                    activity("ATA-21-03", "budget_usd", Decimal("1.50")))),
         fixture="activities--mixed_amounts_semicolon.csv"),
    Case("csv-mixed-amounts-comma", "csv", "`1.500` and `\"1,5\"` in one amount column of a `,` file whose other "
         "amounts have decimal points", Rejected(
             4, "budget_usd", "number_marks_disagree", "1,5", "«1,5» tiene coma decimal, pero la línea 2 tiene punto "
             "decimal («1500000.50»): un archivo usa una sola marca decimal; corrija los montos que no la usan"),
         fixture="activities--mixed_amounts_comma.csv"),
    Case("csv-semicolon-decimal-point", "csv", "a `;` file with decimal points (`1500000.50`), as a spreadsheet in an "
         "English locale writes when told to use `;`", Tolerated(
             "the amounts that can only be read one way decide the file's decimal mark, whatever its delimiter",
             (Stored("outcomes", "market", "GBR", "value", Decimal("1500000.50")),)),
         fixture="outcomes--semicolon_decimal_point.csv"),
    Case("csv-semicolon-marks-disagree", "csv", "a `;` file with decimal commas (`1500000,50`) and one decimal point "
         "(`20000.00`)", Rejected(
             4, "budget_usd", "number_marks_disagree", "20000.00", "«20000.00» tiene punto decimal, pero la línea 2 "
             "tiene coma decimal («1500000,50»): un archivo usa una sola marca decimal; corrija los montos que no la "
             "usan"), fixture="activities--semicolon_marks_disagree.csv"),
    Case("csv-excel-serial-date-time", "csv", "a date-time column that lost its format: `44256.5`",
         Rejected(3, "planned_start", "date_excel_serial", "44256.5", "«44256.5» parece un número de serie de fecha "
                  "de Excel; dé formato de fecha dd-mm-aaaa a la columna"),
         fixture="pisco_campaigns--date_excel_serial_time.csv"),
    Case("csv-text-500-characters", "csv", "a 500-character note", Tolerated(
         "kept whole (texts may have up to 2,000 characters)", (activity("ATA-21-04", "notes", LONG_NOTE),)),
         fixture="activities--text_500_chars.csv"),
    Case("csv-text-1-mb", "csv", "a 1 MB note (1,048,576 characters)", Rejected(
         5, "notes", "text_too_long", "A" * 40 + "…", f"el texto «{'A' * 40}…» tiene 1048576 caracteres; el máximo "
         "es 2000"), fixture="activities--text_1mb.csv"),
    Case("csv-text-300-kb-bulk-table", "csv", "a 300 KB source in outcomes.csv (the table DuckDB loads in bulk)",
         Rejected(7, "source", "text_too_long", "B" * 40 + "…", f"el texto «{'B' * 40}…» tiene 300000 caracteres; el "
                  "máximo es 2000"), fixture="outcomes--source_300kb.csv"),
    Case("csv-firm-exports-month-missing", "csv", "a firm's exports without a month (firm_exports.csv: firms are "
         "counted month by month)", Rejected(3, "month", "required", None, "falta un valor obligatorio"),
         fixture="firm_exports--month_missing.csv"),
    Case("csv-participant-unknown-activity", "csv", "a participant of activity `ATA-21-99`, which activities.csv "
         "does not have", Rejected(3, "activity_id", "reference_unknown", "ATA-21-99", "«ATA-21-99» no existe en "
                                   "activities.csv"), fixture="participants--unknown_activity.csv"),
    Case("csv-html-in-title", "csv", "`<script>alert(\"pwned\")</script>` at the start of a title", Tolerated(
         "plain text, stored as written; pages show it as text, never as HTML",
         (activity("ATA-21-05", "title", '<script>alert("pwned")</script> Webinar: el mercado del pisco en '
                                         "Estados Unidos"),)), fixture="activities--html_script_title.csv"),
    Case("csv-sql-like-text", "csv", "`'); DROP TABLE activities; --` as a note", Tolerated(
         "plain text: cells reach DuckDB as parameters or Arrow data, never inside SQL; every table keeps its rows",
         (activity("ATA-21-04", "notes", "'); DROP TABLE activities; --"),)), fixture="activities--sql_like_notes.csv"),
    Case("csv-html-and-sql-bulk-table", "csv", "HTML and SQL-like sources in outcomes.csv", Tolerated(
         "stored as written by the bulk path too",
         (Stored("outcomes", "market", "GBR", "source", "<b>Fuente</b> <img src=x onerror=alert(1)>"),
          Stored("outcomes", "metric", "new_exporters", "source", "'; DELETE FROM outcomes; --"))),
         fixture="outcomes--html_sql_in_source.csv"),
    Case("csv-formula-cells", "csv", "notes `=HYPERLINK(\"http://e.cl\",\"clic\")` and `'=SUM(M2:M6)`", Tolerated(
         "text as written, but one `'` before `=`, `+`, `-`, `@`, tab or CR is removed: downloads add it so that a "
         "spreadsheet shows such a text instead of running it",
         (activity("ATA-21-04", "notes", '=HYPERLINK("http://e.cl","clic")'),
          activity("ATA-21-01", "notes", "=SUM(M2:M6)"))), fixture="activities--formula_cells.csv"),
    Case("csv-formula-in-amount", "csv", "`=1500*2` in an amount column", Rejected(
         5, "budget_usd", "number_invalid", "=1500*2", "«=1500*2» no es un monto válido; se espera un número como "
         "1,500,000.50"), fixture="activities--formula_in_amount.csv"),
    Case("csv-rut-like-id", "csv", "a RUT as an id: `76.123.456-7`", Tolerated(
         "an id is text: kept exactly, never read as a number",
         (activity("Webinar: el mercado del pisco en Estados Unidos", "id", "76.123.456-7", where="title"),)),
         fixture="activities--rut_like_id.csv"),
    Case("csv-leading-zero-id", "csv", "an id with leading zeros: `007`", Tolerated(
         "kept as text, zeros included",
         (activity("Webinar: el mercado del pisco en Estados Unidos", "id", "007", where="title"),)),
         fixture="activities--leading_zero_id.csv"),
    Case("csv-latin-1", "csv", "ISO-8859-1 (Latin-1) bytes", Tolerated(
         "read as Windows-1252, which spells every Spanish letter the same way",
         (activity("ATA-21-01", "title", "Rueda de negocios híbrida con compradores de Perú"),)),
         fixture="activities--latin1.csv"),
    Case("csv-non-utf8-byte", "csv", "a DOS (code page 850) file: `ü` is byte 0x81, which Windows-1252 lacks",
         Rejected(5, "", "file_encoding", "0x81", "el archivo no es texto UTF-8 ni Windows-1252 (byte 0x81); "
                  "guárdelo como «CSV UTF-8»"), fixture="activities--cp850_byte.csv"),
    Case("csv-utf8-with-one-cp1252-line", "csv", "a UTF-8 file with one line pasted in Windows-1252 (`año` as "
         "byte 0xF1)", Rejected(5, "", "file_encoding_mixed", "0xf1", "el archivo mezcla codificaciones: es UTF-8, "
                                "pero el byte 0xf1 de esta línea no lo es («0,,,,,,,,,Postergada a 2022 (a\ufffdo),"
                                "ilustrativo»; ¿una fila pegada desde otro programa?); corrija la línea y guárdelo "
                                "como «CSV UTF-8»"), fixture="activities--mixed_utf8_cp1252.csv"),
    Case("csv-bad-byte-cr-line-endings", "csv", "byte 0x81 on line 5 of a file with old-Mac CR line endings",
         Rejected(5, "", "file_encoding", "0x81", "el archivo no es texto UTF-8 ni Windows-1252 (byte 0x81); "
                  "guárdelo como «CSV UTF-8»"), fixture="activities--cr_line_endings_bad_byte.csv"),
    Case("csv-control-character", "csv", "a vertical tab (0x0B) inside a note", Rejected(
         5, "notes", "text_control_chars", "Postergada␋a 2022", "el texto «Postergada␋a 2022» contiene caracteres "
         "de control no imprimibles (mostrados como ␀–␟); bórrelos"), fixture="activities--control_character.csv"),
    Case("csv-huge-list-in-a-cell", "csv", "10,000 markets in one cell (`CHN|GBR|CHN|…`, 40 KB)", Tolerated(
         "every item read; repeated ones dropped", (activity("ATA-21-04", "markets", ["CHN", "GBR"]),)),
         fixture="activities--huge_list_cell.csv"),
    Case("csv-duplicate-column", "csv", "the title column twice in the header", Rejected(
         1, "title", "column_duplicate", "title", "la columna «title» aparece dos veces"),
         fixture="activities--duplicate_column.csv"),
    Case("csv-file-name-upper-case", "csv", "`OUTCOMES.CSV` in place of `outcomes.csv`, as Windows and Excel name "
         "files", Rejected(1, "", "file_name_case", "OUTCOMES.CSV", "el archivo «OUTCOMES.CSV» debe llamarse "
                           "outcomes.csv (en minúsculas); renómbrelo"),
         params={"renamed": {"outcomes.csv": "OUTCOMES.CSV"}}),
    Case("csv-file-name-capitalized", "csv", "`Activities.csv` in place of `activities.csv`", Rejected(
         1, "", "file_name_case", "Activities.csv", "el archivo «Activities.csv» debe llamarse activities.csv (en "
         "minúsculas); renómbrelo"), params={"renamed": {"activities.csv": "Activities.csv"}}),
    Case("csv-file-names-all-upper-case", "csv", "every file of the plan folder in upper case, `PLAN.CSV` "
         "included", Rejected(1, "", "file_name_case", "ACTIVITIES.CSV", "el archivo «ACTIVITIES.CSV» debe "
                              "llamarse activities.csv (en minúsculas); renómbrelo", issues=5),
         params={"renamed": {name: name.upper() for name in ("plan.csv", "activities.csv", "pisco_campaigns.csv",
                                                             "outcomes.csv", "targets.csv")}}),
    Case("csv-file-name-twin", "csv", "`OUTCOMES.CSV` beside `outcomes.csv`", Rejected(
         1, "", "file_name_case_twin", "OUTCOMES.CSV", "el archivo «OUTCOMES.CSV» y outcomes.csv difieren solo en "
         "mayúsculas, y el plan lee solo outcomes.csv: pase a outcomes.csv lo que falte y borre «OUTCOMES.CSV»"),
         params={"copied": {"outcomes.csv": "OUTCOMES.CSV"}}),
    # --- a file uploaded in the editor (the message names the uploaded file)
    Case("upload-utf16-unicode-text", "upload", "Excel's «Texto Unicode» (.txt: UTF-16 with BOM, tabs, CRLF) with "
         "one title changed", Tolerated("read like any CSV; the changed title is saved",
                                        (activity("ATA-21-02", "title", "Misión comercial de pisco a Londres"),)),
         fixture="activities--utf16_tab.txt"),
    Case("upload-xlsx-renamed-csv", "upload", "an Excel workbook renamed `.csv`", Rejected(
         1, "", "file_binary", None, "el archivo contiene bytes nulos: no es un CSV de texto (¿un Excel o PDF "
         "renombrado?)"), fixture="activities--xlsx_renamed.csv"),
    Case("upload-pdf-renamed-csv", "upload", "a PDF (without binary streams) renamed `.csv`", Rejected(
         1, "", "header_unrecognized", "%PDF-1.4", "no se reconoce el encabezado «%PDF-1.4»; se esperan columnas "
         "como: id, title, type, modality, status, planned_start, planned_end, actual_start, actual_end, markets, "
         "sectors, partners, budget_usd, spent_usd, exporters, importers, meetings_requested, meetings_held, "
         "deals_closed_usd, deals_projected_usd, campaign_id, notes, source"), fixture="activities--pdf_renamed.csv"),
    Case("upload-csv-renamed-xlsx", "upload", "a CSV renamed `.xlsx`", Rejected(
         0, "", "xlsx_unreadable", "activities--csv_renamed.xlsx", "«activities--csv_renamed.xlsx» no es un libro "
         "de Excel .xlsx legible (¿un .xls antiguo, un archivo con contraseña, un PDF o un CSV renombrado?); ábralo "
         "en Excel y guárdelo de nuevo como .xlsx o como «CSV UTF-8»"), fixture="activities--csv_renamed.xlsx"),
    Case("upload-xlsx-excel-serial-date", "upload", ".xlsx whose date cell lost its format: the number 44482",
         Rejected(5, "planned_end", "date_excel_serial", "44482", "«44482» parece un número de serie de fecha de "
                  "Excel; dé formato de fecha dd-mm-aaaa a la columna"), fixture="activities--excel_serial_date.xlsx"),
    Case("upload-xlsx-formula-not-computed", "upload", ".xlsx with a formula `=50000+5000` saved without its "
         "result (by a script, not by Excel)", Rejected(
             5, "budget_usd", "xlsx_formula_not_computed", "=50000+5000", "la celda M5 tiene la fórmula "
             "«=50000+5000» pero no su resultado (el programa que guardó el archivo no calcula fórmulas); ábralo en "
             "Excel, guárdelo y vuelva a subirlo, o escriba el valor"),
         fixture="activities--formula_not_computed.xlsx"),
    Case("upload-xlsx-formula-like-text", "upload", ".xlsx text cells `=HYPERLINK(\"http://e.cl\",\"clic\")` and "
         "`'=SUM(M2:M6)`", Tolerated("text cells stay text (never run as formulas); one leading `'` removed as "
                                     "for a CSV", (activity("ATA-21-04", "notes", '=HYPERLINK("http://e.cl","clic")'),
                                                  activity("ATA-21-01", "notes", "=SUM(M2:M6)"))),
         fixture="activities--formula_text_cells.xlsx"),
    Case("upload-xlsx-codes-as-text", "upload", ".xlsx text cells `007` and `76.123.456-7` as ids", Tolerated(
         "kept exactly", (activity("Pabellón de Atacama en feria de alimentos", "id", "007", where="title"),
                          activity("Webinar: el mercado del pisco en Estados Unidos", "id", "76.123.456-7",
                                   where="title"))), fixture="activities--codes_as_text.xlsx"),
    Case("upload-xlsx-leading-zero-as-number", "upload", ".xlsx where `007` was typed into a General cell (Excel "
         "keeps the number 7)", Tolerated("the id is 7, as Excel shows it: zeros Excel dropped cannot be known; "
                                          "format the column as Text to keep them",
                                          (activity("Webinar: el mercado del pisco en Estados Unidos", "id", "7",
                                                    where="title"),)),
         fixture="activities--leading_zero_as_number.xlsx"),
    Case("upload-html-in-title", "upload", "`<script>alert(document.cookie)</script>` as a title", Tolerated(
         "stored as written; the preview and the pages show it as text",
         (activity("ATA-21-03", "title", "<script>alert(document.cookie)</script>"),)),
         fixture="activities--script_title.csv"),
    Case("upload-empty-file", "upload", "an empty file (0 bytes)", Rejected(1, "", "file_empty", None,
                                                                             "el archivo está vacío"),
         fixture="activities--empty.csv"),
    Case("upload-wrong-table", "upload", "outcomes.csv uploaded as the activities table", Rejected(
         1, "activity_id", "column_unknown", "activity_id", "columna desconocida «activity_id»; columnas permitidas: "
         "id, title, type, modality, status, planned_start, planned_end, actual_start, actual_end, markets, sectors, "
         "partners, budget_usd, spent_usd, exporters, importers, meetings_requested, meetings_held, deals_closed_usd, "
         "deals_projected_usd, campaign_id, notes, source", issues=15), fixture="activities--wrong_table.csv"),
    Case("upload-utf8-with-one-cp1252-line", "upload", "a UTF-8 CSV with one row typed in Windows-1252", Rejected(
         4, "", "file_encoding_mixed", "0xed", "el archivo mezcla codificaciones: es UTF-8, pero el byte 0xed de "
         "esta línea no lo es («ATA-21-03,Tra\ufffdda de importadores d»; ¿una fila pegada desde otro "
         "programa?); corrija la línea y guárdelo como «CSV UTF-8»"), fixture="activities--mixed_encoding.csv"),
    # --- a cell edited in the editor's grid (of activities.csv)
    Case("edit-html-in-notes", "edit", "`<script>alert(1)</script>` typed as a note", Tolerated(
         "stored as typed; shown as text", (activity("ATA-21-04", "notes", "<script>alert(1)</script>"),)),
         changes=changed("ATA-21-04", notes="<script>alert(1)</script>"), grid=True),
    Case("edit-sql-like-text", "edit", "`Robert'); DROP TABLE activities;--` as a title", Tolerated(
         "stored as typed; every table keeps its rows",
         (activity("ATA-21-04", "title", "Robert'); DROP TABLE activities;--"),)),
         changes=changed("ATA-21-04", title="Robert'); DROP TABLE activities;--")),
    Case("edit-formula-text", "edit", "`=HYPERLINK(\"http://e.cl\",\"clic\")` as a note", Tolerated(
         "stored as typed (downloads protect it with a leading `'`)",
         (activity("ATA-21-04", "notes", '=HYPERLINK("http://e.cl","clic")'),)),
         changes=changed("ATA-21-04", notes='=HYPERLINK("http://e.cl","clic")')),
    Case("edit-apostrophe-formula", "edit", "`'=SUM(A1)` typed as a note", Tolerated(
         "saved as `=SUM(A1)`: one leading `'` before `=`, `+`, `-`, `@` is removed on reading, as Excel does",
         (activity("ATA-21-04", "notes", "=SUM(A1)"),)), changes=changed("ATA-21-04", notes="'=SUM(A1)")),
    Case("edit-leading-tab", "edit", "a note pasted with a leading tab", Tolerated(
         "trimmed", (activity("ATA-21-04", "notes", "Postergada a 2022"),)),
         changes=changed("ATA-21-04", notes="\tPostergada a 2022")),
    Case("edit-text-500-characters", "edit", "a 500-character note", Tolerated(
         "kept whole", (activity("ATA-21-04", "notes", LONG_NOTE),)), changes=changed("ATA-21-04", notes=LONG_NOTE)),
    Case("edit-text-1-mb", "edit", "a 1 MB note pasted into the grid", Rejected(
         5, "notes", "text_too_long", "x" * 40 + "…", f"el texto «{'x' * 40}…» tiene 1048576 caracteres; el máximo "
         "es 2000"), changes=changed("ATA-21-04", notes="x" * 2**20), grid=True),
    Case("edit-control-character", "edit", "a note with a BEL character (0x07) pasted from a terminal", Rejected(
         5, "notes", "text_control_chars", "Llamar␇ al importador", "el texto «Llamar␇ al importador» contiene "
         "caracteres de control no imprimibles (mostrados como ␀–␟); bórrelos"),
         changes=changed("ATA-21-04", notes="Llamar\x07 al importador"), grid=True),
    Case("edit-newline", "edit", "a note with two line breaks", Tolerated(
         "kept; the CSV quotes the cell", (activity("ATA-21-02", "notes", "uno\ndos\ntres"),)),
         changes=changed("ATA-21-02", notes="uno\ndos\ntres")),
    Case("edit-newline-then-error", "edit", "a note with two line breaks in row 2, an unknown status in row 4",
         Rejected(7, "status", "enum_unknown", "hecho", "«hecho» no es un valor permitido; se espera uno de: "
                  "Planificada, En curso, Realizada, Postergada, Cancelada"),
         changes=editing.Changes(changed={("ATA-21-02",): {"notes": "uno\ndos\ntres"},
                                          ("ATA-21-04",): {"status": "hecho"}}), grid=True),
    Case("edit-id-leading-zeros", "edit", "`007` as an id", Tolerated(
         "kept as text, zeros included", (activity("Webinar: el mercado del pisco en Estados Unidos", "id", "007",
                                                   where="title"),)), changes=changed("ATA-21-05", id="007")),
    Case("edit-id-rut", "edit", "a RUT `76.123.456-7` as an id", Tolerated(
         "kept exactly", (activity("Webinar: el mercado del pisco en Estados Unidos", "id", "76.123.456-7",
                                   where="title"),)), changes=changed("ATA-21-05", id="76.123.456-7")),
    Case("edit-id-with-spaces", "edit", "`ATA 21 04` as an id", Rejected(
         5, "id", "code_invalid", "ATA 21 04", "«ATA 21 04» no es un identificador válido; use letras, números, «-», "
         "«_» o «.» (máx. 40)"), changes=changed("ATA-21-04", id="ATA 21 04")),
    Case("edit-id-repeated", "edit", "the id of another row", Rejected(
         5, "id", "duplicate_id", "ATA-21-01", "el identificador «ATA-21-01» está repetido (también en la línea 2)"),
         changes=changed("ATA-21-04", id="ATA-21-01")),
    Case("edit-amount-decimal-comma", "edit", "`1,5` as a budget in a file whose amounts have decimal points",
         Rejected(5, "budget_usd", "number_marks_disagree", "1,5", "«1,5» tiene coma decimal, pero la línea 2 tiene "
                  "punto decimal («1500000.50»): un archivo usa una sola marca decimal; corrija los montos que no "
                  "la usan"), changes=changed("ATA-21-04", budget_usd="1,5")),
    Case("edit-amount-cleared", "edit", "a budget cleared (the grid sends NaN)", Tolerated(
         "an empty amount", (activity("ATA-21-04", "budget_usd", None),)),
         changes=changed("ATA-21-04", budget_usd=float("nan"))),
    Case("edit-count-with-decimals", "edit", "3.5 exporters", Rejected(
         4, "exporters", "number_not_integer", "3.5", "«3.5» no es un número entero"),
         changes=changed("ATA-21-03", exporters=3.5)),
    Case("edit-date-excel-serial", "edit", "`44482` as a date", Rejected(
         5, "planned_start", "date_excel_serial", "44482", "«44482» parece un número de serie de fecha de Excel; dé "
         "formato de fecha dd-mm-aaaa a la columna"), changes=changed("ATA-21-04", planned_start="44482")),
    Case("edit-huge-country-list", "edit", f"all {len(ALL_COUNTRIES)} countries as markets", Tolerated(
         "stored whole, in the order given", (activity("ATA-21-04", "markets", ALL_COUNTRIES),)),
         changes=changed("ATA-21-04", markets=ALL_COUNTRIES)),
    Case("edit-unknown-country", "edit", "markets `GBR` and `Narnia`", Rejected(
         5, "markets", "country_unknown", "Narnia", "«Narnia» no es un país reconocido; use el código ISO-3 (GBR) o "
         "el nombre (Reino Unido)"), changes=changed("ATA-21-04", markets=["GBR", "Narnia"])),
    Case("edit-blank-title", "edit", "a title of spaces only", Rejected(
         5, "title", "required", None, "falta un valor obligatorio"), changes=changed("ATA-21-04", title="   "),
         grid=True),
    Case("edit-new-row-nearly-empty", "edit", "a new row with only a title", Rejected(
         7, "id", "required", None, "falta un valor obligatorio", issues=6),
         changes=editing.Changes(added=[{"title": "Feria en Corea"}])),
    # --- an official statistics file imported (`python -m plan import`, the editor's import tab)
    Case("import-dus-wrong-field-count", "import", "a DUS line with 85 fields (a `;` inside the item's name)",
         Reported("left out and named by line; the rest imported", (
             "Omitidas por no tener 84 campos, de su región (su valor falta en los totales): 1 (líneas "
             "aduanas--wrong_field_count.txt:7)",)), fixture="aduanas--wrong_field_count.txt"),
    Case("import-dus-truncated-lines", "import", "two DUS lines cut short after the item's name (field 63), as "
         "some published lines are", Reported("counted and named by line, never guessed; the rest imported", (
             "Omitidas por estar cortadas, de su región (su valor falta en los totales): 2 (líneas "
             "aduanas--truncated_lines.txt:5, aduanas--truncated_lines.txt:11)",)),
         fixture="aduanas--truncated_lines.txt"),
    Case("import-dus-fob-not-numeric", "import", "a FOB amount `15.2O0,50` (a letter O)", Rejected(
         9, "FOBUS (74)", "dus_amount_invalid", "15.2O0,50", "«15.2O0,50» no es un monto (se espera un número con "
         "coma decimal, p. ej. 15234,50)"), fixture="aduanas--fob_not_numeric.txt"),
    Case("import-dus-share-not-numeric", "import", "a main exporter's share `sesenta` on a line naming a secondary "
         "exporter (how the item's value is split between the two firms)", Rejected(
         6, "PORCENTAJEEXPPPAL (7)", "dus_share_invalid", "sesenta", "«sesenta» no es el porcentaje del exportador "
         "principal (se espera un número de 0 a 100, p. ej. 60 o 62,5)"), fixture="aduanas--share_not_numeric.txt"),
    Case("import-dus-date-not-existing", "import", "an acceptance date `31022020` (31 February)", Rejected(
         4, "FECHAACEPT (1)", "dus_date_invalid", "31022020", "«31022020» no es una fecha que exista (se espera "
         "DDMMAAAA, p. ej. 15032020)"), fixture="aduanas--date_not_existing.txt"),
    Case("import-dus-unknown-country-code", "import", "destination code `777`, in no code table", Reported(
         "its value kept under the unassigned destination (XXX) and reported with its count and value", (
             "Código de país 777 desconocido: 1 líneas, US$ 1.037, sumadas como «Destino sin asignar»",),
         {"XXX": Decimal("3259.14")}), fixture="aduanas--unknown_country_code.txt"),
    Case("import-dus-unknown-region-code", "import", "region of origin `17`, in no code table", Reported(
         "reported with its count; not added to the plan's region", (
             "Código de región 17 desconocido: 1 líneas, no sumadas a su región (corrija "
             "plan/model/codes/regions.csv si es una región)",)), fixture="aduanas--unknown_region_code.txt"),
    Case("import-dus-another-layout", "import", "a file of 96 fields per line (e.g. import declarations, DIN)",
         Rejected(1, "", "dus_layout_other", "96", "las líneas tienen 96 campos; una declaración de exportación "
                  "(DUS) tiene 84: ¿es un archivo de importaciones (DIN) u otro archivo?"),
         fixture="aduanas--import_declaration_din.txt"),
    Case("import-dus-bultos-file", "import", "the month's packages file (Bultos, 6 fields) instead of the main file",
         Rejected(1, "", "dus_layout_bultos", "6", "las líneas tienen 6 campos: es el archivo de Bultos del mes, no "
                  "el principal de exportaciones (84 campos)"), fixture="aduanas--bultos_file.txt"),
    Case("import-empty-file", "import", "an empty file", Rejected(1, "", "import_empty", None,
                                                                  "el archivo está vacío"),
         fixture="aduanas--empty.txt"),
    Case("import-binary-file", "import", "a PNG image named `.txt`", Rejected(
         1, "", "import_binary", None, "no es un archivo de texto (¿un PDF, una planilla o un archivo comprimido de "
         "otro tipo?); use el archivo .txt, .zip o .rar tal como se descarga"), fixture="aduanas--binary.txt"),
    Case("import-over-size-limit", "import", "a file over the size limit (`--max-bytes 4096`)", Rejected(
         1, "", "import_too_large", None, "el archivo supera el límite de 4.096 bytes; divídalo o suba el límite "
         "con --max-bytes"), fixture="aduanas--over_size_limit.txt", params={"args": ["--max-bytes", "4096"]}),
    Case("import-rar-of-another-file", "import", "a RAR archive (read with libarchive) holding two copies of "
         "another text file (each refused for its layout, the second also as a copy of the first)",
         Rejected(1, "", "dus_layout_other", "1", "las líneas tienen 1 campos; una declaración de exportación (DUS) "
                  "tiene 84: ¿es un archivo de importaciones (DIN) u otro archivo?", issues=3),
         fixture="aduanas--rar_of_another_file.rar", params={"member": "stest1.txt"}),
    Case("import-zip-month", "import", "a month's file inside a ZIP archive, as some months are published",
         Reported("read from the archive without extracting it", (
             "Archivos leídos: aduanas--zip_month.zip/EXPORTACIONES_MARZO_2020.txt",),
             {"USA": Decimal("3296.16"), "CHN": Decimal("3185.10")}), fixture="aduanas--zip_month.zip"),
    Case("import-comtrade-missing-columns", "import", "a CSV without Comtrade's `refMonth` and `flowCode` columns",
         Rejected(1, "", "comtrade_columns_missing", "refMonth, flowCode", "faltan las columnas refMonth, flowCode: "
                  "no parece un archivo CSV de UN Comtrade"), fixture="comtrade--missing_columns.csv"),
    Case("import-comtrade-value-not-numeric", "import", "a `primaryValue` of `n/a`", Rejected(
         3, "primaryValue", "comtrade_value_invalid", "n/a", "«n/a» no es un monto en US$ (se espera un número con "
         "punto decimal)"), fixture="comtrade--value_not_numeric.csv"),
    Case("import-comtrade-world-and-total-rows", "import", "world (`W00`) and all-commodity (`TOTAL`) rows beside "
         "their breakdown, and an import row", Reported("totals left out where the file breaks them down, imports "
                                                          "left out; each said", (
             "Omitidas por ser el total mundial (W00) de países que la importación ya detalla: 1 (líneas "
             "comtrade--world_and_total_rows.csv:2)",
             "Omitidas por ser el total de productos (TOTAL) que la importación ya detalla: 1 (líneas "
             "comtrade--world_and_total_rows.csv:3)",
             "Omitidas por no ser exportaciones (flowCode distinto de X): 1"),
             {"CHN": Decimal("5000000"), "USA": Decimal("4000000")}), fixture="comtrade--world_and_total_rows.csv"),
    # --- one import given the same figures twice: refused, or the total left out where the import breaks it down
    Case("import-dus-month-and-its-zip", "import", "a month's `.txt` and the `.zip` holding it, in one import",
         Rejected(1, "", "import_file_repeated", "aduanas--month_as_txt.txt", "tiene el mismo contenido que "
                  "aduanas--month_as_txt.txt: sus cifras se sumarían dos veces; dé cada archivo una sola vez"),
         fixture="aduanas--zip_month.zip", params={"first": ["aduanas--month_as_txt.txt"],
                                                   "member": "EXPORTACIONES_MARZO_2020.txt"}),
    Case("import-dus-declaration-in-two-files", "import", "a file holding two declarations (customs office and "
         "number) of a month's file given in the same import", Rejected(
             3, "NUMEROIDENT (2)", "dus_declaration_repeated", "604194172", "la declaración 604194172 (aduana "
             "629914) está también en aduanas--month_as_txt.txt (declaraciones de este archivo que lo están: 2); se "
             "sumarían dos veces: dé cada declaración en un solo archivo"),
         fixture="aduanas--declaration_in_two_files.txt", params={"first": ["aduanas--month_as_txt.txt"]}),
    Case("import-comtrade-row-in-two-files", "import", "overlapping Comtrade downloads (2019-2020, then 2020-2021): "
         "the 2020 row in both", Rejected(
             3, "", "comtrade_row_repeated", "2020 · CHL → GBR · 0806", "la fila 2020 · CHL → GBR · 0806 está "
             "también en comtrade--download_2019_2020.csv, línea 3 (filas de este archivo que lo están: 1); se "
             "sumarían dos veces: dé cada período en un solo archivo"),
         fixture="comtrade--download_2020_2021.csv", params={"first": ["comtrade--download_2019_2020.csv"]}),
    Case("import-comtrade-world-total-and-partners-in-two-files", "import", "a world (`W00`) total in one file and "
         "its partners in another, in one import", Reported("the world total left out, as within one file", (
             "Omitidas por ser el total mundial (W00) de países que la importación ya detalla: 1 (líneas "
             "comtrade--world_total_file.csv:2)",), {"CHN": Decimal("5000000"), "USA": Decimal("4000000")}),
         fixture="comtrade--partners_file.csv", params={"first": ["comtrade--world_total_file.csv"]}),
    Case("import-comtrade-year-and-its-months-in-two-files", "import", "a year's row (`refMonth` 52) in one file "
         "and months of that year in another, in one import", Reported(
             "the annual row left out where the import gives the year by month", (
                 "Omitidas por ser el total anual de un año que la importación ya da mes a mes: 1 (líneas "
                 "comtrade--annual_file.csv:2)",), {"CHN": Decimal("850000"), "USA": Decimal("300000")}),
         fixture="comtrade--monthly_file.csv", params={"first": ["comtrade--annual_file.csv"]}),
    # --- the e-mail digest's options and settings (`python -m plan digest`, run with --dry-run)
    Case("digest-unknown-plan", "digest", "`--plan prochile-nowhere-2021`", Rejected(
         0, "", "digest_unknown_plan", "prochile-nowhere-2021", "--plan prochile-nowhere-2021: no hay un plan con ese "
         f"id; los planes son: {PLAN_ID}"), params={"args": ["--to", "directora@prochile.cl", "--plan",
                                                         "prochile-nowhere-2021"]}),
    Case("digest-bad-address", "digest", "`--to directora.prochile.cl` (no `@`)", Rejected(
         0, "", "digest_bad_address", "directora.prochile.cl", "--to directora.prochile.cl: no es una dirección de "
         "correo (se espera nombre@dominio.cl)"), params={"args": ["--to", "directora.prochile.cl"]}),
    Case("digest-smtp-url-wrong-scheme", "digest", f"`--smtp http://avisos:{SECRET}@smtp.example.org:25`", Rejected(
         0, "", "smtp_url_invalid", "http://avisos:***@smtp.example.org:25", "la URL SMTP "
         "http://avisos:***@smtp.example.org:25 no sirve: se espera smtp://, smtps:// usuario:contraseña@servidor:"
         "puerto"), params={"args": ["--to", "directora@prochile.cl", "--smtp",
                                     f"http://avisos:{SECRET}@smtp.example.org:25"]}),
    Case("digest-smtp-url-without-scheme-separator", "digest", f"`--smtp smtps//avisos:{SECRET}@smtp.example.org` "
         "(the password hidden also in a URL too broken to parse)", Rejected(
         0, "", "smtp_url_invalid", "smtps//avisos:***@smtp.example.org", "la URL SMTP smtps//avisos:***@smtp.example"
         ".org no sirve: se espera smtp://, smtps:// usuario:contraseña@servidor:puerto"),
         params={"args": ["--to", "directora@prochile.cl", "--smtp", f"smtps//avisos:{SECRET}@smtp.example.org"]}),
    Case("digest-since-day-first", "digest", "`--since 31-12-2021` (day first)", Rejected(
         0, "", "digest_since_invalid", "31-12-2021", "--since 31-12-2021: no es una fecha (se espera AAAA-MM-DD, p. "
         "ej. 2021-08-01)"), params={"args": ["--to", "directora@prochile.cl", "--since", "31-12-2021"]}),
    Case("digest-since-not-existing", "digest", "`--since 2021-02-30` (30 February)", Rejected(
         0, "", "digest_since_invalid", "2021-02-30", "--since 2021-02-30: no es una fecha (se espera AAAA-MM-DD, p. "
         "ej. 2021-08-01)"), params={"args": ["--to", "directora@prochile.cl", "--since", "2021-02-30"]}),
    Case("digest-toml-unquoted-address", "digest", "a `digest.toml` whose address is not quoted", Rejected(
         0, "", "toml_invalid", None, "digest.toml:2:11: no es TOML válido (Invalid value)"),
         params={"files": {"digest.toml": "[[recipient]]\naddress = directora@prochile.cl\n"}}),
    Case("digest-toml-recipient-without-address", "digest", "a `digest.toml` recipient with plans and no address",
         Rejected(0, "", "digest_bad_recipient", None, 'digest.toml [[recipient]] n.º 2: se espera address = '
                  '"nombre@dominio.cl" y, si se quiere, plans = ["id de plan", ...]'),
         params={"files": {"digest.toml": '[[recipient]]\naddress = "directora@prochile.cl"\n[[recipient]]\n'
                                          f'plans = ["{PLAN_ID}"]\n'}}),
    Case("digest-toml-bad-address", "digest", "a `digest.toml` address `directora` (no domain)", Rejected(
         0, "", "digest_bad_address", "directora", "digest.toml [[recipient]] directora: no es una dirección de "
         "correo (se espera nombre@dominio.cl)"), params={"files": {"digest.toml": '[[recipient]]\naddress = '
                                                                                   '"directora"\n'}}),
    Case("digest-secrets-not-toml", "digest", "`.streamlit/secrets.toml` with an SMTP URL (and its password) not "
         "quoted", Rejected(0, "", "toml_invalid", None, ".streamlit/secrets.toml:2:12: no es TOML válido (Invalid "
                            "value)"),
         params={"files": {".streamlit/secrets.toml": f"[digest]\nsmtp_url = smtp://avisos:{SECRET}@smtp.example."
                                                      "org\n"}}),
    Case("digest-secrets-section-not-a-table", "digest", '`digest = "smtp://…"` in the secrets instead of a '
         "`[digest]` table", Rejected(0, "", "digest_bad_section", None, '.streamlit/secrets.toml [digest]: se espera '
                                      'una tabla con smtp_url = "...", base_url = "..." y [[digest.recipients]]'),
         params={"files": {".streamlit/secrets.toml": f'digest = "smtp://avisos:{SECRET}@smtp.example.org"\n'}}),
    Case("digest-secrets-smtp-url-not-text", "digest", "`smtp_url = 587` in the secrets' `[digest]`", Rejected(
         0, "", "digest_bad_setting", None, '.streamlit/secrets.toml [digest] smtp_url: se espera un texto entre '
         'comillas, smtp_url = "..."'), params={"files": {".streamlit/secrets.toml": "[digest]\nsmtp_url = 587\n"}}),
    Case("digest-secrets-recipient-plans-not-a-list", "digest", 'a secrets recipient with `plans = "todos"`',
         Rejected(0, "", "digest_bad_recipient", None, '.streamlit/secrets.toml [[digest.recipients]] n.º 1: se '
                  'espera address = "nombre@dominio.cl" y, si se quiere, plans = ["id de plan", ...]'),
         params={"files": {".streamlit/secrets.toml": '[[digest.recipients]]\naddress = "directora@prochile.cl"\n'
                                                      'plans = "todos"\n'}}),
    # --- a URL parameter (a shared link); every filter falls back to its default
    Case("url-unknown-language", "url", "`lang=fr`", Tolerated(
         "Spanish, the default, without a notice"), params={"lang": "fr"}, expect={"lang": "es"}),
    Case("url-unknown-year", "url", "`year=1850`", ignored("year=1850"), params={"year": "1850"},
         expect={"year": []}),
    Case("url-three-unknown-values", "url", "`modality=Semipresencial&type=Feria virtual&status=hecha`",
         ignored("modality=Semipresencial", "type=Feria virtual", "status=hecha"),
         params={"modality": "Semipresencial", "type": "Feria virtual", "status": "hecha"},
         expect={"modality": [], "type": [], "status": []}),
    Case("url-alias-instead-of-label", "url", "`sector=cobre` (an alias the CSV reader accepts; links use labels)",
         ignored("sector=cobre"), params={"sector": "cobre"}, expect={"sector": []}),
    Case("url-unknown-quarter", "url", "`quarter=5`", ignored("quarter=5"), params={"quarter": "5"},
         expect={"quarter": 0}),  # 0: the whole year
    Case("url-impossible-date", "url", "`from=2021-13-45`", Tolerated(
         "dropped by the date widget: no date filter, and no notice yet"), params={"from": "2021-13-45"},
         expect={"from": None}),
    Case("url-date-in-spanish-format", "url", "`from=31-12-2021` (links use yyyy-mm-dd)", Tolerated(
         "dropped by the date widget: no date filter, and no notice yet"), params={"from": "31-12-2021"},
         expect={"from": None}),
    Case("url-dates-swapped", "url", "`from=2021-12-31&to=2021-01-01`", Ignored(
         "dates_swapped", ("La fecha «Desde» es posterior a «Hasta»; se ignoran ambas.",)),
         params={"from": "2021-12-31", "to": "2021-01-01"}),
    Case("url-html-in-value", "url", "`office=<script>alert(1)</script>`", ignored(
         r"office=\<script\>alert\(1\)\</script\>"), params={"office": "<script>alert(1)</script>"},
         expect={"office": []}),
    Case("url-sql-like-value", "url", "`market=x'); DROP TABLE activities;--`", ignored(
         r"market=x'\); DROP TABLE activities;\-\-"), params={"market": "x'); DROP TABLE activities;--"},
         expect={"market": []}),
    Case("url-200-unknown-values", "url", "200 unknown markets (`market=M000&market=M001&…`)",
         ignored(*(f"market=M{i:03d}" for i in range(200))), params={"market": [f"M{i:03d}" for i in range(200)]},
         expect={"market": []}),
    Case("url-999-repeated-values", "url", "the same office 999 times", Tolerated("the office chosen once"),
         params={"office": ["ProChile Atacama"] * 999}, expect={"office": ["ProChile Atacama"]}),
    Case("url-over-1000-parameters", "url", "`lang=en` and 1,001 markets", Tolerated(
         "Streamlit ignores a query string of more than 1000 parameters: every filter at its default, no notice"),
         params={"lang": "en", "market": ["CHN"] * 1001}, expect={"lang": "es", "market": []}),
    Case("url-100-kb-value", "url", "a 100,000-character market", ignored("market=" + "x" * 60),
         params={"market": "x" * 100_000}, expect={"market": []}),
]


# ----------------------------------------------------------------------------- helpers


def plan_data(root: Path) -> Path:
    """A data folder holding the canonical plan of tests/fixtures/csv."""
    data = root / "data"
    shutil.copytree(CANONICAL, data / PLAN_ID)
    return data


def build(data: Path) -> Path:
    db_path = data.parent / "plan.duckdb"
    database.build(data, db_path, derive=outlook.derive)
    return db_path


def files(root: Path) -> dict[str, bytes]:
    """Every file's bytes: CSVs, database, history. Lock files are left out: a save takes the plan's lock
    (creating an empty file once) before it knows whether the change is valid."""
    return {name: raw for name, raw in snapshot(root).items() if not name.endswith(".lock")}


def row_counts(db_path: Path) -> dict[str, int]:
    return {name: len(rows) for name, rows in tables_in(db_path).items()}


@pytest.fixture(scope="module")
def canonical_counts(tmp_path_factory) -> dict[str, int]:
    return row_counts(build(plan_data(tmp_path_factory.mktemp("canonical"))))


def assert_stored(db_path: Path, tolerated: Tolerated, canonical_counts: dict[str, int]) -> None:
    """The normalized values are in the database, and no table lost or gained a row."""
    with database.reader(db_path) as con:
        for s in tolerated.stored:
            found = con.execute(f"SELECT {s.column} FROM {s.table} WHERE {s.where} = ?", [s.key]).fetchall()  # noqa: S608 - names from the catalog
            assert found == [(s.value,)], s
    assert row_counts(db_path) == canonical_counts


def assert_reported(rendered: dict[str, list[str]], path: str, refused: Rejected) -> None:
    """Issue lines as shown (`path:line:column: message`), in each language: all of them listed, the
    catalog's first, naming its value in both languages."""
    spanish, english = rendered["es"], rendered["en"]
    assert len(spanish) == len(english) == refused.issues, spanish
    prefix = f"{path}:{refused.line}:{refused.column or '-'}: "
    assert spanish[0] == prefix + refused.es
    assert english[0].startswith(prefix) and english[0] != spanish[0] and "{" not in english[0]
    if refused.value is not None:
        assert refused.value in refused.es and refused.value in english[0]


def cases(entry: str, **where) -> list:
    chosen = [case for case in CATALOG if case.entry == entry and all(getattr(case, k) == v for k, v in where.items())]
    return [pytest.param(case, id=case.id) for case in chosen]


# ----------------------------------------------------------------------------- the catalog itself


def test_the_catalog_covers_every_entry_point_with_unique_ids_and_uses_every_fixture():
    # A fixture nobody checks is a case we believe is covered and is not.
    assert len(CATALOG) >= 40 and len({case.id for case in CATALOG}) == len(CATALOG)
    assert {case.entry for case in CATALOG} == {"csv", "upload", "edit", "url", "import", "digest"}
    for entry in ("csv", "upload", "import"):
        present = {path.name for path in (FIXTURES / entry).iterdir()}
        used = {name for case in CATALOG if case.entry == entry and case.fixture
                for name in [case.fixture, *case.params.get("first", [])]}
        assert present == used, entry
    assert {case.table for case in CATALOG if case.entry == "upload"} == {"activities"}  # the editor's first table


# ----------------------------------------------------------------------------- a CSV file on disk


@pytest.mark.parametrize("case", cases("csv"))
def test_a_csv_file_on_disk(tmp_path, canonical_counts, case):
    data = plan_data(tmp_path)
    db_path = build(data)  # the last good database, which a refused file must leave as it is
    folder = data / PLAN_ID
    if case.fixture:
        shutil.copyfile(FIXTURES / "csv" / case.fixture, folder / f"{case.table}.csv")
    for name, other in case.params.get("renamed", {}).items():
        (folder / name).rename(folder / other)
    for name, other in case.params.get("copied", {}).items():
        shutil.copyfile(folder / name, folder / other)
    if isinstance(case.outcome, Tolerated):
        build(data)
        assert_stored(db_path, case.outcome, canonical_counts)
        return
    before = files(tmp_path)
    with pytest.raises(PlanInvalid) as raised:
        database.build(data, db_path, derive=outlook.derive)
    assert files(tmp_path) == before
    issues = raised.value.issues
    assert issues[0].code == case.outcome.code
    assert_reported({lang: [issue.render(lang) for issue in issues] for lang in ("es", "en")}, case.path,
                    case.outcome)


# ----------------------------------------------------------------------------- an upload in the editor


@pytest.fixture
def app(tmp_path, monkeypatch) -> Path:
    """The app over the canonical plan, editable without a password (local mode); returns the data folder."""
    data = plan_data(tmp_path)
    monkeypatch.setenv("PLAN_DATA_DIR", str(data))
    monkeypatch.setenv("PLAN_DB_PATH", str(tmp_path / "plan.duckdb"))
    monkeypatch.setenv("PLAN_LOCAL_EDIT", "1")
    monkeypatch.delenv("PLAN_HISTORY_DIR", raising=False)
    return data


@pytest.mark.parametrize("case", cases("upload"))
def test_an_upload_in_the_editor(app, canonical_counts, case):
    raw = (FIXTURES / "upload" / case.fixture).read_bytes()
    if isinstance(case.outcome, Tolerated):
        at = upload(editor_page(), case.fixture, raw)
        button(at, "Confirmar y guardar").click().run(timeout=60)
        assert not at.exception and at.success[0].value.startswith("Guardado")
        assert_stored(app.parent / "plan.duckdb", case.outcome, canonical_counts)  # the save rebuilt it
        return
    rendered, before = {}, None
    for lang in ("es", "en"):
        at = editor_page(lang=lang)
        before = before or files(app.parent)  # the page remembers the file it shows in the history first
        upload(at, case.fixture, raw)
        rendered[lang] = at.code[0].value.splitlines()
        assert not [b for b in at.button if b.label in ("Confirmar y guardar", "Confirm and save")]
        assert files(app.parent) == before
    assert_reported(rendered, case.path, case.outcome)


# ----------------------------------------------------------------------------- an official statistics import


def import_args(data: Path, case: Case) -> list[str]:
    """`python -m plan import` of the case's file into the canonical plan, saving (--yes) if it can."""
    source = case.fixture.split("--")[0]
    region = ["--region", "3"] if source == "aduanas" else []  # the canonical plan.csv names no region
    given = [str(FIXTURES / "import" / name) for name in [*case.params.get("first", []), case.fixture]]
    return ["import", source, *given, "--plan", str(data / PLAN_ID), "--yes",
            "--db", str(data.parent / "plan.duckdb"), *region, *case.params.get("args", [])]


def imported_exports(db_path: Path, source: str) -> dict[str, Decimal]:
    with database.reader(db_path) as con:
        rows = con.execute("SELECT market, sum(value) FROM outcomes WHERE metric = 'exports_usd' AND source LIKE ? "
                           "GROUP BY market", [source + " %"]).fetchall()
    return {market: Decimal(str(round(value, 2))) for market, value in rows}


@pytest.mark.parametrize("case", cases("import"))
def test_an_official_statistics_import(tmp_path, capsys, case):
    data = plan_data(tmp_path)
    db_path = build(data)
    args = import_args(data, case)
    before = files(tmp_path)
    if isinstance(case.outcome, Reported):
        preview = {}
        for lang in ("en", "es"):  # English as a preview only (without --yes), then Spanish, saved
            assert cli.main([arg for arg in args if arg != "--yes" or lang == "es"] + ["--lang", lang]) == 0
            preview[lang] = capsys.readouterr().out.splitlines()
        for line in case.outcome.es:
            assert line in preview["es"], preview["es"]
        assert len(preview["en"]) == len(preview["es"]) and not set(preview["en"]) & set(case.outcome.es)
        source = "UN Comtrade" if case.fixture.startswith("comtrade") else "Aduanas DUS"
        exports = imported_exports(db_path, source)  # the save refreshed the database
        assert exports and all(exports[market] == value for market, value in case.outcome.exports.items()), exports
        return
    rendered = {}
    for lang in ("es", "en"):
        assert cli.main([*args, "--lang", lang]) == 1
        captured = capsys.readouterr()
        assert captured.out == ""
        rendered[lang] = captured.err.splitlines()[:-1]  # the last line counts the errors
        assert files(tmp_path) == before
    assert_reported(rendered, case.path, case.outcome)


# ----------------------------------------------------------------------------- a cell edited in the grid


@pytest.mark.parametrize("case", cases("edit"))
def test_an_edited_cell_is_saved_whole_or_not_at_all(tmp_path, canonical_counts, case):
    # `editing.save` is what the grid's save button calls: the change is checked with the whole plan.
    data = plan_data(tmp_path)
    db_path = build(data)
    version = editing.load(data, PLAN_ID, ACTIVITIES)
    draft = editing.apply(version, case.changes)
    before = files(tmp_path)
    result = editing.save(data, FolderStore(data), PLAN_ID, ACTIVITIES, draft.raw, version.sha, "prueba",
                          db_path=db_path)
    if isinstance(case.outcome, Tolerated):
        assert isinstance(result, editing.Saved) and not result.rebuild_issues, result
        assert_stored(db_path, case.outcome, canonical_counts)
        return
    assert isinstance(result, editing.Rejected), result
    assert files(tmp_path) == before
    assert result.issues[0].code == case.outcome.code
    assert_reported({lang: [issue.render(lang) for issue in result.issues] for lang in ("es", "en")}, case.path,
                    case.outcome)


@pytest.mark.parametrize("case", cases("edit", grid=True))
def test_an_edited_cell_in_the_editor_page(app, canonical_counts, case):
    # The page shows each problem at the grid row it belongs to (the file's lines shift when a cell
    # gains line breaks) and keeps the save button disabled.
    at = editor_page()
    keys = at.data_editor[0].value["id"].tolist()
    before = files(app.parent)
    edit(at, {"edited_rows": {keys.index(key[0]): cells for key, cells in case.changes.changed.items()}})
    save = button(at, "Guardar cambios")
    if isinstance(case.outcome, Tolerated):
        save.click().run(timeout=60)
        assert not at.exception and at.success[0].value.startswith("Guardado")
        assert_stored(app.parent / "plan.duckdb", case.outcome, canonical_counts)
        return
    refused = case.outcome
    key = next(key for key, cells in case.changes.changed.items() if refused.column in cells)
    row = f"{keys.index(key[0]) + 1} · {key[0]}"
    assert edit_tables_frame(at).values.tolist()[0] == [row, editor_display.label(ACTIVITIES, refused.column, "es"),
                                                        refused.es]
    assert save.disabled and files(app.parent) == before


# ----------------------------------------------------------------------------- a URL parameter


def figures(at) -> list[tuple[str, str]]:
    return [(metric.label, metric.value) for metric in at.metric]


@pytest.mark.parametrize("case", cases("url"))
def test_a_url_parameter(app, case):
    # A link is never an error: what the page cannot use is dropped, the page shows what it shows
    # without it, and the notice quotes the dropped value as text (never as Markdown or HTML).
    default = figures(open_page())
    at = open_page(**case.params)
    for key, value in case.expect.items():
        assert at.session_state[key] == value, key
    assert figures(at) == default
    notices = [warning.value for warning in at.sidebar.warning]
    if isinstance(case.outcome, Tolerated):
        assert notices == []
        return
    assert notices == list(case.outcome.es)
    english = [warning.value for warning in open_page(**case.params, lang="en").sidebar.warning]
    assert len(english) == len(notices) and english != notices
    for value, notice in zip(case.outcome.values, english, strict=False):
        assert value in notice


# ----------------------------------------------------------------------------- the digest's options and settings


@pytest.mark.parametrize("case", cases("digest"))
def test_a_digest_option_or_setting(tmp_path, capsys, monkeypatch, case):
    # Told before anything is sent or marked: the whole line in Spanish, the value in both languages, never a
    # password; the plans, the database, the store's state and the settings' files stay byte-identical.
    data = plan_data(tmp_path)
    db_path = build(data)
    project, home = tmp_path / "project", tmp_path / "home"
    home.mkdir()
    for name, text in {"README": "", **case.params.get("files", {})}.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(project)  # Streamlit's .streamlit/secrets.toml and the default digest.toml are read here
    monkeypatch.setenv("HOME", str(home))
    for name in ("PLAN_SMTP_URL", "PLAN_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    before = files(tmp_path)
    rendered = {}
    for lang in ("es", "en"):
        code = cli.main(["digest", str(data), "--db", str(db_path), "--dry-run", *case.params.get("args", []),
                         "--lang", lang])
        captured = capsys.readouterr()
        assert code == 2 and captured.out == "" and SECRET not in captured.err
        rendered[lang] = captured.err.splitlines()
        assert files(tmp_path) == before
    refused = case.outcome
    spanish, english = rendered["es"], rendered["en"]
    assert len(spanish) == len(english) == refused.issues, spanish
    assert spanish[0] == f"error: {refused.es}"
    assert english[0].startswith("error: ") and english[0] != spanish[0] and "{" not in english[0]
    if refused.value is not None:
        assert refused.value in refused.es and refused.value in english[0]


# ----------------------------------------------------------------------------- docs/bad-input.md

ENTRY_POINTS = {"csv": "CSV file", "upload": "upload", "edit": "edited cell", "url": "URL parameter",
                "import": "official statistics import", "digest": "digest option or setting"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    """Inline code that may hold backticks (a Markdown code span opened by two)."""
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _outcome(case: Case) -> tuple[str, str, str]:
    """(outcome, message key, the Spanish message or the normalization) of one case."""
    outcome = case.outcome
    if isinstance(outcome, Tolerated):
        return "tolerated", "", outcome.note
    if isinstance(outcome, Reported):
        return "imported, with a note", "", f"{outcome.note}: " + " · ".join(_code(line) for line in outcome.es)
    if isinstance(outcome, Ignored):
        more = f" (and {len(outcome.es) - 1} more)" if len(outcome.es) > 1 else ""
        return "ignored, with a notice", f"`{outcome.code}`", _code(outcome.es[0]) + more
    more = f" (and {outcome.issues - 1} more)" if outcome.issues > 1 else ""
    where = "" if case.entry == "digest" else f"{case.path}:{outcome.line}:{outcome.column or '-'}: "
    shown = where + outcome.es
    return "rejected", f"`{outcome.code}`", _code(shown) + more


def _reader_rows() -> list[str]:
    """The cases of tests/test_csv_reading.py, which this catalog does not repeat."""
    rows = [f"| `{name}` | tolerated | {_cell(why)} |" for name, why in TOLERATED_CASES.items()]
    rows += [f"| `{name}` | tolerated: the left-out columns read as empty | {', '.join(columns)} |"
             for name, (_table, columns) in OPTIONAL_LEFT_OUT.items()]
    for case in REFUSALS:
        where = f"line {case.line}" + (f", column `{case.column}`" if case.column else "")
        value = f", value {_code(case.value)}" if case.value else ""
        rows.append(f"| `{case.name}` | rejected: `{case.code}` at {where}{value} | {_cell(case.why)} |")
    return rows


def document() -> str:
    """docs/bad-input.md, from the catalog above and the reader's catalog."""
    lines = [
        "# Bad input: what the dashboard does with it",
        "",
        "<!-- Generated by `python -m tests.test_bad_input` from the catalog in tests/test_bad_input.py; "
        "tests/test_bad_input.py checks that this file matches it. -->",
        "",
        "Every input a person can give (a CSV file, an upload in the editor, a cell edited in the editor's "
        "grid, a URL parameter, an official statistics file, the e-mail digest's options and settings) is either "
        "**tolerated** with a documented "
        "normalization or **rejected** with a message in Spanish and English that names the file, line, column "
        "and value and says what is expected. "
        "All problems are listed at once, and a rejected input changes nothing: the CSV files, the database "
        "and the edit history stay byte-identical. A URL value the page cannot use is dropped with a notice "
        "in the sidebar, or silently where the table says so.",
        "",
        "Entry points: *CSV file* is a file in a plan folder, read when the database is built (the plan "
        f"here is `data/{PLAN_ID}/`); *upload* is a CSV or .xlsx uploaded in the editor (messages name the "
        "uploaded file); *edited cell* is a change in the editor's grid of `activities.csv`; *URL parameter* "
        "is a value in a shared link; *official statistics import* is a file given to `python -m plan import "
        "aduanas|comtrade` (or the editor's import tab): a file that cannot be read is rejected whole, while lines "
        "left out and codes not known are said in the preview and the rest is imported (messages name the file, "
        "and the member of an archive); *digest option or setting* is an option of `python -m plan digest` or a "
        "setting it reads from `digest.toml` or Streamlit's `.streamlit/secrets.toml` (`[digest]`): refused before "
        "anything is sent or marked (exit 2), the message naming the option or the file (with line and column for a "
        "file that is not TOML), the value unless it would show a password, and what is expected.",
        "",
        "| id | entry point | input | outcome | message key | message (Spanish) or normalization |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for case in CATALOG:
        outcome, key, text = _outcome(case)
        lines.append(f"| {case.id} | {ENTRY_POINTS[case.entry]} | {_cell(case.given)} | {outcome} | {key} | "
                     f"{_cell(text)} |")
    lines += [
        "",
        "## The CSV reader's own cases",
        "",
        "`tests/test_csv_reading.py` checks these files of `tests/fixtures/csv/` (a tolerated file must build "
        "exactly the rows of the canonical plan; a rejected one is reported at its line, column and value, "
        "in both languages, and changes nothing):",
        "",
        "| fixture or case | outcome | why people produce it |",
        "| --- | --- | --- |",
        *_reader_rows(),
        "",
        "## Adding a case",
        "",
        "1. A file case: put the bytes under `tests/fixtures/bad_input/csv/`, named `<table>--<case>.csv` (it "
        "replaces the canonical plan's `<table>.csv`), or under `tests/fixtures/bad_input/upload/`, named "
        "`activities--<case>.<csv, txt or xlsx>` (uploaded under that name in place of `activities.csv`), or "
        "under `tests/fixtures/bad_input/import/`, named `<aduanas or comtrade>--<case>.<ext>` (files given "
        "before it in the same import are the case's `params[\"first\"]`); say in the README there what its "
        "bytes are when they are not plain UTF-8 text. A case about a file's name needs no fixture: "
        "`params={\"renamed\": {file: name}}` (or `\"copied\"`, to keep the file too) gives files of the "
        "canonical plan another name.",
        "2. Add a `Case` to `CATALOG` in `tests/test_bad_input.py`: `Tolerated(note, stored values)` or "
        "`Rejected(line, column, code, value, Spanish message)`; an edited cell gives `changes` (and `grid=True` "
        "to try it in the editor page too), a URL case gives `params` and the filters it must leave in `expect`, a "
        "digest case gives the command's options (`params[\"args\"]`) and the files it reads "
        "(`params[\"files\"]`).",
        "3. Run `python -m tests.test_bad_input` to write this file again, then the tests.",
        "",
    ]
    return "\n".join(lines)


def test_the_document_lists_exactly_the_catalog():
    # Regenerate with `python -m tests.test_bad_input` after changing the catalog.
    assert DOC.read_text(encoding="utf-8") == document()


if __name__ == "__main__":
    DOC.write_text(document(), encoding="utf-8")
