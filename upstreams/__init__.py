"""Clients for the portal's upstream platforms; no Django here.

``get_connector(kind, base_url, credentials, **options)`` builds the client
for one backend.  Credentials per kind:

* ``beenergised``: ``client_id``, ``client_secret``, ``token_url``
* ``greenflux``: ``token``
* ``models``: ``admin_token`` (create/archive need it) or ``token``; the admin
  one wins when both are given
* ``chargeye``: ``refresh_token``, optional ``refresh_url`` (default
  ``{base_url}/auth/refreshAccessToken``)

Other keys (``base_url``, ``company_uuid``...) are ignored.

Options: ``timeout`` (``httpx.Timeout`` or seconds), ``limits``
(``httpx.Limits``), ``retry`` (``RetryPolicy``) or ``max_attempts`` /
``backoff_base`` / ``backoff_max`` / ``max_retry_after``, ``sleep``,
``rand``, ``transport``, ``page_size``, ``renew_before``, ``clock``,
``paths`` (the paths the documents do not give, by name: ``GUESSED_PATHS`` of
greenflux, ``NETWORK_PATHS`` of chargeye, ``UNDOCUMENTED_PATHS`` of beenergised,
which has no default: its request is not sent until a path is set), ``token_store`` (where tokens are shared: Django's cache in the portal; an
in-process store by default) and ``token_key`` (who owns the token, e.g.
``backend:12``).
Every connector has ``close()`` and is a context manager.
"""

from __future__ import annotations

import hashlib
import time

import httpx
from collections.abc import Callable, Mapping
from typing import Any, Union

from .auth import Auth, OAuth2ClientCredentials, RefreshToken, StaticBearer
from .base import HttpClient, RetryPolicy, parse_retry_after
from .beenergised import BeEnergisedConnector
from .chargeye import ChargEyeConnector
from .errors import (
    AuthFailed,
    Conflict,
    Forbidden,
    IncompleteListing,
    NotFound,
    NotOffered,
    OutcomeUnknown,
    PreconditionRequired,
    RateLimited,
    Rejected,
    Unavailable,
    UpstreamError,
)
from .greenflux import GreenFluxConnector
from .models_api import ModelsConnector
from .pagination import Page, Pages

Connector = Union[BeEnergisedConnector, GreenFluxConnector, ModelsConnector, ChargEyeConnector]
KINDS = ("beenergised", "greenflux", "models", "chargeye")

__all__ = [
    "AuthFailed",
    "BeEnergisedConnector",
    "ChargEyeConnector",
    "Conflict",
    "Connector",
    "Forbidden",
    "GreenFluxConnector",
    "HttpClient",
    "IncompleteListing",
    "KINDS",
    "ModelsConnector",
    "NotFound",
    "NotOffered",
    "OutcomeUnknown",
    "Page",
    "Pages",
    "PreconditionRequired",
    "RateLimited",
    "Rejected",
    "RetryPolicy",
    "Unavailable",
    "UpstreamError",
    "get_connector",
    "guessed_paths",
    "parse_retry_after",
]


def _required(credentials: Mapping[str, Any], kind: str, *names: str) -> list[str]:
    missing = [n for n in names if not credentials.get(n)]
    if missing:
        # Names only, never values: this message may be shown and logged.
        raise ValueError(f"{kind} credentials need: {', '.join(missing)}")
    return [str(credentials[n]) for n in names]


def _token_key(kind: str, base_url: str, credentials: Mapping[str, Any], scope: str) -> str:
    """The store key of a backend's token: its scope (the portal's backend id) and a digest of
    what the token depends on, so changed credentials never reuse an old token."""
    parts = [kind, base_url, *(f"{k}={credentials[k]}" for k in sorted(credentials) if credentials[k])]
    digest = hashlib.sha256("\n".join(map(str, parts)).encode()).hexdigest()[:24]
    return f"{scope or 'anon'}:{digest}"


def _auth_for(kind: str, base_url: str, credentials: Mapping[str, Any], options: dict[str, Any]) -> Auth:
    token_opts: dict[str, Any] = {}
    if "renew_before" in options:
        token_opts["renew_before"] = options.pop("renew_before")
    clock: Callable[[], float] | None = options.pop("clock", None)
    if clock is not None:
        token_opts["clock"] = clock
    store = options.pop("token_store", None)
    scope = str(options.pop("token_key", "") or "")
    if store is not None:
        token_opts["store"] = store
        token_opts["key"] = _token_key(kind, base_url, credentials, scope)
    if kind == "beenergised":
        token_url = credentials.get("token_url") or options.pop("token_url", None)
        client_id, client_secret = _required(credentials, kind, "client_id", "client_secret")
        if not token_url:
            raise ValueError("beenergised credentials need: token_url")
        return OAuth2ClientCredentials(str(token_url), client_id, client_secret, scope=credentials.get("scope"), **token_opts)
    if kind == "chargeye":
        (refresh,) = _required(credentials, kind, "refresh_token")
        return RefreshToken(refresh, refresh_url=credentials.get("refresh_url"), **token_opts)
    if kind == "models" and credentials.get("admin_token"):
        return StaticBearer(str(credentials["admin_token"]))
    (token,) = _required(credentials, kind, "token")
    return StaticBearer(token)


def guessed_paths(kind: str) -> dict[str, str]:
    """The paths of ``kind`` that no document gives, with our defaults (a backend setting may change them)."""
    from .beenergised import UNDOCUMENTED_PATHS
    from .chargeye import NETWORK_PATHS
    from .greenflux import GUESSED_PATHS

    return dict({"greenflux": GUESSED_PATHS, "chargeye": NETWORK_PATHS, "beenergised": UNDOCUMENTED_PATHS}.get(kind, {}))


# The prefix every documented path of a kind starts with: a base URL entered with it already (as
# the vendor's own examples print the URL) must not get it twice.
DOCUMENTED_PREFIX = {"models": "/asset-management/v1", "beenergised": "/api/cpoapi/v1"}


def base_url_for(kind: str, base_url: str) -> str:
    """``base_url`` without a trailing documented prefix of ``kind`` (``.../asset-management/v1`` or
    ``.../asset-management/v1/charging-station-models`` is the host's root for the models API)."""
    url = base_url.rstrip("/")
    prefix = DOCUMENTED_PREFIX.get(kind)
    if prefix:
        path = httpx.URL(url).path
        cut = path.find(prefix)
        # The prefix at the end, or followed by one more segment (a collection's own URL).
        if cut >= 0 and path[cut + len(prefix):].count("/") <= 1:
            url = url[: len(url) - len(path) + cut]
    return url


def get_connector(kind: str, base_url: str, credentials: Mapping[str, Any], **options: Any) -> Connector:
    """Build the connector for one backend of ``kind`` at ``base_url`` (a documented prefix at its end is
    dropped: ``base_url_for``)."""
    if kind not in KINDS:
        raise ValueError(f"unknown upstream kind {kind!r}; expected one of {', '.join(KINDS)}")
    base_url = base_url_for(kind, base_url)
    options = dict(options)
    auth = _auth_for(kind, base_url, credentials, options)
    retry = options.pop("retry", None)
    retry_fields = {k: options.pop(k) for k in ("max_attempts", "backoff_base", "backoff_max", "max_retry_after") if k in options}
    if retry is None:
        retry = RetryPolicy(**retry_fields)
    elif retry_fields:
        raise ValueError("pass either retry= or its fields, not both")
    page_size = options.pop("page_size", None)
    paths = options.pop("paths", None)
    http = HttpClient(
        base_url,
        kind=kind,
        auth=auth,
        retry=retry,
        timeout=options.pop("timeout", None),
        limits=options.pop("limits", None),
        sleep=options.pop("sleep", time.sleep),
        transport=options.pop("transport", None),
        **({"rand": options.pop("rand")} if "rand" in options else {}),
    )
    if options:
        http.close()
        raise TypeError(f"unknown options: {', '.join(sorted(options))}")
    size = {} if page_size is None else {"page_size": page_size}
    if kind == "beenergised":
        return BeEnergisedConnector(http, **size, paths=paths)
    if kind == "greenflux":
        return GreenFluxConnector(http, **size, paths=paths)
    if kind == "models":
        return ModelsConnector(http, **size)
    return ChargEyeConnector(http, **size, paths=paths)
