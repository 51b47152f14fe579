"""Authentication of every kind, as a client sees it over HTTP."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import httpx

from simulator.seed import COMPANY_A

from .conftest import be_token, ce_token


def _stations_url(sim) -> str:
    return sim.base_url("beenergised") + "/api/cpoapi/v1/charging_stations/"


def test_be_token_from_query_string_form_body_and_basic_auth(simulator, http):
    creds = simulator.credentials["beenergised"]
    params = {"grant_type": "client_credentials", "client_id": creds["client_id"], "client_secret": creds["client_secret"]}
    answers = [
        http.post(creds["token_url"], params=params, headers={"Content-Type": "application/x-www-form-urlencoded"}),
        http.post(creds["token_url"], data=params),
        http.post(creds["token_url"], data={"grant_type": "client_credentials"},
                  auth=(creds["client_id"], creds["client_secret"])),
    ]
    for resp in answers:
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["token_type"] == "Bearer"
        assert body["expires_in"] == 86400
        listed = http.get(_stations_url(simulator), headers={"Authorization": f"Bearer {body['access_token']}"})
        assert listed.status_code == 200


def test_be_token_errors_follow_oauth2(simulator, http):
    creds = simulator.credentials["beenergised"]
    bad_secret = http.post(creds["token_url"], params={"grant_type": "client_credentials", "client_id": creds["client_id"],
                                                       "client_secret": "wrong"})
    assert bad_secret.status_code == 401
    assert bad_secret.json()["error"] == "invalid_client"
    bad_grant = http.post(creds["token_url"], params={"grant_type": "password", "client_id": creds["client_id"],
                                                      "client_secret": creds["client_secret"]})
    assert bad_grant.status_code == 400
    assert bad_grant.json()["error"] == "unsupported_grant_type"
    assert http.post(creds["token_url"]).json()["error"] == "invalid_request"


def test_be_token_without_bearer_prefix_is_accepted(simulator, http):
    token = be_token(simulator, http)
    assert http.get(_stations_url(simulator), headers={"Authorization": token}).status_code == 200


def test_be_rejects_missing_invalid_and_foreign_tokens(simulator, http):
    ce = ce_token(simulator, http)
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": f"Bearer {ce}"},
                    {"Authorization": "Bearer " + be_token(simulator, http)[:-4] + "AAAA"}):
        resp = http.get(_stations_url(simulator), headers=headers)
        assert resp.status_code == 401
        assert resp.json()["errors"][0]["status"] == "401"
        assert "Bearer" in resp.headers["WWW-Authenticate"]


def test_be_expire_tokens_makes_old_tokens_fail_and_new_ones_work(simulator, http):
    old = be_token(simulator, http)
    simulator.expire_tokens("beenergised")
    resp = http.get(_stations_url(simulator), headers={"Authorization": f"Bearer {old}"})
    assert resp.status_code == 401
    assert "expired" in resp.json()["errors"][0]["detail"]
    new = be_token(simulator, http)
    assert http.get(_stations_url(simulator), headers={"Authorization": f"Bearer {new}"}).status_code == 200


def test_be_short_token_ttl_expires_by_itself(simulator, http):
    simulator.set_faults("beenergised", token_ttl=1)
    creds = simulator.credentials["beenergised"]
    resp = http.post(creds["token_url"], params={"grant_type": "client_credentials", "client_id": creds["client_id"],
                                                 "client_secret": creds["client_secret"]})
    assert resp.json()["expires_in"] == 1
    headers = {"Authorization": f"Bearer {resp.json()['access_token']}"}
    assert http.get(_stations_url(simulator), headers=headers).status_code == 200
    time.sleep(1.2)
    assert http.get(_stations_url(simulator), headers=headers).status_code == 401


def test_be_client_is_bound_to_its_company(simulator, http):
    resp = http.get(_stations_url(simulator), params={"page[limit]": 500},
                    headers={"Authorization": f"Bearer {be_token(simulator, http)}"})
    companies = {item["attributes"]["companyUuid"] for item in resp.json()["data"]}
    assert companies == {COMPANY_A}


def test_greenflux_static_token(simulator, http):
    url = simulator.base_url("greenflux") + "/chargestations"
    ok = http.get(url, headers={"Authorization": f"Bearer {simulator.credentials['greenflux']['token']}"})
    assert ok.status_code == 200 and ok.json()["status_code"] == 1000
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        resp = http.get(url, headers=headers)
        assert resp.status_code == 401
        assert resp.json()["status_code"] == 2000 and resp.json()["data"] is None


def test_models_tokens_admin_and_not(simulator, http):
    creds = simulator.credentials["models"]
    url = simulator.base_url("models") + "/asset-management/v1/charging-station-models"
    assert http.get(url, headers={"Authorization": f"Bearer {creds['token']}"}).status_code == 200
    assert http.get(url, headers={"Authorization": f"Bearer {creds['admin_token']}"}).status_code == 200
    resp = http.get(url)
    assert resp.status_code == 401
    assert resp.headers["content-type"].startswith("application/problem+json")


def test_chargeye_refresh_gives_eight_hour_token(simulator, http):
    creds = simulator.credentials["chargeye"]
    resp = http.get(creds["refresh_url"], headers={"Authorization": f"Bearer {creds['refresh_token']}"})
    assert resp.status_code == 200
    valid_until = datetime.fromisoformat(resp.json()["validUntil"].replace("Z", "+00:00"))
    hours = (valid_until - datetime.now(timezone.utc)).total_seconds() / 3600
    assert 7.9 < hours <= 8.0
    locations = simulator.base_url("chargeye") + "/locations"
    assert http.get(locations, headers={"Authorization": f"Bearer {resp.json()['token']}"}).status_code == 200
    # The refresh token itself is not an access token, and vice versa.
    assert http.get(locations, headers={"Authorization": f"Bearer {creds['refresh_token']}"}).status_code == 401
    assert http.get(creds["refresh_url"], headers={"Authorization": f"Bearer {resp.json()['token']}"}).status_code == 401


def test_chargeye_401_on_missing_invalid_and_expired(simulator, http):
    url = simulator.base_url("chargeye") + "/locations"
    token = ce_token(simulator, http)
    assert http.get(url).status_code == 401
    assert http.get(url, headers={"Authorization": "Bearer x.y.z"}).status_code == 401
    simulator.expire_tokens("chargeye")
    resp = http.get(url, headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 401
    assert resp.json()["detail"] == "token expired"


def test_static_token_kinds_refuse_expire_tokens(simulator):
    try:
        simulator.expire_tokens("greenflux")
    except httpx.HTTPStatusError as exc:
        assert exc.response.status_code == 400
    else:
        raise AssertionError("expire-tokens on a static-token kind should be refused")
