"""The portal's own 404 and 500 pages also with ``DEBUG=1`` (the demo).

With ``DEBUG`` on, Django answers a missing page with its debug page, which
lists every URL pattern, and an error with its traceback page: the demo is
run by people who are not the portal's developers, so they get the same
pages as production (``portal.views.errors``) unless ``DEBUG_ERROR_PAGES=1``
asks for Django's. 403 pages are the portal's in both modes already.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.log import log_response

from portal.views.errors import page_not_found, server_error


class DebugErrorPagesMiddleware:
    """With ``DEBUG`` on, answers what would be Django's debug 404 or 500 page with the portal's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def _active(self) -> bool:
        return settings.DEBUG and not getattr(settings, "DEBUG_ERROR_PAGES", False)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # No view matched the address: Django's resolver answered with its debug page.
        if self._active() and response.status_code == 404 and getattr(request, "resolver_match", None) is None:
            return page_not_found(request, None)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not self._active():
            return None
        if isinstance(exception, Http404):
            response = page_not_found(request, exception)
            log_response("Not Found: %s", request.path, response=response, request=request, exception=exception)
            return response
        if isinstance(exception, (PermissionDenied, SuspiciousOperation, BadRequest)):
            return None  # Django answers these with the portal's handlers in both modes
        response = server_error(request)
        log_response("%s: %s", "Internal Server Error", request.path, response=response, request=request,
                     exception=exception)
        return response
