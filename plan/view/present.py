"""Query results turned into what a person reads: labels and numbers in the chosen language.

`localize` is the one way a page shows a table: it renames the columns to their labels,
translates codes (enums, countries, plans) and formats numbers and dates for display, and
keeps a twin with real numbers for the CSV download. Here is what several pages share (Card, Presented,
the column catalogue, formats, notes); each page's own tables and cards live in its module
(`plan.view.overview`, `progress`, `markets`, `mix`, `pisco`, `outcomes`).
"""

import datetime as dt
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import pandas as pd
from babel.dates import format_date as babel_date

from plan.model import countries
from plan.model.enums import LabeledEnum
from plan.model.i18n import format_compact, format_date, format_number, format_usd, locale_of, t
from plan.model.models import ACTIVITIES, PISCO_CAMPAIGNS, ActivityType, Modality, Sector, Status
from plan.model.official_sources import OFFICIAL_SOURCES
from plan.model.schema import kind_of
from plan.view.filters import PLANS_APART, Filters


class Presented(NamedTuple):
    """A table for people: `shown` holds the display text, `raw` the same cells with numbers kept as numbers
    (what the CSV download writes)."""

    shown: pd.DataFrame
    raw: pd.DataFrame


@dataclass(frozen=True)
class Card:
    """A figure as a card: `label` and `value`, and when there is one, a `delta` with its `delta_description`,
    the `exact` figure behind a short value, a `status` badge in `color`, a `caption` (for the KPI cards, the
    `target` and `previous` lines it joins, which the report shows apart), the `number` behind the value, the
    `delta_color` and the KPI's `definition`."""

    label: str
    value: str
    delta: str | None = None
    delta_description: str | None = None
    exact: str | None = None
    status: str | None = None
    color: str | None = None
    caption: str | None = None
    target: str | None = None
    previous: str | None = None
    number: float | None = None
    delta_color: str | None = None  # follows the status (green when on track), not the delta's sign
    definition: str | None = None  # what the figure counts, from which files
    exact_delta: str | None = None  # the figure behind a short delta (the report prints it)
    basis: str | None = None  # what the delta compares with, short, shown under it (a phone cannot hover)
    behind: str | None = None  # a total's plans behind ("5 de 16 planes atrasados"), beside its status
    outlook: str | None = None  # the year-end projection, short ("Al cierre: probable (85 %)")
    outlook_detail: str | None = None  # its median, band, chance and method in full (tooltip, report)


# A column's unit: one of these names, a LabeledEnum class, or a dict of code -> label (plans).
UNITS = ("text", "count", "decimal", "usd", "pct", "date", "country", "countries")
KIND_UNITS = {"code": "text", "text": "text", "money": "usd", "count": "count", "date": "date", "country": "country"}


def _field_columns() -> dict[str, tuple[dict[str, str], object]]:
    """The activity and campaign columns headed as the CSV and the README name them (es/en), with
    their unit, so a table shows `Gasto (US$)` wherever the plan has a `spent_usd`."""
    catalogue = {}
    for table in (PISCO_CAMPAIGNS, ACTIVITIES):  # a name both have: the activities' header
        for name, info in table.model.model_fields.items():
            kind = kind_of(info)
            unit = kind.enum if kind.name == "enum" else "countries" if name == "markets" else KIND_UNITS.get(
                kind.name)
            if unit is not None:
                catalogue[name] = ({lang: info.json_schema_extra[lang] for lang in ("es", "en")}, unit)
    return catalogue


FIELD_COLUMNS = _field_columns()


def columns(*names: str, labels: dict[str, str] | None = None, **headers: str) -> dict[str, tuple[object, object]]:
    """Columns for `localize`: `plan_id` named by the plan `labels`, the other `names` as in
    FIELD_COLUMNS; `headers` gives a column an i18n key as its header instead (e.g. title="outcomes_event")."""
    spec: dict[str, tuple[object, object]] = {}
    for name in names:
        if name == "plan_id":
            spec[name] = ("plan", labels)
        else:
            label, unit = FIELD_COLUMNS[name]
            spec[name] = (headers.get(name, label), unit)
    return spec


def _header(label, lang: str) -> str:
    """A column header: an i18n key, or a model column's {"es": ..., "en": ...}."""
    return label[lang] if isinstance(label, dict) else t(label, lang)


def is_missing(value) -> bool:
    """A blank cell: None, pandas' NA or NaT, or a float NaN."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _label_values(series: pd.Series, unit, lang: str) -> pd.Series:
    """Codes as words in `lang` (numbers and dates untouched)."""
    if isinstance(unit, dict):
        return series.map(lambda v: unit.get(v, t("total", lang)))
    if isinstance(unit, type) and issubclass(unit, LabeledEnum):
        return series.map(lambda v: "" if is_missing(v) else unit(v).label(lang))
    if unit == "country":
        return series.map(lambda v: "" if is_missing(v) else countries.country_name(v, lang))
    if unit == "countries":
        return series.map(lambda v: ", ".join(countries.country_name(c, lang) for c in (v if v is not None else [])))
    if unit == "date":
        return series.map(lambda v: None if is_missing(v) else pd.Timestamp(v).date())
    return series


def as_text(value, unit, lang: str) -> str:
    """A cell as a table shows it: "" when blank, numbers and dates `formatted`, anything else as text."""
    if is_missing(value):
        return ""
    if isinstance(unit, str) and unit in FORMATTED_UNITS:
        return formatted(value, unit, lang)
    return str(value)


FORMATTED_UNITS = ("count", "decimal", "usd", "pct", "date")


@functools.lru_cache(maxsize=2**16, typed=True)
def formatted(value, unit: str, lang: str) -> str:
    """A number or date (not missing) as shown, `unit` one of FORMATTED_UNITS. Memoized: a national table
    or map repeats the same counts, amounts and days thousands of times (babel formats ~50 µs a value)."""
    if unit == "count":
        return format_number(value, lang)
    if unit == "decimal":
        return format_number(value, lang, 1)
    if unit == "usd":
        return format_usd(value, lang)
    if unit == "pct":
        return f"{format_number(value, lang, 1)} %"
    return format_date(value if isinstance(value, dt.date) else value.date(), lang)


def month_label(value, lang: str) -> str:
    """A month in the language: `sept 2021`, `Sep 2021`."""
    return babel_date(pd.Timestamp(value).date(), "MMM yyyy", locale=locale_of(lang))


def localize(frame: pd.DataFrame, columns: dict[str, tuple[str, object]], lang: str) -> Presented:
    """(shown, raw): the `columns` of `frame` (name -> (header, unit), see `columns`) headed in
    `lang`; `shown` holds display text, `raw` the same with numbers kept as numbers (for downloads)."""
    headers = {name: _header(label, lang) for name, (label, _unit) in columns.items()}
    raw = pd.DataFrame({headers[name]: _label_values(frame[name], unit, lang).to_numpy()
                        for name, (_label, unit) in columns.items()})
    shown = pd.DataFrame({headers[name]: [as_text(v, unit, lang) for v in raw[headers[name]]]
                          for name, (_label, unit) in columns.items()})
    return Presented(shown, raw)


def plans_summed_note(filters: Filters, lang: str) -> str:
    """The note under charts that draw the chosen plans' total instead of each plan ("" when they draw each)."""
    if not filters.plans_summed():
        return ""
    return t("plans_summed_note", lang, plans=format_number(len(filters.plan_ids), lang), apart=PLANS_APART)


def capped_note(rows: pd.DataFrame, key: str, lang: str) -> str:
    """The note `key` under a chart that draws only the most relevant of more rows (`rows` from a capped
    query of `plan.view.queries`, with `matching`): how many of how many; "" when it draws them all."""
    matching = 0 if rows.empty else int(rows["matching"].iloc[0])
    if matching <= len(rows):
        return ""
    return t(key, lang, shown=format_number(len(rows), lang), total=format_number(matching, lang))


def confidential(tables: Presented, hidden, keys: list[str], lang: str) -> Presented:
    """The cells of `keys` (headers' i18n keys) in the rows `hidden` marks written "confidencial", in the shown
    table and its download alike: figures of fewer than 3 firms (`queries.CONFIDENTIAL`)."""
    shown, raw = tables.shown.copy(), tables.raw.copy()
    rows = list(pd.Series(hidden, dtype=bool).reset_index(drop=True))
    for key in keys:
        header = t(key, lang)
        for frame in (shown, raw):
            frame[header] = frame[header].astype(object)
            frame.loc[rows, header] = t("firms_confidential", lang)
    return Presented(shown, raw)


def exports_table(exports: pd.DataFrame, plan_labels: dict[str, str], lang: str) -> Presented:
    """`outcome_queries.exports_by_year` for people: plan, year, exports, change and growth (confidential ones said)."""
    tables = localize(exports, {"plan_id": ("plan", plan_labels), "year": ("year", "text"),
                                "exports_usd": ("exports_usd", "usd"), "increase_usd": ("increase_usd", "usd"),
                                "growth_pct": ("growth_pct", "pct")}, lang)
    return confidential(tables, exports["confidential"], ["exports_usd"], lang)


def official_note(official: pd.DataFrame, lang: str) -> str:
    """Where imported export figures come from, that customs' are preliminary, and their licence ("" if none
    are in view)."""
    return " ".join(t(f"official_note_{OFFICIAL_SOURCES[row.official]}", lang,
                      first=pd.Timestamp(row.first_month).strftime("%Y-%m"),
                      last=pd.Timestamp(row.last_month).strftime("%Y-%m"))
                    for row in official.itertuples())


def signed(value, unit: str, lang: str, missing: str = "", short: bool = False) -> str:
    """A change with its sign, `+US$ 905.100.000`, `-5`, `+25,0 %` (`missing` when there is none); `short`
    writes amounts as cards do (`+MMUS$ 905,1`, see `format_compact`)."""
    if is_missing(value):
        return missing
    sign = "+" if value >= 0 else "-"
    if short and unit in ("usd", "count"):
        return sign + format_compact(abs(value), lang, usd=unit == "usd")
    return sign + as_text(abs(value), unit, lang)


def stamp(moment: dt.datetime, lang: str) -> str:
    """A date and time, `25-11-2026 08:01` / `2026-11-25 08:01`."""
    return format_date(moment.date(), lang) + moment.strftime(" %H:%M")


def filter_lines(filters: Filters, lang: str, only_chosen: bool = False) -> list[tuple[str, str]]:
    """The filters beyond the plans as (name, value) in words: every one, "all" where nothing was chosen (the
    report), or `only_chosen` (under a page's title, where a phone hides the sidebar)."""
    def listed(values, word: Callable[[str], str], all_key: str = "all") -> str | None:
        return ", ".join(word(v) for v in values) if values else None if only_chosen else t(all_key, lang)

    def day(value: dt.date | None) -> str | None:
        return format_date(value, lang) if value else None if only_chosen else t("report_no_limit", lang)

    period = t(f"quarter_{filters.quarter}", lang) if filters.quarter else None if only_chosen else t(
        "whole_year", lang)
    lines = [
        (t("period", lang), period),
        (t("date_from", lang), day(filters.date_from)),
        (t("date_to", lang), day(filters.date_to)),
        (t("markets", lang), listed(filters.markets, lambda c: countries.country_name(c, lang))),
        (t("sectors", lang), listed(filters.sectors, lambda v: Sector(v).label(lang))),
        (t("modalities", lang), listed(filters.modalities, lambda v: Modality(v).label(lang), "all_feminine")),
        (t("types", lang), listed(filters.types, lambda v: ActivityType(v).label(lang))),
        (t("statuses", lang), listed(filters.statuses, lambda v: Status(v).label(lang))),
    ]
    return [(name, value) for name, value in lines if value is not None]


def chosen_line(filters: Filters, labels: dict[str, str], lang: str) -> str:
    """What this page shows, in one line under its title: the plans, then each filter chosen."""
    plans = ", ".join(labels.get(plan_id, plan_id) for plan_id in filters.plan_ids)
    chosen = [f"{name}: {value}" for name, value in filter_lines(filters, lang, only_chosen=True)]
    return " · ".join([f"{t('report_plans', lang)}: {plans}", *chosen])
