"""What an edit form showed, carried signed in the form itself (shared by the apps' edit forms).

A form puts ``shown_token(kind, pk, values)`` in a hidden field; at save time
``shown_values(token, kind, pk)`` gives back exactly those values (or None
when the token is missing, altered, of another record or over a week old),
so "what the user changed" is measured against what they saw, never against
the mirror at save time (a refresh or another user's save may have landed).
Stations carry a whole document this way (``stations.versions``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core import signing

SALT = "portal.shown-values"
MAX_AGE = timedelta(days=7)
STALE = ("This form no longer knows which version it showed (it was altered, or is more than a week old). "
         "It has been reloaded with the current version: check it and save again.")


def shown_token(kind: str, pk: int, values: dict[str, Any]) -> str:
    return signing.dumps({"k": kind, "p": pk, "v": values}, salt=SALT, compress=True)


def shown_values(token: str | None, kind: str, pk: int) -> dict[str, Any] | None:
    try:
        data = signing.loads(token or "", salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if data.get("k") != kind or data.get("p") != pk:
        return None
    return dict(data.get("v") or {})
