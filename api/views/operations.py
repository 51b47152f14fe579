"""Operations over the API: the state of every write (pending, done, failed with its reason, or
conflict with mine and theirs per field), scoped as the Operations page is (``portal.selectors``)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.serializers import API_STATUS, OperationSerializer
from portal.selectors import operations_for

PAGE = 50


class OperationList(APIView):
    @extend_schema(operation_id="operations_list", parameters=[
        OpenApiParameter("status", str, enum=sorted(set(API_STATUS.values()))),
        OpenApiParameter("before", int, description="Operations older than this id (the `next` link)."),
    ], responses=inline_serializer("OperationPage", {
        "next": serializers.URLField(allow_null=True), "results": OperationSerializer(many=True)}))
    def get(self, request: Request) -> Response:
        """Your companies' writes, newest first."""
        ops = operations_for(request.user).order_by("-id")
        wanted = request.query_params.get("status")
        if wanted:
            ops = ops.filter(status__in=[s for s, api in API_STATUS.items() if api == wanted])
        before = request.query_params.get("before", "")
        if before.isdigit():
            ops = ops.filter(id__lt=int(before))
        rows = list(ops[: PAGE + 1])
        next_url = None
        if len(rows) > PAGE:
            rows = rows[:PAGE]
            params = request.query_params.copy()
            params["before"] = str(rows[-1].pk)
            next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
        return Response({"next": next_url,
                         "results": OperationSerializer(rows, many=True, context={"request": request}).data})


class OperationDetail(APIView):
    @extend_schema(responses=OperationSerializer)
    def get(self, request: Request, operation_id: int) -> Response:
        """One write: poll it until its status is no longer `pending`."""
        op = operations_for(request.user).filter(pk=operation_id).first()
        if op is None:
            raise Http404
        return Response(OperationSerializer(op, context={"request": request}).data)
