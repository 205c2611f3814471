"""The impact estimators find a planted effect: over 20 fixed seeds their 90 % intervals cover the planted value
(and 0 when nothing is planted) in 16 to 20 of them, as a calibrated interval does; power and widths are printed.
Below the minimums, or without the months before, they give a note instead of a number, and no firm id leaves them.
"""

import dataclasses
import json
import statistics

import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from plan.impact import ActivityWindow, Estimate, FirmPanel, estimate_plan
from plan.impact.estimates import meaning, note
from plan.impact.panels import firm_panel, region_months

SEEDS = range(20)
EFFECT = 0.25  # +25 % exports
POINTS = 0.05  # +5 points in the chance of exporting to each of the activity's markets in a month


def _firm(seed: int, outcome: str, **planted) -> tuple[Estimate, float]:
    """One firm-level estimate per seed (its activities taken in turn, so short after-windows are met too) and
    the value planted for it."""
    panel = firm_panel(seed, **planted)
    activity = panel.activities[seed % len(panel.activities)]
    found = estimate_plan(panel.rows, None, [activity], panel.participants)
    estimate = next(e for e in found if e.outcome == outcome)
    truth = panel.exporting_effect[activity.activity_id] if outcome == "exporting" else planted.get("effect", 0.0)
    return estimate, truth


def _aggregate(seed: int, effect: float = 0.0) -> tuple[Estimate, float]:
    rows, activity = region_months(seed, effect=effect)
    return estimate_plan(None, rows, [activity], {})[0], effect


CASES = {  # (what is estimated, its estimate and truth with nothing planted, and with an effect planted)
    "firm exports": (lambda seed: _firm(seed, "exports"), lambda seed: _firm(seed, "exports", effect=EFFECT)),
    "firm exporting": (lambda seed: _firm(seed, "exporting"), lambda seed: _firm(seed, "exporting", points=POINTS)),
    "aggregate exports": (_aggregate, lambda seed: _aggregate(seed, EFFECT)),
}


def _covers(estimate: Estimate, value: float) -> bool:
    return estimate.low <= value <= estimate.high


@pytest.mark.parametrize("case", list(CASES))
def test_the_90_percent_interval_covers_the_planted_value_and_zero_when_nothing_is_planted(case):
    null, planted = CASES[case]
    nothing = [null(seed) for seed in SEEDS]
    something = [planted(seed) for seed in SEEDS]
    assert all(e.estimate is not None for e, _ in nothing + something)
    assert all(truth > 0 for _, truth in something)  # the planted value is a real effect, not 0
    covers_zero = sum(_covers(e, 0.0) for e, _ in nothing)
    covers_planted = sum(_covers(e, truth) for e, truth in something)
    power = sum(not _covers(e, 0.0) for e, _ in something)
    widths = [e.high - e.low for e, _ in nothing + something]
    print(f"\n{case}: covers 0 with nothing planted {covers_zero}/20, covers the planted value {covers_planted}/20, "
          f"excludes 0 with it planted (power) {power}/20, median width {statistics.median(widths):.3f}, "
          f"median estimate {statistics.median(e.estimate for e, _ in nothing):+.3f} (nothing) and "
          f"{statistics.median(e.estimate for e, _ in something):+.3f} (planted "
          f"{statistics.median(truth for _, truth in something):+.3f})")
    assert 16 <= covers_zero <= 20
    assert 16 <= covers_planted <= 20
    assert all(0 < width < 10 for width in widths)
    # The estimates move the planted way: a sane direction, not a tuned power.
    assert (statistics.median(e.estimate for e, _ in something)
            > statistics.median(e.estimate for e, _ in nothing))


def test_the_exports_estimate_is_the_poisson_fixed_effects_estimate():
    # Poisson with a fixed effect per firm, one for the after period and a participant × after term, fitted on
    # every firm-month of the two windows (zeros kept) by a general optimiser: its exp(β) − 1 is the estimate.
    rng = np.random.default_rng(7)
    firms, months, end = 20, 25, 12  # January 2022 to January 2024; the activity ends in January 2023
    participant = np.arange(firms) < 6
    after = np.arange(months) > end
    level = rng.lognormal(2.0, 1.0, firms)[:, None] * np.where(after, 1.3 + 0.4 * participant[:, None], 1.0)
    counts = rng.poisson(level) * (rng.random((firms, months)) > 0.3)  # and months without exports
    windows = np.arange(months) != end  # the activity's own month is in neither window

    def negative_log_likelihood(params):
        log_mean = params[:firms, None] + (params[firms] + params[firms + 1] * participant[:, None]) * after
        return float(np.sum((np.exp(log_mean) - counts * log_mean)[:, windows]))

    fitted = optimize.minimize(negative_log_likelihood, np.zeros(firms + 2), method="BFGS", options={"gtol": 1e-10})
    rows = pd.DataFrame([{"exporter_id": f"E{firm}", "year": 2022 + month // 12, "month": month % 12 + 1,
                          "market": "USA", "sector": "wine", "value_usd": float(counts[firm, month])}
                         for firm in range(firms) for month in range(months) if counts[firm, month] > 0])
    activity = ActivityWindow("X", 2023, 1, ("USA",), ("wine",))
    found = estimate_plan(rows, None, [activity], {"X": {f"E{firm}" for firm in np.flatnonzero(participant)}})
    assert found[0].outcome == "exports"
    assert found[0].estimate == pytest.approx(np.expm1(fitted.x[-1]), rel=1e-5)


def test_too_few_participants_give_a_note_instead_of_a_number():
    panel = firm_panel(1, firms=300, participants_per_activity=3)
    found = estimate_plan(panel.rows, None, panel.activities[:1], panel.participants)
    assert [(e.outcome, e.estimate, e.low, e.high, e.note_key) for e in found] == [
        ("exports", None, None, None, "impact_note_too_few_firms"),
        ("exporting", None, None, None, "impact_note_too_few_firms")]
    assert found[1].n_treated == 3 and found[1].n_control >= 10  # the firms that were there, counted
    assert "5" in note(found[0], "en") and "10" in note(found[0], "es")


def test_a_missing_month_before_the_activity_gives_a_note_at_both_levels():
    panel = firm_panel(2, firms=400)
    activity = panel.activities[2]
    gap = (activity.year, activity.month - 3) if activity.month > 3 else (activity.year - 1, activity.month + 9)
    firm_rows = panel.rows[(panel.rows["year"] != gap[0]) | (panel.rows["month"] != gap[1])]
    region, _ = region_months(2)
    region = region[(region["year"] != gap[0]) | (region["month"] != gap[1])]
    found = estimate_plan(firm_rows, region, [activity], panel.participants)
    assert [(e.level, e.outcome, e.estimate, e.note_key) for e in found] == [
        ("aggregate", "exports", None, "impact_note_no_before_months"),
        ("firm", "exports", None, "impact_note_no_before_months"),
        ("firm", "exporting", None, "impact_note_no_before_months")]
    # With the month there, the same activity is estimated.
    assert all(e.estimate is not None for e in estimate_plan(panel.rows, None, [activity], panel.participants))


def test_an_activity_too_recent_gives_a_note_and_fewer_months_after_are_used_when_there_are_three():
    panel = firm_panel(3, firms=400)
    last = (panel.rows["year"] * 12 + panel.rows["month"] - 1).max()
    first = panel.activities[0]  # the same firms, markets and sectors, later
    recent = ActivityWindow("R", (last - 2) // 12, (last - 2) % 12 + 1, first.markets, first.sectors)
    three_after = ActivityWindow("T", (last - 3) // 12, (last - 3) % 12 + 1, first.markets, first.sectors)
    who = {"R": panel.participants["A1"], "T": panel.participants["A1"]}
    found = estimate_plan(panel.rows, None, [recent, three_after], who)
    assert [(e.activity_id, e.note_key, e.note_params) for e in found] == [
        ("R", "impact_note_few_after_months", {"months": 2, "needed": 3}),
        ("R", "impact_note_few_after_months", {"months": 2, "needed": 3}),
        ("T", None, {}), ("T", None, {})]


def test_the_aggregate_level_needs_the_activity_cells_and_three_other_markets():
    rows, activity = region_months(4)
    few = rows[rows["market"].isin(["USA", "CHN", "XXX"])]  # one other market, and the unassigned one
    found = estimate_plan(None, few, [activity], {})[0]
    assert (found.estimate, found.n_treated, found.n_control, found.note_key) == (
        None, 1, 1, "impact_note_too_few_cells")
    found = estimate_plan(None, rows, [activity], {})[0]
    assert (found.level, found.n_treated, found.n_control) == ("aggregate", 1, 4)  # XXX is no comparison market
    assert found.low < found.estimate < found.high


def test_no_firm_id_leaves_the_estimates():
    panel = firm_panel(5, firms=400)
    found = estimate_plan(panel.rows, region_months(5)[0], panel.activities, panel.participants)
    text = json.dumps([dataclasses.asdict(e) for e in found]) + "".join(
        f"{meaning(e.level, lang)}{note(e, lang)}" for e in found for lang in ("es", "en"))
    assert len(found) == 3 * len(panel.activities)
    assert not any(firm_id in text for firm_id in panel.rows["exporter_id"].unique())
    assert "F0" not in text


def test_firms_in_any_activity_are_never_a_comparison():
    # The same activity estimated with another activity's participants counted as never treated, and not:
    # the comparison shrinks by exactly those of them that exported in its sectors before it.
    panel = firm_panel(6, firms=600)
    activity = panel.activities[0]
    alone = {activity.activity_id: panel.participants[activity.activity_id]}
    with_all = estimate_plan(panel.rows, None, [activity], panel.participants)[1]
    without_others = estimate_plan(panel.rows, None, [activity], alone)[1]
    others = set().union(*panel.participants.values()) - alone[activity.activity_id]
    window = panel.rows[panel.rows["sector"].isin(activity.sectors)
                        & (panel.rows["year"] * 12 + panel.rows["month"] - 1).between(
                            activity.index - 12, activity.index - 1)]
    assert without_others.n_control - with_all.n_control == len(others & set(window["exporter_id"])) > 0


def test_the_benchmark_row_times_every_estimate_of_a_plan():
    from plan.bench import impact

    row = impact.measure(repetitions=2, firms=400)
    assert row["estimates"] == 3 * 6 and row["estimated"] == row["estimates"]  # nothing ended in a note untimed
    assert len(row["runs_s"]) == 2 and row["min_s"] <= row["median_s"] <= row["max_s"]
    assert row["met"] == (row["median_s"] <= row["limit_s"])


def test_the_chart_rows_sum_the_groups_exports_as_the_rows_do():
    panel = firm_panel(8, firms=500, effect=0.5)
    activity = panel.activities[1]
    ever = set().union(*panel.participants.values())
    chart = FirmPanel(panel.rows).monthly(activity, panel.participants[activity.activity_id], ever)
    rows = panel.rows.assign(at=panel.rows["year"] * 12 + panel.rows["month"] - 1)
    in_cell = rows["market"].isin(activity.markets) & rows["sector"].isin(activity.sectors)
    ours = rows[in_cell & rows["exporter_id"].isin(panel.participants[activity.activity_id])]
    participants = chart[chart["group"] == "participants"]
    assert list(participants["year"] * 12 + participants["month"] - 1) == list(
        range(activity.index - 12, min(activity.index + 13, rows["at"].max() + 1)))
    by_month = ours.groupby("at")["value_usd"].sum()
    assert participants["value_usd"].to_numpy() == pytest.approx(
        by_month.reindex(participants["year"] * 12 + participants["month"] - 1, fill_value=0).to_numpy())
    firms_exporting = ours.groupby("at")["exporter_id"].nunique()
    assert (participants["exporting"] * participants["firms"]).to_numpy() == pytest.approx(
        firms_exporting.reindex(participants["year"] * 12 + participants["month"] - 1, fill_value=0).to_numpy())
    before = participants[participants["year"] * 12 + participants["month"] - 1 < activity.index]
    assert before["index"].mean() == pytest.approx(100)
    comparison = chart[chart["group"] == "comparison"]
    assert comparison["firms"].iloc[0] == estimate_plan(panel.rows, None, [activity], panel.participants)[1].n_control
    assert set(chart.columns) == {"group", "year", "month", "value_usd", "index", "exporting", "firms"}


def test_a_plan_without_firm_rows_yet_gets_notes_not_errors():
    empty = firm_panel(9, firms=400).rows.iloc[:0]
    activity = ActivityWindow("E", 2022, 6, ("USA",), ("wine",))
    found = estimate_plan(empty, None, [activity], {"E": {"F00001"}})
    assert [(e.estimate, e.n_treated, e.note_key) for e in found] == [(None, 0, "impact_note_no_before_months")] * 2
    assert FirmPanel(empty).monthly(activity, {"F00001"}, {"F00001"}).empty


def test_participants_new_to_the_markets_or_one_firm_carrying_them_give_notes():
    # 12 comparison firms exporting every month; 6 participants exporting only after the activity (new exporters),
    # then the same with one participant exporting before too: the relative change would rest on that firm.
    def row(firm, month, value=100.0):
        return {"exporter_id": firm, "year": 2022 + month // 12, "month": month % 12 + 1, "market": "USA",
                "sector": "wine", "value_usd": value}

    comparison = [row(f"C{c}", month, 100.0 + c + month) for c in range(12) for month in range(25)]
    new = [row(f"P{p}", month) for p in range(6) for month in range(13, 25)]
    activity = ActivityWindow("N", 2023, 1, ("USA",), ("wine",))
    who = {"N": {f"P{p}" for p in range(6)}}
    found = estimate_plan(pd.DataFrame(comparison + new), None, [activity], who)
    assert [(e.outcome, e.estimate is None, e.note_key, e.n_treated) for e in found] == [
        ("exports", True, "impact_note_no_exports_before", 6), ("exporting", False, None, 6)]
    assert found[1].estimate == pytest.approx(1.0)  # from never to every month, against firms that did not change
    one = [row("P0", month) for month in range(12)]
    found = estimate_plan(pd.DataFrame(comparison + new + one), None, [activity], who)
    assert (found[0].estimate, found[0].note_key) == (None, "impact_note_one_firm")
