"""ChargEye locations, stations and network figures over HTTP."""

from __future__ import annotations

import pytest

from simulator import live

NEW = {"name": "Depot Noord", "address": "Stationsplein 1", "city": "Zwolle", "postalCode": "8011 CW", "country": "Netherlands",
       "countryCode": "NL", "lat": 52.505, "lng": 6.091}


def _walk(http, ce, path, key, limit):
    items, pages, token = [], 0, None
    while True:
        params = {"limit": limit, **({"paginationToken": token} if token else {})}
        resp = http.get(ce["base"] + path, params=params, headers=ce["headers"])
        assert resp.status_code == 200, resp.text
        items += resp.json()[key]
        pages += 1
        token = resp.json()["paginationToken"]
        if not token:
            return items, pages


def test_locations_walk_every_location_once(simulator, http, ce):
    items, pages = _walk(http, ce, "/locations", "locations", 5)
    ids = [loc["id"] for loc in items]
    assert len(ids) == len(set(ids)) == simulator.store.count("ce_locations") > 5
    assert pages == -(-len(ids) // 5)
    assert {"tenantIdCPO", "tenantIds", "positionEstimate", "labels", "countryCode"} <= set(items[0])


def test_bad_pagination_token_is_a_400(http, ce):
    resp = http.get(ce["base"] + "/locations", params={"paginationToken": "!!"}, headers=ce["headers"])
    assert resp.status_code == 400


def test_create_location_moves_the_given_station(http, ce):
    station = http.get(ce["base"] + "/stations", headers=ce["headers"]).json()["stations"][0]
    resp = http.post(ce["base"] + "/locations", json={"location": NEW, "stationId": station["stationId"]}, headers=ce["headers"])
    assert resp.status_code == 201, resp.text
    assert resp.json()["success"] is True
    new_id = resp.json()["id"]
    got = http.get(f"{ce['base']}/locations/{new_id}", headers=ce["headers"]).json()["location"]
    assert (got["name"], got["postalCode"], got["lat"]) == ("Depot Noord", "8011 CW", 52.505)
    assert got["tenantIdCPO"] == station["tenantIdCPO"]
    at_new = http.get(f"{ce['base']}/locations/{new_id}/stations", headers=ce["headers"]).json()["stations"]
    assert [s["stationId"] for s in at_new] == [station["stationId"]]


@pytest.mark.parametrize("change, pointer", [
    ({"countryCode": "ZZ"}, "/location/countryCode"),
    ({"countryCode": "nl"}, "/location/countryCode"),
    ({"countryCode": "NLD"}, "/location/countryCode"),
    ({"postalCode": "12345678901"}, "/location/postalCode"),
    ({"lat": 90.5}, "/location/lat"),
    ({"lng": -180.5}, "/location/lng"),
    ({"name": None}, "/location/name"),
])
def test_create_validation_names_the_field(http, ce, change, pointer):
    resp = http.post(ce["base"] + "/locations", json={"location": {**NEW, **change}}, headers=ce["headers"])
    assert resp.status_code == 400
    assert [e["pointer"] for e in resp.json()["errors"]] == [pointer]


def test_unknown_station_id_on_create_is_refused(http, ce):
    resp = http.post(ce["base"] + "/locations", json={"location": NEW, "stationId": "nope"}, headers=ce["headers"])
    assert resp.status_code == 400
    assert resp.json()["errors"][0]["pointer"] == "/stationId"


def test_update_changes_only_given_fields(http, ce):
    loc = http.get(ce["base"] + "/locations", params={"limit": 1}, headers=ce["headers"]).json()["locations"][0]
    resp = http.put(f"{ce['base']}/locations/{loc['id']}", json={"location": {"name": "Renamed depot"}}, headers=ce["headers"])
    assert resp.json() == {"success": True}
    after = http.get(f"{ce['base']}/locations/{loc['id']}", headers=ce["headers"]).json()["location"]
    assert after == {**loc, "name": "Renamed depot"}
    bad = http.put(f"{ce['base']}/locations/{loc['id']}", json={"location": {"postalCode": "x" * 11}}, headers=ce["headers"])
    assert bad.status_code == 400
    assert http.put(f"{ce['base']}/locations/nope", json={"location": {"name": "x"}}, headers=ce["headers"]).status_code == 404


def test_stations_filter_by_ids_and_location(http, ce):
    all_stations = http.get(ce["base"] + "/stations", headers=ce["headers"]).json()["stations"]
    wanted = [all_stations[0]["stationId"], all_stations[2]["stationId"]]
    got = http.get(ce["base"] + "/stations", params={"stationIds": ",".join(wanted)}, headers=ce["headers"]).json()["stations"]
    assert [s["stationId"] for s in got] == wanted
    loc = all_stations[0]["locationUid"]
    at = http.get(ce["base"] + "/stations", params={"locationUid": loc}, headers=ce["headers"]).json()["stations"]
    assert at and {s["locationUid"] for s in at} == {loc}
    station = got[0]
    assert {"status", "maxPowerKw", "currentPowerKw", "currentPowerA", "acDcPowerRatio", "location", "connectors"} <= set(station)
    assert {"connectorId", "name", "status", "type", "maxPowerKw", "maxPowerKwActual", "latestTransaction"} <= set(station["connectors"][0])
    assert station["currentPowerKw"] <= station["maxPowerKw"] * len(station["connectors"])


def test_network_endpoints_answer_documented_shapes(http, ce):
    status, _ = _walk(http, ce, "/network/status", "locations", 4)
    assert {"address", "city", "id", "lat", "lng", "name", "positionConfidence", "stations"} <= set(status[0])
    power = http.get(ce["base"] + "/network/power", headers=ce["headers"]).json()["locations"]
    assert len(power) == len(status) and {"currentPowerKw", "locationUid", "sessionCount"} == set(power[0])
    txs, _ = _walk(http, ce, "/network/transactions", "transactions", 20)
    assert txs and len({t["txId"] for t in txs}) == len(txs)
    assert {"txId", "evseId", "startTime", "endTime", "status", "powerKw", "soc", "socStart", "locationUid"} <= set(txs[0])
    sessions, _ = _walk(http, ce, "/network/sessions", "sessions", 20)
    assert all(s["status"] == "Alarm" for s in sessions)
    errors = http.get(ce["base"] + "/network/errors", params={"from": "2025-01-01T00:00:00Z"}, headers=ce["headers"]).json()
    assert errors["errors"] and {"alert", "error", "stationId", "timestamp"} == set(errors["errors"][0])


def test_power_of_a_session_changes_over_time():
    # Find a session and read its power at several moments: a live figure.
    session = next(s for k in range(200) if (s := live.session_in_slot("KP2200000", 1, 480000 + k)) is not None)
    readings = {session.power_kw(150.0, session.start + f * (session.end - session.start)) for f in (0.05, 0.3, 0.7, 0.95)}
    assert len(readings) >= 3
    assert session.power_kw(150.0, session.end + 1) == 0.0
