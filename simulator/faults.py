"""Fault injection per kind, switchable at run time through ``/_sim/faults/{kind}``.

Settings (all optional; omitted = off):

* ``latency_ms``: sleep before answering every request;
* ``rate_429`` / ``rate_5xx`` / ``rate_drop``: share (0..1) of requests that
  get a 429 (with ``Retry-After: retry_after``), a ``status_5xx`` answer
  (default 503, also with ``Retry-After``), or a connection closed without
  any answer;
* ``next_429`` / ``next_5xx`` / ``next_drop`` / ``next_401``: counters that
  fail exactly the next N requests of the kind (deterministic, for tests);
  counters win over rates, checked in the order drop, 429, 5xx, 401;
* ``seed``: seeds the RNG behind the rates, so a run is reproducible;
* ``token_ttl``: lifetime in seconds of tokens issued from now on
  (be.ENERGISED and ChargEye), to exercise expiry without waiting a day;
* ``next_template_no_evses`` (GreenFlux): the next N stations created from a
  hardware template get no EVSEs yet (the document does not say the EVSEs
  exist as soon as the create answers; a server may build them later);
* ``next_drop_after``: the next N requests are processed (a write is
  applied), then the connection closes without the answer;
* ``duplicate_status`` (be.ENERGISED, GreenFlux): the status of a refused
  duplicate create; the documents name none, so 409 by default, and 422 (or
  400) to act as a server that calls it a validation error naming the field;
* ``refuse_duplicates`` (ChargEye, models): refuse a create whose natural key
  is taken (a location's ``locationId``, a model's vendor and model) with
  ``duplicate_status``; the documents say nothing either way, so off by default;
* ``page_cap``: the most records a list page holds, whatever the client
  asks (real servers cap silently).  Unset, each kind uses
  :data:`DEFAULT_PAGE_CAP`, below the connectors' page sizes, so that every
  test pages through a capping server;
* ``documents_only``: the kind answers only what its vendor documents give
  (an independent upstream written from the documents alone): every other
  vendor path of the simulator answers 404, and the GreenFlux hardware
  templates are served at the vendor's own path (``/charge-station-templates``,
  which an admin sets on the backend: the document says only "retrieved via
  API"), whole, whatever ``offset``.  ``SimulatorHandle.documents_only()``
  also caps GreenFlux pages at 20 and lets tokens expire after 30 s.

Faults apply to every vendor path of the kind, the token endpoints
included, and never to ``/_sim/``.  Faulted requests are rejected before
any processing, so a 429/5xx/drop never applies a write.
"""

from __future__ import annotations

import random
import socket
import threading
import time
from dataclasses import asdict, dataclass, fields
from typing import Any, Callable

from flask import Response, request

ErrorRenderer = Callable[[int, str, str], Response]

# Below every connector's and refresher's page size (100 to 1000), so the
# tests always meet a server that serves fewer records than asked for.
DEFAULT_PAGE_CAP = 50


@dataclass
class FaultSettings:
    latency_ms: float = 0.0
    rate_429: float = 0.0
    rate_5xx: float = 0.0
    rate_drop: float = 0.0
    retry_after: int = 1
    status_5xx: int = 503
    next_429: int = 0
    next_5xx: int = 0
    next_drop: int = 0
    next_401: int = 0
    next_template_no_evses: int = 0
    next_drop_after: int = 0
    duplicate_status: int = 409
    seed: int | None = None
    token_ttl: float | None = None
    page_cap: int | None = None
    # Only what the vendor documents answers: every other vendor path is 404 (see ``documents_only``).
    documents_only: bool = False
    # ChargEye, models: refuse a create whose natural key is taken (no document says either way).
    refuse_duplicates: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


_RATES = ("rate_429", "rate_5xx", "rate_drop")
_COUNTERS = ("next_429", "next_5xx", "next_drop", "next_401")


def parse_settings(body: Any, base: FaultSettings | None = None) -> tuple[FaultSettings | None, list[str]]:
    """Validate a JSON settings object on top of ``base`` (defaults when None)."""
    if not isinstance(body, dict):
        return None, ["body must be a JSON object"]
    known = {f.name for f in fields(FaultSettings)}
    values = asdict(base) if base is not None else asdict(FaultSettings())
    errors = [f"unknown setting {k!r}" for k in body if k not in known]
    for key, value in body.items():
        if key not in known:
            continue
        if key in ("seed", "token_ttl", "page_cap") and value is None:
            values[key] = None
            continue
        if key in ("documents_only", "refuse_duplicates"):
            if not isinstance(value, bool):
                errors.append(f"{key} must be true or false")
            else:
                values[key] = value
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            errors.append(f"{key} must be a number")
            continue
        if key in _RATES and not 0 <= value <= 1:
            errors.append(f"{key} must be between 0 and 1")
        elif key == "status_5xx" and not 500 <= value <= 599:
            errors.append("status_5xx must be a 5xx status")
        elif value < 0:
            errors.append(f"{key} may not be negative")
        elif key == "duplicate_status" and value not in (400, 409, 422):
            errors.append("duplicate_status must be 400, 409 or 422")
        elif key == "page_cap" and (value < 1 or not float(value).is_integer()):
            errors.append("page_cap must be a whole number of at least 1")
        elif key in (*_COUNTERS, "retry_after", "status_5xx", "seed", "page_cap", "next_template_no_evses",
                     "next_drop_after", "duplicate_status"):
            values[key] = int(value)
        else:
            values[key] = float(value)
    if errors:
        return None, errors
    return FaultSettings(**values), []


class Faults:
    """Fault settings and RNGs of every kind; thread-safe."""

    def __init__(self, kinds: tuple[str, ...]) -> None:
        self._lock = threading.Lock()
        self._settings = {k: FaultSettings() for k in kinds}
        self._rngs = {k: random.Random() for k in kinds}
        self.injected: dict[str, dict[str, int]] = {k: {} for k in kinds}

    def get(self, kind: str) -> FaultSettings:
        with self._lock:
            return FaultSettings(**asdict(self._settings[kind]))

    def set(self, kind: str, settings: FaultSettings) -> None:
        with self._lock:
            self._settings[kind] = settings
            self._rngs[kind] = random.Random(settings.seed)

    def clear(self) -> None:
        with self._lock:
            for kind in self._settings:
                self._settings[kind] = FaultSettings()
                self._rngs[kind] = random.Random()
                self.injected[kind] = {}

    def token_ttl(self, kind: str) -> float | None:
        with self._lock:
            return self._settings[kind].token_ttl

    def take(self, kind: str, counter: str) -> bool:
        """Consume one of a behaviour counter (``next_template_no_evses``); True if one was left."""
        with self._lock:
            s = self._settings[kind]
            if getattr(s, counter) <= 0:
                return False
            setattr(s, counter, getattr(s, counter) - 1)
            self.injected[kind][counter] = self.injected[kind].get(counter, 0) + 1
            return True

    def duplicate_status(self, kind: str) -> int:
        with self._lock:
            return self._settings[kind].duplicate_status

    def after(self, kind: str, response: Response) -> Response:
        """Run in ``after_request``: a ``next_drop_after`` request loses its answer."""
        if self.take(kind, "next_drop_after"):
            return _drop_connection()
        return response

    def refuse_duplicates(self, kind: str) -> bool:
        with self._lock:
            return self._settings[kind].refuse_duplicates

    def documents_only(self, kind: str) -> bool:
        """True when ``kind`` answers only the paths its documents give (the others 404)."""
        with self._lock:
            return self._settings[kind].documents_only

    def page_cap(self, kind: str) -> int:
        """The most records one list page of ``kind`` may hold now."""
        with self._lock:
            return self._settings[kind].page_cap or DEFAULT_PAGE_CAP

    def _decide(self, kind: str) -> tuple[str | None, FaultSettings]:
        """Which fault (if any) this request gets; consumes counters."""
        with self._lock:
            s = self._settings[kind]
            fault: str | None = None
            for name in _COUNTERS:
                if getattr(s, name) > 0:
                    setattr(s, name, getattr(s, name) - 1)
                    fault = name[len("next_"):]
                    break
            if fault is None and (s.rate_drop or s.rate_429 or s.rate_5xx):
                # One draw per request: the shares add up, and a seeded RNG
                # gives the same fault sequence for the same request sequence.
                draw = self._rngs[kind].random()
                if draw < s.rate_drop:
                    fault = "drop"
                elif draw < s.rate_drop + s.rate_429:
                    fault = "429"
                elif draw < s.rate_drop + s.rate_429 + s.rate_5xx:
                    fault = "5xx"
            if fault is not None:
                self.injected[kind][fault] = self.injected[kind].get(fault, 0) + 1
            return fault, FaultSettings(**asdict(s))

    def apply(self, kind: str, render: ErrorRenderer) -> Response | None:
        """Run in ``before_request``: sleep, then maybe answer with a fault."""
        fault, s = self._decide(kind)
        if s.latency_ms > 0:
            time.sleep(s.latency_ms / 1000.0)
        if fault is None:
            return None
        if fault == "drop":
            return _drop_connection()
        if fault == "429":
            resp = render(429, "Too Many Requests", "rate limit exceeded; retry after the Retry-After delay")
            resp.headers["Retry-After"] = str(s.retry_after)
            return resp
        if fault == "5xx":
            resp = render(s.status_5xx, "Service Unavailable" if s.status_5xx == 503 else "Server Error",
                          "the upstream is temporarily unavailable (injected fault)")
            resp.headers["Retry-After"] = str(s.retry_after)
            return resp
        resp = render(401, "Unauthorized", "token expired")
        resp.headers["WWW-Authenticate"] = 'Bearer error="invalid_token", error_description="token expired"'
        return resp


def _drop_connection() -> Response:
    """Close the socket without answering.

    ``shutdown`` (not ``close``) so werkzeug's later write fails with a
    ``BrokenPipeError``, which it treats as a dropped connection quietly;
    the client sees the connection end with no response at all.
    """
    sock = request.environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    return Response(b"", status=500)
