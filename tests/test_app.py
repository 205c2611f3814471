"""The entrypoint and the overview page under AppTest, on a private copy of the sample plan."""

import ast
import csv
import os
import re
import subprocess
import sys

import pandas as pd
from streamlit.testing.v1 import AppTest

from plan.view import filters, overview
from tests.apptest import APP, card_tooltips, open_page
from tests.conftest import REPO


def _run(**params) -> AppTest:
    return open_page(None, **params)


def _metrics(at: AppTest) -> dict[str, list[str]]:
    shown: dict[str, list[str]] = {}
    for metric in at.metric:
        shown.setdefault(metric.label, []).append(metric.value)
    return shown


def _full_values(at: AppTest, label: str) -> list[str]:
    """The exact figure behind a card's short value (its tooltip's first paragraph)."""
    return [tooltip.split("\n\n")[0] for metric, tooltip in zip(at.metric, card_tooltips(at), strict=True)
            if metric.label == label]


def _tooltips(at: AppTest) -> list[str]:
    return card_tooltips(at)


def _badges(at: AppTest) -> list[str]:
    """Each card's status badge (it leads the line under the card's change)."""
    return [re.match(r":\w+-badge\[[^\]]*\]", m.value).group(0) for m in at.markdown if "-badge[" in m.value]


def test_overview_compares_both_sample_plans_in_spanish(app_env):
    at = _run()
    assert not at.exception
    assert at.title[0].value == "Resumen"
    # One screen: the total's cards, the plans side by side, the late activities; one plan's cards on demand.
    assert [s.value for s in at.subheader] == ["Total (todas las oficinas elegidas)", "Comparación entre planes",
                                               "Actividades atrasadas o en riesgo", "Indicadores de un plan"]
    metrics = _metrics(at)
    # The total, then the plan picked below (the first: Atacama); short figures, exact ones in tooltips (es-CL).
    # Issue 23: the total covers the plans with a target (Atacama's 13 activities: Alianza has no such target;
    # it was 19 against Atacama's target alone), and deals closed add the pisco campaigns' US$ 485.000.
    assert metrics["Actividades realizadas"] == ["13", "13"]
    assert metrics["Negocios cerrados"] == ["MMUS$ 9,8", "MMUS$ 4,1"]
    assert _full_values(at, "Negocios cerrados") == ["US$ 9.815.000", "US$ 4.115.000"]
    assert metrics["Reuniones realizadas"] == ["1.272", "527"]
    assert _full_values(at, "Reuniones realizadas")[0] == "1.272"
    captions = [c.value for c in at.caption]
    assert "El total suma planes de distintos años: 2020, 2021." in captions
    # Issue 23: the total pinned apart above the plans; numbers kept as numbers, the status in its own column.
    total, comparison = at.dataframe[0].value, at.dataframe[1].value
    assert list(total["Plan"]) == ["Total (todas las oficinas elegidas)"]
    assert list(comparison["Plan"]) == ["ProChile Atacama 2021", "Alianza del Pacífico 2020"]
    assert list(comparison["Fecha de corte"]) == ["30-09-2021", "31-12-2020"]
    assert comparison.loc[0, "Exportaciones regionales"] == 5_780_300_000
    assert comparison.loc[0, "Exportaciones regionales · Estado"] == "En meta"
    assert comparison.loc[0, "Actividades realizadas"] == 13
    assert any("Datos tomados de los archivos del plan el" in caption for caption in captions)
    at.selectbox(key="overview-plan").set_value("alianza-pacifico-2020").run(timeout=60)
    assert _metrics(at)["Actividades realizadas"] == ["13", "6"]
    assert _metrics(at)["Reuniones realizadas"] == ["1.272", "745"]


def test_a_note_that_every_card_would_repeat_is_said_once(app_env):
    at = _run(office="Alianza del Pacífico")
    captions = [c.value for c in at.caption]
    assert captions.count("Ningún indicador tiene dato del año anterior para comparar.") == 1
    assert not any("sin dato del año anterior" in caption for caption in captions)


def test_status_compares_with_the_target_at_the_pace_of_the_year(app_env):
    # Atacama at 30-09-2021 (75% of the year): 13 done against 22 planned -> 13/16.5 = 79% (amber);
    # budget US$ 200.900 spent (activities' 120.500 and pisco campaigns' 80.400, issue 23; it counted the
    # activities' alone, a false red) against US$ 186.986 to date -> 107% of the pace (green).
    at = _run(office="ProChile Atacama")
    assert not at.exception
    cards = dict(zip([m.label for m in at.metric], _badges(at), strict=True))
    assert cards["Actividades realizadas"] == ":orange-badge[En riesgo]"
    assert cards["Presupuesto ejecutado"] == ":green-badge[En meta]"
    assert cards["Negocios cerrados"] == ":green-badge[En meta]"
    # Target and year before in each card's tooltip, so the cards stay one row high.
    exports = next(tooltip for tooltip in _tooltips(at) if "5.200.000.000" in tooltip)
    assert exports.startswith("US$ 5.780.300.000\n\nMeta a la fecha: US$ 5.200.000.000 (anual: US$ 5.200.000.000)")
    assert "+27,7 % vs año anterior (US$ 4.525.500.000)" in exports
    assert any("30-09-2021" in c.value for c in at.caption)


def test_late_activities_at_the_status_date(app_env):
    at = _run(office="ProChile Atacama")
    late = at.dataframe[-1].value
    assert list(late["ID"]) == ["ATA-21-06", "ATA-21-10", "ATA-21-14", "ATA-21-19", "ATA-21-20"]
    assert late.loc[0, "Días de atraso"] == "182"
    assert set(late["Estado"]) == {"Planificada", "Postergada"}
    # How late and why come first, beside the title (issue 23 item 14: a phone's first screen showed neither).
    assert list(late.columns[:4]) == ["Días de atraso", "Situación", "Título", "Motivo (notas)"]
    with (app_env / "prochile-atacama-2021" / "activities.csv").open(encoding="utf-8") as file:
        reasons = {row["id"]: row["notes"] for row in csv.DictReader(file)}
    assert list(late["Motivo (notas)"]) == [reasons[key] for key in late["ID"]]
    assert "Postergada a 2022 por restricciones de viaje." in list(late["Motivo (notas)"])


def test_overview_in_english_from_the_url(app_env):
    at = _run(lang="en")
    assert not at.exception
    assert at.title[0].value == "Overview"
    metrics = _metrics(at)
    assert metrics["Deals closed"] == ["US$9.8M", "US$4.1M"]  # with the campaigns' deals (issue 23)
    assert _full_values(at, "Deals closed") == ["US$9,815,000", "US$4,115,000"]
    assert metrics["Meetings held"] == ["1,272", "527"]
    assert "On track" in " ".join(_badges(at))
    assert at.dataframe[-1].value.loc[0, "Status"] == "Planned"


def test_one_office_chosen_in_the_url(app_env):
    at = _run(office="Alianza del Pacífico")
    assert not at.exception
    assert [s.value for s in at.subheader] == ["Alianza del Pacífico 2020", "Actividades atrasadas o en riesgo"]
    assert _metrics(at)["Reuniones realizadas"] == ["745"]
    assert _full_values(at, "Negocios proyectados 12 meses") == ["US$ 54.300.000"]
    assert at.success[0].value == "No hay actividades atrasadas a la fecha de corte."


def test_unknown_url_values_fall_back_with_a_notice(app_env):
    at = _run(office="Narnia", quarter="T9", market="Atlántida")
    assert not at.exception
    notices = " ".join(w.value for w in at.warning)
    assert "office=Narnia" in notices and "quarter=T9" in notices and "market=Atlántida" in notices
    # Defaults: every office's latest plan (the total covers the plans with a target: issue 23).
    assert _metrics(at)["Actividades realizadas"] == ["13", "13"]


def test_filters_that_select_nothing_explain_themselves(app_env):
    at = _run(office="Alianza del Pacífico", modality="Presencial", status="Realizada")
    assert not at.exception
    assert _metrics(at)["Actividades realizadas"] == ["—"]


def test_a_page_opened_directly_runs_inside_the_entrypoint(app_env):
    # AppTest (like the first request of a fresh server) runs page files in the legacy
    # pages/ mode; the page must come back through app.py: sidebar, filters, language.
    at = AppTest.from_file(APP)
    at.query_params["office"] = "ProChile Atacama"
    at.run(timeout=60)
    at.switch_page("pages/progress.py").run(timeout=60)
    assert not at.exception
    assert at.title[0].value == "Avance"
    assert at.sidebar.radio(key="lang").value == "es"
    assert at.sidebar.multiselect(key="office").value == ["ProChile Atacama"]


def test_invalid_csv_keeps_last_good_data_with_a_banner(app_env):
    # First run builds the database; then a CSV on disk gets broken.
    _run()
    activities = app_env / "prochile-atacama-2021" / "activities.csv"
    activities.write_text(activities.read_text(encoding="utf-8").replace(",virtual,", ",virtuall,", 1),
                          encoding="utf-8")
    at = _run()
    assert not at.exception
    assert "error" in at.error[0].value
    assert "activities.csv" in at.code[0].value and "virtuall" in at.code[0].value
    assert "13" in _metrics(at)["Actividades realizadas"]  # last good data still shown


def test_no_valid_plan_at_all_shows_the_errors(app_env):
    (app_env / "prochile-atacama-2021" / "plan.csv").write_text("", encoding="utf-8")
    at = _run()
    assert not at.exception
    assert "plan.csv" in at.code[0].value
    assert not at.metric


def test_data_and_link_text_show_as_written_not_as_markdown(app_env):
    # An office name (data) and a link value (anyone can craft one) must not become bold text or a link.
    plan_csv = app_env / "prochile-atacama-2021" / "plan.csv"
    plan_csv.write_text(plan_csv.read_text(encoding="utf-8").replace(
        "ProChile Atacama,ProChile,", '"ProChile **Atacama** [clic](http://e.cl)",ProChile,', 1), encoding="utf-8")
    at = _run(market="[gane](http://e.cl)")
    rule = next(c.value for c in at.caption if "30-09-2021" in c.value)  # the status rule names each plan's date
    chosen = next(c.value for c in at.caption if c.value.startswith("Planes"))  # the filters in force
    assert r"Planes\: ProChile \*\*Atacama\*\* \[clic\]\(http\://e\.cl\) 2021" in chosen
    assert r"ProChile \*\*Atacama\*\* \[clic\]\(http\://e\.cl\) 2021: 30-09-2021" in rule
    notice = " ".join(w.value for w in at.warning)
    assert r"market=\[gane\]\(http\://e\.cl\)" in notice


def test_a_national_view_defaults_to_each_office_latest_plan_and_says_its_status_dates_once():
    # 16 offices x 10 plan years, as `plan demo --scale national` makes them.
    plans = pd.DataFrame([{"plan_id": f"o{office}-{year}", "office": f"Oficina {office}", "year": year,
                           "as_of": pd.Timestamp(f"{year}-{9 + office % 4}-30")}
                          for office in range(16) for year in range(2012, 2022)])
    latest = filters.chosen_plans(plans, (), ())
    assert len(latest) == 16 and set(latest["year"]) == {2021}  # never ten years added up by default
    assert filters.years_summed(latest) == []
    chosen = filters.chosen_plans(plans, ("Oficina 1",), (2020, 2021))
    assert filters.years_summed(chosen) == [2020, 2021]  # chosen by the person: the total says so
    labels = filters.plan_labels(plans)
    rule = overview.status_rule(latest, labels, "es")
    assert "del 30-09-2021 al 30-12-2021 según el plan" in rule and "Oficina" not in rule  # one line, not 16
    few = overview.status_rule(latest.head(2), labels, "es")
    assert "Oficina 0 2021: 30-09-2021, Oficina 1 2021: 30-10-2021" in few


def test_an_empty_filter_reads_all_in_the_gender_of_its_noun(app_env):
    # "Oficinas: Todos" was wrong Spanish: oficinas and modalidades are feminine.
    at = open_page("pages/overview.py")
    placeholders = {key: at.sidebar.multiselect(key=key).proto.placeholder
                    for key in ("office", "market", "sector", "modality", "type", "status")}
    assert placeholders == {"office": "Todas", "market": "Todos", "sector": "Todos", "modality": "Todas",
                            "type": "Todos", "status": "Todos"}
    at = open_page("pages/overview.py", lang="en")
    assert {at.sidebar.multiselect(key=key).proto.placeholder for key in ("office", "modality", "market")} == {"All"}


def test_the_data_stamp_says_when_in_words_and_no_internal_version(app_env):
    at = open_page("pages/overview.py")
    stamp = [caption.value for caption in at.caption if "archivos del plan" in caption.value]
    assert len(stamp) == 1 and "(UTC)" in stamp[0]
    assert "versión" not in stamp[0] and not re.search(r"[0-9a-f]{12}", stamp[0])  # was "versión 92417778e556"


def test_period_and_dates_each_say_that_both_apply_when_both_are_chosen(app_env):
    at = open_page("pages/overview.py")
    assert "Desde/Hasta" in at.sidebar.selectbox(key="quarter").help and "ambos" in at.sidebar.selectbox(
        key="quarter").help
    assert all("Periodo" in at.sidebar.date_input(key=key).help for key in ("from", "to"))


def test_each_page_has_the_same_name_in_both_languages(app_env):
    # "Mercados" / "Target markets" and "Virtual y presencial" / "Activity mix" named different things.
    titles = {lang: [open_page(f"pages/{page}.py", lang=lang).title[0].value for page in ("markets", "mix")]
              for lang in ("es", "en")}
    assert titles == {"es": ["Mercados objetivo", "Virtual y presencial"],
                      "en": ["Target markets", "Virtual and in person"]}


def test_every_page_repeats_the_filters_in_force_under_its_title(app_env):
    # On a phone the sidebar is hidden: the page itself says which plans and filters it shows.
    def chosen_line(at, start: str) -> list[str]:
        shown = [re.sub(r"\\(.)", r"\1", caption.value) for caption in at.caption]  # as Markdown renders it
        return [text for text in shown if text.startswith(start)]

    for page in ("overview", "progress", "markets", "mix", "pisco", "outcomes"):
        at = open_page(f"pages/{page}.py", quarter="T3 (jul–sep)", market="Reino Unido")
        assert chosen_line(at, "Planes:") == ["Planes: ProChile Atacama 2021, Alianza del Pacífico 2020 · "
                                              "Periodo: T3 (jul–sep) · Mercados: Reino Unido"], page
    at = open_page("pages/mix.py", lang="en")
    assert chosen_line(at, "Plans:") == ["Plans: ProChile Atacama 2021, Alianza del Pacífico 2020"]  # nothing more


def test_the_first_page_loads_no_module_it_does_not_show(app_env):
    # Issue 27: a newcomer's first page in a fresh process pays for every import; the report (its modules and
    # the other pages' tables and charts) is loaded when someone asks for it, not to draw the overview.
    script = ("import sys\nfrom streamlit.testing.v1 import AppTest\n"
              f"at = AppTest.from_file({str(REPO / 'app.py')!r}, default_timeout=120)\nat.run()\n"
              "assert not at.exception, at.exception\n"
              "print(sorted(m for m in sys.modules if m.startswith('plan.')))\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = set(ast.literal_eval(result.stdout.strip().splitlines()[-1]))
    assert "plan.view.overview" in loaded and "plan.view.kpis" in loaded
    assert loaded.isdisjoint({"plan.view.report", "plan.view.mix", "plan.view.progress", "plan.view.outcomes",
                              "plan.view.charts", "plan.edit.editing", "plan.impact"})
