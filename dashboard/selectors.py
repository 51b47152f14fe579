"""Reads for the dashboard: the figures across every app that say what needs a person."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone

from locations.models import Location
from models_catalog.models import StationModel
from outbox.selectors import operations_for
from portal.access import company_ids, scoped
from portal.models import Operation, SyncRun, User, WorkerHeartbeat
from stations.models import Station


@dataclass(frozen=True)
class DashboardFigures:
    stations: int
    locations: int
    models: int
    worker_seen_at: datetime | None
    # Things that need a person: each links to the list that shows them.
    stations_by_state: dict[str, int]
    stations_removed: int
    operations_open: int
    operations_failed: int
    sync_failed: int
    sync_with_errors: int = 0  # refreshes (backend · entity) whose latest run in 24 h skipped rows

    @property
    def workers_ok(self) -> bool:
        return self.worker_seen_at is not None and timezone.now() - self.worker_seen_at < timedelta(minutes=3)

    @property
    def attention(self) -> int:
        return (self.stations_by_state.get("conflict", 0) + self.stations_by_state.get("failed", 0)
                + self.operations_failed + self.sync_failed + self.sync_with_errors)


def dashboard_figures(user: User) -> DashboardFigures:
    heartbeat = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    stations = scoped(Station.objects.all(), user)
    by_state = dict(stations.filter(removed_at__isnull=True).order_by().values_list("sync_state")
                    .annotate(n=Count("id")).values_list("sync_state", "n"))
    operations = operations_for(user)
    since = timezone.now() - timedelta(days=1)
    recent = SyncRun.objects.filter(created_at__gte=since)
    ids = company_ids(user)
    if ids is not None:
        recent = recent.filter(Q(backend__company__in=ids) | Q(backend__company__isnull=True))
    runs = recent.filter(status=SyncRun.Status.FAILED)
    # A run that finished but skipped rows is not "all clear": each refresh (backend and entity) whose
    # latest finished run in 24 hours did so counts once, however often its schedule ran.
    latest = (recent.filter(status=SyncRun.Status.DONE).order_by().values("backend_id", "entity")
              .annotate(last=Max("pk")).values("last"))
    with_errors = SyncRun.objects.filter(pk__in=latest, errors__gt=0).count()
    return DashboardFigures(
        stations=sum(by_state.values()),
        locations=scoped(Location.objects.filter(removed_at__isnull=True), user).count(),
        models=StationModel.objects.filter(is_archived=False).count(),
        worker_seen_at=heartbeat,
        stations_by_state=by_state,
        stations_removed=stations.filter(removed_at__isnull=False).count(),
        operations_open=operations.filter(status__in=Operation.OPEN).count(),
        operations_failed=operations.filter(status=Operation.Status.FAILED, created_at__gte=since).count(),
        sync_failed=runs.count(),
        sync_with_errors=with_errors,
    )


