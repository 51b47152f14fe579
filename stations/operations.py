"""Outbox handlers for stations: how each write is performed upstream and applied to the mirror.

Each ``perform`` is safe to run twice. A create that is run again (its first
answer was lost, or the worker died before saving it) looks the station up by
its natural key first, so exactly one station exists upstream.
"""

from __future__ import annotations

from typing import Any

from connectors import Conflict, Rejected
from connectors import beenergised as be
from connectors import greenflux as gf
from portal.mirror import SyncState
from portal.models import Operation
from portal.outbox import OperationHandler, other_writes_open, register
from stations.mapping import apply_beenergised, apply_greenflux, upstream_document
from stations.models import Station


def _station(op: Operation) -> Station:
    return Station.objects.select_for_update(of=("self",)).select_related("backend", "company").get(pk=op.target_id)


def _apply(op: Operation, record: Any) -> dict[str, Any]:
    station = _station(op)
    if isinstance(record, gf.Station):
        apply_greenflux(station, record)
    else:
        apply_beenergised(station, record)
    if other_writes_open(op):
        # A later edit is still on its way: the row stays pending until it lands.
        Station.objects.filter(pk=station.pk).update(sync_state=SyncState.PENDING)
    return {"upstream_id": station.upstream_id, "etag": station.etag}


def _mark(op: Operation, state: str) -> None:
    Station.objects.filter(pk=op.target_id).update(sync_state=state)


class _StationHandler(OperationHandler):
    def apply(self, op: Operation, result: Any) -> dict[str, Any]:
        return _apply(op, result)

    def on_failed(self, op: Operation) -> None:
        _mark(op, SyncState.FAILED)


@register
class StationCreate(_StationHandler):
    """POST a new station. Payload: ``{"document": <upstream create body>}``."""

    kind = "station.create"

    def perform(self, op: Operation, connector: Any) -> Any:
        document = op.payload["document"]
        record = (gf.Station.from_api(document) if isinstance(connector, gf.GreenFluxConnector)
                  else be.Station.from_api({"attributes": document}))
        if op.attempts > 1:
            # The first try may have been applied (its answer lost): a duplicate refusal adopts it.
            return connector.create_or_adopt(record)
        return connector.create_station(record)


@register
class StationPut(_StationHandler):
    """PUT the whole station with the etag the user saw.

    Payload: ``{"document": <full writable document>, "base": <upstream document the user edited>}``.
    """

    kind = "station.put"

    def perform(self, op: Operation, connector: gf.GreenFluxConnector) -> Any:
        document = op.payload["document"]
        if not op.base_etag:
            # GreenFlux gives a station an etag only at its first update, and a PUT
            # without one is refused: the user edited a never-updated version. If the
            # upstream still has no etag nobody changed it since, so the same
            # document goes by PATCH; if it has one now, that is a conflict.
            current = connector.get_station(document["charge_station_id"])
            if current.etag:
                raise Conflict("The station was changed upstream after it was read.", current=current)
            changes = {k: v for k, v in document.items() if k != "charge_station_id"}
            return connector.patch_station(current.charge_station_id, changes)
        return connector.update_station(gf.Station.from_api(document), etag=op.base_etag)

    def on_conflict(self, op: Operation, current: Any) -> dict[str, Any] | None:
        _mark(op, SyncState.CONFLICT)
        if isinstance(current, gf.Station):
            return {**current.writable(), "etag": current.etag, "last_updated": current.last_updated}
        return current if isinstance(current, dict) else None


@register
class StationPatch(_StationHandler):
    """PATCH single fields; no etag. Payload: ``{"changes": {<upstream field>: value}}``."""

    kind = "station.patch"

    def perform(self, op: Operation, connector: gf.GreenFluxConnector) -> Any:
        station = Station.objects.get(pk=op.target_id)
        return connector.patch_station(station.upstream_id or station.charge_box_identity, op.payload["changes"])


@register
class StationEvseExtras(_StationHandler):
    """After a create from a hardware template: set what a template cannot carry.

    GreenFlux's document: directions and parking restrictions are per EVSE but
    not part of a template; "it is required to after creation to Upsert or
    Patch the EVSE object and include those fields". So the station is read
    (the create's answer may not hold the EVSEs yet) and a PATCH names each
    live EVSE by its ``uid`` with only those two fields: nothing else of the
    EVSE (status, connectors) is written from what we read. A station without
    EVSEs fails the operation with that reason; it is never "done".
    Payload: ``{"directions": [...], "parking_restrictions": [...]}``.
    """

    kind = "station.evse_extras"

    def perform(self, op: Operation, connector: gf.GreenFluxConnector) -> Any:
        station = Station.objects.get(pk=op.target_id)
        current = connector.get_station(station.upstream_id or station.charge_box_identity)
        live = [e for e in current.evses if e.uid and e.status != "REMOVED"]
        if not live:
            raise Rejected(
                f"Station {current.charge_station_id} has no EVSEs upstream, so its directions and parking "
                "restrictions could not be set. Retry once its EVSEs exist.",
                kind=connector.kind,
            )
        extras: dict[str, Any] = {}
        if op.payload.get("directions"):
            extras["directions"] = op.payload["directions"]
        if op.payload.get("parking_restrictions"):
            extras["parking_restrictions"] = op.payload["parking_restrictions"]
        answer = connector.patch_station(current.charge_station_id, {"evses": [{"uid": e.uid, **extras} for e in live]})
        missing = [e.uid for e in answer.evses if e.uid in {x.uid for x in live}
                   and ("directions" in extras and not e.directions
                        or "parking_restrictions" in extras and not e.parking_restrictions)]
        if missing:
            raise Rejected(f"The upstream did not keep the directions or parking restrictions of EVSE "
                           f"{', '.join(missing)}.", kind=connector.kind)
        return answer


@register
class StationRefresh(_StationHandler):
    """Read one station in real time (GreenFlux asks for its single-station endpoint for this)."""

    kind = "station.refresh"

    def perform(self, op: Operation, connector: Any) -> Any:
        station = Station.objects.get(pk=op.target_id)
        return connector.get_station(station.upstream_id)

    def apply(self, op: Operation, result: Any) -> dict[str, Any]:
        station = _station(op)
        if station.sync_state == SyncState.CONFLICT or other_writes_open(op):
            # Never clobber the user's unsent or conflicting change: keep the fresh version beside it.
            station.upstream_data = upstream_document(result)
            station.save(update_fields=["upstream_data", "updated_at"])
            return {"kept_beside_local_change": True}
        return _apply(op, result)

    def on_failed(self, op: Operation) -> None:
        pass  # a failed read changes nothing about the station's own state
