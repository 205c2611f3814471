"""The report's filters from the words a person types on the command line (`python -m plan report`): offices
and markets by name, enums by code or label in either language, dates in either order. Every unknown value
is told at once, with what is allowed (UsageError)."""

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from plan.model import countries
from plan.model.i18n import t
from plan.model.issues import UsageError
from plan.model.models import ActivityType, Modality, Sector, Status
from plan.model.parsing import ParseError, parse_date
from plan.model.textkey import text_key
from plan.view.filters import chosen_plans, plan_labels

ENUM_OPTIONS = (("sector", "sectors", Sector), ("modality", "modalities", Modality), ("type", "types", ActivityType),
                ("status", "statuses", Status))


def filename(lang: str, today: dt.date | None = None, extension: str = "html") -> str:
    """`informe-avance-2026-11-25.html` / `progress-report-2026-11-25.pdf` (the day it is made). Here, not in
    `report`, so the sidebar's buttons can name the file without loading the report's modules on every page."""
    return f"{t('report_file_stem', lang)}-{(today or dt.date.today()).isoformat()}.{extension}"


@dataclass
class ReportOptions:
    """What was typed, option by option (repeatable options as lists; an empty list means all)."""

    office: list[str] = field(default_factory=list)
    year: list[int] = field(default_factory=list)
    quarter: int | None = None
    date_from: str | None = None
    date_to: str | None = None
    market: list[str] = field(default_factory=list)
    sector: list[str] = field(default_factory=list)
    modality: list[str] = field(default_factory=list)
    type: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)


def _allowed_enum(enum, lang: str) -> str:
    return ", ".join(f"{member.value} ({member.label(lang)})" for member in enum)


def _markets(texts: list[str], errors: list[tuple[str, dict]]) -> tuple[str, ...]:
    markets = []
    for text in texts:
        code = countries.to_iso3(text)
        if code is None:
            errors.append(("report_unknown_market", {"option": "--market", "value": text}))
        elif code not in markets:
            markets.append(code)
    return tuple(markets)


def _date(text: str | None, option: str, errors: list[tuple[str, dict]], lang: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return parse_date(text)
    except ParseError as error:
        errors.append(("report_bad_date", {"option": option, "message": t(error.code, lang, **error.params)}))
        return None


def filter_values(options: ReportOptions, lang: str) -> dict:
    """The filter values that need no database (markets, enums, dates); raises UsageError naming every
    unknown one, so a mistyped option is told before the database is built."""
    errors: list[tuple[str, dict]] = []
    values: dict = {"quarter": options.quarter, "markets": _markets(options.market, errors)}
    for option, field_name, enum in ENUM_OPTIONS:
        chosen = []
        for text in getattr(options, option):
            member = enum.lookup(text)
            if member is None:
                errors.append(("report_unknown_value", {"option": f"--{option}", "value": text,
                                                        "allowed": _allowed_enum(enum, lang)}))
            elif member.value not in chosen:
                chosen.append(member.value)
        values[field_name] = tuple(chosen)
    values["date_from"] = _date(options.date_from, "--from", errors, lang)
    values["date_to"] = _date(options.date_to, "--to", errors, lang)
    if values["date_from"] and values["date_to"] and values["date_from"] > values["date_to"]:
        errors.append(("report_dates_swapped", {"date_from": options.date_from, "date_to": options.date_to}))
    if errors:
        raise UsageError.every(errors)
    return values


def chosen_plan_ids(options: ReportOptions, all_plans: pd.DataFrame, lang: str) -> tuple[str, ...]:
    """The plan ids of the offices and years asked for (accents and case ignored in office names); raises
    UsageError naming the unknown offices and years, or the plans there are when none matches."""
    errors: list[tuple[str, dict]] = []
    offices_by_key = {text_key(office): office for office in all_plans["office"]}
    offices = []
    for text in options.office:
        office = offices_by_key.get(text_key(text))
        if office is None:
            errors.append(("report_unknown_value", {"option": "--office", "value": text,
                                                    "allowed": ", ".join(sorted(offices_by_key.values()))}))
        elif office not in offices:
            offices.append(office)
    years = sorted(set(all_plans["year"].astype(int)))
    for year in options.year:
        if year not in years:
            errors.append(("report_unknown_value", {"option": "--year", "value": year,
                                                    "allowed": ", ".join(map(str, years))}))
    if errors:
        raise UsageError.every(errors)
    chosen = chosen_plans(all_plans, tuple(offices), tuple(sorted(set(options.year))))
    if chosen.empty:
        raise UsageError("report_no_plan", allowed=", ".join(plan_labels(all_plans).values()))
    return tuple(chosen["plan_id"])

