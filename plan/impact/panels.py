"""Synthetic panels with a planted effect, for the estimators' tests and the benchmark.

`firm_panel` draws a region's firms month by month: each firm has one sector and a size spread over orders of
magnitude (lognormal), exports to each of its markets in some months and not others, with a sector's seasonality,
a market's demand shocks and drifting pull (common to every firm selling there: the value and the chance of
exporting move alike) and a firm's own persistent shocks. Several
activities at different months each take part of the firms of their sectors, more often the large ones
(selection on levels, which a before/after comparison removes; never on trends). After its activity's month a
participant's exports to the activity's markets are multiplied by 1 + `effect`, and its chance of exporting to
each of them in a month rises by `points`. The planted values are returned beside the rows, so a test compares
an estimate with a figure the estimator never saw.

`region_months` draws a region's monthly exports by market and sector (customs data, no firms), with the
treated cells' exports multiplied by 1 + `effect` after the activity, for the aggregate level.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from plan.impact.estimates import ActivityWindow

MARKETS = ("USA", "CHN", "JPN", "KOR", "BRA")
SECTORS = ("fresh_fruit", "wine", "pisco", "olive_oil")
START_YEAR = 2021


@dataclass(frozen=True)
class Panel:
    """A firm panel: its rows (`exporter_id, year, month, market, sector, value_usd`), the activities, their
    participants, and the planted `exporting` effect per activity as the estimator should find it (the mean,
    over its participants and the months after it that are compared, of the rise in the chance of exporting to
    any of its markets in a month; the `exports` effect is `effect` itself)."""

    rows: pd.DataFrame
    activities: tuple[ActivityWindow, ...]
    participants: dict[str, frozenset[str]]
    exporting_effect: dict[str, float]


def _month(index: int) -> tuple[int, int]:
    return START_YEAR + index // 12, index % 12 + 1


def _activities(months: int, rng: np.random.Generator, count: int, markets: tuple[str, ...]) -> list[ActivityWindow]:
    """`count` activities, their months spread so that each has 12 months loaded before it and 3 or more after."""
    ends = np.linspace(12, months - 4, count).round().astype(int)
    found = []
    for number, end in enumerate(ends):
        chosen = tuple(str(m) for m in rng.choice(markets, size=rng.integers(1, 3), replace=False))
        sectors = tuple(str(s) for s in rng.choice(SECTORS, size=rng.integers(1, 3), replace=False))
        found.append(ActivityWindow(f"A{number + 1}", *_month(int(end)), chosen, sectors))
    return found


def firm_panel(seed: int, firms: int = 2000, months: int = 36, activities: int = 6, effect: float = 0.0,
               points: float = 0.0, participants_per_activity: int = 40, markets: int = len(MARKETS),
               plan: Sequence[ActivityWindow] | None = None, start: tuple[int, int] = (START_YEAR, 1),
               sectors: tuple[str, ...] = SECTORS, prefix: str = "F") -> Panel:
    """`firms` firms over `months` months from January 2021, selling to the first `markets` of MARKETS; or, for a
    real plan's `plan` (its done activities, whose markets are the panel's markets and whose sectors are among
    `sectors`), from the month `start`, firm ids `<prefix><number>`."""
    rng = np.random.default_rng(seed)
    if plan is None:
        plan = _activities(months, rng, activities, MARKETS[:markets])
        codes = MARKETS[:markets]
    else:
        codes = tuple(sorted({market for activity in plan for market in activity.markets}))
    markets = len(codes)

    def index_of(year: int, month: int) -> int:
        return (year - start[0]) * 12 + month - start[1]

    def month_of(index: int) -> tuple[int, int]:
        return start[0] + (start[1] - 1 + index) // 12, (start[1] - 1 + index) % 12 + 1
    sector = rng.integers(0, len(sectors), firms)
    size = rng.lognormal(10.0, 1.5, firms)  # US$ per month when exporting: about 1,000 to 2 million
    reach = rng.random((firms, markets)) < rng.uniform(0.2, 0.7, (firms, 1))  # the markets a firm sells to
    reach[np.arange(firms), rng.integers(0, markets, firms)] = True
    chance = np.where(reach, rng.beta(2.0, 2.0, (firms, markets)), 0.0)  # of exporting in a month
    # The markets' pull moves every firm's chance alike: a random walk per market, a few points a year.
    drift = np.cumsum(rng.normal(0.0, 0.01, (markets, months)), axis=1)
    chance = np.where(reach[:, :, None], np.clip(chance[:, :, None] + drift[None, :, :], 0.0, 1.0), 0.0)
    market_weight = rng.lognormal(0.0, 0.7, (firms, markets))
    calendar = np.arange(months) % 12
    season = 1.0 + 0.4 * np.sin(2 * np.pi * (calendar[None, :] - rng.integers(0, 12, (len(sectors), 1))) / 12)
    demand = np.exp(np.cumsum(rng.normal(0.0, 0.05, (markets, months)), axis=1))  # per market, random walk
    own = np.zeros((firms, months))  # a firm's persistent shocks: AR(1) in logs
    for month in range(1, months):
        own[:, month] = 0.8 * own[:, month - 1] + rng.normal(0.0, 0.25, firms)

    # Who takes part: one activity per firm at most, among the firms of its sectors, larger firms more often.
    taken = np.zeros(firms, bool)
    joined = np.full(firms, -1)
    participants, lift = {}, np.zeros((firms, markets, months))
    raised = np.zeros((firms, markets, months))
    exporting_effect = {}
    for number, activity in enumerate(plan):
        eligible = np.flatnonzero(np.isin(sector, [sectors.index(s) for s in activity.sectors if s in sectors])
                                  & ~taken)
        weight = size[eligible] ** 0.3
        chosen = rng.choice(eligible, size=min(participants_per_activity, eligible.size), replace=False,
                            p=weight / weight.sum())
        taken[chosen], joined[chosen] = True, number
        end = index_of(activity.year, activity.month)
        columns = [codes.index(m) for m in activity.markets]
        after = np.arange(months) > end
        for column in columns:
            lift[np.ix_(chosen, [column], after)] = np.log1p(effect)
            raised[np.ix_(chosen, [column], after)] = points
        participants[activity.activity_id] = frozenset(f"{prefix}{i:05d}" for i in chosen)
        # What the participants' chance of exporting to any of the markets gained in the months compared.
        window = np.arange(end + 1, min(end + 13, months))
        plain = chance[np.ix_(chosen, columns, window)]
        gained = np.prod(1 - plain, axis=1) - np.prod(1 - np.minimum(1.0, plain + points), axis=1)
        exporting_effect[activity.activity_id] = float(np.mean(gained))

    exports = rng.random((firms, markets, months)) < np.minimum(1.0, chance + raised)
    value = (size[:, None, None] * market_weight[:, :, None] * season[sector][:, None, :] * demand[None, :, :]
             * np.exp(own[:, None, :] + lift + rng.normal(0.0, 0.5, (firms, markets, months))))
    firm, market, month = np.nonzero(exports)
    years, calendar_months = zip(*(month_of(m) for m in range(months)), strict=True)
    rows = pd.DataFrame({
        "exporter_id": pd.Series([f"{prefix}{i:05d}" for i in range(firms)]).to_numpy()[firm],
        "year": np.asarray(years)[month], "month": np.asarray(calendar_months)[month],
        "market": np.asarray(codes)[market], "sector": np.asarray(sectors)[sector[firm]],
        "value_usd": value[firm, market, month].round(2)})
    return Panel(rows, tuple(plan), participants, exporting_effect)


def region_months(seed: int, months: int = 36, effect: float = 0.0) -> tuple[pd.DataFrame, ActivityWindow]:
    """A region's monthly exports by market and sector (rows `year, month, market, sector, value_usd`) and one
    activity in its middle, whose cells' exports are multiplied by 1 + `effect` after its month. Months share
    shocks across cells (the region's harvest, prices) and each cell has its own persistent ones."""
    rng = np.random.default_rng(seed)
    activity = ActivityWindow("A1", *_month(months // 2), ("USA",), ("wine",))
    cells = [(market, sector) for market in (*MARKETS, "XXX") for sector in SECTORS]
    level = rng.lognormal(13.0, 1.0, len(cells))
    calendar = np.arange(months) % 12
    season = 1.0 + 0.4 * np.sin(2 * np.pi * (calendar[None, :] - rng.integers(0, 12, (len(SECTORS), 1))) / 12)
    common = np.exp(np.cumsum(rng.normal(0.0, 0.05, months)))
    own = np.zeros((len(cells), months))
    for month in range(1, months):
        own[:, month] = 0.6 * own[:, month - 1] + rng.normal(0.0, 0.15, len(cells))
    treated = np.array([m in activity.markets and s in activity.sectors for m, s in cells])
    after = np.arange(months) > months // 2
    lift = np.where(treated[:, None] & after[None, :], np.log1p(effect), 0.0)
    sector_of = np.array([SECTORS.index(s) for _, s in cells])
    value = level[:, None] * season[sector_of] * common[None, :] * np.exp(own + lift)
    cell, month = np.indices(value.shape).reshape(2, -1)
    years, calendar_months = zip(*(_month(m) for m in range(months)), strict=True)
    rows = pd.DataFrame({"year": np.asarray(years)[month], "month": np.asarray(calendar_months)[month],
                         "market": [cells[c][0] for c in cell], "sector": [cells[c][1] for c in cell],
                         "value_usd": value[cell, month].round(2)})
    return rows, activity
