"""The impact estimates' cost: every estimate of a plan on a region's panel of firms (issue 25: under 5 s).

A synthetic region (plan.impact.panels): 2,000 firms over 36 months selling to 3 markets, 6 activities done at
different months with their participants; and a region's monthly customs totals by market and sector over the same
months (5 markets and the unassigned destination: with 3 markets an activity's sectors have too few other markets
for the aggregate comparison, which would end in a note untimed). Timed: `plan.impact.estimate_plan` on both, every
activity at both levels, as the page, the report and the command line compute it on first request for a plan
version. Generating the panel is not timed. A wall-clock figure of this machine, reported beside its limit, never
asserted.
"""

import statistics
import time

from plan.impact import estimate_plan
from plan.impact.panels import firm_panel, region_months

LIMIT_S = 5.0


def measure(repetitions: int = 3, firms: int = 2000, months: int = 36, markets: int = 3, activities: int = 6,
            seed: int = 0) -> dict:
    """One result row: the panel's size, the seconds of each run of `estimate_plan`, their median against LIMIT_S."""
    panel = firm_panel(seed, firms=firms, months=months, activities=activities, markets=markets)
    monthly, _ = region_months(seed, months=months)
    seconds, found = [], []
    for _ in range(repetitions):
        started = time.perf_counter()
        found = estimate_plan(panel.rows, monthly, panel.activities, panel.participants)
        seconds.append(time.perf_counter() - started)
    median = statistics.median(seconds)
    return {"name": f"impact estimates: {firms:,} firms x {months} months x {markets} markets, {activities} activities",
            "firm_rows": len(panel.rows), "monthly_rows": len(monthly), "estimates": len(found),
            "estimated": sum(e.estimate is not None for e in found), "median_s": round(median, 4),
            "min_s": round(min(seconds), 4), "max_s": round(max(seconds), 4), "runs_s": [round(s, 4) for s in seconds],
            "limit_s": LIMIT_S, "met": median <= LIMIT_S}
