"""be.ENERGISED maintenance windows (docs/upstream-contract.md, fact F3), added to the be.ENERGISED blueprint.

What fact F3 says, done strictly:

* per station ``GET .../charging_stations/{uuid}/maintenance_windows/`` and
  globally ``GET .../maintenance_windows/`` with ``filter[startDate]`` and
  ``filter[endDate]``; JSON:API type ``maintenance_windows``;
* ``POST`` with ``{startDate, endDate, comment, cpUuid, connectorUuid?}``;
  a window may not start in the past.

Where it is silent (docs/upstream-contract.md, "Maintenance windows"):

* ``POST`` goes to the global list (the body names the station by
  ``cpUuid``), as a flat body like the station create; ``201 {"data": ...}``;
  ``comment`` is required (fact F3 makes only ``connectorUuid`` optional);
* ``endDate`` must be after ``startDate``; ``cpUuid`` must be a station of the
  token's company, ``connectorUuid`` one of that station's ``connectors``
  (validation errors are 422 with a JSON:API pointer, as for stations);
* overlapping windows are accepted (nothing says they are refused);
* the date filters select windows that overlap the range: ``filter[startDate]``
  keeps windows ending at or after it, ``filter[endDate]`` those starting at
  or before it, so "now" in both gives the windows running now;
* lists page like the station list (``page[limit]``/``page[offset]``, 50 by
  default, capped at 500), sorted by start;
* cancelling is ``DELETE .../maintenance_windows/{id}/`` (JSON:API's delete:
  ``204``, ``404`` once gone); a window that has already ended cannot be
  cancelled (``409``); there is no edit (PATCH): nothing documents one.
"""

from __future__ import annotations

import uuid
from typing import Any, Callable

from flask import Blueprint, Response, g, request

from .common import Checker, FieldError, iso_seconds, json_body, json_response, now_ts, parse_datetime
from .state import Store

COLLECTION = "be_maintenance"
TYPE = "maintenance_windows"
_ATTRS = ("startDate", "endDate", "comment", "cpUuid", "connectorUuid", "createdAt")


def resource(rec: dict[str, Any]) -> dict[str, Any]:
    return {"type": TYPE, "id": rec["id"], "attributes": {k: rec.get(k) for k in _ATTRS}}


def add_routes(bp: Blueprint, store: Store, api: str, *, error: Callable[..., Response],
               field_errors: Callable[[list[FieldError]], Response], mime: str,
               page_args: Callable[[], tuple[int, int, Response | None]],
               page_body: Callable[[list[dict[str, Any]], int, int, int], dict[str, Any]]) -> None:
    """Register the maintenance window routes on ``bp`` (its guard sets ``g.company``)."""

    def station_of_company(station_id: str) -> dict[str, Any] | None:
        rec = store.get("be_stations", station_id)
        return rec if rec is not None and rec["companyUuid"] == g.company else None

    def listed(windows: list[dict[str, Any]]) -> Response:
        limit, offset, err = page_args()
        if err is not None:
            return err
        windows = sorted(windows, key=lambda w: (w["startDate"], w["id"]))
        return json_response(page_body([resource(w) for w in windows[offset:offset + limit]], limit, offset,
                                       len(windows)), mimetype=mime)

    @bp.get(f"{api}/charging_stations/<station_id>/maintenance_windows/", strict_slashes=False)
    def station_windows(station_id: str) -> Response:
        if station_of_company(station_id) is None:
            return error(404, detail=f"charging station {station_id} not found")
        return listed([w for w in store.values(COLLECTION) if w["cpUuid"] == station_id])

    @bp.get(f"{api}/maintenance_windows/", strict_slashes=False)
    def all_windows() -> Response:
        bounds: dict[str, float] = {}
        for name in ("startDate", "endDate"):
            raw = request.args.get(f"filter[{name}]")
            if raw:
                ts = parse_datetime(raw)
                if ts is None:
                    return error(400, detail=f"filter[{name}] must be an ISO 8601 date-time (got {raw!r})",
                                 parameter=f"filter[{name}]")
                bounds[name] = ts
        windows = [w for w in store.values(COLLECTION) if w["companyUuid"] == g.company]
        if "startDate" in bounds:
            windows = [w for w in windows if parse_datetime(w["endDate"]) >= bounds["startDate"]]
        if "endDate" in bounds:
            windows = [w for w in windows if parse_datetime(w["startDate"]) <= bounds["endDate"]]
        return listed(windows)

    @bp.post(f"{api}/maintenance_windows/", strict_slashes=False)
    def create_window() -> Response:
        body, err = json_body()
        if err or not isinstance(body, dict):
            return error(400, detail=err or "body must be a JSON object")
        c = Checker()
        start_raw = c.string(body, "startDate", required=True)
        end_raw = c.string(body, "endDate", required=True)
        comment = c.string(body, "comment", required=True)
        cp = c.string(body, "cpUuid", required=True)
        connector = c.string(body, "connectorUuid")
        start = parse_datetime(start_raw) if start_raw else None
        end = parse_datetime(end_raw) if end_raw else None
        if start_raw and start is None:
            c.add("startDate", f"must be an ISO 8601 date-time (got {start_raw!r})")
        if end_raw and end is None:
            c.add("endDate", f"must be an ISO 8601 date-time (got {end_raw!r})")
        now = now_ts()
        if start is not None and start < now:
            c.add("startDate", "may not be in the past")
        if start is not None and end is not None and end <= start:
            c.add("endDate", "must be after startDate")
        station = station_of_company(cp) if cp else None
        if cp and station is None:
            c.add("cpUuid", f"charging station {cp} not found")
        if station is not None and connector is not None:
            if connector not in {k.get("uuid") for k in station.get("connectors") or []}:
                c.add("connectorUuid", f"connector {connector} is not a connector of charging station {cp}")
        if c.errors:
            return field_errors(c.errors)
        wid = str(uuid.uuid4())
        rec = {
            "id": wid, "startDate": iso_seconds(start), "endDate": iso_seconds(end), "comment": comment,
            "cpUuid": cp, "connectorUuid": connector, "companyUuid": g.company, "createdAt": iso_seconds(now),
        }
        store.put(COLLECTION, wid, rec)
        resp = json_response({"data": resource(rec)}, 201, mimetype=mime)
        resp.headers["Location"] = f"{request.base_url.rstrip('/')}/{wid}/"
        return resp

    @bp.delete(f"{api}/maintenance_windows/<window_id>/", strict_slashes=False)
    def cancel_window(window_id: str) -> Response:
        with store.lock:
            rec = store.get(COLLECTION, window_id)
            if rec is None or rec["companyUuid"] != g.company:
                return error(404, detail=f"maintenance window {window_id} not found")
            if parse_datetime(rec["endDate"]) <= now_ts():
                return error(409, detail="a maintenance window that has ended cannot be cancelled")
            store.delete(COLLECTION, window_id)
        return Response(status=204)
