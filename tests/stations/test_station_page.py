"""The station page's status where the upstream gives none, and what "Refresh from upstream" found.

Against the simulator over HTTP; the refresh operation runs as the worker runs it (``operation_run``).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import Backend, Company, Operation, SyncRun
from outbox.operations import operation_run
from sync.engine import refresh_run
from simulator.testing import SimulatorHandle
from stations import services
from stations.models import Station
from tests.upstream import make_backend

pytestmark = pytest.mark.django_db


@pytest.fixture
def gf(simulator: SimulatorHandle, company_a: Company) -> Backend:
    backend = make_backend(simulator, "greenflux", company_a)
    for entity in ("locations", "templates", "stations"):
        assert refresh_run(backend, entity).status == SyncRun.Status.DONE
    return backend


def station_without_status(gf: Backend, simulator: SimulatorHandle) -> Station:
    """A station the upstream reports UNKNOWN while all its EVSEs are AVAILABLE (as a newly created one is)."""
    station = next(s for s in Station.objects.filter(backend=gf).prefetch_related("evses")
                   if s.evses.count() >= 2 and {e.status for e in s.evses.all()} == {"AVAILABLE"})
    simulator.touch_station(station.upstream_id, status="UNKNOWN")
    return station


def test_a_refresh_derives_the_station_status_from_its_evses(gf: Backend, simulator: SimulatorHandle) -> None:
    station = station_without_status(gf, simulator)
    assert refresh_run(gf, "stations", full=True).status == SyncRun.Status.DONE
    station.refresh_from_db()
    assert station.status == "AVAILABLE"


def test_refresh_from_upstream_says_nothing_changed_then_what_changed(
    gf: Backend, simulator: SimulatorHandle, operator_client: Client, operator: object
) -> None:
    station = station_without_status(gf, simulator)
    op = services.station_refresh(user=None, station=station)
    assert operation_run(op.pk) == Operation.Status.DONE
    station.refresh_from_db()
    assert station.status == "AVAILABLE"  # the single-station read derives it too
    op = services.station_refresh(user=None, station=station)
    operation_run(op.pk)
    assert Operation.objects.get(pk=op.pk).result["changed"] == []
    page = operator_client.get(reverse("stations:actions", args=[station.pk])).content.decode()
    assert "nothing had changed" in page

    simulator.touch_station(station.upstream_id, name="Renamed upstream")
    op = services.station_refresh(user=None, station=station)
    operation_run(op.pk)
    assert Operation.objects.get(pk=op.pk).result["changed"] == ["Name"]
    page = operator_client.get(reverse("stations:actions", args=[station.pk])).content.decode()
    assert "Name changed." in page and "nothing had changed" not in page


def test_the_imports_help_names_the_users_backends_and_no_hidden_pages(
    gf: Backend, operator_client: Client, company_b: Company, simulator: SimulatorHandle
) -> None:
    make_backend(simulator, "greenflux", company_b, name="Not this operator's")
    page = operator_client.get(reverse("stations:import_list")).content.decode()
    assert gf.name in page and "Not this operator's" not in page
    assert "Backends page" not in page
    template = operator_client.get(reverse("stations:import_template")).content.decode()
    assert gf.name in template and "Not this operator's" not in template  # example rows name the user's backends
