"""What was known about a plan at a date: the one reading of the built database the projections start from.

    events(con, offices)  every activity and pisco campaign of the offices' plans, with each KPI's figure
    months(con, offices)  monthly exports and new exporters per office, one series each

Known at a date `day` (`known_done`): an event counts as done only if it ended (actual end, or planned end for
a done row without one) on or before `day`; every other event is still scheduled, whatever its status says,
since the files keep no date for a status change; its figures (meetings, deals, spending, reach) count only
once it is done by `day`. Outcome months after `day`'s month, and yearly rows of the plan's own year, are unseen.
"""

import datetime as dt

import duckdb
import numpy as np
import pandas as pd

from plan.model.kpi_definitions import ACTIVITY_KPIS, KPIS

SEASONAL_KPIS = {"exports": "exports_usd", "new_exporters": "new_exporters"}  # KPI -> outcome metric, by month
SCHEDULE_KPIS = tuple(kpi.key for kpi in KPIS if kpi.key not in SEASONAL_KPIS)
# What a figure is drawn relative to when a similar past event lends it (spending follows the event's budget).
BASES = {"spent_usd": "budget_usd", "reach_actual": "reach_target", "deals_actual_usd": "deals_target_usd"}

EVENTS = """
    SELECT p.plan_id, p.office, p.year, p.as_of, 'activity' AS kind, a.id, a.type::VARCHAR AS type,
           a.modality::VARCHAR AS modality, a.status::VARCHAR AS status, a.planned_end,
           CASE WHEN a.status = 'done' THEN coalesce(a.actual_end, a.planned_end) END AS ended,
           1.0 AS activities_done, a.budget_usd, a.spent_usd, a.exporters, a.importers, a.meetings_held,
           a.deals_closed_usd, a.deals_projected_usd,
           NULL::DOUBLE AS deals_actual_usd, NULL::DOUBLE AS deals_target_usd,
           NULL::DOUBLE AS reach_actual, NULL::DOUBLE AS reach_target
    FROM activities a JOIN plan p USING (plan_id) WHERE list_contains($offices::VARCHAR[], p.office)
    UNION ALL BY NAME
    SELECT p.plan_id, p.office, p.year, p.as_of, 'campaign' AS kind, c.id, c.channel::VARCHAR AS type,
           c.modality::VARCHAR AS modality, c.status::VARCHAR AS status, c.planned_end,
           CASE WHEN c.status = 'done' THEN coalesce(c.actual_end, c.planned_end) END AS ended,
           c.budget_usd, c.spent_usd, c.deals_actual_usd, c.deals_target_usd, c.reach_actual, c.reach_target
    FROM pisco_campaigns c JOIN plan p USING (plan_id) WHERE list_contains($offices::VARCHAR[], p.office)
"""

# Monthly rows of the metrics an office's series follows, per office, year and month: a year's months from the
# plan of that year when there is one, else from the latest plan that holds them (history typed in a later plan).
MONTHS = """
    WITH rows AS (
        SELECT p.office, o.metric::VARCHAR AS metric, o.year, o.month, p.year = o.year AS own, p.year AS plan_year,
               sum(o.value) AS value
        FROM outcomes o JOIN plan p USING (plan_id)
        WHERE list_contains($offices::VARCHAR[], p.office) AND o.month IS NOT NULL
          AND list_contains($metrics::VARCHAR[], o.metric::VARCHAR)
        GROUP BY ALL
    )
    SELECT office, metric, year, month, arg_max(value, (own, plan_year)) AS value
    FROM rows GROUP BY ALL ORDER BY ALL
"""

TARGETS = """
    SELECT t.plan_id, t.metric::VARCHAR, t.target::DOUBLE FROM targets t JOIN plan p USING (plan_id)
    WHERE t.year = p.year AND t.market IS NULL AND t.sector IS NULL
"""

# The plan's own figure of a seasonal KPI from rows without a month: unseen until the year is over.
YEARLY = """
    SELECT o.plan_id, o.metric::VARCHAR AS metric, sum(o.value) AS value
    FROM outcomes o JOIN plan p USING (plan_id)
    WHERE list_contains($plans::VARCHAR[], o.plan_id) AND o.year = p.year AND o.month IS NULL
      AND list_contains($metrics::VARCHAR[], o.metric::VARCHAR)
    GROUP BY ALL
"""


def targets(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], float]:
    """(plan id, metric) -> the plan's overall target for its own year (not split by market or sector)."""
    return {(plan_id, metric): target for plan_id, metric, target in con.execute(TARGETS).fetchall()}


def events(con: duckdb.DuckDBPyConnection, offices: list[str]) -> pd.DataFrame:
    """Every event of the offices' plans: one row each, a column per schedule KPI with the figure it adds
    (`activities_done` is 1 for an activity, 0 for a campaign) and the bases of `BASES`."""
    frame = con.execute(EVENTS, {"offices": offices}).df()
    for column in ("planned_end", "ended", "as_of"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    figures = pd.DataFrame(index=frame.index)
    activity = (frame["kind"] == "activity").to_numpy()
    for kpi in KPIS:
        if kpi.key not in SCHEDULE_KPIS:
            continue
        column = np.zeros(len(frame))
        if kpi.key in ACTIVITY_KPIS:
            column = np.where(activity, frame[ACTIVITY_KPIS[kpi.key]].fillna(0).to_numpy(float), column)
        if kpi.campaign_column:
            column = np.where(~activity, frame[kpi.campaign_column].fillna(0).to_numpy(float), column)
        figures[kpi.key] = column
    return pd.concat([frame, figures.add_prefix("kpi_")], axis=1)


def months(con: duckdb.DuckDBPyConnection, offices: list[str]) -> pd.DataFrame:
    """office, metric, year, month, value: the monthly series of the seasonal KPIs' metrics."""
    return con.execute(MONTHS, {"offices": offices, "metrics": list(SEASONAL_KPIS.values())}).df()


def yearly(con: duckdb.DuckDBPyConnection, plan_ids: list[str]) -> pd.DataFrame:
    """plan_id, metric, value: the plans' own-year rows without a month of the seasonal KPIs' metrics."""
    return con.execute(YEARLY, {"plans": plan_ids, "metrics": list(SEASONAL_KPIS.values())}).df()


def known_done(events: pd.DataFrame, day: dt.date) -> np.ndarray:
    """Which events were known to be done at `day`."""
    return np.array([ended is not None and not pd.isna(ended) and ended <= day for ended in events["ended"]],
                    dtype=bool)


def same_day(year: int, day: dt.date) -> dt.date:
    """`day`'s month and day in `year` (28 February for a 29th in a common year)."""
    try:
        return day.replace(year=year)
    except ValueError:
        return dt.date(year, 2, 28)
