"""The impact of activities as a director gets it (plan.impact.inputs/results/listing, the Impact page, the report):
the JSON interface on the sample, a planted panel written as plan files found the same as the estimators find it
on the rows, estimates kept per version of the plan, and no firm id on any page, table or report. The estimators'
coverage on planted panels is tested in tests/test_impact_estimates.py."""

import csv
import json
import subprocess
import sys

import duckdb
import pytest

from plan import outlook
from plan.data import database
from plan.impact import estimate_plan, inputs, results
from plan.impact.panels import firm_panel
from plan.view import report
from plan.view.filters import Filters
from tests.apptest import figures_by_title, open_page
from tests.conftest import REPO
from tests.test_page_editor import ATACAMA

KEYS = {"activity_id", "level", "outcome", "estimate", "low", "high", "n_treated", "n_control", "method", "note"}


def run_impact(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "plan", "impact", *args], cwd=REPO, capture_output=True, text=True,
                          check=False)


def test_the_json_interface_on_the_sample_lists_every_done_activity_at_both_levels(sample_dir):
    done = run_impact(str(sample_dir), "--plan", ATACAMA, "--json", "--lang", "en")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert rows and all(set(row) == KEYS for row in rows)
    with open(sample_dir / ATACAMA / "activities.csv", encoding="utf-8") as handle:
        done_ids = {row["id"] for row in csv.DictReader(handle) if row["status"] == "done"}
    assert {row["activity_id"] for row in rows} == done_ids
    for row in rows:
        assert (row["level"], row["outcome"]) in {("aggregate", "exports"), ("firm", "exports"), ("firm", "exporting")}
        if row["estimate"] is None:  # the note says why
            assert row["low"] is None and row["high"] is None and row["note"]
        else:
            assert row["low"] <= row["estimate"] <= row["high"] and row["n_treated"] >= 5 and row["n_control"] >= 10
    # The sample's exports are yearly: the region's months are not loaded, and the aggregate level says so.
    assert all(row["estimate"] is None and "months before" in row["note"]
               for row in rows if row["level"] == "aggregate")
    assert sum(row["estimate"] is not None for row in rows if row["level"] == "firm") >= 6
    one = json.loads(run_impact(str(sample_dir), "--plan", ATACAMA, "--activity", "ATA-21-07", "--json").stdout)
    assert [(row["level"], row["outcome"]) for row in one] == [("aggregate", "exports"), ("firm", "exports"),
                                                               ("firm", "exporting")]


@pytest.mark.parametrize(("args", "es"), [
    (["--plan", "nope"], "--plan: no hay un plan «nope»"),
    (["--plan", ATACAMA, "--activity", "ATA-21-99"], "no tiene la actividad «ATA-21-99»"),
    (["--plan", ATACAMA, "--activity", "ATA-21-06"], "ATA-21-06 no está realizada"),
])
def test_a_wrong_plan_or_activity_is_a_usage_error_naming_it(sample_dir, args, es):
    done = run_impact(str(sample_dir), *args)
    assert done.returncode == 2 and es in done.stderr and done.stdout == ""


def _plant(data, effect: float):
    """A generated panel around the sample's done activities (as `plan.bench.sample_firms` makes it, another seed
    and `effect`) written as the plan's firm files; returns the panel."""
    with duckdb.connect() as con:
        activities = con.execute("SELECT id, actual_end, markets, sectors FROM read_csv($path, all_varchar=true) "
                                 "WHERE status = 'done' AND markets IS NOT NULL AND sectors IS NOT NULL",
                                 {"path": str(data / ATACAMA / "activities.csv")}).fetchall()
    from plan.impact import ActivityWindow
    windows = [ActivityWindow(id_, int(end[:4]), int(end[5:7]), tuple(markets.split("|")), tuple(sectors.split("|")))
               for id_, end, markets, sectors in activities]
    panel = firm_panel(7, firms=600, months=21, effect=effect, points=0.0, participants_per_activity=25,
                       plan=windows, start=(2020, 1), sectors=("fresh_fruit", "mining_services", "olive_oil", "pisco",
                                                                "processed_food", "seafood"), prefix="RUT-")
    panel.rows.assign(source="prueba").to_csv(data / ATACAMA / "firm_exports.csv", index=False)
    with open(data / ATACAMA / "participants.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["activity_id", "exporter_id"])
        writer.writerows((a, f) for a, firms in sorted(panel.participants.items()) for f in sorted(firms))
    return panel


def test_a_panel_written_as_plan_files_gives_what_the_estimators_give_on_its_rows(sample_dir):
    panel = _plant(sample_dir, effect=0.5)
    db = sample_dir / "plan.duckdb"
    database.build(sample_dir, db, derive=outlook.derive)
    with database.reader(db) as con:
        found = results.estimates(con, ATACAMA)
    direct = estimate_plan(panel.rows, None, panel.activities, panel.participants)
    firm_level = {(e.activity_id, e.outcome): e for e in found if e.level == "firm"}
    assert set(firm_level) >= {(e.activity_id, e.outcome) for e in direct}  # and the activities without markets
    for computed in direct:
        stored = firm_level[(computed.activity_id, computed.outcome)]
        assert (stored.n_treated, stored.n_control) == (computed.n_treated, computed.n_control)
        if computed.estimate is None:
            assert stored.estimate is None and stored.note_key == computed.note_key
        else:
            assert (stored.estimate, stored.low, stored.high) == pytest.approx(
                (computed.estimate, computed.low, computed.high), rel=1e-9)
    firm_level = list(firm_level.values())
    # A +50 % planted: most intervals of the change in exports hold it, and their middle one is above 0.
    exports = sorted((e for e in firm_level if e.outcome == "exports" and e.estimate is not None),
                     key=lambda e: e.estimate)
    assert len(exports) >= 6 and exports[len(exports) // 2].estimate > 0
    assert sum(e.low <= 0.5 <= e.high for e in exports) >= 0.75 * len(exports)


def test_estimates_are_kept_per_version_of_the_plan_and_an_edit_makes_a_new_one(sample_dir):
    db = sample_dir / "plan.duckdb"
    database.build(sample_dir, db, derive=outlook.derive)
    with database.reader(db) as con:
        first = results.estimates(con, ATACAMA)
    kept = sorted(db.with_name(db.name + ".impact").glob(f"{ATACAMA}-*.json"))
    assert len(kept) == 1
    with database.reader(db) as con:
        assert results.estimates(con, ATACAMA) == first  # read back whole
    participants = sample_dir / ATACAMA / "participants.csv"
    lines = participants.read_text(encoding="utf-8").splitlines()
    participants.write_text("\n".join(line for line in lines if not line.startswith("ATA-21-07,")) + "\n",
                            encoding="utf-8")
    database.build(sample_dir, db, derive=outlook.derive)
    with database.reader(db) as con:
        second = results.estimates(con, ATACAMA)
    assert len(sorted(db.with_name(db.name + ".impact").glob(f"{ATACAMA}-*.json"))) == 2
    assert [e for e in second if e.activity_id == "ATA-21-07" and e.level == "firm"] != \
        [e for e in first if e.activity_id == "ATA-21-07" and e.level == "firm"]


def _texts(at) -> str:
    """Every text the page shows: headings, markdown, captions, tables' cells, chart specs."""
    parts = [e.value for kind in ("title", "subheader", "markdown", "caption", "info") for e in getattr(at, kind)]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    parts += [chart.proto.spec for chart in at.get("plotly_chart")]
    return "\n".join(str(part) for part in parts)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_impact_page_shows_every_activity_with_intervals_and_no_firm_id(app_env, lang):
    at = open_page("pages/impact.py", lang=lang, office="ProChile Atacama")
    heading = {"es": "Las actividades lado a lado", "en": "The activities side by side"}[lang]
    assert heading in [s.value for s in at.subheader]
    figures = figures_by_title(at)
    side = next(f for title, f in figures.items() if title.startswith(
        {"es": "Cambio en las exportaciones", "en": "Change in exports"}[lang]))
    drawn = [label for trace in side["data"] for label in trace["y"]]
    with database.reader(app_env.parent / "plan.duckdb") as con:
        found = results.estimates(con, ATACAMA)  # kept by the page's run: the same figures
    assert sorted(drawn) == sorted(e.activity_id for e in found if e.outcome == "exports" and e.estimate is not None)
    assert len(drawn) >= 5
    table = next(frame.value for frame in at.dataframe if len(frame.value) == len(found))
    assert table.iloc[:, 0].str.split(" · ").str[0].tolist() == [e.activity_id for e in found]
    sentence = next(m.value for m in at.markdown if "90" in m.value)
    assert {"es": "intervalo del 90", "en": "90 % interval"}[lang] in sentence.replace("\\", "")
    assert any(title.startswith({"es": "Antes y después", "en": "Before and after"}[lang]) for title in figures)
    shown = _texts(at)
    assert "EMP-" not in shown  # a firm's id never reaches a viewer


def test_no_firm_id_reaches_the_outcomes_and_markets_pages_or_the_report(app_env):
    for page in ("pages/outcomes.py", "pages/markets.py"):
        at = open_page(page, office="ProChile Atacama")
        shown = _texts(at)
        assert "Empresas exportadoras" in shown and "EMP-" not in shown
    with database.reader(app_env.parent / "plan.duckdb") as con:
        document = report.render(con, Filters(plan_ids=(ATACAMA,)), "es")
    assert "Empresas exportadoras" in document and "Impacto" in document and "intervalo" in document.lower()
    assert "EMP-" not in document


def test_customs_ids_carry_their_year_and_the_estimates_compare_them_across_january(sample_dir):
    """The same panel with customs' ids (`DUS-<year>-<n>`) gives the same estimates as with ids stable across
    years: the comparison takes the number without its year (the assumption the page states)."""
    _plant(sample_dir, effect=0.5)
    db = sample_dir / "plan.duckdb"
    database.build(sample_dir, db, derive=outlook.derive)
    with database.reader(db) as con:
        stable = results.estimates(con, ATACAMA)
    firms = sample_dir / ATACAMA / "firm_exports.csv"
    rows = [line.split(",") for line in firms.read_text(encoding="utf-8").splitlines()]
    firms.write_text("\n".join([",".join(rows[0])] + [",".join([f"DUS-{r[1]}-{r[0][4:]}", *r[1:]]) for r in rows[1:]])
                     + "\n", encoding="utf-8")
    participants = sample_dir / ATACAMA / "participants.csv"
    lines = participants.read_text(encoding="utf-8").splitlines()
    participants.write_text("\n".join([lines[0]] + [line.replace(",RUT-", ",DUS-2021-") for line in lines[1:]])
                            + "\n", encoding="utf-8")
    database.build(sample_dir, db, derive=outlook.derive)
    with database.reader(db) as con:
        customs = results.estimates(con, ATACAMA)
        assert inputs.customs_ids(con, ATACAMA)
    assert [(e.estimate, e.n_treated, e.n_control) for e in customs] == [
        (e.estimate, e.n_treated, e.n_control) for e in stable]
    assert sum(e.estimate is not None for e in customs if e.level == "firm") >= 6
