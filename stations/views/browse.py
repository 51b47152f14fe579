"""Station pages: the list of the user's stations and one station's page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from portal.access import Role, get_scoped_or_404, role_required, scoped
from stations.models import Station


@role_required(Role.VIEWER)
def station_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    stations = scoped(Station.objects.select_related("company"), request.user)
    if query:
        stations = stations.filter(label__icontains=query) | stations.filter(charge_box_identity__icontains=query)
    page = Paginator(stations, 50).get_page(request.GET.get("page"))
    template = "stations/station_list.html#rows" if request.htmx else "stations/station_list.html"
    return render(request, template, {"page": page, "query": query})


@role_required(Role.VIEWER)
def station_detail(request: HttpRequest, station_id: int) -> HttpResponse:
    station = get_scoped_or_404(Station.objects.select_related("company"), request.user, pk=station_id)
    return render(request, "stations/station_detail.html", {"station": station})


urlpatterns = [
    path("", station_list, name="list"),
    path("<int:station_id>/", station_detail, name="detail"),
]
