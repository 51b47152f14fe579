"""What an edit form showed, carried signed in the form itself (shared by the apps' edit forms).

A form puts ``shown_token(kind, pk, values)`` in a hidden field; at save time
``shown_values(token, kind, pk)`` gives back exactly those values (or None
when the token is missing, altered, of another record or over a week old),
so "what the user changed" is measured against what they saw, never against
the mirror at save time (a refresh or another user's save may have landed).
Stations carry a whole document this way (``stations.versions``), signed by :func:`sign`
and read back by :func:`unsign` under their own salt: one signing, one age limit.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core import signing

SALT = "outbox.shown-values"
MAX_AGE = timedelta(days=7)
STALE = ("This form no longer knows which version it showed (it was altered, or is more than a week old). "
         "It has been reloaded with the current version: check it and save again.")


def sign(data: dict[str, Any], salt: str = SALT) -> str:
    """``data`` as a tamper-proof token for a hidden field (compressed: a station's document is long)."""
    return signing.dumps(data, salt=salt, compress=True)


def unsign(token: str | None, salt: str = SALT) -> dict[str, Any] | None:
    """What :func:`sign` was given, or None when the token is missing, altered or over ``MAX_AGE`` old."""
    try:
        data = signing.loads(token or "", salt=salt, max_age=MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one too
        return None
    return data if isinstance(data, dict) else None


def shown_token(kind: str, pk: int, values: dict[str, Any]) -> str:
    return sign({"k": kind, "p": pk, "v": values})


def shown_values(token: str | None, kind: str, pk: int) -> dict[str, Any] | None:
    data = unsign(token)
    if data is None or data.get("k") != kind or data.get("p") != pk:
        return None
    return dict(data.get("v") or {})
