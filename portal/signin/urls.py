"""The sign-in and two-factor pages: allauth's views, those the portal uses, under ``accounts/``.

Not allauth's whole URL map: no sign-up (people are invited), no e-mail pages, no password reset by
e-mail (an admin sends a new sign-in link, ``portal.views.users``). allauth reverses its own names
(``account_login``, ``account_logout``), so those name the portal's pages as well.
"""

from __future__ import annotations

from allauth.account import views as account
from allauth.mfa.base import views as mfa
from allauth.mfa.recovery_codes import views as recovery_codes
from allauth.mfa.totp import views as totp
from allauth.mfa.webauthn import views as webauthn
from django.contrib.auth import views as auth_views
from django.urls import path

urlpatterns = [
    path("login/", account.login, name="login"),
    path("login/", account.login, name="account_login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("logout/", auth_views.LogoutView.as_view(), name="account_logout"),
    path("reauthenticate/", account.reauthenticate, name="account_reauthenticate"),
    path("2fa/", mfa.index, name="mfa_index"),
    path("2fa/authenticate/", mfa.authenticate, name="mfa_authenticate"),
    path("2fa/reauthenticate/", mfa.reauthenticate, name="mfa_reauthenticate"),
    path("2fa/totp/activate/", totp.activate_totp, name="mfa_activate_totp"),
    path("2fa/totp/deactivate/", totp.deactivate_totp, name="mfa_deactivate_totp"),
    path("2fa/recovery-codes/", recovery_codes.view_recovery_codes, name="mfa_view_recovery_codes"),
    path("2fa/recovery-codes/generate/", recovery_codes.generate_recovery_codes, name="mfa_generate_recovery_codes"),
    path("2fa/recovery-codes/download/", recovery_codes.download_recovery_codes, name="mfa_download_recovery_codes"),
    path("2fa/webauthn/", webauthn.list_webauthn, name="mfa_list_webauthn"),
    path("2fa/webauthn/add/", webauthn.add_webauthn, name="mfa_add_webauthn"),
    path("2fa/webauthn/reauthenticate/", webauthn.reauthenticate_webauthn, name="mfa_reauthenticate_webauthn"),
    path("2fa/webauthn/keys/<int:pk>/remove/", webauthn.remove_webauthn, name="mfa_remove_webauthn"),
    path("2fa/webauthn/keys/<int:pk>/edit/", webauthn.edit_webauthn, name="mfa_edit_webauthn"),
]
