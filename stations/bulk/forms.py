"""The bulk action form: which action, and for "change fields" the new values.

Fields are offered by platform. GreenFlux documents PATCH as "will only update
those fields provided" and marks only the configuration fields read-only, so
its name, deploy state, default tariff, location and charger type can change.
be.ENERGISED's API documents no station update at all: its stations are listed
in the preview as ones the change cannot apply to, with that reason.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from locations.models import Location
from portal.access import Role, scoped
from portal.models import Backend
from stations.filters import MAX_SELECT_OPTIONS, FastSelect, LocationNameField
from stations.models import ChargerType, DeployState
from stations.validation import MAX_LENGTHS

# Portal field -> (label, upstream field, platforms it can be changed on). The labels are stored in each
# batch's rows (their diff), so they stay the plain English words, as stored messages do (docs/i18n.md).
CHANGEABLE: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "deploy_state": ("Deploy state", "deploy_state", (Backend.Kind.GREENFLUX,)),
    "default_tariff_id": ("Default tariff id", "default_charge_station_tariff_id", (Backend.Kind.GREENFLUX,)),
    "location": ("Location", "location_id", (Backend.Kind.GREENFLUX,)),
    "charger_type": ("Charger type", "charger_type", (Backend.Kind.GREENFLUX,)),
    "label": ("Name", "name", (Backend.Kind.GREENFLUX,)),
}
AFFIX_MAX = 50


def _keep(choices: Any) -> list[tuple[str, str]]:
    return [("", gettext_lazy("Keep as it is")), *choices]


class BulkActionForm(forms.Form):
    ACTIONS = [
        ("change", gettext_lazy("Change fields")),
        ("refresh", gettext_lazy("Refresh from upstream")),
        ("export", gettext_lazy("Export as CSV")),
    ]
    action = forms.ChoiceField(label=gettext_lazy("Action"), choices=ACTIONS, widget=forms.RadioSelect, initial="change")
    deploy_state = forms.ChoiceField(label=gettext_lazy("Deploy state"), required=False, choices=_keep(DeployState.choices),
                                     help_text=gettext_lazy("GreenFlux stations."))
    default_tariff_id = forms.CharField(
        label=gettext_lazy("Default tariff id"), required=False, max_length=MAX_LENGTHS["default_tariff_id"],
        help_text=gettext_lazy("GreenFlux stations; at most 36 characters."))
    charger_type = forms.ChoiceField(label=gettext_lazy("Charger type"), required=False, choices=_keep(ChargerType.choices),
                                     help_text=gettext_lazy("GreenFlux stations."))
    label_prefix = forms.CharField(label=gettext_lazy("Add before the name"), required=False, max_length=AFFIX_MAX,
                                   strip=False, help_text=gettext_lazy("GreenFlux stations; not added twice."))
    label_suffix = forms.CharField(label=gettext_lazy("Add after the name"), required=False, max_length=AFFIX_MAX,
                                   strip=False, help_text=gettext_lazy("GreenFlux stations; not added twice."))

    def __init__(self, *args: Any, user: Any, actions: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if actions:
            self.fields["action"].choices = [*self.ACTIONS, *actions]
        locations = scoped(Location.objects.filter(backend__kind=Backend.Kind.GREENFLUX), user,
                           min_role=Role.OPERATOR).order_by("name")
        if locations[:MAX_SELECT_OPTIONS + 1].count() > MAX_SELECT_OPTIONS:
            field: forms.Field = LocationNameField(locations)
            field.required = False
        else:
            field = forms.TypedChoiceField(
                label=gettext_lazy("Location"), required=False, coerce=int, empty_value=None, widget=FastSelect,
                choices=_keep((loc.pk, f"{loc.name} ({loc.backend.name})")
                              for loc in locations.select_related("backend")),
            )
        field.help_text = gettext_lazy("GreenFlux stations, on the location's own backend.")
        self.fields["location"] = field
        self.order_fields(["action", "deploy_state", "default_tariff_id", "location", "charger_type",
                           "label_prefix", "label_suffix"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("action") == "change" and not self.params():
            raise forms.ValidationError(gettext_lazy("Choose at least one field to change."))
        return data

    def params(self) -> dict[str, Any]:
        """The new values chosen (empty ones mean "keep"); what the batch stores."""
        data = getattr(self, "cleaned_data", {})
        names = ("deploy_state", "default_tariff_id", "location", "charger_type", "label_prefix", "label_suffix")
        return {name: data[name] for name in names if data.get(name) not in (None, "")}
