"""Authentication for the upstreams: static bearer, OAuth2 client credentials, refresh token.

Token caches are guarded by a lock so that many worker threads sharing one
connector fetch a token once, and a 401 seen by several threads at the same
time renews it once (``renew`` only drops the token that actually failed).
Secrets live in attributes excluded from ``repr`` and are registered with the
HTTP client so that they are scrubbed from error messages.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Protocol

from .errors import AuthFailed, NotFound, Rejected, Unavailable

if TYPE_CHECKING:
    from .base import HttpClient


class Auth(Protocol):
    def authorization(self, http: HttpClient) -> str:
        """The ``Authorization`` header value to send now."""

    def renew(self, http: HttpClient, failed: str) -> bool:
        """After a 401 with header ``failed``: drop it; True if a resend may help."""


class StaticBearer:
    """A fixed API token (greenflux, models).  A 401 cannot be fixed by renewing."""

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("a bearer token is required")
        self._token = token

    def __repr__(self) -> str:
        return "<StaticBearer ***>"

    def authorization(self, http: HttpClient) -> str:
        http.register_secret(self._token)
        return f"Bearer {self._token}"

    def renew(self, http: HttpClient, failed: str) -> bool:
        return False


class _CachedToken:
    """Shared cache logic: a token, its local expiry and a lock."""

    def __init__(self, *, renew_before: float, clock: Callable[[], float]) -> None:
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        self._renew_before = renew_before
        self._clock = clock
        self.fetch_count = 0  # how many tokens were fetched; tests and metrics read it

    def __repr__(self) -> str:
        state = "cached" if self._token else "empty"
        return f"<{type(self).__name__} token={state}>"

    @property
    def renew_at(self) -> float:
        """Clock reading from which the next request fetches a new token."""
        return self._expires_at

    def _fetch(self, http: HttpClient) -> tuple[str, float]:
        """Fetch a token; return it with its lifetime in seconds."""
        raise NotImplementedError

    def authorization(self, http: HttpClient) -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._expires_at:
                self._refresh_locked(http)
            assert self._token is not None
            return f"Bearer {self._token}"

    def renew(self, http: HttpClient, failed: str) -> bool:
        with self._lock:
            # Another thread may already have replaced the failed token.
            if self._token is not None and f"Bearer {self._token}" == failed:
                self._token = None
        return True

    def expire(self) -> None:
        """Forget the cached token (next call fetches a new one)."""
        with self._lock:
            self._token = None

    def _refresh_locked(self, http: HttpClient) -> None:
        token, lifetime = self._fetch(http)
        http.register_secret(token)
        self.fetch_count += 1
        # Renew a little early so a request never carries a token that expires
        # in flight; for short lifetimes, at half-life.
        margin = min(self._renew_before, max(lifetime, 0.0) / 2)
        self._token = token
        self._expires_at = self._clock() + max(lifetime - margin, 0.0)


def _token_failure(http: HttpClient, exc: Exception, what: str) -> AuthFailed:
    status = getattr(exc, "status", None)
    return AuthFailed(http.scrub(f"{http.kind}: {what} refused (HTTP {status})"), status=status, kind=http.kind)


class OAuth2ClientCredentials(_CachedToken):
    """be.ENERGISED: POST ``grant_type=client_credentials&client_id&client_secret``.

    The quickstart shows the parameters in the query string with a
    form-urlencoded content type.  We send them form-encoded in the body
    instead, which OAuth2 (RFC 6749 4.4) and Cognito accept: query strings end
    up in access logs and in httpx's own request log, bodies do not.
    """

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        scope: str | None = None,
        renew_before: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not (token_url and client_id and client_secret):
            raise ValueError("token_url, client_id and client_secret are required")
        super().__init__(renew_before=renew_before, clock=clock)
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        self._scope = scope

    def __repr__(self) -> str:
        return f"<OAuth2ClientCredentials client_id={self.client_id!r} secret=*** token={'cached' if self._token else 'empty'}>"

    def _fetch(self, http: HttpClient) -> tuple[str, float]:
        http.register_secret(self._client_secret)
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self._client_secret,
        }
        if self._scope:
            form["scope"] = self._scope
        try:
            body = http.json(
                "POST",
                self.token_url,
                data=form,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                idempotent=True,  # asking for a token twice is harmless
                authenticate=False,
            )
        except (Rejected, NotFound, AuthFailed) as exc:
            raise _token_failure(http, exc, "token request") from None
        if not isinstance(body, dict) or not body.get("access_token"):
            raise Unavailable(f"{http.kind}: token answer without access_token", kind=http.kind)
        try:
            lifetime = float(body.get("expires_in") or 3600)
        except (TypeError, ValueError):
            lifetime = 3600.0
        return str(body["access_token"]), lifetime


def parse_valid_until(value: object, *, now: float | None = None) -> float:
    """Seconds from now until ``validUntil`` (ISO 8601, epoch seconds or epoch ms).

    The format of ChargEye's ``validUntil`` is unconfirmed; all three are
    accepted.  Unparseable values give a conservative five minutes.
    """
    now = time.time() if now is None else now
    when: float | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        when = float(value) / (1000.0 if value > 1e11 else 1.0)
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            num = float(text)
        except ValueError:
            try:
                dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                dt = None
            if dt is not None:
                if dt.tzinfo is None:
                    dt = dt.replace(tzinfo=timezone.utc)
                when = dt.timestamp()
        else:
            when = num / (1000.0 if num > 1e11 else 1.0)
    if when is None:
        return 300.0
    return when - now


class RefreshToken(_CachedToken):
    """ChargEye: ``GET {base}/auth/refreshAccessToken`` with the refresh token as bearer.

    Answers ``{"token", "validUntil"}``; the access token is cached until
    shortly before ``validUntil``.
    """

    path = "/auth/refreshAccessToken"  # relative to the API root; an absolute URL also works

    def __init__(
        self,
        refresh_token: str,
        *,
        refresh_url: str | None = None,
        renew_before: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        if not refresh_token:
            raise ValueError("a refresh token is required")
        super().__init__(renew_before=renew_before, clock=clock)
        self._refresh_token = refresh_token
        self._wall_clock = wall_clock
        if refresh_url:
            self.path = refresh_url

    def _fetch(self, http: HttpClient) -> tuple[str, float]:
        http.register_secret(self._refresh_token)
        try:
            body = http.json(
                "GET",
                self.path,
                headers={"Authorization": f"Bearer {self._refresh_token}"},
                authenticate=False,
            )
        except (Rejected, NotFound, AuthFailed) as exc:
            raise _token_failure(http, exc, "refreshAccessToken") from None
        if not isinstance(body, dict) or not body.get("token"):
            raise Unavailable(f"{http.kind}: refresh answer without token", kind=http.kind)
        return str(body["token"]), parse_valid_until(body.get("validUntil"), now=self._wall_clock())
