"""Forms for station models, with the rules Lynkwell's API enforces (enums, max lengths, required numbers)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from models_catalog.models import PowerType, StationModel
from models_catalog.services import ConnectorInput, ModelInput
from portal import labels, targets
from portal.models import Backend
from outbox.shown import STALE, shown_token, shown_values
from portal.widgets import KilowattField

# Lynkwell's connection types (its document's list), named as everywhere else (portal.labels).
CONNECTION_TYPES = labels.choices(("CHADEMO", "IEC_62196_T1", "IEC_62196_T1_COMBO", "IEC_62196_T2", "IEC_62196_T2_COMBO",
                                   "TESLA_R", "TESLA_S", "SAE_J3400"), "standard")
FORMATS = labels.choices(("CABLE", "SOCKET"), "format")


def _number(label: Any, required: Any) -> forms.DecimalField:
    # Localized: "7,5" in German and Dutch (the API passes "." decimals in the portal's language, portal.locale).
    return forms.DecimalField(label=label, max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))],
                              localize=True, error_messages={"required": required})


class StationModelForm(forms.Form):
    vendor = forms.CharField(max_length=200, label=gettext_lazy("Vendor"))
    model = forms.CharField(max_length=200, label=gettext_lazy("Model"))
    friendly_name = forms.CharField(max_length=200, required=False, label=gettext_lazy("Friendly name"),
                                    help_text=gettext_lazy("What people call it; the only field that can be changed later."))
    power_type = forms.ChoiceField(choices=PowerType.choices, label=gettext_lazy("Power type"))
    ocpp_url = forms.CharField(max_length=200, label=gettext_lazy("OCPP URL"), help_text=gettext_lazy(
        "Configuration key ocppUrl, for example wss://ocpp.example.com/ocpp16."))
    image_url = forms.URLField(max_length=500, required=False, label=gettext_lazy("Image URL"), assume_scheme="https")
    backend = forms.ModelChoiceField(
        queryset=Backend.objects.filter(is_active=True), required=False, label=gettext_lazy("Catalogue backend"),
        help_text=gettext_lazy("Which station-model backend the model is created on; the last choice is preselected."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["backend"]
        offered = targets.targets(Backend.Kind.MODELS)
        default = targets.default_target(Backend.Kind.MODELS)
        self.target_count = offered.count()
        self.target_label = default.name if default else ""
        if not self.initial.get("backend"):
            field.initial = default.pk if default else None
        # Any active backend is accepted by the field, so that one of the wrong kind is told why.
        field.widget.choices = [(b.pk, b.name) for b in offered]
        if self.target_count <= 1:
            field.widget = forms.HiddenInput()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("vendor", "model"):
            if name in data and not data[name].strip():
                self.add_error(name, _("Enter a value."))
        if "backend" not in self.errors:
            backend = data.get("backend") or targets.default_target(Backend.Kind.MODELS)
            message = targets.target_error(Backend.Kind.MODELS, backend)
            if message:
                self.add_error("backend", message)
            data["backend"] = backend
        return data


class ConnectorForm(forms.Form):
    connection_type = forms.ChoiceField(choices=CONNECTION_TYPES, label=gettext_lazy("Connection type"))
    format = forms.ChoiceField(choices=FORMATS, label=gettext_lazy("Format"))
    max_amperage = _number(gettext_lazy("Maximum current (A)"), gettext_lazy("Enter the maximum current (a)."))
    max_voltage = _number(gettext_lazy("Maximum voltage (V)"), gettext_lazy("Enter the maximum voltage (v)."))
    max_power_kw = KilowattField(label=gettext_lazy("Maximum power (kW)"),
                                 error_messages={"required": gettext_lazy("Enter the maximum power.")})


class _BaseConnectors(forms.BaseFormSet):
    def clean(self) -> None:
        super().clean()
        kept = [f for f in self.forms if f.cleaned_data and not self._should_delete_form(f)]
        if not any(self.errors) and not kept:
            raise forms.ValidationError(_("Add at least one connector."))


ConnectorFormSet = forms.formset_factory(ConnectorForm, formset=_BaseConnectors, extra=0, min_num=1,
                                         can_delete=True, max_num=24, validate_max=True)


def connectors_formset(data: Any = None, *, add_one: bool = False) -> forms.BaseFormSet:
    """The connectors formset; ``add_one`` shows the posted rows plus an empty one, unbound (so no errors yet)."""
    if data is not None and add_one:
        fields = list(ConnectorForm.base_fields)
        try:
            total = min(int(data.get("connectors-TOTAL_FORMS", "0")), 23)
        except ValueError:
            total = 0
        rows = [
            {name: data.get(f"connectors-{i}-{name}", "") for name in fields}
            for i in range(total) if not data.get(f"connectors-{i}-DELETE")
        ]
        return ConnectorFormSet(initial=[*rows, {}], prefix="connectors")
    return ConnectorFormSet(data, prefix="connectors")


def to_input(form: StationModelForm, connectors: forms.BaseFormSet) -> ModelInput:
    data = form.cleaned_data
    rows = [f.cleaned_data for f in connectors.forms if f.cleaned_data and not connectors._should_delete_form(f)]
    return ModelInput(
        vendor=data["vendor"].strip(), model=data["model"].strip(), friendly_name=data["friendly_name"].strip(),
        power_type=data["power_type"], ocpp_url=data["ocpp_url"].strip(), image_url=data["image_url"],
        connectors=[ConnectorInput(r["connection_type"], r["format"], float(r["max_amperage"]), float(r["max_voltage"]),
                                   float(r["max_power_kw"])) for r in rows],
    )


class RenameForm(forms.Form):
    """A rename; ``shown`` carries the name the form showed, so only a name the user changed is sent."""

    friendly_name = forms.CharField(max_length=200, label=gettext_lazy("Friendly name"))
    shown = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, model: StationModel, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"friendly_name": model.friendly_name, "shown": shown_token(
            "station_model", model.pk, {"friendly_name": model.friendly_name})})
        super().__init__(*args, **kwargs)
        self.model = model
        self.shown_name: str | None = None

    def clean_shown(self) -> str:
        token = self.cleaned_data.get("shown") or ""
        values = shown_values(token, "station_model", self.model.pk)
        if values is None:
            raise forms.ValidationError(STALE)
        self.shown_name = values.get("friendly_name")
        return token

    def clean_friendly_name(self) -> str:
        name = self.cleaned_data["friendly_name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter a name."))
        if self.model.is_archived:
            raise forms.ValidationError(_("This model is archived; an archived model cannot be renamed."))
        return name
