"""Stations over the API without a worker: reading, scoping, versions (ETag, 428, 412) and bad input.

The write's end (the worker, the upstream, conflicts) is in ``test_end_to_end.py``.
"""

from __future__ import annotations

import pytest

from portal.access import Role
from portal.models import Backend, Company, Operation, SyncRun
from sync.engine import refresh_run
from stations.models import Station
from tests.api.conftest import TokenClient
from tests.factories import UserFactory

LIST = "/api/v1/stations/"


def detail(station: Station) -> str:
    return f"/api/v1/stations/{station.pk}/"


@pytest.fixture
def mirrored(gf_backend: Backend) -> Backend:
    assert refresh_run(gf_backend, "stations", full=True).status == SyncRun.Status.DONE
    return gf_backend


@pytest.fixture
def station(mirrored: Backend) -> Station:
    return Station.objects.filter(backend=mirrored).exclude(etag="").order_by("pk").first()


@pytest.fixture
def operator_api(operator, api_for) -> TokenClient:
    return api_for(operator)


def test_the_list_pages_with_cursors_and_filters_like_the_page(mirrored: Backend, viewer, api_for) -> None:
    api = api_for(viewer, "read")
    first = api.get(LIST, {"per_page": 25, "sort": "identity"}).json()
    total = Station.objects.filter(company=mirrored.company).count()
    assert first["count"] == total and len(first["results"]) == min(25, total)
    seen = [row["charge_box_identity"] for row in first["results"]]
    page = first
    while page["next"]:
        page = api.get(page["next"]).json()
        seen += [row["charge_box_identity"] for row in page["results"]]
    assert len(seen) == len(set(seen)) == total  # every station once, across every page
    one = seen[3]
    found = api.get(LIST, {"q": one}).json()["results"]
    assert one in [row["charge_box_identity"] for row in found]


def test_a_bad_filter_is_a_problem_naming_the_field(mirrored: Backend, viewer, api_for) -> None:
    answer = api_for(viewer, "read").get(LIST, {"per_page": "7", "status": "EXPLODED"})
    assert answer.status_code == 400 and answer["Content-Type"] == "application/problem+json"
    fields = {error["field"] for error in answer.json()["errors"]}
    assert {"per_page", "status"} <= fields


def test_detail_has_evses_connectors_and_an_etag(station: Station, viewer, api_for) -> None:
    answer = api_for(viewer, "read").get(detail(station))
    assert answer.status_code == 200
    body = answer.json()
    assert body["charge_box_identity"] == station.charge_box_identity
    assert body["evses"] and body["evses"][0]["connectors"][0]["standard"]
    assert answer["ETag"].startswith('"')


def test_another_companys_station_answers_404_like_one_that_does_not_exist(
        station: Station, company_b: Company, api_for) -> None:
    outsider = UserFactory(role=Role.ADMIN, companies=[company_b])
    api = api_for(outsider)
    missing = api.get("/api/v1/stations/999999999/")
    theirs = api.get(detail(station))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["detail"] == missing.json()["detail"]
    assert station.charge_box_identity not in api.get(LIST).content.decode()
    assert api.send("PATCH", detail(station), {"label": "x"}, if_match="*").status_code == 404
    assert api.post(detail(station) + "refresh/").status_code == 404


def test_a_patch_needs_if_match_and_a_stale_one_is_refused(station: Station, operator_api: TokenClient) -> None:
    assert operator_api.send("PATCH", detail(station), {"label": "New"}).status_code == 428
    etag = operator_api.get(detail(station))["ETag"]
    Station.objects.filter(pk=station.pk).update(label="Changed by a refresh meanwhile")
    stale = operator_api.send("PATCH", detail(station), {"label": "New"}, if_match=etag)
    assert stale.status_code == 412 and stale["Content-Type"] == "application/problem+json"
    assert not Operation.objects.filter(target_id=station.pk).exists()


def test_a_patch_answers_202_with_the_operation_in_location(station: Station, operator_api: TokenClient) -> None:
    etag = operator_api.get(detail(station))["ETag"]
    answer = operator_api.send("PATCH", detail(station), {"label": "Renamed by ERP"}, if_match=etag)
    assert answer.status_code == 202, answer.content
    op = Operation.objects.get(target_id=station.pk)
    assert answer["Location"].endswith(f"/api/v1/operations/{op.pk}/")
    assert answer.json()["status"] == "pending"
    assert op.payload["changes"] == {"name": "Renamed by ERP"}
    station.refresh_from_db()
    assert station.label == "Renamed by ERP" and station.sync_state == "pending"
    assert operator_api.get(answer["Location"]).json()["kind"] == "station.patch"


def test_bad_input_names_the_field_and_sends_nothing(station: Station, operator_api: TokenClient) -> None:
    etag = operator_api.get(detail(station))["ETag"]
    answer = operator_api.send("PATCH", detail(station), {"deploy_state": "Exploded", "label": "x" * 300},
                               if_match=etag)
    assert answer.status_code == 400
    assert {e["field"] for e in answer.json()["errors"]} == {"deploy_state", "label"}
    assert not Operation.objects.filter(target_id=station.pk).exists()


def test_a_viewer_and_a_read_only_token_cannot_write(station: Station, viewer, operator, api_for) -> None:
    for api in (api_for(viewer), api_for(operator, "read")):
        etag = api.get(detail(station))["ETag"]
        refused = api.send("PATCH", detail(station), {"label": "No"}, if_match=etag)
        assert refused.status_code == 403, refused.content
    assert not Operation.objects.filter(target_id=station.pk).exists()


def test_a_retried_post_with_the_same_idempotency_key_gets_the_first_answer(
        station: Station, operator_api: TokenClient) -> None:
    url = detail(station) + "refresh/"
    first = operator_api.send("POST", url, idempotency_key="retry-1")
    again = operator_api.send("POST", url, idempotency_key="retry-1")
    assert first.status_code == again.status_code == 202
    assert first["Location"] == again["Location"] and again["Idempotent-Replayed"] == "true"
    assert Operation.objects.filter(target_id=station.pk, kind="station.refresh").count() == 1
    other = operator_api.send("POST", f"/api/v1/stations/{station.pk + 1}/refresh/", idempotency_key="retry-1")
    assert other.status_code == 422


def test_too_many_requests_answer_429_with_retry_after(station: Station, viewer, api_for, settings) -> None:
    from rest_framework.settings import api_settings
    from api.throttling import PerTokenThrottle

    api = api_for(viewer, "read")
    PerTokenThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "api": "3/min"}
    try:
        codes = [api.get(detail(station)).status_code for _ in range(4)]
        last = api.get(detail(station))
    finally:
        PerTokenThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    assert codes[:3] == [200, 200, 200] and last.status_code == 429
    assert int(last["Retry-After"]) > 0
