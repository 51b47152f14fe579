"""In a real browser: create a GreenFlux station with two EVSEs, edit it, meet a conflict and resolve it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from portal.models import Backend, User
from simulator.testing import SimulatorHandle
from stations.models import Station
from tests.browser.conftest import screenshot, sign_in, wait_synced
from tests.factories import PASSWORD
from tests.upstream import make_backend, mirror_greenflux_parents

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SYNCED = 30_000  # ms: the worker and the page's polling both take a moment


@pytest.fixture
def gf(simulator: SimulatorHandle, operator: User, celery_worker_process: Any) -> Backend:
    backend = make_backend(simulator, "greenflux", operator.companies.get())
    mirror_greenflux_parents(backend)
    return backend


def fits_the_window(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_create_edit_and_resolve_a_conflict(
    page: Page, live_server: Any, simulator: SimulatorHandle, operator: User, gf: Backend
) -> None:
    base = live_server.url
    sign_in(page, base, operator.username, PASSWORD)
    page.goto(f"{base}/stations/new/")
    expect(page.get_by_role("heading", name="GreenFlux station")).to_be_visible()  # the only backend, preselected

    page.get_by_label("Charge station id").fill("BROWSER-1")
    page.locator("#id_label").fill("Browser depot")
    page.get_by_label("Location:", exact=True).select_option(index=1)
    page.get_by_label("Default tariff id").fill("TARIFF-AC-STANDARD")
    page.get_by_label("Deploy state").select_option("Stock")

    # A second EVSE appears in place (htmx), with the focus on its first field.
    page.get_by_role("button", name="Add EVSE").click()
    expect(page.get_by_role("group", name="EVSE 2", exact=True)).to_be_visible()
    expect(page.locator("#id_evse-1-evse_id")).to_be_focused()
    assert page.url.endswith("/stations/new/")  # no page load happened
    page.locator("#id_evse-1-conn-0-standard").select_option("IEC_62196_T2_COMBO")
    page.locator("#id_evse-1-conn-0-format").select_option("CABLE")
    page.locator("#id_evse-1-conn-0-power_type").select_option("DC")
    page.locator("#id_evse-1-conn-0-max_electric_power").fill("50")
    page.locator("#id_label").focus()  # typed values survive another swap
    assert fits_the_window(page)
    screenshot(page, "station-create")
    page.get_by_role("button", name="Create station").click()

    expect(page.get_by_text("it will show as synced when the upstream confirms")).to_be_visible()
    wait_synced(page)
    station = Station.objects.get(charge_box_identity="BROWSER-1")
    assert station.evses.count() == 2

    # A plain edit.
    page.get_by_role("link", name="Edit station").first.click()
    expect(page.get_by_role("heading", name="Edit Browser depot")).to_be_visible()
    page.get_by_label("Charger type").select_option("Business")
    assert fits_the_window(page)
    screenshot(page, "station-edit")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("it will show as synced when the upstream confirms")).to_be_visible()
    wait_synced(page)
    expect(page.locator("dd", has_text="Business").first).to_be_visible()

    # Someone else changes it between our load and our save.
    page.get_by_role("link", name="Edit station").first.click()
    page.locator("#id_label").fill("My browser name")
    simulator.touch_station("BROWSER-1", default_charge_station_tariff_id="TARIFF-SOMEONE-ELSE")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("link", name="Resolve the conflict").click(timeout=SYNCED)

    expect(page.get_by_role("heading", name="Conflict on")).to_be_visible()
    table = page.get_by_role("table")
    expect(table).to_contain_text("My browser name")
    expect(table).to_contain_text("TARIFF-SOMEONE-ELSE")
    assert fits_the_window(page)
    screenshot(page, "station-conflict")
    page.get_by_role("button", name="Send my choices").click()
    expect(page.get_by_text("it will show as synced when the upstream confirms")).to_be_visible()
    wait_synced(page)
    with gf.connector() as connector:
        upstream = connector.get_station("BROWSER-1")
    assert upstream.name == "My browser name"
    assert upstream.default_charge_station_tariff_id == "TARIFF-SOMEONE-ELSE"
    screenshot(page, "station-detail-after-conflict")
