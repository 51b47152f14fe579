"""be.ENERGISED CPO API client: charging stations (JSON:API) and technicians.

Auth is OAuth2 client credentials (see ``auth.OAuth2ClientCredentials``).
Payload fields are camelCase exactly as in the documents.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar
from dataclasses import dataclass
from typing import Any

from .base import HttpClient
from .errors import Conflict, UpstreamError
from .pagination import Pages, jsonapi_offset, limit_offset

STATIONS = "/api/cpoapi/v1/charging_stations/"
TECHNICIANS = "/api/cpoapi/v1/technicians/"


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


class BeEnergisedConnector:
    """Client for one be.ENERGISED mandant."""

    kind = "beenergised"

    def __init__(self, http: HttpClient, *, page_size: int = 100) -> None:
        self.http = http
        self.page_size = page_size

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
        body = self.http.json("GET", f"{STATIONS}{station_id}/")
        return Station.from_api(body["data"])

    def create_station(self, station: Station) -> Station:
        """POST a station.  Not retried after a dropped connection: the caller
        should look it up by ``chargeBoxIdentity`` first (a retry of an applied
        create answers 409)."""
        try:
            body = self.http.json("POST", STATIONS, json=station.to_payload())
        except Conflict as exc:
            # A duplicate chargeBoxIdentity: the 409 names no record, so find it.
            try:
                exc.current = self.find_station(station.charge_box_identity)
            except UpstreamError:
                pass
            raise
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            raise UpstreamError("beenergised create answered without data", kind=self.kind)
        return Station.from_api(data)

    def find_station(self, charge_box_identity: str) -> Station | None:
        """The station with this ``chargeBoxIdentity``, by a full scan (no filter is documented)."""
        for station in self.list_stations().items():
            if station.charge_box_identity == charge_box_identity:
                return station
        return None

    def create_or_adopt(self, station: Station) -> Station:
        """Create, or on 409 return the existing station with the same identity.

        For replaying an operation whose first answer was lost.  The existing
        record is returned only if the client-controlled fields match;
        otherwise the ``Conflict`` is raised with it as ``current``.
        """
        try:
            return self.create_station(station)
        except Conflict as exc:
            existing = exc.current
            if isinstance(existing, Station) and existing.to_payload() == station.to_payload():
                return existing
            raise

    def list_technicians(self, *, limit: int = 50) -> Pages[Technician]:
        """Active technicians of the token's company, sorted by name (plain limit/offset)."""
        return limit_offset(self.http, TECHNICIANS, Technician.from_api, limit=limit)

