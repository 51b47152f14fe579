"""The demo's second factor: its admin is asked to set one up at first sign-in, with a secret printed
at every demo start, so a newcomer without an authenticator app can still sign in.

``seed_demo`` keeps one TOTP secret per demo admin in ``var/demo-credentials.json`` (``"totp"``).
When that admin sets up an authenticator app, :class:`DemoActivateTOTPForm` (allauth's form, named in
``MFA_FORMS`` only with ``DEBUG`` on) offers the printed secret, so the page shows the printed one;
``manage.py demo_totp`` prints the current code. A production portal never offers a known secret.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from allauth.core import context
from allauth.mfa.totp.forms import ActivateTOTPForm
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.conf import settings

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


class DemoActivateTOTPForm(ActivateTOTPForm):
    """allauth's activation form offering a demo admin the printed secret (``MFA_FORMS`` with ``DEBUG``
    on, in the settings): the page shows it, and the code is checked against it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        secret = demo_totp_secrets().get(self.user.get_username()) if settings.DEBUG else None
        if secret:
            self.secret = context.request.session[SECRET_SESSION_KEY] = secret
