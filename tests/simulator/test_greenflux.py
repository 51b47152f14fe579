"""GreenFlux charge stations: pages, incremental reads, create, PUT/PATCH with etags."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

import pytest

CONNECTOR = {"id": "1", "standard": "IEC_62196_T2", "format": "SOCKET", "power_type": "AC_3_PHASE",
             "voltage": 400, "amperage": 32, "max_electric_power": 22000}


def _first_location(http, gf) -> str:
    return http.get(gf["base"] + "/locations", params={"limit": 1}, headers=gf["headers"]).json()["data"][0]["id"]


def _new_station(http, gf, csid="NEW-1", **extra):
    body = {"charge_station_id": csid, "location_id": _first_location(http, gf),
            "default_charge_station_tariff_id": "TARIFF-AC-STD", "deploy_state": "Stock",
            "evses": [{"connectors": [CONNECTOR]}], **extra}
    return http.post(gf["base"] + "/chargestations", json=body, headers=gf["headers"])


def _get(http, gf, csid):
    return http.get(f"{gf['base']}/chargestations/{csid}", headers=gf["headers"]).json()["data"]


def _walk(http, gf, limit=4, **params):
    """Every page by offset/limit until a short or empty one (the only documented end)."""
    ids, pages, url = [], 0, gf["base"] + "/chargestations"
    while True:
        resp = http.get(url, params={"limit": limit, "offset": len(ids), **params}, headers=gf["headers"])
        assert resp.status_code == 200
        body = resp.json()
        assert body["status_code"] == 1000
        assert "Link" not in resp.headers and "X-Total-Count" not in resp.headers  # not in the documents
        ids += [s["charge_station_id"] for s in body["data"]]
        pages += 1
        if len(body["data"]) < limit:
            return ids, pages


def _count(simulator, **match):
    return sum(all(r[k] == v for k, v in match.items()) for r in simulator.store.values("gf_stations"))


def test_pages_walk_every_station_exactly_once(simulator, http, gf):
    total = _count(simulator)
    ids, pages = _walk(http, gf)
    assert len(ids) == len(set(ids)) == total > 8
    assert pages == total // 4 + 1


def test_limit_above_the_page_cap_is_lowered_silently(simulator, http, gf):
    url = gf["base"] + "/chargestations"
    total = _count(simulator)
    assert len(http.get(url, params={"limit": 1000}, headers=gf["headers"]).json()["data"]) == min(50, total)
    simulator.set_faults("greenflux", page_cap=20)
    assert len(http.get(url, params={"limit": 1000}, headers=gf["headers"]).json()["data"]) == 20
    ids, _ = _walk(http, gf, limit=20)
    assert len(ids) == len(set(ids)) == _count(simulator)


def test_location_filter_is_kept_across_pages(simulator, http, gf):
    location = _first_location(http, gf)
    ids, _ = _walk(http, gf, location_id=location)
    assert _count(simulator, location_id=location) == len(ids) > 0
    assert all(_get(http, gf, i)["location_id"] == location for i in ids)


def test_date_from_returns_only_changed_stations(simulator, http, gf):
    ids, _ = _walk(http, gf)
    total = len(ids)
    mark = datetime.now(timezone.utc) - timedelta(seconds=1)
    resp = http.patch(f"{gf['base']}/chargestations/{ids[3]}", json={"name": "Renamed"}, headers=gf["headers"])
    assert resp.status_code == 200
    simulator.touch_station(ids[5])
    since = http.get(gf["base"] + "/chargestations", params={"date_from": mark.isoformat()}, headers=gf["headers"])
    assert sorted(s["charge_station_id"] for s in since.json()["data"]) == sorted([ids[3], ids[5]])
    before, _ = _walk(http, gf, limit=50, date_to=mark.isoformat())
    assert len(before) == total - 2


def test_bad_date_from_names_the_parameter(http, gf):
    resp = http.get(gf["base"] + "/chargestations", params={"date_from": "yesterday"}, headers=gf["headers"])
    assert resp.status_code == 400
    assert resp.json()["status_code"] == 2001
    assert resp.json()["errors"][0]["field"] == "date_from"


def test_seeded_stations_carry_ocpi_fields(http, gf):
    station = http.get(gf["base"] + "/chargestations", params={"limit": 1}, headers=gf["headers"]).json()["data"][0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", station["last_updated"])
    evse = station["evses"][0]
    assert {"uid", "evse_id", "status", "capabilities", "connectors", "floor_level", "physical_reference", "directions",
            "parking_restrictions", "evse_sequence_number"} <= set(evse)
    assert {"id", "standard", "format", "power_type", "voltage", "amperage", "max_electric_power", "tariff_id"} <= set(evse["connectors"][0])
    assert station["protocol_version"] == "Ocpp16"


def test_create_manual_station_has_no_etag_until_updated(http, gf):
    resp = _new_station(http, gf)
    assert resp.status_code == 201, resp.text
    created = resp.json()["data"]
    assert created["etag"] is None
    assert created["evses"][0]["connectors"][0]["standard"] == "IEC_62196_T2"
    patched = http.patch(f"{gf['base']}/chargestations/NEW-1", json={"charger_type": "Business"}, headers=gf["headers"]).json()["data"]
    assert patched["etag"] and patched["charger_type"] == "Business"


def test_create_from_template_copies_its_evses(http, gf):
    templates = http.get(gf["base"] + "/chargestation-templates", headers=gf["headers"]).json()["data"]
    tpl = next(t for t in templates if len(t["evse_templates"]) == 2)
    resp = _new_station(http, gf, evses=None, charge_station_template_id=tpl["template_id"])
    assert resp.status_code == 201, resp.text
    evses = resp.json()["data"]["evses"]
    assert [e["evse_sequence_number"] for e in evses] == [1, 2]
    assert [c["standard"] for e in evses for c in e["connectors"]] == [c["standard"] for t in tpl["evse_templates"] for c in t["connectors"]]
    # Later edits of the template do not change the station (it was a copy).
    changed = {**tpl, "evse_templates": [tpl["evse_templates"][0]]}
    assert http.put(f"{gf['base']}/chargestation-templates/{tpl['template_id']}", json=changed, headers=gf["headers"]).status_code == 200
    assert len(_get(http, gf, "NEW-1")["evses"]) == 2


def test_put_template_creates_and_validates(http, gf):
    url = gf["base"] + "/chargestation-templates/tpl-new"
    bad = http.put(url, json={"name": "x", "evse_templates": [{"connectors": [{**CONNECTOR, "format": "PLUG"}]}]}, headers=gf["headers"])
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "evse_templates[0].connectors[0].format"
    good = http.put(url, json={"name": "x", "evse_templates": [{"connectors": [CONNECTOR]}]}, headers=gf["headers"])
    assert good.status_code == 201


@pytest.mark.parametrize("change, field", [
    ({"deploy_state": "Live"}, "deploy_state"),
    ({"default_charge_station_tariff_id": None}, "default_charge_station_tariff_id"),
    ({"location_id": "nowhere"}, "location_id"),
    ({"evses": []}, "evses"),
    ({"evses": [{"connectors": [{**CONNECTOR, "standard": "TYPE_2"}]}]}, "evses[0].connectors[0].standard"),
    ({"evses": [{"connectors": [{**CONNECTOR, "voltage": -1}]}]}, "evses[0].connectors[0].voltage"),
    ({"evses": [{"capabilities": ["TELEPORT"], "connectors": [CONNECTOR]}]}, "evses[0].capabilities"),
    ({"charger_type": "Private"}, "charger_type"),
])
def test_create_validation_names_the_field(http, gf, change, field):
    resp = _new_station(http, gf, **change)
    assert resp.status_code == 400
    body = resp.json()
    assert body["status_code"] == 2001
    assert [e["field"] for e in body["errors"]] == [field]


def test_duplicate_station_id_is_a_409(http, gf):
    assert _new_station(http, gf).status_code == 201
    assert _new_station(http, gf).status_code == 409


def _seeded_with_etag(http, gf):
    stations = http.get(gf["base"] + "/chargestations", params={"limit": 100}, headers=gf["headers"]).json()["data"]
    return next(s for s in stations if s["etag"])


def test_put_without_etag_is_428_and_with_stale_etag_is_412(http, gf):
    station = _seeded_with_etag(http, gf)
    url = f"{gf['base']}/chargestations/{station['charge_station_id']}"
    no_etag = http.put(url, json={**station, "etag": None}, headers=gf["headers"])
    assert no_etag.status_code == 428
    stale = http.put(url, json={**station, "etag": "not-the-etag"}, headers=gf["headers"])
    assert stale.status_code == 412
    assert stale.json()["data"]["etag"] == station["etag"]
    ok = http.put(url, json={**station, "name": "Put name"}, headers=gf["headers"])
    assert ok.status_code == 200, ok.text
    assert ok.json()["data"]["etag"] not in (None, station["etag"])
    assert ok.json()["data"]["name"] == "Put name"
    # The etag we just used is now stale.
    assert http.put(url, json={**station, "name": "again"}, headers=gf["headers"]).status_code == 412


def test_if_match_header_is_accepted(http, gf):
    station = _seeded_with_etag(http, gf)
    url = f"{gf['base']}/chargestations/{station['charge_station_id']}"
    body = {k: v for k, v in station.items() if k != "etag"}
    resp = http.put(url, json=body, headers={**gf["headers"], "If-Match": f'"{station["etag"]}"'})
    assert resp.status_code == 200


def test_concurrent_edit_makes_our_etag_stale(simulator, http, gf):
    station = _seeded_with_etag(http, gf)
    edited = simulator.touch_station(station["charge_station_id"])
    assert edited["etag"] != station["etag"]
    resp = http.put(f"{gf['base']}/chargestations/{station['charge_station_id']}", json={**station, "name": "mine"}, headers=gf["headers"])
    assert resp.status_code == 412
    assert resp.json()["data"]["name"].endswith("(edited elsewhere)")
    assert resp.json()["data"]["etag"] == edited["etag"]


def test_new_station_cannot_be_put_before_it_has_an_etag(http, gf):
    created = _new_station(http, gf).json()["data"]
    resp = http.put(f"{gf['base']}/chargestations/NEW-1", json=created, headers=gf["headers"])
    assert resp.status_code == 428
    assert "PATCH" in resp.json()["status_message"]


def test_put_clears_omitted_optional_fields_and_removes_omitted_evses(http, gf):
    station = next(s for s in http.get(gf["base"] + "/chargestations", params={"limit": 100}, headers=gf["headers"]).json()["data"]
                   if s["etag"] and len(s["evses"]) == 2 and s["charger_type"])
    body = {k: station[k] for k in ("location_id", "default_charge_station_tariff_id", "deploy_state", "etag")}
    body["evses"] = [station["evses"][0]]
    resp = http.put(f"{gf['base']}/chargestations/{station['charge_station_id']}", json=body, headers=gf["headers"])
    assert resp.status_code == 200, resp.text
    after = resp.json()["data"]
    assert after["name"] is None and after["charger_type"] is None and after["charge_station_template_id"] is None
    assert [e["uid"] for e in after["evses"]] == [e["uid"] for e in station["evses"]]  # never deleted
    assert [e["status"] for e in after["evses"]][1] == "REMOVED"
    assert after["evses"][0]["status"] == station["evses"][0]["status"]


def test_patch_changes_only_given_fields_and_needs_no_etag(http, gf):
    station = _seeded_with_etag(http, gf)
    resp = http.patch(f"{gf['base']}/chargestations/{station['charge_station_id']}", json={"deploy_state": "Deprecated"}, headers=gf["headers"])
    assert resp.status_code == 200
    after = resp.json()["data"]
    assert after["deploy_state"] == "Deprecated"
    for key in ("name", "charger_type", "location_id", "evses", "default_charge_station_tariff_id"):
        assert after[key] == station[key]
    assert after["last_updated"] > station["last_updated"]


def test_patch_upserts_evse_fields_by_uid(http, gf):
    station = _seeded_with_etag(http, gf)
    uid = station["evses"][0]["uid"]
    body = {"evses": [{"uid": uid, "directions": [{"language": "en", "text": "Behind the barrier"}], "parking_restrictions": ["EV_ONLY"]}]}
    after = http.patch(f"{gf['base']}/chargestations/{station['charge_station_id']}", json=body, headers=gf["headers"]).json()["data"]
    assert after["evses"][0]["directions"] == [{"language": "en", "text": "Behind the barrier"}]
    assert after["evses"][0]["connectors"] == station["evses"][0]["connectors"]
    assert len(after["evses"]) == len(station["evses"])


def test_configuration_fields_are_read_only(http, gf):
    station = _seeded_with_etag(http, gf)
    body = {"firmware_version": "hacked", "connectivity_status": "Offline", "heartbeat_interval": 1, "name": "n"}
    after = http.patch(f"{gf['base']}/chargestations/{station['charge_station_id']}", json=body, headers=gf["headers"]).json()["data"]
    assert after["name"] == "n"
    assert (after["firmware_version"], after["connectivity_status"], after["heartbeat_interval"]) == (
        station["firmware_version"], station["connectivity_status"], station["heartbeat_interval"])


def test_unknown_station_is_a_404_in_the_envelope(http, gf):
    resp = http.get(gf["base"] + "/chargestations/NOPE", headers=gf["headers"])
    assert resp.status_code == 404
    assert resp.json()["status_code"] == 2000 and resp.json()["data"] is None


def test_last_updated_moves_forward_on_write(http, gf):
    created = _new_station(http, gf).json()["data"]
    time.sleep(1.05)
    patched = http.patch(f"{gf['base']}/chargestations/NEW-1", json={"name": "x"}, headers=gf["headers"]).json()["data"]
    assert patched["last_updated"] > created["last_updated"]


def test_patch_needs_no_etag_but_a_given_one_is_checked(http, gf):
    """The document: "For PATCH updates, an etag is not required". One sent as If-Match
    (RFC 9110) is a precondition all the same: a stale one is 412 and nothing changes."""
    station = _seeded_with_etag(http, gf)
    url = f"{gf['base']}/chargestations/{station['charge_station_id']}"
    stale = http.patch(url, json={"name": "not written"}, headers={**gf["headers"], "If-Match": '"stale"'})
    assert stale.status_code == 412 and stale.json()["data"]["name"] == station["name"]
    current = http.patch(url, json={"name": "written"}, headers={**gf["headers"], "If-Match": f'"{station["etag"]}"'})
    assert current.status_code == 200 and current.json()["data"]["name"] == "written"
    assert http.patch(url, json={"name": "no etag"}, headers=gf["headers"]).status_code == 200


def test_a_new_station_gets_its_etag_from_its_first_patch_then_takes_a_put(http, gf):
    created = _new_station(http, gf).json()["data"]
    url = f"{gf['base']}/chargestations/NEW-1"
    assert http.put(url, json={**created, "etag": "made-up"}, headers=gf["headers"]).status_code == 412
    patched = http.patch(url, json={"name": "re-saved"}, headers=gf["headers"]).json()["data"]
    assert patched["etag"]
    put = http.put(url, json={**patched, "name": "put"}, headers=gf["headers"])
    assert put.status_code == 200 and put.json()["data"]["name"] == "put"
