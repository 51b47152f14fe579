"""The Backends page for admins: upstream accounts, their write-only credentials, a connection check.

"Test connection" never calls the upstream in the request: it enqueues the
``portal.check_backend`` task and shows "checking…", which polls (htmx, or a
plain refresh link) until the backend's ``checked_at`` moves past the value
it had when the button was pressed.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from portal import services
from portal.access import Role, company_ids, role_required
from portal.forms_backends import PATH_PREFIX, BackendForm, credential_field_name
from portal.models import Backend
from portal.models.backends import CREDENTIAL_FIELDS
from portal.selectors import SHARED_BACKEND, SHARED_COUNTS, backends_for, companies_for, counts_shown, governs

app_name = "backends"

# After this long without a result the page stops polling and says why it may be stuck.
CHECK_PATIENCE_SECONDS = 60


def _get_backend(request: HttpRequest, backend_id: int, *, change: bool = False) -> Backend:
    # Another company's backend answers 404, like any record outside the user's companies; a shared
    # one is shown, but only the platform's admins change it (``governs``).
    backend = get_object_or_404(backends_for(request.user), pk=backend_id)
    if change and not governs(request.user, backend):
        raise PermissionDenied(SHARED_BACKEND)
    return backend


def _stamp(moment: datetime | None) -> int:
    return int(moment.timestamp() * 1_000_000) if moment else 0


def _int_param(request: HttpRequest, name: str) -> int:
    try:
        return int(request.GET.get(name, ""))
    except ValueError:
        return 0


def check_context(backend: Backend, since: int | None = None, asked: int = 0) -> dict[str, Any]:
    """What the check status fragment shows: a result, or "checking…" with where to poll."""
    checking = since is not None and _stamp(backend.checked_at) == since
    timed_out = checking and asked > 0 and time.time() - asked > CHECK_PATIENCE_SECONDS
    poll_url = ""
    if checking:
        query = urlencode({"since": since, "asked": asked})
        poll_url = f"{reverse('backends:check', args=[backend.pk])}?{query}"
    return {"backend": backend, "checking": checking and not timed_out, "timed_out": timed_out, "poll_url": poll_url}


def _may_share(request: HttpRequest) -> bool:
    """Only the platform's admins (superusers) make backends shared by every company."""
    return company_ids(request.user) is None


def _not_shared(request: HttpRequest, form: BackendForm) -> None:
    """A company's admin names one of their companies: a shared backend is the platform admins' to make."""
    if form.is_valid() and form.cleaned_data["company"] is None and company_ids(request.user) is not None:
        form.add_error("company", "Choose one of your companies: a backend shared by every company is set up "
                                  "by the platform's admins.")


def _counts(user: Any, backend: Backend) -> dict[str, Any]:
    """A shared backend's check counts every company's records: its figures are not shown to a
    company's admin (``counts_shown``), only whether it connected."""
    return {"counts_hidden": not counts_shown(user, backend), "shared_counts": SHARED_COUNTS}


def _rows(user: Any, backends: Any) -> list[dict[str, Any]]:
    return [check_context(b) | {"governed": governs(user, b)} | _counts(user, b) for b in backends]


@role_required(Role.ADMIN)
@require_http_methods(["GET"])
def backend_list(request: HttpRequest) -> HttpResponse:
    backends = backends_for(request.user).order_by("name")
    return render(request, "portal/backends/list.html", {"rows": _rows(request.user, backends)})


def _form_kind(request: HttpRequest, backend: Backend | None) -> str:
    if backend is not None:
        return backend.kind
    return request.POST.get("kind") or request.GET.get("kind") or Backend.Kind.BEENERGISED


def _render_form(request: HttpRequest, form: BackendForm, backend: Backend | None) -> HttpResponse:
    context = {"form": form, "backend": backend, "creating": backend is None}
    if request.htmx and request.method == "GET":
        # The kind select changed: only the credential fields of the new kind.
        return render(request, "portal/backends/form.html#credentials", context)
    return render(request, "portal/backends/form.html", context, status=422 if form.errors else 200)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def backend_create(request: HttpRequest) -> HttpResponse:
    kind = _form_kind(request, None)
    companies = companies_for(request.user, Role.ADMIN)
    if request.method == "POST" and "show_kind" not in request.POST:
        form = BackendForm(request.POST, companies=companies, kind=kind, shared=_may_share(request))
        _not_shared(request, form)
        if form.is_valid():
            data = form.cleaned_data
            backend = services.backend_create(
                name=data["name"], kind=data["kind"], company=data["company"], base_url=data["base_url"],
                credentials=form.credentials, paths=form.paths, actor=request.user,
            )
            messages.success(request, f"Backend {backend.name} created. Test its connection to be sure.")
            return redirect("backends:edit", backend.pk)
    else:
        # The first visit, or "show the fields of this kind" without JavaScript: keep what was typed
        # except secrets, which never travel back to the browser.
        keep = {k: v for k, v in request.POST.items() if k in ("name", "company", "base_url")}
        form = BackendForm(initial={**keep, "kind": kind}, companies=companies, kind=kind, shared=_may_share(request))
    return _render_form(request, form, None)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def backend_edit(request: HttpRequest, backend_id: int) -> HttpResponse:
    backend = _get_backend(request, backend_id, change=True)
    credentials = backend.credentials
    initial = {
        "name": backend.name, "kind": backend.kind, "company": backend.company_id, "base_url": backend.base_url,
        # Non-secret credential fields only: secrets are never put in a form, not even as initial data.
        **{credential_field_name(name): credentials.get(name, "")
           for name, _label, secret in CREDENTIAL_FIELDS[backend.kind] if not secret},
        **{PATH_PREFIX + name: value for name, value in (backend.paths or {}).items()},
    }
    form = BackendForm(
        request.POST or None, initial=initial, companies=companies_for(request.user, Role.ADMIN), kind=backend.kind,
        backend=backend, shared=_may_share(request),
    )
    if request.method == "POST":
        _not_shared(request, form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.backend_update(
            backend=backend, name=data["name"], company=data["company"], base_url=data["base_url"],
            credentials=form.credentials, paths=form.paths, actor=request.user,
        )
        messages.success(request, f"Backend {backend.name} saved.")
        return redirect("backends:list")
    return _render_form(request, form, backend)


@role_required(Role.ADMIN)
@require_http_methods(["POST"])
def backend_set_active(request: HttpRequest, backend_id: int) -> HttpResponse:
    backend = _get_backend(request, backend_id, change=True)
    active = request.POST.get("active") == "1"
    services.backend_set_active(backend=backend, active=active, actor=request.user)
    if active:
        messages.success(request, f"Backend {backend.name} is active again.")
    else:
        messages.success(request, f"Backend {backend.name} deactivated: its records stay, no new writes are sent.")
    return redirect("backends:list")


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def backend_check(request: HttpRequest, backend_id: int) -> HttpResponse:
    """POST: enqueue a check. GET: where the check stands (a fragment for htmx polling, else a page)."""
    backend = _get_backend(request, backend_id)
    if request.method == "POST":
        since, asked = _stamp(backend.checked_at), int(time.time())
        services.backend_check_request(backend=backend)
        context = check_context(backend, since, asked)
        if not request.htmx:
            return redirect(context["poll_url"])
    else:
        since_param = request.GET.get("since")
        context = check_context(backend, _int_param(request, "since") if since_param else None,
                                _int_param(request, "asked"))
    context |= _counts(request.user, backend)
    if request.htmx:
        return render(request, "portal/backends/check.html#status", context)
    return render(request, "portal/backends/check.html", context)


urlpatterns = [
    path("", backend_list, name="list"),
    path("new/", backend_create, name="create"),
    path("<int:backend_id>/", backend_edit, name="edit"),
    path("<int:backend_id>/active/", backend_set_active, name="set_active"),
    path("<int:backend_id>/check/", backend_check, name="check"),
]
