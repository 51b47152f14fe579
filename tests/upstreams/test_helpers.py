"""Pure helpers: Retry-After, backoff, validUntil, error bodies, mapping both ways, reprs."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest

from upstreams import get_connector
from upstreams.auth import OAuth2ClientCredentials, RefreshToken, StaticBearer, parse_valid_until
from upstreams.base import RetryPolicy, backoff_delay, parse_error_body, parse_retry_after
from upstreams.beenergised import Address, Geolocation, Station as BeStation
from upstreams.chargeye_types import Label, Location
from upstreams.greenflux import Connector, DisplayText, Evse, Station as GfStation
from upstreams.models_api import ModelConnector, StationModel

NOW = datetime(2025, 6, 1, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("3", 3.0), (" 0 ", 0.0), ("1.5", 1.5), ("-4", 0.0), ("", None), (None, None), ("soon", None), ("nan", None)],
)
def test_retry_after_seconds(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


def test_retry_after_http_date() -> None:
    assert parse_retry_after(format_datetime(NOW + timedelta(seconds=42), usegmt=True), now=NOW) == 42.0
    assert parse_retry_after("Sun, 01 Jun 2025 11:00:00 GMT", now=NOW) == 0.0  # in the past


def test_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(backoff_base=1.0, backoff_max=8.0)
    lows = [backoff_delay(n, policy, rand=lambda: 0.0) for n in range(1, 7)]
    highs = [backoff_delay(n, policy, rand=lambda: 1.0) for n in range(1, 7)]
    assert lows == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert highs == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_retry_policy_needs_an_attempt() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)


def test_valid_until_formats() -> None:
    now = NOW.timestamp()
    assert parse_valid_until("2025-06-01T20:00:00.000Z", now=now) == pytest.approx(8 * 3600)
    assert parse_valid_until(now + 60, now=now) == pytest.approx(60)
    assert parse_valid_until((now + 60) * 1000, now=now) == pytest.approx(60)
    assert parse_valid_until(str(int(now + 10)), now=now) == pytest.approx(10)
    assert parse_valid_until("garbage", now=now) == 300.0


def _resp(status: int, body: object, ctype: str = "application/json") -> httpx.Response:
    import json

    return httpx.Response(status, content=json.dumps(body).encode(), headers={"Content-Type": ctype})


def test_error_body_shapes() -> None:
    msg, fields, _ = parse_error_body(
        _resp(422, {"errors": [{"status": "422", "title": "Invalid", "detail": "must be unique",
                                "source": {"pointer": "/data/attributes/chargeBoxIdentity"}}]})
    )
    assert fields == {"chargeBoxIdentity": "must be unique"}
    assert msg == "chargeBoxIdentity: must be unique"
    msg, fields, _ = parse_error_body(
        _resp(400, {"data": None, "status_code": 2001, "status_message": "Invalid or missing parameters",
                    "errors": [{"field": "evses[0].uid", "message": "is required"}]})
    )
    assert (msg, fields) == ("Invalid or missing parameters", {"evses[0].uid": "is required"})
    msg, fields, _ = parse_error_body(
        _resp(400, {"title": "Validation failed", "detail": "1 error", "errors": [{"pointer": "/vendor", "detail": "too long"}]},
              "application/problem+json")
    )
    assert (msg, fields) == ("1 error", {"vendor": "too long"})
    msg, fields, body = parse_error_body(httpx.Response(502, content=b"<html>bad gateway</html>"))
    assert msg == "<html>bad gateway</html>" and fields == {} and body is None


def test_greenflux_mapping_round_trip() -> None:
    station = GfStation(
        charge_station_id="CS-1", location_id="LOC-1", deploy_state="Production", name="Depot",
        default_charge_station_tariff_id="T1", charger_type="Public",
        evses=(Evse(uid="E1", evse_id="NL*GFX*E1", status="AVAILABLE", capabilities=("RFID_READER",),
                    connectors=(Connector(id="1", standard="IEC_62196_T2", format="SOCKET", power_type="AC_3_PHASE",
                                          voltage=230, amperage=32, max_electric_power=22000),),
                    directions=(DisplayText("en", "left"),), parking_restrictions=("EV_ONLY",),
                    evse_sequence_number=1),),
    )
    payload = station.to_payload()
    assert set(payload) == {"charge_station_id", "location_id", "name", "default_charge_station_tariff_id",
                            "deploy_state", "charger_type", "evses"}
    assert GfStation.from_api(payload) == station
    assert station.to_payload(full=True)["charge_station_template_id"] is None  # PUT clears


def test_greenflux_template_only_station_omits_evses_on_create() -> None:
    s = GfStation(charge_station_id="CS-2", location_id="L", deploy_state="Stock", charge_station_template_id="TPL")
    assert "evses" not in s.to_payload()


def test_beenergised_mapping_round_trip() -> None:
    station = BeStation(label="A", charge_box_identity="ABC123", model_id=1, company_uuid="c-1",
                        time_zone="Europe/Berlin", technician_user_id=42, address=Address(city="Berlin"),
                        geolocation=Geolocation(52.5, 13.4))
    payload = station.to_payload()
    assert payload == {"label": "A", "chargeBoxIdentity": "ABC123", "modelId": 1, "companyUuid": "c-1",
                       "timeZone": "Europe/Berlin", "technicianUserId": 42, "address": {"city": "Berlin"},
                       "geolocation": {"latitude": 52.5, "longitude": 13.4}}
    assert BeStation.from_api({"type": "charging_stations", "id": None, "attributes": payload}) == station


def test_models_mapping_round_trip() -> None:
    m = StationModel(vendor="Alfen", model="Eve", power_type="AC_3_PHASE", ocpp_url="wss://x",
                     connectors=(ModelConnector(1, "IEC_62196_T2", "SOCKET", 32, 400, 22000),), friendly_name="Eve")
    payload = m.to_payload()
    assert payload["configurationKeys"] == {"ocppUrl": "wss://x"}
    assert payload["connectors"][0]["maxPowerWatts"] == 22000
    assert StationModel.from_api(payload) == m


def test_chargeye_location_mapping_round_trip() -> None:
    loc = Location(name="Depot", address="Main 1", city="Espoo", postal_code="02100", country_code="FI",
                   lat=60.2, lng=24.8, labels=(Label("fleet", ("t1",)),), location_id="ext-1")
    payload = loc.to_payload()
    assert payload["postalCode"] == "02100" and payload["labels"] == [{"value": "fleet", "tenantIds": ["t1"]}]
    assert Location.from_api(payload) == loc


def test_secrets_not_in_reprs() -> None:
    secret = "client-secret-XYZ"
    auth = OAuth2ClientCredentials("http://t/token", "cid", secret)
    assert secret not in repr(auth)
    assert "tok-123" not in repr(StaticBearer("tok-123"))
    assert "refresh-abc" not in repr(RefreshToken("refresh-abc"))
    conn = get_connector("beenergised", "http://x", {"client_id": "cid", "client_secret": secret, "token_url": "http://t"})
    assert secret not in repr(conn) and secret not in repr(conn.http)
    conn.close()


def test_factory_validates() -> None:
    with pytest.raises(ValueError, match="client_secret") as exc:
        get_connector("beenergised", "http://x", {"client_id": "a", "token_url": "http://t"})
    assert "a" != str(exc.value)
    with pytest.raises(ValueError, match="unknown upstream kind"):
        get_connector("nope", "http://x", {})
    with pytest.raises(TypeError, match="unknown options"):
        get_connector("models", "http://x", {"token": "t"}, bogus=1)
    with get_connector("models", "http://x", {"token": "t"}, max_attempts=2, page_size=500) as c:
        assert c.http.retry.max_attempts == 2 and c.page_size == 100


def test_query_params_are_spelled_as_upstreams_expect() -> None:
    from upstreams.base import _clean_params

    when = datetime(2025, 6, 1, 14, 0, 5, 999999, tzinfo=timezone(timedelta(hours=2)))
    assert _clean_params({"a": None, "b": True, "c": False, "d": when, "e": 3}) == [
        ("b", "true"), ("c", "false"), ("d", "2025-06-01T12:00:05Z"), ("e", "3")
    ]


def test_registered_secrets_are_scrubbed_from_messages() -> None:
    from upstreams.base import HttpClient

    with HttpClient("http://x", kind="greenflux") as http:
        http.register_secret("tok-abcdef")
        http.register_secret("")  # ignored, would blank everything
        assert http.scrub("upstream said: bad token tok-abcdef") == "upstream said: bad token ***"
