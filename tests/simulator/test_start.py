"""The one way to start a simulator (``start_simulator``): in this process or in its own, same answers."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from simulator.ports import free_port
from simulator.testing import start_simulator


def _station_count(sim, http: httpx.Client) -> int:
    headers = {"Authorization": f"Bearer {sim.credentials['greenflux']['token']}"}
    return len(http.get(sim.base_url("greenflux") + "/chargestations", params={"limit": 1000},
                        headers=headers).json()["data"])


def test_own_process_serves_the_same_estate_and_stops(tmp_path: Path):
    log = tmp_path / "simulator.log"
    with httpx.Client(timeout=10) as http:
        here = start_simulator(stations=40, seed=3)
        there = start_simulator(stations=40, seed=3, own_process=True, log=log)
        try:
            assert there.store is None  # its estate is in the child
            assert _station_count(there, http) == _station_count(here, http) > 0
            assert there.initial_seed == here.initial_seed == {"stations": 40, "seed": 3}
        finally:
            here.stop()
            there.stop()
        with pytest.raises(httpx.TransportError):
            http.get(there.root_url + "/_sim/health")
    assert "serving on " + there.root_url in log.read_text()


def test_documents_only_start_hides_what_no_document_gives():
    for own_process in (False, True):
        sim = start_simulator(stations=30, documents_only=True, own_process=own_process)
        try:
            settings = sim.faults_status()["greenflux"]["settings"]
            assert settings["documents_only"] is True and settings["page_cap"] == 20
        finally:
            sim.stop()


def test_a_busy_port_is_refused_and_free_port_keeps_a_free_preference():
    sim = start_simulator(stations=30)
    try:
        assert free_port(sim.port) != sim.port
        with pytest.raises(RuntimeError, match="in use"):
            start_simulator(stations=30, port=sim.port, own_process=True)
    finally:
        sim.stop()
    wanted = free_port()
    assert free_port(wanted) == wanted
