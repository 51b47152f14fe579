"""A small estate in company A, with one object of every kind a URL can name, and one user per role."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils import timezone
from django.utils.http import urlsafe_base64_encode

from maintenance.models import MaintenanceWindow

from portal.access import Role
from portal.audit.services import audit_record
from portal.models import Backend, Company, Operation, User
from portal.models.sync import RemovalHold, SyncRun
from stations.bulk.models import Batch, BatchItem
from stations.csv_import.models import ImportJob, ImportRow
from tests.factories import BackendFactory, LocationFactory, StationFactory, StationModelFactory, UserFactory


@dataclass
class World:
    users: dict[str, User | None]
    kwargs: dict[str, Any]
    company_a: Company
    company_b: Company


@pytest.fixture
def world(company_a: Company, company_b: Company, viewer: User, operator: User, admin_user: User,
          other_company_user: User) -> World:
    backend = BackendFactory(name="A GreenFlux", kind=Backend.Kind.GREENFLUX, company=company_a)
    station = StationFactory(company=company_a, backend=backend, label="A station", etag="e1",
                             upstream_id="A-1", charge_box_identity="A-1", upstream_data={"name": "A station"})
    conflict = Operation.objects.create(
        kind="station.put", backend=backend, company=company_a, target_type="station", target_id=station.pk,
        payload={"document": {"name": "Mine"}, "base": {"name": "A station"}}, base_etag="e0",
        status=Operation.Status.CONFLICT, upstream_current={"name": "Theirs", "etag": "e2"},
    )
    failed = Operation.objects.create(
        kind="station.patch", backend=backend, company=company_a, target_type="station", target_id=station.pk,
        payload={"changes": {"name": "x"}}, status=Operation.Status.FAILED, error_message="Refused",
    )
    location = LocationFactory(company=company_a, name="A location")
    model = StationModelFactory(vendor="Alfen", model="Eve")
    run = SyncRun.objects.create(backend=backend, entity="stations")
    hold = RemovalHold.objects.create(backend=backend, entity="stations", model="stations.Station", run=run,
                                      rows=[{"pk": station.pk, "upstream_id": "x", "label": "A station"}], of_rows=1)
    entry = audit_record(actor=admin_user, action="station.put", entity="station", entity_id=station.pk,
                         entity_label="A station", company=company_a, before={"name": "a"}, after={"name": "b"})
    job = ImportJob.objects.create(created_by=operator, file_name="a.csv", file_sha256="0" * 64,
                                   status=ImportJob.Status.INVALID, company_rows={str(company_a.pk): [1, 0, 1]})
    ImportRow.objects.create(job=job, number=2, raw={"backend": backend.name}, company=company_a,
                             problems=[["label", "This field is required."]])
    be_backend = BackendFactory(name="A be.ENERGISED", kind=Backend.Kind.BEENERGISED, company=company_a)
    be_station = StationFactory(company=company_a, backend=be_backend, label="A be station", upstream_id="be-1",
                                charge_box_identity="BE-1")
    start = timezone.now() + timedelta(days=1)
    window = MaintenanceWindow.objects.create(
        backend=be_backend, company=company_a, station=be_station, starts_at=start,
        ends_at=start + timedelta(hours=2), comment="A window", upstream_id="w-1", batch=uuid.uuid4())
    batch = Batch.objects.create(kind=Batch.Kind.CHANGE, params={"deploy_state": "Production"}, created_by=operator)
    batch.companies.set([company_a])
    BatchItem.objects.create(batch=batch, station=station, company=company_a, label=station.label,
                             identity=station.charge_box_identity, outcome=BatchItem.Outcome.CHANGE,
                             diff=[["Deploy state", "", "Production"]], changes={"deploy_state": "Production"})
    invitee = UserFactory(username="invitee", role=Role.VIEWER, companies=[company_a])
    kwargs = {
        "station_id": station.pk, "op_id": conflict.pk, "field": "label", "user_id": invitee.pk,
        "backend_id": backend.pk, "operation_id": failed.pk, "run_id": run.pk, "entry_id": entry.pk,
        "hold_id": hold.pk,
        "job_id": job.pk, "location_id": location.pk, "model_id": model.pk, "company_id": company_a.pk,
        "window_id": window.pk, "batch": window.batch, "batch_id": batch.pk,
        "uidb64": urlsafe_base64_encode(force_bytes(invitee.pk)),
        "token": default_token_generator.make_token(invitee),
    }
    admin_b = UserFactory(username="admin-b", role=Role.ADMIN, companies=[company_b])
    users = {"anonymous": None, "viewer": viewer, "operator": operator, "admin": admin_user,
             "admin of B": admin_b}
    return World(users=users, kwargs=kwargs, company_a=company_a, company_b=company_b)
