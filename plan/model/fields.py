"""Column types for the plan models: how a CSV cell (or an edited value) becomes a value.

Each type is an `Annotated` with a `Kind` marker that the DuckDB bulk path reads to
derive the same checks in SQL, and a pydantic validator that raises errors whose
type is a message key of `plan.model.i18n`. The decimal mark of the source file travels in the
validation context (`{"decimal_mark": DecimalMark.COMMA}`).
"""

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationInfo
from pydantic_core import PydanticCustomError

from plan.model import countries
from plan.model.enums import LabeledEnum
from plan.model.parsing import DecimalMark, ParseError, parse_count, parse_date, parse_decimal

CODE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._\-]{0,39}"
MAX_TEXT = 2000
LIST_SEPARATORS = re.compile(r"[|;,]")
# Text a spreadsheet would run as a formula ("CSV injection"): a download puts an apostrophe before it
# (plan.edit.downloads); reading it back removes it, so a downloaded file uploaded again is unchanged.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALIZED = tuple("'" + start for start in FORMULA_STARTS)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Kind:
    """What a column holds, for the SQL twin and the editor: name in {code, text, money, count,
    date, enum, country, list}; `enum`/`allowed` for enums, `low`/`high` for counts, `item`
    (country, enum or text) for lists."""

    name: str
    enum: type[LabeledEnum] | None = None
    allowed: tuple[str, ...] | None = None
    low: int = 0
    high: int | None = None
    item: str | None = None


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _decimal_mark(info: ValidationInfo) -> DecimalMark:
    return (info.context or {}).get("decimal_mark", DecimalMark.EITHER)


def _cell(parse: Callable[[Any, DecimalMark], Any], required: bool, empty: Callable[[], Any] = lambda: None):
    """Wrap `parse` with the empty-cell rule and the translation of ParseError."""

    def validate(value: Any, info: ValidationInfo) -> Any:
        if _is_empty(value):
            if required:
                raise PydanticCustomError("required", "required")
            return empty()
        try:
            return parse(value, _decimal_mark(info))
        except ParseError as error:
            raise PydanticCustomError(error.code, error.code, error.params) from None

    return BeforeValidator(validate)


def _text(value: Any, _mark: DecimalMark) -> str:
    text = str(value).strip()
    if text.startswith(NEUTRALIZED):  # a formula-like text a download protected: back to what was written
        text = text[1:]
    if len(text) > MAX_TEXT:
        raise ParseError("text_too_long", value=text[:40] + "…", length=len(text), limit=MAX_TEXT)
    if match := _CONTROL.search(text):  # shown as its Unicode picture (␇ for BEL), in the text around it
        shown = _CONTROL.sub(lambda m: chr(0x2421 if m[0] == "\x7f" else 0x2400 + ord(m[0])), text)
        raise ParseError("text_control_chars", value=shown[max(0, match.start() - 30) : match.start() + 20])
    return text


def _code(value: Any, _mark: DecimalMark) -> str:
    text = str(value).strip()
    if not re.fullmatch(CODE_PATTERN, text):
        raise ParseError("code_invalid", value=text[:60])
    return text


def _number_text(value: Any) -> tuple[str, DecimalMark | None]:
    """Typed numbers (from the editor or Excel) need no locale guessing."""
    if isinstance(value, bool):
        raise ParseError("number_invalid", value=str(value), example="1500000")
    if isinstance(value, int | Decimal):
        return str(value), DecimalMark.POINT
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ParseError("number_excel_error", value=str(value))
        return repr(value), DecimalMark.POINT
    return str(value), None


def _money(value: Any, mark: DecimalMark) -> Decimal:
    text, typed_mark = _number_text(value)
    return parse_decimal(text, typed_mark or mark)


def _counter(low: int, high: int | None) -> Callable[[Any, DecimalMark], int]:
    def parse(value: Any, mark: DecimalMark) -> int:
        text, typed_mark = _number_text(value)
        number = parse_count(text, typed_mark or mark)
        if number < low or (high is not None and number > high):
            raise ParseError("number_out_of_range", value=text, low=low, high=high)
        return number

    return parse


def _day(value: Any, _mark: DecimalMark) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return parse_date(str(value))


def _enum_parser(enum: type[LabeledEnum], allowed: tuple[str, ...] | None):
    members = [m for m in enum if allowed is None or m.value in allowed]

    def parse(value: Any, _mark: DecimalMark) -> LabeledEnum:
        member = enum.lookup(str(value))
        if member is None or member not in members:
            shown = {lang: ", ".join(m.label(lang) for m in members) for lang in ("es", "en")}
            raise ParseError("enum_unknown", value=str(value).strip(), allowed=shown)
        return member

    return parse


def _country(value: Any, _mark: DecimalMark) -> str:
    code = countries.to_iso3(str(value))
    if code is None:
        raise ParseError("country_unknown", value=str(value).strip())
    return code


def _list_of(parse_one: Callable[[Any, DecimalMark], Any]):
    """A cell holding several values separated by `|`, `;` or `,`; duplicates dropped."""

    def parse(value: Any, mark: DecimalMark) -> list:
        items = value if isinstance(value, list | tuple) else LIST_SEPARATORS.split(str(value))
        parsed = [parse_one(item, mark) for item in items if not _is_empty(item)]
        return list(dict.fromkeys(parsed))

    return parse


def column(es: str, en: str, help_es: str = "", help_en: str = "", **kwargs) -> Any:
    """Field with the labels the CSV header, the editor and the column docs show."""
    extra = {"es": es, "en": en, "help_es": help_es, "help_en": help_en}
    return Field(title=en, description=help_en or None, json_schema_extra=extra, **kwargs)


Code = Annotated[str, Kind("code"), _cell(_code, True)]
OptCode = Annotated[str | None, Kind("code"), _cell(_code, False)]
Text = Annotated[str, Kind("text"), _cell(_text, True)]
OptText = Annotated[str | None, Kind("text"), _cell(_text, False)]
Money = Annotated[Decimal | None, Kind("money"), _cell(_money, False)]
RequiredMoney = Annotated[Decimal, Kind("money"), _cell(_money, True)]
Count = Annotated[int | None, Kind("count"), _cell(_counter(0, None), False)]
Year = Annotated[int, Kind("count", low=1990, high=2100), _cell(_counter(1990, 2100), True)]
Month = Annotated[int | None, Kind("count", low=1, high=12), _cell(_counter(1, 12), False)]
RequiredMonth = Annotated[int, Kind("count", low=1, high=12), _cell(_counter(1, 12), True)]
Day = Annotated[dt.date, Kind("date"), _cell(_day, True)]
OptDay = Annotated[dt.date | None, Kind("date"), _cell(_day, False)]
Country = Annotated[str, Kind("country"), _cell(_country, True)]
OptCountry = Annotated[str | None, Kind("country"), _cell(_country, False)]
Countries = Annotated[list[str], Kind("list", item="country"), _cell(_list_of(_country), False, list),
                      Field(default_factory=list)]
Texts = Annotated[list[str], Kind("list", item="text"), _cell(_list_of(_text), False, list),
                  Field(default_factory=list)]


def Choice(enum: type[LabeledEnum], *, required: bool = True, allowed: tuple[str, ...] | None = None):  # noqa: N802 - reads as a type
    """An enum column (optionally restricted to `allowed` codes)."""
    kind = Kind("enum", enum=enum, allowed=allowed)
    if required:
        return Annotated[enum, kind, _cell(_enum_parser(enum, allowed), True)]
    return Annotated[enum | None, kind, _cell(_enum_parser(enum, allowed), False)]


def Choices(enum: type[LabeledEnum]):  # noqa: N802 - reads as a type
    """Several enum values in one cell."""
    parse = _list_of(_enum_parser(enum, None))
    return Annotated[list[enum], Kind("list", enum=enum, item="enum"), _cell(parse, False, list),
                     Field(default_factory=list)]
