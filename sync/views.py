"""The Sync page: refresh schedules per backend and entity, recent runs with progress, "refresh now".

Runs in progress poll their own fragment (htmx) until they settle; "refresh
now" (operators) only enqueues the run, the page shows it move. Admins change
a schedule's interval here, and confirm or reject removals the removal brake
held (``sync.removal_brake``). Backends of the user's companies are shown;
company-less ones (the shared catalogue, a multi-tenant ChargEye) to admins,
as on the Operations page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Max, QuerySet
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from portal.access import Role, company_ids, has_role, role_required, scoped
from portal.selectors import SHARED_BACKEND, SHARED_COUNTS, governs
from portal.models import Backend, RemovalHold, SyncRun, User
from sync.removal_brake import HoldSettled, brake_share, hold_confirm, hold_reject
from sync.refreshers import Refresher, refreshers_for
from sync.schedules import refresh_request, schedule_name, schedule_set_interval
from sync.selectors import backends_for, counts_marked, runs_for

app_name = "sync"
RECENT = 50


@dataclass
class ScheduleRow:
    backend: Backend
    refresher: Refresher
    minutes: int | None
    enabled: bool
    last: SyncRun | None
    governed: bool = False  # the user may change its schedule (not a shared backend, for a company's admin)
    may_refresh: bool = False
    may_schedule: bool = False

    @property
    def default_minutes(self) -> int:
        return max(1, int(self.refresher.interval.total_seconds() // 60))


def schedule_rows(user: User) -> list[ScheduleRow]:
    from django_celery_beat.models import PeriodicTask

    tasks = {t.name: t for t in PeriodicTask.objects.filter(task="portal.refresh").select_related("interval")}
    rows = []
    backends = list(backends_for(user))
    refreshable = set(backends_for(user, Role.OPERATOR).values_list("pk", flat=True))
    schedulable = set(backends_for(user, Role.ADMIN).values_list("pk", flat=True))
    last_ids = (SyncRun.objects.filter(backend__in=backends).exclude(status=SyncRun.Status.SKIPPED)
                .values("backend_id", "entity").annotate(last=Max("pk")).values_list("last", flat=True))
    latest = {(r.backend_id, r.entity): r for r in SyncRun.objects.filter(pk__in=list(last_ids))}
    for backend in backends:
        for refresher in refreshers_for(backend.kind):
            task = tasks.get(schedule_name(backend.pk, refresher.entity))
            minutes = task.interval.every // 60 if task and task.interval and task.interval.period == "seconds" else None
            rows.append(ScheduleRow(backend, refresher, minutes, bool(task and task.enabled),
                                    latest.get((backend.pk, refresher.entity)), governs(user, backend),
                                    backend.pk in refreshable, backend.pk in schedulable))
    return rows


def schedule_row(backend: Backend, entity: str) -> ScheduleRow:
    """One schedule card, for its fragment (the card follows its latest run while it moves)."""
    from django_celery_beat.models import PeriodicTask

    refresher = next(r for r in refreshers_for(backend.kind) if r.entity == entity)
    task = PeriodicTask.objects.filter(name=schedule_name(backend.pk, entity)).select_related("interval").first()
    minutes = task.interval.every // 60 if task and task.interval and task.interval.period == "seconds" else None
    last = (SyncRun.objects.filter(backend=backend, entity=entity).exclude(status=SyncRun.Status.SKIPPED)
            .order_by("-pk").first())
    return ScheduleRow(backend, refresher, minutes, bool(task and task.enabled), last)


def _runs_context(user: User) -> dict[str, Any]:
    runs = list(runs_for(user)[:RECENT])
    counts_marked(user, *runs)
    return {"runs": runs, "any_open": any(r.is_open for r in runs), "shared_counts": SHARED_COUNTS}


@role_required(Role.VIEWER)
@require_http_methods(["GET"])
def sync_list(request: HttpRequest) -> HttpResponse:
    if request.htmx and request.GET.get("part") == "card":  # one schedule card's last run, while it moves
        backend, entity = _backend_entity(request, RefreshForm(request.GET), Role.VIEWER)
        row = schedule_row(backend, entity)
        counts_marked(request.user, row.last)
        return render(request, "sync/sync_list.html#card_run", {"row": row})
    context = _runs_context(request.user)
    if request.htmx and request.GET.get("part") == "runs":
        return render(request, "sync/sync_list.html#runs", context)
    schedules = schedule_rows(request.user)
    counts_marked(request.user, *(row.last for row in schedules))
    context |= {"schedules": schedules, "may_refresh": has_role(request.user, Role.OPERATOR),
                "may_schedule": has_role(request.user, Role.ADMIN), "holds": list(pending_holds(request.user)),
                "brake_percent": round(brake_share() * 100)}
    return render(request, "sync/sync_list.html", context)


def holds_for(user: User, min_role: Role = Role.VIEWER) -> QuerySet[RemovalHold]:
    """Holds of the backends of the companies where the user holds ``min_role``. A shared backend's hold
    lists rows of every company, so only the platform's admins (superusers) see and decide it."""
    backends = (backends_for(user) if company_ids(user) is None
                else scoped(Backend.objects.all(), user, min_role=min_role))
    return RemovalHold.objects.filter(backend__in=backends).select_related("backend", "run", "decided_by")


def pending_holds(user: User) -> QuerySet[RemovalHold]:
    return holds_for(user).filter(status=RemovalHold.Status.PENDING)


@role_required(Role.VIEWER)
@require_http_methods(["GET"])
def hold_detail(request: HttpRequest, hold_id: int) -> HttpResponse:
    """Every row a held full refresh would mark removed; admins confirm or reject here."""
    hold = get_object_or_404(holds_for(request.user), pk=hold_id)
    return render(request, "sync/hold_detail.html", {
        "hold": hold, "may_decide": hold.status == RemovalHold.Status.PENDING
        and holds_for(request.user, Role.ADMIN).filter(pk=hold.pk).exists(),
        "brake_percent": round(brake_share() * 100),
    })


class HoldDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", "Mark them removed"), ("reject", "Keep them")])


@role_required(Role.ADMIN)
@require_http_methods(["POST"])
def hold_decide(request: HttpRequest, hold_id: int) -> HttpResponse:
    hold = get_object_or_404(holds_for(request.user), pk=hold_id)
    if not holds_for(request.user, Role.ADMIN).filter(pk=hold.pk).exists():
        raise PermissionDenied("Deciding a hold needs the admin role in the backend's company.")
    form = HoldDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to mark the stations removed or keep them (field: decision).")
        return redirect("sync:hold", hold_id=hold.pk)
    try:
        if form.cleaned_data["decision"] == "confirm":
            marked = hold_confirm(hold=hold, actor=request.user)
            messages.success(request, f"{hold.backend.name} · {hold.entity}: {marked} marked removed.")
        else:
            hold_reject(hold=hold, actor=request.user)
            messages.success(request, f"{hold.backend.name} · {hold.entity}: all {hold.count} kept.")
    except HoldSettled as exc:
        messages.error(request, str(exc))
    return redirect("sync:hold", hold_id=hold.pk)


@role_required(Role.VIEWER)
@require_http_methods(["GET"])
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(runs_for(request.user), pk=run_id)
    counts_marked(request.user, run)
    template = "sync/run_detail.html#progress" if request.htmx else "sync/run_detail.html"
    return render(request, template, {"run": run, "shared_counts": SHARED_COUNTS})


class RefreshForm(forms.Form):
    backend = forms.IntegerField()
    entity = forms.CharField(max_length=40)
    full = forms.BooleanField(required=False, label="Full read")


def _backend_entity(request: HttpRequest, form: forms.Form, need: Role) -> tuple[Backend, str]:
    """The posted backend (404 unless the user sees it; 403 without ``need`` in its company) and entity."""
    if not form.is_valid():
        raise Http404("No such backend or entity.")
    backend = get_object_or_404(backends_for(request.user), pk=form.cleaned_data["backend"])
    if not backends_for(request.user, need).filter(pk=backend.pk).exists():
        raise PermissionDenied(f"This needs the {need.label.lower()} role in the backend's company.")
    entity = form.cleaned_data["entity"]
    if entity not in {r.entity for r in refreshers_for(backend.kind)}:
        raise Http404("No such backend or entity.")
    return backend, entity


@role_required(Role.OPERATOR)
@require_http_methods(["POST"])
def refresh_now(request: HttpRequest) -> HttpResponse:
    backend, entity = _backend_entity(request, form := RefreshForm(request.POST), Role.OPERATOR)
    run = refresh_request(backend=backend, entity=entity, user=request.user, full=form.cleaned_data["full"] or None)
    if request.htmx:
        # The card's live region shows the new run at once and follows it; the runs list redraws itself.
        response = render(request, "sync/sync_list.html#card_run",
                          {"row": schedule_row(backend, entity)})
        response["HX-Trigger"] = "syncRunsChanged"
        return response
    messages.success(request, f"Refresh of {backend.name} · {entity} queued as run {run.pk}.")
    return redirect("sync:run", run_id=run.pk)


class ScheduleForm(RefreshForm):
    minutes = forms.IntegerField(min_value=1, max_value=7 * 24 * 60, label="Every (minutes)")
    enabled = forms.BooleanField(required=False)


@role_required(Role.ADMIN)
@require_http_methods(["POST"])
def schedule_edit(request: HttpRequest) -> HttpResponse:
    form = ScheduleForm(request.POST)
    if not form.is_valid() and set(form.errors) <= {"minutes"}:
        messages.error(request, f"Interval not changed: {' '.join(form.errors['minutes'])}")
        return redirect(reverse("sync:list") + "#schedules")
    backend, entity = _backend_entity(request, form, Role.ADMIN)
    if not governs(request.user, backend):
        raise PermissionDenied(SHARED_BACKEND)
    schedule_set_interval(backend, entity, minutes=form.cleaned_data["minutes"], enabled=form.cleaned_data["enabled"],
                          actor=request.user)
    state = "every" if form.cleaned_data["enabled"] else "paused; was every"
    messages.success(request, f"{backend.name} · {entity}: {state} {form.cleaned_data['minutes']} min.")
    return redirect(reverse("sync:list") + "#schedules")


urlpatterns = [
    path("", sync_list, name="list"),
    path("runs/<int:run_id>/", run_detail, name="run"),
    path("refresh/", refresh_now, name="refresh"),
    path("schedule/", schedule_edit, name="schedule"),
    path("holds/<int:hold_id>/", hold_detail, name="hold"),
    path("holds/<int:hold_id>/decide/", hold_decide, name="hold_decide"),
]
