"""Celery tasks of the stations app; each takes an id and calls a service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="stations.run_import", acks_late=True, reject_on_worker_lost=True)
def run_import(job_id: int) -> int:
    """Send a confirmed import's rows through the write path (safe to run twice)."""
    from stations.csv_import.services import import_run

    return import_run(job_id)
