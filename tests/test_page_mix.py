"""The activity-mix page under AppTest, on a private copy of the sample plan: real figures."""

import json
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from tests.apptest import open_page


def _mix(**params) -> AppTest:
    return open_page("pages/mix.py", **params)


def _charts(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def _bars(figure: dict, name: str, axis: str = "y") -> dict:
    """period -> value of the bar trace `name` (on the subplot whose y axis is `axis`)."""
    trace = next(t for t in figure["data"] if t["name"] == name and t.get("yaxis", "y") == axis)
    return dict(zip(trace["x"], trace["y"], strict=True))


def _panel(figure: dict, name: str) -> dict:
    """modality -> value of one effectiveness panel (horizontal bars)."""
    trace = next(t for t in figure["data"] if t["name"] == name)
    return dict(zip(trace["y"], trace["x"], strict=True))


def _activities(data: Path) -> pd.DataFrame:
    """Every plan's activities, read from the sample's CSVs."""
    return pd.concat([pd.read_csv(path) for path in sorted(data.glob("*/activities.csv"))], ignore_index=True)


def _in_order(block) -> list:
    """The page's elements in the order they are drawn (expanders and columns opened)."""
    if not hasattr(block, "children"):
        return [block]
    return [node for child in block.children.values() for node in _in_order(child)]


def test_effectiveness_shows_its_sample_and_marks_figures_on_few_activities(app_env):
    done = _activities(app_env).query("status == 'done'")
    counts = done.groupby("modality").size()
    costed = done[(done["meetings_held"] > 0) & done["spent_usd"].notna()].groupby("modality").size()
    assert (counts["virtual"], counts["in_person"], counts["hybrid"]) == (16, 1, 2)
    at = _mix()
    figure = _charts(at)[-1]
    meetings = next(t for t in figure["data"] if t["name"] == "Reuniones por actividad")
    texts = dict(zip(meetings["y"], meetings["text"], strict=True))
    per_activity = done[done["modality"] == "in_person"]["meetings_held"].sum() / counts["in_person"]
    assert texts["Presencial"].startswith(f"{per_activity:.1f}".replace(".", ",") + " (n = 1)")
    assert texts["Virtual"] == "69,6 (n = 16)"
    # Fewer than 3 activities: faded and said so; the cost panel counts only activities with spend and meetings.
    assert dict(zip(meetings["y"], meetings["marker"]["opacity"], strict=True)) == {
        "Virtual": 1, "Presencial": 0.35, "Híbrida": 0.35}
    cost = next(t for t in figure["data"] if t["name"] == "Costo por reunión (US$ por reunión)")
    assert dict(zip(cost["y"], cost["text"], strict=True))["Virtual"] == f"US$ 165 (n = {costed['virtual']})"
    assert any("menos de 3 actividades" in caption.value for caption in at.caption)
    effect = at.dataframe[-1].value.set_index("Modalidad")
    assert effect.loc["Presencial", "Actividades realizadas"] == "1"
    assert effect.loc["Híbrida", "Actividades con gasto y reuniones"] == str(costed["hybrid"])
    assert effect.loc["Presencial", "Muestra"] == "pequeña: menos de 3 actividades"
    assert effect.loc["Virtual", "Muestra"] == ""


def test_planned_and_done_panels_share_one_scale(app_env):
    activities = _activities(app_env)
    quarters = pd.to_datetime(activities["planned_start"]).dt.to_period("Q")
    busiest = int(activities[activities["status"] != "cancelled"].groupby(quarters).size().max())
    by_period = _charts(_mix())[0]
    planned, done = by_period["layout"]["yaxis"]["range"], by_period["layout"]["yaxis2"]["range"]
    assert planned == done and planned[0] == 0 and busiest <= planned[1] < busiest + 2


def test_the_group_by_switch_sits_over_the_table_it_changes(app_env):
    at = _mix()
    after = _in_order(at.main)
    after = after[next(i for i, node in enumerate(after) if node.type == "button_group"):]
    first_table = next(node for node in after if node.type == "dataframe").value
    assert "Trimestre" in first_table.columns and "T2 2021" in set(first_table["Trimestre"])
    at.segmented_control[0].set_value("month").run(timeout=60)
    after = _in_order(at.main)
    after = after[next(i for i, node in enumerate(after) if node.type == "button_group"):]
    first_table = next(node for node in after if node.type == "dataframe").value
    assert "Mes" in first_table.columns and "jun 2021" in set(first_table["Mes"])
    assert any("sin agrupar por periodo" in caption.value for caption in at.caption)


def test_atacama_first_half_is_mostly_virtual_in_spanish(app_env):
    at = _mix()
    assert at.title[0].value == "Virtual y presencial"
    assert at.segmented_control[0].value == "quarter"

    by_period, share, effectiveness = _charts(at)
    # Planned (top panel), by quarter of planned start: Q1 2021 five virtual; Q2 six virtual,
    # one hybrid, one in person; the second half mostly in person and hybrid.
    virtual, in_person, hybrid = (_bars(by_period, m) for m in ("Virtual", "Presencial", "Híbrida"))
    assert (virtual["T1 2021"], in_person["T1 2021"], hybrid["T1 2021"]) == (5, 0, 0)
    assert (virtual["T2 2021"], in_person["T2 2021"], hybrid["T2 2021"]) == (6, 1, 1)
    assert (virtual["T3 2021"], in_person["T3 2021"], hybrid["T3 2021"]) == (2, 3, 3)
    assert (virtual["T4 2021"], in_person["T4 2021"], hybrid["T4 2021"]) == (1, 4, 0)
    # Done (bottom panel): five of the six virtual ones in Q2; the 2020 e-Roundtables all virtual.
    assert _bars(by_period, "Virtual", "y2")["T2 2021"] == 5
    assert _bars(by_period, "Presencial", "y2")["T2 2021"] == 0
    assert _bars(by_period, "Virtual", "y2")["T3 2020"] == 4
    assert list(virtual)[:3] == ["T2 2020", "T3 2020", "T4 2020"]  # empty quarters are kept

    assert _bars(share, "Virtual")["T1 2021"] == 100
    assert (_bars(share, "Virtual")["T2 2021"], _bars(share, "Presencial")["T2 2021"],
            _bars(share, "Híbrida")["T2 2021"]) == (75, 12.5, 12.5)
    assert _bars(share, "Presencial")["T4 2021"] == 80
    assert share["layout"]["yaxis"]["title"]["text"] == "% de las actividades planificadas"

    # Several plans: the virtual share per half-year as a table.
    halves = at.dataframe[0].value
    atacama = halves[halves["Plan"] == "ProChile Atacama 2021"].set_index("Semestre")
    assert atacama.loc["1.er semestre", "Planificadas"] == "13"
    assert atacama.loc["1.er semestre", "Virtuales"] == "11"
    assert atacama.loc["1.er semestre", "Virtuales (%)"] == "84,6 %"
    assert atacama.loc["2.º semestre", "Virtuales (%)"] == "23,1 %"

    table = at.dataframe[1].value
    q2 = table[(table["Trimestre"] == "T2 2021") & (table["Modalidad"] == "Virtual")].iloc[0]
    assert (q2["Planificadas"], q2["Realizadas"], q2["Participación en planificadas (%)"]) == ("6", "5", "75,0 %")

    # Effectiveness over activities done, both plans: virtual 1.114 meetings in 16 activities.
    assert _panel(effectiveness, "Costo por reunión (US$ por reunión)") == {
        "Virtual": 165, "Presencial": 430, "Híbrida": 157}
    effect = at.dataframe[-1].value.set_index("Modalidad")
    assert list(effect.index) == ["Virtual", "Presencial", "Híbrida"]
    assert effect.loc["Virtual", "Reuniones realizadas"] == "1.114"
    assert effect.loc["Virtual", "Reuniones por actividad"] == "69,6"
    assert effect.loc["Virtual", "Negocios cerrados por reunión (US$ por reunión)"] == "US$ 7.630"
    assert effect.loc["Virtual", "Negocios proyectados 12 meses por reunión (US$ por reunión)"] == "US$ 62.343"
    assert effect.loc["Presencial", "Costo por reunión (US$ por reunión)"] == "US$ 430"
    assert effect.loc["Híbrida", "Exportadores por actividad"] == "17,0"


def test_by_month_in_english_for_one_plan(app_env):
    at = _mix(lang="en", office="ProChile Atacama")
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics == {"Virtual, first half": "84.6 %", "Virtual, second half": "23.1 %"}
    assert "11 of 13 activities planned" in [caption.value for caption in at.caption]

    at.segmented_control[0].set_value("month").run(timeout=60)
    assert not at.exception
    assert "mix_grain" not in at.query_params  # a view choice, not part of a shared link
    by_period, share, effectiveness = _charts(at)
    assert list(_bars(by_period, "Virtual"))[0] == "Jan 2021"
    june = {m: _bars(by_period, m)["Jun 2021"] for m in ("Virtual", "In person", "Hybrid")}
    assert june == {"Virtual": 2, "In person": 1, "Hybrid": 1}
    assert _bars(share, "Hybrid")["Jul 2021"] == 100
    assert by_period["layout"]["xaxis2"]["title"]["text"] == "Period of planned start"

    # Atacama alone: its 10 virtual activities done held 369 meetings.
    effect = at.dataframe[-1].value.set_index("Modality")
    assert effect.loc["Virtual", "Meetings held"] == "369"
    assert effect.loc["Virtual", "Cost per meeting (US$ per meeting)"] == "US$154"
    assert effect.loc["Virtual", "Deals closed (US$)"] == "US$2,800,000"
    assert _panel(effectiveness, "Meetings per activity")["Virtual"] == 36.9


def test_modality_filter_from_the_url(app_env):
    at = _mix(office="ProChile Atacama", modality="Presencial")
    by_period, share, _effectiveness = _charts(at)
    assert _bars(by_period, "Presencial")["T4 2021"] == 4
    assert sum(_bars(by_period, "Virtual").values()) == 0
    assert set(_bars(share, "Presencial").values()) == {100}
    effect = at.dataframe[-1].value
    assert list(effect["Modalidad"]) == ["Presencial"]
    assert effect["Reuniones realizadas"].iloc[0] == "44"


def test_filters_selecting_nothing_show_the_hint(app_env):
    # Every webinar is virtual: no in-person webinar.
    at = _mix(modality="Presencial", type="Webinar")
    assert at.info[0].value == "No hay datos para estos filtros. Pruebe quitando: Modalidad, Tipo de actividad."
    assert not at.get("plotly_chart")
