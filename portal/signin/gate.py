"""The enrolment gate: who must hold a second factor opens no page without it.

Who must: a superuser, an admin of any company, and the operators and viewers of a company that
requires it (``Company.require_second_factor``). Such a person's session passes once it has used a
second factor: at sign-in (allauth's MFA stage), when asked again (allauth's reauthentication) or by
enrolling one in this session (:func:`mark_enrolled`, on allauth's ``authenticator_added``).

Until then every page answers with a redirect: to the two-factor page to set one up, or, when the
person already has one (a session that skipped it), to the page that asks for it; ``next`` brings
them back. The sign-in, sign-out, language and two-factor pages stay open. The REST API answers 403
to such a session (its bearer tokens are made on a page behind the gate).

``SECOND_FACTOR_GATE`` turns the gate off (the test suite's pages signed in with ``force_login``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext

from portal.access import Role, roles_of
from portal.models import Company

ENROLLED = "portal_second_factor_enrolled"
# URL names that stay open without a second factor: signing in and out, choosing a language,
# the invitation link, and every page of allauth's MFA (set one up, use one).
OPEN_NAMES = {"login", "account_login", "logout", "account_logout", "account_reauthenticate", "set_language",
              "invite_accept", "invite_done"}


def second_factor_required(user: Any) -> bool:
    """Whether ``user`` must hold a second factor (see the module docstring)."""
    if not getattr(user, "is_authenticated", False):
        return False
    roles = roles_of(user)
    if roles is None or Role.ADMIN in roles.values():
        return True
    return Company.objects.filter(pk__in=list(roles), require_second_factor=True).exists()


def factor_types(user: Any) -> set[str]:
    """The kinds of second factor the user holds ("totp", "webauthn"); recovery codes alone are none."""
    return set(Authenticator.objects.filter(user_id=user.pk).exclude(type=Authenticator.Type.RECOVERY_CODES)
               .values_list("type", flat=True))


def session_passed(request: HttpRequest) -> bool:
    """Whether this session has used a second factor, or enrolled one."""
    if request.session.get(ENROLLED) == str(request.user.pk):
        return True
    return any(r.get("method") == "mfa" for r in get_authentication_records(request, request.user))


def mark_enrolled(sender: object, request: HttpRequest | None = None, user: Any = None, **kwargs: object) -> None:
    """Enrolling proves the factor (allauth checks a code or a key first): the session passes the gate."""
    if request is not None and hasattr(request, "session") and user is not None:
        request.session[ENROLLED] = str(user.pk)


def _is_open(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return True  # the 404 page
    return match.url_name in OPEN_NAMES or (match.url_name or "").startswith("mfa_")


class SecondFactorGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (settings.SECOND_FACTOR_GATE and user is not None and user.is_authenticated
                and not session_passed(request) and not _is_open(request) and second_factor_required(user)):
            return self._refuse(request, factor_types(user))
        return self.get_response(request)

    def _refuse(self, request: HttpRequest, types: set[str]) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            return JsonResponse({"title": gettext("Your account needs a second factor first."), "status": 403},
                                status=403, content_type="application/problem+json")
        if not types:
            messages.warning(request, gettext(
                "Your role needs a second sign-in factor. Set up an authenticator app or a security key to "
                "continue."))
            target = reverse("mfa_index")
        else:
            page = request.get_full_path() if request.method == "GET" and not getattr(request, "htmx", False) \
                else reverse("dashboard")
            name = "mfa_reauthenticate" if types & {"totp"} else "mfa_reauthenticate_webauthn"
            target = f"{reverse(name)}?{urlencode({'next': page})}"
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
