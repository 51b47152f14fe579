"""Authentication for the upstreams: static bearer, OAuth2 client credentials, refresh token.

Tokens live in a ``TokenStore`` (the portal passes Django's cache, so every
worker process shares one token per backend); a lock in the store lets one
process renew it shortly before it expires, and a 401 seen by several
processes at the same time renews it once (``renew`` only drops the token that
actually failed).
Secrets live in attributes excluded from ``repr`` and are registered with the
HTTP client so that they are scrubbed from error messages.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, Protocol

from .errors import AuthFailed, NotFound, Rejected, Unavailable


class HttpClient(Protocol):
    """What an auth needs of the client it signs for (``upstreams.base.HttpClient`` is one).

    A protocol rather than an import: the client uses its auth and the auth asks the client for
    tokens, and neither module needs the other to load.
    """

    kind: str

    def register_secret(self, value: str | None) -> None: ...

    def scrub(self, text: str) -> str: ...

    def json(self, method: str, path: str, **kw: Any) -> Any: ...


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


class TokenStore(Protocol):
    """Where tokens are kept: Django's cache fits (``get``/``set``/``add``/``delete``).

    ``add`` must be atomic (set only when absent): it is the renewal lock
    between processes.
    """

    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any, timeout: float | None = None) -> Any: ...

    def add(self, key: str, value: Any, timeout: float | None = None) -> bool: ...

    def delete(self, key: str) -> Any: ...


class LocalTokenStore:
    """An in-process store (a connector used without a shared one, e.g. in the connector tests)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, tuple[Any, float | None]] = {}
        self._clock = clock

    def _live(self, key: str) -> Any:
        value, until = self._items.get(key, (None, None))
        if until is not None and self._clock() >= until:
            self._items.pop(key, None)
            return None
        return value

    def get(self, key: str, default: Any = None) -> Any:
        with self._lock:
            value = self._live(key)
            return default if value is None else value

    def set(self, key: str, value: Any, timeout: float | None = None) -> None:
        with self._lock:
            self._items[key] = (value, None if timeout is None else self._clock() + timeout)

    def add(self, key: str, value: Any, timeout: float | None = None) -> bool:
        with self._lock:
            if self._live(key) is not None:
                return False
            self._items[key] = (value, None if timeout is None else self._clock() + timeout)
            return True

    def delete(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)


LOCK_SECONDS = 30.0  # a renewal lock outlives no token request (timeouts are 10-30 s); a dead holder's lapses
LOCK_WAIT_SECONDS = 15.0  # how long a process without a usable token waits for another's renewal


class _CachedToken:
    """Shared token logic: one token per backend in a ``TokenStore`` shared by every process.

    The entry holds the token, when to renew it (shortly before it expires)
    and when it expires, on ``clock`` (wall-clock seconds: the store is shared
    between processes, so a monotonic clock would not do).  From ``renew_at``
    on, the first process to take the lock (an atomic ``add``) fetches a new
    token; the others keep using the still-valid one meanwhile.  Without a
    valid token a process waits for the holder's result rather than asking
    the upstream a second time.  A 401 drops the entry only when it still
    holds the token that failed, so many processes seeing the same 401 renew
    it once.
    """

    def __init__(
        self,
        *,
        renew_before: float,
        clock: Callable[[], float],
        store: TokenStore | None = None,
        key: str = "",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._lock = threading.Lock()
        self._renew_before = renew_before
        self._clock = clock
        self._store: TokenStore = store if store is not None else LocalTokenStore(clock)
        self._key = f"connectors:token:{key or id(self)}"
        self._sleep = sleep
        self.fetch_count = 0  # how many tokens this process fetched; tests and metrics read it

    def __repr__(self) -> str:
        state = "cached" if self._entry() else "empty"
        return f"<{type(self).__name__} token={state}>"

    def _entry(self) -> dict[str, Any] | None:
        entry = self._store.get(self._key)
        return entry if isinstance(entry, dict) and entry.get("token") else None

    @property
    def renew_at(self) -> float:
        """Clock reading from which the next request renews the token (0 when there is none)."""
        entry = self._entry()
        return float(entry["renew_at"]) if entry else 0.0

    def _fetch(self, http: HttpClient) -> tuple[str, float]:
        """Fetch a token; return it with its lifetime in seconds."""
        raise NotImplementedError

    def authorization(self, http: HttpClient) -> str:
        with self._lock:  # threads of this process: one asks, the others find its token
            return f"Bearer {self._current(http)}"

    def _current(self, http: HttpClient) -> str:
        now = self._clock()
        entry = self._entry()
        if entry and now < entry["renew_at"]:
            http.register_secret(entry["token"])
            return str(entry["token"])
        still_valid = entry is not None and now < entry["expires_at"]
        waited_until = now + LOCK_WAIT_SECONDS
        while True:
            if self._store.add(self._key + ":lock", "1", timeout=LOCK_SECONDS):
                try:
                    fresh = self._entry()  # another process may have renewed it since we looked
                    if fresh and self._clock() < fresh["renew_at"]:
                        http.register_secret(fresh["token"])
                        return str(fresh["token"])
                    return self._refresh(http)
                finally:
                    self._store.delete(self._key + ":lock")
            if still_valid:
                assert entry is not None
                http.register_secret(entry["token"])
                return str(entry["token"])  # someone else is renewing; this one still works
            fresh = self._entry()
            if fresh and self._clock() < fresh["expires_at"]:
                http.register_secret(fresh["token"])
                return str(fresh["token"])
            if self._clock() >= waited_until:
                return self._refresh(http)  # the holder is stuck: do not wait for ever
            self._sleep(0.05)

    def renew(self, http: HttpClient, failed: str) -> bool:
        with self._lock:
            entry = self._entry()
            # Another process may already have replaced the failed token.
            if entry is not None and f"Bearer {entry['token']}" == failed:
                self._store.delete(self._key)
        return True

    def expire(self) -> None:
        """Forget the stored token (the next call fetches a new one)."""
        with self._lock:
            self._store.delete(self._key)

    def _refresh(self, http: HttpClient) -> str:
        token, lifetime = self._fetch(http)
        http.register_secret(token)
        self.fetch_count += 1
        lifetime = max(lifetime, 0.0)
        # Renew a little early so a request never carries a token that expires
        # in flight; for short lifetimes, at half-life.
        margin = min(self._renew_before, lifetime / 2)
        now = self._clock()
        entry = {"token": token, "renew_at": now + lifetime - margin, "expires_at": now + lifetime}
        if lifetime > 0:
            self._store.set(self._key, entry, timeout=lifetime)
        return token


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
        clock: Callable[[], float] = time.time,
        store: TokenStore | None = None,
        key: str = "",
    ) -> None:
        if not (token_url and client_id and client_secret):
            raise ValueError("token_url, client_id and client_secret are required")
        super().__init__(renew_before=renew_before, clock=clock, store=store, key=key)
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        self._scope = scope

    def __repr__(self) -> str:
        return f"<OAuth2ClientCredentials client_id={self.client_id!r} secret=*** token={'cached' if self._entry() else 'empty'}>"

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
        clock: Callable[[], float] = time.time,
        wall_clock: Callable[[], float] = time.time,
        store: TokenStore | None = None,
        key: str = "",
    ) -> None:
        if not refresh_token:
            raise ValueError("a refresh token is required")
        super().__init__(renew_before=renew_before, clock=clock, store=store, key=key)
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
