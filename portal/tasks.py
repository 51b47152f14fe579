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
