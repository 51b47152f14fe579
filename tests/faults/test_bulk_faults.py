"""Faults in the middle of a bulk change batch, with a real worker and the simulator over HTTP.

A batch is made and confirmed through the pages, as a fleet manager does; then the worker is
killed, or the broker dies with its queue, or the upstream's tokens expire, while the batch's
operations are on their way. The test plays beat's part (the outbox sweeper every two seconds).
Afterwards every operation of the batch is done, each station's write landed upstream exactly
once (the simulator's own record of the writes it applied), nothing another user changed upstream
was overwritten, and the batch page shows the counts.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.models import Backend, Operation, User
from sync.engine import refresh_run
from simulator.testing import SimulatorHandle
from stations.bulk.models import Batch, BatchItem
from stations.models import Station
from tests.conftest import client_for
from tests.faults.conftest import WORKER_ENV, PrivateRedis, drive
from tests.worker import running_worker

pytestmark = [pytest.mark.worker, pytest.mark.faults]

TARIFF = "TARIFF-FAULTS-2027"


class UpstreamWrites:
    """The writes the simulator applied, per record: every GreenFlux PUT or PATCH sets a new etag.

    The simulator runs in this process, so its store is watched directly; this counts what the
    upstream did, whatever the portal believes it sent.
    """

    def __init__(self, simulator: SimulatorHandle, monkeypatch: pytest.MonkeyPatch) -> None:
        self.counts: Counter[str] = Counter()
        store = simulator.store
        original = store.put

        def put(coll: str, rid: str, record: dict[str, Any]) -> None:
            if coll == "gf_stations":
                before = store.get(coll, rid)
                if before is not None and before.get("etag") != record.get("etag"):
                    self.counts[rid] += 1
            original(coll, rid, record)

        monkeypatch.setattr(store, "put", put)


@pytest.fixture
def upstream_writes(simulator: SimulatorHandle, monkeypatch: pytest.MonkeyPatch) -> UpstreamWrites:
    return UpstreamWrites(simulator, monkeypatch)


def mirrored_stations(backend: Backend, count: int) -> list[Station]:
    assert refresh_run(backend, "stations", full=True).status == "done"
    stations = list(Station.objects.filter(backend=backend, removed_at__isnull=True, upstream_id__isnull=False)
                    .order_by("label", "id")[:count])
    assert len(stations) == count
    return stations


def confirmed_batch(client: Client, stations: list[Station], **action: str) -> Batch:
    """Preview the action for the checked stations on the pages, then confirm it there."""
    answer = client.post(reverse("stations:bulk_new"), {"station": [s.pk for s in stations], **action})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    batch_id = int(re.search(r"/batches/(\d+)/", answer["Location"]).group(1))
    preview = client.get(reverse("stations:batch_detail", args=[batch_id]))
    assert preview.status_code == 200
    assert client.post(reverse("stations:batch_confirm", args=[batch_id])).status_code == 302
    batch = Batch.objects.get(pk=batch_id)
    assert batch.status == Batch.Status.CONFIRMED
    return batch


def batch_ops(batch: Batch) -> list[Operation]:
    keys = BatchItem.objects.filter(batch=batch, outcome=BatchItem.Outcome.CHANGE).values("operation_id")
    return list(Operation.objects.filter(key__in=keys))


def wait_until_under_way(batch: Batch, done: int, timeout: float = 40.0, fresh: float = 0.4) -> None:
    """Until at least ``done`` operations of the batch are done and one is in flight that a worker claimed
    less than ``fresh`` seconds ago, so that it is still on its way to the upstream when the caller acts.

    The batch's operations are queued at once (``operations_enqueue_many``), so the worker's threads
    start them together and settle them together: right after a wave has settled, and before the
    threads claim the next ones, none is in flight. An operation seen in flight then may be settling
    that very moment; one claimed just now still has its read and its write (each ``latency_ms``) ahead.
    """
    deadline = time.monotonic() + timeout
    while True:
        ops = batch_ops(batch)
        statuses = Counter(op.status for op in ops)
        recent = timezone.now() - timedelta(seconds=fresh)
        # updated_at is the claim's time while an operation is in flight (the claim saves it; nothing
        # else writes the row until it settles).
        claimed_now = [op for op in ops if op.status == Operation.Status.IN_FLIGHT and op.updated_at >= recent]
        if statuses[Operation.Status.DONE] >= done and claimed_now:
            return
        assert time.monotonic() < deadline, f"the batch did not get under way: {dict(statuses)}"
        time.sleep(0.02)


def assert_batch_page_counts(client: Client, batch: Batch, total: int) -> None:
    page = client.get(reverse("stations:batch_detail", args=[batch.pk]))
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.content.decode()))
    assert f"{total} of {total} settled (100%): {total} done, 0 in conflict, 0 failed." in text, text[:3000]
    batch.refresh_from_db()
    assert batch.status == Batch.Status.FINISHED
    assert client.get(reverse("stations:batch_list")).status_code == 200


def upstream_stations(backend: Backend, stations: list[Station]) -> dict[str, Any]:
    with backend.connector() as connector:
        return {s.upstream_id: connector.get_station(s.upstream_id) for s in stations}


def test_worker_killed_in_the_middle_of_a_bulk_change(
    fault_worker: subprocess.Popen[bytes], private_broker: PrivateRedis, worker_log: Path,
    simulator: SimulatorHandle, gf_backend: Backend, operator: User, upstream_writes: UpstreamWrites,
) -> None:
    stations = mirrored_stations(gf_backend, 10)
    client = client_for(operator)
    simulator.set_faults("greenflux", latency_ms=700)  # each operation reads, then writes: ~1.5 s
    batch = confirmed_batch(client, stations, action="change", default_tariff_id=TARIFF)
    ops = batch_ops(batch)
    assert len(ops) == 10
    wait_until_under_way(batch, done=2)
    os.kill(fault_worker.pid, signal.SIGKILL)
    fault_worker.wait()
    left = Counter(op.status for op in batch_ops(batch))
    assert left[Operation.Status.IN_FLIGHT] >= 1 and left[Operation.Status.DONE] < 10, left
    # While no worker runs, a colleague renames a station whose change had already landed.
    landed = next(op for op in batch_ops(batch) if op.status == Operation.Status.DONE)
    renamed = Station.objects.get(pk=landed.target_id)
    simulator.touch_station(renamed.upstream_id, name="Renamed by a colleague")
    simulator.set_faults("greenflux", latency_ms=200)

    with running_worker(worker_log, concurrency=4, env=WORKER_ENV, broker_url=private_broker.url):
        drive(ops, client, timeout=90)

    assert {op.status for op in batch_ops(batch)} == {Operation.Status.DONE}
    remote = upstream_stations(gf_backend, stations)
    for station in stations:
        current = remote[station.upstream_id]
        assert current.default_charge_station_tariff_id == TARIFF, station.label
        if station == renamed:
            assert current.name == "Renamed by a colleague"  # not overwritten by a resent change
            assert upstream_writes.counts[station.upstream_id] == 2, "ours, then the colleague's"
        else:
            assert current.name == station.label  # nothing else was touched
            assert upstream_writes.counts[station.upstream_id] == 1, f"{station.label} written twice or never"
    assert_batch_page_counts(client, batch, 10)
    assert client.get(reverse("stations:detail", args=[renamed.pk])).status_code == 200


def test_broker_restarted_and_its_queue_lost_during_a_bulk_change(
    fault_worker: subprocess.Popen[bytes], private_broker: PrivateRedis, simulator: SimulatorHandle,
    gf_backend: Backend, operator: User, upstream_writes: UpstreamWrites,
) -> None:
    stations = mirrored_stations(gf_backend, 12)
    client = client_for(operator)
    simulator.set_faults("greenflux", latency_ms=500)
    batch = confirmed_batch(client, stations, action="change", label_suffix=" (depot B)")
    ops = batch_ops(batch)
    assert len(ops) == 12
    wait_until_under_way(batch, done=2)
    private_broker.stop()   # the broker dies with every queued message of the batch
    time.sleep(float(os.environ.get("FAULT_BROKER_OUTAGE_SECONDS", "1")))
    assert client.get(reverse("stations:batch_detail", args=[batch.pk])).status_code == 200
    private_broker.start()  # empty: only the outbox rows know what is left to do

    drive(ops, client, timeout=90)

    assert {op.status for op in batch_ops(batch)} == {Operation.Status.DONE}
    remote = upstream_stations(gf_backend, stations)
    for station in stations:
        assert remote[station.upstream_id].name == station.label + " (depot B)"
        assert upstream_writes.counts[station.upstream_id] == 1, f"{station.label} written twice or never"
    assert_batch_page_counts(client, batch, 12)


def test_tokens_expire_in_the_middle_of_a_batch(
    fault_worker: subprocess.Popen[bytes], simulator: SimulatorHandle, be_backend: Backend, operator: User,
) -> None:
    stations = mirrored_stations(be_backend, 13)  # all of company A's; the refresh left a token in the shared cache
    client = client_for(operator)
    simulator.set_faults("beenergised", latency_ms=600)
    issued = simulator.tokens_issued("beenergised")
    batch = confirmed_batch(client, stations, action="refresh")
    ops = batch_ops(batch)
    wait_until_under_way(batch, done=2)
    simulator.expire_tokens("beenergised")  # every token issued so far now answers 401

    drive(ops, client, timeout=90)

    assert {op.status for op in batch_ops(batch)} == {Operation.Status.DONE}
    assert simulator.tokens_issued("beenergised") == issued + 1, "the token was renewed once, not per task"
    assert_batch_page_counts(client, batch, 13)


def test_a_bulk_change_confirmed_while_the_broker_is_down(
    fault_worker: subprocess.Popen[bytes], private_broker: PrivateRedis, simulator: SimulatorHandle,
    gf_backend: Backend, operator: User, upstream_writes: UpstreamWrites,
) -> None:
    stations = mirrored_stations(gf_backend, 6)
    client = client_for(operator)
    private_broker.stop()  # the confirmation cannot hand a single message over
    batch = confirmed_batch(client, stations, action="change", charger_type="Business", label_prefix="BD ")
    ops = batch_ops(batch)
    assert len(ops) == 6 and {op.status for op in ops} == {Operation.Status.QUEUED}
    private_broker.start()

    drive(ops, client, timeout=60)

    remote = upstream_stations(gf_backend, stations)
    for station in stations:
        assert remote[station.upstream_id].name == "BD " + station.label
        assert upstream_writes.counts[station.upstream_id] == 1, f"{station.label} written twice or never"
    assert_batch_page_counts(client, batch, 6)
