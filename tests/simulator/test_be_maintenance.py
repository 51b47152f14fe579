"""be.ENERGISED maintenance windows over HTTP: as strict as fact F3 of docs/upstream-contract.md, our choices where it is silent."""

from __future__ import annotations

import time

from simulator.common import iso_seconds

from .conftest import be_token


def _stations(be, http, n=2):
    body = http.get(be["api"] + "/charging_stations/", params={"page[limit]": n}, headers=be["headers"]).json()
    return body["data"]


def _window(station, start_in=3600, length=7200, **extra):
    now = time.time()
    return {"startDate": iso_seconds(now + start_in), "endDate": iso_seconds(now + start_in + length),
            "comment": "Firmware update", "cpUuid": station["id"], **extra}


def _errors(resp):
    return {e["source"]["pointer"].rsplit("/", 1)[-1]: e["detail"] for e in resp.json()["errors"]}


def test_create_then_list_per_station_and_globally(be, http):
    station, other = _stations(be, http)
    connector = station["attributes"]["connectors"][0]["uuid"]
    resp = http.post(be["api"] + "/maintenance_windows/", json=_window(station, connectorUuid=connector),
                     headers=be["headers"])
    assert resp.status_code == 201, resp.text
    created = resp.json()["data"]
    assert created["type"] == "maintenance_windows"
    assert created["attributes"]["connectorUuid"] == connector
    http.post(be["api"] + "/maintenance_windows/", json=_window(other, start_in=86400 * 3), headers=be["headers"])

    mine = http.get(be["api"] + f"/charging_stations/{station['id']}/maintenance_windows/", headers=be["headers"])
    assert [w["id"] for w in mine.json()["data"]] == [created["id"]]
    everything = http.get(be["api"] + "/maintenance_windows/", headers=be["headers"]).json()
    assert everything["meta"]["pagination"]["total"] == 2


def test_date_filters_select_windows_overlapping_the_range(be, http):
    station = _stations(be, http, 1)[0]
    made = {}
    for start_in in (3600, 86400 * 2, 86400 * 10):
        resp = http.post(be["api"] + "/maintenance_windows/", json=_window(station, start_in=start_in),
                         headers=be["headers"])
        assert resp.status_code == 201
        made[start_in] = resp.json()["data"]["id"]
    now = time.time()
    resp = http.get(be["api"] + "/maintenance_windows/", headers=be["headers"], params={
        "filter[startDate]": iso_seconds(now + 86400), "filter[endDate]": iso_seconds(now + 86400 * 5)})
    assert resp.status_code == 200
    assert [w["id"] for w in resp.json()["data"]] == [made[86400 * 2]]
    # Inside a running window: "now" as both bounds finds it.
    at = iso_seconds(now + 3600 + 60)
    running = http.get(be["api"] + "/maintenance_windows/", headers=be["headers"],
                       params={"filter[startDate]": at, "filter[endDate]": at}).json()["data"]
    assert [w["id"] for w in running] == [made[3600]]
    bad = http.get(be["api"] + "/maintenance_windows/", headers=be["headers"], params={"filter[startDate]": "soon"})
    assert bad.status_code == 400


def test_refuses_the_past_an_end_before_the_start_and_a_foreign_connector(be, http):
    station, other = _stations(be, http)
    past = http.post(be["api"] + "/maintenance_windows/", json=_window(station, start_in=-60), headers=be["headers"])
    assert past.status_code == 422 and "past" in _errors(past)["startDate"]
    backwards = http.post(be["api"] + "/maintenance_windows/", json=_window(station, length=-600),
                          headers=be["headers"])
    assert backwards.status_code == 422 and "endDate" in _errors(backwards)
    foreign = other["attributes"]["connectors"][0]["uuid"]
    wrong = http.post(be["api"] + "/maintenance_windows/", json=_window(station, connectorUuid=foreign),
                      headers=be["headers"])
    assert wrong.status_code == 422 and "connectorUuid" in _errors(wrong)
    missing = http.post(be["api"] + "/maintenance_windows/", json={"startDate": _window(station)["startDate"]},
                        headers=be["headers"])
    assert {"endDate", "comment", "cpUuid"} <= set(_errors(missing))
    assert http.get(be["api"] + "/maintenance_windows/", headers=be["headers"]).json()["data"] == []


def test_overlaps_are_accepted(be, http):
    station = _stations(be, http, 1)[0]
    for _ in range(2):
        assert http.post(be["api"] + "/maintenance_windows/", json=_window(station),
                         headers=be["headers"]).status_code == 201


def test_another_company_cannot_see_or_use_the_station(simulator, be, http):
    station = _stations(be, http, 1)[0]
    created = http.post(be["api"] + "/maintenance_windows/", json=_window(station), headers=be["headers"]).json()
    theirs = {"Authorization": f"Bearer {be_token(simulator, http, 1)}"}
    assert http.get(be["api"] + "/maintenance_windows/", headers=theirs).json()["data"] == []
    assert http.get(be["api"] + f"/charging_stations/{station['id']}/maintenance_windows/",
                    headers=theirs).status_code == 404
    refused = http.post(be["api"] + "/maintenance_windows/", json=_window(station), headers=theirs)
    assert refused.status_code == 422 and "cpUuid" in _errors(refused)
    assert http.delete(be["api"] + f"/maintenance_windows/{created['data']['id']}/", headers=theirs).status_code == 404


def test_cancel_is_a_delete_once(be, http):
    station = _stations(be, http, 1)[0]
    wid = http.post(be["api"] + "/maintenance_windows/", json=_window(station), headers=be["headers"]).json()["data"]["id"]
    assert http.delete(be["api"] + f"/maintenance_windows/{wid}/", headers=be["headers"]).status_code == 204
    assert http.delete(be["api"] + f"/maintenance_windows/{wid}/", headers=be["headers"]).status_code == 404
    assert http.get(be["api"] + "/maintenance_windows/", headers=be["headers"]).json()["data"] == []
