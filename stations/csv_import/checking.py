"""Leases on import jobs: checking an uploaded file (every row and the counts written at once, or
nothing), and handing a confirmed job's rows to the write path.

Why a lease: checking a large file takes a while, and the process doing it
can die (a worker killed or restarted, a request cut off). Before, a job was
marked checked *before* its rows were written, in batches, each committed on
its own: a process dying half-way left a job that looked ready to confirm
with only some of its rows, and nothing ever finished it. Now:

* the upload stores the file on the job, status *validating*;
* a checker (``import_check``: the upload request for a small file, the
  ``stations.validate_import`` task otherwise) takes a lease on the job, as a
  worker does on an outbox ``Operation`` (both with ``portal.leases``), then reads the
  file and writes the rows, the counts and the final status in one
  transaction that holds the job's row lock. A checker that dies leaves no
  row behind (its transaction is rolled back) and a lease that runs out;
* the sweeper (``imports_sweep``, task ``stations.sweep_imports`` on beat's
  schedule, beside "Resend stalled operations") hands a job whose lease ran
  out, or whose message was lost, to a worker again; a second checker of the
  same job waits for the row lock and then finds it checked;
* after ``IMPORT_VALIDATION_MAX_ATTEMPTS`` attempts (a file that kills every
  checker) the file is refused, saying so: a job never stays *validating*.

A confirmed job's run (``stations.run_import``) takes the same lease (the
phases never overlap) and renews it after every batch of rows. Before, the
run was sent once, at confirmation: with the broker down the confirmation
answered 500 and no row was ever sent, and a worker dying mid-run left the
rest waiting for the broker's visibility timeout (an hour). Now the
confirmation is kept and the sweeper sends a run whose message was lost or
whose runner died; a run goes on where the last one stopped (rows remember
their station).
"""

from __future__ import annotations

import io
import logging
import time

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from portal.leases import Lease
from portal.queue import enqueue
from stations.bulk.models import Batch
from stations.csv_import.file_check import check_file
from stations.csv_import.models import ImportJob, ImportRow

log = logging.getLogger(__name__)

# A checker's or runner's hold on a job, and how long its message may take before the sweeper resends it.
LEASE = Lease("IMPORT_LEASE_SECONDS", 300, "IMPORT_RESEND_AFTER_SECONDS", 60)


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def _send(job_id: int) -> None:
    try:
        enqueue("stations.validate_import", (job_id,))
    except Exception:  # The broker is down: the job stays validating and the sweeper sends it again.
        log.warning("Could not hand import %s to a worker; the sweeper will", job_id, exc_info=True)


def _send_run(job_id: int) -> None:
    try:
        enqueue("stations.run_import", (job_id,))
    except Exception:  # The broker is down: the job stays confirmed and the sweeper sends it again.
        log.warning("Could not hand the run of import %s to a worker; the sweeper will", job_id, exc_info=True)


def import_run_enqueue_on_commit(job_id: int) -> None:
    """Have a worker send the confirmed job's rows once the surrounding transaction commits."""
    def send() -> None:
        ImportJob.objects.filter(pk=job_id).update(enqueued_at=timezone.now())
        _send_run(job_id)
    transaction.on_commit(send)


def import_run_claim(job_id: int) -> bool:
    """Take the lease on a confirmed job's run; False when a live runner holds it."""
    return LEASE.claim(ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.CONFIRMED))


def import_run_renew(job_id: int) -> None:
    LEASE.renew(ImportJob.objects.filter(pk=job_id))


def import_run_release(job_id: int) -> None:
    LEASE.release(ImportJob.objects.filter(pk=job_id))


def import_check_enqueue_on_commit(job_id: int) -> None:
    """Have a worker check the job once the surrounding transaction commits."""
    def send() -> None:
        ImportJob.objects.filter(pk=job_id).update(enqueued_at=timezone.now())
        _send(job_id)
    transaction.on_commit(send)


def _claim(job_id: int) -> ImportJob | None:
    """Take the lease on a job still to be checked, or None (checked, or another checker holds it)."""
    now = timezone.now()
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().defer("file_content").filter(pk=job_id).first()
        if job is None or job.status != ImportJob.Status.VALIDATING:
            return None
        if LEASE.held(job, now):
            return None  # someone is checking it; if they die, the lease runs out and the sweeper resends
        job.validation_attempts += 1
        LEASE.take(job, now)
        job.save(update_fields=["validation_attempts", "lease_until"])
        return job


def import_check(job_id: int) -> str:
    """Check a job's file if it is still to be checked; return what happened (for logs and tests)."""
    claimed = _claim(job_id)
    if claimed is None:
        return "skipped"
    started = time.perf_counter()
    with transaction.atomic():
        # The row lock for the whole check: a second checker (its lease ran out, a message sent
        # twice) waits in ``_claim`` and then finds the job checked.
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status != ImportJob.Status.VALIDATING:
            return "skipped"
        # None can be there (a dead checker's were rolled back); never count a row twice.
        ImportRow.objects.filter(job=job).delete()
        if job.batch_id:  # update mode: the changes' preview is made again with the rows
            Batch.objects.filter(pk=job.batch_id).delete()
            job.batch = None
        job.total_rows = job.valid_rows = job.problem_count = 0
        job.company_rows, job.file_problem = {}, ""
        if job.validation_attempts > int(_setting("IMPORT_VALIDATION_MAX_ATTEMPTS", 3)):
            job.status = ImportJob.Status.INVALID
            job.file_problem = (f"Checking this file stopped {job.validation_attempts - 1} times before it ended "
                                "(the process checking it died); nothing of it was kept. Upload it again, "
                                "or split it into smaller files.")
        elif job.created_by is None:
            job.status = ImportJob.Status.INVALID
            job.file_problem = "The person who uploaded this file no longer exists; nothing of it was kept."
        else:
            content = job.file_content  # bytes with psycopg 3: BytesIO shares it rather than copying
            content = content if isinstance(content, bytes) else bytes(content)
            check_file(job, job.created_by, io.BytesIO(content), len(content))
        job.file_content = b""
        job.lease_until = None
        job.validation_seconds = time.perf_counter() - started
        job.save()
    return job.status


def imports_sweep() -> int:
    """Hand to a worker the jobs whose checker or runner died (lease run out) or whose message was lost."""
    now = timezone.now()
    with transaction.atomic():
        # A job whose row is locked is being checked right now: skip it rather than wait.
        due = ImportJob.objects.select_for_update(skip_locked=True).filter(
            LEASE.sweepable(now, made="created_at"), status=ImportJob.Status.VALIDATING,
        ).only("pk")
        ids = [job.pk for job in due[:100]]
        unsent = ImportRow.objects.filter(job=OuterRef("pk"), station__isnull=True, problems=[],
                                          action=ImportRow.Action.CREATE)
        runs = [job.pk for job in ImportJob.objects.select_for_update(skip_locked=True).filter(
            LEASE.sweepable(now, made="confirmed_at"), Exists(unsent), status=ImportJob.Status.CONFIRMED,
        ).only("pk")[:100]]
        ImportJob.objects.filter(pk__in=ids + runs).update(enqueued_at=now)
    for job_id in ids:
        _send(job_id)
    for job_id in runs:
        _send_run(job_id)
    return len(ids) + len(runs)
