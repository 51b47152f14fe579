"""The model mapping page for admins: which catalogue model each be.ENERGISED ``modelId`` is, per company.

Reads the mirror only (ids seen in refreshed be.ENERGISED stations, see
``stations.model_ids``); saving changes only portal rows, nothing upstream.
Each company has its own mapping: the page shows and changes one company's
(chosen among those the admin administers), with that company's counts only.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods
from django.utils.translation import gettext_lazy

from models_catalog.models import StationModel
from portal.access import Role, role_required, scoped
from portal.models import Company, User
from stations.model_ids import MappingError, model_id_map, seen_model_ids
from stations.models import ModelIdMapping


def admin_companies(user: User) -> Any:
    """The companies whose mapping ``user`` may change: those they administer."""
    return scoped(Company.objects.order_by("name"), user, "pk", min_role=Role.ADMIN)


class ModelMappingForm(forms.Form):
    company = forms.ModelChoiceField(
        label=gettext_lazy("Company"), queryset=Company.objects.none(), required=False, widget=forms.HiddenInput,
        error_messages={"invalid_choice": gettext_lazy("Choose a company you administer.")},
    )
    model = forms.ModelChoiceField(
        label=gettext_lazy("Catalogue model"), queryset=StationModel.objects.filter(removed_at__isnull=True),
        empty_label=gettext_lazy("Choose a model…"),
        error_messages={"invalid_choice": gettext_lazy("Choose a model of the catalogue.")},
    )
    model_id = forms.TypedChoiceField(
        label="be.ENERGISED model id", coerce=int, required=False, empty_value=None,
        help_text=gettext_lazy("Only ids that refreshed be.ENERGISED stations use are offered; empty clears the model's id."),
    )

    def __init__(self, *args: Any, seen: list, companies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies
        self.fields["model_id"].choices = [("", "— " + str(gettext_lazy("none")) + " —")] + [
            (str(s.model_id), f"{s.model_id} · {s.stations} station{'s' if s.stations != 1 else ''}"
                              f"{' · now ' + str(s.mapped_to) if s.mapped_to else ' · no catalogue entry'}")
            for s in seen
        ]
        # Any integer is parsed, so that an id no station uses gets a message saying so (not "invalid choice").
        self.fields["model_id"].valid_value = lambda value: True  # type: ignore[method-assign]


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def model_mapping(request: HttpRequest) -> HttpResponse:
    companies = admin_companies(request.user)
    chosen = request.POST.get("company") or request.GET.get("company") or ""
    company = (companies.filter(pk=int(chosen)).first() if chosen.isdigit() else None) or companies.first()
    if company is None:
        return render(request, "stations/model_mapping.html", {"company": None, "companies": companies})
    seen = seen_model_ids(request.user, company)
    initial: dict[str, Any] = {"company": company.pk}
    if request.GET.get("model_id"):
        initial["model_id"] = request.GET["model_id"]
    form = ModelMappingForm(request.POST or None, seen=seen, companies=companies, initial=initial)
    if request.method == "POST" and form.is_valid():
        model, model_id = form.cleaned_data["model"], form.cleaned_data["model_id"]
        company = form.cleaned_data["company"] or company  # none posted: the page's company
        try:
            linked = model_id_map(company=company, model=model, model_id=model_id, user=request.user)
        except MappingError as exc:
            form.add_error(exc.field, exc.message)
        else:
            if model_id is None:
                messages.success(request, f"In {company}, “{model}” has no be.ENERGISED model id any more.")
            else:
                messages.success(request, f"In {company}, “{model}” is be.ENERGISED model {model_id}: {linked} "
                                          f"station{'s' if linked != 1 else ''} of {company} linked, and it can be "
                                          "picked for its new ones.")
            return redirect(f"{reverse('stations:model_mapping')}?company={company.pk}")
    mapped = ModelIdMapping.objects.filter(company=company).select_related("model").order_by("beenergised_model_id")
    return render(request, "stations/model_mapping.html", {
        "form": form, "seen": seen, "unmapped": [s for s in seen if s.mapped_to is None], "mapped": mapped,
        "company": company, "companies": companies,
    }, status=422 if form.errors else 200)


urlpatterns = [path("model-mapping/", model_mapping, name="model_mapping")]
