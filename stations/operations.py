"""Outbox handlers for stations: how each write is performed upstream and applied to the mirror.

Each ``perform`` is safe to run twice. A create that is run again (its first
answer was lost, or the worker died before saving it) looks the station up by
its natural key first, so exactly one station exists upstream.
"""

from __future__ import annotations

from typing import Any

from upstreams import Conflict, Rejected
from upstreams import beenergised as be
from upstreams import greenflux as gf
from sync.mirror import SyncState
from portal.models import Operation
from outbox.operations import OperationHandler, other_writes_open, register
from stations import merge
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


def _shown(station: Station) -> dict[str, Any]:
    """The fields of a station its page shows, by their labels there (EVSEs as one entry)."""
    shown = {label: getattr(station, name) for name, label in SHOWN_FIELDS.items()}
    shown["EVSEs"] = sorted((e.uid, e.evse_id, e.status) for e in station.evses.all())
    return shown


SHOWN_FIELDS = {
    "label": "Name", "location_id": "Location", "deploy_state": "Deploy state", "status": "Status",
    "connectivity": "Connectivity", "charger_type": "Charger type", "default_tariff_id": "Default tariff",
    "template_id": "Hardware template", "firmware_version": "Firmware", "protocol_version": "Protocol",
    "model_id": "Model", "technician_id": "Technician", "time_zone": "Time zone",
    "public_display_name": "Public display name",
}


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


EDIT_KINDS = ("station.edit", "station.patch", "station.put")


def accepted_etags(op: Operation) -> set[str]:
    """The etags under which the upstream still holds what the user's form showed.

    The etag the form showed, and those produced by edits that were still on
    their way when the form was shown and landed after it (their values were
    on the form already, as pending values): any other etag means someone
    else wrote. A refresh writes nothing upstream, so its etag never counts.
    """
    etags = {op.base_etag or ""}
    shown_at = op.payload.get("shown_at")
    if shown_at:
        earlier = Operation.objects.filter(
            target_type="station", target_id=op.target_id, status=Operation.Status.DONE, pk__lt=op.pk,
            kind__in=EDIT_KINDS, created_at__lte=shown_at, finished_at__gte=shown_at,
        ).values_list("result", flat=True)
        etags |= {r.get("etag") for r in earlier if isinstance(r, dict) and r.get("etag")}
    return etags


def send_changes(connector: gf.GreenFluxConnector, fresh: gf.Station, changes: dict[str, Any]) -> gf.Station:
    """Write ``changes`` on top of ``fresh`` (already checked for conflicts) the way that sends least.

    * no etag yet (GreenFlux creates one only at the first update; "re-save
      the object"): a PATCH of the changed fields, which needs none;
    * EVSE changes: a PUT of the fresh document with only these changes
      merged in, with the fresh etag; everything else goes back exactly as
      the upstream has it now;
    * station fields only: a PATCH of those fields with the etag as
      ``If-Match``. A PUT would have to carry the EVSEs, which the upstream
      may refuse on write although it holds them (a connector standard it no
      longer accepts), and without them GreenFlux rebuilds the EVSEs from the
      template; a PATCH changes only the given fields (the document).
    """
    document = fresh.writable()
    if fresh.etag and merge.touches_evses(changes):
        return connector.update_station(gf.Station.from_api(merge.merge_document(document, changes)),
                                        etag=fresh.etag)
    return connector.patch_station(fresh.charge_station_id, merge.patch_body(document, changes),
                                   etag=fresh.etag or None)


@register
class StationEdit(_StationHandler):
    """Send the user's changes against the version their form showed.

    Payload: ``{"shown": <canonical document the form showed>, "shown_at": <iso time>,
    "changes": <stations.merge paths -> values>, "check": "etag" | "fields"}``, with
    ``base_etag`` the etag the form showed. The station is read fresh first:

    * the upstream already holds every change (an earlier attempt landed and
      its answer was lost): done, nothing sent;
    * ``check == "etag"`` (a full edit, a reapplied conflict): another etag than
      the one shown is a conflict;
    * ``check == "fields"`` (a quick edit): a conflict only when someone else
      changed one of the same fields since the form showed it;
    * otherwise ``send_changes``. A 412 on the write itself (a change that
      landed between our read and our write) is a conflict too.
    """

    kind = "station.edit"

    def perform(self, op: Operation, connector: gf.GreenFluxConnector) -> Any:
        station = Station.objects.get(pk=op.target_id)
        fresh = connector.get_station(station.upstream_id or station.charge_box_identity)
        shown, changes, check = merge.edit_of(op.payload)
        theirs = merge.canonical(fresh.writable())
        if merge.already_applied(changes, theirs):
            return fresh
        if check == "fields":
            clashing = merge.clashes(shown, changes, theirs)
            if clashing:
                raise Conflict(f"Changed upstream since the form showed it: {', '.join(clashing)}.", current=fresh)
        elif (fresh.etag or "") not in accepted_etags(op):
            raise Conflict("The station was changed upstream after the form showed it.", current=fresh)
        return send_changes(connector, fresh, changes)

    def apply(self, op: Operation, result: Any) -> dict[str, Any]:
        return _apply(op, result)

    def on_conflict(self, op: Operation, current: Any) -> dict[str, Any] | None:
        _mark(op, SyncState.CONFLICT)
        # The upstream's whole version, read-only fields included: "discard" shows it as it is.
        return current.document() if isinstance(current, gf.Station) else None


@register
class StationPatch(StationEdit):
    """A quick edit: the same as ``StationEdit`` with ``check == "fields"``."""

    kind = "station.patch"


@register
class StationPut(StationEdit):
    """A row of a bulk change or a CSV import's update: the same edit, named apart on the operations page.

    Recorded as every edit is (``stations.services.station_edits_enqueue``); rows recorded before that
    carry whole documents (``{"document", "base"}``), which ``merge.edit_of`` reduces to the same.
    """

    kind = "station.put"


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
        before = _shown(station)
        answer = _apply(op, result)
        after = _shown(_station(op))
        # What the station page shows that the read changed, so it can say "nothing changed".
        return {**answer, "changed": [name for name in after if before.get(name) != after[name]]}

    def on_failed(self, op: Operation) -> None:
        pass  # a failed read changes nothing about the station's own state
