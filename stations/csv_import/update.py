"""Update mode: a row whose charge box identity exists in the mirror is a change of that station.

The row is checked with the create form's single rules (``stations.validation``),
for the columns it fills in only: an absent or empty column keeps the station's
value, it never blanks it. Its diff is the bulk change's
(``stations.bulk.preview.change_item``), so a row of an import and a row of a
bulk change say current → new the same way, are stored the same way (a
``BatchItem`` in the job's batch) and are sent the same way once confirmed
(``stations.bulk.write``): an edit based on the version the preview showed,
whose etag the worker checks as for a single full edit, so a station changed
upstream since the preview becomes a conflict for the user to decide.

What can change follows the bulk change (``stations.bulk.forms.CHANGEABLE``):
a GreenFlux station's name, location, deploy state, default tariff and charger
type. be.ENERGISED documents no station update, so a be.ENERGISED row that
matches its station is unchanged and one that differs is refused with that
reason. Hardware (template, connectors) and the company are chosen when a
station is created: an update row asking to change them is refused, naming
the column. A row naming a station of a company the uploader is not in is
refused without saying anything of that station.
"""

from __future__ import annotations

from typing import Any

from portal.access import Role, has_role
from portal.models import Backend, User
from stations import validation
from stations.bulk.models import BatchItem
from stations.bulk.preview import COLUMNS, NO_UPDATE, change_item
from stations.csv_import.validate import UNUSED, Lookups, Problem, _choice, _key, _unresolved
from stations.models import Station

STATION_COLUMNS = (*COLUMNS, "model_id", "technician_id", "time_zone", "public_display_name", "serial_number",
                   "template__upstream_id", "template__name", "company__name")
# be.ENERGISED columns compared with the station (none of them can be changed there).
BEENERGISED_COLUMNS = ("label", "model", "time_zone", "technician", "public_display_name", "serial_number")


def load_stations(ids: list[int]) -> dict[int, dict[str, Any]]:
    """The stations some rows name, with what a diff and the comparisons need: one query."""
    return {s["id"]: s for s in Station.objects.filter(pk__in=ids).values(*STATION_COLUMNS)}


def not_yours(backend: Backend, identity: str) -> Problem:
    return ("charge_box_identity",
            f"“{identity}” is used on {backend.name} by a station of a company you are not in: this file can "
            "neither change it nor create another station with it.")


def _greenflux_params(row: dict[str, str], lookups: Lookups, backend: Backend,
                      station: dict[str, Any]) -> tuple[dict[str, Any], Any, list[Problem]]:
    """The new values the row gives (bulk change parameters), the location it names, and its problems."""
    params: dict[str, Any] = {}
    problems: list[Problem] = []
    if row.get("label"):
        error = validation.length_error("label", row["label"])
        problems += [("label", error)] if error else []
        params["label"] = row["label"]
    for column, choices in (("deploy_state", validation.DEPLOY_STATES), ("charger_type", validation.CHARGER_TYPES)):
        if row.get(column):
            value = _choice(row[column], choices)
            error = validation.choice_error(value, choices, required=False)
            problems += [(column, error)] if error else []
            params[column] = value
    if row.get("default_tariff_id"):
        error = validation.length_error("default_tariff_id", row["default_tariff_id"])
        problems += [("default_tariff_id", error)] if error else []
        params["default_tariff_id"] = row["default_tariff_id"]
    location = None
    ref = row.get("location", "")
    if ref:
        location = lookups.locations.get((backend.pk, ref)) or lookups.locations.get((backend.pk, _key(ref)))
        # Said as create mode says it: the name to write, or "by its id" only where two share the name.
        error = (_unresolved("location", ref, backend, lookups) if location is None
                 else validation.location_error(location, backend))
        problems += [("location", error)] if error else []
    if row.get("connectors"):
        problems.append(("connectors", "An import does not change the EVSEs of a station that exists: leave "
                                       "connectors empty on this row, or change them on the station's Hardware page."))
    template = row.get("template", "")
    if template and not _same("template", template, lookups, backend, station):
        problems.append(("template", "An import does not change the hardware template of a station that exists: "
                                     "leave template empty on this row (or as the station has it)."))
    return params, location, problems


def _same(column: str, value: str, lookups: Lookups, backend: Backend, station: dict[str, Any]) -> bool:
    """Whether a filled-in cell says what the station already holds (then it asks for no change)."""
    if column == "model":
        model = lookups.models.get(_key(value))
        return model is not None and model.pk == station["model_id"]
    if column == "technician":
        technician = lookups.technician(backend, value)
        return technician is not None and technician.pk == station["technician_id"]
    if column == "location":
        return _key(value) in {_key(station["location__upstream_id"] or ""), _key(station["location__name"] or "")}
    if column == "template":
        return _key(value) in {_key(station["template__upstream_id"] or ""), _key(station["template__name"] or "")}
    if column == "connectors":
        return False
    return value == (station.get(column) or "")


def _beenergised_differences(row: dict[str, str], lookups: Lookups, backend: Backend,
                             station: dict[str, Any]) -> list[Problem]:
    """be.ENERGISED stations cannot be changed: each filled-in column that differs is a problem."""
    reason = NO_UPDATE.format(kind=backend.get_kind_display(), backend=backend.name)
    return [(column, f"This differs from the station's {column.replace('_', ' ')}; {reason}")
            for column in BEENERGISED_COLUMNS
            if row.get(column) and not _same(column, row[column], lookups, backend, station)]


def validate_update(row: dict[str, str], lookups: Lookups, user: User, number: int, backend: Backend,
                    station: dict[str, Any]) -> tuple[dict[str, Any], list[Problem], str, dict[str, Any] | None]:
    """Check a row that names an existing station of the uploader's companies.

    Returns its values, its problems, its action (change or unchanged) and, without problems,
    the fields of its ``BatchItem`` (``change_item``'s outcome, diff, changes, base and etag).
    """
    from stations.csv_import.models import ImportRow

    problems: list[Problem] = []
    if row.get("__extra__"):
        problems.append(("", "This row has more cells than the header has columns."))
    if not has_role(user, Role.OPERATOR):
        problems.append(("", "Only operators and admins may import stations."))
    identity = row.get("charge_box_identity", "")
    key = (backend.pk, identity.casefold())
    if key in lookups.seen:
        problems.append(("charge_box_identity", f"“{identity}” is also on row {lookups.seen[key]} of this file."))
    else:
        lookups.seen[key] = number
    company_name = row.get("company", "")
    if company_name:
        company = lookups.companies.get(_key(company_name))
        if company is None:
            problems.append(("company", f"No company “{company_name}” that you may use."))
        elif company.pk != station["company_id"]:
            problems.append(("company", "An import does not move a station to another company: leave company "
                                        f"empty on this row, or give {station['company__name']}."))
    # A column the platform does not take is fine as the station already has it (an exported file).
    problems += [(c, f"{backend.get_kind_display()} stations do not take this column; leave it empty.")
                 for c in UNUSED[backend.kind] if row.get(c) and not _same(c, row[c], lookups, backend, station)]
    values = {"backend": backend.pk, "charge_box_identity": identity, "station": station["id"]}
    if backend.kind != Backend.Kind.GREENFLUX:
        problems += _beenergised_differences(row, lookups, backend, station)
        fields = {"outcome": BatchItem.Outcome.UNCHANGED}
    else:
        params, location, more = _greenflux_params(row, lookups, backend, station)
        problems += more
        fields = change_item(station, params, location) if not problems else {}
        if fields.get("outcome") == BatchItem.Outcome.SKIPPED:
            problems.append(("charge_box_identity", fields["reason"]))
    if problems:
        return values, problems, ImportRow.Action.CHANGE, None
    action = ImportRow.Action.CHANGE if fields["outcome"] == BatchItem.Outcome.CHANGE else ImportRow.Action.UNCHANGED
    return values, problems, action, fields
