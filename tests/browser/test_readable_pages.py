"""In a real browser, at the width where each was seen (issue 25, items 7–14): pages speak words, not
codes; upstream names keep their letters; the station list uses the screen; the offline map names
places when zoomed in; the export uploads unchanged; bulk planning ticks nothing; technicians are
readable; dates, times and power are written one way and typed in the portal's own inputs.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from locations.models import Location
from maintenance.models import MaintenanceWindow
from portal.access import Role
from portal.audit.services import audit_record
from portal.models import Backend, Company, Membership, Operation, SyncRun, User
from sync.engine import refresh_run
from simulator.seed import COMPANIES as SIM_COMPANIES
from simulator.testing import SimulatorHandle
from stations.models import Station
from tests.browser.conftest import screenshot, sign_in
from tests.factories import PASSWORD, CompanyFactory, UserFactory
from tests.upstream import make_backend

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# An enum code as upstreams write them (IEC_62196_T2_COMBO, REMOTE_START_STOP_CAPABLE, AC_3_PHASE).
ENUM_CODE = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Za-z0-9]+)+\b")
# The portal's own codes these pages showed: operation kinds, audit actions and entity names.
PORTAL_CODES = ("station.put", "station.create", "station.refresh", "maintenance.create", "user.create",
                "maintenance_windows", "maintenance_window", "station_model", "removal_hold")


def open_page(browser: Browser, width: int) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


@pytest.fixture
def wide(browser: Browser, browser_settings: None) -> Iterator[Page]:
    page = open_page(browser, 1280)
    yield page
    page.context.close()


@pytest.fixture
def narrow(browser: Browser, browser_settings: None) -> Iterator[Page]:
    page = open_page(browser, 390)
    yield page
    page.context.close()


@pytest.fixture
def estate(simulator: SimulatorHandle) -> dict[str, object]:
    """One company on GreenFlux and be.ENERGISED (with the model catalogue and technicians); an admin."""
    company = CompanyFactory(name="Voltaro Fleet Services", upstream_ref=SIM_COMPANIES[0]["uuid"])
    UserFactory(username="boss", role=Role.ADMIN, companies=[company])
    assert refresh_run(make_backend(simulator, "models", None, name="Models"), "models").status == SyncRun.Status.DONE
    greenflux = make_backend(simulator, "greenflux", company, name=f"GreenFlux · {company.name}")
    for entity in ("locations", "templates", "stations"):
        assert refresh_run(greenflux, entity).status == SyncRun.Status.DONE
    be = make_backend(simulator, "beenergised", company, name=f"be.ENERGISED · {company.name}")
    for entity in ("technicians", "stations"):
        assert refresh_run(be, entity).status == SyncRun.Status.DONE
    return {"company": company, "greenflux": greenflux, "be": be, "user": "boss"}


def visible_text(page: Page) -> str:
    return page.locator("main").inner_text()


def no_codes(page: Page, where: str) -> None:
    text = visible_text(page)
    found = ENUM_CODE.findall(text) + [c for c in PORTAL_CODES if re.search(rf"(?<![\w.@]){re.escape(c)}(?![\w.])", text)]
    assert not found, f"{where} shows codes: {found[:8]}"


def lines_of(page: Page, selector: str) -> int:
    """On how many lines the element's text is drawn."""
    return int(page.locator(selector).first.evaluate("""e => {
        const range = document.createRange(); range.selectNodeContents(e);
        return new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))).size;
    }"""))


def test_7_pages_show_words_for_codes(wide: Page, live_server: object, estate: dict) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    company, greenflux, be = estate["company"], estate["greenflux"], estate["be"]
    assert refresh_run(be, "maintenance_windows").status == SyncRun.Status.DONE
    station = Station.objects.filter(backend=greenflux, evses__connectors__standard="IEC_62196_T2_COMBO",
                                     evses__capabilities__contains=["REMOTE_START_STOP_CAPABLE"]).first()
    assert station is not None
    for kind, target_type in (("station.put", "station"), ("maintenance.create", "maintenance_window")):
        Operation.objects.create(kind=kind, backend=greenflux, company=company, target_type=target_type,
                                 target_id=station.pk, target_label=station.label, payload={})
    audit_record(actor=None, action="user.create", entity="user", entity_id=1, entity_label="newcomer",
                 company=company)
    sign_in(wide, base, estate["user"], PASSWORD)

    wide.goto(f"{base}{reverse('stations:detail', args=[station.pk])}")
    expect(wide.get_by_text("CCS2 (Type 2 combo)").first).to_be_visible()
    expect(wide.get_by_text("Remote start and stop").first).to_be_visible()
    expect(wide.get_by_text("Replace station").first).to_be_visible()  # "Waiting for …: station.put (queued)"
    no_codes(wide, "the station page")
    wide.goto(f"{base}{reverse('operations:list')}")
    options = wide.get_by_label("Kind").locator("option").all_inner_texts()
    assert "Replace station" in options and "station.put" not in options
    assert "Maintenance window" in wide.get_by_label("Target type").locator("option").all_inner_texts()
    no_codes(wide, "Operations")
    wide.goto(f"{base}{reverse('audit:list')}")
    expect(wide.get_by_text("Invite user")).to_be_visible()
    no_codes(wide, "Audit")
    wide.goto(f"{base}{reverse('sync:list')}")
    expect(wide.locator("main")).to_contain_text("Maintenance windows")
    no_codes(wide, "Sync")
    screenshot(wide, "labels-sync")


def test_7_network_names_failure_classes(wide: Page, live_server: object, simulator: SimulatorHandle) -> None:
    from locations.sampling import network_sample
    from tests.locations.conftest import mirror_chargeye_locations

    base = live_server.url  # type: ignore[attr-defined]
    company = CompanyFactory(name="Voltaro Fleet Services", upstream_ref=SIM_COMPANIES[0]["uuid"])
    UserFactory(username="fleet", role=Role.VIEWER, companies=[company])
    backend = make_backend(simulator, "chargeye", None, name="ChargEye")
    mirror_chargeye_locations(backend)
    network_sample(backend)
    sign_in(wide, base, "fleet", PASSWORD)
    wide.goto(f"{base}{reverse('locations:network')}")
    expect(wide.get_by_role("heading", name="Recent transactions")).to_be_visible()
    no_codes(wide, "Network")


def test_8_maintenance_rows_keep_their_letters_and_badges_one_line(
        wide: Page, live_server: object, estate: dict) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    be = estate["be"]
    station = Station.objects.filter(backend=be).order_by("id").first()
    Station.objects.filter(pk=station.pk).update(label="Köln Hohe Straße 02")
    now = timezone.now()
    MaintenanceWindow.objects.create(
        station=station, backend=be, company=estate["company"], upstream_id="w-1", starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=2), comment="Swap the meter", sync_state="synced")
    sign_in(wide, base, estate["user"], PASSWORD)
    wide.goto(f"{base}{reverse('maintenance:list')}")
    row = wide.locator("table.windows tbody th").first
    expect(row).to_be_visible()
    assert row.inner_text().strip() == "Köln Hohe Straße 02"  # innerText is what CSS draws: no STRASSE
    badge = wide.locator("table.windows .badge", has_text="in maintenance now")
    assert lines_of(wide, "table.windows .badge.bad") == 1, badge.bounding_box()
    screenshot(wide, "maintenance-table")


def test_9_station_list_uses_the_screen(wide: Page, live_server: object, estate: dict) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    company = estate["company"]
    sign_in(wide, base, estate["user"], PASSWORD)
    wide.goto(f"{base}{reverse('stations:list')}?backend={estate['be'].pk}")
    rows = wide.locator("#station-results tbody tr")
    expect(rows.first).to_be_visible()
    table = wide.locator("#station-results table").bounding_box()
    assert table and table["x"] + table["width"] >= 1230, table  # was 1,160 px of 1,280 (and less inside)
    for column in ("td.mono", "td:nth-last-child(3)", "td:nth-last-child(4)", "td:nth-last-child(5)"):
        selector = f"#station-results tbody tr:first-child {column}"
        assert lines_of(wide, selector) == 1, (column, wide.locator(selector).first.inner_text())
    heights = rows.evaluate_all("rs => rs.slice(0, 10).map(r => r.getBoundingClientRect().height)")
    assert max(heights) <= 62, heights  # at most two lines (a long name); three lines before
    # The backend column leaves the company to the company column.
    backend_cells = wide.locator("#station-results tbody td:nth-last-child(5)").all_inner_texts()
    assert backend_cells and not any(company.name in cell for cell in backend_cells), backend_cells[:3]
    # The chip that counts unknown statuses names what the rows say.
    expect(rows.first.locator(".badge", has_text="Not reported")).to_be_visible()
    expect(wide.locator("#status-unknown")).to_contain_text("not reported")
    screenshot(wide, "station-list-wide")


def test_10_the_offline_map_names_places_when_zoomed_in(wide: Page, live_server: object, estate: dict) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    outside: list[str] = []
    wide.on("request", lambda r: None if r.url.startswith(base) else outside.append(r.url))
    location = Location.objects.filter(backend=estate["greenflux"], latitude__isnull=False).first()
    sign_in(wide, base, estate["user"], PASSWORD)
    wide.goto(f"{base}{reverse('locations:detail', args=[location.pk])}")
    names = wide.locator(".leaflet-pane .map-place-name")
    expect(names.first).to_be_visible()
    assert names.count() >= 3, names.all_inner_texts()
    box = wide.locator("[data-map]").first.bounding_box()
    inside = [n for n in names.evaluate_all("ns => ns.map(n => { const r = n.getBoundingClientRect(); "
                                            "return [r.x, r.y, n.textContent]; })")
              if box["x"] <= n[0] <= box["x"] + box["width"] and box["y"] <= n[1] <= box["y"] + box["height"]]
    assert len(inside) >= 3, inside
    screenshot(wide, "location-map-zoomed")
    # The overview: a cluster click zooms in, and places are named there too.
    wide.goto(f"{base}{reverse('locations:list')}")
    cluster = wide.locator(".leaflet-marker-pane .map-cluster").first
    clicked = cluster.element_handle()
    clicked.click()
    wide.wait_for_function("c => !c.isConnected", arg=clicked)
    wide.wait_for_function("() => !document.querySelector('.leaflet-zoom-anim, .leaflet-cluster-anim')")
    expect(wide.locator(".leaflet-pane .map-place-name").nth(2)).to_be_visible()
    assert not outside, outside


def test_11_the_export_uploads_unchanged(wide: Page, live_server: object, estate: dict) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(wide, base, estate["user"], PASSWORD)
    wide.goto(f"{base}{reverse('stations:list')}")
    with wide.expect_download() as download:
        wide.get_by_role("link", name="Download these stations as CSV").click()
    data = open(download.value.path(), "rb").read()
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    names = set(Location.objects.values_list("name", flat=True))
    used = {r["location"] for r in rows if r["location"]}
    assert used and used <= names, sorted(used - names)[:3]  # the names the import's help asks for
    templates = {r["template"] for r in rows if r["template"]}
    assert not any(re.fullmatch(r"[0-9a-f-]{36}", t) for t in templates), templates

    wide.goto(f"{base}{reverse('stations:import_list')}")
    wide.get_by_label(re.compile("Update those stations")).check()
    wide.locator("input[type=file]").set_input_files(files=[{"name": "stations.csv", "mimeType": "text/csv",
                                                              "buffer": data}])
    wide.get_by_role("button", name="Upload and check").click()
    unchanged = wide.locator("#tab-unchanged .count")
    expect(unchanged).to_have_text(str(len(rows)), timeout=30_000)
    expect(wide.locator("#tab-all .count")).to_have_text(str(len(rows)))
    screenshot(wide, "import-of-the-export")


def test_12_bulk_maintenance_ticks_nothing_and_counts_before_confirming(
        wide: Page, live_server: object, estate: dict) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    able = Station.objects.filter(backend=estate["be"], upstream_id__isnull=False).count()
    assert able >= 3
    sign_in(wide, base, estate["user"], PASSWORD)
    wide.goto(f"{base}{reverse('stations:list')}")
    wide.get_by_role("link", name="Plan maintenance for these stations").click()
    expect(wide.get_by_role("heading", name="Plan maintenance for many stations")).to_be_visible()
    expect(wide.locator("input[name=station]")).to_have_count(able)
    expect(wide.locator("input[name=station]:checked")).to_have_count(0)
    assert not wide.get_by_role("button", name=re.compile(r"Plan \d+ window")).count()
    start = timezone.localtime(timezone.now() + timedelta(days=1)).replace(hour=9, minute=0)
    wide.get_by_label("Start").fill(start.strftime("%d/%m/%Y %H:%M"))
    wide.get_by_label("End").fill((start + timedelta(hours=2)).strftime("%d/%m/%Y %H:%M"))
    wide.get_by_label("Comment").fill("Meter check")
    boxes = wide.locator("input[name=station]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    wide.get_by_role("button", name="Review the windows of the ticked stations").click()
    expect(wide.get_by_role("heading", name="Plan 2 maintenance windows?")).to_be_visible()
    expect(wide.locator("#plan-summary")).to_contain_text(f"2 of {estate['company'].name}")
    assert not MaintenanceWindow.objects.exists()
    screenshot(wide, "maintenance-plan-confirm")
    wide.get_by_role("button", name="Confirm: plan 2 windows").click()
    expect(wide.get_by_role("heading", name="Maintenance planned")).to_be_visible()
    assert MaintenanceWindow.objects.count() == 2


@pytest.mark.parametrize("width", [1280, 390])
def test_13_pickers_offer_one_company_and_whole_technicians(browser: Browser, browser_settings: None, width: int,
                                                  live_server: object, estate: dict) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    other = CompanyFactory(name="Other Fleet BV")  # the user is an operator there too
    Membership.objects.create(user=User.objects.get(username=estate["user"]), company=other, role=Role.OPERATOR)
    page = open_page(browser, width)
    try:
        sign_in(page, base, estate["user"], PASSWORD)
        page.goto(f"{base}{reverse('stations:create')}?backend={estate['be'].pk}&company={estate['company'].pk}")
        # A backend of one company offers only that company (the other was listed, then refused).
        assert page.get_by_label("Company").locator("option").all_inner_texts() == [estate["company"].name]
        choices = page.locator("#technician-field label")
        expect(choices.nth(1)).to_be_visible()
        technicians = estate["company"].technicians.filter(removed_at__isnull=True)
        for technician in technicians:
            choice = choices.filter(has_text=technician.email)
            expect(choice).to_be_visible()
            expect(choice).to_contain_text(technician.name)
            # Nothing cut: every piece of text fits inside the page and inside its box.
            assert choice.evaluate("e => e.scrollWidth <= e.clientWidth + 1 && "
                                   "e.getBoundingClientRect().right <= window.innerWidth")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        screenshot(page, "technician-choices")
    finally:
        page.context.close()


def test_14_dates_and_power_are_written_one_way_and_typed_in_the_portals_inputs(
        wide: Page, live_server: object, estate: dict, simulator: SimulatorHandle) -> None:
    from locations.sampling import network_sample
    from tests.locations.conftest import mirror_chargeye_locations

    base = live_server.url  # type: ignore[attr-defined]
    mirror_chargeye_locations(make_backend(simulator, "chargeye", None, name="ChargEye"))
    network_sample(Backend.objects.get(kind="chargeye"))
    sign_in(wide, base, estate["user"], PASSWORD)
    # Maintenance: the portal's own date inputs (no browser picker), in the page's day-first order.
    wide.goto(f"{base}{reverse('maintenance:list')}")
    start = wide.get_by_label("From:")
    assert start.get_attribute("type") == "text" and start.get_attribute("placeholder") == "dd/mm/yyyy"
    assert not re.search(r"\b0\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b", visible_text(wide))
    day = timezone.localdate() + timedelta(days=3)
    start.fill(day.strftime("%d/%m/%Y"))
    wide.get_by_label("To:").fill((day + timedelta(days=2)).strftime("%d/%m/%Y"))
    wide.get_by_role("button", name="Show").click()
    expect(wide.locator("main")).to_contain_text(f"{day.day} {day.strftime('%b')} {day.year}")
    # Network: From and To show their whole value, and a preset clears them.
    wide.goto(f"{base}{reverse('locations:network')}?range=custom")
    for name in ("From (custom range)", "To"):
        box = wide.get_by_role("textbox", name=name, exact=True)
        assert box.get_attribute("type") == "text"
        assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", box.input_value()), box.input_value()
        assert box.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), box.input_value()
    wide.get_by_label("Time range").select_option("24h")
    expect(wide.get_by_role("textbox", name="From (custom range)")).to_have_value("")
    expect(wide.get_by_role("textbox", name="To", exact=True)).to_have_value("")
    # Power: typed in kW on the station form, shown in kW; the model list's Power in kW.
    station = Station.objects.filter(backend=estate["greenflux"], evses__connectors__max_electric_power__gt=0).first()
    wide.goto(f"{base}{reverse('stations:hardware', args=[station.pk])}")
    power = wide.get_by_label("Power (kW)").first
    expect(power).to_be_visible()
    watts = station.evses.first().connectors.first().max_electric_power
    assert float(power.input_value()) == watts / 1000
    wide.goto(f"{base}{reverse('models_catalog:list')}")
    expect(wide.get_by_role("columnheader", name="Max power")).to_be_visible()
    assert re.search(r"\d kW", visible_text(wide))
    screenshot(wide, "models-power")
