"""Export of the station list, with the list's current filters, as CSV.

Columns are the importer's (so a file can be edited and imported elsewhere)
plus the read-only state. It is written by ``portal.downloads`` (every download's
CSV writer), so nothing runs as a formula when the file is opened in a spreadsheet.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from portal.access import Role, role_required
from portal.downloads import csv_response
from stations.csv_import.format import COLUMN_NAMES
from stations.filters import StationFilterForm
from stations.models import Station
from stations.selectors import SORTS, station_filter, stations_for

STATE_COLUMNS = ("status", "connectivity", "sync_state", "upstream_id", "firmware_version", "updated_at")


def _row(station: Station) -> list[str]:
    template = station.template
    values = {
        "backend": station.backend.name,
        "label": station.label,
        "charge_box_identity": station.charge_box_identity,
        "model": str(station.model) if station.model else "",
        "company": station.company.name,
        "time_zone": station.time_zone,
        "technician": station.technician.email if station.technician else "",
        "location": station.location.upstream_id if station.location else "",
        "public_display_name": station.public_display_name,
        "serial_number": station.serial_number,
        "deploy_state": station.deploy_state,
        "default_tariff_id": station.default_tariff_id,
        "charger_type": station.charger_type,
        "template": template.upstream_id if template else "",
        "connectors": "",
        "status": station.status,
        "connectivity": station.connectivity,
        "sync_state": "removed" if station.removed_at else station.sync_state,
        "upstream_id": station.upstream_id or "",
        "firmware_version": station.firmware_version,
        "updated_at": timezone.localtime(station.updated_at).isoformat(timespec="seconds"),
    }
    return [values[name] for name in (*COLUMN_NAMES, *STATE_COLUMNS)]


@role_required(Role.VIEWER)
@require_http_methods(["GET"])
def station_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    form = StationFilterForm(request.GET, user=request.user)
    query = form.to_query()
    order = ("-" if query.descending else "") + SORTS[query.sort]
    stations = station_filter(stations_for(request.user), query).select_related(
        "backend", "company", "model", "technician", "location", "template"
    ).order_by(order, "id")
    ids = [int(v) for v in request.GET.getlist("station") if v.isdigit()]
    if ids:  # checked rows of the list (bulk action "export"); still only the user's own
        stations = stations.filter(pk__in=ids)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return csv_response(f"stations-{stamp}.csv", [*COLUMN_NAMES, *STATE_COLUMNS],
                        (_row(station) for station in stations.iterator(chunk_size=2000)), stream=True)


urlpatterns = [path("export.csv", station_export, name="export")]
