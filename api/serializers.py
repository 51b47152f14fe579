"""What the API shows of each record, and what a write accepts. Output only reads the mirror."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.conflicts import field_conflicts
from portal.models import Operation
from stations.models import Connector, Evse, Station

# The operation states the API speaks (the outbox's queued and in-flight are both "pending").
API_STATUS = {
    Operation.Status.QUEUED: "pending",
    Operation.Status.IN_FLIGHT: "pending",
    Operation.Status.DONE: "done",
    Operation.Status.FAILED: "failed",
    Operation.Status.CONFLICT: "conflict",
    Operation.Status.DISCARDED: "discarded",
}

# Where an operation's record reads over the API, by the operation's target type.
TARGET_ROUTES = {"station": "api:station-detail", "location": "api:location-detail",
                 "station_model": "api:model-detail"}


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class BackendRefSerializer(RefSerializer):
    kind = serializers.CharField()


class ConnectorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Connector
        fields = ["connector_id", "standard", "format", "power_type", "max_voltage", "max_amperage",
                  "max_electric_power", "tariff_id"]


class EvseSerializer(serializers.ModelSerializer):
    connectors = ConnectorSerializer(many=True, read_only=True)

    class Meta:
        model = Evse
        fields = ["uid", "evse_id", "status", "capabilities", "floor_level", "physical_reference", "connectors"]


class StationListSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    backend = serializers.SerializerMethodField()
    company = serializers.SerializerMethodField()
    location = serializers.SerializerMethodField()

    class Meta:
        model = Station
        fields = ["id", "url", "label", "charge_box_identity", "status", "connectivity", "deploy_state",
                  "sync_state", "backend", "company", "location", "updated_at"]

    def get_url(self, station: Station) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:station-detail", args=[station.pk]))

    @extend_schema_field(BackendRefSerializer)
    def get_backend(self, station: Station) -> dict[str, Any]:
        return {"id": station.backend_id, "name": station.backend.name, "kind": station.backend.kind}

    @extend_schema_field(RefSerializer)
    def get_company(self, station: Station) -> dict[str, Any]:
        return {"id": station.company_id, "name": station.company.name}

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_location(self, station: Station) -> dict[str, Any] | None:
        if station.location_id is None:
            return None
        return {"id": station.location_id, "name": station.location.name}


class StationSerializer(StationListSerializer):
    evses = EvseSerializer(many=True, read_only=True)
    model = serializers.SerializerMethodField()
    technician = serializers.SerializerMethodField()

    class Meta(StationListSerializer.Meta):
        fields = [*StationListSerializer.Meta.fields, "upstream_id", "model", "technician", "charger_type",
                  "default_tariff_id", "time_zone", "public_display_name", "firmware_version", "protocol_version",
                  "removed_at", "evses"]

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_model(self, station: Station) -> dict[str, Any] | None:
        if station.model_id is None:
            return None
        return {"id": station.model_id, "name": str(station.model)}

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_technician(self, station: Station) -> dict[str, Any] | None:
        if station.technician_id is None:
            return None
        return {"id": station.technician_id, "name": station.technician.name}


class StationWriteSerializer(serializers.Serializer):
    """A GreenFlux station's writable fields (the edit form's). A PATCH sends some, a PUT all of them."""

    label = serializers.CharField(required=False, allow_blank=True, help_text="The station's name.")
    location = serializers.IntegerField(required=False, help_text="A location id of the station's backend.")
    default_tariff_id = serializers.CharField(required=False)
    deploy_state = serializers.CharField(required=False, help_text="Stock, Production or Deprecated.")
    charger_type = serializers.CharField(required=False, allow_blank=True, help_text="Public, Home, Business or empty.")


class FieldConflictSerializer(serializers.Serializer):
    field = serializers.CharField()
    base = serializers.JSONField(allow_null=True)
    mine = serializers.JSONField(allow_null=True)
    theirs = serializers.JSONField(allow_null=True)
    clash = serializers.BooleanField()


class OperationSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField()
    target = serializers.SerializerMethodField()
    conflict = serializers.SerializerMethodField()

    class Meta:
        model = Operation
        fields = ["id", "url", "kind", "status", "reason", "field_errors", "target", "conflict", "attempts",
                  "created_at", "finished_at"]

    def get_url(self, op: Operation) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:operation-detail", args=[op.pk]))

    def get_status(self, op: Operation) -> str:
        return API_STATUS[op.status]

    def get_reason(self, op: Operation) -> str:
        return op.error_message if op.status in (Operation.Status.FAILED, Operation.Status.CONFLICT,
                                                 Operation.Status.DISCARDED) else ""

    @extend_schema_field(serializers.DictField())
    def get_target(self, op: Operation) -> dict[str, Any]:
        target: dict[str, Any] = {"type": op.target_type, "id": op.target_id, "label": op.target_label}
        route = TARGET_ROUTES.get(op.target_type)
        if route and op.target_id:
            target["url"] = self.context["request"].build_absolute_uri(reverse(route, args=[op.target_id]))
        return target

    @extend_schema_field(FieldConflictSerializer(many=True, allow_null=True))
    def get_conflict(self, op: Operation) -> list[dict[str, Any]] | None:
        return field_conflicts(op)
