"""Fixtures for the connector tests: the simulator over HTTP (``simulator``, from the
root conftest's plugin) and connectors that record their sleeps instead of sleeping."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from upstreams import Connector, get_connector


class SleepRecorder:
    """Stands in for ``time.sleep``: records delays, sleeps for none of them."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def make(simulator: Any, sleeps: SleepRecorder) -> Iterator[Callable[..., Connector]]:
    """``make(kind, credentials=None, **options)`` -> a connector on the simulator."""
    built: list[Connector] = []

    def factory(kind: str, credentials: dict[str, Any] | None = None, **options: Any) -> Connector:
        options.setdefault("sleep", sleeps)
        options.setdefault("backoff_base", 0.01)
        options.setdefault("max_attempts", 4)
        creds = credentials if credentials is not None else simulator.credentials[kind]
        conn = get_connector(kind, simulator.base_url(kind), creds, **options)
        built.append(conn)
        return conn

    yield factory
    for conn in built:
        conn.close()
