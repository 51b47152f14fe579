"""Maintenance windows end to end: services, the outbox, a real Celery worker, the simulator over HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from maintenance import services
from maintenance.models import MaintenanceWindow
from maintenance.services import WindowInput
from sync.mirror import SyncState
from portal.models import Backend, Operation
from sync.engine import refresh_run
from stations.models import Station
from tests.worker import wait_for

from .conftest import soon
from .test_cancel import CANCEL_PATH

pytestmark = [pytest.mark.worker, pytest.mark.usefixtures("celery_worker_process")]


def upstream_windows(backend: Backend) -> list:
    with backend.connector() as connector:
        return connector.list_maintenance_windows().all()


def settled(window: MaintenanceWindow, timeout: float = 60) -> MaintenanceWindow:
    wait_for(lambda: MaintenanceWindow.objects.get(pk=window.pk).sync_state != SyncState.PENDING, timeout=timeout)
    window.refresh_from_db()
    return window


def test_one_window_with_a_connector_reaches_the_upstream(transactional_db: None, be_stations: list[Station],
                                                          be_backend: Backend) -> None:
    station = be_stations[0]
    connector = station.upstream_data["connectors"][0]["uuid"]
    start = soon()
    window = services.maintenance_window_create(user=None, station=station, data=WindowInput(
        start, start + timedelta(hours=3), "Replace the cable", connector))
    assert window.sync_state == SyncState.PENDING
    window = settled(window)
    assert window.sync_state == SyncState.SYNCED
    (remote,) = upstream_windows(be_backend)
    assert remote.id == window.upstream_id
    assert (remote.cp_uuid, remote.connector_uuid, remote.comment) == (station.upstream_id, connector, "Replace the cable")
    assert window.starts_at == start and window.ends_at == start + timedelta(hours=3)


def test_fifty_stations_in_one_action_each_with_its_own_result(
        transactional_db: None, many_be_stations: list[Station], be_backend: Backend) -> None:
    stations = many_be_stations[:50]
    assert len(stations) == 50
    # One station the upstream no longer knows: it fails alone, the other 49 are planned.
    gone = stations[7]
    Station.objects.filter(pk=gone.pk).update(upstream_id="00000000-0000-4000-8000-000000000000")
    stations = list(Station.objects.filter(pk__in=[s.pk for s in stations]).select_related("backend", "company"))
    start = soon(5)
    batch, results = services.maintenance_windows_create_many(
        user=None, stations=stations, data=WindowInput(start, start + timedelta(hours=1), "Quarterly check"))
    assert len(results) == 50 and all(r.window is not None for r in results)
    assert Operation.objects.filter(kind="maintenance.create").count() == 50
    wait_for(lambda: not MaintenanceWindow.objects.filter(batch=batch, sync_state=SyncState.PENDING).exists(),
             timeout=120)
    states = dict(MaintenanceWindow.objects.filter(batch=batch).values_list("station_id", "sync_state"))
    assert states.pop(gone.pk) == SyncState.FAILED
    assert set(states.values()) == {SyncState.SYNCED}
    failed = Operation.objects.get(kind="maintenance.create", status="failed")
    assert "cpUuid" in failed.error_message or "not found" in failed.error_message
    remote = upstream_windows(be_backend)
    assert len(remote) == 49
    assert len({w.cp_uuid for w in remote}) == 49


def test_a_window_in_the_past_is_refused_upstream_and_marked_failed(transactional_db: None,
                                                                    be_stations: list[Station]) -> None:
    # The form refuses this; a queued window whose start passed before it was sent meets the upstream's rule.
    start = timezone.now() - timedelta(minutes=5)
    window = services.maintenance_window_create(user=None, station=be_stations[0], data=WindowInput(
        start, start + timedelta(hours=1), "Too late"))
    window = settled(window)
    assert window.sync_state == SyncState.FAILED
    op = Operation.objects.get(target_type="maintenance_window", target_id=window.pk)
    assert "past" in op.error_message


def test_cancel_deletes_upstream_and_a_refresh_mirrors_windows_made_elsewhere(
        transactional_db: None, be_stations: list[Station], be_backend: Backend) -> None:
    station = be_stations[1]
    Backend.objects.filter(pk=be_backend.pk).update(paths={"maintenance_cancel": CANCEL_PATH})
    start = soon()
    window = settled(services.maintenance_window_create(user=None, station=station, data=WindowInput(
        start, start + timedelta(hours=1), "Cancel me")))
    services.maintenance_window_cancel(user=None, window=window)
    wait_for(lambda: MaintenanceWindow.objects.get(pk=window.pk).removed_at is not None, timeout=60)
    assert upstream_windows(be_backend) == []

    # A window planned straight in be.ENERGISED arrives with the next refresh; gone, it is marked removed.
    from upstreams import beenergised as be
    from upstreams.base import format_upstream_time as upstream_time

    with be_backend.connector() as connector:
        made = connector.create_maintenance_window(be.MaintenanceWindow(
            upstream_time(start), upstream_time(start + timedelta(hours=2)), "Made upstream", station.upstream_id))
    assert refresh_run(be_backend, "maintenance_windows").status == "done"
    mirrored = MaintenanceWindow.objects.get(upstream_id=made.id)
    assert (mirrored.station_id, mirrored.comment, mirrored.company_id) == (station.pk, "Made upstream",
                                                                            station.company_id)
    with Backend.objects.get(pk=be_backend.pk).connector() as connector:
        connector.cancel_maintenance_window(made.id)
    assert refresh_run(be_backend, "maintenance_windows").rows_removed == 1
