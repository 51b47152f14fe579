"""Model writes reach the models API (the simulator over HTTP) through the outbox, and a rerun never duplicates."""

from __future__ import annotations

import pytest

from models_catalog import services
from models_catalog.models import StationModel
from models_catalog.operations import apply_upstream
from models_catalog.services import ConnectorInput, ModelInput
from sync.mirror import SyncState
from portal.models import Backend, Operation
from outbox.operations import HANDLERS, operation_run
from simulator.testing import SimulatorHandle
from tests.upstream import make_backend

pytestmark = pytest.mark.django_db


@pytest.fixture
def backend(simulator: SimulatorHandle) -> Backend:
    backend = make_backend(simulator, "models", None)
    with backend.connector() as connector:
        for record in connector.list_models().items():
            apply_upstream(StationModel(backend=backend), record).save()
    return backend


def _new() -> ModelInput:
    return ModelInput(vendor="Portal Test", model="PT-1", power_type="AC_3_PHASE", friendly_name="Portal one",
                      ocpp_url="wss://ocpp.example/pt", connectors=[ConnectorInput("IEC_62196_T2", "SOCKET", 32, 400, 22000)])


def _upstream(backend: Backend, model_id: str):  # type: ignore[no-untyped-def]
    with backend.connector() as connector:
        return connector.get_model(model_id)


def _run(model: StationModel, kind: str) -> Operation:
    op = Operation.objects.filter(target_type="station_model", target_id=model.pk, kind=kind).latest("pk")
    operation_run(op.pk)
    op.refresh_from_db()
    return op


def test_create_rename_archive_reach_the_catalogue(backend: Backend) -> None:
    model = services.model_create(user=None, data=_new())
    assert _run(model, "model.create").status == Operation.Status.DONE
    model.refresh_from_db()
    assert model.sync_state == SyncState.SYNCED and model.upstream_id
    assert _upstream(backend, model.upstream_id).friendly_name == "Portal one"

    services.model_rename(user=None, model=model, friendly_name="Portal one, renamed")
    assert _run(model, "model.rename").status == Operation.Status.DONE
    assert _upstream(backend, model.upstream_id).friendly_name == "Portal one, renamed"

    services.model_archive(user=None, model=model)
    assert _run(model, "model.archive").status == Operation.Status.DONE
    model.refresh_from_db()
    assert model.is_archived and model.sync_state == SyncState.SYNCED
    assert _upstream(backend, model.upstream_id).is_archived


def test_a_create_run_twice_makes_one_model(backend: Backend) -> None:
    model = services.model_create(user=None, data=_new())
    op = Operation.objects.get(target_id=model.pk, kind="model.create")
    with backend.connector() as connector:
        HANDLERS["model.create"].perform(op, connector)  # the first try: its answer is lost
    Operation.objects.filter(pk=op.pk).update(attempts=1)
    assert _run(model, "model.create").status == Operation.Status.DONE
    with backend.connector() as connector:
        same = [m for m in connector.list_models(vendor="Portal Test", model="PT-1").items()]
    assert len(same) == 1
    model.refresh_from_db()
    assert model.upstream_id == same[0].id


def test_rename_after_an_archive_elsewhere_is_a_conflict_showing_the_upstream(backend: Backend) -> None:
    model = StationModel.objects.filter(backend=backend, is_archived=False).first()
    with backend.connector() as connector:
        connector.archive_model(model.upstream_id)  # another admin, elsewhere
    services.model_rename(user=None, model=model, friendly_name="Too late")
    op = _run(model, "model.rename")
    assert op.status == Operation.Status.CONFLICT
    model.refresh_from_db()
    assert model.is_archived and model.friendly_name != "Too late" and model.sync_state == SyncState.CONFLICT


def test_a_rejected_create_fails_with_the_upstreams_message(backend: Backend, simulator: SimulatorHandle) -> None:
    model = services.model_create(user=None, data=_new())
    Operation.objects.filter(target_id=model.pk).update(payload={"model": {"vendor": "x"}})
    op = _run(model, "model.create")
    assert op.status == Operation.Status.FAILED and op.error_message
    model.refresh_from_db()
    assert model.sync_state == SyncState.FAILED


@pytest.mark.parametrize("status", [409, 422])
def test_a_create_refused_as_a_duplicate_adopts_the_same_model(
    backend: Backend, simulator: SimulatorHandle, status: int
) -> None:
    # The first try reached the catalogue but the portal never learned it (a retry starts afresh): the
    # catalogue refuses the model again, and the create adopts the one already there (issue 24 item 7).
    simulator.update_faults("models", refuse_duplicates=True, duplicate_status=status)
    model = services.model_create(user=None, data=_new())
    op = Operation.objects.get(target_id=model.pk, kind="model.create")
    with backend.connector() as connector:
        first = HANDLERS["model.create"].perform(op, connector)
    assert _run(model, "model.create").status == Operation.Status.DONE
    model.refresh_from_db()
    assert model.upstream_id == first.id and model.sync_state == SyncState.SYNCED
    with backend.connector() as connector:
        assert len(list(connector.list_models(vendor="Portal Test", model="PT-1").items())) == 1
