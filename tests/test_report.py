"""The HTML progress report (`plan.view.report`) and `python -m plan report`: real figures of the
sample in both languages, escaping of data text, plotly.js inlined once, CLI exit codes."""

import datetime as dt
import re
from pathlib import Path

import plotly
import pytest

from plan import outlook
from plan.data import database
from plan.model.i18n import t
from plan.outlook import projection
from plan.view import report, report_options
from plan.view.filters import Filters
from tests.test_cli import plain_env, plan
from tests.test_files import dead_pid

ATACAMA = "prochile-atacama-2021"
ALLIANCE = "alianza-pacifico-2020"
BOTH = (ATACAMA, ALLIANCE)
PLOTLY_JS = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text(encoding="utf-8")


@pytest.fixture
def db(sample_dir: Path, tmp_path: Path) -> Path:
    path = tmp_path / "plan.duckdb"
    database.build(sample_dir, path, derive=outlook.derive)
    return path


def render(db: Path, lang: str, **filters) -> str:
    with database.reader(db) as con:
        return report.render(con, Filters(**filters), lang, now=dt.datetime(2021, 10, 1, 9, 30))


def kpi_row(document: str, label: str) -> str:
    """The first KPI table row whose first cell is `label` (plans compared, else the plan's own)."""
    match = re.search(rf"<tr><td>{re.escape(label)}</td>(.*?)</tr>", document)
    assert match, label
    return match.group(1)


def outside_plotly_js(document: str) -> str:
    # plotly.js itself names cdn.plot.ly (its map topojson default, unused without maps): judge the rest.
    assert document.count(PLOTLY_JS) == 1
    return document.replace(PLOTLY_JS, "")


# --- the document --------------------------------------------------------------------------------


def test_spanish_report_shows_atacamas_figures_and_the_late_activity(db):
    document = render(db, "es", plan_ids=(ATACAMA,))
    assert document.startswith("<!DOCTYPE html>") and '<html lang="es">' in document
    assert '<meta charset="utf-8">' in document
    assert "<h1>Informe de avance del plan de internacionalización</h1>" in document
    assert "<strong>Planes:</strong> ProChile Atacama 2021</p>" in document
    assert ("<strong>Filtros aplicados:</strong> Periodo: Todo el año · Desde: sin límite · Hasta: sin límite · "
            "Mercados: Todos · Sectores: Todos · Modalidad: Todas · Tipo de actividad: Todos") in document  # its gender
    row = kpi_row(document, "Actividades realizadas")
    assert '<td class="number">13</td>' in row and "En riesgo" in row  # 13 of 22, at the 30-09-2021 pace: amber
    # Issue 23: deals closed add the pisco campaigns' (US$ 485.000) to the activities' US$ 3.630.000.
    assert '<td class="number">US$ 4.115.000</td>' in kpi_row(document, "Negocios cerrados")
    late = document.split("<h2>Actividades atrasadas o en riesgo</h2>")[1]
    # How late and why first: 01-04-2021 to the status date 30-09-2021, and the activity's own notes.
    assert ('<td class="number">182</td><td>No iniciada</td><td>Estudio de mercado: servicios a la minería en México'
            '</td><td>Sin inicio registrado a la fecha de corte.</td>') in late
    assert '<td class="code">ATA-21-06</td>' in late
    assert "Datos tomados de los archivos del plan el " in document
    assert "Informe generado el 01-10-2021 09:30 (UTC)" in document
    assert "Alianza del Pacífico" not in document


def test_english_report_formats_numbers_and_words_in_english(db):
    document = render(db, "en", plan_ids=(ATACAMA,))
    assert '<html lang="en">' in document and "<h1>Internationalization plan progress report</h1>" in document
    assert "Period: Whole year · From: no limit · To: no limit · Markets: All" in document
    assert '<td class="number">US$4,115,000</td>' in kpi_row(document, "Deals closed")  # with campaigns' (issue 23)
    assert '<td class="number">1,613,200</td>' in kpi_row(document, "Pisco campaign reach")
    assert "At risk" in kpi_row(document, "Activities done")
    assert '<td class="code">ATA-21-06</td>' in document and "Not started" in document
    assert "US$ 4.115.000" not in document and "Informe" not in document  # (with campaigns: issue 23)


def test_the_filters_line_names_every_choice_in_words(db):
    document = render(db, "en", plan_ids=(ALLIANCE,), quarter=2, date_from=dt.date(2020, 6, 1),
                      markets=("GBR",), sectors=("honey",), modalities=("virtual",), types=("roundtable",),
                      statuses=("done",))
    assert ("Period: Q2 (Apr–Jun) · From: 2020-06-01 · To: no limit · Markets: United Kingdom · Sectors: Honey · "
            "Modality: Virtual · Activity type: Business roundtable · Status: Done") in document
    spanish = render(db, "es", plan_ids=(ALLIANCE,), markets=("GBR", "CRI"), statuses=("done",))
    assert "Mercados: Reino Unido, Costa Rica" in spanish and "Estado: Realizada" in spanish


def test_several_plans_are_compared_side_by_side_with_a_total(db):
    document = render(db, "es", plan_ids=BOTH)
    assert "<h3>Comparación entre planes</h3>" in document
    # Atacama 13, alliance 6 (no target); the status is printed in words, not only colour. Issue 23: the
    # total covers the plans with a target (Atacama's 13; it was 19 against Atacama's target alone).
    # Atacama's year end follows its status (the total's is Atacama's); Alianza's 2020 is closed: none.
    with database.reader(db) as con:
        found = next(p for p in projection.project(con, [ATACAMA]) if p.kpi == "activities_done")
    year_end = f"<br>Al cierre: improbable ({round(100 * found.chance)}\u00a0%)"
    assert kpi_row(document, "Actividades realizadas") == (
        f'<td class="number">13 · <span class="status status-orange">En riesgo</span>{year_end}</td>'
        '<td class="number">6 · <span class="status status-gray">Sin meta</span></td>'
        f'<td class="number">13 · <span class="status status-orange">En riesgo</span>{year_end}</td>')


def test_filters_narrow_the_report_to_the_uk_roundtable(db):
    document = render(db, "en", plan_ids=(ALLIANCE,), markets=("GBR",))
    assert '<td class="number">125</td>' in kpi_row(document, "Meetings held")  # the source document's 125 meetings
    assert '<td class="number">US$1,500,000</td>' in kpi_row(document, "Deals closed")
    assert '<td class="number">US$17,000,000</td>' in kpi_row(document, "Deals projected 12 months")
    assert "No activity is late at the status date." in document


def test_data_text_is_escaped(sample_dir, tmp_path):
    # A title is whatever someone typed in Excel: it must print as text, never run as markup.
    activities = sample_dir / "prochile-atacama-2021" / "activities.csv"
    text = activities.read_text(encoding="utf-8")
    title = "Estudio de mercado: servicios a la minería en México"
    assert text.count(title) == 1
    activities.write_text(text.replace(title, '<script>alert("x")</script> & <b>minería</b>'), encoding="utf-8")
    db = tmp_path / "escaped.duckdb"
    database.build(sample_dir, db, derive=outlook.derive)
    document = render(db, "es", plan_ids=(ATACAMA,))
    assert "<td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;minería&lt;/b&gt;</td>" in document
    assert "<script>alert" not in document and "<b>minería" not in document


def test_plotly_js_is_inlined_once_and_nothing_is_fetched(db):
    document = render(db, "es", plan_ids=BOTH)
    rest = outside_plotly_js(document)
    assert rest.count("Plotly.newPlot(") == 5  # progress, modality mix, exports by year and by sector, deals
    assert "cdn.plot.ly" not in rest and "https://" not in rest and "http://" not in rest
    assert not re.search(r"<script[^>]*\bsrc=", document, re.IGNORECASE)
    assert not re.search(r"<link\b", document, re.IGNORECASE)
    # Only plotly's scripts: its config line, the library, and one call per figure.
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", rest, re.DOTALL)
    assert all(s.strip().startswith(("window.PlotlyConfig", "window.PLOTLYENV")) or s == "" for s in scripts)


def test_the_main_charts_carry_the_plans_figures(db):
    with database.reader(db) as con:
        figures = report.figures(con, Filters(plan_ids=BOTH), {ATACAMA: "Atacama", ALLIANCE: "Alianza"}, "en")
    titles = [figure.layout.title.text.replace("<br>", " ") for figure in figures]
    assert titles == [t("progress_cumulative_title", "en"), t("mix_by_period_title", "en"),
                      t("outcomes_exports_title", "en"), t("outcomes_sector_title", "en", year=2021),
                      t("outcomes_deals_title", "en")]
    progress, mix, exports, sectors, deals = figures
    done = [trace for trace in progress.data if trace.name.endswith(t("progress_done_cumulative", "en"))]
    # One line per plan, each up to its status date: Atacama 13 done, the alliance 6.
    assert sorted(max(v for v in trace.y if v is not None) for trace in done) == [6, 13]
    assert sum(sum(trace.y) for trace in mix.data if trace.yaxis == "y2") == 19  # done, by modality
    atacama = next(trace for trace in exports.data if trace.name == "Atacama")
    assert dict(zip(atacama.x, atacama.y, strict=True))["2021"] == 5_780_300_000
    by_sector = dict(zip(sectors.data[0].y, sectors.data[0].x, strict=True))  # the latest year, 2021
    assert sum(by_sector.values()) == pytest.approx(5_780_300_000) and max(by_sector, key=by_sector.get) == "Mining"
    closed = dict(zip(deals.data[0].y, deals.data[0].x, strict=True))  # labelled by short titles
    assert closed["e-Rueda… Reino Unido"] == 1_500_000  # the UK e-Business Roundtable: US$1.5 million closed
    assert any(hover[0].startswith("PA-20-01 · ") for hover in deals.data[0].customdata)  # its id on hover


def test_no_maps_in_the_report(db):
    # Plotly maps fetch their topojson from a CDN: the report must draw none.
    with database.reader(db) as con:
        figures = report.figures(con, Filters(plan_ids=BOTH), {ATACAMA: "A", ALLIANCE: "B"}, "en")
    assert len(figures) == 5
    assert not {trace.type for figure in figures for trace in figure.data} & {
        "choropleth", "choroplethmap", "choroplethmapbox", "scattergeo", "scattermap", "scattermapbox"}


def test_filename_is_dated_and_in_the_language():
    day = dt.date(2026, 11, 25)
    assert report_options.filename("es", day) == "informe-avance-2026-11-25.html"
    assert report_options.filename("en", day) == "progress-report-2026-11-25.html"
    assert report_options.filename("en").endswith(f"-{dt.date.today().isoformat()}.html")


# --- the command ---------------------------------------------------------------------------------


def test_report_command_builds_the_database_and_writes_the_file(sample_dir, tmp_path):
    out = tmp_path / "out" / "informe.html"
    db = tmp_path / "plan.duckdb"
    result = plan("report", sample_dir, "--out", out, "--db", db)
    assert result.returncode == 0, result.stderr
    assert db.exists()  # built because it was missing
    assert str(out) in result.stdout
    document = out.read_text(encoding="utf-8")
    assert '<html lang="es">' in document and "ProChile Atacama 2021, Alianza del Pacífico 2020" in document
    assert [p.name for p in out.parent.iterdir()] == ["informe.html"]  # no temporary file left behind


def test_report_command_leaves_the_users_hidden_files_beside_the_report(sample_dir, tmp_path):
    # The folder is the user's: only what a killed writer of this same report left goes.
    dead = dead_pid()
    out = tmp_path / "R" / "r.html"
    out.parent.mkdir()
    users = {f".draft.tmp-{dead}.docx": b"borrador", f".informe.html.tmp-{dead}": b"otro informe"}
    for name, raw in users.items():
        (out.parent / name).write_bytes(raw)
    (out.parent / f".r.html.tmp-{dead}").write_bytes(b"<html>a medias")
    result = plan("report", sample_dir, "--out", out, "--db", tmp_path / "plan.duckdb")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.parent.iterdir()) == sorted(["r.html", *users])
    assert {name: (out.parent / name).read_bytes() for name in users} == users


def test_report_command_options_narrow_the_report(sample_dir, tmp_path):
    out = tmp_path / "report.html"
    result = plan("report", sample_dir, "--out", out, "--db", tmp_path / "plan.duckdb", "--lang", "en",
                  "--office", "Alianza del Pacífico", "--market", "Reino Unido", "--status", "Realizada",
                  "--from", "01-06-2020", "--to", "2020-07-31")
    assert result.returncode == 0, result.stderr
    document = out.read_text(encoding="utf-8")
    assert "<strong>Plans:</strong> Alianza del Pacífico 2020</p>" in document
    assert "From: 2020-06-01 · To: 2020-07-31 · Markets: United Kingdom" in document and "Status: Done" in document
    assert '<td class="number">125</td>' in kpi_row(document, "Meetings held")
    assert "Atacama" not in document


def test_report_office_choice_leaves_the_other_office_out(sample_dir, tmp_path):
    out = tmp_path / "report.html"
    result = plan("report", sample_dir, "--out", out, "--db", tmp_path / "plan.duckdb", "--office",
                  "alianza del pacifico", "--year", "2020")  # accents and case ignored
    assert result.returncode == 0, result.stderr
    document = out.read_text(encoding="utf-8")
    assert '<td class="number">745</td>' in kpi_row(document, "Reuniones realizadas")
    assert "Atacama" not in document and "ATA-21" not in document


@pytest.mark.parametrize(("args", "lang", "mentions"), [
    (["--market", "Narnia"], "es", ["--market", "«Narnia»", "ISO-3"]),
    (["--status", "finished"], "en", ["--status", "'finished'", "planned (Planned)", "done (Done)"]),
    (["--sector", "oro", "--type", "party"], "es", ["--sector: «oro»", "pisco (Pisco)", "--type: «party»"]),
    (["--from", "31-02-2021"], "en", ["--from", "'31-02-2021' is not a date that exists"]),
    (["--from", "2021-09-01", "--to", "2021-03-01"], "es", ["--from (2021-09-01)", "--to (2021-03-01)"]),
    (["--office", "ProChile Narnia"], "es", ["--office", "«ProChile Narnia»", "ProChile Atacama"]),
    (["--year", "1999"], "en", ["--year", "'1999'", "2020, 2021"]),
    (["--office", "ProChile Atacama", "--year", "2020"], "en", ["no plan matches", "Alianza del Pacífico 2020"]),
])
def test_unknown_values_exit_2_name_the_option_and_write_nothing(sample_dir, tmp_path, args, lang, mentions):
    out = tmp_path / "report.html"
    out.write_text("previous report", encoding="utf-8")
    result = plan("report", sample_dir, "--out", out, "--db", tmp_path / "plan.duckdb", "--lang", lang, *args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    for word in mentions:
        assert word in result.stderr, (word, result.stderr)
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert out.read_text(encoding="utf-8") == "previous report"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".report")) == []


def test_an_output_path_that_cannot_be_written_exits_2_and_leaves_it_as_it_was(sample_dir, tmp_path):
    folder = tmp_path / "reports.html"  # --out naming a folder, not a file
    folder.mkdir()
    (folder / "old.html").write_text("previous report", encoding="utf-8")
    result = plan("report", sample_dir, "--out", folder, "--db", tmp_path / "plan.duckdb", "--lang", "en")
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert f"--out: cannot write '{folder}'" in result.stderr and "Traceback" not in result.stderr
    assert [p.name for p in folder.iterdir()] == ["old.html"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".reports")) == []


def test_report_of_an_invalid_plan_without_database_exits_1(sample_dir, tmp_path):
    activities = sample_dir / "prochile-atacama-2021" / "activities.csv"
    activities.write_text(activities.read_text(encoding="utf-8").replace(",roundtable,", ",roundtabel,", 1),
                          encoding="utf-8")
    out = tmp_path / "report.html"
    result = plan("report", sample_dir, "--out", out, "--db", tmp_path / "plan.duckdb")
    assert result.returncode == 1
    assert "roundtabel" in result.stderr and not out.exists()


def test_report_help_names_every_option():
    result = plan("report", "--help", env=plain_env())
    assert result.returncode == 0 and result.stdout.startswith("usage: python -m plan report")
    text = " ".join(result.stdout.split())  # argparse wraps lines at the terminal width
    for word in ("--out", "--lang", "--db", "--office", "--year", "--quarter", "--from", "--to", "--market",
                 "--sector", "--modality", "--type", "--status", "ISO-3", "no internet needed", "PLAN_DB_PATH"):
        assert word in text, word


def test_the_report_says_each_year_end(db):
    # The report prints what the cards say: the year end in words in the comparison, in full in each plan's
    # table (median, band, chance), and how the words are decided; Alianza's year (2020) is closed: no outlook.
    with database.reader(db) as con:
        found = next(p for p in projection.project(con, [ATACAMA]) if p.kpi == "activities_done")
    document = render(db, "en", plan_ids=BOTH)
    chance = f"{round(100 * found.chance)}\u00a0%"
    assert f"<br>Year end: unlikely ({chance})</td>" in kpi_row(document, "Activities done")
    assert (f"Year-end projection: 17 (80 % of the simulations between {round(found.quantile(0.1))} and "
            f"{round(found.quantile(0.9))}). Chance of reaching the target of 22: {chance} (unlikely).") in document
    assert "Year end: the chance of reaching the yearly target from 1,000 simulations" in document
    quarter = render(db, "en", plan_ids=BOTH, quarter=3)
    assert "Year end: unlikely" not in quarter and "The year-end projection is for whole plans" in quarter
