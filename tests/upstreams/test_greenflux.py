"""GreenFlux connector against the simulator: pages, filters, create, PUT/etag, PATCH, templates."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import pytest

from upstreams import Conflict, NotFound, PreconditionRequired, Rejected
from upstreams.greenflux import Connector, Evse, GreenFluxConnector, HardwareTemplate, Station


@pytest.fixture
def gf(make: Callable[..., Any]) -> GreenFluxConnector:
    return make("greenflux", page_size=4)


def _new_station(gf: GreenFluxConnector, **overrides: Any) -> Station:
    location = next(gf.list_locations().items())
    sid = f"CS-TEST-{uuid.uuid4().hex[:8].upper()}"
    station = Station(
        charge_station_id=sid,
        location_id=location.id,
        deploy_state="Stock",
        name="Test station",
        default_charge_station_tariff_id="TARIFF-AC-STD",
        charger_type="Business",
        status="AVAILABLE",
        evses=(
            Evse(
                uid=f"{sid}-1",
                evse_id=f"NL*GFX*E{sid.replace('-', '')}*1",
                status="AVAILABLE",
                capabilities=("RFID_READER",),
                connectors=(Connector(id="1", standard="IEC_62196_T2", format="SOCKET", power_type="AC_3_PHASE",
                                      voltage=400, amperage=32, max_electric_power=22000),),
                evse_sequence_number=1,
            ),
        ),
    )
    return replace(station, **overrides)


def test_list_stations_pages_each_station_once(gf: GreenFluxConnector, simulator: Any) -> None:
    pages = list(gf.list_stations())
    ids = [s.charge_station_id for p in pages for s in p.items]
    assert len(pages) > 2
    assert len(ids) == len(set(ids)) == len(simulator.store.values("gf_stations"))
    assert all(len(p.items) <= 4 for p in pages)
    assert [p.number for p in pages] == list(range(len(pages)))


def test_list_by_location(gf: GreenFluxConnector) -> None:
    first = next(gf.list_stations().items())
    same = gf.list_stations(location_id=first.location_id).all()
    assert first.charge_station_id in {s.charge_station_id for s in same}
    assert {s.location_id for s in same} == {first.location_id}


def test_incremental_read_with_date_from(gf: GreenFluxConnector) -> None:
    everything = gf.list_stations().all()
    since = datetime.now(timezone.utc) - timedelta(seconds=2)
    target = everything[3]
    gf.patch_station(target.charge_station_id, {"name": "Renamed for date_from"})
    changed = gf.list_stations(date_from=since).all()
    assert target.charge_station_id in {s.charge_station_id for s in changed}
    assert len(changed) < len(everything)
    assert all(s.last_updated and s.last_updated >= since.strftime('%Y-%m-%dT%H:%M:%S') for s in changed)


def test_get_station_matches_list(gf: GreenFluxConnector) -> None:
    listed = next(gf.list_stations().items())
    got = gf.get_station(listed.charge_station_id)
    assert got.writable() == listed.writable()
    assert got.evses and got.evses[0].connectors


def test_get_unknown_station_is_not_found(gf: GreenFluxConnector) -> None:
    with pytest.raises(NotFound) as exc:
        gf.get_station("NO-SUCH-STATION")
    assert exc.value.retryable is False


def test_create_manual_evses_round_trips(gf: GreenFluxConnector) -> None:
    station = _new_station(gf)
    created = gf.create_station(station)
    assert created.writable() == station.writable()
    assert created.etag is None  # etags appear only after the first update
    assert gf.get_station(station.charge_station_id).writable() == station.writable()


def test_create_from_template(gf: GreenFluxConnector) -> None:
    template = next(gf.list_templates().items())
    station = _new_station(gf, evses=(), charge_station_template_id=template.template_id)
    created = gf.create_station(station)
    assert created.charge_station_template_id == template.template_id
    assert len(created.evses) == len(template.evse_templates) > 0


def test_create_bad_payload_is_rejected_with_field_message(gf: GreenFluxConnector) -> None:
    station = _new_station(gf, deploy_state="Flying")
    with pytest.raises(Rejected) as exc:
        gf.create_station(station)
    assert "deploy_state" in exc.value.fields
    assert exc.value.fields["deploy_state"]
    assert exc.value.retryable is False


def test_put_with_etag_then_stale_etag_conflicts(gf: GreenFluxConnector, simulator: Any) -> None:
    created = gf.create_station(_new_station(gf))
    patched = gf.patch_station(created.charge_station_id, {"name": "first edit"})  # PATCH: no etag needed
    assert patched.name == "first edit" and patched.etag

    updated = gf.update_station(replace(patched, name="second edit"))
    assert updated.name == "second edit" and updated.etag != patched.etag

    simulator.touch_station(created.charge_station_id)  # someone else edits it
    current = gf.get_station(created.charge_station_id)
    with pytest.raises(Conflict) as exc:
        gf.update_station(replace(updated, name="third edit"))
    assert isinstance(exc.value.current, Station)
    assert exc.value.current.etag == current.etag != updated.etag
    assert exc.value.current.name == current.name
    assert gf.get_station(created.charge_station_id).name != "third edit"


def test_put_clears_omitted_optional_fields(gf: GreenFluxConnector) -> None:
    created = gf.create_station(_new_station(gf))
    patched = gf.patch_station(created.charge_station_id, {"charger_type": "Public"})
    updated = gf.update_station(replace(patched, charger_type=None, name=None))
    assert updated.charger_type is None and updated.name is None


def test_put_without_etag_requires_precondition(gf: GreenFluxConnector) -> None:
    created = gf.create_station(_new_station(gf))
    with pytest.raises(PreconditionRequired):
        gf.update_station(replace(created, name="no etag"))  # a new station has no etag yet


def test_patch_changes_only_given_fields(gf: GreenFluxConnector) -> None:
    station = next(gf.list_stations().items())
    patched = gf.patch_station(station.charge_station_id, {"name": "Patched name"})
    assert patched.name == "Patched name"
    assert replace(patched, name=station.name).writable() == station.writable()
    with pytest.raises(ValueError):
        gf.patch_station(station.charge_station_id, {"etag": "x"})


def test_templates_list_and_create(gf: GreenFluxConnector) -> None:
    before = gf.list_templates().all()
    existing = before[0]
    new = HardwareTemplate(template_id=f"TPL-{uuid.uuid4().hex[:6]}", name="Test template",
                           evse_templates=existing.evse_templates)
    created = gf.create_template(new)
    assert created.template_id == new.template_id and created.name == "Test template"
    after = {t.template_id for t in gf.list_templates().items()}
    assert after == {t.template_id for t in before} | {new.template_id}


def test_locations_list(gf: GreenFluxConnector) -> None:
    locations = gf.list_locations().all()
    assert locations and len({loc.id for loc in locations}) == len(locations)
    station_locations = {s.location_id for s in gf.list_stations().items()}
    assert station_locations <= {loc.id for loc in locations}
