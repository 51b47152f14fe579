"""The rules: each reads the mirror with one or two queries and names the conditions it finds.

A rule returns :class:`Found` items, one per record in the condition. It never decides whether an
alert opens: ``alerts.evaluation`` compares what the rules found with what it saw before, against
each company's thresholds. Every rule costs a constant number of queries, whatever the estate's size
(``make bench`` measures them over 100,000 stations).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max
from django.urls import reverse

from alerts.models import Kind, Severity
from locations.models import HardwareError, NetworkStation
from maintenance.models import MaintenanceWindow
from portal.models import Backend, Operation
from portal.models.sync import RemovalHold, SyncRun
from stations.csv_import.models import ImportJob
from stations.models import Station

# Failed writes older than this no longer raise an alert (they stay on the Operations page).
FAILED_WRITE_WINDOW = timedelta(days=7)
# An import's refused rows are worth an alert for this long after it finished.
IMPORT_WINDOW = timedelta(days=2)
# The longest "maintenance starting within" a company may choose (the query reads this far ahead).
MAINTENANCE_HORIZON = timedelta(days=7)


@dataclass(frozen=True)
class Found:
    kind: str
    subject_type: str
    subject_key: str
    company_id: int | None
    label: str
    severity: str
    link: str = ""
    detail: str = ""
    since: datetime | None = None  # when the upstream says the condition began, if it says
    starts_at: datetime | None = None  # maintenance: when the window starts (the threshold is per company)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.subject_type, self.subject_key)


Rule = Callable[[datetime], list[Found]]
RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


@rule
def stations_offline(now: datetime) -> list[Found]:
    """Stations whose platform reports them offline, and ChargEye stations none of whose EVSEs can charge
    (unless the same station is already counted through its platform)."""
    page = reverse("stations:detail", args=[987654321])  # one reverse for thousands of links
    found = [
        Found(Kind.STATION_OFFLINE, "station", str(pk), company, label[:200], Severity.CRITICAL,
              page.replace("987654321", str(pk)), identity)
        for pk, company, label, identity in Station.objects.offline().values_list(
            "pk", "company_id", "label", "charge_box_identity").order_by()
    ]
    counted = {(f.company_id, f.detail) for f in found}
    network = reverse("locations:network")
    for backend, company, station_id, name in NetworkStation.objects.filter(is_offline=True).values_list(
            "backend_id", "company_id", "station_id", "name").order_by():
        if (company, station_id) not in counted:
            found.append(Found(Kind.STATION_OFFLINE, "network_station", f"{backend}:{station_id}", company,
                               (name or station_id)[:200], Severity.CRITICAL, network, station_id))
    return found


@rule
def connector_errors(now: datetime) -> list[Found]:
    """Hardware errors ChargEye's errors feed reports as still active."""
    network = reverse("locations:network")
    rows = HardwareError.objects.filter(ended_at__isnull=True).values_list(
        "backend_id", "company_id", "station_id", "station_name", "code", "title", "severity", "started_at",
    ).order_by()
    return [
        Found(Kind.CONNECTOR_ERROR, "hardware_error", f"{backend}:{station_id}:{code}"[:120], company,
              (name or station_id)[:200],
              Severity.CRITICAL if severity in ("critical", "major") else Severity.WARNING, network,
              " ".join(filter(None, [code, title]))[:500], since=started_at)
        for backend, company, station_id, name, code, title, severity, started_at in rows
    ]


@rule
def writes_failed_or_in_conflict(now: datetime) -> list[Found]:
    """Writes the upstream refused (last week), and writes in conflict (the threshold is per company)."""
    rows = Operation.objects.filter(status__in=[Operation.Status.FAILED, Operation.Status.CONFLICT]).exclude(
        status=Operation.Status.FAILED, finished_at__lt=now - FAILED_WRITE_WINDOW,
    ).values_list("pk", "company_id", "status", "kind", "target_label", "error_message", "finished_at").order_by()
    found = []
    for pk, company, status, kind, label, error, finished in rows:
        failed = status == Operation.Status.FAILED
        found.append(Found(Kind.WRITE_FAILED if failed else Kind.CONFLICT_WAITING, "operation", str(pk), company,
                           (label or kind)[:200], Severity.WARNING, reverse("operations:detail", args=[pk]),
                           error[:500] if failed else "", since=finished))
    return found


@rule
def refreshes_failed_or_held(now: datetime) -> list[Found]:
    """The last finished refresh of a backend and entity failed; removals wait for an admin."""
    last = SyncRun.objects.filter(status__in=[SyncRun.Status.DONE, SyncRun.Status.FAILED]).values(
        "backend_id", "entity").annotate(last=Max("id")).values_list("last", flat=True).order_by()
    failed = SyncRun.objects.filter(pk__in=list(last), status=SyncRun.Status.FAILED).values_list(
        "pk", "backend_id", "backend__company_id", "backend__name", "entity", "message", "finished_at").order_by()
    found = [
        Found(Kind.REFRESH_FAILED, "refresh", f"{backend}:{entity}", company, f"{name} · {entity}"[:200],
              Severity.WARNING, reverse("sync:run", args=[pk]), message[:500], since=finished)
        for pk, backend, company, name, entity, message, finished in failed
    ]
    holds = RemovalHold.objects.filter(status=RemovalHold.Status.PENDING).values_list(
        "pk", "backend__company_id", "backend__name", "entity", "created_at").order_by()
    found += [
        Found(Kind.REMOVALS_HELD, "removal_hold", str(pk), company, f"{name} · {entity}"[:200], Severity.WARNING,
              reverse("sync:hold", args=[pk]), since=created)
        for pk, company, name, entity, created in holds
    ]
    return found


@rule
def credentials_failing(now: datetime) -> list[Found]:
    """Active backends whose last credentials check failed."""
    rows = Backend.objects.filter(is_active=True, check_ok=False).values_list(
        "pk", "company_id", "name", "check_message", "checked_at").order_by()
    return [
        Found(Kind.CREDENTIALS_FAILING, "backend", str(pk), company, name[:200], Severity.CRITICAL,
              reverse("backends:edit", args=[pk]), message[:500], since=checked)
        for pk, company, name, message, checked in rows
    ]


@rule
def maintenance_soon(now: datetime) -> list[Found]:
    """Windows starting within the horizon; ``alerts.evaluation`` keeps those within the company's choice."""
    rows = MaintenanceWindow.objects.filter(
        cancelled_at__isnull=True, starts_at__gt=now, starts_at__lte=now + MAINTENANCE_HORIZON,
    ).values_list("pk", "company_id", "station_id", "station__label", "starts_at").order_by()
    return [
        Found(Kind.MAINTENANCE_SOON, "maintenance_window", str(pk), company, label[:200], Severity.INFO,
              reverse("stations:detail", args=[station]), starts_at=starts)
        for pk, company, station, label, starts in rows
    ]


@rule
def imports_with_refused_rows(now: datetime) -> list[Found]:
    """Finished imports (of the last two days) that refused rows: one alert per company with refused rows."""
    rows = ImportJob.objects.filter(status=ImportJob.Status.FINISHED, finished_at__gte=now - IMPORT_WINDOW,
                                    problem_count__gt=0).values_list(
        "pk", "file_name", "company_rows", "finished_at").order_by()
    found = []
    for pk, name, company_rows, finished in rows:
        for company, counts in (company_rows or {}).items():
            if company == "none" or len(counts) < 3 or not counts[2]:
                continue
            found.append(Found(Kind.IMPORT_REFUSED, "import", f"{pk}:{company}", int(company), name[:200],
                               Severity.WARNING, reverse("stations:import_detail", args=[pk]), since=finished))
    return found


def find_all(now: datetime) -> dict[tuple[str, str, str], Found]:
    """Every condition every rule finds now, by key."""
    return {found.key: found for check in RULES for found in check(now)}
