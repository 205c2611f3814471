"""The *seasonal* method: a seasonal exponential smoothing model (ETS) of the office's monthly series.

The model is fitted on every month known at the day (earlier plan years and the plan's own months so far),
then whole paths of the months left in the year are simulated and each path is summed with the months already
known: the year's band comes from those sums, never from adding monthly bands, since a month's error carries
into the next (Hyndman and Athanasopoulos, Forecasting: Principles and Practice, 3rd ed., 13.5). A positive
series is modelled on its logarithm (errors in proportion to the level, paths stay positive). The model is
ETS(A,N,A): level and season, no trend term (the level follows growth; a damped trend cost 3x the fitting time
for no gain in the backtest), its initial states set by statsmodels' heuristic rather than estimated (0.04 s a
series instead of 0.25 s: the build fits one per office and metric).

statsmodels is imported on first use: building the database needs it, a page run does not.
"""

import datetime as dt
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

MIN_MONTHS = 24  # two seasons: fewer and statsmodels cannot fit a seasonal model
SEASON = 12
# The simulated paths' spread around their median, widened: ETS simulates with its fitted parameters as if
# they were known, and the 80 % band then held 71 % of the year ends in the backtest of seed 7 (65 % for new
# exporters). Set on seed 7, which docs/benchmarks.md does not report.
WIDEN = 1.3


@dataclass(frozen=True)
class Monthly:
    """The months of one series known at a day, placed on the plan year."""

    steps: np.ndarray  # year * 12 + month - 1 of the run of consecutive known months up to the last one
    values: np.ndarray  # their values
    year_known: np.ndarray  # (12,) the plan year's known monthly values, NaN where unseen

    @property
    def last_month(self) -> int:
        """The plan year's last known month (0: none yet)."""
        seen = np.flatnonzero(~np.isnan(self.year_known))
        return int(seen[-1]) + 1 if len(seen) else 0

    def history(self) -> pd.Series:
        """The run as a series indexed by month start, with the frequency statsmodels needs."""
        first = self.steps[0] if len(self.steps) else 0
        index = pd.date_range(f"{first // 12}-{first % 12 + 1:02d}-01", periods=len(self.steps), freq="MS")
        return pd.Series(self.values, index=index)


def known_months(series: pd.DataFrame, year: int, day: dt.date) -> Monthly:
    """`series` (year, month, value; sorted) cut to the months started by `day` and not after `year`; the
    history is the run of consecutive months ending at the last of them (a gap ends what a model can follow)."""
    years, months = series["year"].to_numpy(int), series["month"].to_numpy(int)
    values = series["value"].to_numpy(float)
    steps = years * 12 + months - 1
    seen = (steps <= day.year * 12 + day.month - 1) & (years <= year)
    steps, values = steps[seen], values[seen]
    year_known = np.full(SEASON, np.nan)
    own = years[seen] == year
    year_known[months[seen][own] - 1] = values[own]
    breaks = np.flatnonzero(np.diff(steps) != 1)
    start = breaks[-1] + 1 if len(breaks) else 0
    return Monthly(steps[start:], values[start:], year_known)


def simulate(monthly: Monthly, year: int, rng: np.random.Generator, draws: int) -> np.ndarray:
    """(12, draws) paths of the plan year's months: known months as they are, the rest simulated. Raises
    ValueError when the history is too short or the model cannot be fitted."""
    from statsmodels.tools.sm_exceptions import ConvergenceWarning  # noqa: PLC0415 - heavy, build time only
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel  # noqa: PLC0415

    if len(monthly.steps) < MIN_MONTHS:
        raise ValueError(f"{len(monthly.steps)} months, {MIN_MONTHS} needed")
    history = monthly.history()
    steps = year * 12 + SEASON - 1 - int(monthly.steps[-1])
    paths = np.tile(monthly.year_known[:, None], (1, draws))
    if steps <= 0:
        return paths
    positive = bool((history > 0).all())
    values = np.log(history) if positive else history
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted = ETSModel(values, error="add", seasonal="add", seasonal_periods=SEASON,
                          initialization_method="heuristic").fit(disp=False)
        simulated = fitted.simulate(nsimulations=steps, repetitions=draws, anchor="end", rng=rng).to_numpy()
    centre = np.median(simulated, axis=1, keepdims=True)
    simulated = centre + WIDEN * (simulated - centre)
    simulated = np.exp(simulated) if positive else np.clip(simulated, 0, None)
    in_year = simulated[-min(steps, SEASON):]  # the steps that fall in the plan year, its last months
    paths[SEASON - len(in_year):] = in_year
    return paths
