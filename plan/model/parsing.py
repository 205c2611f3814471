"""Parsing of the numbers and dates that Excel writes, strict where a guess could be wrong.

Decimal separator by file: its amounts decide (`mark_of`): `1448751861.26`, `1,500,000.50` or `1.5`
can only have a decimal point, `1.500.000,50` or `1,5` only a decimal comma, so a file whose
unambiguous amounts agree is read their way, whatever its delimiter (a spreadsheet in an English locale
told to use `;` writes decimal points). When no amount decides (`1.500` only), the delimiter does: a
`;` file comes from a Spanish-locale Excel, so `1.500.000,50` (comma decimal, dot thousands); a `,`
file uses `1,500,000.50`; a tab file (Excel "Unicode text") accepts either, but rejects `1.500` /
`1,500` as ambiguous.
Dates are `dd-mm-yyyy` (also `/` or `.`) or ISO `yyyy-mm-dd`; two-digit years are refused.

The regular expressions are shared with the DuckDB bulk path (RE2 understands them).
"""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from plan.model.textkey import text_key


class DecimalMark(StrEnum):
    COMMA = "comma"
    POINT = "point"
    EITHER = "either"


class ParseError(ValueError):
    """A cell that cannot be read; `code` names the message in `plan.model.i18n`."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


CURRENCY_PREFIX = r"(?:US\$|USD|\$)?\s*"
NUMBER_PATTERNS = {
    DecimalMark.COMMA: r"(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?",
    DecimalMark.POINT: r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?",
}
EXCEL_ERRORS = frozenset(
    text_key(v)
    for v in (
        "nan", "inf", "+inf", "-inf", "infinity", "-infinity", "#N/A", "#N/D", "#¡VALOR!",
        "#VALUE!", "#¿NOMBRE?", "#NAME?", "#DIV/0!", "#¡DIV/0!", "#REF!", "#¡REF!", "#NUM!",
        "#¡NUM!", "#NULL!", "#¡NULO!", "N/A", "NA", "-", "--",
    )
)
MAX_DECIMALS = 2
MAX_INTEGER_DIGITS = 15  # fits DECIMAL(18,2) with room to add rows up


def _match_number(body: str, mark: DecimalMark) -> tuple[str, str] | None:
    if mark is not DecimalMark.EITHER:
        match = re.fullmatch(CURRENCY_PREFIX + NUMBER_PATTERNS[mark], body)
        return (match.group(1), match.group(2) or "") if match else None
    body_digits = re.sub(CURRENCY_PREFIX, "", body, count=1)
    if "," in body_digits and "." in body_digits:
        mark = DecimalMark.COMMA if body_digits.rfind(",") > body_digits.rfind(".") else DecimalMark.POINT
        return _match_number(body, mark)
    for separator in ",.":
        if body_digits.count(separator) == 1 and re.fullmatch(rf"\d{{1,3}}\{separator}\d{{3}}", body_digits):
            raise ParseError("number_ambiguous", value=body)
    return _match_number(body, DecimalMark.COMMA) or _match_number(body, DecimalMark.POINT)


def mark_of(text: str) -> DecimalMark | None:
    """The decimal mark an amount as written can only have: the one grammar of `NUMBER_PATTERNS` it fits
    (`1.5`, `1,500,000.50`: point; `1,5`, `1.500.000,50`: comma), or None when it fits both (`1.500`,
    `1500`) or neither (not a number: the validator judges it)."""
    body = text.strip().lstrip("-").strip()
    fits = [mark for mark, pattern in NUMBER_PATTERNS.items() if re.fullmatch(CURRENCY_PREFIX + pattern, body)]
    return fits[0] if len(fits) == 1 else None


def parse_decimal(text: str, mark: DecimalMark) -> Decimal:
    """An amount >= 0 with at most two decimals, or ParseError."""
    value = text.strip()
    if text_key(value) in EXCEL_ERRORS:
        raise ParseError("number_excel_error", value=value)
    negative = value.startswith("-")
    matched = _match_number(value.lstrip("-").strip(), mark)
    if matched is None:
        example = "1.500.000,50" if mark is DecimalMark.COMMA else "1,500,000.50"
        raise ParseError("number_invalid", value=value, example=example)
    integer_digits, decimals = matched
    if negative:
        raise ParseError("number_negative", value=value)
    if len(re.sub(r"\D", "", integer_digits).lstrip("0")) > MAX_INTEGER_DIGITS:
        raise ParseError("number_too_large", value=value)
    if len(decimals.rstrip("0")) > MAX_DECIMALS:
        raise ParseError("number_too_many_decimals", value=value)
    try:
        return Decimal(re.sub(r"\D", "", integer_digits) + "." + (decimals or "0")).quantize(Decimal("0.01"))
    except InvalidOperation as error:  # pragma: no cover - the regex admits only digits
        raise ParseError("number_invalid", value=value, example="1500000") from error


def parse_count(text: str, mark: DecimalMark) -> int:
    """A whole number >= 0 (thousands separators allowed, decimals only if zero)."""
    amount = parse_decimal(text, mark)
    if amount != amount.to_integral_value():
        raise ParseError("number_not_integer", value=text.strip())
    return int(amount)


_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_DMY_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_TWO_DIGIT_YEAR = re.compile(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2}")
_MIDNIGHT = re.compile(r"(?:\s+|T)0{1,2}:00(?::00)?$")  # Excel's "25-03-2021 0:00", a picker's "...T00:00:00"
_EXCEL_SERIAL = re.compile(r"\d{5}(?:[.,]\d+)?")


def parse_date(text: str) -> dt.date:
    value = _MIDNIGHT.sub("", text.strip())
    if match := _ISO_DATE.fullmatch(value):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DMY_DATE.fullmatch(value):
        day, month, year = (int(g) for g in match.groups())
    elif _TWO_DIGIT_YEAR.fullmatch(value):
        raise ParseError("date_two_digit_year", value=value)
    elif _EXCEL_SERIAL.fullmatch(value):
        raise ParseError("date_excel_serial", value=value)
    else:
        raise ParseError("date_invalid", value=value)
    try:
        return dt.date(year, month, day)
    except ValueError as error:
        raise ParseError("date_impossible", value=value) from error
