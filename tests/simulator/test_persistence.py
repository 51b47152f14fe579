"""State survives a restart with a state file; memory-only state does not; seeds are deterministic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from simulator.seed import COMPANIES, COMPANY_A, COMPANY_B, build_estate
from simulator.testing import start_simulator

STATION = {"charge_station_id": "PERSIST-1", "default_charge_station_tariff_id": "TARIFF-AC-STD", "deploy_state": "Stock",
           "evses": [{"connectors": [{"standard": "IEC_62196_T2", "format": "SOCKET", "power_type": "AC_3_PHASE",
                                      "voltage": 400, "amperage": 32}]}]}


def _create(sim, http):
    headers = {"Authorization": f"Bearer {sim.credentials['greenflux']['token']}"}
    base = sim.base_url("greenflux")
    location = http.get(base + "/locations", headers=headers).json()["data"][0]["id"]
    resp = http.post(base + "/chargestations", json={**STATION, "location_id": location}, headers=headers)
    assert resp.status_code == 201
    patched = http.patch(base + "/chargestations/PERSIST-1", json={"name": "kept"}, headers=headers)
    return patched.json()["data"]


def _get(sim, http):
    headers = {"Authorization": f"Bearer {sim.credentials['greenflux']['token']}"}
    return http.get(sim.base_url("greenflux") + "/chargestations/PERSIST-1", headers=headers)


def test_restart_with_the_same_state_file_keeps_writes_and_tokens(tmp_path: Path):
    path = tmp_path / "sim.sqlite3"
    with httpx.Client(timeout=10) as http:
        sim = start_simulator(state_path=path, stations=30)
        created = _create(sim, http)
        order_before = [s["charge_station_id"] for s in sim.store.values("gf_stations")]
        creds = sim.credentials["beenergised"]
        token = http.post(creds["token_url"], params={"grant_type": "client_credentials", "client_id": creds["client_id"],
                                                      "client_secret": creds["client_secret"]}).json()["access_token"]
        sim.stop()
        sim = start_simulator(state_path=path, stations=999)  # an existing file wins over the seed size
        try:
            resp = _get(sim, http)
            assert resp.status_code == 200
            assert resp.json()["data"]["etag"] == created["etag"] and resp.json()["data"]["name"] == "kept"
            assert [s["charge_station_id"] for s in sim.store.values("gf_stations")] == order_before
            stations_url = sim.base_url("beenergised") + "/api/cpoapi/v1/charging_stations/"
            assert http.get(stations_url, headers={"Authorization": f"Bearer {token}"}).status_code == 200
        finally:
            sim.stop()


def test_memory_only_state_starts_fresh(simulator, http):
    _create(simulator, http)
    other = start_simulator(stations=30)
    try:
        assert _get(other, http).status_code == 404
    finally:
        other.stop()


def test_reset_goes_back_to_the_seeded_estate(simulator, http):
    _create(simulator, http)
    simulator.reset()
    assert _get(simulator, http).status_code == 404


def test_cli_seed_writes_a_state_file_the_server_loads(tmp_path: Path):
    path = tmp_path / "seeded.sqlite3"
    done = subprocess.run([sys.executable, "-m", "simulator", "seed", "--stations", "50", "--state", str(path)],
                          capture_output=True, text=True, timeout=60, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    sim = start_simulator(state_path=path)
    try:
        total = sum(sim.store.count(c) for c in ("be_stations", "gf_stations", "ce_stations"))
        assert total == 50
    finally:
        sim.stop()


def test_estate_is_deterministic_and_spread_over_kinds():
    first, _ = build_estate(300, 7)
    second, _ = build_estate(300, 7)
    other, _ = build_estate(300, 8)
    assert first == second
    assert first["gf_stations"] != other["gf_stations"]
    counts = {k: len(first[k]) for k in ("be_stations", "gf_stations", "ce_stations")}
    assert counts == {"be_stations": 120, "gf_stations": 105, "ce_stations": 75}
    assert len(first["gf_locations"]) + len(first["ce_locations"]) >= 24
    assert first["companies"][0][0] == COMPANY_A == COMPANIES[0]["uuid"]
    assert first["companies"][1][0] == COMPANY_B
    vendors = {m["vendor"] for _, m in first["models"]}
    assert {"Alfen", "ABB", "Kempower", "Wallbox", "Easee", "Zaptec", "Tritium", "Autel"} <= vendors
    cbis = [s["chargeBoxIdentity"] for _, s in first["be_stations"]]
    assert len(cbis) == len(set(cbis))
