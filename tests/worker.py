"""A real Celery worker process on the tests' Redis broker and PostgreSQL test database."""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def worker_env() -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1"}


def purge_queue(broker_url: str | None = None) -> None:
    redis.Redis.from_url(broker_url or settings.CELERY_BROKER_URL).delete(settings.CELERY_TASK_DEFAULT_QUEUE)


_started = itertools.count(1)
_session_worker: list[str] = []  # the session worker's hostname, once started


def wait_until_idle(name: str, timeout: float = 30.0) -> bool:
    """Wait until ``name`` runs, holds and waits for no task and the queue is empty.

    A test ends when its assertions pass, but the worker may still be writing (a chained
    follow-up, a refresh's bookkeeping). Flushing the database under it deadlocks the
    TRUNCATE against the worker's inserts, so transactional tests wait for quiet first.
    Returns False if the worker is still busy after ``timeout`` seconds.
    """
    from portal.celery import app

    queue = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    inspect = app.control.inspect(destination=[name], timeout=1.0, limit=1)
    quiet_polls = 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = queue.llen(settings.CELERY_TASK_DEFAULT_QUEUE) > 0
        if not busy:
            for probe in (inspect.active, inspect.reserved, inspect.scheduled):
                answer = probe() or {}
                if any(answer.get(name) or []):
                    busy = True
                    break
        quiet_polls = 0 if busy else quiet_polls + 1
        if quiet_polls >= 2:  # twice: a task may enqueue its successor on finishing
            return True
        time.sleep(0.1)
    return False


@contextmanager
def running_worker(
    log_path: Path, concurrency: int = 2, *, env: dict[str, str] | None = None, broker_url: str | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``celery worker`` and wait until it answers a ping; stop it afterwards.

    ``env`` adds settings for the worker only (e.g. a short outbox lease);
    ``broker_url`` points it at another broker (the fault tests' own Redis).
    """
    purge_queue(broker_url)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("ab")
    name = f"tests-{os.getpid()}-{next(_started)}@{socket.gethostname()}"
    extra = {**(env or {}), **({"CELERY_BROKER_URL": broker_url} if broker_url else {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--loglevel=INFO",
         "--pool=threads", f"--concurrency={concurrency}", "-Q", settings.CELERY_TASK_DEFAULT_QUEUE,
         "--hostname", name, "--without-mingle", "--without-gossip"],
        cwd=ROOT, env={**worker_env(), **extra}, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        from portal.celery import app

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"The worker exited early; see {log_path}")
            # Only our worker's answer counts: other workers may share the broker.
            if app.control.ping(destination=[name], timeout=1.0):
                break
        else:
            raise RuntimeError(f"The worker did not answer within 60 s; see {log_path}")
        proc.celery_hostname = name  # type: ignore[attr-defined]
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()


def wait_for(condition: Callable[[], object], timeout: float = 30.0, interval: float = 0.2) -> object:
    """Poll until ``condition()`` is truthy; fail with the last value after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    value = condition()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = condition()
    assert value, f"condition not met within {timeout} s"
    return value
