"""The language and time zone of each request (issue 30; docs/i18n.md).

Django's ``LocaleMiddleware`` (before this one) picks the language from the language cookie (the
sign-in page's switch) or the browser's ``Accept-Language``. Once the user is known, this middleware
applies what they chose on their own page (``User.language``, ``User.time_zone``): the choice follows
the person to any browser. A blank choice keeps the browser's language and the portal's ``TIME_ZONE``.

The REST API speaks one dialect whatever the request says: the portal's ``LANGUAGE_CODE`` (so numbers
the API passes to the pages' forms keep "." decimals, ``api.forms_bridge``) and times in the portal's
``TIME_ZONE``. Clients parse its answers; they should not change with a person's settings.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation


@cache
def time_zone_names() -> tuple[str, ...]:
    """Every IANA time zone the machine knows, "Area/City" ones only (no "EST5EDT", "Etc/GMT+3"), sorted."""
    names = {n for n in zoneinfo.available_timezones() if "/" in n and not n.startswith(("Etc/", "SystemV/"))}
    return tuple(sorted(names | {settings.TIME_ZONE}))


def valid_time_zone(name: str) -> bool:
    return name in time_zone_names()


def language_codes() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


@cache
def _api_prefix() -> str:
    return reverse("api:schema").removesuffix("schema/")


class UserLocaleMiddleware:
    """Activate the signed-in user's language and time zone (after ``AuthenticationMiddleware``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(_api_prefix()):
            language, zone = settings.LANGUAGE_CODE, settings.TIME_ZONE
        else:
            user = getattr(request, "user", None)
            signed_in = user is not None and user.is_authenticated
            language = user.language if signed_in and user.language in language_codes() else None
            zone = user.time_zone if signed_in and user.time_zone and valid_time_zone(user.time_zone) else None
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        if zone:
            timezone.activate(zoneinfo.ZoneInfo(zone))
        try:
            return self.get_response(request)
        finally:
            # Threads serve other requests next: leave no zone behind (LocaleMiddleware resets the language).
            timezone.deactivate()
