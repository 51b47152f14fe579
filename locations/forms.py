"""The location form: the rules ChargEye enforces, checked before anything is saved."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from locations.countries import ISO_3166_ALPHA2
from locations.models import Location
from locations.services import LocationInput
from portal.models import Company

MAX_LABELS, MAX_LABEL_LENGTH = 20, 100


class LocationForm(forms.Form):
    company = forms.ModelChoiceField(queryset=Company.objects.none(), empty_label=None,
                                     help_text="The company the location belongs to (cannot be changed later).")
    name = forms.CharField(max_length=200)
    address = forms.CharField(max_length=200, required=False, help_text="Street and number.")
    city = forms.CharField(max_length=100, required=False)
    postal_code = forms.CharField(max_length=10, required=False, label="Postal code")
    country_code = forms.CharField(
        max_length=2, min_length=2, required=False, label="Country code",
        help_text="Two letters, ISO 3166-1 (for example NL, DE, BE).",
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "size": 3}),
    )
    latitude = forms.DecimalField(
        max_digits=9, decimal_places=6, validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
        help_text="Between -90 and 90, for example 52.090737.",
        error_messages={"min_value": "A latitude is between -90 and 90.", "max_value": "A latitude is between -90 and 90."},
    )
    longitude = forms.DecimalField(
        max_digits=9, decimal_places=6,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
        help_text="Between -180 and 180, for example 5.121420.",
        error_messages={"min_value": "A longitude is between -180 and 180.",
                        "max_value": "A longitude is between -180 and 180."},
    )
    labels = forms.CharField(required=False, help_text="Separate labels with commas, for example: fleet, depot.")

    def __init__(self, *args: Any, companies: Any, location: Location | None = None, **kwargs: Any) -> None:
        if location is not None:
            kwargs.setdefault("initial", {
                "company": location.company_id, "name": location.name, "address": location.address,
                "city": location.city, "postal_code": location.postal_code, "country_code": location.country_code,
                "latitude": location.latitude, "longitude": location.longitude,
                "labels": ", ".join(location.label_values),
            })
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies
        if location is not None:
            del self.fields["company"]  # ChargEye keeps a location's tenant
        elif companies.count() == 1:
            # One company: nothing to choose, so no field to fill in.
            self.only_company = companies.first()
            self.fields["company"].widget = forms.HiddenInput()
            self.fields["company"].initial = self.only_company.pk
            self.fields["company"].required = False

    def clean_company(self) -> Company | None:
        company = self.cleaned_data.get("company")
        only = getattr(self, "only_company", None)
        if only is not None and company is None and not self.data.get(self.add_prefix("company")):
            return only
        if company is None:
            raise forms.ValidationError("Choose a company.")
        return company

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Enter a name.")
        return name

    def clean_country_code(self) -> str:
        code = self.cleaned_data["country_code"].strip().upper()
        if code and code not in ISO_3166_ALPHA2:
            raise forms.ValidationError(f"“{code}” is not an ISO 3166-1 country code; use two letters such as NL or DE.")
        return code

    def clean_labels(self) -> list[str]:
        labels: list[str] = []
        for raw in self.cleaned_data["labels"].split(","):
            label = raw.strip()
            if label and label not in labels:
                labels.append(label)
        if len(labels) > MAX_LABELS:
            raise forms.ValidationError(f"At most {MAX_LABELS} labels.")
        long = [label for label in labels if len(label) > MAX_LABEL_LENGTH]
        if long:
            raise forms.ValidationError(f"A label is at most {MAX_LABEL_LENGTH} characters (“{long[0][:20]}…” is longer).")
        return labels

    def to_input(self) -> LocationInput:
        data = self.cleaned_data
        return LocationInput(
            name=data["name"], latitude=data["latitude"], longitude=data["longitude"], address=data["address"].strip(),
            city=data["city"].strip(), postal_code=data["postal_code"].strip(), country_code=data["country_code"],
            labels=data["labels"],
        )
