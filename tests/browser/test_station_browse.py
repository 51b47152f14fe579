"""Browsing stations in a real browser: filter and search the list in place, sort, open a station."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from portal.access import Role
from portal.labels import label
from portal.models import Company
from simulator.testing import SimulatorHandle
from stations.mapping import apply_greenflux
from stations.models import Station
from tests.browser.conftest import screenshot, sign_in
from tests.factories import PASSWORD, LocationFactory, StationFactory, UserFactory
from tests.upstream import make_backend, mirror_greenflux_parents

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def estate(simulator: SimulatorHandle, company_a: Company) -> Station:
    """Sixty stations of company A, one of them mirrored from the simulator with its EVSEs."""
    backend = make_backend(simulator, "greenflux", company_a)
    mirror_greenflux_parents(backend)
    with backend.connector() as connector:
        record = next(s for s in connector.list_stations().items() if s.evses and s.configuration)
    real = apply_greenflux(Station(backend=backend, company=company_a), record)
    Station.objects.filter(pk=real.pk).update(label="Zuidas Hub", status="CHARGING")
    other = make_backend(simulator, "beenergised", company_a, name="be.ENERGISED fleet")
    depot = LocationFactory(company=company_a, backend=backend, name="Depot Noord")
    for i in range(60):
        StationFactory(
            company=company_a,
            backend=other if i % 2 else backend,
            label=f"Depot bay {i:02d}",
            charge_box_identity=f"NL-DEP-{i:03d}",
            status="AVAILABLE" if i % 4 else "OUTOFORDER",
            connectivity="Online" if i % 3 else "Offline",
            location=depot,
            deploy_state="Production",
        )
    real.refresh_from_db()
    return real


def rows(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("#station-results tbody tr")


def fits_the_window(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_filter_search_sort_and_open_a_station(
    page: Page, live_server: object, estate: Station, company_a: Company
) -> None:
    UserFactory(username="fleet", role=Role.VIEWER, companies=[company_a])
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "fleet", PASSWORD)
    page.goto(f"{base}/stations/")
    expect(page.get_by_role("heading", name="Stations", exact=True)).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="61 stations")).to_be_visible()
    expect(rows(page)).to_have_count(50)
    assert fits_the_window(page)
    screenshot(page, "stations-list")

    # A filter narrows the rows in place (no page load) and the URL follows.
    page.evaluate("window.__same_page = true")
    page.get_by_label("Status", exact=True).select_option("OUTOFORDER")
    expect(page).to_have_url(re.compile(r"status=OUTOFORDER"))
    expect(rows(page)).to_have_count(15)
    assert page.evaluate("window.__same_page === true")
    expect(page.locator("#station-results")).to_contain_text("15 stations match")

    # Search on top of it, as one types.
    page.get_by_role("searchbox", name="Search").fill("bay 04")
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("Depot bay 04")
    screenshot(page, "stations-list-filtered")

    # Clear, then sort by label descending from the column header.
    page.get_by_role("searchbox", name="Search").fill("")
    page.get_by_label("Status", exact=True).select_option("")
    expect(rows(page)).to_have_count(50)
    page.locator("#sort-label").click()
    expect(page.locator("th[aria-sort='descending']")).to_contain_text("Label")
    expect(rows(page).first).to_contain_text("Zuidas Hub")
    expect(page.get_by_label("Sort by")).to_have_value("-label")  # the form agrees with the header

    # Next page, keyboard only.
    page.locator("#page-next").focus()
    page.keyboard.press("Enter")
    expect(rows(page)).to_have_count(11)
    expect(page).to_have_url(re.compile(r"after="))

    # Open the station from the list.
    page.goto(f"{base}/stations/?q=zuidas")
    page.get_by_role("link", name="Zuidas Hub").click()
    expect(page.get_by_role("heading", name="Zuidas Hub", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Configuration"))).to_contain_text("read-only")
    connector = estate.evses.first().connectors.first()  # type: ignore[union-attr]
    expect(page.locator("table.connectors").first).to_contain_text(label(connector.standard, "standard"))
    assert fits_the_window(page)
    screenshot(page, "station-detail")


def test_list_works_without_javascript(
    browser,
    live_server: object,
    estate: Station,  # type: ignore[no-untyped-def]
    company_a: Company,
    browser_settings: None,
) -> None:
    UserFactory(username="nojs", role=Role.VIEWER, companies=[company_a])
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "nojs", PASSWORD)
    page.goto(f"{base}/stations/")
    page.get_by_label("Connectivity").select_option("Offline")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"connectivity=Offline"))
    expect(rows(page)).to_have_count(20 + (1 if estate.connectivity == "Offline" else 0))
    expect(page.get_by_label("Connectivity")).to_have_value("Offline")
    # Sorting from a header is a plain link too.
    page.locator("#sort-label").click()
    expect(page).to_have_url(re.compile(r"sort=-label"))
    expect(page.locator("th[aria-sort='descending']")).to_contain_text("Label")
    context.close()
