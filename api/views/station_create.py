"""Creating a station over the API, judged by the create page's own forms (``stations.forms.create``).

The body is the page's fields as JSON; GreenFlux EVSEs come from a hardware template
(``"evse_source": "template", "template": <id>``) or by hand (``"evses": [{..., "connectors": [...]}]``).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.http import QueryDict
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api.answers import accepted
from api.forms_bridge import kilowatts
from portal.models import Backend, Operation
from stations import services
from stations.forms.create import StationCreateForm, apply_errors
from stations.forms.evse_rows import EvseRows
from stations.validation import validate_station_input


class ConnectorCreateSerializer(serializers.Serializer):
    standard = serializers.CharField()
    format = serializers.CharField()
    power_type = serializers.CharField()
    max_voltage = serializers.IntegerField()
    max_amperage = serializers.IntegerField()
    max_electric_power = serializers.IntegerField(required=False, help_text="Watts, as OCPI gives it.")


class EvseCreateSerializer(serializers.Serializer):
    evse_id = serializers.CharField(required=False, allow_blank=True)
    floor_level = serializers.CharField(required=False, allow_blank=True)
    physical_reference = serializers.CharField(required=False, allow_blank=True)
    capabilities = serializers.ListField(child=serializers.CharField(), required=False)
    connectors = ConnectorCreateSerializer(many=True)


class StationCreateSerializer(serializers.Serializer):
    """The create page's fields; which are required depends on the backend's kind, as on the page."""

    backend = serializers.IntegerField()
    company = serializers.IntegerField()
    label = serializers.CharField(required=False, allow_blank=True)
    charge_box_identity = serializers.CharField()
    model = serializers.IntegerField(required=False, help_text="be.ENERGISED: a catalogue model id.")
    time_zone = serializers.CharField(required=False, help_text="be.ENERGISED: an IANA name.")
    technician = serializers.IntegerField(required=False)
    location = serializers.IntegerField(required=False, help_text="GreenFlux: a location id of the backend.")
    default_tariff_id = serializers.CharField(required=False)
    deploy_state = serializers.CharField(required=False)
    charger_type = serializers.CharField(required=False, allow_blank=True)
    evse_source = serializers.ChoiceField(choices=["template", "manual"], required=False)
    template = serializers.IntegerField(required=False)
    evses = EvseCreateSerializer(many=True, required=False)


def _form_data(body: dict[str, Any]) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in body.items():
        if name != "evses" and value is not None:
            data[name] = str(value)
    evses = body.get("evses") or []
    data["evse-count"] = str(len(evses))
    for i, evse in enumerate(evses):
        for name, value in evse.items():
            if name == "capabilities":
                data.setlist(f"evse-{i}-capabilities", list(value))
            elif name != "connectors":
                data[f"evse-{i}-{name}"] = str(value)
        connectors = evse.get("connectors") or []
        data[f"evse-{i}-conn-count"] = str(len(connectors))
        for j, connector in enumerate(connectors):
            for name, value in connector.items():
                if name == "max_electric_power":  # watts in the API, kW in the page's form
                    value = kilowatts(value)
                data[f"evse-{i}-conn-{j}-{name}"] = "" if value is None else str(value)
    return data


def rows_errors(rows: EvseRows) -> dict[str, Any]:
    """The EVSE rows' errors by index: ``{"0": {"connectors": {"1": {"standard": [...]}}}, "": [...]}``."""
    evses: dict[str, Any] = {}
    for i, (evse, connectors) in enumerate(rows.rows):
        entry: dict[str, Any] = {name: list(m) for name, m in evse.errors.items()}
        conns = {str(j): {n: list(m) for n, m in c.errors.items()} for j, c in enumerate(connectors) if c.errors}
        if conns:
            entry["connectors"] = conns
        if entry:
            evses[str(i)] = entry
    if rows.errors:
        evses[""] = list(rows.errors)
    return evses


def _errors(form: StationCreateForm, rows: EvseRows | None) -> dict[str, Any]:
    errors: dict[str, Any] = {name: list(messages) for name, messages in form.errors.items()}
    evses = rows_errors(rows) if rows is not None else {}
    if evses:
        errors["evses"] = evses
    return errors


def create(request: Request) -> Response:
    """Create a station: 202 with the create operation; the station appears at once as pending."""
    given = StationCreateSerializer(data=request.data)
    given.is_valid(raise_exception=True)
    body = dict(request.data)
    if body.get("evses") and "evse_source" not in body:
        body["evse_source"] = "manual"
    data = _form_data(body)
    form = StationCreateForm(data, user=request.user)
    manual = form.kind == Backend.Kind.GREENFLUX and not form.uses_template
    rows = EvseRows.bound(data) if manual else None
    form_ok = form.is_valid()
    rows_ok = rows.is_valid() if rows is not None else True
    if form_ok and rows_ok and form.backend is not None:
        station_input = form.station_input(rows.inputs() if rows is not None else [])
        problems = validate_station_input(station_input)
        if problems:
            apply_errors(form, rows, problems)
        else:
            try:
                with transaction.atomic():
                    station = services.station_create(user=request.user, data=station_input)
                    op = Operation.objects.get(kind="station.create", target_type="station", target_id=station.pk)
                return accepted(request, op)
            except IntegrityError:
                form.add_error("charge_box_identity", "This identity was taken a moment ago; choose another.")
    raise ValidationError(_errors(form, rows) or {"backend": ["Choose a backend of your companies."]})
