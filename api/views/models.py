"""The station-model catalogue over the API: read by everyone, created, renamed and archived by admins.

The catalogue is shared by every company (the platform's admins hold it), as on the Models page.
A rename is a PATCH of `friendly_name` behind ``If-Match`` (the ETag names the name the caller read).
"""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.forms_bridge import formset_data, kilowatts, raise_errors
from api.idempotency import idempotent
from api.pagination import id_page
from api.problems import Conflict
from api.versions import digest_tag, require_tag
from api.answers import accepted
from api.serializers import OperationSerializer
from models_catalog import services
from models_catalog.forms import StationModelForm, connectors_formset, to_input
from models_catalog.models import StationModel
from models_catalog.selectors import ModelFilters, model_list
from portal.access import Role
from portal.models import Operation


class ModelSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = StationModel
        fields = ["id", "url", "vendor", "model", "friendly_name", "power_type", "connectors", "ocpp_url",
                  "image_url", "is_archived", "sync_state", "upstream_id"]

    def get_url(self, model: StationModel) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:model-detail", args=[model.pk]))


class ConnectorInputSerializer(serializers.Serializer):
    connection_type = serializers.CharField()
    format = serializers.CharField()
    max_amperage = serializers.DecimalField(max_digits=12, decimal_places=2)
    max_voltage = serializers.DecimalField(max_digits=12, decimal_places=2)
    max_power_watts = serializers.DecimalField(max_digits=12, decimal_places=2)


class ModelCreateSerializer(serializers.Serializer):
    vendor = serializers.CharField()
    model = serializers.CharField()
    friendly_name = serializers.CharField(required=False, allow_blank=True)
    power_type = serializers.CharField()
    ocpp_url = serializers.CharField()
    image_url = serializers.CharField(required=False, allow_blank=True)
    connectors = ConnectorInputSerializer(many=True)


def model_etag(model: StationModel) -> str:
    return digest_tag([model.pk, model.friendly_name])


def _model(model_id: int) -> StationModel:
    model = StationModel.objects.filter(pk=model_id).first()
    if model is None:
        raise Http404
    return model


class ModelList(APIView):
    write_role = Role.ADMIN

    @extend_schema(operation_id="models_list", parameters=[
        OpenApiParameter("q", str), OpenApiParameter("vendor", str), OpenApiParameter("power_type", str),
        OpenApiParameter("archived", str, enum=["1"]), OpenApiParameter("after", int)],
        responses=inline_serializer("ModelPage", {"next": serializers.URLField(allow_null=True),
                                                  "results": ModelSerializer(many=True)}))
    def get(self, request: Request) -> Response:
        """The catalogue (shared by every company), by id."""
        return id_page(request, model_list(ModelFilters.from_params(request.query_params)), ModelSerializer)

    @extend_schema(request=ModelCreateSerializer, responses={202: OperationSerializer})
    @idempotent
    def post(self, request: Request) -> Response:
        """Create a model on the catalogue backend (admins)."""
        given = ModelCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        body = dict(given.validated_data)
        rows = [dict(row) for row in body.pop("connectors")]
        for row in rows:  # the API takes watts; the page's form takes kW
            row["max_power_kw"] = kilowatts(row.pop("max_power_watts", None))
        form = StationModelForm(body)
        connectors = connectors_formset(formset_data("connectors", rows))
        raise_errors(form, connectors, "connectors", renames={"max_power_kw": "max_power_watts"})
        with transaction.atomic():
            model = services.model_create(user=request.user, data=to_input(form, connectors),
                                          backend=form.cleaned_data["backend"])
            op = Operation.objects.get(kind="model.create", target_type="station_model", target_id=model.pk)
        return accepted(request, op)


class ModelDetail(APIView):
    write_role = Role.ADMIN

    @extend_schema(responses=ModelSerializer)
    def get(self, request: Request, model_id: int) -> Response:
        model = _model(model_id)
        return Response(ModelSerializer(model, context={"request": request}).data,
                        headers={"ETag": model_etag(model)})

    @extend_schema(request=inline_serializer("ModelRename", {"friendly_name": serializers.CharField()}),
                   parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True)],
                   responses={202: OperationSerializer, 200: ModelSerializer})
    def patch(self, request: Request, model_id: int) -> Response:
        """Rename (the only field the catalogue lets change)."""
        model = _model(model_id)
        require_tag(request, model_etag(model))
        name = request.data.get("friendly_name") if isinstance(request.data, dict) else None
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > 200:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"friendly_name": ["Give a name of 1 to 200 characters."]})
        try:
            op = services.model_rename(user=request.user, model=model, friendly_name=name.strip(),
                                       shown=model.friendly_name)
        except services.ArchivedModel as exc:
            raise Conflict(str(exc)) from exc
        if op is None:
            return self.get(request, model_id)
        return accepted(request, op)


class ModelArchive(APIView):
    write_role = Role.ADMIN

    @extend_schema(request=None, responses={202: OperationSerializer})
    @idempotent
    def post(self, request: Request, model_id: int) -> Response:
        """Archive the model: it can no longer be picked for new stations."""
        op = services.model_archive(user=request.user, model=_model(model_id))
        if op is None:
            raise Conflict("This model is already archived.")
        return accepted(request, op)
