"""Outbox handlers for maintenance windows: create (POST) and cancel (the path a backend sets).

A create that is run again (its first answer was lost) looks the window up
among the station's windows first, so exactly one window exists upstream.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from upstreams import NotOffered, Rejected
from upstreams import beenergised as be
from maintenance.mapping import window_fields, window_document
from maintenance.models import MaintenanceWindow
from sync.mirror import SyncState
from portal.models import Operation
from outbox.operations import OperationHandler, other_writes_open, register


def _window(op: Operation) -> MaintenanceWindow:
    return MaintenanceWindow.objects.select_for_update().get(pk=op.target_id)


@register
class MaintenanceWindowCreate(OperationHandler):
    """POST a window. Payload: ``{"document": <create body>}``."""

    kind = "maintenance.create"

    def perform(self, op: Operation, connector: be.BeEnergisedConnector) -> Any:
        record = be.MaintenanceWindow.from_api({"attributes": op.payload["document"]})
        if op.attempts > 1:
            found = connector.find_maintenance_window(record)
            if found is not None:
                return found
        return connector.create_maintenance_window(record)

    def apply(self, op: Operation, result: be.MaintenanceWindow) -> dict[str, Any]:
        window = _window(op)
        # A refresh may have mirrored the new window before this answer landed: fold that twin.
        MaintenanceWindow.objects.filter(backend=window.backend, upstream_id=result.id).exclude(pk=window.pk).delete()
        for name, value in window_fields(result).items():
            setattr(window, name, value)
        window.upstream_id = result.id
        window.upstream_data = window_document(result)
        window.sync_state = SyncState.PENDING if other_writes_open(op) else SyncState.SYNCED
        window.synced_at = timezone.now()
        window.save()
        return {"upstream_id": result.id}

    def on_failed(self, op: Operation) -> None:
        MaintenanceWindow.objects.filter(pk=op.target_id).update(sync_state=SyncState.FAILED)


@register
class MaintenanceWindowCancel(OperationHandler):
    """Cancel a window by the request whose path the backend sets (no document gives one; see
    docs/upstream-contract.md). Payload: ``{"id": <upstream id>}``.

    Done only when the upstream confirms it: a 2xx, or a 404 for a window its list no longer holds
    (a second run, or cancelled upstream). A 404 while the window is still listed, a 405 or a 501
    means the upstream has no such request: the operation fails with that reason and the window
    stays as the upstream holds it.
    """

    kind = "maintenance.cancel"

    def perform(self, op: Operation, connector: be.BeEnergisedConnector) -> Any:
        # Read at run time: a cancel chained after a create learns the id from the create's answer.
        row = MaintenanceWindow.objects.filter(pk=op.target_id).select_related("station").first()
        upstream_id = (row.upstream_id if row is not None else None) or op.payload.get("id")
        if not upstream_id:
            raise Rejected("The window never reached the upstream; there is nothing to cancel.")
        try:
            connector.cancel_maintenance_window(upstream_id)
        except NotOffered as exc:
            if exc.status != 404 or row is None or _still_listed(connector, row.station.upstream_id, upstream_id):
                raise NotOffered(f"{exc.message}. The window is still planned upstream.", status=exc.status,
                                 kind=exc.kind) from exc
        return None

    def apply(self, op: Operation, result: Any) -> dict[str, Any]:
        window = _window(op)
        window.removed_at = timezone.now()
        window.sync_state = SyncState.SYNCED
        window.save(update_fields=["removed_at", "sync_state", "updated_at"])
        return {"cancelled": window.upstream_id}

    def on_failed(self, op: Operation) -> None:
        # The upstream refused or has no such request: the window stands as the upstream holds it
        # (the station page says why beside it, from this operation).
        MaintenanceWindow.objects.filter(pk=op.target_id).update(sync_state=SyncState.SYNCED, cancelled_at=None)


def _still_listed(connector: be.BeEnergisedConnector, station_uuid: str | None, window_id: str) -> bool:
    """Whether the upstream still lists the window (its station's documented list)."""
    if not station_uuid:
        return True  # cannot tell: never claim a cancel the upstream did not confirm
    return any(w.id == window_id for w in connector.list_station_maintenance_windows(station_uuid).items())
