"""Celery tasks of the locations app: the network sampling (beat runs the fan-out every minute).

The schedule is a ``PeriodicTask`` made by migration 0004 ("Sample ChargEye
network figures", task ``locations.sample_all_networks``); it enqueues one
``locations.sample_network`` per active ChargEye backend.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from celery import shared_task

from portal.models import Backend

log = logging.getLogger(__name__)


@shared_task(name="locations.sample_network", ignore_result=True)
def sample_network(backend_id: int) -> dict[str, Any] | None:
    """Sample one ChargEye backend's network. A failed read is skipped: the next minute tries again."""
    from locations.sampling import network_sample

    backend = Backend.objects.filter(pk=backend_id, kind=Backend.Kind.CHARGEYE, is_active=True).first()
    if backend is None:
        return None
    return asdict(network_sample(backend))


@shared_task(name="locations.sample_all_networks", ignore_result=True)
def sample_all_networks() -> int:
    from locations.sampling import chargeye_backends

    ids = [b.pk for b in chargeye_backends()]
    for backend_id in ids:
        # Expire after a minute: a backlog of stale samples helps nobody.
        sample_network.apply_async((backend_id,), expires=60)
    return len(ids)
