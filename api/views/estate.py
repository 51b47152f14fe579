"""Read-only resources over the API: locations, technicians, maintenance windows, sync runs, and the
network figures, each scoped to the caller's companies by the selectors the pages use."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.pagination import id_page
from locations.models import Location
from locations.ranges import time_range
from locations.selectors import network_filter, network_overview
from maintenance.models import MaintenanceWindow
from portal.access import scoped
from portal.models import SyncRun
from portal.selectors import counts_shown
from stations.models import Technician
from sync.selectors import runs_for

AFTER = OpenApiParameter("after", int, description="The id after which the next page starts (the `next` link).")


def _page_schema(name: str, serializer: Any) -> Any:
    return inline_serializer(name, {"next": serializers.URLField(allow_null=True), "results": serializer(many=True)})


class LocationSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    company = serializers.IntegerField(source="company_id")
    backend = serializers.IntegerField(source="backend_id")

    class Meta:
        model = Location
        fields = ["id", "url", "name", "address", "city", "postal_code", "country_code", "latitude", "longitude",
                  "labels", "company", "backend", "upstream_id", "sync_state"]

    def get_url(self, location: Location) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:location-detail", args=[location.pk]))


class TechnicianSerializer(serializers.ModelSerializer):
    company = serializers.IntegerField(source="company_id")

    class Meta:
        model = Technician
        fields = ["id", "name", "email", "company", "upstream_id"]


class WindowSerializer(serializers.ModelSerializer):
    station = serializers.IntegerField(source="station_id")

    class Meta:
        model = MaintenanceWindow
        fields = ["id", "station", "connector_uuid", "starts_at", "ends_at", "comment", "sync_state", "upstream_id"]


COUNTED = ("pages", "rows_seen", "rows_created", "rows_updated", "rows_unchanged", "rows_removed", "errors")


class SyncRunSerializer(serializers.ModelSerializer):
    """A run; the figures and message of a backend shared by every company (a multi-tenant ChargEye)
    count every company's rows, so they are null for a company's user (as the Sync page leaves them out)."""

    backend = serializers.CharField(source="backend.name")
    pages = serializers.IntegerField(allow_null=True)
    rows_seen = serializers.IntegerField(allow_null=True)
    rows_created = serializers.IntegerField(allow_null=True)
    rows_updated = serializers.IntegerField(allow_null=True)
    rows_unchanged = serializers.IntegerField(allow_null=True)
    rows_removed = serializers.IntegerField(allow_null=True)
    errors = serializers.IntegerField(allow_null=True)
    message = serializers.CharField(allow_null=True)

    class Meta:
        model = SyncRun
        fields = ["id", "backend", "entity", "full", "status", "trigger", "created_at", "started_at", "finished_at",
                  *COUNTED, "message"]

    def to_representation(self, run: SyncRun) -> dict[str, Any]:
        data = super().to_representation(run)
        if not counts_shown(self.context["request"].user, run.backend):
            data.update(dict.fromkeys((*COUNTED, "message")))
        return data


class TechnicianList(APIView):
    @extend_schema(operation_id="technicians_list", parameters=[OpenApiParameter("company", int), AFTER],
                   responses=_page_schema("TechnicianPage", TechnicianSerializer))
    def get(self, request: Request) -> Response:
        """The active technicians of your companies (those a new station may name)."""
        technicians = scoped(Technician.objects.all(), request.user)
        company = request.query_params.get("company", "")
        if company.isdigit():
            technicians = technicians.filter(company_id=int(company))
        return id_page(request, technicians, TechnicianSerializer)


class SyncRunList(APIView):
    @extend_schema(operation_id="sync_runs_list", parameters=[AFTER],
                   responses=_page_schema("SyncRunPage", SyncRunSerializer))
    def get(self, request: Request) -> Response:
        """Refresh runs of the backends you see (your companies', and for admins the shared ones), newest
        first; a shared backend's row counts are null unless you are a platform administrator."""
        runs = runs_for(request.user)
        return id_page(request, runs, SyncRunSerializer, newest_first=True)


class Network(APIView):
    @extend_schema(parameters=[OpenApiParameter("company", int), OpenApiParameter("location", int),
                               OpenApiParameter("range", str, enum=["24h", "7d"])],
                   responses=inline_serializer("NetworkFigures", {
                       "total_kw": serializers.FloatField(allow_null=True), "sessions_now": serializers.IntegerField(),
                       "sampled_at": serializers.DateTimeField(allow_null=True),
                       "counts": serializers.DictField(child=serializers.IntegerField()),
                       "series": serializers.ListField(child=serializers.DictField())}))
    def get(self, request: Request) -> Response:
        """The network dashboard's figures: power now, sessions, errors, offline stations, and power over time."""
        params = request.query_params.dict()
        overview = network_overview(request.user, network_filter(request.user, params), time_range(params))
        return Response({
            "total_kw": overview.total_kw, "sessions_now": overview.sessions_now, "sampled_at": overview.sampled_at,
            "counts": overview.counts,
            "series": [{"at": at, "kw": kw} for at, kw in overview.series],
        })
