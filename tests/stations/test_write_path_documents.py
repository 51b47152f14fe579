"""The write path where our first reading of the vendor documents was a guess (issue 11, findings 2, 3 and 5).

End to end: services or pages, the outbox, a real Celery worker, the simulator over HTTP set to act as a
server the documents allow but our guesses did not expect.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from locations.models import Location
from sync.mirror import SyncState
from portal.models import Backend, Operation
from simulator.testing import SimulatorHandle
from stations import services
from stations.models import HardwareTemplate, Station
from stations.services import StationInput
from tests.factories import StationModelFactory
from tests.worker import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.usefixtures("celery_worker_process")]


@pytest.fixture
def transactional(transactional_db: None) -> None:
    """The worker is another process: it only sees committed rows."""


def settled(op: Operation, timeout: float = 60) -> Operation:
    wait_for(lambda: Operation.objects.get(pk=op.pk).status in Operation.SETTLED, timeout=timeout)
    op.refresh_from_db()
    return op


def template_input(backend: Backend, cbid: str) -> StationInput:
    return StationInput(
        backend=backend, company=backend.company, label="Template station", charge_box_identity=cbid,
        location=Location.objects.filter(backend=backend).first(), deploy_state="Production",
        default_tariff_id="TARIFF-AC-STANDARD", template=HardwareTemplate.objects.filter(backend=backend).first(),
        directions=[{"language": "en", "text": "Level -1, behind the lifts"}], parking_restrictions=["EV_ONLY"],
    )


def test_template_create_patches_directions_onto_each_evse_by_uid(transactional: None, gf_backend: Backend) -> None:
    station = services.station_create(user=None, data=template_input(gf_backend, "DOC-TPL-1"))
    extras = settled(Operation.objects.get(target_id=station.pk, kind="station.evse_extras"))
    assert extras.status == Operation.Status.DONE, extras.error_message
    with gf_backend.connector() as connector:
        remote = connector.get_station("DOC-TPL-1")
    assert remote.evses and all(e.uid and e.evse_sequence_number for e in remote.evses)
    assert all(e.directions[0].text == "Level -1, behind the lifts" for e in remote.evses)
    assert all(e.parking_restrictions == ("EV_ONLY",) for e in remote.evses)
    assert all(e.status == "AVAILABLE" and e.connectors for e in remote.evses)


def test_template_create_without_evses_upstream_fails_with_that_reason(
    transactional: None, simulator: SimulatorHandle, gf_backend: Backend
) -> None:
    """Finding 2: a server that had not built the template's EVSEs yet; the follow-up sent
    ``evses: []`` and was marked done, losing the directions without a word."""
    simulator.set_faults("greenflux", next_template_no_evses=1)
    station = services.station_create(user=None, data=template_input(gf_backend, "DOC-TPL-2"))
    create = settled(Operation.objects.get(target_id=station.pk, kind="station.create"))
    assert create.status == Operation.Status.DONE, create.error_message
    extras = settled(Operation.objects.get(target_id=station.pk, kind="station.evse_extras"))
    assert extras.status == Operation.Status.FAILED
    assert "has no EVSEs upstream" in extras.error_message and "directions" in extras.error_message
    station.refresh_from_db()
    assert station.sync_state == SyncState.FAILED


def test_retried_create_adopts_the_station_refused_as_a_422_duplicate(
    transactional: None, simulator: SimulatorHandle, be_backend: Backend
) -> None:
    """Finding 5: the first POST is applied but its answer is lost; the retry is refused with a 422
    naming ``chargeBoxIdentity`` (no status is documented) and must adopt the station."""
    simulator.set_faults("beenergised", next_drop_after=1, duplicate_status=422)
    model = StationModelFactory(beenergised_model_id=2)
    data = StationInput(backend=be_backend, company=be_backend.company, label="Lost answer",
                        charge_box_identity="DOC-DUP-1", model=model, time_zone="Europe/Berlin")
    station = services.station_create(user=None, data=data)
    op = settled(Operation.objects.get(target_id=station.pk, kind="station.create"))
    assert op.status == Operation.Status.DONE, op.error_message
    assert op.attempts == 2
    with be_backend.connector() as connector:
        matches = [s for s in connector.list_stations().items() if s.charge_box_identity == "DOC-DUP-1"]
    assert len(matches) == 1
    station.refresh_from_db()
    assert station.upstream_id == matches[0].id and station.sync_state == SyncState.SYNCED


def test_beenergised_refresh_from_upstream_reads_the_documented_list(
    transactional: None, simulator: SimulatorHandle, be_backend: Backend, operator_client: Client
) -> None:
    """Finding 3: the document has no GET by id; the single-station refresh goes through the list."""
    from sync.engine import refresh_run

    assert refresh_run(be_backend, "stations", full=True).status == "done"
    station = Station.objects.filter(backend=be_backend).order_by("pk").last()
    upstream_label = station.label
    Station.objects.filter(pk=station.pk).update(label="Drifted locally")
    response = operator_client.post(reverse("stations:refresh", args=[station.pk]))
    assert response.status_code == 302
    op = settled(Operation.objects.get(target_id=station.pk, kind="station.refresh"))
    assert op.status == Operation.Status.DONE, op.error_message
    station.refresh_from_db()
    assert station.label == upstream_label
