"""The write path end to end: services, the outbox, a real Celery worker, the simulator over HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from upstreams import NotFound
from locations.models import Location
from models_catalog.models import StationModel
from sync.mirror import SyncState
from portal.models import Backend, Operation
from outbox.operations import HANDLERS, operation_run, operations_sweep
from simulator.testing import SimulatorHandle
from stations import services
from stations.models import HardwareTemplate, Station, Technician
from stations.services import ConnectorInput, EvseInput, StationInput
from stations.versions import shown_version
from tests.factories import StationModelFactory
from tests.upstream import make_backend, mirror_technicians
from tests.worker import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.usefixtures("celery_worker_process")]


@pytest.fixture
def transactional(transactional_db: None) -> None:
    """The worker is another process: it only sees committed rows."""


def settled(op: Operation, timeout: float = 60) -> Operation:
    wait_for(lambda: Operation.objects.get(pk=op.pk).status in Operation.SETTLED, timeout=timeout)
    op.refresh_from_db()
    return op


def create_op(station: Station) -> Operation:
    return Operation.objects.filter(target_id=station.pk, kind="station.create").get()


def manual_input(backend: Backend, cbid: str) -> StationInput:
    return StationInput(
        backend=backend, company=backend.company, label=f"Depot {cbid}", charge_box_identity=cbid,
        location=Location.objects.filter(backend=backend).first(), deploy_state="Stock",
        default_tariff_id="TARIFF-AC-STANDARD",
        evses=[
            EvseInput(capabilities=["RFID_READER"], connectors=[
                ConnectorInput("IEC_62196_T2", "SOCKET", "AC_3_PHASE", 400, 32, 22000)]),
            EvseInput(connectors=[
                ConnectorInput("IEC_62196_T2_COMBO", "CABLE", "DC", 500, 125, 50000),
                ConnectorInput("CHADEMO", "CABLE", "DC", 500, 125, 50000)]),
        ],
    )


def upstream_station(backend: Backend, cbid: str) -> Any:
    with backend.connector() as connector:
        return connector.get_station(cbid)


def test_create_with_manual_evses(transactional: None, gf_backend: Backend) -> None:
    station = services.station_create(user=None, data=manual_input(gf_backend, "NEW-MANUAL-1"))
    assert station.sync_state == SyncState.PENDING
    op = settled(create_op(station))
    assert op.status == Operation.Status.DONE, op.error_message
    station.refresh_from_db()
    assert station.sync_state == SyncState.SYNCED
    remote = upstream_station(gf_backend, "NEW-MANUAL-1")
    assert [[c.standard for c in e.connectors] for e in remote.evses] == [
        ["IEC_62196_T2"], ["IEC_62196_T2_COMBO", "CHADEMO"]]
    assert station.evses.count() == 2
    assert remote.location_id == station.location.upstream_id


def test_create_from_template_then_directions_by_patch(transactional: None, gf_backend: Backend) -> None:
    template = HardwareTemplate.objects.filter(backend=gf_backend).first()
    data = StationInput(
        backend=gf_backend, company=gf_backend.company, label="Template station", charge_box_identity="NEW-TPL-1",
        location=Location.objects.filter(backend=gf_backend).first(), deploy_state="Production",
        default_tariff_id="TARIFF-AC-STANDARD", template=template,
        directions=[{"language": "en", "text": "Level -1, behind the lifts"}],
        parking_restrictions=["EV_ONLY"],
    )
    station = services.station_create(user=None, data=data)
    extras = Operation.objects.get(target_id=station.pk, kind="station.evse_extras")
    assert settled(create_op(station)).status == Operation.Status.DONE
    assert settled(extras).status == Operation.Status.DONE, extras.error_message
    remote = upstream_station(gf_backend, "NEW-TPL-1")
    assert len(remote.evses) == len(template.evse_templates)
    assert all(e.directions and e.directions[0].text == "Level -1, behind the lifts" for e in remote.evses)
    assert all(e.parking_restrictions == ("EV_ONLY",) for e in remote.evses)
    station.refresh_from_db()
    assert station.sync_state == SyncState.SYNCED
    assert station.evses.first().directions == [{"language": "en", "text": "Level -1, behind the lifts"}]


def test_beenergised_create_and_technician_of_other_company_refused(
    transactional: None, simulator: SimulatorHandle, be_backend: Backend, company_b: Any
) -> None:
    model = StationModelFactory(beenergised_model_id=3)
    own_tech = Technician.objects.filter(backend=be_backend).first()
    good = StationInput(backend=be_backend, company=be_backend.company, label="BE ok", charge_box_identity="BE-OK-1",
                        model=model, time_zone="Europe/Berlin", technician=own_tech)
    ok = services.station_create(user=None, data=good)
    assert settled(create_op(ok)).status == Operation.Status.DONE
    ok.refresh_from_db()
    assert ok.upstream_id and ok.technician == own_tech

    foreign_tech = mirror_technicians(make_backend(simulator, "beenergised", company_b))[0]
    bad = StationInput(backend=be_backend, company=be_backend.company, label="BE bad", charge_box_identity="BE-BAD-1",
                       model=model, time_zone="Europe/Berlin", technician=foreign_tech)
    station = services.station_create(user=None, data=bad)
    op = settled(create_op(station))
    assert op.status == Operation.Status.FAILED
    assert "technicianUserId" in op.field_errors
    assert "does not belong to company" in op.field_errors["technicianUserId"]
    station.refresh_from_db()
    assert station.sync_state == SyncState.FAILED


def _synced_station(backend: Backend) -> Station:
    station = services.station_create(user=None, data=manual_input(backend, "EDIT-1"))
    assert settled(create_op(station)).status == Operation.Status.DONE
    # A new GreenFlux station has no etag until its first update: re-save it once.
    op = services.station_patch(user=None, station=station, name="label", value="Edit me")
    assert settled(op).status == Operation.Status.DONE
    station.refresh_from_db()
    assert station.etag
    return station


def test_stale_etag_becomes_conflict_and_nothing_is_lost(
    transactional: None, simulator: SimulatorHandle, gf_backend: Backend
) -> None:
    station = _synced_station(gf_backend)
    shown = shown_version(station)
    simulator.touch_station("EDIT-1", default_charge_station_tariff_id="TARIFF-SOMEONE-ELSE")
    op = services.station_edit(user=None, station=station, shown=shown, changes={"name": "My new label"})
    op = settled(op)
    assert op.status == Operation.Status.CONFLICT
    station.refresh_from_db()
    assert station.sync_state == SyncState.CONFLICT
    assert op.payload["changes"] == {"name": "My new label"}  # the user's change is kept
    assert op.upstream_current["default_charge_station_tariff_id"] == "TARIFF-SOMEONE-ELSE"
    assert upstream_station(gf_backend, "EDIT-1").name == "Edit me"  # nothing overwritten upstream

    again = settled(services.station_conflict_reapply(user=None, station=station, op=op))
    assert again.status == Operation.Status.DONE, again.error_message
    remote = upstream_station(gf_backend, "EDIT-1")
    assert remote.name == "My new label"
    assert remote.default_charge_station_tariff_id == "TARIFF-SOMEONE-ELSE"


def test_discarding_a_conflict_shows_the_upstream_version(
    transactional: None, simulator: SimulatorHandle, gf_backend: Backend
) -> None:
    station = _synced_station(gf_backend)
    shown = shown_version(station)
    simulator.touch_station("EDIT-1", name="Renamed elsewhere")
    op = settled(services.station_edit(user=None, station=station, shown=shown, changes={"name": "Mine"}))
    assert op.status == Operation.Status.CONFLICT
    station = services.station_conflict_discard(user=None, station=station, op=op)
    assert station.label == "Renamed elsewhere"
    assert station.sync_state == SyncState.SYNCED


def test_patch_needs_no_etag(transactional: None, simulator: SimulatorHandle, gf_backend: Backend) -> None:
    station = _synced_station(gf_backend)
    simulator.touch_station("EDIT-1")  # the etag the portal holds is now stale
    op = settled(services.station_patch(user=None, station=station, name="deploy_state", value="Production"))
    assert op.status == Operation.Status.DONE, op.error_message
    assert upstream_station(gf_backend, "EDIT-1").deploy_state == "Production"


def test_worker_dies_after_upstream_answer_yet_one_station_upstream(
    transactional: None, simulator: SimulatorHandle, be_backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first run creates the station upstream and dies before saving; the rerun adopts it."""
    model = StationModelFactory(beenergised_model_id=2)
    data = StationInput(backend=be_backend, company=be_backend.company, label="Crash", charge_box_identity="CRASH-1",
                        model=model, time_zone="Europe/Berlin")
    handler = HANDLERS["station.create"]

    class Died(BaseException):
        pass

    def die(op: Operation, result: Any) -> dict[str, Any]:
        raise Died

    # The first run happens in this process (the message never reaches the worker): it
    # creates the station upstream, then "dies" before the mirror is updated.
    monkeypatch.setattr("outbox.operations.operation_enqueue", lambda *a, **k: None)
    station = services.station_create(user=None, data=data)
    op = create_op(station)
    monkeypatch.setattr(handler, "apply", die)
    with pytest.raises(Died):
        operation_run(op.pk)
    monkeypatch.undo()
    op.refresh_from_db()
    assert op.status == Operation.Status.IN_FLIGHT  # left behind by the dead worker
    station.refresh_from_db()
    assert not station.upstream_id and station.sync_state == SyncState.PENDING
    with be_backend.connector() as connector:
        assert connector.find_station("CRASH-1") is not None  # ...after the upstream had created it
    Operation.objects.filter(pk=op.pk).update(lease_until=timezone.now())
    assert operations_sweep() >= 1
    op = settled(op)
    assert op.status == Operation.Status.DONE, op.error_message
    with be_backend.connector() as connector:
        matches = [s for s in connector.list_stations().items() if s.charge_box_identity == "CRASH-1"]
    assert len(matches) == 1
    station.refresh_from_db()
    assert station.upstream_id == matches[0].id


def test_bursts_of_429_and_5xx_end_in_success(
    transactional: None, simulator: SimulatorHandle, gf_backend: Backend
) -> None:
    simulator.set_faults("greenflux", next_429=2, next_5xx=2, retry_after=1)
    station = services.station_create(user=None, data=manual_input(gf_backend, "BURST-1"))
    op = settled(create_op(station))
    assert op.status == Operation.Status.DONE, op.error_message
    assert upstream_station(gf_backend, "BURST-1").charge_station_id == "BURST-1"


def test_outage_longer_than_connector_retries_is_retried_by_the_outbox(
    transactional: None, simulator: SimulatorHandle, gf_backend: Backend
) -> None:
    simulator.set_faults("greenflux", next_5xx=12)
    station = services.station_create(user=None, data=manual_input(gf_backend, "OUTAGE-1"))
    op = settled(create_op(station), timeout=120)
    assert op.status == Operation.Status.DONE, op.error_message
    assert op.attempts >= 2
    with gf_backend.connector() as connector:
        assert connector.get_station("OUTAGE-1")


def test_rejected_payload_fails_with_upstream_message(transactional: None, gf_backend: Backend) -> None:
    data = manual_input(gf_backend, "BAD-1")
    data.evses[0].connectors[0].standard = "NOT_A_STANDARD"
    station = services.station_create(user=None, data=data)
    op = settled(create_op(station))
    assert op.status == Operation.Status.FAILED
    assert any("standard" in field for field in op.field_errors), op.field_errors
    assert op.attempts == 1
    with gf_backend.connector() as connector, pytest.raises(NotFound):
        connector.get_station("BAD-1")
