"""Encryption at rest for upstream credentials and second-factor secrets.

The key comes from ``CREDENTIALS_KEY`` (one or more comma-separated Fernet
keys, newest first, so keys can be rotated). Without it the key is derived
from ``SECRET_KEY`` with HKDF, which suits the demo; production should set
its own so that a leaked database alone reveals nothing.
"""

from __future__ import annotations

import base64
import json
import os
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class CredentialsUnreadable(Exception):
    """The stored credentials were encrypted with a key we no longer have."""


@lru_cache(maxsize=4)
def _fernet(keys: str, secret_key: str) -> MultiFernet:
    if keys:
        return MultiFernet([Fernet(k.strip().encode()) for k in keys.split(",") if k.strip()])
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"portal-credentials", info=b"v1").derive(
        secret_key.encode()
    )
    return MultiFernet([Fernet(base64.urlsafe_b64encode(derived))])


def _current() -> MultiFernet:
    return _fernet(os.environ.get("CREDENTIALS_KEY", ""), settings.SECRET_KEY)


def encrypt_json(value: dict[str, Any]) -> str:
    return _current().encrypt(json.dumps(value, sort_keys=True).encode()).decode()


def decrypt_json(token: str) -> dict[str, Any]:
    if not token:
        return {}
    try:
        return json.loads(_current().decrypt(token.encode()))
    except InvalidToken as exc:
        raise CredentialsUnreadable("Stored credentials cannot be decrypted with the current key.") from exc


def encrypt_text(value: str) -> str:
    """A secret string (a TOTP key, a recovery-code seed) encrypted with the credentials key."""
    return _current().encrypt(value.encode()).decode()


def decrypt_text(token: str) -> str:
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise CredentialsUnreadable("A stored secret cannot be decrypted with the current key.") from exc
