"""A small estate in company A, with one object of every kind a URL can name, and one user per role."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils import timezone
from django.utils.http import urlsafe_base64_encode

from alerts.models import Alert, Kind, Severity, Webhook, WebhookDelivery
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


def company_records(company: Company, admin: User, operator: User, prefix: str) -> dict[str, Any]:
    """One record of every kind a URL can name, in ``company``, every name starting with ``prefix``;
    returns the URL keyword arguments that name them."""
    backend = BackendFactory(name=f"{prefix} GreenFlux", kind=Backend.Kind.GREENFLUX, company=company)
    station = StationFactory(company=company, backend=backend, label=f"{prefix} station", etag="e1",
                             upstream_id=f"{prefix}-1", charge_box_identity=f"{prefix}-1",
                             upstream_data={"name": f"{prefix} station"})
    conflict = Operation.objects.create(
        kind="station.put", backend=backend, company=company, target_type="station", target_id=station.pk,
        payload={"document": {"name": "Mine"}, "base": {"name": f"{prefix} station"}}, base_etag="e0",
        status=Operation.Status.CONFLICT, upstream_current={"name": "Theirs", "etag": "e2"},
    )
    failed = Operation.objects.create(
        kind="station.patch", backend=backend, company=company, target_type="station", target_id=station.pk,
        payload={"changes": {"name": "x"}}, status=Operation.Status.FAILED, error_message="Refused",
    )
    location = LocationFactory(company=company, name=f"{prefix} location")
    model = StationModelFactory(vendor="Alfen", model=f"Eve {prefix}")
    run = SyncRun.objects.create(backend=backend, entity="stations")
    hold = RemovalHold.objects.create(backend=backend, entity="stations", model="stations.Station", run=run,
                                      rows=[{"pk": station.pk, "upstream_id": "x", "label": f"{prefix} station"}],
                                      of_rows=1)
    entry = audit_record(actor=admin, action="station.put", entity="station", entity_id=station.pk,
                         entity_label=f"{prefix} station", company=company, before={"name": "a"}, after={"name": "b"})
    job = ImportJob.objects.create(created_by=operator, file_name=f"{prefix.lower()}.csv", file_sha256="0" * 64,
                                   status=ImportJob.Status.INVALID, company_rows={str(company.pk): [1, 0, 1]})
    ImportRow.objects.create(job=job, number=2, raw={"backend": backend.name}, company=company,
                             problems=[["label", "This field is required."]])
    be_backend = BackendFactory(name=f"{prefix} be.ENERGISED", kind=Backend.Kind.BEENERGISED, company=company)
    be_station = StationFactory(company=company, backend=be_backend, label=f"{prefix} be station",
                                upstream_id=f"{prefix}-be-1", charge_box_identity=f"{prefix}-BE-1")
    start = timezone.now() + timedelta(days=1)
    window = MaintenanceWindow.objects.create(
        backend=be_backend, company=company, station=be_station, starts_at=start,
        ends_at=start + timedelta(hours=2), comment=f"{prefix} window", upstream_id=f"{prefix}-w-1",
        batch=uuid.uuid4())
    batch = Batch.objects.create(kind=Batch.Kind.CHANGE, params={"deploy_state": "Production"}, created_by=operator)
    batch.companies.set([company])
    BatchItem.objects.create(batch=batch, station=station, company=company, label=station.label,
                             identity=station.charge_box_identity, outcome=BatchItem.Outcome.CHANGE,
                             diff=[["Deploy state", "", "Production"]], changes={"deploy_state": "Production"})
    alert = Alert.objects.create(company=company, kind=Kind.STATION_OFFLINE, severity=Severity.CRITICAL,
                                 subject_type="station", subject_key=str(station.pk), subject_label=station.label,
                                 link=f"/stations/{station.pk}/", condition_since=timezone.now(),
                                 opened_at=timezone.now())
    hook = Webhook.objects.create(company=company, url=f"https://hooks.example.org/{prefix.lower()}",
                                  encrypted_secret="")
    WebhookDelivery.objects.create(webhook=hook, alert=alert, message_id=f"msg_{prefix}", event="alert.opened",
                                   payload={}, state="sent", attempts=1, response_status=204)
    invitee = UserFactory(username=f"{prefix.lower()}-invitee", role=Role.VIEWER, companies=[company])
    # The invitee's security key: the URLs that name a key are tried by people it does not belong to.
    key = Authenticator.objects.create(user=invitee, type=Authenticator.Type.WEBAUTHN, data={
        "name": f"{prefix} key", "credential": {"clientExtensionResults": {"credProps": {"rk": True}}}})
    return {
        "pk": key.pk,
        "station_id": station.pk, "op_id": conflict.pk, "field": "label", "user_id": invitee.pk,
        "backend_id": backend.pk, "operation_id": failed.pk, "run_id": run.pk, "entry_id": entry.pk,
        "hold_id": hold.pk,
        "job_id": job.pk, "location_id": location.pk, "model_id": model.pk, "company_id": company.pk,
        "window_id": window.pk, "batch": window.batch, "batch_id": batch.pk, "alert_id": alert.pk,
        "webhook_id": hook.pk,
        "uidb64": urlsafe_base64_encode(force_bytes(invitee.pk)),
        "token": default_token_generator.make_token(invitee),
    }


@pytest.fixture
def world(company_a: Company, company_b: Company, viewer: User, operator: User, admin_user: User,
          other_company_user: User) -> World:
    kwargs = company_records(company_a, admin_user, operator, "A")
    admin_b = UserFactory(username="admin-b", role=Role.ADMIN, companies=[company_b])
    users = {"anonymous": None, "viewer": viewer, "operator": operator, "admin": admin_user,
             "admin of B": admin_b}
    return World(users=users, kwargs=kwargs, company_a=company_a, company_b=company_b)
