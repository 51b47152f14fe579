"""The dashboard: what a user's companies hold and whether the workers run."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.access import Role, role_required
from portal.selectors import companies_for, dashboard_figures


@role_required(Role.VIEWER)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/dashboard.html",
        {"figures": dashboard_figures(request.user), "companies": companies_for(request.user)},
    )
