"""Location pages: list with search and map, one location with its stations, create and edit.

Views read the mirror only; a save goes through ``locations.services`` (the
outbox) and the page then polls the row's state until ChargEye has answered.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from locations import services
from locations.charts import map_view
from locations.forms import LocationForm
from locations.models import Location
from locations.selectors import location_operations, locations_for, network_stations_of
from portal.access import Role, get_scoped_or_404, has_role, role_required, scoped
from portal.selectors import companies_for

MAP_POINTS = 500


def _map(locations: list[Location]) -> object:
    return map_view([
        {"lat": loc.latitude, "lng": loc.longitude, "title": f"{loc.name}, {loc.city}".strip(", "),
         "url": reverse("locations:detail", args=[loc.pk]), "label": loc.name}
        for loc in locations if loc.has_coordinates
    ])


@role_required(Role.VIEWER)
@require_http_methods(["GET"])
def location_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    locations = locations_for(request.user, query)
    page = Paginator(locations, 50).get_page(request.GET.get("page"))
    context = {
        "page": page, "query": query, "map": _map(list(locations.filter(latitude__isnull=False)[:MAP_POINTS])),
        "may_edit": has_role(request.user, Role.OPERATOR),
    }
    template = "locations/location_list.html#results" if request.htmx else "locations/location_list.html"
    return render(request, template, context)


def _location(request: HttpRequest, location_id: int) -> Location:
    return get_scoped_or_404(Location.objects.select_related("company", "backend"), request.user, pk=location_id)


@role_required(Role.VIEWER)
@require_http_methods(["GET"])
def location_detail(request: HttpRequest, location_id: int) -> HttpResponse:
    location = _location(request, location_id)
    stations = scoped(location.stations.select_related("model"), request.user)
    return render(request, "locations/location_detail.html", {
        "location": location, "stations": stations, "network_stations": network_stations_of(location),
        "operations": location_operations(location)[:10], "map": _map([location]),
        "may_edit": has_role(request.user, Role.OPERATOR),
    })


@role_required(Role.VIEWER)
@require_http_methods(["GET"])
def location_status(request: HttpRequest, location_id: int) -> HttpResponse:
    """The sync state fragment the detail page polls while a write is on its way."""
    location = _location(request, location_id)
    return render(request, "locations/location_detail.html#status", {
        "location": location, "operations": location_operations(location)[:10],
    })


@role_required(Role.OPERATOR)
@require_http_methods(["GET", "POST"])
def location_create(request: HttpRequest) -> HttpResponse:
    companies = companies_for(request.user)
    form = LocationForm(request.POST or None, companies=companies)
    if request.method == "POST" and form.is_valid():
        try:
            location = services.location_create(user=request.user, company=form.cleaned_data["company"],
                                                data=form.to_input())
        except services.NoBackend as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"“{location.name}” is saved and on its way to ChargEye.")
            return redirect("locations:detail", location.pk)
    return render(request, "locations/location_form.html", {"form": form, "location": None})


@role_required(Role.OPERATOR)
@require_http_methods(["GET", "POST"])
def location_edit(request: HttpRequest, location_id: int) -> HttpResponse:
    location = _location(request, location_id)
    form = LocationForm(request.POST or None, companies=companies_for(request.user), location=location)
    if request.method == "POST" and form.is_valid():
        op = services.location_update(user=request.user, location=location, data=form.to_input())
        if op is None:
            messages.info(request, "Nothing changed.")
        else:
            messages.success(request, "Your changes are saved and on their way to ChargEye.")
        return redirect("locations:detail", location.pk)
    return render(request, "locations/location_form.html", {"form": form, "location": location})


urlpatterns = [
    path("", location_list, name="list"),
    path("new/", location_create, name="create"),
    path("<int:location_id>/", location_detail, name="detail"),
    path("<int:location_id>/edit/", location_edit, name="edit"),
    path("<int:location_id>/status/", location_status, name="status"),
]
