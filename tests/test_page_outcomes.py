"""The outcomes page under AppTest on a private copy of the sample: exports, deals, meetings, participants."""

from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from tests.apptest import figures_by_title, open_page, table_with, trace_named

PAGE = "pages/outcomes.py"
UK_EVENT = "e-Rueda… Reino Unido"  # PA-20-01's short title under its bars; the whole one on hover
EXPORTS = "Exportaciones por año y crecimiento anual"
PARTICIPANTS = "Exportadores e importadores por país: solo 1 evento(s) con desglose (PA-20-01)"


def _open(**params: str) -> AppTest:
    return open_page(PAGE, **params)


def _names(trace: dict) -> list:
    """A bar trace's categories: on the y axis when its bars lie across."""
    return trace["y"] if trace.get("orientation") == "h" else trace["x"]


def _points(trace: dict) -> dict:
    values = trace["x"] if trace.get("orientation") == "h" else trace["y"]
    return dict(zip(_names(trace), values, strict=True))


def _event_ids(trace: dict) -> list[str]:
    """The events of a by-event chart, by id (their hover starts `ID · title`)."""
    return [hover[0].split(" · ")[0] for hover in trace["customdata"]]


def test_exports_by_year_with_growth_labels_in_spanish(app_env):
    at = _open()
    assert at.title[0].value == "Resultados"
    figure = figures_by_title(at)[EXPORTS]
    atacama = trace_named(figure, "ProChile Atacama 2021")
    assert _points(atacama)["2020"] == 4_525_500_000
    assert dict(zip(atacama["x"], atacama["text"], strict=True))["2020"] == "+25,0 %"
    assert dict(zip(atacama["x"], atacama["customdata"], strict=True))["2020"][1] == "+US$ 905.100.000"
    assert trace_named(figure, "Alianza del Pacífico 2020")["text"][-1] == "+1,1 %"  # AP exports to the UK, 2019
    shown = table_with(at, "Crecimiento (%)")
    row = shown[(shown["Año"] == "2020") & (shown["Plan"] == "ProChile Atacama 2021")].iloc[0]
    assert row["Crecimiento (%)"] == "25,0 %" and row["Variación (US$)"] == "US$ 905.100.000"


def test_deals_closed_and_projected_stay_separate(app_env):
    at = _open()
    figures = figures_by_title(at)
    by_event = figures["Negocios cerrados y proyectados a 12 meses por evento"]
    closed, projected = trace_named(by_event, "Cerrados"), trace_named(by_event, "Proyectados 12 meses")
    assert _points(closed)[UK_EVENT] == 1_500_000
    assert _points(projected)[UK_EVENT] == 17_000_000
    hover = dict(zip(_names(closed), closed["customdata"], strict=True))[UK_EVENT]
    assert hover[0] == "PA-20-01 · e-Rueda de Negocios Alianza del Pacífico - Reino Unido"
    assert 18_500_000 not in closed["x"] + projected["x"]  # never summed
    assert by_event["layout"]["barmode"] == "group"
    over_time = figures["Negocios acumulados en el tiempo: cerrados y proyectados"]
    cumulative_closed = trace_named(over_time, "Cerrados (acumulado)")
    assert cumulative_closed["x"][0] == "2020-06-23" and cumulative_closed["y"][0] == 1_500_000
    assert cumulative_closed["y"][-1] == sum(v for v in closed["x"] if not np.isnan(v))
    assert trace_named(over_time, "Proyectados 12 meses (acumulado)")["y"][0] == 17_000_000
    shown = table_with(at, "Negocios cerrados (US$)")
    uk = shown[shown["ID"] == "PA-20-01"].iloc[0]
    assert uk["Negocios cerrados (US$)"] == "US$ 1.500.000"
    assert uk["Negocios proyectados 12 meses (US$)"] == "US$ 17.000.000"
    assert uk["Inicio"] == "23-06-2020"


def test_meetings_requested_and_held_per_event(app_env):
    at = _open()
    figure = figures_by_title(at)["Reuniones solicitadas y realizadas por evento"]
    held = trace_named(figure, "Realizadas")
    assert _points(held)[UK_EVENT] == 125
    assert _points(trace_named(figure, "Solicitadas"))[UK_EVENT] == 160
    assert dict(zip(_names(held), held["text"], strict=True))[UK_EVENT] == "78 %"  # 125 of 160
    shown = table_with(at, "Reuniones realizadas")
    uk = shown[shown["ID"] == "PA-20-01"].iloc[0]
    assert (uk["Exportadores"], uk["Importadores"], uk["Reuniones realizadas"]) == ("50", "24", "125")


def test_participants_by_country_of_the_pacific_alliance(app_env):
    at = _open()
    figure = figures_by_title(at)[PARTICIPANTS]
    exporters, importers = figure["data"]
    assert exporters["name"] == "PA-20-01" and exporters["xaxis"] == "x"
    assert _points(exporters) == {"Chile": 15, "Colombia": 13, "México": 10, "Perú": 12}
    assert sum(exporters["y"]) == 50
    assert importers["xaxis"] == "x2" and _points(importers) == {"Reino Unido": 24}
    shown = table_with(at, "País")
    assert list(shown["País"]) == ["Chile", "Colombia", "México", "Perú", "Reino Unido"]
    assert list(shown["Participantes"])[-1] == "Importadores participantes"


def test_outcomes_in_english_from_the_url(app_env):
    at = _open(lang="en")
    assert at.title[0].value == "Outcomes"
    figures = figures_by_title(at)
    atacama = trace_named(figures["Exports by year and yearly growth"], "ProChile Atacama 2021")
    assert dict(zip(atacama["x"], atacama["text"], strict=True))["2020"] == "+25.0 %"
    participants = figures["Exporters and importers by country: only 1 event(s) with a breakdown (PA-20-01)"]
    assert _points(participants["data"][0]) == {"Chile": 15, "Colombia": 13, "Mexico": 10, "Peru": 12}
    assert _points(participants["data"][1]) == {"United Kingdom": 24}
    shown = table_with(at, "Growth (%)")
    assert "US$905,100,000" in set(shown["Change (US$)"]) and "25.0 %" in set(shown["Growth (%)"])
    deals = table_with(at, "Deals closed (US$)")
    assert deals[deals["ID"] == "PA-20-01"].iloc[0]["Deals projected 12 months (US$)"] == "US$17,000,000"


def test_office_filter_from_the_url(app_env):
    at = _open(office="ProChile Atacama")
    figures = figures_by_title(at)
    closed = trace_named(figures["Negocios cerrados y proyectados a 12 meses por evento"], "Cerrados")
    assert {event_id[:4] for event_id in _event_ids(closed)} == {"ATA-"}  # Atacama's events only
    assert "Rueda… proveedores mineros…" in _names(closed)  # ATA-21-04, apart from ATA-21-07 "Rueda… alimentos…"
    exports = figures[EXPORTS]
    assert [trace["name"] for trace in exports["data"]] == ["ProChile Atacama 2021"]
    # Atacama's events report no participants by country: that chart shows the empty state.
    assert not any(title.startswith("Exportadores e importadores por país") for title in figures)
    assert any("no tienen datos" in info.value for info in at.info)


def test_status_filter_keeps_only_events_done(app_env):
    at = _open(status="Realizada")
    held = trace_named(figures_by_title(at)["Reuniones solicitadas y realizadas por evento"], "Realizadas")
    assert "PA-20-01" in _event_ids(held) and "ATA-21-21" not in _event_ids(held)  # in progress
    assert _points(held)[UK_EVENT] == 125


def test_market_without_events_names_the_filter_to_remove(app_env):
    at = _open(market="Japón")
    assert any("Mercados" in info.value for info in at.info)
    assert not any(title.startswith("Exportadores e importadores") for title in figures_by_title(at))


def test_exports_by_sector_and_deals_over_time_read_in_spanish(app_env):
    figures = figures_by_title(_open(office="ProChile Atacama"))
    sectors = figures["Exportaciones por sector, 2021"]["data"][0]
    labelled = dict(zip(sectors["y"], sectors["text"], strict=True))
    # Short figures by the bars (whole on a phone), the exact ones on hover.
    assert labelled["Minería"] == "MMUS$ 5.457" and labelled["Pisco"] == "US$ 832.866"
    assert "US$ 5.457.104.966" in sectors["customdata"]
    over_time = figures["Negocios acumulados en el tiempo: cerrados y proyectados"]["layout"]["xaxis"]
    # Atacama's first event; months named in Spanish (plotly alone writes "Mar 2021")
    assert over_time["ticktext"][0] == "mar 2021"


def _exports(data: Path, plan: str) -> pd.Series:
    """A plan folder's exports per year, summed from its outcomes.csv (not through the database)."""
    outcomes = pd.read_csv(data / plan / "outcomes.csv")
    return outcomes[outcomes["metric"] == "exports_usd"].groupby("year")["value"].sum()


def test_exports_of_different_scopes_are_never_on_one_axis(app_env):
    # Atacama's figures add up seven markets; the alliance's are its exports to the UK alone: the old page
    # drew both as bars of one axis under one title.
    at = _open()
    figure = figures_by_title(at)[EXPORTS]
    atacama = trace_named(figure, "ProChile Atacama 2021")
    alliance = trace_named(figure, "Alianza del Pacífico 2020")
    assert (atacama["xaxis"], atacama["yaxis"]) != (alliance["xaxis"], alliance["yaxis"])
    panels = [annotation["text"].replace("<br>", " ") for annotation in figure["layout"]["annotations"]]
    # The alliance's outcomes hold UK exports for 2018-2019 only: its panel says it has none for its plan's year
    # (every bar was drawn lighter with no word on why).
    assert set(_exports(app_env, "alianza-pacifico-2020").index) == {2018, 2019}
    assert "Alianza del Pacífico 2020: exportaciones a Reino Unido (sin cifra de 2020, el año del plan)" in panels
    markets = pd.read_csv(app_env / "prochile-atacama-2021" / "outcomes.csv").query("metric == 'exports_usd'")
    assert markets["market"].nunique() == 7 and markets["market"].notna().all()
    assert "ProChile Atacama 2021: exportaciones a 7 mercados (Brasil, China, Reino Unido y 4 más)" in panels
    assert _points(atacama) == {str(year): value for year, value in _exports(app_env, "prochile-atacama-2021").items()}


def test_earlier_years_stay_beside_the_plan_year_whatever_plans_are_chosen(app_env):
    # An office whose earlier years live in its earlier plan (as in a national demo, one year per plan):
    # Atacama 2020 holds 2017-2020, Atacama 2021 only 2021. The default view chooses each office's latest
    # plan; the old chart then drew Atacama's one bar, 2021.
    earlier = app_env / "prochile-atacama-2020"
    later = app_env / "prochile-atacama-2021"
    earlier.mkdir()
    plan = (later / "plan.csv").read_text(encoding="utf-8")
    (earlier / "plan.csv").write_text(plan.replace(",2021,2021-09-30,", ",2020,2020-12-31,"), encoding="utf-8")
    header, first = (later / "activities.csv").read_text(encoding="utf-8").splitlines()[:2]
    (earlier / "activities.csv").write_text(
        f"{header}\n{first.replace('ATA-21-01', 'ATA-20-01').replace('2021-', '2020-')}\n", encoding="utf-8")
    outcomes = pd.read_csv(later / "outcomes.csv", dtype=str, keep_default_na=False)
    moved = (outcomes["metric"] == "exports_usd") & (outcomes["year"] != "2021")
    outcomes[moved].to_csv(earlier / "outcomes.csv", index=False)
    outcomes[~moved].to_csv(later / "outcomes.csv", index=False)
    expected = pd.concat([_exports(app_env, "prochile-atacama-2020"), _exports(app_env, "prochile-atacama-2021")])

    at = _open()
    figure = figures_by_title(at)[EXPORTS]
    assert [trace["name"] for trace in figure["data"]] == ["Alianza del Pacífico 2020", "ProChile Atacama 2021"]
    atacama = trace_named(figure, "ProChile Atacama 2021")
    assert _points(atacama) == {str(year): value for year, value in expected.items()}  # 2017-2021
    assert dict(zip(atacama["x"], atacama["text"], strict=True))["2021"] == "+27,7 %"  # 2021 against 2020
    opacity = dict(zip(atacama["x"], atacama["marker"]["opacity"], strict=True))
    assert opacity["2021"] == 1 and all(opacity[year] < 1 for year in ("2017", "2018", "2019", "2020"))
    # Choosing the 2020 plan alone: its years up to 2020, the 2021 plan's year left out.
    at = _open(office="ProChile Atacama", year="2020")
    atacama = trace_named(figures_by_title(at)[EXPORTS], "ProChile Atacama 2020")
    assert list(atacama["x"]) == ["2017", "2018", "2019", "2020"]


def test_participants_say_they_cover_one_event_of_all(app_env):
    activities = pd.concat([pd.read_csv(path) for path in sorted(app_env.glob("*/activities.csv"))])
    at = _open()
    note = next(c.value for c in at.caption if c.value.startswith("Este gráfico cubre solo los 1 evento(s)"))
    assert "50 exportadores y 24 importadores" in note
    assert f"suman {activities['exporters'].sum():,.0f} exportadores".replace(",", ".") in note  # 705
    assert f"y {activities['importers'].sum():,.0f} importadores".replace(",", ".") in note  # 308


def test_event_names_read_across_one_a_line(app_env):
    # Slanted under the bars in half the page's width, a dozen event names ran into each other.
    activities = pd.concat([pd.read_csv(path) for path in sorted(app_env.glob("*/activities.csv"))])
    reported = activities[activities[["meetings_held", "deals_closed_usd", "deals_projected_usd"]].notna().any(axis=1)]
    figures = figures_by_title(_open())
    for title in ("Negocios cerrados y proyectados a 12 meses por evento",
                  "Reuniones solicitadas y realizadas por evento"):
        figure = figures[title]
        assert all(trace["orientation"] == "h" for trace in figure["data"]), title
        names = _names(figure["data"][0])
        assert len(names) == len(set(names)) == len(reported)  # every event once, each its own line
        assert figure["layout"]["yaxis"]["autorange"] == "reversed"  # in date order from the top
        assert figure["layout"]["height"] >= 40 * len(names)


def test_money_axes_are_written_short_as_the_cards_are(app_env):
    # Issue 23 item 11: the exports axis read `6.000.000.000`; its ticks follow the cards' convention, in
    # round steps that cover the largest bar.
    figure = figures_by_title(_open(office="ProChile Atacama"))[EXPORTS]
    axis = figure["layout"]["yaxis"]
    largest = _exports(app_env, "prochile-atacama-2021").max()
    assert axis["tickvals"][0] == 0 and axis["tickvals"][-1] >= largest > axis["tickvals"][-2]
    assert all(text.startswith("MMUS$ ") and "." in text for text in axis["ticktext"][1:]), axis["ticktext"]
    en = figures_by_title(_open(office="ProChile Atacama", lang="en"))
    axis = next(figure for title, figure in en.items() if title.startswith("Exports by year"))["layout"]["yaxis"]
    assert all(text.startswith("US$") and text.endswith("M") for text in axis["ticktext"][1:]), axis["ticktext"]


def test_the_exports_title_and_the_first_panels_title_never_overlap(app_env):
    # Printed, the chart's two-line title ran into the first panel's three-line scope: the title now hangs from
    # the figure's top and the top margin holds the panel's title lines below it.
    layout = figures_by_title(_open())[EXPORTS]["layout"]
    title_lines = layout["title"]["text"].count("<br>") + 1
    panel_lines = layout["annotations"][0]["text"].count("<br>") + 1
    title_top_px = (1 - layout["title"]["y"]) * layout["height"]
    assert layout["title"]["yref"] == "container" and layout["title"]["yanchor"] == "top"
    assert title_top_px + 22 * title_lines <= layout["margin"]["t"] - 18 * panel_lines


def test_a_year_reported_in_part_is_named_so_and_not_compared_with_a_whole_year(app_env):
    # Customs months imported up to June: the 2021 bar is January-June beside whole years; growth against the
    # whole 2020 would read as a fall by half, so it has none, and the overview's target is the same six months.
    outcomes = app_env / "prochile-atacama-2021" / "outcomes.csv"
    text = outcomes.read_text(encoding="utf-8")
    assert text.count("exports_usd,2021,,") >= 2
    outcomes.write_text(text.replace("exports_usd,2021,,", "exports_usd,2021,6,"), encoding="utf-8")
    atacama = trace_named(figures_by_title(_open(office="ProChile Atacama"))[EXPORTS], "ProChile Atacama 2021")
    labels = dict(zip(atacama["x"], atacama["text"], strict=True))
    assert "2021 (ene–jun)" in labels and "2021" not in labels
    assert labels["2021 (ene–jun)"] == "" and labels["2020"] == "+25,0 %"
    overview = open_page(office="ProChile Atacama")
    exports = next(metric for metric in overview.metric if metric.label == "Exportaciones regionales")
    assert exports.delta == "+MMUS$ 3.180"  # 5.780,3 against half the yearly 5.200
