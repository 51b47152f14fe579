"""Authentication for every kind: issued JWTs, static bearer tokens, revocation.

* be.ENERGISED: ``POST /beenergised-auth/token`` (OAuth2 client credentials,
  parameters in the query string as in the quickstart, in a form body, or
  the client in HTTP Basic) answers ``{access_token, expires_in, token_type}``.
  Errors follow RFC 6749 section 5.2 (``{"error": "invalid_client"}``, 401;
  ``unsupported_grant_type`` / ``invalid_request``, 400) -- the docs are silent.
* ChargEye: ``GET /chargeye/api/auth/refreshAccessToken`` with the refresh
  token as bearer answers ``{token, validUntil}`` (8 hours, see chargeye.py).
* GreenFlux and models: static bearer tokens (models: admin and non-admin).

Issued tokens are HS256 JWTs signed with a secret kept in the store's meta,
so they stay valid across a restart of the demo.  ``/_sim/{kind}/expire-tokens``
records a revocation time: tokens issued before it answer 401 as expired.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import Any, Callable

from flask import Blueprint, Response, request

from .common import json_response, now_ts
from .state import Store

BE_TOKEN_TTL = 86400  # the quickstart's sample expires_in
CHARGEYE_TOKEN_TTL = 8 * 3600  # JWTs last about 8 hours (docs/upstream-contract.md, fact F16)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_token(store: Store, kind: str, subject: str, ttl: float) -> tuple[str, float]:
    """A signed JWT for ``kind``; returns (token, expiry timestamp)."""
    with store.lock:
        store.tokens_issued[kind] = store.tokens_issued.get(kind, 0) + 1
    iat = now_ts()
    exp = iat + ttl
    header = _b64(b'{"alg":"HS256","typ":"JWT"}')
    claims = {"iss": f"simulator/{kind}", "sub": subject, "kind": kind, "iat": iat, "exp": exp, "jti": secrets.token_hex(8)}
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode()
    sig = hmac.new(store.meta["token_secret"].encode(), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(sig)}", exp


def verify_token(store: Store, kind: str, token: str | None) -> tuple[dict[str, Any] | None, str]:
    """Claims of a valid token of ``kind``, or (None, reason)."""
    if not token:
        return None, "missing bearer token"
    parts = token.split(".")
    if len(parts) != 3:
        return None, "invalid token"
    try:
        sig = _unb64(parts[2])
        claims = json.loads(_unb64(parts[1]))
    except (ValueError, TypeError):
        return None, "invalid token"
    expected = hmac.new(store.meta["token_secret"].encode(), f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(sig, expected) or not isinstance(claims, dict) or claims.get("kind") != kind:
        return None, "invalid token"
    now = now_ts()
    if claims.get("exp", 0) <= now:
        return None, "token expired"
    revoked = (store.meta.get("revoked_before") or {}).get(kind)
    if revoked is not None and claims.get("iat", 0) <= revoked:
        return None, "token expired"
    return claims, ""


def expire_tokens(store: Store, kind: str) -> None:
    """Make every token of ``kind`` issued so far answer as expired."""
    with store.lock:
        revoked = dict(store.meta.get("revoked_before") or {})
        revoked[kind] = now_ts()
        store.set_meta("revoked_before", revoked)


def token_blueprint(store: Store, token_ttl: Callable[[], float | None]) -> Blueprint:
    """The be.ENERGISED token endpoint (a Cognito-like OAuth2 server)."""
    bp = Blueprint("beenergised_auth", __name__)

    @bp.post("/token")
    def token() -> Response:
        # Query string first (the quickstart's curl), then a form body.
        params = {**request.form.to_dict(), **request.args.to_dict()}
        client_id = params.get("client_id")
        client_secret = params.get("client_secret")
        if request.authorization and request.authorization.type == "basic":
            client_id = client_id or request.authorization.username
            client_secret = client_secret or request.authorization.password
        grant = params.get("grant_type")
        if not grant:
            return _oauth_error("invalid_request", "grant_type is required", 400)
        if grant != "client_credentials":
            return _oauth_error("unsupported_grant_type", f"grant_type {grant!r} is not supported", 400)
        if not client_id or not client_secret:
            return _oauth_error("invalid_request", "client_id and client_secret are required", 400)
        client = store.get("be_clients", client_id)
        if client is None or not hmac.compare_digest(client["client_secret"], client_secret):
            return _oauth_error("invalid_client", "client authentication failed", 401)
        ttl = token_ttl() or BE_TOKEN_TTL
        access, _ = issue_token(store, "beenergised", client_id, ttl)
        return json_response({"access_token": access, "expires_in": int(ttl), "token_type": "Bearer"},
                             headers={"Cache-Control": "no-store"})

    return bp


def _oauth_error(code: str, description: str, status: int) -> Response:
    return json_response({"error": code, "error_description": description}, status, headers={"Cache-Control": "no-store"})
