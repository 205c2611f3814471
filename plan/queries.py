"""Named read queries over the built database; every value is a bound parameter.

Each function takes a connection from `plan.store.reader` and returns a DataFrame (or a
scalar), so pages hold no SQL. `plans` is a list of plan ids (plan folder names).
"""

import duckdb
import pandas as pd


def build_info(con: duckdb.DuckDBPyConnection) -> dict:
    """When the database was built, from which CSV versions (fingerprint)."""
    fingerprint, built_at = con.execute("SELECT fingerprint, built_at_utc FROM build_info").fetchone()
    return {"fingerprint": fingerprint, "built_at_utc": built_at}


def plans(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        "SELECT plan_id, office, agency, country, year, as_of, priority_markets, priority_sectors"
        " FROM plan ORDER BY year DESC, office"
    ).df()


def activity_totals(con: duckdb.DuckDBPyConnection, plan_ids: list[str]) -> pd.DataFrame:
    """Per plan: activities planned and done, budget and spend, participation, meetings, deals."""
    return con.execute(
        """
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
        FROM activities WHERE list_contains($plans, plan_id)
        GROUP BY plan_id ORDER BY plan_id
        """,
        {"plans": plan_ids},
    ).df()


def activity(con: duckdb.DuckDBPyConnection, plan_id: str, activity_id: str) -> dict | None:
    frame = con.execute("SELECT * FROM activities WHERE plan_id = $plan AND id = $id",
                        {"plan": plan_id, "id": activity_id}).df()
    return frame.iloc[0].to_dict() if len(frame) else None


def activities_by_modality(con: duckdb.DuckDBPyConnection, plan_ids: list[str]) -> pd.DataFrame:
    """Activities by half-year of their planned start and modality (cancelled ones excluded)."""
    return con.execute(
        """
        SELECT plan_id, year(planned_start) AS year, CASE WHEN month(planned_start) <= 6 THEN 1 ELSE 2 END AS half,
               modality, count(*) AS activities
        FROM activities WHERE list_contains($plans, plan_id) AND status <> 'cancelled'
        GROUP BY ALL ORDER BY ALL
        """,
        {"plans": plan_ids},
    ).df()


def exports_by_year(con: duckdb.DuckDBPyConnection, plan_ids: list[str], market: str | None = None) -> pd.DataFrame:
    """Exports per plan and year (sum of the rows), with growth against the year before."""
    return con.execute(
        """
        WITH yearly AS (
            SELECT plan_id, year, sum(value) AS exports_usd
            FROM outcomes
            WHERE metric = 'exports_usd' AND list_contains($plans, plan_id)
              AND ($market IS NULL OR market = $market)
            GROUP BY plan_id, year
        )
        SELECT plan_id, year, exports_usd,
               exports_usd - lag(exports_usd) OVER w AS increase_usd,
               round(100 * (exports_usd / lag(exports_usd) OVER w - 1), 1) AS growth_pct
        FROM yearly WINDOW w AS (PARTITION BY plan_id ORDER BY year)
        ORDER BY plan_id, year
        """,
        {"plans": plan_ids, "market": market},
    ).df()


def outcome_breakdown(con: duckdb.DuckDBPyConnection, plan_id: str, activity_id: str, metric: str) -> pd.DataFrame:
    """An event's figure split by origin country or market (e.g. exporters by Pacific Alliance country)."""
    return con.execute(
        """
        SELECT origin_country, market, sum(value) AS value
        FROM outcomes WHERE plan_id = $plan AND activity_id = $activity AND metric = $metric
        GROUP BY ALL ORDER BY ALL
        """,
        {"plan": plan_id, "activity": activity_id, "metric": metric},
    ).df()
