"""Reads for the project's own pages: users an admin may manage, dashboard figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from locations.models import Location
from models_catalog.models import StationModel
from portal.access import company_ids, scoped
from portal.models import Company, User, WorkerHeartbeat
from stations.models import Station


def companies_for(user: User) -> QuerySet[Company]:
    """The companies a user sees: their own, or all for a superuser."""
    ids = company_ids(user)
    companies = Company.objects.all()
    return companies if ids is None else companies.filter(id__in=ids)


def users_for_admin(admin: User) -> QuerySet[User]:
    """Users an admin manages: those sharing a company with the admin, or with none yet."""
    users = User.objects.prefetch_related("groups", "companies").order_by("username")
    ids = company_ids(admin)
    if ids is None:
        return users
    return users.filter(Q(companies__in=ids) | Q(companies__isnull=True), is_superuser=False).distinct()


@dataclass(frozen=True)
class DashboardFigures:
    stations: int
    locations: int
    models: int
    worker_seen_at: datetime | None

    @property
    def workers_ok(self) -> bool:
        return self.worker_seen_at is not None and timezone.now() - self.worker_seen_at < timedelta(minutes=3)


def dashboard_figures(user: User) -> DashboardFigures:
    heartbeat = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    return DashboardFigures(
        stations=scoped(Station.objects.all(), user).count(),
        locations=scoped(Location.objects.all(), user).count(),
        models=StationModel.objects.filter(is_archived=False).count(),
        worker_seen_at=heartbeat,
    )
