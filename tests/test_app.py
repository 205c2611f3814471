"""The entry page under AppTest, on a private copy of the sample plan: real figures."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def _metrics(at: AppTest) -> dict[str, list[str]]:
    shown: dict[str, list[str]] = {}
    for metric in at.metric:
        shown.setdefault(metric.label, []).append(metric.value)
    return shown


def test_overview_shows_the_sample_figures_in_spanish(app_env):
    at = AppTest.from_file(APP).run(timeout=60)
    assert not at.exception
    assert at.title[0].value == "Plan de Internacionalización"
    metrics = _metrics(at)
    # Atacama (13 done) and the Pacific Alliance roundtables; es-CL number format.
    assert "13" in metrics["Actividades realizadas"]
    assert "US$ 1.500.000" not in metrics["Negocios cerrados"]  # totals, not one event
    assert any(value.startswith("US$ ") and "." in value for value in metrics["Negocios proyectados 12 meses"])
    exports = at.dataframe[0].value
    atacama_2020 = exports[(exports["Año"] == "2020") & exports["Plan"].str.contains("Atacama")].iloc[0]
    assert atacama_2020["Crecimiento (%)"] == "25,0 %"
    assert atacama_2020["Variación (US$)"] == "US$ 905.100.000"
    assert "Datos construidos el" in at.caption[0].value


def test_overview_in_english_from_the_url(app_env):
    at = AppTest.from_file(APP)
    at.query_params["lang"] = "en"
    at.run(timeout=60)
    assert not at.exception
    assert at.title[0].value == "Internationalization plan"
    assert "Activities done" in _metrics(at)
    assert any(v.startswith("US$") and "," in v for v in _metrics(at)["Deals projected 12 months"])
    exports = at.dataframe[0].value
    assert "US$905,100,000" in set(exports["Change (US$)"])
    assert "25.0 %" in set(exports["Growth (%)"])


def test_one_plan_chosen_in_the_url(app_env):
    at = AppTest.from_file(APP)
    at.query_params["plan"] = "Alianza del Pacífico 2020"
    at.run(timeout=60)
    assert not at.exception
    assert [s.value for s in at.subheader] == ["Alianza del Pacífico 2020", "Exportaciones por año"]
    assert _metrics(at)["Reuniones realizadas"] == ["745"]


def test_invalid_csv_keeps_last_good_data_with_a_banner(app_env):
    # First run builds the database; then a CSV on disk gets broken.
    AppTest.from_file(APP).run(timeout=60)
    activities = app_env / "prochile-atacama-2021" / "activities.csv"
    activities.write_text(activities.read_text(encoding="utf-8").replace(",virtual,", ",virtuall,", 1),
                          encoding="utf-8")
    at = AppTest.from_file(APP).run(timeout=60)
    assert not at.exception
    assert "error" in at.error[0].value
    assert "activities.csv" in at.code[0].value and "virtuall" in at.code[0].value
    assert "13" in _metrics(at)["Actividades realizadas"]  # last good data still shown


def test_no_valid_plan_at_all_shows_the_errors(app_env):
    (app_env / "prochile-atacama-2021" / "plan.csv").write_text("", encoding="utf-8")
    at = AppTest.from_file(APP).run(timeout=60)
    assert not at.exception
    assert "plan.csv" in at.code[0].value
    assert not at.metric
