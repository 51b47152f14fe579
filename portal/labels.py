"""Words for the codes the portal and its upstreams use, one vocabulary per kind of code.

A page never shows a raw code (``IEC_62196_T2_COMBO``, ``station.put``): it asks
:func:`label` with the code's vocabulary. The vocabularies live here and nowhere
else, so a translation (issue 30) has one place to look; every label is marked
for translation. A code no vocabulary knows yet (an upstream adds an enum value)
is still written readably by :func:`readable` ("SOME_NEW_CODE" → "Some new code")
rather than shown raw.

OCPI 2.2.1 names the connector standards, formats, power types, capabilities and
parking restrictions (the GreenFlux document uses them); ChargEye's transaction
failure classes are its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

# --- OCPI 2.2.1 enumerations --------------------------------------------------------

CONNECTOR_STANDARDS: dict[str, Promise] = {
    "CHADEMO": _("CHAdeMO"),
    "CHAOJI": _("ChaoJi"),
    **{f"DOMESTIC_{c}": format_lazy(_("Domestic type {letter}"), letter=c) for c in "ABCDEFGHIJKLMNO"},
    "GBT_AC": _("GB/T AC"),
    "GBT_DC": _("GB/T DC"),
    "IEC_60309_2_single_16": _("IEC 60309 industrial, 1 phase 16 A"),
    "IEC_60309_2_three_16": _("IEC 60309 industrial, 3 phase 16 A"),
    "IEC_60309_2_three_32": _("IEC 60309 industrial, 3 phase 32 A"),
    "IEC_60309_2_three_64": _("IEC 60309 industrial, 3 phase 64 A"),
    "IEC_62196_T1": _("Type 1"),
    "IEC_62196_T1_COMBO": _("CCS1 (Type 1 combo)"),
    "IEC_62196_T2": _("Type 2"),
    "IEC_62196_T2_COMBO": _("CCS2 (Type 2 combo)"),
    "IEC_62196_T3A": _("Type 3A"),
    "IEC_62196_T3C": _("Type 3C"),
    "NEMA_5_20": _("NEMA 5-20"),
    "NEMA_6_30": _("NEMA 6-30"),
    "NEMA_6_50": _("NEMA 6-50"),
    "NEMA_10_30": _("NEMA 10-30"),
    "NEMA_10_50": _("NEMA 10-50"),
    "NEMA_14_30": _("NEMA 14-30"),
    "NEMA_14_50": _("NEMA 14-50"),
    "PANTOGRAPH_BOTTOM_UP": _("Pantograph, bottom up"),
    "PANTOGRAPH_TOP_DOWN": _("Pantograph, top down"),
    "TESLA_R": _("Tesla Roadster"),
    "TESLA_S": _("Tesla Model S"),
    "SAE_J3400": _("NACS (SAE J3400)"),
}
CONNECTOR_FORMATS: dict[str, Promise] = {"SOCKET": _("Socket"), "CABLE": _("Cable")}
POWER_TYPES: dict[str, Promise] = {
    "AC_1_PHASE": _("AC, 1 phase"),
    "AC_2_PHASE": _("AC, 2 phases"),
    "AC_2_PHASE_SPLIT": _("AC, 2 phases split"),
    "AC_3_PHASE": _("AC, 3 phases"),
    "DC": _("DC"),
    "AC": _("AC"),
}
CAPABILITIES: dict[str, Promise] = {
    "CHARGING_PROFILE_CAPABLE": _("Charging profiles"),
    "CHARGING_PREFERENCES_CAPABLE": _("Charging preferences"),
    "CHIP_CARD_SUPPORT": _("Chip card"),
    "CONTACTLESS_CARD_SUPPORT": _("Contactless card"),
    "CREDIT_CARD_PAYABLE": _("Credit card payment"),
    "DEBIT_CARD_PAYABLE": _("Debit card payment"),
    "PED_TERMINAL": _("PIN pad terminal"),
    "REMOTE_START_STOP_CAPABLE": _("Remote start and stop"),
    "RESERVABLE": _("Reservable"),
    "RFID_READER": _("RFID reader"),
    "START_SESSION_CONNECTOR_REQUIRED": _("Start needs a connector"),
    "TOKEN_GROUP_CAPABLE": _("Token groups"),
    "UNLOCK_CAPABLE": _("Remote unlock"),
}
PARKING_RESTRICTIONS: dict[str, Promise] = {
    "EV_ONLY": _("Electric vehicles only"),
    "PLUGGED": _("Only while plugged in"),
    "DISABLED": _("Disabled drivers"),
    "CUSTOMERS": _("Customers only"),
    "MOTORCYCLES": _("Motorcycles"),
}
EVSE_STATUSES: dict[str, Promise] = {
    "AVAILABLE": _("Available"), "BLOCKED": _("Blocked"), "CHARGING": _("Charging"),
    "INOPERATIVE": _("Inoperative"), "OUTOFORDER": _("Out of order"), "PLANNED": _("Planned"),
    "REMOVED": _("Removed"), "RESERVED": _("Reserved"), "UNKNOWN": _("Unknown"),
}

# --- ChargEye's transactions (its failure classes) ----------------------------------

FAILURE_CLASSES: dict[str, Promise] = {
    "ABRUPTLY_CANCELED": _("cancelled abruptly"),
    "EV_COMMUNICATION_ERROR": _("vehicle communication error"),
    "INSULATION_FAULT": _("insulation fault"),
    "USER_STOPPED_EARLY": _("stopped early by the driver"),
}

# --- the portal's own codes ---------------------------------------------------------

# Operation kinds (``<entity>.<action>``, one per registered handler): what was sent upstream.
OPERATION_KINDS: dict[str, Promise] = {
    "station.create": _("Create station"),
    "station.edit": _("Edit station"),
    "station.patch": _("Change station fields"),
    "station.put": _("Replace station"),
    "station.evse_extras": _("Set EVSE details"),
    "station.refresh": _("Refresh station"),
    "location.create": _("Create location"),
    "location.update": _("Edit location"),
    "maintenance.create": _("Plan maintenance"),
    "maintenance.cancel": _("Cancel maintenance"),
    "model.create": _("Create model"),
    "model.rename": _("Rename model"),
    "model.archive": _("Archive model"),
}
# Audit actions: the operation kinds (an enqueued write is audited under its kind) and the rest.
AUDIT_ACTIONS: dict[str, Promise] = {
    **OPERATION_KINDS,
    "user.create": _("Invite user"),
    "user.update": _("Change user"),
    "membership.set": _("Change role in company"),
    "company.create": _("Create company"),
    "company.update": _("Change company"),
    "backend.create": _("Add backend"),
    "backend.update": _("Change backend"),
    "backend.activate": _("Activate backend"),
    "backend.deactivate": _("Deactivate backend"),
    "schedule.update": _("Change refresh schedule"),
    "sync.removals_confirm": _("Confirm held removals"),
    "sync.removals_reject": _("Keep held rows"),
    "model.map_beenergised": _("Map be.ENERGISED model"),
    "batch.change": _("Bulk change"),
    "batch.refresh": _("Bulk refresh"),
    "batch.maintenance": _("Bulk maintenance"),
    "batch.import": _("Import changes"),
    "batch.retry": _("Retry bulk change"),
    "export.csv": _("Export CSV"),
    "api_token.create": _("Create API token"),
    "api_token.revoke": _("Revoke API token"),
    "user.factors_reset": _("Reset second factors"),
    "user.factor_add": _("Add second factor"),
    "user.factor_remove": _("Remove second factor"),
    "alert_settings.update": _("Change alert thresholds"),
    "webhook.create": _("Add webhook"),
    "webhook.update": _("Change webhook"),
}
# Entities: operation target types, audit entities and refreshed (sync) entities, in the plural
# where a refresh reads many of them.
ENTITIES: dict[str, Promise] = {
    "station": _("Station"),
    "stations": _("Stations"),
    "location": _("Location"),
    "locations": _("Locations"),
    "station_model": _("Station model"),
    "model": _("Station model"),
    "models": _("Station models"),
    "templates": _("Hardware templates"),
    "technicians": _("Technicians"),
    "maintenance_window": _("Maintenance window"),
    "maintenance_windows": _("Maintenance windows"),
    "user": _("User"),
    "company": _("Company"),
    "backend": _("Backend"),
    "schedule": _("Refresh schedule"),
    "removal_hold": _("Held removals"),
    "batch": _("Bulk change"),
    "import": _("Import"),
    "api_token": _("API token"),
    "webhook": _("Webhook"),
}

VOCABULARIES: dict[str, dict[str, Promise]] = {
    "standard": CONNECTOR_STANDARDS,
    "format": CONNECTOR_FORMATS,
    "power_type": POWER_TYPES,
    "capability": CAPABILITIES,
    "parking": PARKING_RESTRICTIONS,
    "evse_status": EVSE_STATUSES,
    "failure": FAILURE_CLASSES,
    "operation": OPERATION_KINDS,
    "audit": AUDIT_ACTIONS,
    "entity": ENTITIES,
}

_SEPARATORS = re.compile(r"[_.\s]+")


def readable(code: object) -> str:
    """A code no vocabulary knows, written as words: "SOME_NEW_CODE" → "Some new code", "a.b_c" → "A b c"."""
    words = _SEPARATORS.sub(" ", str(code or "")).strip()
    return words[:1].upper() + words[1:].lower() if words else ""


def label(code: object, vocabulary: str) -> str:
    """The words for ``code`` in ``vocabulary`` (a key of :data:`VOCABULARIES`); readable words if unknown."""
    if code in (None, ""):
        return ""
    words = VOCABULARIES[vocabulary].get(str(code))
    return str(words) if words is not None else readable(code)


def choices(codes: Iterable[object], vocabulary: str) -> list[tuple[str, str | Promise]]:
    """(code, label) pairs for a form's choices, in the order given; lazy, so a form defined at import
    time still speaks the language of each request."""
    words = VOCABULARIES[vocabulary]
    return [(str(c), words.get(str(c)) or readable(c)) for c in codes]


def name_without(name: str, company: str) -> str:
    """A backend's name with its company's name taken out, for a column beside the company's own:
    ("be.ENERGISED · Voltaro Fleet Services", "Voltaro Fleet Services") → "be.ENERGISED"; the name
    itself when it does not hold the company's or nothing else would be left."""
    if not company or company not in name:
        return name
    return name.replace(company, "").strip(" ·-–—/|,()") or name
