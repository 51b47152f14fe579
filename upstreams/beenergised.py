"""be.ENERGISED CPO API client: charging stations (JSON:API), technicians, maintenance windows.

Auth is OAuth2 client credentials (see ``auth.OAuth2ClientCredentials``).
Payload fields are camelCase exactly as in the documents.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .base import HttpClient
from .errors import (NOT_OFFERED_STATUSES, Conflict, NotFound, NotOffered, Rejected, UpstreamError,
                     is_duplicate_refusal)
from .pagination import Pages, jsonapi_offset, limit_offset

STATIONS = "/api/cpoapi/v1/charging_stations/"
TECHNICIANS = "/api/cpoapi/v1/technicians/"
MAINTENANCE = "/api/cpoapi/v1/maintenance_windows/"
# Requests no document gives, by name, with no default: not sent until a backend setting names the
# path the vendor gives (``{id}`` stands for the record). Fact F3 (docs/upstream-contract.md) names reading and creating
# maintenance windows, never cancelling one.
UNDOCUMENTED_PATHS = {"maintenance_cancel": ""}


@dataclass(frozen=True)
class Address:
    """Unconfirmed shape (the documents name ``address`` without its fields);
    the same choice as the simulator: street, houseNumber, postalCode, city, countryCode."""

    street: str | None = None
    house_number: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country_code: str | None = None

    _KEYS: ClassVar[tuple[tuple[str, str], ...]] = (("street", "street"), ("house_number", "houseNumber"), ("postal_code", "postalCode"),
             ("city", "city"), ("country_code", "countryCode"))

    @classmethod
    def from_api(cls, d: Any) -> Address | None:
        if not isinstance(d, dict):
            return None
        return cls(**{attr: d.get(key) for attr, key in cls._KEYS})

    def to_payload(self) -> dict[str, Any]:
        return {key: getattr(self, attr) for attr, key in self._KEYS if getattr(self, attr) is not None}


@dataclass(frozen=True)
class Geolocation:
    """Unconfirmed shape (not in the documents): ``{latitude, longitude}``."""

    latitude: float
    longitude: float

    @classmethod
    def from_api(cls, d: Any) -> Geolocation | None:
        if not isinstance(d, dict):
            return None
        return cls(latitude=d.get("latitude"), longitude=d.get("longitude"))

    def to_payload(self) -> dict[str, Any]:
        return {"latitude": self.latitude, "longitude": self.longitude}


@dataclass(frozen=True)
class StationConnector:
    """A connector of a station, as a maintenance window's ``connectorUuid`` names it.

    Unconfirmed shape (the documents list no connectors): ``{uuid, connectorId}``,
    read-only, reported by the station.
    """

    uuid: str
    connector_id: int | None = None

    @classmethod
    def from_api(cls, d: Any) -> StationConnector | None:
        if not isinstance(d, dict) or not isinstance(d.get("uuid"), str):
            return None
        return cls(uuid=d["uuid"], connector_id=d.get("connectorId"))

    def to_payload(self) -> dict[str, Any]:
        return {"uuid": self.uuid, "connectorId": self.connector_id}


@dataclass(frozen=True)
class Station:
    """A charging station.  ``id`` is the upstream UUID (None before creation).

    ``iccid``/``imsi``/``serialnumber`` are writable on create (the station
    also reports them at boot); ``firmwareVersion``, ``createdAt`` and
    ``updatedAt`` are read-only.
    """

    label: str
    charge_box_identity: str
    model_id: int | None = None
    company_uuid: str | None = None
    time_zone: str | None = None
    public_display_name: str | None = None
    iccid: str | None = None
    imsi: str | None = None
    serialnumber: str | None = None
    address: Address | None = None
    geolocation: Geolocation | None = None
    technician_user_id: int | None = None
    id: str | None = None
    # read-only below
    firmware_version: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    connectors: tuple[StationConnector, ...] = ()

    @classmethod
    def from_api(cls, resource: Mapping[str, Any]) -> Station:
        """From a JSON:API resource ``{type, id, attributes}``."""
        a = resource.get("attributes") or {}
        return cls(
            id=resource.get("id"),
            label=a.get("label", ""),
            charge_box_identity=a.get("chargeBoxIdentity", ""),
            model_id=a.get("modelId"),
            company_uuid=a.get("companyUuid"),
            time_zone=a.get("timeZone"),
            public_display_name=a.get("publicDisplayName"),
            iccid=a.get("iccid"),
            imsi=a.get("imsi"),
            serialnumber=a.get("serialnumber"),
            address=Address.from_api(a.get("address")),
            geolocation=Geolocation.from_api(a.get("geolocation")),
            technician_user_id=a.get("technicianUserId"),
            firmware_version=a.get("firmwareVersion"),
            created_at=a.get("createdAt"),
            updated_at=a.get("updatedAt"),
            connectors=tuple(c for c in map(StationConnector.from_api, a.get("connectors") or []) if c is not None),
        )

    def to_payload(self) -> dict[str, Any]:
        """The create body: the document's flat JSON, optional fields left out when unset."""
        out = {
            "label": self.label,
            "chargeBoxIdentity": self.charge_box_identity,
            "modelId": self.model_id,
            "companyUuid": self.company_uuid,
            "timeZone": self.time_zone,
            "publicDisplayName": self.public_display_name,
            "iccid": self.iccid,
            "imsi": self.imsi,
            "serialnumber": self.serialnumber,
            "address": self.address.to_payload() if self.address is not None else None,
            "geolocation": self.geolocation.to_payload() if self.geolocation is not None else None,
            "technicianUserId": self.technician_user_id,
        }
        return {k: v for k, v in out.items() if v is not None}


@dataclass(frozen=True)
class Technician:
    """A technician of the token's company; ``id`` is what ``technicianUserId`` takes."""

    id: int
    uuid: str | None
    name: str
    email: str | None

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> Technician:
        # The list envelope is unconfirmed: accept both flat items and JSON:API resources.
        attrs = d.get("attributes") if isinstance(d.get("attributes"), dict) else d
        return cls(
            id=d.get("id") if "id" in d else attrs.get("id"),
            uuid=attrs.get("uuid"),
            name=attrs.get("name", ""),
            email=attrs.get("email"),
        )


@dataclass(frozen=True)
class MaintenanceWindow:
    """A maintenance window (fact F3 in docs/upstream-contract.md): a station, optionally one of its connectors, start, end, comment.

    Dates are ISO 8601 strings as the upstream sends them; ``id`` is None before creation.
    """

    start_date: str
    end_date: str
    comment: str
    cp_uuid: str
    connector_uuid: str | None = None
    id: str | None = None
    created_at: str | None = None

    @classmethod
    def from_api(cls, resource: Mapping[str, Any]) -> MaintenanceWindow:
        a = resource.get("attributes") or {}
        return cls(
            id=resource.get("id"), start_date=a.get("startDate", ""), end_date=a.get("endDate", ""),
            comment=a.get("comment") or "", cp_uuid=a.get("cpUuid", ""), connector_uuid=a.get("connectorUuid"),
            created_at=a.get("createdAt"),
        )

    def to_payload(self) -> dict[str, Any]:
        """The create body, flat like the station create (the document's field names)."""
        out = {"startDate": self.start_date, "endDate": self.end_date, "comment": self.comment,
               "cpUuid": self.cp_uuid, "connectorUuid": self.connector_uuid}
        return {k: v for k, v in out.items() if v is not None}


class BeEnergisedConnector:
    """Client for one be.ENERGISED mandant."""

    kind = "beenergised"

    def __init__(self, http: HttpClient, *, page_size: int = 100, paths: Mapping[str, str] | None = None) -> None:
        self.http = http
        self.page_size = page_size
        self.paths = {k: v for k, v in (paths or {}).items() if k in UNDOCUMENTED_PATHS and v}

    def offers(self, name: str) -> bool:
        """Whether the request ``name`` of ``UNDOCUMENTED_PATHS`` has a path set (else it is never sent)."""
        return bool(self.paths.get(name))

    def __repr__(self) -> str:
        return f"<BeEnergisedConnector {self.http.base_url}>"

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> BeEnergisedConnector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def list_stations(self) -> Pages[Station]:
        """All visible stations, page by page (``page[limit]`` is capped at 500 upstream)."""
        return jsonapi_offset(self.http, STATIONS, Station.from_api, limit=min(self.page_size, 500))

    def get_station(self, station_id: str) -> Station:
        """One station, read from the documented list (the document has no GET by id: its list
        "will return a list of all visible stations").  ``NotFound`` when the list lacks it."""
        for station in self.list_stations().items():
            if station.id == station_id:
                return station
        raise NotFound(f"beenergised: station {station_id} is not in the list of visible stations", kind=self.kind,
                       status=404)

    def create_station(self, station: Station) -> Station:
        """POST a station.  Not retried after a dropped connection: use ``create_or_adopt``
        for a create that may already have been applied."""
        body = self.http.json("POST", STATIONS, json=station.to_payload())
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            raise UpstreamError("beenergised create answered without data", kind=self.kind)
        return Station.from_api(data)

    def find_station(self, charge_box_identity: str) -> Station | None:
        """The station with this ``chargeBoxIdentity``, by a full scan of the documented list
        (no filter and no lookup by identity is documented)."""
        for station in self.list_stations().items():
            if station.charge_box_identity == charge_box_identity:
                return station
        return None

    def create_or_adopt(self, station: Station) -> Station:
        """Create, or adopt the existing station with the same identity when the create is refused
        as a duplicate (409, or any 4xx naming ``chargeBoxIdentity``: no status is documented).

        For replaying an operation whose first answer was lost.  The existing record, found by
        its natural key, is returned only if the client-controlled fields match; otherwise a
        ``Conflict`` is raised with it as ``current``.
        """
        try:
            return self.create_station(station)
        except (Conflict, Rejected) as exc:
            if not is_duplicate_refusal(exc, "chargeBoxIdentity"):
                raise
            try:
                existing = self.find_station(station.charge_box_identity)
            except UpstreamError:
                raise exc from None
            if existing is not None and existing.to_payload() == station.to_payload():
                return existing
            raise Conflict(
                f"{exc.message} (an existing station holds this chargeBoxIdentity with other values)",
                status=exc.status, kind=self.kind, current=existing,
            ) from None

    def list_technicians(self, *, limit: int = 50) -> Pages[Technician]:
        """Active technicians of the token's company, sorted by name (plain limit/offset)."""
        return limit_offset(self.http, TECHNICIANS, Technician.from_api, limit=limit)


    # --- maintenance windows (fact F3 and our choices in docs/upstream-contract.md) ----------

    def list_maintenance_windows(self, *, start: str | None = None, end: str | None = None) -> Pages[MaintenanceWindow]:
        """Windows of the token's company overlapping [start, end] (``filter[startDate]``/``filter[endDate]``)."""
        params = {k: v for k, v in (("filter[startDate]", start), ("filter[endDate]", end)) if v}
        return jsonapi_offset(self.http, MAINTENANCE, MaintenanceWindow.from_api, limit=min(self.page_size, 500),
                              params=params)

    def list_station_maintenance_windows(self, station_id: str) -> Pages[MaintenanceWindow]:
        return jsonapi_offset(self.http, f"{STATIONS}{station_id}/maintenance_windows/", MaintenanceWindow.from_api,
                              limit=min(self.page_size, 500))

    def create_maintenance_window(self, window: MaintenanceWindow) -> MaintenanceWindow:
        """POST a window. Not retried after a dropped connection: look it up first
        (``find_maintenance_window``), as a repeated POST makes a second window."""
        body = self.http.json("POST", MAINTENANCE, json=window.to_payload())
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            raise UpstreamError("beenergised maintenance window create answered without data", kind=self.kind)
        return MaintenanceWindow.from_api(data)

    def find_maintenance_window(self, window: MaintenanceWindow) -> MaintenanceWindow | None:
        """The station's window with the same start, end, comment and connector (a create run again)."""
        want = window.to_payload()
        for found in self.list_station_maintenance_windows(window.cp_uuid).items():
            if _same_window(found.to_payload(), want):
                return found
        return None

    def cancel_maintenance_window(self, window_id: str) -> None:
        """DELETE the window at the path the backend sets (``maintenance_cancel``, ``{id}`` for the window).

        No document gives a cancel, so nothing is sent without that setting (``NotOffered``). An
        answer 404, 405 or 501 raises ``NotOffered`` too, naming the status and the URL: the caller
        decides whether a 404 means "already gone" (the window no longer listed) or "no such request".
        """
        template = self.paths.get("maintenance_cancel")
        if not template:
            raise NotOffered("be.ENERGISED's API does not document cancelling a maintenance window; no path is "
                             "set for it on this backend.", kind=self.kind)
        path = template.replace("{id}", window_id)
        try:
            self.http.request("DELETE", path)
        except UpstreamError as exc:
            if exc.status in NOT_OFFERED_STATUSES:
                raise NotOffered(f"{exc.message} (DELETE {self.http.base_url}{path})", status=exc.status,
                                 kind=self.kind) from exc
            raise


def _instant(value: Any) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def same_instant(a: Any, b: Any) -> bool:
    """Two ISO 8601 date-times name the same moment (``...Z`` and ``...+00:00`` alike)."""
    return a == b or (_instant(a) is not None and _instant(a) == _instant(b))


def _same_window(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return (same_instant(a.get("startDate"), b.get("startDate")) and same_instant(a.get("endDate"), b.get("endDate"))
            and a.get("comment") == b.get("comment") and a.get("connectorUuid") == b.get("connectorUuid"))
