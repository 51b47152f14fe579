"""Frozen dataclasses for ChargEye records and their mapping to and from the API.

Field names in payloads are the document's camelCase.  Nested objects the
portal does not interpret (bounds, geo, positionEstimate, hardware error
details) are kept as the upstream's JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


def _t(value: Any) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, (list, tuple)) else ()


@dataclass(frozen=True)
class Label:
    value: str
    tenant_ids: tuple[str, ...] = ()

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> Label:
        return cls(value=d.get("value", ""), tenant_ids=_t(d.get("tenantIds")))

    def to_payload(self) -> dict[str, Any]:
        return {"value": self.value, "tenantIds": list(self.tenant_ids)}


# (dataclass attribute, API field) for the writable location fields kept as-is.
_LOCATION_SIMPLE = (
    ("location_id", "locationId"),
    ("name", "name"),
    ("address", "address"),
    ("city", "city"),
    ("postal_code", "postalCode"),
    ("state", "state"),
    ("country", "country"),
    ("country_code", "countryCode"),
    ("lat", "lat"),
    ("lng", "lng"),
    ("roaming_pool_id", "roamingPoolId"),
    ("bounds", "bounds"),
    ("geo", "geo"),
    ("position_estimate", "positionEstimate"),
)


@dataclass(frozen=True)
class Location:
    """A location.  ``id`` (the locationUid) and the tenant ids are read-only;
    ``location_id`` is the customer's own reference.  ``country_code`` is
    ISO 3166-1 alpha-2 and ``postal_code`` at most 10 characters (fact F15 in docs/upstream-contract.md)."""

    name: str | None = None
    address: str | None = None
    city: str | None = None
    postal_code: str | None = None
    state: str | None = None
    country: str | None = None
    country_code: str | None = None
    lat: float | None = None
    lng: float | None = None
    location_id: str | None = None
    roaming_pool_id: str | None = None
    labels: tuple[Label, ...] = ()
    bounds: Any = field(default=None, hash=False)
    geo: Any = field(default=None, hash=False)
    position_estimate: Mapping[str, Any] | None = field(default=None, hash=False)
    id: str | None = None
    tenant_ids: tuple[str, ...] = ()
    tenant_id_cpo: str | None = None
    tenant_id_emsp: str | None = None
    tenant_id_maintenance: str | None = None

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> Location:
        simple = {attr: d.get(key) for attr, key in _LOCATION_SIMPLE}
        return cls(
            **simple,
            labels=tuple(Label.from_api(x) for x in _t(d.get("labels"))),
            id=d.get("id"),
            tenant_ids=_t(d.get("tenantIds")),
            tenant_id_cpo=d.get("tenantIdCPO"),
            tenant_id_emsp=d.get("tenantIdEMSP"),
            tenant_id_maintenance=d.get("tenantIdMaintenance"),
        )

    def to_payload(self) -> dict[str, Any]:
        """The writable fields; unset ones are left out (the update is partial)."""
        out = {key: getattr(self, attr) for attr, key in _LOCATION_SIMPLE if getattr(self, attr) is not None}
        if self.labels:
            out["labels"] = [label.to_payload() for label in self.labels]
        return out


@dataclass(frozen=True)
class StationConnector:
    connector_id: str | None
    name: str | None = None
    status: str | None = None
    type: str | None = None
    max_power_kw: float | None = None
    max_power_kw_actual: float | None = None

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> StationConnector:
        cid = d.get("connectorId")
        return cls(
            connector_id=None if cid is None else str(cid),
            name=d.get("name"),
            status=d.get("status"),
            type=d.get("type"),
            max_power_kw=d.get("maxPowerKw"),
            max_power_kw_actual=d.get("maxPowerKwActual"),
        )


@dataclass(frozen=True)
class Station:
    """A charging station of a location, as ``GET /stations?locationUid=`` gives it.

    The document and fact F17 (docs/upstream-contract.md) show two different station rows; both are read
    and unknown fields ignored (shape partly unconfirmed).
    """

    station_id: str
    name: str | None = None
    location_uid: str | None = None
    status: str | None = None
    operational_status: str | None = None
    max_power_kw: float | None = None
    current_power_kw: float | None = None
    model: str | None = None
    vendor_name: str | None = None
    firmware_version: str | None = None
    serial_number: str | None = None  # the document's manufacturingInfo.serialNumber
    tenant_id_cpo: str | None = None
    connectors: tuple[StationConnector, ...] = ()

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> Station:
        loc = d.get("location") if isinstance(d.get("location"), dict) else {}
        return cls(
            station_id=str(d.get("stationId", "")),
            name=d.get("name"),
            location_uid=d.get("locationUid") or loc.get("id"),
            status=d.get("status"),
            operational_status=d.get("operationalStatus"),
            max_power_kw=d.get("maxPowerKw"),
            current_power_kw=d.get("currentPowerKw"),
            model=d.get("model"),
            vendor_name=d.get("vendorName"),
            firmware_version=d.get("firmwareVersion"),
            serial_number=(d.get("manufacturingInfo") or {}).get("serialNumber")
            if isinstance(d.get("manufacturingInfo"), dict) else None,
            tenant_id_cpo=d.get("tenantIdCPO"),
            connectors=tuple(StationConnector.from_api(c) for c in _t(d.get("connectors"))),
        )


@dataclass(frozen=True)
class NetworkEvse:
    evse_id: str
    evse_name: str | None = None
    evse_type: str | None = None
    status: str | None = None
    max_power_kw: float | None = None
    max_power_kw_without_dynamic_limit: float | None = None
    station_id: str | None = None
    tx_id: str | None = None
    tx_status: str | None = None

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> NetworkEvse:
        return cls(
            evse_id=str(d.get("evseId", "")),
            evse_name=d.get("evseName"),
            evse_type=d.get("evseType"),
            status=d.get("status"),
            max_power_kw=d.get("maxPowerKw"),
            max_power_kw_without_dynamic_limit=d.get("maxPowerKwWithoutDynamicLimit"),
            station_id=d.get("stationId"),
            tx_id=d.get("txId"),
            tx_status=d.get("txStatus"),
        )


@dataclass(frozen=True)
class NetworkStation:
    station_id: str
    name: str | None = None
    location_uid: str | None = None
    access: str | None = None
    power_module_power_sum_kw: float | None = None
    evses: tuple[NetworkEvse, ...] = ()

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> NetworkStation:
        return cls(
            station_id=str(d.get("stationId", "")),
            name=d.get("name"),
            location_uid=d.get("locationUid"),
            access=d.get("access"),
            power_module_power_sum_kw=d.get("powerModulePowerSumKw"),
            evses=tuple(NetworkEvse.from_api(e) for e in _t(d.get("evses"))),
        )


@dataclass(frozen=True)
class NetworkLocation:
    """One location of the network status with its stations and EVSE states."""

    id: str
    name: str | None = None
    address: str | None = None
    city: str | None = None
    lat: float | None = None
    lng: float | None = None
    position_confidence: float | None = None
    stations: tuple[NetworkStation, ...] = ()

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> NetworkLocation:
        return cls(
            id=str(d.get("id", "")),
            name=d.get("name"),
            address=d.get("address"),
            city=d.get("city"),
            lat=d.get("lat"),
            lng=d.get("lng"),
            position_confidence=d.get("positionConfidence"),
            stations=tuple(NetworkStation.from_api(s) for s in _t(d.get("stations"))),
        )


@dataclass(frozen=True)
class LocationPower:
    location_uid: str
    current_power_kw: float
    session_count: int

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> LocationPower:
        return cls(
            location_uid=str(d.get("locationUid", "")),
            current_power_kw=d.get("currentPowerKw") or 0.0,
            session_count=d.get("sessionCount") or 0,
        )


@dataclass(frozen=True)
class HardwareError:
    """A hardware error: the alert's headline fields plus the raw ``alert``/``error`` objects."""

    station_id: str
    timestamp: str | None
    code: str | None
    title: str | None
    message: str | None
    severity: str | None
    alert: Mapping[str, Any] = field(default_factory=dict, hash=False)
    error: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> HardwareError:
        alert = d.get("alert") or {}
        error = d.get("error") or {}
        return cls(
            station_id=str(d.get("stationId", "")),
            timestamp=d.get("timestamp"),
            code=error.get("code") or alert.get("errorCode"),
            title=alert.get("title"),
            message=alert.get("message") or error.get("description"),
            severity=error.get("severity"),
            alert=dict(alert),
            error=dict(error),
        )


@dataclass(frozen=True)
class ProblematicSession:
    location_uid: str | None
    status: str | None
    alert: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    ev_id: str | None = None
    ev_name: str | None = None
    ev_model: str | None = None
    schedule_id: str | None = None
    tx_id: str | None = None
    evse_id: str | None = None
    power_kw: float | None = None
    soc: float | None = None
    soc_start: float | None = None

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> ProblematicSession:
        tx = d.get("transaction") or {}
        return cls(
            location_uid=d.get("locationUid"),
            status=d.get("status"),
            alert=d.get("alert"),
            start_time=d.get("startTime"),
            end_time=d.get("endTime"),
            ev_id=d.get("evId"),
            ev_name=d.get("evName"),
            ev_model=d.get("evModel"),
            schedule_id=d.get("scheduleId"),
            tx_id=tx.get("txId"),
            evse_id=tx.get("evseId"),
            power_kw=tx.get("powerKw"),
            soc=tx.get("soc"),
            soc_start=tx.get("socStart"),
        )


@dataclass(frozen=True)
class Transaction:
    tx_id: str
    evse_id: str | None = None
    location_uid: str | None = None
    status: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    power_kw: float | None = None
    soc: float | None = None
    soc_start: float | None = None
    ev_id: str | None = None
    technical_fail_classification: str | None = None

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> Transaction:
        return cls(
            tx_id=str(d.get("txId", "")),
            evse_id=d.get("evseId"),
            location_uid=d.get("locationUid"),
            status=d.get("status"),
            start_time=d.get("startTime"),
            end_time=d.get("endTime"),
            power_kw=d.get("powerKw"),
            soc=d.get("soc"),
            soc_start=d.get("socStart"),
            ev_id=d.get("evId"),
            technical_fail_classification=d.get("technicalFailClassification"),
        )
