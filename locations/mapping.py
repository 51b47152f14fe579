"""ChargEye location documents to mirror rows and back (upstream field names live here)."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Any

from django.utils import timezone

from upstreams import chargeye_types as ce
from locations.models import Location

# Portal field -> ChargEye field, for the fields a user edits.
EDITABLE = {
    "name": "name",
    "address": "address",
    "city": "city",
    "postal_code": "postalCode",
    "country_code": "countryCode",
    "latitude": "lat",
    "longitude": "lng",
    "labels": "labels",
}


def _coordinate(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.000001"))


def upstream_value(field: str, value: Any) -> Any:
    """A portal value as ChargEye wants it: floats for coordinates, None for an empty country code."""
    if field in ("latitude", "longitude"):
        return None if value is None else float(value)
    if field == "country_code":
        return value or None
    return value


def document(location: Location) -> dict[str, Any]:
    """The create body's ``location`` object for a mirror row (blank optional fields left out)."""
    out: dict[str, Any] = {"locationId": location.location_ref}
    for field, key in EDITABLE.items():
        value = upstream_value(field, getattr(location, field))
        if value not in (None, "", []):
            out[key] = value
    return out


def labels_for(values: list[str], tenant: str | None) -> list[dict[str, Any]]:
    """ChargEye labels carry the tenants that see them: the location's company."""
    return [{"value": v, "tenantIds": [tenant] if tenant else []} for v in values]


def apply_chargeye(location: Location, record: ce.Location) -> Location:
    """Copy an upstream location into the mirror row and mark it synced (the caller saves)."""
    location.upstream_id = record.id
    location.name = (record.name or location.name)[:200]
    location.address = (record.address or "")[:300]
    location.city = (record.city or "")[:100]
    location.postal_code = (record.postal_code or "")[:10]
    location.country_code = (record.country_code or "")[:2]
    location.latitude = _coordinate(record.lat)
    location.longitude = _coordinate(record.lng)
    location.labels = [label.to_payload() for label in record.labels]
    location.location_ref = record.location_id or location.location_ref
    location.upstream_data = {k: v for k, v in asdict(record).items() if v not in (None, (), [])}
    location.upstream_data["labels"] = location.labels
    location.synced_at = timezone.now()
    return location


# ChargEye field -> how the location page names it (conflict messages).
FIELD_LABELS = {
    "name": "Name", "address": "Address", "city": "City", "postalCode": "Postal code",
    "countryCode": "Country code", "lat": "Latitude", "lng": "Longitude", "labels": "Labels",
}


def comparable(key: str, value: Any) -> Any:
    """A ChargEye field's value reduced to what a user can tell apart (field-by-field conflict checks).

    Blank and absent are one value; coordinates compare at the six decimals
    the portal keeps; labels compare by their values, in any order (a label's
    tenants come from the location's company, not from the user).
    """
    if value in (None, "", []):
        return None
    if key in ("lat", "lng"):
        return _coordinate(value)
    if key == "labels":
        return sorted(label.get("value", "") if isinstance(label, dict) else str(label) for label in value) or None
    if key == "countryCode":
        return str(value).upper()
    return value


def upstream_fields(record: ce.Location) -> dict[str, Any]:
    """The editable fields of an upstream location, by ChargEye's names (what a conflict check compares)."""
    payload = record.to_payload()
    return {key: payload.get(key) for key in EDITABLE.values()}


def record_document(record: ce.Location) -> dict[str, Any]:
    """An upstream location as ChargEye's JSON (``ce.Location.from_api`` reads it back), kept on a conflict."""
    out = record.to_payload()
    out.update({"id": record.id, "tenantIds": list(record.tenant_ids), "tenantIdCPO": record.tenant_id_cpo,
                "tenantIdEMSP": record.tenant_id_emsp, "tenantIdMaintenance": record.tenant_id_maintenance})
    return {k: v for k, v in out.items() if v is not None}


def display(key: str, value: Any) -> str:
    """A ChargEye field's value as the conflict message quotes it."""
    value = comparable(key, value)
    if value is None:
        return "no value"
    if key == "labels":
        return "“" + ", ".join(value) + "”"
    return f"“{value}”"
