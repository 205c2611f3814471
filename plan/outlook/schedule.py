"""The *schedule* method: what is done, plus what is still scheduled, weighted by the office's own record.

For a plan at a day, every event not known to be done (see `plan.outlook.known`) is simulated: done by the
year's end with the chance the office's earlier plan years show for events in the same position at the same
day of their year (still ahead of their planned end, by type and modality; or already past it), and, when done,
with the figures of a similar past event (same kind and type; spending, reach and a campaign's deals relative to
the event's budget or target). Each draw also shifts every chance of the year together (a good or a bad year),
so the band carries the year-to-year spread of the record, not only the coin flips of single events.
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from plan.model.kpi_definitions import ACTIVITY_KPIS, KPIS_BY_KEY
from plan.outlook.known import BASES, SCHEDULE_KPIS, known_done, same_day

FIGURES = [f"kpi_{kpi}" for kpi in SCHEDULE_KPIS]  # the events' columns of the KPIs' figures
PRIOR_WEIGHT = 4.0  # events' worth of the office's overall rate a type's own rate is shrunk towards
YEAR_SPREAD = 0.35  # sd (logit) of a year's common shift of every chance; calibrated on seed 7's backtest


@dataclass(frozen=True)
class Simulated:
    """A schedule projection: year-end draws per KPI, the cumulative draws per month, whether it borrowed."""

    draws: dict[str, np.ndarray]  # KPI -> year-end values, one per draw
    by_month: dict[str, np.ndarray]  # KPI -> (12, draws) cumulative values at each month's end
    borrowed: bool  # some event had no similar past event of its type (figures from its kind)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def _rates(record: pd.DataFrame, day: dt.date, groups: pd.DataFrame, rng: np.random.Generator, draws: int):
    """(events, draws) chances of being done by the year's end for the `groups` rows (position, kind, type,
    modality), from the earlier years' events in `record` seen at the same day of their year."""
    counts: dict[tuple, list[float]] = {}  # (ahead, kind, type, modality) and (ahead,) -> [done, events]
    for year, ended, planned_end, status, *kind in zip(record["year"], record["ended"], record["planned_end"],
                                                        record["status"], record["kind"], record["type"],
                                                        record["modality"], strict=True):
        cut = same_day(int(year), day)
        if ended is not None and not pd.isna(ended) and ended <= cut:
            continue  # known done at the day: not among what was still pending
        ahead = bool(planned_end > cut)
        for key in ((ahead, *kind), (ahead,)):
            tally = counts.setdefault(key, [0.0, 0.0])
            tally[0] += status == "done"
            tally[1] += 1
    chances = np.empty((len(groups), draws))
    for row, group in enumerate(groups.itertuples(index=False)):
        done0, count0 = counts.get((group.ahead,), (0.0, 0.0))
        mean = (1 + done0) / (2 + count0)
        done, count = counts.get(tuple(group), (0.0, 0.0))
        chances[row] = rng.beta(PRIOR_WEIGHT * mean + done, PRIOR_WEIGHT * (1 - mean) + count - done, draws)
    return chances


def _lent_figures(record: pd.DataFrame, todo: pd.DataFrame, rng: np.random.Generator, draws: int):
    """(kpi -> (events, draws)) the figures each still-scheduled event would bring if done, each draw lending
    them from one done past event of the same kind and type (of the same kind when none); and whether any event
    had to borrow from its kind."""
    done = record[(record["status"] == "done").to_numpy()]
    kinds, types = done["kind"].to_numpy(), done["type"].to_numpy()
    figures = done[FIGURES].to_numpy(float)
    sizes = {base: np.nan_to_num(done[base].to_numpy(float)) for base in set(BASES.values())}
    pools: dict[tuple, tuple[np.ndarray, list[str | None]] | None] = {}
    lent = np.zeros((len(SCHEDULE_KPIS), len(todo), draws))
    borrowed = False
    for row, (kind, kind_type, *own) in enumerate(zip(todo["kind"], todo["type"], *(todo[b] for b in BASES.values()),
                                                      strict=True)):
        key = (kind, kind_type)
        if key not in pools:
            pools[key] = _pool(figures, sizes, (kinds == kind) & (types == kind_type), kind)
        pool = pools[key]
        if pool is None:
            pools[(kind,)] = pools.get((kind,)) or _pool(figures, sizes, kinds == kind, kind)
            pool, borrowed = pools[(kind,)], True
        if pool is None:
            continue
        values, bases = pool
        own_sizes = dict(zip(BASES.values(), own, strict=True))
        scale = np.array([1.0 if base is None else _number(own_sizes[base]) for base in bases])
        lent[:, row] = (values[rng.integers(0, len(values), draws)] * scale).T
    return dict(zip(SCHEDULE_KPIS, lent, strict=True)), borrowed


def _pool(figures: np.ndarray, sizes: dict[str, np.ndarray], chosen: np.ndarray, kind: str):
    """The `chosen` done past events' figures to lend, (events, KPIs), each relative to its base where the KPI
    has one for events of `kind` (spending per budget dollar...), and those bases; None when none is chosen."""
    if not chosen.any():
        return None
    bases = [_base_column(kpi, kind) for kpi in SCHEDULE_KPIS]
    values = figures[chosen].copy()
    for index, base in enumerate(bases):
        if base:
            size = sizes[base][chosen]
            values[:, index] = np.divide(values[:, index], size, out=np.zeros(len(size)), where=size > 0)
    return values, bases


def _number(value) -> float:
    return 0.0 if value is None or pd.isna(value) else float(value)


def _base_column(kpi: str, kind: str) -> str | None:
    """The column a KPI's lent figure scales with for an event of `kind` (see `BASES`)."""
    column = ACTIVITY_KPIS.get(kpi) if kind == "activity" else KPIS_BY_KEY[kpi].campaign_column
    return BASES.get(column) if column else None


def known_figures(done: pd.DataFrame, day: dt.date, year: int) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Per KPI the figure of the events known done at `day`, and its (12,) cumulative by month of their end
    in the plan `year` (NaN after the day's month)."""
    return _summed(done[FIGURES].to_numpy(float), pd.to_datetime(done["ended"]).dt.month.to_numpy(int), day, year)


def _summed(figures: np.ndarray, months: np.ndarray, day: dt.date, year: int):
    """`known_figures` of (events, KPIs) figures ended in `months`."""
    by_month = np.zeros((12, len(SCHEDULE_KPIS)))
    np.add.at(by_month, months - 1, figures)
    cumulative = np.cumsum(by_month, axis=0)
    cumulative[(day.month if day.year <= year else 12):] = np.nan
    return ({kpi: float(figures[:, i].sum()) for i, kpi in enumerate(SCHEDULE_KPIS)},
            {kpi: cumulative[:, i] for i, kpi in enumerate(SCHEDULE_KPIS)})


def known_by_plan(events: pd.DataFrame, days: dict[str, dt.date],
                  years: dict[str, int]) -> dict[str, tuple[dict[str, float], dict[str, np.ndarray]]]:
    """`known_figures` of every plan in `days` at its own day, in one pass over the events (a national build
    projects 160 plans, most of them closed)."""
    ended = pd.to_datetime(events["ended"])
    done = (ended <= pd.to_datetime(events["plan_id"].map(days))).to_numpy()
    figures, months = events[FIGURES].to_numpy(float), ended.dt.month.fillna(1).to_numpy(int)
    plan_of = events["plan_id"].to_numpy()
    found = {}
    for plan_id, plan_day in days.items():
        chosen = done & (plan_of == plan_id)
        found[plan_id] = _summed(figures[chosen], months[chosen], plan_day, years[plan_id])
    return found


def simulate(plan_events: pd.DataFrame, record: pd.DataFrame, day: dt.date, known: tuple, statuses_known: bool,
             rng: np.random.Generator, draws: int) -> Simulated:
    """Project the plan whose events are `plan_events` from its office's earlier `record` at `day`, from what
    is `known` done then (its `known_figures`). `statuses_known`: the day is the plan's own status date, so a
    cancelled event is known to be out."""
    actual, actual_by_month = known
    todo = plan_events[~known_done(plan_events, day)]
    if statuses_known:
        todo = todo[todo["status"] != "cancelled"]
    month = day.month
    groups = pd.DataFrame({"ahead": [end > day for end in todo["planned_end"]], "kind": todo["kind"].to_numpy(),
                           "type": todo["type"].to_numpy(), "modality": todo["modality"].to_numpy()})
    chances = _rates(record, day, groups, rng, draws)
    year_shift = rng.normal(0, YEAR_SPREAD, draws)
    happens = rng.random(chances.shape) < 1 / (1 + np.exp(-(_logit(chances) + year_shift)))
    lent, borrowed = _lent_figures(record, todo, rng, draws)
    # An event still ahead ends in its planned month; one already late in a month still to come.
    months = np.array([end.month if end > day else rng.integers(min(month + 1, 12), 13)
                       for end in todo["planned_end"]], dtype=int)
    result, by_month = {}, {}
    for kpi in SCHEDULE_KPIS:
        added = happens * lent[kpi]
        result[kpi] = actual[kpi] + added.sum(axis=0)
        by_month[kpi] = np.stack([actual_by_month[kpi][min(m, month) - 1] + added[months <= m].sum(axis=0)
                                  for m in range(1, 13)])
    return Simulated(result, by_month, borrowed)
