"""Reads of refreshes: the backends whose schedules and runs a user reads, the runs themselves, and
which runs' figures they may read. One rule for the Sync page and the API."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.access import Role, company_ids, has_role, scoped
from portal.models import Backend, SyncRun, User
from portal.selectors import counts_shown


def backends_for(user: User, min_role: Role = Role.VIEWER) -> QuerySet[Backend]:
    """Backends of the companies where the user holds ``min_role`` (an action passes its own), and the
    company-less ones (the shared catalogue, a multi-tenant ChargEye) for admins."""
    backends = Backend.objects.select_related("company")
    visible = scoped(backends, user, min_role=min_role)
    if company_ids(user) is not None and has_role(user, Role.ADMIN):
        visible = visible | backends.filter(company__isnull=True)
    return visible.order_by("name")


def runs_for(user: User) -> QuerySet[SyncRun]:
    return SyncRun.objects.filter(backend__in=backends_for(user)).select_related("backend", "requested_by")


def counts_marked(user: User, *runs: SyncRun | None) -> None:
    """Mark (``counts_hidden``) the runs whose figures the reader may not read: a refresh of a backend
    shared by every company (a multi-tenant ChargEye) counts every company's rows
    (``portal.selectors.counts_shown``)."""
    for run in runs:
        if run is not None:
            run.counts_hidden = not counts_shown(user, run.backend)  # type: ignore[attr-defined]
