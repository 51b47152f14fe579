"""The hardware page of a GreenFlux station: add, change and retire EVSEs and their connectors.

The form carries the version it showed (``stations.versions``); saving sends
only the user's EVSE and connector changes through the etag-safe edit path
(``services.station_hardware_edit``). Row buttons (add an EVSE or a
connector, remove a new row) re-render the rows in place through htmx, or
the whole page without JavaScript.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.access import Role, role_required
from stations import services
from stations.hardware import HardwareRows, rows_of
from stations.models import Station, Status
from stations.views.conflicts import open_conflict
from stations.selectors import station_edit_refusal
from stations.views.edit import WRITE_EVENTS, _station
from stations.versions import ShownVersion, StaleForm, shown_version

ROW_ACTIONS = ("add_evse", "remove_evse", "add_connector", "remove_connector")


def _reason(station: Station) -> str | None:
    reason = station_edit_refusal(station)
    if reason is None and open_conflict(station) is not None:
        reason = "This station has a conflict to resolve first; its EVSEs can be changed afterwards."
    return reason


@role_required(Role.OPERATOR)
@require_http_methods(["GET", "POST"])
def station_hardware(request: HttpRequest, station_id: int) -> HttpResponse:
    station = _station(request, station_id, Role.OPERATOR)
    context = {"station": station, "retired": station.evses.filter(status=Status.REMOVED).prefetch_related(
        "connectors"), "reason": _reason(station)}
    if context["reason"]:
        return render(request, "stations/station_hardware.html", context)
    if request.method == "GET":
        shown = shown_version(station)
        context.update(rows=HardwareRows(rows_of(shown.document)), token=shown.token())
        return render(request, "stations/station_hardware.html", context)
    token = request.POST.get("shown", "")
    try:
        shown = ShownVersion.load(token, station)
    except StaleForm:
        messages.error(request, _("This form was too old or altered; here is the station as it is now."))
        return redirect("stations:hardware", station.pk)
    action = request.POST.get("action", "")
    if action.split(":")[0] in ROW_ACTIONS:
        rows, focus = HardwareRows.after_action(request.POST, action)
        context.update(rows=rows, token=token, focus=focus)
        if request.htmx:
            return render(request, "stations/_hardware_rows.html", context)
        return render(request, "stations/station_hardware.html", context)
    rows = HardwareRows.bound(request.POST)
    context.update(rows=rows, token=token)
    if not rows.is_valid(shown.document):
        return render(request, "stations/station_hardware.html", context, status=422)
    op = services.station_hardware_edit(user=request.user, station=station, shown=shown,
                                        changes=rows.changes(shown.document))
    if op is None:
        messages.info(request, _("Nothing was changed, so nothing was sent."))
    else:
        messages.success(request, _("EVSE changes sent to %(platform)s; the station shows as synced "
                                    "when the upstream confirms.") % {"platform": station.backend.name})
    response = redirect(reverse("stations:detail", args=[station.pk]) + "#evses-heading")
    if request.htmx:
        response["HX-Trigger"] = WRITE_EVENTS
    return response


urlpatterns = [path("<int:station_id>/hardware/", station_hardware, name="hardware")]
