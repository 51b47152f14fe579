"""Location writes reach ChargEye (the simulator over HTTP) through the outbox; a rerun never duplicates."""

from __future__ import annotations

from decimal import Decimal

import pytest

from locations import services
from locations.models import Location
from locations.services import LocationInput
from sync.mirror import SyncState
from portal.models import Backend, Company, Operation
from outbox.operations import HANDLERS, operation_run
from tests.worker import wait_for

pytestmark = pytest.mark.django_db


def _input(**changes: object) -> LocationInput:
    data = LocationInput(name="Portal Depot", latitude=Decimal("52.1"), longitude=Decimal("5.1"),
                         address="Kade 1", city="Utrecht", postal_code="3511 AA", country_code="NL", labels=["fleet"])
    for name, value in changes.items():
        setattr(data, name, value)
    return data


def _run(location: Location, kind: str) -> Operation:
    op = Operation.objects.filter(target_type="location", target_id=location.pk, kind=kind).latest("pk")
    operation_run(op.pk)
    op.refresh_from_db()
    return op


def _upstream_by_ref(backend: Backend, ref: str) -> list:  # type: ignore[type-arg]
    with backend.connector() as connector:
        return [loc for loc in connector.list_locations().items() if loc.location_id == ref]


def test_create_then_update_reach_chargeye(ce_backend: Backend, company_a: Company) -> None:
    location = services.location_create(user=None, company=company_a, data=_input())
    assert _run(location, "location.create").status == Operation.Status.DONE
    location.refresh_from_db()
    assert location.sync_state == SyncState.SYNCED and location.upstream_id
    [remote] = _upstream_by_ref(ce_backend, location.location_ref)
    assert (remote.name, remote.postal_code, remote.country_code, remote.lat) == ("Portal Depot", "3511 AA", "NL", 52.1)
    assert remote.tenant_id_cpo == company_a.upstream_ref  # the labels carry the company's tenant

    services.location_update(user=None, location=location, data=_input(name="Portal Depot North", country_code=""))
    assert _run(location, "location.update").status == Operation.Status.DONE
    with ce_backend.connector() as connector:
        remote = connector.get_location(location.upstream_id)
    assert remote.name == "Portal Depot North"
    location.refresh_from_db()
    assert location.sync_state == SyncState.SYNCED and location.name == "Portal Depot North"


def test_a_create_run_twice_makes_one_location(ce_backend: Backend, company_a: Company) -> None:
    location = services.location_create(user=None, company=company_a, data=_input())
    op = Operation.objects.get(target_id=location.pk, kind="location.create")
    with ce_backend.connector() as connector:
        HANDLERS["location.create"].perform(op, connector)  # the first try: its answer is lost
    Operation.objects.filter(pk=op.pk).update(attempts=1)
    assert _run(location, "location.create").status == Operation.Status.DONE
    assert len(_upstream_by_ref(ce_backend, location.location_ref)) == 1


def test_an_update_waits_for_its_create(ce_backend: Backend, company_a: Company) -> None:
    location = services.location_create(user=None, company=company_a, data=_input())
    update = services.location_update(user=None, location=location, data=_input(city="Zeist"))
    assert update.parent is not None and update.parent.kind == "location.create"
    assert operation_run(update.pk) == "skipped"  # no upstream id yet
    _run(location, "location.create")
    operation_run(update.pk)
    update.refresh_from_db()
    assert update.status == Operation.Status.DONE
    with ce_backend.connector() as connector:
        assert connector.get_location(Location.objects.get(pk=location.pk).upstream_id).city == "Zeist"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_create_end_to_end_with_a_worker(celery_worker_process: object, ce_backend: Backend,
                                         company_a: Company) -> None:
    location = services.location_create(user=None, company=company_a, data=_input(name="Worker Depot"))
    wait_for(lambda: Location.objects.get(pk=location.pk).sync_state == SyncState.SYNCED, timeout=60)
    assert [r.name for r in _upstream_by_ref(ce_backend, location.location_ref)] == ["Worker Depot"]


@pytest.mark.parametrize("status", [409, 400])
def test_a_create_refused_as_a_duplicate_adopts_the_location_already_there(
    ce_backend: Backend, company_a: Company, simulator, status: int
) -> None:
    # The first try reached ChargEye but the portal never learned it (a retry starts afresh): ChargEye
    # refuses the locationId again, and the create adopts the location that holds it (issue 24 item 7).
    simulator.update_faults("chargeye", refuse_duplicates=True, duplicate_status=status)
    location = services.location_create(user=None, company=company_a, data=_input())
    op = Operation.objects.get(target_id=location.pk, kind="location.create")
    with ce_backend.connector() as connector:
        first = HANDLERS["location.create"].perform(op, connector)
    assert _run(location, "location.create").status == Operation.Status.DONE
    location.refresh_from_db()
    assert location.upstream_id == first.id and location.sync_state == SyncState.SYNCED
    assert len(_upstream_by_ref(ce_backend, location.location_ref)) == 1


def test_a_duplicate_with_other_values_is_not_adopted(ce_backend: Backend, company_a: Company, simulator) -> None:
    simulator.update_faults("chargeye", refuse_duplicates=True)
    location = services.location_create(user=None, company=company_a, data=_input())
    op = Operation.objects.get(target_id=location.pk, kind="location.create")
    other = dict(op.payload["location"], name="Somebody else's depot")
    with ce_backend.connector() as connector:
        from upstreams import chargeye_types as ce

        connector.create_location(ce.Location.from_api(other))
    assert _run(location, "location.create").status != Operation.Status.DONE
    location.refresh_from_db()
    assert not location.upstream_id
