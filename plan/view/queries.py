"""Named read queries over the built database; every value is a bound parameter.

Each function takes a connection from `plan.data.database.reader` (and usually the viewer's
`Filters`) and returns a DataFrame holding only what a page draws: the aggregation happens
in DuckDB, so a national database costs the pages little more than the sample. The SQL
texts are module constants, some joined with the constant conditions of `plan.view.filters`.

What a chart draws stays small at any scale: beyond `PLANS_APART` plans a series per plan
becomes their total (plan id `TOTAL`), and a calendar or a bar per event shows its most
relevant rows (`CALENDAR_ROWS`, `EVENTS_SHOWN`), each row saying in `matching` how many
there were; the full lists stay available to the tables.
"""

import dataclasses

import duckdb
import pandas as pd

from plan.model.official_sources import FIRM_SQL
from plan.view.filters import ACTIVITY_MATCH, CAMPAIGN_MATCH, OUTCOME_MATCH, TOTAL, Filters

CALENDAR_ROWS = 40  # activities or campaigns a calendar draws at most (a national view has 4,774 activities)
EVENTS_SHOWN = 30  # events a chart draws one bar each at most

# Exports that describe fewer than MIN_FIRMS firms are kept confidential (docs/firms.md): where the plans have
# firm-level rows (firm_exports.csv), each figure is checked against the distinct firms behind it, counted under
# the same filters, and left out (NULL, `confidential` true) when they are 1 or 2. Without firm rows nothing is
# known of the firms, and nothing is left out.
MIN_FIRMS = 3
FIRM = FIRM_SQL  # a firm across years (customs' numbers without their year): plan.model.official_sources
FIRMS_BEHIND = f"""
    SELECT plan_id, year, market, sector, {FIRM} AS firm FROM firm_exports WHERE {OUTCOME_MATCH} AND value_usd > 0
"""  # noqa: S608 - constant fragments only
CONFIDENTIAL = f"coalesce(firms > 0 AND firms < {MIN_FIRMS}, false)"


def frame(con: duckdb.DuckDBPyConnection, sql: str, filters: Filters | None = None, **extra) -> pd.DataFrame:
    """The rows of the named query `sql`, its parameters bound from `filters` and `extra` (never formatted in)."""
    params = filters.params(sql, **extra) if filters is not None else extra
    return con.execute(sql, params).df()


def _most_relevant(listing: str, relevance: str, order: str) -> str:
    """`listing` (rows with a `plan_id`) cut to its first `$rows` rows by `relevance` (which may use the
    plan as `p`), then sorted by `order`; `matching` on every row: how many rows the listing had."""
    return f"""
        SELECT * EXCLUDE (relevance) FROM (
            SELECT l.*, count(*) OVER () AS matching, row_number() OVER (ORDER BY {relevance}) AS relevance
            FROM ({listing}) l JOIN plan p USING (plan_id)
        ) WHERE relevance <= $rows ORDER BY {order}
    """  # noqa: S608 - constant fragments only


# --- plans and provenance ---------------------------------------------------------------

def build_info(con: duckdb.DuckDBPyConnection) -> dict:
    """When the database was built, from which CSV versions (fingerprint)."""
    fingerprint, built_at = con.execute("SELECT fingerprint, built_at_utc FROM build_info").fetchone()
    return {"fingerprint": fingerprint, "built_at_utc": built_at}


def plans(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT plan_id, office, agency, country, year, as_of, priority_markets, priority_sectors"
        " FROM plan ORDER BY year DESC, office"
    ).df()


def previous_plans(con: duckdb.DuckDBPyConnection, plan_ids: list[str]) -> pd.DataFrame:
    """For each plan, the same office's plan of the year before (when there is one)."""
    return frame(con, """
        SELECT p.plan_id, prev.plan_id AS previous_plan_id
        FROM plan p JOIN plan prev ON prev.office = p.office AND prev.year = p.year - 1
        WHERE list_contains($plans::VARCHAR[], p.plan_id) ORDER BY p.plan_id
        """, plans=plan_ids)


def targets(con: duckdb.DuckDBPyConnection, plan_ids: list[str]) -> pd.DataFrame:
    """Each plan's overall targets for its own year (not split by market or sector)."""
    return frame(con, """
        SELECT t.plan_id, t.metric, t.target
        FROM targets t JOIN plan p USING (plan_id)
        WHERE list_contains($plans::VARCHAR[], t.plan_id) AND t.year = p.year
          AND t.market IS NULL AND t.sector IS NULL
        ORDER BY ALL
        """, plans=plan_ids)


# --- activities -------------------------------------------------------------------------

ACTIVITY_TOTALS = f"""
    SELECT plan_id,
           count(*) FILTER (WHERE status <> 'cancelled') AS activities_planned,
           count(*) FILTER (WHERE status = 'done') AS activities_done,
           coalesce(sum(budget_usd), 0) AS budget_usd,
           coalesce(sum(spent_usd), 0) AS spent_usd,
           coalesce(sum(exporters), 0) AS exporters,
           coalesce(sum(importers), 0) AS importers,
           coalesce(sum(meetings_requested), 0) AS meetings_requested,
           coalesce(sum(meetings_held), 0) AS meetings_held,
           coalesce(sum(deals_closed_usd), 0) AS deals_closed_usd,
           coalesce(sum(deals_projected_usd), 0) AS deals_projected_usd
    FROM activities WHERE {ACTIVITY_MATCH}
    GROUP BY plan_id ORDER BY plan_id
"""  # noqa: S608 - constant fragments only


def activity_totals(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per plan: activities planned and done, budget and spend, participation, meetings, deals."""
    return frame(con, ACTIVITY_TOTALS, filters)


# Late (planned start passed without starting) or overdue (planned end passed while in progress) at the plan's
# status date (today without one): an activity's or a campaign's columns, with `plan p` joined.
LATE = """
    ((status IN ('planned', 'postponed') AND planned_start < coalesce(p.as_of, current_date))
     OR (status = 'in_progress' AND planned_end < coalesce(p.as_of, current_date)))
"""

LATE_ACTIVITIES = f"""
    SELECT plan_id, a.id, a.title, a.type, a.modality, a.status, a.planned_start, a.planned_end, a.notes,
           coalesce(p.as_of, current_date) AS as_of,
           CASE WHEN a.status = 'in_progress' THEN 'overdue' ELSE 'late' END AS lateness,
           date_diff('day', CASE WHEN a.status = 'in_progress' THEN a.planned_end ELSE a.planned_start END,
                     coalesce(p.as_of, current_date)) AS days_late
    FROM activities a JOIN plan p USING (plan_id)
    WHERE {ACTIVITY_MATCH} AND {LATE}
    ORDER BY days_late DESC, plan_id, a.id
"""  # noqa: S608 - constant fragments only


def late_activities(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Activities whose planned start passed without starting (late), or whose planned end
    passed while still in progress (overdue), at the plan's status date (today without one)."""
    return frame(con, LATE_ACTIVITIES, filters)


# Where an actual span ends on a timeline: its actual end, or while still running the plan's status
# date (today without one, at most the end of the plan year). Needs `plan p` joined.
ACTUAL_UNTIL = """
    CASE WHEN actual_start IS NULL THEN NULL
         ELSE coalesce(actual_end, greatest(actual_start, least(coalesce(p.as_of, current_date),
                                                                make_date(p.year::BIGINT, 12, 31)))) END
"""

ACTIVITY_LIST = f"""
    SELECT plan_id, id, title, type, modality, status, planned_start, planned_end, actual_start, actual_end,
           {ACTUAL_UNTIL} AS actual_until, {LATE} AS late,
           markets, sectors, budget_usd, spent_usd, exporters, importers, meetings_requested, meetings_held,
           deals_closed_usd, deals_projected_usd, campaign_id
    FROM activities JOIN plan p USING (plan_id) WHERE {ACTIVITY_MATCH}
    ORDER BY planned_start, plan_id, id
"""  # noqa: S608 - constant fragments only


def activity_list(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """The filtered activities, with `actual_until` (where their actual span ends on a timeline) and `late`
    (late or overdue at the plan's status date, as `late_activities` counts them)."""
    return frame(con, ACTIVITY_LIST, filters)


# A calendar's most relevant rows: late, overdue or in progress first, then the latest planned.
CALENDAR_RELEVANCE = f"CASE WHEN status = 'in_progress' OR {LATE} THEN 0 ELSE 1 END, planned_start DESC, plan_id, id"
ACTIVITY_CALENDAR = _most_relevant(ACTIVITY_LIST, CALENDAR_RELEVANCE, "planned_start, plan_id, id")


def activity_calendar(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """`activity_list` as a calendar draws it: at most CALENDAR_ROWS activities (late, overdue or in
    progress first, then the latest planned), by planned start, with `matching`."""
    return frame(con, ACTIVITY_CALENDAR, filters, rows=CALENDAR_ROWS)


MONTHLY_PROGRESS = f"""
    WITH months AS (
        SELECT plan_id, unnest(generate_series(make_date(year::BIGINT, 1, 1), make_date(year::BIGINT, 12, 1),
                                               INTERVAL 1 MONTH))::DATE AS month
        FROM plan WHERE list_contains($plans::VARCHAR[], plan_id)
    ), chosen AS (
        SELECT * FROM activities WHERE {ACTIVITY_MATCH}
    ), planned AS (
        SELECT plan_id, date_trunc('month', planned_end)::DATE AS month, count(*) AS planned
        FROM chosen WHERE status <> 'cancelled' GROUP BY ALL
    ), done AS (
        SELECT plan_id, date_trunc('month', coalesce(actual_end, planned_end))::DATE AS month, count(*) AS done
        FROM chosen WHERE status = 'done' GROUP BY ALL
    )
    SELECT m.plan_id, m.month, coalesce(planned, 0) AS planned, coalesce(done, 0) AS done,
           sum(coalesce(planned, 0)) OVER w AS planned_cumulative,
           sum(coalesce(done, 0)) OVER w AS done_cumulative
    FROM months m LEFT JOIN planned USING (plan_id, month) LEFT JOIN done USING (plan_id, month)
    WINDOW w AS (PARTITION BY m.plan_id ORDER BY m.month)
    ORDER BY m.plan_id, m.month
"""  # noqa: S608 - constant fragments only


def monthly_progress(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per plan and month of its year: activities due to finish (planned end, cancelled ones
    left out) and activities done (actual end), each also cumulative."""
    return frame(con, MONTHLY_PROGRESS, filters)


# A plan's status date on its progress: `as_of` (today without one), at most the end of the plan year.
CUTOFFS = """
    SELECT plan_id, least(coalesce(as_of, current_date), make_date(year::BIGINT, 12, 31)) AS cutoff
    FROM plan WHERE list_contains($plans::VARCHAR[], plan_id)
"""

PROGRESS_TO_DATE = f"""
    WITH monthly AS ({MONTHLY_PROGRESS}), cutoffs AS ({CUTOFFS}), due AS (
        SELECT plan_id, cutoff, sum(planned)::BIGINT AS planned_year,
               coalesce(arg_max(planned_cumulative, month) FILTER (WHERE month <= cutoff), 0)::BIGINT AS planned,
               coalesce(arg_max(done_cumulative, month) FILTER (WHERE month <= cutoff), 0)::BIGINT AS done
        FROM monthly JOIN cutoffs USING (plan_id) GROUP BY plan_id, cutoff
    )
    SELECT plan_id, cutoff AS as_of, planned_year, planned AS planned_to_date, done AS done_to_date,
           done - planned AS gap, round(100 * done / nullif(planned, 0), 1) AS done_pct
    FROM due ORDER BY plan_id
"""  # noqa: S608 - constant fragments only


def progress_to_date(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per plan: activities planned in the year, planned to finish by its status date's month, done by
    then, the gap and the share done of what was due (`as_of`: the status date, at most the year's end)."""
    return frame(con, PROGRESS_TO_DATE, filters)


MONTHLY_TOTAL = f"""
    WITH monthly AS ({MONTHLY_PROGRESS}), cutoffs AS ({CUTOFFS})
    SELECT '{TOTAL}' AS plan_id, month, sum(planned)::BIGINT AS planned, sum(done)::BIGINT AS done,
           sum(planned_cumulative)::BIGINT AS planned_cumulative,
           CASE WHEN month <= max(cutoff) THEN sum(done_cumulative)::BIGINT END AS done_cumulative
    FROM monthly JOIN cutoffs USING (plan_id) GROUP BY month ORDER BY month
"""  # noqa: S608 - constant fragments only


def progress_drawn(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """`monthly_progress` as its chart draws it: per plan up to PLANS_APART plans, else their sum per month
    (plan id TOTAL: each plan year's own cumulative counts added up; done left blank after the latest status date)."""
    return frame(con, MONTHLY_TOTAL if filters.plans_summed() else MONTHLY_PROGRESS, filters)


MODALITY_BY_PERIOD = f"""
    SELECT plan_id, date_trunc($grain, planned_start)::DATE AS period, modality,
           count(*) FILTER (WHERE status <> 'cancelled') AS planned,
           count(*) FILTER (WHERE status = 'done') AS done
    FROM activities WHERE {ACTIVITY_MATCH}
    GROUP BY ALL ORDER BY ALL
"""  # noqa: S608 - constant fragments only


def modality_by_period(con: duckdb.DuckDBPyConnection, filters: Filters, grain: str = "month") -> pd.DataFrame:
    """Activities planned (not cancelled) and done per modality and month or quarter of their planned start."""
    if grain not in ("month", "quarter"):
        raise ValueError(f"grain must be month or quarter, not {grain!r}")
    return frame(con, MODALITY_BY_PERIOD, filters, grain=grain)


MODALITY_EFFECTIVENESS = f"""
    WITH done AS (SELECT * FROM activities WHERE {ACTIVITY_MATCH} AND status = 'done')
    SELECT modality, count(*) AS activities,
           count(*) FILTER (WHERE meetings_held > 0 AND spent_usd IS NOT NULL) AS costed_activities,
           coalesce(sum(meetings_held), 0) AS meetings_held,
           coalesce(sum(deals_closed_usd), 0) AS deals_closed_usd,
           coalesce(sum(deals_projected_usd), 0) AS deals_projected_usd,
           coalesce(sum(spent_usd), 0) AS spent_usd,
           coalesce(sum(exporters), 0) AS exporters,
           round(coalesce(sum(meetings_held), 0) / count(*), 1) AS meetings_per_activity,
           round(sum(deals_closed_usd) / nullif(sum(meetings_held), 0), 0) AS closed_per_meeting_usd,
           round(sum(deals_projected_usd) / nullif(sum(meetings_held), 0), 0) AS projected_per_meeting_usd,
           round(sum(spent_usd) FILTER (WHERE meetings_held > 0)
                 / nullif(sum(meetings_held) FILTER (WHERE spent_usd IS NOT NULL), 0), 0) AS cost_per_meeting_usd,
           round(coalesce(sum(exporters), 0) / count(*), 1) AS exporters_per_activity
    FROM done GROUP BY modality ORDER BY modality
"""  # noqa: S608 - constant fragments only


def modality_effectiveness(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per modality, over activities done: meetings per activity, deals per meeting (closed
    and projected), cost per meeting (activities with both spend and meetings: `costed_activities`)
    and exporters per activity."""
    return frame(con, MODALITY_EFFECTIVENESS, filters)


DEALS_BY_EVENT = f"""
    SELECT plan_id, id, title, type, modality, status, coalesce(actual_start, planned_start) AS start,
           exporters, importers, meetings_requested, meetings_held, deals_closed_usd, deals_projected_usd
    FROM activities WHERE {ACTIVITY_MATCH}
      AND (meetings_held IS NOT NULL OR deals_closed_usd IS NOT NULL OR deals_projected_usd IS NOT NULL)
    ORDER BY start, plan_id, id
"""  # noqa: S608 - constant fragments only


def deals_by_event(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Events with meetings or deals: participation, meetings requested and held, deals closed and projected."""
    return frame(con, DEALS_BY_EVENT, filters)


TOP_EVENTS = _most_relevant(
    DEALS_BY_EVENT, "deals_closed_usd DESC NULLS LAST, deals_projected_usd DESC NULLS LAST, "
                    "meetings_held DESC NULLS LAST, start DESC, plan_id, id", "start, plan_id, id")


def top_events(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """`deals_by_event` as a bar per event draws it: the EVENTS_SHOWN events with the largest deals closed
    (then projected, then meetings held), in date order, with `matching`."""
    return frame(con, TOP_EVENTS, filters, rows=EVENTS_SHOWN)


DEALS_OVER_TIME = f"""
    WITH periods AS (
        SELECT date_trunc($grain, start)::DATE AS start, count(*) AS events,
               CASE WHEN count(*) = 1 THEN any_value(title) END AS title,
               coalesce(sum(deals_closed_usd), 0) AS closed, coalesce(sum(deals_projected_usd), 0) AS projected
        FROM ({DEALS_BY_EVENT}) GROUP BY ALL
    )
    SELECT start, $grain AS grain, events, title, sum(closed) OVER w AS deals_closed_cumulative,
           sum(projected) OVER w AS deals_projected_cumulative
    FROM periods WINDOW w AS (ORDER BY start) ORDER BY start
"""  # noqa: S608 - constant fragments only


def deals_over_time(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """The events of `deals_by_event` per start day (per month beyond PLANS_APART plans: a national view has
    events on some 1,800 days): how many, the title of a lone one, and deals closed and projected accumulated
    up to then (an event without a figure adds nothing); `grain` says "day" or "month"."""
    return frame(con, DEALS_OVER_TIME, filters, grain="month" if filters.plans_summed() else "day")


# --- markets ----------------------------------------------------------------------------

WITH_DEALS = "(deals_closed_usd IS NOT NULL OR deals_projected_usd IS NOT NULL)"

MARKETS_SUMMARY = f"""
    WITH chosen AS (
        SELECT * FROM activities WHERE {ACTIVITY_MATCH} AND status <> 'cancelled'
    ), by_activity AS (
        SELECT market, count(*) AS activities,
               sum(deals_closed_usd) FILTER (WHERE count = 1) AS deals_closed_usd,
               sum(deals_projected_usd) FILTER (WHERE count = 1) AS deals_projected_usd,
               count(*) FILTER (WHERE count > 1 AND {WITH_DEALS}) AS shared_activities,
               sum(deals_closed_usd) FILTER (WHERE count > 1) AS shared_closed_usd,
               sum(deals_projected_usd) FILTER (WHERE count > 1) AS shared_projected_usd
        FROM (SELECT unnest(markets) AS market, len(markets) AS count, deals_closed_usd, deals_projected_usd
              FROM chosen) GROUP BY market
    ), by_campaign AS (
        SELECT market, count(*) AS campaigns FROM pisco_campaigns
        WHERE {CAMPAIGN_MATCH} AND status <> 'cancelled' GROUP BY ALL
    ), exports AS (
        SELECT market, year, sum(value) AS exports_usd FROM outcomes
        WHERE {OUTCOME_MATCH} AND metric = 'exports_usd' AND market IS NOT NULL GROUP BY ALL
    ), behind AS (
        SELECT market, year, count(DISTINCT firm) AS firms FROM ({FIRMS_BEHIND}) GROUP BY ALL
    ), latest_exports AS (
        SELECT market, CASE WHEN NOT {CONFIDENTIAL} THEN exports_usd END AS exports_usd, year AS exports_year,
               {CONFIDENTIAL} AS exports_confidential
        FROM exports LEFT JOIN behind USING (market, year) QUALIFY year = max(year) OVER (PARTITION BY market)
    ), priority AS (
        SELECT DISTINCT market FROM (SELECT unnest(priority_markets) AS market FROM plan
                                     WHERE list_contains($plans::VARCHAR[], plan_id))
    ), markets AS (
        SELECT market FROM by_activity UNION SELECT market FROM by_campaign
        UNION SELECT market FROM latest_exports UNION SELECT market FROM priority
    )
    SELECT m.market, coalesce(a.activities, 0) AS activities, coalesce(c.campaigns, 0) AS campaigns,
           a.deals_closed_usd, a.deals_projected_usd, coalesce(a.shared_activities, 0) AS shared_activities,
           a.shared_closed_usd, a.shared_projected_usd, e.exports_usd, e.exports_year,
           coalesce(e.exports_confidential, false) AS exports_confidential, p.market IS NOT NULL AS priority,
           coalesce(a.activities, 0) + coalesce(c.campaigns, 0) > 0 AS covered
    FROM markets m LEFT JOIN by_activity a USING (market) LEFT JOIN by_campaign c USING (market)
         LEFT JOIN latest_exports e USING (market) LEFT JOIN priority p USING (market)
    WHERE len($markets::VARCHAR[]) = 0 OR list_contains($markets::VARCHAR[], m.market)
    ORDER BY activities + campaigns DESC, deals_closed_usd DESC NULLS LAST, m.market
"""  # noqa: S608 - constant fragments only


def markets_summary(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per market (ISO-3): activities and pisco campaigns (not cancelled), deals of its single-market
    activities (empty when none reports any), and apart the activities of several markets with deals and
    their whole deals (the data does not say which market closed them, so they are never split), exports
    in the latest year with data, and whether it is a priority market of the chosen plans and covered."""
    return frame(con, MARKETS_SUMMARY, filters)


MARKETS_SHARED = f"""
    SELECT count(*) AS activities, sum(deals_closed_usd) AS deals_closed_usd,
           sum(deals_projected_usd) AS deals_projected_usd
    FROM activities WHERE {ACTIVITY_MATCH} AND status <> 'cancelled' AND len(markets) > 1 AND {WITH_DEALS}
"""  # noqa: S608 - constant fragments only


def markets_shared(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """One row: the activities of several markets with deals (not cancelled) and their deals, which no
    market's figure counts (`markets_summary`)."""
    return frame(con, MARKETS_SHARED, filters)


# --- pisco campaigns --------------------------------------------------------------------

CAMPAIGN_LIST = f"""
    SELECT plan_id, id, name, market, channel, status, modality, planned_start, planned_end, actual_start,
           actual_end, {ACTUAL_UNTIL} AS actual_until, budget_usd, spent_usd, reach_target, reach_actual,
           contacts_target, contacts_actual, meetings_target, meetings_actual, deals_target_usd, deals_actual_usd
    FROM pisco_campaigns JOIN plan p USING (plan_id) WHERE {CAMPAIGN_MATCH}
    ORDER BY planned_start, plan_id, id
"""  # noqa: S608 - constant fragments only


def campaigns(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """The filtered pisco campaigns, with `actual_until` as in `activity_list`."""
    return frame(con, CAMPAIGN_LIST, filters)


CAMPAIGN_CALENDAR = _most_relevant(CAMPAIGN_LIST, CALENDAR_RELEVANCE, "planned_start, plan_id, id")


def campaign_calendar(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """`campaigns` as a calendar draws them: at most CALENDAR_ROWS, chosen as in `activity_calendar`."""
    return frame(con, CAMPAIGN_CALENDAR, filters, rows=CALENDAR_ROWS)


CAMPAIGN_FUNNEL = f"""
    WITH chosen AS (SELECT * FROM pisco_campaigns WHERE {CAMPAIGN_MATCH} AND status <> 'cancelled'),
    plan_reach AS (
        SELECT CASE WHEN count(t.target) = count(*) THEN sum(t.target) END AS target
        FROM (SELECT DISTINCT plan_id FROM chosen) c JOIN plan p USING (plan_id)
        LEFT JOIN targets t ON t.plan_id = c.plan_id AND t.metric = 'pisco_reach' AND t.year = p.year
                           AND t.market IS NULL AND t.sector IS NULL
    )
    SELECT stage, target, actual, campaigns, plan_target FROM (
        SELECT 1 AS step, 'reach' AS stage, sum(reach_target) AS target, sum(reach_actual) AS actual,
               NULL::BIGINT AS campaigns, (SELECT target FROM plan_reach) AS plan_target FROM chosen
        UNION ALL SELECT 2, 'contacts', sum(contacts_target), sum(contacts_actual), NULL, NULL FROM chosen
        UNION ALL SELECT 3, 'meetings', sum(meetings_target), sum(meetings_actual), NULL, NULL FROM chosen
        UNION ALL SELECT 4, 'deals', count(*) FILTER (WHERE deals_target_usd > 0),
                         count(*) FILTER (WHERE deals_actual_usd > 0), count(*), NULL FROM chosen
    ) ORDER BY step
"""  # noqa: S608 - constant fragments only


def campaign_funnel(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Reach -> contacts -> meetings -> campaigns that closed deals, target (the campaigns' sum) and actual
    (cancelled left out); the last stage with the count of campaigns it is a share of, the first with the
    plans' own reach target (`pisco_reach` in targets.csv; blank unless every plan shown has one)."""
    return frame(con, CAMPAIGN_FUNNEL, filters)


CAMPAIGN_TOTALS = f"""
    SELECT plan_id, count(*) FILTER (WHERE status <> 'cancelled') AS campaigns,
           count(*) FILTER (WHERE status = 'done') AS campaigns_done,
           coalesce(sum(budget_usd), 0) AS budget_usd, coalesce(sum(spent_usd), 0) AS spent_usd,
           coalesce(sum(reach_actual), 0) AS reach_actual, coalesce(sum(deals_actual_usd), 0) AS deals_actual_usd,
           coalesce(sum(deals_target_usd), 0) AS deals_target_usd
    FROM pisco_campaigns WHERE {CAMPAIGN_MATCH}
    GROUP BY plan_id ORDER BY plan_id
"""  # noqa: S608 - constant fragments only


def campaign_totals(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per plan: campaigns, budget and spend, reach, deals target and actual."""
    return frame(con, CAMPAIGN_TOTALS, filters)


# --- year-end outlook ----------------------------------------------------------------------

def outlook(con: duckdb.DuckDBPyConnection, plan_ids: list[str], draws: bool) -> pd.DataFrame:
    """The stored projections of the plans (`plan.outlook.tables`), with their draws when a total sums them."""
    return frame(con, f"""
        SELECT plan_id, kpi, target, actual_to_date, median, p10, p90, chance, method, n, as_of, note,
               {"draws" if draws else "NULL::DOUBLE[] AS draws"}
        FROM outlook WHERE list_contains($plans::VARCHAR[], plan_id) ORDER BY plan_id, kpi
        """, plans=plan_ids)  # noqa: S608 - a constant choice of column


def outlook_kpi(con: duckdb.DuckDBPyConnection, plan_id: str, kpi: str) -> pd.DataFrame:
    """One plan's stored projection of one KPI, named as `plan.view.kpis.overview` names its columns."""
    return frame(con, """
        SELECT kpi, unit, target, median AS year_end, p10 AS year_end_low, p90 AS year_end_high, chance,
               method AS outlook_method, note AS outlook_note, n AS outlook_n
        FROM outlook WHERE plan_id = $plan AND kpi = $kpi
        """, plan=plan_id, kpi=kpi)


def outlook_months(con: duckdb.DuckDBPyConnection, plan_id: str, kpi: str) -> pd.DataFrame:
    """A plan's KPI by month of its plan year for the fan chart: the cumulative actual to date and the draws'
    quantiles."""
    return frame(con, """
        SELECT m.*, p.year FROM outlook_months m JOIN plan p USING (plan_id)
        WHERE m.plan_id = $plan AND m.kpi = $kpi ORDER BY m.month
        """, plan=plan_id, kpi=kpi)


def for_market(filters: Filters, market: str) -> Filters:
    """The same view narrowed to one market (the drill-down)."""
    return dataclasses.replace(filters, markets=(market,))


def markets_in_use(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every market (ISO-3) any plan names: priority, activities, campaigns and outcomes."""
    return [row[0] for row in con.execute("""
        SELECT DISTINCT market FROM (
            SELECT unnest(priority_markets) AS market FROM plan
            UNION ALL SELECT unnest(markets) FROM activities
            UNION ALL SELECT market FROM pisco_campaigns
            UNION ALL SELECT market FROM outcomes WHERE market IS NOT NULL
        ) ORDER BY market
        """).fetchall()]
