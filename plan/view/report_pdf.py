"""The report as a PDF: the HTML report printed by headless Chromium (playwright), A4, charts as vectors.

    unavailable(lang)                  why no PDF can be made here (no playwright, no Chromium), or None
    pdf_bytes(document, lang, data_date) the PDF of an HTML document: every page numbered, the data's date
                                       on each; raises PdfUnavailable
    render(con, filters, lang)         the report of `filters` (report.render) as a PDF, for a page, the
                                       command line or a digest

It sits in view beside the report it prints: it reads nothing but the HTML it is given and writes nothing,
so any caller after view (ui, the command line, a digest) can use it without Streamlit. WeasyPrint runs no
JavaScript, so plotly's charts would need kaleido, which needs Chrome anyway: Chromium prints the charts
as the SVG plotly.js draws, hence vectors and selectable text. The browser is told every request leaving
the document fails (plotly.js is inlined), so printing works offline and reads no other file. One PDF at a
time per process: each one starts a Chromium of ~200 MB.
"""

import html
import importlib.util
import os
import shutil
import tempfile
import threading
from pathlib import Path

from plan.model.i18n import t
from plan.view import overview, queries
from plan.view.filters import Filters

CHROMIUM_VARIABLE = "PLAN_CHROMIUM_PATH"
CHROMIUM_NAMES = ("chromium", "chromium-browser")  # Debian's package, and Ubuntu's name for it
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
                  "--disable-background-networking", "--disable-component-update"]
# A4 less the margins, in CSS pixels (96 per inch): the charts are laid out at the width they are printed.
MARGIN_MM = 14
PRINT_WIDTH_PX = round((210 - 2 * MARGIN_MM) / 25.4 * 96)
CHARTS_DRAWN = """() => [...document.querySelectorAll('.plotly-graph-div')]
    .every(div => div._fullLayout && div.querySelector('svg.main-svg'))"""
CHART_WAIT_MS = 30_000
_ONE_AT_A_TIME = threading.Lock()


class PdfUnavailable(Exception):
    """No PDF can be made on this host: playwright is not installed, Chromium is not found or does not start.
    A message key and its parameters, told in the person's language by `message(lang)`."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key, self.params = key, params

    def message(self, lang: str) -> str:
        return t(self.key, lang, **self.params)


def chromium_path() -> Path | None:
    """$PLAN_CHROMIUM_PATH if set (whether or not it exists), else Debian's `chromium` on the PATH."""
    if os.environ.get(CHROMIUM_VARIABLE):
        return Path(os.environ[CHROMIUM_VARIABLE])
    found = next((shutil.which(name) for name in CHROMIUM_NAMES if shutil.which(name)), None)
    return Path(found) if found else None


def _check() -> Path:
    """The Chromium to start, or PdfUnavailable saying what is missing (without importing playwright)."""
    if importlib.util.find_spec("playwright") is None:
        raise PdfUnavailable("pdf_no_playwright")
    path = chromium_path()
    if path is None:
        raise PdfUnavailable("pdf_no_chromium", variable=CHROMIUM_VARIABLE)
    if not path.is_file():
        raise PdfUnavailable("pdf_chromium_not_found", path=path, variable=CHROMIUM_VARIABLE)
    return path


def unavailable(lang: str) -> str | None:
    """Why this host cannot make a PDF, in `lang`; None when it can (cheap: nothing is started)."""
    try:
        _check()
    except PdfUnavailable as missing:
        return missing.message(lang)
    return None


def _band(text: str) -> str:
    """Chromium's header and footer templates: own font size (its default is unreadably small), no ligatures
    (a searched `fi` must find the text)."""
    return (f'<div style="font-size:8px;color:#555;width:100%;margin:0 {MARGIN_MM}mm;'
            f'font-variant-ligatures:none;">{text}</div>')


def pdf_bytes(document: str, lang: str, data_date: str) -> bytes:
    """The PDF of the HTML `document`: A4, the charts drawn by plotly.js before printing, `data_date` on the
    left and `page N of M` on the right of every page's footer. PdfUnavailable when Chromium cannot be used."""
    path = _check()
    from playwright.sync_api import Error, sync_playwright  # ~0.1 s: only when a PDF is asked for

    footer = _band(f'<span>{html.escape(data_date)}</span><span style="float:right">'
                   + t("pdf_page_of", lang, page='<span class="pageNumber"></span>',
                       pages='<span class="totalPages"></span>') + "</span>")
    with _ONE_AT_A_TIME, sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=str(path), args=CHROMIUM_FLAGS)
        except Error as error:
            raise PdfUnavailable("pdf_chromium_failed", path=path, reason=str(error).splitlines()[0]) from None
        try:
            page = browser.new_page(viewport={"width": PRINT_WIDTH_PX, "height": 1000})
            with tempfile.TemporaryDirectory(prefix="plan-report-") as folder:
                # Opened as a file, not with set_content: Chromium then parses the inlined plotly.js (4.6 MB) as it
                # reads it, which took 2.0 s against 2.7 s through set_content. Nothing else may be fetched.
                opened = Path(folder, "report.html")
                opened.write_text(document, encoding="utf-8")
                page.route("**/*", lambda route: route.continue_()
                           if route.request.url == opened.as_uri() or route.request.url.startswith(("data:", "blob:"))
                           else route.abort())
                page.goto(opened.as_uri(), wait_until="load")
            page.wait_for_function(CHARTS_DRAWN, timeout=CHART_WAIT_MS)
            margin = f"{MARGIN_MM}mm"
            return page.pdf(format="A4", print_background=True, display_header_footer=True,
                            header_template=_band(""), footer_template=footer,
                            margin={"top": margin, "bottom": margin, "left": margin, "right": margin})
        finally:
            browser.close()


def render(con, filters: Filters, lang: str) -> bytes:
    """The report of `filters` in `lang` as a PDF, the data's date (when the database was built) on every page."""
    data_date = overview.data_as_of(queries.build_info(con), lang)
    from plan.view import report  # here: the sidebar asks this module whether a PDF can be made on every page

    return pdf_bytes(report.render(con, filters, lang), lang, data_date)
