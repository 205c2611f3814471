"""What the impact estimates of one plan read from the built database: its firms' monthly exports, the region's
monthly exports by market and sector (customs), its done activities and who took part, and the version of its
files (estimates are kept per version: `plan.impact.stored`)."""

import hashlib
from dataclasses import dataclass

import duckdb
import pandas as pd

from plan.impact.estimates import ActivityWindow
from plan.model.official_sources import CUSTOMS_ID_SQL, FIRM_SQL

# A firm across years: customs' anonymous numbers without their year (plan.model.official_sources), so an
# activity's months before and after a January compare the same firms; the plan's own ids as written.
FIRM_ROWS = f"""
    SELECT {FIRM_SQL} AS exporter_id, year, month, market, sector, value_usd::DOUBLE AS value_usd
    FROM firm_exports WHERE plan_id = $plan
"""  # noqa: S608 - constant fragments only
PARTICIPANTS = f"SELECT activity_id, {FIRM_SQL} AS exporter_id FROM participants WHERE plan_id = $plan"  # noqa: S608
CUSTOMS_IDS = f"SELECT bool_or({CUSTOMS_ID_SQL}) FROM firm_exports WHERE plan_id = $plan"  # noqa: S608
# The region's exports by month, market and sector (typed or imported): rows of the plan's own region only (no
# origin country), not an event's figure.
MONTHLY_EXPORTS = """
    SELECT year, month, market, sector, sum(value)::DOUBLE AS value_usd FROM outcomes
    WHERE plan_id = $plan AND metric = 'exports_usd' AND month IS NOT NULL AND market IS NOT NULL
          AND sector IS NOT NULL AND origin_country IS NULL AND activity_id IS NULL
    GROUP BY ALL
"""
# An activity has an impact to measure once it is done: its month is the month it ended.
DONE_ACTIVITIES = """
    SELECT id, title, year(actual_end) AS year, month(actual_end) AS month, markets, sectors FROM activities
    WHERE plan_id = $plan AND status = 'done' AND actual_end IS NOT NULL ORDER BY actual_end, id
"""
FILES = "SELECT table_name, sha256 FROM source_files WHERE plan_id = $plan ORDER BY table_name"


@dataclass(frozen=True)
class PlanInputs:
    plan_id: str
    version: str  # of the plan's files: the estimates change only with it
    firm_rows: pd.DataFrame
    monthly_rows: pd.DataFrame
    activities: list[ActivityWindow]
    titles: dict[str, str]
    participants: dict[str, set[str]]  # activity id -> exporter ids


def version(con: duckdb.DuckDBPyConnection, plan_id: str) -> str:
    """A digest of the plan's files as built (every table: an edit anywhere may change an estimate)."""
    files = con.execute(FILES, {"plan": plan_id}).fetchall()
    return hashlib.sha256(repr(files).encode()).hexdigest()


def customs_ids(con: duckdb.DuckDBPyConnection, plan_id: str) -> bool:
    """Whether the plan's firm rows name firms by customs' anonymous numbers (the page then says what it assumes)."""
    return bool(con.execute(CUSTOMS_IDS, {"plan": plan_id}).fetchone()[0])


def done_activities(con: duckdb.DuckDBPyConnection, plan_id: str) -> pd.DataFrame:
    """The plan's done activities (`id, title, year, month` of their end, markets, sectors), in order of end."""
    return con.execute(DONE_ACTIVITIES, {"plan": plan_id}).df()


def read(con: duckdb.DuckDBPyConnection, plan_id: str) -> PlanInputs:
    """Everything `estimate_plan` and the before/after chart need of the plan (ids stay in here and the
    estimators: no result carries one)."""
    activities = con.execute(DONE_ACTIVITIES, {"plan": plan_id}).fetchall()
    participants: dict[str, set[str]] = {}
    for activity_id, exporter_id in con.execute(PARTICIPANTS, {"plan": plan_id}).fetchall():
        participants.setdefault(activity_id, set()).add(exporter_id)
    return PlanInputs(
        plan_id, version(con, plan_id),
        con.execute(FIRM_ROWS, {"plan": plan_id}).df(), con.execute(MONTHLY_EXPORTS, {"plan": plan_id}).df(),
        [ActivityWindow(id_, int(year), int(month), tuple(markets), tuple(sectors))
         for id_, _title, year, month, markets, sectors in activities],
        {id_: title for id_, title, *_rest in activities}, participants)
