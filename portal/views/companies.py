"""The Companies page for admins: companies, and each one's identity on the backends that name companies.

Saving an identity never calls the upstream in the request (docs/architecture.md): the
typed value is stored as "checking" and a worker asks the upstream
(``portal.identities``), as "Test connection" does; the page polls the
identities fragment (htmx every second, or a plain "Refresh" link) until
every check has answered. A refused value shows its reason next to its field
and the identity in use stays what it was.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from portal import companies as services
from portal.access import Role, get_scoped_or_404, role_required
from portal.forms_companies import CompanyCreateForm, CompanyForm
from portal.identities import identity_backends
from portal.models import Company
from portal.selectors import backends_for, companies_for

app_name = "companies"


def _company(request: HttpRequest, company_id: int) -> Company:
    """A company where the user is admin; another company answers 404 (a company where they are only a
    viewer or operator: 403)."""
    return get_scoped_or_404(Company.objects.all(), request.user, company_field="pk", pk=company_id,
                             min_role=Role.ADMIN)


def _backends(request: HttpRequest, company: Company) -> list:
    visible = set(backends_for(request.user).values_list("pk", flat=True))
    return [b for b in identity_backends(company) if b.pk in visible]


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def company_list(request: HttpRequest) -> HttpResponse:
    """The companies the user administers; superusers also create companies here (see
    ``portal.forms_companies`` for why only they do)."""
    if request.method == "POST" and not request.user.is_superuser:
        raise PermissionDenied("A platform administrator creates companies.")
    form = CompanyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        company = services.company_create(name=form.cleaned_data["name"], actor=request.user)
        messages.success(request, f"Company {company.name} created. Set its identity on each backend below.")
        return redirect("companies:edit", company.pk)
    companies = companies_for(request.user, Role.ADMIN).prefetch_related("identities__backend")
    return render(request, "portal/companies/list.html",
                  {"companies": companies, "form": form if request.user.is_superuser else None},
                  status=422 if form.errors else 200)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def company_edit(request: HttpRequest, company_id: int) -> HttpResponse:
    company = _company(request, company_id)
    backends = _backends(request, company)
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None and data.get("use_ref"):
        # "Use this one": the value the upstream reported for the backend's token, in one click.
        backend_id, _, ref = data["use_ref"].partition(":")
        if backend_id.isdigit():
            data[f"ref_{int(backend_id)}"] = ref
    form = CompanyForm(data, company=company, backends=backends, may_rename=request.user.is_superuser,
                       may_set_shared=request.user.is_superuser)
    if request.method == "POST" and form.is_valid():
        requested = services.company_update(company=company, name=form.cleaned_data["name"], refs=form.refs(),
                                            actor=request.user,
                                            require_second_factor=form.cleaned_data["require_second_factor"])
        if requested:
            messages.info(request, "Saved. The identities are being checked with the upstream; "
                                   "they are used once confirmed.")
        else:
            messages.success(request, f"Company {company.name} saved.")
        return redirect("companies:edit", company.pk)
    return render(request, "portal/companies/edit.html", _edit_context(company, form),
                  status=422 if form.errors else 200)


def _edit_context(company: Company, form: CompanyForm) -> dict:
    rows = form.rows()
    checking = any(r["identity"] is not None and r["identity"].is_checking for r in rows)
    return {"company": company, "form": form, "rows": rows, "checking": checking}


@role_required(Role.ADMIN)
@require_http_methods(["GET"])
def company_identities(request: HttpRequest, company_id: int) -> HttpResponse:
    """Where the identity checks stand (the fragment the edit page polls), or the whole page without htmx."""
    company = _company(request, company_id)
    form = CompanyForm(company=company, backends=_backends(request, company),
                       may_set_shared=request.user.is_superuser)
    context = _edit_context(company, form)
    if request.htmx:
        return render(request, "portal/companies/edit.html#identities", context)
    return render(request, "portal/companies/edit.html", context)


urlpatterns = [
    path("", company_list, name="list"),
    path("<int:company_id>/", company_edit, name="edit"),
    path("<int:company_id>/identities/", company_identities, name="identities"),
]
