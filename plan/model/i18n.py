"""Every user-facing text in Spanish (default) and English, and locale-aware formats.

The texts live next to the layer that uses them, one file per concern, and are merged here into one
lookup (`t`):

    plan/model/messages/*.toml   cells and rows of a plan CSV
    plan/data/messages/*.toml    files, builds
    plan/edit/messages/*.toml    the editor's tables, uploaded workbooks
    plan/view/messages/*.toml    pages, filters, charts, the report
    plan/ui/messages/*.toml      the editor page, who may edit

A key is defined once in the whole catalogue; `tests/test_i18n.py` checks both languages and their
placeholders. Numbers and dates follow es-CL (`US$ 1.500.000`, `23-06-2020`) or en (`US$1,500,000`)
through Babel, so no page formats a figure by hand.
"""

import datetime as dt
import tomllib
from decimal import Decimal
from pathlib import Path

from babel.numbers import format_compact_decimal, format_decimal

LANGS = ("es", "en")
DEFAULT_LANG = "es"
PACKAGE = Path(__file__).resolve().parent.parent  # plan/


def catalogue_files() -> list[Path]:
    """Every message file of every layer, in a stable order."""
    return sorted(PACKAGE.glob("*/messages/*.toml"))


def load_messages(paths: list[Path]) -> dict[str, dict[str, str]]:
    """The files merged into one catalogue; a key defined in two files is an error, not a silent override."""
    messages: dict[str, dict[str, str]] = {}
    where: dict[str, Path] = {}
    for path in paths:
        with open(path, "rb") as handle:
            for key, texts in tomllib.load(handle).items():
                if key in messages:
                    raise ValueError(f"message {key!r} is defined in {where[key]} and again in {path}")
                messages[key], where[key] = texts, path
    return messages


MESSAGES = load_messages(catalogue_files())


def t(key: str, lang: str = DEFAULT_LANG, **params) -> str:
    """The message `key` in `lang`, with `params` filled in."""
    texts = MESSAGES[key]
    return texts.get(lang, texts[DEFAULT_LANG]).format(**params)


def locale_of(lang: str) -> str:
    return "en_US" if lang == "en" else "es_CL"


def format_number(value: float | int | Decimal, lang: str = DEFAULT_LANG, decimals: int = 0) -> str:
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=locale_of(lang))


def format_usd(value: float | int | Decimal, lang: str = DEFAULT_LANG) -> str:
    """`US$ 1.500.000` in Spanish, `US$1,500,000` in English."""
    amount = format_number(value, lang)
    return f"US$ {amount}" if lang != "en" else f"US${amount}"


def format_compact(value: float | int | Decimal, lang: str = DEFAULT_LANG, usd: bool = False) -> str:
    """Short figures for KPI cards: `US$ 9,3 M` / `US$9.3M`, `120,5 k` / `120.5K` (Babel's CLDR rules)."""
    amount = format_compact_decimal(value, format_type="short", locale=locale_of(lang), fraction_digits=1)
    amount = amount.replace("\xa0", " ")
    if not usd:
        return amount
    return f"US$ {amount}" if lang != "en" else f"US${amount}"


def format_date(value: dt.date, lang: str = DEFAULT_LANG) -> str:
    """`23-06-2020` in Spanish, `2020-06-23` in English (also for pandas Timestamps)."""
    return value.strftime("%d-%m-%Y") if lang != "en" else value.isoformat()
