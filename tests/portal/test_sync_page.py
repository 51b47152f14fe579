"""The Sync page: who sees which runs, progress while a run is open, "refresh now", schedule edits."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from portal.models import Backend, Company, SyncRun
from sync.schedules import refresh_schedules_ensure, schedule_name
from tests.factories import BackendFactory


@pytest.fixture
def backend_a(company_a: Company) -> Backend:
    return BackendFactory(name="GreenFlux A", company=company_a, kind="greenflux")


@pytest.fixture
def backend_b(company_b: Company) -> Backend:
    return BackendFactory(name="GreenFlux B", company=company_b, kind="greenflux")


def run_of(backend: Backend, **kw: Any) -> SyncRun:
    return SyncRun.objects.create(backend=backend, entity="stations", **kw)


def test_viewer_sees_runs_and_schedules_of_own_companies_only(
    viewer_client: Client, backend_a: Backend, backend_b: Backend
) -> None:
    run_of(backend_a, status=SyncRun.Status.DONE, rows_created=41, message="all good")
    run_of(backend_b, status=SyncRun.Status.DONE, rows_created=99)
    html = viewer_client.get(reverse("sync:list")).content.decode()
    assert "GreenFlux A" in html and "+41 new" in html
    assert "GreenFlux B" not in html and "+99" not in html
    assert "Stations, EVSEs and connectors" in html
    assert "Refresh now" not in html and 'name="minutes"' not in html  # viewers only read


def test_open_run_shows_a_progress_bar_and_polls_until_settled(viewer_client: Client, backend_a: Backend) -> None:
    run = run_of(backend_a, status=SyncRun.Status.RUNNING, total=200, rows_seen=50, pages=1)
    url = reverse("sync:run", args=[run.pk])
    html = viewer_client.get(url).content.decode()
    assert '<progress max="100" value="25"' in html and "25% · 50 of 200 rows" in html
    assert f'hx-get="{url}"' in html
    listing = viewer_client.get(reverse("sync:list")).content.decode()
    assert "every 2s" in listing
    SyncRun.objects.filter(pk=run.pk).update(status=SyncRun.Status.DONE, rows_seen=200)
    fragment = viewer_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "done" in fragment and "<progress" not in fragment
    assert "hx-get" not in fragment  # settled: polling stops
    assert "every 2s" not in viewer_client.get(reverse("sync:list") + "?part=runs", HTTP_HX_REQUEST="true").content.decode()


def test_run_of_another_company_is_404(viewer_client: Client, backend_b: Backend) -> None:
    assert viewer_client.get(reverse("sync:run", args=[run_of(backend_b).pk])).status_code == 404


def test_viewer_may_not_refresh(viewer_client: Client, backend_a: Backend) -> None:
    response = viewer_client.post(reverse("sync:refresh"), {"backend": backend_a.pk, "entity": "stations"})
    assert response.status_code == 403
    assert not SyncRun.objects.exists()


def test_operator_refresh_now_queues_a_run_after_commit(
    operator_client: Client, backend_a: Backend, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        response = operator_client.post(reverse("sync:refresh"), {"backend": backend_a.pk, "entity": "stations"})
    run = SyncRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("sync:run", args=[run.pk])
    assert (run.status, run.trigger, run.requested_by.username) == ("queued", "manual", "operator")
    assert len(callbacks) == 1  # the task is enqueued only once the run row is committed
    # Pressing again while it is queued does not queue a second one.
    operator_client.post(reverse("sync:refresh"), {"backend": backend_a.pk, "entity": "stations"})
    assert SyncRun.objects.count() == 1


def test_refresh_now_with_htmx_answers_the_cards_run_and_redraws_the_runs_list(
    operator_client: Client, backend_a: Backend
) -> None:
    response = operator_client.post(reverse("sync:refresh"), {"backend": backend_a.pk, "entity": "templates"},
                                    HTTP_HX_REQUEST="true")
    assert response["HX-Trigger"] == "syncRunsChanged"  # the runs list listens for it
    run = SyncRun.objects.get()
    html = response.content.decode()
    assert f"run {run.pk}</a>" in html and "queued" in html and 'hx-trigger="every 1s"' in html
    card = operator_client.get(reverse("sync:list"), {"part": "card", "backend": backend_a.pk, "entity": "templates"},
                               HTTP_HX_REQUEST="true").content.decode()
    assert f"run {run.pk}</a>" in card and "queued" in card


def test_operator_cannot_refresh_other_companies_or_unknown_entities(
    operator_client: Client, backend_b: Backend, backend_a: Backend
) -> None:
    assert operator_client.post(reverse("sync:refresh"), {"backend": backend_b.pk, "entity": "stations"}).status_code == 404
    assert operator_client.post(reverse("sync:refresh"), {"backend": backend_a.pk, "entity": "models"}).status_code == 404
    assert not SyncRun.objects.exists()


def test_admin_changes_an_interval_and_operators_may_not(
    admin_client_portal: Client, operator_client: Client, backend_a: Backend
) -> None:
    refresh_schedules_ensure()
    data = {"backend": backend_a.pk, "entity": "stations", "minutes": "30", "enabled": "1"}
    assert operator_client.post(reverse("sync:schedule"), data).status_code == 403
    response = admin_client_portal.post(reverse("sync:schedule"), data, follow=True)
    assert "every 30 min" in response.content.decode()
    task = PeriodicTask.objects.get(name=schedule_name(backend_a.pk, "stations"))
    assert task.interval.every == 1800 and task.enabled
    bad = admin_client_portal.post(reverse("sync:schedule"), {**data, "minutes": "0"}, follow=True)
    assert "Interval not changed" in bad.content.decode()
    task.refresh_from_db()
    assert task.interval.every == 1800
    admin_client_portal.post(reverse("sync:schedule"), {**data, "enabled": ""})
    task.refresh_from_db()
    assert not task.enabled
