"""Retries, bounded attempts, dropped connections, thread-safe token cache, secrets kept out of logs."""

from __future__ import annotations

import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import pytest

from upstreams import OutcomeUnknown, RateLimited, Unavailable
from upstreams.beenergised import Station as BeStation


def test_429_with_retry_after_is_retried_to_success(make: Callable[..., Any], simulator: Any, sleeps: Any) -> None:
    gf = make("greenflux")
    simulator.set_faults("greenflux", next_429=2, retry_after=3)
    station = next(gf.list_stations().items())
    assert station.charge_station_id
    assert sleeps.calls == [3.0, 3.0]  # Retry-After honoured, not the (tiny) backoff


def test_429_on_a_post_is_retried_and_applied_once(make: Callable[..., Any], simulator: Any, sleeps: Any) -> None:
    be = make("beenergised")
    template = next(be.list_stations().items())
    simulator.set_faults("beenergised", next_429=1, retry_after=1)
    station = BeStation(label="after 429", charge_box_identity=f"R429-{uuid.uuid4().hex[:8]}", model_id=template.model_id,
                        company_uuid=template.company_uuid, time_zone="Europe/Berlin")
    created = be.create_station(station)
    assert sleeps.calls == [1.0]
    same = [s for s in be.list_stations().items() if s.charge_box_identity == station.charge_box_identity]
    assert [s.id for s in same] == [created.id]


def test_long_retry_after_is_not_slept_through(make: Callable[..., Any], simulator: Any, sleeps: Any) -> None:
    models = make("models", max_retry_after=5)
    simulator.set_faults("models", next_429=1, retry_after=120)
    with pytest.raises(RateLimited) as exc:
        models.list_models().all()
    assert exc.value.retry_after == 120 and exc.value.retryable is True
    assert sleeps.calls == []


def test_5xx_burst_is_retried_with_growing_backoff(make: Callable[..., Any], simulator: Any, sleeps: Any) -> None:
    ce = make("chargeye", max_attempts=5, backoff_base=0.1)
    ce.current_power()  # token first, so the faults hit the API call
    simulator.set_faults("chargeye", next_5xx=3, retry_after=0)
    assert ce.current_power()
    assert len(sleeps.calls) == 3
    assert sleeps.calls[0] <= 0.1 < sleeps.calls[2] <= 0.4


def test_attempts_are_bounded(make: Callable[..., Any], simulator: Any, sleeps: Any) -> None:
    models = make("models", max_attempts=3)
    simulator.set_faults("models", rate_5xx=1.0)
    with pytest.raises(Unavailable) as exc:
        models.get_model("anything")
    assert exc.value.retryable is True and exc.value.status is not None and exc.value.status >= 500
    assert "3 attempts" in str(exc.value)
    assert len(sleeps.calls) == 2


def test_dropped_connection_on_get_is_retried(make: Callable[..., Any], simulator: Any, sleeps: Any) -> None:
    gf = make("greenflux")
    expected = gf.list_locations().all()
    simulator.set_faults("greenflux", next_drop=2)
    assert gf.list_locations().all() == expected
    assert len(sleeps.calls) == 2


def test_dropped_connection_on_post_is_not_retried(make: Callable[..., Any], simulator: Any, sleeps: Any) -> None:
    be = make("beenergised")
    template = next(be.list_stations().items())
    simulator.set_faults("beenergised", next_drop=1)
    station = BeStation(label="dropped", charge_box_identity=f"DROP-{uuid.uuid4().hex[:8]}", model_id=template.model_id,
                        company_uuid=template.company_uuid, time_zone="Europe/Berlin")
    with pytest.raises(OutcomeUnknown) as exc:
        be.create_station(station)
    assert exc.value.retryable is False and sleeps.calls == []
    # The caller reconciles: adopt it if it was applied, else create it now.
    adopted = be.create_or_adopt(station)
    assert adopted.charge_box_identity == station.charge_box_identity


def test_token_cache_is_shared_by_threads(make: Callable[..., Any]) -> None:
    be = make("beenergised")
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: len(be.list_technicians().all()), range(16)))
    assert len(set(results)) == 1 and results[0] > 0
    assert be.http.auth.fetch_count == 1


def test_no_secret_in_logs_or_errors(make: Callable[..., Any], simulator: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    creds = simulator.credentials
    be = make("beenergised")
    ce = make("chargeye")
    gf = make("greenflux")
    be.list_technicians().all()
    ce.current_power()
    simulator.expire_tokens("beenergised")
    simulator.expire_tokens("chargeye")
    simulator.set_faults("greenflux", next_429=1, retry_after=0)
    be.list_technicians().all()
    ce.current_power()
    gf.list_locations().all()
    secrets = {
        creds["beenergised"]["client_secret"],
        creds["chargeye"]["refresh_token"],
        creds["greenflux"]["token"],
        be.http.auth._entry()["token"],
        ce.http.auth._entry()["token"],
    }
    failures: list[str] = []
    bad = make("beenergised", credentials=dict(creds["beenergised"], client_secret="S3CRET-wrong-1234"))
    try:
        bad.list_technicians().all()
    except Exception as exc:  # noqa: BLE001 - the text of whatever is raised is checked
        failures.append(f"{exc} {exc!r} {exc.__dict__}")
    secrets.add("S3CRET-wrong-1234")
    assert failures
    text = caplog.text + " ".join(failures) + repr(be) + repr(be.http.auth) + repr(ce.http.auth)
    assert caplog.records  # the retries and renewals were logged
    for secret in secrets:
        assert secret and secret not in text


def test_static_token_refused_is_auth_failed_at_once(make: Callable[..., Any], simulator: Any, sleeps: Any) -> None:
    from upstreams import AuthFailed

    gf = make("greenflux", credentials={"token": "not-the-greenflux-token"})
    with pytest.raises(AuthFailed) as exc:
        gf.list_locations().all()
    assert exc.value.status == 401 and exc.value.retryable is False
    assert "not-the-greenflux-token" not in str(exc.value) and sleeps.calls == []


def test_one_401_renews_the_token_once(make: Callable[..., Any], simulator: Any) -> None:
    be = make("beenergised")
    be.list_technicians().all()
    simulator.set_faults("beenergised", next_401=1)
    assert be.list_technicians().all()
    assert be.http.auth.fetch_count == 2
