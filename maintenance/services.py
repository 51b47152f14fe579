"""Writes to maintenance windows: create one, create for many stations at once, cancel.

Each write adds a pending mirror row (or marks one) and its outbox operation
in one transaction; the worker sends it to be.ENERGISED after commit. Planning
for many stations makes one window and one operation per station, each in
its own savepoint, so one station that cannot take a window never stops the
others and every station gets its own result.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from upstreams.base import format_upstream_time
from maintenance.models import MaintenanceWindow
from portal.access import Role, may_use_company, require_role
from sync.mirror import SyncState
from portal.models import Backend, Operation, User
from outbox.operations import operation_create
from stations.models import Station


@dataclass(frozen=True)
class WindowInput:
    """A validated window (``maintenance.forms`` makes these)."""

    starts_at: datetime
    ends_at: datetime
    comment: str
    connector_uuid: str = ""


@dataclass
class PlanResult:
    """What planning did for one station: its window, or why it has none."""

    station: Station
    window: MaintenanceWindow | None = None
    reason: str = ""
    overlaps: list[MaintenanceWindow] = field(default_factory=list)


def station_refusal(station: Station) -> str:
    """Why ``station`` cannot take a maintenance window, or "" when it can."""
    if station.backend.kind != Backend.Kind.BEENERGISED:
        return _("%(platform)s has no maintenance windows (only be.ENERGISED has).") % {
            "platform": station.backend.get_kind_display()}
    if station.removed_at is not None:
        return _("The station was removed upstream.")
    if not station.upstream_id:
        return _("The station is not created upstream yet; plan its window once it is.")
    return ""


# Why the portal offers no cancel (a backend setting, ``Backend.paths["maintenance_cancel"]``, turns it on).
CANCEL_NOT_DOCUMENTED = gettext_lazy(
    "Cancelling a window: this platform's API does not document it, so the portal does not "
    "offer it. An admin can set the path the vendor gives for it on the backend.")


def cancel_offered(backend: Backend) -> bool:
    """Whether windows of ``backend`` can be cancelled: only once an admin has set the request's path
    (no document gives one; see docs/upstream-contract.md)."""
    return bool((backend.paths or {}).get("maintenance_cancel"))


def overlapping(station: Station, starts_at: datetime, ends_at: datetime) -> list[MaintenanceWindow]:
    """The station's standing windows that overlap [starts_at, ends_at) (a warning, never a refusal)."""
    return list(
        MaintenanceWindow.objects.filter(
            station=station, removed_at__isnull=True, cancelled_at__isnull=True,
            starts_at__lt=ends_at, ends_at__gt=starts_at,
        ).order_by("starts_at")
    )


def _create(user: User | None, station: Station, data: WindowInput, batch: uuid.UUID | None) -> MaintenanceWindow:
    window = MaintenanceWindow.objects.create(
        backend=station.backend, company=station.company, station=station, connector_uuid=data.connector_uuid,
        starts_at=data.starts_at, ends_at=data.ends_at, comment=data.comment, batch=batch,
        created_by=user if user is not None and user.is_authenticated else None, sync_state=SyncState.PENDING,
    )
    document = {
        "startDate": format_upstream_time(data.starts_at), "endDate": format_upstream_time(data.ends_at),
        "comment": data.comment, "cpUuid": station.upstream_id,
    }
    if data.connector_uuid:
        document["connectorUuid"] = data.connector_uuid
    operation_create(
        kind="maintenance.create", backend=station.backend, company=station.company,
        target_type="maintenance_window", target_id=window.pk, target_label=f"{station.label}: maintenance",
        payload={"document": document}, user=user,
    )
    return window


@transaction.atomic
def maintenance_window_create(*, user: User | None, station: Station, data: WindowInput) -> MaintenanceWindow:
    """One window for one station (the form has checked it; this checks the station again)."""
    if user is not None:
        require_role(user, Role.OPERATOR, station.company_id)
    reason = station_refusal(station)
    if reason:
        raise ValueError(reason)
    return _create(user, station, data, None)


def maintenance_windows_create_many(
    *, user: User | None, stations: Iterable[Station], data: WindowInput, batch: uuid.UUID | None = None
) -> tuple[uuid.UUID, list[PlanResult]]:
    """The same window for each station, each its own operation with its own result.

    ``data.connector_uuid`` is ignored (a connector belongs to one station).
    Stations of companies ``user`` may not use are refused, never written.
    Returns the batch id (for the result page) and one result per station.
    """
    batch = batch or uuid.uuid4()
    whole = WindowInput(data.starts_at, data.ends_at, data.comment)
    results = []
    for station in stations:
        result = PlanResult(station)
        if user is not None and not may_use_company(user, station.company_id, Role.OPERATOR):
            result.reason = "Not one of your companies' stations."
        else:
            result.reason = station_refusal(station)
        if not result.reason:
            result.overlaps = overlapping(station, data.starts_at, data.ends_at)
            with transaction.atomic():
                result.window = _create(user, station, whole, batch)
        results.append(result)
    return batch, results


@transaction.atomic
def maintenance_window_cancel(*, user: User | None, window: MaintenanceWindow) -> Operation | None:
    """Cancel a window that has not ended, by the request whose path the backend sets (no document
    gives one: ``ValueError`` without it; see docs/upstream-contract.md).

    A window still waiting for its create is cancelled after it: the DELETE
    is a later step of the create's chain, so it runs once the id is known.
    """
    window = MaintenanceWindow.objects.select_for_update().select_related("station", "backend").get(pk=window.pk)
    if not cancel_offered(window.backend):
        raise ValueError(CANCEL_NOT_DOCUMENTED)
    if user is not None:
        require_role(user, Role.OPERATOR, window.company_id)
    if window.ends_at <= timezone.now():
        raise ValueError(_("This window has ended; an ended window cannot be cancelled."))
    if not window.is_active:
        raise ValueError(_("This window is already cancelled."))
    create = Operation.objects.filter(
        kind="maintenance.create", target_type="maintenance_window", target_id=window.pk
    ).order_by("-pk").first()
    if create is not None and create.status == Operation.Status.FAILED:
        # Never reached the upstream: nothing to delete there.
        window.cancelled_at = window.removed_at = timezone.now()
        window.save(update_fields=["cancelled_at", "removed_at", "updated_at"])
        return None
    window.cancelled_at = timezone.now()
    window.sync_state = SyncState.PENDING
    window.save(update_fields=["cancelled_at", "sync_state", "updated_at"])
    waiting = create is not None and create.status in Operation.OPEN
    return operation_create(
        kind="maintenance.cancel", backend=window.backend, company=window.company,
        target_type="maintenance_window", target_id=window.pk,
        target_label=f"{window.station.label}: maintenance", payload={"id": window.upstream_id or ""},
        user=user, parent=create if waiting else None,
    )
