"""The rules the station upstreams enforce, checked before anything is saved.

One place for the forms and (later) the CSV importer: required fields per
kind, enumerations from the vendor documents, maximum lengths, a unique
charge box identity per backend, and that the parents a station points at
(technician, location, hardware template, model) belong to it.

:func:`validate_station_input` checks a whole :class:`StationInput` and
answers ``{path: message}``; paths are field names (``label``), EVSE fields
(``evses.0.floor_level``) or connector fields (``evses.0.connectors.1.standard``).
"""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from portal.identities import company_ref
from portal.models import Backend
from stations.models import ChargerType, DeployState, Station

if TYPE_CHECKING:
    from locations.models import Location
    from models_catalog.models import StationModel
    from portal.models import Company
    from stations.models import HardwareTemplate, Technician
    from stations.services import ConnectorInput, EvseInput, StationInput

# --- enumerations -------------------------------------------------------------------

# GreenFlux document: Stock, Production, Deprecated
DEPLOY_STATES: tuple[str, ...] = tuple(DeployState.values)
CHARGER_TYPES: tuple[str, ...] = tuple(ChargerType.values)  # docs/upstream-contract.md, fact F6: Public, Home, Business

# The GreenFlux document's connector table: the (standard, format) pairs the platform
# maps to one of its connector types. Other OCPI pairs have no GreenFlux type.
GREENFLUX_CONNECTORS: tuple[tuple[str, str], ...] = (
    ("IEC_62196_T1_COMBO", "CABLE"), ("IEC_62196_T2_COMBO", "CABLE"),
    ("IEC_62196_T1_COMBO", "SOCKET"), ("IEC_62196_T2_COMBO", "SOCKET"),
    ("IEC_62196_T2", "SOCKET"), ("IEC_62196_T2", "CABLE"),
    ("IEC_62196_T1", "CABLE"), ("CHADEMO", "CABLE"),
    *((f"DOMESTIC_{letter}", "SOCKET") for letter in "EFGHIJKL"),
)
STANDARDS: tuple[str, ...] = tuple(dict.fromkeys(s for s, _ in GREENFLUX_CONNECTORS))
FORMATS: tuple[str, ...] = ("SOCKET", "CABLE")
POWER_TYPES: tuple[str, ...] = ("AC_1_PHASE", "AC_3_PHASE", "DC")  # the GreenFlux document's list
# OCPI 2.2.1 (docs/upstream-contract.md, fact F19); the GreenFlux document shows only three of them as examples.
CAPABILITIES: tuple[str, ...] = (
    "CHARGING_PROFILE_CAPABLE", "CHARGING_PREFERENCES_CAPABLE", "CHIP_CARD_SUPPORT",
    "CONTACTLESS_CARD_SUPPORT", "CREDIT_CARD_PAYABLE", "DEBIT_CARD_PAYABLE", "PED_TERMINAL",
    "REMOTE_START_STOP_CAPABLE", "RESERVABLE",
    "RFID_READER", "START_SESSION_CONNECTOR_REQUIRED", "TOKEN_GROUP_CAPABLE", "UNLOCK_CAPABLE",
)
# OCPI 2.2.1
PARKING_RESTRICTIONS: tuple[str, ...] = ("EV_ONLY", "PLUGGED", "DISABLED", "CUSTOMERS", "MOTORCYCLES")

# Upstream maximum lengths, capped by the mirror's columns where those are shorter.
MAX_LENGTHS: dict[str, int] = {
    "charge_station_id": 36,        # GreenFlux
    "label": 200,                   # mirror (GreenFlux name 255, be.ENERGISED unbounded)
    "charge_box_identity": 200,     # mirror
    "public_display_name": 200,
    "serial_number": 200,
    "default_tariff_id": 36,        # GreenFlux default_charge_station_tariff_id
    "evse_id": 48,
    "floor_level": 4,
    "physical_reference": 16,
    "directions": 512,
}

REQUIRED: dict[str, tuple[str, ...]] = {
    Backend.Kind.BEENERGISED: ("label", "charge_box_identity", "model", "company", "time_zone"),
    Backend.Kind.GREENFLUX: ("charge_box_identity", "location", "default_tariff_id", "deploy_state"),
}
STATION_KINDS: tuple[str, ...] = tuple(REQUIRED)


@functools.cache
def time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


# --- single rules: each answers a message, or None when the value is fine ------------

def length_error(name: str, value: str) -> str | None:
    limit = MAX_LENGTHS.get(name)
    if limit is not None and len(value or "") > limit:
        return f"At most {limit} characters (this has {len(value)})."
    return None


def choice_error(value: str, choices: tuple[str, ...], *, required: bool = True) -> str | None:
    if not value:
        return "This field is required." if required else None
    if value not in choices:
        return f"“{value}” is not one of: {', '.join(choices)}."
    return None


def identity_error(backend: Backend, value: str, *, exclude: Station | None = None) -> str | None:
    """Charge box identities are unique per backend, whatever their case."""
    if not value:
        return None
    taken = Station.objects.filter(backend=backend, charge_box_identity__iexact=value)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    other = taken.first()
    if other is not None:
        return f"“{other.charge_box_identity}” is already used by station “{other.label}” on {backend.name}."
    return None


def time_zone_error(value: str) -> str | None:
    if value and value not in time_zones():
        return f"“{value}” is not an IANA time zone; use a name such as Europe/Berlin."
    return None


def one_company_text(backend: Backend) -> str:
    """What a backend of one company says to a station of another."""
    return f"{backend.name} holds {backend.company}'s stations only; choose {backend.company}."


def company_error(backend: Backend, company: Company | None) -> str | None:
    """A backend's credentials act for one company: it cannot hold another company's stations."""
    if company is not None and backend.company_id is not None and company.pk != backend.company_id:
        return one_company_text(backend)
    return None


def company_identity_error(backend: Backend, company: Company | None,
                           known: dict[tuple[int, int], bool] | None = None) -> str | None:
    """be.ENERGISED needs the station's ``companyUuid``: refuse a create when the company has none on the
    backend, instead of sending a body the upstream refuses (or leaving the key out). ``known`` caches
    answers across the rows of an import."""
    if company is None or backend.kind != Backend.Kind.BEENERGISED:
        return None
    key = (company.pk, backend.pk)
    if known is None or key not in known:
        has = company_ref(company, backend) is not None
        if known is None:
            known = {}
        known[key] = has
    if known[key]:
        return None
    return (f"{company} has no be.ENERGISED companyUuid on {backend.name} yet; an admin sets it on the "
            "Companies page.")


def technician_error(technician: Technician | None, company: Company | None, backend: Backend) -> str | None:
    if technician is None:
        return None
    if company is not None and technician.company_id != company.pk:
        return (f"{technician.name} is a technician of {technician.company}; "
                f"choose one of {company}'s technicians.")
    if technician.backend_id != backend.pk:
        return f"{technician.name} is not a technician on {backend.name}."
    if technician.removed_at is not None or not technician.upstream_id:
        return f"{technician.name} is no longer known to {backend.name}."
    return None


def location_error(location: Location | None, backend: Backend) -> str | None:
    if location is None:
        return None
    if location.backend_id != backend.pk or not location.upstream_id:
        return f"{location.name} is not a location on {backend.name}."
    if location.removed_at is not None:
        return f"{location.name} was removed on {backend.name}."
    return None


def template_error(template: HardwareTemplate | None, backend: Backend) -> str | None:
    if template is None:
        return None
    if template.backend_id != backend.pk or not template.upstream_id or template.removed_at is not None:
        return f"{template.name} is not a hardware template on {backend.name}."
    return None


def model_error(model: StationModel | None, company: Company | None, *, new: bool = True,
                model_numbers: dict[tuple[int, int], int] | None = None) -> str | None:
    """The model must be current and have a be.ENERGISED id in the station's company's mapping
    (``model_numbers``: ``(company id, model id) -> number``, loaded once by the importer)."""
    from stations.model_ids import model_number

    if model is None:
        return None
    if new and model.is_archived:
        return f"{model} is archived; new stations need a current model."
    if company is None:
        return None  # the company's own error says what to do
    number = (model_numbers.get((company.pk, model.pk)) if model_numbers is not None
              else model_number(company.pk, model))
    if number is None:
        return f"{model} has no be.ENERGISED model id in {company} yet; ask its admin to map it."
    return None


def connector_errors(connector: ConnectorInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, choices in (("standard", STANDARDS), ("format", FORMATS), ("power_type", POWER_TYPES)):
        message = choice_error(getattr(connector, name), choices)
        if message:
            errors[name] = message
    pair = (connector.standard, connector.format)
    if "standard" not in errors and "format" not in errors and pair not in GREENFLUX_CONNECTORS:
        allowed = " or ".join(f for s, f in GREENFLUX_CONNECTORS if s == connector.standard)
        errors["format"] = f"GreenFlux takes {connector.standard} as {allowed} only."
    for name in ("max_voltage", "max_amperage"):
        value = getattr(connector, name)
        if value is None:
            errors[name] = "This field is required."
        elif value < 1:
            errors[name] = "Must be at least 1."
    if connector.max_electric_power is not None and connector.max_electric_power < 1:
        errors["max_electric_power"] = "Must be at least 1."
    return errors


def evse_errors(evse: EvseInput) -> dict[str, str]:
    """Errors of one manual EVSE: its fields (``floor_level``) and connectors (``connectors.0.standard``)."""
    errors: dict[str, str] = {}
    for name in ("evse_id", "floor_level", "physical_reference"):
        message = length_error(name, getattr(evse, name))
        if message:
            errors[name] = message
    bad = [c for c in evse.capabilities if c not in CAPABILITIES]
    if bad:
        errors["capabilities"] = f"Unknown capabilities: {', '.join(bad)}."
    if not evse.connectors:
        errors["connectors"] = "An EVSE needs at least one connector."
    for index, connector in enumerate(evse.connectors):
        for name, message in connector_errors(connector).items():
            errors[f"connectors.{index}.{name}"] = message
    return errors


def extras_errors(directions: list[dict[str, str]], parking_restrictions: list[str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for item in directions:
        message = length_error("directions", item.get("text", ""))
        if message:
            errors["directions"] = message
        if len(item.get("language", "")) != 2:
            errors["directions"] = "Directions need a two-letter language code."
    bad = [p for p in parking_restrictions if p not in PARKING_RESTRICTIONS]
    if bad:
        errors["parking_restrictions"] = f"Unknown parking restrictions: {', '.join(bad)}."
    return errors


# --- a whole station ---------------------------------------------------------------------

def _missing(value: Any) -> bool:
    return value is None or value == "" or value == []


def validate_station_input(
    data: StationInput, *, identity: Callable[[Backend, str], str | None] = identity_error,
    company_refs_known: dict[tuple[int, int], bool] | None = None,
    model_numbers: dict[tuple[int, int], int] | None = None,
) -> dict[str, str]:
    """Every rule for a new station; an empty dict means the upstream should accept it.

    ``identity`` checks the charge box identity against the mirror; the CSV
    importer passes one that answers from identities it loaded in bulk.
    """
    kind = data.backend.kind
    if kind not in REQUIRED:
        return {"backend": f"{data.backend.name} does not hold charging stations."}
    errors: dict[str, str] = {}

    def add(name: str, message: str | None) -> None:
        if message and name not in errors:
            errors[name] = message

    for name in REQUIRED[kind]:
        if _missing(getattr(data, name)):
            add(name, "This field is required.")
    for name in ("label", "charge_box_identity", "public_display_name", "serial_number", "default_tariff_id"):
        add(name, length_error(name, getattr(data, name)))
    if kind == Backend.Kind.GREENFLUX:
        add("charge_box_identity", length_error("charge_station_id", data.charge_box_identity))
    add("charge_box_identity", identity(data.backend, data.charge_box_identity))
    add("company", company_error(data.backend, data.company))

    if kind == Backend.Kind.BEENERGISED:
        add("company", company_identity_error(data.backend, data.company, company_refs_known))
        add("time_zone", time_zone_error(data.time_zone))
        add("model", model_error(data.model, data.company, new=True, model_numbers=model_numbers))
        add("technician", technician_error(data.technician, data.company, data.backend))
        return errors

    add("location", location_error(data.location, data.backend))
    add("template", template_error(data.template, data.backend))
    add("deploy_state", choice_error(data.deploy_state, DEPLOY_STATES))
    add("charger_type", choice_error(data.charger_type, CHARGER_TYPES, required=False))
    if data.template is None:
        if not data.evses:
            add("evses", "Add at least one EVSE, or choose a hardware template.")
        for index, evse in enumerate(data.evses):
            for name, message in evse_errors(evse).items():
                add(f"evses.{index}.{name}", message)
    for name, message in extras_errors(data.directions, data.parking_restrictions).items():
        add(name, message)
    return errors


def validate_quick_edit(station: Station, name: str, value: Any) -> str | None:
    """One field of a GreenFlux quick edit (PATCH)."""
    if name == "label":
        return length_error("label", value)
    if name == "deploy_state":
        return choice_error(value, DEPLOY_STATES)
    if name == "charger_type":
        return choice_error(value, CHARGER_TYPES, required=False)
    if name == "default_tariff_id":
        return "This field is required." if not value else length_error("default_tariff_id", value)
    if name == "location":
        return "This field is required." if value is None else location_error(value, station.backend)
    return f"{name} cannot be changed with a quick edit."


def validate_station_update(station: Station, changes: dict[str, Any]) -> dict[str, str]:
    """A full GreenFlux edit (PUT): the same rules as quick edits, field by field."""
    errors: dict[str, str] = {}
    for name, value in changes.items():
        message = validate_quick_edit(station, name, value)
        if message:
            errors[name] = message
    return errors
