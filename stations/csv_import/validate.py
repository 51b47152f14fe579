"""Row validation for the importer: the create form's rules, with every lookup loaded once.

Nothing here calls an upstream. ``Lookups`` reads what rows may refer to
(backends the user may use, companies, catalogue models, technicians,
locations, templates, identities already in the mirror) in a handful of
queries; ``validate_row`` is then pure Python, so ten thousand rows take
well under a second. Problems are ``(column, message)`` pairs.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from locations.models import Location
from models_catalog.models import StationModel
from portal.access import Role, company_ids, has_role
from portal.mirror import SyncState
from portal.models import Backend, Company, User
from stations import enums
from stations.csv_import.format import COLUMN_NAMES, parse_connectors
from stations.models import HardwareTemplate, Station, Technician

Problem = tuple[str, str]
STATION_KINDS = (Backend.Kind.BEENERGISED, Backend.Kind.GREENFLUX)
MAX_TEXT = 200


@cache
def time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass
class Lookups:
    """Everything rows may refer to, keyed for case-insensitive lookups."""

    backends: dict[str, Backend] = field(default_factory=dict)
    companies: dict[str, Company] = field(default_factory=dict)
    models: dict[str, StationModel] = field(default_factory=dict)
    # (backend id, key) -> object; key is id, e-mail or name as the column allows
    technicians: dict[tuple[int, str], Technician] = field(default_factory=dict)
    foreign_technicians: dict[str, str] = field(default_factory=dict)  # e-mail/id -> company name
    locations: dict[tuple[int, str], Location | None] = field(default_factory=dict)
    templates: dict[tuple[int, str], HardwareTemplate | None] = field(default_factory=dict)
    # (backend id, identity casefolded) -> True if a failed, never-created station may be replaced
    identities: dict[tuple[int, str], bool] = field(default_factory=dict)
    seen: dict[tuple[int, str], int] = field(default_factory=dict)  # identity -> first row in this file

    @classmethod
    def load(cls, user: User) -> Lookups:
        ids = company_ids(user)
        lookups = cls()
        backends = Backend.objects.filter(kind__in=STATION_KINDS, is_active=True).select_related("company")
        if ids is not None:
            backends = backends.filter(company__in=ids)
        for backend in backends:
            lookups.backends[_key(backend.name)] = backend
            lookups.backends[str(backend.pk)] = backend
        companies = Company.objects.all() if ids is None else Company.objects.filter(pk__in=ids)
        for company in companies:
            lookups.companies[_key(company.name)] = company
        for model in StationModel.objects.all():
            for name in {model.upstream_id or "", f"{model.vendor} {model.model}", model.friendly_name}:
                if name:
                    lookups.models.setdefault(_key(name), model)
        backend_ids = {b.pk for b in lookups.backends.values()}
        for tech in Technician.objects.filter(removed_at__isnull=True).select_related("company"):
            keys = {str(tech.upstream_id or ""), _key(tech.email)} - {""}
            if tech.backend_id in backend_ids:
                for key in keys:
                    lookups.technicians[(tech.backend_id, key)] = tech
            for key in keys:
                lookups.foreign_technicians.setdefault(key, tech.company.name)
        for location in Location.objects.filter(backend_id__in=backend_ids, removed_at__isnull=True):
            lookups.locations[(location.backend_id, str(location.upstream_id))] = location
            name_key = (location.backend_id, _key(location.name))
            # Two locations of one name: refer to them by id only.
            lookups.locations[name_key] = None if name_key in lookups.locations else location
        for template in HardwareTemplate.objects.filter(backend_id__in=backend_ids, removed_at__isnull=True):
            lookups.templates[(template.backend_id, str(template.upstream_id))] = template
            name_key = (template.backend_id, _key(template.name))
            lookups.templates[name_key] = None if name_key in lookups.templates else template
        stations = Station.objects.filter(backend_id__in=backend_ids).values_list(
            "backend_id", "charge_box_identity", "sync_state", "upstream_id"
        )
        for backend_id, identity, state, upstream_id in stations.iterator(chunk_size=5000):
            replaceable = state == SyncState.FAILED and not upstream_id
            lookups.identities[(backend_id, identity.casefold())] = replaceable
        return lookups


def _text(row: dict[str, str], column: str, problems: list[Problem], *, required: bool = False,
          max_length: int = MAX_TEXT, what: str = "") -> str:
    value = row.get(column, "")
    if required and not value:
        problems.append((column, f"Required{what}."))
    elif len(value) > max_length:
        problems.append((column, f"At most {max_length} characters (this has {len(value)})."))
    return value


def _choice(row: dict[str, str], column: str, choices: tuple[str, ...], problems: list[Problem],
            *, required: bool = False, what: str = "") -> str:
    value = row.get(column, "")
    if not value:
        if required:
            problems.append((column, f"Required{what}: one of {', '.join(choices)}."))
        return ""
    for choice in choices:
        if choice.casefold() == value.casefold():
            return choice
    problems.append((column, f"“{value}” is not one of {', '.join(choices)}."))
    return ""


def _not_for(row: dict[str, str], columns: tuple[str, ...], kind_label: str, problems: list[Problem]) -> None:
    for column in columns:
        if row.get(column):
            problems.append((column, f"{kind_label} stations do not take this column; leave it empty."))


def validate_row(row: dict[str, str], lookups: Lookups, user: User, number: int) -> tuple[dict[str, Any], list[Problem]]:
    """Check one row; return its values (ids) and its problems."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    if row.get("__extra__"):
        problems.append(("", "This row has more cells than the header has columns."))
    backend_name = _text(row, "backend", problems, required=True)
    backend = lookups.backends.get(_key(backend_name)) if backend_name else None
    if backend_name and backend is None:
        problems.append(("backend", f"No station backend “{backend_name}” that you may use."))
    if not has_role(user, Role.OPERATOR):
        problems.append(("", "Only operators and admins may import stations."))
    identity = _text(row, "charge_box_identity", problems, required=True)
    if identity and backend is not None:
        key = (backend.pk, identity.casefold())
        if key in lookups.seen:
            problems.append(("charge_box_identity", f"“{identity}” is also on row {lookups.seen[key]} of this file."))
        else:
            lookups.seen[key] = number
            if key in lookups.identities and not lookups.identities[key]:
                problems.append(("charge_box_identity", f"A station “{identity}” already exists on {backend.name}."))
    company_name = row.get("company", "")
    company = lookups.companies.get(_key(company_name)) if company_name else (backend.company if backend else None)
    if company_name and company is None:
        problems.append(("company", f"No company “{company_name}” that you may use."))
    elif backend is not None and company is not None and backend.company_id not in (None, company.pk):
        problems.append(("company", f"{backend.name} belongs to {backend.company}, not {company}."))
    if backend is None:
        return values, problems
    values.update(backend=backend.pk, company=company.pk if company else None, charge_box_identity=identity)
    if backend.kind == Backend.Kind.BEENERGISED:
        _validate_beenergised(row, backend, company, lookups, values, problems)
    else:
        _validate_greenflux(row, backend, lookups, values, problems)
    return values, problems


def _validate_beenergised(row: dict[str, str], backend: Backend, company: Company | None, lookups: Lookups,
                          values: dict[str, Any], problems: list[Problem]) -> None:
    values["label"] = _text(row, "label", problems, required=True)
    _not_for(row, ("location", "deploy_state", "default_tariff_id", "charger_type", "template", "connectors"),
             "be.ENERGISED", problems)
    model_name = _text(row, "model", problems, required=True)
    model = lookups.models.get(_key(model_name)) if model_name else None
    if model_name and model is None:
        problems.append(("model", f"No model “{model_name}” in the catalogue."))
    elif model is not None and model.is_archived:
        problems.append(("model", f"{model} is archived; pick a current model."))
    elif model is not None and model.beenergised_model_id is None:
        problems.append(("model", f"{model} has no be.ENERGISED model id yet; an admin sets it on the model page."))
    elif model is not None:
        values["model"] = model.pk
    zone = _text(row, "time_zone", problems, required=True, max_length=64)
    if zone and zone not in time_zones():
        problems.append(("time_zone", f"“{zone}” is not an IANA time zone such as Europe/Amsterdam."))
    values["time_zone"] = zone
    values["public_display_name"] = _text(row, "public_display_name", problems)
    values["serial_number"] = _text(row, "serial_number", problems)
    tech_ref = row.get("technician", "")
    if tech_ref:
        tech = lookups.technicians.get((backend.pk, _key(tech_ref)))
        if tech is None:
            other = lookups.foreign_technicians.get(_key(tech_ref))
            where = f" works for {other}, not for {company}" if other and company else " is not known for this backend"
            problems.append(("technician", f"Technician “{tech_ref}”{where}."))
        elif company is not None and tech.company_id != company.pk:
            problems.append(("technician", f"Technician {tech.name} works for {tech.company}, not for {company}."))
        else:
            values["technician"] = tech.pk


def _validate_greenflux(row: dict[str, str], backend: Backend, lookups: Lookups, values: dict[str, Any],
                        problems: list[Problem]) -> None:
    values["label"] = _text(row, "label", problems)
    _not_for(row, ("model", "technician", "public_display_name", "serial_number"), "GreenFlux", problems)
    location_ref = _text(row, "location", problems, required=True)
    if location_ref:
        location = lookups.locations.get((backend.pk, location_ref)) or lookups.locations.get(
            (backend.pk, _key(location_ref)))
        if location is None:
            problems.append(("location", f"No single location “{location_ref}” on {backend.name}; use its id."))
        else:
            values["location"] = location.pk
    values["deploy_state"] = _choice(row, "deploy_state", enums.DEPLOY_STATES, problems, required=True)
    values["default_tariff_id"] = _text(row, "default_tariff_id", problems, required=True, max_length=100)
    values["charger_type"] = _choice(row, "charger_type", enums.CHARGER_TYPES, problems)
    template_ref, connectors = row.get("template", ""), row.get("connectors", "")
    if bool(template_ref) == bool(connectors):
        problems.append(("template" if template_ref else "connectors",
                         "Give either a hardware template or a connector list, not both." if template_ref
                         else "Give either a hardware template or a connector list."))
    elif template_ref:
        template = lookups.templates.get((backend.pk, template_ref)) or lookups.templates.get(
            (backend.pk, _key(template_ref)))
        if template is None:
            problems.append(("template", f"No single hardware template “{template_ref}” on {backend.name}."))
        else:
            values["template"] = template.pk
    else:
        evses, error = parse_connectors(connectors)
        if error:
            problems.append(("connectors", error))
        for e_index, evse in enumerate(evses, start=1):
            for c_index, spec in enumerate(evse, start=1):
                where = f"EVSE {e_index}, connector {c_index}"
                if (spec.standard, spec.format) not in enums.GREENFLUX_CONNECTORS:
                    problems.append(("connectors", f"{where}: {spec.standard} as {spec.format} is not a GreenFlux "
                                                   "connector (see the standard/format table)."))
                if spec.power_type not in enums.POWER_TYPES:
                    problems.append(("connectors", f"{where}: power type must be one of "
                                                   f"{', '.join(enums.POWER_TYPES)}."))
        values["evses"] = [[spec.__dict__ for spec in evse] for evse in evses]


def unknown_columns(header: list[str]) -> list[str]:
    """Header names the importer does not know (ignored, but worth telling: often a typo)."""
    return [h for h in header if h and h not in COLUMN_NAMES]
