"""Who is calling: a personal token (``Authorization: Bearer cpt_…``) or the browser's session.

Session calls go through DRF's ``SessionAuthentication``, which enforces CSRF on unsafe methods as
the pages do. A token's user must still be active; an expired or revoked token is refused (401 with
``WWW-Authenticate: Bearer``, RFC 6750). What the caller may do is decided by ``api.permissions``.
"""

from __future__ import annotations

import hmac
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from api.models import ApiToken
from api.services import api_token_mark_used, split_token, token_digest


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None
        parts = split_token(value.strip())
        if parts is None:
            raise exceptions.AuthenticationFailed("The token is not one this portal issued.")
        token = ApiToken.objects.select_related("user").filter(prefix=parts[0]).first()
        if token is None or not hmac.compare_digest(token.digest, token_digest(parts[1])):
            raise exceptions.AuthenticationFailed("The token is not valid.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("The token was revoked.")
        if not token.is_usable:
            raise exceptions.AuthenticationFailed("The token has expired.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("The token's user is deactivated.")
        api_token_mark_used(token)
        token.user._api_token = token  # the audit trail names the token (portal.audit.services)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """How the schema describes the token (drf-spectacular finds it by the class it names)."""

    target_class = "api.auth.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer",
                "description": "A personal token (`cpt_…`), made on the API tokens page."}
