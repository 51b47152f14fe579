"""In a real browser: the Imports page's help names only what an operator can see."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from portal.models import Company, User
from simulator.testing import SimulatorHandle
from tests.browser.conftest import screenshot, sign_in
from tests.factories import PASSWORD
from tests.upstream import make_backend

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_imports_help_names_what_an_operator_can_see(
    page: Page, live_server: Any, simulator: SimulatorHandle, operator: User, company_a: Company
) -> None:
    make_backend(simulator, "greenflux", company_a, name="GreenFlux depot network")
    make_backend(simulator, "beenergised", company_a, name="be.ENERGISED fleet")
    base = live_server.url
    sign_in(page, base, operator.username, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Imports").click()
    help_text = page.locator("#format ~ *").all_inner_texts()
    text = " ".join(help_text)
    # Names first: an id is only asked for where two locations share a name (the export writes it there).
    assert "Backends page" not in text and "use its id" not in text
    table = page.get_by_role("region", name="Where your stations can go", exact=True)
    expect(table).to_contain_text("GreenFlux depot network")
    expect(table).to_contain_text("be.ENERGISED fleet")
    expect(table).to_contain_text(company_a.name)
    # Each place the help points to is a page this operator can open.
    for name in ("Models", "Locations", "New station"):
        link = page.locator("#format + p").get_by_role("link", name=name)
        expect(link).to_be_visible()
        assert page.request.get(base + link.get_attribute("href")).status == 200
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.locator("#format").scroll_into_view_if_needed()
    screenshot(page, "imports-help")
