"""At 390 px: the admin's navigation is compact (it took four rows, 225 px, above every page) and the Network
page's figure cards leave room for the page (they took a whole screen, one under another)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from portal.models import User
from tests.browser.conftest import screenshot, sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("page", [(390, 844)], indirect=True)
def test_navigation_and_network_cards_are_compact_at_390(page: Page, live_server: object, admin_user: User) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, admin_user.username, PASSWORD)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_visible()
    header = page.locator("header.topbar").bounding_box()
    assert header and header["height"] < 130, header
    # Every link is still there and reachable: the last one scrolls into view and opens its page.
    nav.get_by_role("link", name="Audit").click()
    expect(page).to_have_url(f"{base}/audit/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    page.goto(f"{base}/locations/network/")
    cards = page.locator("main .cards").first.bounding_box()
    assert cards and cards["height"] < 0.5 * 844, cards
    screenshot(page, "network-narrow")
