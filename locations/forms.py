"""The location form: the rules ChargEye enforces, checked before anything is saved."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from locations.countries import ISO_3166_ALPHA2
from locations.models import Location
from locations.services import LocationInput, shown_of
from portal import targets
from portal.models import Backend, Company
from outbox.shown import STALE, shown_token, shown_values

MAX_LABELS, MAX_LABEL_LENGTH = 20, 100


class LocationForm(forms.Form):
    company = forms.ModelChoiceField(queryset=Company.objects.none(), empty_label=None, label=gettext_lazy("Company"),
                                     help_text=gettext_lazy("The company the location belongs to (cannot be changed later)."))
    name = forms.CharField(max_length=200, label=gettext_lazy("Name"))
    address = forms.CharField(max_length=200, required=False, label=gettext_lazy("Address"), help_text=gettext_lazy("Street and number."))
    city = forms.CharField(max_length=100, required=False, label=gettext_lazy("City"))
    postal_code = forms.CharField(max_length=10, required=False, label=gettext_lazy("Postal code"))
    country_code = forms.CharField(
        max_length=2, min_length=2, required=False, label=gettext_lazy("Country code"),
        help_text=gettext_lazy("Two letters, ISO 3166-1 (for example NL, DE, BE)."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "size": 3}),
    )
    latitude = forms.DecimalField(
        max_digits=9, decimal_places=6, validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
        label=gettext_lazy("Latitude"), localize=True,  # "52,090737" in German and Dutch
        help_text=gettext_lazy("Between -90 and 90, for example 52.090737."),
        error_messages={"min_value": gettext_lazy("A latitude is between -90 and 90."),
                        "max_value": gettext_lazy("A latitude is between -90 and 90.")},
    )
    longitude = forms.DecimalField(
        max_digits=9, decimal_places=6,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
        label=gettext_lazy("Longitude"), localize=True,
        help_text=gettext_lazy("Between -180 and 180, for example 5.121420."),
        error_messages={"min_value": gettext_lazy("A longitude is between -180 and 180."),
                        "max_value": gettext_lazy("A longitude is between -180 and 180.")},
    )
    labels = forms.CharField(required=False, label=gettext_lazy("Labels"),
                             help_text=gettext_lazy("Separate labels with commas, for example: fleet, depot."))
    backend = forms.ModelChoiceField(
        queryset=Backend.objects.none(), required=False, label=gettext_lazy("Platform"),
        help_text=gettext_lazy("Where the location is created: ChargEye (GreenFlux locations are managed in GreenFlux's portal)."),
    )
    shown = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, companies: Any, location: Location | None = None, **kwargs: Any) -> None:
        self.location = location
        self.shown_values: dict[str, Any] | None = None
        if location is not None:
            kwargs.setdefault("initial", {
                "company": location.company_id, "name": location.name, "address": location.address,
                "city": location.city, "postal_code": location.postal_code, "country_code": location.country_code,
                "latitude": location.latitude, "longitude": location.longitude,
                "labels": ", ".join(location.label_values),
                "shown": shown_token("location", location.pk, shown_of(location)),
            })
        super().__init__(*args, **kwargs)
        if location is None:
            del self.fields["shown"]
        self.fields["company"].queryset = companies
        if location is not None:
            del self.fields["company"]  # ChargEye keeps a location's tenant
        elif companies.count() == 1:
            # One company: nothing to choose, so no field to fill in.
            self.only_company = companies.first()
            self.fields["company"].widget = forms.HiddenInput()
            self.fields["company"].initial = self.only_company.pk
            self.fields["company"].required = False
        if location is None:
            self._setup_backend(companies)
        else:
            del self.fields["backend"]

    def _setup_backend(self, companies: Any) -> None:
        """The ChargEye backend to create on: offered only where there is a choice, last choice first."""
        field = self.fields["backend"]
        field.queryset = Backend.objects.filter(is_active=True)  # any, so a wrong kind is told why
        raw = self.data.get(self.add_prefix("company")) if self.is_bound else self.initial.get("company")
        company = getattr(self, "only_company", None)
        if company is None:
            company = companies.filter(pk=raw).first() if str(raw or "").isdigit() else companies.first()
        offered = targets.targets(Backend.Kind.CHARGEYE, company)
        default = targets.default_target(Backend.Kind.CHARGEYE, company)
        self.target_count = offered.count()
        self.target_label = f"{default.name} ({default.get_kind_display()})" if default else ""
        field.initial = default.pk if default else None
        field.widget.choices = [(b.pk, f"{b.name} ({b.get_kind_display()})") for b in offered]
        if self.target_count <= 1:
            field.widget = forms.HiddenInput()

    def clean_company(self) -> Company | None:
        company = self.cleaned_data.get("company")
        only = getattr(self, "only_company", None)
        if only is not None and company is None and not self.data.get(self.add_prefix("company")):
            return only
        if company is None:
            raise forms.ValidationError(_("Choose a company."))
        return company

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "backend" in self.fields and "backend" not in self.errors and data.get("company") is not None:
            backend = data.get("backend") or targets.default_target(Backend.Kind.CHARGEYE, data["company"])
            message = targets.target_error(Backend.Kind.CHARGEYE, backend, data["company"])
            if message:
                self.add_error("backend", message)
            data["backend"] = backend
        return data

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter a name."))
        return name

    def clean_country_code(self) -> str:
        code = self.cleaned_data["country_code"].strip().upper()
        if code and code not in ISO_3166_ALPHA2:
            raise forms.ValidationError(
                _("“%(code)s” is not an ISO 3166-1 country code; use two letters such as NL or DE.") % {"code": code})
        return code

    def clean_labels(self) -> list[str]:
        labels: list[str] = []
        for raw in self.cleaned_data["labels"].split(","):
            label = raw.strip()
            if label and label not in labels:
                labels.append(label)
        if len(labels) > MAX_LABELS:
            raise forms.ValidationError(_("At most %(n)s labels.") % {"n": MAX_LABELS})
        long = [label for label in labels if len(label) > MAX_LABEL_LENGTH]
        if long:
            raise forms.ValidationError(_("A label is at most %(n)s characters (“%(label)s…” is longer).") % {
                "n": MAX_LABEL_LENGTH, "label": long[0][:20]})
        return labels

    def clean_shown(self) -> str:
        token = self.cleaned_data.get("shown") or ""
        if self.location is not None:
            self.shown_values = shown_values(token, "location", self.location.pk)
            if self.shown_values is None:
                raise forms.ValidationError(STALE)
        return token

    def to_input(self) -> LocationInput:
        data = self.cleaned_data
        return LocationInput(
            name=data["name"], latitude=data["latitude"], longitude=data["longitude"], address=data["address"].strip(),
            city=data["city"].strip(), postal_code=data["postal_code"].strip(), country_code=data["country_code"],
            labels=data["labels"],
        )

