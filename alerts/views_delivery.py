"""Delivery pages: the user's subscriptions, their alert mail (the demo's mailbox), a company's webhooks
with each delivery's result. Views parse, check access and call the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from alerts import services
from alerts.models import AlertMail, Channel, Kind, Webhook
from alerts.subscriptions import subscription_companies, subscriptions_of, subscriptions_save
from alerts.webhooks import check_url
from portal.access import Role, company_ids, require_role, role_required
from portal.models import Company

MAILS_SHOWN = 50
DELIVERIES_SHOWN = 50


class SubscriptionForm(forms.Form):
    """One choice per company and kind: ``c<company id>-<kind>``."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = []
        current = subscriptions_of(user)
        for company in subscription_companies(user):
            cells = []
            for kind, label in Kind.choices:
                name = f"c{company.pk}-{kind}"
                self.fields[name] = forms.ChoiceField(label=f"{label} · {company.name}", choices=Channel.choices,
                                                      initial=current[(company.pk, kind)])
                cells.append((label, name))
            self.rows.append((company, cells))

    def choices(self) -> dict[tuple[int, str], str]:
        out = {}
        for name, value in self.cleaned_data.items():
            company, kind = name[1:].split("-", 1)
            out[(int(company), kind)] = value
        return out


@role_required(Role.VIEWER)
@require_http_methods(["GET", "POST"])
def subscriptions(request: HttpRequest) -> HttpResponse:
    form = SubscriptionForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        changed = subscriptions_save(request.user, form.choices())
        messages.success(request, _("Your alert choices are saved (%(n)s changed).") % {"n": changed})
        return redirect("alerts:subscriptions")
    rows = [(company, [(label, form[name]) for label, name in cells]) for company, cells in form.rows]
    return render(request, "alerts/subscriptions.html", {"form": form, "rows": rows,
                                                         "has_email": bool(request.user.email)})


@role_required(Role.VIEWER)
@require_GET
def mailbox(request: HttpRequest) -> HttpResponse:
    """The user's alert e-mail and its delivery state; in the demo, where the mail stays."""
    mails = AlertMail.objects.filter(user=request.user).order_by("-created_at", "-id")[:MAILS_SHOWN]
    return render(request, "alerts/mailbox.html", {"mails": mails,
                                                   "mail_to_mailbox": settings.ALERTS_MAIL_TO_MAILBOX})


class WebhookForm(forms.Form):
    url = forms.URLField(label=gettext_lazy("Webhook URL"), max_length=500, assume_scheme="https",
                         help_text=gettext_lazy("Alerts of this company are POSTed here, signed (Standard Webhooks)."))

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        check_url(url)
        return url


def _admin_company(request: HttpRequest, company_id: int) -> Company:
    ids = company_ids(request.user, Role.ADMIN)
    company = get_object_or_404(Company.objects.all() if ids is None else Company.objects.filter(pk__in=ids),
                                pk=company_id)
    require_role(request.user, Role.ADMIN, company)
    return company


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def webhook_list(request: HttpRequest, company_id: int) -> HttpResponse:
    company = _admin_company(request, company_id)
    form = WebhookForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        hook, secret = services.webhook_create(company, request.user, form.cleaned_data["url"])
        # The secret is shown this once (the receiver needs it to check signatures); it is stored encrypted.
        return render(request, "alerts/webhook_created.html", {"company": company, "hook": hook, "secret": secret})
    hooks = Webhook.objects.filter(company=company)
    return render(request, "alerts/webhook_list.html", {"company": company, "form": form, "hooks": hooks},
                  status=400 if form.errors else 200)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def webhook_detail(request: HttpRequest, company_id: int, webhook_id: int) -> HttpResponse:
    company = _admin_company(request, company_id)
    hook = get_object_or_404(Webhook, company=company, pk=webhook_id)
    if request.method == "POST":
        services.webhook_set_active(hook, request.user, request.POST.get("active") == "1")
        messages.success(request, _("Webhook switched on.") if hook.is_active else _("Webhook switched off."))
        return redirect("alerts:webhook", company_id=company.pk, webhook_id=hook.pk)
    deliveries = hook.deliveries.select_related("alert")[:DELIVERIES_SHOWN]
    return render(request, "alerts/webhook_detail.html", {"company": company, "hook": hook,
                                                          "deliveries": deliveries})


urlpatterns = [
    path("subscriptions/", subscriptions, name="subscriptions"),
    path("mailbox/", mailbox, name="mailbox"),
    path("companies/<int:company_id>/webhooks/", webhook_list, name="webhooks"),
    path("companies/<int:company_id>/webhooks/<int:webhook_id>/", webhook_detail, name="webhook"),
]
