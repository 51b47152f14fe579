"""Durable deliveries (alert e-mails, webhook calls): claimed under a lease, retried with backoff, swept.

The same machinery as the write outbox's: a row per delivery with ``attempts``, ``not_before`` and a
worker's lease (``portal.leases``), the outbox's backoff settings (``OUTBOX_BACKOFF_SECONDS``,
``OUTBOX_BACKOFF_MAX_SECONDS``), a sweeper that hands lost or lapsed rows to a worker again. A
receiver that is down loses nothing: its deliveries wait and are retried, and the pages show their
state. A worker that dies after the receiver took a message but before it was marked sent sends it
again (at least once); webhooks carry the same ``webhook-id`` each time so a receiver can tell.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from alerts.models import DeliveryState
from portal.leases import Lease
from portal.queue import enqueue

log = logging.getLogger(__name__)

LEASE = Lease("ALERTS_DELIVERY_LEASE_SECONDS", 60.0, "ALERTS_DELIVERY_RESEND_AFTER_SECONDS", 60.0)
PENDING = (DeliveryState.QUEUED, DeliveryState.IN_FLIGHT)


def max_attempts() -> int:
    return int(getattr(settings, "ALERTS_DELIVERY_MAX_ATTEMPTS", 12))


def backoff(attempts: int) -> float:
    """Seconds before attempt ``attempts + 1``: doubling from the outbox's first backoff, capped."""
    first = float(settings.OUTBOX_BACKOFF_SECONDS)
    return min(first * 2 ** max(attempts - 1, 0), float(settings.OUTBOX_BACKOFF_MAX_SECONDS))


class Refused(Exception):
    """The receiver answered and said no for good (a 4xx other than 408/429): no retry helps."""


def deliver(model: Any, pk: int, task: str, send: Callable[[Any], Any]) -> str:
    """Claim row ``pk`` of ``model`` and ``send`` it; settle it as sent, or queue a later try.

    ``send`` returns what to store on success (a field dict), raises :class:`Refused` for a final no,
    or any other exception for a failure a retry may cure. ``task`` is the name that retries ``pk``.
    """
    now = timezone.now()
    due = model.objects.filter(pk=pk, state__in=PENDING).filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
    if not LEASE.claim(due, now):
        return "not due, done, or another worker has it"
    model.objects.filter(pk=pk).update(state=DeliveryState.IN_FLIGHT, attempts=F("attempts") + 1)
    row = model.objects.get(pk=pk)
    try:
        stored = send(row) or {}
    except Exception as exc:  # the receiver's failure is the row's state, never the worker's crash
        final = isinstance(exc, Refused) or row.attempts >= max_attempts()
        wait = backoff(row.attempts)
        model.objects.filter(pk=pk).update(
            state=DeliveryState.FAILED if final else DeliveryState.QUEUED, lease_until=None,
            not_before=None if final else now + timedelta(seconds=wait), last_error=str(exc)[:500],
            **getattr(exc, "stored", {}),
        )
        if not final:
            transaction.on_commit(lambda: enqueue(task, (pk,), countdown=wait))
        log.info("%s %s attempt %s failed: %s", model.__name__, pk, row.attempts, exc)
        return "failed" if final else "retry"
    model.objects.filter(pk=pk).update(state=DeliveryState.SENT, lease_until=None, delivered_at=timezone.now(),
                                       last_error="", **stored)
    return "sent"


def hand_over(model: Any, ids: list[int], task: str) -> None:
    """Queue ``task`` for each row after the current transaction commits (and note when it was sent)."""
    if not ids:
        return
    model.objects.filter(pk__in=ids).update(enqueued_at=timezone.now())
    transaction.on_commit(lambda: [enqueue(task, (pk,)) for pk in ids])


def sweep(model: Any, task: str) -> int:
    """Hand rows whose message was lost, or whose worker died, to a worker again; returns how many."""
    now = timezone.now()
    ids = list(model.objects.filter(state__in=PENDING).filter(
        Q(not_before__isnull=True) | Q(not_before__lte=now)).filter(LEASE.sweepable(now)).values_list("pk", flat=True))
    hand_over(model, ids, task)
    return len(ids)
