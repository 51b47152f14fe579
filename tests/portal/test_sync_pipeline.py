"""The refresh pipeline: pages written by two writers at once, each with its own connection.

Outside a transaction (a worker's refresh) pages are written by ``WRITERS`` threads. These tests
run refreshes that way (``transactional_db``: no test transaction around them) and compare what
lands with the upstream, and check that a writer's error stops the run without losing what was
written before it.
"""

from __future__ import annotations

import threading
import time

import pytest

from sync import pipeline
from portal.models import Company, SyncRun
from sync.engine import refresh_run
from simulator.testing import SimulatorHandle
from stations.models import Connector, Evse, Station
from tests.upstream import make_backend


def test_every_item_is_written_once_by_several_writers() -> None:
    seen: list[int] = []
    threads: set[str] = set()

    def write(n: int) -> int:
        threads.add(threading.current_thread().name)
        time.sleep(0.01)
        seen.append(n)
        return n * n

    results = list(pipeline.write_in_threads(range(40), write, writers=2))
    assert sorted(results) == [n * n for n in range(40)]
    assert sorted(seen) == list(range(40))
    assert len(threads) == 2


def test_a_writers_error_is_raised_and_the_writers_stop() -> None:
    written: list[int] = []

    def write(n: int) -> int:
        if n == 5:
            raise ValueError("page 5 is broken")
        time.sleep(0.01)
        written.append(n)
        return n

    with pytest.raises(ValueError, match="page 5 is broken"):
        list(pipeline.write_in_threads(range(1000), write, writers=2))
    assert len(written) < 20  # stopped soon after, not every item
    assert not [t for t in threading.enumerate() if t.name.startswith("refresh-writer")]


def test_a_refresh_outside_a_transaction_writes_every_page_with_two_writers(
    transactional_db: None, simulator: SimulatorHandle, company_a: Company
) -> None:
    backend = make_backend(simulator, "greenflux", company_a)
    for entity in ("locations", "templates"):
        assert refresh_run(backend, entity).status == SyncRun.Status.DONE
    with backend.connector() as connector:
        upstream = connector.list_stations().all()
    assert pipeline.writers_for_this_run() == 2

    run = refresh_run(backend, "stations", full=True, page_size=5)

    assert run.status == SyncRun.Status.DONE, run.message
    assert run.pages == len(upstream) // 5 + 1 and run.rows_seen == len(upstream)
    assert run.rows_created == len(upstream) == Station.objects.filter(backend=backend).count()
    assert Evse.objects.filter(station__backend=backend).count() == sum(len(s.evses) for s in upstream)
    assert Connector.objects.filter(evse__station__backend=backend).count() == sum(
        len(e.connectors) for s in upstream for e in s.evses)
    again = refresh_run(backend, "stations", full=True, page_size=5)
    assert (again.rows_unchanged, again.rows_created, again.rows_updated) == (len(upstream), 0, 0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("retrying", [True, False])
def test_two_pages_locking_the_same_rows_in_opposite_orders_both_land(retrying: bool) -> None:
    """A record listed on two pages written at once can make two writers lock rows in opposite
    orders; PostgreSQL aborts one of them. With ``retrying_deadlocks`` that page is written
    again after the other, and both land; without it, the run would fail."""
    from django.db import OperationalError, connection, transaction

    first, second = Company.objects.create(name="First"), Company.objects.create(name="Second")
    both_hold_one = threading.Barrier(2, timeout=10)
    outcome: dict[str, str] = {}

    def page(name: str, order: list[Company]) -> None:
        tries = [0]

        def write() -> None:
            tries[0] += 1
            Company.objects.select_for_update().get(pk=order[0].pk)
            if tries[0] == 1:
                both_hold_one.wait()
            Company.objects.filter(pk=order[1].pk).update(name=f"{order[1].name} ({name})")

        try:
            with transaction.atomic():
                pipeline.retrying_deadlocks(write) if retrying else write()
            outcome[name] = "written"
        except OperationalError as exc:
            outcome[name] = f"failed: {exc.__cause__.sqlstate}"  # type: ignore[union-attr]
        finally:
            connection.close()

    threads = [threading.Thread(target=page, args=("a", [first, second])),
               threading.Thread(target=page, args=("b", [second, first]))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    if retrying:
        assert outcome == {"a": "written", "b": "written"}
        assert {c.name for c in Company.objects.filter(pk__in=[first.pk, second.pk])} == {"First (b)", "Second (a)"}
    else:  # the hazard is real: without the retry one page fails
        assert sorted(outcome.values()) == [f"failed: {pipeline.DEADLOCK_DETECTED}", "written"]
