"""The main tasks in German and in Dutch, in a real browser at 1280 and 390 px (issue 30).

A fleet manager whose settings say German (or Dutch) creates a station, meets a conflict and resolves it,
imports a file as a German spreadsheet saves it (``;``, UTF-8 with a byte-order mark) and downloads the
station list the same way, and reads the network dashboard. Each page must speak the reader's language
(no English left, by the same detector as ``tests/i18n``), fit a phone's width even with long German words,
and is photographed under ``var/screenshots/i18n/`` (not committed).
"""

from __future__ import annotations

import csv
import io
import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from locations.models import Location, PowerSample
from locations.sampling import network_sample
from portal.access import Role
from portal.models import Backend, Company, User
from simulator.live import _ERRORS as CHARGEYE_ERRORS
from simulator.seed import COMPANIES as SIM_COMPANIES
from simulator.testing import SimulatorHandle
from stations.csv_import.format import COLUMN_NAMES
from stations.models import Station
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, CompanyFactory, UserFactory
from tests.i18n.test_pages_translated import english_in
from tests.locations.conftest import mirror_chargeye_locations
from tests.upstream import make_backend, mirror_greenflux_parents

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SYNCED = 30_000  # ms: the worker and the page's polling both take a moment
CHARGEYE_FIX = "Reboot the station; dispatch a technician if the error persists"  # simulator/chargeye.py
SHOTS = Path(os.environ.get("PORTAL_VAR_DIR", Path(settings.BASE_DIR) / "var")) / "screenshots" / "i18n"

# What each language's reader sees (the catalogues' words, so a changed translation shows up here).
WORDS = {
    "de": {
        "new": "Neue Ladestation", "platform_station": "GreenFlux-Ladestation", "add_evse": "Ladepunkt hinzufügen",
        "evse_2": "Ladepunkt 2", "create": "Ladestation anlegen", "sent": "wird als synchron angezeigt",
        "synced": "synchron", "waiting": "Warten auf", "edit": "Ladestation bearbeiten",
        "save": "Änderungen speichern", "resolve": "Konflikt lösen", "conflict": "Konflikt bei",
        "both": "beide geändert", "keep_mine": "meine behalten", "send": "Meine Auswahl senden",
        "imports": "Importe", "import_heading": "Ladestationen aus einer CSV-Datei importieren",
        "csv_file": "CSV-Datei", "upload": "Hochladen und prüfen", "create_n": "5 Ladestationen anlegen",
        "settled": "5 von 5 erledigt: 5 angelegt, 0 fehlgeschlagen", "finished": "abgeschlossen",
        "created": "Angelegte Ladestationen", "stations": "Ladestationen",
        "export": "Diese Ladestationen als CSV herunterladen",
        "network": "Netz", "chart": "Gesamte Ladeleistung, letzte 24 Stunden", "errors": "Hardwarefehler",
    },
    "nl": {
        "new": "Nieuwe laadpaal", "platform_station": "GreenFlux-laadpaal", "add_evse": "Laadpunt toevoegen",
        "evse_2": "Laadpunt 2", "create": "Laadpaal aanmaken", "sent": "wordt als gesynchroniseerd getoond",
        "synced": "gesynchroniseerd", "waiting": "Wachten op", "edit": "Laadpaal bewerken",
        "save": "Wijzigingen opslaan", "resolve": "Conflict oplossen", "conflict": "Conflict bij",
        "both": "allebei gewijzigd", "keep_mine": "die van mij houden", "send": "Mijn keuzes verzenden",
        "imports": "Imports", "import_heading": "Laadpalen importeren uit een CSV-bestand",
        "csv_file": "CSV-bestand", "upload": "Uploaden en controleren", "create_n": "5 laadpalen aanmaken",
        "settled": "5 van 5 afgehandeld: 5 aangemaakt, 0 mislukt", "finished": "klaar",
        "created": "Aangemaakte laadpalen", "stations": "Laadpalen",
        "export": "Deze laadpalen downloaden als CSV",
        "network": "Netwerk", "chart": "Totaal laadvermogen, laatste 24 uur", "errors": "Hardwarefouten",
    },
}

# Text pushed past the window's right edge (outside a table's own scrolling wrapper): a long German
# word that does not wrap shows up here before it shows up as a horizontal scroll bar.
OVERFLOWING = """() => [...document.querySelectorAll(
    'main h1, main h2, main h3, main p, main label, main legend, main button, main a, main summary, main li, main dt, main dd')]
  .filter(e => !e.closest('.table-wrap') && e.getClientRects().length
          && e.getBoundingClientRect().right > window.innerWidth + 1)
  .map(e => e.tagName + ': ' + e.textContent.trim().slice(0, 60))"""

SETTLED = """([synced, waiting]) => {
  const live = document.querySelector('#station-live');
  const badge = live && live.querySelector('.station-state .badge');
  const message = [...document.querySelectorAll('.message.until-synced')].some(m => m.getClientRects().length);
  return Boolean(badge && badge.textContent.trim() === synced && !live.textContent.includes(waiting) && !message);
}"""


@pytest.fixture(params=["de", "nl"])
def language(request: pytest.FixtureRequest) -> str:
    return request.param


def reader(user: User, language: str) -> User:
    """The user's own settings choose the language, as a fleet manager sets it on "Your settings"."""
    user.language = language
    user.save(update_fields=["language"])
    return user


def looks_right(page: Page, language: str, name: str, upstream: tuple[str, ...] = ()) -> None:
    """The page speaks the language, fits the window, and is photographed. ``upstream``: text an upstream
    sent (shown as it is, never translated)."""
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == language
    html = page.content()
    for text in upstream:
        html = html.replace(text, "")
    assert not english_in(html), english_in(html)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "scrolls sideways"
    assert not page.evaluate(OVERFLOWING)
    SHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.screenshot(path=str(SHOTS / f"{name}-{language}-{width}.png"), full_page=True)


def wait_synced(page: Page, words: dict[str, str]) -> None:
    page.wait_for_function(SETTLED, arg=[words["synced"], words["waiting"]], polling="raf", timeout=SYNCED)


@pytest.fixture
def gf(simulator: SimulatorHandle, operator: User, celery_worker_process: Any) -> Backend:
    backend = make_backend(simulator, "greenflux", operator.companies.get())
    mirror_greenflux_parents(backend)
    return backend


@pytest.mark.worker
def test_create_a_station_and_resolve_a_conflict(page: Page, live_server: Any, simulator: SimulatorHandle,
                                                 operator: User, gf: Backend, language: str) -> None:
    words = WORDS[language]
    base = live_server.url
    width = page.viewport_size["width"] if page.viewport_size else 0
    identity = f"I18N-{language}-{width}"
    sign_in(page, base, reader(operator, language).username, PASSWORD)
    page.goto(f"{base}/stations/new/")
    expect(page.get_by_role("heading", name=words["new"])).to_be_visible()
    expect(page.get_by_role("heading", name=words["platform_station"])).to_be_visible()
    page.locator("#id_charge_box_identity").fill(identity)
    page.locator("#id_label").fill("Ladepark Köln-Deutz")
    page.locator("#id_location").select_option(index=1)
    page.locator("#id_default_tariff_id").fill("TARIFF-AC-STANDARD")
    page.locator("#id_deploy_state").select_option("Stock")
    page.get_by_role("button", name=words["add_evse"]).click()
    expect(page.get_by_role("group", name=words["evse_2"], exact=True)).to_be_visible()
    page.locator("#id_evse-1-conn-0-max_electric_power").fill("22,5")  # a decimal comma, as the reader writes it
    looks_right(page, language, "station-create")
    page.get_by_role("button", name=words["create"]).click()

    expect(page.get_by_text(words["sent"])).to_be_visible()
    wait_synced(page, words)
    station = Station.objects.get(charge_box_identity=identity)
    assert station.evses.count() == 2
    assert 22_500 in [c.max_electric_power for evse in station.evses.all() for c in evse.connectors.all()]
    looks_right(page, language, "station-detail")

    # Someone changes it on GreenFlux between our load and our save: a conflict, decided field by field.
    page.get_by_role("link", name=words["edit"]).first.click()
    page.locator("#id_label").fill("Ladepark Köln-Deutz Süd")
    simulator.touch_station(identity, name="Umspannwerk Nord", default_charge_station_tariff_id="TARIFF-ELSEWHERE")
    page.get_by_role("button", name=words["save"]).click()
    page.get_by_role("link", name=words["resolve"]).click(timeout=SYNCED)
    expect(page.get_by_role("heading", name=words["conflict"])).to_be_visible()
    name_row = page.locator("tr[data-path='name']")
    expect(name_row).to_contain_text(words["both"])
    looks_right(page, language, "station-conflict")
    name_row.get_by_label(words["keep_mine"]).check()
    page.get_by_role("button", name=words["send"]).click()
    expect(page.get_by_text(words["sent"])).to_be_visible()
    wait_synced(page, words)
    with gf.connector() as connector:
        upstream = connector.get_station(identity)
    assert upstream.name == "Ladepark Köln-Deutz Süd"
    assert upstream.default_charge_station_tariff_id == "TARIFF-ELSEWHERE"


def spreadsheet_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    """A file as German and Dutch Excel save "CSV (Trennzeichen-getrennt)": ``;``, CRLF, UTF-8 with a BOM."""
    lines = [";".join(COLUMN_NAMES)] + [";".join(r.get(c, "") for c in COLUMN_NAMES) for r in rows]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")
    return path


@pytest.mark.worker
def test_import_a_spreadsheet_file_and_export_one(page: Page, live_server: Any, operator: User,
                                                  gf_backend: Backend, celery_worker_process: Any,
                                                  tmp_path: Path, language: str) -> None:
    words = WORDS[language]
    width = page.viewport_size["width"] if page.viewport_size else 0
    location = Location.objects.filter(backend=gf_backend).first()
    base_row = {"backend": gf_backend.name, "location": location.upstream_id, "deploy_state": "Stock",
                "default_tariff_id": "TARIFF-AC-STANDARD", "connectors": "IEC_62196_T2/SOCKET/AC_3_PHASE/400/32/22000"}
    rows = [{**base_row, "label": f"Straßenbahndepot Möhringen {n}", "charge_box_identity": f"CSV-{language}{width}-{n}"}
            for n in range(1, 6)]

    sign_in(page, live_server.url, reader(operator, language).username, PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name=words["imports"]).click()
    expect(page.get_by_role("heading", name=words["import_heading"])).to_be_visible()
    looks_right(page, language, "import-form")
    page.get_by_label(words["csv_file"]).set_input_files(str(spreadsheet_csv(tmp_path / "Ladestationen.csv", rows)))
    page.get_by_role("button", name=words["upload"]).click()
    page.get_by_role("button", name=words["create_n"]).click()
    page.wait_for_function("(text) => (document.querySelector('#import-progress') || {}).textContent?.includes(text)",
                           arg=words["settled"], timeout=60_000)
    assert page.locator(".page-head .badge").inner_text() == words["finished"]
    expect(page.get_by_role("table", name=words["created"]).get_by_role("link")).to_have_count(5)
    looks_right(page, language, "import-done")

    # The export, opened as the same spreadsheet opens it: ";" for a reader who writes a decimal comma, a BOM.
    page.get_by_role("navigation").get_by_role("link", name=words["stations"]).click()
    looks_right(page, language, "station-list")
    with page.expect_download() as download:
        page.get_by_role("link", name=words["export"]).click()
    raw = Path(download.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    exported = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert list(exported[0])[:len(COLUMN_NAMES)] == list(COLUMN_NAMES)  # English names, so files move between users
    mine = {r["charge_box_identity"]: r for r in exported if r["charge_box_identity"].startswith("CSV-")}
    assert sorted(mine) == sorted(r["charge_box_identity"] for r in rows)
    assert {r["label"] for r in mine.values()} == {r["label"] for r in rows}  # umlauts and ß intact


def test_network_dashboard(page: Page, live_server: Any, simulator: SimulatorHandle, language: str) -> None:
    words = WORDS[language]
    company: Company = CompanyFactory(name="Voltera Fleet", upstream_ref=SIM_COMPANIES[0]["uuid"])
    fleet = UserFactory(username="fleet", role=Role.VIEWER, companies=[company])
    backend = make_backend(simulator, "chargeye", None, name="ChargEye")
    mirror_chargeye_locations(backend)
    now = timezone.now()
    for half_hours in range(47, -1, -1):
        network_sample(backend, now=now - timedelta(minutes=30 * half_hours))
    assert PowerSample.objects.filter(company=company).exists()

    sign_in(page, live_server.url, reader(fleet, language).username, PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name=words["network"], exact=True).click()
    expect(page.get_by_role("heading", name=words["network"], exact=True)).to_be_visible()
    expect(page.get_by_role("img", name=words["chart"])).to_be_visible()
    expect(page.get_by_role("heading", name=words["errors"])).to_be_visible()
    # Numbers as the reader writes them: a decimal comma in the power figures.
    assert re.search(r"\d,\d+\s?kW", page.inner_text("main")), "no decimal comma in the power figures"
    # ChargEye's own words for its errors and their fixes are shown as it sends them.
    looks_right(page, language, "network-dashboard",
                upstream=(CHARGEYE_FIX, *(title for _code, title, _severity in CHARGEYE_ERRORS)))
