"""The user's API tokens page: create one (shown once), see when each was used, revoke one."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from api.forms import TokenCreateForm
from api.models import ApiToken
from api.services import api_token_create, api_token_revoke
from portal.access import Role, role_required


@role_required(Role.VIEWER)
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        row, token = api_token_create(user=request.user, name=form.cleaned_data["name"],
                                      scope=form.cleaned_data["scope"], expires_at=form.expires_at())
        # Shown on this answer only (never stored, never redirected through a message).
        return render(request, "api/token_created.html", {"row": row, "token": token})
    tokens = ApiToken.objects.filter(user=request.user)
    return render(request, "api/token_list.html", {"form": form, "tokens": tokens}, status=400 if form.errors else 200)


@role_required(Role.VIEWER)
@require_http_methods(["POST"])
def token_revoke(request: HttpRequest) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=_int(request.POST.get("token")), user=request.user)  # one's own only
    api_token_revoke(user=request.user, token=token)
    messages.success(request, _("Token “%(name)s” is revoked; it no longer works.") % {"name": token.name})
    return redirect("api_tokens")


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None
