"""Row validation for the importer: every rule of the create form, with every lookup loaded once.

Nothing here calls an upstream. ``Lookups`` reads what rows may refer to
(backends the user may use, companies, catalogue models, technicians,
locations, templates, identities already in the mirror) in a handful of
queries. ``validate_row`` resolves a row's names to those records, builds
the same ``StationInput`` the create form builds, and runs
``stations.validation.validate_station_input`` on it, so the importer and
the form can never disagree. Problems are ``(column, message)`` pairs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from locations.models import Location
from models_catalog.models import StationModel
from portal.access import Role, company_ids, has_role
from sync.mirror import SyncState
from portal.models import Backend, Company, User
from stations import validation
from stations.csv_import.format import COLUMN_NAMES, parse_connectors
from stations.models import HardwareTemplate, ModelIdMapping, Station, Technician
from stations.services import ConnectorInput, EvseInput, StationInput

Problem = tuple[str, str]
# Columns a kind does not use: filled in, they are a mistake worth saying.
UNUSED = {
    Backend.Kind.BEENERGISED: ("location", "deploy_state", "default_tariff_id", "charger_type", "template", "connectors"),
    Backend.Kind.GREENFLUX: ("model", "technician", "public_display_name", "serial_number"),
}


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


_HOW = {"model": "write it as 'Vendor Model', as on the Models page",
        "technician": "write the e-mail of one of the company's technicians, as in the technician list of New station",
        "location": "write its name as on the Locations page",
        "template": "write its name as in the template list of New station"}


def _unresolved(column: str, ref: str, backend: Backend, lookups: Lookups) -> str:
    """Why a name was not taken: none of that name, or several (then the id tells them apart)."""
    table = {"location": lookups.locations, "template": lookups.templates}.get(column)
    if table is not None and (backend.pk, _key(ref)) in table:
        return (f"{backend.name} has more than one {column} called “{ref}”: give the one you mean by its id "
                f"(the station list's export writes ids there).")
    return f"No {column} “{ref}” on {backend.name}: {_HOW[column]}."


def backends_for_import(user: User) -> QuerySet[Backend]:
    """The station backends the user may import into (named on the Imports page): those of the companies
    where the user is an operator."""
    ids = company_ids(user, Role.OPERATOR)
    backends = Backend.objects.filter(kind__in=validation.STATION_KINDS, is_active=True).select_related("company")
    return (backends if ids is None else backends.filter(company__in=ids)).order_by("name")


@dataclass
class Lookups:
    """Everything rows may refer to, keyed for case-insensitive lookups."""

    backends: dict[str, Backend] = field(default_factory=dict)
    companies: dict[str, Company] = field(default_factory=dict)
    company_by_id: dict[int, Company] = field(default_factory=dict)
    models: dict[str, StationModel] = field(default_factory=dict)
    technicians: dict[str, list[Technician]] = field(default_factory=dict)  # id or e-mail -> technicians
    locations: dict[tuple[int, str], Location | None] = field(default_factory=dict)
    templates: dict[tuple[int, str], HardwareTemplate | None] = field(default_factory=dict)
    # (backend id, identity casefolded) -> the mirror station (identity, label, id, company id),
    # unless a failed create may be replaced
    identities: dict[tuple[int, str], tuple[str, str, int, int] | None] = field(default_factory=dict)
    company_ids: set[int] | None = None  # the uploader's companies (None: all)
    seen: dict[tuple[int, str], int] = field(default_factory=dict)  # identity -> first row in this file
    company_refs: dict[tuple[int, int], bool] = field(default_factory=dict)  # (company, backend) -> has an identity
    model_numbers: dict[tuple[int, int], int] = field(default_factory=dict)  # (company, model) -> be.ENERGISED id

    @classmethod
    def load(cls, user: User) -> Lookups:
        ids = company_ids(user, Role.OPERATOR)  # an import writes: the companies where the user is an operator
        lookups = cls(company_ids=None if ids is None else set(ids))
        for backend in backends_for_import(user):
            lookups.backends[_key(backend.name)] = backend
            lookups.backends[str(backend.pk)] = backend
        companies = Company.objects.all() if ids is None else Company.objects.filter(pk__in=ids)
        for company in companies:
            lookups.companies[_key(company.name)] = company
            lookups.company_by_id[company.pk] = company
        for model in StationModel.objects.all():
            for name in {model.upstream_id or "", f"{model.vendor} {model.model}", model.friendly_name}:
                if name:
                    lookups.models.setdefault(_key(name), model)
        mappings = ModelIdMapping.objects.all() if ids is None else ModelIdMapping.objects.filter(company__in=ids)
        lookups.model_numbers = {(c, m): n for c, m, n in mappings.values_list(
            "company_id", "model_id", "beenergised_model_id")}
        technicians = Technician.objects.select_related("company")
        if ids is not None:  # another company's technician is not even named in a problem
            technicians = technicians.filter(company__in=ids)
        for tech in technicians:
            for key in {str(tech.upstream_id or ""), _key(tech.email)} - {""}:
                lookups.technicians.setdefault(key, []).append(tech)
        backend_ids = {b.pk for b in lookups.backends.values()}
        for location in Location.objects.filter(backend_id__in=backend_ids):
            lookups.locations[(location.backend_id, str(location.upstream_id))] = location
            name_key = (location.backend_id, _key(location.name))
            # Two locations of one name: refer to them by id only.
            lookups.locations[name_key] = None if name_key in lookups.locations else location
        for template in HardwareTemplate.objects.filter(backend_id__in=backend_ids):
            lookups.templates[(template.backend_id, str(template.upstream_id))] = template
            name_key = (template.backend_id, _key(template.name))
            lookups.templates[name_key] = None if name_key in lookups.templates else template
        stations = Station.objects.filter(backend_id__in=backend_ids).values_list(
            "backend_id", "charge_box_identity", "label", "sync_state", "upstream_id", "id", "company_id"
        )
        for backend_id, identity, label, state, upstream_id, pk, company in stations.iterator(chunk_size=5000):
            replaceable = state == SyncState.FAILED and not upstream_id
            lookups.identities[(backend_id, identity.casefold())] = (
                None if replaceable else (identity, label, pk, company))
        return lookups

    def mine(self, company_id: int | None) -> bool:
        return self.company_ids is None or company_id in self.company_ids

    def existing(self, backend: Backend | None, identity: str) -> tuple[str, str, int, int] | None:
        """The mirror station that holds ``identity`` on ``backend`` (of any company), if one does."""
        if backend is None or not identity:
            return None
        return self.identities.get((backend.pk, identity.casefold()))

    def identity_error(self, backend: Backend, value: str) -> str | None:
        """The form's identity rule, answered from the identities loaded once.

        Another company's station is not named: its label is that company's data."""
        taken = self.identities.get((backend.pk, value.casefold()))
        if taken and not self.mine(taken[3]):
            return f"“{value}” is already used on {backend.name} by a station of a company you are not in."
        if taken:
            return f"“{taken[0]}” is already used by station “{taken[1]}” on {backend.name}."
        return None

    def technician(self, backend: Backend, ref: str) -> Technician | None:
        """The backend's own technician by that id or e-mail, else anyone's (the rules then say why not)."""
        found = self.technicians.get(ref) or self.technicians.get(_key(ref)) or []
        return next((t for t in found if t.backend_id == backend.pk), found[0] if found else None)


def _choice(value: str, choices: tuple[str, ...]) -> str:
    """The canonical spelling of a value given in any case (the rules then check it)."""
    return next((c for c in choices if c.casefold() == value.casefold()), value)


def _column(path: str, message: str) -> Problem:
    """A rule's field path as the CSV column it came from."""
    if not path.startswith("evses"):
        return path, message
    parts = path.split(".")
    if len(parts) == 1:
        return "connectors", message
    where = f"EVSE {int(parts[1]) + 1}"
    if len(parts) >= 4 and parts[2] == "connectors":
        where += f", connector {int(parts[3]) + 1}"
    return "connectors", f"{where}: {parts[-1].replace('_', ' ')}: {message}"


def validate_row(row: dict[str, str], lookups: Lookups, user: User, number: int) -> tuple[dict[str, Any], list[Problem]]:
    """Check one row; return its values (ids, for the confirmation) and its problems."""
    problems: list[Problem] = []
    if row.get("__extra__"):
        problems.append(("", "This row has more cells than the header has columns."))
    if not has_role(user, Role.OPERATOR):
        problems.append(("", "Only operators and admins may import stations."))
    backend_name = row.get("backend", "")
    backend = lookups.backends.get(_key(backend_name)) if backend_name else None
    if not backend_name:
        problems.append(("backend", "This field is required."))
    elif backend is None:
        problems.append(("backend", f"No station backend “{backend_name}” that you may use."))
    company_name = row.get("company", "")
    company = lookups.companies.get(_key(company_name)) if company_name else (backend.company if backend else None)
    if company_name and company is None:
        problems.append(("company", f"No company “{company_name}” that you may use."))
    if backend is None:
        return {}, problems

    problems += [(c, f"{backend.get_kind_display()} stations do not take this column; leave it empty.")
                 for c in UNUSED[backend.kind] if row.get(c)]
    references: dict[str, Any] = {}
    for column, resolve in (
        ("model", lambda ref: lookups.models.get(_key(ref))),
        ("technician", lambda ref: lookups.technician(backend, ref)),
        ("location", lambda ref: lookups.locations.get((backend.pk, ref)) or lookups.locations.get(
            (backend.pk, _key(ref)))),
        ("template", lambda ref: lookups.templates.get((backend.pk, ref)) or lookups.templates.get(
            (backend.pk, _key(ref)))),
    ):
        ref = row.get(column, "")
        if ref and column not in UNUSED[backend.kind]:
            references[column] = resolve(ref)
            if references[column] is None:
                problems.append((column, _unresolved(column, ref, backend, lookups)))
    evses: list[EvseInput] = []
    if backend.kind == Backend.Kind.GREENFLUX:
        template_ref, connectors = row.get("template", ""), row.get("connectors", "")
        if template_ref and connectors:
            problems.append(("template", "Give either a hardware template or a connector list, not both."))
        elif not template_ref and not connectors:
            problems.append(("connectors", "Give either a hardware template or a connector list."))
        elif connectors:
            parsed, error = parse_connectors(connectors)
            if error:
                problems.append(("connectors", error))
            evses = [EvseInput(connectors=[ConnectorInput(**vars(spec)) for spec in evse]) for evse in parsed]

    data = StationInput(
        backend=backend, company=company, label=row.get("label", ""),
        charge_box_identity=row.get("charge_box_identity", ""), model=references.get("model"),
        time_zone=row.get("time_zone", ""), public_display_name=row.get("public_display_name", ""),
        serial_number=row.get("serial_number", ""), technician=references.get("technician"),
        location=references.get("location"),
        deploy_state=_choice(row.get("deploy_state", ""), validation.DEPLOY_STATES),
        default_tariff_id=row.get("default_tariff_id", ""),
        charger_type=_choice(row.get("charger_type", ""), validation.CHARGER_TYPES),
        template=references.get("template"), evses=evses,
    )
    reported = {column for column, _ in problems}
    for path, message in validation.validate_station_input(
            data, identity=lookups.identity_error, company_refs_known=lookups.company_refs,
            model_numbers=lookups.model_numbers).items():
        column, text = _column(path, message)
        if column not in reported and not (column == "connectors" and data.template is None and not evses):
            problems.append((column, text))
    identity = data.charge_box_identity
    if identity:
        key = (backend.pk, identity.casefold())
        if key in lookups.seen:
            problems.append(("charge_box_identity", f"“{identity}” is also on row {lookups.seen[key]} of this file."))
        else:
            lookups.seen[key] = number
    values = {
        "backend": backend.pk, "company": company.pk if company else None, "label": data.label,
        "charge_box_identity": identity, "time_zone": data.time_zone,
        "public_display_name": data.public_display_name, "serial_number": data.serial_number,
        "deploy_state": data.deploy_state, "default_tariff_id": data.default_tariff_id,
        "charger_type": data.charger_type,
        **{name: obj.pk for name, obj in references.items() if obj is not None},
        "evses": [[vars(c) for c in evse.connectors] for evse in evses],
    }
    return values, problems


def row_company(row: dict[str, str], lookups: Lookups) -> Company | None:
    """The company whose data the row holds: its backend's, else the company it names, among those the
    uploader may use; None when it names neither (the row is then the uploader's alone)."""
    backend = lookups.backends.get(_key(row.get("backend", "")))
    if backend is not None and backend.company is not None:
        return backend.company
    return lookups.companies.get(_key(row.get("company", "")))


def unknown_columns(header: list[str]) -> list[str]:
    """Header names the importer does not know (ignored, but worth telling: often a typo)."""
    return [h for h in header if h and h not in COLUMN_NAMES]
