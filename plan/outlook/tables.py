"""The projections kept in the built database, so a page reads them instead of simulating.

    outlook          one row per plan and KPI: the JSON interface's figures, the note's key, and the draws
                     (None when the year end is known), which a total of several plans sums draw by draw
    outlook_months   per plan, KPI and month: the cumulative actual to date and the quantiles of the draws

`derive` is what `plan.data.database` runs on a new database before it is swapped in (a build: every plan; a
refresh after a save: the saved plans and the same offices' later years, whose record the save changed).
"""

import duckdb
import pandas as pd

from plan.outlook.projection import QUANTILES, Projection, project

QUANTILE_COLUMNS = [f"q{round(q * 100)}" for q in QUANTILES]
CREATE = """
    CREATE TABLE IF NOT EXISTS outlook (plan_id VARCHAR, kpi VARCHAR, unit VARCHAR, target DOUBLE,
        actual_to_date DOUBLE, median DOUBLE, p10 DOUBLE, p90 DOUBLE, chance DOUBLE, method VARCHAR, n INTEGER,
        as_of DATE, note VARCHAR, draws DOUBLE[]);
    CREATE TABLE IF NOT EXISTS outlook_months (plan_id VARCHAR, kpi VARCHAR, month INTEGER, actual DOUBLE,
        q10 DOUBLE, q25 DOUBLE, q50 DOUBLE, q75 DOUBLE, q90 DOUBLE);
"""  # the q columns: projection.QUANTILES
AFFECTED = """
    SELECT DISTINCT later.plan_id FROM plan changed JOIN plan later
        ON later.office = changed.office AND later.year >= changed.year
    WHERE list_contains($plans::VARCHAR[], changed.plan_id)
"""


def derive(con: duckdb.DuckDBPyConnection, plan_ids: set[str] | None = None) -> None:
    """(Re)compute the projections of `plan_ids` (every plan when None) and of the same offices' later years,
    in the database `con` uses."""
    con.execute(CREATE)
    if plan_ids is None:
        con.execute("DELETE FROM outlook")
        con.execute("DELETE FROM outlook_months")
        chosen = None
    else:
        chosen = sorted({*plan_ids, *(row[0] for row in con.execute(AFFECTED, {"plans": sorted(plan_ids)}).fetchall())})
        con.execute("DELETE FROM outlook WHERE list_contains($plans::VARCHAR[], plan_id)", {"plans": chosen})
        con.execute("DELETE FROM outlook_months WHERE list_contains($plans::VARCHAR[], plan_id)", {"plans": chosen})
    projections = project(con, chosen)
    if projections:
        _insert(con, projections)


def _insert(con: duckdb.DuckDBPyConnection, projections: list[Projection]) -> None:
    rows = pd.DataFrame([{**p.as_row(), "draws": None if p.draws is None else p.draws.tolist()}
                         for p in projections])
    months = pd.DataFrame([[p.plan_id, p.kpi, month + 1, *p.months[month]] for p in projections
                           for month in range(12)], columns=["plan_id", "kpi", "month", "actual", *QUANTILE_COLUMNS])
    con.register("new_outlook", rows)
    con.register("new_outlook_months", months)
    try:
        con.execute("INSERT INTO outlook BY NAME SELECT plan_id, kpi, unit, target, actual_to_date, median, p10, p90,"
                    " chance, method, n, as_of::DATE AS as_of, note, draws::DOUBLE[] AS draws FROM new_outlook")
        con.execute("INSERT INTO outlook_months BY NAME SELECT * FROM new_outlook_months")
    finally:
        con.unregister("new_outlook")
        con.unregister("new_outlook_months")
