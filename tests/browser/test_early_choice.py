"""In a real browser: a backend chosen on the create form before htmx was ready still adapts the form.

The page's htmx script is held back until the choice is made, as on a slow link
(``static/portal/early-input.js`` replays the lost ``change`` once htmx is ready).
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from portal.models import Backend, Company, User
from stations.models import HardwareTemplate
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


@pytest.mark.parametrize("page", [(1280, 900)], indirect=True, ids=["wide"])
def test_a_template_chosen_before_its_picker_was_bound_draws_the_preview(
    page: Page, live_server: Any, operator: User, company_a: Company
) -> None:
    """htmx binds a swapped-in part only when it settles; a pick inside that gap was lost (the preview
    stayed empty). The settle delay is stretched to a second so the pick surely lands inside it."""
    BackendFactory(name="Depot BE", kind=Backend.Kind.BEENERGISED, company=company_a)  # two: a real choice
    backend = BackendFactory(name="Depot GreenFlux", kind=Backend.Kind.GREENFLUX, company=company_a)
    HardwareTemplate.objects.create(backend=backend, upstream_id="TPL-1", name="Dual AC", evse_templates=[
        {"evse_sequence_number": 1, "connectors": [{"standard": "IEC_62196_T2", "format": "SOCKET",
                                                    "power_type": "AC_3_PHASE"}]}])
    base = live_server.url
    sign_in(page, base, operator.username, PASSWORD)
    page.goto(f"{base}/stations/new/")
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.get_by_label("Backend").select_option(label="Depot GreenFlux")
    expect(page.get_by_label("Charge station id")).to_be_visible()
    page.evaluate("htmx.config.defaultSettleDelay = 1000")

    page.get_by_label("Use a hardware template").click()  # not check(): it would click again if redrawn
    picker = page.get_by_label("Hardware template:", exact=True)
    expect(picker).to_be_visible()
    assert page.locator("#station-form-body.htmx-added").count() == 1  # not bound yet: inside the gap
    picker.select_option(label="Dual AC")

    expect(page.locator("#template-preview h3")).to_contain_text("Dual AC makes 1 EVSE", timeout=5_000)
