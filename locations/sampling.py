"""Sampling a ChargEye network: status, power, errors, problematic sessions, transactions.

``network_sample`` reads the five feeds through the connector (outside any
transaction: upstream calls are slow), then writes them in one transaction:
one power sample per location at one shared time, and the other tables
replaced by what the feeds answered, so the dashboard counts what the
upstream counts. ``network_prune`` drops samples older than
``KEEP_SAMPLES`` (the dashboard shows up to 7 days; 8 are kept).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from upstreams import chargeye_types as ce
from locations.models import (
    ChargingTransaction,
    HardwareError,
    Location,
    NetworkStation,
    PowerSample,
    ProblematicSession,
)
from portal.models import Backend
from sync.signals import sample_stored

KEEP_SAMPLES = timedelta(days=8)  # the dashboard offers 7 days
# EVSE statuses that mean "can charge now or is charging"; a station with none of these is offline.
SERVING = {"available", "charging", "occupied", "preparing", "finishing", "reserved", "suspendedev", "suspendedevse"}
_WORST = ["offline", "unavailable", "faulted", "unknown"]


@dataclass(frozen=True)
class SampleResult:
    """What one sampling run read (returned by the task, for logs and tests)."""

    locations: int
    total_power_kw: float
    stations: int
    offline: int
    errors: int
    sessions: int
    transactions: int


@dataclass(frozen=True)
class Feeds:
    status: list[ce.NetworkLocation]
    power: list[ce.LocationPower]
    errors: list[ce.HardwareError]
    sessions: list[ce.ProblematicSession]
    transactions: list[ce.Transaction]


def read_feeds(backend: Backend) -> Feeds:
    with backend.connector() as connector:
        return Feeds(
            status=connector.network_status().all(),
            power=connector.current_power(),
            errors=connector.hardware_errors().all(),
            sessions=connector.problematic_sessions().all(),
            transactions=connector.transactions().all(),
        )


def _when(value: str | None) -> datetime | None:
    return parse_datetime(value) if value else None


class _Places:
    """Resolves a ChargEye location uid to its mirror row and company."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.by_uid = {
            loc.upstream_id: loc
            for loc in Location.objects.filter(backend=backend, upstream_id__isnull=False).only("id", "company_id",
                                                                                                  "upstream_id")
        }

    def fields(self, uid: str | None) -> dict[str, Any]:
        location = self.by_uid.get(uid or "")
        return {
            "backend": self.backend,
            "location_uid": uid or "",
            "location_id": location.pk if location else None,
            "company_id": location.company_id if location else self.backend.company_id,
        }


def _station_row(station: ce.NetworkStation, places: _Places, now: datetime) -> NetworkStation:
    statuses = [(e.status or "unknown") for e in station.evses]
    lowered = [s.lower() for s in statuses]
    serving = [s for s in lowered if s in SERVING]
    worst = sorted(set(statuses), key=lambda s: _WORST.index(s.lower()) if s.lower() in _WORST else len(_WORST))
    return NetworkStation(
        **places.fields(station.location_uid), station_id=station.station_id, name=(station.name or "")[:200],
        access=(station.access or "")[:20], status=", ".join(worst)[:40], evse_count=len(statuses),
        charging_count=lowered.count("charging"), max_power_kw=station.power_module_power_sum_kw,
        is_offline=not serving, seen_at=now,
    )


def _replace(model: type[models.Model], backend: Backend, rows: list[Any], key: str) -> None:
    """Make the backend's rows of ``model`` exactly ``rows`` (upsert on ``key``, delete the rest)."""
    fields = [f.name for f in model._meta.concrete_fields if f.name not in ("id", "backend", key)]
    unique = {getattr(r, key) for r in rows}
    rows = list({getattr(r, key): r for r in rows}.values())  # a feed may repeat an item across pages
    model.objects.bulk_create(rows, batch_size=500, update_conflicts=True, unique_fields=["backend", key],
                              update_fields=fields)
    model.objects.filter(backend=backend).exclude(**{f"{key}__in": unique}).delete()


@transaction.atomic
def network_store(backend: Backend, feeds: Feeds, now: datetime | None = None) -> SampleResult:
    """Write one sample of the feeds to the mirror."""
    now = (now or timezone.now()).replace(microsecond=0)
    places = _Places(backend)
    stations = [_station_row(s, places, now) for loc in feeds.status for s in loc.stations]
    station_location = {s.station_id: s.location_uid for s in stations}
    station_name = {s.station_id: s.name for s in stations}
    _replace(NetworkStation, backend, stations, "station_id")

    PowerSample.objects.bulk_create([
        PowerSample(**places.fields(p.location_uid), taken_at=now, power_kw=float(p.current_power_kw),
                    session_count=p.session_count)
        for p in feeds.power
    ], ignore_conflicts=True)

    errors = [
        HardwareError(
            **places.fields(station_location.get(e.station_id)), error_id=str(e.alert.get("id") or
                                                                              f"{e.station_id}/{e.timestamp}"),
            station_id=e.station_id, station_name=station_name.get(e.station_id, ""), code=(e.code or "")[:100],
            title=(e.title or e.message or "")[:300], severity=(e.severity or "").lower()[:20],
            possible_cause=e.error.get("possibleCause") or "",
            potential_solution=e.error.get("potentialSolution") or "",
            started_at=_when(e.alert.get("timestamp") or e.timestamp), ended_at=_when(e.alert.get("endTime")),
        )
        for e in feeds.errors
    ]
    _replace(HardwareError, backend, errors, "error_id")

    sessions = [
        ProblematicSession(
            **places.fields(s.location_uid), tx_id=s.tx_id or f"{s.evse_id}/{s.start_time}", evse_id=s.evse_id or "",
            status=(s.status or "")[:30], alert=(s.alert or "")[:200], ev_name=(s.ev_name or "")[:200],
            ev_model=(s.ev_model or "")[:200], started_at=_when(s.start_time), ended_at=_when(s.end_time),
            power_kw=s.power_kw, soc=s.soc, soc_start=s.soc_start,
        )
        for s in feeds.sessions
    ]
    _replace(ProblematicSession, backend, sessions, "tx_id")

    transactions = [
        ChargingTransaction(
            **places.fields(t.location_uid), tx_id=t.tx_id, evse_id=t.evse_id or "", ev_id=t.ev_id or "",
            status=(t.status or "")[:30], fail_classification=(t.technical_fail_classification or "")[:60],
            started_at=_when(t.start_time), ended_at=_when(t.end_time), power_kw=t.power_kw, soc=t.soc,
            soc_start=t.soc_start,
        )
        for t in feeds.transactions
    ]
    _replace(ChargingTransaction, backend, transactions, "tx_id")
    network_prune(backend, now)
    return SampleResult(
        locations=len(feeds.power), total_power_kw=round(sum(p.current_power_kw for p in feeds.power), 2),
        stations=len(stations), offline=sum(s.is_offline for s in stations), errors=len(errors),
        sessions=len(sessions), transactions=len(transactions),
    )


def network_sample(backend: Backend, now: datetime | None = None) -> SampleResult:
    """Read the backend's network feeds and store them (the periodic task calls this), then tell the
    apps that watch the mirror (alerts) that a sample is in."""
    result = network_store(backend, read_feeds(backend), now)
    sample_stored.send_robust(sender="locations", backend_id=backend.pk)
    return result


def network_prune(backend: Backend, now: datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - KEEP_SAMPLES
    deleted, _ = PowerSample.objects.filter(backend=backend, taken_at__lt=cutoff).delete()
    return deleted


def chargeye_backends() -> Iterable[Backend]:
    return Backend.objects.filter(kind=Backend.Kind.CHARGEYE, is_active=True).order_by("pk")
