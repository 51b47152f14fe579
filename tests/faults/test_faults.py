"""Faults with a real worker and the simulator: after each, every operation ends done, failed
with a reason, or in conflict; none is sent twice, none is lost; the pages keep answering.

Scenarios: a worker killed mid-task, the broker restarted (its queue lost), the upstream down
for a minute, rate limited for a minute, and answering slowly. The test plays beat's part
by running the outbox sweeper every few seconds.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from locations.models import Location
from portal.models import Backend, Operation, User
from outbox.operations import operations_sweep
from simulator.testing import SimulatorHandle
from stations import services
from stations.models import Station
from stations.services import ConnectorInput, EvseInput, StationInput
from tests.conftest import client_for
from tests.faults.conftest import WORKER_ENV, PrivateRedis, drive, pages_answer
from tests.worker import running_worker

pytestmark = [pytest.mark.worker, pytest.mark.faults]

MINUTE = float(os.environ.get("FAULT_MINUTE_SECONDS", "60"))


def create_stations(backend: Backend, count: int, prefix: str) -> list[Operation]:
    location = Location.objects.filter(backend=backend).first()
    ops = []
    for n in range(1, count + 1):
        station = services.station_create(user=None, data=StationInput(
            backend=backend, company=backend.company, label=f"{prefix} {n}", charge_box_identity=f"{prefix}-{n:02d}",
            location=location, deploy_state="Stock", default_tariff_id="TARIFF-AC-STANDARD",
            evses=[EvseInput(connectors=[ConnectorInput("IEC_62196_T2", "SOCKET", "AC_3_PHASE", 400, 32, 22000)])],
        ))
        ops.append(Operation.objects.get(target_id=station.pk, kind="station.create"))
    return ops


def assert_each_done_once(ops: list[Operation], backend: Backend, prefix: str) -> None:
    settled = Operation.objects.filter(pk__in=[op.pk for op in ops])
    assert not settled.exclude(status__in=Operation.SETTLED).exists()
    failed = list(settled.filter(status=Operation.Status.FAILED).values_list("error_message", flat=True))
    assert all(failed), "a failed operation must say why"
    assert settled.filter(status=Operation.Status.DONE).count() == len(ops), failed
    with backend.connector() as connector:
        upstream = [s.charge_station_id for s in connector.list_stations().items()
                    if s.charge_station_id.startswith(prefix)]
    assert sorted(upstream) == sorted(set(upstream)), "a station was created twice"
    assert len(upstream) == len(ops), "a station was lost"
    assert not Station.objects.filter(charge_box_identity__startswith=prefix).exclude(sync_state="synced").exists()


def test_worker_killed_mid_task(fault_worker: object, private_broker: PrivateRedis, worker_log: Path,
                                simulator: SimulatorHandle, gf_backend: Backend, viewer: User) -> None:
    simulator.set_faults("greenflux", latency_ms=1500)
    ops = create_stations(gf_backend, 8, "KILL")
    deadline = time.monotonic() + 30
    while not Operation.objects.filter(status=Operation.Status.IN_FLIGHT).exists():
        assert time.monotonic() < deadline, "no operation started"
        time.sleep(0.1)
    os.kill(fault_worker.pid, signal.SIGKILL)  # type: ignore[attr-defined]
    fault_worker.wait()  # type: ignore[attr-defined]
    assert Operation.objects.filter(status=Operation.Status.IN_FLIGHT).exists()  # left behind by the dead worker
    with running_worker(worker_log, concurrency=4, env=WORKER_ENV, broker_url=private_broker.url):
        drive(ops, client_for(viewer), timeout=120)
    assert_each_done_once(ops, gf_backend, "KILL")


def test_broker_restarted_and_its_queue_lost(transactional_db: None, private_broker: PrivateRedis, worker_log: Path,
                                             outbox_settings: None, simulator: SimulatorHandle,
                                             gf_backend: Backend, viewer: User) -> None:
    ops = create_stations(gf_backend, 6, "BRK")  # queued in the broker, no worker yet
    private_broker.stop()                          # the broker dies with its queue
    more = create_stations(gf_backend, 4, "BRK2")  # enqueue fails: the rows wait in the outbox
    private_broker.start()
    with running_worker(worker_log, concurrency=4, env=WORKER_ENV, broker_url=private_broker.url):
        drive(ops + more, client_for(viewer), timeout=120)
    assert_each_done_once(ops, gf_backend, "BRK-")
    assert_each_done_once(more, gf_backend, "BRK2")


@pytest.mark.parametrize("fault", [
    pytest.param({"rate_5xx": 1.0}, id="upstream-down"),
    pytest.param({"rate_429": 1.0, "retry_after": 5}, id="rate-limited"),
])
def test_upstream_unusable_for_a_minute(fault: dict[str, float], fault_worker: object, simulator: SimulatorHandle,
                                        gf_backend: Backend, viewer: User) -> None:
    simulator.set_faults("greenflux", **fault)
    ops = create_stations(gf_backend, 6, "MIN")
    client = client_for(viewer)
    ends = time.monotonic() + MINUTE
    while time.monotonic() < ends:
        operations_sweep()
        pages_answer(client)
        time.sleep(2)
    assert not Operation.objects.filter(pk__in=[o.pk for o in ops], status=Operation.Status.DONE).exists()
    simulator.clear_faults()
    drive(ops, client, timeout=120)
    assert_each_done_once(ops, gf_backend, "MIN")


def test_upstream_answering_slowly(fault_worker: object, simulator: SimulatorHandle, gf_backend: Backend,
                                   viewer: User) -> None:
    simulator.set_faults("greenflux", latency_ms=2500)
    ops = create_stations(gf_backend, 6, "SLOW")
    drive(ops, client_for(viewer), timeout=120)
    assert_each_done_once(ops, gf_backend, "SLOW")
