"""Excel both ways: downloads keep types and never carry formulas; uploads become CSV the reader accepts.

Workbooks are real files written by openpyxl (the same library a user's script would use);
where a cell must hold what Excel writes but openpyxl does not (a cached formula result, a
17-digit float, a wrong <dimension>), the sheet XML of such a file is edited.
"""

import csv
import datetime as dt
import io
import os
import random
import re
import zipfile
from decimal import Decimal

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from plan.data import csv_reader
from plan.edit.workbooks import xlsx_bytes, xlsx_to_csv
from plan.model.models import TARGETS

SHEET = "xl/worksheets/sheet1.xml"
DANGEROUS = ["=SUM(A1)", "-2+3", "@cmd", "+1", "\tTab"]


def workbook_bytes(rows: list[list], edit=None) -> bytes:
    """A workbook written by openpyxl with `rows` from A1; `edit(sheet_xml) -> sheet_xml` changes its XML."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    if edit is None:
        return buffer.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, edit(data.decode()).encode() if info.filename == SHEET else data)
    return out.getvalue()


def csv_rows(result) -> list[list[str]]:
    assert isinstance(result, bytes), result
    assert not result.startswith(b"\xef\xbb\xbf") and b"\r" not in result.replace(b'"\r', b"")
    return list(csv.reader(io.StringIO(result.decode("utf-8"), newline="")))


def codes(result) -> list[str]:
    assert isinstance(result, list), result
    return [issue.code for issue in result]


def sample_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "texto": ["Ñandú en Peñalolén", *DANGEROUS, None],
            "entero": [2021, -7, 0, 1, 123456789, 5, 6],
            "monto": [Decimal("1448751861.26"), Decimal("0.10"), Decimal("-4500000.00"), None, Decimal("200"),
                      Decimal("0.01"), Decimal("99999999999.99")],
            "fecha": [dt.date(2024, 1, 2), None, dt.date(2021, 12, 31), pd.NaT, dt.date(1999, 2, 28),
                      dt.date(2030, 6, 30), None],
            "lista": [["a", "b"], [], ["=x"], None, ["solo"], ["c"], ["d"]],
        }
    )


# ----------------------------------------------------------------------------- download, then upload


def test_round_trip_gives_back_texts_numbers_and_dates():
    frame = sample_frame()
    rows = csv_rows(xlsx_to_csv(xlsx_bytes(frame, "Metas"), "metas.xlsx"))
    assert rows[0] == ["texto", "entero", "monto", "fecha", "lista"]
    assert len(rows) == len(frame) + 1
    texts, ints, amounts, dates, lists = zip(*rows[1:], strict=True)
    assert texts == ("Ñandú en Peñalolén", *("'" + text for text in DANGEROUS), "")  # neutralization shows
    assert ints == ("2021", "-7", "0", "1", "123456789", "5", "6")
    originals = frame["monto"].tolist()
    assert [Decimal(text) if text else None for text in amounts] == originals  # exact, not just close
    assert amounts[1] == "0.1"  # Excel keeps the number, not its trailing zeros
    assert dates == ("2024-01-02", "", "2021-12-31", "", "1999-02-28", "2030-06-30", "")
    assert lists == ("a|b", "", "'=x", "", "solo", "c", "d")


def test_amounts_of_up_to_15_digits_come_back_exactly():
    # openpyxl stores 627925912.94 as "627925912.9400001" ("%.16g"); read as a float it is the same number.
    draw = random.Random(20240601)
    amounts = [Decimal(draw.randrange(10 ** (digits - 1), 10**digits)).scaleb(-2) for digits in range(3, 16)
               for _ in range(40)]
    rows = csv_rows(xlsx_to_csv(xlsx_bytes(pd.DataFrame({"monto": amounts}), "x"), "x.xlsx"))
    assert [Decimal(row[0]) for row in rows[1:]] == amounts


def test_downloaded_cells_are_typed_and_no_text_is_a_formula():
    frame = sample_frame().rename(columns={"texto": "=HEADER()"})
    sheet = load_workbook(io.BytesIO(xlsx_bytes(frame, "Metas")), data_only=False).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [cell for cell in cells if cell.data_type == "f"] == []
    assert sheet["A1"].value == "'=HEADER()" and sheet["A1"].font.bold
    assert sheet["A3"].value == "'=SUM(A1)" and sheet["A3"].data_type == "s"
    assert sheet["B2"].value == 2021 and sheet["B2"].data_type == "n"
    assert sheet["C2"].value == 1448751861.26 and sheet["C2"].number_format == "#,##0.00"
    assert sheet["C6"].value == 200 and sheet["C6"].data_type == "n"
    assert sheet["D2"].data_type == "d" and sheet["D2"].number_format == "yyyy-mm-dd"
    assert sheet["D2"].value == dt.datetime(2024, 1, 2)
    assert sheet["A8"].value is None and sheet["D3"].value is None
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:E8"
    assert sheet.title == "Metas" and sheet.column_dimensions["A"].width > len("Ñandú en Peñalolén")


def test_a_text_is_a_string_cell_even_without_neutralization(monkeypatch):
    monkeypatch.setattr("plan.edit.workbooks.neutralize", lambda value: value)
    sheet = load_workbook(io.BytesIO(xlsx_bytes(pd.DataFrame({"=A()": ["=SUM(A1)"]}), "x")), data_only=False).active
    assert [(cell.value, cell.data_type) for cell in (sheet["A1"], sheet["A2"])] == [("=A()", "s"), ("=SUM(A1)", "s")]


def test_control_characters_xml_cannot_hold_are_shown_not_a_crash():
    frame = pd.DataFrame({"valor": ["a\x01b", "dos\nlíneas\tcon tab"]})
    rows = csv_rows(xlsx_to_csv(xlsx_bytes(frame, "x"), "x.xlsx"))
    assert rows[1:] == [["a\ufffdb"], ["dos\nlíneas\tcon tab"]]


def test_datetimes_and_sheet_names_are_written_for_excel():
    frame = pd.DataFrame({"cuando": [dt.datetime(2024, 3, 4, 15, 30), pd.Timestamp("2024-03-05")]})
    sheet = load_workbook(io.BytesIO(xlsx_bytes(frame, "Metas: 2024/25 [borrador] y más texto largo"))).active
    assert sheet.title == "Metas  2024 25  borrador  y más"
    assert sheet["A2"].number_format == "yyyy-mm-dd hh:mm:ss" and sheet["A3"].number_format == "yyyy-mm-dd"
    assert csv_rows(xlsx_to_csv(xlsx_bytes(frame, "x"), "x.xlsx"))[1:] == [["2024-03-04 15:30:00"], ["2024-03-05"]]


def test_the_same_table_gives_the_same_bytes():
    first = xlsx_bytes(sample_frame(), "Metas")
    assert xlsx_bytes(sample_frame(), "Metas") == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        assert b"2000-01-01T00:00:00Z" in archive.read("docProps/core.xml")
    assert xlsx_bytes(sample_frame().head(3), "Metas") != first


def test_the_reader_accepts_the_csv_of_an_excel_targets_table(tmp_path):
    frame = pd.DataFrame(
        {
            "metric": ["exports_usd", "exporters"],
            "year": [2021, 2022],
            "market": ["GBR", None],
            "sector": ["fresh_fruit", None],
            "target": [Decimal("1500000.50"), Decimal("200")],
            "notes": ["Fruta, al Reino Unido", "-20% respecto de 2021"],
            "source": ["ilustrativo", None],
        }
    )
    path = tmp_path / "targets.csv"
    path.write_bytes(xlsx_to_csv(xlsx_bytes(frame, "Targets"), "targets.xlsx"))
    opened = csv_reader.open_csv(path, TARGETS, "targets.csv")
    assert isinstance(opened, csv_reader.CsvFile), opened
    found = [next(part for part in item if isinstance(part, dict)) for item in csv_reader.records(opened)]
    assert [row["metric"] for row in found] == ["exports_usd", "exporters"]
    assert [row["target"] for row in found] == ["1500000.5", "200"]
    assert [row["market"] for row in found] == ["GBR", ""]
    assert [row["notes"] for row in found] == ["Fruta, al Reino Unido", "'-20% respecto de 2021"]


# ----------------------------------------------------------------------------- uploads


def test_cell_values_become_the_text_the_reader_expects():
    rows = [
        ["a", "b", "c", "d", "e", "f", "g"],
        [True, False, "#N/A", dt.datetime(2024, 1, 2), dt.datetime(2024, 1, 2, 8, 5, 9), dt.date(2023, 5, 6), " x "],
    ]
    assert csv_rows(xlsx_to_csv(workbook_bytes(rows), "u.xlsx"))[1] == [
        "TRUE", "FALSE", "#N/A", "2024-01-02", "2024-01-02 08:05:09", "2023-05-06", " x "
    ]


def test_floats_are_written_as_excel_shows_them_without_exponent():
    # Excel stores up to 17 digits (0.1+0.2 as 0.30000000000000004) but shows and computes with 15.
    floats = ["1E+20", "0.30000000000000004", "12.0", "1500.5", "1448751861.26", "1.5E-7", "-0.0", "-2.5"]
    placeholders = [[1000 + i] for i in range(len(floats))]

    def excel_values(xml: str) -> str:
        for i, text in enumerate(floats):
            xml = xml.replace(f"<v>{1000 + i}</v>", f"<v>{text}</v>")
        return xml

    rows = csv_rows(xlsx_to_csv(workbook_bytes([["valor"], *placeholders], excel_values), "u.xlsx"))
    assert [row[0] for row in rows[1:]] == [
        "100000000000000000000", "0.3", "12", "1500.5", "1448751861.26", "0.00000015", "0", "-2.5"
    ]


def test_empty_rows_and_columns_are_kept_inside_and_dropped_at_the_end():
    rows = [[], [None, "metric", "year", None], [None, "exports_usd", 2021], [], [None, None, None, None]]
    result = xlsx_to_csv(workbook_bytes(rows), "u.xlsx")
    assert result == b",,\n,metric,year\n,exports_usd,2021\n"  # CSV line n is spreadsheet row n


def test_a_wrong_dimension_does_not_cut_the_sheet_short():
    rows = [["metric", "year"], ["exports_usd", 2021], ["exporters", 2022]]
    result = xlsx_to_csv(workbook_bytes(rows, lambda xml: xml.replace('ref="A1:B3"', 'ref="A1"')), "u.xlsx")
    assert csv_rows(result) == [["metric", "year"], ["exports_usd", "2021"], ["exporters", "2022"]]


def test_a_formula_without_computed_value_is_reported_at_its_cell():
    rows = [["metric", "year", None], ["exports_usd", "=2020+1", None], ["exporters", 2022, "=SUM(B2:B3)"]]
    issues = xlsx_to_csv(workbook_bytes(rows), "metas.xlsx")
    assert codes(issues) == ["xlsx_formula_not_computed", "xlsx_formula_not_computed"]
    assert [(i.path, i.line, i.column, i.params) for i in issues] == [
        ("metas.xlsx", 2, "year", {"value": "=2020+1", "cell": "B2"}),
        ("metas.xlsx", 3, "C", {"value": "=SUM(B2:B3)", "cell": "C3"}),
    ]
    assert "B2" in issues[0].message("es") and "=2020+1" in issues[0].message("en")


def test_formulas_with_a_result_saved_by_excel_give_that_result():
    rows = [["metric", "year", "notes"], ["exports_usd", "=2020+1", '=IF(TRUE,"","x")']]

    def as_excel_saves(xml: str) -> str:
        xml = re.sub(r"(<c r=\"B2\"[^>]*>)<f>2020\+1</f><v\s*/>", r"\1<f>2020+1</f><v>2021</v>", xml)
        return re.sub(r"<c r=\"C2\"([^>]*)>(<f>.*?</f>)<v\s*/>", r'<c r="C2" t="str"\1>\2<v></v>', xml)

    assert csv_rows(xlsx_to_csv(workbook_bytes(rows, as_excel_saves), "u.xlsx")) == [
        ["metric", "year", "notes"], ["exports_usd", "2021", ""]
    ]


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "raw",
    [
        pdf_bytes(),
        b"metric,year,target\nexports_usd,2021,1500000.50\n",
        os.urandom(4096),
        b"",
        zip_of({}),
        zip_of({"targets.csv": b"metric,year\n"}),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),  # the start of an old binary .xls
    ],
    ids=["pdf", "csv", "random", "no-bytes", "empty-zip", "zip-without-workbook", "xls"],
)
def test_what_is_not_an_xlsx_workbook_is_one_clear_issue(raw):
    issues = xlsx_to_csv(raw, "metas.xlsx")
    assert codes(issues) == ["xlsx_unreadable"]
    assert (issues[0].line, issues[0].params) == (0, {"value": "metas.xlsx"})
    assert "metas.xlsx" in issues[0].message("es") and ".xlsx" in issues[0].message("en")


def test_a_damaged_sheet_is_unreadable_not_a_crash():
    assert codes(xlsx_to_csv(workbook_bytes([["a"], [1]], lambda xml: xml.replace("</row>", "", 1)), "u")) == [
        "xlsx_unreadable"
    ]


def test_an_empty_sheet_is_an_empty_file():
    assert codes(xlsx_to_csv(workbook_bytes([]), "u.xlsx")) == ["file_empty"]
    assert codes(xlsx_to_csv(workbook_bytes([[None, ""], []]), "u.xlsx")) == ["file_empty"]


def test_a_sheet_larger_than_the_limit_is_refused_before_reading():
    raw = workbook_bytes([["a", "b", "c"], *[[1, 2, 3]] * 9])
    issues = xlsx_to_csv(raw, "u.xlsx", max_cells=29)
    assert codes(issues) == ["xlsx_too_large"]
    assert issues[0].params == {"value": 30, "limit": 29}
    assert "30" in issues[0].message("es") and "29" in issues[0].message("en")
    assert isinstance(xlsx_to_csv(raw, "u.xlsx", max_cells=30), bytes)


def test_the_limit_holds_when_the_dimension_understates_the_sheet():
    raw = workbook_bytes([["a", "b", "c"], *[[1, 2, 3]] * 9], lambda xml: xml.replace('ref="A1:C10"', 'ref="A1"'))
    issues = xlsx_to_csv(raw, "u.xlsx", max_cells=29)
    assert codes(issues) == ["xlsx_too_large"] and issues[0].params == {"value": 30, "limit": 29}
