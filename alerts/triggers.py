"""What makes the rules run: the machinery's signals (a refresh ended, a sample is in).

The receivers only queue ``alerts.evaluate`` after the sender's transaction commits: rules are
evaluated by a worker from the mirror, never in the refresh itself nor per page view. Many refreshes
ending together queue one evaluation: a queued one that has not started yet covers them all.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import transaction

from portal.queue import enqueue

QUEUED_KEY = "alerts:evaluation-queued"
QUEUED_FOR = 30  # seconds: a lost message blocks evaluations no longer than this


def _send(countdown: float | None) -> None:
    if countdown:
        enqueue("alerts.evaluate", countdown=countdown, expires=countdown + 300)
    elif cache.add(QUEUED_KEY, 1, timeout=QUEUED_FOR):
        enqueue("alerts.evaluate", expires=300)


def evaluate_soon(countdown: float | None = None) -> None:
    """Queue one evaluation of every rule, after the current transaction commits (``countdown``: later)."""
    transaction.on_commit(lambda: _send(countdown))


def evaluation_started() -> None:
    """The queued evaluation runs now: the next signal queues another (it may bring news this one misses)."""
    cache.delete(QUEUED_KEY)


def mirror_moved(sender: object, **kwargs: Any) -> None:
    """Receiver of ``sync.signals.refresh_finished`` and ``sample_stored``."""
    if kwargs.get("status") == "skipped":
        return  # nothing was read
    evaluate_soon()
