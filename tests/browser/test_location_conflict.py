"""In a real browser at 1280 and 390: a location edit that collides with a change made on ChargEye (issue 18).

The operator opens a location's edit form and types a new name; meanwhile
someone renames the location on ChargEye itself. The save must not overwrite
theirs: the location page (polling while the write is on its way) says the
change was not sent and what ChargEye has now, and "Send mine over theirs"
then sends it. ChargEye is checked afterwards.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from locations.models import Location
from portal.models import Backend, User
from simulator.testing import SimulatorHandle
from tests.browser.axe import assert_accessible
from tests.browser.conftest import screenshot, sign_in
from tests.factories import PASSWORD
from tests.locations.conftest import mirror_chargeye_locations
from tests.upstream import make_backend

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SETTLED = 30_000  # ms: the worker and the page's polling both take a moment


@pytest.fixture
def chargeye(simulator: SimulatorHandle, operator: User, celery_worker_process: Any) -> Backend:
    backend = make_backend(simulator, "chargeye", None, name="ChargEye")
    mirror_chargeye_locations(backend)
    return backend


def fits_the_window(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_a_rename_on_chargeye_while_the_form_is_open_is_held_then_sent_on_request(
    page: Page, live_server: Any, operator: User, chargeye: Backend
) -> None:
    base = live_server.url
    location = Location.objects.filter(backend=chargeye, company__in=operator.companies.all()) \
        .exclude(upstream_id=None).order_by("pk").first()
    sign_in(page, base, operator.username, PASSWORD)
    page.goto(f"{base}/locations/{location.pk}/edit/")
    page.get_by_label("Name").fill("Name from the portal")

    with chargeye.connector() as connector:  # someone else, on ChargEye itself
        connector.update_location(location.upstream_id, {"name": "Name from ChargEye"})

    page.get_by_role("button", name="Save changes").click()
    held = page.locator("#field-conflict")
    expect(held).to_contain_text(
        "Your change of Name (to “Name from the portal”) was not sent because ChargEye has “Name from ChargEye” now",
        timeout=SETTLED)
    expect(page.get_by_role("heading", name="Name from ChargEye")).to_be_visible(timeout=SETTLED)
    assert fits_the_window(page)
    assert_accessible(page, where="location page with a held change")
    screenshot(page, "location-conflict")

    with chargeye.connector() as connector:
        assert connector.get_location(location.upstream_id).name == "Name from ChargEye"

    page.get_by_role("button", name="Send mine over theirs").click()
    expect(page.locator(".badge.ok", has_text="synced").first).to_be_visible(timeout=SETTLED)
    expect(page.get_by_role("heading", name="Name from the portal")).to_be_visible()
    with chargeye.connector() as connector:
        assert connector.get_location(location.upstream_id).name == "Name from the portal"
