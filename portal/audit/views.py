"""The audit page for admins: every write, who made it, when, and the record before and after."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_GET

from portal import labels
from portal.access import Role, role_required
from portal.audit.selectors import entries_for, entry_states

app_name = "audit"


@role_required(Role.ADMIN)
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    entries = entries_for(request.user)
    action = request.GET.get("action", "").strip()
    actor = request.GET.get("actor", "").strip()
    if action:  # the words the list shows ("Invite user") or the code's start ("user.")
        named = [code for code, words in labels.AUDIT_ACTIONS.items() if action.casefold() in str(words).casefold()]
        entries = entries.filter(Q(action__istartswith=action) | Q(action__in=named))
    if actor:
        entries = entries.filter(actor_name__iexact=actor)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "audit/audit_list.html", {"page": page, "action": action, "actor": actor})


@role_required(Role.ADMIN)
@require_GET
def audit_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = get_object_or_404(entries_for(request.user), pk=entry_id)
    before, after = entry_states(entry, request.user)
    keys = sorted(set(before or {}) | set(after or {})) if isinstance(before or {}, dict) and \
        isinstance(after or {}, dict) else []
    changes = [(k, (before or {}).get(k), (after or {}).get(k)) for k in keys]
    return render(request, "audit/audit_detail.html", {"entry": entry, "changes": changes, "before": before,
                                                       "after": after})


urlpatterns = [
    path("", audit_list, name="list"),
    path("<int:entry_id>/", audit_detail, name="detail"),
]
