"""403, 404 and 500 pages inside the layout, with the reason the server already knows and a way back.

The reason of a 403 is the ``PermissionDenied`` message (``portal.access``
raises "This page needs the operator role."); of a 404 the ``Http404`` message
("No station found."), never the URL resolver's internals. A 500 says only
that something went wrong: nothing about the error reaches the page, and it
renders without the request's context processors, so a broken database
cannot break the error page too.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

GENERIC_403 = "Your role or companies do not give access to this page."
GENERIC_404 = "There is no page at this address, or it belongs to a company you are not given."


def way_back(request: HttpRequest) -> str | None:
    """The page the user came from (same site, not this one), for a "Back" link."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        parts = urlsplit(referer)
        back = parts.path + (f"?{parts.query}" if parts.query else "")
        if parts.path != request.path:
            return back
    return None


def _reason(exception: Exception | None, default: str) -> str:
    message = exception.args[0] if exception is not None and exception.args else None
    return message if isinstance(message, str) and message.strip() else default


def _render(request: HttpRequest, template: str, status: int, reason: str) -> HttpResponse:
    context = {"reason": reason, "back": way_back(request), "home": reverse("dashboard")}
    response = HttpResponse(loader.render_to_string(template, context, request), status=status)
    if getattr(request, "htmx", False):
        # A fragment request: show the whole error page rather than swap nothing.
        response["HX-Retarget"] = "body"
        response["HX-Reswap"] = "innerHTML"
    return response


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "403.html", 403, _reason(exception, GENERIC_403))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "404.html", 404, _reason(exception, GENERIC_404))


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        body = loader.render_to_string("500.html", {"home": reverse("dashboard"), "back": way_back(request)})
    except Exception:  # the layout itself failed: still answer something calm
        body = "<!doctype html><title>Something went wrong</title><h1>Something went wrong</h1>" \
               "<p>The error was logged. <a href=\"/\">Back to the dashboard</a></p>"
    return HttpResponse(body, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent with an old or missing security token (e.g. a page open since before signing in again)."""
    return _render(request, "403.html", 403, "This form was sent with an expired security token. "
                   "Go back, reload the page and send it again.")
