"""Celery tasks of the alerts app: evaluating the rules, composing and sending e-mail, calling webhooks,
and the sweeper that hands lost deliveries to a worker again. Each task takes an id and calls a service."""

from __future__ import annotations

import logging
import math

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from alerts import durable, mail, webhooks
from alerts.evaluation import alerts_evaluate
from alerts.models import AlertMail, WebhookDelivery
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


@shared_task(name="alerts.compose_mail", ignore_result=True)
def compose_mail() -> int:
    """Group waiting alert news into one message per user (those whose oldest news waited long enough)."""
    return len(mail.mail_compose())


@shared_task(name="alerts.send_mail", ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def send_mail(mail_id: int) -> str:
    return mail.mail_send(mail_id)


@shared_task(name="alerts.send_webhook", ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def send_webhook(delivery_id: int) -> str:
    return webhooks.webhook_send(delivery_id)


@shared_task(name="alerts.deliveries", ignore_result=True)
def deliveries() -> int:
    """Every minute (beat): compose what waited long enough, hand lost or lapsed deliveries over again."""
    return (len(mail.mail_compose()) + durable.sweep(AlertMail, mail.SEND_TASK)
            + durable.sweep(WebhookDelivery, webhooks.SEND_TASK))
