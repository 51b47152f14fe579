"""The demo's second factor: its admin is asked to set one up at first sign-in, with a secret printed
at every demo start, so a newcomer without an authenticator app can still sign in.

``seed_demo`` keeps one TOTP secret per demo admin in ``var/demo-credentials.json`` (``"totp"``).
When that admin signs in without a factor, :func:`offer_demo_secret` puts the printed secret where
allauth's activation page takes its secret from, so the page shows the printed one; ``manage.py
demo_totp`` prints the current code. Only with ``DEBUG`` on (the demo): a production portal never
offers a known secret.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.conf import settings
from django.http import HttpRequest

TOTP_KEY = "totp"


def demo_totp_secrets() -> dict[str, str]:
    """``{username: secret}`` of the demo's admins, from ``var/demo-credentials.json``."""
    path = Path(settings.VAR_DIR) / "demo-credentials.json"
    if not path.exists():
        return {}
    secrets = json.loads(path.read_text()).get(TOTP_KEY, {})
    return secrets if isinstance(secrets, dict) else {}


def current_code(secret: str) -> str:
    """The code an authenticator app shows now for ``secret``."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def offer_demo_secret(sender: object, request: HttpRequest | None, user: Any, **kwargs: object) -> None:
    """On sign-in (``user_logged_in``), give a demo admin without an authenticator app the printed secret
    to set up. The demo only (DEBUG)."""
    if not settings.DEBUG or request is None or not hasattr(request, "session"):
        return
    secret = demo_totp_secrets().get(user.get_username())
    if secret and not Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists():
        request.session[SECRET_SESSION_KEY] = secret
