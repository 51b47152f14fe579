"""ChargEye (Kempower) Locations and network API client, camelCase fields.

Auth is the refresh-token flow (``auth.RefreshToken``); the base URL is the
API root (``.../api``).  Lists page with ``paginationToken``.  The network
endpoint paths are not in the documents: they are our choice, kept in
``NETWORK_PATHS`` below and in docs/upstream-contract.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .base import HttpClient
from .chargeye_types import (
    HardwareError,
    Location,
    LocationPower,
    NetworkLocation,
    ProblematicSession,
    Station,
    Transaction,
)
from .errors import UpstreamError
from .pagination import Pages, token_pages

# Our choice (unconfirmed): the documents name these operations but not their paths.
NETWORK_PATHS = {
    "status": "/network/status",
    "power": "/network/power",
    "errors": "/network/errors",
    "sessions": "/network/sessions",
    "transactions": "/network/transactions",
}


class ChargEyeConnector:
    """Client for one ChargEye tenant."""

    kind = "chargeye"

    def __init__(self, http: HttpClient) -> None:
        self.http = http

    def __repr__(self) -> str:
        return f"<ChargEyeConnector {self.http.base_url}>"

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> ChargEyeConnector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- locations ----------------------------------------------------------
    def list_locations(self) -> Pages[Location]:
        return token_pages(self.http, "/locations", Location.from_api, items_key="locations")

    def get_location(self, location_uid: str) -> Location:
        body = self.http.json("GET", f"/locations/{location_uid}")
        return Location.from_api(body["location"] if isinstance(body, dict) and "location" in body else body)

    def create_location(self, location: Location, *, station_id: str | None = None) -> Location:
        """POST ``{"location", "stationId"}``; answers ``{"id", "success"}``, then the
        new location is read back.  Not retried after a dropped connection."""
        payload: dict[str, Any] = {"location": location.to_payload()}
        if station_id is not None:
            payload["stationId"] = station_id
        body = self.http.json("POST", "/locations", json=payload)
        if not isinstance(body, dict) or not body.get("id"):
            raise UpstreamError("chargeye create answered without id", kind=self.kind)
        return self.get_location(str(body["id"]))

    def update_location(self, location_uid: str, changes: Location | Mapping[str, Any]) -> Location:
        """Update by id with a partial location (upstream field names) or a
        whole ``Location``.  PUT with partial semantics (contract); idempotent."""
        payload = changes.to_payload() if isinstance(changes, Location) else dict(changes)
        self.http.json("PUT", f"/locations/{location_uid}", json={"location": payload})
        return self.get_location(location_uid)

    def stations_of_location(self, location_uid: str, *, station_ids: Sequence[str] = ()) -> list[Station]:
        params = {"locationUid": location_uid, "stationIds": ",".join(station_ids) or None}
        body = self.http.json("GET", "/stations", params=params) or {}
        return [Station.from_api(s) for s in body.get("stations") or []]

    # -- network ------------------------------------------------------------
    def network_status(self) -> Pages[NetworkLocation]:
        return token_pages(self.http, NETWORK_PATHS["status"], NetworkLocation.from_api, items_key="locations")

    def current_power(self, location_uids: Sequence[str] = ()) -> list[LocationPower]:
        """Current power per location, for the whole network when no uids are given."""
        params = {"locationUids": ",".join(location_uids) or None}
        body = self.http.json("GET", NETWORK_PATHS["power"], params=params) or {}
        return [LocationPower.from_api(p) for p in body.get("locations") or []]

    def hardware_errors(self) -> Pages[HardwareError]:
        return token_pages(self.http, NETWORK_PATHS["errors"], HardwareError.from_api, items_key="errors")

    def problematic_sessions(self) -> Pages[ProblematicSession]:
        return token_pages(self.http, NETWORK_PATHS["sessions"], ProblematicSession.from_api, items_key="sessions")

    def transactions(self) -> Pages[Transaction]:
        return token_pages(self.http, NETWORK_PATHS["transactions"], Transaction.from_api, items_key="transactions")
