"""The overview's KPIs, one definition each: which columns of which files a KPI adds (said in words by the
message `kpi_<key>_definition`), the target metric it is judged against and how its target is paced. In the
model layer so that everything reading a KPI (the pages, the report, the coming year-end projections) shares
one definition; `plan.view.kpis` computes them from the database.
"""

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Kpi:
    """A KPI's definition: its label and definition are the messages `kpi_<key>` and `kpi_<key>_definition`."""

    key: str
    unit: str  # "count" or "usd"
    target_metric: str | None
    paced: bool = True
    yearly_figure: bool = False  # reported once a year, so a period has no target of its own
    campaign_column: str | None = None  # of `plan.view.queries.campaign_totals`, added to the activities' figure


KPIS = (
    Kpi("activities_done", "count", "activities_done"),
    Kpi("budget_spent", "usd", "budget_spent_usd", campaign_column="spent_usd"),
    Kpi("exporters", "count", "exporters"),
    Kpi("importers", "count", "importers"),
    Kpi("meetings_held", "count", "meetings_held"),
    Kpi("deals_closed", "usd", "deals_closed_usd", campaign_column="deals_actual_usd"),
    Kpi("deals_projected", "usd", "deals_projected_usd"),
    Kpi("new_exporters", "count", "new_exporters", yearly_figure=True),
    Kpi("pisco_reach", "count", "pisco_reach", campaign_column="reach_actual"),
    Kpi("exports", "usd", "exports_usd", paced=False, yearly_figure=True),
)

KPIS_BY_KEY = {kpi.key: kpi for kpi in KPIS}
ACTIVITY_KPIS = {"activities_done": "activities_done", "budget_spent": "spent_usd", "exporters": "exporters",
                 "importers": "importers", "meetings_held": "meetings_held", "deals_closed": "deals_closed_usd",
                 "deals_projected": "deals_projected_usd"}  # KPI -> its column of `plan.view.queries.activity_totals`


def year_share(year: int, as_of: dt.date | None, today: dt.date | None = None,
               period: tuple[dt.date, dt.date] | None = None) -> float:
    """Share of the plan year gone by at `as_of` (or today), between 0 and 1; with a `period` (first and last
    day, see `Filters.period`), the share of the year that falls in it up to that day."""
    day = as_of or today or dt.date.today()
    day = day.date() if isinstance(day, dt.datetime) else day
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    first, last = period or (start, end)
    first, last = max(first, start), min(last, end, day)
    return max(0, (last - first).days + 1) / ((end - start).days + 1)
