"""In a real browser: a pending station page settles in one swap, so a click right after "synced" counts.

A save waits for a slow upstream; the page polls. The moment its badge says synced the user
clicks "Refresh from upstream" (no waiting for the page to go quiet): the refresh starts, and no
request redrew the page between the settle and the click. A keyboard user who was on that button
while the page polled is still on it after the page redrew itself. When the refresh settles in
turn, "Edit station" is clicked at once and opens the edit form.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from portal.models import Backend, Company, SyncRun, User
from sync.engine import refresh_run
from simulator.testing import SimulatorHandle
from stations.models import Station
from tests.browser.conftest import screenshot, sign_in
from tests.factories import PASSWORD
from tests.upstream import make_backend, mirror_greenflux_parents

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SYNCED = 30_000  # ms: the worker and the page's polling both take a moment

# Every htmx request the page sends and every swap, in order, with what the head's badge said then.
HTMX_LOG = """
window.__htmx = [];
const badge = () => (document.querySelector('#station-live .station-state .badge') || {}).textContent || '';
document.addEventListener('htmx:beforeSend', e => window.__htmx.push(
  {kind: 'request', verb: e.detail.requestConfig.verb, path: e.detail.requestConfig.path, badge: badge()}));
document.addEventListener('htmx:afterSwap', e => window.__htmx.push(
  {kind: 'swap', target: e.detail.target.id, badge: badge()}));
document.addEventListener('stationsChanged', () => window.__htmx.push({kind: 'stationsChanged', badge: badge()}));
"""
# Checked on every animation frame: the click follows the badge as closely as a person's would.
HEAD_SYNCED = "() => (document.querySelector('#station-live .station-state .badge') || {}).textContent === 'synced'"


@pytest.fixture
def gf(simulator: SimulatorHandle, company_a: Company, celery_worker_process: Any) -> Backend:
    backend = make_backend(simulator, "greenflux", company_a)
    mirror_greenflux_parents(backend)
    assert refresh_run(backend, "stations", full=True).status == SyncRun.Status.DONE
    return backend


def after_first_settle(log: list[dict[str, Any]]) -> tuple[int, list[dict[str, Any]]]:
    """Where the first swap that showed the station synced is in ``log``, and what came after it."""
    settle = next(i for i, entry in enumerate(log) if entry["kind"] == "swap" and entry["badge"] == "synced")
    return settle, log[settle + 1:]


def test_a_click_right_after_synced_takes_effect(
    page: Page, live_server: Any, simulator: SimulatorHandle, operator: User, gf: Backend
) -> None:
    base = live_server.url
    station = Station.objects.filter(backend=gf).exclude(etag="").order_by("pk").first()
    page.add_init_script(HTMX_LOG)
    sign_in(page, base, operator.username, PASSWORD)
    page.goto(f"{base}/stations/{station.pk}/edit/")
    page.locator("#id_label").fill("Settles in one swap")
    simulator.set_faults("greenflux", latency_ms=2500)  # the upstream is slow: the page polls a while
    page.get_by_role("button", name="Save changes").click()

    head_badge = page.locator("#station-live .station-state .badge").first
    expect(head_badge).to_have_text("pending")
    refresh = page.get_by_role("button", name="Refresh from upstream")
    refresh.focus()  # a keyboard user waits on the button while the page polls
    simulator.clear_faults()

    page.wait_for_function(HEAD_SYNCED, polling="raf", timeout=SYNCED)
    focused = page.evaluate("document.activeElement && document.activeElement.id")
    refresh.click()
    expect(page.locator(".refresh-outcome")).to_contain_text("nothing had changed", timeout=SYNCED)
    screenshot(page, "station-settled-then-refreshed")

    log = page.evaluate("window.__htmx")
    settle, later = after_first_settle(log)
    first_post = next(i for i, entry in enumerate(later) if entry["kind"] == "request" and entry["verb"] == "post")
    redraws = [entry for entry in later[:first_post] if entry["kind"] in ("request", "swap")]
    assert redraws == [], f"the page redrew itself after it showed synced: {redraws}"
    assert later[first_post]["path"].endswith("/refresh/")  # the click was the next thing that happened
    assert {"kind": "stationsChanged", "badge": "pending"} in log[settle - 1:settle]  # lists are still told
    # The page redrew itself (at least the settle) while the focus was on the button: it stayed there.
    assert focused == "station-refresh"

    # The refresh settles the same way: "Edit station" is clicked the moment it is done.
    page.locator("#station-edit").click()  # the history also links an "Edit station" operation
    expect(page.get_by_role("heading", name="Edit Settles in one swap")).to_be_visible()
