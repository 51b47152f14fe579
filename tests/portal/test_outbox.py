"""The outbox engine runs at most one write per record at a time, in the order they were made.

Two writes to one station sent together used to run together: both read the
same etag, one got 412 and became a conflict for the user to decide, though
the edits did not overlap. These tests drive ``outbox.operations`` directly with
a handler that records when it runs, from two threads (two workers).
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from outbox import operations as outbox
from portal.models import Backend, Company, Operation
from tests.factories import BackendFactory


class Recorder(outbox.OperationHandler):
    """Runs until released, and remembers which writes ran at the same time as another."""

    kind = "test.write"

    def __init__(self) -> None:
        self.running: set[int] = set()
        self.overlaps: list[tuple[int, ...]] = []
        self.order: list[int] = []
        self.started = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()

    def perform(self, op: Operation, connector: Any) -> Any:
        with self.lock:
            if self.running:
                self.overlaps.append((*self.running, op.pk))
            self.running.add(op.pk)
            self.order.append(op.pk)
        self.started.set()
        self.release.wait(10)
        with self.lock:
            self.running.discard(op.pk)
        return {}

    def apply(self, op: Operation, result: Any) -> dict[str, Any]:
        return {}


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    handler = Recorder()
    monkeypatch.setitem(outbox.HANDLERS, Recorder.kind, handler)
    return handler


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The operations handed to the broker (no worker here: the tests run them themselves)."""
    ids: list[int] = []
    monkeypatch.setattr(outbox, "operation_enqueue", lambda op_id, countdown=0: ids.append(op_id))
    return ids


@pytest.fixture
def backend(company_a: Company) -> Backend:
    return BackendFactory(company=company_a)


def write(backend: Backend, target_id: int | None = 7, **fields: Any) -> Operation:
    op = outbox.operation_create(kind=Recorder.kind, backend=backend, company=backend.company,
                                 target_type="station", target_id=target_id, payload={})
    if fields:
        Operation.objects.filter(pk=op.pk).update(**fields)
    return op


def run_in_thread(op_id: int, results: dict[int, str]) -> threading.Thread:
    def target() -> None:
        try:
            results[op_id] = outbox.operation_run(op_id)
        finally:
            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    return thread


def status(op: Operation) -> str:
    op.refresh_from_db()
    return op.status


@pytest.mark.django_db(transaction=True)
def test_a_second_write_to_the_same_record_waits_and_is_sent_when_the_first_settles(
    backend: Backend, recorder: Recorder, sent: list[int]
) -> None:
    first, second = write(backend), write(backend)
    results: dict[int, str] = {}
    worker_one = run_in_thread(first.pk, results)
    assert recorder.started.wait(10)

    worker_two = run_in_thread(second.pk, results)  # the second worker gets the other message meanwhile
    worker_two.join(10)
    assert results[second.pk] == "skipped" and status(second) == Operation.Status.QUEUED

    sent.clear()
    recorder.release.set()
    worker_one.join(10)
    assert results[first.pk] == "done"
    assert sent == [second.pk]  # woken by the first one's end, not left to the sweeper
    assert outbox.operation_run(second.pk) == "done"
    assert recorder.overlaps == [] and recorder.order == [first.pk, second.pk]


@pytest.mark.django_db(transaction=True)
def test_many_writes_to_one_record_from_two_workers_never_overlap_and_all_land(
    backend: Backend, recorder: Recorder, sent: list[int]
) -> None:
    """Two workers keep taking whatever message comes next, as Celery's would."""
    recorder.release.set()  # each write takes no time: the race is in the claiming
    ops = [write(backend) for _ in range(12)]
    sent[:] = [op.pk for op in ops] * 2  # every message delivered twice, in any order
    lock = threading.Lock()

    def worker() -> None:
        try:
            while True:
                with lock:
                    if not sent:
                        return
                    op_id = sent.pop(0)
                outbox.operation_run(op_id)
        finally:
            connection.close()

    workers = [threading.Thread(target=worker) for _ in range(2)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(60)
    assert recorder.overlaps == []
    assert [status(op) for op in ops] == [Operation.Status.DONE] * len(ops)
    assert recorder.order == [op.pk for op in ops]  # in the order the users made them


@pytest.mark.django_db(transaction=True)
def test_writes_to_other_records_do_not_wait(backend: Backend, recorder: Recorder, sent: list[int]) -> None:
    first, other, create = write(backend, target_id=7), write(backend, target_id=8), write(backend, target_id=None)
    results: dict[int, str] = {}
    worker_one = run_in_thread(first.pk, results)
    assert recorder.started.wait(10)
    recorder.release.set()
    assert outbox.operation_run(other.pk) == "done"
    assert outbox.operation_run(create.pk) == "done"
    worker_one.join(10)
    assert results[first.pk] == "done"


@pytest.mark.django_db
def test_a_later_write_whose_earlier_one_lost_its_message_sends_that_one_first(
    backend: Backend, recorder: Recorder, sent: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    recorder.release.set()
    earlier, later = write(backend), write(backend)
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.operation_run(later.pk) == "skipped"
    assert sent == [earlier.pk]
    assert outbox.operation_run(earlier.pk) == "done"
    assert later.pk in sent
    assert outbox.operation_run(later.pk) == "done"


@pytest.mark.django_db
@pytest.mark.parametrize("earlier", [
    pytest.param(lambda: {"not_before": timezone.now() + timedelta(minutes=5), "attempts": 1},
                 id="backed-off-after-a-failure"),
    pytest.param(lambda: {"status": Operation.Status.IN_FLIGHT, "lease_until": timezone.now() - timedelta(seconds=1)},
                 id="its-worker-died"),
])
def test_an_earlier_write_that_cannot_run_now_does_not_hold_later_ones(
    backend: Backend, recorder: Recorder, sent: list[int], earlier: Any
) -> None:
    recorder.release.set()
    write(backend, **earlier())
    later = write(backend)
    assert outbox.operation_run(later.pk) == "done"


@pytest.mark.django_db
def test_a_write_held_by_a_live_worker_is_left_alone_and_swept_once_its_lease_runs_out(
    backend: Backend, recorder: Recorder, sent: list[int]
) -> None:
    """The outbox's lease (``portal.leases``, shared with the CSV import): taken, honoured, swept when it lapses."""
    recorder.release.set()
    held = write(backend, status=Operation.Status.IN_FLIGHT, attempts=1, enqueued_at=timezone.now(),
                 lease_until=timezone.now() + timedelta(seconds=30))
    assert outbox.operation_run(held.pk) == "skipped"  # its worker is alive: a second one leaves it
    sent.clear()
    assert outbox.operations_sweep() == 0 and sent == []
    Operation.objects.filter(pk=held.pk).update(lease_until=timezone.now() - timedelta(seconds=1))  # it died
    assert outbox.operations_sweep() == 1 and sent == [held.pk]
    assert outbox.operation_run(held.pk) == "done"
    held.refresh_from_db()
    assert held.attempts == 2 and held.lease_until is None
