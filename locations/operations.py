"""Outbox handlers for ChargEye locations: create and update.

A create that runs again (its answer was lost, or the worker died) first
searches the upstream's list for the customer reference (``locationId``)
the portal generated, so exactly one location exists upstream.
"""

from __future__ import annotations

from typing import Any

from connectors import chargeye_types as ce
from locations.mapping import apply_chargeye
from locations.models import Location
from portal.mirror import SyncState
from portal.models import Operation
from portal.outbox import OperationHandler, other_writes_open, register


def _apply(op: Operation, record: ce.Location) -> dict[str, Any]:
    location = Location.objects.select_for_update().get(pk=op.target_id)
    if record.id:
        # A refresh may have mirrored the new location before this answer landed: fold that row into ours.
        twin = Location.objects.filter(backend_id=location.backend_id, upstream_id=record.id).exclude(pk=location.pk)
        for other in twin:
            other.stations.update(location=location)
            other.delete()
    apply_chargeye(location, record)
    location.sync_state = SyncState.PENDING if other_writes_open(op) else SyncState.SYNCED
    location.save()
    return {"upstream_id": location.upstream_id}


class _LocationHandler(OperationHandler):
    def apply(self, op: Operation, result: Any) -> dict[str, Any]:
        return _apply(op, result)

    def on_failed(self, op: Operation) -> None:
        Location.objects.filter(pk=op.target_id).update(sync_state=SyncState.FAILED)


def find_by_reference(connector: Any, reference: str) -> ce.Location | None:
    for record in connector.list_locations().items():
        if record.location_id == reference:
            return record
    return None


@register
class LocationCreate(_LocationHandler):
    """POST a new location. Payload: ``{"location": <ChargEye location object with locationId>}``."""

    kind = "location.create"

    def perform(self, op: Operation, connector: Any) -> Any:
        body = op.payload["location"]
        if op.attempts > 1:
            existing = find_by_reference(connector, body["locationId"])
            if existing is not None:
                return existing
        return connector.create_location(ce.Location.from_api(body))


@register
class LocationUpdate(_LocationHandler):
    """Update by id with the changed fields only. Payload: ``{"changes": {<ChargEye field>: value}}``."""

    kind = "location.update"

    def perform(self, op: Operation, connector: Any) -> Any:
        location = Location.objects.get(pk=op.target_id)
        return connector.update_location(location.upstream_id, op.payload["changes"])
