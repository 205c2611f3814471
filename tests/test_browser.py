"""The dashboard in a real headless Chromium against a real `streamlit run` on 127.0.0.1.

Every request leaving 127.0.0.1 is refused and recorded (`browser_page.outside_requests`):
the dashboard must work with no internet. Screenshots of every page in both languages are
saved under test-artifacts/.
"""

import re
from pathlib import Path

import pypdf
import pytest

from tests.conftest import REPO, save_screenshot

pytestmark = pytest.mark.browser

PAGES = {"overview": ("Resumen", "Overview"), "progress": ("Avance", "Progress"),
         "markets": ("Mercados objetivo", "Target markets"), "mix": ("Virtual y presencial", "Virtual and in person"),
         "pisco": ("Plan pisco", "Pisco plan"), "outcomes": ("Resultados", "Outcomes"),
         "impact": ("Impacto", "Impact")}
# A page's link in the screenshot tour beyond the language: Impact shows one plan, the one with firm-level data.
TOUR_FILTERS = {"impact": "&office=ProChile+Atacama"}
TIMEOUT = 30_000


IDLE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return !!app && app.dataset.testConnectionState === "CONNECTED" && app.dataset.testScriptState === "notRunning"
        && !document.querySelector('[data-testid="stSkeleton"], [data-testid="stStatusWidget"]');
}"""


def _wait_ready(page) -> None:
    """Streamlit finished its runs: connected, its script state `notRunning` (the attribute Streamlit's
    own browser tests wait on) and no placeholder left, and still so a moment later, since a widget bound
    to the URL may ask for one more run right after the first. Conditions, so a busy machine only waits
    longer."""
    page.locator("h1").first.wait_for(timeout=TIMEOUT)
    for _confirmation in range(3):
        page.wait_for_function(IDLE, timeout=TIMEOUT)
        page.wait_for_timeout(100)
    page.wait_for_function(IDLE, timeout=TIMEOUT)


def _metric_values(page) -> list[str]:
    page.locator('[data-testid="stMetricValue"]').first.wait_for(timeout=TIMEOUT)
    return page.locator('[data-testid="stMetricValue"]').all_inner_texts()


def test_a_shared_deep_link_as_the_first_request_of_a_fresh_server(server, browser_page):
    # The very first request a freshly started server gets is a deep link to a page, with filters.
    browser_page.goto(f"{server}/progress?office=ProChile+Atacama&lang=en", wait_until="domcontentloaded")
    browser_page.get_by_role("heading", name="Progress", exact=True).wait_for(timeout=TIMEOUT)
    _wait_ready(browser_page)
    navigation = browser_page.locator('[data-testid="stSidebarNav"]')
    for _es, en in PAGES.values():
        assert navigation.get_by_text(en, exact=True).count() == 1
    sidebar = browser_page.locator('[data-testid="stSidebar"]')
    assert sidebar.get_by_text("ProChile Atacama").first.is_visible()  # the office filter kept
    assert "office=ProChile+Atacama" in browser_page.url and "lang=en" in browser_page.url
    assert browser_page.title() == "Progress · Internationalization plan"
    assert browser_page.outside_requests == []


def test_a_filter_goes_into_the_url_and_the_url_restores_it(server, browser_page):
    browser_page.goto(server, wait_until="domcontentloaded")
    _wait_ready(browser_page)
    before = _metric_values(browser_page)
    sidebar = browser_page.locator('[data-testid="stSidebar"]')
    sidebar.locator('[data-testid="stMultiSelect"]').filter(has_text="Oficinas").locator("input").click()
    browser_page.get_by_role("option", name="Alianza del Pacífico").click()
    browser_page.keyboard.press("Escape")
    browser_page.wait_for_url(re.compile(r"office=Alianza"), timeout=TIMEOUT)
    _wait_ready(browser_page)
    chosen = _metric_values(browser_page)
    assert chosen != before and "745" in chosen  # the alliance's meetings held, alone
    url = browser_page.url
    browser_page.goto(url, wait_until="domcontentloaded")  # reopening the copied link
    _wait_ready(browser_page)
    assert _metric_values(browser_page) == chosen
    assert browser_page.outside_requests == []


def test_the_language_toggle_switches_everything_and_keeps_it_in_the_url(server, browser_page):
    browser_page.goto(server, wait_until="domcontentloaded")
    _wait_ready(browser_page)
    assert "MMUS$ 4,1" in _metric_values(browser_page)  # Atacama's deals closed, with its campaigns' (issue 23)
    browser_page.locator('[data-testid="stSidebar"]').get_by_text("en", exact=True).click()
    browser_page.wait_for_url(re.compile(r"lang=en"), timeout=TIMEOUT)
    browser_page.get_by_role("heading", name="Overview", exact=True).wait_for(timeout=TIMEOUT)
    _wait_ready(browser_page)
    assert "US$4.1M" in _metric_values(browser_page)
    assert browser_page.locator('[data-testid="stSidebarNav"]').get_by_text("Target markets").count() == 1


VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
AXE_SCRIPT = REPO / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def serious_accessibility_violations(page) -> list[str]:
    """axe-core's serious and critical WCAG A/AA violations on the page as drawn, one line each."""
    if not AXE_SCRIPT.exists():
        pytest.fail(f"axe-core is not installed at {AXE_SCRIPT} (make test runs: npm ci --prefix tests/axe)")
    page.add_script_tag(path=str(AXE_SCRIPT))
    violations = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations", AXE_RULES)
    return [f"{v['id']} ({v['impact']}, {len(v['nodes'])}x): {v['help']}; e.g. {v['nodes'][0]['target']}: "
            f"{v['nodes'][0]['failureSummary']}" for v in violations if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("lang", ["es", "en"])
def test_every_page_draws_offline_passes_axe_and_is_screenshotted(editor_server, browser_page, lang, viewport):
    browser_page.set_viewport_size(VIEWPORTS[viewport])
    index = 0 if lang == "es" else 1
    pages = {**PAGES, "editor": ("Editar el plan", "Edit the plan")}
    violations = {}
    for path, titles in pages.items():
        address = "" if path == "overview" else path  # the overview is the home page, at /
        browser_page.goto(f"{editor_server}/{address}?lang={lang}{TOUR_FILTERS.get(path, '')}",
                          wait_until="domcontentloaded")
        browser_page.get_by_role("heading", name=titles[index], exact=True).wait_for(timeout=TIMEOUT)
        _wait_ready(browser_page)
        if path not in ("overview", "editor"):
            browser_page.locator(".js-plotly-plot").first.wait_for(timeout=TIMEOUT)
        assert browser_page.locator('[data-testid="stException"]').count() == 0, path
        assert browser_page.get_by_text("Page not found").count() == 0, path  # every documented link exists
        save_screenshot(browser_page, f"{path}-{lang}-{viewport}")
        violations[path] = serious_accessibility_violations(browser_page)
    assert {path: found for path, found in violations.items() if found} == {}
    assert browser_page.outside_requests == []


def _downloaded(server: str, page, button: str, folder) -> Path:
    """What the sidebar's `button` downloads for Atacama's view, saved into `folder` under its suggested name."""
    page.goto(f"{server}/?office=ProChile+Atacama", wait_until="domcontentloaded")
    _wait_ready(page)
    with page.expect_download(timeout=TIMEOUT) as download:
        page.get_by_role("button", name=button).click()
    saved = folder / download.value.suggested_filename
    download.value.save_as(saved)
    return saved


def test_the_report_download_is_a_self_contained_file_of_the_current_view(server, browser_page, tmp_path):
    saved = _downloaded(server, browser_page, "Descargar informe", tmp_path)
    assert saved.name.startswith("informe-avance-") and saved.suffix == ".html"
    html = saved.read_text(encoding="utf-8")
    # Atacama's deals closed (activities' US$ 3.630.000 and pisco campaigns' 485.000: issue 23), a late activity.
    assert "US$ 4.115.000" in html and "ATA-21-06" in html
    assert "Alianza del Pacífico 2020" not in html  # the office filter of the view
    # Opened from disk with the network refused, the report draws its charts.
    browser_page.goto(saved.as_uri())
    browser_page.locator(".js-plotly-plot").first.wait_for(timeout=TIMEOUT)
    assert browser_page.locator(".js-plotly-plot").count() >= 3
    assert [u for u in browser_page.outside_requests if not u.startswith("file://")] == []


def test_the_pdf_download_is_the_report_of_the_current_view(server, browser_page, tmp_path):
    """Descargar PDF builds the PDF on the click (headless Chromium on the server) and the browser saves it."""
    saved = _downloaded(server, browser_page, "Descargar PDF", tmp_path)
    assert saved.name.startswith("informe-avance-") and saved.suffix == ".pdf"
    assert saved.read_bytes().startswith(b"%PDF-")
    text = " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(saved).pages)
    assert "US$ 4.115.000" in text and "ATA-21-06" in text and "Página 1 de " in text
    assert "Alianza del Pacífico 2020" not in text  # the office filter of the view
    assert browser_page.outside_requests == []


def test_the_world_map_draws_country_shapes_with_no_internet(server, browser_page):
    shapes = []
    browser_page.on("request", lambda request: shapes.append(request.url) if "topojson" in request.url else None)
    browser_page.goto(f"{server}/markets", wait_until="domcontentloaded")
    _wait_ready(browser_page)
    drawn = browser_page.locator(".js-plotly-plot .choroplethlocation")
    drawn.first.wait_for(timeout=TIMEOUT)
    assert drawn.count() >= 20  # every market of the sample plans gets its shape
    assert shapes and all(url.startswith(server + "/app/static/topojson/") for url in shapes)
    save_screenshot(browser_page, "markets-map")
    assert browser_page.outside_requests == []


def _done_activities(page) -> str:
    """The overview's first "Actividades realizadas" card (every plan)."""
    card = page.locator('[data-testid="stMetric"]').filter(has_text="Actividades realizadas").first
    return card.locator('[data-testid="stMetricValue"]').inner_text()


def _wait_focus(page, selector: str) -> None:
    """Keys go to the focused element: until `selector` has the focus they would be lost."""
    page.wait_for_function("(selector) => !!document.activeElement?.matches(selector)", arg=selector,
                           timeout=TIMEOUT)


def _pick_in_grid(page, right: int, down: int, choice: str) -> None:
    """In the editor's grid (a canvas): from the first row's ID cell move to a select cell and choose.
    Each step waits for what it needs (the page idle, the grid focused, the editor focused, the option
    listed), so a busy machine only makes it slower. The grid focuses its canvas a frame after the click
    (requestAnimationFrame): arrows pressed before that frame reach <body> and the editor opens on the
    wrong column."""
    _wait_ready(page)
    box = page.locator('[data-testid="stDataFrameResizable"]').bounding_box()
    page.mouse.click(box["x"] + 60, box["y"] + 55)
    _wait_focus(page, '[data-testid="stDataFrameResizable"] canvas[data-testid="data-grid-canvas"]')
    for _ in range(right):
        page.keyboard.press("ArrowRight")
    for _ in range(down):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    _wait_focus(page, "#portal input[role=combobox]")
    page.keyboard.type(choice)
    page.locator("#portal [role=option]").filter(has_text=choice).first.wait_for(timeout=TIMEOUT)
    page.keyboard.press("Enter")


def test_a_viewer_link_has_no_editor_and_the_editor_link_asks_for_the_password(server, editor_server,
                                                                                browser_page):
    for url in (server, editor_server):
        browser_page.goto(url, wait_until="domcontentloaded")
        _wait_ready(browser_page)
        navigation = browser_page.locator('[data-testid="stSidebarNav"]')
        assert navigation.get_by_text("Resumen", exact=True).count() == 1
        assert navigation.get_by_text("Editar el plan").count() == 0
    browser_page.goto(f"{server}/editor", wait_until="domcontentloaded")
    _wait_ready(browser_page)
    assert browser_page.get_by_text("Este enlace es de solo lectura").is_visible()
    assert browser_page.locator('[data-testid="stDataFrameResizable"]').count() == 0
    browser_page.goto(f"{editor_server}/editor", wait_until="domcontentloaded")
    _wait_ready(browser_page)
    assert browser_page.get_by_label("Contraseña de edición").is_visible()
    assert browser_page.locator('[data-testid="stDataFrameResizable"]').count() == 0
    save_screenshot(browser_page, "editor-password-es")
    browser_page.goto(f"{editor_server}/editor?lang=en", wait_until="domcontentloaded")
    _wait_ready(browser_page)
    assert browser_page.get_by_label("Editor password").is_visible()
    save_screenshot(browser_page, "editor-password-en")
    assert browser_page.outside_requests == []


def test_an_editor_changes_a_status_and_the_overview_counts_it(editor_server, browser_page):
    from tests.conftest import EDITOR_PASSWORD

    browser_page.goto(editor_server, wait_until="domcontentloaded")
    _wait_ready(browser_page)
    before = _done_activities(browser_page)
    browser_page.goto(f"{editor_server}/editor", wait_until="domcontentloaded")
    _wait_ready(browser_page)
    browser_page.get_by_role("textbox", name="Su nombre").fill("Ana")
    browser_page.get_by_label("Contraseña de edición").fill(EDITOR_PASSWORD)
    browser_page.get_by_role("button", name="Entrar a editar").click()
    browser_page.locator('[data-testid="stDataFrameResizable"]').wait_for(timeout=TIMEOUT)
    _wait_ready(browser_page)
    save_screenshot(browser_page, "editor-es")
    assert serious_accessibility_violations(browser_page) == []  # the editor itself, past its password
    assert browser_page.get_by_role("combobox", name="Plan", exact=True).input_value() == "ProChile Atacama 2021"
    try:
        _pick_in_grid(browser_page, right=4, down=20, choice="Realizada")  # ATA-21-21: en curso -> realizada
        # Anchored: "Sin cambios pendientes" (nothing edited yet) must not end the wait.
        browser_page.get_by_text(re.compile("^Cambios pendientes")).wait_for(timeout=TIMEOUT)
    except Exception:
        save_screenshot(browser_page, "editor-pick-failed-es")  # which cell the keys reached, for the reader
        raise
    save_screenshot(browser_page, "editor-pending-es")
    browser_page.get_by_role("button", name="Guardar cambios").click()
    browser_page.get_by_text("Guardado data/prochile-atacama-2021/activities.csv").wait_for(timeout=TIMEOUT)
    browser_page.get_by_role("tab", name="Historial").click()
    browser_page.get_by_text("Ana (con contraseña)").first.wait_for(state="attached", timeout=TIMEOUT)
    save_screenshot(browser_page, "editor-history-es")
    browser_page.locator('[data-testid="stSidebarNav"]').get_by_text("Resumen", exact=True).click()
    _wait_ready(browser_page)
    assert int(_done_activities(browser_page)) == int(before) + 1
    assert browser_page.outside_requests == []


# --- Open pages follow a save (plan.ui.live): no click, no reload ---------------------------------------------------

FOLLOW_TIMEOUT = 60_000  # a save reaches an open page in seconds (the benchmark measures it); generous here


def _shows_done(page, count: int) -> None:
    """Wait, without touching the page, until its "Actividades realizadas" card reads `count`."""
    page.wait_for_function(
        """(count) => [...document.querySelectorAll('[data-testid="stMetric"]')]
            .find((card) => card.textContent.includes("Actividades realizadas"))
            ?.querySelector('[data-testid="stMetricValue"]')?.innerText === String(count)""",
        arg=count, timeout=FOLLOW_TIMEOUT)


def _filters_as_they_were(page) -> None:
    """A page rerun by the server keeps its filters as drawn: the period still reads "Todo el año" (it once
    showed Streamlit's English placeholder, "Choose an option", after a rerun the browser did not ask for)."""
    period = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"] input').first
    assert period.input_value() == "Todo el año"


def test_pages_open_on_two_replicas_show_a_save_without_input(sample_dir, store_url, browser_page, tmp_path):
    from plan.cli import main
    from plan.data.store_postgres import PostgresStore
    from plan.serve.replicas import replicas
    from tests.test_replicas import save_done

    assert main(["store", "push", str(sample_dir), "--url", store_url]) == 0
    with replicas(2, sample_dir, tmp_path / "replicas", {"PLAN_STORE_URL": store_url}) as served:
        tabs = [browser_page, browser_page.context.new_page()]
        for tab, replica in zip(tabs, served.servers, strict=True):
            tab.goto(replica.url, wait_until="domcontentloaded")
            _wait_ready(tab)
        before = [int(_done_activities(tab)) for tab in tabs]
        assert before[0] == before[1]
        store = PostgresStore.from_url(store_url)
        try:  # ATA-21-21 done, saved as replica 1's editor page saves: checked, into the store, with history
            save_done(tmp_path / "editor-copy", store, "guardado por la réplica 1")
        finally:
            store.close()
        for tab in tabs:
            _shows_done(tab, before[0] + 1)
            _filters_as_they_were(tab)
        save_screenshot(tabs[1], "followed-save-replica2")
    assert browser_page.outside_requests == []


def test_an_open_page_shows_a_hand_edit_of_the_csv_files(tmp_path, browser_page):
    from tests.conftest import serve_sample

    servers = serve_sample(tmp_path, "hand-edit")
    server = next(servers)
    try:
        browser_page.goto(server, wait_until="domcontentloaded")
        _wait_ready(browser_page)
        before = int(_done_activities(browser_page))
        path = tmp_path / "hand-edit" / "data" / "prochile-atacama-2021" / "activities.csv"
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(line.replace(",in_progress,", ",done,", 1) if line.startswith("ATA-21-21,") else line
                                for line in lines), encoding="utf-8")  # in progress, no end date: done is valid
        _shows_done(browser_page, before + 1)
        _filters_as_they_were(browser_page)
    finally:
        servers.close()
    assert browser_page.outside_requests == []
