"""Operations over the API: the state of every write (pending, done, failed with its reason, or
conflict with mine and theirs per field), scoped as the Operations page is (``portal.selectors``)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.pagination import id_page
from api.serializers import API_STATUS, OperationSerializer
from outbox.selectors import operations_for


class OperationList(APIView):
    @extend_schema(operation_id="operations_list", parameters=[
        OpenApiParameter("status", str, enum=sorted(set(API_STATUS.values()))),
        OpenApiParameter("after", int, description="The cursor of the `next` link (older operations)."),
    ], responses=inline_serializer("OperationPage", {
        "next": serializers.URLField(allow_null=True), "results": OperationSerializer(many=True)}))
    def get(self, request: Request) -> Response:
        """Your companies' writes, newest first."""
        ops = operations_for(request.user)
        wanted = request.query_params.get("status")
        if wanted:
            ops = ops.filter(status__in=[s for s, api in API_STATUS.items() if api == wanted])
        return id_page(request, ops, OperationSerializer, newest_first=True)


class OperationDetail(APIView):
    @extend_schema(responses=OperationSerializer)
    def get(self, request: Request, operation_id: int) -> Response:
        """One write: poll it until its status is no longer `pending`."""
        op = operations_for(request.user).filter(pk=operation_id).first()
        if op is None:
            raise Http404
        return Response(OperationSerializer(op, context={"request": request}).data)
