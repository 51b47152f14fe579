"""Charging-station models: cursor pages, filters, admin-only writes, rename rules."""

from __future__ import annotations

import pytest

from simulator.seed_data import MODEL_SPECS

NEW = {"vendor": "Alfen", "model": "Eve Mini", "friendlyName": "Alfen Eve Mini", "powerType": "AC_3_PHASE",
       "connectors": [{"id": 1, "connectionType": "IEC_62196_T2", "format": "SOCKET", "maxAmperage": 32,
                       "maxVoltage": 400, "maxPowerWatts": 22000}],
       "configurationKeys": {"ocppUrl": "wss://ocpp.example/alfen"}, "imageUrl": "https://img.example/eve-mini.png"}
ACTIVE = sum(1 for s in MODEL_SPECS if not s.get("archived"))
ARCHIVED = len(MODEL_SPECS) - ACTIVE


def _walk(http, models, limit, **params):
    ids, pages, after = [], 0, None
    while True:
        query = {"limit": limit, **params, **({"startingAfter": after} if after else {})}
        resp = http.get(models["url"], params=query, headers=models["user"])
        assert resp.status_code == 200, resp.text
        data = resp.json()["data"]
        ids += [m["id"] for m in data["items"]]
        pages += 1
        if not data["hasMore"]:
            return ids, pages
        after = data["items"][-1]["id"]


def test_cursor_walk_sees_every_active_model_once(http, models):
    ids, pages = _walk(http, models, 5)
    assert len(ids) == len(set(ids)) == ACTIVE
    assert pages == -(-ACTIVE // 5)


def test_default_page_is_20_and_more_than_100_is_refused(http, models):
    body = http.get(models["url"], headers=models["user"]).json()["data"]
    assert len(body["items"]) == 20 and body["hasMore"] is (ACTIVE > 20)
    assert http.get(models["url"], params={"limit": 100}, headers=models["user"]).status_code == 200
    resp = http.get(models["url"], params={"limit": 101}, headers=models["user"])
    assert resp.status_code == 400
    assert resp.json()["errors"][0]["pointer"] == "/limit"


def test_archived_filter_defaults_to_false(http, models):
    archived, _ = _walk(http, models, 100, isArchived="true")
    active, _ = _walk(http, models, 100)
    assert len(archived) == ARCHIVED and not set(archived) & set(active)


def test_vendor_and_model_filters(http, models):
    items = http.get(models["url"], params={"vendor": "ABB", "limit": 100}, headers=models["user"]).json()["data"]["items"]
    assert {m["vendor"] for m in items} == {"ABB"}
    assert len(items) == sum(1 for s in MODEL_SPECS if s["vendor"] == "ABB" and not s.get("archived"))
    one = http.get(models["url"], params={"vendor": "Zaptec", "model": "Go"}, headers=models["user"]).json()["data"]["items"]
    assert [(m["vendor"], m["model"]) for m in one] == [("Zaptec", "Go")]


def test_unknown_cursor_is_a_400(http, models):
    resp = http.get(models["url"], params={"startingAfter": "nope"}, headers=models["user"])
    assert resp.status_code == 400
    assert resp.json()["errors"][0]["pointer"] == "/startingAfter"


def test_create_is_admin_only_and_get_answers_the_bare_model(http, models):
    assert http.post(models["url"], json=NEW, headers=models["user"]).status_code == 403
    resp = http.post(models["url"], json=NEW, headers=models["admin"])
    assert resp.status_code == 201, resp.text
    created = resp.json()["data"]
    assert created["isArchived"] is False and created["createdAt"] == created["updatedAt"]
    got = http.get(f"{models['url']}/{created['id']}", headers=models["user"]).json()
    assert "data" not in got
    assert got["vendor"] == "Alfen" and got["connectors"][0]["connectionType"] == "IEC_62196_T2"


@pytest.mark.parametrize("change, pointer", [
    ({"vendor": "x" * 201}, "/vendor"),
    ({"model": None}, "/model"),
    ({"friendlyName": "f" * 201}, "/friendlyName"),
    ({"imageUrl": "https://e/" + "i" * 492}, "/imageUrl"),
    ({"powerType": "AC_2_PHASE"}, "/powerType"),
    ({"connectors": []}, "/connectors"),
    ({"connectors": [{**NEW["connectors"][0], "connectionType": "IEC_62196_T3A"}]}, "/connectors/0/connectionType"),
    ({"connectors": [{**NEW["connectors"][0], "maxPowerWatts": None}]}, "/connectors/0/maxPowerWatts"),
    ({"configurationKeys": {}}, "/configurationKeys/ocppUrl"),
    ({"configurationKeys": {"ocppUrl": "w" * 201}}, "/configurationKeys/ocppUrl"),
])
def test_create_validation_names_the_field(http, models, change, pointer):
    resp = http.post(models["url"], json={**NEW, **change}, headers=models["admin"])
    assert resp.status_code == 400
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert [e["pointer"] for e in resp.json()["errors"]] == [pointer]


def test_max_lengths_are_inclusive(http, models):
    body = {**NEW, "vendor": "v" * 200, "imageUrl": "https://e/" + "i" * 490}
    assert len(body["imageUrl"]) == 500
    assert http.post(models["url"], json=body, headers=models["admin"]).status_code == 201


def test_rename_changes_friendly_name_only(http, models):
    target = http.get(models["url"], params={"limit": 1}, headers=models["user"]).json()["data"]["items"][0]
    url = f"{models['url']}/{target['id']}"
    refused = http.patch(url, json={"friendlyName": "New", "vendor": "Other"}, headers=models["user"])
    assert refused.status_code == 400
    assert [e["pointer"] for e in refused.json()["errors"]] == ["/vendor"]
    resp = http.patch(url, json={"friendlyName": "New name"}, headers=models["user"])
    assert resp.status_code == 200
    renamed = resp.json()["data"]
    assert renamed["friendlyName"] == "New name" and renamed["vendor"] == target["vendor"]
    assert renamed["updatedAt"] > target["updatedAt"]


def test_archive_is_admin_only_and_archived_models_cannot_be_renamed(http, models):
    target = http.get(models["url"], params={"limit": 1}, headers=models["user"]).json()["data"]["items"][0]
    url = f"{models['url']}/{target['id']}"
    assert http.post(url + "/archive", headers=models["user"]).status_code == 403
    resp = http.post(url + "/archive", headers=models["admin"])
    assert resp.status_code == 200 and resp.json()["data"]["isArchived"] is True
    again = http.post(url + "/archive", headers=models["admin"])
    assert again.status_code == 200 and again.json()["data"]["updatedAt"] == resp.json()["data"]["updatedAt"]
    assert http.patch(url, json={"friendlyName": "x"}, headers=models["admin"]).status_code == 409
    archived, _ = _walk(http, models, 100, isArchived="true")
    assert target["id"] in archived


def test_unknown_model_is_a_404(http, models):
    assert http.get(models["url"] + "/nope", headers=models["user"]).status_code == 404
    assert http.post(models["url"] + "/nope/archive", headers=models["admin"]).status_code == 404
