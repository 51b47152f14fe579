"""In a real browser: plan a maintenance window for the stations a station-list search shows, watch each
station's result arrive, and find the windows on the Maintenance page's timeline (1280 and 390 wide)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from maintenance.models import MaintenanceWindow
from portal.models import Backend, User
from sync.engine import refresh_run
from simulator.testing import SimulatorHandle
from stations.models import Station
from tests.browser.conftest import screenshot, sign_in
from tests.factories import PASSWORD
from tests.upstream import make_backend

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def be(simulator: SimulatorHandle, operator: User, celery_worker_process: Any) -> Backend:
    backend = make_backend(simulator, "beenergised", operator.companies.get())
    assert refresh_run(backend, "stations").status == "done"
    return backend


def fits_the_window(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_plan_a_window_from_the_station_list(page: Page, live_server: Any, operator: User, be: Backend) -> None:
    base = live_server.url
    from collections import Counter

    city, expected = Counter(s.label.split()[0] for s in Station.objects.filter(backend=be)).most_common(1)[0]
    assert expected >= 2
    sign_in(page, base, operator.username, PASSWORD)
    page.goto(f"{base}/stations/?q={city}")
    page.get_by_role("link", name="Plan maintenance for these stations").click()
    expect(page.get_by_role("heading", name="Plan maintenance for many stations")).to_be_visible()
    # Nothing is ticked for the user: they tick the stations to plan.
    expect(page.locator("input[name=station]:checked")).to_have_count(0)
    boxes = page.locator("input[name=station]")
    for i in range(boxes.count()):
        boxes.nth(i).check()

    start = timezone.localtime(timezone.now() + timedelta(days=1)).replace(hour=9, minute=0)
    page.get_by_label("Start").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("End").fill((start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Comment").fill("Browser-planned inspection")
    assert fits_the_window(page)
    page.get_by_role("button", name="Review the windows of the ticked stations").click()
    expect(page.get_by_role("heading", name=f"Plan {expected} maintenance windows?")).to_be_visible()
    page.get_by_role("button", name=f"Confirm: plan {expected} windows").click()

    expect(page.get_by_role("heading", name="Maintenance planned")).to_be_visible()
    # Each station's result arrives by itself while the page polls.
    expect(page.locator("#plan-progress [role=status]")).to_contain_text(f"{expected} of {expected} answered", timeout=60_000)
    expect(page.locator(".badge.ok", has_text="planned")).to_have_count(expected)
    assert MaintenanceWindow.objects.filter(sync_state="synced").count() == expected
    screenshot(page, "maintenance-plan-result")

    page.get_by_role("link", name="Maintenance", exact=True).first.click()
    expect(page.locator("svg.timeline-bars")).to_have_count(expected)
    expect(page.locator("table.windows tbody tr")).to_have_count(expected)
    assert fits_the_window(page)
    screenshot(page, "maintenance-timeline")
