"""be.ENERGISED CPO API: charging stations (JSON:API) and technicians.

Follows beenergised-quickstart.txt and beenergised-charging-stations.txt;
where they are silent, docs/upstream-contract.md:

* no single-station ``GET .../charging_stations/{uuid}/``: the document has
  only the list ("a list of all visible stations"), so that path is a 404
  like any other the document does not name;
* ``POST`` takes the flat body of the doc and answers ``201 {"data": ...}``;
* a client credential is bound to one company: lists show its records only,
  another company's station is a 404, creating for another company a 403;
* errors are JSON:API error objects ``{"errors": [{status, title, detail,
  source: {pointer | parameter}}]}``: 422 validation, 409 duplicate (the
  ``duplicate_status`` setting: the documents name no status)
  ``chargeBoxIdentity``, 401 missing/invalid/expired token;
* ``page[limit]`` defaults to 50 and is capped silently at 500 or the
  ``page_cap`` setting (default 50), whichever is lower;
  ``links.next`` is ``null`` on the last page;
* technicians: ``{"data": [{id, uuid, name, email}], "meta": {"pagination"}}``,
  plain ``limit`` (default 50, capped at 500) / ``offset``, sorted by name;
* unconfirmed attribute shapes (our choice): ``address {street, houseNumber,
  postalCode, city, countryCode}``, ``geolocation {latitude, longitude}``,
  plus ``createdAt``/``updatedAt``; ``firmwareVersion`` is reported by the
  station and ignored on create; ``connectors`` (``[{uuid, connectorId}]``,
  what a maintenance window's ``connectorUuid`` names) likewise, read-only
  and empty for a new station; ``modelId`` is any positive integer, as
  the API exposes no model list to check it against;
* maintenance windows: ``simulator.be_maintenance``.
"""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode
from zoneinfo import available_timezones

from flask import Blueprint, Response, g, request

from . import be_maintenance
from .auth import verify_token
from .common import Checker, FieldError, bearer_token, int_arg, iso_seconds, json_body, json_response, now_ts
from .faults import Faults
from .state import Store

KIND = "beenergised"
API = "/api/cpoapi/v1"
MIME = "application/vnd.api+json"
DEFAULT_LIMIT, MAX_LIMIT = 50, 500
_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
           422: "Unprocessable Entity", 429: "Too Many Requests"}
_ATTRS = ("label", "chargeBoxIdentity", "modelId", "companyUuid", "timeZone", "publicDisplayName", "iccid", "imsi",
          "serialnumber", "firmwareVersion", "address", "geolocation", "technicianUserId", "connectors", "createdAt",
          "updatedAt")


@lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def error(status: int, title: str | None = None, detail: str = "", *, pointer: str | None = None,
          parameter: str | None = None) -> Response:
    """One JSON:API error object answer."""
    err: dict[str, Any] = {"status": str(status), "title": title or _TITLES.get(status, "Error"), "detail": detail}
    if pointer or parameter:
        err["source"] = {"pointer": pointer} if pointer else {"parameter": parameter}
    return json_response({"errors": [err]}, status, mimetype=MIME)


def _field_errors(errors: list[FieldError], status: int = 422) -> Response:
    body = {"errors": [
        {"status": str(status), "title": _TITLES[status], "detail": f"{e.field} {e.message}",
         "source": {"pointer": "/data/attributes/" + e.field.replace(".", "/")}}
        for e in errors
    ]}
    return json_response(body, status, mimetype=MIME)


def _fault_error(status: int, title: str, detail: str) -> Response:
    return error(status, title, detail)


def resource(rec: dict[str, Any]) -> dict[str, Any]:
    return {"type": "charging_stations", "id": rec["id"], "attributes": {k: rec.get(k) for k in _ATTRS}}


def _page_links(limit: int, offset: int, total: int, limit_name: str, offset_name: str) -> dict[str, str | None]:
    base = request.base_url
    cur = f"{base}?{urlencode({limit_name: limit, offset_name: offset})}"
    nxt = f"{base}?{urlencode({limit_name: limit, offset_name: offset + limit})}" if offset + limit < total else None
    return {"current": cur, "next": nxt}


# Endpoints no document gives (404 in the documents-only mode): cancelling a maintenance window
# (docs/upstream-contract.md, fact F3, names reading and creating windows only).
UNDOCUMENTED = frozenset({f"{KIND}.cancel_window"})


def blueprint(store: Store, faults: Faults) -> Blueprint:
    bp = Blueprint(KIND, __name__)

    @bp.after_request
    def _answer_lost(response: Response) -> Response:
        return faults.after(KIND, response)

    @bp.before_request
    def _guard() -> Response | None:
        # Faults first: a real outage answers before looking at the token.
        faulted = faults.apply(KIND, _fault_error)
        if faulted is not None:
            return faulted
        if faults.documents_only(KIND) and request.endpoint in UNDOCUMENTED:
            return error(404, detail=f"no such path: {request.path}")
        claims, reason = verify_token(store, KIND, bearer_token())
        client = store.get("be_clients", claims["sub"]) if claims else None
        if client is None:
            resp = error(401, detail=reason or "unknown client")
            resp.headers["WWW-Authenticate"] = f'Bearer error="invalid_token", error_description="{reason or "unknown client"}"'
            return resp
        g.company = client["company_uuid"]
        return None

    def by_company() -> dict[str, list[dict[str, Any]]]:
        def build(records: dict[str, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
            out: dict[str, list[dict[str, Any]]] = {}
            for rec in records.values():
                out.setdefault(rec["companyUuid"], []).append(rec)
            return out
        return store.view("be_stations", "by_company", build)

    @bp.get(f"{API}/charging_stations/", strict_slashes=False)
    def list_stations() -> Response:
        limit, err = int_arg("page[limit]", DEFAULT_LIMIT, minimum=1)
        if err:
            return error(400, detail=err, parameter="page[limit]")
        offset, err = int_arg("page[offset]", 0, minimum=0)
        if err:
            return error(400, detail=err, parameter="page[offset]")
        limit = min(limit, MAX_LIMIT, faults.page_cap(KIND))  # the server caps silently (docs/upstream-contract.md, fact F2)
        records = by_company().get(g.company, [])
        total = len(records)
        page = records[offset:offset + limit]
        body = {
            "data": [resource(r) for r in page],
            "meta": {"pagination": {"total": total, "offset": offset, "limit": limit, "lastPage": offset + limit >= total}},
            "links": _page_links(limit, offset, total, "page[limit]", "page[offset]"),
        }
        return json_response(body, mimetype=MIME)

    @bp.post(f"{API}/charging_stations/", strict_slashes=False)
    def create_station() -> Response:
        body, err = json_body()
        if err or not isinstance(body, dict):
            return error(400, detail=err or "body must be a JSON object")
        store.count_create(KIND, body.get("chargeBoxIdentity"))  # every create request, refused ones too
        c = Checker()
        label = c.string(body, "label", required=True)
        cbi = c.string(body, "chargeBoxIdentity", required=True)
        model_id = c.number(body, "modelId", required=True, integer=True, minimum=1)
        company = c.string(body, "companyUuid", required=True)
        tz = c.string(body, "timeZone", required=True)
        if tz is not None and tz not in _time_zones():
            c.add("timeZone", f"must be an IANA time zone such as Europe/Berlin (got {tz!r})")
        for name in ("publicDisplayName", "iccid", "imsi", "serialnumber"):
            c.string(body, name)
        address = _address(c, body.get("address"))
        geo = _geolocation(c, body.get("geolocation"))
        tech_id = c.number(body, "technicianUserId", integer=True, minimum=1)
        if c.errors:
            return _field_errors(c.errors)
        if company != g.company:
            return error(403, detail=f"this client may not create stations for company {company}",
                         pointer="/data/attributes/companyUuid")
        if tech_id is not None:
            tech = store.get("be_technicians", str(tech_id))
            if tech is None or not tech["active"] or tech["companyUuid"] != company:
                return _field_errors([FieldError("technicianUserId", f"technician {tech_id} does not belong to company {company}")])
        with store.lock:
            # Uniqueness is checked and the record stored under one lock, so
            # two concurrent creates of the same identity cannot both succeed.
            if any(r["chargeBoxIdentity"] == cbi for r in store.data["be_stations"].values()):
                return error(faults.duplicate_status(KIND), detail=f"chargeBoxIdentity {cbi!r} is already in use",
                             pointer="/data/attributes/chargeBoxIdentity")
            stamp = iso_seconds(now_ts())
            sid = str(uuid.uuid4())
            rec = {
                "id": sid, "label": label, "chargeBoxIdentity": cbi, "modelId": model_id, "companyUuid": company,
                "timeZone": tz, "publicDisplayName": body.get("publicDisplayName"), "iccid": body.get("iccid"),
                "imsi": body.get("imsi"), "serialnumber": body.get("serialnumber"), "firmwareVersion": None,
                "connectors": [],  # reported by the station at boot, like firmwareVersion
                "address": address, "geolocation": geo, "technicianUserId": tech_id,
                "createdAt": stamp, "updatedAt": stamp,
            }
            store.put("be_stations", sid, rec)
        resp = json_response({"data": resource(rec)}, 201, mimetype=MIME)
        resp.headers["Location"] = f"{request.base_url.rstrip('/')}/{sid}/"
        return resp

    @bp.get(f"{API}/technicians/", strict_slashes=False)
    def technicians() -> Response:
        limit, err = int_arg("limit", DEFAULT_LIMIT, minimum=1)
        if err:
            return error(400, detail=err, parameter="limit")
        offset, err = int_arg("offset", 0, minimum=0)
        if err:
            return error(400, detail=err, parameter="offset")
        limit = min(limit, MAX_LIMIT, faults.page_cap(KIND))
        techs = sorted(
            (t for t in store.values("be_technicians") if t["companyUuid"] == g.company and t["active"]),
            key=lambda t: (t["name"].lower(), t["id"]),
        )
        page = techs[offset:offset + limit]
        return json_response({
            "data": [{"id": t["id"], "uuid": t["uuid"], "name": t["name"], "email": t["email"]} for t in page],
            "meta": {"pagination": {"total": len(techs), "offset": offset, "limit": limit, "lastPage": offset + limit >= len(techs)}},
            "links": _page_links(limit, offset, len(techs), "limit", "offset"),
        }, mimetype=MIME)

    def page_args() -> tuple[int, int, Response | None]:
        limit, err = int_arg("page[limit]", DEFAULT_LIMIT, minimum=1)
        if err:
            return 0, 0, error(400, detail=err, parameter="page[limit]")
        offset, err = int_arg("page[offset]", 0, minimum=0)
        if err:
            return 0, 0, error(400, detail=err, parameter="page[offset]")
        return min(limit, MAX_LIMIT), offset, None

    def page_body(data: list[dict[str, Any]], limit: int, offset: int, total: int) -> dict[str, Any]:
        return {
            "data": data,
            "meta": {"pagination": {"total": total, "offset": offset, "limit": limit, "lastPage": offset + limit >= total}},
            "links": _page_links(limit, offset, total, "page[limit]", "page[offset]"),
        }

    be_maintenance.add_routes(bp, store, API, error=error, field_errors=_field_errors, mime=MIME,
                              page_args=page_args, page_body=page_body)
    return bp


def _address(c: Checker, value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        c.add("address", "must be an object")
        return None
    for name in ("street", "houseNumber", "postalCode", "city", "countryCode"):
        c.string(value, name, "address.")
    return {k: value.get(k) for k in ("street", "houseNumber", "postalCode", "city", "countryCode")}


def _geolocation(c: Checker, value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        c.add("geolocation", "must be an object")
        return None
    c.lat_lng(value, "latitude", "longitude", "geolocation.", required=True)
    return {"latitude": value.get("latitude"), "longitude": value.get("longitude")}
