"""Bulk changes over the API: a preview first (what each station would become, or why it is skipped),
then confirm; the batch's items follow the same write path as the page's (``stations.bulk.services``)."""

from __future__ import annotations


from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.idempotency import idempotent
from api.problems import Conflict
from stations.bulk import services
from stations.bulk.forms import BulkActionForm
from stations.bulk.models import Batch, BatchItem
from stations.bulk.selection import Selection, SelectionRefused


class BatchItemSerializer(serializers.ModelSerializer):
    operation_status = serializers.SerializerMethodField()

    class Meta:
        model = BatchItem
        fields = ["station", "label", "identity", "outcome", "reason", "diff", "operation_status"]

    def get_operation_status(self, item: BatchItem) -> str | None:
        from api.serializers import API_STATUS

        op = item.operation  # its key is chosen at preview; the row exists once the batch is confirmed
        return API_STATUS.get(op.status) if op is not None else None


class BatchSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    counts = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Batch
        fields = ["id", "url", "kind", "status", "summary", "selection_text", "params", "counts", "progress",
                  "created_at", "confirmed_at", "finished_at"]

    def get_url(self, batch: Batch) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:batch-detail", args=[batch.pk]))

    def get_counts(self, batch: Batch) -> dict[str, int]:
        return services.batch_counts(batch, self.context["request"].user)

    def get_progress(self, batch: Batch) -> dict[str, int] | None:
        return services.batch_progress(batch, self.context["request"].user) if batch.confirmed_at else None


class BatchCreateSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["change", "refresh"])
    stations = serializers.ListField(child=serializers.IntegerField(), required=False,
                                     help_text="Station ids; or give `filter`.")
    filter = serializers.CharField(required=False, allow_blank=True,
                                   help_text="The station list's query string, e.g. `q=Depot&status=AVAILABLE`.")
    deploy_state = serializers.CharField(required=False)
    default_tariff_id = serializers.CharField(required=False)
    location = serializers.IntegerField(required=False)
    charger_type = serializers.CharField(required=False)
    label_prefix = serializers.CharField(required=False, trim_whitespace=False)
    label_suffix = serializers.CharField(required=False, trim_whitespace=False)


def _batch(request: Request, batch_id: int) -> Batch:
    batch = services.batches_for(request.user).filter(pk=batch_id).first()
    if batch is None:
        raise Http404
    return batch


def _answer(request: Request, batch: Batch, code: int) -> Response:
    items = services.items_for(batch, request.user).select_related("operation").order_by("id")[:1000]
    data = {**BatchSerializer(batch, context={"request": request}).data,
            "items": BatchItemSerializer(items, many=True).data}
    return Response(data, status=code, headers={"Location": data["url"]})


class BatchList(APIView):
    @extend_schema(request=BatchCreateSerializer, responses={201: BatchSerializer})
    @idempotent
    def post(self, request: Request) -> Response:
        """Preview a bulk change or refresh of the given stations (nothing is sent until you confirm)."""
        given = BatchCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        if "filter" in data:
            selection = Selection(filter=data.pop("filter"))
        elif "stations" in data:
            selection = Selection(ids=tuple(dict.fromkeys(data.pop("stations"))))
        else:
            raise ValidationError({"stations": ["Give station ids, or a filter."]})
        form = BulkActionForm({k: str(v) for k, v in data.items()}, user=request.user)
        if not form.is_valid():
            raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
        kind = Batch.Kind.CHANGE if data["action"] == "change" else Batch.Kind.REFRESH
        try:
            batch = services.batch_preview_create(user=request.user, selection=selection, kind=kind,
                                                  params=form.params() if kind == Batch.Kind.CHANGE else {})
        except SelectionRefused as exc:
            raise ValidationError({"stations" if selection.filter is None else "filter": [str(exc)]}) from exc
        return _answer(request, batch, status.HTTP_201_CREATED)


class BatchDetail(APIView):
    @extend_schema(responses=BatchSerializer)
    def get(self, request: Request, batch_id: int) -> Response:
        """The preview (each station's change or skip reason), then each item's operation and the progress."""
        return _answer(request, _batch(request, batch_id), status.HTTP_200_OK)


class BatchConfirm(APIView):
    @extend_schema(request=None, responses={202: BatchSerializer})
    @idempotent
    def post(self, request: Request, batch_id: int) -> Response:
        """Send the previewed changes, each based on the version the preview showed."""
        batch = _batch(request, batch_id)
        try:
            batch = services.batch_confirm(user=request.user, batch=batch)
        except ValueError as exc:
            raise Conflict(str(exc)) from exc
        return _answer(request, batch, status.HTTP_202_ACCEPTED)


