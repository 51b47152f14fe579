"""The hardware form of an existing GreenFlux station: add EVSEs, change them and their connectors, retire EVSEs.

One form for adding and changing: every active EVSE of the version the form
showed (``stations.versions.ShownVersion``, carried as a signed token) is a
row keyed by its ``uid``, each connector a sub-row keyed by its ``id``; new
rows get a fresh ``uid`` (and the next free connector id) when saved. The
posted rows become the user's version of the station's EVSEs, and
``stations.merge.user_changes`` against the shown version gives exactly what
the user changed, so the worker's etag-safe edit path sends only that on top
of the fresh upstream document.

Retiring sets an EVSE's status to ``REMOVED`` upstream, as OCPI does (the
merge leaves it out of a PUT, GreenFlux marks it ``REMOVED``; a PATCH names it
with that status); nothing is deleted, and the station page keeps showing it
as retired. The rules are the create form's (``stations.validation``): the
document's table of standard/format pairs, power types, lengths,
capabilities, parking restrictions, directions; plus one of its own: a
station keeps at least one active EVSE.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from django import forms

from portal.widgets import KilowattField
from stations import merge
from stations import validation as rules
from stations.forms.evse_rows import EvseRows
from stations.forms.fields import code_choices
from stations.services import ConnectorInput, EvseInput


class HardwareEvseForm(forms.Form):
    uid = forms.CharField(required=False, widget=forms.HiddenInput)
    evse_id = forms.CharField(label="EVSE id", required=False, max_length=rules.MAX_LENGTHS["evse_id"])
    floor_level = forms.CharField(label="Floor level", required=False, max_length=rules.MAX_LENGTHS["floor_level"])
    physical_reference = forms.CharField(label="Physical reference", required=False,
                                         max_length=rules.MAX_LENGTHS["physical_reference"],
                                         help_text="The number painted on the charger.")
    capabilities = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                             choices=code_choices(rules.CAPABILITIES, vocabulary="capability"))
    parking_restrictions = forms.MultipleChoiceField(label="Parking restrictions", required=False,
                                                     widget=forms.CheckboxSelectMultiple,
                                                     choices=code_choices(rules.PARKING_RESTRICTIONS, vocabulary="parking"))
    directions_text = forms.CharField(label="Directions", required=False, max_length=rules.MAX_LENGTHS["directions"],
                                      widget=forms.Textarea(attrs={"rows": 2}),
                                      help_text="How a driver finds this EVSE (shown in apps).")
    directions_language = forms.CharField(label="Language of the directions", required=False, max_length=2,
                                          help_text="Two letters, such as en or nl.")
    retire = forms.BooleanField(label="Retire this EVSE", required=False,
                                help_text="Its status becomes REMOVED upstream; it stays listed as retired.")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        text, language = (data.get("directions_text") or "").strip(), (data.get("directions_language") or "").strip()
        data["directions"] = [{"language": language.lower(), "text": text}] if text else []
        for name, message in rules.extras_errors(data["directions"], list(data.get("parking_restrictions") or [])
                                                 ).items():
            self.add_error("directions_language" if name == "directions" else name, message)
        return data


class HardwareConnectorForm(forms.Form):
    id = forms.CharField(required=False, widget=forms.HiddenInput)
    standard = forms.ChoiceField(choices=code_choices(rules.STANDARDS, "Choose…", "standard"))
    format = forms.ChoiceField(choices=code_choices(rules.FORMATS, "Choose…", "format"),
                               help_text="The pairs of the GreenFlux table only (a T2 socket or cable, a CCS cable…).")
    power_type = forms.ChoiceField(label="Power type", choices=code_choices(rules.POWER_TYPES, "Choose…", "power_type"))
    voltage = forms.IntegerField(label="Voltage (V)", min_value=1)
    amperage = forms.IntegerField(label="Current (A)", min_value=1)
    max_electric_power = KilowattField(required=False)
    tariff_id = forms.CharField(label="Tariff id", required=False, max_length=36)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if all(data.get(n) for n in ("standard", "format", "power_type", "voltage", "amperage")):
            found = rules.connector_errors(ConnectorInput(
                data["standard"], data["format"], data["power_type"], data["voltage"], data["amperage"],
                data.get("max_electric_power")))
            for name, message in found.items():
                self.add_error({"max_voltage": "voltage", "max_amperage": "amperage"}.get(name, name), message)
        return data


NEW_CONNECTOR = {"standard": "IEC_62196_T2", "format": "SOCKET", "power_type": "AC_3_PHASE",
                 "voltage": 400, "amperage": 32, "max_electric_power": 22000}
EVSE_FIELDS = ("uid", "evse_id", "floor_level", "physical_reference", "capabilities", "parking_restrictions")


def rows_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    """A canonical version's active EVSEs as form rows."""
    rows = []
    for uid, evse in (document.get("evses") or {}).items():
        directions = evse.get("directions") or []
        row = {name: evse.get(name) or ("" if name not in ("capabilities", "parking_restrictions") else [])
               for name in EVSE_FIELDS if name != "uid"}
        row.update(uid=uid, directions_text=directions[0]["text"] if directions else "",
                   directions_language=directions[0]["language"] if directions else "")
        row["connectors"] = [{"id": cid, **{k: ("" if v is None else v) for k, v in conn.items()}}
                             for cid, conn in (evse.get("connectors") or {}).items()]
        rows.append(row)
    return rows


class HardwareRows(EvseRows):
    """The EVSE rows of the hardware form: the create form's rows with ``uid``/``id`` kept, retire instead of remove.

    Prefixes and counts as in ``EvseRows`` (``evse-<i>``, ``evse-<i>-conn-<j>``);
    only rows added on this form can be removed, an existing EVSE is retired.
    """

    evse_form = HardwareEvseForm
    connector_form = HardwareConnectorForm
    new_connector = NEW_CONNECTOR
    field_names = {"max_voltage": "voltage", "max_amperage": "amperage"}

    @staticmethod
    def removable(rows: list[dict[str, Any]], index: int) -> bool:
        return not rows[index].get("uid")

    def is_valid(self, shown: dict[str, Any]) -> bool:
        known = set((shown.get("evses") or {}))
        valid = True
        for evse, connectors in self.rows:
            valid = evse.is_valid() and valid
            uid = (evse.cleaned_data.get("uid") or "") if evse.is_bound else ""
            if uid and uid not in known:
                evse.add_error(None, "This EVSE is not in the version the form showed; reload the page.")
                valid = False
            if not connectors:
                evse.add_error(None, "An EVSE needs at least one connector.")
                valid = False
            for connector in connectors:
                valid = connector.is_valid() and valid
        if valid:
            active = [e for e, _ in self.rows if not e.cleaned_data.get("retire")]
            if not active:
                self.errors.append("A station needs at least one active EVSE: keep one, or add one before "
                                   "retiring the last.")
                for evse, _ in self.rows:
                    if evse.cleaned_data.get("retire"):
                        evse.add_error("retire", "This would leave the station without an active EVSE.")
                valid = False
        if valid:
            for index, item in enumerate(self.inputs()):
                for name, message in rules.evse_errors(item).items():
                    self.add_error(f"{index}.{name}", message)
                    valid = False
        return valid

    def inputs(self) -> list[EvseInput]:
        """The rows as the create form's inputs (for its rules)."""
        return [
            EvseInput(
                evse_id=e.cleaned_data["evse_id"], floor_level=e.cleaned_data["floor_level"],
                physical_reference=e.cleaned_data["physical_reference"],
                capabilities=list(e.cleaned_data["capabilities"]),
                connectors=[ConnectorInput(c.cleaned_data["standard"], c.cleaned_data["format"],
                                           c.cleaned_data["power_type"], c.cleaned_data["voltage"],
                                           c.cleaned_data["amperage"], c.cleaned_data.get("max_electric_power"))
                            for c in conns],
            )
            for e, conns in self.rows
        ]

    def mine(self, shown: dict[str, Any]) -> dict[str, Any]:
        """The shown canonical version with the EVSEs as the user left them (retired ones absent).

        Built as a GreenFlux document and put through ``merge.canonical``, so
        what the user did not touch compares equal to what the form showed.
        """
        evses = []
        for evse, connectors in self.rows:
            d = evse.cleaned_data
            if d.get("retire"):
                continue
            uid = d.get("uid") or str(uuid.uuid4())
            before = (shown.get("evses") or {}).get(uid, {})
            taken = [int(c) for c in (before.get("connectors") or {}) if str(c).isdigit()]
            taken += [int(c.cleaned_data["id"]) for c in connectors if str(c.cleaned_data.get("id")).isdigit()]
            next_id = max([0, *taken]) + 1
            docs, seen = [], set()
            for conn in connectors:
                c = conn.cleaned_data
                cid = c.get("id") or ""
                if not cid or cid in seen:
                    cid, next_id = str(next_id), next_id + 1
                seen.add(cid)
                docs.append({"id": cid, **{k: c.get(k) for k in ("standard", "format", "power_type", "voltage",
                                                                   "amperage", "max_electric_power", "tariff_id")}})
            evses.append({"uid": uid, "evse_id": d["evse_id"], "capabilities": list(d["capabilities"]),
                          "floor_level": d["floor_level"], "physical_reference": d["physical_reference"],
                          "directions": d["directions"], "parking_restrictions": list(d["parking_restrictions"]),
                          "connectors": docs})
        out = copy.deepcopy(shown)
        out["evses"] = merge.canonical({"evses": evses})["evses"]
        return out

    def changes(self, shown: dict[str, Any]) -> dict[str, Any]:
        """The user's EVSE and connector changes against the shown version (``stations.merge`` paths)."""
        return merge.user_changes(shown, self.mine(shown))
