"""Reads for the location pages and the network dashboard, always scoped to the user's companies."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Max, Q, QuerySet, Sum
from django.utils import timezone

from locations.models import (
    ChargEyeStation,
    ChargingTransaction,
    HardwareError,
    Location,
    NetworkStation,
    PowerSample,
    ProblematicSession,
)
from locations.ranges import TimeRange, bucket_for, bucket_label, time_range
from locations import stations_here
from locations.mapping import FIELD_LABELS, comparable, display
from outbox import conflicts as fc
from portal.access import scoped
from sync.mirror import SyncState
from portal.models import Company, Operation, User
from portal.selectors import companies_for

WINDOW = timedelta(hours=24)  # "now" figures come from the last sample run of this window
BUCKET = timedelta(minutes=15)


def locations_for(user: User, query: str = "") -> QuerySet[Location]:
    locations = scoped(Location.objects.select_related("company", "backend"), user)
    query = query.replace("\x00", "")  # PostgreSQL text holds no NUL (a query with one was a 500)
    if query:
        locations = locations.filter(
            Q(name__icontains=query) | Q(city__icontains=query) | Q(address__icontains=query)
            | Q(postal_code__icontains=query) | Q(location_ref__icontains=query)
        )
    return locations


def location_operations(location: Location) -> QuerySet[Operation]:
    return Operation.objects.filter(target_type="location", target_id=location.pk).order_by("-created_at", "-id")


def location_conflict(location: Location, user: User) -> fc.HeldConflict | None:
    """The location's change held because ChargEye changed the same field meanwhile (for its page)."""
    if location.sync_state != SyncState.CONFLICT:
        return None
    op = fc.open_conflict("location", location.pk)
    if op is None or not fc.is_checked(op.payload) or not op.upstream_current:
        return None
    return fc.held_conflict(op, user=user, platform="ChargEye", labels=FIELD_LABELS, display=display,
                            normalise=comparable)


def hardware_of(location: Location) -> QuerySet[ChargEyeStation]:
    """ChargEye's stations of the location (refreshed with ``chargeye/stations``), current ones only."""
    return ChargEyeStation.objects.filter(location=location, removed_at__isnull=True).order_by("name", "upstream_id")


def network_stations_of(location: Location) -> QuerySet[NetworkStation]:
    return NetworkStation.objects.filter(location=location).order_by("name", "station_id")


@dataclass(frozen=True)
class NetworkFilter:
    """The dashboard's filters, already checked against the user's scope."""

    company: Company | None = None
    location: Location | None = None

    def apply(self, queryset: QuerySet[Any], user: User) -> QuerySet[Any]:
        queryset = scoped(queryset, user)
        if self.company is not None:
            queryset = queryset.filter(company=self.company)
        if self.location is not None:
            queryset = queryset.filter(location=self.location)
        return queryset

    def as_query(self) -> dict[str, int]:
        out = {}
        if self.company is not None:
            out["company"] = self.company.pk
        if self.location is not None:
            out["location"] = self.location.pk
        return out


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def network_filter(user: User, params: dict[str, str]) -> NetworkFilter:
    """Filters from the query string; ids outside the user's companies are ignored (never 'found')."""
    company_id, location_id = _int(params.get("company")), _int(params.get("location"))
    company = companies_for(user).filter(pk=company_id).first() if company_id else None
    location = locations_for(user).filter(pk=location_id).first() if location_id else None
    return NetworkFilter(company=company, location=location)


@dataclass
class PowerNow:
    location_name: str
    location_id: int | None
    power_kw: float
    session_count: int


@dataclass
class NetworkOverview:
    now: datetime
    start: datetime  # where the chart starts: the range's start, or the first sample in it if later
    total_kw: float | None
    sessions_now: int
    sampled_at: datetime | None
    per_location: list[PowerNow]
    series: list[tuple[datetime, float]]
    errors: QuerySet[HardwareError]
    sessions: QuerySet[ProblematicSession]
    transactions: QuerySet[ChargingTransaction]
    offline: QuerySet[Any]  # stations offline (the station list's "Offline" filter), from ``stations_here``
    cannot_charge: QuerySet[NetworkStation]  # ChargEye's stations none of whose EVSEs can charge
    span: TimeRange | None = None
    bucket: timedelta = BUCKET
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def bucket_label(self) -> str:
        return bucket_label(self.bucket)


def _latest_samples(samples: QuerySet[PowerSample]) -> QuerySet[PowerSample]:
    """Each backend's last sample run (runs of several backends happen at slightly different times)."""
    latest = samples.values("backend_id").annotate(last=Max("taken_at"))
    condition = Q(pk__in=[])
    for row in latest:
        condition |= Q(backend_id=row["backend_id"], taken_at=row["last"])
    return samples.filter(condition)


def power_series(samples: QuerySet[PowerSample], start: datetime,
                 bucket: timedelta = BUCKET) -> list[tuple[datetime, float]]:
    """Total power per ``bucket``: per backend the mean of its run totals, summed over backends."""
    runs = (samples.filter(taken_at__gte=start).values("backend_id", "taken_at")
            .annotate(total=Sum("power_kw")).order_by("taken_at"))
    per_bucket: dict[datetime, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for run in runs:
        index = int((run["taken_at"] - start) / bucket)
        per_bucket[start + index * bucket + bucket / 2][run["backend_id"]].append(run["total"])
    return [
        (when, round(sum(sum(v) / len(v) for v in backends.values()), 2))
        for when, backends in sorted(per_bucket.items())
    ]


def network_overview(user: User, filters: NetworkFilter, span: TimeRange | None = None,
                     now: datetime | None = None) -> NetworkOverview:
    now = now or timezone.now()
    span = span or time_range({}, now)
    samples = filters.apply(PowerSample.objects.all(), user)
    latest = list(_latest_samples(samples.filter(taken_at__gte=now - WINDOW)).select_related("location"))
    latest.sort(key=lambda s: (-s.power_kw, s.location.name if s.location else s.location_uid))
    per_location = [
        PowerNow(s.location.name if s.location else s.location_uid, s.location_id, s.power_kw, s.session_count)
        for s in latest
    ]
    in_range = samples.filter(taken_at__gte=span.start, taken_at__lte=span.end)
    first = in_range.order_by("taken_at").values_list("taken_at", flat=True).first()
    start = max(span.start, first) if first else span.start
    bucket = bucket_for(span.end - start)
    errors = filters.apply(HardwareError.objects.select_related("location"), user)
    sessions = filters.apply(ProblematicSession.objects.select_related("location"), user)
    transactions = filters.apply(ChargingTransaction.objects.select_related("location"), user)
    every_offline = stations_here.offline_stations()
    offline = filters.apply(every_offline, user) if every_offline is not None else Location.objects.none()
    cannot_charge = filters.apply(NetworkStation.objects.select_related("location"), user).filter(is_offline=True)
    return NetworkOverview(
        now=span.end, start=start,
        total_kw=round(sum(p.power_kw for p in per_location), 2) if latest else None,
        sessions_now=sum(p.session_count for p in per_location),
        sampled_at=max((s.taken_at for s in latest), default=None),
        per_location=per_location,
        series=power_series(in_range, start, bucket),
        errors=errors, sessions=sessions, transactions=transactions, offline=offline.order_by("label", "id"),
        cannot_charge=cannot_charge, span=span, bucket=bucket,
        counts={
            "errors": errors.count(), "errors_active": errors.filter(ended_at__isnull=True).count(),
            "sessions": sessions.count(), "transactions": transactions.count(), "offline": offline.count(),
            "cannot_charge": cannot_charge.count(),
        },
    )


def sorted_errors(errors: QuerySet[HardwareError]) -> list[HardwareError]:
    """Active errors first, then by severity, then newest."""
    order = HardwareError.SEVERITY_ORDER
    rows = list(errors)
    rows.sort(key=lambda e: (not e.is_active, order.get(e.severity, 9),
                             -(e.started_at.timestamp() if e.started_at else 0)))
    return rows
