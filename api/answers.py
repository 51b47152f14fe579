"""The answer to an accepted write: 202 with the operation, and its URL in ``Location``."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from api.serializers import OperationSerializer
from portal.models import Operation


def accepted(request: Request, op: Operation) -> Response:
    url = request.build_absolute_uri(reverse("api:operation-detail", args=[op.pk]))
    return Response(OperationSerializer(op, context={"request": request}).data, status=status.HTTP_202_ACCEPTED,
                    headers={"Location": url})
