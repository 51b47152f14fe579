"""Station writes: create, full edit (PUT), quick edits (PATCH), refresh, conflicts.

Views parse, check access, call ``stations.services`` and render; they never
call an upstream. The write goes through the outbox; an htmx write swaps the
station's actions (``_station_actions.html``) and announces it, and the station
page's live part polls until the station settles (``browse.station_detail``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.access import Role, get_scoped_or_404, has_role, role_required
from sync.mirror import SyncState
from portal.models import Backend, Operation
from stations import services
from stations.forms.create import StationCreateForm, apply_errors
from stations.forms.edit import QUICK_FIELDS, StationEditForm, quick_edit_form
from stations.forms.evse_rows import EvseRows
from stations.models import HardwareTemplate, Station
from stations.selectors import station_edit_refusal
from stations.views.conflicts import open_conflict
from stations.validation import validate_station_input
from stations.versions import shown_version

WRITE_EVENTS = "stationsChanged, operationsChanged"
ROW_ACTIONS = ("add_evse", "remove_evse", "add_connector", "remove_connector")


def _station(request: HttpRequest, station_id: int, min_role: Role = Role.VIEWER) -> Station:
    """One station the user may read; a write passes ``min_role`` (the role in the station's company)."""
    stations = Station.objects.select_related("backend", "company", "location", "template")
    return get_scoped_or_404(stations, request.user, pk=station_id, min_role=min_role)


def _sent(request: HttpRequest, station: Station) -> None:
    messages.success(  # "until-synced": the station page hides it once the station is no longer pending
        request, _("Sent to %(platform)s; it will show as synced when the upstream confirms.") % {"platform": station.backend.name},
        extra_tags="until-synced")


def _written(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """After a write, htmx pages refresh their station and operation lists."""
    if request.htmx:
        response["HX-Trigger"] = WRITE_EVENTS
    return response


# --- create -------------------------------------------------------------------------------

@role_required(Role.OPERATOR)
@require_http_methods(["GET", "POST"])
def station_create(request: HttpRequest) -> HttpResponse:
    """One form for both kinds. Buttons other than "Create station" only re-render it (new choices, rows)."""
    action = request.POST.get("action", "save") if request.method == "POST" else "show"
    focus = None
    if action == "save":
        form = StationCreateForm(request.POST, user=request.user)
        manual = form.kind == Backend.Kind.GREENFLUX and not form.uses_template
        rows = EvseRows.bound(request.POST) if manual else None
        station = _create_if_valid(request, form, rows)
        if station is not None:
            _sent(request, station)
            return _written(request, redirect("stations:detail", station.pk))
    else:
        # Re-render from what was typed, without judging it yet (no errors on a half-filled form).
        source = request.POST if request.method == "POST" else request.GET
        probe = StationCreateForm(source, user=request.user)
        initial = {name: value for name, value in _posted(probe, source).items()
                   if value not in (None, "", [])}
        if request.method == "GET" and not initial.get("backend"):
            only = probe.fields["backend"].queryset
            initial["backend"] = only.get().pk if only.count() == 1 else None
        form = StationCreateForm(user=request.user, initial=initial)
        rows = None
        if form.kind == Backend.Kind.GREENFLUX:
            if request.method == "POST" and "evse-count" in request.POST:
                rows, focus = EvseRows.after_action(request.POST, action)
            else:
                rows = EvseRows.new()
    context = {"form": form, "backend": form.backend, "rows": rows, "focus": focus,
               "template_preview": _preview(form)}
    if request.htmx and action != "save":
        rows_only = action.split(":")[0] in ROW_ACTIONS and rows is not None
        partial = "stations/_edit_evses.html" if rows_only else "stations/station_form.html#form-body"
        return render(request, partial, context)
    return render(request, "stations/station_form.html", context)


def _posted(form: StationCreateForm, data: Any) -> dict[str, Any]:
    return {name: field.widget.value_from_datadict(data, {}, form.add_prefix(name))
            for name, field in form.fields.items()}


def _create_if_valid(request: HttpRequest, form: StationCreateForm, rows: EvseRows | None) -> Station | None:
    form_ok = form.is_valid()
    rows_ok = rows.is_valid() if rows is not None else True
    if not (form_ok and rows_ok) or form.backend is None:
        return None
    data = form.station_input(rows.inputs() if rows is not None else [])
    errors = validate_station_input(data)
    if errors:
        apply_errors(form, rows, errors)
        return None
    try:
        return services.station_create(user=request.user, data=data)
    except IntegrityError:  # another user took the identity between our check and the insert
        form.add_error("charge_box_identity", "This identity was taken a moment ago; choose another.")
        return None


def _preview(form: StationCreateForm) -> HardwareTemplate | None:
    return form.chosen_template if form.kind == Backend.Kind.GREENFLUX else None


# --- edit (PUT) ---------------------------------------------------------------------------

@role_required(Role.OPERATOR)
@require_http_methods(["GET", "POST"])
def station_edit(request: HttpRequest, station_id: int) -> HttpResponse:
    station = _station(request, station_id, Role.OPERATOR)
    reason = station_edit_refusal(station)
    if reason:
        return render(request, "stations/station_edit.html", {"station": station, "reason": reason},
                      status=200 if request.method == "GET" else 409)
    if open_conflict(station):
        messages.warning(request, _("This station has a conflict to resolve before it can be edited again."))
        return redirect("stations:conflict", station.pk)
    form = StationEditForm(request.POST or None, station=station, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            op = services.station_edit(user=request.user, station=station, shown=form.shown,
                                       changes=form.changes())
        except services.StationInConflict as exc:
            messages.warning(request, str(exc))
            return redirect("stations:conflict", station.pk)
        if op is None:
            messages.info(request, _("You changed nothing, so nothing was sent."))
        else:
            _sent(request, station)
        return _written(request, redirect("stations:detail", station.pk))
    if form.stale:
        messages.warning(request, StationEditForm.STALE)
        form = StationEditForm(station=station, user=request.user)
    return render(request, "stations/station_edit.html", {"station": station, "form": form})


# --- quick edits (PATCH), refresh and the actions fragment ------------------------------------

def actions_context(
    request: HttpRequest, station: Station, forms: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What ``_station_actions.html`` shows; the station page draws it inline with the rest."""
    ops = Operation.objects.filter(target_type="station", target_id=station.pk)
    open_ops = list(ops.filter(status__in=Operation.OPEN).order_by("created_at"))
    may_write = has_role(request.user, Role.OPERATOR, station.company_id)
    reason = station_edit_refusal(station)
    quick = []
    if may_write and not reason:
        given = forms or {}
        shown = shown_version(station)  # one version for all the page's quick forms
        quick = [given.get(name) or quick_edit_form(station, name, request.user, shown=shown)
                 for name in QUICK_FIELDS]
    return {
        "station": station, "open_ops": open_ops, "polling": bool(open_ops),
        "conflict": open_conflict(station),
        "failed": ops.filter(status=Operation.Status.FAILED).order_by("-created_at", "-id").first()
        if station.sync_state == SyncState.FAILED else None,
        "may_write": may_write, "not_editable": reason, "quick_forms": quick,
        "last_refresh": _last_refresh(ops) if not open_ops else None,
        "actions": True,
    }


def _last_refresh(ops: Any) -> Operation | None:
    """The station's latest operation if it is a finished "Refresh from upstream" (its result lists what changed)."""
    latest = ops.order_by("-created_at", "-id").first()
    if latest and latest.kind == "station.refresh" and latest.status == Operation.Status.DONE \
            and "changed" in latest.result:
        return latest
    return None


def _render_actions(
    request: HttpRequest, station: Station, forms: dict[str, Any] | None = None
) -> HttpResponse:
    return render(request, "stations/_station_actions.html", actions_context(request, station, forms))


@role_required(Role.VIEWER)
@require_http_methods(["GET"])
def station_actions(request: HttpRequest, station_id: int) -> HttpResponse:
    """The sync state and actions of one station, alone (the station page draws them inline and polls itself)."""
    return _render_actions(request, _station(request, station_id))


@role_required(Role.OPERATOR)
@require_http_methods(["GET"])
def station_quick(request: HttpRequest, station_id: int) -> HttpResponse:
    """The quick edits as a page of their own, for browsers without JavaScript."""
    station = _station(request, station_id, Role.OPERATOR)
    return render(request, "stations/station_edit.html", {"station": station, "quick": True,
                                                          **actions_context(request, station)})


@role_required(Role.OPERATOR)
@require_http_methods(["POST"])
def station_quick_edit(request: HttpRequest, station_id: int, field: str) -> HttpResponse:
    station = _station(request, station_id, Role.OPERATOR)
    reason = station_edit_refusal(station)
    if field not in QUICK_FIELDS or reason:
        messages.error(request, reason or _("That field cannot be changed with a quick edit."))
        return redirect("stations:detail", station.pk)
    form = quick_edit_form(station, field, request.user, request.POST)
    if not form.is_valid():
        if request.htmx:
            return _render_actions(request, station, {field: form})
        return render(request, "stations/station_edit.html", {
            "station": station, "quick": True, **actions_context(request, station, {field: form})})
    value = form.cleaned_data["value"]
    if field != "location":
        value = value or ""
    try:
        # As for refresh: an htmx answer is drawn in the write's transaction, before the worker is told
        # (on commit), so it says "waiting", never a result the rest of the page, redrawn next, lacks.
        with transaction.atomic():
            op = services.station_patch(user=request.user, station=station, name=field, value=value,
                                        shown=form.cleaned_data["shown_token"])
            station.refresh_from_db()
            if request.htmx:
                return _written(request, _render_actions(request, station))
    except services.StationInConflict as exc:
        messages.warning(request, str(exc))
        return _render_actions(request, station) if request.htmx else redirect("stations:conflict", station.pk)
    if op is None:
        messages.info(request, _("That is the value it already had, so nothing was sent."))
    else:
        _sent(request, station)
    return redirect("stations:detail", station.pk)


@role_required(Role.OPERATOR)
@require_http_methods(["POST"])
def station_refresh(request: HttpRequest, station_id: int) -> HttpResponse:
    station = _station(request, station_id, Role.OPERATOR)
    if not station.upstream_id:
        messages.error(request, _("This station is not on %(platform)s yet; nothing to refresh.") % {"platform": station.backend.name})
    else:
        # An htmx answer swaps the actions alone, so it is drawn before the worker is told (on commit):
        # it says "waiting", never a result the heading beside it does not show yet; the live part
        # draws both from one snapshot when stationsChanged makes it redraw.
        with transaction.atomic():
            services.station_refresh(user=request.user, station=station)
            if request.htmx:
                return _written(request, _render_actions(request, station))
        messages.info(request,
                      _("Reading the station from %(platform)s; the page updates when it is back.") % {"platform": station.backend.name})
    if request.htmx:
        return _written(request, _render_actions(request, station))
    return redirect("stations:detail", station.pk)


urlpatterns: list[URLPattern] = [
    path("new/", station_create, name="create"),
    path("<int:station_id>/edit/", station_edit, name="edit"),
    path("<int:station_id>/actions/", station_actions, name="actions"),
    path("<int:station_id>/quick/", station_quick, name="quick"),
    path("<int:station_id>/quick/<str:field>/", station_quick_edit, name="quick_edit"),
    path("<int:station_id>/refresh/", station_refresh, name="refresh"),
]
