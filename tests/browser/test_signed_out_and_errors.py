"""In a real browser: a session that ends under htmx, and the 403, 404 and 500 pages.

* A quick edit sent after the session ended moves the whole page to the
  sign-in form ("You are signed out"); signing in returns to the station page
  with what the user typed back in the field (static/portal/keep-input.js).
* The Network page's minute refresh, once the session is gone, does the same
  (the page's clock is run forward a minute, so the poll is htmx's own).
* 403, 404 and 500 pages inside the layout, each with its reason and a way back.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import Page, expect

from portal.models import Company, User
from simulator.testing import SimulatorHandle
from stations.mapping import apply_greenflux
from stations.models import Station
from tests.browser.conftest import screenshot, sign_in
from tests.factories import PASSWORD, CompanyFactory, StationFactory
from tests.upstream import make_backend, mirror_greenflux_parents

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_the_window(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


@pytest.fixture
def gf_station(simulator: SimulatorHandle, company_a: Company) -> Station:
    backend = make_backend(simulator, "greenflux", company_a)
    mirror_greenflux_parents(backend)
    with backend.connector() as connector:
        record = next(s for s in connector.list_stations().items() if s.evses)
    return apply_greenflux(Station(backend=backend, company=company_a), record)


def test_a_quick_edit_after_the_session_ended_keeps_what_was_typed(
    page: Page, live_server: Any, operator: User, gf_station: Station
) -> None:
    base = live_server.url
    sign_in(page, base, operator.username, PASSWORD)
    page.goto(f"{base}/stations/{gf_station.pk}/")
    field = page.locator("#id_quick-label-value")
    field.fill("Depot typed before sign-out")
    Session.objects.all().delete()  # the session ends while the user is typing
    page.get_by_role("button", name="Save name").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=%2Fstations%2F\d+%2F$"))
    expect(page.get_by_text("You are signed out. Please sign in again.")).to_be_visible()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.locator("#station-actions").count() == 0  # not swapped into the station page
    assert fits_the_window(page)
    screenshot(page, "signed-out-quick-edit")

    page.get_by_label("Username").fill(operator.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/stations/{gf_station.pk}/")
    expect(page.locator("#id_quick-label-value")).to_have_value("Depot typed before sign-out")
    expect(page.get_by_text("What you typed before signing in again is back in this form")).to_be_visible()
    assert Station.objects.get(pk=gf_station.pk).label == gf_station.label  # nothing was sent by itself
    screenshot(page, "signed-out-quick-edit-restored")


def test_the_network_pages_minute_refresh_after_the_session_ended(
    page: Page, live_server: Any, viewer: User
) -> None:
    base = live_server.url
    page.clock.install()
    sign_in(page, base, viewer.username, PASSWORD)
    page.goto(f"{base}/locations/network/")
    expect(page.get_by_role("heading", name="Network", exact=True)).to_be_visible()
    Session.objects.all().delete()
    page.clock.run_for(61_000)  # the page's own "every 60s" poll fires
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=%2Flocations%2Fnetwork%2F"))
    expect(page.get_by_text("You are signed out. Please sign in again.")).to_be_visible()
    screenshot(page, "signed-out-network-refresh")


def test_refused_missing_and_broken_pages_inside_the_layout(
    page: Page, live_server: Any, viewer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = live_server.url
    sign_in(page, base, viewer.username, PASSWORD)
    page.goto(f"{base}/stations/")
    page.goto(f"{base}/stations/new/", referer=f"{base}/stations/")  # a viewer: needs the operator role
    expect(page.get_by_role("heading", name="You can't open this page")).to_be_visible()
    expect(page.get_by_text("This page needs the operator role.")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    assert fits_the_window(page)
    screenshot(page, "error-403")
    page.get_by_role("link", name="Back to the previous page").click()
    expect(page).to_have_url(f"{base}/stations/")

    hidden = StationFactory(company=CompanyFactory(name="Someone else's"))
    page.goto(f"{base}/stations/{hidden.pk}/")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_text("No station found.")).to_be_visible()
    assert fits_the_window(page)
    screenshot(page, "error-404")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret-in-the-error-xyz")

    monkeypatch.setattr("dashboard.views.dashboard_figures", broken)  # the live server runs in-process
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="Something went wrong")).to_be_visible()
    assert "secret-in-the-error-xyz" not in page.content()
    assert fits_the_window(page)
    screenshot(page, "error-500")
    page.get_by_role("link", name="Go to the dashboard").click()  # still broken: the same calm page
    expect(page.get_by_role("heading", name="Something went wrong")).to_be_visible()
