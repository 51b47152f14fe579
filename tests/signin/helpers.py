"""Signing in through allauth's pages with the Django test client, and making TOTP codes as a phone does."""

from __future__ import annotations

import re
import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD


def totp_code(secret: str, *, offset: int = 0) -> str:
    """The code an authenticator app shows now (``offset`` periods later or earlier)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def sign_in_password(client: Client, username: str, password: str = PASSWORD, next_url: str = "") -> str:
    """Post the sign-in form; returns where it sent the browser."""
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    answer = client.post(reverse("login"), data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    return answer["Location"]


def enrol_totp(client: Client) -> str:
    """Set up an authenticator app on the activation page; returns its secret (as the page shows it)."""
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200, page
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page.content.decode())
    if secret is None:
        secret = re.search(r'value="([A-Z2-7]{32})"', page.content.decode())
    assert secret, "no secret on the activation page"
    answer = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret.group(1))})
    assert answer.status_code == 302, answer.content.decode()[:3000]
    return secret.group(1)
