"""The report as a PDF (`report --out FILE.pdf`, the sidebar's Descargar PDF), printed by real Chromium.

Text is read back with pypdf: what it extracts is what a reader can select and search."""

import importlib.util
import io
from pathlib import Path

import pypdf
import pytest

from plan.data import database
from plan.model.i18n import t
from plan.model.kpi_definitions import KPIS
from plan.view import overview, queries, report, report_pdf
from plan.view.filters import Filters, plan_labels
from plan.view.report_pdf import CHROMIUM_VARIABLE
from tests.apptest import open_page
from tests.conftest import copy_sample
from tests.test_cli import plain_env, plan

LANGS = ("es", "en")


@pytest.fixture(scope="module")
def printed(tmp_path_factory, chromium: Path) -> dict:
    """The sample's report written as a PDF by the command, once per language, with the database it read."""
    folder = tmp_path_factory.mktemp("pdf")
    data, db = copy_sample(folder / "data"), folder / "plan.duckdb"
    made = {}
    for lang in LANGS:
        out = folder / f"report-{lang}.pdf"
        result = plan("report", data, "--out", out, "--db", db, "--lang", lang,
                      env=plain_env(**{CHROMIUM_VARIABLE: str(chromium)}))
        assert result.returncode == 0, result.stderr
        assert str(out) in result.stdout
        made[lang] = out.read_bytes()
    return {"pdf": made, "db": db}


def pages_text(content: bytes) -> list[str]:
    """Each page's text, its whitespace (a table cell's wrapped lines) made single spaces."""
    return [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(content)).pages]


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_is_numbered_and_carries_the_datas_date(printed, lang):
    content = printed["pdf"][lang]
    assert content.startswith(b"%PDF-")
    pages = pages_text(content)
    assert len(pages) >= 2
    with database.reader(printed["db"]) as con:
        data_date = overview.data_as_of(queries.build_info(con), lang)
    for number, text in enumerate(pages, start=1):
        assert t("pdf_page_of", lang, page=number, pages=len(pages)) in text, (number, text[-300:])
        assert data_date in text, (number, text[-300:])


@pytest.mark.parametrize("lang", LANGS)
def test_the_report_text_is_selectable_in_the_language(printed, lang):
    text = " ".join(pages_text(printed["pdf"][lang]))
    assert t("report_title", lang) in text
    for kpi in KPIS:
        assert t(f"kpi_{kpi.key}", lang) in text, kpi.key
    assert "ATA-21-06" in text  # a late activity of the sample


@pytest.mark.parametrize("lang", LANGS)
def test_charts_are_drawn_as_vectors_with_text_not_pictures(printed, lang):
    """Every chart's title is text in the PDF (so plotly had drawn it when Chromium printed), and no page
    carries a raster image (a chart pasted as a picture would be one)."""
    with database.reader(printed["db"]) as con:
        plans = queries.plans(con)  # the command's default: each office's latest plan, both of the sample's
        chosen = Filters(plan_ids=tuple(plans["plan_id"]))
        titles = [figure.layout.title.text for figure in report.figures(con, chosen, plan_labels(plans), lang)]
    assert len(titles) >= 3
    reader = pypdf.PdfReader(io.BytesIO(printed["pdf"][lang]))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for title in titles:
        assert " ".join(title.replace("<br>", " ").split()) in text, title
    assert [image.name for page in reader.pages for image in page.images] == []


@pytest.mark.parametrize("lang, says", [
    ("es", "no se puede generar el PDF: no existe Chromium en {path} (PLAN_CHROMIUM_PATH)"),
    ("en", "cannot make the PDF: there is no Chromium at {path} (PLAN_CHROMIUM_PATH)"),
])
def test_without_chromium_the_command_says_so_and_writes_nothing(sample_dir, tmp_path, lang, says):
    missing = tmp_path / "no-chromium"
    env = plain_env(**{CHROMIUM_VARIABLE: str(missing)})
    out = tmp_path / "report.pdf"
    result = plan("report", sample_dir, "--out", out, "--db", tmp_path / "plan.duckdb", "--lang", lang, env=env)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert says.format(path=missing) in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == "" and not out.exists() and not (tmp_path / "plan.duckdb").exists()
    # The HTML report still works there.
    html = tmp_path / "report.html"
    result = plan("report", sample_dir, "--out", html, "--db", tmp_path / "plan.duckdb", "--lang", lang, env=env)
    assert result.returncode == 0, result.stderr
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("name, lang, says", [
    ("report.docx", "es", "--out: «{out}» termina en «.docx»; el informe se escribe como .html, .pdf"),
    ("report.docx", "en", "--out: '{out}' ends in '.docx'; the report is written as .html, .pdf"),
    ("report", "es", "--out: «{out}» no tiene extensión; el informe se escribe como .html, .pdf"),
    ("report", "en", "--out: '{out}' has no extension; the report is written as .html, .pdf"),
])
def test_another_extension_is_a_usage_error_naming_it(sample_dir, tmp_path, name, lang, says):
    out = tmp_path / name
    result = plan("report", sample_dir, "--out", out, "--db", tmp_path / "plan.duckdb", "--lang", lang)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert says.format(out=out) in result.stderr and "Traceback" not in result.stderr
    assert not out.exists() and not (tmp_path / "plan.duckdb").exists()


def _sidebar_downloads(at) -> list[str]:
    return [button.proto.label for button in at.sidebar.get("download_button")]


def test_the_sidebar_offers_the_pdf_beside_the_html_report(app_env, monkeypatch, chromium):
    monkeypatch.setenv(CHROMIUM_VARIABLE, str(chromium))
    assert _sidebar_downloads(open_page()) == ["Descargar informe", "Descargar PDF"]
    assert _sidebar_downloads(open_page(lang="en")) == ["Download report", "Download PDF"]


def test_without_chromium_the_sidebar_says_so_instead_of_the_pdf_button(app_env, monkeypatch, tmp_path):
    missing = tmp_path / "no-chromium"
    monkeypatch.setenv(CHROMIUM_VARIABLE, str(missing))
    at = open_page(lang="en")
    assert _sidebar_downloads(at) == ["Download report"]
    said = f"cannot make the PDF: there is no Chromium at {missing} (PLAN_CHROMIUM_PATH); the HTML report still works"
    assert said in [caption.value for caption in at.sidebar.caption]


def test_without_playwright_the_reason_is_said_in_both_languages(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "playwright" else real(name, *a))
    assert report_pdf.unavailable("es").startswith("no se puede generar el PDF: falta el paquete de Python playwright")
    assert report_pdf.unavailable("en").startswith("cannot make the PDF: the Python package playwright is missing")
    with pytest.raises(report_pdf.PdfUnavailable):
        report_pdf.pdf_bytes("<html></html>", "en", "today")


def test_a_chromium_that_does_not_start_is_said_and_nothing_is_written(sample_dir, tmp_path):
    not_a_browser = tmp_path / "chromium"
    not_a_browser.write_text("#!/bin/sh\nexit 3\n", encoding="utf-8")
    not_a_browser.chmod(0o755)
    out = tmp_path / "report.pdf"
    result = plan("report", sample_dir, "--out", out, "--db", tmp_path / "plan.duckdb", "--lang", "en",
                  env=plain_env(**{CHROMIUM_VARIABLE: str(not_a_browser)}))
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert f"cannot make the PDF: Chromium ({not_a_browser}) did not start: " in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == "" and not out.exists()
