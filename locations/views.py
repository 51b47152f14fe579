"""Location pages."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from locations.models import Location
from portal.access import Role, role_required, scoped


@role_required(Role.VIEWER)
def location_list(request: HttpRequest) -> HttpResponse:
    locations = scoped(Location.objects.select_related("company"), request.user)
    page = Paginator(locations, 50).get_page(request.GET.get("page"))
    return render(request, "locations/location_list.html", {"page": page})
