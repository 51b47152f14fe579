"""ChargEye (Kempower) Locations and network API client, camelCase fields.

Auth is the refresh-token flow (``auth.RefreshToken``); the base URL is the
API root (``.../api``).  Lists page with ``paginationToken``.  The network
endpoint paths are not in the documents: they are our choice, kept in
``NETWORK_PATHS`` below and in docs/upstream-contract.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
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
from .errors import Conflict, Rejected, UpstreamError, is_duplicate_refusal
from .pagination import Pages, token_pages

# Our choice (unconfirmed): the documents name these operations but not their paths; a backend
# setting may name others (``paths``).
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

    def __init__(
        self, http: HttpClient, *, page_size: int | None = None, paths: Mapping[str, str] | None = None
    ) -> None:
        self.http = http
        self.paths = {**NETWORK_PATHS, **{k: v for k, v in (paths or {}).items() if k in NETWORK_PATHS and v}}
        # ``limit`` is not in the documents (the upstream picks the page size);
        # sent only when asked for, e.g. by tests that need several pages.
        self._page = {"limit": page_size} if page_size else {}

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
        return token_pages(self.http, "/locations", Location.from_api, items_key="locations", params=self._page)

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

    def find_location(self, reference: str) -> Location | None:
        """The location whose ``locationId`` (the customer's own reference) is ``reference``, by a full
        read of the documented list (no filter by it is documented)."""
        for record in self.list_locations().items():
            if record.location_id == reference:
                return record
        return None

    def create_or_adopt_location(self, location: Location, *, station_id: str | None = None) -> Location:
        """Create, or adopt the location already holding this ``locationId`` when the create is refused
        as a duplicate (409, or any 4xx naming ``locationId``: the documents name no status), as station
        creates do. The existing one is adopted only if the fields sent match it; otherwise a
        ``Conflict`` is raised with it as ``current``."""
        try:
            return self.create_location(location, station_id=station_id)
        except (Conflict, Rejected) as exc:
            if not location.location_id or not is_duplicate_refusal(exc, "locationId"):
                raise
            try:
                existing = self.find_location(location.location_id)
            except UpstreamError:
                raise exc from None
            wanted = location.to_payload()
            if existing is not None and all(existing.to_payload().get(k) == v for k, v in wanted.items()):
                return existing
            if existing is None and not isinstance(exc, Conflict):
                raise exc  # a validation error that only names the field: nothing holds the reference
            raise Conflict(f"{exc.message} (an existing location holds this locationId with other values)",
                           status=exc.status, kind=self.kind, current=existing) from None

    def update_location(self, location_uid: str, changes: Location | Mapping[str, Any]) -> Location:
        """Update by id with a partial location (upstream field names) or a
        whole ``Location``.  PUT with partial semantics (contract); idempotent.

        ChargEye documents no etag and no conditional request, so this write
        is unconditional: callers that must not overwrite a newer change read
        the location first and compare by field (``locations.operations``,
        ``outbox.conflicts``), which leaves the read-to-write window open."""
        payload = changes.to_payload() if isinstance(changes, Location) else dict(changes)
        self.http.json("PUT", f"/locations/{location_uid}", json={"location": payload})
        return self.get_location(location_uid)

    def stations_of_location(self, location_uid: str, *, station_ids: Sequence[str] = ()) -> list[Station]:
        """The stations of a location (all pages: large sites may page)."""
        params = {"locationUid": location_uid, "stationIds": ",".join(station_ids) or None}
        return token_pages(self.http, "/stations", Station.from_api, items_key="stations", params=params).all()

    # -- network ------------------------------------------------------------
    def network_status(self) -> Pages[NetworkLocation]:
        return token_pages(
            self.http, self.paths["status"], NetworkLocation.from_api, items_key="locations", params=self._page
        )

    def current_power(self, location_uids: Sequence[str] = ()) -> list[LocationPower]:
        """Current power per location, for the whole network when no uids are given."""
        params = {"locationUids": ",".join(location_uids) or None}
        body = self.http.json("GET", self.paths["power"], params=params) or {}
        return [LocationPower.from_api(p) for p in body.get("locations") or []]

    def _feed(self, name: str, mapper: Any, key: str, since: datetime | None, until: datetime | None) -> Pages[Any]:
        # ``from``/``to`` are our choice (unconfirmed), as are the paths.
        params = {**self._page, "from": since, "to": until}
        return token_pages(self.http, self.paths[name], mapper, items_key=key, params=params)

    def hardware_errors(self, *, since: datetime | None = None, until: datetime | None = None) -> Pages[HardwareError]:
        return self._feed("errors", HardwareError.from_api, "errors", since, until)

    def problematic_sessions(
        self, *, since: datetime | None = None, until: datetime | None = None
    ) -> Pages[ProblematicSession]:
        return self._feed("sessions", ProblematicSession.from_api, "sessions", since, until)

    def transactions(self, *, since: datetime | None = None, until: datetime | None = None) -> Pages[Transaction]:
        return self._feed("transactions", Transaction.from_api, "transactions", since, until)
