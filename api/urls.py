"""URLs of the REST API, version 1, with its OpenAPI schema and the offline Swagger UI and Redoc."""

from __future__ import annotations

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from api.problems import not_found
from api.views import operations, stations

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="swagger"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("stations/", stations.StationList.as_view(), name="station-list"),
    path("stations/<int:station_id>/", stations.StationDetail.as_view(), name="station-detail"),
    path("stations/<int:station_id>/refresh/", stations.StationRefresh.as_view(), name="station-refresh"),
    path("operations/", operations.OperationList.as_view(), name="operation-list"),
    path("operations/<int:operation_id>/", operations.OperationDetail.as_view(), name="operation-detail"),
    # Any other path under /api/v1/ answers a problem, not the pages' HTML 404.
    re_path(r"^.*$", not_found, name="not-found"),
]
