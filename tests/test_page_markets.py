"""The target markets page under AppTest on a private copy of the sample: real figures on the
map, the ranking, priority coverage and the one-market drill-down; and the offline map files."""

import json
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import open_page, title_of

REPO = Path(__file__).resolve().parent.parent
PAGE = "pages/markets.py"
METRIC_KEY = "markets-metric"
DRILL_KEY = "markets-drill"
TOPOJSON_URL = "/app/static/topojson/"
SAMPLE = REPO / "data"


def _run(**params) -> AppTest:
    return open_page(PAGE, **params)


def _charts(at: AppTest) -> list[tuple[dict, dict]]:
    """(figure, plotly config) of every chart on the page."""
    return [(json.loads(chart.proto.spec), json.loads(chart.proto.config)) for chart in at.get("plotly_chart")]


def _chart(at: AppTest, title_start: str) -> dict:
    found = [figure for figure, _config in _charts(at) if title_of(figure).startswith(title_start)]
    assert len(found) == 1, [title_of(f) for f, _c in _charts(at)]
    return found[0]


def _map_points(figure: dict) -> dict[str, tuple[float, str]]:
    """ISO-3 -> (value, hover text) over the map's choropleth traces."""
    points = {}
    for trace in figure["data"]:
        assert trace["type"] == "choropleth"
        assert trace["locationmode"] == "ISO-3"
        for code, value, text in zip(trace["locations"], trace["z"], trace["text"], strict=True):
            points[code] = (value, text)
    return points


def _ranking(figure: dict) -> dict[str, str]:
    """Country name -> shown value over the ranking's bar traces."""
    return {name: text for trace in figure["data"] for name, text in zip(trace["y"], trace["text"], strict=True)}


def _metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def test_map_and_ranking_show_the_sample_in_spanish(app_env):
    at = _run()
    assert at.title[0].value == "Mercados objetivo"
    figure = _chart(at, "Actividades por mercado")
    points = _map_points(figure)
    # The UK: the e-Roundtable, the AP webinar and Atacama's webinar (the cancelled Macrorrueda left out).
    assert points["GBR"][0] == 3
    hover = points["GBR"][1]
    assert "Reino Unido" in hover and "Mercado prioritario" in hover
    assert "US$ 1.500.000" in hover and "US$ 17.000.000" in hover
    assert "Exportaciones 2021: US$ 21.534.025" in hover
    assert points["CHN"][0] == 6 and "India" in points["IND"][1]
    assert _ranking(_chart(at, "Ranking de mercados: Actividades"))["Reino Unido"] == "3"
    assert any("no se reparten" in caption.value for caption in at.caption)


def _sample_activities() -> pd.DataFrame:
    """Every sample activity not cancelled, with its list of markets, read from the CSVs (not the database)."""
    frame = pd.concat([pd.read_csv(path) for path in sorted(SAMPLE.glob("*/activities.csv"))])
    frame = frame[frame["status"] != "cancelled"]
    return frame.assign(markets=frame["markets"].fillna("").str.split("|"))


def test_deals_of_several_markets_are_not_split_among_them(app_env):
    # China's only single-market activity with deals is ATA-21-13; its roundtables with Japan, Korea and
    # the rest (ATA-21-07, ATA-21-09, PA-20-03) do not say which market closed what. The old page split
    # them evenly and drew China at US$ 1.113.333.
    activities = _sample_activities()
    single = activities[activities["markets"].map(len) == 1]
    several = activities[(activities["markets"].map(len) > 1)
                         & (activities["deals_closed_usd"].notna() | activities["deals_projected_usd"].notna())]
    china_own = single[single["markets"].map(lambda m: m == ["CHN"])]["deals_closed_usd"].sum()
    at = _run()
    at.radio(key=METRIC_KEY).set_value("deals_closed_usd").run(timeout=60)
    points = _map_points(_chart(at, "Negocios cerrados (actividades de un mercado) por mercado"))
    assert points["CHN"][0] == china_own == 180_000
    assert "Con otros mercados: 3 actividades, US$ 3.550.000 cerrados (no atribuibles)" in points["CHN"][1]
    # Costa Rica has deals only from PA-20-02, shared with nine other markets: no figure of its own.
    assert "CRI" not in _ranking(_chart(at, "Ranking de mercados: Negocios cerrados"))
    assert "Costa Rica" not in _ranking(_chart(at, "Ranking de mercados: Negocios cerrados"))
    assert sum(value for value, _hover in points.values()) == single["deals_closed_usd"].sum()
    note = next(c.value for c in at.caption if c.value.startswith("No atribuibles"))
    assert f"{len(several)} actividades de varios mercados" in note  # 6
    assert f"US$ {several['deals_closed_usd'].sum():,.0f}".replace(",", ".") in note  # US$ 7.220.000
    assert f"US$ {several['deals_projected_usd'].sum():,.0f}".replace(",", ".") in note  # US$ 53.800.000


def test_a_market_card_counts_what_its_table_lists_or_says_why(app_env):
    at = _run()
    at.selectbox(key=DRILL_KEY).set_value("CHN").run(timeout=60)
    metrics = _metrics(at)
    activities = next(f.value for f in at.dataframe if "Título" in f.value.columns and "Mercados" in f.value.columns)
    counted = activities[activities["Estado"] != "Cancelada"]
    assert metrics["Actividades (sin canceladas)"] == str(len(counted)) == "6"
    assert len(activities) == 8  # ATA-21-24 and the alliance's Macrorrueda are cancelled
    assert any("La tabla lista 8 actividades: 6 cuentan en las cifras y 2 están canceladas" in c.value
               for c in at.caption)
    assert metrics["Negocios cerrados (actividades solo de este mercado)"] == "US$ 180.000"
    assert any(c.value.startswith("Además, 3 actividades de este y otros mercados cerraron US$ 3.550.000")
               for c in at.caption)


def test_every_map_draws_from_the_served_topojson(app_env):
    at = _run()
    maps = [(figure, config) for figure, config in _charts(at)
            if any(trace["type"] == "choropleth" for trace in figure["data"])]
    assert maps
    for figure, config in maps:
        assert config["topojsonURL"] == TOPOJSON_URL
        # plotly.js fetches <topojsonURL><scope>_<resolution>m.json: that file must be in static/.
        resolution = figure["layout"]["geo"].get("resolution", 110)
        served = REPO / "static" / TOPOJSON_URL.removeprefix("/app/static/") / f"world_{resolution}m.json"
        assert served.is_file()


def test_metric_selector_recolours_map_and_ranking(app_env):
    at = _run()
    at.radio(key=METRIC_KEY).set_value("deals_closed_usd").run(timeout=60)
    assert not at.exception
    points = _map_points(_chart(at, "Negocios cerrados (actividades de un mercado) por mercado"))
    assert points["GBR"][0] == 1_500_000
    assert _ranking(_chart(at, "Ranking de mercados: Negocios cerrados"))["Reino Unido"] == "US$ 1.500.000"

    at.radio(key=METRIC_KEY).set_value("exports_usd").run(timeout=60)
    figure = _chart(at, "Exportaciones (último año) por mercado")
    coloured, grey = [t for t in figure["data"] if t["showscale"]], [t for t in figure["data"] if not t["showscale"]]
    assert "GBR" in coloured[0]["locations"] and "MEX" in grey[0]["locations"]  # Mexico: no export figure
    assert "Reino Unido" in _ranking(_chart(at, "Ranking de mercados: Exportaciones"))
    assert "México" not in _ranking(_chart(at, "Ranking de mercados: Exportaciones"))


def test_english_from_the_url(app_env):
    at = _run(lang="en")
    assert at.title[0].value == "Target markets"
    hover = _map_points(_chart(at, "Activities by market"))["GBR"][1]
    assert "United Kingdom" in hover and "US$1,500,000" in hover and "US$17,000,000" in hover
    at.radio(key=METRIC_KEY).set_value("deals_projected_usd").run(timeout=60)
    assert _ranking(_chart(at, "Markets ranked: Deals projected"))["United Kingdom"] == "US$17,000,000"
    assert any("are not split" in caption.value for caption in at.caption)
    assert any(c.value.startswith("Not attributable to one market: 6 activities") for c in at.caption)


def test_drill_down_into_the_uk(app_env):
    at = _run()
    at.selectbox(key=DRILL_KEY).set_value("GBR").run(timeout=60)
    assert not at.exception
    metrics = _metrics(at)
    assert metrics["Negocios cerrados (actividades solo de este mercado)"] == "US$ 1.500.000"
    assert metrics["Negocios proyectados (actividades solo de este mercado)"] == "US$ 17.000.000"
    assert metrics["Campañas pisco"] == "1"
    frames = [frame.value for frame in at.dataframe]
    activities = next(f for f in frames if "Título" in f.columns and "Mercados" in f.columns)
    assert set(activities["ID"]) == {"PA-20-W1", "PA-20-MR", "PA-20-01", "ATA-21-27"}
    roundtable = activities[activities["ID"] == "PA-20-01"].iloc[0]
    assert roundtable["Negocios cerrados (US$)"] == "US$ 1.500.000"
    assert roundtable["Negocios proyectados 12 meses (US$)"] == "US$ 17.000.000"
    campaigns = next(f for f in frames if "Canal" in f.columns)
    assert list(campaigns["ID"]) == ["PIS-21-04"]
    deals = _chart(at, "Negocios por actividad: Reino Unido")
    assert [trace["x"] for trace in deals["data"]] == [[1_500_000.0], [17_000_000.0]]
    exports = _chart(at, "Exportaciones a Reino Unido por año")
    by_plan = {trace["name"]: dict(zip(trace["x"], trace["y"], strict=True)) for trace in exports["data"]}
    assert by_plan["Alianza del Pacífico 2020"]["2019"] == 2_527_500_000  # +1.1 % on 2018
    assert by_plan["ProChile Atacama 2021"]["2021"] == pytest.approx(21_534_025.24)


def test_priority_markets_without_coverage_are_listed(app_env):
    # Counting only activities done, Germany and Spain (Atacama priorities) have none; Chile is
    # covered without being a priority.
    at = _run(status="Realizada")
    assert _metrics(at)["Prioritario sin cobertura (brecha)"] == "2"
    coverage = next(frame.value for frame in at.dataframe if "Cobertura" in frame.value.columns)
    gaps = coverage[coverage["Cobertura"] == "Prioritario sin cobertura (brecha)"]
    assert list(gaps["Mercado"]) == ["Alemania", "España"]
    assert list(coverage["Mercado"][:2]) == ["Alemania", "España"]  # gaps first
    assert "Chile" in set(coverage[coverage["Cobertura"] == "Cubierto, no prioritario"]["Mercado"])


def test_no_gap_says_so(app_env):
    at = _run()
    assert _metrics(at)["Prioritario sin cobertura (brecha)"] == "0"
    assert at.success and "Todos los mercados prioritarios" in at.success[0].value


def test_market_filter_from_the_url(app_env):
    at = _run(market="Reino Unido")
    assert set(_map_points(_chart(at, "Actividades por mercado"))) == {"GBR"}
    assert at.selectbox(key=DRILL_KEY).value == "GBR"
    assert _metrics(at)["Negocios cerrados (actividades solo de este mercado)"] == "US$ 1.500.000"


def test_office_filter_from_the_url(app_env):
    at = _run(office="Alianza del Pacífico")
    points = _map_points(_chart(at, "Actividades por mercado"))
    assert points["GBR"][0] == 2  # the webinar and the e-Roundtable
    assert "USA" not in points  # an Atacama market only
    at.selectbox(key=DRILL_KEY).set_value("GBR").run(timeout=60)
    assert _metrics(at)["Campañas pisco"] == "0"
    assert any("No hay campañas pisco" in info.value for info in at.info)
    coverage = next(frame.value for frame in at.dataframe if "Cobertura" in frame.value.columns)
    covered_only = set(coverage[coverage["Cobertura"] == "Cubierto, no prioritario"]["Mercado"])
    assert covered_only == {"Chile", "Colombia", "México", "Perú"}  # the alliance's own countries


def test_empty_state_without_error(app_env):
    # India is a market of the Atacama outcomes only: nothing of the alliance's plan is there.
    at = _run(office="Alianza del Pacífico", market="India")
    assert at.info and "Pruebe quitando" in at.info[0].value
    assert not at.get("plotly_chart")
    assert all(selectbox.key != DRILL_KEY for selectbox in at.selectbox)


def test_static_serving_and_topojson_files():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableStaticServing"] is True
    folder = REPO / "static" / "topojson"
    assert "MIT" in (folder / "LICENSE").read_text(encoding="utf-8")
    for name in ("world_110m.json", "world_50m.json"):
        topology = json.loads((folder / name).read_text(encoding="utf-8"))
        assert topology["type"] == "Topology"
        ids = {geometry.get("id") for geometry in topology["objects"]["countries"]["geometries"]}
        assert {"GBR", "CHN", "CHL", "USA"} <= ids
    # Why the map asks for 50m: 110m has no Hong Kong or Singapore, both priority markets.
    world_50m = json.loads((folder / "world_50m.json").read_text(encoding="utf-8"))
    assert {"HKG", "SGP"} <= {g.get("id") for g in world_50m["objects"]["countries"]["geometries"]}
