"""ChargEye (Kempower) API: auth refresh, locations, stations, network figures.

Follows chargeye-locations.txt and the vendor facts of docs/upstream-contract.md; where they are silent,
docs/upstream-contract.md and these choices:

* ``GET /auth/refreshAccessToken`` with the refresh token as bearer answers
  ``{"token", "validUntil"}`` (ISO 8601, 8 hours); every other path needs
  that token: 401 when missing, invalid or expired;
* ``POST /locations`` answers ``201 {"id", "success": true}``; required are
  ``location.name``, ``lat`` and ``lng``; ``countryCode`` must be an
  ISO 3166-1 alpha-2 code (upper case), ``postalCode`` at most 10
  characters; a given ``stationId`` must exist and moves to the new
  location.  The new location's tenant is the station's, else the first
  ``labels[].tenantIds``, else the first seeded company;
* ``PUT`` (or ``PATCH``) ``/locations/{id}`` with ``{"location": {partial}}``
  changes the given fields, ``{"success": true}``;
* lists (locations, network status/errors/sessions/transactions) page with
  an opaque ``paginationToken`` (100 items, ``limit`` up to 1000 as an
  extension, both capped by the ``page_cap`` setting, default 50); the last page has ``"paginationToken": null``.  ``/stations``
  answers the merged station shape of fact F17 and the ChargingStationRow
  of the document, paginated the same way when more than 500 match;
* network paths: ``/network/status``, ``/network/power?locationUids=``,
  ``/network/errors``, ``/network/sessions``, ``/network/transactions``
  (``from``/``to`` ISO bounds, default the last 24 hours); figures come
  from :mod:`simulator.live`;
* errors are RFC 9457 problem details as for the models kind.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any, Callable

from flask import Blueprint, Response, request

from . import live
from .auth import CHARGEYE_TOKEN_TTL, issue_token, verify_token
from .common import Checker, FieldError, bearer_token, iso_millis, json_body, json_response, now_ts, parse_datetime
from .faults import Faults
from .models_api import problem
from .seed import CHARGEYE_REFRESH_TOKEN, COMPANIES
from .seed_data import ISO_COUNTRY_CODES
from .state import Store

KIND = "chargeye"
PAGE, MAX_PAGE, STATION_PAGE = 100, 1000, 500
_LOCATION_FIELDS = ("id", "locationId", "name", "address", "city", "postalCode", "state", "country", "countryCode",
                    "lat", "lng", "bounds", "geo", "labels", "positionEstimate", "roamingPoolId",
                    "tenantIdCPO", "tenantIdEMSP", "tenantIdMaintenance", "tenantIds")


def _invalid(errors: list[FieldError]) -> Response:
    return problem(400, "; ".join(f"{e.field} {e.message}" for e in errors[:5]), errors, "Validation failed")


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def _page_args(cap: int) -> tuple[int, int, Response | None]:
    """(offset, size) from ``paginationToken``/``limit``, or an error answer."""
    raw = request.args.get("paginationToken")
    offset = 0
    if raw:
        try:
            offset = int(json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))["o"])
        except (ValueError, KeyError, TypeError):
            return 0, 0, _invalid([FieldError("paginationToken", "is not a token this API issued")])
    size = PAGE
    if request.args.get("limit"):
        try:
            size = max(1, min(MAX_PAGE, int(request.args["limit"])))
        except ValueError:
            return 0, 0, _invalid([FieldError("limit", "must be an integer")])
    return offset, min(size, cap), None


def _next_token(offset: int, size: int, total: int) -> str | None:
    return _encode_token(offset + size) if offset + size < total else None


# Our extensions no document gives (404 in the documents-only mode): a location's stations under
# its own path (the document's list is ``/stations?locationUid=``) and PATCH as an update alias.
UNDOCUMENTED = frozenset({(f"{KIND}.location_stations", "GET"), (f"{KIND}.update_location", "PATCH")})


def blueprint(store: Store, faults: Faults) -> Blueprint:
    bp = Blueprint(KIND, __name__)

    @bp.before_request
    def _guard() -> Response | None:
        faulted = faults.apply(KIND, lambda s, t, d: problem(s, d, title=t))
        if faulted is not None:
            return faulted
        if faults.documents_only(KIND) and (request.endpoint, request.method) in UNDOCUMENTED:
            return problem(404, f"no such path: {request.path}")
        token = bearer_token()
        if request.path.endswith("/auth/refreshAccessToken"):
            ok, reason = token == CHARGEYE_REFRESH_TOKEN, "invalid refresh token" if token else "missing bearer token"
        else:
            claims, reason = verify_token(store, KIND, token)
            ok = claims is not None
        if not ok:
            resp = problem(401, reason)
            resp.headers["WWW-Authenticate"] = f'Bearer error="invalid_token", error_description="{reason}"'
            return resp
        return None

    @bp.get("/auth/refreshAccessToken")
    def refresh() -> Response:
        token, exp = issue_token(store, KIND, "fleet-api-user", faults.token_ttl(KIND) or CHARGEYE_TOKEN_TTL)
        return json_response({"token": token, "validUntil": iso_millis(exp)})

    def loc_out(rec: dict[str, Any]) -> dict[str, Any]:
        return {k: rec.get(k) for k in _LOCATION_FIELDS}

    @bp.get("/locations")
    def list_locations() -> Response:
        offset, size, err = _page_args(faults.page_cap(KIND))
        if err:
            return err
        records = store.values("ce_locations")
        return json_response({"locations": [loc_out(r) for r in records[offset:offset + size]],
                              "paginationToken": _next_token(offset, size, len(records))})

    @bp.get("/locations/<location_id>")
    def get_location(location_id: str) -> Response:
        rec = store.get("ce_locations", location_id)
        if rec is None:
            return problem(404, f"location {location_id} not found")
        return json_response({"location": loc_out(rec)})

    @bp.post("/locations")
    def create_location() -> Response:
        body, err = json_body()
        if err or not isinstance(body, dict):
            return _invalid([FieldError("", err or "body must be a JSON object")])
        c = Checker()
        loc = body.get("location")
        if not isinstance(loc, dict):
            return _invalid([FieldError("location", "is required and must be an object")])
        fields = _check_location(c, loc, partial=False, prefix="location.")
        station_id = c.string(body, "stationId")
        if station_id and store.get("ce_stations", station_id) is None:
            c.add("stationId", f"unknown station {station_id}")
        if c.errors:
            return _invalid(c.errors)
        with store.lock:
            reference = fields.get("locationId")
            if reference and faults.refuse_duplicates(KIND) and any(
                    r.get("locationId") == reference for r in store.values("ce_locations")):
                message = f"a location with locationId {reference} already exists"
                if faults.duplicate_status(KIND) != 409:
                    return _invalid([FieldError("location.locationId", message)])
                return problem(409, message)
            station = store.get("ce_stations", station_id) if station_id else None
            labels = fields.get("labels") or []
            tenant = (station or {}).get("tenantIdCPO") or next(
                (lb["tenantIds"][0] for lb in labels if lb.get("tenantIds")), COMPANIES[0]["uuid"])
            lid = str(uuid.uuid4())
            rec = {k: None for k in _LOCATION_FIELDS}
            rec.update({"labels": [], "tenantIds": [tenant], "tenantIdCPO": tenant, "tenantIdMaintenance": tenant})
            rec.update(fields)
            rec["id"] = lid
            store.put("ce_locations", lid, rec)
            if station is not None:
                store.put("ce_stations", station["stationId"], {**station, "locationUid": lid})
        return json_response({"id": lid, "success": True}, 201)

    @bp.route("/locations/<location_id>", methods=["PUT", "PATCH"])
    def update_location(location_id: str) -> Response:
        body, err = json_body()
        if err or not isinstance(body, dict):
            return _invalid([FieldError("", err or "body must be a JSON object")])
        loc = body.get("location")
        if not isinstance(loc, dict):
            return _invalid([FieldError("location", "is required and must be an object")])
        c = Checker()
        fields = _check_location(c, loc, partial=True, prefix="location.")
        if loc.get("id") not in (None, location_id):
            c.add("location.id", "does not match the location in the URL")
        if c.errors:
            return _invalid(c.errors)
        with store.lock:
            current = store.get("ce_locations", location_id)
            if current is None:
                return problem(404, f"location {location_id} not found")
            store.put("ce_locations", location_id, {**current, **fields})
        return json_response({"success": True})

    def station_row(rec: dict[str, Any]) -> dict[str, Any]:
        loc = store.get("ce_locations", rec["locationUid"]) or {}
        row = {k: v for k, v in rec.items() if k != "connectors"}
        row["location"] = {"address": loc.get("address"), "id": loc.get("id"), "lat": loc.get("lat"), "lng": loc.get("lng"),
                           "locationId": loc.get("locationId"), "name": loc.get("name"), "roamingPoolId": loc.get("roamingPoolId")}
        return row

    def station_live(rec: dict[str, Any], t: float) -> dict[str, Any]:
        row = station_row(rec)
        error = live.active_error(rec["stationId"], t)
        connectors, total_kw, dc_kw = [], 0.0, 0.0
        for conn in rec["connectors"]:
            s = live.current_session(rec["stationId"], conn["connectorId"], t)
            kw = s.power_kw(conn["maxPowerKw"], t) if s else 0.0
            total_kw += kw
            dc_kw += kw if conn["type"] in ("CCS", "CHAdeMO") else 0.0
            last = live.latest_session(rec["stationId"], conn["connectorId"], t)
            connectors.append({
                **conn, "status": "Faulted" if error else ("Charging" if s else "Available"),
                "maxPowerKwActual": 0.0 if error else conn["maxPowerKw"],
                "latestTransaction": None if last is None else {
                    "txId": last.tx_id, "connectorId": conn["connectorId"],
                    "status": "Charging" if s is last else ("Alarm" if last.problematic else "Finished"),
                    "startTime": iso_millis(last.start), "endTime": None if s is last else iso_millis(last.end),
                    "powerKw": kw if s is last else 0.0, "soc": last.soc(t)},
            })
        voltage = 800.0 if dc_kw or rec["stationCapabilities"] == "DC_CHARGING" else 400.0
        status = "Faulted" if error else ("Inoperative" if rec["operationalStatus"] != "IN_OPERATION" else "Operative")
        return {"stationId": rec["stationId"], "name": rec["name"], "status": status, "maxPowerKw": rec["maxPowerKw"],
                "currentPowerKw": round(total_kw, 2), "currentPowerA": round(total_kw * 1000 / voltage, 1),
                "acDcPowerRatio": 0.0 if total_kw == 0 else round((total_kw - dc_kw) / total_kw, 2),
                **{k: v for k, v in row.items() if k not in ("stationId", "name", "maxPowerKw")},
                "connectors": connectors}

    def stations_by_location() -> dict[str, list[dict[str, Any]]]:
        def build(d: dict[str, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
            out: dict[str, list[dict[str, Any]]] = {}
            for rec in d.values():
                out.setdefault(rec["locationUid"], []).append(rec)
            return out
        return store.view("ce_stations", "by_location", build)

    @bp.get("/locations/<location_id>/stations")
    def location_stations(location_id: str) -> Response:
        if store.get("ce_locations", location_id) is None:
            return problem(404, f"location {location_id} not found")
        return json_response({"stations": [station_row(r) for r in stations_by_location().get(location_id, [])]})

    @bp.get("/stations")
    def stations() -> Response:
        offset, size, err = _page_args(faults.page_cap(KIND))
        if err:
            return err
        wanted = {s for s in (request.args.get("stationIds") or "").split(",") if s}
        loc_uid = request.args.get("locationUid")
        records = stations_by_location().get(loc_uid, []) if loc_uid else store.values("ce_stations")
        if wanted:
            records = [r for r in records if r["stationId"] in wanted]
        size = size if request.args.get("limit") else min(STATION_PAGE, faults.page_cap(KIND))
        t = now_ts()
        body: dict[str, Any] = {"stations": [station_live(r, t) for r in records[offset:offset + size]]}
        if offset + size < len(records) or request.args.get("paginationToken"):
            body["paginationToken"] = _next_token(offset, size, len(records))
        return json_response(body)

    @bp.get("/network/status")
    def network_status() -> Response:
        offset, size, err = _page_args(faults.page_cap(KIND))
        if err:
            return err
        t = now_ts()
        locs = store.values("ce_locations")
        by_loc = stations_by_location()
        out = []
        for loc in locs[offset:offset + size]:
            st = []
            for rec in by_loc.get(loc["id"], []):
                lv = station_live(rec, t)
                st.append({"access": rec["classification"]["access"], "evses": [
                    {"evseId": f"{rec['stationId']}-{c['connectorId']}", "evseName": c["name"],
                     "evseType": "AC" if c["type"] == "Type2" else "DC", "maxPowerKw": c["maxPowerKwActual"],
                     "maxPowerKwWithoutDynamicLimit": c["maxPowerKw"], "stationId": rec["stationId"], "status": c["status"],
                     "txId": (c["latestTransaction"] or {}).get("txId") if c["status"] == "Charging" else None,
                     "txStatus": "Charging" if c["status"] == "Charging" else None}
                    for c in lv["connectors"]],
                    "locationUid": loc["id"], "name": rec["name"], "powerModulePowerSumKw": rec["maxPowerKw"], "stationId": rec["stationId"]})
            out.append({"address": loc["address"], "city": loc["city"], "id": loc["id"], "lat": loc["lat"], "lng": loc["lng"],
                        "name": loc["name"], "positionConfidence": (loc.get("positionEstimate") or {}).get("confidence"),
                        "stations": st})
        return json_response({"locations": out, "paginationToken": _next_token(offset, size, len(locs))})

    @bp.get("/network/power")
    def network_power() -> Response:
        wanted = [u for u in (request.args.get("locationUids") or "").split(",") if u]
        t = now_ts()
        by_loc = stations_by_location()
        uids = wanted or [loc["id"] for loc in store.values("ce_locations")]
        out = []
        for uid in uids:
            kw, count = 0.0, 0
            for rec in by_loc.get(uid, []):
                for conn in rec["connectors"]:
                    s = live.current_session(rec["stationId"], conn["connectorId"], t)
                    if s is not None:
                        count += 1
                        kw += s.power_kw(conn["maxPowerKw"], t)
            out.append({"currentPowerKw": round(kw, 2), "locationUid": uid, "sessionCount": count})
        return json_response({"locations": out})

    def station_feed(key: str, produce: Callable[[dict[str, Any], float, float], list[dict[str, Any]]]) -> Response:
        """Items of every station in [from, to), paged by station (a station's items stay on one page)."""
        offset, size, err = _page_args(faults.page_cap(KIND))
        if err:
            return err
        t = now_ts()
        bounds = {}
        for name, default in (("from", t - 86400), ("to", t)):
            raw = request.args.get(name)
            value = parse_datetime(raw) if raw else default
            if value is None:
                return _invalid([FieldError(name, "must be an ISO 8601 date-time")])
            bounds[name] = value
        records = store.values("ce_stations")
        items: list[dict[str, Any]] = []
        pos = offset
        while pos < len(records) and len(items) < size:
            items.extend(produce(records[pos], bounds["from"], min(bounds["to"], t)))
            pos += 1
        return json_response({key: items, "paginationToken": _encode_token(pos) if pos < len(records) else None})

    def tx_items(rec: dict[str, Any], t0: float, t1: float, problematic_only: bool = False) -> list[dict[str, Any]]:
        now = now_ts()
        out = []
        conn_kw = {c["connectorId"]: c["maxPowerKw"] for c in rec["connectors"]}
        for s in live.sessions_between(rec["stationId"], list(conn_kw), t0, t1):
            if problematic_only and not s.problematic:
                continue
            running = s.end > now
            item = {"endTime": None if running else iso_millis(s.end), **live.ev_of(s),
                    "evseId": f"{rec['stationId']}-{s.connector_id}", "locationUid": rec["locationUid"],
                    "powerKw": s.power_kw(conn_kw[s.connector_id], now), "soc": s.soc(now), "socStart": s.soc_start,
                    "startTime": iso_millis(s.start),
                    "status": "Alarm" if s.problematic else ("Charging" if running else "Finished"),
                    "technicalFailClassification": live.fail_class(s), "txId": s.tx_id}
            out.append(item)
        return out

    @bp.get("/network/transactions")
    def network_transactions() -> Response:
        return station_feed("transactions", tx_items)

    @bp.get("/network/sessions")
    def network_sessions() -> Response:
        def produce(rec: dict[str, Any], t0: float, t1: float) -> list[dict[str, Any]]:
            out = []
            for tx in tx_items(rec, t0, t1, problematic_only=True):
                out.append({"alert": f"{tx['technicalFailClassification']}", "endTime": tx["endTime"], "evId": tx["evId"],
                            "evIdentify": tx["evIdentify"], "evModel": tx["evModel"], "evName": tx["evName"],
                            "locationUid": tx["locationUid"], "scheduleId": None, "startTime": tx["startTime"],
                            "status": "Alarm", "transaction": {"evseId": tx["evseId"], "powerKw": tx["powerKw"], "soc": tx["soc"],
                                                               "socStart": tx["socStart"], "txId": tx["txId"]}})
            return out
        return station_feed("sessions", produce)

    @bp.get("/network/errors")
    def network_errors() -> Response:
        def produce(rec: dict[str, Any], t0: float, t1: float) -> list[dict[str, Any]]:
            out = []
            for e in live.errors_between(rec["stationId"], t0, t1):
                ended = e["_end"] <= now_ts()
                out.append({"alert": {"endTime": iso_millis(e["_end"]) if ended else None, "errorCode": e["code"], "id": e["id"],
                                      "message": e["title"], "timestamp": iso_millis(e["_start"]), "title": e["title"], "type": "HARDWARE"},
                            "error": {"alias": [e["code"].upper()], "code": e["code"], "description": e["title"], "documentation": None,
                                      "internalNotes": None, "possibleCause": None, "potentialImpact": "Charging unavailable on the station",
                                      "potentialSolution": "Reboot the station; dispatch a technician if the error persists",
                                      "selfHelpSteps": None, "severity": e["severity"], "state": "published", "vendor": rec["vendorName"],
                                      "versionCreatedTimestamp": None, "versionModifiedTimestamp": None},
                            "stationId": rec["stationId"], "timestamp": iso_millis(e["_start"])})
            return out
        return station_feed("errors", produce)

    return bp


def _check_location(c: Checker, loc: dict[str, Any], *, partial: bool, prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("name", "lat", "lng"):
        # A present name is checked (and reported) by c.string below.
        if (not partial or name in loc) and loc.get(name) is None and not (name == "name" and name in loc):
            c.add(f"{prefix}{name}", "is required")
    if "name" in loc:
        out["name"] = c.string(loc, "name", prefix, required=True, max_length=200)
    for name in ("lat", "lng"):
        if name in loc and loc[name] is not None:
            out[name] = c.number(loc, name, prefix, minimum=-90 if name == "lat" else -180, maximum=90 if name == "lat" else 180)
    for name in ("address", "city", "country", "state", "locationId", "roamingPoolId"):
        if name in loc:
            out[name] = c.string(loc, name, prefix, max_length=200)
    if "countryCode" in loc:
        cc = c.string(loc, "countryCode", prefix)
        if cc is not None and cc not in ISO_COUNTRY_CODES:
            c.add(f"{prefix}countryCode", f"must be an ISO 3166-1 alpha-2 code such as NL or DE (got {cc!r})")
        out["countryCode"] = cc
    if "postalCode" in loc:
        out["postalCode"] = c.string(loc, "postalCode", prefix, max_length=10)
    for name in ("bounds", "geo", "labels"):
        if name in loc:
            if loc[name] is not None and not isinstance(loc[name], list):
                c.add(f"{prefix}{name}", "must be a list")
            out[name] = loc[name] if loc[name] is not None else []
    for i, label in enumerate(out.get("labels") or []):
        if not isinstance(label, dict) or not isinstance(label.get("value"), str) or not isinstance(label.get("tenantIds", []), list):
            c.add(f"{prefix}labels[{i}]", "must be an object with a string value and a tenantIds list")
    if "positionEstimate" in loc:
        pe = loc["positionEstimate"]
        if pe is not None and not isinstance(pe, dict):
            c.add(f"{prefix}positionEstimate", "must be an object")
        elif pe is not None:
            c.lat_lng(pe, "lat", "lng", f"{prefix}positionEstimate.")
        out["positionEstimate"] = pe
    return out
