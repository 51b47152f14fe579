"""Housekeeping tasks of the project itself."""

from __future__ import annotations

import socket
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from portal.models import WorkerHeartbeat


@shared_task(name="portal.record_heartbeat")
def record_heartbeat() -> int:
    """Note that a worker is alive (beat runs this every minute); keep one day of rows."""
    WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - timedelta(days=1)).delete()
    return WorkerHeartbeat.objects.create(hostname=socket.gethostname()[:200]).pk


@shared_task(name="portal.run_operation", acks_late=True, reject_on_worker_lost=True)
def run_operation(operation_id: int) -> str:
    """Perform one outbox operation (see ``portal.outbox``); safe to run twice."""
    from portal.outbox import operation_run

    return operation_run(operation_id)


@shared_task(name="portal.sweep_operations")
def sweep_operations() -> int:
    """Resend operations whose message was lost or whose worker died."""
    from portal.outbox import operations_sweep

    return operations_sweep()


@shared_task(name="portal.check_backend")
def check_backend(backend_id: int) -> bool | None:
    """Test a backend's connection (the "Test connection" button); returns whether it worked."""
    from portal.models import Backend
    from portal.services import backend_check

    backend = Backend.objects.filter(pk=backend_id).first()
    if backend is None:
        return None  # deleted since the button was pressed
    return backend_check(backend).check_ok


@shared_task(name="portal.refresh", acks_late=True, reject_on_worker_lost=True)
def refresh(backend_id: int, entity: str, full: bool | None = None, run_id: int | None = None) -> str:
    """Refresh one entity of one backend (beat schedules and "refresh now"); see ``portal.sync``."""
    from portal.models import Backend, SyncRun
    from portal.sync import refresh_run

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
    from portal.sync_schedules import refresh_schedules_ensure, runs_expire_stale, runs_prune

    return refresh_schedules_ensure() + runs_expire_stale() + runs_prune()


@shared_task(name="portal.check_identity")
def check_identity(identity_id: int) -> str | None:
    """Check a company's identity on a backend against the upstream (the Companies page)."""
    from portal.identities import identity_check
    from portal.models import CompanyIdentity

    identity = CompanyIdentity.objects.select_related("backend", "company").filter(pk=identity_id).first()
    if identity is None or identity.status != CompanyIdentity.Status.CHECKING:
        return None  # removed, or already answered (a redelivered message)
    return identity_check(identity).status
