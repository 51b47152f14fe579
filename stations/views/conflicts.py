"""A station's conflict: base / mine / theirs per field, EVSE and connector, decided field by field.

"Base" is the version the user's form showed, "mine" what they wanted, and
"theirs" the upstream's version when the conflict was found. Fields only they
changed are kept; each field both changed differently needs a choice before
"Send my choices" (``services.station_conflict_reapply``) sends exactly the
chosen fields on top of their version with its etag.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import ngettext

from locations.models import Location
from portal import formatting, labels
from portal.access import Role, get_scoped_or_404, role_required
from sync.mirror import SyncState
from portal.models import Operation
from stations import merge, services
from stations.models import Station

WRITE_EVENTS = "stationsChanged, operationsChanged"
# Shown in the reader's language on the conflict page (and in "You changed: …").
FIELD_LABELS = {
    "name": gettext_lazy("Name"), "location_id": gettext_lazy("Location"), "default_charge_station_tariff_id": gettext_lazy("Default tariff id"),
    "deploy_state": gettext_lazy("Deploy state"), "charger_type": gettext_lazy("Charger type"), "contactless_type": gettext_lazy("Contactless payment"),
    "evse_id": gettext_lazy("EVSE id"), "capabilities": gettext_lazy("capabilities"), "floor_level": gettext_lazy("floor level"),
    "physical_reference": gettext_lazy("physical reference"), "directions": gettext_lazy("directions"),
    "parking_restrictions": gettext_lazy("parking restrictions"), "standard": gettext_lazy("standard"), "format": gettext_lazy("format"),
    "power_type": gettext_lazy("power type"), "voltage": gettext_lazy("voltage (V)"), "amperage": gettext_lazy("current (A)"),
    "max_electric_power": gettext_lazy("power"), "tariff_id": gettext_lazy("tariff id"),
}


def _station(request: HttpRequest, station_id: int) -> Station:
    """Every page here resolves a conflict: the operator role in the station's company."""
    stations = Station.objects.select_related("backend", "company", "location", "template")
    return get_scoped_or_404(stations, request.user, pk=station_id, min_role=Role.OPERATOR)


def open_conflict(station: Station) -> Operation | None:
    if station.sync_state != SyncState.CONFLICT:
        return None
    return Operation.objects.filter(target_type="station", target_id=station.pk,
                                    status=Operation.Status.CONFLICT).order_by("-created_at", "-id").first()


def _connector_text(conn: dict[str, Any]) -> str:
    power = f" {formatting.kw(conn['max_electric_power'])}" if conn.get("max_electric_power") else ""
    return f"{labels.label(conn.get('standard'), 'standard')} {labels.label(conn.get('format'), 'format').lower()}{power}"


def _text(path: str, value: Any, locations: dict[str, str]) -> str:
    if value is merge.MISSING:
        return "(not there)"
    if value is None or value == []:
        return "(removed)" if path.startswith("evses/") and path.count("/") in (1, 3) else "—"
    if path == "location_id":
        return locations.get(value, value)
    if path.count("/") == 1:  # a whole EVSE
        conns = ", ".join(_connector_text(c) for c in value.get("connectors", {}).values())
        return f"{value.get('evse_id') or 'new EVSE'}: {conns or 'no connectors'}"
    if path.count("/") == 3:  # a whole connector
        return _connector_text(value)
    if path.endswith("/directions"):
        return "; ".join(f"{d['text']} ({d['language']})" for d in value)
    field = path.rsplit("/", 1)[-1]
    if field == "max_electric_power":
        return formatting.kw(value)
    if field in _VOCABULARY:
        words = [labels.label(v, _VOCABULARY[field]) for v in (value if isinstance(value, list) else [value])]
        return ", ".join(words)
    if isinstance(value, list):
        return ", ".join(str(v).replace("_", " ") for v in value)
    return str(value)


# Fields whose values are codes, and the vocabulary of each (portal.labels).
_VOCABULARY = {"standard": "standard", "format": "format", "power_type": "power_type",
               "capabilities": "capability", "parking_restrictions": "parking"}


def _label(path: str, versions: list[dict[str, Any]]) -> str:
    parts = path.split("/")
    if len(parts) == 1:
        return FIELD_LABELS.get(parts[0], parts[0])
    uid = parts[1]
    evse = next((v["evses"][uid] for v in versions if uid in v.get("evses", {})), {})
    name = _("EVSE %(id)s") % {"id": evse.get("evse_id") or uid[:8]}
    if len(parts) == 2:
        return name
    if len(parts) == 3:
        return f"{name}: {FIELD_LABELS.get(parts[2], parts[2])}"
    conn = _("%(evse)s, connector %(n)s") % {"evse": name, "n": parts[3]}
    return conn if len(parts) == 4 else f"{conn}: {FIELD_LABELS.get(parts[4], parts[4])}"


def conflict_rows(station: Station, op: Operation) -> list[dict[str, Any]]:
    """One row per path either side changed: the user's first, then theirs (kept)."""
    shown, changes, _check = merge.edit_of(op.payload)
    theirs = merge.canonical(op.upstream_current or {})
    rows = services.conflict_merges(op)
    ids = {v for r in rows if r.path == "location_id" for v in (r.base, r.mine, r.theirs) if isinstance(v, str)}
    locations = dict(Location.objects.filter(backend=station.backend, upstream_id__in=ids)
                     .values_list("upstream_id", "name"))
    versions = [theirs, shown, merge.apply_changes(shown, changes)]
    return [{
        "path": row.path, "label": _label(row.path, versions), "base": _text(row.path, row.base, locations),
        "mine": _text(row.path, row.mine, locations), "theirs": _text(row.path, row.theirs, locations),
        "mine_changed": row.mine_changed, "theirs_changed": row.theirs_changed, "clash": row.clash,
        "same": row.mine_changed and row.theirs_changed and not row.clash,
    } for row in rows]


@role_required(Role.OPERATOR)
@require_http_methods(["GET"])
def station_conflict(request: HttpRequest, station_id: int) -> HttpResponse:
    station = _station(request, station_id)
    op = open_conflict(station)
    if op is None:
        messages.info(request, _("This station has no conflict to resolve."))
        return redirect("stations:detail", station.pk)
    return _page(request, station, op, {})


def who_changed_first(op: Operation, viewer: Any) -> str | None:
    """Who made the change that beat ``op``, when the portal knows: another portal write to the same
    station from the same version (``base_etag``) that was confirmed first. A user sharing a company
    with the viewer is named; anyone else is "a user of another company". None when the change was
    made outside the portal (on the vendor's own site, or by another system)."""
    if not op.base_etag:
        return None
    winner = (Operation.objects.filter(target_type="station", target_id=op.target_id, base_etag=op.base_etag,
                                       status=Operation.Status.DONE).exclude(pk=op.pk)
              .exclude(created_by=op.created_by).select_related("created_by").order_by("-finished_at").first())
    if winner is None or winner.created_by is None:
        return None
    user = winner.created_by
    if user.companies.filter(pk__in=viewer.companies.values("pk")).exists():
        return user.get_full_name() or user.get_username()
    return "a user of another company"


def _page(request: HttpRequest, station: Station, op: Operation, chosen: dict[str, str],
          error: str = "", status: int = 200) -> HttpResponse:
    rows = conflict_rows(station, op)
    for row in rows:
        row["choice"] = chosen.get(row["path"], "")
    return render(request, "stations/station_conflict.html", {
        "station": station, "op": op, "rows": rows, "error": error,
        # The heading names the station as it is now upstream, not with the change that was not sent.
        "current_name": (op.upstream_current or {}).get("name") or station.label,
        "changed_by": who_changed_first(op, request.user),
        "clashes": sum(1 for r in rows if r["clash"]),
        "changed": [r["label"] for r in rows if r["mine_changed"]],
    }, status=status)


def _written(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if request.htmx:
        response["HX-Trigger"] = WRITE_EVENTS
    return response


def _op(station: Station, op_id: int) -> Operation:
    op = Operation.objects.filter(pk=op_id, target_type="station", target_id=station.pk).first()
    if op is None or op.status != Operation.Status.CONFLICT:
        raise ValueError("This operation is not an open conflict.")
    return op


@role_required(Role.OPERATOR)
@require_http_methods(["POST"])
def station_conflict_reapply(request: HttpRequest, station_id: int, op_id: int) -> HttpResponse:
    station = _station(request, station_id)
    chosen = {key.removeprefix("choice:"): value for key, value in request.POST.items() if key.startswith("choice:")}
    try:
        op = _op(station, op_id)
        new = services.station_conflict_reapply(user=request.user, station=station, op=op, choices=chosen)
    except ValueError as exc:
        if "Choose" not in str(exc):
            messages.info(request, _("This conflict was already resolved."))
            return _written(request, redirect("stations:detail", station.pk))
        return _page(request, station, op, chosen, status=400,
                     error="Nothing was sent: choose yours or theirs for every field marked “both changed”.")
    if new is None:
        messages.success(request, _("You kept %(platform)s's version; nothing of yours was sent.") % {"platform": station.backend.name})
    else:
        messages.success(request, _("Your choices were sent to %(platform)s; it will show as synced "
                                    "when the upstream confirms.") % {"platform": station.backend.name})
    return _written(request, redirect("stations:detail", station.pk))


@role_required(Role.OPERATOR)
@require_http_methods(["POST"])
def station_conflict_discard(request: HttpRequest, station_id: int, op_id: int) -> HttpResponse:
    station = _station(request, station_id)
    try:
        services.station_conflict_discard(user=request.user, station=station, op=_op(station, op_id))
        messages.success(request, _("Your change was discarded; this is %(platform)s's version.") % {"platform": station.backend.name})
    except ValueError:
        messages.info(request, _("This conflict was already resolved."))
    return _written(request, redirect("stations:detail", station.pk))


urlpatterns: list[URLPattern] = [
    path("<int:station_id>/conflict/", station_conflict, name="conflict"),
    path("<int:station_id>/conflict/<int:op_id>/reapply/", station_conflict_reapply, name="conflict_reapply"),
    path("<int:station_id>/conflict/<int:op_id>/discard/", station_conflict_discard, name="conflict_discard"),
]
