"""Forms for creating and editing stations.

Django fields parse what was typed; the upstream's rules live in
``stations.validation`` and are applied to the whole :class:`StationInput`
so that the forms and the CSV importer refuse exactly the same things.
Pickers list only what fits the chosen backend and company, but accept any
record the user may see, so that a wrong pick gets a message that says why
(a technician of another company) rather than "not a valid choice".
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.html import format_html

from locations.models import Location
from models_catalog.models import StationModel
from portal import labels
from portal.access import Role, company_ids, scoped
from portal.models import Backend, Company, User
from portal.widgets import KilowattField
from stations import validation as rules
from stations.model_ids import mapped_models
from stations.models import HardwareTemplate, Station, Technician
from stations.services import PATCHABLE, ConnectorInput, EvseInput, StationInput
from stations.versions import ShownVersion, StaleForm, form_changes, shown_version


def _choices(values: tuple[str, ...], blank: str | None = None, vocabulary: str = "") -> list[tuple[str, str]]:
    """Choices for codes: their words from ``vocabulary`` (portal.labels), else the values as they are."""
    items = labels.choices(values, vocabulary) if vocabulary else [(v, v) for v in values]
    return [("", blank), *items] if blank is not None else items


def _narrow(field: forms.ModelChoiceField, shown: QuerySet[Any], blank: str = "—") -> None:
    """Offer only ``shown`` while still accepting (and then explaining) any record of the field's queryset."""
    field.widget.choices = [("", blank)] + [(obj.pk, field.label_from_instance(obj)) for obj in shown]


class TechnicianChoiceField(forms.ModelChoiceField):
    """Technicians as a list of choices, each with its name and whole e-mail address on lines of their
    own: a drop-down cut them at its width ("Anna de Vries <anna.d…"), at 1280 px and more at 390 px."""

    widget = forms.RadioSelect(attrs={"class": "technician-choices"})

    def label_from_instance(self, obj: Technician) -> str:
        if not obj.email:
            return format_html('<span class="choice-text"><span class="choice-name">{}</span></span>', obj.name)
        return format_html('<span class="choice-text"><span class="choice-name">{}</span> '
                           '<span class="choice-detail">{}</span></span>', obj.name, obj.email)


class TimeZoneInput(forms.TextInput):
    """A text box with the IANA names as suggestions: quicker to type than a 600-line select."""

    template_name = "stations/_edit_timezone_input.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["list"] = f"{context['widget']['attrs'].get('id', name)}_list"
        context["time_zones"] = sorted(rules.time_zones())
        return context


def station_backends(user: User) -> QuerySet[Backend]:
    """The active backends that hold stations, of the companies where the user is an operator (they are
    offered to make a station on)."""
    return scoped(Backend.objects.filter(kind__in=rules.STATION_KINDS, is_active=True), user, min_role=Role.OPERATOR)


# --- create -------------------------------------------------------------------------------


def location_id_field() -> forms.CharField:
    return forms.CharField(
        label="Or type its location id", required=False, max_length=rules.MAX_LENGTHS.get("location_id", 36),
        help_text="A GreenFlux location id, as its stations carry it (location_id); GreenFlux checks it.")


def resolve_location(form: forms.Form, data: dict[str, Any], backend: Backend, company: Any) -> None:
    """The location a GreenFlux station form names: the one picked, or the id typed (issue 24).

    GreenFlux's document lists stations by location but gives no list of locations, so the picker
    offers those known from stations, and any other id may be typed: a location the mirror does not
    know yet is made (unsaved here, pending once saved) and GreenFlux judges it when the write goes.
    """
    typed = (data.get("location_id") or "").strip()
    if typed and "location" not in form.errors:
        found = Location.objects.filter(backend=backend, upstream_id=typed).first()
        data["location"] = found or Location(backend=backend, company=company or backend.company,
                                             upstream_id=typed, name=typed, sync_state="pending")
        form.errors.pop("location", None)
    elif not data.get("location") and "location" not in form.errors:
        form.add_error("location", "Choose a location, or type its location id.")

class StationCreateForm(forms.Form):
    """The station's own fields; which ones appear depends on the backend's kind."""

    MANUAL, TEMPLATE = "manual", "template"

    backend = forms.ModelChoiceField(queryset=Backend.objects.none(), empty_label="Choose a backend…",
                                     help_text="Where the station lives; the form adapts to it.")
    company = forms.ModelChoiceField(queryset=Company.objects.none(), empty_label=None)
    label = forms.CharField(label="Label", max_length=rules.MAX_LENGTHS["label"])
    charge_box_identity = forms.CharField(
        label="Charge box identity", max_length=rules.MAX_LENGTHS["charge_box_identity"],
        help_text="The identity the station uses on its OCPP connection; unique.",
    )
    model = forms.ModelChoiceField(queryset=StationModel.objects.none(), empty_label="Choose a model…",
                                   error_messages={"invalid_choice": "Choose a model from the catalogue."})
    time_zone = forms.CharField(widget=TimeZoneInput, help_text="An IANA name, e.g. Europe/Berlin.")
    public_display_name = forms.CharField(required=False, max_length=rules.MAX_LENGTHS["public_display_name"],
                                          help_text="Shown in apps; optional.")
    serial_number = forms.CharField(required=False, max_length=rules.MAX_LENGTHS["serial_number"])
    technician = TechnicianChoiceField(
        queryset=Technician.objects.none(), required=False, empty_label="No technician",
        error_messages={"invalid_choice": "Choose one of the company's technicians."},
        help_text="Only the chosen company's technicians are listed.",
    )
    technicians_of = forms.IntegerField(required=False, widget=forms.HiddenInput)  # whose technicians were shown
    location = forms.ModelChoiceField(queryset=Location.objects.none(), empty_label="Choose a location…",
                                      required=False,
                                      error_messages={"invalid_choice": "Choose a location of this backend."})
    location_id = location_id_field()
    default_tariff_id = forms.CharField(label="Default tariff id",
                                        max_length=rules.MAX_LENGTHS["default_tariff_id"])
    deploy_state = forms.ChoiceField(choices=_choices(rules.DEPLOY_STATES, "Choose…"))
    charger_type = forms.ChoiceField(choices=_choices(rules.CHARGER_TYPES, "—"), required=False)
    evse_source = forms.ChoiceField(
        label="EVSEs", widget=forms.RadioSelect, initial=MANUAL,
        choices=[(MANUAL, "Enter EVSEs and connectors"), (TEMPLATE, "Use a hardware template")],
    )
    template = forms.ModelChoiceField(queryset=HardwareTemplate.objects.none(), required=False,
                                      empty_label="Choose a template…", label="Hardware template",
                                      error_messages={"invalid_choice": "Choose a template of this backend."})
    directions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                 help_text="Where to find the chargers; set on every EVSE.")
    directions_language = forms.CharField(label="Language of the directions", initial="en", max_length=2,
                                          required=False, help_text="Two letters, e.g. en or nl.")
    parking_restrictions = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                                     choices=_choices(rules.PARKING_RESTRICTIONS, vocabulary="parking"))

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
        if self.backend.company_id and not self.initial.get("company"):
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
        self.fields["label"].help_text = "Shown in be.ENERGISED's interface."
        # Models with a be.ENERGISED id in the user's companies' mappings; offered: the chosen company's.
        models = mapped_models(company_ids(self.user)).filter(removed_at__isnull=True)
        self.fields["model"].queryset = models
        shown_models = mapped_models([self.company.pk]) if self.company else models
        _narrow(self.fields["model"], shown_models.filter(is_archived=False, removed_at__isnull=True), "Choose a model…")
        self.fields["time_zone"].initial = settings.TIME_ZONE
        technicians = scoped(Technician.objects.select_related("company"), self.user, min_role=Role.OPERATOR)
        self.fields["technician"].queryset = technicians
        shown = technicians.filter(backend=self.backend, removed_at__isnull=True).exclude(upstream_id=None)
        shown = shown.filter(company=self.company) if self.company else shown.none()
        _narrow(self.fields["technician"], shown, "No technician")
        self.fields["model"].help_text = ("Catalogue models with a be.ENERGISED model id; an admin maps the others "
                                          "on the Model mapping page.")
        self.technician_note = self._technician_note(technicians, shown)

    def _technician_note(self, technicians: QuerySet[Technician], shown: QuerySet[Technician]) -> str:
        """Why the technician list shows what it shows; after a company change, say that it changed."""
        if self.company is None:
            return "Choose a company to see its technicians."
        count = shown.count()
        listed = (f"{count} technician{'s' if count != 1 else ''} of {self.company} on {self.backend.name}"
                  if count else f"{self.company} has no technicians on {self.backend.name} yet (an operator can "
                                "refresh technicians on the Sync page)")
        note = f"{listed}: be.ENERGISED only accepts a technician of the station's own company."
        raw = self.data.get(self.add_prefix("technicians_of")) if self.is_bound else self.initial.get("technicians_of")
        previous = self._picked(self.fields["company"].queryset, "technicians_of") if raw else None
        if previous is not None and previous.pk != self.company.pk:
            picked = self._picked(technicians, "technician")
            cleared = (f" {picked.name}, a technician of {previous}, is no longer selected."
                       if picked is not None and picked.company_id == previous.pk else "")
            note = (f"You chose {self.company} instead of {previous}, so the list now offers {self.company}'s "
                    f"technicians.{cleared} " + note)
        return note

    def _setup_greenflux(self) -> None:
        self.fields["charge_box_identity"].label = "Charge station id"
        self.fields["charge_box_identity"].max_length = rules.MAX_LENGTHS["charge_station_id"]
        self.fields["charge_box_identity"].widget.attrs["maxlength"] = rules.MAX_LENGTHS["charge_station_id"]
        self.fields["label"].label = "Name"
        self.fields["label"].required = False
        locations = scoped(Location.objects.all(), self.user, min_role=Role.OPERATOR)
        self.fields["location"].queryset = locations
        offered = locations.filter(backend=self.backend, removed_at__isnull=True).exclude(upstream_id=None)
        _narrow(self.fields["location"], offered, "Choose a location…")
        count = offered.count()
        self.fields["location"].help_text = (
            (f"The {count} location{'s' if count != 1 else ''} of {self.backend.name} known from its stations (with "
             "names where GreenFlux lists its locations): a GreenFlux station needs a location of its own GreenFlux "
             "backend, so ChargEye locations are not offered. Another one: type its id below.") if count else
            (f"No location of {self.backend.name} is in the portal yet (they are known from its stations once "
             "they are refreshed): type the location id below."))
        templates = scoped(HardwareTemplate.objects.all(), self.user, "backend__company", min_role=Role.OPERATOR)
        self.fields["template"].queryset = templates
        _narrow(self.fields["template"], templates.filter(backend=self.backend, removed_at__isnull=True),
                "Choose a template…")
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
            self.add_error("template", "Choose a hardware template, or enter the EVSEs yourself.")
        language = data.get("directions_language") or ""
        if data.get("directions") and "directions_language" not in self.errors and len(language) != 2:
            self.add_error("directions_language",
                           "Give the language of the directions as two letters, e.g. en.")
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


# --- EVSE rows ----------------------------------------------------------------------------

class EvseForm(forms.Form):
    evse_id = forms.CharField(label="EVSE id", required=False, max_length=rules.MAX_LENGTHS["evse_id"],
                              help_text="Optional; GreenFlux assigns one when empty.")
    floor_level = forms.CharField(required=False, max_length=rules.MAX_LENGTHS["floor_level"])
    physical_reference = forms.CharField(required=False, max_length=rules.MAX_LENGTHS["physical_reference"],
                                         help_text="The number painted on the charger.")
    capabilities = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                             choices=_choices(rules.CAPABILITIES, vocabulary="capability"))


class ConnectorForm(forms.Form):
    standard = forms.ChoiceField(choices=_choices(rules.STANDARDS, "Choose…", "standard"))
    format = forms.ChoiceField(choices=_choices(rules.FORMATS, "Choose…", "format"))
    power_type = forms.ChoiceField(label="Power type", choices=_choices(rules.POWER_TYPES, "Choose…", "power_type"))
    max_voltage = forms.IntegerField(label="Voltage (V)", min_value=1)
    max_amperage = forms.IntegerField(label="Current (A)", min_value=1)
    max_electric_power = KilowattField(required=False)


NEW_CONNECTOR = {"standard": "IEC_62196_T2", "format": "SOCKET", "power_type": "AC_3_PHASE",
                 "max_voltage": 400, "max_amperage": 32, "max_electric_power": 22000}


def _raw(form: forms.Form, data: QueryDict) -> dict[str, Any]:
    """What was posted for ``form``'s fields, as its widgets read it (for re-rendering without errors)."""
    return {name: field.widget.value_from_datadict(data, {}, form.add_prefix(name))
            for name, field in form.fields.items()}


def _count(data: QueryDict, key: str, limit: int = 50) -> int:
    try:
        return max(0, min(limit, int(data.get(key, 0))))
    except (TypeError, ValueError):
        return 0


class EvseRows:
    """Manual EVSEs, each with its connectors: one form per EVSE and per connector.

    Prefixes are ``evse-<i>`` and ``evse-<i>-conn-<j>`` with counts in
    ``evse-count`` and ``evse-<i>-conn-count``. Adding or removing a row
    re-renders the rows from what was posted, so it works by plain form
    submission as well as through htmx.
    """

    # The hardware form of an existing station (``stations.hardware``) uses other row forms.
    evse_form: type[forms.Form] = EvseForm
    connector_form: type[forms.Form] = ConnectorForm
    new_connector: dict[str, Any] = NEW_CONNECTOR
    field_names: dict[str, str] = {}  # ``validation`` field -> row form field, where they differ

    def __init__(self, rows: list[dict[str, Any]], data: QueryDict | None = None) -> None:
        self.data = data
        self.rows = []
        for i, row in enumerate(rows):
            evse = self.evse_form(data, prefix=f"evse-{i}", initial=None if data else row)
            connectors = [self.connector_form(data, prefix=f"evse-{i}-conn-{j}", initial=None if data else conn)
                          for j, conn in enumerate(row.get("connectors", []))]
            self.rows.append((evse, connectors))
        self.errors: list[str] = []

    @classmethod
    def new(cls) -> EvseRows:
        return cls([{"connectors": [dict(NEW_CONNECTOR)]}])

    @classmethod
    def raw_rows(cls, data: QueryDict) -> list[dict[str, Any]]:
        rows = []
        for i in range(_count(data, "evse-count")):
            row = _raw(cls.evse_form(prefix=f"evse-{i}"), data)
            row["connectors"] = [_raw(cls.connector_form(prefix=f"evse-{i}-conn-{j}"), data)
                                 for j in range(_count(data, f"evse-{i}-conn-count"))]
            rows.append(row)
        return rows

    @classmethod
    def bound(cls, data: QueryDict) -> EvseRows:
        return cls(cls.raw_rows(data), data)

    @classmethod
    def after_action(cls, data: QueryDict, action: str) -> tuple[EvseRows, str | None]:
        """Rows after ``add_evse``, ``remove_evse:<i>``, ``add_connector:<i>``, ``remove_connector:<i>:<j>``;
        also the id of the field to focus."""
        rows = cls.raw_rows(data)
        name, *args = action.split(":")
        focus = None
        try:
            index = [int(a) for a in args]
            if name == "add_evse" and len(rows) < 50:
                rows.append({"connectors": [dict(cls.new_connector)]})
                focus = f"id_evse-{len(rows) - 1}-evse_id"
            elif name == "remove_evse" and cls.removable(rows, index[0]):
                del rows[index[0]]
            elif name == "add_connector" and len(rows[index[0]]["connectors"]) < 20:
                rows[index[0]]["connectors"].append(dict(cls.new_connector))
                focus = f"id_evse-{index[0]}-conn-{len(rows[index[0]]['connectors']) - 1}-standard"
            elif name == "remove_connector" and len(rows[index[0]]["connectors"]) > 1:
                del rows[index[0]]["connectors"][index[1]]
        except (IndexError, ValueError):
            pass  # a stale button from an older page: show the rows as they are
        result = cls(rows)
        result.focus_on(focus)
        return result, focus

    def focus_on(self, field_id: str | None) -> None:
        """Give the field with this id ``autofocus``: the new row's first field after a swap or a page load."""
        for evse, connectors in self.rows:
            for form in (evse, *connectors):
                for bound in form:
                    if bound.auto_id == field_id:
                        form.fields[bound.name].widget.attrs["autofocus"] = True
                        return

    @staticmethod
    def removable(rows: list[dict[str, Any]], index: int) -> bool:
        """Whether the "remove EVSE" button may remove row ``index``."""
        return len(rows) > 1

    def is_valid(self) -> bool:
        if not self.rows:
            self.errors.append("Add at least one EVSE, or choose a hardware template.")
        valid = bool(self.rows)
        for evse, connectors in self.rows:
            valid = evse.is_valid() and valid
            if not connectors:
                evse.add_error(None, "An EVSE needs at least one connector.")
                valid = False
            for connector in connectors:
                valid = connector.is_valid() and valid
        return valid

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(
            evse.is_bound and (evse.errors or any(c.errors for c in conns)) for evse, conns in self.rows)

    def inputs(self) -> list[EvseInput]:
        return [
            EvseInput(
                evse_id=evse.cleaned_data["evse_id"], floor_level=evse.cleaned_data["floor_level"],
                physical_reference=evse.cleaned_data["physical_reference"],
                capabilities=list(evse.cleaned_data["capabilities"]),
                connectors=[ConnectorInput(**c.cleaned_data) for c in connectors],
            )
            for evse, connectors in self.rows
        ]

    def add_error(self, path: str, message: str) -> None:
        """Put a ``validation`` error (``<i>.<field>`` or ``<i>.connectors.<j>.<field>``) next to its row."""
        parts = path.split(".")
        try:
            evse, connectors = self.rows[int(parts[0])]
            if len(parts) >= 4 and parts[1] == "connectors":
                form, name = connectors[int(parts[2])], parts[3]
            else:
                form, name = evse, parts[1] if len(parts) > 1 else None
        except (IndexError, ValueError):
            self.errors.append(message)
            return
        name = self.field_names.get(name or "", name)
        form.add_error(name if name in form.fields else None, message)


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


# --- edit ---------------------------------------------------------------------------------

class StationEditForm(forms.Form):
    """A full GreenFlux edit. ``shown`` carries the exact version the form showed (``stations.versions``).

    The fields start from that version, and ``changes()`` is what the user
    changed against it, so a refresh or another user's save that lands while
    the form is open never counts as the user's change.
    """

    shown = forms.CharField(widget=forms.HiddenInput, required=False)
    label = forms.CharField(label="Name", required=False, max_length=rules.MAX_LENGTHS["label"])
    location = forms.ModelChoiceField(queryset=Location.objects.none(), required=False,
                                      error_messages={"invalid_choice": "Choose a location of this backend."})
    location_id = location_id_field()
    default_tariff_id = forms.CharField(label="Default tariff id",
                                        max_length=rules.MAX_LENGTHS["default_tariff_id"])
    deploy_state = forms.ChoiceField(choices=_choices(rules.DEPLOY_STATES))
    charger_type = forms.ChoiceField(choices=_choices(rules.CHARGER_TYPES, "—"), required=False)

    FIELDS = ("label", "location", "default_tariff_id", "deploy_state", "charger_type")
    STALE = ("This form no longer knows which version of the station it showed (it was altered, or is more "
             "than a week old). It has been reloaded with the current version: check it and save again.")

    def __init__(self, *args: Any, station: Station, user: User, shown: ShownVersion | None = None,
                 **kwargs: Any) -> None:
        self.station = station
        self.shown = shown or shown_version(station)
        kwargs.setdefault("initial", {"shown": self.shown.token(), **shown_initial(self.shown, station)})
        super().__init__(*args, **kwargs)
        locations = scoped(Location.objects.all(), user, min_role=Role.OPERATOR)
        self.fields["location"].queryset = locations
        _narrow(self.fields["location"], locations.filter(backend=station.backend).exclude(upstream_id=None),
                "Choose a location…")

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
    field.label = {"label": "Name"}.get(name, field.label or name.replace("_", " ").capitalize())

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
        _narrow(form.fields["value"], locations.filter(backend=station.backend).exclude(upstream_id=None),
                "Choose a location…")
    form.field_name = name  # type: ignore[attr-defined]
    return form
