"""In a real browser, from an empty database (no demo seed): an admin brings an estate into service.

Four backends on the simulator in its documents-only mode (issue 24: every path no document gives
answers 404, GreenFlux's templates at the vendor's own path and unpaged, pages of 20, tokens of
30 s), the dashboard's setup checklist followed step by step (backends, connection tests, company
identities, first refresh, model mapping), then a be.ENERGISED station created with a technician, GreenFlux
stations from a template on a location known from the stations and by hand on a typed location id,
a full edit, and a maintenance window planned, whose cancel the page says is not documented.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from locations.models import Location
from models_catalog.models import StationModel
from portal.models import Backend, Company, CompanyIdentity, SyncRun, User
from sync.refreshers import refreshers_for
from simulator.seed import COMPANIES as SIM_COMPANIES
from simulator.testing import SimulatorHandle
from stations.model_ids import unmapped_ids
from stations.models import Station
from tests.browser.conftest import screenshot, sign_in
from tests.factories import PASSWORD
from tests.worker import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
VOLTARO = SIM_COMPANIES[0]["uuid"]
WAIT = 60_000


def _add_backend(page: Page, base: str, name: str, kind: str, company: str | None, url: str,
                 credentials: dict[str, str], paths: dict[str, str] | None = None) -> None:
    page.goto(f"{base}/backends/new/")
    page.get_by_label("Kind").select_option(kind)
    first_credential = next(iter(credentials))
    expect(page.get_by_label(first_credential)).to_be_visible()
    page.get_by_label("Name").fill(name)
    if company:
        page.get_by_label("Company").select_option(label=company)
    page.get_by_label("Base URL").fill(url)
    for label, value in credentials.items():
        page.get_by_label(label).fill(value)
    for label, value in (paths or {}).items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Create backend").click()
    expect(page.get_by_text(f"Backend {name} created.")).to_be_visible()


def _step(page: Page, title: str) -> str:
    return page.locator(".setup-checklist li", has_text=title).inner_text()


@pytest.mark.parametrize("page", [(1280, 900)], indirect=True, ids=["wide"])
def test_an_admin_sets_up_an_estate_from_scratch(
    page: Page, live_server: object, simulator: SimulatorHandle, celery_worker_process: object
) -> None:
    assert not Company.objects.exists() and not Backend.objects.exists() and not Station.objects.exists()
    simulator.documents_only()
    User.objects.create_superuser("root", "root@example.com", PASSWORD)
    base = live_server.url  # type: ignore[attr-defined]
    creds = simulator.credentials
    sign_in(page, base, "root", PASSWORD)

    # The checklist, nothing done yet.
    expect(page.get_by_role("heading", name="Setting up")).to_be_visible()
    expect(page.locator(".setup-checklist li.todo")).to_have_count(6)
    screenshot(page, "setup-checklist-empty")

    # A company, from the Companies page.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Companies").click()
    page.get_by_label("Name").fill("Voltaro Fleet")
    page.get_by_role("button", name="Create company").click()
    expect(page.get_by_role("heading", name="Voltaro Fleet")).to_be_visible()

    # 1. Four backends on the simulator.
    page.goto(f"{base}/")
    page.locator(".setup-checklist").get_by_role("link", name="Add a backend").click()
    client = next(c for c in creds["beenergised"]["clients"] if c["company_uuid"] == VOLTARO)
    _add_backend(page, base, "Voltaro BE", "beenergised", "Voltaro Fleet", simulator.base_url("beenergised"),
                 {"Token URL": creds["beenergised"]["token_url"], "Client id": client["client_id"],
                  "Client secret": client["client_secret"]})
    # The vendor gave its templates path (its document says only "retrieved via API").
    _add_backend(page, base, "Voltaro GreenFlux", "greenflux", "Voltaro Fleet", simulator.base_url("greenflux"),
                 {"API token": creds["greenflux"]["token"]}, {"Hardware templates path": "/charge-station-templates"})
    _add_backend(page, base, "Model catalogue", "models", None, simulator.base_url("models"),
                 {"API token": creds["models"]["admin_token"]})
    _add_backend(page, base, "ChargEye", "chargeye", None, simulator.base_url("chargeye"),
                 {"Refresh token": creds["chargeye"]["refresh_token"]})
    page.goto(f"{base}/")
    assert "✓ done" in _step(page, "Add a backend") and "to do" in _step(page, "Test the connections")

    # 2. Test every connection.
    page.locator(".setup-checklist").get_by_role("link", name="Test the connections").click()
    for backend in Backend.objects.order_by("name"):
        page.get_by_role("button", name=f"Test connection of {backend.name}").click()
        expect(page.locator(f"#check-{backend.pk}")).to_contain_text("Connected:", timeout=WAIT)
    gf_backend = Backend.objects.get(name="Voltaro GreenFlux")
    # The locations collection is in no document: a warning naming the URL, not a failure.
    expect(page.locator(f"#check-{gf_backend.pk}")).to_contain_text(
        f"optional: not found at {gf_backend.base_url}/locations")
    page.goto(f"{base}/")
    assert "✓ done" in _step(page, "Test the connections")

    # 3. The company's identities, checked by the worker; first a typo, refused and not used.
    page.locator(".setup-checklist").get_by_role("link", name="Map the companies").click()
    page.get_by_role("link", name="Voltaro Fleet").click()
    be_field = page.get_by_label("Identity on Voltaro BE (be.ENERGISED companyUuid)")
    be_field.fill("00000000-0000-4000-8000-000000000000")
    page.get_by_role("button", name="Save").click()
    be_id = Backend.objects.get(name="Voltaro BE").pk
    expect(page.locator(f"#status-{be_id}")).to_contain_text("refused", timeout=WAIT)
    expect(page.locator(f"#status-{be_id}")).to_contain_text("companyUuid")
    assert not CompanyIdentity.objects.exclude(ref="").exists()
    page.get_by_label("Identity on Voltaro BE (be.ENERGISED companyUuid)").fill(VOLTARO)
    page.get_by_label("Identity on ChargEye (ChargEye (Kempower) tenantIdCPO)").fill(VOLTARO)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#identities")).not_to_contain_text("checking…", timeout=WAIT)
    expect(page.locator(".identity-status .badge.ok")).to_have_count(2)
    screenshot(page, "setup-company-identities")

    # 4. A first refresh of everything, from the Sync page (parents before their children).
    page.goto(f"{base}/")
    page.locator(".setup-checklist").get_by_role("link", name="Run a first refresh").click()
    parents = {"locations", "templates", "technicians", "models"}  # what other refreshes link to
    for wave in (True, False):
        started = []
        for backend in Backend.objects.order_by("name"):
            for refresher in refreshers_for(backend.kind):
                if (refresher.entity in parents) != wave:
                    continue
                label = refresher.label or refresher.entity
                page.get_by_role("button", name=f"Refresh now: {backend.name}, {label}").click()
                started.append((backend, refresher.entity))
        for backend, entity in started:
            wait_for(lambda b=backend, e=entity: SyncRun.objects.filter(
                backend=b, entity=e, status__in=["done", "failed"]).exists(), timeout=120)
            run = SyncRun.objects.filter(backend=backend, entity=entity).latest("created_at")
            assert run.status == "done", (backend.name, entity, run.message)
    page.goto(f"{base}/")
    assert "✓ done" in _step(page, "Run a first refresh")
    assert "to do" in _step(page, "Map the station models")

    # 5. Map every be.ENERGISED model id the refreshed stations use.
    page.locator(".setup-checklist").get_by_role("link", name="Map the station models").click()
    expect(page.get_by_role("heading", name="Models used upstream without a catalogue entry")).to_be_visible()
    root = User.objects.get(username="root")
    for seen in unmapped_ids(root):
        model = StationModel.objects.filter(id_mappings=None).order_by("pk").first()
        page.get_by_label("Catalogue model").select_option(str(model.pk))
        page.get_by_label("be.ENERGISED model id").select_option(str(seen.model_id))
        page.get_by_role("button", name="Save mapping").click()
        expect(page.get_by_text(f"is be.ENERGISED model {seen.model_id}")).to_be_visible()
    expect(page.get_by_text("all mapped")).to_be_visible()
    page.goto(f"{base}/")
    assert "✓ done" in _step(page, "Map the station models")

    # 6a. A be.ENERGISED station with a technician.
    page.locator(".setup-checklist").get_by_role("link", name="Create a first station").click()
    page.get_by_label("Backend").select_option(label="Voltaro BE")
    expect(page.get_by_label("Charge box identity")).to_be_visible()
    page.get_by_label("Label").fill("Voltaro Depot 01")
    page.get_by_label("Charge box identity").fill("VOLT-SETUP-0001")
    page.get_by_label("Model:", exact=True).select_option(index=1)
    page.get_by_label("Time zone").fill("Europe/Amsterdam")
    expect(page.get_by_text("technicians of Voltaro Fleet on Voltaro BE")).to_be_visible()
    choice = page.locator("#technician-field label").nth(1)  # the first is "No technician"
    technician = choice.inner_text()
    choice.locator("input").check()
    screenshot(page, "setup-be-station-form")
    page.get_by_role("button", name="Create station").click()
    wait_for(lambda: Station.objects.filter(charge_box_identity="VOLT-SETUP-0001", sync_state="synced")
             .exclude(upstream_id=None).exists(), timeout=60)
    be_station = Station.objects.get(charge_box_identity="VOLT-SETUP-0001")
    assert be_station.technician is not None and be_station.technician.name in technician
    page.goto(f"{base}/stations/{be_station.pk}/")
    expect(page.get_by_text(be_station.technician.name).first).to_be_visible()

    # 6b. A GreenFlux station from a hardware template, on a location known from the stations.
    page.goto(f"{base}/stations/new/")
    page.get_by_label("Backend").select_option(label="Voltaro GreenFlux")
    expect(page.get_by_label("Charge station id")).to_be_visible()
    expect(page.get_by_text("a GreenFlux station needs a location of its own GreenFlux backend")).to_be_visible()
    page.get_by_label("Use a hardware template").check()
    expect(page.get_by_label("Hardware template:", exact=True)).to_be_visible()
    page.get_by_label("Hardware template:", exact=True).select_option(index=1)
    expect(page.locator("#template-preview h3")).to_contain_text("makes")  # the choice is drawn: fill in now
    page.get_by_label("Charge station id").fill("GFX-SETUP-1")
    page.get_by_label("Name:", exact=True).fill("Voltaro Yard GF")
    gf_location = Location.objects.filter(backend__name="Voltaro GreenFlux").order_by("name").first()
    page.get_by_label("Location:", exact=True).select_option(str(gf_location.pk))
    page.get_by_label("Default tariff id").fill("TARIFF-AC-STANDARD")
    page.get_by_role("button", name="Create station").click()
    wait_for(lambda: Station.objects.filter(charge_box_identity="GFX-SETUP-1", sync_state="synced")
             .exclude(upstream_id=None).exists(), timeout=60)
    gf_station = Station.objects.get(charge_box_identity="GFX-SETUP-1")
    assert gf_station.location == gf_location and gf_location.backend.kind == "greenflux"
    assert gf_station.template is not None and gf_station.evses.exists()

    # 6c. One by hand, on a location id typed by the user (GreenFlux lists no locations).
    typed = simulator.store.values("gf_locations")[-1]["id"]
    page.goto(f"{base}/stations/new/")
    page.get_by_label("Backend").select_option(label="Voltaro GreenFlux")
    expect(page.get_by_label("Charge station id")).to_be_visible()
    page.get_by_label("Charge station id").fill("GFX-SETUP-2")
    page.get_by_label("Or type its location id").fill(typed)
    page.get_by_label("Default tariff id").fill("TARIFF-AC-STANDARD")
    page.get_by_role("button", name="Create station").click()
    wait_for(lambda: Station.objects.filter(charge_box_identity="GFX-SETUP-2", sync_state="synced")
             .exclude(upstream_id=None).exists(), timeout=60)
    by_hand = Station.objects.get(charge_box_identity="GFX-SETUP-2")
    assert by_hand.location is not None and by_hand.location.upstream_id == typed

    # 6d. A full edit of it.
    page.goto(f"{base}/stations/{by_hand.pk}/edit/")
    page.get_by_label("Name:", exact=True).fill("Typed location yard")
    page.get_by_role("button", name="Save changes").click()
    wait_for(lambda: Station.objects.filter(pk=by_hand.pk, label="Typed location yard", sync_state="synced")
             .exists(), timeout=60)

    # 6e. A maintenance window on the be.ENERGISED station; how cancelling works is said on the page.
    page.goto(f"{base}/stations/{be_station.pk}/")
    page.get_by_text("Plan a maintenance window").click()
    page.get_by_label("Comment").fill("Firmware update")
    page.get_by_role("button", name="Plan the window").click()
    wait_for(lambda: be_station.maintenance_windows.filter(sync_state="synced").exclude(upstream_id=None)
             .exists(), timeout=60)
    page.goto(f"{base}/stations/{be_station.pk}/")
    section = page.locator(".maintenance-section")
    expect(section).to_contain_text("Firmware update")
    expect(section).to_contain_text("planned")
    expect(section).to_contain_text("this platform's API does not document it")
    expect(section.get_by_role("button", name="Cancel window")).to_have_count(0)
    screenshot(page, "setup-maintenance-documents-only")

    # Every step done: the checklist is gone.
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_role("heading", name="Setting up")).to_have_count(0)
    screenshot(page, "setup-done-dashboard")
