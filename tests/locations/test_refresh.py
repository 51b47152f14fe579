"""Refreshing ChargEye locations: each to the company of its CPO tenant, unknown tenants reported."""

from __future__ import annotations

import pytest

from locations.models import Location
from portal.models import Backend, Company, SyncRun
from sync.engine import refresh_run
from simulator.testing import SimulatorHandle
from tests.upstream import make_backend


@pytest.fixture
def chargeye(simulator: SimulatorHandle, db: None) -> Backend:
    return make_backend(simulator, "chargeye", None, name="ChargEye (all tenants)")


def upstream_locations(backend: Backend) -> list:
    with backend.connector() as connector:
        return connector.list_locations().all()


def test_locations_go_to_their_tenants_company_and_unknown_ones_are_reported(
    chargeye: Backend, company_a: Company, company_b: Company
) -> None:
    upstream = upstream_locations(chargeye)
    known = [r for r in upstream if r.tenant_id_cpo in (company_a.upstream_ref, company_b.upstream_ref)]
    assert 0 < len(known) < len(upstream)
    run = refresh_run(chargeye, "locations")
    assert run.status == SyncRun.Status.DONE, run.message
    assert run.rows_created == len(known) == Location.objects.count()
    assert run.errors == len(upstream) - len(known)
    assert run.message.startswith(f"{run.errors} skipped: locations whose ChargEye tenant is linked to no company")
    assert not any(r.tenant_id_cpo and r.tenant_id_cpo in run.message for r in upstream)  # words, not UUIDs
    sample = known[0]
    row = Location.objects.get(upstream_id=sample.id)
    assert row.company.upstream_ref == sample.tenant_id_cpo
    assert (row.name, row.city, row.postal_code) == (sample.name, sample.city or "", sample.postal_code or "")
    assert float(row.latitude) == pytest.approx(sample.lat, abs=1e-6)
    again = refresh_run(chargeye, "locations")
    assert (again.rows_unchanged, again.rows_updated, again.rows_removed) == (len(known), 0, 0)


def test_a_backend_with_a_company_takes_tenantless_locations(
    simulator: SimulatorHandle, company_a: Company
) -> None:
    backend = make_backend(simulator, "chargeye", company_a)
    run = refresh_run(backend, "locations")
    assert run.errors == 0 and run.rows_created == len(upstream_locations(backend))
    others = Location.objects.exclude(company=company_a)
    assert not others.exists()  # tenants unknown to the portal fall back to the backend's company
