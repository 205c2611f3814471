"""The progress page under AppTest, on a private copy of the sample plan: real figures."""

import csv
import json

from streamlit.testing.v1 import AppTest

from tests.apptest import open_page, trace_named

DAY_MS = 86_400_000


def _progress(**params) -> AppTest:
    return open_page("pages/progress.py", **params)


def _charts(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def _bar(figure: dict, name: str, row_label_start: str) -> tuple[str, int]:
    """(base, length in ms) of the bar of trace `name` whose row label starts with `row_label_start`."""
    trace = trace_named(figure, name)
    index = next(i for i, label in enumerate(trace["y"]) if label.startswith(row_label_start))
    return trace["base"][index], trace["x"][index]


def test_progress_of_both_plans_in_spanish(app_env):
    at = _progress()
    assert at.title[0].value == "Avance"
    assert at.caption[0].value.startswith("¿Avanzamos según lo planificado?")

    # Several plans: progress to date as a table. Atacama at its status date (30-09-2021):
    # 18 activities due to finish by September, 13 done, 26 planned for the year.
    to_date = at.dataframe[0].value.set_index("Plan")
    atacama = to_date.loc["ProChile Atacama 2021"]
    assert atacama["Fecha de corte"] == "30-09-2021"
    assert atacama["Planificadas en el año"] == "26"
    assert atacama["Planificadas a la fecha de corte"] == "18"
    assert atacama["Realizadas a la fecha de corte"] == "13"
    assert atacama["Diferencia (realizadas − planificadas)"] == "-5"
    assert atacama["Cumplimiento a la fecha (%)"] == "72,2 %"
    assert to_date.loc["Alianza del Pacífico 2020", "Realizadas a la fecha de corte"] == "6"

    cumulative, _year_end, timeline = _charts(at)
    # Wrapped into lines a phone shows whole.
    assert cumulative["layout"]["title"]["text"] == "Actividades planificadas y realizadas,<br>acumuladas por mes"
    planned = trace_named(cumulative, "ProChile Atacama 2021 · Planificadas (acumulado)")
    done = trace_named(cumulative, "ProChile Atacama 2021 · Realizadas (acumulado)")
    assert planned["x"][0] == "ene 2021" and planned["x"][8] == "sept 2021"
    assert planned["y"] == [1, 2, 4, 6, 8, 12, 14, 16, 18, 22, 25, 26]
    # The done line stops at the status date: nothing is known after September.
    assert done["y"] == [1, 2, 4, 5, 8, 11, 12, 13, 13, None, None, None]
    assert trace_named(cumulative, "Alianza del Pacífico 2020 · Realizadas (acumulado)")["y"][-1] == 6
    assert planned["line"]["color"] != trace_named(cumulative, "Alianza del Pacífico 2020 · Planificadas (acumulado)")[
        "line"]["color"]

    # Timeline: the UK e-Roundtable ran as planned, 23 June to 2 July 2020 (10 days).
    assert _bar(timeline, "Realizada", "PA-20-01") == ("2020-06-23", 10 * DAY_MS)
    assert _bar(timeline, "Realizada · Real", "PA-20-01") == ("2020-06-23", 10 * DAY_MS)
    # The olive-oil study finished a week late (planned 15-01 to 30-04, actual 18-01 to 07-05).
    assert _bar(timeline, "Realizada", "ATA-21-02") == ("2021-01-15", 106 * DAY_MS)
    assert _bar(timeline, "Realizada · Real", "ATA-21-02") == ("2021-01-18", 110 * DAY_MS)
    # In progress: the actual bar runs from its start to the status date.
    assert _bar(timeline, "En curso · Real", "ATA-21-18") == ("2021-09-06", 25 * DAY_MS)
    # Cancelled and postponed activities have a planned bar and no actual one.
    assert len(trace_named(timeline, "Cancelada")["y"]) == 2
    assert not any(trace["name"] in ("Cancelada · Real", "Postergada · Real") for trace in timeline["data"])
    statuses = [trace for trace in timeline["data"] if "·" not in trace["name"] and not trace["name"].startswith("Atr")]
    assert sum(len(trace["y"]) for trace in statuses) == 34  # one planned bar each; late ones hatched over theirs
    hover = trace_named(timeline, "Postergada")["customdata"][0]
    assert hover[0] == "Traída de importadores de uva de mesa desde Estados Unidos"
    assert hover[1:5] == ["Traída de importadores", "Presencial", "Postergada", "07-06-2021 – 10-06-2021"]

    activities = at.dataframe[-1].value
    assert len(activities) == 34
    uk = activities.set_index("ID").loc["PA-20-01"]
    assert uk["Estado"] == "Realizada" and uk["Modalidad"] == "Virtual" and uk["Tipo"] == "Rueda de negocios"
    assert uk["Mercados"] == "Reino Unido"
    assert "Cacao y derivados" in uk["Sectores"]
    assert uk["Negocios cerrados (US$)"] == "US$ 1.500.000"
    assert uk["Negocios proyectados 12 meses (US$)"] == "US$ 17.000.000"
    assert uk["Reuniones realizadas"] == "125"
    assert uk["Inicio planificado"] == "23-06-2020"
    assert activities.set_index("ID").loc["PA-20-MR", "Presupuesto (US$)"] == "US$ 450.000"


def test_one_plan_in_english_shows_metrics(app_env):
    at = _progress(lang="en", office="ProChile Atacama")
    assert at.title[0].value == "Progress"
    metrics = {metric.label: (metric.value, metric.delta) for metric in at.metric}
    assert metrics["Done by the status date"] == ("13", "-5")
    assert metrics["Due by the status date"][0] == "18"
    assert metrics["Planned for the year"][0] == "26"
    assert metrics["Done of due (%)"][0] == "72.2 %"

    cumulative, _year_end, timeline = _charts(at)
    assert [trace["name"] for trace in cumulative["data"]] == ["Planned (cumulative)", "Done (cumulative)"]
    assert cumulative["data"][0]["x"][8] == "Sep 2021"
    assert cumulative["layout"]["yaxis"]["title"]["text"] == "Activities (cumulative)"
    assert timeline["layout"]["xaxis"]["ticktext"][0] == "Jan 2021"
    assert trace_named(timeline, "Postponed")["customdata"][0][1:4] == ["Inbound importer visit", "In person",
                                                                  "Postponed"]

    activities = at.dataframe[-1].value.set_index("ID")
    assert len(activities) == 27
    assert activities.loc["ATA-21-27", "Markets"] == "United Kingdom"
    assert activities.loc["ATA-21-27", "Budget (US$)"] == "US$1,000"
    assert activities.loc["ATA-21-04", "Markets"] == "Peru, Colombia, Mexico"
    assert activities.loc["ATA-21-04", "Sectors"] == "Mining services"
    assert activities.loc["ATA-21-04", "Planned start"] == "2021-03-09"


def test_modality_filter_from_the_url_narrows_every_view(app_env):
    at = _progress(office="ProChile Atacama", modality="Presencial")
    activities = at.dataframe[-1].value
    assert len(activities) == 9
    assert set(activities["Modalidad"]) == {"Presencial"}
    cumulative, timeline = _charts(at)  # no year-end fan: a projection is for whole plans, the page says so
    assert any(i.value.startswith("La proyección al cierre del año es para planes completos") for i in at.info)
    # 8 in-person activities planned (the cancelled mission to China left out), 1 done (Brazil, August).
    assert trace_named(cumulative, "Planificadas (acumulado)")["y"][-1] == 8
    assert trace_named(cumulative, "Realizadas (acumulado)")["y"][7:9] == [1, 1]
    assert trace_named(timeline, "Realizada")["y"][0].startswith("ATA-21-17")
    assert {metric.label: metric.value for metric in at.metric}["Realizadas a la fecha de corte"] == "1"


def test_filters_selecting_nothing_show_the_hint(app_env):
    # Every webinar is virtual: no in-person webinar.
    at = _progress(modality="Presencial", type="Webinar")
    assert at.info[0].value == "No hay datos para estos filtros. Pruebe quitando: Modalidad, Tipo de actividad."
    assert not at.get("plotly_chart")
    assert not at.dataframe


def _late_in_csv(plan_folder) -> list[str]:
    """Late or overdue at the plan's status date, read from the CSVs here (not the app's queries): not started
    (planned or postponed) with a planned start before it, or in progress with a planned end before it."""
    import csv

    with open(plan_folder / "plan.csv", encoding="utf-8") as handle:
        as_of = next(csv.DictReader(handle))["as_of"]
    with open(plan_folder / "activities.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return sorted(row["id"] for row in rows
                  if (row["status"] in ("planned", "postponed") and row["planned_start"] < as_of)
                  or (row["status"] == "in_progress" and row["planned_end"] < as_of))


def test_the_timeline_hatches_the_activities_late_at_the_status_date(app_env):
    # A planned bar whose start passed without starting drew like the future, in the light "planned" colour.
    at = _progress(office="ProChile Atacama")
    _cumulative, _year_end, timeline = _charts(at)
    late = trace_named(timeline, "Atrasada a la fecha de corte")
    expected = _late_in_csv(app_env / "prochile-atacama-2021")
    assert expected and sorted(label.split(" · ")[0] for label in late["y"]) == expected
    assert late["marker"]["pattern"]["shape"] == "/"
    on_time = trace_named(timeline, "Planificada")  # a planned activity whose date has not come is not hatched
    assert set(label.split(" · ")[0] for label in on_time["y"]) - set(expected)
    assert "Rayado rojo: atrasada a la fecha de corte" in " ".join(c.value for c in at.caption)


def test_the_two_gaps_of_a_plan_stand_side_by_side_each_named(app_env):
    # Issue 23 item 5: the overview said Atacama is 3 behind its target to date, this page 5 behind what was
    # planned to date. Both are right: each named for what it compares, side by side. Computed here from the
    # CSVs: 13 done; the target 22 for the year x 273 of 365 days to 30-09-2021.
    with (app_env / "prochile-atacama-2021" / "activities.csv").open(encoding="utf-8") as file:
        done = sum(row["status"] == "done" for row in csv.DictReader(file))
    with (app_env / "prochile-atacama-2021" / "targets.csv").open(encoding="utf-8") as file:
        target = next(float(row["target"]) for row in csv.DictReader(file) if row["metric"] == "activities_done")
    expected = target * 273 / 365
    at = _progress(office="ProChile Atacama")
    metrics = {metric.label: metric for metric in at.metric}
    calendar, overview = metrics["Realizadas a la fecha de corte"], metrics["Meta a la fecha (Resumen)"]
    assert (calendar.value, calendar.delta) == ("13", "-5")
    assert "planificadas a la fecha (calendario)" in calendar.proto.delta_description
    assert overview.value == str(round(expected)) and overview.delta == f"{round(done - expected):+d}"
    assert overview.proto.delta_description == "realizadas vs meta"
    assert any(caption.value.startswith("Dos brechas, ambas correctas") for caption in at.caption)
    two = _progress()  # two plans: the table has both gaps; Alianza has no target for activities done
    table = two.dataframe[0].value.set_index("Plan")
    assert table.loc["ProChile Atacama 2021", "Diferencia (realizadas − meta a la fecha)"] == "-3"
    assert table.loc["ProChile Atacama 2021", "Diferencia (realizadas − planificadas)"] == "-5"
    assert table.loc["Alianza del Pacífico 2020", "Meta a la fecha (Resumen)"] in ("", "—")
