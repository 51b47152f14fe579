"""Property: a random station either round-trips through create and get, or is
rejected with a field message; never a crash or another exception."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from upstreams import Rejected
from upstreams.beenergised import Address, Geolocation, Station as BeStation
from upstreams.greenflux import Connector, DisplayText, Evse, Station as GfStation

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Mostly valid values, sometimes not: both outcomes must be handled.
text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=30)
short = st.one_of(st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-", min_size=1, max_size=20), text)
maybe = lambda s: st.one_of(st.none(), s)  # noqa: E731


def rarely(valid: list[Any], invalid: Any) -> st.SearchStrategy[Any]:
    """A valid value mostly, the invalid one about one time in eight."""
    return st.sampled_from([*valid * max(1, 7 // len(valid)), invalid])


def _connector() -> st.SearchStrategy[Connector]:
    return st.builds(
        Connector,
        id=st.sampled_from(["1", "2", "3"]),
        standard=rarely(["IEC_62196_T2", "IEC_62196_T2_COMBO", "CHADEMO", "DOMESTIC_F"], "NOT_A_PLUG"),
        format=rarely(["SOCKET", "CABLE"], "ROUND"),
        power_type=rarely(["AC_1_PHASE", "AC_3_PHASE", "DC"], "AC_4_PHASE"),
        voltage=st.one_of(st.integers(-1, 1500), rarely([230], None)),
        amperage=st.one_of(st.integers(-1, 600), rarely([32], None)),
        max_electric_power=maybe(st.integers(-1, 400_000)),
        tariff_id=maybe(short),
    )


def _evse(n: int) -> st.SearchStrategy[Evse]:
    return st.builds(
        Evse,
        uid=st.just(f"EVSE-{n}-{uuid.uuid4().hex[:6]}"),
        evse_id=maybe(st.just(f"NL*GFX*E{uuid.uuid4().hex[:8].upper()}*{n}")),
        status=rarely(["AVAILABLE", "CHARGING", "OUTOFORDER"], "SLEEPING"),
        capabilities=st.lists(st.sampled_from(["RFID_READER", "CREDIT_CARD_PAYABLE", "REMOTE_START_STOP_CAPABLE"]),
                              unique=True, max_size=3).map(tuple),
        connectors=st.lists(_connector(), min_size=1, max_size=2, unique_by=lambda c: c.id).map(tuple),
        floor_level=maybe(st.text("0123456789-", max_size=3)),
        physical_reference=maybe(short),
        directions=st.lists(st.builds(DisplayText, language=st.sampled_from(["en", "nl"]), text=text), max_size=1).map(tuple),
        parking_restrictions=st.lists(st.sampled_from(["EV_ONLY", "CUSTOMERS"]), unique=True, max_size=2).map(tuple),
        evse_sequence_number=maybe(st.just(n)),
    )


@st.composite
def gf_stations(draw: st.DrawFn, location_ids: list[str]) -> GfStation:
    count = draw(rarely([1, 2, 3], 0))  # no EVSE at all must be rejected
    return GfStation(
        charge_station_id=f"PBT-{uuid.uuid4().hex[:10].upper()}",
        location_id=draw(rarely(location_ids, "NO-SUCH-LOCATION")),
        deploy_state=draw(rarely(["Stock", "Production", "Deprecated"], "Scrapped")),
        name=draw(maybe(text)),
        default_charge_station_tariff_id=draw(rarely(["TARIFF-AC-STD", "TARIFF-DC-FAST"], None)),
        charger_type=draw(maybe(rarely(["Public", "Home", "Business"], "Garage"))),
        contactless_type=draw(maybe(st.sampled_from(["Payter", "Nayax"]))),
        evses=tuple(draw(_evse(n + 1)) for n in range(count)),
    )


def _assert_sent_values_kept(sent: Any, got: Any, path: str = "") -> None:
    """Every value the client sent comes back unchanged; a value it left out
    may be filled in by the upstream (a generated evse_id, a default status)."""
    if isinstance(sent, dict):
        assert isinstance(got, dict), path
        for key, value in sent.items():
            _assert_sent_values_kept(value, got.get(key), f"{path}.{key}")
    elif isinstance(sent, list):
        assert isinstance(got, list) and len(got) == len(sent), path
        for i, (a, b) in enumerate(zip(sent, got)):
            _assert_sent_values_kept(a, b, f"{path}[{i}]")
    else:
        assert got == sent, f"{path}: sent {sent!r}, got {got!r}"


def _assert_field_message(exc: Rejected) -> None:
    assert exc.fields, f"rejected without a field message: {exc}"
    assert all(isinstance(k, str) and k and isinstance(v, str) and v for k, v in exc.fields.items())


def test_greenflux_station_round_trip_or_field_rejection(make: Callable[..., Any]) -> None:
    gf = make("greenflux", max_attempts=1)
    location_ids = [loc.id for loc in gf.list_locations().items()][:3]
    outcomes: dict[str, int] = {"created": 0, "rejected": 0}
    reasons: dict[str, str] = {}

    @SETTINGS
    @given(station=gf_stations(location_ids))
    def check(station: GfStation) -> None:
        try:
            created = gf.create_station(station)
        except Rejected as exc:
            _assert_field_message(exc)
            outcomes["rejected"] += 1
            reasons.update(exc.fields)
            return
        outcomes["created"] += 1
        _assert_sent_values_kept(station.to_payload(), created.to_payload())
        assert gf.get_station(station.charge_station_id) == created

    check()
    assert outcomes["created"] and outcomes["rejected"], (outcomes, reasons)


@st.composite
def be_stations(draw: st.DrawFn, company: str, technician_ids: list[int]) -> BeStation:
    return BeStation(
        label=draw(st.one_of(short, rarely(["Depot 1"], "  "))),
        charge_box_identity=draw(rarely([f"PBT-{uuid.uuid4().hex[:10]}"], "")),
        model_id=draw(st.one_of(st.integers(1, 40), rarely([1], 0))),
        company_uuid=draw(rarely([company], "another-company")),
        time_zone=draw(rarely(["Europe/Berlin", "Europe/Amsterdam", "UTC"], "Mars/Olympus")),
        public_display_name=draw(maybe(text)),
        iccid=draw(maybe(st.text("0123456789", min_size=1, max_size=20))),
        imsi=draw(maybe(st.text("0123456789", min_size=1, max_size=15))),
        serialnumber=draw(maybe(short)),
        technician_user_id=draw(maybe(rarely(technician_ids, 999_999))),
        address=draw(maybe(st.builds(Address, street=maybe(text), house_number=maybe(short),
                                     postal_code=maybe(short), city=maybe(text), country_code=maybe(st.just("DE"))))),
        geolocation=draw(maybe(st.builds(Geolocation, latitude=st.floats(-95, 95, allow_nan=False),
                                         longitude=st.floats(-185, 185, allow_nan=False)))),
    )


def test_beenergised_station_round_trip_or_field_rejection(make: Callable[..., Any]) -> None:
    be = make("beenergised", max_attempts=1)
    company = next(be.list_stations().items()).company_uuid
    technician_ids = [t.id for t in be.list_technicians().items()][:3]
    outcomes: dict[str, int] = {"created": 0, "rejected": 0}

    @SETTINGS
    @given(station=be_stations(company, technician_ids))
    def check(station: BeStation) -> None:
        try:
            created = be.create_station(station)
        except Rejected as exc:
            _assert_field_message(exc)
            outcomes["rejected"] += 1
            return
        outcomes["created"] += 1
        assert created.to_payload() == station.to_payload()
        assert be.get_station(created.id) == created

    check()
    assert outcomes["created"] and outcomes["rejected"], outcomes
