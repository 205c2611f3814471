"""One definition per KPI (issue 23): each KPI's figure, computed here straight from the sample CSVs (csv module,
not the app's queries), is the one on the overview's cards, in its comparison table, in the HTML report and in
`python -m plan report`; every card with a target shows value − target to date as its change, for the same
plans; the change's colour follows the status."""

import csv
import datetime as dt
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from plan import outlook
from plan.data import database
from plan.model.kpi_definitions import ACTIVITY_KPIS
from plan.view import kpis, report
from plan.view.filters import Filters
from tests.apptest import card_tooltips, open_page
from tests.test_cli import plan

ATACAMA = "prochile-atacama-2021"
ALLIANCE = "alianza-pacifico-2020"
NAMES = {ATACAMA: "ProChile Atacama 2021", ALLIANCE: "Alianza del Pacífico 2020"}
TOTAL_NAME = "Total (todas las oficinas elegidas)"
LABELS = {"activities_done": "Actividades realizadas", "budget_spent": "Presupuesto ejecutado",
          "exporters": "Exportadores participantes", "importers": "Importadores participantes",
          "meetings_held": "Reuniones realizadas", "deals_closed": "Negocios cerrados",
          "deals_projected": "Negocios proyectados 12 meses", "new_exporters": "Nuevos exportadores",
          "pisco_reach": "Alcance campañas pisco", "exports": "Exportaciones regionales"}
TARGET_METRICS = {"budget_spent": "budget_spent_usd", "deals_closed": "deals_closed_usd",
                  "deals_projected": "deals_projected_usd", "exports": "exports_usd"}


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _sum(rows: list[dict[str, str]], column: str) -> float | None:
    values = [float(row[column]) for row in rows if row.get(column)]
    return sum(values) if values else None


def _add(*parts: float | None) -> float | None:
    present = [part for part in parts if part is not None]
    return sum(present) if present else None


def figures(data: Path, plan_id: str) -> dict[str, float | None]:
    """Each KPI of one plan as its definition reads (the messages `kpi_<key>_definition`)."""
    folder = data / plan_id
    year = int(_rows(folder / "plan.csv")[0]["year"])
    activities, campaigns = _rows(folder / "activities.csv"), _rows(folder / "pisco_campaigns.csv")
    outcomes = [row for row in _rows(folder / "outcomes.csv") if int(row["year"]) == year]
    return {
        "activities_done": sum(row["status"] == "done" for row in activities),
        "budget_spent": _add(_sum(activities, "spent_usd"), _sum(campaigns, "spent_usd")),
        "exporters": _sum(activities, "exporters"),
        "importers": _sum(activities, "importers"),
        "meetings_held": _sum(activities, "meetings_held"),
        "deals_closed": _add(_sum(activities, "deals_closed_usd"), _sum(campaigns, "deals_actual_usd")),
        "deals_projected": _sum(activities, "deals_projected_usd"),
        "new_exporters": _sum([row for row in outcomes if row["metric"] == "new_exporters"], "value"),
        "pisco_reach": _sum(campaigns, "reach_actual"),
        "exports": _sum([row for row in outcomes if row["metric"] == "exports_usd"], "value"),
    }


def targets_to_date(data: Path, plan_id: str) -> dict[str, float]:
    """Each overall target of the plan's year, scaled to the share of the year gone by at its status date
    (exports: the whole target)."""
    plan_row = _rows(data / plan_id / "plan.csv")[0]
    year, as_of = int(plan_row["year"]), dt.date.fromisoformat(plan_row["as_of"])
    share = ((as_of - dt.date(year, 1, 1)).days + 1) / ((dt.date(year, 12, 31) - dt.date(year, 1, 1)).days + 1)
    goals = {row["metric"]: float(row["target"]) for row in _rows(data / plan_id / "targets.csv")
             if int(row["year"]) == year and not row["market"] and not row["sector"]}
    return {kpi: goals[metric] * (1.0 if kpi == "exports" else share) for kpi in LABELS
            if (metric := TARGET_METRICS.get(kpi, kpi)) in goals}


def total(data: Path) -> tuple[dict[str, float | None], dict[str, float]]:
    """Both plans' total: over the plans with a target for the KPI (all plans when none has one)."""
    plans = {plan_id: (figures(data, plan_id), targets_to_date(data, plan_id)) for plan_id in NAMES}
    values, expected = {}, {}
    for kpi in LABELS:
        targeted = [plan_id for plan_id, (_, goals) in plans.items() if kpi in goals]
        values[kpi] = _add(*(plans[plan_id][0][kpi] for plan_id in (targeted or NAMES)))
        if targeted:
            expected[kpi] = sum(plans[plan_id][1][kpi] for plan_id in targeted)
    return values, expected


def number(text: str) -> float:
    """A figure as shown in Spanish ("US$ 200.900", "+US$ 13.914", "-3", "1.272") as a number."""
    cleaned = re.sub(r"[^\d,\-+]", "", text).replace(",", ".")
    return float(cleaned)


def short_number(text: str) -> tuple[float, float]:
    """A card's short figure in Spanish ("-3", "+US$ 13.914", "+MMUS$ 1,4", "+491.282", "1,6 millones") as a
    number and how far the shortening may have moved it (half its last digit)."""
    millions = "MMUS$" in text or "millones" in text
    digits = re.sub(r"[^\d,]", "", text)
    decimals = len(digits.split(",")[1]) if "," in digits else 0
    scale = 1_000_000 if millions else 1
    return number(text) * scale, 0.5 * scale * 10 ** -decimals


def test_the_sample_figures_the_issue_names():
    # The issue's Atacama figures: US$ 120.500 activities + US$ 80.400 campaigns = US$ 200.900 spent.
    atacama = figures(Path("data"), ATACAMA)
    assert atacama["budget_spent"] == 200_900
    assert round(targets_to_date(Path("data"), ATACAMA)["budget_spent"]) == 186_986


@dataclass
class _Card:
    """A card as drawn: its metric (value, delta, colour) and the tooltip on its label."""

    metric: object
    help: str

    def __getattr__(self, name: str):
        return getattr(self.metric, name)


def _cards(at) -> dict[str, list[_Card]]:
    cards: dict[str, list[_Card]] = {}
    for metric, tooltip in zip(at.metric, card_tooltips(at), strict=True):
        cards.setdefault(metric.label, []).append(_Card(metric, tooltip))
    return cards


@pytest.mark.parametrize("kpi", list(LABELS))
def test_each_kpi_on_the_cards_and_in_the_comparison_table(app_env, kpi):
    """The total's card (first) and Atacama's (the plan picked below), then the table (total pinned apart)."""
    values, expected = total(app_env)
    atacama, atacama_goals = figures(app_env, ATACAMA), targets_to_date(app_env, ATACAMA)
    at = open_page()
    total_card, atacama_card = _cards(at)[LABELS[kpi]]
    for card, value, goal in ((total_card, values[kpi], expected.get(kpi)),
                              (atacama_card, atacama[kpi], atacama_goals.get(kpi))):
        exact = card.help.split("\n\n")[0]
        assert number(exact) == pytest.approx(value), exact
        if goal is not None:  # value − target to date is the change shown, for the same plans
            shown, rounding = short_number(card.delta)
            assert shown == pytest.approx(value - goal, abs=rounding + 0.5), card.delta
    pinned, plans = at.dataframe[0].value, at.dataframe[1].value
    assert list(pinned["Plan"]) == [TOTAL_NAME]
    assert pinned.loc[0, LABELS[kpi]] == pytest.approx(values[kpi])
    by_plan = dict(zip(plans["Plan"], plans[LABELS[kpi]], strict=True))
    for plan_id, name in NAMES.items():
        value = figures(app_env, plan_id)[kpi]
        assert pd.isna(by_plan[name]) if value is None else by_plan[name] == pytest.approx(value)


def test_the_comparison_table_sorts_numbers_and_keeps_status_apart(app_env):
    at = open_page()
    plans = at.dataframe[1].value
    # The pinned total and the plans below line up: every column as wide in both (they did not).
    widths = [json.loads(table.proto.columns) for table in at.dataframe[:2]]
    assert widths[0] == widths[1] and set(widths[0]) - {"_index"} == set(plans.columns)
    assert all(widths[0][column]["width"] > 0 for column in plans.columns)
    assert plans["Negocios cerrados"].dtype.kind == "f"  # numbers, sorted as numbers
    # The status in words, then the year end of a plan still running (Alianza's 2020 is closed: none).
    statuses = list(plans["Negocios cerrados · Estado"])
    assert statuses[0].startswith("En meta · Al cierre: ") and statuses[1] == "En meta"
    assert TOTAL_NAME not in list(plans["Plan"])  # the total is pinned in its own table above


def test_the_change_is_coloured_by_the_status_not_its_sign(app_env):
    # Atacama's 13 activities done against 16,5 to date: at risk (79 %), so the -3 is orange, not red.
    at = open_page(office="ProChile Atacama")
    card = _cards(at)["Actividades realizadas"][0]
    assert card.delta == "-3"
    assert card.proto.color == card.proto.MetricColor.ORANGE
    spent = _cards(at)["Presupuesto ejecutado"][0]
    assert spent.proto.color == spent.proto.MetricColor.GREEN


def test_a_total_says_which_plans_it_leaves_out_and_which_are_behind(app_env):
    at = open_page()
    done = _cards(at)["Actividades realizadas"][0]
    # Alianza has no target for activities done: its 6 are left out of the total's figure, target and gap.
    assert "1 de 2 planes tienen meta; 1 sin meta, fuera de la cifra, la meta y la brecha (6 de los planes sin meta)" \
        in done.help
    # Said once under the total's cards too, readable without hovering (a phone cannot).
    assert ("El total de cada indicador cubre solo los planes con meta (cifra, meta y brecha); quedan fuera los "
            "planes sin meta en: Actividades realizadas (1 de 2 planes); Presupuesto ejecutado (1 de 2 planes); "
            "Importadores participantes (1 de 2 planes); Nuevos exportadores (1 de 2 planes); "
            "Alcance campañas pisco (1 de 2 planes); Exportaciones regionales (1 de 2 planes).") \
        in [caption.value for caption in at.caption]
    # A plan behind shows beside the total's badge (Alianza's budget is behind once it gets a low-paced target),
    # apart from it: a badge never wraps, and a national total's "5 de 16 planes atrasados" was cut.
    targets = app_env / ALLIANCE / "targets.csv"
    targets.write_text(targets.read_text(encoding="utf-8") + "budget_spent_usd,2020,,,1000000.00,,ilustrativo\n",
                       encoding="utf-8")
    at = open_page()
    assert "1 de 2 planes atrasados" in [caption.value for caption in at.caption]
    assert not any("-badge[" in m.value and "planes atrasados" in m.value for m in at.markdown)


def test_the_card_tooltip_says_what_the_kpi_counts(app_env):
    at = open_page(office="ProChile Atacama")
    help_text = _cards(at)["Presupuesto ejecutado"][0].help
    assert "activities.csv" in help_text and "pisco_campaigns.csv" in help_text
    assert "no cuenta las reuniones de las campañas pisco" in _cards(at)["Reuniones realizadas"][0].help.lower()


def _report_rows(document: str, name: str) -> dict[str, list[str]]:
    """The report's KPI table of the plan headed `name`: label -> its cells (actual, status, change, ...)."""
    section = document.split(f"<h3>{html.escape(name)}</h3>", 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", section)[1:]:
        cells = [html.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        rows[cells[0]] = cells[1:]
    return rows


def _check_report(document: str, data: Path) -> None:
    values, expected = total(data)
    for name, (plan_values, goals) in [(TOTAL_NAME, (values, expected))] + [
            (NAMES[plan_id], (figures(data, plan_id), targets_to_date(data, plan_id))) for plan_id in NAMES]:
        rows = _report_rows(document, name)
        for kpi, label in LABELS.items():
            shown, _status, change = rows[label][:3]
            if plan_values[kpi] is None:
                assert shown == "—", (name, label)
                continue
            assert number(shown) == pytest.approx(plan_values[kpi]), (name, label, shown)
            if kpi in goals:
                gap = number(change.split(" · ")[0])
                assert gap == pytest.approx(plan_values[kpi] - goals[kpi], abs=0.5), (name, label, change)
    assert "<dt>Presupuesto ejecutado</dt><dd>Suma el gasto (spent_usd) de las actividades" in document
    # The column holds the target to date and the yearly one (issue 23 item 15: it was headed "Meta anual").
    assert "<th>Meta a la fecha (anual)</th>" in document and "<th>Meta anual</th>" not in document


def test_each_kpi_in_the_html_report(sample_dir, tmp_path):
    db = tmp_path / "plan.duckdb"
    database.build(sample_dir, db, derive=outlook.derive)
    with database.reader(db) as con:
        document = report.render(con, Filters(plan_ids=(ATACAMA, ALLIANCE)), "es")
    _check_report(document, sample_dir)


def test_each_kpi_from_the_report_command(sample_dir, tmp_path):
    out = tmp_path / "report.html"
    result = plan("report", sample_dir, "--out", out, "--db", tmp_path / "plan.duckdb")
    assert result.returncode == 0, result.stderr
    _check_report(out.read_text(encoding="utf-8"), sample_dir)


def test_a_totals_year_before_covers_the_same_plans_as_its_value():
    # Plan a has an activities target, plan b none: the total's 4 done (a's) compares with a's 2 the year
    # before (+100 %), not with a's and b's 2 + 8 (which read -60 % beside a figure that left b out).
    plans = pd.DataFrame({"plan_id": ["a", "b"], "year": [2021, 2021], "as_of": [dt.date(2021, 6, 30)] * 2})
    activities = pd.DataFrame({"plan_id": ["a", "b"], **{column: [0.0, 0.0] for column in ACTIVITY_KPIS.values()}})
    activities["activities_done"] = [4.0, 9.0]
    targets = pd.DataFrame({"plan_id": ["a"], "metric": ["activities_done"], "target": [10.0]})
    previous = {"a": {"activities_done": 2.0}, "b": {"activities_done": 8.0}}
    table = kpis.kpi_table(plans, activities, pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), targets, previous)
    done = table[(table["plan_id"] == kpis.TOTAL) & (table["kpi"] == "activities_done")].iloc[0]
    assert (done["actual"], done["previous"], done["change_pct"]) == (4.0, 2.0, 100.0)
    assert (done["plans"], done["plans_without_target"], done["actual_without_target"]) == (2, 1, 9.0)


def test_a_quarter_gets_a_quarters_target_and_yearly_figures_no_status(app_env):
    # Issue 23 item 4: with "T3 (jul–sep)" the Q3 figures were compared with the whole year's target to date, so
    # everything read "Atrasado". The target becomes the part of the year in Q3 up to the status date (Atacama at
    # 30-09-2021: 1 July - 30 September, 92 of 365 days); exports and new exporters, yearly figures, get none.
    share = 92 / 365
    activities = _rows(app_env / ATACAMA / "activities.csv")
    in_q3 = [row for row in activities if dt.date.fromisoformat(row["planned_start"]).month in (7, 8, 9)]
    done = sum(row["status"] == "done" for row in in_q3)
    goals = {row["metric"]: float(row["target"]) for row in _rows(app_env / ATACAMA / "targets.csv")
             if not row["market"] and not row["sector"]}
    at = open_page(office="ProChile Atacama", quarter="T3 (jul–sep)")
    card = _cards(at)["Actividades realizadas"][0]
    assert number(card.value) == done
    assert number(card.delta) == pytest.approx(done - goals["activities_done"] * share, abs=0.5), card.delta
    assert "Meta del periodo a la fecha: 6 (anual: 22)" in card.help
    for label in ("Nuevos exportadores", "Exportaciones regionales"):
        yearly = _cards(at)[label][0]
        assert yearly.delta == "" and "Sin estado para el periodo elegido" in yearly.help, label
    badges = [m.value for m in at.markdown if "-badge[" in m.value]
    assert sum("-badge[Sin meta]" in badge for badge in badges) == 2, badges
    assert any("Con un trimestre o fechas elegidos" in caption.value for caption in at.caption)


def test_a_period_paces_the_target_over_its_days_up_to_the_status_date():
    # The status date cuts the period: at 15 August, Q3 has 46 days gone (1 July - 15 August) of 365.
    assert kpis.year_share(2021, dt.date(2021, 8, 15), period=(dt.date(2021, 7, 1), dt.date(2021, 9, 30))) \
        == pytest.approx(46 / 365)
    assert kpis.year_share(2021, dt.date(2021, 6, 30), period=Filters(quarter=3).period(2021)) == 0
    first_quarter = Filters(quarter=1).period(2021)
    assert kpis.year_share(2021, dt.date(2021, 12, 31), period=first_quarter) == pytest.approx(90 / 365)
    assert kpis.year_share(2021, dt.date(2021, 9, 30)) == pytest.approx(273 / 365)  # no period: the year to date
    window = Filters(quarter=3, date_from=dt.date(2021, 8, 1)).period(2021)
    assert window == (dt.date(2021, 8, 1), dt.date(2021, 9, 30))
    first, last = Filters(date_to=dt.date(2020, 12, 31)).period(2021)  # dates that miss the plan year
    assert first > last and kpis.year_share(2021, dt.date(2021, 9, 30), period=(first, last)) == 0


def test_exports_reported_to_june_compare_with_half_the_yearly_target():
    # Customs months imported January to June: a figure to date, compared with 6/12 of the target, not the whole
    # year's (all red) nor the status date's pace; a yearly figure (no month) keeps the whole target.
    plans = pd.DataFrame({"plan_id": ["monthly", "yearly"], "year": [2025, 2025],
                          "as_of": [dt.date(2025, 9, 30)] * 2})
    exports = pd.DataFrame({"plan_id": ["monthly", "yearly"], "year": [2025, 2025],
                            "exports_usd": [60.0, 100.0], "last_month": [6.0, None]})
    targets = pd.DataFrame({"plan_id": ["monthly", "yearly"], "metric": ["exports_usd"] * 2, "target": [100.0] * 2})
    table = kpis.kpi_table(plans, pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), exports, targets, {})
    rows = table[table["kpi"] == "exports"].set_index("plan_id")
    assert rows.loc["monthly", "expected"] == pytest.approx(50.0) and rows.loc["monthly", "status"] == "green"
    assert rows.loc["yearly", "expected"] == pytest.approx(100.0)
