"""Tables as files people open in a spreadsheet, with formulas neutralized.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a
formula by Excel or LibreOffice ("CSV injection"); it gets a leading apostrophe, which the
spreadsheet shows as text. Numbers stay numbers.
"""

import pandas as pd

from plan.data.csv_writer import cell_text, csv_record
from plan.model.fields import FORMULA_STARTS
from plan.model.parsing import DecimalMark


def neutralize(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralized(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells (and headers) cannot run as spreadsheet formulas."""
    out = frame.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]) and not pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].map(neutralize)
    out.columns = [neutralize(str(c)) for c in out.columns]
    return out


def csv_bytes(frame: pd.DataFrame, lang: str = "es") -> bytes:
    """UTF-8 with BOM; Spanish: `;` and decimal comma (what a Spanish Excel opens), English: `,` and point."""
    sep, decimal = (";", ",") if lang != "en" else (",", ".")
    text = neutralized(frame).to_csv(index=False, sep=sep, decimal=decimal, lineterminator="\r\n")
    return ("\ufeff" + text).encode("utf-8")


def table_csv(frame: pd.DataFrame, spanish_excel: bool) -> bytes:
    """A plan table as a file the reader takes back unchanged: for a Spanish Excel `;`, decimal comma,
    CRLF and a BOM, otherwise plain `,` UTF-8. Amounts are written exactly (no float rounding)."""
    mark, delimiter = (DecimalMark.COMMA, ";") if spanish_excel else (DecimalMark.POINT, ",")
    ending = "\r\n" if spanish_excel else "\n"
    rows = ([neutralize(value) if isinstance(value, str) else cell_text(value, mark) for value in row]
            for row in frame.itertuples(index=False))
    lines = [csv_record(cells, delimiter, ending) for cells in [[neutralize(str(c)) for c in frame.columns], *rows]]
    return (("\ufeff" if spanish_excel else "") + "".join(lines)).encode("utf-8")
