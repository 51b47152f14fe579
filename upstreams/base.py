"""The one httpx base every connector uses: timeouts, limits, retries, errors.

Retry rules (the "why" is in ``_may_retry``):

* connect errors and pool timeouts: the request never left, so any method is
  retried;
* a dropped connection or read failure after sending (``RemoteProtocolError``,
  ``ReadError``, timeouts while reading/writing): ambiguous, because the
  upstream may have applied it.  Only idempotent methods (GET, HEAD, OPTIONS,
  PUT, DELETE, or a call marked ``idempotent=True``) are retried; a POST or
  PATCH raises ``OutcomeUnknown`` (``retryable=False``) so the caller
  reconciles before trying again;
* 429 and 503 are answered before processing, so any method is retried,
  waiting the larger of ``Retry-After`` (seconds or HTTP-date) and the backoff;
* other 5xx may come after partial processing: idempotent methods only;
* at most ``RetryPolicy.max_attempts`` attempts; exponential backoff with
  equal jitter between them.  A ``Retry-After`` longer than
  ``max_retry_after`` is not slept through: ``RateLimited``/``Unavailable``
  is raised at once with ``retry_after`` so a worker can schedule itself.

A 401 makes the auth renew its token once and resend; that resend does not
count as an attempt.
"""

from __future__ import annotations

import email.utils
import functools
import logging
import random
import ssl
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import httpx
import orjson

from .errors import (
    AuthFailed,
    Conflict,
    Forbidden,
    NotFound,
    OutcomeUnknown,
    PreconditionRequired,
    RateLimited,
    Rejected,
    Unavailable,
    UpstreamError,
)
from .raw_json import RawJson, listing_items

if TYPE_CHECKING:
    from .auth import Auth

log = logging.getLogger("connectors")

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=10.0)
DEFAULT_LIMITS = httpx.Limits(max_connections=10, max_keepalive_connections=5, keepalive_expiry=30.0)
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

# Never sent again: the request did not reach the upstream.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try.  Tests pass tiny ``backoff_base`` and a fake sleep."""

    max_attempts: int = 4
    backoff_base: float = 0.5
    backoff_max: float = 20.0
    max_retry_after: float = 60.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date).

    Returns None for a missing or unparseable value; a date in the past gives 0.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        if seconds != seconds or seconds in (float("inf"), float("-inf")):
            return None
        return max(0.0, seconds)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


def backoff_delay(attempt: int, policy: RetryPolicy, rand: Callable[[], float] = random.random) -> float:
    """Delay before attempt ``attempt + 1`` (``attempt`` counts from 1).

    Equal jitter: half the exponential step is fixed, half random, so
    concurrent clients spread out but never retry immediately.
    """
    step = min(policy.backoff_max, policy.backoff_base * (2 ** (attempt - 1)))
    return step / 2 + rand() * step / 2


def _pointer_to_field(pointer: str) -> str:
    parts = [p for p in pointer.strip().split("/") if p]
    if parts[:2] == ["data", "attributes"]:
        parts = parts[2:]
    return ".".join(parts)


def decode_json(response: httpx.Response) -> Any:
    """The JSON body of ``response`` (orjson: pages of thousands of records parse several times faster).

    Raises ``ValueError`` (orjson's ``JSONDecodeError`` is one) for a body that is not JSON.
    """
    return orjson.loads(response.content)


def parse_error_body(response: httpx.Response) -> tuple[str | None, dict[str, str], Any]:
    """Upstream message, field messages and the decoded body of an error answer.

    Understands the three shapes of the contract: JSON:API ``errors[]`` with
    ``source.pointer`` (beenergised), the OCPI envelope with ``status_message``
    and ``errors[{field, message}]`` (greenflux), and RFC 9457 problem details
    with ``errors[{pointer, detail}]`` (models, chargeye); plus OAuth2's
    ``error``/``error_description``.
    """
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()
        return (text[:300] or None), {}, None
    if not isinstance(body, dict):
        return None, {}, body
    fields: dict[str, str] = {}
    messages: list[str] = []
    for err in body.get("errors") or []:
        if not isinstance(err, dict):
            if isinstance(err, str):
                messages.append(err)
            continue
        msg = err.get("message") or err.get("detail") or err.get("title") or ""
        source = err.get("source") if isinstance(err.get("source"), dict) else {}
        field = err.get("field") or err.get("pointer") or source.get("pointer") or source.get("parameter")
        if field:
            name = _pointer_to_field(str(field)) if "/" in str(field) else str(field)
            fields.setdefault(name, str(msg))
        elif msg:
            messages.append(str(msg))
    top = (
        body.get("status_message")
        or body.get("detail")
        or body.get("title")
        or body.get("message")
        or body.get("error_description")
        or body.get("error")
    )
    if not isinstance(top, str):
        top = None
    if top is None and messages:
        top = "; ".join(messages)
    if top is None and fields:
        top = "; ".join(f"{k}: {v}" for k, v in fields.items())
    return top, fields, body


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context per process: building one loads the CA bundle, about half a second, more than
    most requests take (a worker makes a client per operation). An ``SSLContext`` is safe to share."""
    return httpx.create_ssl_context()


class HttpClient:
    """A reused ``httpx.Client`` for one backend plus the retry and error policy."""

    def __init__(
        self,
        base_url: str,
        *,
        kind: str,
        auth: Auth | None = None,
        timeout: httpx.Timeout | float | None = None,
        limits: httpx.Limits | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
        transport: httpx.BaseTransport | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.kind = kind
        self.auth = auth
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._rand = rand
        self._secrets: set[str] = set()
        self._client = httpx.Client(
            base_url=self.base_url,
            timeout=timeout if timeout is not None else DEFAULT_TIMEOUT,
            limits=limits or DEFAULT_LIMITS,
            transport=transport,
            verify=_tls_context(),
            headers={"Accept": "application/json", "User-Agent": "ev-portal/1", **(headers or {})},
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"<HttpClient {self.kind} {self.base_url}>"

    # -- secrets -----------------------------------------------------------
    def register_secret(self, value: str | None) -> None:
        """Remember a secret so it is scrubbed from any error message."""
        if value and len(value) >= 4:
            self._secrets.add(value)

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    # -- lifecycle ----------------------------------------------------------
    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests -----------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        authenticate: bool = True,
    ) -> httpx.Response:
        """Send with retries; return a 2xx response or raise an ``UpstreamError``."""
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        where = f"{method} {self._display_path(path)}"
        policy = self.retry
        attempt = 0
        renewed = False
        while True:
            attempt += 1
            send_headers = dict(headers or {})
            auth_header: str | None = None
            if authenticate and self.auth is not None:
                auth_header = self.auth.authorization(self)
                send_headers["Authorization"] = auth_header
            try:
                response = self._client.request(
                    method, path, params=_clean_params(params), json=json, data=data, headers=send_headers
                )
            except httpx.TransportError as exc:
                sent = not isinstance(exc, _NOT_SENT)
                if sent and not idempotent:
                    raise OutcomeUnknown(
                        f"{where}: connection lost after sending ({type(exc).__name__}); "
                        "the upstream may have applied it",
                        kind=self.kind,
                    ) from exc
                if attempt < policy.max_attempts:
                    delay = backoff_delay(attempt, policy, self._rand)
                    log.warning("%s %s: %s, retry %d in %.2fs", self.kind, where, type(exc).__name__, attempt, delay)
                    self._sleep(delay)
                    continue
                raise Unavailable(
                    f"{where}: {type(exc).__name__} after {attempt} attempts", kind=self.kind
                ) from exc

            status = response.status_code
            if status < 400:
                return response
            if status == 401 and auth_header is not None and not renewed and self.auth.renew(self, auth_header):
                # One renewal per call: a second 401 means the credentials are wrong.
                renewed = True
                attempt -= 1
                log.info("%s %s: 401, token renewed, resending", self.kind, where)
                continue
            if status == 429 or status >= 500:
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                if self._may_retry(status, idempotent) and attempt < policy.max_attempts:
                    if retry_after is None or retry_after <= policy.max_retry_after:
                        # Never sooner than the upstream asks, and still growing
                        # when it keeps asking for the same short pause.
                        delay = max(retry_after or 0.0, backoff_delay(attempt, policy, self._rand))
                        log.warning("%s %s: HTTP %d, retry %d in %.2fs", self.kind, where, status, attempt, delay)
                        response.close()
                        self._sleep(delay)
                        continue
                raise self._error(response, where, attempts=attempt, retry_after=retry_after)
            raise self._error(response, where, attempts=attempt)

    @staticmethod
    def _may_retry(status: int, idempotent: bool) -> bool:
        # 429 and 503 mean "not processed": safe for any method.  Other 5xx
        # (500, 502, 504) may hide a write that was applied.
        if status in (429, 503):
            return True
        return idempotent

    def _display_path(self, path: str) -> str:
        """The URL a request went to, as messages show it: whole, so an admin sees which URL failed
        (issue 24), but without query string or user info (an upstream could put a secret there)."""
        url = httpx.URL(path)
        if url.is_absolute_url is False:
            url = httpx.URL(self.base_url + ("" if path.startswith("/") else "/") + url.path)
        port = f":{url.port}" if url.port else ""
        return f"{url.scheme}://{url.host}{port}{url.path}"

    def _error(
        self, response: httpx.Response, where: str, *, attempts: int = 1, retry_after: float | None = None
    ) -> UpstreamError:
        status = response.status_code
        upstream_message, fields, body = parse_error_body(response)
        upstream_message = self.scrub(upstream_message) if upstream_message else None
        fields = {k: self.scrub(v) for k, v in fields.items()}
        detail = f": {upstream_message}" if upstream_message else ""
        msg = f"{self.kind} {where} -> HTTP {status}{detail}"
        err: UpstreamError
        if status == 401:
            err = AuthFailed(msg, status=status, kind=self.kind)
        elif status == 403:
            err = Forbidden(msg, status=status, kind=self.kind, fields=fields, upstream_message=upstream_message)
        elif status == 404:
            err = NotFound(msg, status=status, kind=self.kind)
        elif status in (409, 412):
            err = Conflict(msg, status=status, kind=self.kind)
        elif status == 428:
            err = PreconditionRequired(
                msg, status=status, kind=self.kind, fields=fields, upstream_message=upstream_message
            )
        elif status == 429:
            err = RateLimited(
                f"{msg} (after {attempts} attempts)", status=status, kind=self.kind, retry_after=retry_after
            )
        elif status >= 500:
            err = Unavailable(
                f"{msg} (after {attempts} attempts)", status=status, kind=self.kind, retry_after=retry_after
            )
        else:
            err = Rejected(msg, status=status, kind=self.kind, fields=fields, upstream_message=upstream_message)
        err.body = body
        return err

    def json(self, method: str, path: str, **kw: Any) -> Any:
        """``request`` and decode the JSON body (None for an empty body)."""
        response = self.request(method, path, **kw)
        if not response.content:
            return None
        try:
            return decode_json(response)
        except ValueError as exc:
            raise Unavailable(
                f"{self.kind} {method} {self._display_path(path)}: answer is not JSON", kind=self.kind
            ) from exc


    def listing(self, method: str, path: str, **kw: Any) -> list[RawJson]:
        """``request``, and the records of the listing it answers, each as the bytes sent (``raw_json``)."""
        response = self.request(method, path, **kw)
        try:
            return listing_items(response.content)
        except ValueError as exc:
            raise Unavailable(
                f"{self.kind} {method} {self._display_path(path)}: answer is not a JSON listing", kind=self.kind
            ) from exc


def format_upstream_time(value: datetime) -> str:
    """An instant as the upstreams write one: RFC 3339 in UTC, whole seconds (``2026-12-01T10:00:00Z``).

    A naive datetime is taken to be UTC.
    """
    aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return aware.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _clean_params(params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> Any:
    """Drop None values and spell booleans as the upstreams do (true/false)."""
    if params is None:
        return None
    items = params.items() if isinstance(params, Mapping) else params
    out: list[tuple[str, str]] = []
    for key, value in items:
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, datetime):
            value = format_upstream_time(value)  # whole seconds: truncating down only widens an incremental read
        out.append((key, str(value)))
    return out
