"""The dashboard in a real headless Chromium against a real `streamlit run` on 127.0.0.1."""

import pytest

from tests.conftest import save_screenshot

pytestmark = pytest.mark.browser


def test_first_request_on_a_fresh_server_shows_the_overview_offline(server, browser_page):
    # A shared link is often the very first request a freshly started server gets.
    browser_page.goto(server, wait_until="domcontentloaded")
    browser_page.get_by_text("Actividades realizadas").first.wait_for(timeout=30_000)
    assert browser_page.get_by_role("heading", name="Plan de Internacionalización").is_visible()
    assert browser_page.get_by_text("US$ 3.630.000").first.is_visible()  # Atacama's deals closed, es-CL
    save_screenshot(browser_page, "overview-es")
    assert browser_page.outside_requests == []


def test_language_link_opens_in_english(server, browser_page):
    browser_page.goto(f"{server}/?lang=en", wait_until="domcontentloaded")
    browser_page.get_by_text("Activities done").first.wait_for(timeout=30_000)
    assert browser_page.get_by_text("US$3,630,000").first.is_visible()
    save_screenshot(browser_page, "overview-en")
    assert browser_page.outside_requests == []
