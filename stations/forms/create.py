"""The new-station form: the station's own fields, which ones depending on the backend's kind.

The manual EVSE rows that go with it are :class:`stations.forms.evse_rows.EvseRows`;
:func:`apply_errors` puts the upstream rules' errors (``stations.validation``) next to both.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import ngettext

from locations.models import Location
from models_catalog.models import StationModel
from portal.access import Role, company_ids, scoped
from portal.models import Backend, Company, User
from stations import validation as rules
from stations.forms.evse_rows import EvseRows
from stations.forms.fields import (TechnicianChoiceField, TimeZoneInput, code_choices, location_id_field, narrow,
                                   resolve_location, station_backends)
from stations.model_ids import mapped_models
from stations.models import HardwareTemplate, Technician
from stations.services import EvseInput, StationInput


class StationCreateForm(forms.Form):
    """The station's own fields; which ones appear depends on the backend's kind."""

    MANUAL, TEMPLATE = "manual", "template"

    backend = forms.ModelChoiceField(queryset=Backend.objects.none(), label=gettext_lazy("Backend"),
                                     empty_label=gettext_lazy("Choose a backend…"),
                                     help_text=gettext_lazy("Where the station lives; the form adapts to it."))
    company = forms.ModelChoiceField(queryset=Company.objects.none(), empty_label=None, label=gettext_lazy("Company"))
    label = forms.CharField(label=gettext_lazy("Label"), max_length=rules.MAX_LENGTHS["label"])
    charge_box_identity = forms.CharField(
        label=gettext_lazy("Charge box identity"), max_length=rules.MAX_LENGTHS["charge_box_identity"],
        help_text=gettext_lazy("The identity the station uses on its OCPP connection; unique."),
    )
    model = forms.ModelChoiceField(queryset=StationModel.objects.none(), label=gettext_lazy("Model"),
                                   empty_label=gettext_lazy("Choose a model…"),
                                   error_messages={"invalid_choice": gettext_lazy("Choose a model from the catalogue.")})
    time_zone = forms.CharField(widget=TimeZoneInput, label=gettext_lazy("Time zone"),
                                help_text=gettext_lazy("An IANA name, e.g. Europe/Berlin."))
    public_display_name = forms.CharField(required=False, label=gettext_lazy("Public display name"), max_length=rules.MAX_LENGTHS["public_display_name"],
                                          help_text=gettext_lazy("Shown in apps; optional."))
    serial_number = forms.CharField(required=False, label=gettext_lazy("Serial number"), max_length=rules.MAX_LENGTHS["serial_number"])
    technician = TechnicianChoiceField(
        queryset=Technician.objects.none(), required=False, empty_label=gettext_lazy("No technician"),
        label=gettext_lazy("Technician"),
        error_messages={"invalid_choice": gettext_lazy("Choose one of the company's technicians.")},
        help_text=gettext_lazy("Only the chosen company's technicians are listed."),
    )
    technicians_of = forms.IntegerField(required=False, widget=forms.HiddenInput)  # whose technicians were shown
    location = forms.ModelChoiceField(queryset=Location.objects.none(), empty_label=gettext_lazy("Choose a location…"),
                                      required=False, label=gettext_lazy("Location"),
                                      error_messages={"invalid_choice": gettext_lazy("Choose a location of this backend.")})
    location_id = location_id_field()
    default_tariff_id = forms.CharField(label=gettext_lazy("Default tariff id"),
                                        max_length=rules.MAX_LENGTHS["default_tariff_id"])
    deploy_state = forms.ChoiceField(choices=code_choices(rules.DEPLOY_STATES, gettext_lazy("Choose…")),
                                     label=gettext_lazy("Deploy state"))
    charger_type = forms.ChoiceField(choices=code_choices(rules.CHARGER_TYPES, "—"), required=False,
                                     label=gettext_lazy("Charger type"))
    evse_source = forms.ChoiceField(
        label=gettext_lazy("EVSEs"), widget=forms.RadioSelect, initial=MANUAL,
        choices=[(MANUAL, gettext_lazy("Enter EVSEs and connectors")), (TEMPLATE, gettext_lazy("Use a hardware template"))],
    )
    template = forms.ModelChoiceField(queryset=HardwareTemplate.objects.none(), required=False,
                                      empty_label=gettext_lazy("Choose a template…"),
                                      label=gettext_lazy("Hardware template"),
                                      error_messages={"invalid_choice": gettext_lazy("Choose a template of this backend.")})
    directions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=gettext_lazy("Directions"),
                                 help_text=gettext_lazy("Where to find the chargers; set on every EVSE."))
    directions_language = forms.CharField(label=gettext_lazy("Language of the directions"), initial="en",
                                          max_length=2, required=False,
                                          help_text=gettext_lazy("Two letters, e.g. en or nl."))
    parking_restrictions = forms.MultipleChoiceField(required=False, label=gettext_lazy("Parking restrictions"),
                                                     widget=forms.CheckboxSelectMultiple,
                                                     choices=code_choices(rules.PARKING_RESTRICTIONS, vocabulary="parking"))

    BEENERGISED_FIELDS = ("backend", "company", "label", "charge_box_identity", "model", "time_zone",
                          "public_display_name", "serial_number", "technician", "technicians_of")
    GREENFLUX_FIELDS = ("backend", "company", "charge_box_identity", "label", "location", "location_id",
                        "default_tariff_id",
                        "deploy_state", "charger_type", "evse_source", "template", "directions",
                        "directions_language", "parking_restrictions")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        backends = station_backends(user)
        self.fields["backend"].queryset = backends
        self.backend = self._picked(backends, "backend")
        self.fields["company"].queryset = scoped(Company.objects.all(), user, "pk", min_role=Role.OPERATOR)
        if self.backend is None:
            for name in list(self.fields):
                if name != "backend":
                    del self.fields[name]
            return
        is_be = self.backend.kind == Backend.Kind.BEENERGISED
        keep = self.BEENERGISED_FIELDS if is_be else self.GREENFLUX_FIELDS
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if self.backend.company_id:
            # A backend of one company holds only that company's stations: offer no other to refuse later.
            self.fields["company"].queryset = self.fields["company"].queryset.filter(pk=self.backend.company_id)
            self.fields["company"].error_messages["invalid_choice"] = rules.one_company_text(self.backend)
            if not self.initial.get("company"):
                self.initial["company"] = self.backend.company_id
        self.company = self._picked(self.fields["company"].queryset, "company")
        if self.backend.kind == Backend.Kind.BEENERGISED:
            self._setup_beenergised()
        else:
            self._setup_greenflux()

    def _picked(self, queryset: QuerySet[Any], name: str) -> Any:
        """The record currently chosen in ``name`` (posted or initial), if it is one of ``queryset``."""
        raw = self.data.get(self.add_prefix(name)) if self.is_bound else self.initial.get(name)
        raw = getattr(raw, "pk", raw)
        if raw in (None, ""):
            return None
        try:
            return queryset.filter(pk=int(raw)).first()
        except (TypeError, ValueError):
            return None

    def _setup_beenergised(self) -> None:
        self.fields["label"].help_text = _("Shown in be.ENERGISED's interface.")
        # Models with a be.ENERGISED id in the user's companies' mappings; offered: the chosen company's.
        models = mapped_models(company_ids(self.user)).filter(removed_at__isnull=True)
        self.fields["model"].queryset = models
        shown_models = mapped_models([self.company.pk]) if self.company else models
        narrow(self.fields["model"], shown_models.filter(is_archived=False, removed_at__isnull=True), _("Choose a model…"))
        self.fields["time_zone"].initial = settings.TIME_ZONE
        technicians = scoped(Technician.objects.select_related("company"), self.user, min_role=Role.OPERATOR)
        self.fields["technician"].queryset = technicians
        shown = technicians.filter(backend=self.backend, removed_at__isnull=True).exclude(upstream_id=None)
        shown = shown.filter(company=self.company) if self.company else shown.none()
        narrow(self.fields["technician"], shown, _("No technician"))
        self.fields["model"].help_text = _("Catalogue models with a be.ENERGISED model id; an admin maps the others "
                                            "on the Model mapping page.")
        self.technician_note = self._technician_note(technicians, shown)

    def _technician_note(self, technicians: QuerySet[Technician], shown: QuerySet[Technician]) -> str:
        """Why the technician list shows what it shows; after a company change, say that it changed."""
        if self.company is None:
            return _("Choose a company to see its technicians.")
        count = shown.count()
        names = {"count": count, "company": self.company, "backend": self.backend.name}
        listed = (ngettext("%(count)s technician of %(company)s on %(backend)s",
                           "%(count)s technicians of %(company)s on %(backend)s", count) % names
                  if count else _("%(company)s has no technicians on %(backend)s yet (an operator can "
                                  "refresh technicians on the Sync page)") % names)
        note = _("%(listed)s: be.ENERGISED only accepts a technician of the station's own company.") % {"listed": listed}
        raw = self.data.get(self.add_prefix("technicians_of")) if self.is_bound else self.initial.get("technicians_of")
        previous = self._picked(self.fields["company"].queryset, "technicians_of") if raw else None
        if previous is not None and previous.pk != self.company.pk:
            picked = self._picked(technicians, "technician")
            cleared = (" " + _("%(name)s, a technician of %(previous)s, is no longer selected.")
                       % {"name": picked.name, "previous": previous}
                       if picked is not None and picked.company_id == previous.pk else "")
            note = (_("You chose %(company)s instead of %(previous)s, so the list now offers %(company)s's "
                      "technicians.") % {"company": self.company, "previous": previous} + cleared + " " + note)
        return note

    def _setup_greenflux(self) -> None:
        self.fields["charge_box_identity"].label = _("Charge station id")
        self.fields["charge_box_identity"].max_length = rules.MAX_LENGTHS["charge_station_id"]
        self.fields["charge_box_identity"].widget.attrs["maxlength"] = rules.MAX_LENGTHS["charge_station_id"]
        self.fields["label"].label = _("Name")
        self.fields["label"].required = False
        locations = scoped(Location.objects.all(), self.user, min_role=Role.OPERATOR)
        self.fields["location"].queryset = locations
        offered = locations.filter(backend=self.backend, removed_at__isnull=True).exclude(upstream_id=None)
        narrow(self.fields["location"], offered, _("Choose a location…"))
        count = offered.count()
        self.fields["location"].help_text = (
            ngettext("The %(count)s location of %(backend)s known from its stations (with "
                     "names where GreenFlux lists its locations): a GreenFlux station needs a location of its own "
                     "GreenFlux backend, so ChargEye locations are not offered. Another one: type its id below.",
                     "The %(count)s locations of %(backend)s known from its stations (with "
                     "names where GreenFlux lists its locations): a GreenFlux station needs a location of its own "
                     "GreenFlux backend, so ChargEye locations are not offered. Another one: type its id below.",
                     count) % {"count": count, "backend": self.backend.name} if count else
            _("No location of %(backend)s is in the portal yet (they are known from its stations once "
              "they are refreshed): type the location id below.") % {"backend": self.backend.name})
        templates = scoped(HardwareTemplate.objects.all(), self.user, "backend__company", min_role=Role.OPERATOR)
        self.fields["template"].queryset = templates
        narrow(self.fields["template"], templates.filter(backend=self.backend, removed_at__isnull=True),
                _("Choose a template…"))
        if not self.initial.get("deploy_state"):
            self.initial["deploy_state"] = "Stock"

    @property
    def kind(self) -> str | None:
        return self.backend.kind if self.backend else None

    @property
    def uses_template(self) -> bool:
        if "evse_source" not in self.fields:
            return False
        key = "evse_source"
        value = self.data.get(self.add_prefix(key)) if self.is_bound else self.initial.get(key)
        return (value or self.MANUAL) == self.TEMPLATE

    @property
    def chosen_template(self) -> HardwareTemplate | None:
        if "template" not in self.fields:
            return None
        template = self._picked(self.fields["template"].queryset, "template")
        return template if template is not None and template.backend_id == self.backend.pk else None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.backend is not None and self.backend.kind == Backend.Kind.GREENFLUX:
            resolve_location(self, data, self.backend, data.get("company"))
        if self.uses_template and not data.get("template") and "template" not in self.errors:
            self.add_error("template", _("Choose a hardware template, or enter the EVSEs yourself."))
        language = data.get("directions_language") or ""
        if data.get("directions") and "directions_language" not in self.errors and len(language) != 2:
            self.add_error("directions_language",
                           _("Give the language of the directions as two letters, e.g. en."))
        return data

    def station_input(self, evses: list[EvseInput]) -> StationInput:
        """What the services take; call after ``is_valid()``."""
        data = self.cleaned_data
        template = data.get("template") if self.uses_template else None
        label = data.get("label") or data["charge_box_identity"]
        directions = ([{"language": data["directions_language"].lower(), "text": data["directions"]}]
                      if data.get("directions") else [])
        return StationInput(
            backend=self.backend, company=data["company"], label=label,
            charge_box_identity=data["charge_box_identity"], model=data.get("model"),
            time_zone=data.get("time_zone", ""), public_display_name=data.get("public_display_name", ""),
            serial_number=data.get("serial_number", ""), technician=data.get("technician"),
            location=data.get("location"), deploy_state=data.get("deploy_state", ""),
            default_tariff_id=data.get("default_tariff_id", ""), charger_type=data.get("charger_type", ""),
            template=template, evses=[] if template else evses, directions=directions,
            parking_restrictions=list(data.get("parking_restrictions") or []),
        )



def apply_errors(form: StationCreateForm, rows: EvseRows | None, errors: dict[str, str]) -> None:
    """Show ``validation`` errors next to the fields and rows they belong to."""
    aliases = {"directions": "directions", "evses": None}
    for path, message in errors.items():
        if path.startswith("evses.") and rows is not None:
            rows.add_error(path.removeprefix("evses."), message)
        elif path == "evses" and rows is not None:
            rows.errors.append(message)
        else:
            name = aliases.get(path, path)
            form.add_error(name if name in form.fields else None, message)
