"""A fleet manager imports stations: a file with errors, the report, the fixed file, the progress bar; and an
update-mode file whose report shows each row as new, change (current → new), unchanged or invalid."""

from __future__ import annotations

import re

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from locations.models import Location
from portal.models import Backend, User
from sync.engine import refresh_run
from simulator.ocpi import STANDARDS
from stations.csv_import.format import COLUMN_NAMES
from stations.models import Connector, Station
from tests.browser.conftest import screenshot, sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("celery_worker_process")]


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    lines = [";".join(COLUMN_NAMES)] + [";".join(r.get(c, "") for c in COLUMN_NAMES) for r in rows]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")
    return path


def test_upload_fix_and_watch_progress(page: Page, live_server: object, operator: User, gf_backend: Backend,
                                       tmp_path: Path) -> None:
    location = Location.objects.filter(backend=gf_backend).first()
    width = page.viewport_size["width"] if page.viewport_size else 0
    base = {"backend": gf_backend.name, "location": location.upstream_id, "deploy_state": "Stock",
            "default_tariff_id": "TARIFF-AC-STANDARD", "connectors": "IEC_62196_T2/SOCKET/AC_3_PHASE/400/32/22000"}
    rows = [{**base, "label": f"Browser import {n}", "charge_box_identity": f"BRW{width}-{n}"} for n in range(1, 6)]
    broken = [dict(r) for r in rows]
    broken[1]["deploy_state"] = "Sometimes"
    broken[3]["connectors"] = "CHADEMO/SOCKET/DC/500/125/50000"

    sign_in(page, live_server.url, operator.username, PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Imports").click()
    expect(page.get_by_role("heading", name="Import stations from a CSV file")).to_be_visible()
    page.get_by_label("CSV file").set_input_files(str(write_csv(tmp_path / "fleet.csv", broken)))
    page.get_by_role("button", name="Upload and check").click()

    report = page.get_by_role("table").last
    expect(page.get_by_role("heading", name="Problems to fix")).to_be_visible()
    expect(report.get_by_role("row").filter(has_text="Sometimes")).to_contain_text("3")
    expect(report.get_by_role("row").filter(has_text="CHADEMO")).to_contain_text("5")
    # All or nothing is not offered with problems left; creating only the valid rows is.
    expect(page.get_by_role("button", name=re.compile(r"^Create \d+ stations?$"))).to_have_count(0)
    expect(page.get_by_role("button", name="Create the 3 valid rows, leave the others")).to_be_visible()
    screenshot(page, "import-report")

    page.get_by_role("link", name="← Imports").click()
    page.get_by_label("CSV file").set_input_files(str(write_csv(tmp_path / "fleet-fixed.csv", rows)))
    page.get_by_role("button", name="Upload and check").click()
    page.get_by_role("button", name="Create 5 stations").click()

    bar = page.get_by_role("progressbar", name="Stations settled")
    expect(bar).to_be_visible()
    # The bar spans its card, not a 160 px stub.
    assert bar.evaluate("b => b.getBoundingClientRect().width / b.closest('.card').getBoundingClientRect().width") > 0.8
    # One source of truth: in the frame the progress says all settled, the header says finished too.
    page.wait_for_function("() => (document.querySelector('#import-progress') || {}).textContent"
                           "?.includes('5 of 5 settled: 5 created, 0 failed')", timeout=60_000)
    assert page.locator(".page-head .badge").inner_text() == "finished"
    expect(bar).to_have_attribute("value", "5")
    # The new stations are listed, each linked to its page.
    created = page.get_by_role("table", name="Stations created")
    expect(created.get_by_role("link")).to_have_count(5)
    expect(created.get_by_role("link", name="Browser import 1")).to_have_attribute("href", re.compile(r"/stations/\d+/$"))
    screenshot(page, "import-progress")


def test_update_mode_upload_shows_each_rows_outcome_and_applies_the_changes(
        page: Page, live_server: object, operator: User, gf_backend: Backend, tmp_path: Path) -> None:
    """Update mode, as a fleet manager uses it: a change, an unchanged row, a new station and an invalid row."""
    assert refresh_run(gf_backend, "stations", full=True).status == "done"
    refused = set(Connector.objects.values_list("standard", flat=True)) - set(STANDARDS)
    changed, unchanged, invalid = list(
        Station.objects.filter(backend=gf_backend, removed_at__isnull=True, upstream_id__isnull=False)
        .exclude(evses__connectors__standard__in=refused).exclude(deploy_state="").distinct().order_by("id")[:3])
    location = Location.objects.filter(backend=gf_backend).first()
    width = page.viewport_size["width"] if page.viewport_size else 0
    rows = [
        {"backend": gf_backend.name, "charge_box_identity": changed.charge_box_identity,
         "default_tariff_id": "TARIFF-BROWSER-UPD"},
        {"backend": gf_backend.name, "charge_box_identity": unchanged.charge_box_identity, "label": unchanged.label},
        {"backend": gf_backend.name, "label": "Browser update new", "charge_box_identity": f"BRU{width}-1",
         "location": location.upstream_id, "deploy_state": "Stock", "default_tariff_id": "TARIFF-AC-STANDARD",
         "connectors": "IEC_62196_T2/SOCKET/AC_3_PHASE/400/32/22000"},
        {"backend": gf_backend.name, "charge_box_identity": invalid.charge_box_identity, "deploy_state": "Sideways"},
    ]
    sign_in(page, live_server.url, operator.username, PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Imports").click()
    page.get_by_label("CSV file").set_input_files(str(write_csv(tmp_path / "fleet-update.csv", rows)))
    page.get_by_label("Update those stations: change only the columns filled in").check()
    screenshot(page, "import-update-upload")
    page.get_by_role("button", name="Upload and check").click()

    report = page.locator("table.import-rows")
    expect(report.locator("#row-2")).to_contain_text("change")
    expect(report.locator("#row-2")).to_contain_text("TARIFF-BROWSER-UPD")
    expect(report.locator("#row-3")).to_contain_text("Already as in the file; nothing is sent.")
    expect(report.locator("#row-4")).to_contain_text("new station")
    expect(report.locator("#row-5")).to_contain_text("deploy_state")
    expect(report.locator("#row-5")).to_contain_text("invalid")
    expect(page.locator("#tab-unchanged")).to_contain_text("1")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "import-update-report")

    page.get_by_role("button", name="Apply the 3 valid rows, leave the others").click()
    expect(page.locator("#changes-progress")).to_contain_text("1 done, 0 in conflict, 0 failed", timeout=60_000)
    expect(page.get_by_text("1 of 1 settled: 1 created, 0 failed")).to_be_visible(timeout=60_000)
    expect(page.locator(".page-head").get_by_text("finished")).to_be_visible(timeout=10_000)
    # The rows are redrawn with the progress, so each row shows its result without a reload.
    expect(report.locator("#row-2")).to_contain_text("done", timeout=10_000)
    expect(report.locator("#row-3")).to_contain_text("nothing sent")
    screenshot(page, "import-update-progress")
    page.get_by_role("link", name="← Imports").click()
    expect(page.get_by_role("row").filter(has_text="fleet-update.csv")).to_contain_text("update mode")
    with gf_backend.connector() as connector:
        assert connector.get_station(changed.upstream_id).default_charge_station_tariff_id == "TARIFF-BROWSER-UPD"
        assert connector.get_station(invalid.upstream_id).deploy_state == invalid.deploy_state
