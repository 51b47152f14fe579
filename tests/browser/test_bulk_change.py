"""In a real browser: filter the list, select all matching, change the tariff, preview, confirm, follow, open the conflict."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from portal.models import Backend, User
from sync.engine import refresh_run
from simulator.testing import SimulatorHandle
from stations.models import Station
from tests.browser.conftest import screenshot, sign_in
from tests.factories import PASSWORD
from tests.upstream import make_backend, mirror_greenflux_parents

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SETTLED = 60_000  # ms


@pytest.fixture
def gf(simulator: SimulatorHandle, operator: User, celery_worker_process: Any) -> Backend:
    backend = make_backend(simulator, "greenflux", operator.companies.get())
    mirror_greenflux_parents(backend)
    assert refresh_run(backend, "stations", full=True).status == "done"
    return backend


def fits_the_window(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_bulk_tariff_change_with_a_conflict(
    page: Page, live_server: Any, simulator: SimulatorHandle, operator: User, gf: Backend
) -> None:
    base = live_server.url
    matching = Station.objects.filter(backend=gf, charge_box_identity__icontains="GFX10000")
    count = matching.count()
    assert 2 <= count <= 12
    sign_in(page, base, operator.username, PASSWORD)
    page.goto(f"{base}/stations/")

    # Rows can be checked from the keyboard: Tab to a checkbox, Space checks it, the count follows.
    first_box = page.locator('input[name="station"]').first
    first_box.focus()
    page.keyboard.press("Space")
    expect(first_box).to_be_checked()
    expect(page.locator("#bulk-count")).to_have_text("1 checked")
    page.locator("#select-page").check()
    expect(page.locator("#bulk-count")).to_have_text(re.compile(r"^\d+ checked$"))

    page.locator("#id_q").fill("GFX10000")
    expect(page.locator(".result-summary")).to_contain_text(f"{count} stations match")
    page.locator("#bulk-all").click()
    expect(page.get_by_role("heading", name=f"Act on {count} stations")).to_be_visible()
    expect(page.get_by_text("matching search GFX10000")).to_be_visible()
    page.get_by_label("Default tariff id").fill("TARIFF-BROWSER-BULK")
    assert fits_the_window(page)
    screenshot(page, "bulk-action")
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_role("heading", name=re.compile(r"Batch #\d+: Change default tariff"))).to_be_visible()
    rows = page.locator("table.bulk-rows tbody tr")
    expect(rows).to_have_count(count)
    expect(rows.first).to_contain_text("TARIFF-BROWSER-BULK")
    assert fits_the_window(page)
    screenshot(page, "bulk-preview")

    # Someone changes one of them upstream before we confirm.
    touched = matching.order_by("id").first()
    simulator.touch_station(touched.upstream_id, name="Renamed upstream meanwhile")
    page.get_by_role("button", name=re.compile("Confirm and send")).click()
    expect(page.locator("#batch-progress progress")).to_be_visible()
    # One source of truth: in the frame the progress says all settled, the header and every row agree.
    page.wait_for_function("n => (document.querySelector('#progress-text') || {}).textContent"
                           "?.includes(`${n} of ${n} settled`)", arg=count, timeout=SETTLED)
    assert page.locator("#batch-status").inner_text() == "Finished"
    results = page.locator("table.bulk-rows tbody tr td:last-child").all_inner_texts()
    assert len(results) == count and not [r for r in results if "queued" in r or "sending" in r], results
    assert sum("done" in r for r in results) == count - 1
    expect(page.locator("#progress-text")).to_contain_text("1 in conflict")
    assert fits_the_window(page)
    screenshot(page, "bulk-progress")

    page.locator("#tab-conflict").click()
    expect(page.locator("table.bulk-rows tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Open the conflict").click()
    expect(page.get_by_role("heading", name="Conflict on")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Renamed upstream meanwhile")
    assert fits_the_window(page)
    screenshot(page, "bulk-conflict")
    with gf.connector() as connector:
        assert connector.get_station(touched.upstream_id).name == "Renamed upstream meanwhile"
