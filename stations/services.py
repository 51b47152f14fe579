"""Writes to stations: create, full edit (PUT), quick edit (PATCH), refresh, conflict resolution.

Each write changes the mirror row (marked pending) and records an outbox
operation in one transaction; the worker sends it upstream after commit.
Every edit of a station, one from its form or thousands from a confirmed bulk
change or CSV import (``stations.bulk.write``), reaches the outbox through
:func:`station_edits_enqueue`: one payload, one etag rule, one audit entry each.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from upstreams import greenflux as gf
from locations.models import Location
from models_catalog.models import StationModel
from portal.access import Role, require_role
from sync.mirror import SyncState
from portal.models import Backend, Company, Operation, User
from outbox.operations import operation_create, operations_create_many
from stations import merge
from stations.mapping import apply_greenflux, desired_beenergised, desired_greenflux
from stations.models import Connector, Evse, HardwareTemplate, Station, Technician
from stations.versions import UPSTREAM_FIELDS, ShownVersion, form_changes, shown_version

# The fields a quick edit (a PATCH of one field) may change.
PATCHABLE = UPSTREAM_FIELDS


def _require_operator(user: User | None, company: object) -> None:
    """A person's write needs the operator role in the record's company (``portal.access``); the
    system's own writes (no user) are not a person's."""
    if user is not None and getattr(user, "is_authenticated", False):
        require_role(user, Role.OPERATOR, company)


@dataclass
class ConnectorInput:
    standard: str
    format: str
    power_type: str
    max_voltage: int | None = None
    max_amperage: int | None = None
    max_electric_power: int | None = None


@dataclass
class EvseInput:
    connectors: list[ConnectorInput]
    capabilities: list[str] = field(default_factory=list)
    evse_id: str = ""
    floor_level: str = ""
    physical_reference: str = ""


@dataclass
class StationInput:
    """A validated new station (``stations.forms`` and the CSV importer produce these)."""

    backend: Backend
    company: Company
    label: str
    charge_box_identity: str
    model: StationModel | None = None
    time_zone: str = ""
    public_display_name: str = ""
    serial_number: str = ""
    technician: Technician | None = None
    location: Location | None = None
    deploy_state: str = ""
    default_tariff_id: str = ""
    charger_type: str = ""
    template: HardwareTemplate | None = None
    evses: list[EvseInput] = field(default_factory=list)
    directions: list[dict[str, str]] = field(default_factory=list)
    parking_restrictions: list[str] = field(default_factory=list)


def _operation(kind: str, station: Station, user: User | None, payload: dict[str, Any], **kw: Any) -> Operation:
    return operation_create(
        kind=kind, backend=station.backend, company=station.company, target_type="station",
        target_id=station.pk, target_label=station.label, payload=payload, user=user, **kw,
    )


def _add_evses(station: Station, evses: list[EvseInput]) -> None:
    for number, evse in enumerate(evses, start=1):
        row = Evse.objects.create(
            station=station, uid=str(uuid.uuid4()), evse_id=evse.evse_id, sequence_number=number,
            capabilities=evse.capabilities, floor_level=evse.floor_level,
            physical_reference=evse.physical_reference,
        )
        Connector.objects.bulk_create([
            Connector(evse=row, connector_id=str(n), standard=c.standard, format=c.format,
                      power_type=c.power_type, max_voltage=c.max_voltage, max_amperage=c.max_amperage,
                      max_electric_power=c.max_electric_power)
            for n, c in enumerate(evse.connectors, start=1)
        ])


@transaction.atomic
def station_create(*, user: User | None, data: StationInput) -> Station:
    """Create the mirror row (pending) and the create operation; a template's extras follow as a second step."""
    if data.location is not None and data.location.pk is None:
        data.location.save()  # a GreenFlux location id typed by the user: pending until GreenFlux takes it
    station = Station.objects.create(
        backend=data.backend, company=data.company, label=data.label,
        charge_box_identity=data.charge_box_identity, model=data.model, time_zone=data.time_zone,
        public_display_name=data.public_display_name, serial_number=data.serial_number,
        technician=data.technician, location=data.location, deploy_state=data.deploy_state,
        default_tariff_id=data.default_tariff_id, charger_type=data.charger_type, template=data.template,
        sync_state=SyncState.PENDING,
    )
    if data.backend.kind == Backend.Kind.GREENFLUX:
        if data.template is None:
            _add_evses(station, data.evses)
        document = {k: v for k, v in desired_greenflux(station).items() if v is not None}
        if data.template is not None:
            document.pop("evses", None)
        elif data.directions or data.parking_restrictions:
            for evse in document["evses"]:
                evse.update({"directions": data.directions} if data.directions else {})
                evse.update({"parking_restrictions": data.parking_restrictions} if data.parking_restrictions else {})
    else:
        document = desired_beenergised(station)
    create = _operation("station.create", station, user, {"document": document})
    if data.template is not None and (data.directions or data.parking_restrictions):
        _operation(
            "station.evse_extras", station, user,
            {"directions": data.directions, "parking_restrictions": data.parking_restrictions},
            parent=create,
        )
    return station


def _lock(station: Station) -> Station:
    return Station.objects.select_for_update(of=("self",)).select_related("backend", "company", "location", "template").get(
        pk=station.pk
    )


def _set_row_fields(station: Station, changes: dict[str, Any]) -> None:
    """Show the user's station-level changes on the mirror row until the upstream's answer replaces it.

    EVSE changes are shown once the upstream confirms them (the answer rebuilds the EVSE rows).
    """
    for portal_field, upstream_field in UPSTREAM_FIELDS.items():
        if upstream_field not in changes:
            continue
        value = changes[upstream_field]
        if portal_field == "location":
            station.location = Location.objects.filter(backend=station.backend, upstream_id=value).first()
        elif portal_field == "label":
            station.label = value or station.charge_box_identity
        else:
            setattr(station, portal_field, value or "")


@dataclass(frozen=True)
class EditRequest:
    """One edit of one station on its way to the outbox: the version the user saw and what they changed.

    ``check`` is how the worker tells another writer's change (``stations.operations.StationEdit``):
    ``"etag"`` for a whole form or a bulk row, ``"fields"`` for a change of some fields only.
    """

    station_id: int
    backend_id: int
    company_id: int | None
    label: str
    shown: ShownVersion
    changes: dict[str, Any]
    check: str = "etag"
    key: Any = None  # the operation's key, when the caller named it beforehand (a batch row)
    before: Any = None  # what the audit trail records as the value before
    note: dict[str, Any] = field(default_factory=dict)  # more for the payload, e.g. the batch


@transaction.atomic
def station_edits_enqueue(*, user: User | None, kind: str, edits: list[EditRequest]) -> list[int]:
    """Mark the stations pending and record one edit operation each, sent after commit; their ids.

    The one route from a user's change of a station to the outbox: a fixed number of queries for
    any count (``outbox.operations.operations_create_many``). Callers check the role and the station's
    state first (an open conflict is decided before another edit: :func:`_edit`, or the preview's
    skip reasons for a batch).
    """
    if not edits:
        return []
    Station.objects.filter(pk__in=[e.station_id for e in edits]).update(sync_state=SyncState.PENDING)
    return operations_create_many([{
        "kind": kind, "key": e.key, "backend_id": e.backend_id, "company_id": e.company_id,
        "target_type": "station", "target_id": e.station_id, "target_label": e.label, "base_etag": e.shown.etag,
        "payload": {"shown": e.shown.document, "shown_at": e.shown.shown_at, "changes": e.changes,
                    "check": e.check, **e.note},
        "before": e.before,
    } for e in edits], user=user)


def stations_refresh_enqueue(*, user: User | None, stations: list[dict[str, Any]],
                             note: dict[str, Any] | None = None) -> list[int]:
    """Read many stations from their upstream (a bulk refresh); each dict has ``id``, ``backend_id``,
    ``company_id``, ``label`` and may name the operation's ``key``. Their ids."""
    return operations_create_many([{
        "kind": "station.refresh", "key": s.get("key"), "backend_id": s["backend_id"], "company_id": s["company_id"],
        "target_type": "station", "target_id": s["id"], "target_label": s["label"], "payload": dict(note or {}),
    } for s in stations], user=user)


class StationInConflict(ValueError):
    """The station has an open conflict: it is decided first, so that no change is made blind to it."""


def _edit(kind: str, station: Station, user: User | None, shown: ShownVersion, changes: dict[str, Any],
          check: str) -> Operation:
    station = _lock(station)
    if Operation.objects.filter(target_type="station", target_id=station.pk,
                                status=Operation.Status.CONFLICT).exists():
        raise StationInConflict("This station has a conflict to resolve before it can be edited again.")
    _set_row_fields(station, changes)
    station.sync_state = SyncState.PENDING
    station.save()
    [op_id] = station_edits_enqueue(user=user, kind=kind, edits=[EditRequest(
        station.pk, station.backend_id, station.company_id, station.label, shown, changes, check,
        before=station.upstream_data or None)])
    return Operation.objects.get(pk=op_id)


@transaction.atomic
def station_edit(*, user: User | None, station: Station, shown: ShownVersion,
                 changes: dict[str, Any]) -> Operation | None:
    """A full edit: send ``changes`` (``stations.merge`` paths) made against the version the form ``shown``.

    The worker reads the station fresh: an etag other than ``shown.etag`` is a
    conflict; otherwise only these changes go on top of the fresh version.
    Returns None (and sends nothing) when nothing changed.
    """
    _require_operator(user, station.company_id)
    if not changes:
        return None
    return _edit("station.edit", station, user, shown, changes, "etag")


@transaction.atomic
def station_hardware_edit(*, user: User | None, station: Station, shown: ShownVersion,
                          changes: dict[str, Any]) -> Operation | None:
    """EVSE and connector changes (``stations.hardware``) against the version the form ``shown``.

    The same write as a full edit, checked item by item: a conflict only when
    someone else changed one of the same EVSE or connector fields since the
    form showed it (``merge.clashes``). A concurrent change to another EVSE is
    no conflict: the worker's PUT is the fresh document (with the fresh etag)
    plus only these changes, so that change survives.
    """
    _require_operator(user, station.company_id)
    if not changes:
        return None
    if not merge.touches_evses(changes) or any(not path.startswith("evses/") for path in changes):
        raise ValueError("A hardware edit changes EVSEs and connectors only.")
    return _edit("station.edit", station, user, shown, changes, "fields")


@transaction.atomic
def station_patch(*, user: User | None, station: Station, name: str, value: Any,
                  shown: ShownVersion | None = None) -> Operation | None:
    """Quick edit of one field (a PATCH of that field only), against the value the form ``shown``.

    A quick edit checks its own field, not the etag: it conflicts only when
    someone else changed that same field since the form showed it. Without
    ``shown`` (a caller with no form) the mirror's version now is the base.
    Returns None when the value is the one shown.
    """
    _require_operator(user, station.company_id)
    if name not in PATCHABLE:
        raise ValueError(f"{name} cannot be changed with a quick edit")
    shown = shown or shown_version(station)
    changes = form_changes(shown, {name: value})
    if not changes:
        return None
    return _edit("station.patch", station, user, shown, changes, "fields")


@transaction.atomic
def station_refresh(*, user: User | None, station: Station) -> Operation:
    """Read the station from its upstream now (through the worker; views never call upstreams)."""
    _require_operator(user, station.company_id)
    return _operation("station.refresh", station, user, {})


def _conflict(station: Station, op: Operation) -> Operation:
    op = Operation.objects.select_for_update().get(pk=op.pk, target_type="station", target_id=station.pk)
    if op.status != Operation.Status.CONFLICT or not op.upstream_current:
        raise ValueError("This operation is not an open conflict.")
    return op


def conflict_merges(op: Operation) -> list[merge.FieldMerge]:
    """Base (what the form showed), mine and theirs (the upstream's version at the conflict), per path."""
    shown, changes, _check = merge.edit_of(op.payload)
    return merge.three_way(shown, changes, merge.canonical(op.upstream_current or {}))


def _resolve(op: Operation, how: str, message: str, **result: Any) -> None:
    op.status = Operation.Status.DISCARDED  # settled without being sent; ``result.resolved`` says how
    op.result = {**op.result, "resolved": how, **result}
    op.error_message = message
    op.save(update_fields=["status", "result", "error_message", "updated_at"])


def _show_upstream(station: Station, document: dict[str, Any], user: User | None) -> None:
    """Make the mirror the upstream's version in full, then read it again (it may have moved on)."""
    apply_greenflux(station, gf.Station.from_api(document))
    _operation("station.refresh", station, user, {})


@transaction.atomic
def station_conflict_reapply(*, user: User | None, station: Station, op: Operation,
                             choices: dict[str, str] | None = None) -> Operation | None:
    """Send the user's changes on top of the upstream's version at the conflict, with its etag.

    ``choices`` maps each clashing path to ``"mine"`` or ``"theirs"``; a clash
    without a choice raises ``ValueError`` (nothing is overwritten without the
    user's decision). Changes nobody else touched go as they are; fields only
    they changed stay theirs. If the upstream changed again since, the new
    operation becomes a new conflict. Returns None when every choice kept
    theirs (then it is a discard).
    """
    _require_operator(user, station.company_id)
    op = _conflict(station, op)
    station = _lock(station)
    choices = choices or {}
    rows = conflict_merges(op)
    undecided = [row.path for row in rows if row.clash and choices.get(row.path) not in ("mine", "theirs")]
    if undecided:
        raise ValueError(f"Choose yours or theirs for: {', '.join(undecided)}")
    chosen = {row.path: row.mine for row in rows
              if row.mine_changed and row.mine != row.theirs and (not row.clash or choices[row.path] == "mine")}
    current = op.upstream_current
    if not chosen:
        _show_upstream(station, current, user)
        _resolve(op, "discarded", "Resolved: you kept their version; nothing of yours was sent.")
        return None
    shown = ShownVersion(station.pk, current.get("etag") or "", merge.canonical(current),
                         timezone.now().isoformat())
    apply_greenflux(station, gf.Station.from_api(current))  # theirs, with the chosen changes on top
    _resolve(op, "reapplied", "Resolved: your chosen changes were sent on top of the latest version.",
             chosen=sorted(chosen))
    new = _edit("station.edit", station, user, shown, chosen, "etag")
    op.result["superseded_by"] = new.pk
    op.error_message = f"Resolved: your chosen changes were sent on top of the latest version (operation #{new.pk})."
    op.save(update_fields=["result", "error_message", "updated_at"])
    return new


@transaction.atomic
def station_conflict_discard(*, user: User | None, station: Station, op: Operation) -> Station:
    """Drop the user's change; the mirror becomes the upstream's version in full (then is read again)."""
    _require_operator(user, station.company_id)
    op = _conflict(station, op)
    station = _lock(station)
    _show_upstream(station, op.upstream_current, user)
    _resolve(op, "discarded", "Resolved: your change was discarded; the upstream's version is shown.")
    return station


@transaction.atomic
def station_patch_fields(*, user: User | None, station: Station, shown: ShownVersion,
                         values: dict[str, Any]) -> Operation | None:
    """A partial edit of several fields at once (the API's PATCH), against the version ``shown``.

    Checked field by field as a quick edit is: a conflict only when someone else changed one of the
    same fields since that version. Returns None when every value is the one shown.
    """
    _require_operator(user, station.company_id)
    unknown = set(values) - set(PATCHABLE)
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} cannot be changed with a partial edit")
    changes = form_changes(shown, values)
    if not changes:
        return None
    return _edit("station.patch", station, user, shown, changes, "fields")
