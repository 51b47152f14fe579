"""Maintenance windows over the API: plan one for a be.ENERGISED station (judged by the page's form),
and cancel one where the backend offers it (no vendor document gives the cancel request: an admin sets
its path on the backend, otherwise the answer is 409 saying so)."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.answers import accepted
from api.serializers import OperationSerializer
from api.idempotency import idempotent
from api.pagination import id_page
from api.problems import Conflict
from api.views.estate import AFTER, WindowSerializer, _page_schema
from maintenance import services
from maintenance.forms import WindowForm
from maintenance.models import MaintenanceWindow
from maintenance.selectors import windows_for
from portal.access import get_scoped_or_404
from portal.models import Operation
from stations.models import Station

WindowPlan = inline_serializer("WindowPlan", {
    "station": serializers.IntegerField(), "starts_at": serializers.DateTimeField(),
    "ends_at": serializers.DateTimeField(), "comment": serializers.CharField(),
    "connector": serializers.CharField(required=False, help_text="A connector uuid; left out: the whole station."),
})


class WindowList(APIView):
    @extend_schema(operation_id="maintenance_windows_list", parameters=[AFTER],
                   responses=_page_schema("WindowPage", WindowSerializer))
    def get(self, request: Request) -> Response:
        """Your companies' standing maintenance windows (planned or running)."""
        return id_page(request, windows_for(request.user), WindowSerializer)

    @extend_schema(request=WindowPlan, responses={202: OperationSerializer})
    @idempotent
    def post(self, request: Request) -> Response:
        """Plan a window (ISO 8601 times); it may not start in the past."""
        body = request.data if isinstance(request.data, dict) else {}
        station_id = body.get("station")
        if not isinstance(station_id, int):
            raise ValidationError({"station": ["Give the station's id."]})
        station = get_scoped_or_404(Station.objects.select_related("backend", "company"), request.user,
                                    pk=station_id)
        refusal = services.station_refusal(station)
        if refusal:
            raise Conflict(refusal)
        form = WindowForm({k: body.get(k) for k in ("starts_at", "ends_at", "comment", "connector")
                           if body.get(k) is not None}, station=station)
        if not form.is_valid():
            raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
        with transaction.atomic():
            window = services.maintenance_window_create(user=request.user, station=station, data=form.to_input())
            op = Operation.objects.filter(kind="maintenance.create", target_type="maintenance_window",
                                          target_id=window.pk).latest("pk")
        return accepted(request, op)


class WindowCancel(APIView):
    @extend_schema(request=None, responses={202: OperationSerializer, 200: inline_serializer(
        "WindowRemoved", {"detail": serializers.CharField()})})
    @idempotent
    def post(self, request: Request, window_id: int) -> Response:
        """Cancel a window that has not ended, where the backend offers it."""
        window = get_scoped_or_404(MaintenanceWindow.objects.select_related("station"), request.user, pk=window_id)
        try:
            op = services.maintenance_window_cancel(user=request.user, window=window)
        except ValueError as exc:
            raise Conflict(str(exc)) from exc
        if op is None:  # its create never reached the upstream: nothing to cancel there
            return Response({"detail": "The window never reached the upstream; it is removed here."})
        return accepted(request, op)
