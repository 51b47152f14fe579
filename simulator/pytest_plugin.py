"""pytest fixtures: ``simulator_server`` (session) and ``simulator`` (per test).

Register with ``pytest_plugins = ["simulator.pytest_plugin"]``.  The
session server holds a small deterministic estate
(:data:`simulator.testing.TEST_STATIONS` stations); ``simulator`` resets it
and clears every fault before each test, so tests never see each other's
writes or faults.
"""

from __future__ import annotations

from typing import Iterator

import pytest

from .testing import SimulatorHandle, start_simulator


@pytest.fixture(scope="session")
def simulator_server() -> Iterator[SimulatorHandle]:
    handle = start_simulator()
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def simulator(simulator_server: SimulatorHandle) -> Iterator[SimulatorHandle]:
    # Explicit seed parameters: a test that reset to another size does not leak.
    simulator_server.reset(**simulator_server.initial_seed)
    simulator_server.clear_faults()
    yield simulator_server
