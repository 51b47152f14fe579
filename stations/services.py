"""Writes to stations: create, full edit (PUT), quick edit (PATCH), refresh, conflict resolution.

Each write changes the mirror row (marked pending) and records an outbox
operation in one transaction; the worker sends it upstream after commit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from connectors import greenflux as gf
from locations.models import Location
from models_catalog.models import StationModel
from portal.mirror import SyncState
from portal.models import Backend, Company, Operation, User
from portal.outbox import operation_create
from stations.mapping import apply_greenflux, desired_beenergised, desired_greenflux
from stations.models import Connector, Evse, HardwareTemplate, Station, Technician

# Portal field -> GreenFlux field, for quick edits (PATCH).
PATCHABLE = {
    "label": "name",
    "deploy_state": "deploy_state",
    "location": "location_id",
    "default_tariff_id": "default_charge_station_tariff_id",
    "charger_type": "charger_type",
}


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


@transaction.atomic
def station_update(*, user: User | None, station: Station, changes: dict[str, Any], seen_etag: str) -> Operation:
    """Full edit: PUT the whole document with the etag the user saw (``seen_etag``)."""
    station = _lock(station)
    base = dict(station.upstream_data)
    for name, value in changes.items():
        setattr(station, name, value)
    station.sync_state = SyncState.PENDING
    station.save()
    document = desired_greenflux(station)
    return _operation("station.put", station, user, {"document": document, "base": base}, base_etag=seen_etag)


@transaction.atomic
def station_patch(*, user: User | None, station: Station, name: str, value: Any) -> Operation:
    """Quick edit of one field (PATCH, no etag)."""
    if name not in PATCHABLE:
        raise ValueError(f"{name} cannot be changed with a quick edit")
    station = _lock(station)
    setattr(station, name, value)
    station.sync_state = SyncState.PENDING
    station.save()
    upstream_value = value.upstream_id if isinstance(value, Location) else (value or None)
    return _operation("station.patch", station, user, {"changes": {PATCHABLE[name]: upstream_value}})


@transaction.atomic
def station_refresh(*, user: User | None, station: Station) -> Operation:
    """Read the station from its upstream now (through the worker; views never call upstreams)."""
    return _operation("station.refresh", station, user, {})


def _conflict(station: Station, op: Operation) -> Operation:
    op = Operation.objects.select_for_update().get(pk=op.pk, target_type="station", target_id=station.pk)
    if op.status != Operation.Status.CONFLICT or not op.upstream_current:
        raise ValueError("This operation is not an open conflict.")
    return op


def user_changes(op: Operation) -> dict[str, Any]:
    """The fields the user changed in a PUT, against the version they started from."""
    document, base = op.payload.get("document", {}), op.payload.get("base", {})
    return {k: v for k, v in document.items() if base.get(k) != v}


@transaction.atomic
def station_conflict_reapply(*, user: User | None, station: Station, op: Operation) -> Operation:
    """Apply the user's changed fields on top of the upstream's latest version, with its etag."""
    op = _conflict(station, op)
    station = _lock(station)
    current = dict(op.upstream_current)
    latest_etag = current.pop("etag", "") or ""
    current.pop("last_updated", None)
    document = {**current, **user_changes(op)}
    op.status = Operation.Status.DISCARDED
    op.save(update_fields=["status", "updated_at"])
    station.sync_state = SyncState.PENDING
    station.save(update_fields=["sync_state", "updated_at"])
    new = _operation("station.put", station, user, {"document": document, "base": op.upstream_current},
                     base_etag=latest_etag)
    op.result = {**op.result, "resolved": "reapplied", "superseded_by": new.pk}
    op.error_message = f"Resolved: your change was applied on top of the latest version (operation #{new.pk})."
    op.save(update_fields=["result", "error_message", "updated_at"])
    return new


@transaction.atomic
def station_conflict_discard(*, user: User | None, station: Station, op: Operation) -> Station:
    """Drop the user's change and show the upstream's latest version."""
    op = _conflict(station, op)
    station = _lock(station)
    document = {**op.upstream_current, **{k: v for k, v in station.configuration.items()}}
    apply_greenflux(station, gf.Station.from_api(document))
    op.status = Operation.Status.DISCARDED
    op.result = {**op.result, "resolved": "discarded"}
    op.error_message = "Resolved: your change was discarded; the upstream's version is shown."
    op.save(update_fields=["status", "result", "error_message", "updated_at"])
    return station
