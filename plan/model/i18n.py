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

from babel.numbers import format_decimal

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


def format_usd(value: float | int | Decimal, lang: str = DEFAULT_LANG, decimals: int = 0) -> str:
    """`US$ 1.500.000` in Spanish, `US$1,500,000` in English (`decimals` to show cents)."""
    amount = format_number(value, lang, decimals)
    return f"US$ {amount}" if lang != "en" else f"US${amount}"


COMPACT_FROM = 1_000_000  # smaller figures are written whole: a director reads `1.272` reuniones, `US$ 233.486`


def format_compact(value: float | int | Decimal, lang: str = DEFAULT_LANG, usd: bool = False) -> str:
    """Short figures for cards: below a million the whole number (`1.272`, `US$ 233.486`); from a million on,
    millions with one decimal (none from 1,000 millions, so a card's figure fits): in Spanish as Chilean
    reports write them, `MMUS$ 73,8`, `MMUS$ 5.780` and `1,6 millones`; in English `US$73.8M`, `US$5,780M`
    and `1.6M`. One convention everywhere (docs/pages.md, "How figures are written"); the exact figure goes in the
    card's tooltip."""
    if round(abs(float(value))) < COMPACT_FROM:  # 999.999,6 rounds to a million: `1,0 millones`
        return format_usd(round(float(value)), lang) if usd else format_number(round(float(value)), lang)
    millions = float(value) / 1_000_000
    amount = format_number(millions, lang, 0 if abs(millions) >= 1_000 else 1)
    if lang == "en":
        return f"US${amount}M" if usd else f"{amount}M"
    return f"MMUS$ {amount}" if usd else f"{amount} millones"


def format_date(value: dt.date, lang: str = DEFAULT_LANG) -> str:
    """`23-06-2020` in Spanish, `2020-06-23` in English (also for pandas Timestamps)."""
    return value.strftime("%d-%m-%Y") if lang != "en" else value.isoformat()
