"""GreenFlux ChargeStations API (OCPI 2.2.1 style): stations, templates, locations.

Follows greenflux-chargestations.txt and the vendor facts of docs/upstream-contract.md; where they are silent,
docs/upstream-contract.md and these choices:

* every answer is the OCPI envelope ``{data, status_code, status_message,
  timestamp}``; lists page with ``offset``/``limit`` only (default 50, capped
  silently at the ``page_cap`` setting; no ``Link`` or count headers: the
  documents have none) and filter with ``date_from`` (inclusive), ``date_to``
  (exclusive), ``location_id`` on ``last_updated``; order is creation order;
* errors: HTTP 4xx with the envelope, ``status_code`` 2001 and ``errors:
  [{field, message}]`` for invalid or missing parameters (400), 2000 for
  other client errors (401, 404, 409 duplicate ``charge_station_id``,
  412, 428), 3000 for server errors;
* etag: ``null`` on a new station; every PUT or PATCH sets a new one.  PUT
  needs it in the body (``etag``) or an ``If-Match`` header: missing (or the
  station has none yet) is 428, stale is 412 with the current station in
  ``data``.  PATCH needs none, but a given etag is checked the same way;
* PUT replaces the station: optional fields it omits (name, status,
  charger_type, contactless_type, charge_station_template_id) are cleared;
  PATCH changes only the fields given;
* read-only configuration fields (heartbeat_interval ... endpoint), ``etag``
  and ``last_updated`` in a write body are ignored, so a GET document can be
  sent back as is;
* EVSEs: when a body has ``evses`` they are used; otherwise
  ``charge_station_template_id`` copies the template's EVSEs (a copy: later
  template edits do not change stations).  EVSEs are matched by ``uid``
  (then ``evse_sequence_number``) and never deleted: on PUT the ones left
  out go to status REMOVED; PATCH upserts the EVSEs it names.
"""

from __future__ import annotations

import copy
import re
import uuid
from typing import Any

from flask import Blueprint, Response, request

from . import ocpi
from .common import Checker, FieldError, bearer_token, int_arg, iso_seconds, json_body, json_response, now_ts, parse_datetime
from .faults import Faults
from .seed import GREENFLUX_TOKEN
from .state import Store

KIND = "greenflux"
DEFAULT_LIMIT = 50
_MESSAGES = {1000: "Success", 2000: "Generic client error", 2001: "Invalid or missing parameters", 3000: "Generic server error"}


def envelope(data: Any, status: int = 200, code: int = 1000, message: str | None = None,
             errors: list[FieldError] | None = None, headers: dict[str, str] | None = None) -> Response:
    body: dict[str, Any] = {"data": data, "status_code": code, "status_message": message or _MESSAGES.get(code, ""),
                            "timestamp": iso_seconds(now_ts())}
    if errors is not None:
        body["errors"] = [{"field": e.field, "message": e.message} for e in errors]
    return json_response(body, status, headers=headers)


def _invalid(errors: list[FieldError]) -> Response:
    summary = "; ".join(f"{e.field} {e.message}" for e in errors[:5])
    return envelope(None, 400, 2001, f"Invalid or missing parameters: {summary}", errors)


def _client_error(status: int, message: str, data: Any = None, field: str | None = None) -> Response:
    return envelope(data, status, 2000, message, [FieldError(field, message)] if field else None)


def _fault_error(status: int, title: str, detail: str) -> Response:
    return envelope(None, status, 3000 if status >= 500 else 2000, f"{title}: {detail}")


def _page(records: list[dict[str, Any]], cap: int) -> Response:
    """One ``offset``/``limit`` page.  Only those two parameters are documented
    (docs/upstream-contract.md, fact F5): no ``Link`` or count header, so a client can only stop on a
    short or an empty page.  ``limit`` above the page cap is lowered silently."""
    limit, err = int_arg("limit", DEFAULT_LIMIT, minimum=1)
    offset, err2 = int_arg("offset", 0, minimum=0)
    if err or err2:
        return _invalid([FieldError("limit" if err else "offset", (err or err2 or "").split(" ", 1)[1])])
    limit = min(limit, cap)
    return envelope(records[offset:offset + limit])


def _given_etag(body: dict[str, Any] | None) -> str | None:
    header = request.headers.get("If-Match")
    if header:
        # Accept a quoted or weak entity tag as well as the bare value.
        return re.sub(r'^(W/)?"?|"?$', "", header.strip()) or None
    if isinstance(body, dict) and isinstance(body.get("etag"), str) and body["etag"]:
        return body["etag"]
    return None


# The documents-only mode (``faults.documents_only``): the paths no document gives answer 404 (the
# locations collection: the document names only ``/locations/{locationid}``; our guessed template
# paths), and the hardware templates live at the vendor's own path instead, served whole.
VENDOR_TEMPLATES = "/charge-station-templates"
UNDOCUMENTED = frozenset({f"{KIND}.{name}" for name in ("list_locations", "list_templates", "get_template",
                                                          "put_template")})
VENDOR_ONLY = frozenset({f"{KIND}.vendor_templates", f"{KIND}.vendor_put_template"})


def blueprint(store: Store, faults: Faults) -> Blueprint:
    bp = Blueprint(KIND, __name__)

    @bp.after_request
    def _answer_lost(response: Response) -> Response:
        return faults.after(KIND, response)

    @bp.before_request
    def _guard() -> Response | None:
        faulted = faults.apply(KIND, _fault_error)
        if faulted is not None:
            return faulted
        documents_only = faults.documents_only(KIND)
        if (request.endpoint in UNDOCUMENTED) if documents_only else (request.endpoint in VENDOR_ONLY):
            return _client_error(404, f"no such path: {request.path}")
        token = bearer_token()
        if token != GREENFLUX_TOKEN:
            resp = envelope(None, 401, 2000, "missing bearer token" if not token else "invalid token")
            resp.headers["WWW-Authenticate"] = 'Bearer realm="greenflux"'
            return resp
        return None

    @bp.get("/locations")
    def list_locations() -> Response:
        return _page(store.values("gf_locations"), faults.page_cap(KIND))

    @bp.get("/chargestations")
    def list_stations() -> Response:
        errors: list[FieldError] = []
        bounds: dict[str, str] = {}
        for name in ("date_from", "date_to"):
            raw = request.args.get(name)
            if raw:
                ts = parse_datetime(raw)
                if ts is None:
                    errors.append(FieldError(name, f"must be an ISO 8601 date-time (got {raw!r})"))
                else:
                    bounds[name] = iso_seconds(ts)
        if errors:
            return _invalid(errors)
        location_id = request.args.get("location_id") or None
        records = store.view("gf_stations", "all", lambda d: list(d.values()))
        if bounds or location_id:
            lo, hi = bounds.get("date_from"), bounds.get("date_to")
            # last_updated strings share one fixed-width format: compare as text.
            records = [r for r in records
                       if (lo is None or r["last_updated"] >= lo) and (hi is None or r["last_updated"] < hi)
                       and (location_id is None or r["location_id"] == location_id)]
        return _page(records, faults.page_cap(KIND))

    @bp.get("/chargestations/<station_id>")
    def get_station(station_id: str) -> Response:
        rec = store.get("gf_stations", station_id)
        if rec is None:
            return _client_error(404, f"charge station {station_id} not found")
        return envelope(rec, headers=_etag_header(rec))

    @bp.post("/chargestations")
    def create_station() -> Response:
        body, err = json_body()
        if err or not isinstance(body, dict):
            return _invalid([FieldError("body", err or "must be a JSON object")])
        store.count_create(KIND, body.get("charge_station_id"))  # every create request, refused ones too
        c = Checker()
        csid = c.string(body, "charge_station_id", required=True, max_length=36)
        fields = _check_station(c, body, store)
        if c.errors:
            return _invalid(c.errors)
        with store.lock:
            if store.get("gf_stations", csid) is not None:  # type: ignore[arg-type]
                status = faults.duplicate_status(KIND)
                if status != 409:  # as a validation error naming the field
                    return _invalid([FieldError("charge_station_id", f"charge station {csid} already exists")])
                return _client_error(409, f"charge station {csid} already exists", field="charge_station_id")
            stamp = iso_seconds(now_ts())
            evses = _build_evses(store, csid, fields, [], stamp, replace=True)  # type: ignore[arg-type]
            if fields.get("charge_station_template_id") and not fields.get("evses") \
                    and faults.take(KIND, "next_template_no_evses"):
                evses = []  # a server that builds a template's EVSEs later (fault setting)
            rec = _station(csid, fields, evses, None, None, stamp)  # type: ignore[arg-type]
            store.put("gf_stations", csid, rec)  # type: ignore[arg-type]
        return envelope(rec, 201, headers={"Location": f"{request.base_url}/{csid}"})

    @bp.put("/chargestations/<station_id>")
    def put_station(station_id: str) -> Response:
        return _update(station_id, replace=True)

    @bp.patch("/chargestations/<station_id>")
    def patch_station(station_id: str) -> Response:
        return _update(station_id, replace=False)

    def _update(station_id: str, *, replace: bool) -> Response:
        body, err = json_body()
        if err or not isinstance(body, dict):
            return _invalid([FieldError("body", err or "must be a JSON object")])
        given = _given_etag(body)
        with store.lock:
            current = store.get("gf_stations", station_id)
            if current is None:
                return _client_error(404, f"charge station {station_id} not found")
            if replace and given is None:
                hint = " (this station has no etag yet: PATCH it once to create one)" if current["etag"] is None else ""
                return _client_error(428, f"etag is required to update a charge station{hint}", field="etag")
            if given is not None and given != current["etag"]:
                return _client_error(412, "etag does not match the current version of the charge station",
                                     data=current, field="etag")
            if "charge_station_id" in body and body["charge_station_id"] != station_id:
                return _invalid([FieldError("charge_station_id", "does not match the charge station in the URL")])
            c = Checker()
            fields = _check_station(c, body, store, partial=not replace)
            if c.errors:
                return _invalid(c.errors)
            stamp = iso_seconds(now_ts())
            merged = _merge_fields(current, fields, replace)
            evses = _build_evses(store, station_id, fields, current["evses"], stamp, replace=replace)
            rec = _station(station_id, merged, evses, current, str(uuid.uuid4()), stamp)
            store.put("gf_stations", station_id, rec)
        return envelope(rec, headers=_etag_header(rec))

    @bp.get("/chargestation-templates")
    def list_templates() -> Response:
        return _page(store.values("gf_templates"), faults.page_cap(KIND))

    @bp.get(VENDOR_TEMPLATES)
    def vendor_templates() -> Response:
        # The documents-only upstream's own path: the whole list, whatever offset and limit.
        return envelope(store.values("gf_templates"))

    @bp.put(f"{VENDOR_TEMPLATES}/<template_id>")
    def vendor_put_template(template_id: str) -> Response:
        return put_template(template_id)

    @bp.get("/chargestation-templates/<template_id>")
    def get_template(template_id: str) -> Response:
        tpl = store.get("gf_templates", template_id)
        if tpl is None:
            return _client_error(404, f"charge station template {template_id} not found")
        return envelope(tpl)

    @bp.put("/chargestation-templates/<template_id>")
    def put_template(template_id: str) -> Response:
        body, err = json_body()
        if err or not isinstance(body, dict):
            return _invalid([FieldError("body", err or "must be a JSON object")])
        c = Checker()
        c.string(body, "template_id", max_length=36)
        name = c.string(body, "name", required=True, max_length=255)
        evse_templates = ocpi.check_evse_templates(c, body.get("evse_templates"))
        if body.get("template_id") not in (None, template_id):
            c.add("template_id", "does not match the template in the URL")
        if c.errors:
            return _invalid(c.errors)
        tpl = {"template_id": template_id, "name": name, "evse_templates": evse_templates, "last_updated": iso_seconds(now_ts())}
        with store.lock:
            existed = store.get("gf_templates", template_id) is not None
            store.put("gf_templates", template_id, tpl)
        return envelope(tpl, 200 if existed else 201)

    return bp


def _etag_header(rec: dict[str, Any]) -> dict[str, str]:
    return {"ETag": f'"{rec["etag"]}"'} if rec.get("etag") else {}


def _check_station(c: Checker, body: dict[str, Any], store: Store, *, partial: bool = False) -> dict[str, Any]:
    """Validate the writable fields; returns only those present in ``body``."""
    req = not partial
    out: dict[str, Any] = {}
    specs: dict[str, dict[str, Any]] = {
        "location_id": {"required": req, "max_length": 36},
        "default_charge_station_tariff_id": {"required": req, "max_length": 36},
        "deploy_state": {"required": req, "choices": ocpi.DEPLOY_STATES},
        "name": {"max_length": 255},
        "status": {"choices": ocpi.STATUSES},
        "charger_type": {"choices": ocpi.CHARGER_TYPES},
        "contactless_type": {"choices": ocpi.CONTACTLESS_TYPES},
        "charge_station_template_id": {"max_length": 36},
    }
    for name, kwargs in specs.items():
        if name in body or kwargs.get("required"):
            if partial and name in ocpi.REQUIRED_FIELDS and body.get(name) is None:
                c.add(name, "may not be null")
                continue
            out[name] = c.string(body, name, **kwargs)
    if out.get("location_id") and store.get("gf_locations", out["location_id"]) is None:
        c.add("location_id", f"unknown location {out['location_id']}")
    tpl_id = out.get("charge_station_template_id")
    if tpl_id and store.get("gf_templates", tpl_id) is None:
        c.add("charge_station_template_id", f"unknown charge station template {tpl_id}")
    if "evses" in body and body["evses"] is not None:
        if not isinstance(body["evses"], list):
            c.add("evses", "must be a list")
        else:
            out["evses"] = [ocpi.check_evse(c, e, f"evses[{i}].", partial=partial) for i, e in enumerate(body["evses"])]
            uids = [e.get("uid") for e in out["evses"] if e and e.get("uid")]
            if len(uids) != len(set(uids)):
                c.add("evses", "EVSE uids must be unique")
    if req and not out.get("evses") and not tpl_id:
        c.add("evses", "at least one EVSE is required, or a charge_station_template_id")
    return out


def _merge_fields(current: dict[str, Any], fields: dict[str, Any], replace: bool) -> dict[str, Any]:
    merged = {name: current.get(name) for name in (*ocpi.REQUIRED_FIELDS, *ocpi.OPTIONAL_FIELDS)}
    if replace:
        # PUT: optional fields that are not supplied are cleared (the doc).
        for name in ocpi.OPTIONAL_FIELDS:
            merged[name] = None
    merged.update({k: v for k, v in fields.items() if k != "evses"})
    return merged


def _build_evses(store: Store, csid: str, fields: dict[str, Any], existing: list[dict[str, Any]], stamp: str,
                 *, replace: bool) -> list[dict[str, Any]]:
    """The station's EVSE list after a create, PUT or PATCH."""
    result = [copy.deepcopy(e) for e in existing]
    location = store.get("gf_locations", fields.get("location_id") or "") or {}
    cc = location.get("country_code", "NL")
    if fields.get("evses"):
        incoming = [e for e in fields["evses"] if e is not None]
    elif fields.get("charge_station_template_id"):
        # A template in a create or update body (re)builds the EVSEs from it.
        replace = True
        tpl = store.get("gf_templates", fields["charge_station_template_id"]) or {"evse_templates": []}
        incoming = [{"evse_sequence_number": t["evse_sequence_number"], "capabilities": list(t["capabilities"]),
                     "connectors": [dict(c) for c in t["connectors"]]} for t in tpl["evse_templates"]]
    else:
        return result
    touched: set[int] = set()
    for n, item in enumerate(incoming):
        idx = _match(result, item, touched)
        if idx is None:
            seq = item.get("evse_sequence_number") or (max((e["evse_sequence_number"] for e in result), default=0) + 1)
            base = {"uid": item.get("uid") or str(uuid.uuid4()), "evse_id": ocpi.evse_id_for(csid, seq, cc),
                    "evse_sequence_number": seq, "status": "AVAILABLE", "capabilities": [], "connectors": [],
                    "floor_level": None, "physical_reference": None, "directions": [], "parking_restrictions": []}
            result.append(base)
            idx = len(result) - 1
        touched.add(idx)
        evse = result[idx]
        for key, value in item.items():
            if key == "connectors":
                evse["connectors"] = [ocpi.connector_from_spec(conn.get("id") or str(i + 1), conn, stamp) for i, conn in enumerate(value)]
            elif key == "uid" and value is None:
                continue
            elif key == "evse_id" and value is None:
                evse["evse_id"] = ocpi.evse_id_for(csid, evse["evse_sequence_number"], cc)
            else:
                evse[key] = value
        if replace and "status" not in item and evse["status"] == "REMOVED":
            evse["status"] = "AVAILABLE"  # a PUT that lists a removed EVSE brings it back
        evse["last_updated"] = stamp
    if replace:
        # EVSEs are never deleted: those a PUT leaves out go to REMOVED.
        for idx, evse in enumerate(result):
            if idx not in touched and evse["status"] != "REMOVED":
                evse["status"] = "REMOVED"
                evse["last_updated"] = stamp
    return result


def _match(evses: list[dict[str, Any]], item: dict[str, Any], taken: set[int]) -> int | None:
    uid = item.get("uid")
    for idx, e in enumerate(evses):
        if idx not in taken and uid and e["uid"] == uid:
            return idx
    seq = item.get("evse_sequence_number")
    if not uid and seq is not None:
        for idx, e in enumerate(evses):
            if idx not in taken and e["evse_sequence_number"] == seq and e["status"] != "REMOVED":
                return idx
    return None


def _station(csid: str, fields: dict[str, Any], evses: list[dict[str, Any]], current: dict[str, Any] | None,
             etag: str | None, stamp: str) -> dict[str, Any]:
    """A full station document; configuration fields come from ``current``."""
    config = {name: (current or {}).get(name) for name in ocpi.CONFIG_FIELDS}
    if current is None:
        # What a new, not yet connected station reports.
        config.update({"heartbeat_interval": 120, "meter_serial_number": "unknown", "meter_type": "unknown",
                       "remote_manageable": True, "connectivity_status": "Offline", "protocol_version": "Ocpp16",
                       "endpoint": "ws://ocpp-public-a.greenflux.com"})
    rec = {"charge_station_id": csid, **{k: fields.get(k) for k in (*ocpi.REQUIRED_FIELDS, *ocpi.OPTIONAL_FIELDS)},
           "evses": evses, "etag": etag, **config, "last_updated": stamp}
    if current is None and rec["status"] is None:
        rec["status"] = "UNKNOWN"
    return {f: rec.get(f) for f in ocpi.STATION_FIELD_ORDER}


def set_connectivity(store: Store, station_id: str, status: str) -> dict[str, Any] | None:
    """The station's connection as the platform sees it (a configuration field: no etag change)."""
    with store.lock:
        current = store.get("gf_stations", station_id)
        if current is None:
            return None
        rec = copy.deepcopy(current)
        rec["connectivity_status"] = status
        rec["last_updated"] = iso_seconds(now_ts())
        store.put("gf_stations", station_id, rec)
        return rec


def touch_station(store: Store, station_id: str, changes: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """A concurrent edit by "another user": changes the station, its etag and last_updated."""
    with store.lock:
        current = store.get("gf_stations", station_id)
        if current is None:
            return None
        rec = copy.deepcopy(current)
        if changes:
            rec.update({k: v for k, v in changes.items() if k in (*ocpi.REQUIRED_FIELDS, *ocpi.OPTIONAL_FIELDS)})
        else:
            name = re.sub(r" \(edited elsewhere( \d+)?\)$", "", rec.get("name") or csid_name(station_id))
            rec["name"] = f"{name} (edited elsewhere)"
        rec["etag"] = str(uuid.uuid4())
        rec["last_updated"] = iso_seconds(now_ts())
        store.put("gf_stations", station_id, rec)
        return rec


def csid_name(station_id: str) -> str:
    return f"Station {station_id}"
