"""The user's own page: the language and time zone the portal uses for them (issue 30).

Any signed-in user, whatever their role, changes their own choices here and nobody else's. The
language is also written to the language cookie, so the sign-in page keeps it after signing out.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal import services
from portal.forms_account import PreferencesForm


@login_required
@require_http_methods(["GET", "POST"])
def account_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = PreferencesForm(request.POST or None, initial={"language": user.language, "time_zone": user.time_zone})
    if request.method == "POST" and form.is_valid():
        services.user_set_preferences(
            user=user, language=form.cleaned_data["language"], time_zone=form.cleaned_data["time_zone"],
        )
        # The message in the language just chosen (the next page speaks it anyway).
        with translation.override(user.language or translation.get_language()):
            messages.success(request, _("Your settings are saved."))
        response = redirect("account")
        if user.language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, user.language, max_age=settings.LANGUAGE_COOKIE_AGE,
                secure=settings.LANGUAGE_COOKIE_SECURE, samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
    return render(request, "portal/account.html", {"form": form, "now": timezone.now()})
