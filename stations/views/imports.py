"""The Imports page: template download, upload and validation report, confirmation, progress, failures.

The upload form chooses the mode: create-only (the default: a row whose station exists is
refused), or update, where such a row is a change of that station (``stations.csv_import.update``)
and the report lists every row as new, change (current → new), unchanged or invalid.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.access import Role, role_required
from portal.downloads import csv_response, spreadsheet_delimiter
from stations.csv_import import services
from stations.csv_import.format import COLUMN_NAMES, COLUMNS, MAX_BYTES, MAX_ROWS, template_rows_or_examples
from stations.bulk.forms import CHANGEABLE
from stations.csv_import.models import ImportJob, ImportRow
from stations.csv_import.selectors import ImportView, import_view, imports_for
from stations.csv_import.validate import backends_for_import

CREATED_SHOWN = 200  # new stations listed on an import's page; the station list has them all


def _get_view(request: HttpRequest, job_id: int) -> ImportView:
    # Another company's job answers 404; a shared one shows the reader's rows only.
    return import_view(get_object_or_404(imports_for(request.user), pk=job_id), request.user)


@role_required(Role.OPERATOR)
@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a CSV file to upload."))
            return redirect("stations:import_list")
        mode = request.POST.get("mode") or ImportJob.Mode.CREATE
        if mode not in ImportJob.Mode.values:
            messages.error(request, _("Choose what to do with rows whose station exists: refuse them or update it."))
            return redirect("stations:import_list")
        # A large file is checked by a worker, so that the request does not wait for it; its page follows.
        job = services.import_upload(user=request.user, stream=upload.file, file_name=upload.name,
                                     size=upload.size, mode=mode, defer=upload.size > settings.IMPORT_INLINE_MAX_BYTES)
        return redirect("stations:import_detail", job_id=job.pk)
    page = Paginator(imports_for(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "stations/import_list.html", {
        "page": page, "views": [import_view(job, request.user) for job in page], "columns": COLUMNS,
        "max_mb": MAX_BYTES // 1024 // 1024, "max_rows": MAX_ROWS, "backends": backends_for_import(request.user),
        "modes": ImportJob.Mode.choices, "changeable": [_(label) for label, _up, _kinds in CHANGEABLE.values()],
    })


@role_required(Role.OPERATOR)
@require_http_methods(["GET"])
def import_template(request: HttpRequest) -> HttpResponse:
    # Filled with the user's own backends, companies, locations and models, so its rows work here.
    return csv_response("stations-import-template.csv", COLUMN_NAMES,
                        template_rows_or_examples(services.template_rows(request.user)),
                        delimiter=spreadsheet_delimiter(request))


@role_required(Role.OPERATOR)
@require_http_methods(["GET"])
def import_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    view = _get_view(request, job_id)
    job = services.import_finish_if_settled(view.job)
    problems = view.rows.exclude(problems=[]).order_by("number")
    update = job.mode == ImportJob.Mode.UPDATE
    context = {
        "job": job, "view": view, "update": update,
        "problems": Paginator(problems, 100).get_page(request.GET.get("page")),
        "progress": services.import_progress(job, view.rows) if job.confirmed_at else None,
        "failed": list(services.failed_rows(job, view.rows))[:200] if job.confirmed_at else [],
    }
    if job.confirmed_at and not update:  # the new stations, each linked with its state
        created = view.rows.filter(problems=[], station__isnull=False).select_related("station").order_by("number")
        context.update({"created": list(created[:CREATED_SHOWN]), "created_count": created.count()})
    if update:
        # The row-by-row report: every row with what it does (the diff of a change, the problems of an invalid row).
        show = request.GET.get("show", "")
        rows = view.rows.select_related("batch_item__operation", "station").order_by("number")
        if show == "invalid":
            rows = rows.exclude(problems=[])
        elif show in ImportRow.Action.values:
            rows = rows.filter(problems=[], action=show)
        else:
            show = ""
        context.update({
            "counts": services.import_counts(view.rows), "show": show,
            "rows": Paginator(rows, 100).get_page(request.GET.get("page")),
            "changes": services.import_change_progress(job, request.user),
        })
        if context["progress"] is not None and not context["progress"]["total"] and context["changes"]:
            context["progress"] = None  # nothing to create: the changes' progress says it all
    if request.htmx and request.GET.get("part") in ("live", "progress", "checking"):
        # The header, progress and rows are one fragment: they always agree (it stops polling once settled).
        return render(request, "stations/import_detail.html#live", context | {"fragment": True})
    return render(request, "stations/import_detail.html", context)


@role_required(Role.OPERATOR)
@require_http_methods(["POST"])
def import_confirm(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _get_view(request, job_id).job
    try:
        job = services.import_confirm(user=request.user, job=job, valid_only=request.POST.get("valid_only") == "1")
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        if job.status == ImportJob.Status.DUPLICATE:
            messages.warning(request, job.file_problem)
        elif job.mode == ImportJob.Mode.UPDATE:
            counts = services.import_counts(ImportRow.objects.filter(job=job))
            messages.success(request, _("Creating %(create)s and changing %(change)s stations "
                                        "(%(unchanged)s unchanged, nothing sent for them); this page "
                                        "follows their progress.") % counts)
        else:
            messages.success(request, _("Creating %(n)s stations; this page follows their progress.") % {"n": job.valid_rows})
    return redirect("stations:import_detail", job_id=job.pk)


@role_required(Role.OPERATOR)
@require_http_methods(["POST"])
def import_retry(request: HttpRequest, job_id: int) -> HttpResponse:
    view = _get_view(request, job_id)
    count = services.import_retry_failed(job=view.job, rows=view.rows, user=request.user)
    messages.success(request, _("Sent %(n)s failed rows again.") % {"n": count})
    return redirect("stations:import_detail", job_id=job_id)


@role_required(Role.OPERATOR)
@require_http_methods(["GET"])
def import_rows_to_fix(request: HttpRequest, job_id: int) -> HttpResponse:
    """The reader's rows with validation problems or upstream failures, as CSV with a problem column."""
    view = _get_view(request, job_id)
    job = view.job
    invalid = view.rows.exclude(problems=[]).order_by("number").iterator()
    rows = [(row.raw, "; ".join(f"{c or 'row'}: {m}" for c, m in row.problems)) for row in invalid]
    rows += [(row.raw, op.error_message + "".join(f"; {f}: {m}" for f, m in op.field_errors.items()))
             for row, op in services.failed_rows(job, view.rows)]
    changes = view.rows.filter(batch_item__operation__status="failed").select_related("batch_item__operation")
    rows += [(row.raw, row.batch_item.operation.error_message) for row in changes.order_by("number")]
    return csv_response(f"import-{job.pk}-rows-to-fix.csv", [*COLUMN_NAMES, "problem"], services.rows_to_fix(rows),
                        delimiter=job.delimiter)


urlpatterns = [
    path("imports/", import_list, name="import_list"),
    path("imports/template.csv", import_template, name="import_template"),
    path("imports/<int:job_id>/", import_detail, name="import_detail"),
    path("imports/<int:job_id>/confirm/", import_confirm, name="import_confirm"),
    path("imports/<int:job_id>/retry/", import_retry, name="import_retry"),
    path("imports/<int:job_id>/rows-to-fix.csv", import_rows_to_fix, name="import_rows_to_fix"),
]
