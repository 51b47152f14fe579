"""Reads for the project's own pages: users an admin may manage, dashboard figures,
backends an admin manages and the operations a user may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone

from locations.models import Location
from models_catalog.models import StationModel
from portal import labels
from portal.access import Role, company_ids, has_role, scoped
from portal.models import Backend, Company, Membership, Operation, User, WorkerHeartbeat
from stations.models import Station


def companies_for(user: User, min_role: Role = Role.VIEWER) -> QuerySet[Company]:
    """The companies where the user holds ``min_role`` (a picker of a write offers only those), or all
    for a superuser."""
    ids = company_ids(user, min_role)
    companies = Company.objects.all()
    return companies if ids is None else companies.filter(id__in=ids)


def users_for_admin(admin: User) -> QuerySet[User]:
    """The people an admin governs: members of a company where the admin is admin (superusers: every
    user). Their ``memberships`` are prefetched as the admin may see them: only those of companies the
    admin governs, so a person shared with another company never names it on this admin's pages."""
    users = User.objects.order_by("username")
    ids = company_ids(admin, Role.ADMIN)
    mine = Membership.objects.select_related("company").order_by("company__name")
    if ids is None:
        return users.prefetch_related(Prefetch("memberships", queryset=mine, to_attr="shown_memberships"))
    users = users.prefetch_related(Prefetch("memberships", queryset=mine.filter(company__in=ids),
                                            to_attr="shown_memberships"))
    return users.filter(pk__in=Membership.objects.filter(company__in=ids).values("user_id"), is_superuser=False)


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
    from portal.models.sync import SyncRun

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


# -- Backends and operations (the admin Backends page and the Operations page) --


def backends_for(user: User) -> QuerySet[Backend]:
    """Backends an admin manages: those of the companies where they are admin, plus the company-less
    ones (shared catalogue, multi-tenant ChargEye); superusers see all."""
    backends = Backend.objects.select_related("company")
    if company_ids(user) is None:
        return backends
    return scoped(backends, user, min_role=Role.ADMIN) | backends.filter(company__isnull=True)


SHARED_BACKEND = ("This backend is shared by every company; only the platform's admins change its settings, "
                  "so that no company's admin changes another company's records.")


def governs(user: User, backend: Backend) -> bool:
    """Whether ``user`` (an admin) may change ``backend``'s settings (name, credentials, paths, schedules,
    removal holds): a backend of one of their companies. A backend shared by every company (no company:
    the model catalogue, a multi-tenant ChargEye) changes other companies' records too, so only the
    platform's admins (superusers) change it."""
    ids = company_ids(user, Role.ADMIN)
    return ids is None or (backend.company_id is not None and backend.company_id in ids)


def operations_for(user: User, min_role: Role = Role.VIEWER) -> QuerySet[Operation]:
    """Operations of the companies where the user holds ``min_role`` (a retry passes operator), newest
    first; company-less ones (the shared catalogue's) for admins only."""
    operations = Operation.objects.select_related("backend", "created_by", "company")
    visible = scoped(operations, user, min_role=min_role)
    if company_ids(user) is not None and has_role(user, Role.ADMIN):
        visible = visible | operations.filter(company__isnull=True)
    return visible.order_by("-created_at", "-id")


@dataclass(frozen=True)
class OperationFilters:
    status: str = ""
    kind: str = ""
    backend_id: int | None = None
    target_type: str = ""
    target: str = ""


def operations_filtered(user: User, filters: OperationFilters) -> QuerySet[Operation]:
    operations = operations_for(user)
    if filters.status:
        operations = operations.filter(status=filters.status)
    if filters.kind:
        operations = operations.filter(kind=filters.kind)
    if filters.backend_id is not None:
        operations = operations.filter(backend_id=filters.backend_id)
    if filters.target_type:
        operations = operations.filter(target_type=filters.target_type)
    if filters.target:
        operations = operations.filter(target_label__icontains=filters.target)
    return operations


def operation_filter_choices(user: User) -> dict[str, list[tuple[str, str]]]:
    """Values the filters offer: only what the user's visible operations hold."""
    visible = operations_for(user).order_by()
    kinds = sorted(set(visible.values_list("kind", flat=True).distinct()))
    target_types = sorted(set(visible.values_list("target_type", flat=True).distinct()))
    backends = Backend.objects.filter(pk__in=visible.values("backend_id")).order_by("name")
    return {
        "kind": labels.choices(kinds, "operation"),
        "target_type": labels.choices(target_types, "entity"),
        "backend": [(str(b.pk), b.name) for b in backends],
    }
