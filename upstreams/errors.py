"""Typed errors raised by every connector.

Each error says, through ``retryable``, whether trying the same call again
later can help; the worker uses that to choose between "retry with backoff"
and "mark the operation failed".  Messages carry the upstream's own words but
never a secret: they are built from method, path (without query) and the
upstream's error text only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class UpstreamError(Exception):
    """Base class: something went wrong talking to an upstream."""

    retryable: bool = False
    # The decoded error body (for clients to pick a current record from); never in the message.
    body: Any = None

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        kind: str | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.kind = kind
        if retryable is not None:
            self.retryable = retryable

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status!r})"


class Unavailable(UpstreamError):
    """The upstream could not be reached or answered 5xx; try again later
    (after ``retry_after`` seconds when the upstream said)."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class IncompleteListing(Unavailable):
    """A list endpoint's pages did not add up to a whole listing (a repeated
    page, fewer records than the upstream's own total...).  Retryable: the
    next read may complete; until then nothing may be taken as removed."""


class OutcomeUnknown(Unavailable):
    """A non-idempotent write lost its connection after being sent.

    The upstream may or may not have applied it, so a blind retry could
    duplicate it.  ``retryable`` is False: the caller must reconcile first
    (for example look the record up by its natural key) and only then retry.
    """

    retryable = False


class RateLimited(UpstreamError):
    """429 Too Many Requests; ``retry_after`` is in seconds when known."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class AuthFailed(UpstreamError):
    """Credentials refused (401/403 after one renewal); fix the backend's settings."""

    retryable = False


class NotFound(UpstreamError):
    """The record does not exist upstream (404)."""

    retryable = False


class Conflict(UpstreamError):
    """The write collides with the upstream's state (409, or 412 on a stale etag).

    ``current`` is the upstream's current record, mapped to the connector's
    dataclass when the connector knows how, else the raw JSON, or None when
    the upstream sent none and it could not be fetched.
    """

    retryable = False

    def __init__(self, message: str, *, current: Any = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.current = current


class Rejected(UpstreamError):
    """The upstream refused the payload (400/403/422...); retrying will not help.

    ``fields`` maps a field name (the upstream's, e.g. ``chargeBoxIdentity`` or
    ``evses.0.uid``) to the upstream's message for it; ``upstream_message``
    is the upstream's overall message.
    """

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        fields: Mapping[str, str] | None = None,
        upstream_message: str | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(message, **kw)
        self.fields: dict[str, str] = dict(fields or {})
        self.upstream_message = upstream_message


class PreconditionRequired(Rejected):
    """428: a conditional write (PUT) was sent without an etag."""


class Forbidden(Rejected):
    """403: authenticated but not allowed (e.g. non-admin creating a model)."""


class NotOffered(Rejected):
    """A request no vendor document gives: not sent until a backend setting names its path, or the
    path set answered 404, 405 or 501 (the upstream does not have it). Retrying will not help."""


# The answers that say "this upstream has no such request" (RFC 9110 15.5.5, 15.5.6, 15.6.2).
NOT_OFFERED_STATUSES = (404, 405, 501)


def names_field(exc: UpstreamError, field: str) -> bool:
    """Whether a refusal names ``field`` (its field errors, or the upstream's message)."""
    fields = getattr(exc, "fields", None) or {}
    if any(name == field or name.endswith(f".{field}") for name in fields):
        return True
    return field in (getattr(exc, "upstream_message", None) or "")


def is_duplicate_refusal(exc: UpstreamError, identity_field: str) -> bool:
    """A create refused because the record exists: 409, or any 4xx that names the identity.

    The documents name no status for a duplicate; servers answer 409, 400 or 422.
    """
    if isinstance(exc, Conflict):
        return True
    status = exc.status or 0
    return isinstance(exc, Rejected) and 400 <= status < 500 and names_field(exc, identity_field)
