"""Charging-station models (Lynkwell asset management API).

Follows charging-station-models.txt and the vendor facts of docs/upstream-contract.md; where they are silent,
docs/upstream-contract.md and these choices:

* list ``{"data": {"hasMore", "items"}}``: ``limit`` default 20, more than
  100 is a 400, and a page holds at most ``page_cap`` items (default 50);
  ``startingAfter`` is the id of the last item seen (an unknown
  id is a 400); order is creation order; ``vendor``/``model`` filters match
  exactly, case-insensitively; ``isArchived`` defaults to false;
* get-by-id answers the bare model; create, rename and archive ``{"data"}``;
* create (201) and archive need the admin token (403 otherwise); archiving
  an archived model answers it unchanged (safe to repeat);
* PATCH takes ``friendlyName`` only: any other field is a 400 naming it;
  renaming an archived model is a 409;
* ``connectors`` needs at least one item; create fills ``isArchived`` false
  and ``createdAt``/``updatedAt``; (vendor, model) need not be unique;
* errors are RFC 9457 problem details (``application/problem+json``) with
  ``errors: [{"pointer": "/vendor", "detail": "..."}]``.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, Response, g, request

from .common import Checker, FieldError, bearer_token, int_arg, iso_seconds, json_body, json_response, now_ts
from .faults import Faults
from .seed import MODELS_ADMIN_TOKEN, MODELS_TOKEN
from .state import Store

KIND = "models"
PATH = "/asset-management/v1/charging-station-models"
DEFAULT_LIMIT, MAX_LIMIT = 20, 100
POWER_TYPES = ("AC_1_PHASE", "AC_3_PHASE", "DC")
CONNECTION_TYPES = ("CHADEMO", "IEC_62196_T1", "IEC_62196_T1_COMBO", "IEC_62196_T2", "IEC_62196_T2_COMBO",
                    "TESLA_R", "TESLA_S", "SAE_J3400")
FORMATS = ("CABLE", "SOCKET")
_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict"}


def problem(status: int, detail: str, errors: list[FieldError] | None = None, title: str | None = None) -> Response:
    """An RFC 9457 problem-details answer."""
    body: dict[str, Any] = {"type": "about:blank", "title": title or _TITLES.get(status, "Error"), "status": status,
                            "detail": detail, "instance": request.path}
    if errors:
        body["errors"] = [{"pointer": "/" + e.field.replace(".", "/").replace("[", "/").replace("]", ""), "detail": e.message}
                          for e in errors]
    return json_response(body, status, mimetype="application/problem+json")


def _invalid(errors: list[FieldError]) -> Response:
    return problem(400, "; ".join(f"{e.field} {e.message}" for e in errors[:5]), errors, "Validation failed")


def _fault_error(status: int, title: str, detail: str) -> Response:
    return problem(status, detail, title=title)


def blueprint(store: Store, faults: Faults) -> Blueprint:
    bp = Blueprint(KIND, __name__)

    @bp.before_request
    def _guard() -> Response | None:
        faulted = faults.apply(KIND, _fault_error)
        if faulted is not None:
            return faulted
        token = bearer_token()
        if token not in (MODELS_ADMIN_TOKEN, MODELS_TOKEN):
            resp = problem(401, "missing bearer token" if not token else "invalid token")
            resp.headers["WWW-Authenticate"] = 'Bearer realm="asset-management"'
            return resp
        g.is_admin = token == MODELS_ADMIN_TOKEN
        return None

    def order() -> dict[str, int]:
        return store.view("models", "order", lambda d: {rid: i for i, rid in enumerate(d)})

    @bp.get(PATH)
    def list_models() -> Response:
        limit, err = int_arg("limit", DEFAULT_LIMIT, minimum=1)
        if err:
            return _invalid([FieldError("limit", err.split(" ", 1)[1])])
        if limit > MAX_LIMIT:
            return _invalid([FieldError("limit", f"must be at most {MAX_LIMIT} (got {limit})")])
        limit = min(limit, faults.page_cap(KIND))  # a server may serve fewer: hasMore says there is more
        raw_archived = request.args.get("isArchived", "false").strip().lower()
        if raw_archived not in ("true", "false"):
            return _invalid([FieldError("isArchived", "must be true or false")])
        archived = raw_archived == "true"
        vendor = (request.args.get("vendor") or "").strip().lower() or None
        model = (request.args.get("model") or "").strip().lower() or None
        records = store.values("models")
        start = 0
        after = request.args.get("startingAfter")
        if after:
            pos = order().get(after)
            if pos is None:
                return _invalid([FieldError("startingAfter", f"unknown charging station model {after}")])
            start = pos + 1
        items: list[dict[str, Any]] = []
        has_more = False
        for rec in records[start:]:
            if rec["isArchived"] != archived or (vendor and rec["vendor"].lower() != vendor) or (model and rec["model"].lower() != model):
                continue
            if len(items) == limit:
                has_more = True
                break
            items.append(rec)
        return json_response({"data": {"hasMore": has_more, "items": items}})

    @bp.get(f"{PATH}/<model_id>")
    def get_model(model_id: str) -> Response:
        rec = store.get("models", model_id)
        if rec is None:
            return problem(404, f"charging station model {model_id} not found")
        return json_response(rec)  # the bare object, as the doc shows

    @bp.post(PATH)
    def create_model() -> Response:
        if not g.is_admin:
            return problem(403, "only admins may create charging station models")
        body, err = json_body()
        if err or not isinstance(body, dict):
            return _invalid([FieldError("", err or "body must be a JSON object")])
        c = Checker()
        vendor = c.string(body, "vendor", required=True, max_length=200)
        model = c.string(body, "model", required=True, max_length=200)
        friendly = c.string(body, "friendlyName", max_length=200)
        power = c.string(body, "powerType", required=True, choices=POWER_TYPES)
        connectors = _connectors(c, body.get("connectors"))
        keys = body.get("configurationKeys")
        ocpp_url = None
        if not isinstance(keys, dict):
            c.add("configurationKeys", "is required and must be an object")
        else:
            ocpp_url = c.string(keys, "ocppUrl", "configurationKeys.", required=True, max_length=200)
        image = c.string(body, "imageUrl", max_length=500)
        if c.errors:
            return _invalid(c.errors)
        if faults.refuse_duplicates(KIND) and any(
                r["vendor"] == vendor and r["model"] == model for r in store.values("models")):
            message = f"a model {model} of {vendor} already exists"
            if faults.duplicate_status(KIND) != 409:
                return _invalid([FieldError("model", message)])
            return problem(409, message)
        stamp = iso_seconds(now_ts())
        rec = {"id": str(uuid.uuid4()), "vendor": vendor, "model": model, "friendlyName": friendly, "powerType": power,
               "connectors": connectors, "configurationKeys": {"ocppUrl": ocpp_url}, "imageUrl": image,
               "isArchived": False, "createdAt": stamp, "updatedAt": stamp}
        store.put("models", rec["id"], rec)
        return json_response({"data": rec}, 201)

    @bp.patch(f"{PATH}/<model_id>")
    def rename_model(model_id: str) -> Response:
        body, err = json_body()
        if err or not isinstance(body, dict):
            return _invalid([FieldError("", err or "body must be a JSON object")])
        c = Checker()
        for key in body:
            if key != "friendlyName":
                c.add(key, "cannot be changed: only friendlyName can be updated")
        friendly = c.string(body, "friendlyName", max_length=200)
        if c.errors:
            return _invalid(c.errors)
        with store.lock:
            current = store.get("models", model_id)
            if current is None:
                return problem(404, f"charging station model {model_id} not found")
            if current["isArchived"]:
                return problem(409, "an archived charging station model cannot be renamed")
            rec = {**current, "friendlyName": friendly if "friendlyName" in body else current["friendlyName"],
                   "updatedAt": iso_seconds(now_ts())}
            store.put("models", model_id, rec)
        return json_response({"data": rec})

    @bp.post(f"{PATH}/<model_id>/archive")
    def archive_model(model_id: str) -> Response:
        if not g.is_admin:
            return problem(403, "only admins may archive charging station models")
        with store.lock:
            current = store.get("models", model_id)
            if current is None:
                return problem(404, f"charging station model {model_id} not found")
            rec = current
            if not current["isArchived"]:
                rec = {**current, "isArchived": True, "updatedAt": iso_seconds(now_ts())}
                store.put("models", model_id, rec)
        return json_response({"data": rec})

    return bp


def _connectors(c: Checker, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value:
        c.add("connectors", "is required and must be a non-empty list")
        return []
    out = []
    for i, conn in enumerate(value):
        p = f"connectors[{i}]."
        if not isinstance(conn, dict):
            c.add(p.rstrip("."), "must be an object")
            continue
        out.append({
            "id": c.number(conn, "id", p, required=True),
            "connectionType": c.string(conn, "connectionType", p, required=True, choices=CONNECTION_TYPES),
            "format": c.string(conn, "format", p, required=True, choices=FORMATS),
            "maxAmperage": c.number(conn, "maxAmperage", p, required=True, minimum=0),
            "maxVoltage": c.number(conn, "maxVoltage", p, required=True, minimum=0),
            "maxPowerWatts": c.number(conn, "maxPowerWatts", p, required=True, minimum=0),
        })
    return out
