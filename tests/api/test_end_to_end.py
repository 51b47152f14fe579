"""The API end to end over HTTP, as a script would use it: a live portal server, a real Celery worker,
the simulator as upstream. A write answers 202, its operation is polled until it settles."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from portal.models import Backend, SyncRun
from portal.sync import refresh_run
from stations.models import Station

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
