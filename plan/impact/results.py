"""A plan's impact results: its estimates, computed on first request for a version of its files and kept beside
the database (`plan.duckdb.impact/`), so the page, the report and the command line share one computation and a
build never pays for it; and one activity's before/after rows for its chart. A version is the plan's files as
built (`plan.impact.inputs.version`): an edit anywhere gives a new one. A place that cannot be written (a
read-only host) only loses the keeping, never the estimates."""

import dataclasses
import json
from pathlib import Path

import duckdb
import pandas as pd

from plan.data.files import write_atomically
from plan.impact import inputs
from plan.impact.estimates import Estimate, FirmPanel, estimate_plan

ESTIMATORS_VERSION = 1  # bump when an estimator's computation changes: estimates kept before are not reused


def kept_at(con: duckdb.DuckDBPyConnection, plan_id: str, version: str) -> Path:
    """Where this version's estimates are kept: beside the database file `con` reads."""
    db_path = Path(con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()")
                   .fetchone()[0])
    return db_path.with_name(db_path.name + ".impact") / f"{plan_id}-{version[:24]}-v{ESTIMATORS_VERSION}.json"


def compute(found: inputs.PlanInputs) -> list[Estimate]:
    """`estimate_plan` over what was read: the aggregate level always (without the region's monthly rows, its
    note says the months are missing), the firm level only with firm rows."""
    return estimate_plan(None if found.firm_rows.empty else found.firm_rows, found.monthly_rows,
                         found.activities, found.participants)


def estimates(con: duckdb.DuckDBPyConnection, plan_id: str) -> list[Estimate]:
    """The plan's estimates (every done activity, both levels), from the database `con` reads: the kept ones
    when this version of the plan has them."""
    path = kept_at(con, plan_id, inputs.version(con, plan_id))
    if path.is_file():
        return [Estimate(**row) for row in json.loads(path.read_text(encoding="utf-8"))]
    found = compute(inputs.read(con, plan_id))
    try:
        path.parent.mkdir(exist_ok=True)
        write_atomically(path, json.dumps([dataclasses.asdict(e) for e in found]).encode("utf-8"))
    except OSError:  # not kept: computed again at the next request
        pass
    return found


def before_after(con: duckdb.DuckDBPyConnection, plan_id: str, activity_id: str) -> pd.DataFrame:
    """The activity's participants and comparison firms month by month (`FirmPanel.monthly`: no ids); empty
    without firm rows or when the activity is not done."""
    found = inputs.read(con, plan_id)
    activity = next((a for a in found.activities if a.activity_id == activity_id), None)
    if found.firm_rows.empty or activity is None:
        return pd.DataFrame()
    every = set().union(*found.participants.values()) if found.participants else set()
    return FirmPanel(found.firm_rows).monthly(activity, found.participants.get(activity_id, ()), every)
