"""Location pages: list with search and map, one location with its stations, create and edit.

Views read the mirror only; a save goes through ``locations.services`` (the
outbox) and the page then polls the row's state until ChargEye has answered.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from locations import services
from locations.map_places import HEALTH_LABELS, MapPlace, map_places
from locations.forms import LocationForm
from locations.models import Location
from locations.selectors import (
    hardware_of,
    location_conflict,
    location_operations,
    locations_for,
    network_stations_of,
)
from portal import targets
from outbox.conflict_views import discard_and_say, reapply_and_say
from portal.access import Role, get_scoped_or_404, has_role, role_required, scoped
from sync.mirror import SyncState
from portal.models import Backend
from portal.selectors import companies_for

# Platforms whose API lets the portal create and change locations (GreenFlux's has neither).
EDITABLE_KINDS = {Backend.Kind.CHARGEYE}


def location_editable(location: Location) -> bool:
    return location.backend.kind in EDITABLE_KINDS


def read_only_note(location: Location) -> str:
    return _("%(platform)s locations are read-only here: its API has no way to create or change them. They are "
             "managed in %(platform)s's own portal, and the next refresh brings the changes here.") % {
        "platform": location.backend.get_kind_display()}


MAP_POINTS = 2000  # clustered on the map; the table beside it lists them all


@dataclass
class MapContext:
    """What ``locations/map.html`` draws: the places, and how many locations could not be placed."""

    id: str
    places: list[MapPlace]
    missing: int = 0
    truncated: bool = False
    legend: tuple[tuple[str, str], ...] = tuple(HEALTH_LABELS.items())

    @property
    def places_id(self) -> str:
        return f"{self.id}-places"

    @property
    def json(self) -> list[dict[str, object]]:
        return [place.as_json() for place in self.places]


def _map(locations: QuerySet[Location], user: object, map_id: str = "location-map") -> MapContext:
    places = map_places(locations, user, MAP_POINTS + 1)
    missing = locations.filter(Q(latitude__isnull=True) | Q(longitude__isnull=True)).count()
    return MapContext(map_id, places[:MAP_POINTS], missing, truncated=len(places) > MAP_POINTS)


@role_required(Role.VIEWER)
@require_http_methods(["GET"])
def location_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    locations = locations_for(request.user, query)
    page = Paginator(locations, 50).get_page(request.GET.get("page"))
    context = {
        "page": page, "query": query, "map": _map(locations, request.user),
        "may_edit": has_role(request.user, Role.OPERATOR) and targets.targets(Backend.Kind.CHARGEYE).exists(),
    }
    template = "locations/location_list.html#results" if request.htmx else "locations/location_list.html"
    return render(request, template, context)


def _location(request: HttpRequest, location_id: int, min_role: Role = Role.VIEWER) -> Location:
    """One location the user may read; a write passes ``min_role`` (the role in the location's company)."""
    return get_scoped_or_404(Location.objects.select_related("company", "backend"), request.user, pk=location_id,
                             min_role=min_role)


@role_required(Role.VIEWER)
@require_http_methods(["GET"])
def location_detail(request: HttpRequest, location_id: int) -> HttpResponse:
    location = _location(request, location_id)
    stations = scoped(location.stations.select_related("model"), request.user)
    return render(request, "locations/location_detail.html", {
        **_status_context(request, location), "stations": stations,
        "network_stations": network_stations_of(location),
        "map": _map(Location.objects.filter(pk=location.pk), request.user),
        "read_only_note": None if location_editable(location) else read_only_note(location),
        "hardware": hardware_of(location),
    })


def _status_context(request: HttpRequest, location: Location) -> dict[str, object]:
    return {
        "location": location, "operations": location_operations(location)[:10],
        "may_edit": has_role(request.user, Role.OPERATOR, location.company_id) and location_editable(location),
        "conflict": location_conflict(location, request.user),
    }


@role_required(Role.VIEWER)
@require_http_methods(["GET"])
def location_status(request: HttpRequest, location_id: int) -> HttpResponse:
    """The sync state fragment the detail page polls while a write is on its way."""
    location = _location(request, location_id)
    response = render(request, "locations/location_detail.html#status", _status_context(request, location))
    if request.htmx and request.GET.get("was") == "pending" and location.sync_state != SyncState.PENDING:
        # It just settled: the page draws itself again, so its name and facts are ChargEye's answer
        # (or, after a conflict, ChargEye's version beside the held change), not what was sent.
        response["HX-Refresh"] = "true"
    return response


@role_required(Role.OPERATOR)
@require_http_methods(["GET", "POST"])
def location_create(request: HttpRequest) -> HttpResponse:
    companies = companies_for(request.user, Role.OPERATOR)
    form = LocationForm(request.POST or None, companies=companies)
    if request.method == "POST" and form.is_valid():
        try:
            backend = form.cleaned_data["backend"]
            location = services.location_create(user=request.user, company=form.cleaned_data["company"],
                                                data=form.to_input(), backend=backend)
            targets.target_remember(Backend.Kind.CHARGEYE, form.cleaned_data["company"], backend)
        except services.NoBackend as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"“{location.name}” is saved and on its way to ChargEye ({backend.name}).")
            return redirect("locations:detail", location.pk)
    return render(request, "locations/location_form.html", {"form": form, "location": None})


@role_required(Role.OPERATOR)
@require_http_methods(["GET", "POST"])
def location_edit(request: HttpRequest, location_id: int) -> HttpResponse:
    location = _location(request, location_id, Role.OPERATOR)
    if not location_editable(location):
        messages.info(request, read_only_note(location))
        return redirect("locations:detail", location.pk)
    form = LocationForm(request.POST or None, companies=companies_for(request.user, Role.OPERATOR), location=location)
    if request.method == "POST" and form.is_valid():
        op = services.location_update(user=request.user, location=location, data=form.to_input(),
                                      shown=form.shown_values)
        if op is None:
            messages.info(request, _("Nothing changed."))
        else:
            messages.success(request, _("Your changes are saved and on their way to ChargEye."))
        return redirect("locations:detail", location.pk)
    return render(request, "locations/location_form.html", {"form": form, "location": location})


@role_required(Role.OPERATOR)
@require_http_methods(["POST"])
def location_conflict_reapply(request: HttpRequest, location_id: int, op_id: int) -> HttpResponse:
    """"Send mine over theirs" for a change held because ChargEye changed the same field."""
    location = _location(request, location_id, Role.OPERATOR)
    reapply_and_say(
        request, lambda: services.location_conflict_reapply(user=request.user, location=location, op_id=op_id),
        held_already=_("ChargEye already has your change; nothing was sent."),
        sent=_("Your change is on its way to ChargEye over theirs. If ChargEye changed it again meanwhile, it "
               "is held again and shown here."))
    return redirect("locations:detail", location.pk)


@role_required(Role.OPERATOR)
@require_http_methods(["POST"])
def location_conflict_discard(request: HttpRequest, location_id: int, op_id: int) -> HttpResponse:
    location = _location(request, location_id, Role.OPERATOR)
    discard_and_say(request, lambda: services.location_conflict_discard(user=request.user, location=location,
                                                                          op_id=op_id),
                    discarded=_("Your change was discarded; this is ChargEye's version."))
    return redirect("locations:detail", location.pk)


urlpatterns = [
    path("", location_list, name="list"),
    path("new/", location_create, name="create"),
    path("<int:location_id>/", location_detail, name="detail"),
    path("<int:location_id>/edit/", location_edit, name="edit"),
    path("<int:location_id>/status/", location_status, name="status"),
    path("<int:location_id>/conflict/<int:op_id>/reapply/", location_conflict_reapply, name="conflict_reapply"),
    path("<int:location_id>/conflict/<int:op_id>/discard/", location_conflict_discard, name="conflict_discard"),
]
