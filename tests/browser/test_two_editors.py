"""In a real browser, two editors and a change made straight on the upstream (issue 18).

Editor A opens a station's edit form and types. Meanwhile editor B saves a different name
and tariff, someone changes the charger type on GreenFlux itself, and B presses "Refresh
from upstream", so the mirror moves on while A's form is still open. A's save must become
a conflict (not an overwrite), shown field by field; A keeps their own name and B's tariff,
and the upstream afterwards holds exactly that, with the charger type nobody in the portal
touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from portal.access import Role
from portal.models import Backend, SyncRun, User
from sync.engine import refresh_run
from simulator.testing import SimulatorHandle
from stations.models import Station
from tests.browser.conftest import screenshot, sign_in, wait_synced
from tests.factories import PASSWORD, UserFactory
from tests.upstream import make_backend, mirror_greenflux_parents

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SYNCED = 30_000  # ms: the worker and the page's polling both take a moment


@pytest.fixture
def gf(simulator: SimulatorHandle, operator: User, celery_worker_process: Any) -> Backend:
    backend = make_backend(simulator, "greenflux", operator.companies.get())
    mirror_greenflux_parents(backend)
    assert refresh_run(backend, "stations", full=True).status == SyncRun.Status.DONE
    return backend


@pytest.fixture
def second_page(page: Page, browser: Browser, operator: User) -> Iterator[Page]:
    """Editor B: another operator of the same company, in their own browser, at the same width."""
    UserFactory(username="operator-b", role=Role.OPERATOR, companies=list(operator.companies.all()))
    context = browser.new_context(viewport=page.viewport_size)
    other = context.new_page()
    other.set_default_timeout(15_000)
    yield other
    context.close()


def fits_the_window(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_two_editors_a_refresh_and_a_conflict_decided_field_by_field(
    page: Page, second_page: Page, live_server: Any, simulator: SimulatorHandle, operator: User, gf: Backend
) -> None:
    base = live_server.url
    station = Station.objects.filter(backend=gf).exclude(etag="") \
        .exclude(evses__connectors__standard="SAE_J3400").order_by("pk").first()
    their_type = "Home" if station.charger_type != "Home" else "Business"
    edit_url = f"{base}/stations/{station.pk}/edit/"

    # A opens the form and starts typing.
    sign_in(page, base, operator.username, PASSWORD)
    page.goto(edit_url)
    page.locator("#id_label").fill("Name from A")
    page.get_by_label("Default tariff id").fill("TARIFF-FROM-A")

    # B saves first, with another name and tariff.
    b = second_page
    sign_in(b, base, "operator-b", PASSWORD)
    b.goto(edit_url)
    b.locator("#id_label").fill("Name from B")
    b.get_by_label("Default tariff id").fill("TARIFF-FROM-B")
    b.get_by_role("button", name="Save changes").click()
    wait_synced(b)

    # Someone changes the charger type on GreenFlux itself; B refreshes, so the mirror moves on.
    simulator.touch_station(station.upstream_id, charger_type=their_type)
    b.get_by_role("button", name="Refresh from upstream").click()
    expect(b.get_by_text("Charger type changed")).to_be_visible(timeout=SYNCED)

    # A saves the form that still shows the version before both.
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("link", name="Resolve the conflict").click(timeout=SYNCED)
    # Named as it is now (B's name), not with A's unsent one; and B, whom the portal knows, is named.
    expect(page.get_by_role("heading", name="Conflict on Name from B")).to_be_visible()
    expect(page.get_by_text("operator-b changed this station in the portal after your form showed it")).to_be_visible()
    name_row = page.locator("tr[data-path='name']")
    tariff_row = page.locator("tr[data-path='default_charge_station_tariff_id']")
    type_row = page.locator("tr[data-path='charger_type']")
    expect(name_row).to_contain_text("both changed")
    expect(name_row).to_contain_text("Name from B")
    expect(tariff_row).to_contain_text("both changed")
    expect(tariff_row).to_contain_text("TARIFF-FROM-B")
    expect(type_row).to_contain_text("they changed")
    expect(type_row).to_contain_text("theirs stays")
    assert fits_the_window(page)
    screenshot(page, "two-editors-conflict")

    # Sending without a choice for every clash is refused by the browser's own check.
    page.get_by_role("button", name="Send my choices").click()
    expect(page.get_by_role("heading", name="Conflict on")).to_be_visible()
    # By keyboard: the choices are radio buttons in the table.
    name_row.get_by_label("keep mine").focus()
    page.keyboard.press("Space")
    tariff_row.get_by_label("keep theirs").check()
    page.get_by_role("button", name="Send my choices").click()
    expect(page.get_by_text("it will show as synced when the upstream confirms")).to_be_visible()
    wait_synced(page)

    with gf.connector() as connector:
        now = connector.get_station(station.upstream_id)
    assert now.name == "Name from A"  # A kept theirs on the name
    assert now.default_charge_station_tariff_id == "TARIFF-FROM-B"  # and took B's tariff
    assert now.charger_type == their_type  # the change nobody in the portal made is still there
    station.refresh_from_db()
    assert (station.label, station.default_tariff_id, station.charger_type) == \
        ("Name from A", "TARIFF-FROM-B", their_type)
    # B sees the outcome on reload: their tariff stayed, the name is A's.
    b.goto(f"{base}/stations/{station.pk}/")
    expect(b.get_by_role("heading", name="Name from A")).to_be_visible()
    screenshot(page, "two-editors-resolved")
