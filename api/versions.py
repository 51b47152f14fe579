"""ETags and conditional writes (RFC 9110 §13): a record's ETag names the version the API showed.

A station's ETag is a digest of the version an edit form would show (``stations.versions``: the
canonical document and the upstream etag, pending local changes included). A PUT or PATCH must send
it in ``If-Match``: without it the answer is 428, with another it is 412. A matching tag means the
caller saw exactly the version the mirror holds now, so the write takes that version as its base and
is judged against the upstream exactly as the edit form's is (the worker's etag or field check).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from rest_framework.request import Request

from api.problems import PreconditionFailed, PreconditionRequired
from stations.models import Station
from stations.versions import ShownVersion, shown_version


def version_tag(shown: ShownVersion) -> str:
    return digest_tag([shown.etag, shown.document])


def station_etag(station: Station) -> str:
    return version_tag(shown_version(station))


def digest_tag(value: Any) -> str:
    """A strong ETag for any JSON-able version of a record."""
    raw = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'


def require_tag(request: Request, current: str) -> None:
    """``If-Match`` must name ``current`` (or be ``*``): 428 without it, 412 for another version."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired()
    offered = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    if current not in offered and "*" not in offered:
        raise PreconditionFailed()


def require_match(request: Request, station: Station) -> ShownVersion:
    """The version ``If-Match`` names, which must be the current one; else 428 or 412."""
    shown = shown_version(station)
    require_tag(request, version_tag(shown))
    return shown
