"""Fixtures for location tests: a ChargEye backend on the simulator, its locations mirrored, a frozen clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from locations.mapping import apply_chargeye
from locations.models import Location
from sync.mirror import SyncState
from portal.models import Backend, Company
from simulator import chargeye as sim_chargeye
from simulator.testing import SimulatorHandle
from tests.upstream import make_backend

# A fixed instant for the simulator's live figures, so a test can read them twice and get the same answer.
FROZEN_TS = 1_790_000_000.0


def mirror_chargeye_locations(backend: Backend) -> list[Location]:
    """Copy ChargEye's locations into the mirror, each to the company of its tenantIdCPO (what a refresh does)."""
    companies = dict(Company.objects.exclude(upstream_ref=None).values_list("upstream_ref", "pk"))
    rows = []
    with backend.connector() as connector:
        for record in connector.list_locations().items():
            company = companies.get(record.tenant_id_cpo)
            if company is None:
                continue
            location = Location.objects.filter(backend=backend, upstream_id=record.id).first() or Location(
                backend=backend, company_id=company)
            apply_chargeye(location, record)
            location.sync_state = SyncState.SYNCED
            location.save()
            rows.append(location)
    return rows


@pytest.fixture
def ce_backend(simulator: SimulatorHandle, company_a: Company, company_b: Company) -> Backend:
    """ChargEye's backend has no company: each location's company comes from its tenant."""
    backend = make_backend(simulator, "chargeye", None, name="ChargEye")
    mirror_chargeye_locations(backend)
    return backend


@pytest.fixture
def frozen_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[float]:
    """Stop the simulator's clock (it runs in this process), so live figures hold still."""
    monkeypatch.setattr(sim_chargeye, "now_ts", lambda: FROZEN_TS)
    yield FROZEN_TS
