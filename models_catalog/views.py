"""Station model pages."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from models_catalog.models import StationModel
from portal.access import Role, role_required


@role_required(Role.VIEWER)
def model_list(request: HttpRequest) -> HttpResponse:
    show_archived = request.GET.get("archived") == "1"
    models = StationModel.objects.filter(is_archived=show_archived)
    page = Paginator(models, 50).get_page(request.GET.get("page"))
    return render(request, "models_catalog/model_list.html", {"page": page, "show_archived": show_archived})
