"""Paging that ends only on the documents' signals, against a simulator that caps its pages (issue 11, finding 1).

GreenFlux documents ``offset`` and ``limit`` and nothing else: no ``Link``
header, no total. A server that serves fewer records than asked for must not
end a listing early, and a refresh must never take a cut-short listing for
the whole estate.
"""

from __future__ import annotations

import pytest

from portal.models import Backend, Company, SyncRun
from portal.services import backend_check
from portal.sync import refresh_run
from simulator.testing import SimulatorHandle
from stations.models import Station
from tests.upstream import make_backend

ESTATE_FOR_1000_GF = 2858  # the seed gives GreenFlux 35 % of the estate: int(2858 * 0.35) == 1000


@pytest.fixture
def gf_1000(simulator: SimulatorHandle, company_a: Company) -> Backend:
    simulator.reset(stations=ESTATE_FOR_1000_GF)
    assert len(simulator.store.values("gf_stations")) == 1000
    backend = make_backend(simulator, "greenflux", company_a)
    for entity in ("locations", "templates"):
        assert refresh_run(backend, entity).status == SyncRun.Status.DONE
    return backend


def test_refresh_of_1000_stations_from_pages_capped_at_20_marks_none_removed(
    simulator: SimulatorHandle, gf_1000: Backend
) -> None:
    simulator.set_faults("greenflux", page_cap=1000)
    first = refresh_run(gf_1000, "stations", full=True)
    assert first.status == SyncRun.Status.DONE, first.message
    assert Station.objects.filter(backend=gf_1000, removed_at=None).count() == 1000

    simulator.set_faults("greenflux", page_cap=20)  # the refresher asks for 1000 a page; the server gives 20
    capped = refresh_run(gf_1000, "stations", full=True)
    assert capped.status == SyncRun.Status.DONE, capped.message
    assert capped.rows_seen == 1000
    assert capped.pages == 51  # 50 full pages and the empty one that ends the listing
    assert capped.rows_removed == 0
    assert Station.objects.filter(backend=gf_1000, removed_at=None).count() == 1000


def test_connection_check_counts_every_station_behind_a_page_cap(
    simulator: SimulatorHandle, company_a: Company
) -> None:
    backend = make_backend(simulator, "greenflux", company_a)
    simulator.set_faults("greenflux", page_cap=20)
    expected = len(simulator.store.values("gf_stations"))
    assert expected > 20
    checked = backend_check(backend)
    assert checked.check_ok is True
    assert checked.check_message == f"Connected: {expected} stations visible"
