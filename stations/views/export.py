"""Export of the station list, with the list's current filters, as CSV.

Columns are the importer's, written in the importer's language (names of backends, companies,
models, locations and templates, technicians' e-mails; an id only where two locations or
templates of a backend share a name), so the file can be edited and uploaded again unchanged;
then come the read-only state columns, which the import ignores. Separated by ``;`` for readers
whose spreadsheets expect it (German, Dutch; ``?sep=comma`` or ``semicolon`` chooses), with English
column names in every language. It is written by
``portal.downloads`` (every download's CSV writer), so nothing runs as a formula when the file
is opened in a spreadsheet.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from locations.models import Location
from portal.access import Role, role_required
from portal.downloads import csv_response, spreadsheet_delimiter
from stations.csv_import.format import COLUMN_NAMES
from stations.csv_import.validate import _key
from stations.filters import StationFilterForm
from stations.models import HardwareTemplate, Station
from stations.selectors import SORTS, station_filter, stations_for

STATE_COLUMNS = ("status", "connectivity", "sync_state", "upstream_id", "firmware_version", "updated_at")


def _names_shared(model: type[Location] | type[HardwareTemplate], backend_ids: set[int]) -> set[tuple[int, str]]:
    """(backend, name) pairs that more than one record of ``model`` holds: the import cannot tell them
    apart by name, so the export writes their ids there (the import takes either)."""
    seen: dict[tuple[int, str], int] = {}
    for backend_id, name in model.objects.filter(backend_id__in=backend_ids).values_list("backend_id", "name"):
        key = (backend_id, _key(name))
        seen[key] = seen.get(key, 0) + 1
    return {key for key, count in seen.items() if count > 1}


def _reference(record: Location | HardwareTemplate | None, shared: set[tuple[int, str]]) -> str:
    """A location or template as the import reads it: its name, or its id where another has that name."""
    if record is None:
        return ""
    if (record.backend_id, _key(record.name)) in shared or not record.name.strip():
        return str(record.upstream_id or "")
    return record.name


def _row(station: Station, shared: dict[str, set[tuple[int, str]]]) -> list[str]:
    values = {
        "backend": station.backend.name,
        "label": station.label,
        "charge_box_identity": station.charge_box_identity,
        "model": str(station.model) if station.model else "",
        "company": station.company.name,
        "time_zone": station.time_zone,
        "technician": station.technician.email if station.technician else "",
        "location": _reference(station.location, shared["location"]),
        "public_display_name": station.public_display_name,
        "serial_number": station.serial_number,
        "deploy_state": station.deploy_state,
        "default_tariff_id": station.default_tariff_id,
        "charger_type": station.charger_type,
        "template": _reference(station.template, shared["template"]),
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
    backend_ids = set(stations.order_by().values_list("backend_id", flat=True).distinct())
    shared = {"location": _names_shared(Location, backend_ids),
              "template": _names_shared(HardwareTemplate, backend_ids)}
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return csv_response(f"stations-{stamp}.csv", [*COLUMN_NAMES, *STATE_COLUMNS],
                        (_row(station, shared) for station in stations.iterator(chunk_size=2000)), stream=True,
                        delimiter=spreadsheet_delimiter(request))


urlpatterns = [path("export.csv", station_export, name="export")]
