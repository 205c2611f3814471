"""The pisco plan page under AppTest on a private copy of the sample: the figures it draws."""

from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from plan.view.charts import STATUS_COLORS
from tests.apptest import figures_by_title, open_page, table_with, trace_named

PAGE = "pages/pisco.py"
DAY_MS = 86_400_000


def _open(**params: str) -> AppTest:
    return open_page(PAGE, **params)


def _metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def _sample(data: Path) -> tuple[pd.DataFrame, int]:
    """Atacama's campaigns (cancelled left out) and its pisco_reach target, read from the CSVs."""
    plan = data / "prochile-atacama-2021"
    campaigns = pd.read_csv(plan / "pisco_campaigns.csv")
    targets = pd.read_csv(plan / "targets.csv")
    reach = targets[(targets["metric"] == "pisco_reach") & targets["market"].isna()]["target"]
    return campaigns[campaigns["status"] != "cancelled"], int(reach.iloc[0])


def test_funnel_measures_reach_against_the_plans_target_and_names_it(app_env):
    campaigns, plan_reach = _sample(app_env)
    at = _open()
    funnel = figures_by_title(at)["Embudo de las campañas: del alcance a los negocios (meta y real)"]
    target = trace_named(funnel, "Meta")
    # One reach target on the page: the plan's (targets.csv, as the overview), not the campaigns' sum.
    assert target["x"][0] == plan_reach == 1_500_000 != campaigns["reach_target"].sum()
    assert funnel["layout"]["yaxis"]["ticktext"][0].endswith(">meta: la del plan</span>")
    share = round(100 * campaigns["reach_actual"].sum() / plan_reach, 1)
    assert trace_named(funnel, "Real")["text"][0] == f" ({share:.1f} %)".replace(".", ",") == " (107,5 %)"
    notes = [caption.value for caption in at.caption]
    assert any("meta anual del plan (targets.csv): 1.500.000" in note and "suman 1.931.000" in note
               for note in notes)
    assert list(table_with(at, "Etapa")["Meta"])[0] == "1.500.000"


def test_funnel_falls_back_to_the_campaigns_sum_when_a_filter_takes_part_of_them(app_env):
    at = _open(market="Japón")
    funnel = figures_by_title(at)["Embudo de las campañas: del alcance a los negocios (meta y real)"]
    assert trace_named(funnel, "Meta")["x"][0] == 5_000  # PIS-21-03's own reach target
    assert funnel["layout"]["yaxis"]["ticktext"][0].endswith(">meta: suma de las campañas</span>")
    assert any("suma de las metas de las campañas: 5.000" in caption.value for caption in at.caption)


def test_funnel_last_step_is_campaigns_with_deals_out_of_campaigns(app_env):
    campaigns, _reach = _sample(app_env)
    funnel = figures_by_title(_open())["Embudo de las campañas: del alcance a los negocios (meta y real)"]
    with_deals = int((campaigns["deals_actual_usd"] > 0).sum())
    assert trace_named(funnel, "Real")["x"][-1] == with_deals == 3
    last = funnel["layout"]["yaxis"]["ticktext"][-1]
    # Out of the 8 campaigns, not out of the 106 meetings (the old "2,8 % de la etapa anterior").
    assert f"{with_deals} de {len(campaigns)} campañas (37,5 %)" in last
    assert "etapa anterior" not in last


def test_targets_chart_labels_campaigns_by_market_with_the_id_in_the_hover(app_env):
    campaigns, _reach = _sample(app_env)
    figure = figures_by_title(_open())["Metas y resultados por campaña"]
    reach_target = figure["data"][0]
    assert reach_target["x"][:3] == ["Estados Unidos", "China", "Japón"]
    assert [row[0] for row in reach_target["customdata"]][:3] == list(campaigns["id"])[:3]
    assert "%{customdata[0]}" in reach_target["hovertemplate"]
    english = figures_by_title(_open(lang="en"))["Targets and results by campaign"]
    assert english["data"][0]["x"][:3] == ["United States", "China", "Japan"]


def test_totals_and_funnel_show_the_sample_campaigns_in_spanish(app_env):
    at = _open()
    assert at.title[0].value == "Plan pisco"
    # Atacama's 8 pisco campaigns: spend of budget, reach and deals as es-CL figures.
    assert _metrics(at) == {"Campañas pisco": "8", "Gasto en campañas": "US$ 80.400",
                            "Alcance logrado": "1.613.200", "Negocios de las campañas": "US$ 485.000"}
    funnel = figures_by_title(at)["Embudo de las campañas: del alcance a los negocios (meta y real)"]
    target, actual = trace_named(funnel, "Meta"), trace_named(funnel, "Real")
    assert target["y"] == ["Alcance (personas)", "Contactos", "Reuniones", "Campañas que cerraron negocios"]
    assert target["x"] == [1_500_000, 600, 200, 8]
    assert actual["x"] == [1_613_200, 355, 106, 3]
    # Each stage says its conversion from the one before; a tiny one keeps two significant digits.
    conversions = [tick.split("<br>")[-1] for tick in funnel["layout"]["yaxis"]["ticktext"][1:]]
    assert ["0,022 %" in conversions[0], "29,9 %" in conversions[1]] == [True] * 2
    shown = table_with(at, "Etapa")
    assert list(shown["% de la meta"]) == ["107,5 %", "59,2 %", "53,0 %", "37,5 %"]


def test_budget_by_market_coloured_by_channel_with_spend(app_env):
    figure = figures_by_title(_open())["Presupuesto y gasto por mercado y canal"]
    bars = [trace for trace in figure["data"] if trace["type"] == "bar"]
    # One bar series per channel, together the whole pisco budget (US$ 182.000).
    assert sum(sum(trace["y"]) for trace in bars) == 182_000
    digital = trace_named(figure, "Presupuesto · Campaña digital")
    assert dict(zip(digital["x"], digital["y"], strict=True)) == {"Estados Unidos": 25_000, "China": 30_000}
    spent = trace_named(figure, "Gastado")
    spent_by_market = dict(zip(spent["x"], spent["y"], strict=True))
    assert spent_by_market["China"] == 29_100
    assert np.isnan(spent_by_market["Alemania"])  # postponed: nothing spent, no marker
    assert figure["layout"]["yaxis"]["title"]["text"] == "US$"


def test_timeline_planned_against_actual_coloured_by_status(app_env):
    figure = figures_by_title(_open())["Calendario de campañas: planificado y real"]
    done = [trace for trace in figure["data"] if trace["name"] == "Realizada"]
    assert {trace["marker"]["color"] for trace in done} == {STATUS_COLORS["done"]}
    planned_span, actual_span = done  # light planned bar first, solid actual bar over it
    assert planned_span["width"] > actual_span["width"]
    row = actual_span["y"].index("PIS-21-02 · China")
    assert actual_span["base"][row] == "2021-04-05"  # started 4 days late, planned 2021-04-01
    assert planned_span["base"][planned_span["y"].index("PIS-21-02 · China")] == "2021-04-01"
    # In progress: the actual bar runs from its start to the plan's status date (30-09-2021).
    ongoing = [trace for trace in figure["data"] if trace["name"] == "En curso"][1]
    row = ongoing["y"].index("PIS-21-04 · Reino Unido")
    assert ongoing["base"][row] == "2021-08-02" and ongoing["x"][row] == 60 * DAY_MS
    assert ongoing["marker"]["color"] == STATUS_COLORS["in_progress"]


def test_targets_against_actuals_per_campaign(app_env):
    figure = figures_by_title(_open())["Metas y resultados por campaña"]
    reach_target, reach_actual = figure["data"][0], figure["data"][1]
    assert reach_target["x"][0] == "Estados Unidos" and reach_target["y"][0] == 500_000
    assert reach_actual["y"][0] == 612_000
    deals_actual = figure["data"][7]
    assert deals_actual["yaxis"] == "y4" and deals_actual["y"][1] == 210_000  # PIS-21-02, US$
    assert [a["text"] for a in figure["layout"]["annotations"]] == [
        "Alcance (personas)", "Contactos comerciales", "Reuniones", "Negocios (US$)"]


def test_campaign_table_in_spanish_and_english(app_env):
    shown = table_with(_open(), "Canal", "Estado")
    first = shown[shown["ID"] == "PIS-21-01"].iloc[0]
    assert first["Mercado"] == "Estados Unidos" and first["Canal"] == "Campaña digital"
    assert first["Presupuesto (US$)"] == "US$ 25.000" and first["Alcance real"] == "612.000"
    assert first["Inicio planificado"] == "01-03-2021" and first["Estado"] == "Realizada"

    at = _open(lang="en")
    assert at.title[0].value == "Pisco plan"
    shown = table_with(at, "Channel", "Status")
    first = shown[shown["ID"] == "PIS-21-01"].iloc[0]
    assert first["Market"] == "United States" and first["Channel"] == "Digital campaign"
    assert first["Budget (US$)"] == "US$25,000" and first["Reach actual"] == "612,000"
    assert first["Planned start"] == "2021-03-01" and first["Status"] == "Done"
    assert _metrics(at)["Campaign spend"] == "US$80,400"
    funnel = figures_by_title(at)["Campaign funnel: from reach to deals (target and actual)"]
    assert trace_named(funnel, "Actual")["y"][-1] == "Campaigns that closed deals"


def test_market_filter_from_the_url(app_env):
    at = _open(market="Japón")
    assert _metrics(at)["Campañas pisco"] == "1"
    shown = table_with(at, "Canal", "Estado")
    assert list(shown["ID"]) == ["PIS-21-03"] and list(shown["Mercado"]) == ["Japón"]
    funnel = figures_by_title(at)["Embudo de las campañas: del alcance a los negocios (meta y real)"]
    assert trace_named(funnel, "Real")["x"] == [4_200, 54, 22, 1]


def test_status_filter_from_the_url(app_env):
    at = _open(status="Realizada")
    assert _metrics(at)["Campañas pisco"] == "3"
    assert set(table_with(at, "Canal", "Estado")["Estado"]) == {"Realizada"}
    funnel = figures_by_title(at)["Embudo de las campañas: del alcance a los negocios (meta y real)"]
    assert trace_named(funnel, "Meta")["x"] == [1_305_000, 330, 85, 3]  # part of the campaigns: their sum
    assert trace_named(funnel, "Real")["x"] == [1_361_200, 323, 96, 3]


def test_plans_without_pisco_campaigns_show_the_empty_state(app_env):
    at = _open(office="Alianza del Pacífico")
    assert at.info and "no tienen datos" in at.info[0].value
    assert not at.get("plotly_chart") and not at.metric and not at.dataframe


def test_filters_that_match_no_campaign_name_the_filter_to_remove(app_env):
    at = _open(market="Japón", status="Planificada")
    assert "Mercados" in at.info[0].value and "Estado" in at.info[0].value
    assert not at.get("plotly_chart")
