"""Manual EVSE rows: one form per EVSE and per connector, added and removed by plain form posts.

The create form uses them as they are; the hardware form of an existing station
(``stations.hardware``) subclasses :class:`EvseRows` with its own row forms.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.widgets import KilowattField
from stations import validation as rules
from stations.forms.fields import code_choices
from stations.services import ConnectorInput, EvseInput


class EvseForm(forms.Form):
    evse_id = forms.CharField(label=gettext_lazy("EVSE id"), required=False, max_length=rules.MAX_LENGTHS["evse_id"],
                              help_text=gettext_lazy("Optional; GreenFlux assigns one when empty."))
    floor_level = forms.CharField(required=False, label=gettext_lazy("Floor level"), max_length=rules.MAX_LENGTHS["floor_level"])
    physical_reference = forms.CharField(required=False, label=gettext_lazy("Physical reference"), max_length=rules.MAX_LENGTHS["physical_reference"],
                                         help_text=gettext_lazy("The number painted on the charger."))
    capabilities = forms.MultipleChoiceField(required=False, label=gettext_lazy("Capabilities"), widget=forms.CheckboxSelectMultiple,
                                             choices=code_choices(rules.CAPABILITIES, vocabulary="capability"))


class ConnectorForm(forms.Form):
    standard = forms.ChoiceField(label=gettext_lazy("Standard"),
                                 choices=code_choices(rules.STANDARDS, gettext_lazy("Choose…"), "standard"))
    format = forms.ChoiceField(label=gettext_lazy("Format"),
                               choices=code_choices(rules.FORMATS, gettext_lazy("Choose…"), "format"))
    power_type = forms.ChoiceField(label=gettext_lazy("Power type"),
                                   choices=code_choices(rules.POWER_TYPES, gettext_lazy("Choose…"), "power_type"))
    max_voltage = forms.IntegerField(label=gettext_lazy("Voltage (V)"), min_value=1)
    max_amperage = forms.IntegerField(label=gettext_lazy("Current (A)"), min_value=1)
    max_electric_power = KilowattField(required=False, label=gettext_lazy("Power (kW)"))


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
            self.errors.append(_("Add at least one EVSE, or choose a hardware template."))
        valid = bool(self.rows)
        for evse, connectors in self.rows:
            valid = evse.is_valid() and valid
            if not connectors:
                evse.add_error(None, _("An EVSE needs at least one connector."))
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
