"""Alerts pages: the list (filters, history), one alert (acknowledge with a note), the bell, thresholds.

Views parse, check access and call ``alerts.services``; reads go through ``alerts.selectors``, scoped to
the reader's companies. Every page works without JavaScript: the bell is a link, htmx only refreshes it.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alerts import selectors, services
from alerts.forms import AcknowledgeForm, AlertFilterForm, AlertSettingsForm
from alerts.models import AlertSettings
from alerts.views_delivery import urlpatterns as delivery_urls
from portal.access import Role, company_ids, has_role, require_role, role_required
from portal.models import Company

PER_PAGE = 50


def _companies(user: object, min_role: Role = Role.VIEWER):  # type: ignore[no-untyped-def]
    ids = company_ids(user, min_role)
    return Company.objects.all() if ids is None else Company.objects.filter(pk__in=ids)


@role_required(Role.VIEWER)
@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    form = AlertFilterForm(request.GET or None, companies=_companies(request.user))
    values = form.values()
    alerts = selectors.alerts_filtered(request.user, **values)
    page = Paginator(alerts, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    last_seen = selectors.seen_at(request.user)
    services.alerts_mark_seen(request.user)
    return render(request, "alerts/alert_list.html", {
        "form": form, "page": page, "alerts": page.object_list, "state": values["state"],
        "query": query.urlencode(), "last_seen": last_seen,
        "can_configure": has_role(request.user, Role.ADMIN),
    })


@role_required(Role.VIEWER)
@require_http_methods(["GET", "POST"])
def alert_detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = selectors.alert_of(request.user, alert_id)
    may_acknowledge = has_role(request.user, Role.OPERATOR, alert.company_id) if alert.company_id else \
        request.user.is_superuser
    form = AcknowledgeForm(request.POST if request.method == "POST" else None,
                           initial={"note": alert.acknowledge_note})
    if request.method == "POST":
        require_role(request.user, Role.OPERATOR, alert.company_id)
        if form.is_valid():
            services.alert_acknowledge(alert, request.user, form.cleaned_data["note"])
            messages.success(request, _("Alert acknowledged."))
            return redirect("alerts:detail", alert_id=alert.pk)
    return render(request, "alerts/alert_detail.html", {
        "alert": alert, "form": form, "may_acknowledge": may_acknowledge,
    })


@role_required(Role.VIEWER)
@require_GET
def bell(request: HttpRequest) -> HttpResponse:
    """The bell alone, for htmx to swap in every minute."""
    return render(request, "alerts/_bell.html", {"alerts_unread": selectors.unread_count(request.user)})


@role_required(Role.ADMIN)
@require_GET
def alert_companies(request: HttpRequest) -> HttpResponse:
    """The companies the admin governs, each with its thresholds (and, later, its webhooks)."""
    companies = _companies(request.user, Role.ADMIN).order_by("name")
    return render(request, "alerts/companies.html", {"companies": companies})


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def alert_settings(request: HttpRequest, company_id: int) -> HttpResponse:
    company = get_object_or_404(_companies(request.user, Role.ADMIN), pk=company_id)
    require_role(request.user, Role.ADMIN, company)
    current = AlertSettings.objects.filter(company=company).first() or AlertSettings(company=company)
    form = AlertSettingsForm(request.POST if request.method == "POST" else None,
                             initial=AlertSettingsForm.initial_for(current))
    if request.method == "POST" and form.is_valid():
        services.alert_settings_save(company, request.user, form.seconds())
        messages.success(request, _("Alert thresholds saved."))
        return redirect("alerts:settings", company_id=company.pk)
    return render(request, "alerts/settings.html", {"company": company, "form": form})


app_name = "alerts"
urlpatterns = [
    path("", alert_list, name="list"),
    path("<int:alert_id>/", alert_detail, name="detail"),
    path("bell/", bell, name="bell"),
    path("companies/", alert_companies, name="companies"),
    path("companies/<int:company_id>/thresholds/", alert_settings, name="settings"),
    *delivery_urls,
]
