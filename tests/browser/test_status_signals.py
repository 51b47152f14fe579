"""In a real browser at 1280 px: the dashboard, the Sync page, the setup checklist and the Network page
agree about the state of the estate (issue 25 item 4).

A ChargEye refresh that skips the locations of a tenant no company is linked to is "done with errors"
everywhere (not a green "done" beside an "all clear"), said in words, not as the tenant's UUID; the
refresh that read the upstream proves the connection, so the checklist does not ask for a test; the
Network page says nothing when the platform gives no possible cause, and marks ended errors as such.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from locations.models import HardwareError
from locations.sampling import network_sample
from portal.models import Backend, Company, SyncRun, User
from portal.selectors import SHARED_COUNTS
from sync.engine import refresh_run
from simulator.testing import SimulatorHandle
from tests.browser.conftest import screenshot, sign_in
from tests.factories import PASSWORD, UserFactory
from tests.upstream import make_backend

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chargeye(simulator: SimulatorHandle, company_a: Company) -> Backend:
    return make_backend(simulator, "chargeye", None, name="ChargEye (all tenants)")


@pytest.mark.parametrize("page", [(1280, 900)], indirect=True)
def test_a_refresh_that_skipped_rows_is_done_with_errors_everywhere(
    page: Page, live_server: object, admin_user: User, chargeye: Backend
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    run = refresh_run(chargeye, "locations")  # company B's tenant is linked to no company here
    assert run.status == SyncRun.Status.DONE and run.errors > 0
    with chargeye.connector() as connector:
        tenants = {r.tenant_id_cpo for r in connector.list_locations().items() if r.tenant_id_cpo}
    chargeye.refresh_from_db()
    assert chargeye.check_ok is None  # never tested by hand: the refresh is the only proof

    sign_in(page, base, admin_user.username, PASSWORD)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_text("all clear")).to_have_count(0)
    expect(page.get_by_role("link", name="1 refresh done with errors")).to_be_visible()
    checklist = page.locator(".setup-checklist li", has=page.get_by_role("link", name="Test the connections"))
    expect(checklist.locator(".badge")).to_have_text("✓ done")
    screenshot(page, "dashboard-refresh-with-errors")

    page.get_by_role("link", name="1 refresh done with errors").click()
    runs = page.locator("#sync-runs")
    expect(runs.get_by_text("done with errors")).to_be_visible()
    card = page.locator(".schedules li", has_text="Locations").first
    expect(card).to_contain_text(re.compile(rf"run {run.pk}\s+done with errors"))
    # The backend is shared by every company: a company's admin reads its state, not its counts (issue 23).
    expect(runs.get_by_text(str(SHARED_COUNTS))).to_be_visible()
    body = page.locator("main").inner_text()
    assert not [t for t in tenants if t in body], "a tenant's UUID is shown"

    # The platform's admin reads why, in words.
    page.context.clear_cookies()
    UserFactory(username="root", is_superuser=True, is_staff=True)
    sign_in(page, base, "root", PASSWORD)
    page.goto(f"{base}/sync/")
    runs = page.locator("#sync-runs")
    expect(runs.get_by_text("done with errors")).to_be_visible()
    expect(runs.get_by_text(f"{run.errors} skipped: locations whose ChargEye tenant is linked to no company")).to_be_visible()
    body = page.locator("main").inner_text()
    assert not [t for t in tenants if t in body], "a tenant's UUID is shown"
    page.get_by_role("link", name=f"#{run.pk}").click()
    expect(page.get_by_text("Why rows were skipped")).to_be_visible()
    assert not [t for t in tenants if t in page.locator("main").inner_text()], "a tenant's UUID is shown"
    screenshot(page, "sync-run-with-errors")


@pytest.mark.parametrize("page", [(1280, 900)], indirect=True)
def test_network_errors_say_only_what_is_known_and_mark_ended_ones(
    page: Page, live_server: object, viewer: User, chargeye: Backend
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    refresh_run(chargeye, "locations")
    network_sample(chargeye)
    errors = HardwareError.objects.filter(company__in=viewer.companies.all())
    assert errors.exists() and not errors.exclude(possible_cause="").exists()  # the platform gives no cause
    sign_in(page, base, viewer.username, PASSWORD)
    page.goto(f"{base}/locations/network/")
    table = page.locator("table", has=page.get_by_role("columnheader", name="Severity"))
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(min(errors.count(), 20))
    expect(table.get_by_text("Not known")).to_have_count(0)
    for error, row in zip(sorted(errors, key=lambda e: e.ended_at is not None), rows.all()):
        expect(row.locator("td").last).to_contain_text("ongoing" if error.is_active else "ended")
    screenshot(page, "network-errors")
