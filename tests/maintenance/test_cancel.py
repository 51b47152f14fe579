"""Cancelling a window (issue 24): no document gives the request, so it is offered only once an admin
sets its path, done only when the upstream confirms it, and the refresh is the judge of the state."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import reverse

from upstreams import beenergised as be
from maintenance import services
from upstreams.base import format_upstream_time as upstream_time
from maintenance.models import MaintenanceWindow
from sync.mirror import SyncState
from portal.models import Backend, Operation
from outbox.operations import operation_run
from sync.engine import refresh_run
from simulator.testing import SimulatorHandle
from stations.models import Station

from .conftest import soon

CANCEL_PATH = "/api/cpoapi/v1/maintenance_windows/{id}/"


def planned_upstream(backend: Backend, station: Station, comment: str = "Firmware") -> MaintenanceWindow:
    """A window made upstream and mirrored by a refresh, as a user finds it on the station page."""
    start = soon(3)
    with backend.connector() as connector:
        made = connector.create_maintenance_window(be.MaintenanceWindow(
            upstream_time(start), upstream_time(start + timedelta(hours=1)), comment, station.upstream_id))
    assert refresh_run(backend, "maintenance_windows").status == "done"
    return MaintenanceWindow.objects.get(upstream_id=made.id)


def upstream_ids(backend: Backend) -> list[str]:
    with backend.connector() as connector:
        return [w.id for w in connector.list_maintenance_windows().items()]


def cancel_and_run(window: MaintenanceWindow) -> Operation:
    op = services.maintenance_window_cancel(user=None, window=window)
    assert op is not None
    operation_run(op.pk)
    op.refresh_from_db()
    return op


def test_without_a_path_the_page_offers_no_cancel_and_says_why(
    operator_client: Client, be_stations: list[Station], be_backend: Backend
) -> None:
    station = be_stations[0]
    window = planned_upstream(be_backend, station)
    page = operator_client.get(reverse("stations:detail", args=[station.pk])).content.decode()
    assert "Firmware" in page
    assert "Cancel window" not in page
    assert "this platform&#x27;s API does not document it" in page or "this platform's API does not document it" in page
    response = operator_client.post(reverse("maintenance:cancel", args=[window.pk]), follow=True)
    assert "does not document it" in response.content.decode()
    window.refresh_from_db()
    assert window.is_active and window.sync_state == SyncState.SYNCED
    assert not Operation.objects.filter(kind="maintenance.cancel").exists()
    assert upstream_ids(be_backend) == [window.upstream_id]


def test_a_path_the_upstream_does_not_have_fails_and_the_window_stays_planned(
    simulator: SimulatorHandle, operator_client: Client, be_stations: list[Station], be_backend: Backend
) -> None:
    station = be_stations[0]
    window = planned_upstream(be_backend, station)
    Backend.objects.filter(pk=be_backend.pk).update(paths={"maintenance_cancel": CANCEL_PATH})
    simulator.documents_only()  # the DELETE is in no document: 404
    op = cancel_and_run(window)
    assert op.status == Operation.Status.FAILED
    assert "404" in op.error_message and "maintenance_windows/" in op.error_message
    assert "still planned upstream" in op.error_message
    window.refresh_from_db()
    assert window.is_active and window.sync_state == SyncState.SYNCED
    assert upstream_ids(be_backend) == [window.upstream_id]
    page = operator_client.get(reverse("stations:detail", args=[station.pk])).content.decode()
    assert "Not cancelled:" in page and ">planned<" in page
    assert refresh_run(be_backend, "maintenance_windows").status == "done"
    window.refresh_from_db()
    assert window.is_active and window.removed_at is None


def test_a_path_the_upstream_has_cancels_the_window(be_stations: list[Station], be_backend: Backend) -> None:
    station = be_stations[1]
    window = planned_upstream(be_backend, station)
    Backend.objects.filter(pk=be_backend.pk).update(paths={"maintenance_cancel": CANCEL_PATH})
    window = MaintenanceWindow.objects.get(pk=window.pk)
    assert cancel_and_run(window).status == Operation.Status.DONE
    window.refresh_from_db()
    assert window.cancelled_at is not None and window.removed_at is not None
    assert upstream_ids(be_backend) == []


def test_a_window_the_upstream_still_lists_is_planned_again_after_a_refresh(
    be_stations: list[Station], be_backend: Backend
) -> None:
    # A cancel the upstream never confirmed (recorded by an older portal, or by hand): the refresh judges.
    window = planned_upstream(be_backend, be_stations[0])
    MaintenanceWindow.objects.filter(pk=window.pk).update(cancelled_at=window.starts_at, removed_at=window.starts_at)
    assert refresh_run(be_backend, "maintenance_windows").status == "done"
    window.refresh_from_db()
    assert window.is_active and window.cancelled_at is None and window.removed_at is None
