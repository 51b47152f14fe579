"""The audit page for admins: every write, who made it, when, and the record before and after."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_GET

from portal.access import Role, company_ids, role_required
from portal.audit.models import AuditEntry
from portal.models import User

app_name = "audit"


def _entries_for(user: User) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.select_related("company")
    ids = company_ids(user)
    if ids is None:
        return entries
    # Company-less entries (users, shared catalogue) show when their author shares a company.
    return entries.filter(Q(company__in=ids) | Q(company__isnull=True, actor__companies__in=ids)).distinct()


@role_required(Role.ADMIN)
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    entries = _entries_for(request.user)
    action = request.GET.get("action", "").strip()
    actor = request.GET.get("actor", "").strip()
    if action:
        entries = entries.filter(action__istartswith=action)
    if actor:
        entries = entries.filter(actor_name__iexact=actor)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "audit/audit_list.html", {"page": page, "action": action, "actor": actor})


@role_required(Role.ADMIN)
@require_GET
def audit_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = get_object_or_404(_entries_for(request.user), pk=entry_id)
    keys = sorted(set(entry.before or {}) | set(entry.after or {})) if isinstance(entry.before or {}, dict) and \
        isinstance(entry.after or {}, dict) else []
    changes = [(k, (entry.before or {}).get(k), (entry.after or {}).get(k)) for k in keys]
    return render(request, "audit/audit_detail.html", {"entry": entry, "changes": changes})


urlpatterns = [
    path("", audit_list, name="list"),
    path("<int:entry_id>/", audit_detail, name="detail"),
]
