"""The station page is drawn from one moment: a refresh committed while the page draws itself shows whole.

The race a CI run found (tests/browser/test_station_page.py): "Refresh from upstream" on a station
renamed upstream; the page's redraw read the station (old name), the worker then committed the new
name and the refresh's result together, and the redraw's next query found the refresh done. The
page said "Name changed" under the old heading and, nothing being open any more, never drew again.

Here the worker's commit is made to land exactly there, right after the view's first read of the
station, from another connection, as the real worker's would.
"""

from __future__ import annotations

import html
import re
import threading
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.models import Backend, Operation
from simulator.testing import SimulatorHandle
from stations.mapping import apply_greenflux
from stations.models import Station

pytestmark = pytest.mark.django_db(transaction=True)  # the worker's commit comes from another connection

NEW_NAME = "Renamed on GreenFlux"
POLL = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "station-live"}


@pytest.fixture
def station(simulator: SimulatorHandle, gf_backend: Backend) -> Station:
    with gf_backend.connector() as connector:
        record = next(s for s in connector.list_stations().items() if s.evses)
    return apply_greenflux(Station(backend=gf_backend, company=gf_backend.company), record)


def refresh_in_flight(station: Station) -> Operation:
    return Operation.objects.create(kind="station.refresh", backend=station.backend, company=station.company,
                                    target_type="station", target_id=station.pk,
                                    status=Operation.Status.IN_FLIGHT)


def worker_settles(station: Station, op: Operation) -> None:
    """What the worker commits for a refresh that found a new name: the mirror and the result, together."""
    def commit() -> None:
        try:
            with transaction.atomic():
                Station.objects.filter(pk=station.pk).update(label=NEW_NAME)
                Operation.objects.filter(pk=op.pk).update(
                    status=Operation.Status.DONE, result={"changed": ["Name"]}, finished_at=timezone.now(),
                    lease_until=None)
        finally:
            connection.close()  # this thread's own connection

    worker = threading.Thread(target=commit)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "the worker's commit waited for the page: a page must not lock the station"


def draw_while_the_worker_commits(client: Client, station: Station, op: Operation, **params: Any) -> str:
    """The live part's redraw, with the worker's commit landing right after the view read the station."""
    landed: list[str] = []

    def after_the_station_read(execute: Any, sql: str, params_: Any, many: bool, context: Any) -> Any:
        result = execute(sql, params_, many, context)
        if not landed and sql.lstrip().upper().startswith("SELECT") and 'FROM "stations_station"' in sql:
            landed.append(sql)
            worker_settles(station, op)
        return result

    with connection.execute_wrapper(after_the_station_read):
        response = client.get(reverse("stations:detail", args=[station.pk]), params, **POLL)
    assert response.status_code == 200 and landed, "the view never read the station"
    return response.content.decode()


def heading(fragment: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", fragment, re.S)
    assert found, "no heading"
    return html.unescape(found.group(1).strip())


def test_a_refresh_committed_while_the_page_draws_itself_is_shown_whole_by_the_next_poll(
    operator_client: Client, station: Station
) -> None:
    old_name = station.label
    op = refresh_in_flight(station)
    drawn = draw_while_the_worker_commits(operator_client, station, op)
    # Drawn as it was when the view began: still waiting, under the old name, and polling again...
    assert heading(drawn) == old_name and "Name changed" not in drawn
    assert "Waiting for" in drawn and "every 2s" in drawn
    # ... and the next poll shows the new name with what changed, and stops.
    settled = operator_client.get(reverse("stations:detail", args=[station.pk]), {"was": "pending"}, **POLL)
    fragment = settled.content.decode()
    assert heading(fragment) == NEW_NAME and "Name changed." in fragment and "every 2s" not in fragment



def test_the_answer_to_refresh_is_drawn_before_the_worker_is_told(
    operator_client: Client, station: Station, simulator: SimulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The click's answer swaps the actions alone: it must not say what changed beside the old heading.

    The worker here does the refresh the moment it is told (a quick worker, a slow web process).
    """
    from outbox import operations as outbox

    simulator.touch_station(station.charge_box_identity, name=NEW_NAME)
    monkeypatch.setattr(outbox, "operation_enqueue", lambda op_id, countdown=0: outbox.operation_run(op_id))
    answer = operator_client.post(reverse("stations:refresh", args=[station.pk]), HTTP_HX_REQUEST="true",
                                  HTTP_HX_TARGET="station-actions")
    actions = answer.content.decode()
    assert "Waiting for" in actions and "Name changed" not in actions
    assert answer["HX-Trigger"] == "stationsChanged, operationsChanged"  # so the live part draws itself
    assert Operation.objects.get(kind="station.refresh", target_id=station.pk).status == Operation.Status.DONE
    redrawn = operator_client.get(reverse("stations:detail", args=[station.pk]), **POLL).content.decode()
    assert heading(redrawn) == NEW_NAME and "Name changed." in redrawn


def test_the_answer_to_a_quick_edit_is_drawn_before_the_worker_is_told(
    operator_client: Client, station: Station, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As for refresh: with a worker that writes the moment it is told, the quick edit's answer (the
    actions alone) still says the change is on its way; the live part's redraw then shows it landed."""
    from outbox import operations as outbox
    from tests.stations.test_no_lost_edits import quick_post

    monkeypatch.setattr(outbox, "operation_enqueue", lambda op_id, countdown=0: outbox.operation_run(op_id))
    # Station edits reach the outbox through stations.services.station_edits_enqueue, which queues many at once.
    monkeypatch.setattr(outbox, "operations_enqueue_many", lambda ids: [outbox.operation_run(i) for i in ids])
    other = "Deprecated" if station.deploy_state != "Deprecated" else "Stock"
    answer = operator_client.post(reverse("stations:quick_edit", args=[station.pk, "deploy_state"]),
                                  quick_post(operator_client, station, "deploy_state", other),
                                  HTTP_HX_REQUEST="true", HTTP_HX_TARGET="station-actions")
    actions = answer.content.decode()
    assert answer["HX-Trigger"] == "stationsChanged, operationsChanged"
    assert "pending" in actions and "synced" not in actions.replace("will show as synced", "")
    assert Operation.objects.get(kind="station.patch", target_id=station.pk).status == Operation.Status.DONE
    station.refresh_from_db()
    assert station.deploy_state == other and station.sync_state == "synced"
