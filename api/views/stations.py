"""Stations over the API: the list (the page's filters, search, sort and keyset cursors), one station
with its EVSEs and connectors, partial and full edits behind ``If-Match``, and "refresh from upstream".

Writes answer ``202 Accepted`` with the operation's URL in ``Location``: as on the pages, the worker
sends the change and the operation says how it ended (``api.views.operations``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.answers import accepted
from api.idempotency import idempotent
from api.problems import Conflict
from api.serializers import OperationSerializer, StationListSerializer, StationSerializer, StationWriteSerializer
from api.versions import require_match, station_etag
from api.views.station_create import StationCreateSerializer, create
from portal.access import Role, get_scoped_or_404
from stations import services
from stations.filters import StationFilterForm
from stations.forms.edit import StationEditForm, shown_initial
from stations.models import Station
from stations.selectors import station_detail_get, station_edit_refusal, station_page

IF_MATCH = OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
                            description="The ETag of the version you read.")
IDEMPOTENCY_KEY = OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER,
                                   description="Send the same key again to get the first answer, not a second write.")
LIST_PARAMS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Search name, identity, location, serial number."),
    *(OpenApiParameter(name, OpenApiTypes.STR) for name in
      ("status", "connectivity", "deploy_state", "sync_state", "sort")),
    *(OpenApiParameter(name, OpenApiTypes.INT) for name in ("backend", "company", "location", "model")),
    OpenApiParameter("per_page", OpenApiTypes.INT, enum=[25, 50, 100]),
    OpenApiParameter("after", OpenApiTypes.STR, description="The `next` cursor of the previous page."),
    OpenApiParameter("before", OpenApiTypes.STR, description="The `previous` cursor of the next page."),
]
StationListPage = inline_serializer("StationListPage", {
    "count": serializers.IntegerField(), "next": serializers.URLField(allow_null=True),
    "previous": serializers.URLField(allow_null=True), "results": StationListSerializer(many=True),
})


def station_for_write(request: Request, station_id: int) -> Station:
    station = get_scoped_or_404(Station.objects.select_related("backend", "company", "location"),
                                request.user, pk=station_id, min_role=Role.OPERATOR)  # the role in its company
    refusal = station_edit_refusal(station)
    if refusal:
        raise Conflict(refusal)
    return station


class StationList(APIView):
    @extend_schema(request=StationCreateSerializer, parameters=[IDEMPOTENCY_KEY], responses={202: OperationSerializer})
    @idempotent
    def post(self, request: Request) -> Response:
        """Create a station (the create page's fields; EVSEs from a template or by hand)."""
        return create(request)

    @extend_schema(operation_id="stations_list", parameters=LIST_PARAMS, responses={200: StationListPage})
    def get(self, request: Request) -> Response:
        """The stations of your companies, a page at a time (follow `next`; cursors stay fast at any depth)."""
        form = StationFilterForm(request.query_params, user=request.user)
        if not form.is_valid():
            raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
        page = station_page(request.user, form.to_query(), per_page=form.page_size,
                            after=request.query_params.get("after", ""),
                            before=request.query_params.get("before", ""))
        return Response({
            "count": page.total,
            "next": self._link(request, after=page.next_cursor) if page.next_cursor else None,
            "previous": self._link(request, before=page.prev_cursor) if page.prev_cursor else None,
            "results": StationListSerializer(page.stations, many=True, context={"request": request}).data,
        })

    @staticmethod
    def _link(request: Request, **cursor: str) -> str:
        params = [(k, v) for k, v in request.query_params.items() if k not in ("after", "before")]
        return request.build_absolute_uri(f"{request.path}?{urlencode([*params, *cursor.items()])}")


def station_read(request: Request, station_id: int) -> Response:
    """One station as the API shows it, with its version in ``ETag``."""
    station = station_detail_get(request.user, station_id)
    data = StationSerializer(station, context={"request": request}).data
    return Response(data, headers={"ETag": station_etag(station)})


class StationDetail(APIView):
    def _read(self, request: Request, station_id: int) -> Response:
        return station_read(request, station_id)

    @extend_schema(responses={200: StationSerializer})
    def get(self, request: Request, station_id: int) -> Response:
        """One station with its EVSEs and connectors; the `ETag` header names this version."""
        return self._read(request, station_id)

    @extend_schema(request=StationWriteSerializer, parameters=[IF_MATCH],
                   responses={202: OperationSerializer, 200: StationSerializer})
    def patch(self, request: Request, station_id: int) -> Response:
        """Change some fields; the others stay as they are upstream. Judged field by field: someone else's
        change to another field is kept, a change to the same field becomes a conflict."""
        return self._write(request, station_id, partial=True)

    @extend_schema(request=StationWriteSerializer, parameters=[IF_MATCH],
                   responses={202: OperationSerializer, 200: StationSerializer})
    def put(self, request: Request, station_id: int) -> Response:
        """Replace the writable fields (an optional one left out is cleared, as GreenFlux's PUT does).
        Any change upstream since your version makes the operation a conflict."""
        return self._write(request, station_id, partial=False)

    def _write(self, request: Request, station_id: int, *, partial: bool) -> Response:
        station = station_for_write(request, station_id)
        shown = require_match(request, station)
        given = StationWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        values = {**shown_initial(shown, station), **given.validated_data} if partial else {
            "label": "", "charger_type": "", **given.validated_data}
        form = StationEditForm({"shown": shown.token(), **{k: v for k, v in values.items() if v is not None}},
                               station=station, user=request.user, shown=shown)
        if not form.is_valid():
            raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
        try:
            if partial:
                fields = {name: form.cleaned_data.get(name) for name in given.validated_data}
                op = services.station_patch_fields(user=request.user, station=station, shown=shown, values=fields)
            else:
                op = services.station_edit(user=request.user, station=station, shown=shown, changes=form.changes())
        except services.StationInConflict as exc:
            raise Conflict(str(exc)) from exc
        if op is None:  # nothing changed: nothing is sent, the version stays
            return self._read(request, station_id)
        return accepted(request, op)


class StationRefresh(APIView):
    @extend_schema(request=None, parameters=[IDEMPOTENCY_KEY],
                   responses={202: OperationSerializer})
    @idempotent
    def post(self, request: Request, station_id: int) -> Response:
        """Read the station from its upstream now (through the worker)."""
        station = get_scoped_or_404(Station.objects.select_related("backend"), request.user, pk=station_id,
                                    min_role=Role.OPERATOR)
        if not station.upstream_id:
            raise Conflict(f"This station is not on {station.backend.name} yet; nothing to refresh.")
        return accepted(request, services.station_refresh(user=request.user, station=station))
