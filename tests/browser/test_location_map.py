"""In a real browser: the Leaflet location map (clusters, coloured pins, popups) and its table without JavaScript."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from locations.models import Location
from portal.access import Role
from portal.models import SyncRun
from sync.engine import refresh_run
from simulator.seed import COMPANIES as SIM_COMPANIES
from simulator.testing import SimulatorHandle
from tests.browser.conftest import screenshot, sign_in
from tests.factories import PASSWORD, CompanyFactory, UserFactory
from tests.locations.conftest import mirror_chargeye_locations
from tests.upstream import make_backend

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def estate(simulator: SimulatorHandle) -> str:
    """GreenFlux locations with their stations, and ChargEye locations, of one company; returns the user name."""
    company = CompanyFactory(name="Voltera Fleet", upstream_ref=SIM_COMPANIES[0]["uuid"])
    UserFactory(username="fleet", role=Role.VIEWER, companies=[company])
    greenflux = make_backend(simulator, "greenflux", company, name="GreenFlux")
    for entity in ("locations", "templates", "stations"):
        assert refresh_run(greenflux, entity).status == SyncRun.Status.DONE
    mirror_chargeye_locations(make_backend(simulator, "chargeye", None, name="ChargEye"))
    return "fleet"


# The cluster clicked on is gone from the map (it split, or fanned its pins out).
ZOOMED_IN = "c => !c.isConnected || !!document.querySelector('.leaflet-marker-pane .map-pin')"
# The map is not moving: no zoom (Leaflet) or cluster (markercluster) animation is running.
STILL = "() => !document.querySelector('.leaflet-zoom-anim, .leaflet-cluster-anim')"


def drawn_places(page: Page) -> int:
    """Locations the map shows: single pins plus the numbers on the clusters."""
    pins = page.locator(".leaflet-marker-pane .map-pin").count()
    clusters = page.locator(".leaflet-marker-pane .map-cluster span").all_inner_texts()
    return pins + sum(int(n) for n in clusters)


def test_map_draws_every_location_offline_with_popups(page: Page, live_server: object, estate: str) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(base) else outside.append(r.url))
    sign_in(page, base, estate, PASSWORD)
    page.goto(f"{base}{reverse('locations:list')}")
    region = page.get_by_role("region", name=re.compile("Map of the locations"))
    expect(region).to_be_visible()
    # The Natural Earth outlines are drawn (many country paths), no tile was asked for.
    expect(page.locator(".leaflet-overlay-pane path").nth(50)).to_be_attached()
    expected = Location.objects.filter(company__name="Voltera Fleet", latitude__isnull=False).count()
    assert expected >= 10
    expect(page.locator(".leaflet-marker-pane .leaflet-marker-icon").first).to_be_visible()
    assert drawn_places(page) == expected
    # The table folds away once the map is drawn, still one click away.
    assert page.locator("details.map-table").evaluate("d => d.open") is False
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "location-map")

    # Clicking a cluster zooms in; a pin's popup links to its location.
    cluster = page.locator(".leaflet-marker-pane .map-cluster").first
    for _ in range(6):
        if page.locator(".leaflet-marker-pane .map-pin").count():
            break
        clicked = cluster.element_handle()
        clicked.click()
        # The map zooms in: the clicked cluster gives way to smaller ones or to pins (a fixed pause
        # was too short under load); then it stands still, so the next click lands where it aims.
        page.wait_for_function(ZOOMED_IN, arg=clicked)
        page.wait_for_function(STILL)
        cluster = page.locator(".leaflet-marker-pane .map-cluster").first
    pin = page.locator(".leaflet-marker-pane .map-pin").first
    name = pin.get_attribute("alt") or ""
    pin.click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(re.compile(r"\d+ stations?|No stations"))
    expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")  # it has faded in
    screenshot(page, "location-map-popup")
    popup.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    expect(page.locator(".leaflet-marker-pane .map-pin")).to_have_count(1)  # its own map, one pin
    assert not outside, outside


def test_map_is_a_table_without_javascript(browser: Browser, browser_settings: None, live_server: object,
                                           estate: str) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    for width in (1280, 390):
        context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=False)
        page = context.new_page()
        sign_in(page, base, estate, PASSWORD)
        page.goto(f"{base}{reverse('locations:list')}")
        table = page.get_by_role("table", name="Locations on the map, with their stations’ state")
        expect(table).to_be_visible()
        expected = Location.objects.filter(company__name="Voltera Fleet", latitude__isnull=False).count()
        expect(table.locator("tbody tr")).to_have_count(expected)
        expect(page.locator(".map-canvas")).to_be_hidden()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        screenshot(page, "location-map-no-js")
        context.close()
