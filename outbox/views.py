"""The Operations page: recent upstream writes, their state, and a retry for failed ones.

Open operations (queued, in flight) refresh in place: each such row polls its
own fragment until it settles. The rows also reload on an ``operationsChanged``
event, which a retry (or any page that enqueues writes) sends as ``HX-Trigger``.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.views.decorators.http import require_http_methods

from portal.access import Role, has_role, may_use_company, role_required
from portal.models import Operation, User
from outbox.operations import operation_retry
from outbox.selectors import OperationFilters, operation_filter_choices, operations_filtered, operations_for

app_name = "operations"
PAGE_SIZE = 50
# Where a target's own page lives, per target type; types without one show their label only.
TARGET_PAGES = {"station": "stations:detail", "location": "locations:detail", "model": "models_catalog:detail"}


class OperationFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Operation.Status.choices])
    kind = forms.ChoiceField(required=False)
    backend = forms.ChoiceField(required=False)
    target_type = forms.ChoiceField(required=False, label="Target type")
    target = forms.CharField(required=False, max_length=200, label="Target",
                             widget=forms.TextInput(attrs={"type": "search", "placeholder": "Label contains…"}))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = operation_filter_choices(user)
        self.fields["kind"].choices = [("", "Any kind"), *choices["kind"]]
        self.fields["backend"].choices = [("", "Any backend"), *choices["backend"]]
        self.fields["target_type"].choices = [("", "Any type"), *choices["target_type"]]

    def filters(self) -> OperationFilters:
        """The valid filters; an invalid one is reported next to its field and not applied."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        backend = data.get("backend")
        return OperationFilters(
            status=data.get("status") or "", kind=data.get("kind") or "",
            backend_id=int(backend) if backend else None, target_type=data.get("target_type") or "",
            target=(data.get("target") or "").strip(),
        )


def target_url(op: Operation) -> str:
    name = TARGET_PAGES.get(op.target_type)
    if not name or op.target_id is None:
        return ""
    try:
        return reverse(name, args=[op.target_id])
    except NoReverseMatch:  # that page is not built (yet)
        return ""


def may_retry(user: User, op: Operation) -> bool:
    """A retry writes: the operator role in the operation's company (a company-less one, of the shared
    catalogue: an admin)."""
    if op.company_id is None:
        return has_role(user, Role.ADMIN)
    return may_use_company(user, op.company_id, Role.OPERATOR)


def _rows(operations: Any, user: User) -> list[dict[str, Any]]:
    return [{"op": op, "target_url": target_url(op), "may_retry": may_retry(user, op)} for op in operations]



def _get_operation(request: HttpRequest, operation_id: int) -> Operation:
    # Outside the user's companies (or company-less for a non-admin): 404, so ids do not leak.
    return get_object_or_404(operations_for(request.user), pk=operation_id)


@role_required(Role.VIEWER)
@require_http_methods(["GET"])
def operation_list(request: HttpRequest) -> HttpResponse:
    form = OperationFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    page = Paginator(operations_filtered(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form, "page": page, "rows": _rows(page, request.user),
        "filtered": filters != OperationFilters(),
    }
    template = "outbox/list.html"
    return render(request, f"{template}#rows" if request.htmx else template, context)


@role_required(Role.VIEWER)
@require_http_methods(["GET"])
def operation_row(request: HttpRequest, operation_id: int) -> HttpResponse:
    """One row of the list, for htmx polling while the operation is open."""
    op = _get_operation(request, operation_id)
    if not request.htmx:
        return redirect("operations:detail", op.pk)
    context = {"row": _rows([op], request.user)[0]}
    return render(request, "outbox/list.html#row", context)


def _pretty(value: Any) -> str:
    if value in (None, {}, []):
        return ""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


@role_required(Role.VIEWER)
@require_http_methods(["GET"])
def operation_detail(request: HttpRequest, operation_id: int) -> HttpResponse:
    op = _get_operation(request, operation_id)
    visible = operations_for(request.user)
    context = {
        "op": op, "target_url": target_url(op), "may_retry": may_retry(request.user, op),
        "payload": _pretty(op.payload), "result": _pretty(op.result),
        "upstream_current": _pretty(op.upstream_current),
        "field_errors": sorted((op.field_errors or {}).items()),
        # A chain's other steps, as far as the user may see them.
        "parent": visible.filter(pk=op.parent_id).first() if op.parent_id else None,
        "children": list(visible.filter(parent_id=op.pk).order_by("created_at", "id")),
    }
    template = "outbox/detail.html"
    return render(request, f"{template}#state" if request.htmx else template, context)


@role_required(Role.OPERATOR)
@require_http_methods(["POST"])
def operation_retry_view(request: HttpRequest, operation_id: int) -> HttpResponse:
    op = _get_operation(request, operation_id)
    if not may_retry(request.user, op):
        raise PermissionDenied("A retry needs the operator role in the operation's company.")
    problem = ""
    if op.status != Operation.Status.FAILED:
        problem = f"Only failed operations can be retried; this one is {op.get_status_display().lower()}."
    elif op.parent_id and op.parent.status != Operation.Status.DONE:
        problem = "An earlier step of this change has not succeeded: retry that one first."
    if not problem:
        op = operation_retry(op)
    if request.htmx:
        response = render(request, "outbox/list.html#row",
                          {"row": _rows([op], request.user)[0], "problem": problem})
        response["HX-Trigger"] = "operationsChanged"
        return response
    if problem:
        messages.error(request, problem)
    else:
        messages.success(request, f"Operation #{op.pk} sent again.")
    return redirect("operations:detail", op.pk)


urlpatterns = [
    path("", operation_list, name="list"),
    path("<int:operation_id>/", operation_detail, name="detail"),
    path("<int:operation_id>/row/", operation_row, name="row"),
    path("<int:operation_id>/retry/", operation_retry_view, name="retry"),
]
