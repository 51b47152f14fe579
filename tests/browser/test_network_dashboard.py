"""In a real browser: the network dashboard with its power chart, sampled from the simulator."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from locations.models import PowerSample
from locations.sampling import network_sample
from portal.access import Role
from portal.models import Company
from simulator.seed import COMPANIES as SIM_COMPANIES
from simulator.testing import SimulatorHandle
from tests.browser.conftest import screenshot, sign_in
from tests.factories import PASSWORD, CompanyFactory, UserFactory
from tests.locations.conftest import mirror_chargeye_locations
from tests.upstream import make_backend

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_shows_the_power_chart_and_lists(page: Page, live_server: object, simulator: SimulatorHandle) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    company: Company = CompanyFactory(name="Voltera Fleet", upstream_ref=SIM_COMPANIES[0]["uuid"])
    UserFactory(username="fleet", role=Role.VIEWER, companies=[company])
    backend = make_backend(simulator, "chargeye", None, name="ChargEye")
    mirror_chargeye_locations(backend)
    now = timezone.now()
    # A day of history: one sample every half hour (the periodic task samples every minute).
    for half_hours in range(47, -1, -1):
        network_sample(backend, now=now - timedelta(minutes=30 * half_hours))
    assert PowerSample.objects.filter(company=company).exists()

    sign_in(page, base, "fleet", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Network").click()
    expect(page.get_by_role("heading", name="Network", exact=True)).to_be_visible()
    # Until the stylesheet has loaded, both drawings (wide and narrow) show: one is hidden by a media query.
    page.wait_for_load_state("load")
    chart = page.get_by_role("img", name="Total charging power, last 24 hours")
    expect(chart).to_be_visible()
    expect(page.get_by_role("heading", name="Hardware errors")).to_be_visible()
    expect(page.get_by_role("heading", name="Recent transactions")).to_be_visible()
    # The chart's text is drawn at a readable size at 1280 and at 390 (a narrow drawing on phones).
    sizes = chart.locator("text").evaluate_all("ts => ts.map(t => t.getBoundingClientRect().height)")
    assert sizes and min(sizes) >= 10, sizes
    page.get_by_text("Show the figures as a table").click()
    expect(page.get_by_role("table", name="Total power, last 24 hours")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    path = screenshot(page, "network-dashboard")
    assert path.stat().st_size > 10_000

    # The range picker: 7 days swaps the chart in place; the URL keeps the choice.
    page.get_by_label("Time range").select_option("7d")
    expect(page).to_have_url(re.compile(r"range=7d"))
    week = page.get_by_role("img", name="Total charging power, last 7 days")
    expect(week).to_be_visible()
    # A custom range: choose Custom, edit the dates, Show.
    page.get_by_label("Time range").select_option("custom")
    start = timezone.localtime(now - timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_role("textbox", name="From (custom range)").fill(start)
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"range=custom"))
    expect(page.get_by_role("img", name=re.compile(r"Total charging power, \d+ \w+,? \d\d:\d\d to "))).to_be_visible()
    screenshot(page, "network-dashboard-custom-range")
    page.get_by_label("Time range").select_option("24h")
    expect(chart).to_be_visible()

    # Filtering by a location swaps the figures in place (htmx) and keeps a shareable URL.
    location = page.get_by_label("Location")
    location.select_option(index=1)
    expect(page).to_have_url(re.compile(r"location=\d+"))
    expect(chart).to_be_visible()
