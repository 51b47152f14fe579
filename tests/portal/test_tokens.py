"""Upstream tokens are shared through Django's cache: one per backend, for every task and process (issue 11, finding 4).

Counted where it costs: the tokens the simulator grants (``/_sim/health``).
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import Backend, Company
from simulator.testing import SimulatorHandle
from tests.upstream import make_backend
from tests.worker import wait_for


def _task(backend: Backend, *, reread: bool = True, **options: Any) -> None:
    """What a task does: a fresh connector from the backend row, two calls, closed."""
    fresh = Backend.objects.get(pk=backend.pk) if reread else backend
    with fresh.connector(**options) as connector:
        if fresh.kind == "beenergised":
            next(iter(connector.list_stations()))
            next(iter(connector.list_technicians()))
        else:
            connector.current_power()
            next(iter(connector.list_locations()))


def test_thirteen_beenergised_tasks_ask_for_one_token(simulator: SimulatorHandle, company_a: Company) -> None:
    backend = make_backend(simulator, "beenergised", company_a)
    for _ in range(13):  # 26 calls
        _task(backend)
    assert simulator.tokens_issued("beenergised") == 1


def test_chargeye_samples_every_minute_reuse_one_eight_hour_token(
    simulator: SimulatorHandle, company_a: Company
) -> None:
    backend = make_backend(simulator, "chargeye", company_a)
    for _ in range(10):
        _task(backend)
    assert simulator.tokens_issued("chargeye") == 1


def test_two_backends_hold_a_token_each(simulator: SimulatorHandle, company_a: Company, company_b: Company) -> None:
    a = make_backend(simulator, "beenergised", company_a)
    b = make_backend(simulator, "beenergised", company_b)
    for _ in range(3):
        _task(a)
        _task(b)
    assert simulator.tokens_issued("beenergised") == 2


def test_a_401_drops_the_token_and_renews_it_once_for_everyone(
    simulator: SimulatorHandle, company_a: Company
) -> None:
    backend = make_backend(simulator, "beenergised", company_a)
    _task(backend)
    simulator.expire_tokens("beenergised")  # the upstream revokes it before its expiry
    _task(backend)  # 401, renewed, resent
    _task(backend)
    _task(backend)
    assert simulator.tokens_issued("beenergised") == 2


def test_renewal_shortly_before_expiry_is_done_by_one_of_many(
    simulator: SimulatorHandle, company_a: Company
) -> None:
    simulator.set_faults("beenergised", token_ttl=600)
    backend = make_backend(simulator, "beenergised", company_a)
    _task(backend)
    assert simulator.tokens_issued("beenergised") == 1
    later = time.time() + 600 - 30  # inside the last minute of its life: time to renew
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            _task(backend, reread=False, clock=lambda: later)  # threads do not see this test's rows
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]  # six processes' worth of connectors
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert simulator.tokens_issued("beenergised") == 2


@pytest.fixture
def transactional(transactional_db: None) -> None:
    """The worker is another process: it only sees committed rows."""


@pytest.mark.worker
def test_the_worker_process_uses_the_token_this_process_fetched(
    transactional: None, celery_worker_process: object, simulator: SimulatorHandle,
    admin_client_portal: Client, company_a: Company,
) -> None:
    backend = make_backend(simulator, "beenergised", company_a)
    _task(backend)
    for _ in range(2):
        Backend.objects.filter(pk=backend.pk).update(checked_at=None)
        admin_client_portal.post(reverse("backends:check", args=[backend.pk]))
        wait_for(lambda: Backend.objects.get(pk=backend.pk).checked_at is not None, timeout=30)
    assert Backend.objects.get(pk=backend.pk).check_ok is True
    assert simulator.tokens_issued("beenergised") == 1
