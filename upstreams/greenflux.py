"""GreenFlux ChargeStations API client (OCPI 2.2.1 style, snake_case fields).

Answers come in the OCPI envelope ``{data, status_code, status_message,
timestamp}``; lists page with ``offset``/``limit`` and a ``Link`` header.  A
station's ``etag`` is a field of the document and goes back in the PUT body;
a stale one answers 412 (409 treated alike) with the current station.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .base import HttpClient
from .errors import Conflict, NotFound, Rejected, UpstreamError, is_duplicate_refusal
from .pagination import Pages, ocpi_offset
from .raw_json import RawJson


def _tuple(value: Any) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, (list, tuple)) else ()


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


@dataclass(frozen=True)
class Connector:
    """An OCPI connector.  ``voltage``/``amperage``/``max_electric_power`` and
    ``tariff_id`` are the names public client libraries use (unconfirmed)."""

    id: str
    standard: str
    format: str
    power_type: str
    voltage: int | None = None
    amperage: int | None = None
    max_electric_power: int | None = None
    tariff_id: str | None = None
    last_updated: str | None = None  # read-only

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> Connector:
        return cls(
            id=str(d.get("id", "")),
            standard=d.get("standard", ""),
            format=d.get("format", ""),
            power_type=d.get("power_type", ""),
            voltage=d.get("voltage"),
            amperage=d.get("amperage"),
            max_electric_power=d.get("max_electric_power"),
            tariff_id=d.get("tariff_id"),
            last_updated=d.get("last_updated"),
        )

    def to_payload(self) -> dict[str, Any]:
        return _drop_none(
            {
                "id": self.id,
                "standard": self.standard,
                "format": self.format,
                "power_type": self.power_type,
                "voltage": self.voltage,
                "amperage": self.amperage,
                "max_electric_power": self.max_electric_power,
                "tariff_id": self.tariff_id,
            }
        )


@dataclass(frozen=True)
class DisplayText:
    language: str
    text: str


@dataclass(frozen=True)
class Evse:
    """An OCPI 2.2.1 EVSE plus GreenFlux's ``evse_sequence_number``."""

    uid: str
    evse_id: str | None = None
    status: str | None = None
    capabilities: tuple[str, ...] = ()
    connectors: tuple[Connector, ...] = ()
    floor_level: str | None = None
    physical_reference: str | None = None
    directions: tuple[DisplayText, ...] = ()
    parking_restrictions: tuple[str, ...] = ()
    evse_sequence_number: int | None = None
    last_updated: str | None = None  # read-only

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> Evse:
        return cls(
            uid=str(d.get("uid", "")),
            evse_id=d.get("evse_id"),
            status=d.get("status"),
            capabilities=_tuple(d.get("capabilities")),
            connectors=tuple(Connector.from_api(c) for c in _tuple(d.get("connectors"))),
            floor_level=d.get("floor_level"),
            physical_reference=d.get("physical_reference"),
            directions=tuple(
                DisplayText(t.get("language", ""), t.get("text", "")) for t in _tuple(d.get("directions"))
            ),
            parking_restrictions=_tuple(d.get("parking_restrictions")),
            evse_sequence_number=d.get("evse_sequence_number"),
            last_updated=d.get("last_updated"),
        )

    def to_payload(self) -> dict[str, Any]:
        out = _drop_none(
            {
                "uid": self.uid,
                "evse_id": self.evse_id,
                "status": self.status,
                "floor_level": self.floor_level,
                "physical_reference": self.physical_reference,
                "evse_sequence_number": self.evse_sequence_number,
            }
        )
        out["capabilities"] = list(self.capabilities)
        out["connectors"] = [c.to_payload() for c in self.connectors]
        if self.directions:
            out["directions"] = [{"language": t.language, "text": t.text} for t in self.directions]
        if self.parking_restrictions:
            out["parking_restrictions"] = list(self.parking_restrictions)
        return out


# Read-only configuration fields of a station, as listed in the document.
CONFIG_FIELDS = (
    "heartbeat_interval",
    "charge_point_model",
    "charge_point_vendor",
    "charge_point_serial_number",
    "charge_box_serial_number",
    "client_ip_address",
    "firmware_version",
    "iccid",
    "imsi",
    "meter_serial_number",
    "meter_type",
    "remote_manageable",
    "endpoint",
)

# Fields a client may write (create, PUT, PATCH).  Everything else is read-only.
WRITABLE_FIELDS = (
    "charge_station_id",
    "location_id",
    "name",
    "default_charge_station_tariff_id",
    "deploy_state",
    "status",
    "charger_type",
    "contactless_type",
    "charge_station_template_id",
    "evses",
)


@dataclass(frozen=True)
class Station:
    """A GreenFlux charge station.  ``configuration`` holds the read-only config fields."""

    charge_station_id: str
    location_id: str
    deploy_state: str
    name: str | None = None
    default_charge_station_tariff_id: str | None = None
    status: str | None = None
    charger_type: str | None = None
    contactless_type: str | None = None
    charge_station_template_id: str | None = None
    evses: tuple[Evse, ...] = ()
    # read-only below
    etag: str | None = None
    connectivity_status: str | None = None
    protocol_version: str | None = None
    last_updated: str | None = None
    configuration: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> Station:
        return cls(
            charge_station_id=str(d.get("charge_station_id", "")),
            location_id=str(d.get("location_id", "")),
            deploy_state=d.get("deploy_state", ""),
            name=d.get("name"),
            default_charge_station_tariff_id=d.get("default_charge_station_tariff_id"),
            status=d.get("status"),
            charger_type=d.get("charger_type"),
            contactless_type=d.get("contactless_type"),
            charge_station_template_id=d.get("charge_station_template_id"),
            evses=tuple(Evse.from_api(e) for e in _tuple(d.get("evses"))),
            etag=d.get("etag"),
            connectivity_status=d.get("connectivity_status"),
            protocol_version=d.get("protocol_version"),
            last_updated=d.get("last_updated"),
            configuration=configuration_of(d),
        )

    def to_payload(self, *, full: bool = False) -> dict[str, Any]:
        """The writable fields.  ``full`` (for PUT) keeps None as null, since
        PUT clears what it does not get; create leaves them out."""
        out: dict[str, Any] = {
            "charge_station_id": self.charge_station_id,
            "location_id": self.location_id,
            "name": self.name,
            "default_charge_station_tariff_id": self.default_charge_station_tariff_id,
            "deploy_state": self.deploy_state,
            "status": self.status,
            "charger_type": self.charger_type,
            "contactless_type": self.contactless_type,
            "charge_station_template_id": self.charge_station_template_id,
        }
        if self.evses or full or not self.charge_station_template_id:
            out["evses"] = [e.to_payload() for e in self.evses]
        return out if full else _drop_none(out)

    def writable(self) -> dict[str, Any]:
        """Comparable view of what a client controls (for conflict and round-trip checks)."""
        return self.to_payload(full=True)

    def document(self) -> dict[str, Any]:
        """The whole station as the upstream sent it: writable fields, etag, status and configuration.

        ``Station.from_api(s.document())`` gives ``s`` back, read-only fields included.
        """
        return {
            **self.writable(), "etag": self.etag, "connectivity_status": self.connectivity_status,
            "protocol_version": self.protocol_version, "last_updated": self.last_updated,
            **dict(self.configuration),
        }


def configuration_of(d: Mapping[str, Any]) -> dict[str, Any]:
    """The read-only configuration fields of a station document, as ``Station.configuration``."""
    return {k: d[k] for k in CONFIG_FIELDS if k in d}


@dataclass(frozen=True)
class HardwareTemplate:
    """A hardware template.  ``evse_templates`` is kept as the upstream's
    list of EVSE-like dicts: its inner shape is not documented (unconfirmed)."""

    template_id: str
    name: str
    evse_templates: tuple[Mapping[str, Any], ...] = field(default=(), hash=False)

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> HardwareTemplate:
        return cls(
            template_id=str(d.get("template_id", "")),
            name=d.get("name", ""),
            evse_templates=tuple(dict(e) for e in _tuple(d.get("evse_templates"))),
        )

    def to_payload(self) -> dict[str, Any]:
        return {"template_id": self.template_id, "name": self.name, "evse_templates": list(self.evse_templates)}


@dataclass(frozen=True)
class Location:
    """A station's parent location: its name, address and OCPI 2.2.1 ``coordinates``.

    OCPI sends ``coordinates {latitude, longitude}`` as decimal strings; they
    are parsed here, and a value that is not a number (or out of range) is
    dropped rather than guessed.
    """

    id: str
    name: str | None = None
    country_code: str | None = None
    party_id: str | None = None
    address: str | None = None
    city: str | None = None
    postal_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> Location:
        coordinates = d.get("coordinates") if isinstance(d.get("coordinates"), Mapping) else {}
        return cls(
            id=str(d.get("id", "")),
            name=d.get("name"),
            country_code=d.get("country_code"),
            party_id=d.get("party_id"),
            address=d.get("address"),
            city=d.get("city"),
            postal_code=d.get("postal_code"),
            latitude=_degrees(coordinates.get("latitude"), 90),
            longitude=_degrees(coordinates.get("longitude"), 180),
        )


def _degrees(value: Any, limit: float) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if -limit <= number <= limit else None


def _data(body: Any) -> Any:
    """Unwrap the OCPI envelope."""
    return body.get("data") if isinstance(body, dict) and "data" in body else body


# Paths the document does not give (a backend setting may name others): the document names the
# operations "GET the charge station hardware templates" and "PUT to create charge station hardware
# templates" and the endpoint "/locations/{locationid}", not these collection paths.
GUESSED_PATHS = {"templates": "/chargestation-templates", "locations": "/locations"}


class GreenFluxConnector:
    """Client for one GreenFlux backend.  ``paths`` overrides ``GUESSED_PATHS``."""

    kind = "greenflux"

    def __init__(self, http: HttpClient, *, page_size: int = 100, paths: Mapping[str, str] | None = None) -> None:
        self.http = http
        self.page_size = page_size
        self.paths = {**GUESSED_PATHS, **{k: v for k, v in (paths or {}).items() if k in GUESSED_PATHS and v}}

    def __repr__(self) -> str:
        return f"<GreenFluxConnector {self.http.base_url}>"

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> GreenFluxConnector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- stations -----------------------------------------------------------
    def list_stations(
        self,
        *,
        date_from: datetime | str | None = None,
        date_to: datetime | str | None = None,
        location_id: str | None = None,
    ) -> Pages[Station]:
        """Stations page by page; ``date_from`` for an incremental read."""
        params = {"date_from": date_from, "date_to": date_to, "location_id": location_id}
        return ocpi_offset(self.http, "/chargestations", Station.from_api, limit=self.page_size, params=params)

    def list_station_documents(
        self, *, date_from: datetime | str | None = None, location_id: str | None = None
    ) -> Pages[dict[str, Any]]:
        """``list_stations`` as the upstream's own JSON objects, parsed but not mapped."""
        params = {"date_from": date_from, "location_id": location_id}
        return ocpi_offset(self.http, "/chargestations", None, limit=self.page_size, params=params)

    def list_station_raw(
        self, *, date_from: datetime | str | None = None, location_id: str | None = None
    ) -> Pages[RawJson]:
        """``list_stations`` with each station as the bytes the upstream sent, not even parsed.

        For refreshes: they digest each station's bytes and parse only the ones that changed
        (``upstreams.greenflux_documents``), so an unchanged station costs no parsing at all.
        """
        params = {"date_from": date_from, "location_id": location_id}
        return ocpi_offset(self.http, "/chargestations", None, limit=self.page_size, params=params, raw=True)

    def get_station(self, charge_station_id: str) -> Station:
        return Station.from_api(_data(self.http.json("GET", f"/chargestations/{charge_station_id}")))

    def create_station(self, station: Station) -> Station:
        """POST a new station; not retried after a dropped connection (may exist)."""
        body = _data(self.http.json("POST", "/chargestations", json=station.to_payload()))
        if isinstance(body, dict) and body.get("charge_station_id"):
            return Station.from_api(body)
        return self.get_station(station.charge_station_id)

    def create_or_adopt(self, station: Station) -> Station:
        """For a create that may already have been applied: the station is read by its id (the
        documented real-time GET) first, and a create refused as a duplicate (409, or any 4xx
        naming ``charge_station_id``) adopts the station read then."""
        try:
            return self.get_station(station.charge_station_id)
        except NotFound:
            pass
        try:
            return self.create_station(station)
        except (Conflict, Rejected) as exc:
            if not is_duplicate_refusal(exc, "charge_station_id"):
                raise
            return self.get_station(station.charge_station_id)

    def update_station(self, station: Station, *, etag: str | None = None) -> Station:
        """PUT the whole station with its etag (``etag`` overrides ``station.etag``).

        Raises ``Conflict`` with ``current`` = the upstream's station when the
        etag is stale, unless the upstream already holds exactly this content
        (e.g. our own earlier PUT whose answer was lost): then that is returned.
        """
        payload = station.to_payload(full=True)
        payload["etag"] = etag if etag is not None else station.etag
        try:
            body = _data(self.http.json("PUT", f"/chargestations/{station.charge_station_id}", json=payload))
        except Conflict as exc:
            current = self._current_from_conflict(exc, station.charge_station_id)
            if current is not None and current.writable() == station.writable():
                return current
            exc.current = current
            raise
        if isinstance(body, dict) and body.get("charge_station_id"):
            return Station.from_api(body)
        return self.get_station(station.charge_station_id)

    def patch_station(self, charge_station_id: str, changes: Mapping[str, Any], *, etag: str | None = None) -> Station:
        """PATCH only the given writable fields; the document needs no etag for a PATCH.

        Values may be plain JSON or ``Evse`` objects for ``evses``. ``etag``, when
        given, goes as ``If-Match`` (RFC 9110): an upstream that checks it answers
        412 on a stale one, raised as ``Conflict`` with the current station.
        """
        bad = set(changes) - set(WRITABLE_FIELDS)
        if bad:
            raise ValueError(f"not writable: {', '.join(sorted(bad))}")
        payload = {
            k: [e.to_payload() if isinstance(e, Evse) else e for e in v] if k == "evses" else v
            for k, v in changes.items()
        }
        headers = {"If-Match": f'"{etag}"'} if etag else None
        try:
            body = _data(self.http.json("PATCH", f"/chargestations/{charge_station_id}", json=payload,
                                        headers=headers))
        except Conflict as exc:
            exc.current = self._current_from_conflict(exc, charge_station_id)
            raise
        if isinstance(body, dict) and body.get("charge_station_id"):
            return Station.from_api(body)
        return self.get_station(charge_station_id)

    def _current_from_conflict(self, exc: UpstreamError, charge_station_id: str) -> Station | None:
        data = _data(getattr(exc, "body", None))
        if isinstance(data, dict) and data.get("charge_station_id"):
            return Station.from_api(data)
        try:  # the 412 carried no record: fetch it
            return self.get_station(charge_station_id)
        except NotFound:
            return None

    # -- templates and locations -------------------------------------------
    def list_templates(self) -> Pages[HardwareTemplate]:
        return ocpi_offset(self.http, self.paths["templates"], HardwareTemplate.from_api, limit=self.page_size)

    def create_template(self, template: HardwareTemplate) -> HardwareTemplate:
        """PUT creates or replaces by ``template_id``: idempotent, so retried safely."""
        path = f"{self.paths['templates'].rstrip('/')}/{template.template_id}"
        body = _data(self.http.json("PUT", path, json=template.to_payload()))
        return HardwareTemplate.from_api(body) if isinstance(body, dict) and body.get("template_id") else template

    def list_locations(self) -> Pages[Location]:
        return ocpi_offset(self.http, self.paths["locations"], Location.from_api, limit=self.page_size)

