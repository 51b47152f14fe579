"""be.ENERGISED connector against the simulator: JSON:API pages, create, technicians, OAuth2."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any, Callable

import pytest

from upstreams import AuthFailed, Conflict, NotFound, Rejected
from upstreams.beenergised import Address, BeEnergisedConnector, Geolocation, Station


@pytest.fixture
def be(make: Callable[..., Any]) -> BeEnergisedConnector:
    return make("beenergised", page_size=2)


def _new_station(be: BeEnergisedConnector, **overrides: Any) -> Station:
    template = next(be.list_stations().items())
    station = Station(
        label="Test station",
        charge_box_identity=f"TEST-{uuid.uuid4().hex[:10].upper()}",
        model_id=template.model_id or 1,
        company_uuid=template.company_uuid,
        time_zone="Europe/Berlin",
    )
    return replace(station, **overrides)


def test_list_stations_pages_each_station_once(be: BeEnergisedConnector) -> None:
    pages = list(be.list_stations())
    ids = [s.id for p in pages for s in p.items]
    assert len(pages) > 2
    assert len(ids) == len(set(ids)) == pages[0].total
    assert all(s.label and s.charge_box_identity for p in pages for s in p.items)


def test_get_station_matches_list(be: BeEnergisedConnector) -> None:
    listed = next(be.list_stations().items())
    assert listed.id
    assert be.get_station(listed.id) == listed


def test_get_unknown_station_is_not_found(be: BeEnergisedConnector) -> None:
    with pytest.raises(NotFound):
        be.get_station(str(uuid.uuid4()))


def test_create_round_trips(be: BeEnergisedConnector) -> None:
    technician = next(be.list_technicians().items())
    station = _new_station(be, technician_user_id=technician.id, public_display_name="Shown in apps",
                           address=Address(street="Invalidenstraße", house_number="12a", postal_code="10115",
                                           city="Berlin", country_code="DE"),
                           geolocation=Geolocation(52.53, 13.38))
    created = be.create_station(station)
    assert created.id
    assert created.to_payload() == station.to_payload()
    assert created.created_at
    assert be.get_station(created.id) == created


def test_duplicate_charge_box_identity_conflicts(be: BeEnergisedConnector) -> None:
    existing = next(be.list_stations().items())
    with pytest.raises(Conflict) as exc:
        be.create_station(_new_station(be, charge_box_identity=existing.charge_box_identity))
    assert exc.value.status == 409 and exc.value.retryable is False


def test_create_or_adopt_adopts_on_a_422_naming_the_identity(be: BeEnergisedConnector, simulator: Any) -> None:
    station = _new_station(be)
    first = be.create_station(station)
    simulator.set_faults("beenergised", duplicate_status=422)  # the status is undocumented
    assert be.create_or_adopt(station) == first


def test_create_or_adopt_returns_the_identical_existing_station(be: BeEnergisedConnector) -> None:
    station = _new_station(be)
    first = be.create_station(station)
    assert be.create_or_adopt(station) == first  # a replayed create, first answer lost
    with pytest.raises(Conflict) as exc:
        be.create_or_adopt(replace(station, label="different"))
    assert exc.value.current == first


def test_missing_required_field_is_rejected_with_field_message(be: BeEnergisedConnector) -> None:
    with pytest.raises(Rejected) as exc:
        be.create_station(_new_station(be, time_zone=None))
    assert "timeZone" in exc.value.fields and exc.value.fields["timeZone"]
    assert exc.value.status == 422


def test_technician_of_another_company_is_rejected(be: BeEnergisedConnector) -> None:
    with pytest.raises(Rejected) as exc:
        be.create_station(_new_station(be, technician_user_id=987654321))
    assert "technicianUserId" in exc.value.fields


def test_technicians_pages_sorted_once_each(be: BeEnergisedConnector) -> None:
    everyone = be.list_technicians().all()
    pages = list(be.list_technicians(limit=2))
    paged = [t for p in pages for t in p.items]
    assert len(pages) > 1
    assert paged == everyone
    assert len({t.id for t in paged}) == len(paged)
    assert [t.name.lower() for t in paged] == sorted(t.name.lower() for t in paged)
    assert all(isinstance(t.id, int) and t.email for t in paged)


def test_bad_client_secret_is_auth_failed_without_the_secret(make: Callable[..., Any], simulator: Any) -> None:
    creds = dict(simulator.credentials["beenergised"], client_secret="wrong-secret-value-123")
    be = make("beenergised", credentials=creds)
    with pytest.raises(AuthFailed) as exc:
        be.get_station(str(uuid.uuid4()))
    assert "wrong-secret-value-123" not in str(exc.value) and "wrong-secret-value-123" not in repr(exc.value)
    assert exc.value.retryable is False


def test_token_expired_mid_iteration_is_renewed(be: BeEnergisedConnector, simulator: Any) -> None:
    pages = iter(be.list_stations())
    seen = [s.id for s in next(pages).items]
    assert be.http.auth.fetch_count == 1
    simulator.expire_tokens("beenergised")
    for page in pages:
        seen.extend(s.id for s in page.items)
    assert be.http.auth.fetch_count == 2  # renewed once, on the first 401
    assert len(seen) == len(set(seen)) == be.list_stations().all().__len__()


def test_token_renewed_shortly_before_expiry(make: Callable[..., Any]) -> None:
    now = [1000.0]
    be = make("beenergised", clock=lambda: now[0], renew_before=60)
    be.list_technicians().all()
    be.list_technicians().all()
    assert be.http.auth.fetch_count == 1  # cached
    lifetime = be.http.auth.renew_at - 1000.0
    assert lifetime > 0
    now[0] += lifetime - 1  # still inside its life minus the margin
    be.list_technicians().all()
    assert be.http.auth.fetch_count == 1
    now[0] += 2  # inside the renewal margin, before the upstream's expiry
    be.list_technicians().all()
    assert be.http.auth.fetch_count == 2
