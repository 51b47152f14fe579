"""Celery tasks of the alerts app: one evaluation of every rule, and the next when a threshold falls due."""

from __future__ import annotations

import logging
import math

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from alerts.evaluation import alerts_evaluate
from alerts.triggers import evaluate_soon, evaluation_started

log = logging.getLogger(__name__)

NEXT_KEY = "alerts:next-evaluation"
# Beat evaluates every minute anyway (migration 0002); a threshold due sooner gets its own evaluation.
FOLLOW_UP_WITHIN = 60.0


@shared_task(name="alerts.evaluate", ignore_result=True)
def evaluate() -> dict[str, int]:
    """Evaluate every rule; when a condition's threshold falls due within a minute, come back then."""
    evaluation_started()
    outcome = alerts_evaluate()
    if outcome.next_due is not None:
        now = timezone.now()
        wait = max(1.0, math.ceil((outcome.next_due - now).total_seconds()))
        planned = cache.get(NEXT_KEY)
        # One follow-up at a time: many refreshes ending together must not plan many evaluations.
        if wait <= FOLLOW_UP_WITHIN and (planned is None or planned < now or outcome.next_due < planned):
            cache.set(NEXT_KEY, outcome.next_due, timeout=int(wait) + 60)
            evaluate_soon(countdown=wait)
    log.info("alerts evaluated: %s found, %s opened, %s resolved", outcome.found, len(outcome.opened),
             len(outcome.resolved))
    return {"found": outcome.found, "opened": len(outcome.opened), "resolved": len(outcome.resolved)}
