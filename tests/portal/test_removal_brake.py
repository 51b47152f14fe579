"""The removal brake on the Sync page: held removals listed, confirmed or rejected by an admin, audited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from portal.audit.models import AuditEntry
from portal.models import Backend, Company, RemovalHold, SyncRun, User
from sync.engine import refresh_run
from simulator.testing import SimulatorHandle
from stations.models import Station
from tests.conftest import client_for
from tests.factories import UserFactory
from portal.access import Role
from tests.upstream import make_backend


@pytest.fixture
def held(simulator: SimulatorHandle, company_a: Company) -> tuple[Backend, RemovalHold, list[str]]:
    """Company A's GreenFlux stations mirrored, then 30 % of them gone upstream: a hold."""
    backend = make_backend(simulator, "greenflux", company_a)
    for entity in ("locations", "templates", "stations"):
        assert refresh_run(backend, entity, full=True).status == SyncRun.Status.DONE
    gone = simulator.decommission_stations(share=0.3)
    assert refresh_run(backend, "stations", full=True).rows_removed == 0
    return backend, RemovalHold.objects.get(backend=backend, status=RemovalHold.Status.PENDING), gone


def test_sync_page_lists_the_held_removals_with_every_station(
    viewer_client: Client, held: tuple[Backend, RemovalHold, list[str]]
) -> None:
    backend, hold, gone = held
    page = viewer_client.get(reverse("sync:list")).content.decode()
    assert "Removals waiting for an admin" in page and f"<strong>{hold.count}</strong> of {hold.of_rows}" in page
    detail = viewer_client.get(reverse("sync:hold", args=[hold.pk])).content.decode()
    assert all(uid in detail for uid in gone)
    assert 'name="decision"' not in detail  # viewers see the list, admins decide


def test_admin_confirms_and_the_held_stations_are_marked_removed(
    admin_client_portal: Client, admin_user: User, held: tuple[Backend, RemovalHold, list[str]]
) -> None:
    backend, hold, gone = held
    assert 'name="decision"' in admin_client_portal.get(reverse("sync:hold", args=[hold.pk])).content.decode()
    response = admin_client_portal.post(reverse("sync:hold_decide", args=[hold.pk]), {"decision": "confirm"},
                                        follow=True)
    assert f"{len(gone)} marked removed" in response.content.decode()
    assert set(Station.objects.filter(backend=backend).exclude(removed_at=None)
               .values_list("upstream_id", flat=True)) == set(gone)
    hold.refresh_from_db()
    assert (hold.status, hold.decided_by, hold.marked) == (RemovalHold.Status.CONFIRMED, admin_user, len(gone))
    entry = AuditEntry.objects.get(action="sync.removals_confirm")
    assert entry.actor == admin_user and entry.after["marked removed"] == len(gone)
    again = admin_client_portal.post(reverse("sync:hold_decide", args=[hold.pk]), {"decision": "reject"}, follow=True)
    assert "nothing was changed" in again.content.decode()


def test_admin_rejects_and_every_station_stays(
    admin_client_portal: Client, held: tuple[Backend, RemovalHold, list[str]]
) -> None:
    backend, hold, _ = held
    admin_client_portal.post(reverse("sync:hold_decide", args=[hold.pk]), {"decision": "reject"})
    assert not Station.objects.filter(backend=backend).exclude(removed_at=None).exists()
    hold.refresh_from_db()
    assert hold.status == RemovalHold.Status.REJECTED
    assert AuditEntry.objects.filter(action="sync.removals_reject").count() == 1


def test_decision_without_a_choice_names_the_field(
    admin_client_portal: Client, held: tuple[Backend, RemovalHold, list[str]]
) -> None:
    _, hold, _ = held
    response = admin_client_portal.post(reverse("sync:hold_decide", args=[hold.pk]), {}, follow=True)
    assert "field: decision" in response.content.decode()
    hold.refresh_from_db()
    assert hold.status == RemovalHold.Status.PENDING


def test_operators_may_not_decide_and_other_companies_do_not_see_the_hold(
    operator_client: Client, company_b: Company, held: tuple[Backend, RemovalHold, list[str]]
) -> None:
    backend, hold, _ = held
    assert operator_client.post(reverse("sync:hold_decide", args=[hold.pk]), {"decision": "confirm"}).status_code == 403
    admin_b = client_for(UserFactory(username="admin-b", role=Role.ADMIN, companies=[company_b]))
    assert admin_b.get(reverse("sync:hold", args=[hold.pk])).status_code == 404
    assert admin_b.post(reverse("sync:hold_decide", args=[hold.pk]), {"decision": "confirm"}).status_code == 404
    assert "Removals waiting" not in admin_b.get(reverse("sync:list")).content.decode()
    assert not Station.objects.filter(backend=backend).exclude(removed_at=None).exists()


def test_a_newer_full_read_supersedes_the_hold(
    simulator: SimulatorHandle, held: tuple[Backend, RemovalHold, list[str]]
) -> None:
    backend, hold, _ = held
    simulator.reset()  # the stations are back upstream
    run = refresh_run(backend, "stations", full=True)
    assert run.rows_removed == 0
    hold.refresh_from_db()
    assert hold.status == RemovalHold.Status.SUPERSEDED
