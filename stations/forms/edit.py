"""Editing a GreenFlux station: the full edit form and the one-field quick edits (PATCH).

Both carry the exact version the form showed (``stations.versions``), so that only what the user
changed against it counts as the user's change.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy

from locations.models import Location
from portal.access import Role, scoped
from portal.models import User
from stations import validation as rules
from stations.forms.fields import code_choices, location_id_field, narrow, resolve_location
from stations.models import Station
from stations.services import PATCHABLE
from stations.versions import ShownVersion, StaleForm, form_changes, shown_version


class StationEditForm(forms.Form):
    """A full GreenFlux edit. ``shown`` carries the exact version the form showed (``stations.versions``).

    The fields start from that version, and ``changes()`` is what the user
    changed against it, so a refresh or another user's save that lands while
    the form is open never counts as the user's change.
    """

    shown = forms.CharField(widget=forms.HiddenInput, required=False)
    label = forms.CharField(label=gettext_lazy("Name"), required=False, max_length=rules.MAX_LENGTHS["label"])
    location = forms.ModelChoiceField(queryset=Location.objects.none(), required=False, label=gettext_lazy("Location"),
                                      error_messages={"invalid_choice": gettext_lazy("Choose a location of this backend.")})
    location_id = location_id_field()
    default_tariff_id = forms.CharField(label=gettext_lazy("Default tariff id"),
                                        max_length=rules.MAX_LENGTHS["default_tariff_id"])
    deploy_state = forms.ChoiceField(choices=code_choices(rules.DEPLOY_STATES), label=gettext_lazy("Deploy state"))
    charger_type = forms.ChoiceField(choices=code_choices(rules.CHARGER_TYPES, "—"), required=False,
                                     label=gettext_lazy("Charger type"))

    FIELDS = ("label", "location", "default_tariff_id", "deploy_state", "charger_type")
    STALE = gettext_lazy("This form no longer knows which version of the station it showed (it was altered, or is "
                         "more than a week old). It has been reloaded with the current version: check it and save again.")

    def __init__(self, *args: Any, station: Station, user: User, shown: ShownVersion | None = None,
                 **kwargs: Any) -> None:
        self.station = station
        self.shown = shown or shown_version(station)
        kwargs.setdefault("initial", {"shown": self.shown.token(), **shown_initial(self.shown, station)})
        super().__init__(*args, **kwargs)
        locations = scoped(Location.objects.all(), user, min_role=Role.OPERATOR)
        self.fields["location"].queryset = locations
        narrow(self.fields["location"], locations.filter(backend=station.backend).exclude(upstream_id=None),
                gettext_lazy("Choose a location…"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        try:
            self.shown = ShownVersion.load(data.get("shown") or "", self.station)
        except StaleForm:
            self.stale = True
            raise forms.ValidationError(self.STALE, code="stale")
        resolve_location(self, data, self.station.backend, self.station.company)
        if not self.errors:
            values = {name: data.get(name) for name in self.FIELDS}
            for name, message in rules.validate_station_update(self.station, values).items():
                self.add_error(name, message)
        return data

    stale = False

    def changes(self) -> dict[str, Any]:
        """The user's changes (``stations.merge`` paths) against the version the form showed."""
        return form_changes(self.shown, {name: self.cleaned_data.get(name) for name in self.FIELDS})


def shown_initial(shown: ShownVersion, station: Station) -> dict[str, Any]:
    """The form's starting values: the version it shows, as portal fields."""
    location_id = shown.value("location")
    location = station.location if station.location and station.location.upstream_id == location_id else (
        Location.objects.filter(backend=station.backend, upstream_id=location_id).first() if location_id else None)
    initial = {name: shown.value(name) or "" for name in StationEditForm.FIELDS if name != "location"}
    initial["location"] = location.pk if location else None
    return initial


QUICK_FIELDS = tuple(PATCHABLE)


def quick_edit_form(station: Station, name: str, user: User, data: QueryDict | None = None,
                    shown: ShownVersion | None = None) -> forms.Form:
    """A one-field form for a quick edit (PATCH); the field is called ``value``, prefixed by its name.

    It carries the version it showed (``shown``, one token for all of a page's quick forms).
    """
    if name not in PATCHABLE:
        raise ValueError(name)
    shown = shown or shown_version(station)
    template = StationEditForm(station=station, user=user, shown=shown)
    field = template.fields[name]
    field.label = {"label": gettext_lazy("Name")}.get(name, field.label or name.replace("_", " ").capitalize())

    class QuickEditForm(forms.Form):
        value = field
        shown_token = forms.CharField(widget=forms.HiddenInput, required=False)

        def clean_value(self) -> Any:
            value = self.cleaned_data.get("value")
            message = rules.validate_quick_edit(station, name, value)
            if message:
                raise forms.ValidationError(message)
            return value

        def clean_shown_token(self) -> ShownVersion:
            try:
                return ShownVersion.load(self.cleaned_data.get("shown_token") or "", station)
            except StaleForm:
                raise forms.ValidationError(StationEditForm.STALE, code="stale")

    initial = {"value": template.initial[name], "shown_token": template.initial["shown"]}
    form = QuickEditForm(data, prefix=f"quick-{name}", initial=initial)
    if name == "location":  # copying the field re-listed every location: narrow it again
        locations = form.fields["value"].queryset
        narrow(form.fields["value"], locations.filter(backend=station.backend).exclude(upstream_id=None),
                gettext_lazy("Choose a location…"))
    form.field_name = name  # type: ignore[attr-defined]
    return form
