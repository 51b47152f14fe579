"""Fixtures of the API tests: a token per role, and clients that send it as a script would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from api.models import ApiToken
from api.services import api_token_create
from portal.models import User
from tests.trust.conftest import world  # noqa: F401  (the estate of company A the scoping test walks)


class TokenClient(Client):
    """A Django test client that sends ``Authorization: Bearer …`` and JSON, as a script does."""

    def __init__(self, token: str, **kwargs: Any) -> None:
        super().__init__(HTTP_AUTHORIZATION=f"Bearer {token}", **kwargs)

    def send(self, method: str, path: str, data: Any = None, **headers: str) -> Any:
        extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
        return self.generic(method, path, "" if data is None else _json(data), content_type="application/json",
                            **extra)


def _json(data: Any) -> str:
    import json

    return json.dumps(data)


@pytest.fixture
def make_token() -> Callable[..., str]:
    def make(user: User, scope: str = ApiToken.Scope.READ_WRITE, name: str = "script", **kw: Any) -> str:
        return api_token_create(user=user, name=name, scope=scope, expires_at=kw.get("expires_at"))[1]

    return make


@pytest.fixture
def api_for(make_token: Callable[..., str]) -> Callable[..., TokenClient]:
    def client(user: User, scope: str = ApiToken.Scope.READ_WRITE) -> TokenClient:
        return TokenClient(make_token(user, scope, name=f"{user.username}-{scope}"))

    return client
