"""Bulk changes end to end: a real worker, the simulator over HTTP, a conflict and a refusal in one batch, and a
batch row sent by the route of a single edit."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from portal.models import Backend, Operation, User
from sync.engine import refresh_run
from simulator.testing import SimulatorHandle
from stations.bulk.models import Batch, BatchItem
from stations.bulk.selection import Selection
from stations.bulk.services import batch_confirm, batch_preview_create, batch_progress, batch_retry_failed
from simulator.ocpi import STANDARDS
from stations import services
from stations.models import Connector, Station
from stations.versions import form_changes, shown_version
from tests.conftest import client_for
from tests.worker import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.usefixtures("celery_worker_process")]


def upstream(backend: Backend, station_id: str) -> Any:
    with backend.connector() as connector:
        return connector.get_station(station_id)


def batch_ops(batch: Batch) -> Any:
    keys = BatchItem.objects.filter(batch=batch, outcome=BatchItem.Outcome.CHANGE).values("operation_id")
    return Operation.objects.filter(key__in=keys)


def all_settled(batch: Batch) -> bool:
    return not batch_ops(batch).filter(status__in=Operation.OPEN).exists()


def test_conflict_and_refusal_end_alone_while_the_rest_is_done_then_only_failed_rows_rerun(
    transactional_db: None, simulator: SimulatorHandle, gf_backend: Backend, operator: User
) -> None:
    assert refresh_run(gf_backend, "stations", full=True).status == "done"
    # Stations whose EVSEs the upstream accepts on write: today's full edit sends the EVSEs along and
    # the simulator seeds some connector standards it refuses on write (issue 18 changes that path).
    writable = Station.objects.filter(backend=gf_backend, removed_at__isnull=True).exclude(
        evses__connectors__standard__in=set(Connector.objects.values_list("standard", flat=True)) - set(STANDARDS))
    chosen = list(writable.distinct().order_by("id")[:6])
    refused, conflicting = chosen[0], chosen[1]

    batch = batch_preview_create(user=operator, selection=Selection(ids=tuple(s.pk for s in chosen)),
                                 kind=Batch.Kind.CHANGE, params={"default_tariff_id": "TARIFF-BULK-2027"})
    items = {i.station_id: i for i in batch.items.all()}
    assert all(i.outcome == BatchItem.Outcome.CHANGE for i in items.values())
    # Someone changes one station upstream between the preview and the confirmation, and another one
    # is deleted there: its write is refused (an edit sends only the changed field, so nothing else can be).
    simulator.touch_station(conflicting.upstream_id, name="Renamed elsewhere")
    simulator.store.delete("gf_stations", refused.upstream_id)

    batch_confirm(user=operator, batch=batch)
    wait_for(lambda: all_settled(batch), timeout=90)
    progress = batch_progress(batch, operator)
    failures = list(batch_ops(batch).filter(status="failed").values_list("target_label", "error_message"))
    assert (progress["done"], progress["conflict"], progress["failed"]) == (4, 1, 1), (progress, failures)

    for station in chosen:
        if station == refused:
            continue  # gone upstream
        remote = upstream(gf_backend, station.upstream_id)
        if station == conflicting:
            assert remote.default_charge_station_tariff_id != "TARIFF-BULK-2027"
        else:  # the preview is what was written
            assert remote.default_charge_station_tariff_id == items[station.pk].changes[
                "default_charge_station_tariff_id"]
            assert remote.name == station.label  # nothing else was touched
    assert upstream(gf_backend, conflicting.upstream_id).name == "Renamed elsewhere"  # nothing overwritten
    assert Station.objects.get(pk=conflicting.pk).sync_state == "conflict"
    assert Station.objects.get(pk=refused.pk).sync_state == "failed"

    client: Client = client_for(operator)
    page = client.get(reverse("stations:batch_detail", args=[batch.pk]), {"show": "conflict"}).content.decode()
    assert reverse("stations:conflict", args=[conflicting.pk]) in page
    failed_page = client.get(reverse("stations:batch_detail", args=[batch.pk]), {"show": "failed"}).content.decode()
    assert "not found" in failed_page and refused.label in failed_page
    csv_text = client.get(reverse("stations:batch_failed_csv", args=[batch.pk])).content.decode()
    lines = csv_text.strip().splitlines()
    assert len(lines) == 2 and refused.charge_box_identity in lines[1] and "not found" in lines[1]

    before = {op.key: (op.status, op.attempts, op.finished_at) for op in batch_ops(batch)}
    failed_op = batch_ops(batch).get(status=Operation.Status.FAILED)
    assert batch_retry_failed(user=operator, batch=batch) == 1
    wait_for(lambda: all_settled(batch), timeout=60)
    after = {op.key: (op.status, op.attempts, op.finished_at) for op in batch_ops(batch)}
    assert {k: v for k, v in after.items() if k != failed_op.key} == {
        k: v for k, v in before.items() if k != failed_op.key}  # the others were not sent again
    assert after[failed_op.key][2] > before[failed_op.key][2]  # the failed row ran again
    assert after[failed_op.key][0] == Operation.Status.FAILED  # and the upstream still refuses it


def test_a_bulk_change_previewed_while_an_edit_of_the_station_was_on_its_way_is_sent_not_a_conflict(
    transactional_db: None, simulator: SimulatorHandle, gf_backend: Backend, operator: User
) -> None:
    """A bulk row is sent by the route of an edit made in the station's form (``stations.services``), which
    accepts the etag of the portal's own edit that was still on its way when the version was shown. Bulk
    rows used to go to the outbox their own way and came back as a conflict with the user's own edit."""
    assert refresh_run(gf_backend, "stations", full=True).status == "done"
    station = Station.objects.filter(backend=gf_backend, removed_at__isnull=True).exclude(upstream_id=None).first()
    with transaction.atomic():  # the preview is made while the edit is not sent yet
        shown = shown_version(station)
        edit = services.station_edit(user=operator, station=station, shown=shown,
                                     changes=form_changes(shown, {"label": "Renamed in its form"}))
        batch = batch_preview_create(user=operator, selection=Selection(ids=(station.pk,)),
                                     kind=Batch.Kind.CHANGE, params={"default_tariff_id": "TARIFF-AFTER-EDIT"})
    wait_for(lambda: Operation.objects.get(pk=edit.pk).status in Operation.SETTLED, timeout=60)
    assert Operation.objects.get(pk=edit.pk).status == Operation.Status.DONE

    batch_confirm(user=operator, batch=batch)
    wait_for(lambda: all_settled(batch), timeout=60)
    progress = batch_progress(batch, operator)
    assert (progress["done"], progress["conflict"]) == (1, 0), list(batch_ops(batch).values("status", "error_message"))
    remote = upstream(gf_backend, station.upstream_id)
    assert (remote.name, remote.default_charge_station_tariff_id) == ("Renamed in its form", "TARIFF-AFTER-EDIT")
    assert Station.objects.get(pk=station.pk).sync_state == "synced"
