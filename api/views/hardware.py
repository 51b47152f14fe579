"""A GreenFlux station's EVSEs and connectors over the API: the hardware page's change as JSON.

``PUT /api/v1/stations/{id}/evses/`` with ``If-Match`` sends the EVSEs as they should be: an EVSE
with its ``uid`` is changed, one without is added, one with ``"retire": true`` goes to REMOVED (EVSEs
are never deleted, OCPI 2.2.1), and an existing EVSE left out of the list is kept as it is. The page's
forms (``stations.hardware``) judge it; only the changed EVSE and connector fields are sent, and the
worker's item-by-item check makes another person's change to another EVSE no conflict.
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.answers import accepted
from api.serializers import OperationSerializer, StationSerializer
from api.forms_bridge import kilowatts
from api.problems import Conflict
from api.versions import require_match
from api.views.station_create import rows_errors
from api.views.stations import station_for_write, station_read
from portal.access import Role
from stations import services
from stations.hardware import HardwareRows, rows_of

LISTS = ("capabilities", "parking_restrictions")


class HardwareConnectorSerializer(serializers.Serializer):
    id = serializers.CharField(required=False, help_text="Left out: a new connector.")
    standard = serializers.CharField()
    format = serializers.CharField()
    power_type = serializers.CharField()
    voltage = serializers.IntegerField()
    amperage = serializers.IntegerField()
    max_electric_power = serializers.IntegerField(required=False, help_text="Watts.")
    tariff_id = serializers.CharField(required=False, allow_blank=True)


class HardwareEvseSerializer(serializers.Serializer):
    uid = serializers.CharField(required=False, help_text="Left out: a new EVSE.")
    evse_id = serializers.CharField(required=False, allow_blank=True)
    floor_level = serializers.CharField(required=False, allow_blank=True)
    physical_reference = serializers.CharField(required=False, allow_blank=True)
    capabilities = serializers.ListField(child=serializers.CharField(), required=False)
    parking_restrictions = serializers.ListField(child=serializers.CharField(), required=False)
    directions_text = serializers.CharField(required=False, allow_blank=True)
    directions_language = serializers.CharField(required=False, allow_blank=True)
    retire = serializers.BooleanField(required=False)
    connectors = HardwareConnectorSerializer(many=True)


def _rows_data(evses: list[dict[str, Any]]) -> QueryDict:
    data = QueryDict(mutable=True)
    data["evse-count"] = str(len(evses))
    for i, evse in enumerate(evses):
        for name, value in evse.items():
            if name in LISTS:
                data.setlist(f"evse-{i}-{name}", list(value))
            elif name == "retire":
                if value:
                    data[f"evse-{i}-retire"] = "on"
            elif name != "connectors":
                data[f"evse-{i}-{name}"] = str(value)
        connectors = evse["connectors"]
        data[f"evse-{i}-conn-count"] = str(len(connectors))
        for j, connector in enumerate(connectors):
            for name, value in connector.items():
                data[f"evse-{i}-conn-{j}-{name}"] = kilowatts(value) if name == "max_electric_power" else str(value)
    return data


class StationEvses(APIView):
    write_role = Role.OPERATOR

    @extend_schema(request=HardwareEvseSerializer(many=True),
                   parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True)],
                   responses={202: OperationSerializer, 200: StationSerializer})
    def put(self, request: Request, station_id: int) -> Response:
        """Change, add and retire EVSEs and connectors (see the module's notes)."""
        station = station_for_write(request, station_id)
        shown = require_match(request, station)
        given = HardwareEvseSerializer(data=request.data, many=True)
        given.is_valid(raise_exception=True)
        wanted = [dict(evse, connectors=[dict(c) for c in evse["connectors"]]) for evse in given.validated_data]
        named = {evse.get("uid") for evse in wanted}
        kept = [row for row in rows_of(shown.document) if row["uid"] not in named]  # left out: kept as it is
        rows = HardwareRows.bound(_rows_data([*kept, *wanted]))
        if not rows.is_valid(shown.document):
            errors = rows_errors(rows)
            raise ValidationError(_renumbered(errors, len(kept)))
        try:
            op = services.station_hardware_edit(user=request.user, station=station, shown=shown,
                                                changes=rows.changes(shown.document))
        except services.StationInConflict as exc:
            raise Conflict(str(exc)) from exc
        if op is None:  # nothing changed: nothing is sent, the version stays (as a station PATCH answers)
            return station_read(request, station_id)
        return accepted(request, op)


def _renumbered(errors: dict[str, Any], offset: int) -> dict[str, Any]:
    """Errors by the index in the caller's list (the kept EVSEs went first in the form)."""
    out: dict[str, Any] = {}
    for key, value in errors.items():
        if key.isdigit():
            index = int(key) - offset
            out[str(index) if index >= 0 else f"kept {key}"] = value
        else:
            out[key] = value
    return out
