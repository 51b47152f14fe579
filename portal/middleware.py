"""Session lifetime: signed out after 30 minutes idle or 12 hours after signing in.

Background htmx GETs (polling badges, progress bars) do not count as activity,
or a page left open would keep its session alive for ever. Activity is saved
in the session at most every :func:`activity_resolution` seconds (a twentieth
of the idle limit, at most a minute), so any idle limit holds to within 5 %:
a user whose requests are less than 95 % of the limit apart is never signed
out, and an idle one is signed out after between 95 % and 100 % of it.

A request that finds itself signed out (the session expired here, or its
cookie is gone) goes to the sign-in page with "You are signed out" and a
``next`` that returns to the *page* the user was on: for an htmx fragment
that is the page in ``HX-Current-URL`` (answered with ``HX-Redirect`` so the
whole page moves instead of the sign-in form being swapped into it), for a
form POST the page it was sent from (``Referer``), never a POST-only URL.
What the user had typed in an htmx form is kept by ``static/js/keep-input.js``
(sessionStorage, restored after signing in).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.shortcuts import redirect
from django.urls import reverse

LOGIN_AT = "portal_login_at"
ACTIVE_AT = "portal_active_at"
ACTIVITY_RESOLUTION = 60.0  # seconds, at most: saving the session on every request costs three queries


def activity_resolution(idle_limit: float) -> float:
    """How stale the recorded activity may get: a twentieth of the idle limit, at most a minute."""
    return min(ACTIVITY_RESOLUTION, idle_limit / 20)


def duration_words(seconds: int) -> str:
    """``7200`` → "2 hours", ``60`` → "1 minute", ``90`` → "90 seconds": the largest whole unit."""
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            n = seconds // size
            return f"{n} {unit}{'' if n == 1 else 's'}"
    return f"{seconds} second{'' if seconds == 1 else 's'}"


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
            idle_limit = settings.SESSION_IDLE_SECONDS
            if now - login_at > settings.SESSION_MAX_SECONDS:
                reason = f"{duration_words(settings.SESSION_MAX_SECONDS)} after signing in"
            elif now - active_at > idle_limit:
                reason = f"{duration_words(idle_limit)} without activity"
            if reason:
                logout(request)
                return signed_out_response(request, f"You are signed out ({reason}). Please sign in again.")
            is_background = getattr(request, "htmx", False) and request.method == "GET"
            if ACTIVE_AT not in session or (not is_background and now - active_at > activity_resolution(idle_limit)):
                session[ACTIVE_AT] = now
        return self.get_response(request)


def return_path(request: HttpRequest) -> str:
    """The page to come back to after signing in (see the module docstring)."""
    candidates = []
    if getattr(request, "htmx", False):
        candidates.append(request.headers.get("HX-Current-URL", ""))
    if request.method != "GET":
        candidates.append(request.headers.get("Referer", ""))
    for url in candidates:
        if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
            parts = urlsplit(url)
            if parts.path and not parts.path.startswith(reverse("login")):
                return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.get_full_path() if request.method == "GET" else reverse("dashboard")


def signed_out_response(request: HttpRequest, message: str) -> HttpResponse:
    messages.info(request, message)
    login = f"{reverse('login')}?{urlencode({'next': return_path(request)})}"
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = login  # the whole page goes to the sign-in form
        return response
    return redirect(login)


class SignedOutMiddleware:
    """Turns the sign-in redirect of ``login_required`` into :func:`signed_out_response`.

    A browser that sends a session cookie the server no longer knows was
    signed out; one without any was never signed in and gets no message.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (response.status_code == 302 and not request.user.is_authenticated
                and urlsplit(response.get("Location", "")).path == reverse("login")
                and request.path != reverse("login")):
            had_session = settings.SESSION_COOKIE_NAME in request.COOKIES
            if had_session:
                return signed_out_response(request, "You are signed out. Please sign in again.")
            if getattr(request, "htmx", False):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = f"{reverse('login')}?{urlencode({'next': return_path(request)})}"
        return response
