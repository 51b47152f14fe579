"""Checking an import under a lease: a large file goes to a worker, a dead checker is resent by the
sweeper on beat's schedule, and a file that stops every checker is refused instead of checking for ever.
(The worker killed mid-check, with a real worker process, is in ``tests/faults/test_import_faults.py``.)"""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from portal.models import Backend, User
from stations.csv_import import checking
from stations.csv_import.models import ImportJob, ImportRow
from stations.csv_import.services import import_confirm, import_run, import_upload
from tests.stations.test_csv_import import csv_bytes
from tests.stations.test_csv_import_flow import greenflux_rows


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The jobs handed to a worker (no worker runs here)."""
    ids: list[int] = []
    monkeypatch.setattr(checking, "_send", ids.append)
    return ids


def test_beat_sweeps_import_checks_as_it_sweeps_operations(db: None) -> None:
    imports = PeriodicTask.objects.get(task="stations.sweep_imports")
    operations = PeriodicTask.objects.get(task="portal.sweep_operations")
    assert imports.enabled and imports.interval == operations.interval


def test_a_large_file_is_checked_by_a_worker_and_its_page_follows(
    operator_client: Client, operator: User, gf_backend: Backend, settings: Any, sent: list[int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.IMPORT_INLINE_MAX_BYTES = 100
    rows = greenflux_rows(gf_backend, 3, "CHK")
    rows[1]["deploy_state"] = "Sometimes"
    upload = io.BytesIO(csv_bytes(*rows))
    upload.name = "fleet.csv"
    with django_capture_on_commit_callbacks(execute=True):
        answer = operator_client.post(reverse("stations:import_list"), {"file": upload})
    job = ImportJob.objects.get()
    assert answer["Location"] == reverse("stations:import_detail", args=[job.pk])
    assert job.status == ImportJob.Status.VALIDATING and sent == [job.pk]
    page = operator_client.get(answer["Location"]).content.decode()
    assert "Checking the file" in page and "Problems to fix" not in page
    listing = operator_client.get(reverse("stations:import_list")).content.decode()
    assert "checking" in listing
    confirm = operator_client.post(reverse("stations:import_confirm", args=[job.pk]), follow=True)
    assert "still being checked" in confirm.content.decode()
    part = operator_client.get(answer["Location"], {"part": "live"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="import-checking"' in part and 'hx-trigger="every 2s"' in part

    assert checking.import_check(job.pk) == ImportJob.Status.INVALID  # what the worker does
    # The page's one fragment shows the report in place, and stops polling.
    part = operator_client.get(answer["Location"], {"part": "live"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Problems to fix" in part and "Sometimes" in part and "hx-trigger" not in part.split("</div>")[0]
    page = operator_client.get(answer["Location"]).content.decode()
    assert "Problems to fix" in page and "Sometimes" in page and "Checking the file" not in page
    assert checking.import_check(job.pk) == "skipped"  # a message sent twice checks nothing twice
    assert ImportRow.objects.filter(job=job).count() == 3


def test_the_sweeper_resends_a_dead_check_and_leaves_a_live_one(
    operator: User, gf_backend: Backend, settings: Any, sent: list[int]
) -> None:
    settings.IMPORT_RESEND_AFTER_SECONDS = 60
    data = csv_bytes(*greenflux_rows(gf_backend, 2, "SWP"))

    def waiting(name: str, **fields: Any) -> ImportJob:
        job = import_upload(user=operator, stream=io.BytesIO(data), file_name=name, size=len(data), defer=True)
        ImportJob.objects.filter(pk=job.pk).update(**fields)
        return job

    now = timezone.now()
    dead = waiting("dead.csv", lease_until=now - timedelta(seconds=1), validation_attempts=1)
    live = waiting("live.csv", lease_until=now + timedelta(minutes=4), validation_attempts=1)
    lost = waiting("lost.csv", enqueued_at=now - timedelta(minutes=2))  # its message never reached a worker
    fresh = waiting("fresh.csv")                                          # just handed over
    assert checking.imports_sweep() == 2
    assert sorted(sent) == sorted([dead.pk, lost.pk])
    assert checking.import_check(live.pk) == "skipped"  # its checker holds the lease
    assert checking.import_check(dead.pk) == ImportJob.Status.VALIDATED
    assert ImportJob.objects.get(pk=fresh.pk).status == ImportJob.Status.VALIDATING


def test_a_file_that_stops_every_checker_is_refused_not_checked_for_ever(
    operator: User, operator_client: Client, gf_backend: Backend, settings: Any, sent: list[int]
) -> None:
    settings.IMPORT_VALIDATION_MAX_ATTEMPTS = 3
    data = csv_bytes(*greenflux_rows(gf_backend, 2, "DIE"))
    job = import_upload(user=operator, stream=io.BytesIO(data), file_name="fleet.csv", size=len(data), defer=True)
    # Three checkers took the lease and died before the end.
    ImportJob.objects.filter(pk=job.pk).update(validation_attempts=3, lease_until=timezone.now() - timedelta(seconds=1))
    assert checking.imports_sweep() == 1
    assert checking.import_check(job.pk) == ImportJob.Status.INVALID
    job.refresh_from_db()
    assert "stopped 3 times" in job.file_problem and not ImportRow.objects.filter(job=job).exists()
    assert bytes(job.file_content) == b""
    page = operator_client.get(reverse("stations:import_detail", args=[job.pk])).content.decode()
    assert "stopped 3 times" in page and "Checking the file" not in page


def test_a_confirmed_import_whose_runner_died_is_sent_again_and_goes_on(
    operator: User, gf_backend: Backend, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any,
) -> None:
    runs: list[int] = []
    monkeypatch.setattr(checking, "_send_run", runs.append)
    data = csv_bytes(*greenflux_rows(gf_backend, 3, "RUN"))
    job = import_upload(user=operator, stream=io.BytesIO(data), file_name="fleet.csv", size=len(data))
    with django_capture_on_commit_callbacks(execute=True):
        import_confirm(user=operator, job=job)
    assert runs == [job.pk]
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(lease_until=now + timedelta(minutes=4))  # a runner is at work
    assert import_run(job.pk) == 0 and checking.imports_sweep() == 0
    ImportJob.objects.filter(pk=job.pk).update(lease_until=now - timedelta(seconds=1))  # ...and died
    assert checking.imports_sweep() == 1 and runs == [job.pk, job.pk]
    assert import_run(job.pk) == 3
    assert ImportJob.objects.get(pk=job.pk).lease_until is None
    assert checking.imports_sweep() == 0  # nothing left to send
