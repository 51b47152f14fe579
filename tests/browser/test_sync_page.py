"""The Sync page in a real browser: runs with progress, "refresh now" by keyboard, at 1280px and 390px."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from portal.access import Role
from portal.models import SyncRun
from tests.browser.axe import assert_accessible
from tests.browser.conftest import screenshot, sign_in
from tests.factories import PASSWORD, BackendFactory, CompanyFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator_sees_progress_and_queues_a_refresh_by_keyboard(page: Page, live_server: object) -> None:
    company = CompanyFactory(name="Voltera Fleet")
    backend = BackendFactory(name="GreenFlux Voltera", company=company, kind="greenflux")
    now = timezone.now()
    SyncRun.objects.create(backend=backend, entity="templates", status=SyncRun.Status.DONE, started_at=now,
                           finished_at=now, pages=1, rows_seen=12, rows_created=12)
    SyncRun.objects.create(backend=backend, entity="locations", status=SyncRun.Status.FAILED, started_at=now,
                           finished_at=now, pages=2, rows_seen=200, rows_updated=3, rows_unchanged=197,
                           message="The upstream failed: greenflux GET /locations: 503 Service Unavailable")
    running = SyncRun.objects.create(backend=backend, entity="stations", status=SyncRun.Status.RUNNING,
                                     started_at=now, pages=12, total=35000, rows_seen=12000, rows_created=12000)
    UserFactory(username="op", role=Role.OPERATOR, companies=[company])
    sign_in(page, live_server.url, "op", PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sync").click()

    expect(page.get_by_role("heading", name="Sync", exact=True)).to_be_visible()
    runs = page.locator("#sync-runs")
    bar = runs.get_by_role("progressbar", name=f"Progress of run {running.pk}")
    expect(bar).to_have_attribute("value", "34")
    expect(runs.get_by_text("34% · 12000 of 35000 rows")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "sync-operator")

    # The run finishes: the polling list shows it without a reload.
    SyncRun.objects.filter(pk=running.pk).update(status=SyncRun.Status.DONE, rows_seen=35000, finished_at=now)
    expect(page.get_by_role("progressbar")).to_have_count(0, timeout=10_000)

    # Keyboard only: focus the templates card's button and press Enter.
    button = page.get_by_role("button", name="Refresh now: GreenFlux Voltera, Hardware templates")
    button.focus()
    page.keyboard.press("Enter")
    # The list shows the new run at once (a worker, if one runs, may already have picked it up).
    expect(page.locator("#sync-runs").get_by_text("full · refresh now")).to_be_visible()
    assert SyncRun.objects.filter(entity="templates", trigger=SyncRun.Trigger.MANUAL).count() == 1

    page.get_by_role("link", name=f"#{running.pk}").click()
    expect(page.get_by_role("heading", name=f"Run {running.pk}: GreenFlux Voltera · stations")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "sync-run-detail")


@pytest.mark.parametrize("page", [(1280, 900)], indirect=True)
def test_refresh_now_shows_the_new_run_on_its_card_as_it_moves(
    page: Page, live_server: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The card the button is on follows the new run (queued, running with progress, done) in a live
    region that stays in place, so a screen reader hears it; the runs list is 1,300 px lower.

    The test moves the run itself, so the task is recorded rather than sent: a session worker left
    running by an earlier test would otherwise pick it up and fail it (the backend is unreachable)."""
    import sync.schedules

    sent: list[int] = []
    monkeypatch.setattr(sync.schedules, "enqueue",
                        lambda name, args=(), kwargs=None, **options: sent.append((kwargs or {}).get("run_id")))
    company = CompanyFactory(name="Voltera Fleet")
    backend = BackendFactory(name="GreenFlux Voltera", company=company, kind="greenflux")
    now = timezone.now()
    old = SyncRun.objects.create(backend=backend, entity="templates", status=SyncRun.Status.DONE, started_at=now,
                                 finished_at=now, pages=1, rows_seen=12, rows_created=12)
    UserFactory(username="op", role=Role.OPERATOR, companies=[company])
    sign_in(page, live_server.url, "op", PASSWORD)  # type: ignore[attr-defined]
    page.goto(f"{live_server.url}/sync/")  # type: ignore[attr-defined]
    card = page.locator(".schedules li", has=page.get_by_text("Hardware templates", exact=True))
    region = card.get_by_role("status")
    expect(region).to_contain_text(f"run {old.pk}")
    region.evaluate("el => { el.dataset.seen = 'before' }")  # the same element must stay: a live region
    # WCAG 2.5.3: each button's accessible name holds its visible "Refresh now" (axe's label-in-name rule).
    assert_accessible(page, context=".schedules", where="the Sync page's cards")

    card.get_by_role("button", name="Refresh now: GreenFlux Voltera, Hardware templates").click()
    expect(region).to_contain_text("queued")
    run = SyncRun.objects.exclude(pk=old.pk).get(entity="templates")
    expect(region).to_contain_text(f"run {run.pk}")
    assert sent == [run.pk]
    SyncRun.objects.filter(pk=run.pk).update(status=SyncRun.Status.RUNNING, started_at=now, total=200, rows_seen=80)
    expect(region.get_by_role("progressbar", name=f"Progress of run {run.pk}")).to_have_attribute("value", "40")
    expect(region).to_contain_text("running")
    SyncRun.objects.filter(pk=run.pk).update(status=SyncRun.Status.DONE, rows_seen=200, finished_at=timezone.now())
    expect(region).to_contain_text(re.compile(rf"run {run.pk}\s+done"))
    expect(region.get_by_role("progressbar")).to_have_count(0)
    assert region.evaluate("el => el.dataset.seen") == "before"
    expect(page.locator("#sync-runs").get_by_role("link", name=f"#{run.pk}")).to_be_visible()
    screenshot(page, "sync-card-refresh-now")
