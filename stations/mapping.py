"""Between mirror rows and the connectors' records, for both station kinds.

``desired_*`` builds what the portal wants upstream from a mirror station (the
payload an operation stores); ``apply_*`` writes what the upstream answered
onto the mirror. GreenFlux stations use the charge station id as their
charge box identity. be.ENERGISED's integer ``modelId`` names a model in
be.ENERGISED's own registry, which the documents do not expose; each company's
admins map those numbers to catalogue models (``stations.model_ids``; seeded
for the demo).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from upstreams import beenergised as be
from upstreams import greenflux as gf
from locations.models import Location
from sync.mirror import SyncState, content_hash, parse_upstream_time
from portal.identities import company_ref, company_refs
from stations.model_ids import mapped_model, model_number
from stations.models import Connector, Evse, HardwareTemplate, Station, Technician

# content_hash and parse_upstream_time live in sync.mirror (every app's refresher uses them); the
# station code names the parser ``_when``.
_when = parse_upstream_time


def upstream_document(record: gf.Station | be.Station) -> dict[str, Any]:
    """What the mirror keeps of the upstream's version (compared in conflicts, shown on the page)."""
    if isinstance(record, gf.Station):
        return {**record.writable(), "etag": record.etag, "last_updated": record.last_updated}
    # Connectors are what a maintenance window may name (maintenance app); read-only.
    return record.to_payload() | {"firmwareVersion": record.firmware_version,
                                  "connectors": [c.to_payload() for c in record.connectors]}


# --- GreenFlux ---------------------------------------------------------------

def greenflux_evses_payload(station: Station) -> list[dict[str, Any]]:
    """The mirror's EVSEs and connectors as GreenFlux (OCPI) EVSE objects."""
    evses = []
    for evse in station.evses.all():
        item: dict[str, Any] = {
            "uid": evse.uid,
            "evse_id": evse.evse_id or None,
            "status": evse.status,
            "capabilities": list(evse.capabilities),
            "evse_sequence_number": evse.sequence_number,
            "floor_level": evse.floor_level or None,
            "physical_reference": evse.physical_reference or None,
            "connectors": [
                {k: v for k, v in {
                    "id": c.connector_id, "standard": c.standard, "format": c.format,
                    "power_type": c.power_type, "voltage": c.max_voltage, "amperage": c.max_amperage,
                    "max_electric_power": c.max_electric_power, "tariff_id": c.tariff_id or None,
                }.items() if v is not None}
                for c in evse.connectors.all()
            ],
        }
        if evse.directions:
            item["directions"] = list(evse.directions)
        if evse.parking_restrictions:
            item["parking_restrictions"] = list(evse.parking_restrictions)
        evses.append({k: v for k, v in item.items() if v is not None})
    return evses


def desired_greenflux(station: Station) -> dict[str, Any]:
    """The create body of a new GreenFlux station: only what the user gave and the document requires.

    No live status (the station's or its EVSEs'): the upstream reports it, and
    a create that claimed ``UNKNOWN`` would write a status nobody chose.
    Edits never use this: they send changes merged into a fresh upstream
    version (``stations.merge``).
    """
    document = {
        "charge_station_id": station.charge_box_identity,
        "location_id": station.location.upstream_id if station.location else None,
        # The portal labels an unnamed station with its id; that is no name the user gave.
        "name": station.label if station.label and station.label != station.charge_box_identity else None,
        "default_charge_station_tariff_id": station.default_tariff_id or None,
        "deploy_state": station.deploy_state,
        "charger_type": station.charger_type or None,
        "charge_station_template_id": station.template.upstream_id if station.template else None,
        "evses": [{k: v for k, v in evse.items() if k != "status"} for evse in greenflux_evses_payload(station)],
    }
    return {k: v for k, v in document.items() if v is not None}


# When a station's EVSEs disagree, what the station as a whole is: one free EVSE makes
# it available, else one in use makes it charging, else the most serious fault.
_STATUS_ORDER = ["AVAILABLE", "CHARGING", "RESERVED", "BLOCKED", "OUTOFORDER", "INOPERATIVE", "PLANNED", "REMOVED"]


def station_status(record: gf.Station) -> str:
    """The upstream's station status; where it gives none, derived from the EVSEs' statuses.

    GreenFlux (like OCPI 2.2.1) keeps status per EVSE; a station without one
    of its own used to show "Unknown" beside EVSEs that all said "Available".
    """
    return status_from(record.status, [e.status for e in record.evses])


def status_from(status: str | None, evse_statuses: Iterable[str | None]) -> str:
    """``station_status`` from the station's own status and its EVSEs' (refreshes read documents)."""
    if status and status != "UNKNOWN":
        return status
    known = {s for s in evse_statuses if s and s != "UNKNOWN"}
    for candidate in _STATUS_ORDER:
        if candidate in known:
            return candidate
    return "UNKNOWN"


def location_of_station(backend: Any, company_id: int | None, location_id: str | None) -> Location | None:
    """The mirror's location a GreenFlux station names, made from the station when the mirror lacks it.

    GreenFlux's document gives stations a ``location_id`` and lists stations by location, but no list
    of locations: the locations are known from the stations (issue 24). A station the upstream holds
    confirms its location, so a location typed by a user (pending) becomes synced.
    """
    if not location_id:
        return None
    location = Location.objects.filter(backend=backend, upstream_id=location_id).first()
    if location is None and company_id is not None:
        location, _ = Location.objects.get_or_create(
            backend=backend, upstream_id=location_id,
            defaults={"company_id": company_id, "name": location_id[:200], "sync_state": SyncState.SYNCED})
    elif location is not None and location.sync_state == SyncState.PENDING:
        Location.objects.filter(pk=location.pk).update(sync_state=SyncState.SYNCED)
    return location


def apply_greenflux(station: Station, record: gf.Station) -> Station:
    """Write a GreenFlux answer onto the mirror station (saved) and its EVSEs."""
    backend = station.backend
    config = dict(record.configuration)
    station.upstream_id = record.charge_station_id
    station.charge_box_identity = record.charge_station_id
    station.label = record.name or record.charge_station_id
    station.location = location_of_station(backend, station.company_id, record.location_id)
    station.deploy_state = record.deploy_state or ""
    station.status = station_status(record)
    station.charger_type = record.charger_type or ""
    station.default_tariff_id = record.default_charge_station_tariff_id or ""
    station.template = (
        HardwareTemplate.objects.filter(backend=backend, upstream_id=record.charge_station_template_id).first()
        if record.charge_station_template_id else None
    )
    station.etag = record.etag or ""
    station.connectivity = record.connectivity_status or ""
    station.protocol_version = record.protocol_version or ""
    station.configuration = config
    station.firmware_version = str(config.get("firmware_version") or "")
    station.iccid = str(config.get("iccid") or "")
    station.imsi = str(config.get("imsi") or "")
    station.serial_number = str(config.get("charge_box_serial_number") or config.get("charge_point_serial_number") or "")
    station.upstream_updated_at = _when(record.last_updated)
    station.upstream_data = upstream_document(record)
    station.content_hash = content_hash(record.writable() | {"configuration": config})
    station.sync_state = SyncState.SYNCED
    station.synced_at = timezone.now()
    station.removed_at = None
    station.save()
    _apply_evses(station, record.evses)
    return station


def _apply_evses(station: Station, evses: tuple[gf.Evse, ...]) -> None:
    station.evses.all().delete()
    for index, evse in enumerate(evses, start=1):
        row = Evse.objects.create(
            station=station, uid=evse.uid, evse_id=evse.evse_id or "",
            sequence_number=evse.evse_sequence_number or index, status=evse.status or "UNKNOWN",
            capabilities=list(evse.capabilities), floor_level=evse.floor_level or "",
            physical_reference=evse.physical_reference or "",
            directions=[{"language": d.language, "text": d.text} for d in evse.directions],
            parking_restrictions=list(evse.parking_restrictions),
        )
        Connector.objects.bulk_create([
            Connector(
                evse=row, connector_id=c.id, standard=c.standard, format=c.format, power_type=c.power_type,
                max_voltage=c.voltage, max_amperage=c.amperage, max_electric_power=c.max_electric_power,
                tariff_id=c.tariff_id or "",
            )
            for c in evse.connectors
        ])


# --- be.ENERGISED ----------------------------------------------------------------

def desired_beenergised(station: Station) -> dict[str, Any]:
    """The create body for be.ENERGISED, as the document names its fields."""
    payload = {
        "label": station.label,
        "chargeBoxIdentity": station.charge_box_identity,
        "modelId": model_number(station.company_id, station.model),
        "companyUuid": company_ref(station.company, station.backend),
        "timeZone": station.time_zone,
        "publicDisplayName": station.public_display_name or None,
        "serialnumber": station.serial_number or None,
        "iccid": station.iccid or None,
        "imsi": station.imsi or None,
        "technicianUserId": int(station.technician.upstream_id) if station.technician else None,
    }
    return {k: v for k, v in payload.items() if v is not None}


def apply_beenergised(station: Station, record: be.Station) -> Station:
    backend = station.backend
    station.upstream_id = record.id or None
    station.label = record.label
    station.charge_box_identity = record.charge_box_identity
    if record.company_uuid:
        company_id = company_refs(backend).get(record.company_uuid)
        station.company_id = company_id or station.company_id
    station.model = mapped_model(station.company_id, record.model_id)
    station.time_zone = record.time_zone or ""
    station.public_display_name = record.public_display_name or ""
    station.serial_number = record.serialnumber or ""
    station.iccid = record.iccid or ""
    station.imsi = record.imsi or ""
    station.firmware_version = record.firmware_version or ""
    station.technician = (
        Technician.objects.filter(backend=backend, upstream_id=str(record.technician_user_id)).first()
        if record.technician_user_id is not None else None
    )
    station.upstream_data = upstream_document(record)
    station.content_hash = content_hash(station.upstream_data)
    station.sync_state = SyncState.SYNCED
    station.synced_at = timezone.now()
    station.removed_at = None
    station.save()
    return station
