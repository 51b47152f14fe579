"""The other kinds of alert, each from its record in the mirror: a hardware error (after 2 minutes from when
ChargEye says it began), a ChargEye station none of whose EVSEs can charge, failing credentials, a failed
refresh and held removals, a conflict waiting, a maintenance window starting soon, an import with refused rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.evaluation import alerts_evaluate
from alerts.models import Alert, Kind
from locations.models import HardwareError, NetworkStation
from maintenance.models import MaintenanceWindow
from portal.models import Backend, Company, Operation, User
from portal.models.sync import RemovalHold, SyncRun
from stations.csv_import.models import ImportJob
from tests.factories import BackendFactory, StationFactory

pytestmark = pytest.mark.django_db


def kinds() -> set[str]:
    return set(Alert.objects.filter(resolved_at__isnull=True).values_list("kind", flat=True))


def test_hardware_error_opens_two_minutes_after_it_began_and_resolves_when_it_ends(company_a: Company) -> None:
    backend = BackendFactory(company=company_a, kind=Backend.Kind.CHARGEYE)
    now = timezone.now()
    error = HardwareError.objects.create(backend=backend, company=company_a, error_id="e1", station_id="CE-1",
                                         station_name="Quay 3", code="GroundFailure", title="Ground fault detected",
                                         severity="critical", started_at=now - timedelta(seconds=60))
    alerts_evaluate(now)
    assert not Alert.objects.exists()
    alerts_evaluate(now + timedelta(seconds=61))
    alert = Alert.objects.get()
    assert (alert.kind, alert.severity, alert.detail) == (Kind.CONNECTOR_ERROR, "critical",
                                                          "GroundFailure Ground fault detected")
    HardwareError.objects.filter(pk=error.pk).update(ended_at=now + timedelta(seconds=90))
    alerts_evaluate(now + timedelta(seconds=120))
    alert.refresh_from_db()
    assert alert.resolved_at is not None


def test_chargeye_station_that_cannot_charge_is_offline(company_a: Company) -> None:
    backend = BackendFactory(company=company_a, kind=Backend.Kind.CHARGEYE)
    NetworkStation.objects.create(backend=backend, company=company_a, station_id="CE-9", name="Quay 9",
                                  is_offline=True, seen_at=timezone.now())
    alerts_evaluate(timezone.now() - timedelta(minutes=6))
    alerts_evaluate()
    assert Alert.objects.get().subject_label == "Quay 9"


def test_every_other_kind_opens_from_its_record(company_a: Company, operator: User) -> None:
    now = timezone.now()
    backend = BackendFactory(company=company_a, check_ok=False, check_message="401 Unauthorized", checked_at=now)
    station = StationFactory(company=company_a, backend=backend)
    Operation.objects.create(kind="station.put", backend=backend, company=company_a, target_type="station",
                             target_id=station.pk, status=Operation.Status.CONFLICT, finished_at=now - timedelta(hours=2))
    run = SyncRun.objects.create(backend=backend, entity="stations", status=SyncRun.Status.FAILED, finished_at=now,
                                 message="The upstream failed: 503")
    RemovalHold.objects.create(backend=backend, entity="stations", model="stations.Station", run=run, rows=[],
                               of_rows=1)
    MaintenanceWindow.objects.create(backend=backend, company=company_a, station=station, comment="Swap board",
                                     starts_at=now + timedelta(hours=3), ends_at=now + timedelta(hours=5))
    ImportJob.objects.create(created_by=operator, file_name="new.csv", file_sha256="1" * 64,
                             status=ImportJob.Status.FINISHED, finished_at=now, problem_count=2,
                             company_rows={str(company_a.pk): [5, 3, 2]})
    alerts_evaluate(now)
    assert kinds() == {Kind.CREDENTIALS_FAILING, Kind.CONFLICT_WAITING, Kind.REFRESH_FAILED, Kind.REMOVALS_HELD,
                       Kind.MAINTENANCE_SOON, Kind.IMPORT_REFUSED}
    # A later refresh that succeeds clears "refresh failed"; the other conditions hold.
    SyncRun.objects.create(backend=backend, entity="stations", status=SyncRun.Status.DONE, finished_at=now)
    alerts_evaluate(now + timedelta(seconds=5))
    assert Kind.REFRESH_FAILED not in kinds() and Kind.CREDENTIALS_FAILING in kinds()
