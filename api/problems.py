"""Errors as ``application/problem+json`` (RFC 9457): a title, the status, a detail and, for bad
input, ``errors`` naming each field (or CSV row and column) with its message."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM = "application/problem+json"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "Send If-Match with the ETag of the version you read (RFC 9110 conditional request)."
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record changed since the version in If-Match; read it again and reapply your change."
    default_code = "precondition_failed"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The record is in a state that does not allow this."
    default_code = "conflict"


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "The request cannot be processed."
    default_code = "unprocessable"


def field_errors(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """DRF's nested error detail as a flat list of ``{"field": "evses/0/connectors/1/standard", "detail": …}``."""
    out: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for name, value in detail.items():
            field = "" if name in ("non_field_errors", "__all__") else str(name)
            out += field_errors(value, f"{prefix}/{field}".strip("/") if field else prefix)
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            out += [{"field": prefix, "detail": str(item)} for item in detail]
        else:
            for index, item in enumerate(detail):
                out += field_errors(item, f"{prefix}/{index}".strip("/"))
    else:
        out.append({"field": prefix, "detail": str(detail)})
    return out


def problem(status_code: int, title: str, detail: str = "", **extra: Any) -> Response:
    body = {"type": "about:blank", "title": title, "status": status_code, **({"detail": detail} if detail else {}),
            **extra}
    return Response(body, status=status_code, content_type=PROBLEM)


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("No such record (or not one of your companies').")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is None:
        return None  # a real fault: Django's 500 handling (and its log line) takes over
    title = status_title(response.status_code)
    extra: dict[str, Any] = {}
    if isinstance(exc, exceptions.ValidationError):
        extra["errors"] = field_errors(exc.detail)
        detail = "; ".join(f"{e['field']}: {e['detail']}" if e["field"] else e["detail"] for e in extra["errors"])
    else:
        detail = str(getattr(exc, "detail", "")) or title
    answer = problem(response.status_code, title, detail, **extra)
    for name in ("Retry-After", "WWW-Authenticate", "Allow"):
        if name in response:
            answer[name] = response[name]
    return answer


def status_title(code: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Error"


@csrf_exempt  # it changes nothing; without this a POST would get the pages' HTML CSRF refusal
def not_found(request: Any, *args: Any, **kwargs: Any) -> Any:
    """The API's answer to a path it does not have (a plain Django view: no authentication needed)."""
    body = {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "No such API path."}
    return JsonResponse(body, status=404, content_type=PROBLEM)
