"""The overview's KPIs: actual against target (at the pace of the year) and the year before.

    activity_totals + campaign_totals + outcome_totals + exports_by_year + targets
        --kpi_table()--> one row per plan and KPI (plus a total over the plans), with a status

Status (red/amber/green) compares the actual with the target scaled to the share of the plan
year gone by at the plan's status date (`as_of`, today when empty): a plan at 30 September
is expected to have reached 75% of its yearly targets. Exports are compared with the target for the months
their rows report: the whole target for a yearly figure (rows without a month) or a full year of months, six
twelfths of it for January to June imported from customs, whatever the status date.

A chosen period (a quarter, or dates) narrows the figures and, alike, the target: the share of the year that
falls in the period up to the status date (the third quarter at 30 September: 92 of 365 days, 25%). Figures
reported once a year (new exporters, exports: outcomes.csv rows of a year) get no status for a period: their
target is yearly and a quarter has none of its own.

Each KPI has one definition (`plan.model.kpi_definitions`: which columns of which files it adds, said in words
by the message `kpi_<key>_definition`, which the card's tooltip and the report show). Budget spent and deals
closed add the pisco campaigns' own figures to the activities': the targets' notes count campaigns in the
budget, and in pisco_campaigns.csv a campaign's row holds its own spending and deals, not those of the
activities that name it in `campaign_id` (the sample's PIS-21-03 closed US$ 95.000 while its linked mission
closed US$ 120.000), so each row counts once.

A total covers, for value, target and gap alike, the plans that have a target for the KPI (all plans
when none has one), the year before too; it also counts the plans without a target and the plans behind.
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from plan.model.kpi_definitions import ACTIVITY_KPIS, KPIS, year_share
from plan.outlook import projection
from plan.view import outcome_queries, queries
from plan.view.filters import TOTAL, Filters

GREEN_FROM = 0.9  # actual / expected at this pace or more: on track
AMBER_FROM = 0.7  # below this: off track


def status(actual: float | None, expected: float | None) -> str | None:
    """'green', 'amber' or 'red' against the expected value; None without a target."""
    if actual is None or expected is None or pd.isna(actual) or pd.isna(expected) or expected <= 0:
        return None
    ratio = actual / expected
    return "green" if ratio >= GREEN_FROM else "amber" if ratio >= AMBER_FROM else "red"


Sums = dict[tuple, float]  # (plan id, *keys) -> a query's column summed over those rows


def _sums(frame: pd.DataFrame, column: str, *keys: str) -> Sums:
    """`column` summed per plan and `keys`, so a plan's figure is a lookup: filtering the frame per plan
    and KPI took 0.9 s for a national view (160 plans x 10 KPIs and the year before)."""
    if frame.empty:
        return {}
    summed = frame.groupby(["plan_id", *keys], sort=False)[column].sum(min_count=1)
    # A figure left out (exports of fewer than 3 firms: queries.CONFIDENTIAL) is absent, never a zero.
    return {key if isinstance(key, tuple) else (key,): float(value) for key, value in summed.items() if pd.notna(value)}




@dataclass(frozen=True)
class Actuals:
    """The query results a plan's actual KPIs are looked up in (see `_sums`)."""

    activities: dict[str, Sums]  # per KPI of ACTIVITY_KPIS
    campaigns: dict[str, Sums]  # per KPI with a `campaign_column`
    outcomes: Sums  # (plan id, metric, year)
    exports: Sums  # (plan id, year)
    export_months: Sums  # (plan id, year) -> the last month the exports rows report (absent: yearly rows)

    @classmethod
    def of(cls, activities: pd.DataFrame, campaigns: pd.DataFrame, outcomes: pd.DataFrame,
           exports: pd.DataFrame) -> "Actuals":
        return cls({kpi: _sums(activities, column) for kpi, column in ACTIVITY_KPIS.items()},
                   {kpi.key: _sums(campaigns, kpi.campaign_column) for kpi in KPIS if kpi.campaign_column},
                   _sums(outcomes, "value", "metric", "year"), _sums(exports, "exports_usd", "year"),
                   _sums(exports.dropna(subset=["last_month"]) if len(exports) else exports, "last_month", "year"))

    def reported_share(self, plan_id: str, year: int) -> float:
        """The share of the year the plan's exports rows report: 1 for yearly rows, months / 12 for monthly."""
        last_month = self.export_months.get((plan_id, year))
        return 1.0 if last_month is None else last_month / 12

    def of_plan(self, plan_id: str, year: int) -> dict[str, float | None]:
        """The plan's actual value of every KPI as its definition says (None when the plan has no data for it)."""
        figures = {kpi: sums.get((plan_id,)) for kpi, sums in self.activities.items()}
        for kpi, sums in self.campaigns.items():
            parts = [part for part in (figures.get(kpi), sums.get((plan_id,))) if part is not None]
            figures[kpi] = sum(parts) if parts else None
        return figures | {"new_exporters": self.outcomes.get((plan_id, "new_exporters", year)),
                          "exports": self.exports.get((plan_id, year))}


def kpi_table(plans: pd.DataFrame, activities: pd.DataFrame, campaigns: pd.DataFrame, outcomes: pd.DataFrame,
              exports: pd.DataFrame, targets: pd.DataFrame, previous: dict[str, dict[str, float | None]],
              today: dt.date | None = None, filters: Filters | None = None) -> pd.DataFrame:
    """One row per (plan, KPI), and per KPI a TOTAL row over the plans when there are several.

    `previous` maps a plan id to the actuals of the same office's plan of the year before
    (see `actuals_by_plan`); exports compare with the year before from the outcomes themselves.
    The figures were read with `filters`, whose period (if any) paces the targets too.
    Columns: plan_id, kpi, unit, actual, target, expected, previous, as_of (the plan's status date; empty
    for a total), period (whether a period paced the target, or left a yearly figure without one), change_pct,
    status, plans, plans_without_target, plans_behind (red), actual_without_target
    (the figure of the plans without a target, left out of a total's actual). A total's actual, target,
    expected and year before cover the same plans: those with a target (all when none has one).
    """
    actuals = Actuals.of(activities, campaigns, outcomes, exports)
    goals = _sums(targets, "target", "metric")
    rows = []
    for plan in plans.itertuples():
        actual = actuals.of_plan(plan.plan_id, int(plan.year))
        period = filters.period(int(plan.year)) if filters else None
        share = year_share(int(plan.year), None if pd.isna(plan.as_of) else plan.as_of, today, period)
        before = dict(previous.get(plan.plan_id, {}))
        before["exports"] = actuals.exports.get((plan.plan_id, int(plan.year) - 1))
        for kpi in KPIS:
            target = goals.get((plan.plan_id, kpi.target_metric))
            if target is None or (period and kpi.yearly_figure):
                expected = None
            else:
                expected = target * (share if kpi.paced else actuals.reported_share(plan.plan_id, int(plan.year)))
            rows.append({"plan_id": plan.plan_id, "kpi": kpi.key, "unit": kpi.unit, "actual": actual[kpi.key],
                         "target": target, "expected": expected, "previous": before.get(kpi.key),
                         "as_of": None if pd.isna(plan.as_of) else plan.as_of, "period": period is not None})
    table = pd.DataFrame(rows, columns=["plan_id", "kpi", "unit", "actual", "target", "expected", "previous",
                                        "as_of", "period"])
    table["actual_vs_previous"] = table["actual"].where(table["previous"].notna())
    table["previous"] = table["previous"].where(table["actual"].notna())
    table["status"] = [status(a, e) for a, e in zip(table["actual"], table["expected"], strict=True)]
    table["plans"] = 1
    table["plans_without_target"] = table["expected"].isna().astype(int)
    table["plans_behind"] = (table["status"] == "red").astype(int)
    table["actual_without_target"] = table["actual"].where(table["expected"].isna())
    for column in ("actual", "previous", "actual_vs_previous"):
        table[f"{column}_with_target"] = table[column].where(table["expected"].notna())
    if plans["plan_id"].nunique() > 1:
        table = pd.concat([table, _totals(table)], ignore_index=True)
    table["change_pct"] = [None if pd.isna(p) or not p or pd.isna(a) else round(100 * (a / p - 1), 1)
                           for a, p in zip(table["actual_vs_previous"], table["previous"], strict=True)]
    return table.drop(columns=["actual_vs_previous", "actual_with_target", "previous_with_target",
                               "actual_vs_previous_with_target"])


def _totals(table: pd.DataFrame) -> pd.DataFrame:
    """Per KPI the TOTAL row of the plan rows of `kpi_table`: actual, target and expected over the plans that
    have a target (over all plans when none has one), so value − target to date is the gap shown; the year
    before over the same plans."""
    covered = ["actual", "previous", "actual_vs_previous"]
    sums = [*covered, *(f"{column}_with_target" for column in covered), "actual_without_target", "target",
            "expected"]
    counts = ["plans", "plans_without_target", "plans_behind"]
    totals = table.groupby(["kpi", "unit"], sort=False, as_index=False).agg(
        {**dict.fromkeys(sums, lambda column: column.sum(min_count=1)), **dict.fromkeys(counts, "sum"),
         "period": "max"})
    targeted = totals["expected"].notna()
    for column in covered:
        totals[column] = totals[f"{column}_with_target"].where(targeted, totals[column])
    totals["actual_without_target"] = totals["actual_without_target"].where(targeted)
    totals["status"] = [status(a, e) for a, e in zip(totals["actual"], totals["expected"], strict=True)]
    return totals.assign(plan_id=TOTAL)


def actuals_by_plan(plans: pd.DataFrame, activities: pd.DataFrame, campaigns: pd.DataFrame,
                    outcomes: pd.DataFrame) -> dict[str, dict[str, float | None]]:
    """Every KPI's actual per plan id (exports excluded), for the year-before comparison."""
    actuals = Actuals.of(activities, campaigns, outcomes, pd.DataFrame())
    return {plan.plan_id: actuals.of_plan(plan.plan_id, int(plan.year)) for plan in plans.itertuples()}


def overview(con, filters: Filters, today: dt.date | None = None) -> pd.DataFrame:
    """`kpi_table` for the filtered plans, read from the database (one call per page run)."""
    all_plans = queries.plans(con)
    plans = filters.plans_in(all_plans)
    previous_ids = queries.previous_plans(con, list(filters.plan_ids))
    before_filters = filters.year_before(tuple(previous_ids["previous_plan_id"]))
    before = actuals_by_plan(before_filters.plans_in(all_plans),
                             queries.activity_totals(con, before_filters), queries.campaign_totals(con, before_filters),
                             outcome_queries.outcome_totals(con, before_filters))
    previous = {row.plan_id: before.get(row.previous_plan_id, {}) for row in previous_ids.itertuples()}
    table = kpi_table(plans, queries.activity_totals(con, filters), queries.campaign_totals(con, filters),
                      outcome_queries.outcome_totals(con, filters), outcome_queries.exports_by_year(con, filters),
                      queries.targets(con, list(filters.plan_ids)), previous, today, filters)
    if not filters.whole_plans:  # a projection is for whole plans: the page says so instead
        return table.assign(**dict.fromkeys(OUTLOOK_COLUMNS))
    return with_outlook(table, queries.outlook(con, list(filters.plan_ids), draws=len(plans) > 1))


OUTLOOK_COLUMNS = ("year_end", "year_end_low", "year_end_high", "chance", "likelihood", "outlook_method",
                   "outlook_note", "outlook_n")


def with_outlook(table: pd.DataFrame, stored: pd.DataFrame) -> pd.DataFrame:
    """`kpi_table` with each row's year-end projection (`plan.outlook`, as the build stored it): median, 80 %
    band, chance of the target and its word (`likelihood`), method and note; a total's sums its plans' draws,
    over the same plans as its value (those with a target)."""
    rows = {(row.plan_id, row.kpi): row for row in stored.itertuples()}
    found = []
    for row in table.itertuples():
        if row.plan_id == TOTAL:
            parts = [_projection(rows[(plan_id, row.kpi)]) for plan_id in table.loc[
                (table["kpi"] == row.kpi) & (table["plan_id"] != TOTAL), "plan_id"] if (plan_id, row.kpi) in rows]
            found.append(_outlook_values(projection.total(parts, TOTAL)))
        elif (row.plan_id, row.kpi) in rows:  # a plan's projection as stored (its draws are for totals)
            stored_row = rows[(row.plan_id, row.kpi)]
            chance = None if pd.isna(stored_row.chance) else float(stored_row.chance)
            found.append((stored_row.median, stored_row.p10, stored_row.p90, chance, projection.likelihood(chance),
                          stored_row.method, stored_row.note, stored_row.n))
        else:
            found.append(_outlook_values(None))
    return pd.concat([table.reset_index(drop=True), pd.DataFrame(found, columns=OUTLOOK_COLUMNS)], axis=1)


def _projection(row) -> projection.Projection:
    """A stored row as the projection it was (its draws as an array, None when the year end is known)."""
    def number(value) -> float | None:
        return None if pd.isna(value) else float(value)

    draws = None if row.draws is None or np.ndim(row.draws) == 0 else np.asarray(row.draws, dtype=float)
    return projection.Projection(row.plan_id, row.kpi, number(row.target), number(row.actual_to_date), draws,
                                 row.method, int(row.n), pd.Timestamp(row.as_of).date(), row.note)


def _outlook_values(made: projection.Projection | None) -> tuple:
    if made is None or made.actual_to_date is None:
        return (None,) * len(OUTLOOK_COLUMNS)
    chance = made.chance
    return (made.quantile(0.5), made.quantile(0.1), made.quantile(0.9), chance, projection.likelihood(chance),
            made.method, made.note, made.n)
