"""Named read queries of what the plans achieved: exports (yearly, by sector, official imports), participants,
and the exporting firms of firm_exports.csv; every value is a bound parameter. The rest of the plan's queries,
and the rules they share (bound parameters, confidential cells of fewer than `queries.MIN_FIRMS` firms), are in
`plan.view.queries`.
"""

import dataclasses

import duckdb
import pandas as pd

from plan.model.official_sources import CUSTOMS_ID_SQL, OFFICIAL_SOURCES, SOURCE_PATTERN
from plan.view import queries
from plan.view.filters import OUTCOME_MATCH, TOTAL, Filters
from plan.view.queries import CONFIDENTIAL, FIRM, FIRMS_BEHIND

# --- exports and participants -------------------------------------------------------

# last_month: the latest month the rows report (empty for yearly rows): a year still being reported is a
# figure to date.
EXPORTS_YEARLY = f"""
    SELECT plan_id, year, sum(value) AS exports_usd, max(month) AS last_month
    FROM outcomes WHERE {OUTCOME_MATCH} AND metric = 'exports_usd'
    GROUP BY plan_id, year
"""  # noqa: S608 - constant fragments only
GROWTH = """
    exports_usd - lag(exports_usd) OVER w AS increase_usd,
    round(100 * (exports_usd / lag(exports_usd) OVER w - 1), 1) AS growth_pct
"""

EXPORTS_BY_YEAR = f"""
    WITH behind AS (SELECT plan_id, year, count(DISTINCT firm) AS firms FROM ({FIRMS_BEHIND}) GROUP BY ALL),
    yearly AS (
        SELECT plan_id, year, CASE WHEN NOT {CONFIDENTIAL} THEN exports_usd END AS exports_usd, last_month,
               {CONFIDENTIAL} AS confidential
        FROM ({EXPORTS_YEARLY}) LEFT JOIN behind USING (plan_id, year)
    )
    SELECT plan_id, year, exports_usd, last_month, {GROWTH}, confidential
    FROM yearly WINDOW w AS (PARTITION BY plan_id ORDER BY year)
    ORDER BY plan_id, year
"""  # noqa: S608 - constant fragments only


def exports_by_year(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Exports per plan and year (sum of the rows) and the last month reported, with growth against the year
    before."""
    return queries.frame(con, EXPORTS_BY_YEAR, filters)


OFFICE_HISTORY = """
    SELECT DISTINCT p.plan_id FROM plan c JOIN plan p ON p.office = c.office AND p.year <= c.year
    WHERE list_contains($plans::VARCHAR[], c.plan_id) ORDER BY p.plan_id
"""
EXPORTS_HISTORY = f"""
    WITH shown AS (
        SELECT CASE WHEN $summed THEN '{TOTAL}' ELSE plan_id END AS series, office, max(year) AS plan_year
        FROM plan WHERE list_contains($shown::VARCHAR[], plan_id) GROUP BY ALL
    ), by_plan AS (
        SELECT plan_id, year, market, sum(value) AS value, max(month) AS last_month FROM outcomes
        WHERE {OUTCOME_MATCH} AND metric = 'exports_usd' GROUP BY ALL
    ), rows AS (
        SELECT s.series, s.office, p.year AS source_year, o.year, o.market, o.value, o.last_month
        FROM by_plan o JOIN plan p USING (plan_id) JOIN shown s ON s.office = p.office AND p.year <= s.plan_year
    ), latest AS (
        SELECT * FROM rows QUALIFY source_year = max(source_year) OVER (PARTITION BY series, office, year)
    ), yearly AS (
        SELECT series AS plan_id, year, sum(value) AS exports_usd, max(last_month) AS last_month
        FROM latest GROUP BY ALL
    ), grown AS (
        SELECT *, {GROWTH} FROM yearly WINDOW w AS (PARTITION BY plan_id ORDER BY year)
    ), scope AS (
        SELECT series AS plan_id, list(DISTINCT market ORDER BY market) FILTER (WHERE market IS NOT NULL)
               AS scope_markets, bool_or(market IS NULL) AS scope_unsplit
        FROM latest GROUP BY ALL
    ), marked AS (SELECT series AS plan_id, max(plan_year) AS plan_year FROM shown GROUP BY ALL
    ), behind AS (
        SELECT s.series AS plan_id, f.year, count(DISTINCT f.firm) AS firms
        FROM ({FIRMS_BEHIND}) f JOIN plan p USING (plan_id) JOIN shown s ON s.office = p.office
             AND p.year <= s.plan_year
        GROUP BY ALL
    ), kept AS (
        SELECT g.*, {CONFIDENTIAL} AS confidential FROM grown g LEFT JOIN behind USING (plan_id, year)
    )
    SELECT plan_id, year, CASE WHEN NOT confidential THEN exports_usd END AS exports_usd, last_month,
           CASE WHEN coalesce(last_month, 12) = 12 AND NOT confidential THEN increase_usd END AS increase_usd,
           CASE WHEN coalesce(last_month, 12) = 12 AND NOT confidential THEN growth_pct END AS growth_pct,
           plan_year, coalesce(scope_markets, []) AS scope_markets, scope_unsplit, confidential
    FROM kept JOIN scope USING (plan_id) JOIN marked USING (plan_id) ORDER BY plan_id, year
"""  # noqa: S608 - constant fragments only


def exports_drawn(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Exports per year as their chart draws them: per plan up to PLANS_APART plans, else their total
    (plan id TOTAL). Each series holds its office's earlier years too, whichever plan year is chosen: the
    context of the plan's figure (`plan_year`, the latest chosen); an office's year that several of its plans
    report counts once, from its latest plan. `scope_markets` and `scope_unsplit` say what a series covers:
    the markets of its rows, and whether some row is not split by market. `last_month` is the latest month a
    year's rows report (empty: yearly rows); a year reported in part (January-June) has no growth against the
    whole year before."""
    history = [row[0] for row in con.execute(OFFICE_HISTORY, {"plans": list(filters.plan_ids)}).fetchall()]
    return queries.frame(con, EXPORTS_HISTORY, dataclasses.replace(filters, plan_ids=tuple(history)),
                  shown=list(filters.plan_ids), summed=filters.plans_summed())


EXPORTS_BY_SECTOR = f"""
    WITH exports AS (SELECT year, sector, value FROM outcomes WHERE {OUTCOME_MATCH} AND metric = 'exports_usd'),
    behind AS (SELECT year, sector, count(DISTINCT firm) AS firms FROM ({FIRMS_BEHIND}) GROUP BY ALL),
    summed AS (
        SELECT year, sector, sum(value) AS exports_usd FROM exports WHERE year = (SELECT max(year) FROM exports)
        GROUP BY ALL
    )
    SELECT year, sector, CASE WHEN NOT {CONFIDENTIAL} THEN exports_usd END AS exports_usd,
           {CONFIDENTIAL} AS confidential
    FROM summed LEFT JOIN behind USING (year, sector)
    ORDER BY summed.exports_usd DESC, sector
"""  # noqa: S608 - constant fragments only


def exports_by_sector(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Exports of the latest year in view per sector (sector empty: a figure not split by sector)."""
    return queries.frame(con, EXPORTS_BY_SECTOR, filters)


OFFICIAL_SOURCE = f"regexp_extract(source, '{SOURCE_PATTERN}', 1)"
OFFICIAL_EXPORTS = f"""
    SELECT {OFFICIAL_SOURCE} AS official, min(make_date(year, coalesce(month, 1), 1)) AS first_month,
           max(make_date(year, coalesce(month, 12), 1)) AS last_month, sum(value) AS exports_usd
    FROM outcomes
    WHERE {OUTCOME_MATCH} AND metric = 'exports_usd' AND list_contains($official::VARCHAR[], {OFFICIAL_SOURCE})
    GROUP BY ALL ORDER BY official
"""  # noqa: S608 - constant fragments only


def official_exports(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per official statistic imported (customs' DUS, UN Comtrade): the months in view it covers and its sum."""
    return queries.frame(con, OFFICIAL_EXPORTS, filters, official=list(OFFICIAL_SOURCES))


OUTCOME_TOTALS = f"""
    SELECT plan_id, metric, year, sum(value) AS value
    FROM outcomes WHERE {OUTCOME_MATCH} AND metric <> 'exports_usd'
    GROUP BY ALL ORDER BY ALL
"""  # noqa: S608 - constant fragments only


def outcome_totals(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per plan, metric and year: the sum of the outcome rows other than exports."""
    return queries.frame(con, OUTCOME_TOTALS, filters)


PARTICIPANTS_BY_COUNTRY = f"""
    SELECT o.plan_id, o.activity_id, a.title, o.metric, coalesce(o.origin_country, o.market) AS country,
           sum(o.value) AS value
    FROM (SELECT * FROM outcomes WHERE {OUTCOME_MATCH}) o
         JOIN activities a ON a.plan_id = o.plan_id AND a.id = o.activity_id
    WHERE o.metric IN ('exporters', 'importers') AND coalesce(o.origin_country, o.market) IS NOT NULL
    GROUP BY ALL ORDER BY o.plan_id, o.activity_id, o.metric, country
"""  # noqa: S608 - constant fragments only


def participants_by_country(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Exporters by origin country and importers by market for each event that reports them
    (e.g. the Pacific Alliance roundtables: exporters from Chile, Colombia, Mexico and Peru)."""
    return queries.frame(con, PARTICIPANTS_BY_COUNTRY, filters)


# --- exporting firms (firm_exports.csv) -------------------------------------------------------
# Distinct firms, counted here at the level each table shows: a count of distinct firms never adds up across
# years, markets or sectors. A period is the months of a year the filters keep; a firm is new to a market when
# it exports there in the period and did not in the 12 months before the period (to that market, in any
# sector); with some of those months not loaded (no row of any firm), it cannot be told: NULL. A firm is `FIRM`.
FIRM_PERIODS = f"""
    shown AS (
        SELECT {FIRM} AS firm, year, market, value_usd, {CUSTOMS_ID_SQL} AS customs FROM firm_exports
        WHERE {OUTCOME_MATCH} AND value_usd > 0
    ), periods AS (
        SELECT DISTINCT year, greatest(year * 12 + coalesce(3 * $quarter::INTEGER - 3, 0),
               coalesce(year($date_from::DATE) * 12 + month($date_from::DATE) - 1, 0)) AS first_m
        FROM shown
    ), mine AS (
        SELECT {FIRM} AS firm, market, year * 12 + month - 1 AS m, value_usd FROM firm_exports
        WHERE list_contains($plans::VARCHAR[], plan_id)
    ), history AS (
        SELECT p.year, count(DISTINCT l.m) = 12 AS known
        FROM periods p LEFT JOIN mine l ON l.m BETWEEN p.first_m - 12 AND p.first_m - 1 GROUP BY ALL
    ), seen AS (
        SELECT DISTINCT p.year, b.firm, b.market
        FROM periods p JOIN mine b ON b.m BETWEEN p.first_m - 12 AND p.first_m - 1 AND b.value_usd > 0
    ), flagged AS (
        SELECT s.*, seen.firm IS NULL AS new_there, h.known
        FROM shown s JOIN history h USING (year) LEFT JOIN seen USING (year, firm, market)
    )
"""  # noqa: S608 - constant fragments only
FIRMS_COUNTED = """
    count(DISTINCT firm) AS firms,
    CASE WHEN bool_and(known) THEN count(DISTINCT firm) FILTER (WHERE new_there) END AS new_firms,
    sum(value_usd) AS exports_usd, bool_or(customs) AS customs_ids
"""
FIRMS_BY_YEAR = f"""
    WITH {FIRM_PERIODS}
    SELECT year, {FIRMS_COUNTED} FROM flagged GROUP BY year ORDER BY year
"""  # noqa: S608 - constant fragments only
FIRMS_BY_MARKET = f"""
    WITH {FIRM_PERIODS}
    SELECT market, max(year) AS year, {FIRMS_COUNTED} FROM flagged WHERE year = (SELECT max(year) FROM flagged)
    GROUP BY GROUPING SETS ((market), ()) HAVING count(*) > 0 ORDER BY market NULLS FIRST
"""  # noqa: S608 - constant fragments only


def exporting_firms(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per year in view: firms exporting (distinct), firms new to a market (NULL: the 12 months before the
    period are not all loaded) and their exports. Empty without firm_exports.csv."""
    return queries.frame(con, FIRMS_BY_YEAR, filters)


def exporting_firms_by_market(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """For the latest year in view: per market, and over all of them (market NULL, counted again, never
    summed), firms exporting, firms new to that market and their exports."""
    return queries.frame(con, FIRMS_BY_MARKET, filters)
