"""The outlook's backtest: project closed plan years from what was known at a date, compare with their end.

For every national-demo plan year with at least two earlier years of its office, and closed (its year end is
known), each KPI is projected as of 31 March, 30 June and 30 September of its year, and compared with the
actual year end: whether the actual falls inside the 80 % band (p10 to p90; the aim is 70-90 % of cases) and
the absolute percentage error of the median against the linear pace's (the figure known at the date over the
share of the year gone by). Per method, since each is judged on what it projects. The spreads the methods
use were set on a seed that is not reported (see docs/outlook.md); the report gives two others side by side.

    python -m plan backtest --seed 0 --seed 1 [--out benchmarks] [--work DIR]
"""

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from plan import outlook
from plan.data import database, demo
from plan.model.kpi_definitions import year_share
from plan.outlook import projection

DATES = ((3, 31), (6, 30), (9, 30))
Z80 = 1.2816  # the normal quantile of 90 %: a lognormal's 80 % band is exp(+-Z80 * sd)
EARLIER_YEARS = 2


def cases(db_path: Path) -> pd.DataFrame:
    """One row per plan, KPI and date: the actual year end, the projection's median and band, the pace."""
    rows = []
    with database.reader(db_path) as con:
        plans = con.execute("SELECT plan_id, office, year, as_of FROM plan ORDER BY office, year").df()
        plans["earlier"] = plans.groupby("office").cumcount()
        closed = plans[(plans["earlier"] >= EARLIER_YEARS)
                       & (pd.to_datetime(plans["as_of"]).dt.date >= pd.to_datetime(
                           plans["year"].astype(str) + "-12-31").dt.date)]
        for year, chosen in closed.groupby("year"):
            ids = list(chosen["plan_id"])
            actual = {(p.plan_id, p.kpi): p.actual_to_date for p in projection.project(con, ids)}
            for month, day in DATES:
                as_of = dt.date(int(year), month, day)
                for found in projection.project(con, ids, as_of):
                    rows.append(_case(found, actual.get((found.plan_id, found.kpi)), int(year), as_of))
    return pd.DataFrame(rows)


def _case(found: projection.Projection, actual: float | None, year: int, as_of: dt.date) -> dict:
    months_known = np.count_nonzero(~np.isnan(found.months[:, 0])) if found.months is not None else 0
    share = months_known / 12 if found.kpi in ("exports", "new_exporters") else year_share(year, as_of)
    pace = None if found.actual_to_date is None or share <= 0 else found.actual_to_date / share
    band = {}  # the pace method's own band (projection.PACE_SPREAD on the rest of the year), on the same case
    if pace is not None:
        spread = projection.PACE_SPREAD["seasonal" if found.method == "seasonal" else "schedule"]
        for name, z in (("pace_p10", -Z80), ("pace_p90", Z80)):
            band[name] = found.actual_to_date + (pace - found.actual_to_date) * math.exp(z * spread)
    return {"plan_id": found.plan_id, "kpi": found.kpi, "as_of": as_of.strftime("%m-%d"), "method": found.method,
            "actual": actual, "median": found.quantile(0.5), "p10": found.quantile(0.1),
            "p90": found.quantile(0.9), "pace": pace, **band}


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per method and date: cases, the share inside the 80 % band, and the median absolute percentage error
    of the projection and of the linear pace (cases with an actual above zero and a projection); the pace
    method's own band is judged on each method's cases too (no demo plan lacks history)."""
    usable = table.dropna(subset=["actual", "median", "pace"])
    usable = usable[usable["actual"] > 0]
    usable = usable.assign(inside=(usable["p10"] <= usable["actual"]) & (usable["actual"] <= usable["p90"]),
                           error=(usable["median"] / usable["actual"] - 1).abs(),
                           pace_error=(usable["pace"] / usable["actual"] - 1).abs())
    pace = usable.assign(method="pace (" + usable["method"] + "'s cases)", median=usable["pace"],
                         p10=usable["pace_p10"], p90=usable["pace_p90"])
    pace = pace.assign(inside=(pace["p10"] <= pace["actual"]) & (pace["actual"] <= pace["p90"]),
                       error=pace["pace_error"])
    usable = pd.concat([usable, pace], ignore_index=True)
    groups = []
    for keys, part in [*usable.groupby(["method", "as_of"]), *((("all", method), part) for method, part in
                                                                usable.groupby("method"))]:
        method, as_of = keys if keys[0] != "all" else (keys[1], "all")
        groups.append({"method": method, "as_of": as_of, "cases": len(part),
                       "inside_80": round(float(part["inside"].mean()), 3),
                       "mape": round(float(part["error"].median()), 3),
                       "mape_pace": round(float(part["pace_error"].median()), 3)})
    return pd.DataFrame(groups).sort_values(["method", "as_of"]).reset_index(drop=True)


def run(seeds: list[int], out: Path, work: Path, log=print) -> dict:
    """The backtest of each seed's national demo; writes backtest.json and backtest.md into `out`."""
    results = {}
    for seed in seeds:
        data = work / f"national-{seed}"
        demo.write_demo(data, "national", seed)
        db = work / f"national-{seed}.duckdb"
        if not db.exists() or not database.is_fresh(data, db, database.verify(db)):
            database.build(data, db, derive=outlook.derive)
        log(f"seed {seed}: projecting")
        results[seed] = summary(cases(db)).to_dict("records")
    out.mkdir(parents=True, exist_ok=True)
    (out / "backtest.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    (out / "backtest.md").write_text(markdown(results), encoding="utf-8")
    return results


def markdown(results: dict) -> str:
    """Per seed, method and date: cases, share inside the 80 % band, median absolute % error vs the pace's."""
    lines = ["| seed | method | as of | cases | inside the 80 % band | median abs. error | linear pace's |",
             "|---|---|---|---|---|---|---|"]
    for seed, rows in results.items():
        for row in rows:
            lines.append(f"| {seed} | {row['method']} | {row['as_of']} | {row['cases']} | "
                         f"{100 * row['inside_80']:.0f} % | {100 * row['mape']:.1f} % | "
                         f"{100 * row['mape_pace']:.1f} % |")
    return "\n".join(lines) + "\n"
