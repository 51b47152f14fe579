"""A fleet manager imports stations: a file with errors, the report, the fixed file, the progress bar."""

from __future__ import annotations

import re

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from locations.models import Location
from portal.models import Backend, User
from stations.csv_import.format import COLUMN_NAMES
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
    expect(page.get_by_text("5 of 5 settled: 5 created, 0 failed")).to_be_visible(timeout=60_000)
    expect(bar).to_have_attribute("value", "5")
    expect(page.locator("#import-progress").get_by_text("finished")).to_be_visible(timeout=10_000)
    screenshot(page, "import-progress")
