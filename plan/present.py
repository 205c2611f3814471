"""Query results turned into what a person reads: labels and numbers in the chosen language.

`localize` is the one way a page shows a table: it renames the columns to their labels,
translates codes (enums, countries, plans) and formats numbers and dates for display, and
keeps a twin with real numbers for the CSV download.
"""

import datetime as dt
import math
from collections.abc import Callable

import pandas as pd

from plan import countries
from plan.enums import LabeledEnum
from plan.i18n import format_date, format_number, format_usd, t
from plan.models import ActivityType, Modality, Status

# A column's unit: one of these names, a LabeledEnum class, or a dict of code -> label (plans).
UNITS = ("text", "count", "decimal", "usd", "pct", "date", "country", "countries")


def _missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _or_blank(value, formatter: Callable) -> str:
    return "" if _missing(value) else formatter(value)


def _label_values(series: pd.Series, unit, lang: str) -> pd.Series:
    """Codes as words in `lang` (numbers and dates untouched)."""
    if isinstance(unit, dict):
        return series.map(lambda v: unit.get(v, t("total", lang)))
    if isinstance(unit, type) and issubclass(unit, LabeledEnum):
        return series.map(lambda v: "" if _missing(v) else unit(v).label(lang))
    if unit == "country":
        return series.map(lambda v: "" if _missing(v) else countries.country_name(v, lang))
    if unit == "countries":
        return series.map(lambda v: ", ".join(countries.country_name(c, lang) for c in (v if v is not None else [])))
    if unit == "date":
        return series.map(lambda v: None if _missing(v) else pd.Timestamp(v).date())
    return series


def _shown(value, unit, lang: str) -> str:
    if unit == "count":
        return _or_blank(value, lambda v: format_number(v, lang))
    if unit == "decimal":
        return _or_blank(value, lambda v: format_number(v, lang, 1))
    if unit == "usd":
        return _or_blank(value, lambda v: format_usd(v, lang))
    if unit == "pct":
        return _or_blank(value, lambda v: f"{format_number(v, lang, 1)} %")
    if unit == "date":
        return _or_blank(value, lambda v: format_date(v if isinstance(v, dt.date) else v.date(), lang))
    return "" if _missing(value) else str(value)


def localize(frame: pd.DataFrame, columns: dict[str, tuple[str, object]], lang: str) -> tuple[pd.DataFrame,
                                                                                              pd.DataFrame]:
    """(shown, raw): the `columns` of `frame` (name -> (i18n label key, unit)) headed in `lang`;
    `shown` holds display text, `raw` the same with numbers kept as numbers (for downloads)."""
    raw = pd.DataFrame({t(key, lang): _label_values(frame[name], unit, lang).to_numpy()
                        for name, (key, unit) in columns.items()})
    shown = pd.DataFrame({t(key, lang): [_shown(v, unit, lang) for v in raw[t(key, lang)]]
                          for _name, (key, unit) in columns.items()})
    return shown, raw


def exports_table(exports: pd.DataFrame, plan_labels: dict[str, str], lang: str) -> tuple[pd.DataFrame,
                                                                                          pd.DataFrame]:
    """`queries.exports_by_year` for people: plan, year, exports, change and growth."""
    return localize(exports, {"plan_id": ("plan", plan_labels), "year": ("year", "text"),
                              "exports_usd": ("exports_usd", "usd"), "increase_usd": ("increase_usd", "usd"),
                              "growth_pct": ("growth_pct", "pct")}, lang)


STATUS_BADGES = {"green": ("status_green", "green", "🟢"), "amber": ("status_amber", "orange", "🟠"),
                 "red": ("status_red", "red", "🔴"), None: ("status_none", "gray", "⚪")}


def _badge(status) -> tuple[str, str, str]:
    """(label key, badge colour, emoji) of a KPI status (missing: no target)."""
    return STATUS_BADGES[None if _missing(status) else status]


def _amount(value, unit: str, lang: str) -> str:
    return _shown(value, "usd" if unit == "usd" else "count", lang)


def _signed(value, unit: str, lang: str) -> str:
    text = _amount(abs(value), unit, lang)
    return ("+" if value >= 0 else "-") + text


def kpi_cards(kpis: pd.DataFrame, plan_id: str, lang: str) -> list[dict]:
    """The KPI rows of one plan (or kpis.TOTAL) as card texts: label, value, delta against the
    target expected to date, the status badge, and the yearly target and year-before lines."""
    cards = []
    for row in kpis[kpis["plan_id"] == plan_id].itertuples():
        has_target = not _missing(row.expected) and not _missing(row.actual)
        label_key, color, _emoji = _badge(row.status)
        change = "—" if _missing(row.change_pct) else ("+" if row.change_pct >= 0 else "-") + _shown(
            abs(row.change_pct), "pct", lang)
        previous = (t("vs_previous", lang, change=change, previous=_amount(row.previous, row.unit, lang))
                    if not _missing(row.previous) else t("no_previous", lang))
        cards.append({
            "key": row.kpi,
            "label": t(f"kpi_{row.kpi}", lang),
            "value": "—" if _missing(row.actual) else _amount(row.actual, row.unit, lang),
            "delta": _signed(row.actual - row.expected, row.unit, lang) if has_target else None,
            "delta_description": t("vs_target_to_date", lang, expected=_amount(row.expected, row.unit, lang))
            if has_target else None,
            "status": t(label_key, lang),
            "color": color,
            "target": t("target_of_year", lang, target=_amount(row.target, row.unit, lang))
            if not _missing(row.target) else t("no_target", lang),
            "previous": previous,
        })
    return cards


def kpi_comparison(kpis: pd.DataFrame, labels: dict[str, str], lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Plans side by side (one row each, then the total): every KPI's actual with its status."""
    order = list(dict.fromkeys(kpis["plan_id"]))
    shown_rows, raw_rows = [], []
    for plan_id in order:
        rows = kpis[kpis["plan_id"] == plan_id]
        name = labels.get(plan_id, t("alliance_total", lang))
        shown = {t("plan", lang): name}
        raw = {t("plan", lang): name}
        for row in rows.itertuples():
            label = t(f"kpi_{row.kpi}", lang)
            shown[label] = ("—" if _missing(row.actual) else _amount(row.actual, row.unit, lang)) \
                + " " + _badge(row.status)[2]
            raw[label] = row.actual
            raw[f"{label} · {t('target', lang)}"] = row.target
        shown_rows.append(shown)
        raw_rows.append(raw)
    return pd.DataFrame(shown_rows), pd.DataFrame(raw_rows)


def late_table(late: pd.DataFrame, labels: dict[str, str], lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`queries.late_activities` for people."""
    lateness = late.assign(lateness=late["lateness"].map(lambda v: t(f"lateness_{v}", lang)))
    return localize(lateness, {"plan_id": ("plan", labels), "id": ("id", "text"), "title": ("title", "text"),
                               "type": ("type", ActivityType), "modality": ("modality", Modality),
                               "status": ("status", Status), "planned_start": ("planned_start", "date"),
                               "planned_end": ("planned_end", "date"), "lateness": ("lateness", "text"),
                               "days_late": ("days_late", "count")}, lang)
