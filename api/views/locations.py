"""Locations over the API: create one on ChargEye and change one behind ``If-Match``, judged by the
location page's form (``locations.forms``). Locations of other kinds are read-only, as on the pages."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
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
from api.versions import digest_tag, require_tag
from api.views.estate import AFTER, LocationSerializer, _page_schema
from locations import services
from locations.forms import LocationForm
from locations.models import Location
from locations.selectors import locations_for
from portal.access import Role, get_scoped_or_404
from portal.models import Backend, Operation
from portal.selectors import companies_for
from outbox.shown import shown_token

LocationWrite = inline_serializer("LocationWrite", {
    "company": serializers.IntegerField(required=False, help_text="Create only; a location keeps its company."),
    "name": serializers.CharField(required=False), "address": serializers.CharField(required=False),
    "city": serializers.CharField(required=False), "postal_code": serializers.CharField(required=False),
    "country_code": serializers.CharField(required=False, help_text="ISO 3166-1 alpha-2."),
    "latitude": serializers.DecimalField(max_digits=9, decimal_places=6, required=False),
    "longitude": serializers.DecimalField(max_digits=9, decimal_places=6, required=False),
    "labels": serializers.ListField(child=serializers.CharField(), required=False),
    "backend": serializers.IntegerField(required=False, help_text="Create only: the ChargEye backend."),
})
FIELDS = ("company", "name", "address", "city", "postal_code", "country_code", "latitude", "longitude", "labels",
          "backend")


def location_etag(location: Location) -> str:
    return digest_tag(services.shown_of(location))


def _form_data(body: Any, base: dict[str, Any] | None = None) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ValidationError({"": ["Send a JSON object."]})
    data = {**(base or {}), **{k: v for k, v in body.items() if k in FIELDS}}
    if isinstance(data.get("labels"), list):
        data["labels"] = ", ".join(str(label) for label in data["labels"])
    return {k: "" if v is None else v for k, v in data.items()}


def _raise(form: LocationForm) -> None:
    raise ValidationError({name if name != "__all__" else "": list(errors) for name, errors in form.errors.items()})


class LocationList(APIView):
    @extend_schema(operation_id="locations_list", parameters=[OpenApiParameter("q", str), AFTER],
                   responses=_page_schema("LocationPage", LocationSerializer))
    def get(self, request: Request) -> Response:
        """Your companies' locations."""
        return id_page(request, locations_for(request.user, request.query_params.get("q", "")), LocationSerializer)

    @extend_schema(request=LocationWrite, responses={202: OperationSerializer})
    @idempotent
    def post(self, request: Request) -> Response:
        """Create a location on ChargEye."""
        form = LocationForm(_form_data(request.data), companies=companies_for(request.user, Role.OPERATOR))
        if not form.is_valid():
            _raise(form)
        company = form.cleaned_data.get("company") or getattr(form, "only_company", None)
        try:
            with transaction.atomic():
                location = services.location_create(user=request.user, company=company, data=form.to_input(),
                                                    backend=form.cleaned_data.get("backend"))
                op = Operation.objects.filter(kind="location.create", target_type="location",
                                              target_id=location.pk).latest("pk")
        except services.NoBackend as exc:
            raise Conflict(str(exc)) from exc
        return accepted(request, op)


class LocationDetail(APIView):
    @extend_schema(responses=LocationSerializer)
    def get(self, request: Request, location_id: int) -> Response:
        location = get_scoped_or_404(Location.objects.select_related("backend"), request.user, pk=location_id)
        return Response(LocationSerializer(location, context={"request": request}).data,
                        headers={"ETag": location_etag(location)})

    @extend_schema(request=LocationWrite, responses={202: OperationSerializer, 200: LocationSerializer},
                   parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True)])
    def patch(self, request: Request, location_id: int) -> Response:
        """Change some of the location's fields; the others stay as they are."""
        location = get_scoped_or_404(Location.objects.select_related("company", "backend"), request.user,
                                     pk=location_id, min_role=Role.OPERATOR)
        if location.backend.kind != Backend.Kind.CHARGEYE:
            raise Conflict(f"{location.backend.get_kind_display()} locations are read-only: its API cannot change them.")
        require_tag(request, location_etag(location))
        shown = services.shown_of(location)
        body = {k: v for k, v in (request.data or {}).items() if k not in ("company", "backend")} \
            if isinstance(request.data, dict) else request.data
        data = _form_data(body, {**shown, "shown": shown_token("location", location.pk, shown)})
        form = LocationForm(data, companies=companies_for(request.user, Role.OPERATOR), location=location)
        if not form.is_valid():
            _raise(form)
        op = services.location_update(user=request.user, location=location, data=form.to_input(),
                                      shown=form.shown_values)
        if op is None:
            return self.get(request, location_id)
        return accepted(request, op)
