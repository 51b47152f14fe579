"""Fault tests: a private Redis broker that can be restarted, and workers that can be killed."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from portal.celery import app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A redis-server of the test's own, so restarting it disturbs nobody else."""

    def __init__(self, workdir: Path) -> None:
        self.port = _free_port()
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
