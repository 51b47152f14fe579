"""Fixtures for station tests: backends on the simulator with their parents mirrored."""

from __future__ import annotations

import pytest

from portal.models import Backend, Company
from simulator.testing import SimulatorHandle
from tests.upstream import make_backend, mirror_greenflux_parents, mirror_technicians


@pytest.fixture
def gf_backend(simulator: SimulatorHandle, company_a: Company) -> Backend:
    backend = make_backend(simulator, "greenflux", company_a)
    mirror_greenflux_parents(backend)
    return backend


@pytest.fixture
def be_backend(simulator: SimulatorHandle, company_a: Company) -> Backend:
    backend = make_backend(simulator, "beenergised", company_a)
    mirror_technicians(backend)
    return backend
