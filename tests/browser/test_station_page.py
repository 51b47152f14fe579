"""In a real browser: the station page's status, its "will show as synced" message and "Refresh from upstream".

* A GreenFlux station without a status of its own shows the one its EVSEs give.
* After a full edit the "will show as synced" message goes once the station synced (htmx).
* "Refresh from upstream" says when nothing had changed, and what changed otherwise; the heading
  shows a new name in place from that moment.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from portal.models import Backend, Company, User
from simulator.testing import SimulatorHandle
from stations.mapping import apply_greenflux
from stations.models import Station
from tests.browser.conftest import screenshot, sign_in, wait_synced
from tests.factories import PASSWORD
from tests.upstream import make_backend, mirror_greenflux_parents

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SYNCED = 30_000  # ms: the worker and the page's polling both take a moment
# The page's heading at the first moment its actions say the name changed.
NAME_CHANGED_HEADING = """() => {
  const outcome = document.querySelector('.refresh-outcome');
  const heading = document.querySelector('#station-live h1');
  return outcome && outcome.textContent.includes('Name changed') && heading.textContent;
}"""


@pytest.fixture
def gf(simulator: SimulatorHandle, company_a: Company, celery_worker_process: Any) -> Backend:
    backend = make_backend(simulator, "greenflux", company_a)
    mirror_greenflux_parents(backend)
    return backend


@pytest.fixture
def unknown_station(simulator: SimulatorHandle, gf: Backend, company_a: Company) -> Station:
    """A station the upstream reports as UNKNOWN while each of its EVSEs says AVAILABLE."""
    with gf.connector() as connector:
        record = next(s for s in connector.list_stations().items()
                      if len(s.evses) >= 2 and {e.status for e in s.evses} == {"AVAILABLE"})
    simulator.touch_station(record.charge_station_id, status="UNKNOWN")
    with gf.connector() as connector:
        record = connector.get_station(record.charge_station_id)
    assert record.status == "UNKNOWN"
    return apply_greenflux(Station(backend=gf, company=company_a), record)


def test_station_status_synced_message_and_refresh(
    page: Page, live_server: Any, simulator: SimulatorHandle, operator: User, unknown_station: Station
) -> None:
    base = live_server.url
    station = unknown_station
    sign_in(page, base, operator.username, PASSWORD)
    page.goto(f"{base}/stations/{station.pk}/")
    head = page.locator(".station-state")
    expect(head).to_contain_text("Available")
    expect(head).not_to_contain_text("Unknown")
    screenshot(page, "station-page-status")

    # A full edit: the message says it will show as synced, and goes once it did.
    page.get_by_role("link", name="Edit station").first.click()
    page.get_by_label("Charger type").select_option("Business")
    page.get_by_role("button", name="Save changes").click()
    message = page.get_by_text("it will show as synced when the upstream confirms")
    expect(page.locator(".badge.ok", has_text="synced").first).to_be_visible(timeout=SYNCED)
    expect(message).to_be_hidden(timeout=SYNCED)
    wait_synced(page)  # harmless now that the page settles in one swap (test_station_settle.py)
    screenshot(page, "station-page-synced")

    # Refresh from upstream with nothing changed says so.
    page.get_by_role("button", name="Refresh from upstream").click()
    outcome = page.locator(".refresh-outcome")
    expect(outcome).to_contain_text("nothing had changed", timeout=SYNCED)
    screenshot(page, "station-page-refresh-unchanged")

    # ... and names what changed when something did.
    simulator.touch_station(station.charge_box_identity, name="Renamed on GreenFlux")
    page.get_by_role("button", name="Refresh from upstream").click()
    # The heading says the new name the moment the page says what changed: one swap draws both. (A
    # CI run once kept the old heading after "Name changed" until a reload: the redraw read the
    # station before the worker's commit and the refresh's result after it; the page is now drawn
    # from one snapshot, tests/stations/test_station_page_snapshot.py.) Checked on every frame.
    heading_when_changed = page.wait_for_function(NAME_CHANGED_HEADING, polling="raf", timeout=SYNCED)
    assert heading_when_changed.json_value() == "Renamed on GreenFlux"
    expect(page.get_by_role("heading", name="Renamed on GreenFlux")).to_be_visible()
    screenshot(page, "station-page-refresh-changed")
