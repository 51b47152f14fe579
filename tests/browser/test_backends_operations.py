"""In a real browser: an admin adds a backend and tests its connection; the Operations page and its detail."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from portal.access import Role
from portal.models import Backend, Operation
from simulator.testing import SimulatorHandle
from tests.browser.conftest import screenshot, sign_in
from tests.factories import PASSWORD, BackendFactory, CompanyFactory, StationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_the_window(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


@pytest.mark.worker
def test_admin_creates_backend_and_tests_its_connection(
    page: Page, live_server: object, simulator: SimulatorHandle, celery_worker_process: object
) -> None:
    company = CompanyFactory(name="Voltera Fleet")
    UserFactory(username="root-admin", role=Role.ADMIN, companies=[company])
    token = simulator.credentials["greenflux"]["token"]
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "root-admin", PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Backends").click()
    expect(page.get_by_role("heading", name="Backends")).to_be_visible()
    page.get_by_role("link", name="New backend").click()
    # Choosing the kind swaps the credential fields in place (htmx).
    expect(page.get_by_label("Client secret")).to_be_visible()
    page.get_by_label("Kind").select_option("greenflux")
    expect(page.get_by_label("API token")).to_be_visible()
    expect(page.get_by_label("Client secret")).to_have_count(0)
    page.get_by_label("Name").fill("Voltera GreenFlux")
    page.get_by_label("Company").select_option(label="Voltera Fleet")
    page.get_by_label("Base URL").fill(simulator.base_url("greenflux"))
    page.get_by_label("API token").fill(token)
    screenshot(page, "backend-form")
    page.get_by_role("button", name="Create backend").click()

    expect(page.get_by_text("Backend Voltera GreenFlux created.")).to_be_visible()
    assert token not in page.content()
    page.get_by_role("button", name="Test connection of Voltera GreenFlux").click()
    result = page.locator(f"#check-{Backend.objects.get(name='Voltera GreenFlux').pk}")
    expect(result).to_contain_text("Connected:", timeout=30_000)
    expect(result).to_contain_text("stations visible")
    assert token not in page.content()

    page.get_by_role("link", name="← Backends").click()
    expect(page.get_by_role("link", name="Voltera GreenFlux", exact=True)).to_be_visible()
    expect(page.get_by_text("Connected:")).to_be_visible()
    assert fits_the_window(page)
    screenshot(page, "backends")


def test_operations_page_and_detail(page: Page, live_server: object) -> None:
    company = CompanyFactory(name="Voltera Fleet")
    operator = UserFactory(username="ops", role=Role.OPERATOR, companies=[company])
    backend = BackendFactory(company=company, name="Voltera GreenFlux")
    station = StationFactory(company=company, backend=backend, label="Depot Utrecht Noord")
    common = {"backend": backend, "company": company, "target_type": "station", "created_by": operator}
    Operation.objects.create(kind="station.create", target_id=station.pk, target_label=station.label,
                             payload={"document": {"name": station.label, "deploy_state": "Stock"}},
                             status=Operation.Status.DONE, attempts=1, **common)
    failed = Operation.objects.create(
        kind="station.patch", target_id=station.pk, target_label=station.label, attempts=1,
        payload={"changes": {"name": "x" * 300}}, status=Operation.Status.FAILED,
        error_message="greenflux PATCH /chargestations/DEPOT-1 -> HTTP 422: name is longer than 255 characters",
        field_errors={"name": "is longer than 255 characters"}, **common)
    conflict = Operation.objects.create(kind="station.put", target_label="Depot Amersfoort", payload={"document": {}},
                             status=Operation.Status.CONFLICT, error_message="greenflux PUT -> HTTP 412",
                             upstream_current={"name": "Renamed by a colleague", "etag": "e-7"}, **common)
    sign_in(page, live_server.url, "ops", PASSWORD)  # type: ignore[attr-defined]

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Operations").click()
    expect(page.get_by_role("heading", name="Operations")).to_be_visible()
    expect(page.get_by_text("name is longer than 255 characters")).to_be_visible()
    assert fits_the_window(page)
    screenshot(page, "operations")

    # Filtering by status narrows the list in place.
    page.get_by_label("Status").select_option("conflict")
    expect(page.get_by_role("link", name=f"#{conflict.pk} Replace station")).to_be_visible()
    expect(page.get_by_role("link", name=f"#{failed.pk} Change station fields")).to_have_count(0)
    page.get_by_label("Status").select_option("failed")
    page.get_by_role("link", name=f"#{failed.pk} Change station fields").click()
    expect(page.get_by_role("heading", name=f"Operation #{failed.pk}")).to_be_visible()
    expect(page.get_by_role("button", name="Retry")).to_be_visible()
    assert fits_the_window(page)
    screenshot(page, "operation-detail")


@pytest.mark.worker
def test_without_javascript_kind_fields_and_connection_check_still_work(
    browser: Browser, browser_settings: None, live_server: object, simulator: SimulatorHandle,
    celery_worker_process: object,
) -> None:
    company = CompanyFactory(name="Voltera Fleet")
    UserFactory(username="plain-admin", role=Role.ADMIN, companies=[company])
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server.url, "plain-admin", PASSWORD)  # type: ignore[attr-defined]
        page.goto(f"{live_server.url}/backends/new/")  # type: ignore[attr-defined]
        page.get_by_label("Name").fill("Voltera ChargEye")
        page.get_by_label("Kind").select_option("chargeye")
        page.get_by_role("button", name="Show the fields of this kind").click()
        expect(page.get_by_label("Refresh token")).to_be_visible()
        expect(page.get_by_label("Name")).to_have_value("Voltera ChargEye")
        page.get_by_label("Base URL").fill(simulator.base_url("chargeye"))
        page.get_by_label("Refresh token").fill(simulator.credentials["chargeye"]["refresh_token"])
        page.get_by_role("button", name="Create backend", exact=True).last.click()
        expect(page.get_by_text("Backend Voltera ChargEye created.")).to_be_visible()

        page.get_by_role("button", name="Test connection of Voltera ChargEye").click()
        expect(page.get_by_role("heading", name="Connection of Voltera ChargEye")).to_be_visible()
        for _ in range(30):  # what a user without JavaScript does: follow the refresh link
            if page.get_by_text("Connected:").count():
                break
            page.wait_for_timeout(500)
            if page.get_by_role("link", name="Refresh").count():
                page.get_by_role("link", name="Refresh").click()
        expect(page.get_by_text("Connected:")).to_contain_text("locations visible")
    finally:
        context.close()
