"""Session lifetime: signed out after 30 minutes idle or 12 hours after signing in.

Background htmx GETs (polling badges, progress bars) do not count as activity,
or a page left open would keep its session alive for ever.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

LOGIN_AT = "portal_login_at"
ACTIVE_AT = "portal_active_at"
ACTIVITY_RESOLUTION = 60.0  # seconds


def start_session_clock(sender: object, request: HttpRequest | None, user: object, **kwargs: object) -> None:
    """Signing in starts both clocks (connected to ``user_logged_in`` in ``PortalConfig.ready``).

    Setting them here, in the request that saves the new session anyway, spares the first
    page after signing in a session write of its own.
    """
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[LOGIN_AT] = now
        request.session[ACTIVE_AT] = now


class SessionLifetimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            login_at = session.get(LOGIN_AT)
            if login_at is None:
                session[LOGIN_AT] = login_at = now
            active_at = session.get(ACTIVE_AT, now)
            reason = None
            if now - login_at > settings.SESSION_MAX_SECONDS:
                reason = f"You were signed out {settings.SESSION_MAX_SECONDS // 3600} hours after signing in."
            elif now - active_at > settings.SESSION_IDLE_SECONDS:
                reason = f"You were signed out after {settings.SESSION_IDLE_SECONDS // 60} minutes without activity."
            if reason:
                logout(request)
                messages.info(request, reason + " Please sign in again.")
                login = f"{reverse('login')}?next={request.path}"
                if getattr(request, "htmx", False):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = login  # the whole page goes to the login form
                    return response
                return redirect(login)
            is_background = getattr(request, "htmx", False) and request.method == "GET"
            # Minute granularity: saving the session on every request would cost three queries each.
            if ACTIVE_AT not in session or (not is_background and now - active_at > ACTIVITY_RESOLUTION):
                session[ACTIVE_AT] = now
        return self.get_response(request)
