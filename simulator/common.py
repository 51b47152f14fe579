"""Helpers shared by the kind blueprints: clocks, JSON answers, field checks.

Every blueprint turns a list of :class:`FieldError` into its own vendor's
error shape, so the checks here never decide the envelope.
"""

from __future__ import annotations

import gc
import json
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator

import orjson
from flask import Response, request

# Fixed anchor for seeded timestamps: a deterministic estate must not depend
# on the day it was generated, and everything seeded lies before any real edit.
SEED_ANCHOR = datetime(2025, 6, 1, 8, 0, 0, tzinfo=timezone.utc)
SEED_ANCHOR_TS = SEED_ANCHOR.timestamp()


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic GC while building many small dicts.

    Building a 100 000-station estate otherwise triggers hundreds of full
    collections over the growing heap, tripling the time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def now_ts() -> float:
    """Seconds since the epoch (UTC); one function so tests could patch it."""
    return time.time()


def iso_seconds(ts: float) -> str:
    """``2023-06-07T17:32:28Z``: the format the OCPI and models docs show.

    Fixed width, so two values compare correctly as strings.
    """
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def iso_millis(ts: float) -> str:
    """``2025-06-01T08:00:00.123Z``: JavaScript ``toISOString`` style (ChargEye)."""
    ms = int(round(ts * 1000)) % 1000
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + f".{ms:03d}Z"


def parse_datetime(value: str) -> float | None:
    """Parse an ISO 8601 date-time (``Z``, offsets, fractions; naive = UTC)."""
    try:
        dt = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except (ValueError, AttributeError):
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def dumps(obj: Any) -> str:
    """Compact JSON; key order kept as built (vendor docs list fields in order)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def json_response(
    obj: Any,
    status: int = 200,
    headers: dict[str, str] | None = None,
    mimetype: str = "application/json",
) -> Response:
    """A JSON answer without Flask's jsonify overhead (sorting, pretty print); orjson keeps key order."""
    body = orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS)
    return Response(body, status=status, headers=headers, mimetype=mimetype)


def json_body() -> tuple[Any, str | None]:
    """The request's JSON body, or an error message when it is not JSON."""
    raw = request.get_data(cache=True)
    if not raw:
        return None, "request body is empty; a JSON object is required"
    try:
        return json.loads(raw), None
    except ValueError as exc:
        return None, f"request body is not valid JSON: {exc}"


def bearer_token() -> str | None:
    """The token of ``Authorization: Bearer <t>`` (or a bare ``<t>``).

    The be.ENERGISED curl samples send the token without the ``Bearer``
    prefix while its quickstart text adds it, so both are accepted.
    """
    value = request.headers.get("Authorization", "").strip()
    if not value:
        return None
    scheme, _, rest = value.partition(" ")
    if scheme.lower() == "bearer":
        return rest.strip() or None
    return value if not rest else None


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field (``field`` is a dotted/indexed path)."""

    field: str
    message: str


class Checker:
    """Collects field errors while reading an input object.

    ``path`` joins nested names with dots (``evses[0].connectors[1].standard``);
    each blueprint renders them as its vendor expects (JSON pointer, OCPI list).
    """

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field, message))

    def string(
        self,
        obj: dict[str, Any],
        name: str,
        path: str = "",
        *,
        required: bool = False,
        max_length: int | None = None,
        allow_null: bool = True,
        choices: Iterable[str] | None = None,
    ) -> str | None:
        field = f"{path}{name}"
        value = obj.get(name)
        if value is None:
            if required:
                self.add(field, "is required")
            elif name in obj and not allow_null:
                self.add(field, "may not be null")
            return None
        if not isinstance(value, str):
            self.add(field, "must be a string")
            return None
        if required and not value.strip():
            self.add(field, "may not be blank")
            return None
        if max_length is not None and len(value) > max_length:
            self.add(field, f"must be at most {max_length} characters (got {len(value)})")
            return None
        if choices is not None:
            allowed = list(choices)
            if value not in allowed:
                self.add(field, f"must be one of {', '.join(allowed)} (got {value!r})")
                return None
        return value

    def number(
        self,
        obj: dict[str, Any],
        name: str,
        path: str = "",
        *,
        required: bool = False,
        integer: bool = False,
        minimum: float | None = None,
        maximum: float | None = None,
    ) -> float | int | None:
        field = f"{path}{name}"
        value = obj.get(name)
        if value is None:
            if required:
                self.add(field, "is required")
            return None
        # bool is an int in Python but never a number in JSON.
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.add(field, "must be a number" if not integer else "must be an integer")
            return None
        if integer and not (isinstance(value, int) or float(value).is_integer()):
            self.add(field, "must be an integer")
            return None
        if minimum is not None and value < minimum:
            self.add(field, f"must be at least {minimum:g}")
            return None
        if maximum is not None and value > maximum:
            self.add(field, f"must be at most {maximum:g}")
            return None
        return int(value) if integer else value

    def lat_lng(self, obj: dict[str, Any], lat: str, lng: str, path: str = "", *, required: bool = False) -> None:
        self.number(obj, lat, path, required=required, minimum=-90, maximum=90)
        self.number(obj, lng, path, required=required, minimum=-180, maximum=180)


_INT_RE = re.compile(r"^-?\d+$")


def int_arg(name: str, default: int, *, minimum: int = 0) -> tuple[int, str | None]:
    """An integer query parameter; returns (value, error message or None)."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default, None
    if not _INT_RE.match(raw.strip()):
        return default, f"{name} must be an integer (got {raw!r})"
    value = int(raw)
    if value < minimum:
        return default, f"{name} must be at least {minimum} (got {value})"
    return value, None
