"""Reads of alerts, always scoped to the reader's companies (another company's alert answers 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from alerts.models import Alert, AlertSeen
from alerts.subscriptions import muted
from portal.access import get_scoped_or_404, scoped

STATES = ("open", "unacknowledged", "resolved", "all")


def alerts_for(user: Any) -> QuerySet[Alert]:
    """Alerts of the user's companies (alerts no company holds: superusers only)."""
    return scoped(Alert.objects.select_related("company", "acknowledged_by"), user)


def alert_of(user: Any, alert_id: int) -> Alert:
    return get_scoped_or_404(Alert.objects.select_related("company", "acknowledged_by"), user, pk=alert_id)


def alerts_filtered(user: Any, *, state: str = "open", kind: str = "", severity: str = "",
                    company: int | None = None) -> QuerySet[Alert]:
    alerts = alerts_for(user)
    if state == "open":
        alerts = alerts.filter(resolved_at__isnull=True)
    elif state == "unacknowledged":
        alerts = alerts.filter(resolved_at__isnull=True, acknowledged_at__isnull=True)
    elif state == "resolved":
        alerts = alerts.filter(resolved_at__isnull=False).order_by("-resolved_at", "-id")
    if kind:
        alerts = alerts.filter(kind=kind)
    if severity:
        alerts = alerts.filter(severity=severity)
    if company:
        alerts = alerts.filter(company_id=company)
    return alerts


def seen_at(user: Any) -> Any:
    return AlertSeen.objects.filter(user_id=user.pk).values_list("seen_at", flat=True).first()


def unread_count(user: Any) -> int:
    """Open alerts of the user's companies opened since they last opened the Alerts page, less the kinds
    they switched off (three small queries)."""
    alerts = alerts_for(user).filter(resolved_at__isnull=True, acknowledged_at__isnull=True)
    off = muted(user)
    if off is not None:
        alerts = alerts.exclude(off)
    last = seen_at(user)
    if last is not None:
        alerts = alerts.filter(opened_at__gt=last)
    return alerts.count()
