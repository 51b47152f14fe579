"""``/_sim/`` control endpoints: reset, faults, concurrent edits, token expiry, credentials.

Not part of any vendor API (docs/upstream-contract.md).  Faults never apply
here, and no authentication is asked: the simulator binds to 127.0.0.1.

* ``POST /_sim/reset`` -- back to the seeded estate (body may override
  ``{"stations", "seed"}``, which then become the new reset target);
* ``GET /_sim/faults`` -- all kinds' settings and injected-fault counts;
  ``DELETE /_sim/faults`` -- clear every kind;
* ``GET|PUT|PATCH /_sim/faults/{kind}`` -- PUT replaces the settings
  (omitted = off), PATCH changes only the given ones;
* ``POST /_sim/greenflux/chargestations/{id}/touch`` -- a concurrent edit
  (optional body ``{"changes": {"name": ...}}``); answers the new station;
* ``POST /_sim/greenflux/chargestations/{id}/connectivity`` -- the station loses or regains its
  connection (``{"status": "Offline"}`` or ``"Online"``): its ``connectivity_status`` changes, as
  GreenFlux reports it, and its ``last_updated``, so an incremental read sees it;
* ``POST /_sim/greenflux/chargestations/decommission`` -- stations taken out
  upstream (``{"share": 0.3}`` or ``{"ids": [...]}``); answers their ids;
* ``POST /_sim/{kind}/expire-tokens`` -- tokens issued so far become
  expired (be.ENERGISED, ChargEye; static-token kinds answer 400: use the
  ``next_401`` fault there);
* ``GET /_sim/credentials`` -- base URLs and the seeded credentials;
* ``GET /_sim/health`` -- liveness, record counts and the tokens granted
  per kind since the last reset (``tokens_issued``);
* ``GET /_sim/creates/{kind}`` -- station create requests per identity since
  the last reset, refused ones included (``{"counts": {identity: n}}``;
  ``?prefix=`` keeps the identities starting with it, ``?min=2`` those sent
  at least that often): a create sent twice shows even when the second got 409.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from . import KINDS
from .auth import expire_tokens
from .common import json_response
from .faults import Faults, parse_settings
from .greenflux import set_connectivity, touch_station
from .ocpi import CONNECTIVITY
from .seed import (BE_CLIENTS, CHARGEYE_REFRESH_TOKEN, COMPANIES, GREENFLUX_TOKEN, MODELS_ADMIN_TOKEN, MODELS_TOKEN,
                   seed_store)
from .state import COLLECTIONS, Store

BASE_PATHS = {"beenergised": "/beenergised", "greenflux": "/greenflux", "models": "/models", "chargeye": "/chargeye/api"}


def credentials(root: str) -> dict[str, Any]:
    """Everything a client (demo backend rows, tests) needs to log in, per kind."""
    root = root.rstrip("/")
    first = BE_CLIENTS[0]
    return {
        "beenergised": {
            "base_url": root + BASE_PATHS["beenergised"], "token_url": f"{root}/beenergised-auth/token",
            "client_id": first["client_id"], "client_secret": first["client_secret"], "company_uuid": first["company_uuid"],
            "clients": [dict(c) for c in BE_CLIENTS],
        },
        "greenflux": {"base_url": root + BASE_PATHS["greenflux"], "token": GREENFLUX_TOKEN},
        "models": {"base_url": root + BASE_PATHS["models"], "admin_token": MODELS_ADMIN_TOKEN, "token": MODELS_TOKEN},
        "chargeye": {"base_url": root + BASE_PATHS["chargeye"], "refresh_token": CHARGEYE_REFRESH_TOKEN,
                     "refresh_url": root + BASE_PATHS["chargeye"] + "/auth/refreshAccessToken"},
        "companies": [{"uuid": c["uuid"], "name": c["name"]} for c in COMPANIES],
    }


def _err(status: int, message: str) -> Response:
    return json_response({"error": message}, status)


def blueprint(store: Store, faults: Faults) -> Blueprint:
    bp = Blueprint("sim_control", __name__)

    @bp.post("/reset")
    def reset() -> Response:
        body = request.get_json(silent=True) or {}
        params = dict(store.meta.get("seed") or {})
        for key in ("stations", "seed"):
            if key in body:
                if not isinstance(body[key], int) or isinstance(body[key], bool) or body[key] < 0:
                    return _err(400, f"{key} must be a non-negative integer")
                params[key] = body[key]
        seed_store(store, **params)
        store.tokens_issued.clear()
        store.create_requests.clear()
        return json_response({"reset": True, "seed": store.meta["seed"]})

    @bp.get("/faults")
    def all_faults() -> Response:
        return json_response({k: {"settings": faults.get(k).to_json(), "injected": dict(faults.injected[k])} for k in KINDS})

    @bp.delete("/faults")
    def clear_faults() -> Response:
        faults.clear()
        return Response(status=204)

    @bp.route("/faults/<kind>", methods=["GET", "PUT", "PATCH"])
    def kind_faults(kind: str) -> Response:
        if kind not in KINDS:
            return _err(404, f"unknown kind {kind!r}; kinds: {', '.join(KINDS)}")
        if request.method != "GET":
            base = faults.get(kind) if request.method == "PATCH" else None
            settings, errors = parse_settings(request.get_json(silent=True), base)
            if settings is None:
                return _err(400, "; ".join(errors))
            faults.set(kind, settings)
        return json_response(faults.get(kind).to_json())

    @bp.post("/greenflux/chargestations/<station_id>/touch")
    def touch(station_id: str) -> Response:
        body = request.get_json(silent=True) or {}
        changes = body.get("changes") if isinstance(body, dict) else None
        rec = touch_station(store, station_id, changes if isinstance(changes, dict) else None)
        if rec is None:
            return _err(404, f"charge station {station_id} not found")
        return json_response({"data": rec})

    @bp.post("/greenflux/chargestations/<station_id>/connectivity")
    def connectivity(station_id: str) -> Response:
        body = request.get_json(silent=True) or {}
        status = body.get("status") if isinstance(body, dict) else None
        if status not in CONNECTIVITY:
            return _err(400, f"status must be one of {', '.join(CONNECTIVITY)}")
        rec = set_connectivity(store, station_id, status)
        if rec is None:
            return _err(404, f"charge station {station_id} not found")
        return json_response({"data": rec})

    @bp.post("/greenflux/chargestations/decommission")
    def decommission() -> Response:
        """Stations taken out upstream (the GreenFlux API has no delete): ``{"share": 0..1}`` removes
        every n-th station so that share is gone, or ``{"ids": [...]}`` those; answers the ids."""
        body = request.get_json(silent=True) or {}
        with store.lock:
            ids = [r["charge_station_id"] for r in store.values("gf_stations")]
            if isinstance(body.get("ids"), list):
                chosen = [i for i in body["ids"] if isinstance(i, str) and i in set(ids)]
            elif isinstance(body.get("share"), (int, float)) and 0 <= body["share"] <= 1:
                count = round(len(ids) * body["share"])
                chosen = [ids[int(k * len(ids) / count)] for k in range(count)] if count else []
            else:
                return _err(400, "give share (0..1) or ids (a list of charge_station_id)")
            for sid in chosen:
                store.delete("gf_stations", sid)
        return json_response({"removed": chosen})

    @bp.post("/<kind>/expire-tokens")
    def expire(kind: str) -> Response:
        if kind not in KINDS:
            return _err(404, f"unknown kind {kind!r}")
        if kind in ("greenflux", "models"):
            return _err(400, f"{kind} uses static bearer tokens that do not expire; use the next_401 fault")
        expire_tokens(store, kind)
        return Response(status=204)

    @bp.get("/credentials")
    def creds() -> Response:
        return json_response(credentials(request.host_url))

    @bp.get("/creates/<kind>")
    def creates(kind: str) -> Response:
        if kind not in KINDS:
            return _err(404, f"unknown kind {kind!r}; kinds: {', '.join(KINDS)}")
        prefix = request.args.get("prefix", "")
        try:
            least = int(request.args.get("min", "1"))
        except ValueError:
            return _err(400, "min must be an integer")
        with store.lock:
            counts = {k: n for k, n in store.create_requests.get(kind, {}).items()
                      if k.startswith(prefix) and n >= least}
        return json_response({"kind": kind, "counts": counts})

    @bp.get("/health")
    def health() -> Response:
        with store.lock:
            counts = {c: store.count(c) for c in COLLECTIONS}
            issued = dict(store.tokens_issued)
        return json_response({"ok": True, "seed": store.meta.get("seed"), "persistent": store.path is not None,
                              "counts": counts, "tokens_issued": issued})

    return bp
