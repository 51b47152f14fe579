"""Tasks of the sync engine: one refresh, and the schedules' housekeeping. Task names are kept from
before the engine had a package of its own (queued messages and beat schedules carry them)."""

from __future__ import annotations

from celery import shared_task

from portal.models import Backend, SyncRun
from sync.engine import refresh_run
from sync.schedules import refresh_schedules_ensure, runs_expire_stale, runs_prune


@shared_task(name="portal.refresh", acks_late=True, reject_on_worker_lost=True)
def refresh(backend_id: int, entity: str, full: bool | None = None, run_id: int | None = None) -> str:
    """Refresh one entity of one backend (beat schedules and "refresh now"); see ``sync.engine``."""
    run = SyncRun.objects.filter(pk=run_id).first() if run_id else None
    if run is not None and run.status != SyncRun.Status.QUEUED:
        return f"run {run.pk} already {run.status}"  # a redelivered message
    backend = Backend.objects.filter(pk=backend_id).first()
    if backend is None or (run is None and not backend.is_active):
        return "backend gone or inactive"
    trigger = SyncRun.Trigger.MANUAL if run is not None else SyncRun.Trigger.SCHEDULE
    return refresh_run(backend, entity, full=full, run=run, trigger=trigger).status


@shared_task(name="portal.refresh_housekeeping")
def refresh_housekeeping() -> int:
    """Keep a refresh schedule per backend and entity, close runs that will never finish, prune old ones."""
    return refresh_schedules_ensure() + runs_expire_stale() + runs_prune()
