"""The pickers and field helpers the station forms share (create, edit, EVSE rows, hardware).

Pickers list only what fits the chosen backend and company, but accept any record the user may
see (:func:`narrow`), so that a wrong pick gets a message that says why.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from locations.models import Location
from portal import labels
from portal.access import Role, scoped
from portal.models import Backend, User
from stations import validation as rules
from stations.models import Technician


def code_choices(values: tuple[str, ...], blank: str | None = None, vocabulary: str = "") -> list[tuple[str, str]]:
    """Choices for codes: their words from ``vocabulary`` (portal.labels), else the values as they are."""
    items = labels.choices(values, vocabulary) if vocabulary else [(v, v) for v in values]
    return [("", blank), *items] if blank is not None else items


def narrow(field: forms.ModelChoiceField, shown: QuerySet[Any], blank: str = "—") -> None:
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


def location_id_field() -> forms.CharField:
    return forms.CharField(
        label=_("Or type its location id"), required=False, max_length=rules.MAX_LENGTHS.get("location_id", 36),
        help_text=_("A GreenFlux location id, as its stations carry it (location_id); GreenFlux checks it."))


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
        form.add_error("location", _("Choose a location, or type its location id."))
