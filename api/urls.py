"""URLs of the REST API, version 1, with its OpenAPI schema and the offline Swagger UI and Redoc."""

from __future__ import annotations

from csp.constants import SELF
from csp.decorators import csp_update
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from api.problems import not_found
from api.views import bulk, estate, hardware, imports, locations, maintenance, models, operations, stations

app_name = "api"

# Our template is drf-spectacular's without the fonts it fetches from Google; Redoc's search runs in a
# worker it makes from a blob: URL, which the portal's policy allows on this page only.
REDOC = csp_update({"worker-src": [SELF, "blob:"]})(
    SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html"))

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="swagger"),
    path("redoc/", REDOC, name="redoc"),
    path("stations/", stations.StationList.as_view(), name="station-list"),
    path("stations/<int:station_id>/", stations.StationDetail.as_view(), name="station-detail"),
    path("stations/<int:station_id>/evses/", hardware.StationEvses.as_view(), name="station-evses"),
    path("stations/<int:station_id>/refresh/", stations.StationRefresh.as_view(), name="station-refresh"),
    path("operations/", operations.OperationList.as_view(), name="operation-list"),
    path("operations/<int:operation_id>/", operations.OperationDetail.as_view(), name="operation-detail"),
    path("bulk-changes/", bulk.BatchList.as_view(), name="batch-list"),
    path("bulk-changes/<int:batch_id>/", bulk.BatchDetail.as_view(), name="batch-detail"),
    path("bulk-changes/<int:batch_id>/confirm/", bulk.BatchConfirm.as_view(), name="batch-confirm"),
    path("imports/", imports.ImportList.as_view(), name="import-list"),
    path("imports/<int:job_id>/", imports.ImportDetail.as_view(), name="import-detail"),
    path("imports/<int:job_id>/confirm/", imports.ImportConfirm.as_view(), name="import-confirm"),
    path("models/", models.ModelList.as_view(), name="model-list"),
    path("models/<int:model_id>/", models.ModelDetail.as_view(), name="model-detail"),
    path("models/<int:model_id>/archive/", models.ModelArchive.as_view(), name="model-archive"),
    path("locations/", locations.LocationList.as_view(), name="location-list"),
    path("locations/<int:location_id>/", locations.LocationDetail.as_view(), name="location-detail"),
    path("technicians/", estate.TechnicianList.as_view(), name="technician-list"),
    path("maintenance-windows/", maintenance.WindowList.as_view(), name="window-list"),
    path("maintenance-windows/<int:window_id>/cancel/", maintenance.WindowCancel.as_view(), name="window-cancel"),
    path("sync-runs/", estate.SyncRunList.as_view(), name="sync-run-list"),
    path("network/", estate.Network.as_view(), name="network"),
    # Any other path under /api/v1/ answers a problem, not the pages' HTML 404.
    re_path(r"^.*$", not_found, name="not-found"),
]
