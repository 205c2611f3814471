"""The year-end outlook: each method finds a planted answer, nothing after the date counts, totals sum draws,
the database keeps what a build and a save computed, and the command line's JSON keeps its keys.

The planted plans are the sample's Atacama plan copied into earlier years of the same office, with a record
chosen by the test (every activity done, or every one cancelled) and monthly exports of a known season.
"""

import csv
import datetime as dt
import io
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from plan import outlook
from plan.data import database
from plan.outlook import projection
from tests.apptest import card_tooltips, decoded, open_page, trace_named
from tests.conftest import REPO

ATACAMA = "prochile-atacama-2021"
YEARS = (2019, 2020)  # earlier plan years of the office; 2018's months live in the 2019 plan (history rows)
SEASON = [1 + 0.5 * math.cos(2 * math.pi * (month - 1) / 12) for month in range(1, 13)]


def monthly_export(year: int, month: int) -> float:
    """US$ of a month: a fixed season, 5 % growth a year and a small deterministic wobble (1 %)."""
    wobble = 1 + 0.01 * (((month * 7 + year) % 5) - 2) / 2
    return round(1e6 * SEASON[month - 1] * 1.05 ** (year - 2018) * wobble, 2)


def read_rows(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def export_rows(years: range, last_month: int = 12) -> list[dict]:
    return [{"metric": "exports_usd", "year": str(year), "month": str(month), "sector": "mining",
             "value": f"{monthly_export(year, month):.2f}", "source": "ilustrativo"}
            for year in years for month in range(1, 13) if year < max(years) or month <= last_month]


def office_years(root: Path, record: str) -> Path:
    """A data folder with the Atacama plan of 2021 and copies of it for YEARS (closed at 31 December) whose
    activities and campaigns were all `record` ('done' or 'cancelled'); monthly exports 2018-2021 (to
    September, the plan's status date)."""
    data = root / "data"
    source = REPO / "data" / ATACAMA
    shutil.copytree(source, data / ATACAMA)
    header, _ = read_rows(source / "outcomes.csv")
    write_rows(data / ATACAMA / "outcomes.csv", header, export_rows(range(2021, 2022), last_month=9))
    for year in YEARS:
        folder = data / f"prochile-atacama-{year}"
        folder.mkdir()
        for name in ("plan.csv", "targets.csv"):
            text = (source / name).read_text(encoding="utf-8")
            text = text.replace("2021-09-30", f"{year}-12-31").replace(",2021,", f",{year},")
            (folder / name).write_text(text, encoding="utf-8")
        for name in ("activities.csv", "pisco_campaigns.csv"):
            columns, rows = read_rows(source / name)
            for row in rows:
                for column in ("planned_start", "planned_end"):
                    row[column] = row[column].replace("2021-", f"{year}-")
                row["status"] = record
                done = record == "done"
                row["actual_start"] = row["planned_start"] if done else ""
                row["actual_end"] = row["planned_end"] if done else ""
                if not done:
                    for column in ("spent_usd", "exporters", "importers", "meetings_held", "deals_closed_usd",
                                   "deals_projected_usd", "reach_actual", "contacts_actual", "meetings_actual",
                                   "deals_actual_usd"):
                        if column in row:
                            row[column] = ""
            write_rows(folder / name, columns, rows)
        first = 2018 if year == YEARS[0] else year
        write_rows(folder / "outcomes.csv", header, export_rows(range(first, year + 1)))
    return data


def built(data: Path) -> Path:
    db = data / "plan.duckdb"
    database.build(data, db, derive=outlook.derive)
    return db


def projected(db: Path, as_of: dt.date | None = None, plan: str = ATACAMA) -> dict[str, projection.Projection]:
    with database.reader(db) as con:
        return {p.kpi: p for p in projection.project(con, [plan], as_of)}


def test_an_office_that_does_everything_it_schedules_projects_everything_scheduled(tmp_path):
    # Planted: in 2019 and 2020 the office did every activity it scheduled. At 30 June 2021 the schedule
    # method must expect nearly every activity of 2021 to be done by December (cancelled or not: at a date
    # before the status date, a status is not known yet).
    db = built(office_years(tmp_path, "done"))
    found = projected(db, dt.date(2021, 6, 30))["activities_done"]
    with database.reader(db) as con:
        scheduled = con.execute("SELECT count(*) FROM activities WHERE plan_id = ?", [ATACAMA]).fetchone()[0]
        done_by_june = con.execute("SELECT count(*) FROM activities WHERE plan_id = ? AND status = 'done'"
                                   " AND actual_end <= DATE '2021-06-30'", [ATACAMA]).fetchone()[0]
    assert (found.method, found.n, found.actual_to_date) == ("schedule", 2, done_by_june)
    assert scheduled - 3 <= found.quantile(0.5) <= scheduled
    assert found.quantile(0.9) <= scheduled and found.quantile(0.1) > done_by_june + (scheduled - done_by_june) / 2


def test_an_office_that_cancels_what_is_left_projects_what_is_done(tmp_path):
    # Planted, the other way: nothing the office scheduled in 2019 and 2020 happened. What is left of 2021
    # at 30 June is then unlikely to happen: the median stays near what is done.
    db = built(office_years(tmp_path, "cancelled"))
    found = projected(db, dt.date(2021, 6, 30))
    assert found["activities_done"].method == "schedule"
    assert found["activities_done"].quantile(0.5) <= found["activities_done"].actual_to_date + 2
    assert found["activities_done"].chance < 0.05  # target 22 with 10 done: improbable


def test_the_seasonal_model_finds_a_planted_season(tmp_path):
    # Planted: 42 months of exports with a fixed season and 5 % growth a year, known to 30 June 2021. The
    # seasonal model must project the year within 3 % of the planted total, from the office's series.
    db = built(office_years(tmp_path, "done"))
    found = projected(db, dt.date(2021, 6, 30))["exports"]
    truth = sum(monthly_export(2021, month) for month in range(1, 13))
    assert found.method == "seasonal" and found.n == 42  # 2018-01 .. 2021-06
    assert found.actual_to_date == pytest.approx(sum(monthly_export(2021, month) for month in range(1, 7)))
    assert abs(found.quantile(0.5) / truth - 1) < 0.03
    assert found.quantile(0.1) < found.quantile(0.5) < found.quantile(0.9)
    months = found.months  # the fan chart's months: actual to June, quantiles from June on
    assert np.isnan(months[6:, 0]).all() and not np.isnan(months[:6, 0]).any()
    assert np.isnan(months[:5, 1:]).all() and (np.diff(months[5:, 3]) > 0).all()


def test_nothing_after_the_date_changes_a_projection(tmp_path):
    # What was known at 30 June: plant larger figures on every event that ended after it, a huge July of
    # exports and a yearly export row of the plan's year; the projection must not move. A change before the
    # date must move it (so this test can fail).
    data = office_years(tmp_path, "done")
    before = {kpi: p.as_row() for kpi, p in projected(built(data), dt.date(2021, 6, 30)).items()}
    columns, rows = read_rows(data / ATACAMA / "activities.csv")
    for row in rows:
        if row["actual_end"] > "2021-06-30":
            row.update(meetings_requested="9999", meetings_held="9999", spent_usd="999999.00")
    write_rows(data / ATACAMA / "activities.csv", columns, rows)
    header, outcome_rows = read_rows(data / ATACAMA / "outcomes.csv")
    for row in outcome_rows:
        if row["month"] == "7":
            row["value"] = "999999999999.00"
    outcome_rows.append({"metric": "exports_usd", "year": "2021", "sector": "mining", "value": "5.00",
                         "source": "ilustrativo"})
    write_rows(data / ATACAMA / "outcomes.csv", header, outcome_rows)
    after = {kpi: p.as_row() for kpi, p in projected(built(data), dt.date(2021, 6, 30)).items()}
    assert after == before
    for row in rows:
        if "2021-01-01" < row["actual_end"] <= "2021-06-30" and row["meetings_held"] != row["meetings_requested"]:
            row["meetings_held"] = row["meetings_requested"]
    write_rows(data / ATACAMA / "activities.csv", columns, rows)
    moved = projected(built(data), dt.date(2021, 6, 30))["meetings_held"].as_row()
    assert moved["actual_to_date"] > before["meetings_held"]["actual_to_date"]


def test_a_total_sums_draws_not_bands(tmp_path):
    # Two plans' year ends are independent: the band of their sum is narrower than the sum of their bands,
    # and its median is the median of the summed draws.
    data = office_years(tmp_path, "done")
    db = built(data)
    with database.reader(db) as con:
        found = [p for p in projection.project(con, None, dt.date(2021, 6, 30)) if p.kpi == "exports"]
    uncertain = [p for p in found if p.draws is not None]
    known_total = sum(p.actual_to_date for p in found if p.draws is None and p.target is not None)
    total = projection.total(found, "total")
    assert len(uncertain) == 1 and total is not None  # 2019 and 2020 are closed at the date
    assert total.quantile(0.5) == pytest.approx(np.median(uncertain[0].draws) + known_total)
    pair = projection.total([uncertain[0], uncertain[0]], "twice")  # the same draws twice: fully correlated
    assert pair.quantile(0.9) - pair.quantile(0.1) == pytest.approx(
        2 * (uncertain[0].quantile(0.9) - uncertain[0].quantile(0.1)))


def test_the_database_keeps_the_projections_and_a_save_recomputes_the_later_years(tmp_path):
    # A build stores what `project` computes; a refresh after a change to 2019 recomputes 2021 (its record
    # changed) and gives what a whole build gives.
    data = office_years(tmp_path, "done")
    db = built(data)
    with database.reader(db) as con:
        stored = con.execute("SELECT kpi, median, chance, method FROM outlook WHERE plan_id = ? ORDER BY kpi",
                             [ATACAMA]).fetchall()
        months = con.execute("SELECT count(*) FROM outlook_months WHERE plan_id = ?", [ATACAMA]).fetchone()[0]
    live = projected(db)
    assert [(kpi, median, chance, method) for kpi, median, chance, method in stored] == sorted(
        (kpi, p.quantile(0.5), p.chance, p.method) for kpi, p in live.items())
    assert months == 12 * len(live)
    columns, rows = read_rows(data / "prochile-atacama-2019" / "activities.csv")
    for row in rows:
        row.update(status="cancelled", actual_start="", actual_end="", spent_usd="", exporters="", importers="",
                   meetings_held="", deals_closed_usd="", deals_projected_usd="")
    write_rows(data / "prochile-atacama-2019" / "activities.csv", columns, rows)
    database.refresh(data, db, {"prochile-atacama-2019"}, derive=outlook.derive)
    whole = tmp_path / "whole.duckdb"
    database.build(data, whole, derive=outlook.derive)
    query = "SELECT plan_id, kpi, median, p10, p90, chance FROM outlook ORDER BY ALL"
    with database.reader(db) as con, database.reader(whole) as fresh:
        refreshed, rebuilt = con.execute(query).fetchall(), fresh.execute(query).fetchall()
        changed = con.execute("SELECT median FROM outlook WHERE plan_id = ? AND kpi = 'activities_done'",
                              [ATACAMA]).fetchone()[0]
    assert refreshed == rebuilt
    assert changed < live["activities_done"].quantile(0.5)  # a worse record, a lower year end


def run_outlook(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "plan", "outlook", *args], cwd=REPO, capture_output=True,
                          text=True, check=False)


def test_the_json_interface_on_the_sample_falls_back_to_the_pace(sample_dir):
    done = run_outlook(str(sample_dir), "--json", "--plan", ATACAMA)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [row["kpi"] for row in rows] == [kpi.key for kpi in projection.KPIS_BY_KEY.values()]
    assert all(set(row) == {"plan_id", "kpi", "unit", "target", "actual_to_date", "median", "p10", "p90", "chance",
                            "method", "n", "as_of", "note"} for row in rows)
    by_kpi = {row["kpi"]: row for row in rows}
    activities = by_kpi["activities_done"]
    assert (activities["method"], activities["n"], activities["as_of"], activities["note"]) == (
        "pace", 0, "2021-09-30", "pace_no_years")
    assert activities["actual_to_date"] == 13 and activities["target"] == 22
    assert activities["p10"] < activities["median"] < activities["p90"] and 0 <= activities["chance"] <= 1
    assert by_kpi["budget_spent"]["unit"] == "usd"
    # The sample's exports of 2021 are one yearly estimate: unseen before the year ends, so no projection.
    assert (by_kpi["exports"]["median"], by_kpi["exports"]["chance"], by_kpi["exports"]["note"]) == (
        None, None, "nothing")
    table = run_outlook(str(sample_dir), "--plan", ATACAMA, "--lang", "en")
    assert "Activities done" in table.stdout and "pace_no_years: no earlier years" in table.stdout


def test_the_command_names_every_unknown_plan_and_a_bad_date(sample_dir):
    done = run_outlook(str(sample_dir), "--plan", "nope", "--plan", "other", "--lang", "en")
    assert done.returncode == 2
    assert "there is no plan 'nope'" in done.stderr and "there is no plan 'other'" in done.stderr
    done = run_outlook(str(sample_dir), "--as-of", "31-02-2021", "--lang", "en")
    assert done.returncode == 2 and "--as-of" in done.stderr and "31-02-2021" in done.stderr


def test_the_overview_says_each_year_end_in_words_with_its_chance(app_env):
    # The cards of the sample: Atacama at its status date (30-09-2021), projected at its pace (no earlier
    # years). Each card's line and tooltip say what the database's projection says, in Spanish.
    at = open_page(None)
    with database.reader(Path(os.environ["PLAN_DB_PATH"])) as con:
        found = {p.kpi: p for p in projection.project(con, [ATACAMA])}
    lines = [line.replace("\\", "") for m in at.markdown for line in m.value.split("\n\n")
             if line.startswith(":small[Al cierre")]
    activities = found["activities_done"]
    word = {"likely": "probable", "possible": "posible", "unlikely": "improbable"}[
        projection.likelihood(activities.chance)]
    # The total and Atacama's own cards both show it (Alianza has no target for it: the total is Atacama's).
    assert lines.count(f":small[Al cierre: {word} ({round(100 * activities.chance)}\u00a0%)]") == 2
    assert word == "improbable"  # 13 done at 30 September against 22: at its pace, 17 by December
    total, atacama = [tip for metric, tip in zip(at.metric, card_tooltips(at), strict=True)
                      if metric.label == "Actividades realizadas"]
    band = f"entre {round(activities.quantile(0.1))} y {round(activities.quantile(0.9))}"
    for tooltip in (total, atacama):  # the pace: 13 done over 273 of 365 days is 17
        assert f"Proyección al cierre del año: 17 (80 % de las simulaciones {band})." in tooltip
    assert "Suma de las simulaciones de cada plan, sobre los planes con meta." in total
    assert "Sin años anteriores de la oficina de los que aprender: ritmo lineal del año" in atacama
    assert any(c.value.startswith("Al cierre: probabilidad de llegar a la meta") for c in at.caption)
    total, plans = at.dataframe[0].value, at.dataframe[1].value  # the total pinned above the plans
    expected = f"En riesgo · Al cierre: improbable ({round(100 * activities.chance)}\u00a0%)"
    assert total["Actividades realizadas · Estado"].iloc[0] == expected
    assert plans.loc[plans["Plan"] == "ProChile Atacama 2021", "Actividades realizadas · Estado"].iloc[0] == expected
    # Alianza's 2020 is closed at its status date: its status says it all (no year end, no "None").
    assert plans.loc[plans["Plan"] == "Alianza del Pacífico 2020", "Reuniones realizadas · Estado"].iloc[0] == (
        "En riesgo")  # 745 held against 900


def test_a_view_narrower_than_whole_plans_shows_no_year_end(app_env):
    at = open_page(None, market="China")
    assert not [m for m in at.markdown if ":small[Al cierre" in m.value]
    assert [m for m in open_page(None).markdown if ":small[Al cierre" in m.value]  # without the market
    assert any(c.value.startswith("La proyección al cierre del año es para planes completos") for c in at.caption)


def test_the_progress_page_draws_the_year_end_fan(app_env):
    # Atacama's activities at its pace: done by month to September (13), then the simulations' median and bands
    # from September to December, and the yearly target; the numbers behind it in a table; the sentence says
    # what it means and how many cases it learned from.
    at = open_page("pages/progress.py", lang="en", office="ProChile Atacama")
    charts = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    fan = next(chart for chart in charts if chart["layout"]["title"]["text"].startswith("Activities done: to"))
    actual = trace_named(fan, "Actual to date")
    assert actual["x"] == ["Jan 2021", "Feb 2021", "Mar 2021", "Apr 2021", "May 2021", "Jun 2021", "Jul 2021",
                           "Aug 2021", "Sep 2021"]
    assert decoded(actual["y"])[-1] == 13
    median = trace_named(fan, "Projected median")
    assert median["x"] == ["Sep 2021", "Oct 2021", "Nov 2021", "Dec 2021"] and median["line"]["dash"] == "dash"
    with database.reader(Path(os.environ["PLAN_DB_PATH"])) as con:
        found = next(p for p in projection.project(con, [ATACAMA]) if p.kpi == "activities_done")
    assert decoded(median["y"])[0] == 13 and decoded(median["y"])[-1] == pytest.approx(found.quantile(0.5))
    assert {trace.get("name") for trace in fan["data"]} >= {"80 % of the simulations", "50 % of the simulations"}
    assert decoded(trace_named(fan, "Yearly target")["y"]) == [22, 22]
    note = next(c.value for c in at.caption if c.value.startswith("The solid line is what is done"))
    assert "Chance of reaching the target of 22" in note and "No earlier years of the office to learn from" in note
