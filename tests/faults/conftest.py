"""Fault tests: a private Redis broker that can be restarted, workers that can be killed, and the
sweepers run as beat would run them."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from django.test import Client
from django.urls import reverse

from portal.celery import app
from portal.models import Operation
from outbox.operations import operations_sweep
from simulator.ports import free_port
from tests.worker import running_worker

WORKER_ENV = {
    "OUTBOX_LEASE_SECONDS": "6",          # a dead worker's operations come back after 6 s
    "OUTBOX_BACKOFF_SECONDS": "2",
    "OUTBOX_BACKOFF_MAX_SECONDS": "15",   # 12 attempts span well over a minute
    "OUTBOX_MAX_ATTEMPTS": "12",
    "IMPORT_LEASE_SECONDS": "5",          # a dead worker's import check comes back after 5 s
}


class PrivateRedis:
    """A redis-server of the test's own, so restarting it disturbs nobody else."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()  # no shutdown courtesy: queued messages are lost, as in a crash
            self.proc.wait()


@contextmanager
def _app_broker(url: str) -> Iterator[None]:
    """Point this process's Celery app (enqueue, ping) at another broker for a while."""
    names = ("broker_url", "broker_read_url", "broker_write_url")
    old = {name: app.conf[name] for name in names}
    app.conf.update({name: url for name in names})
    _forget_pools()
    try:
        yield
    finally:
        app.conf.update(old)
        _forget_pools()


def _forget_pools() -> None:
    # Celery caches connection and producer pools per app; drop them so the next
    # call connects to the broker now configured. kombu keys its pools by URL.
    app._pool = None
    app.amqp._producer_pool = None
    app.control.mailbox._producer_pool = None


@pytest.fixture
def private_broker(tmp_path: Path) -> Iterator[PrivateRedis]:
    redis = PrivateRedis(tmp_path)
    redis.start()
    try:
        with _app_broker(redis.url):
            yield redis
    finally:
        redis.stop()


@pytest.fixture
def outbox_settings(settings: object) -> None:
    settings.OUTBOX_MAX_ATTEMPTS = 12  # type: ignore[attr-defined]
    settings.OUTBOX_RESEND_AFTER_SECONDS = 3  # type: ignore[attr-defined]


@pytest.fixture
def worker_log(tmp_path: Path) -> Path:
    return tmp_path / "worker.log"


@pytest.fixture(autouse=True)
def no_alert_evaluations(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about the write outbox: a refresh here queues no alert evaluation.

    A Celery worker that was running a task when its Redis broker vanished died with kombu's
    ``AttributeError: 'NoneType' object has no attribute 'hostname'`` (seen once alerts evaluated after
    every refresh), and these tests have no supervisor to restart it. The alerts' own fault test
    (tests/alerts/test_delivery_worker.py) takes its receivers down, not the broker.
    """
    monkeypatch.setattr("alerts.triggers.evaluate_soon", lambda countdown=None: None)


@pytest.fixture
def fault_worker(transactional_db: None, private_broker: PrivateRedis, worker_log: Path,
                 outbox_settings: None) -> Iterator[subprocess.Popen[bytes]]:
    with running_worker(worker_log, concurrency=4, env=WORKER_ENV, broker_url=private_broker.url) as proc:
        yield proc


def pages_answer(client: Client) -> None:
    for name in ("stations:list", "operations:list", "dashboard"):
        assert client.get(reverse(name)).status_code == 200, name


def drive(ops: list[Operation], client: Client, timeout: float, sweep_every: float = 2.0) -> None:
    """Run the sweeper as beat would and check the pages, until every operation has settled."""
    ids = [op.pk for op in ops]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Operation.objects.filter(pk__in=ids).exclude(status__in=Operation.SETTLED).exists():
            return
        operations_sweep()
        pages_answer(client)
        time.sleep(sweep_every)
    states = list(Operation.objects.filter(pk__in=ids).values_list("status", "attempts", "error_message"))
    pytest.fail(f"operations did not settle within {timeout} s: {states}")
