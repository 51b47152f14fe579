"""Outbox handlers for maintenance windows: create (POST) and cancel (DELETE).

A create that is run again (its first answer was lost) looks the window up
among the station's windows first, so exactly one window exists upstream.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from connectors import NotFound, Rejected
from connectors import beenergised as be
from maintenance.mapping import window_fields, window_document
from maintenance.models import MaintenanceWindow
from portal.mirror import SyncState
from portal.models import Operation
from portal.outbox import OperationHandler, other_writes_open, register


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
    """DELETE a window (JSON:API delete; see docs/upstream-contract.md). Payload: ``{"id": <upstream id>}``."""

    kind = "maintenance.cancel"

    def perform(self, op: Operation, connector: be.BeEnergisedConnector) -> Any:
        # Read at run time: a cancel chained after a create learns the id from the create's answer.
        upstream_id = MaintenanceWindow.objects.filter(pk=op.target_id).values_list("upstream_id", flat=True).first()
        upstream_id = upstream_id or op.payload.get("id")
        if not upstream_id:
            raise Rejected("The window never reached the upstream; there is nothing to cancel.")
        try:
            connector.cancel_maintenance_window(upstream_id)
        except NotFound:
            pass  # already gone (a second run, or cancelled upstream): the outcome we wanted
        return None

    def apply(self, op: Operation, result: Any) -> dict[str, Any]:
        window = _window(op)
        window.removed_at = timezone.now()
        window.sync_state = SyncState.SYNCED
        window.save(update_fields=["removed_at", "sync_state", "updated_at"])
        return {"cancelled": window.upstream_id}

    def on_failed(self, op: Operation) -> None:
        # The upstream refused (an ended window): the window stands, say so on its row.
        MaintenanceWindow.objects.filter(pk=op.target_id).update(sync_state=SyncState.FAILED, cancelled_at=None)
