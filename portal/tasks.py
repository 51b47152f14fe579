"""Tasks of the accounts side: the worker heartbeat, a backend's connection check, a company identity's check."""

from __future__ import annotations

import socket
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from portal.identities import identity_check
from portal.models import Backend, CompanyIdentity, WorkerHeartbeat
from portal.services import backend_check


@shared_task(name="portal.record_heartbeat")
def record_heartbeat() -> int:
    """Note that a worker is alive (beat runs this every minute); keep one day of rows."""
    WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - timedelta(days=1)).delete()
    return WorkerHeartbeat.objects.create(hostname=socket.gethostname()[:200]).pk


@shared_task(name="portal.check_backend")
def check_backend(backend_id: int) -> bool | None:
    """Test a backend's connection (the "Test connection" button); returns whether it worked."""
    backend = Backend.objects.filter(pk=backend_id).first()
    if backend is None:
        return None  # deleted since the button was pressed
    return backend_check(backend).check_ok


@shared_task(name="portal.check_identity")
def check_identity(identity_id: int) -> str | None:
    """Check a company's identity on a backend against the upstream (the Companies page)."""
    identity = CompanyIdentity.objects.select_related("backend", "company").filter(pk=identity_id).first()
    if identity is None or identity.status != CompanyIdentity.Status.CHECKING:
        return None  # removed, or already answered (a redelivered message)
    return identity_check(identity).status
