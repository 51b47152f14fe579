"""In a real browser (1280 and 390 wide): add an EVSE with two connectors to a GreenFlux station and retire
another, then plan a maintenance window for be.ENERGISED stations from the station list."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from portal.models import Backend, User
from sync.engine import refresh_run
from simulator.testing import SimulatorHandle
from stations.models import Station
from tests.browser.conftest import screenshot, sign_in
from tests.factories import PASSWORD
from tests.upstream import make_backend, mirror_greenflux_parents

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def backends(simulator: SimulatorHandle, operator: User, celery_worker_process: Any) -> tuple[Backend, Backend]:
    company = operator.companies.get()
    gf = make_backend(simulator, "greenflux", company)
    mirror_greenflux_parents(gf)
    be = make_backend(simulator, "beenergised", company)
    assert refresh_run(gf, "stations").status == "done" and refresh_run(be, "stations").status == "done"
    return gf, be


def fits_the_window(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_add_an_evse_retire_another_and_plan_maintenance(page: Page, live_server: Any, operator: User,
                                                         backends: tuple[Backend, Backend]) -> None:
    gf, be = backends
    station = next(s for s in Station.objects.filter(backend=gf).exclude(etag="").order_by("pk")
                   if s.evses.exclude(status="REMOVED").count() >= 2)
    evses = station.evses.count()
    base = live_server.url
    sign_in(page, base, operator.username, PASSWORD)
    page.goto(f"{base}/stations/{station.pk}/")
    page.get_by_role("link", name="Change EVSEs and connectors").click()

    # A new EVSE appears in place with the focus on its first field; it gets a second connector.
    page.get_by_role("button", name="Add EVSE").click()
    new = page.get_by_role("group", name=f"New EVSE {evses + 1}", exact=True)
    expect(new).to_be_visible()
    expect(page.locator(f"#id_evse-{evses}-evse_id")).to_be_focused()
    page.get_by_role("button", name=f"Add connector to EVSE {evses + 1}").click()
    page.locator(f"#id_evse-{evses}-conn-1-standard").select_option("IEC_62196_T2_COMBO")
    page.locator(f"#id_evse-{evses}-conn-1-format").select_option("CABLE")
    page.locator(f"#id_evse-{evses}-conn-1-power_type").select_option("DC")
    page.locator(f"#id_evse-{evses}-conn-1-voltage").fill("500")
    page.locator(f"#id_evse-{evses}-conn-1-amperage").fill("125")
    page.locator(f"#id_evse-{evses}-conn-1-max_electric_power").fill("50")
    page.locator("#id_evse-1-retire").check()
    assert fits_the_window(page)
    screenshot(page, "station-hardware-form")
    page.get_by_role("button", name="Save EVSE changes").click()

    expect(page.locator(".badge.ok", has_text="synced").first).to_be_visible(timeout=60_000)
    page.reload()
    expect(page.locator("h3 .badge", has_text="retired")).to_have_count(1)
    expect(page.locator("section[aria-labelledby=evses-heading] .card.evse")).to_have_count(evses + 1)
    assert fits_the_window(page)
    screenshot(page, "station-hardware-result")

    # Then maintenance for the be.ENERGISED stations of the list's search.
    label = Station.objects.filter(backend=be).order_by("label").first().label
    page.goto(f"{base}/stations/?q={label}")
    page.get_by_role("link", name="Plan maintenance for these stations").click()
    start = timezone.localtime(timezone.now() + timedelta(days=2)).replace(hour=7, minute=30)
    page.get_by_label("Start").fill(start.strftime("%d/%m/%Y %H:%M"))
    page.get_by_label("End").fill((start + timedelta(hours=2)).strftime("%d/%m/%Y %H:%M"))
    page.get_by_label("Comment").fill("Swap the RFID reader")
    page.locator("input[name=station]").first.check()  # nothing is ticked for the user
    page.get_by_role("button", name="Review the windows of the ticked stations").click()
    page.get_by_role("button", name="Confirm: plan 1 window").click()
    expect(page.locator("#plan-progress [role=status]")).to_contain_text("answered", timeout=10_000)
    expect(page.locator(".badge.ok", has_text="planned").first).to_be_visible(timeout=60_000)
    assert fits_the_window(page)
