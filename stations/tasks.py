"""Celery tasks of the stations app; each takes an id and calls a service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="stations.run_import", acks_late=True, reject_on_worker_lost=True)
def run_import(job_id: int) -> int:
    """Send a confirmed import's rows through the write path (safe to run twice)."""
    from stations.csv_import.services import import_run

    return import_run(job_id)


@shared_task(name="stations.validate_import", acks_late=True, reject_on_worker_lost=True)
def validate_import(job_id: int) -> str:
    """Check an uploaded file under a lease (``stations.csv_import.checking``); safe to run twice."""
    from stations.csv_import.checking import import_check

    return import_check(job_id)


@shared_task(name="stations.sweep_imports")
def sweep_imports() -> int:
    """Resend the checks of files whose checker died or whose message was lost (beat, every 30 s)."""
    from stations.csv_import.checking import imports_sweep

    return imports_sweep()
