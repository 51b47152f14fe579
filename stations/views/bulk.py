"""Bulk changes: choose an action for a selection, preview it, confirm, follow it, retry what failed.

The selection comes from the station list's bulk form (checked rows, or
``scope=all`` with the list's filter) and is carried as query parameters until
the preview is stored. Batch pages show each user only their companies' rows;
a batch with none of them is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.access import Role, role_required
from portal.downloads import csv_response
from portal.models import Operation
from stations.bulk import services
from stations.bulk.forms import BulkActionForm
from stations.bulk.models import Batch, BatchItem
from stations.bulk.selection import Selection, SelectionRefused, describe
from stations.csv_import.selectors import import_view, imports_for

PER_PAGE = 50
# Maintenance windows are planned on their own page (``maintenance``), which takes a selection.
MAINTENANCE = ("maintenance", "Schedule maintenance (be.ENERGISED stations)")


def _selection(params: QueryDict) -> Selection:
    return Selection.from_params(params)


def _hidden(selection: Selection) -> list[tuple[str, str]]:
    params = selection.to_params()
    return [(name, value) for name, values in params.lists() for value in values]


@role_required(Role.OPERATOR)
@require_http_methods(["GET", "POST"])
def bulk_new(request: HttpRequest) -> HttpResponse:
    """The action form for a selection; submitting it stores a preview (or starts the export)."""
    params = request.POST if request.method == "POST" else request.GET
    try:
        selection = _selection(params)
        filter_form = selection.filter_form(request.user)
        count = selection.stations(request.user, filter_form, min_role=Role.OPERATOR).count()
    except SelectionRefused as exc:
        return render(request, "stations/bulk_refused.html", {"message": str(exc)}, status=400)
    form = BulkActionForm(request.POST if request.method == "POST" else None, user=request.user,
                          actions=[MAINTENANCE])
    if request.method == "POST" and form.is_valid():
        action = form.cleaned_data["action"]
        if action == "export":
            return redirect(f"{reverse('stations:export')}?{selection.to_params().urlencode()}")
        if action == "maintenance":
            if selection.filter is not None:
                return redirect(f"{reverse('maintenance:plan')}?{selection.filter}")
            # The planning page takes checked rows as a POST: one more click hands them over.
            return render(request, "stations/bulk_handover.html", {
                "action": reverse("maintenance:plan"), "ids": selection.ids, "count": count})
        kind = Batch.Kind.CHANGE if action == "change" else Batch.Kind.REFRESH
        try:
            batch = services.batch_preview_create(user=request.user, selection=selection, kind=kind,
                                                  params=form.params() if kind == Batch.Kind.CHANGE else {})
        except SelectionRefused as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("stations:batch_detail", batch_id=batch.pk)
    back = reverse("stations:list") + (f"?{selection.filter}" if selection.filter else "")
    return render(request, "stations/bulk_new.html", {
        "form": form, "hidden": _hidden(selection), "count": count, "back": back,
        "selection_text": describe(selection, count, filter_form),
    })


def _batch(request: HttpRequest, batch_id: int) -> Batch:
    return get_object_or_404(services.batches_for(request.user), pk=batch_id)


def _rows(request: HttpRequest, batch: Batch, show: str) -> Any:
    items = services.items_for(batch, request.user).select_related("operation").order_by("id")
    if show == "failed":
        items = items.filter(outcome=BatchItem.Outcome.CHANGE, operation__status=Operation.Status.FAILED)
    elif show == "conflict":
        items = items.filter(outcome=BatchItem.Outcome.CHANGE, operation__status=Operation.Status.CONFLICT)
    else:
        items = items.filter(outcome=show)
    return Paginator(items, PER_PAGE).get_page(request.GET.get("page"))


@role_required(Role.OPERATOR)
@require_http_methods(["GET"])
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch(request, batch_id)
    job = getattr(batch, "import_job", None) if batch.kind == Batch.Kind.IMPORT else None
    if job is not None:  # confirmed and followed on the import's page, with its new stations
        return redirect("stations:import_detail", job_id=job.pk)
    batch = services.batch_finish_if_settled(batch)
    counts = services.batch_counts(batch, request.user)
    sent = batch.status in (Batch.Status.CONFIRMED, Batch.Status.FINISHED)
    progress = services.batch_progress(batch, request.user) if sent else None
    tabs = [(o.value, o.label, counts[o.value]) for o in BatchItem.Outcome]
    if progress:
        tabs[1:1] = [("failed", "Failed", progress["failed"]), ("conflict", "Conflicts", progress["conflict"])]
    shows = {value for value, _label, _n in tabs}
    show = request.GET.get("show", "")
    if show not in shows:
        show = next((value for value, _label, n in tabs if n), BatchItem.Outcome.CHANGE)
    context = {
        "batch": batch, "counts": counts, "progress": progress, "tabs": tabs, "show": show,
        "selection_text": services.selection_text_for(batch, request.user),
        "rows": _rows(request, batch, show), "mine": batch.created_by_id == request.user.pk,
        "polling": batch.status == Batch.Status.CONFIRMED,
    }
    if request.htmx and request.GET.get("part") in ("live", "progress") and not request.htmx.history_restore_request:
        response = render(request, "stations/batch_detail.html#live", context | {"fragment": True})
    else:
        response = render(request, "stations/batch_detail.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@role_required(Role.OPERATOR)
@require_http_methods(["POST"])
def batch_confirm(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch(request, batch_id)
    try:
        batch = services.batch_confirm(user=request.user, batch=batch)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        sent = services.batch_progress(batch, request.user)["total"]
        messages.success(request, ngettext("Sending %(n)s change; this page follows it.", "Sending %(n)s changes; this page follows them.", sent) % {"n": sent})
    return redirect("stations:batch_detail", batch_id=batch.pk)


@role_required(Role.OPERATOR)
@require_http_methods(["POST"])
def batch_cancel(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch(request, batch_id)
    try:
        services.batch_cancel(user=request.user, batch=batch)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Preview cancelled; nothing was sent."))
    return redirect("stations:batch_detail", batch_id=batch.pk)


@role_required(Role.OPERATOR)
@require_http_methods(["POST"])
def batch_retry(request: HttpRequest, batch_id: int) -> HttpResponse:
    count = services.batch_retry_failed(user=request.user, batch=_batch(request, batch_id))
    messages.success(request, ngettext("Sent %(n)s failed row again; the others stay as they are.", "Sent %(n)s failed rows again; the others stay as they are.", count) % {"n": count})
    return redirect("stations:batch_detail", batch_id=batch_id)


@role_required(Role.OPERATOR)
@require_http_methods(["GET"])
def batch_failed_csv(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The failed rows (the user's companies only) with the upstream's message, as CSV."""
    batch = _batch(request, batch_id)
    rows = []
    for item in services.failed_items(batch, request.user).select_related("operation").order_by("id"):
        change = "; ".join(f"{label}: {old or '—'} → {new or '—'}" for label, old, new in item.diff)
        op = item.operation
        problem = op.error_message + "".join(f"; {f}: {m}" for f, m in op.field_errors.items())
        rows.append((item.station_id, item.label, item.identity, item.backend_name, change, problem))
    return csv_response(f"batch-{batch.pk}-failed.csv",
                        ["station_id", "label", "charge_box_identity", "backend", "change", "problem"], rows)


@role_required(Role.OPERATOR)
@require_http_methods(["GET"])
def batch_list(request: HttpRequest) -> HttpResponse:
    """One history of batches: bulk changes and CSV imports, newest first."""
    entries: list[dict[str, Any]] = []
    # A CSV import's changes are listed (and followed) as the import itself.
    batches = services.batches_for(request.user).exclude(kind=Batch.Kind.IMPORT).prefetch_related("companies")
    for batch in batches[:500]:
        entries.append({"kind": batch.get_kind_display(), "at": batch.created_at, "who": batch.created_by,
                        "what": f"{batch.summary} — {services.selection_text_for(batch, request.user)}", "status": batch.get_status_display(),
                        "finished": batch.status == Batch.Status.FINISHED,
                        "url": reverse("stations:batch_detail", args=[batch.pk]), "label": f"Batch #{batch.pk}"})
    for job in imports_for(request.user)[:500]:
        view = import_view(job, request.user)  # a shared file counts only the reader's rows
        entries.append({"kind": "CSV import", "at": job.created_at, "who": job.created_by,
                        "what": f"{job.file_name}: {view.total} rows, {view.valid} without problems",
                        "status": job.get_status_display(), "finished": job.status == "finished",
                        "url": reverse("stations:import_detail", args=[job.pk]), "label": f"Import #{job.pk}"})
    entries.sort(key=lambda e: e["at"], reverse=True)
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "stations/batch_list.html", {"page": page})


urlpatterns = [
    path("bulk/", bulk_new, name="bulk_new"),
    path("batches/", batch_list, name="batch_list"),
    path("batches/<int:batch_id>/", batch_detail, name="batch_detail"),
    path("batches/<int:batch_id>/confirm/", batch_confirm, name="batch_confirm"),
    path("batches/<int:batch_id>/cancel/", batch_cancel, name="batch_cancel"),
    path("batches/<int:batch_id>/retry/", batch_retry, name="batch_retry"),
    path("batches/<int:batch_id>/failed.csv", batch_failed_csv, name="batch_failed_csv"),
]
