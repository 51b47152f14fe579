"""Fault injection as a client notices it: 429, 5xx, drops, latency, 401s."""

from __future__ import annotations

import time

import httpx
import pytest


def _gf_get(http, gf):
    return http.get(gf["base"] + "/chargestations", params={"limit": 1}, headers=gf["headers"])


def test_next_429_fails_exactly_n_requests_with_retry_after(simulator, http, gf):
    simulator.set_faults("greenflux", next_429=2, retry_after=7)
    first, second, third = (_gf_get(http, gf) for _ in range(3))
    assert [first.status_code, second.status_code, third.status_code] == [429, 429, 200]
    assert first.headers["Retry-After"] == "7"
    assert first.json()["status_code"] == 2000  # still the OCPI envelope


def test_next_5xx_answers_in_the_vendor_shape(simulator, http, models):
    simulator.set_faults("models", next_5xx=1)
    resp = http.get(models["url"], headers=models["user"])
    assert resp.status_code == 503
    assert resp.json()["status"] == 503 and "Retry-After" in resp.headers
    assert http.get(models["url"], headers=models["user"]).status_code == 200


def test_status_5xx_can_be_chosen(simulator, http, gf):
    simulator.set_faults("greenflux", next_5xx=1, status_5xx=502)
    assert _gf_get(http, gf).status_code == 502


def test_next_drop_closes_the_connection_without_an_answer(simulator, http, gf):
    simulator.set_faults("greenflux", next_drop=1)
    with pytest.raises(httpx.RemoteProtocolError):
        _gf_get(http, gf)
    assert _gf_get(http, gf).status_code == 200


def test_a_dropped_write_is_not_applied(simulator, http, gf):
    location = http.get(gf["base"] + "/locations", headers=gf["headers"]).json()["data"][0]["id"]
    body = {"charge_station_id": "DROPPED-1", "location_id": location, "default_charge_station_tariff_id": "T",
            "deploy_state": "Stock", "evses": [{"connectors": [{"standard": "IEC_62196_T2", "format": "SOCKET",
                                                                "power_type": "AC_3_PHASE", "voltage": 400, "amperage": 32}]}]}
    simulator.set_faults("greenflux", next_drop=1)
    with pytest.raises(httpx.RemoteProtocolError):
        http.post(gf["base"] + "/chargestations", json=body, headers=gf["headers"])
    assert http.get(gf["base"] + "/chargestations/DROPPED-1", headers=gf["headers"]).status_code == 404


def test_next_401_makes_a_valid_token_fail_once(simulator, http, be):
    simulator.set_faults("beenergised", next_401=1)
    url = be["api"] + "/charging_stations/"
    assert http.get(url, headers=be["headers"]).status_code == 401
    assert http.get(url, headers=be["headers"]).status_code == 200


def test_seeded_rates_are_reproducible_and_roughly_right(simulator, http, gf):
    def run() -> list[int]:
        simulator.set_faults("greenflux", rate_429=0.3, rate_5xx=0.2, seed=11)
        return [_gf_get(http, gf).status_code for _ in range(60)]

    first, second = run(), run()
    assert first == second
    assert 8 <= first.count(429) <= 30 and 4 <= first.count(503) <= 22
    assert first.count(200) == 60 - first.count(429) - first.count(503)
    status = simulator.faults_status()["greenflux"]["injected"]
    assert status["429"] == first.count(429) * 2


def test_latency_applies_and_stops(simulator, http, gf):
    simulator.set_faults("greenflux", latency_ms=300)
    started = time.perf_counter()
    _gf_get(http, gf)
    assert time.perf_counter() - started >= 0.3
    simulator.clear_faults()
    started = time.perf_counter()
    _gf_get(http, gf)
    assert time.perf_counter() - started < 0.3


def test_faults_are_per_kind_and_never_hit_control_paths(simulator, http, gf, models):
    simulator.set_faults("greenflux", rate_429=1.0)
    assert _gf_get(http, gf).status_code == 429
    assert http.get(models["url"], headers=models["user"]).status_code == 200
    assert http.get(simulator.root_url + "/_sim/health").status_code == 200
    simulator.clear_faults()
    assert _gf_get(http, gf).status_code == 200


def test_token_endpoint_shares_the_kinds_faults(simulator, http):
    creds = simulator.credentials["beenergised"]
    simulator.set_faults("beenergised", next_429=1)
    resp = http.post(creds["token_url"], params={"grant_type": "client_credentials", "client_id": creds["client_id"],
                                                 "client_secret": creds["client_secret"]})
    assert resp.status_code == 429 and "Retry-After" in resp.headers


def test_patch_changes_only_given_settings_and_bad_settings_are_refused(simulator, http):
    simulator.set_faults("chargeye", latency_ms=5, next_429=3)
    merged = simulator.update_faults("chargeye", next_429=1)
    assert (merged["latency_ms"], merged["next_429"]) == (5, 1)
    replaced = simulator.set_faults("chargeye", next_5xx=1)
    assert (replaced["latency_ms"], replaced["next_429"]) == (0, 0)
    for bad in ({"rate_429": 1.5}, {"next_drop": -1}, {"bogus": 1}, {"status_5xx": 404}):
        resp = http.put(simulator.root_url + "/_sim/faults/chargeye", json=bad)
        assert resp.status_code == 400, bad
    assert http.get(simulator.root_url + "/_sim/faults/nokind").status_code == 404
