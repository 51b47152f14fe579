"""The simulator counts every station create request per identity, refused ones included, so that a
client that sends one create twice is seen even when the upstream refused the second (``/_sim/creates``)."""

from __future__ import annotations

import httpx

from simulator.testing import SimulatorHandle

from .test_beenergised import NEW
from .test_greenflux import _new_station


def test_a_greenflux_create_sent_twice_is_counted_twice(simulator: SimulatorHandle, http: httpx.Client,
                                                        gf: dict) -> None:
    assert _new_station(http, gf, csid="TWICE-1").status_code == 201
    assert _new_station(http, gf, csid="TWICE-1").status_code == 409  # refused: one station upstream
    assert _new_station(http, gf, csid="ONCE-1").status_code == 201
    assert _new_station(http, gf, csid="BAD-1", deploy_state="Live").status_code == 400  # refused as invalid
    assert simulator.create_counts("greenflux") == {"TWICE-1": 2, "ONCE-1": 1, "BAD-1": 1}
    assert simulator.create_counts("greenflux", least=2) == {"TWICE-1": 2}
    assert simulator.create_counts("greenflux", prefix="ONCE") == {"ONCE-1": 1}
    simulator.reset()
    assert simulator.create_counts("greenflux") == {}


def test_a_beenergised_create_sent_twice_is_counted_twice(simulator: SimulatorHandle, http: httpx.Client,
                                                          be: dict) -> None:
    url = be["api"] + "/charging_stations/"
    assert http.post(url, json=NEW, headers=be["headers"]).status_code == 201
    assert http.post(url, json=NEW, headers=be["headers"]).status_code == 409
    assert simulator.create_counts("beenergised") == {NEW["chargeBoxIdentity"]: 2}
    assert simulator.create_counts("greenflux") == {}


def test_an_unknown_kind_is_a_404(simulator: SimulatorHandle, http: httpx.Client) -> None:
    assert http.get(f"{simulator.root_url}/_sim/creates/nowhere").status_code == 404
