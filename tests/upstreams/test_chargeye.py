"""ChargEye connector against the simulator: refresh-token auth, token pages, locations, network."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any, Callable

import pytest

from upstreams import AuthFailed, NotFound, Rejected
from upstreams.chargeye import ChargEyeConnector
from upstreams.chargeye_types import Label, Location


@pytest.fixture
def ce(make: Callable[..., Any]) -> ChargEyeConnector:
    return make("chargeye", page_size=3)


def _new_location(**overrides: Any) -> Location:
    loc = Location(
        name=f"Test depot {uuid.uuid4().hex[:6]}",
        address="Teollisuuskatu 1",
        city="Helsinki",
        postal_code="00510",
        country="Finland",
        country_code="FI",
        lat=60.19,
        lng=24.95,
        location_id=f"ext-{uuid.uuid4().hex[:6]}",
        labels=(Label("fleet"),),
    )
    return replace(loc, **overrides)


def test_locations_pages_each_once(ce: ChargEyeConnector) -> None:
    pages = list(ce.list_locations())
    ids = [loc.id for p in pages for loc in p.items]
    assert len(pages) > 1
    assert len(ids) == len(set(ids))
    assert all(p.next for p in pages[:-1]) and pages[-1].next is None


def test_get_matches_list(ce: ChargEyeConnector) -> None:
    listed = next(ce.list_locations().items())
    assert ce.get_location(listed.id) == listed


def test_get_unknown_is_not_found(ce: ChargEyeConnector) -> None:
    with pytest.raises(NotFound):
        ce.get_location("no-such-location")


def test_create_and_update(ce: ChargEyeConnector) -> None:
    new = _new_location()
    created = ce.create_location(new)
    assert created.id
    assert replace(created, id=None, tenant_ids=(), tenant_id_cpo=None, tenant_id_emsp=None,
                   tenant_id_maintenance=None, labels=new.labels) == new
    updated = ce.update_location(created.id, {"name": "Renamed depot"})
    assert updated.name == "Renamed depot" and updated.city == created.city  # partial update
    assert ce.get_location(created.id).name == "Renamed depot"


def test_bad_postal_code_is_rejected_with_field_message(ce: ChargEyeConnector) -> None:
    with pytest.raises(Rejected) as exc:
        ce.create_location(_new_location(postal_code="12345678901"))
    assert any("postalCode" in f for f in exc.value.fields), exc.value.fields


def test_stations_of_location(ce: ChargEyeConnector) -> None:
    for loc in ce.list_locations().items():
        stations = ce.stations_of_location(loc.id)
        if stations:
            break
    else:
        pytest.fail("no location with stations")
    assert all(s.station_id and s.location_uid in (loc.id, None) for s in stations)
    one = ce.stations_of_location(loc.id, station_ids=[stations[0].station_id])
    assert [s.station_id for s in one] == [stations[0].station_id]


def test_network_status_and_power(ce: ChargEyeConnector) -> None:
    status = ce.network_status().all()
    assert status and len({loc.id for loc in status}) == len(status)
    assert any(loc.stations and loc.stations[0].evses for loc in status)
    power = ce.current_power()
    assert power and all(p.current_power_kw >= 0 for p in power)
    subset = ce.current_power([power[0].location_uid])
    assert [p.location_uid for p in subset] == [power[0].location_uid]


def test_errors_sessions_transactions(ce: ChargEyeConnector) -> None:
    errors = ce.hardware_errors().all()
    assert all(e.station_id for e in errors)
    sessions = ce.problematic_sessions().all()
    assert all(s.status for s in sessions)
    txs = ce.transactions().all()
    assert txs and len({t.tx_id for t in txs}) == len(txs)
    from datetime import datetime, timedelta, timezone

    recent = ce.transactions(since=datetime.now(timezone.utc) - timedelta(hours=1)).all()
    assert {t.tx_id for t in recent} <= {t.tx_id for t in txs}


def test_token_expired_mid_iteration_is_renewed(ce: ChargEyeConnector, simulator: Any) -> None:
    pages = iter(ce.list_locations())
    seen = [loc.id for loc in next(pages).items]
    simulator.expire_tokens("chargeye")
    for page in pages:
        seen.extend(loc.id for loc in page.items)
    assert ce.http.auth.fetch_count == 2
    assert len(seen) == len(set(seen)) == len(ce.list_locations().all())


def test_token_renewed_before_valid_until(make: Callable[..., Any]) -> None:
    now = [0.0]
    ce = make("chargeye", clock=lambda: now[0], renew_before=60)
    ce.current_power()
    lifetime = ce.http.auth.renew_at
    assert 3600 < lifetime <= 8 * 3600  # about eight hours, minus the margin
    now[0] = lifetime - 1
    ce.current_power()
    assert ce.http.auth.fetch_count == 1
    now[0] = lifetime
    ce.current_power()
    assert ce.http.auth.fetch_count == 2


def test_bad_refresh_token_is_auth_failed(make: Callable[..., Any]) -> None:
    ce = make("chargeye", credentials={"refresh_token": "not-a-real-refresh-token"})
    with pytest.raises(AuthFailed) as exc:
        ce.current_power()
    assert "not-a-real-refresh-token" not in str(exc.value)
