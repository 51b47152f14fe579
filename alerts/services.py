"""Writes of the alerts app: acknowledging, marking the Alerts page seen, a company's thresholds."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from alerts.models import Alert, AlertSeen, AlertSettings, Webhook
from alerts.webhooks import new_secret, set_secret
from portal.access import Role, require_role
from portal.audit.services import audit_record


def alert_acknowledge(alert: Alert, user: Any, note: str) -> Alert:
    """Say who took the alert on, when, and why; acknowledging again replaces the note."""
    require_role(user, Role.OPERATOR, alert.company_id)
    alert.acknowledged_by, alert.acknowledged_at, alert.acknowledge_note = user, timezone.now(), note.strip()
    alert.save(update_fields=["acknowledged_by", "acknowledged_at", "acknowledge_note"])
    return alert


def alerts_mark_seen(user: Any) -> None:
    """The user opened the Alerts page: the bell counts only alerts opened after now."""
    AlertSeen.objects.update_or_create(user=user, defaults={"seen_at": timezone.now()})


@transaction.atomic
def alert_settings_save(company: Any, user: Any, values: dict[str, int]) -> AlertSettings:
    """A company's thresholds and hold-down (seconds); admins of the company only."""
    require_role(user, Role.ADMIN, company)
    settings, _ = AlertSettings.objects.get_or_create(company=company)
    before = {name: getattr(settings, name) for name in values}
    for name, value in values.items():
        setattr(settings, name, value)
    settings.save()
    audit_record(actor=user, action="alert_settings.update", entity="company", entity_id=company.pk,
                 entity_label=company.name, company=company, before=before, after=dict(values))
    return settings


@transaction.atomic
def webhook_create(company: Any, user: Any, url: str) -> tuple[Webhook, str]:
    """Register a webhook for the company; returns it and its signing secret (shown once)."""
    require_role(user, Role.ADMIN, company)
    secret = new_secret()
    hook = Webhook(company=company, url=url, created_by=user)
    set_secret(hook, secret)
    hook.save()
    audit_record(actor=user, action="webhook.create", entity="webhook", entity_id=hook.pk, entity_label=url,
                 company=company, after={"url": url})
    return hook, secret


@transaction.atomic
def webhook_set_active(hook: Webhook, user: Any, active: bool) -> Webhook:
    require_role(user, Role.ADMIN, hook.company_id)
    hook.is_active = active
    hook.save(update_fields=["is_active"])
    audit_record(actor=user, action="webhook.update", entity="webhook", entity_id=hook.pk, entity_label=hook.url,
                 company=hook.company, after={"is_active": active})
    return hook
