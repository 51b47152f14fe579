"""Outbox handlers for ChargEye locations: create and update.

A create that runs again (its answer was lost, or the worker died) first
searches the upstream's list for the customer reference (``locationId``)
the portal generated, so exactly one location exists upstream.

An update is checked field by field against a fresh read before it is sent
(``outbox.conflicts``): ChargEye's locations API documents no etag and
no conditional request, so that is the only guard it allows, and a change
made on ChargEye between that read and the write (one round trip) can still
be overwritten. What these handlers share with the catalogue's is
``outbox.field_checked``.
"""

from __future__ import annotations

from typing import Any

from upstreams import Conflict
from upstreams import chargeye_types as ce
from locations.mapping import FIELD_LABELS, apply_chargeye, comparable, record_document, upstream_fields
from locations.models import Location
from outbox import conflicts as fc
from outbox.field_checked import FieldCheckedHandler
from portal.models import Operation
from outbox.operations import register


class _LocationHandler(FieldCheckedHandler):
    model = Location
    target_type = "location"
    dependents = "stations"

    def copy(self, row: Location, record: ce.Location) -> None:
        apply_chargeye(row, record)


def find_by_reference(connector: Any, reference: str) -> ce.Location | None:
    return connector.find_location(reference)


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
        return connector.create_or_adopt_location(ce.Location.from_api(body))


@register
class LocationUpdate(_LocationHandler):
    """Update by id with the changed fields only, unless ChargEye changed one of them meanwhile.

    Payload: ``{"changes": {<ChargEye field>: value}, "shown": {<ChargEye field>: what the form showed}}``.
    The location is read fresh first (``get_location``) and each changed field
    compared (``outbox.conflicts``): one changed on ChargEye to something
    else than both is a conflict and nothing is sent; fields ChargEye holds
    already are left out; the rest goes as one partial update. A payload
    without ``shown`` (queued before this check existed) is sent as it is.
    """

    kind = "location.update"

    def perform(self, op: Operation, connector: Any) -> Any:
        location = Location.objects.get(pk=op.target_id)
        changes = op.payload["changes"]
        if not fc.is_checked(op.payload):
            return connector.update_location(location.upstream_id, changes)
        fresh = connector.get_location(location.upstream_id)

        def clash(clashing: list[fc.FieldCheck]) -> Conflict:
            names = ", ".join(FIELD_LABELS.get(c.field, c.field) for c in clashing)
            return Conflict(f"Changed on ChargEye since the form showed it: {names}. Nothing was sent.",
                            current=fresh, kind=connector.kind)

        send = self.changes_to_send(op.payload["shown"], changes, upstream_fields(fresh), comparable, clash)
        if not send:
            return fresh  # ChargEye holds every change already (an earlier attempt, or the same edit elsewhere)
        return connector.update_location(location.upstream_id, send)

    def on_conflict(self, op: Operation, current: Any) -> dict[str, Any] | None:
        """The mirror shows ChargEye's version; the user's changes wait on the operation for their decision."""
        if not self.keep_theirs(op, current if isinstance(current, ce.Location) else None):
            return None
        return fc.conflict_current(record_document(current), upstream_fields(current), op.payload["changes"])
