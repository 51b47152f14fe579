"""allauth's adapters, fitted to the portal.

- Nobody signs themselves up: an admin invites people (``portal.views.users``).
- Password guessing is throttled by django-axes (five failures per username and address), so allauth's
  own per-username counter is not consumed for passwords; it still limits second-factor codes.
- TOTP secrets and the recovery-code seed are stored encrypted with the credentials key
  (``portal.crypto``), like upstream credentials: a copy of the database alone opens no second factor.
"""

from __future__ import annotations

import time
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.http import HttpRequest

from portal.crypto import decrypt_text, encrypt_text


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """No allauth count of failed passwords: django-axes keeps that one (AXES_FAILURE_LIMIT), and
        two counters with different limits would lock people out at the lower one unannounced."""


    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Changing one's second factors asks for the password again, unless the person signed in (or
        confirmed) within ``ACCOUNT_REAUTHENTICATION_TIMEOUT``: the gate sends a person who just signed
        in to set up a factor, and asking for the password they typed a moment ago would be noise."""
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = context.request
        user = getattr(request, "user", None)
        if request is None or user is None or not user.is_authenticated:
            return True
        window = account_settings.REAUTHENTICATION_TIMEOUT
        return not any(time.time() - record.get("at", 0) < window
                       for record in get_authentication_records(request, user))


class MFAAdapter(DefaultMFAAdapter):
    def get_totp_issuer(self) -> str:
        return settings.MFA_TOTP_ISSUER

    def encrypt(self, text: str) -> str:
        return encrypt_text(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_text(encrypted_text)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Who must hold a second factor keeps their last one (recovery codes do not count)."""
        from portal.signin.gate import second_factor_required

        if authenticator.type == Authenticator.Type.RECOVERY_CODES or not second_factor_required(authenticator.user):
            return True
        others = (Authenticator.objects.filter(user_id=authenticator.user_id)
                  .exclude(type=Authenticator.Type.RECOVERY_CODES).exclude(pk=authenticator.pk))
        return others.exists()
