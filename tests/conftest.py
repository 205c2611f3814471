"""Shared fixtures: copies of the sample plan, a real `streamlit run` server, headless Chromium."""

import hashlib
import shutil
from pathlib import Path

import pytest

from plan.bench.postgres import LocalPostgres, PostgresMissing
from plan.cli import main as cli_main
from plan.data.store_postgres import PostgresStore
from plan.serve.server import serve

REPO = Path(__file__).resolve().parent.parent
SAMPLE_DATA = REPO / "data"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def copy_sample(target: Path) -> Path:
    """The bundled sample plan's CSVs (no built database) in a folder of the test's own."""
    shutil.copytree(SAMPLE_DATA, target, ignore=shutil.ignore_patterns("*.duckdb*"))
    return target


@pytest.fixture
def sample_dir(tmp_path: Path) -> Path:
    return copy_sample(tmp_path / "data")


@pytest.fixture
def app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app at a private copy of the sample plan and database."""
    data = copy_sample(tmp_path / "data")
    monkeypatch.setenv("PLAN_DATA_DIR", str(data))
    monkeypatch.setenv("PLAN_DB_PATH", str(tmp_path / "plan.duckdb"))
    return data


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's chromium; missing is a failure (never a skip that would hide the browser tests)."""
    if not CHROMIUM.exists():
        pytest.fail("Debian chromium is not installed (make test installs it when run as root)")
    return CHROMIUM


@pytest.fixture(scope="session")
def postgres_server():
    """Debian's PostgreSQL on 127.0.0.1 for the whole session; missing or failing to start is a failure."""
    try:
        server = LocalPostgres()
    except PostgresMissing as missing:
        pytest.fail(f"{missing} (make test installs it when run as root)")
    with server:
        yield server


@pytest.fixture
def store_url(postgres_server, request) -> str:
    """A new, empty database of the session's server, for this test alone."""
    name = "test_" + hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:20]
    return postgres_server.create_database(name)


EDITOR_PASSWORD = "pisco-sour-1"  # the editor password of `editor_server`


def serve_sample(tmp_path: Path, name: str, **settings: str):
    """A freshly started `streamlit run app.py` on 127.0.0.1 over a copy of the sample plan, with
    no editor credential from the environment unless `settings` gives one."""
    folder = tmp_path / name
    data = copy_sample(folder / "data")
    with serve(data, folder / "plan.duckdb", folder / "server.log", settings) as running:
        yield running.url


@pytest.fixture
def server(tmp_path: Path):
    """A shared link's server: no editor credential set up, so read-only."""
    yield from serve_sample(tmp_path, "viewer")


@pytest.fixture
def editor_server(tmp_path: Path):
    """A hosted app whose editors know the password `EDITOR_PASSWORD`."""
    yield from serve_sample(tmp_path, "editor", PLAN_EDITOR_PASSWORD=EDITOR_PASSWORD)


@pytest.fixture
def browser_page(chromium: Path):
    """A Chromium page that refuses (and records) any request leaving 127.0.0.1."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_FLAGS)
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        page.outside_requests = []

        def guard(route):
            if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "file:")):
                route.continue_()
            else:
                page.outside_requests.append(route.request.url)
                route.abort()

        page.context.route("**/*", guard)  # every page of its context: a test may open a second tab
        yield page
        browser.close()


def save_screenshot(page, name: str) -> Path:
    """The whole page as a person scrolls it. Streamlit scrolls inside its own container, which a
    full-page screenshot does not see, so the viewport is stretched to the content's height for the shot."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    viewport = page.viewport_size
    height = page.evaluate("() => Math.max(...[...document.querySelectorAll("
                           "'[data-testid=stMain], [data-testid=stAppViewContainer]')].map(e => e.scrollHeight), 0)")
    page.set_viewport_size({"width": viewport["width"], "height": min(max(height, viewport["height"]), 8000)})
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(viewport)
    return path


@pytest.fixture
def connect():
    """Stores (each its own pool of connections, as two processes would have) closed after the test."""
    opened = []

    def open_store(url: str) -> PostgresStore:
        opened.append(PostgresStore.from_url(url))
        return opened[-1]

    yield open_store
    for store in opened:
        store.close()


@pytest.fixture
def pushed(sample_dir, store_url, connect):
    """The sample plan pushed into a new store; opens more stores on it."""
    def push(url: str = store_url) -> PostgresStore:
        assert cli_main(["store", "push", str(sample_dir), "--url", url]) == 0
        return connect(url)

    return push
