"""The dashboard: what a user's companies hold and whether the workers run."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.access import Role, has_role, role_required
from portal.selectors import companies_for
from dashboard.selectors import dashboard_figures
from dashboard.setup_checklist import setup_steps


@role_required(Role.VIEWER)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    steps = setup_steps(request.user) if has_role(request.user, Role.ADMIN) else []
    return render(
        request,
        "dashboard/dashboard.html",
        {"figures": dashboard_figures(request.user), "companies": companies_for(request.user),
         # Until every step is done (then the list goes away for good: the steps read real state).
         "setup_steps": steps if not all(step.done for step in steps) else []},
    )
