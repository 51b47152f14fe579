"""The API end to end over HTTP, as a script would use it: a live portal server, a real Celery worker,
the simulator as upstream. A write answers 202, its operation is polled until it settles."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from portal.models import Backend, SyncRun
from sync.engine import refresh_run
from locations.models import Location
from stations.models import Station
from tests.locations.conftest import ce_backend  # noqa: F401  (ChargEye, its locations mirrored)
from tests.stations.test_csv_import import csv_bytes
from tests.stations.test_csv_import_flow import greenflux_rows

pytestmark = [pytest.mark.worker]


@pytest.fixture
def mirrored(transactional_db: None, celery_worker_process: Any, gf_backend: Backend) -> Backend:
    assert refresh_run(gf_backend, "stations", full=True).status == SyncRun.Status.DONE
    return gf_backend


@pytest.fixture
def script(live_server: Any, operator, make_token) -> httpx.Client:
    token = make_token(operator)
    with httpx.Client(base_url=live_server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        yield client


def poll(client: httpx.Client, url: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        op = client.get(url).json()
        if op["status"] != "pending":
            return op
        time.sleep(0.2)
    raise AssertionError(f"{url} still pending after {timeout} s")


def test_patch_202_then_done_then_the_station_reads_the_new_name(mirrored: Backend, script: httpx.Client) -> None:
    station = Station.objects.filter(backend=mirrored).exclude(etag="").order_by("pk").first()
    url = f"/api/v1/stations/{station.pk}/"
    etag = script.get(url).headers["ETag"]
    answer = script.patch(url, json={"label": "Renamed over the API"}, headers={"If-Match": etag})
    assert answer.status_code == 202
    op = poll(script, answer.headers["Location"])
    assert op["status"] == "done", op
    after = script.get(url)
    assert after.json()["label"] == "Renamed over the API" and after.json()["sync_state"] == "synced"
    assert after.headers["ETag"] != etag
    with mirrored.connector() as connector:
        assert connector.get_station(station.upstream_id).name == "Renamed over the API"


def test_a_change_upstream_meanwhile_is_a_conflict_with_mine_and_theirs(mirrored: Backend,
                                                                       script: httpx.Client) -> None:
    station = Station.objects.filter(backend=mirrored).exclude(etag="").order_by("pk").first()
    url = f"/api/v1/stations/{station.pk}/"
    etag = script.get(url).headers["ETag"]
    with mirrored.connector() as connector:  # someone else, on the platform's own screens
        connector.patch_station(station.upstream_id, {"name": "Theirs"})
    answer = script.put(url, json={"label": "Mine", "location": station.location_id,
                                   "default_tariff_id": station.default_tariff_id or "T1",
                                   "deploy_state": station.deploy_state or "Stock",
                                   "charger_type": station.charger_type},
                        headers={"If-Match": etag})
    assert answer.status_code == 202, answer.text
    op = poll(script, answer.headers["Location"])
    assert op["status"] == "conflict", op
    name = next(row for row in op["conflict"] if row["field"] == "name")
    assert (name["mine"], name["theirs"], name["clash"]) == ("Mine", "Theirs", True)
    with mirrored.connector() as connector:
        assert connector.get_station(station.upstream_id).name == "Theirs"  # nothing overwritten


def test_create_a_station_with_evses_by_hand_then_read_it(mirrored: Backend, script: httpx.Client) -> None:
    location = Location.objects.filter(backend=mirrored).first()
    body = {"backend": mirrored.pk, "company": mirrored.company_id, "label": "Made by a script",
            "charge_box_identity": "API-NEW-1", "location": location.pk, "deploy_state": "Stock",
            "default_tariff_id": "TARIFF-AC-STANDARD",
            "evses": [{"capabilities": ["RFID_READER"], "connectors": [
                {"standard": "IEC_62196_T2", "format": "SOCKET", "power_type": "AC_3_PHASE", "max_voltage": 400,
                 "max_amperage": 32, "max_electric_power": 22000}]}]}
    answer = script.post("/api/v1/stations/", json=body, headers={"Idempotency-Key": "create-API-NEW-1"})
    assert answer.status_code == 202, answer.text
    retried = script.post("/api/v1/stations/", json=body, headers={"Idempotency-Key": "create-API-NEW-1"})
    assert retried.headers["Location"] == answer.headers["Location"]  # one station, not two
    op = poll(script, answer.headers["Location"])
    assert op["status"] == "done", op
    station = script.get(op["target"]["url"]).json()
    assert station["charge_box_identity"] == "API-NEW-1" and station["sync_state"] == "synced"
    assert station["evses"][0]["connectors"][0]["max_electric_power"] == 22000
    assert Station.objects.filter(charge_box_identity="API-NEW-1").count() == 1


def test_a_bad_create_names_the_evse_and_connector_field(mirrored: Backend, script: httpx.Client) -> None:
    body = {"backend": mirrored.pk, "company": mirrored.company_id, "charge_box_identity": "API-BAD-1",
            "location": Location.objects.filter(backend=mirrored).first().pk, "deploy_state": "Stock",
            "default_tariff_id": "T", "evses": [{"connectors": [
                {"standard": "NOT_A_PLUG", "format": "SOCKET", "power_type": "DC", "max_voltage": 0,
                 "max_amperage": 1}]}]}
    answer = script.post("/api/v1/stations/", json=body)
    assert answer.status_code == 400 and answer.headers["Content-Type"] == "application/problem+json"
    fields = {e["field"] for e in answer.json()["errors"]}
    assert {"evses/0/connectors/0/standard", "evses/0/connectors/0/max_voltage"} <= fields
    assert not Station.objects.filter(charge_box_identity="API-BAD-1").exists()


def test_a_bulk_change_through_the_api_alone(mirrored: Backend, script: httpx.Client) -> None:
    ids = list(Station.objects.filter(backend=mirrored).exclude(etag="").order_by("pk")
               .values_list("pk", flat=True)[:3])
    preview = script.post("/api/v1/bulk-changes/", json={"action": "change", "stations": ids,
                                                         "default_tariff_id": "TARIFF-API"})
    assert preview.status_code == 201, preview.text
    assert {item["outcome"] for item in preview.json()["items"]} == {"change"}
    confirmed = script.post(preview.headers["Location"] + "confirm/")
    assert confirmed.status_code == 202, confirmed.text
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        batch = script.get(preview.headers["Location"]).json()
        if all(item["operation_status"] not in (None, "pending") for item in batch["items"]):
            break
        time.sleep(0.3)
    assert [item["operation_status"] for item in batch["items"]] == ["done"] * 3, batch
    with mirrored.connector() as connector:
        for station in Station.objects.filter(pk__in=ids):
            assert connector.get_station(station.upstream_id).default_charge_station_tariff_id == "TARIFF-API"


def test_a_csv_import_through_the_api_alone(mirrored: Backend, script: httpx.Client) -> None:
    good = greenflux_rows(mirrored, 2, "API-CSV")
    bad = {**good[0], "charge_box_identity": "API-CSV-BAD", "deploy_state": "Exploded"}
    report = script.post("/api/v1/imports/", files={"file": ("fleet.csv", csv_bytes(*good, bad), "text/csv")})
    assert report.status_code == 201, report.text
    assert report.json()["problems"] == [
        {"row": 4, "column": "deploy_state", "detail": report.json()["problems"][0]["detail"]}]
    refused = script.post(report.headers["Location"] + "confirm/", json={})
    assert refused.status_code == 409  # not all rows are valid: nothing is created without saying so
    confirmed = script.post(report.headers["Location"] + "confirm/", json={"valid_only": True})
    assert confirmed.status_code == 202, confirmed.text
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        job = script.get(report.headers["Location"]).json()
        if job["status"] == "finished":
            break
        time.sleep(0.5)
    assert job["status"] == "finished", job
    with mirrored.connector() as connector:
        made = {s.charge_station_id for s in connector.list_stations().items()}
    assert {"API-CSV-001", "API-CSV-002"} <= made and "API-CSV-BAD" not in made


def test_add_a_connector_to_an_evse_over_the_api(mirrored: Backend, script: httpx.Client) -> None:
    station = Station.objects.filter(backend=mirrored).exclude(etag="").order_by("pk").first()
    url = f"/api/v1/stations/{station.pk}/"
    read = script.get(url)
    evse = read.json()["evses"][0]
    before = len(evse["connectors"])
    change = [{"uid": evse["uid"], "evse_id": evse["evse_id"], "capabilities": evse["capabilities"],
               "connectors": [*({"id": c["connector_id"], "standard": c["standard"], "format": c["format"],
                                 "power_type": c["power_type"], "voltage": c["max_voltage"],
                                 "amperage": c["max_amperage"], "max_electric_power": c["max_electric_power"]}
                                for c in evse["connectors"]),
                              {"standard": "IEC_62196_T2", "format": "SOCKET", "power_type": "AC_3_PHASE",
                               "voltage": 400, "amperage": 16, "max_electric_power": 11000}]}]
    bad = [{**change[0], "connectors": [{**change[0]["connectors"][-1], "standard": "NOT_A_PLUG"}]}]
    refused = script.put(url + "evses/", json=bad, headers={"If-Match": read.headers["ETag"]})
    assert refused.status_code == 400
    assert "0/connectors/0/standard" in {e["field"] for e in refused.json()["errors"]}
    answer = script.put(url + "evses/", json=change, headers={"If-Match": read.headers["ETag"]})
    assert answer.status_code == 202, answer.text
    assert poll(script, answer.headers["Location"])["status"] == "done"
    with mirrored.connector() as connector:
        upstream = connector.get_station(station.upstream_id)
    mine = next(e for e in upstream.evses if e.uid == evse["uid"])
    assert len(mine.connectors) == before + 1
    assert mine.connectors[-1].max_electric_power == 11000


def test_create_and_change_a_chargeye_location_over_the_api(transactional_db: None, celery_worker_process: Any,
                                                           ce_backend: Backend, script: httpx.Client) -> None:
    made = script.post("/api/v1/locations/", json={
        "name": "Depot Köln Süd", "address": "Bonner Str. 1", "city": "Köln", "postal_code": "50677",
        "country_code": "DE", "latitude": "50.91", "longitude": "6.96", "labels": ["fleet"]})
    assert made.status_code == 202, made.text
    op = poll(script, made.headers["Location"])
    assert op["status"] == "done", op
    url = f"/api/v1/locations/{op['target']['id']}/"
    read = script.get(url)
    too_long = script.patch(url, json={"postal_code": "1" * 11}, headers={"If-Match": read.headers["ETag"]})
    assert too_long.status_code == 400 and too_long.json()["errors"][0]["field"] == "postal_code"
    changed = script.patch(url, json={"city": "Cologne"}, headers={"If-Match": read.headers["ETag"]})
    assert changed.status_code == 202, changed.text
    assert poll(script, changed.headers["Location"])["status"] == "done"
    assert script.get(url).json()["city"] == "Cologne"
    stale = script.patch(url, json={"city": "Köln"}, headers={"If-Match": read.headers["ETag"]})
    assert stale.status_code == 412


def test_a_location_changed_on_chargeye_meanwhile_is_a_conflict_with_mine_and_theirs(
        transactional_db: None, celery_worker_process: Any, ce_backend: Backend, script: httpx.Client) -> None:
    location = Location.objects.filter(backend=ce_backend).exclude(upstream_id="").order_by("pk").first()
    url = f"/api/v1/locations/{location.pk}/"
    etag = script.get(url).headers["ETag"]
    with ce_backend.connector() as connector:  # someone else, on ChargEye's own screens
        connector.update_location(location.upstream_id, {"city": "Theirs-ville"})
    answer = script.patch(url, json={"city": "Mine-ville"}, headers={"If-Match": etag})
    assert answer.status_code == 202, answer.text
    op = poll(script, answer.headers["Location"])
    assert op["status"] == "conflict" and op["target"]["url"].endswith(url), op
    assert [(row["field"], row["mine"], row["theirs"], row["clash"]) for row in op["conflict"]] == [
        ("city", "Mine-ville", "Theirs-ville", True)]
    with ce_backend.connector() as connector:
        assert connector.get_location(location.upstream_id).city == "Theirs-ville"  # nothing overwritten
