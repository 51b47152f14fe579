"""Reads for the maintenance pages: windows in a period, a station's windows, the dashboard's figures."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils import timezone

from locations.models import Location
from maintenance.models import MaintenanceWindow
from portal.access import scoped
from portal.models import Operation

SHOWN = 300  # windows on one page (timeline rows and table); the filters narrow beyond


def windows_for(user: Any) -> QuerySet[MaintenanceWindow]:
    """The user's companies' standing windows (not cancelled, not gone upstream)."""
    return scoped(MaintenanceWindow.objects.filter(removed_at__isnull=True, cancelled_at__isnull=True), user)


def windows_in(user: Any, since: datetime, until: datetime, *, location: int | None = None,
               backend: int | None = None) -> QuerySet[MaintenanceWindow]:
    """Windows running at any moment of [since, until), earliest first."""
    qs = windows_for(user).filter(starts_at__lt=until, ends_at__gt=since)
    if location:
        qs = qs.filter(station__location_id=location)
    if backend:
        qs = qs.filter(backend_id=backend)
    return qs.select_related("station", "station__location", "backend").order_by("starts_at", "id")


def window_locations(user: Any) -> list[tuple[int, str]]:
    """Locations that hold stations with windows (the filter's choices)."""
    ids = windows_for(user).exclude(station__location=None).values("station__location")
    return list(scoped(Location.objects.filter(pk__in=ids), user).order_by("name").values_list("pk", "name"))


def station_windows(station: Any, *, past_days: int = 30) -> list[MaintenanceWindow]:
    """A station's windows: planned, running, failed, and those ended in the last month."""
    since = timezone.now() - timedelta(days=past_days)
    return list(
        MaintenanceWindow.objects.filter(station=station, removed_at__isnull=True)
        .filter(Q(ends_at__gte=since) | Q(sync_state="failed")).order_by("starts_at", "id")
    )


def window_errors(windows: list[MaintenanceWindow]) -> dict[int, str]:
    """The upstream's message for each failed window, and for each standing window whose cancel failed
    (it stays as the upstream holds it), from its last failed operation."""
    failed = [w.pk for w in windows if w.sync_state == "failed"]
    standing = [w.pk for w in windows if w.is_active]
    if not failed and not standing:
        return {}
    out: dict[int, str] = {}
    for target, kind, message in (
        Operation.objects.filter(target_type="maintenance_window", status="failed")
        .filter(Q(target_id__in=failed) | Q(target_id__in=standing, kind="maintenance.cancel"))
        .order_by("created_at").values_list("target_id", "kind", "error_message")
    ):
        out[target] = _("Not cancelled: %(message)s") % {"message": message} if kind == "maintenance.cancel" else message
    return out


@dataclass
class DashboardFigures:
    now: list[MaintenanceWindow]
    next_day: list[MaintenanceWindow]
    stations_now: int


def dashboard_windows(user: Any, limit: int = 8) -> DashboardFigures:
    now = timezone.now()
    qs = windows_for(user).select_related("station")
    running = qs.filter(starts_at__lte=now, ends_at__gt=now).order_by("ends_at")
    soon = qs.filter(starts_at__gt=now, starts_at__lte=now + timedelta(hours=24)).order_by("starts_at")
    return DashboardFigures(
        now=list(running[:limit]), next_day=list(soon[:limit]),
        stations_now=running.values("station").distinct().count(),
    )


def batch_windows(user: Any, batch: uuid.UUID) -> list[MaintenanceWindow]:
    """The windows one "plan for many" action made, with their stations (scoped: others' are not shown)."""
    return list(scoped(MaintenanceWindow.objects.filter(batch=batch), user).select_related("station")
                .order_by("station__label", "id"))
