"""Paging that ends only on the documents' signals, and the removal brake (issue 11, finding 1).

GreenFlux documents ``offset`` and ``limit`` and nothing else: no ``Link``
header, no total. A server that serves fewer records than asked for must not
end a listing early, and a refresh must never take a cut-short listing for
the whole estate.
"""

from __future__ import annotations

import pytest

from portal.models import Backend, Company, SyncRun
from portal.services import backend_check
from sync.engine import refresh_run
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
    templates = len(simulator.store.values("gf_templates"))
    locations = len(simulator.store.values("gf_locations"))
    assert checked.check_message == (
        f"Connected: {expected} stations visible; {templates} hardware templates at "
        f"{backend.base_url}/chargestation-templates; {locations} locations at {backend.base_url}/locations")


def test_a_listing_missing_30_percent_of_1000_stations_triggers_the_removal_brake(
    simulator: SimulatorHandle, gf_1000: Backend
) -> None:
    from portal.models import RemovalHold

    assert refresh_run(gf_1000, "stations", full=True).status == SyncRun.Status.DONE
    simulator.set_faults("greenflux", page_cap=20)
    gone = simulator.decommission_stations(share=0.3)
    assert len(gone) == 300

    run = refresh_run(gf_1000, "stations", full=True)
    assert run.status == SyncRun.Status.DONE, run.message
    assert run.rows_seen == 700 and run.rows_removed == 0
    assert "Removal brake: 300 of 1000" in run.message
    assert Station.objects.filter(backend=gf_1000, removed_at=None).count() == 1000  # nothing removed yet
    hold = RemovalHold.objects.get(backend=gf_1000, entity="stations", status=RemovalHold.Status.PENDING)
    assert sorted(r["upstream_id"] for r in hold.rows) == sorted(gone)
    assert hold.of_rows == 1000


def test_removals_under_the_brake_share_are_marked_at_once(simulator: SimulatorHandle, gf_1000: Backend) -> None:
    from portal.models import RemovalHold

    assert refresh_run(gf_1000, "stations", full=True).status == SyncRun.Status.DONE
    gone = simulator.decommission_stations(share=0.05)
    run = refresh_run(gf_1000, "stations", full=True)
    assert run.rows_removed == len(gone) == 50
    assert not RemovalHold.objects.filter(backend=gf_1000).exists()
    assert set(Station.objects.filter(backend=gf_1000).exclude(removed_at=None)
               .values_list("upstream_id", flat=True)) == set(gone)
