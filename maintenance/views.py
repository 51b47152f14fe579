"""Maintenance pages: the company-scoped timeline, a station's new window, planning for many, cancelling.

Views read the mirror only; writes go through ``maintenance.services`` (the
outbox). Planning for many stations takes either the station list's filters
(GET, the "Plan maintenance for these stations" link) or a selection of
checked station ids (POST ``station``), and shows one result per station.
The station list's filters are read with the stations app's own filter form
and selector, so the stations planned are exactly the ones the list showed.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from maintenance import selectors, services
from maintenance.forms import WindowFilterForm, WindowForm, default_window
from maintenance.models import MaintenanceWindow
from maintenance.timeline import build_timeline
from portal import formatting
from portal.access import Role, get_scoped_or_404, has_role, role_required, scoped
from sync.mirror import SyncState
from portal.models import Backend
from stations.filters import StationFilterForm
from stations.models import Station
from stations.selectors import station_filter

MAX_PLAN = 1000  # stations in one "plan for many" action


def _overlap_note(overlaps: list[MaintenanceWindow]) -> str:
    spans = ", ".join(
        f"{formatting.day_time(w.starts_at)}–{formatting.day_time(w.ends_at)}" for w in overlaps
    )
    return ngettext("It overlaps %(n)s other window of this station (%(spans)s).",
                    "It overlaps %(n)s other windows of this station (%(spans)s).", len(overlaps)) % {
        "n": len(overlaps), "spans": spans}


@role_required(Role.VIEWER)
@require_http_methods(["GET"])
def window_list(request: HttpRequest) -> HttpResponse:
    form = WindowFilterForm(request.GET or None, user=request.user, locations=selectors.window_locations(request.user))
    since, until = form.period()
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    windows = selectors.windows_in(request.user, since, until, location=data.get("location"),
                                   backend=data.get("backend"))
    total = windows.count()
    shown = list(windows[:selectors.SHOWN])
    return render(request, "maintenance/window_list.html", {
        "form": form, "windows": shown, "total": total, "truncated": total > len(shown),
        "timeline": build_timeline(shown, since, until), "since": since, "until": until,
        "now": timezone.now(), "can_write": has_role(request.user, Role.OPERATOR),
    })


def _station(request: HttpRequest, station_id: int) -> Station:
    """A station to plan a window on: the operator role in its company."""
    return get_scoped_or_404(Station.objects.select_related("backend", "company"), request.user, pk=station_id,
                             min_role=Role.OPERATOR)


@role_required(Role.OPERATOR)
@require_http_methods(["GET", "POST"])
def window_create(request: HttpRequest, station_id: int) -> HttpResponse:
    station = _station(request, station_id)
    refusal = services.station_refusal(station)
    form = WindowForm(request.POST if request.method == "POST" else None, station=station,
                      initial=default_window())
    if request.method == "POST" and not refusal and form.is_valid():
        data = form.to_input()
        overlaps = services.overlapping(station, data.starts_at, data.ends_at)
        services.maintenance_window_create(user=request.user, station=station, data=data)
        messages.success(request, _("Maintenance window planned for %(station)s; sending it to %(backend)s.") % {
            "station": station.label, "backend": station.backend.name})
        if overlaps:
            messages.warning(request, _overlap_note(overlaps))
        return redirect(reverse("stations:detail", args=[station.pk]) + "#maintenance-heading")
    return render(request, "maintenance/window_form.html", {
        "station": station, "form": form, "refusal": refusal,
        "windows": selectors.station_windows(station),
    }, status=422 if request.method == "POST" and not refusal else 200)


@role_required(Role.OPERATOR)
@require_http_methods(["POST"])
def window_cancel(request: HttpRequest, window_id: int) -> HttpResponse:
    window = get_scoped_or_404(MaintenanceWindow.objects.select_related("station"), request.user, pk=window_id,
                               min_role=Role.OPERATOR)
    try:
        services.maintenance_window_cancel(user=request.user, window=window)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Cancelling the maintenance window of %(station)s.") % {
            "station": window.station.label})
    return redirect(reverse("stations:detail", args=[window.station_id]) + "#maintenance-heading")


# --- planning for many stations -------------------------------------------------------------

def _selection_from_filters(request: HttpRequest) -> tuple[list[Station], int, int]:
    """The station list's matches that can take a window (capped), how many matched, how many cannot."""
    query = StationFilterForm(request.GET, user=request.user).to_query()
    matching = station_filter(scoped(Station.objects.all(), request.user, min_role=Role.OPERATOR), query)
    able = matching.filter(backend__kind=Backend.Kind.BEENERGISED, removed_at__isnull=True,
                           upstream_id__isnull=False)
    total, able_count = matching.count(), able.count()
    stations = list(able.select_related("backend", "company").order_by("label", "id")[:MAX_PLAN])
    return stations, total, total - able_count


def _selected(request: HttpRequest) -> tuple[list[Station], int]:
    """Checked station ids (POST ``station``) the user may plan on (operator in the station's company),
    and how many ids named none of those."""
    ids = {int(v) for v in request.POST.getlist("station") if v.strip().isdigit()}
    stations = list(
        scoped(Station.objects.filter(pk__in=ids), request.user, min_role=Role.OPERATOR)
        .select_related("backend", "company")
        .order_by("label", "id")[:MAX_PLAN]
    )
    return stations, len(ids) - len(stations)


def _by_company(stations: list[Station]) -> list[tuple[str, int]]:
    """How many of the chosen stations each company holds, largest first (said before confirming)."""
    counts: dict[str, int] = {}
    for station in stations:
        counts[station.company.name] = counts.get(station.company.name, 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


@role_required(Role.OPERATOR)
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"max_plan": MAX_PLAN, "back": reverse("stations:list")}
    if request.method == "GET":
        stations, matched, unable = _selection_from_filters(request)
        context.update(matched=matched, unable=unable, back=reverse("stations:list") + (
            f"?{request.GET.urlencode()}" if request.GET else ""))
        form = WindowForm(initial=default_window())
        # Matching a filter is not choosing: nothing is ticked until the user ticks it (the filter
        # of a whole list once ticked 81 stations of two companies, one click from planning them).
        checked: set[int] = set()
    else:
        stations, unknown = _selected(request)
        context["unknown"] = unknown
        # "plan" checks the form and shows what confirming will do; "confirm" does it; "change" (or a
        # selection handed over from the station list, no step) shows the form with those ticked.
        step = request.POST.get("step")
        planning = step in ("plan", "confirm")
        if step == "change":  # back from the confirmation: what was typed, unchecked
            form = WindowForm(initial={k: request.POST.get(k, "") for k in ("starts_at", "ends_at", "comment")})
        else:
            form = WindowForm(request.POST if planning else None, initial=default_window())
        checked = {s.pk for s in stations}
        if planning:
            if not stations:
                form.add_error(None, _("Choose at least one station."))
            if form.is_valid() and step == "plan":
                context.update(form=form, stations=stations, by_company=_by_company(stations))
                return render(request, "maintenance/plan_confirm.html", context)
            if form.is_valid():
                batch, results = services.maintenance_windows_create_many(
                    user=request.user, stations=stations, data=form.to_input())
                made = [r for r in results if r.window is not None]
                skipped = [r for r in results if r.window is None]
                messages.success(request, ngettext(
                    "%(n)s maintenance window planned, each sent on its own.",
                    "%(n)s maintenance windows planned, each sent on its own.", len(made)) % {"n": len(made)})
                overlapping = [r for r in made if r.overlaps]
                if overlapping:
                    names = ", ".join(r.station.label for r in overlapping[:10])
                    more = _(" and %(n)s more") % {"n": len(overlapping) - 10} if len(overlapping) > 10 else ""
                    messages.warning(request, ngettext(
                        "%(n)s station already had a window overlapping this one (%(names)s); "
                        "be.ENERGISED accepts overlaps, so both stand.",
                        "%(n)s stations already had a window overlapping this one (%(names)s); "
                        "be.ENERGISED accepts overlaps, so both stand.", len(overlapping),
                    ) % {"n": len(overlapping), "names": names + more})
                for r in skipped[:20]:
                    messages.warning(request, _("%(station)s: no window — %(reason)s") % {
                        "station": r.station.label, "reason": r.reason})
                if len(skipped) > 20:
                    messages.warning(request, _("… and %(n)s more stations without a window.") % {"n": len(skipped) - 20})
                if unknown:
                    messages.warning(request, ngettext(
                        "%(n)s selected id named no station of yours; nothing was done for it.",
                        "%(n)s selected ids named no station of yours; nothing was done for them.", unknown,
                    ) % {"n": unknown})
                return redirect("maintenance:plan_result", batch=batch)
    context.update(form=form, stations=stations, checked=checked,
                   show_company=len({s.company_id for s in stations}) > 1,
                   refusals={s.pk: services.station_refusal(s) for s in stations})
    status = 422 if request.method == "POST" and form.is_bound and form.errors else 200
    return render(request, "maintenance/plan.html", context, status=status)


@role_required(Role.VIEWER)
@require_http_methods(["GET"])
def plan_result(request: HttpRequest, batch: uuid.UUID) -> HttpResponse:
    windows = selectors.batch_windows(request.user, batch)
    if not windows:
        from django.http import Http404

        raise Http404("No such maintenance plan.")
    errors = selectors.window_errors(windows)
    counts = {state: sum(1 for w in windows if w.sync_state == state) for state in SyncState.values}
    context = {
        "batch": batch, "windows": windows, "errors": errors, "counts": counts, "total": len(windows),
        "settled": counts[SyncState.SYNCED] + counts[SyncState.FAILED],
        "pending": counts[SyncState.PENDING] > 0, "first": windows[0], "now": timezone.now(),
    }
    template = "maintenance/plan_result.html#progress" if request.htmx else "maintenance/plan_result.html"
    return render(request, template, context)


app_name = "maintenance"
urlpatterns = [
    path("", window_list, name="list"),
    path("stations/<int:station_id>/new/", window_create, name="create"),
    path("<int:window_id>/cancel/", window_cancel, name="cancel"),
    path("plan/", plan, name="plan"),
    path("plan/<uuid:batch>/", plan_result, name="plan_result"),
]
