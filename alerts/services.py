"""Writes of the alerts app: acknowledging, marking the Alerts page seen, a company's thresholds."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from alerts.models import Alert, AlertSeen, AlertSettings
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
