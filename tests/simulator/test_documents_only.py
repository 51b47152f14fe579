"""The documents-only mode (issue 24): an upstream that answers only what the vendor documents give."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import httpx

from simulator.testing import SimulatorHandle

from .conftest import be_token


def _soon(hours: int) -> str:
    return (datetime.now(timezone.utc) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_cancelling_a_maintenance_window_is_not_found_and_the_window_stays(
    simulator: SimulatorHandle, http: httpx.Client, be: dict
) -> None:
    station = http.get(be["api"] + "/charging_stations/", headers=be["headers"]).json()["data"][0]["id"]
    made = http.post(be["api"] + "/maintenance_windows/", headers=be["headers"], json={
        "startDate": _soon(2), "endDate": _soon(3), "comment": "Check", "cpUuid": station}).json()["data"]["id"]
    simulator.documents_only()
    token = be_token(simulator, http)  # a token issued under the mode: 30 s
    headers = {"Authorization": f"Bearer {token}"}
    assert http.delete(f"{be['api']}/maintenance_windows/{made}/", headers=headers).status_code == 404
    listed = http.get(be["api"] + "/maintenance_windows/", headers=headers).json()["data"]
    assert [w["id"] for w in listed] == [made]


def test_greenflux_lists_no_location_collection_and_serves_templates_whole_at_the_vendor_path(
    simulator: SimulatorHandle, http: httpx.Client, gf: dict
) -> None:
    assert http.get(gf["base"] + "/locations", headers=gf["headers"]).status_code == 200
    simulator.documents_only()
    assert http.get(gf["base"] + "/locations", headers=gf["headers"]).status_code == 404
    assert http.get(gf["base"] + "/chargestation-templates", headers=gf["headers"]).status_code == 404
    everything = simulator.store.values("gf_templates")
    for offset in (0, 2, 50):
        page = http.get(gf["base"] + "/charge-station-templates", params={"offset": offset, "limit": 2},
                        headers=gf["headers"])
        assert page.status_code == 200
        assert [t["template_id"] for t in page.json()["data"]] == [t["template_id"] for t in everything]
    stations = http.get(gf["base"] + "/chargestations", params={"limit": 100}, headers=gf["headers"]).json()["data"]
    assert len(stations) == 20


def test_the_normal_mode_has_no_vendor_template_path(simulator: SimulatorHandle, http: httpx.Client,
                                                     gf: dict) -> None:
    assert http.get(gf["base"] + "/charge-station-templates", headers=gf["headers"]).status_code == 404
    assert http.get(gf["base"] + "/chargestation-templates", headers=gf["headers"]).status_code == 200


def test_tokens_issued_in_the_mode_expire_after_thirty_seconds(simulator: SimulatorHandle, http: httpx.Client) -> None:
    simulator.documents_only()
    creds = simulator.credentials["beenergised"]
    answer = http.post(creds["token_url"], params={"grant_type": "client_credentials", "client_id": creds["client_id"],
                                                   "client_secret": creds["client_secret"]}).json()
    assert answer["expires_in"] == 30
    assert simulator.faults_status()["chargeye"]["settings"]["token_ttl"] == 30


def test_chargeye_extensions_are_not_found(simulator: SimulatorHandle, http: httpx.Client, ce: dict) -> None:
    location = http.get(ce["base"] + "/locations", headers=ce["headers"]).json()["locations"][0]["id"]
    simulator.documents_only()
    assert http.get(f"{ce['base']}/locations/{location}/stations", headers=ce["headers"]).status_code == 404
    assert http.patch(f"{ce['base']}/locations/{location}", json={"location": {"name": "x"}},
                      headers=ce["headers"]).status_code == 404
    assert http.get(ce["base"] + "/stations", params={"locationUid": location}, headers=ce["headers"]).status_code == 200
