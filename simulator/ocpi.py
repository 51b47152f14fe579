"""OCPI 2.2.1 enumerations and the GreenFlux EVSE/connector builders.

Lists come from the GreenFlux document and, where it gives fewer values than
OCPI 2.2.1, from the OCPI 2.2.1 lists (docs/upstream-contract.md, fact F19; a superset is
accepted, as a real OCPI platform would).
"""

from __future__ import annotations

from typing import Any

from .common import Checker

STATUSES: tuple[str, ...] = (
    "AVAILABLE", "BLOCKED", "CHARGING", "INOPERATIVE", "OUTOFORDER", "PLANNED", "REMOVED", "RESERVED", "UNKNOWN",
)
FORMATS: tuple[str, ...] = ("SOCKET", "CABLE")
POWER_TYPES: tuple[str, ...] = ("AC_1_PHASE", "AC_2_PHASE", "AC_2_PHASE_SPLIT", "AC_3_PHASE", "DC")
STANDARDS: tuple[str, ...] = (
    "CHADEMO", "CHAOJI",
    *(f"DOMESTIC_{c}" for c in "ABCDEFGHIJKLMNO"),
    "GBT_AC", "GBT_DC", "IEC_60309_2_single_16", "IEC_60309_2_three_16", "IEC_60309_2_three_32",
    "IEC_60309_2_three_64", "IEC_62196_T1", "IEC_62196_T1_COMBO", "IEC_62196_T2", "IEC_62196_T2_COMBO",
    "IEC_62196_T3A", "IEC_62196_T3C", "NEMA_5_20", "NEMA_6_30", "NEMA_6_50", "NEMA_10_30", "NEMA_10_50",
    "NEMA_14_30", "NEMA_14_50", "PANTOGRAPH_BOTTOM_UP", "PANTOGRAPH_TOP_DOWN", "TESLA_R", "TESLA_S",
)
CAPABILITIES: tuple[str, ...] = (
    "CHARGING_PROFILE_CAPABLE", "CHARGING_PREFERENCES_CAPABLE", "CHIP_CARD_SUPPORT", "CONTACTLESS_CARD_SUPPORT",
    "CREDIT_CARD_PAYABLE", "DEBIT_CARD_PAYABLE", "PED_TERMINAL", "REMOTE_START_STOP_CAPABLE", "RESERVABLE",
    "RFID_READER", "START_SESSION_CONNECTOR_REQUIRED", "TOKEN_GROUP_CAPABLE", "UNLOCK_CAPABLE",
)
PARKING_RESTRICTIONS: tuple[str, ...] = ("EV_ONLY", "PLUGGED", "DISABLED", "CUSTOMERS", "MOTORCYCLES")
DEPLOY_STATES: tuple[str, ...] = ("Stock", "Production", "Deprecated")
CHARGER_TYPES: tuple[str, ...] = ("Public", "Home", "Business")
CONTACTLESS_TYPES: tuple[str, ...] = ("Payter", "Nayax")
CONNECTIVITY: tuple[str, ...] = ("Online", "Offline")

# The read-only configuration fields of the GreenFlux document.
CONFIG_FIELDS: tuple[str, ...] = (
    "heartbeat_interval", "charge_point_model", "charge_point_vendor", "charge_point_serial_number",
    "charge_box_serial_number", "client_ip_address", "firmware_version", "iccid", "imsi",
    "meter_serial_number", "meter_type", "remote_manageable", "connectivity_status", "protocol_version",
    "endpoint",
)

# Writable station fields other than evses; PUT clears the optional ones.
REQUIRED_FIELDS: tuple[str, ...] = ("location_id", "default_charge_station_tariff_id", "deploy_state")
OPTIONAL_FIELDS: tuple[str, ...] = ("name", "status", "charger_type", "contactless_type", "charge_station_template_id")

# Field order of a station document (as docs/upstream-contract.md, fact F6, lists them; config, then last_updated).
STATION_FIELD_ORDER: tuple[str, ...] = (
    "charge_station_id", "location_id", "name", "default_charge_station_tariff_id", "deploy_state", "status",
    "charger_type", "contactless_type", "charge_station_template_id", "evses", "etag", *CONFIG_FIELDS,
    "last_updated",
)


def connector_from_spec(cid: str, spec: dict[str, Any], stamp: str) -> dict[str, Any]:
    """An OCPI connector from a template connector spec."""
    return {
        "id": cid,
        "standard": spec["standard"],
        "format": spec["format"],
        "power_type": spec["power_type"],
        "voltage": spec["voltage"],
        "amperage": spec["amperage"],
        "max_electric_power": spec.get("max_electric_power"),
        "tariff_id": spec.get("tariff_id"),
        "last_updated": stamp,
    }


def evse_id_for(charge_station_id: str, seq: int, country_code: str = "NL") -> str:
    """An eMI3-style EVSE id (``NL*GFX*E<station>*<n>``), at most 48 characters."""
    core = "".join(ch for ch in charge_station_id.upper() if ch.isalnum())[:30]
    return f"{country_code}*GFX*E{core}*{seq}"


# -- input validation (GreenFlux station and template bodies) ---------------


def check_connector(c: Checker, value: Any, path: str, *, partial: bool = False, with_id: bool = True) -> dict[str, Any] | None:
    """A connector (or template connector) object; returns its cleaned fields."""
    if not isinstance(value, dict):
        c.add(path.rstrip("."), "must be an object")
        return None
    req = not partial
    out: dict[str, Any] = {}
    if with_id:
        out["id"] = c.string(value, "id", path, max_length=36)
    out["standard"] = c.string(value, "standard", path, required=req, choices=STANDARDS)
    out["format"] = c.string(value, "format", path, required=req, choices=FORMATS)
    out["power_type"] = c.string(value, "power_type", path, required=req, choices=POWER_TYPES)
    out["voltage"] = c.number(value, "voltage", path, required=req, integer=True, minimum=1)
    out["amperage"] = c.number(value, "amperage", path, required=req, integer=True, minimum=1)
    out["max_electric_power"] = c.number(value, "max_electric_power", path, integer=True, minimum=1)
    if with_id:
        out["tariff_id"] = c.string(value, "tariff_id", path, max_length=36)
    return out


def _enum_list(c: Checker, value: Any, field: str, choices: tuple[str, ...]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        c.add(field, "must be a list")
        return []
    bad = [v for v in value if v not in choices]
    if bad:
        c.add(field, f"has unknown values {bad!r}; allowed: {', '.join(choices)}")
        return []
    return list(value)


def _connectors(c: Checker, value: Any, path: str, *, with_id: bool = True) -> list[dict[str, Any]]:
    field = f"{path}connectors"
    if not isinstance(value, list) or not value:
        c.add(field, "is required and must be a non-empty list")
        return []
    out = []
    for i, conn in enumerate(value):
        cleaned = check_connector(c, conn, f"{field}[{i}].", with_id=with_id)
        if cleaned is not None:
            if with_id and cleaned.get("id") is None:
                cleaned["id"] = str(i + 1)
            out.append(cleaned)
    return out


def check_evse(c: Checker, value: Any, path: str, *, partial: bool = False) -> dict[str, Any] | None:
    """An EVSE of a station body.  ``partial`` (PATCH): only the given fields.

    Returns the given (cleaned) fields only; the caller merges them.
    """
    if not isinstance(value, dict):
        c.add(path.rstrip("."), "must be an object")
        return None
    out: dict[str, Any] = {}
    for name, kwargs in (("uid", {"max_length": 36}), ("evse_id", {"max_length": 48}),
                         ("floor_level", {"max_length": 4}), ("physical_reference", {"max_length": 16})):
        if name in value:
            out[name] = c.string(value, name, path, **kwargs)  # type: ignore[arg-type]
    if "status" in value:
        out["status"] = c.string(value, "status", path, choices=STATUSES, allow_null=False)
    if "evse_sequence_number" in value:
        out["evse_sequence_number"] = c.number(value, "evse_sequence_number", path, integer=True, minimum=1)
    if "capabilities" in value:
        out["capabilities"] = _enum_list(c, value["capabilities"], f"{path}capabilities", CAPABILITIES)
    if "parking_restrictions" in value:
        out["parking_restrictions"] = _enum_list(c, value["parking_restrictions"], f"{path}parking_restrictions", PARKING_RESTRICTIONS)
    if "directions" in value:
        out["directions"] = _directions(c, value["directions"], f"{path}directions")
    if "connectors" in value or not partial:
        out["connectors"] = _connectors(c, value.get("connectors"), path)
    return out


def _directions(c: Checker, value: Any, field: str) -> list[dict[str, str]]:
    """OCPI DisplayText list: ``[{"language": "en", "text": "..."}]``."""
    if value is None:
        return []
    if not isinstance(value, list):
        c.add(field, "must be a list")
        return []
    out = []
    for i, item in enumerate(value):
        p = f"{field}[{i}]."
        if not isinstance(item, dict):
            c.add(p.rstrip("."), "must be an object")
            continue
        lang = c.string(item, "language", p, required=True, max_length=2)
        text = c.string(item, "text", p, required=True, max_length=512)
        out.append({"language": lang, "text": text})
    return out


def check_evse_templates(c: Checker, value: Any) -> list[dict[str, Any]]:
    """The ``evse_templates`` of a hardware template body."""
    if not isinstance(value, list) or not value:
        c.add("evse_templates", "is required and must be a non-empty list")
        return []
    out = []
    for i, tpl in enumerate(value):
        p = f"evse_templates[{i}]."
        if not isinstance(tpl, dict):
            c.add(p.rstrip("."), "must be an object")
            continue
        seq = c.number(tpl, "evse_sequence_number", p, integer=True, minimum=1)
        caps = _enum_list(c, tpl.get("capabilities"), f"{p}capabilities", CAPABILITIES)
        conns = _connectors(c, tpl.get("connectors"), p, with_id=False)
        out.append({"evse_sequence_number": seq or i + 1, "capabilities": caps, "connectors": conns})
    return out
