"""A year-end projection per plan and KPI, with the chance of reaching the year's target.

    project(con, plan_ids, as_of) --known--> schedule | seasonal | pace --> [Projection]

Every projection keeps its `DRAWS` simulated year-end values, so a total of several plans sums draws (see
`total`) instead of adding bands, and its cumulative quantiles per month for the fan chart. The method:

- *schedule* (activities, budget, participation, meetings, deals, pisco reach) with at least one earlier plan
  year of the office to learn from (`plan.outlook.schedule`);
- *seasonal* (exports, new exporters) with at least 24 consecutive months known (`plan.outlook.seasonal`);
- *pace* otherwise: the figure known at the day over the share of the year gone by, with a wide band
  (`PACE_SPREAD`), and a note saying why.

The day used is the earlier of `as_of` and the plan's status date (today when both are empty); a day at or
after the plan year's end gives the actual as the year end (`closed`). Draws come from a generator seeded by
the plan and KPI, so the same data give the same projection wherever it is computed.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from plan.model.kpi_definitions import KPIS, KPIS_BY_KEY, year_share
from plan.outlook import known, schedule, seasonal

DRAWS = 1000
# sd of the log of the rest of the year at a linear pace, by what the KPI follows: events bunch in the year (a
# pace misses a plan's late roundtables by 40 % and more) while a monthly series is smoother. Set on seed 7's
# backtest, where a pace's 80 % band then held 68 % (schedule KPIs; 34 % with 0.5) and 80 % (monthly) of the
# year ends.
PACE_SPREAD = {"schedule": 1.2, "seasonal": 0.5}
QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)  # kept per month: the fan chart draws the 50 % and 80 % bands
ORDER = {kpi.key: index for index, kpi in enumerate(KPIS)}
EMPTY_SERIES = pd.DataFrame({"year": [], "month": [], "value": []})
LIKELY_FROM, POSSIBLE_FROM = 0.8, 0.4  # chance of the target: probable from 80 %, posible from 40 %


@dataclass
class Projection:
    """One plan's (or a total's) year end for one KPI. `draws` is None when the year end is known (closed)."""

    plan_id: str
    kpi: str
    target: float | None
    actual_to_date: float | None
    draws: np.ndarray | None
    method: str  # schedule | seasonal | pace
    n: int  # earlier plan years (schedule) or months (seasonal) learned from
    as_of: dt.date
    note: str  # message key `outlook_note_<note>`
    months: np.ndarray | None = None  # (12, 6): per month the cumulative actual, then QUANTILES of the draws

    @property
    def unit(self) -> str:
        return KPIS_BY_KEY[self.kpi].unit

    def quantile(self, q: float) -> float | None:
        if self.actual_to_date is None:
            return None
        return float(np.quantile(self.draws, q)) if self.draws is not None else self.actual_to_date

    @property
    def chance(self) -> float | None:
        """Share of the draws at or above the target (None without a target or a projection)."""
        if self.target is None or self.actual_to_date is None or self.note == "nothing":
            return None
        if self.draws is None:
            return float(self.actual_to_date >= self.target)
        return float(np.mean(self.draws >= self.target))

    def as_row(self) -> dict:
        """The command line's row (its `--json` keys)."""
        return {"plan_id": self.plan_id, "kpi": self.kpi, "unit": self.unit, "target": self.target,
                "actual_to_date": self.actual_to_date, "median": self.quantile(0.5), "p10": self.quantile(0.1),
                "p90": self.quantile(0.9), "chance": self.chance, "method": self.method, "n": self.n,
                "as_of": self.as_of.isoformat(), "note": self.note}


def likelihood(chance: float | None) -> str | None:
    """The year-end status in words: 'likely', 'possible' or 'unlikely' (None without a chance)."""
    if chance is None or pd.isna(chance):
        return None
    return "likely" if chance >= LIKELY_FROM else "possible" if chance >= POSSIBLE_FROM else "unlikely"


def day_used(plan_as_of, as_of: dt.date | None, today: dt.date | None = None) -> dt.date:
    """The earlier of `as_of` and the plan's status date; today when both are empty."""
    days = [d for d in (as_of, None if plan_as_of is None or pd.isna(plan_as_of) else pd.Timestamp(
        plan_as_of).date()) if d is not None]
    return min(days) if days else (today or dt.date.today())


def _rng(plan_id: str, kpi: str) -> np.random.Generator:
    seed = int.from_bytes(hashlib.sha256(f"{plan_id}/{kpi}".encode()).digest()[:8], "little")
    return np.random.default_rng(seed)


def _by_month(actual: np.ndarray, paths: np.ndarray | None, last_known: int) -> np.ndarray:
    """(12, 6): the cumulative actual (to `last_known`), then the QUANTILES of `paths` (12, draws) from the
    month `last_known` on (it joins the line of the actual)."""
    quantiles = np.full((12, len(QUANTILES)), np.nan)
    if paths is not None:
        quantiles = np.quantile(paths, QUANTILES, axis=1).T
        quantiles[: max(last_known - 1, 0)] = np.nan
    return np.column_stack([actual, quantiles])


def project(con: duckdb.DuckDBPyConnection, plan_ids: list[str] | None = None, as_of: dt.date | None = None,
            today: dt.date | None = None) -> list[Projection]:
    """Every KPI's projection for the plans `plan_ids` (all when None), known at the earlier of `as_of` and
    each plan's status date."""
    plans = con.execute("SELECT plan_id, office, year, as_of FROM plan ORDER BY office, year").df()
    if plan_ids is not None:
        chosen = plans[plans["plan_id"].isin(plan_ids)]
    else:
        chosen = plans
    offices = sorted(chosen["office"].unique())
    events = known.events(con, offices)
    monthly = known.months(con, offices)
    yearly = {(row.plan_id, row.metric): row.value for row in known.yearly(con, list(chosen["plan_id"])).itertuples()}
    goals = known.targets(con)
    by_plan = dict(tuple(events.groupby("plan_id", sort=False)))
    series = dict(tuple(monthly.groupby(["office", "metric"], sort=False)))
    days = {plan.plan_id: day_used(plan.as_of, as_of, today) for plan in chosen.itertuples()}
    done = schedule.known_by_plan(events, days, dict(zip(chosen["plan_id"], chosen["year"].astype(int), strict=True)))
    results = []
    for plan in chosen.itertuples():
        day = days[plan.plan_id]
        earlier = [p for p in plans.loc[(plans["office"] == plan.office) & (plans["year"] < plan.year), "plan_id"]
                   if p in by_plan]
        own = by_plan.get(plan.plan_id, events.iloc[:0])
        record = pd.concat([by_plan[p] for p in earlier]) if earlier and not _closed(plan, day) else events.iloc[:0]
        statuses_known = as_of is None or day >= _as_date(plan.as_of)
        found = _schedule_kpis(plan, day, own, record, len(earlier), goals, statuses_known, done[plan.plan_id])
        found += _seasonal_kpis(plan, day, series, yearly, goals)
        results += sorted(found, key=lambda p: ORDER[p.kpi])  # the overview's order of the KPIs
    return results


def _as_date(value) -> dt.date:
    return dt.date.max if value is None or pd.isna(value) else pd.Timestamp(value).date()


def _closed(plan, day: dt.date) -> bool:
    return day >= dt.date(int(plan.year), 12, 31)


def _schedule_kpis(plan, day: dt.date, own: pd.DataFrame, record: pd.DataFrame, years: int, goals: dict,
                   statuses_known: bool, done: tuple) -> list[Projection]:
    """`done`: the plan's `schedule.known_figures` at the day."""
    closed = _closed(plan, day)
    actual, by_month = done
    if years and not closed:
        simulated = schedule.simulate(own, record, day, done, statuses_known, _rng(plan.plan_id, "schedule"), DRAWS)
    results = []
    share = year_share(int(plan.year), day)
    for kpi in known.SCHEDULE_KPIS:
        target = goals.get((plan.plan_id, KPIS_BY_KEY[kpi].target_metric))
        cumulative = by_month[kpi]
        if closed:
            results.append(Projection(plan.plan_id, kpi, target, actual[kpi], None, "schedule", years, day, "closed",
                                      _by_month(cumulative, None, 12)))
        elif years:
            note = "schedule_borrowed" if simulated.borrowed else "schedule"
            results.append(Projection(plan.plan_id, kpi, target, actual[kpi], simulated.draws[kpi], "schedule", years,
                                      day, note, _by_month(cumulative, simulated.by_month[kpi], day.month)))
        else:
            results.append(_pace(plan.plan_id, kpi, target, actual[kpi], cumulative, share, day.month, day,
                                 "pace_no_years"))
    return results


def _pace(plan_id: str, kpi: str, target: float | None, actual: float, cumulative: np.ndarray, share: float,
          last_month: int, day: dt.date, note: str) -> Projection:
    """The linear pace: the known figure over the share of the year gone by, the rest spread wide."""
    if actual <= 0 or share <= 0:
        return Projection(plan_id, kpi, target, actual, None, "pace", 0, day, "nothing",
                          _by_month(cumulative, None, last_month))
    rest = actual / share - actual
    rng = _rng(plan_id, kpi)
    spread = PACE_SPREAD["seasonal" if kpi in known.SEASONAL_KPIS else "schedule"]
    draws = actual + rest * rng.lognormal(0, spread, DRAWS)
    months = np.arange(1, 13)
    paths = actual + np.clip((months - last_month) / max(12 - last_month, 1), 0, 1)[:, None] * (draws - actual)
    return Projection(plan_id, kpi, target, actual, draws, "pace", 0, day, note,
                      _by_month(cumulative, paths, last_month))


def _seasonal_kpis(plan, day: dt.date, series: dict, yearly: dict, goals: dict) -> list[Projection]:
    results = []
    for kpi, metric in known.SEASONAL_KPIS.items():
        target = goals.get((plan.plan_id, KPIS_BY_KEY[kpi].target_metric))
        months = seasonal.known_months(series.get((plan.office, metric), EMPTY_SERIES), int(plan.year), day)
        last = months.last_month
        cumulative = np.where(np.arange(1, 13) <= last, np.nancumsum(np.nan_to_num(months.year_known)), np.nan)
        actual = float(np.nansum(months.year_known))
        if _closed(plan, day):
            whole = yearly.get((plan.plan_id, metric))
            year_end = actual + (whole or 0.0) if last or whole is not None else None
            results.append(Projection(plan.plan_id, kpi, target, year_end, None, "seasonal", len(months.steps),
                                      day, "closed", _by_month(cumulative, None, 12)))
            continue
        try:
            paths = seasonal.simulate(months, int(plan.year), _rng(plan.plan_id, kpi), DRAWS)
            if np.isnan(paths).any():
                raise ValueError("a month of the year is missing")
        except ValueError:
            if last:
                results.append(_pace(plan.plan_id, kpi, target, actual, cumulative, last / 12, last, day,
                                     "pace_short_series"))
            else:  # not a month of the year known: nothing to go on
                results.append(Projection(plan.plan_id, kpi, target, None, None, "pace", 0, day, "nothing",
                                          _by_month(cumulative, None, 0)))
            continue
        results.append(Projection(plan.plan_id, kpi, target, actual, paths.sum(axis=0), "seasonal",
                                  len(months.steps), day, "seasonal",
                                  _by_month(cumulative, np.cumsum(paths, axis=0), last)))
    return results


def total(projections: list[Projection], plan_id: str) -> Projection | None:
    """Several plans' projections of one KPI summed draw by draw, over the plans with a target (all when none
    has one), as the overview's total counts them; None when nothing is projected."""
    shown = [p for p in projections if p.actual_to_date is not None]
    targeted = [p for p in shown if p.target is not None]
    shown = targeted or shown
    if not shown:
        return None
    uncertain = [p.draws for p in shown if p.draws is not None]
    draws = None
    if uncertain:
        draws = np.sum(uncertain, axis=0) + sum(p.actual_to_date for p in shown if p.draws is None)
    methods = {p.method for p in shown}
    first = shown[0]
    return Projection(plan_id, first.kpi, sum(p.target for p in targeted) if targeted else None,
                      sum(p.actual_to_date for p in shown), draws, methods.pop() if len(methods) == 1 else "mixed",
                      min(p.n for p in shown), max(p.as_of for p in shown), "total")

