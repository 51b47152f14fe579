"""EVSE and connector changes end to end: the hardware form, the outbox, a real worker, the simulator over HTTP.

Add an EVSE with two connectors, change a connector, retire an EVSE, each with an etag, while
another user changes a different EVSE straight on the upstream: that change survives.
"""

from __future__ import annotations

import copy

import pytest
from django.test import Client

from portal.models import Backend, Operation
from sync.engine import refresh_run
from stations.models import Station
from tests.worker import wait_for

from .hardware_forms import CCS, T2, post_rows, shown_rows

pytestmark = [pytest.mark.worker, pytest.mark.usefixtures("celery_worker_process")]


def upstream(backend: Backend, station: Station):
    with backend.connector() as connector:
        return connector.get_station(station.upstream_id)


def another_user_patches(backend: Backend, station: Station, uid: str, fields: dict) -> None:
    with backend.connector() as connector:
        connector.patch_station(station.upstream_id, {"evses": [{"uid": uid, **fields}]})


def settled(op: Operation) -> Operation:
    wait_for(lambda: Operation.objects.get(pk=op.pk).status in Operation.SETTLED, timeout=60)
    op.refresh_from_db()
    return op


@pytest.fixture
def station(transactional_db: None, gf_backend: Backend) -> Station:
    """A mirrored GreenFlux station with two EVSEs and an etag."""
    assert refresh_run(gf_backend, "stations").status == "done"
    for candidate in Station.objects.filter(backend=gf_backend).exclude(etag="").order_by("pk"):
        if candidate.evses.exclude(status="REMOVED").count() >= 2:
            return candidate
    pytest.skip("the seeded estate has no station with two EVSEs and an etag")


def test_add_change_and_retire_with_a_concurrent_change_to_another_evse(
        station: Station, gf_backend: Backend, operator_client: Client) -> None:
    token, rows = shown_rows(operator_client, station)
    first, second = rows[0], rows[1]
    etag_shown = station.etag

    # Another user changes the second EVSE upstream after the form was shown (a PATCH names only it).
    another_user_patches(gf_backend, station, second["uid"], {"physical_reference": "B-17"})

    # Mine: the first EVSE's connector goes to 11 kW, and a new EVSE with two connectors.
    first["connectors"][0].update(max_electric_power=11000, tariff_id="TARIFF-HW")
    rows.append({"evse_id": "", "capabilities": ["RFID_READER"], "physical_reference": "C",
                 "connectors": [dict(T2), dict(CCS)]})
    assert post_rows(operator_client, station, token, rows).status_code == 302
    op = settled(Operation.objects.get(kind="station.edit"))
    assert op.status == Operation.Status.DONE, op.error_message

    remote = upstream(gf_backend, station)
    by_uid = {e.uid: e for e in remote.evses}
    assert by_uid[second["uid"]].physical_reference == "B-17"  # theirs survived
    changed = by_uid[first["uid"]].connectors[0]
    assert (changed.max_electric_power, changed.tariff_id) == (11000, "TARIFF-HW")
    added = [e for e in remote.evses if e.uid not in (first["uid"], second["uid"]) and e.status != "REMOVED"]
    assert len(added) == 1 and [c.standard for c in added[0].connectors] == ["IEC_62196_T2", "IEC_62196_T2_COMBO"]
    assert remote.etag and remote.etag != etag_shown
    station.refresh_from_db()
    assert station.etag == remote.etag and station.sync_state == "synced"

    # Retire the second EVSE: REMOVED upstream, never deleted, listed as retired on the page.
    token, rows = shown_rows(operator_client, station)
    next(r for r in rows if r["uid"] == second["uid"])["retire"] = True
    assert post_rows(operator_client, station, token, rows).status_code == 302
    retire = settled(Operation.objects.filter(kind="station.edit").order_by("-pk").first())
    assert retire.status == Operation.Status.DONE, retire.error_message
    remote = upstream(gf_backend, station)
    assert {e.uid: e.status for e in remote.evses}[second["uid"]] == "REMOVED"
    assert station.evses.get(uid=second["uid"]).status == "REMOVED"
    page = operator_client.get(f"/stations/{station.pk}/").content.decode()
    assert "retired" in page
    hardware = operator_client.get(f"/stations/{station.pk}/hardware/").content.decode()
    assert "Retired EVSEs" in hardware


def test_a_concurrent_change_to_the_same_connector_is_a_conflict(
        station: Station, gf_backend: Backend, operator_client: Client) -> None:
    token, rows = shown_rows(operator_client, station)
    evse = upstream(gf_backend, station).writable()["evses"][0]
    target = evse["uid"]
    connectors = copy.deepcopy(evse["connectors"])
    connectors[0]["max_electric_power"] = 7400
    another_user_patches(gf_backend, station, target, {"connectors": connectors})
    next(r for r in rows if r["uid"] == target)["connectors"][0]["max_electric_power"] = 11000
    assert post_rows(operator_client, station, token, rows).status_code == 302
    op = settled(Operation.objects.get(kind="station.edit"))
    assert op.status == Operation.Status.CONFLICT
    remote = upstream(gf_backend, station)
    assert {e.uid: e for e in remote.evses}[target].connectors[0].max_electric_power == 7400  # nothing overwritten
