"""The dashboard's filters as one value, and the SQL conditions that apply them.

    Filters (from the sidebar, the URL or the CLI) --params(sql)--> bound parameters
    ACTIVITY_MATCH / CAMPAIGN_MATCH / OUTCOME_MATCH: constant SQL conditions over those parameters

An empty selection means "all". The conditions are module constants, so queries that join
them to their own constant text never put input into SQL; every value is a bound parameter.
What each filter applies to:

    filter      activities            pisco campaigns        outcomes
    plans       plan                  plan                   plan
    quarter     planned start         planned start          month (whole-year rows kept)
    dates       planned span overlaps planned span overlaps  month or year overlaps
    markets     any of its markets    its market             its market
    sectors     any of its sectors    only if pisco chosen   its sector
    modality    yes                   yes                    -
    type        yes                   -                      -
    status      yes                   yes                    -
"""

import datetime as dt
import re
from dataclasses import dataclass, fields, replace

import pandas as pd

from plan.model.models import Sector

PARAMETER = re.compile(r"\$([a-z_]+)")
TOTAL = "__total__"  # the plan id of a row summed over the chosen plans
PLANS_APART = 4  # up to this many plans a chart draws each apart; beyond (a national view: 160), their total


@dataclass(frozen=True)
class Filters:
    """What the viewer chose. Codes only (plan ids, ISO-3, enum values), never labels."""

    plan_ids: tuple[str, ...] = ()
    quarter: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    markets: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    modalities: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()

    def params(self, sql: str, **extra) -> dict:
        """The bound parameters `sql` names (DuckDB refuses unused ones): the filters, then `extra`."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["plans"] = values.pop("plan_ids")
        values = {name: list(v) if isinstance(v, tuple) else v for name, v in values.items()} | extra
        return {name: values[name] for name in dict.fromkeys(PARAMETER.findall(sql))}

    def plans_in(self, all_plans: pd.DataFrame) -> pd.DataFrame:
        """The rows of `queries.plans` for these filters' plans."""
        return all_plans[all_plans["plan_id"].isin(self.plan_ids)].reset_index(drop=True)

    def plans_summed(self) -> bool:
        """Whether charts draw these plans' total instead of one series per plan (more than PLANS_APART)."""
        return len(self.plan_ids) > PLANS_APART

    @property
    def chooses_period(self) -> bool:
        """Whether a quarter or dates narrow the plan year."""
        return self.quarter is not None or self.date_from is not None or self.date_to is not None

    @property
    def whole_plans(self) -> bool:
        """Whether the view is whole plans (office and year only): what a year-end projection is made for."""
        return not (self.chooses_period or self.markets or self.sectors or self.modalities or self.types
                    or self.statuses)

    def period(self, year: int) -> tuple[dt.date, dt.date] | None:
        """The days of plan year `year` that the quarter and dates keep (first, last), None when neither is
        chosen; a window that misses the year is empty (first after last). Targets to date are paced over it."""
        if not self.chooses_period:
            return None
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        if self.quarter is not None:
            first = dt.date(year, 3 * self.quarter - 2, 1)
            last = (pd.Timestamp(year, 3 * self.quarter, 1) + pd.offsets.MonthEnd(0)).date()
        return max(first, self.date_from or first), min(last, self.date_to or last)

    def year_before(self, plan_ids: tuple[str, ...]) -> "Filters":
        """The same choice for the plans `plan_ids` of the year before: the dates a year earlier (a quarter is
        the same quarter)."""
        def earlier(day: dt.date | None) -> dt.date | None:
            return None if day is None else (pd.Timestamp(day) - pd.DateOffset(years=1)).date()
        return replace(self, plan_ids=plan_ids, date_from=earlier(self.date_from), date_to=earlier(self.date_to))

    def narrowed(self) -> list[str]:
        """Names of the filters that narrow the view beyond the plans (for empty-state hints)."""
        return [f.name for f in fields(self) if f.name != "plan_ids" and getattr(self, f.name) not in (None, ())]


# Lists are cast so an empty Python list binds as VARCHAR[] (DuckDB cannot type `[]` alone).
ACTIVITY_MATCH = """
    list_contains($plans::VARCHAR[], plan_id)
    AND ($quarter::INTEGER IS NULL OR quarter(planned_start) = $quarter::INTEGER)
    AND ($date_from::DATE IS NULL OR planned_end >= $date_from::DATE)
    AND ($date_to::DATE IS NULL OR planned_start <= $date_to::DATE)
    AND (len($markets::VARCHAR[]) = 0 OR list_has_any(markets, $markets::VARCHAR[]))
    AND (len($sectors::VARCHAR[]) = 0 OR list_has_any(sectors, $sectors::VARCHAR[]))
    AND (len($modalities::VARCHAR[]) = 0 OR list_contains($modalities::VARCHAR[], modality))
    AND (len($types::VARCHAR[]) = 0 OR list_contains($types::VARCHAR[], type))
    AND (len($statuses::VARCHAR[]) = 0 OR list_contains($statuses::VARCHAR[], status))
"""

CAMPAIGN_MATCH = f"""
    list_contains($plans::VARCHAR[], plan_id)
    AND ($quarter::INTEGER IS NULL OR quarter(planned_start) = $quarter::INTEGER)
    AND ($date_from::DATE IS NULL OR planned_end >= $date_from::DATE)
    AND ($date_to::DATE IS NULL OR planned_start <= $date_to::DATE)
    AND (len($markets::VARCHAR[]) = 0 OR list_contains($markets::VARCHAR[], market))
    AND (len($sectors::VARCHAR[]) = 0 OR list_contains($sectors::VARCHAR[], '{Sector.PISCO.value}'))
    AND (len($modalities::VARCHAR[]) = 0 OR list_contains($modalities::VARCHAR[], modality))
    AND (len($statuses::VARCHAR[]) = 0 OR list_contains($statuses::VARCHAR[], status))
"""

OUTCOME_MATCH = """
    list_contains($plans::VARCHAR[], plan_id)
    AND ($quarter::INTEGER IS NULL OR month IS NULL OR (month + 2) // 3 = $quarter::INTEGER)
    AND ($date_from::DATE IS NULL
         OR last_day(make_date(year::BIGINT, coalesce(month, 12)::BIGINT, 1)) >= $date_from::DATE)
    AND ($date_to::DATE IS NULL OR make_date(year::BIGINT, coalesce(month, 1)::BIGINT, 1) <= $date_to::DATE)
    AND (len($markets::VARCHAR[]) = 0 OR list_contains($markets::VARCHAR[], market))
    AND (len($sectors::VARCHAR[]) = 0 OR list_contains($sectors::VARCHAR[], sector))
"""


def chosen_plans(all_plans: pd.DataFrame, offices: tuple[str, ...], years: tuple[int, ...]) -> pd.DataFrame:
    """The rows of `queries.plans` for the chosen offices (none chosen: all) and plan years; no year chosen
    means each office's latest plan, so a total never adds an office's ten years by default."""
    keep = pd.Series(True, index=all_plans.index)
    if offices:
        keep &= all_plans["office"].isin(offices)
    if years:
        keep &= all_plans["year"].isin(years)
    else:
        keep &= all_plans["year"] == all_plans.groupby("office")["year"].transform("max")
    return all_plans[keep].reset_index(drop=True)


def years_summed(plans: pd.DataFrame) -> list[int]:
    """The plan years a total of `plans` adds together, when there are several (else [])."""
    years = sorted({int(year) for year in plans["year"]})
    return years if len(years) > 1 else []


def plan_labels(all_plans: pd.DataFrame) -> dict[str, str]:
    """Plan id -> "Office year", how every page, table and report names a plan."""
    return {row.plan_id: f"{row.office} {row.year}" for row in all_plans.itertuples()}
