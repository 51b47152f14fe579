"""be.ENERGISED charging stations and technicians over HTTP."""

from __future__ import annotations

import threading

import pytest

from simulator.seed import COMPANY_A, COMPANY_B

from .conftest import be_token

NEW = {"label": "Station A", "chargeBoxIdentity": "SIM-NEW-001", "modelId": 1, "companyUuid": COMPANY_A,
       "timeZone": "Europe/Berlin"}


def _walk(http, url, headers, limit):
    """Follow links.next from the first page; returns (ids, pages, metas)."""
    ids, pages, metas = [], 0, []
    next_url = f"{url}?page%5Blimit%5D={limit}&page%5Boffset%5D=0"
    while next_url:
        resp = http.get(next_url, headers=headers)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        ids += [item["id"] for item in body["data"]]
        metas.append(body["meta"]["pagination"])
        next_url = body["links"]["next"]
        pages += 1
    return ids, pages, metas


def test_pagination_walks_every_station_exactly_once(be, http):
    url = be["api"] + "/charging_stations/"
    full = http.get(url, params={"page[limit]": 500}, headers=be["headers"]).json()
    total = full["meta"]["pagination"]["total"]
    assert total == len(full["data"]) > 7
    ids, pages, metas = _walk(http, url, be["headers"], 3)
    assert len(ids) == len(set(ids)) == total
    assert set(ids) == {item["id"] for item in full["data"]}
    assert pages == -(-total // 3)
    assert [m["lastPage"] for m in metas] == [False] * (pages - 1) + [True]
    assert all(m["limit"] == 3 and m["total"] == total for m in metas)


def test_page_shape_matches_the_quickstart(be, http):
    body = http.get(be["api"] + "/charging_stations/", params={"page[limit]": 1}, headers=be["headers"]).json()
    item = body["data"][0]
    assert item["type"] == "charging_stations"
    assert {"label", "chargeBoxIdentity", "iccid", "imsi", "serialnumber", "firmwareVersion"} <= set(item["attributes"])
    assert body["links"]["current"].endswith("page%5Blimit%5D=1&page%5Boffset%5D=0")
    assert body["links"]["next"].endswith("page%5Blimit%5D=1&page%5Boffset%5D=1")


def test_page_limit_is_capped_silently(simulator, be, http):
    resp = http.get(be["api"] + "/charging_stations/", params={"page[limit]": 5000}, headers=be["headers"])
    assert resp.status_code == 200
    assert resp.json()["meta"]["pagination"]["limit"] == 50  # the simulator's default page cap
    simulator.set_faults("beenergised", page_cap=10_000)
    resp = http.get(be["api"] + "/charging_stations/", params={"page[limit]": 5000}, headers=be["headers"])
    assert resp.json()["meta"]["pagination"]["limit"] == 500  # docs/upstream-contract.md, fact F2: capped at 500


def test_bad_page_parameter_is_a_400_naming_it(be, http):
    resp = http.get(be["api"] + "/charging_stations/", params={"page[limit]": "ten"}, headers=be["headers"])
    assert resp.status_code == 400
    assert resp.json()["errors"][0]["source"] == {"parameter": "page[limit]"}


def test_companies_see_disjoint_estates(simulator, be, http):
    url = be["api"] + "/charging_stations/"
    a = http.get(url, params={"page[limit]": 500}, headers=be["headers"]).json()["data"]
    b_headers = {"Authorization": f"Bearer {be_token(simulator, http, 1)}"}
    b = http.get(url, params={"page[limit]": 500}, headers=b_headers).json()["data"]
    assert a and b
    assert not {s["id"] for s in a} & {s["id"] for s in b}
    assert {s["attributes"]["companyUuid"] for s in b} == {COMPANY_B}
    assert http.get(f"{url}{a[0]['id']}/", headers=be["headers"]).status_code == 404  # no GET by id is documented


def test_create_then_read_back(be, http):
    url = be["api"] + "/charging_stations/"
    body = {**NEW, "publicDisplayName": "Depot 1", "geolocation": {"latitude": 52.1, "longitude": 13.4},
            "address": {"street": "Invalidenstraße", "houseNumber": "1", "postalCode": "10115", "city": "Berlin", "countryCode": "DE"}}
    before = http.get(url, headers=be["headers"]).json()["meta"]["pagination"]["total"]
    resp = http.post(url, json=body, headers=be["headers"])
    assert resp.status_code == 201, resp.text
    created = resp.json()["data"]
    assert created["attributes"]["chargeBoxIdentity"] == "SIM-NEW-001"
    assert created["attributes"]["createdAt"].endswith("Z")
    listed = http.get(url, params={"page[limit]": 50, "page[offset]": before}, headers=be["headers"]).json()["data"]
    got = next(s for s in listed if s["id"] == created["id"])  # the list is the only documented read
    assert got["attributes"]["geolocation"] == {"latitude": 52.1, "longitude": 13.4}
    assert got["attributes"]["address"]["city"] == "Berlin"
    assert http.get(url, headers=be["headers"]).json()["meta"]["pagination"]["total"] == before + 1


def test_missing_required_fields_are_named(be, http):
    resp = http.post(be["api"] + "/charging_stations/", json={"label": "x"}, headers=be["headers"])
    assert resp.status_code == 422
    pointers = {e["source"]["pointer"] for e in resp.json()["errors"]}
    assert pointers == {f"/data/attributes/{f}" for f in ("chargeBoxIdentity", "modelId", "companyUuid", "timeZone")}


@pytest.mark.parametrize("field, value, pointer", [
    ("timeZone", "Mars/Olympus", "/data/attributes/timeZone"),
    ("modelId", "one", "/data/attributes/modelId"),
    ("modelId", 0, "/data/attributes/modelId"),
    ("geolocation", {"latitude": 91, "longitude": 0}, "/data/attributes/geolocation/latitude"),
    ("geolocation", {"latitude": 0, "longitude": -181}, "/data/attributes/geolocation/longitude"),
    ("label", "", "/data/attributes/label"),
])
def test_invalid_values_are_rejected(be, http, field, value, pointer):
    resp = http.post(be["api"] + "/charging_stations/", json={**NEW, field: value}, headers=be["headers"])
    assert resp.status_code == 422
    assert [e["source"]["pointer"] for e in resp.json()["errors"]] == [pointer]


def test_duplicate_charge_box_identity_is_a_409(be, http):
    url = be["api"] + "/charging_stations/"
    assert http.post(url, json=NEW, headers=be["headers"]).status_code == 201
    resp = http.post(url, json={**NEW, "label": "other"}, headers=be["headers"])
    assert resp.status_code == 409
    assert resp.json()["errors"][0]["source"]["pointer"] == "/data/attributes/chargeBoxIdentity"


def test_existing_seeded_identity_is_a_409(be, http):
    url = be["api"] + "/charging_stations/"
    seeded = http.get(url, params={"page[limit]": 1}, headers=be["headers"]).json()["data"][0]
    resp = http.post(url, json={**NEW, "chargeBoxIdentity": seeded["attributes"]["chargeBoxIdentity"]}, headers=be["headers"])
    assert resp.status_code == 409


def test_concurrent_creates_of_one_identity_succeed_once(be, http):
    url = be["api"] + "/charging_stations/"
    import httpx
    results: list[int] = []

    def create() -> None:
        with httpx.Client(timeout=10) as client:
            results.append(client.post(url, json={**NEW, "chargeBoxIdentity": "RACE-1"}, headers=be["headers"]).status_code)

    threads = [threading.Thread(target=create) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [201] + [409] * 7


def test_create_for_another_company_is_forbidden(be, http):
    resp = http.post(be["api"] + "/charging_stations/", json={**NEW, "companyUuid": COMPANY_B}, headers=be["headers"])
    assert resp.status_code == 403


def test_technician_must_belong_to_the_company(simulator, be, http):
    own = http.get(be["api"] + "/technicians/", headers=be["headers"]).json()["data"][0]["id"]
    other_headers = {"Authorization": f"Bearer {be_token(simulator, http, 1)}"}
    foreign = http.get(be["api"] + "/technicians/", headers=other_headers).json()["data"][0]["id"]
    bad = http.post(be["api"] + "/charging_stations/", json={**NEW, "technicianUserId": foreign}, headers=be["headers"])
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["source"]["pointer"] == "/data/attributes/technicianUserId"
    good = http.post(be["api"] + "/charging_stations/", json={**NEW, "technicianUserId": own}, headers=be["headers"])
    assert good.status_code == 201
    assert good.json()["data"]["attributes"]["technicianUserId"] == own


def test_technicians_are_active_sorted_and_paged(be, http):
    url = be["api"] + "/technicians/"
    body = http.get(url, params={"limit": 50}, headers=be["headers"]).json()
    names = [t["name"] for t in body["data"]]
    assert names == sorted(names, key=str.lower)
    assert len(names) == body["meta"]["pagination"]["total"] == 5  # the sixth is inactive
    assert set(body["data"][0]) == {"id", "uuid", "name", "email"}
    first = http.get(url, params={"limit": 2, "offset": 0}, headers=be["headers"]).json()["data"]
    second = http.get(url, params={"limit": 2, "offset": 2}, headers=be["headers"]).json()["data"]
    assert [t["name"] for t in first + second] == names[:4]


def test_inactive_technician_cannot_be_assigned(simulator, be, http):
    inactive = next(t for t in simulator.store.values("be_technicians") if t["companyUuid"] == COMPANY_A and not t["active"])
    resp = http.post(be["api"] + "/charging_stations/", json={**NEW, "technicianUserId": inactive["id"]}, headers=be["headers"])
    assert resp.status_code == 422
