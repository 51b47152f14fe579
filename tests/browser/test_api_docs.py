"""In a real browser: the footer's links open Swagger UI and Redoc, served by the portal itself under
its Content-Security-Policy (no CDN), Swagger UI's "Try it out" calls the API with the session, and
Redoc's search works."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from portal.models import User
from tests.browser.conftest import screenshot, sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def test_the_footer_opens_swagger_ui_and_redoc_offline(page: Page, live_server: Any, operator: User) -> None:
    base = live_server.url
    outside: list[str] = []  # answers from anywhere but the portal
    page.on("response", lambda response: outside.append(response.url) if not response.url.startswith(
        (base, "data:", "blob:")) else None)
    refused: list[str] = []
    # Redoc's bundle always draws Redocly's logo from its CDN (our template hides the link around it):
    # the portal's policy refuses that image, and nothing else.
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text and LOGO not in message.text else None)
    sign_in(page, base, operator.username, PASSWORD)
    page.get_by_role("contentinfo").get_by_role("link", name="REST API").click()
    stations = page.locator("#operations-stations-stations_list")
    expect(stations).to_be_visible(timeout=60_000)
    stations.locator(".opblock-summary").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(stations.locator(".live-responses-table tr.response .response-col_status").first).to_contain_text(
        "200", timeout=15_000)
    screenshot(page, "api-swagger-ui")
    page.goto(base + "/")  # the dashboard, back to a portal page (Swagger UI keeps its place in the URL)
    page.get_by_role("contentinfo").get_by_role("link", name="API reference").click()
    expect(page.get_by_role("heading", name="Charging portal API").first).to_be_visible(timeout=60_000)
    expect(page.get_by_text("/api/v1/stations/").first).to_be_attached()
    if page.viewport_size["width"] >= 1000:  # narrower, Redoc keeps its menu and search behind a button
        page.get_by_placeholder("Search...").fill("refresh")  # searched by Redoc's worker, which the policy allows
        expect(page.get_by_role("search").get_by_role("menuitem", name="stations_refresh_create")).to_be_visible()
        expect(page.get_by_role("link", name="API docs by Redocly")).to_be_hidden()  # its logo is on a CDN
    assert outside == [], outside  # every script, style and font came from the portal
    assert refused == [], refused
