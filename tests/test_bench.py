"""`python -m plan bench --quick` at sample scale runs end to end and writes checkable results;
and what a national view draws instead of one series per plan or one bar per activity.

A smoke test of the machinery (AppTest workers, a real server, the websocket viewers): the
structure is asserted, never a timing (CI machines are shared and noisy).
"""

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from plan import outlook
from plan.bench import floors, viewers
from plan.bench.suite import LIMITS, page_files
from plan.data import database
from plan.data.demo import write_demo
from plan.model.kpi_definitions import KPIS
from plan.serve import server
from plan.view import outcome_queries, present, progress, queries
from plan.view.filters import PLANS_APART, TOTAL, Filters
from plan.view.queries import CALENDAR_ROWS, EVENTS_SHOWN
from tests.apptest import decoded, figures_by_title, open_page, table_with

REPO = Path(__file__).resolve().parent.parent


def test_quick_bench_writes_every_figure_and_target(tmp_path):
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "plan", "bench", "--scale", "sample", "--quick", "--out", str(out),
                             "--work", str(tmp_path / "work")], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    written = json.loads((out / "results.json").read_text(encoding="utf-8"))

    names = [name for name, _, _ in page_files()]
    assert set(written["pages"]) == set(names)
    for by_scale in written["pages"].values():
        for kind in ("cold", "warm"):
            assert by_scale["sample"][kind]["median_s"] > 0
    assert written["memory"]["sample"]["peak_rss_mib"] > 0
    viewers = written["viewers"]
    for figures in (viewers["single_viewer"]["filter_change"], viewers["under_load"], viewers["burst"]):
        assert {"p50_s", "p95_s", "errors", "count"} <= set(figures) and figures["count"] > 0
    assert viewers["burst"]["served"] == viewers["crowd"]["burst"]
    # The crowd's target compares like with like: its p95 with one viewer's p95 (not a p50).
    single = viewers["single_viewer"]["filter_change"]
    assert viewers["p95_over_single"] == round(viewers["under_load"]["p95_s"] / single["p95_s"], 2)
    assert viewers["single_p95_over_p50"] == round(single["p95_s"] / single["p50_s"], 2)
    assert written["machine"]["cores"] >= 1 and written["build"]["plan build"]["median_s"] > 0

    saves = written["save_visible"]["sample"]
    assert 0 < saves["this_replica_s"] and 0 < saves["other_replica_rebuild_s"] and saves["whole_build_s"] > 0
    burst = written["replicas_burst"]
    assert burst["one process"]["errors"] == burst["2 replicas"]["errors"] == 0 and burst["ratio"] > 0

    following = written["live"]  # open pages that follow a save: each option measured, the chosen one among them
    assert following["chosen"] in following["options"] and len(following["load_average"]) == 3
    for option in following["options"].values():
        assert option["pages"] > 0 and option["open_errors"] == 0 and option["idle_core_share"] > 0
        assert option["seen"] + option["missed"] == option["pages"]

    targets = {target["name"]: target for target in written["targets"]}
    assert len(targets) == 1 + 2 * len(names) + 3 + 6 + 2 + 1
    loads = written["first_loads"]  # the overview beside its floors: the same burst, no errors, a capture replayed
    assert loads["captured_messages"] > 20 and loads["burst"] == 3
    for name in ("bare", "replay", "overview"):
        assert loads[name]["errors"] == 0 and loads[name]["p95_s"] > 0
    cold = written["first_page_cold"]
    assert cold["overview_s"] > 0 and cold["naive_s"] > 0 and cold["runs"] == 1
    replay_target = targets["first loads, burst of 3: p95 overview / its static replay"]
    assert replay_target["ratio"] == loads["overview_over_replay"]
    estimated = written["impact"]  # a region's panel of 2,000 firms: every activity at both levels
    assert estimated["estimates"] == 18 and estimated["estimated"] > 0 and estimated["firm_rows"] > 10_000
    impact_target = targets["impact estimates of a region's plan, 2,000 firms: seconds"]
    assert impact_target["ratio"] == round(estimated["median_s"], 2)
    assert targets["first loads, burst of 30: p95 2 replicas / one process"]["limit"] == LIMITS["replicas_burst"]
    printed = written["reports"]["sample"]  # the default report (both sample plans) as HTML, then printed
    assert printed["plans"] == 2 and printed["unavailable"] is None and printed["pdf_bytes"] > 50_000
    assert printed["html_s"] > 0 and printed["pdf_s"] > 0 and len(printed["pdf_runs_s"]) == 1  # quick: one run
    assert targets["the default report as PDF, sample: seconds"] == {
        "name": "the default report as PDF, sample: seconds", "ratio": round(printed["pdf_s"], 2), "limit": 5.0,
        "met": printed["pdf_s"] <= 5.0}
    for name in names:
        assert f"warm page {name}: sample / sample" in targets and f"cold page {name}: sample / sample" in targets
    for target in targets.values():
        assert set(target) == {"name", "ratio", "limit", "met"}
        assert target["met"] == (target["ratio"] is not None and target["ratio"] <= target["limit"])
    assert targets["build / plain read_csv"]["limit"] == LIMITS["build"]
    # The errors target is a count, not a timing: the machinery itself must run clean.
    assert targets["viewers: errors (any run, burst load not served)"]["ratio"] == 0

    table = (out / "results.md").read_text(encoding="utf-8")
    assert "| plan build |" in table and "| target | ratio | limit | met |" in table and "| impact estimates |" in table
    assert "| static replay of the overview |" in table
    assert "| the default report (each office's latest plan) |" in table
    assert f"| {following['chosen']} (chosen) |" in table
    assert table in result.stdout


def test_the_static_replay_draws_what_the_overview_drew(sample_dir, tmp_path):
    # The floor the overview is measured against must be the overview's own elements: a replay that drew
    # less (lost messages, a wrong file) would make every ratio look worse than it is, or better.
    db = tmp_path / "plan.duckdb"
    database.build(sample_dir, db, derive=outlook.derive)
    replay_file = tmp_path / "overview.pb"
    drawn = {}
    for name in ("overview", "replay"):
        with server.serve(sample_dir, db, tmp_path / f"{name}.log", {"PLAN_REPLAY_FILE": str(replay_file)},
                          app=floors.SCRIPTS[name]) as running:
            if name == "overview":
                assert asyncio.run(floors.capture(running.url, replay_file)) > 20
            drawn[name] = [_element(message) for message in asyncio.run(_first_load(running.url))
                           if ForwardMsg.FromString(message).WhichOneof("type") != "navigation"]  # any app's own
    assert drawn["replay"] == drawn["overview"]
    assert sum(kind == "metric" for kind, _ in drawn["overview"]) >= 10


async def _first_load(url: str) -> list[bytes]:
    viewer = viewers.Viewer(url, recorded=[])
    try:
        await viewer.open("")
    finally:
        await viewer.close()
    return viewer.recorded


def _element(serialized: bytes) -> tuple[str, str]:
    """What a message draws, without the ids and hashes a session gives it: (element type, its text)."""
    message = ForwardMsg()
    message.ParseFromString(serialized)
    kind = message.WhichOneof("type")
    if kind != "delta" or message.delta.WhichOneof("type") != "new_element":
        return kind, ""
    element = message.delta.new_element
    kind = element.WhichOneof("type")
    return kind, {"metric": lambda: element.metric.body, "markdown": lambda: element.markdown.body}.get(kind, str)()


# --- Many plans: what a national view draws (charts of totals, capped calendars and event charts) ----------------

COPIES = 4  # of each of the demo sample's 2 plans: 8 plans, beyond PLANS_APART


@pytest.fixture(scope="module")
def many_plans(tmp_path_factory) -> tuple[Path, Path]:
    """(data folder, database) of 8 plans: the demo sample's two offices, each copied as 4 offices of its own
    (office names and activity and campaign codes told apart: `ATA-25-01` becomes `ATA0-25-01`...)."""
    base = tmp_path_factory.mktemp("many")
    write_demo(base / "demo", "sample")
    for folder in sorted(p for p in (base / "demo").iterdir() if p.is_dir()):
        office = (folder / "plan.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[0]
        code = (folder / "activities.csv").read_text(encoding="utf-8").splitlines()[1].split("-")[0]
        for copy in range(COPIES):
            target = base / "data" / f"{folder.name}-{copy}"
            target.mkdir(parents=True)
            for csv_file in folder.glob("*.csv"):
                text = csv_file.read_text(encoding="utf-8").replace(f"{code}-", f"{code}{copy}-")
                (target / csv_file.name).write_text(text.replace(office, f"{office} {copy}", 1), encoding="utf-8")
    database.build(base / "data", base / "plan.duckdb", derive=outlook.derive)
    return base / "data", base / "plan.duckdb"


@pytest.fixture
def many_env(many_plans, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.setenv("PLAN_DATA_DIR", str(many_plans[0]))
    monkeypatch.setenv("PLAN_DB_PATH", str(many_plans[1]))
    return many_plans


def _everything(db: Path, function):
    with database.reader(db) as con:
        return function(con, Filters(plan_ids=tuple(queries.plans(con)["plan_id"])))


def test_the_import_bench_measures_the_importer_beside_read_csv_and_writes_its_target(tmp_path):
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "plan", "bench-import", "--lines", "2000", "--repetitions", "1",
                             "--plan-bytes", "2000000", "--out", str(out)], cwd=REPO, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    written = json.loads((out / "import.json").read_text(encoding="utf-8"))
    assert written["lines"] == 2000 and written["read_csv_rows"] >= 2000  # DuckDB also splits on the CRs
    assert all(written["runs"][step]["median_s"] > 0 for step in ("read_csv", "read_and_sum", "whole_import"))
    assert set(written["peak_rss_mib"]) == {"small_file", "month"} and written["peak_rss_mib"]["month"] > 0
    large = written["size_limit_import"]
    assert 1_900_000 < large["outcomes_bytes"] <= 2_000_000 and large["outcomes_rows"] > 20_000
    assert large["peak_rss_mib"] > 0 and large["seconds"] > 0
    assert large["push"]["peak_rss_mib"] > 0 and large["push"]["seconds"] > 0  # the same plan pushed to a store
    assert written["target"]["limit"] == 2.0 and written["target"]["ratio"] > 0
    assert (out / "import.md").read_text(encoding="utf-8") in result.stdout


def test_many_plans_progress_draws_their_total_and_a_capped_calendar(many_env):
    at = open_page("pages/progress.py")
    monthly = _everything(many_env[1], queries.monthly_progress)
    assert monthly["plan_id"].nunique() == 2 * COPIES > PLANS_APART
    cumulative, year_end, timeline = (json.loads(chart.proto.spec) for chart in at.get("plotly_chart"))
    assert year_end["layout"]["title"]["text"].startswith("Actividades realizadas: acumulado")  # one plan's fan
    # One pair of lines, the plans' sum month by month (all plans are of 2025: no year break).
    assert [trace["name"] for trace in cumulative["data"]] == ["Total · Planificadas (acumulado)",
                                                               "Total · Realizadas (acumulado)"]
    planned = monthly.groupby("month")["planned_cumulative"].sum()
    assert decoded(cumulative["data"][0]["y"]) == [float(v) for v in planned]
    done = decoded(cumulative["data"][1]["y"])
    assert done[5] == float(monthly.groupby("month")["done_cumulative"].sum().iloc[5])  # June: the status date
    assert done[6:] == [None] * 6  # after 30-06-2025 nothing is known
    captions = " ".join(caption.value for caption in at.caption)
    assert "Con 8 planes elegidos, el gráfico muestra su total" in captions

    activities = _everything(many_env[1], queries.activity_list)
    rows = {label for trace in timeline["data"] for label in trace["y"]}
    assert len(rows) == CALENDAR_ROWS < len(activities)
    assert f"El calendario muestra 40 de {len(activities)} actividades" in captions
    assert len(at.dataframe[-1].value) == len(activities)  # the list keeps every activity


def test_many_plans_outcomes_draw_the_exports_total_and_the_top_events(many_env):
    at = open_page("pages/outcomes.py", lang="en")
    figures = figures_by_title(at)
    exports = figures["Exports by year and yearly growth"]
    assert [trace["name"] for trace in exports["data"]] == ["Total"]
    by_year = _everything(many_env[1], outcome_queries.exports_by_year).groupby("year")["exports_usd"].sum()
    assert decoded(exports["data"][0]["y"]) == pytest.approx(list(by_year))

    events = _everything(many_env[1], queries.deals_by_event)
    by_event = figures["Deals closed and projected for 12 months by event"]
    assert len(by_event["data"][0]["y"]) == EVENTS_SHOWN < len(events)  # bars across: events on the y axis
    top = events.sort_values("deals_closed_usd", ascending=False, kind="stable").head(EVENTS_SHOWN)
    assert sorted(decoded(by_event["data"][0]["x"]), reverse=True) == list(top["deals_closed_usd"])
    over_time = figures["Deals over time, cumulative: closed and projected"]
    assert decoded(over_time["data"][0]["y"])[-1] == pytest.approx(events["deals_closed_usd"].sum())
    captions = " ".join(caption.value for caption in at.caption)
    assert f"Showing the {EVENTS_SHOWN} events with the largest deals closed" in captions
    assert f"of {len(events)} events with meetings or deals" in captions
    assert len(table_with(at, "Deals closed (US$)")) == len(events)  # the table keeps every event


def test_many_plans_pisco_caps_its_calendar_and_overview_compares_in_one_table(many_env):
    at = open_page("pages/pisco.py")
    campaigns = _everything(many_env[1], queries.campaigns)
    schedule = figures_by_title(at)["Calendario de campañas: planificado y real"]
    assert len({label for trace in schedule["data"] for label in trace["y"]}) == CALENDAR_ROWS < len(campaigns)
    assert any(f"Se muestran 40 de {len(campaigns)} campañas" in caption.value for caption in at.caption)
    assert len(table_with(at, "Canal", "Estado")) == len(campaigns)

    overview = open_page(None)
    # The total pinned in its own table (issue 23), then every plan.
    assert [len(table.value) for table in overview.dataframe[:2]] == [1, 2 * COPIES]
    assert [s.value for s in overview.subheader][:2] == ["Total (todas las oficinas elegidas)",
                                                         "Comparación entre planes"]
    assert len(overview.metric) == 2 * len(KPIS)  # the total's cards, and one plan's chosen below


def test_the_total_line_breaks_between_plan_years():
    months = pd.date_range("2024-11-01", "2025-02-01", freq="MS")
    monthly = pd.DataFrame({"plan_id": TOTAL, "month": months, "planned": [1, 2, 3, 4], "done": [1, 1, 1, 1],
                            "planned_cumulative": [10, 12, 3, 7], "done_cumulative": [5, 6, 1, None]})
    figure = progress.cumulative(monthly, pd.DataFrame({"plan_id": [], "year": [], "as_of": []}), {}, "en")
    planned, done = figure.data
    assert list(planned.x) == ["Nov 2024", "Dec 2024", "Jan 2025", "Jan 2025", "Feb 2025"]
    assert list(planned.y) == [10, 12, None, 3, 7]  # a gap, not a drop from December to January
    assert list(done.y) == [5, 6, None, 1, None]
    assert [shape.x0 for shape in figure.layout.shapes] == ["Jan 2025"]  # the status date: last month known


def test_notes_say_how_many_are_shown_only_when_some_are_left_out():
    rows = pd.DataFrame({"id": ["A", "B"], "matching": [2, 2]})
    assert present.capped_note(rows, "capped_activities", "es") == ""
    assert present.capped_note(rows.iloc[0:0], "capped_activities", "es") == ""
    capped = rows.assign(matching=1234)
    assert present.capped_note(capped, "capped_activities", "es").startswith("El calendario muestra 2 de 1.234")
    assert present.capped_note(capped, "capped_activities", "en").startswith("The calendar shows 2 of 1,234")
    assert present.plans_summed_note(Filters(plan_ids=("a", "b")), "en") == ""
    assert present.plans_summed_note(Filters(plan_ids=tuple("abcde")), "en").startswith("With 5 plans chosen")
