"""Keyset pages by id for the API's smaller lists (stations have their own sorted cursors)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.request import Request
from rest_framework.response import Response

PAGE = 50


def id_page(request: Request, queryset: QuerySet[Any], serializer: Any, *, newest_first: bool = False) -> Response:
    """One page of ``queryset`` by id after the ``after`` cursor (before it when ``newest_first``)."""
    cursor = request.query_params.get("after", "")
    rows = queryset.order_by("-id" if newest_first else "id")
    if cursor.isdigit():
        rows = rows.filter(id__lt=int(cursor)) if newest_first else rows.filter(id__gt=int(cursor))
    page = list(rows[: PAGE + 1])
    next_url = None
    if len(page) > PAGE:
        page = page[:PAGE]
        params = request.query_params.copy()
        params["after"] = str(page[-1].pk)
        next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    return Response({"next": next_url, "results": serializer(page, many=True, context={"request": request}).data})
