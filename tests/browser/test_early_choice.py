"""In a real browser: a backend chosen on the create form before htmx was ready still adapts the form.

The page's htmx script is held back until the choice is made, as on a slow link
(``static/portal/early-input.js`` replays the lost ``change`` once htmx is ready).
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from portal.models import Backend, Company, User
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, BackendFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
HTMX = "/static/django_htmx/htmx-2.min.js"


@pytest.mark.parametrize("page", [(1280, 900)], indirect=True, ids=["wide"])
def test_a_backend_chosen_before_htmx_was_ready_adapts_the_form(
    page: Page, live_server: Any, operator: User, company_a: Company
) -> None:
    BackendFactory(name="Depot BE", kind=Backend.Kind.BEENERGISED, company=company_a)
    BackendFactory(name="Depot GreenFlux", kind=Backend.Kind.GREENFLUX, company=company_a)
    base = live_server.url
    sign_in(page, base, operator.username, PASSWORD)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    held: list[Route] = []
    page.route(f"**{HTMX}", lambda route: held.append(route))  # answered below, after the choice
    choices: list[str] = []
    page.on("request", lambda r: choices.append(r.url) if r.method == "POST" and "action=choices" in
            (r.post_data or "") else None)
    with page.expect_request(f"**{HTMX}"):
        page.goto(f"{base}/stations/new/", wait_until="commit")
    page.get_by_label("Backend").select_option(label="Depot BE")
    assert page.evaluate("typeof window.htmx") == "undefined"  # the choice really came first
    assert held, "the htmx script request was not intercepted"
    held[0].continue_()

    expect(page.get_by_role("heading", name="be.ENERGISED station")).to_be_visible()
    expect(page.get_by_label("Charge box identity")).to_be_visible()
    assert len(choices) == 1  # one request for the one choice

    # Later choices go through htmx as usual; the redrawn form does not send one of its own.
    page.get_by_label("Backend").select_option(label="Depot GreenFlux")
    expect(page.get_by_label("Charge station id")).to_be_visible()
    assert len(choices) == 2
