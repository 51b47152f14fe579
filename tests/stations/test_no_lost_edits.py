"""No edit silently overwrites anyone's change (issue 18), end to end.

Each test drives the portal's pages with Django's client, a real Celery
worker sends the writes, and "someone else" edits the station straight on
the simulator's HTTP API. The first tests are the issue's reproductions;
each failed on the code before the three-way merge.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from portal.access import Role
from sync.mirror import SyncState
from portal.models import Backend, Company, Operation, SyncRun
from outbox.operations import operation_enqueue
from sync.engine import refresh_run
from simulator.testing import SimulatorHandle
from stations.models import Evse, Station
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.stations.test_forms import gf_post
from tests.worker import wait_for

pytestmark = [pytest.mark.worker]


@pytest.fixture
def transactional(transactional_db: None, celery_worker_process: Any) -> None:
    """The worker is another process: it only sees committed rows."""


@pytest.fixture
def second_client(company_a: Company) -> Client:
    """A second operator of the same company: the other person editing the same station."""
    return client_for(UserFactory(username="operator2", role=Role.OPERATOR, companies=[company_a]))


@pytest.fixture
def mirrored(transactional: None, gf_backend: Backend) -> Backend:
    assert refresh_run(gf_backend, "stations", full=True).status == SyncRun.Status.DONE
    return gf_backend


def settled(station: Station, timeout: float = 60) -> Station:
    wait_for(lambda: not Operation.objects.filter(target_id=station.pk, status__in=Operation.OPEN).exists(),
             timeout=timeout)
    station.refresh_from_db()
    return station


def upstream(backend: Backend, station: Station) -> Any:
    with backend.connector() as connector:
        return connector.get_station(station.upstream_id)


def edit_upstream(backend: Backend, station: Station, **changes: Any) -> Any:
    """Someone else's change, made straight on the upstream's API (a PATCH gives it a new etag)."""
    with backend.connector() as connector:
        return connector.patch_station(station.upstream_id, changes)


def seeded(backend: Backend, *, etag: bool = True, standard: str | None = None) -> Station:
    """A mirrored seeded station (with an etag, or never updated), optionally with a connector standard."""
    stations = Station.objects.filter(backend=backend).exclude(etag="") if etag else \
        Station.objects.filter(backend=backend, etag="")
    if standard:
        stations = stations.filter(evses__connectors__standard=standard)
    else:
        stations = stations.exclude(evses__connectors__standard="SAE_J3400")
    return stations.order_by("pk").first()


def open_form(client: Client, station: Station) -> dict[str, Any]:
    """The full edit form's fields exactly as the page rendered them."""
    form = client.get(reverse("stations:edit", args=[station.pk])).context["form"]
    return {name: getattr(value, "pk", value) for name, value in form.initial.items() if value is not None}


def save(client: Client, station: Station, shown: dict[str, Any], **changes: Any) -> Any:
    response = client.post(reverse("stations:edit", args=[station.pk]), {**shown, **changes})
    assert response.status_code == 302, response.content.decode()[:3000]
    return response


def quick_post(client: Client, station: Station, field: str, value: Any) -> dict[str, Any]:
    """A quick edit's fields as the station page rendered them, with a new value."""
    forms = client.get(reverse("stations:actions", args=[station.pk])).context["quick_forms"]
    form = next(f for f in forms if f.field_name == field)
    return {**{f"quick-{field}-{k}": v for k, v in form.initial.items()}, f"quick-{field}-value": value}


def refresh(client: Client, station: Station) -> Station:
    client.post(reverse("stations:refresh", args=[station.pk]))
    return settled(station)


def conflict(client: Client, station: Station) -> tuple[Operation, list[dict[str, Any]]]:
    page = client.get(reverse("stations:conflict", args=[station.pk]))
    assert page.status_code == 200, page
    return page.context["op"], page.context["rows"]


# --- the reproductions ---------------------------------------------------------------

def test_a_refresh_while_the_form_is_open_does_not_make_their_change_mine(
    mirrored: Backend, operator_client: Client, second_client: Client
) -> None:
    """1. Reapply used to send the tariff the form showed back over another user's newer one."""
    station = seeded(mirrored)
    shown = open_form(operator_client, station)
    theirs = "TARIFF-FREE" if station.default_tariff_id != "TARIFF-FREE" else "TARIFF-DC-HPC"
    edit_upstream(mirrored, station, default_charge_station_tariff_id=theirs)
    assert refresh(second_client, station).default_tariff_id == theirs  # the other user refreshes meanwhile

    save(operator_client, station, shown, label="Renamed by me")
    station = settled(station)
    assert station.sync_state == SyncState.CONFLICT  # the etag the form showed is stale
    op, rows = conflict(operator_client, station)
    tariff = next(r for r in rows if r["label"] == "Default tariff id")
    assert tariff["theirs_changed"] and not tariff["mine_changed"]
    operator_client.post(reverse("stations:conflict_reapply", args=[station.pk, op.pk]))
    station = settled(station)
    now = upstream(mirrored, station)
    assert (now.name, now.default_charge_station_tariff_id) == ("Renamed by me", theirs)
    assert station.sync_state == SyncState.SYNCED and station.default_tariff_id == theirs


def test_reapply_keeps_the_connector_and_capability_someone_added_upstream(
    mirrored: Backend, operator_client: Client, second_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """2. EVSEs looked changed by both sides, so reapply sent the mirror's old EVSE structure back.

    A scheduled refresh lands while another user's quick edit is still on its
    way: the station is pending, so the refresh keeps the upstream's new
    version beside the mirror rows instead of over them.
    """
    station = seeded(mirrored)
    evse = upstream(mirrored, station).evses[0]
    payload = evse.to_payload()
    edit_upstream(mirrored, station, evses=[{**payload, "capabilities": ["REMOTE_START_STOP_CAPABLE"]}])
    station = refresh(second_client, station)
    shown = open_form(operator_client, station)
    extra = {"id": "9", "standard": "DOMESTIC_F", "format": "SOCKET", "power_type": "AC_1_PHASE",
             "voltage": 230, "amperage": 16, "max_electric_power": 3700}
    edit_upstream(mirrored, station, evses=[{"uid": evse.uid, "capabilities": [
        "REMOTE_START_STOP_CAPABLE", "RFID_READER"], "connectors": [*payload["connectors"], extra]}])

    with monkeypatch.context() as held:  # the other user's save is on its way (not delivered yet)
        held.setattr("outbox.operations.operation_enqueue", lambda *a, **k: None)
        other = "Deprecated" if station.deploy_state != "Deprecated" else "Stock"
        second_client.post(reverse("stations:quick_edit", args=[station.pk, "deploy_state"]),
                           quick_post(second_client, station, "deploy_state", other))
    assert refresh_run(mirrored, "stations", full=True).status == SyncRun.Status.DONE  # the scheduled refresh

    save(operator_client, station, shown, label="Renamed by me")
    wait_for(lambda: Operation.objects.filter(target_id=station.pk, status=Operation.Status.CONFLICT).exists())
    op, rows = conflict(operator_client, station)
    assert not any(r["mine_changed"] for r in rows if r.get("path", r["label"]).lower().startswith("evse"))
    operator_client.post(reverse("stations:conflict_reapply", args=[station.pk, op.pk]))
    for held_op in Operation.objects.filter(target_id=station.pk, status=Operation.Status.QUEUED):
        operation_enqueue(held_op.pk)  # now it arrives
    settled(station)
    now = upstream(mirrored, station)
    assert (now.name, now.deploy_state) == ("Renamed by me", other)
    first = next(e for e in now.evses if e.uid == evse.uid)
    assert "RFID_READER" in first.capabilities
    assert [c.standard for c in first.connectors][-1] == "DOMESTIC_F"


def test_discard_shows_the_upstream_version_in_full(
    mirrored: Backend, operator_client: Client
) -> None:
    """3. "Discard mine" left connectivity and protocol blank ("—")."""
    station = seeded(mirrored)
    shown = open_form(operator_client, station)
    edit_upstream(mirrored, station, name="Renamed elsewhere")
    save(operator_client, station, shown, label="Mine")
    station = settled(station)
    op, _ = conflict(operator_client, station)
    operator_client.post(reverse("stations:conflict_discard", args=[station.pk, op.pk]))
    station = settled(station)
    now = upstream(mirrored, station)
    assert station.label == "Renamed elsewhere" and station.sync_state == SyncState.SYNCED
    assert (station.connectivity, station.protocol_version) == (now.connectivity_status, now.protocol_version)
    assert station.connectivity and station.protocol_version
    assert station.firmware_version == now.configuration["firmware_version"]
    page = operator_client.get(reverse("operations:list")).content.decode()
    assert "resolved: discarded" in page


def test_a_new_name_goes_through_although_the_upstream_refuses_the_connectors_on_write(
    mirrored: Backend, operator_client: Client
) -> None:
    """4. A full edit sent the whole EVSE structure, which the upstream refused: not even a new name got through."""
    station = seeded(mirrored, standard="SAE_J3400")
    save(operator_client, station, open_form(operator_client, station), label="New name")
    station = settled(station)
    op = Operation.objects.filter(target_id=station.pk).latest("pk")
    assert op.status == Operation.Status.DONE, op.error_message
    assert upstream(mirrored, station).name == "New name"
    assert [c.standard for e in upstream(mirrored, station).evses for c in e.connectors] == ["SAE_J3400"]


def test_a_full_edit_never_writes_the_mirrored_status(mirrored: Backend, operator_client: Client) -> None:
    """4. A full edit wrote the station's and EVSEs' status as last mirrored over the live ones.

    GreenFlux: "Changes to the EVSE status will not count towards a last
    modified event", so an incremental refresh can leave the mirror's status
    behind; here the mirror says OUTOFORDER while the upstream has moved on.
    """
    station = seeded(mirrored)
    live = upstream(mirrored, station)
    Evse.objects.filter(station=station).update(status="OUTOFORDER")
    Station.objects.filter(pk=station.pk).update(status="OUTOFORDER")
    save(operator_client, station, open_form(operator_client, station), charger_type="Home"
         if station.charger_type != "Home" else "Business")
    settled(station)
    now = upstream(mirrored, station)
    assert now.charger_type != live.charger_type  # the change landed...
    assert now.status == live.status  # ...and the live status was left as it is
    assert [e.status for e in now.evses] == [e.status for e in live.evses]


def test_a_create_sends_no_status(transactional: None, operator_client: Client, gf_backend: Backend) -> None:
    """4. A create claimed ``status: "UNKNOWN"`` for the station and its EVSEs, a status nobody chose."""
    response = operator_client.post(reverse("stations:create"), gf_post(gf_backend, charge_box_identity="NO-STATUS-1"))
    station = settled(Station.objects.get(charge_box_identity="NO-STATUS-1"))
    assert response.status_code == 302 and station.sync_state == SyncState.SYNCED
    sent = Operation.objects.get(target_id=station.pk, kind="station.create").payload["document"]
    assert "status" not in sent and all("status" not in e for e in sent["evses"])
    assert [e.status for e in upstream(gf_backend, station).evses] == ["AVAILABLE"]  # the upstream's own


# --- the rest of the promise ---------------------------------------------------------------------

def test_a_station_without_an_etag_gets_a_patch_of_the_changed_field_only(
    mirrored: Backend, operator_client: Client
) -> None:
    station = seeded(mirrored, etag=False)
    before = upstream(mirrored, station)
    assert before.etag is None
    save(operator_client, station, open_form(operator_client, station), default_tariff_id="TARIFF-NEW")
    station = settled(station)
    now = upstream(mirrored, station)
    assert now.default_charge_station_tariff_id == "TARIFF-NEW" and now.etag  # re-saved: it has one now
    # Everything else, EVSEs and their status included, exactly as it was.
    assert now.writable() == {**before.writable(), "default_charge_station_tariff_id": "TARIFF-NEW"}
    assert station.etag == now.etag and station.sync_state == SyncState.SYNCED


def test_a_clash_needs_a_choice_per_field_and_a_third_change_is_a_new_conflict(
    mirrored: Backend, operator_client: Client
) -> None:
    station = seeded(mirrored)
    shown = open_form(operator_client, station)
    their_type = "Home" if station.charger_type != "Home" else "Business"
    edit_upstream(mirrored, station, name="Their name", charger_type=their_type)
    save(operator_client, station, shown, label="My name", default_tariff_id="TARIFF-MINE")
    station = settled(station)
    op, rows = conflict(operator_client, station)
    by_label = {r["label"]: r for r in rows}
    assert by_label["Name"]["clash"] and not by_label["Default tariff id"]["clash"]
    assert by_label["Charger type"]["theirs_changed"] and not by_label["Charger type"]["mine_changed"]

    url = reverse("stations:conflict_reapply", args=[station.pk, op.pk])
    refused = operator_client.post(url)  # no choice for the name
    assert refused.status_code == 400 and "choose yours or theirs" in refused.content.decode()
    assert Operation.objects.get(pk=op.pk).status == Operation.Status.CONFLICT

    # A third change lands before the choice is sent: the reapply becomes a new conflict.
    edit_upstream(mirrored, station, default_charge_station_tariff_id="TARIFF-THIRD")
    operator_client.post(url, {"choice:name": "mine"})
    station = settled(station)
    assert station.sync_state == SyncState.CONFLICT
    assert upstream(mirrored, station).default_charge_station_tariff_id == "TARIFF-THIRD"  # not overwritten
    second, rows = conflict(operator_client, station)
    assert second.pk != op.pk
    tariff = next(r for r in rows if r["label"] == "Default tariff id")
    assert tariff["clash"] and tariff["theirs"] == "TARIFF-THIRD" and tariff["mine"] == "TARIFF-MINE"

    operator_client.post(reverse("stations:conflict_reapply", args=[station.pk, second.pk]),
                         {"choice:default_charge_station_tariff_id": "theirs"})
    station = settled(station)
    now = upstream(mirrored, station)
    assert (now.name, now.default_charge_station_tariff_id) == ("My name", "TARIFF-THIRD")
    assert now.charger_type == their_type  # only they changed it: kept
    assert station.sync_state == SyncState.SYNCED
    page = operator_client.get(reverse("operations:list")).content.decode()
    assert "resolved: reapplied" in page


def test_quick_edit_conflicts_only_on_its_own_field(
    mirrored: Backend, operator_client: Client
) -> None:
    station = seeded(mirrored)
    forms = operator_client.get(reverse("stations:actions", args=[station.pk])).context["quick_forms"]
    token = {f.field_name: f.initial["shown_token"] for f in forms}
    edit_upstream(mirrored, station, name="Their name")
    url = reverse("stations:quick_edit", args=[station.pk, "deploy_state"])
    operator_client.post(url, {"quick-deploy_state-value": "Deprecated", "quick-deploy_state-shown_token":
                               token["deploy_state"]})
    station = settled(station)
    now = upstream(mirrored, station)
    assert (now.name, now.deploy_state) == ("Their name", "Deprecated")  # another field: both kept

    url = reverse("stations:quick_edit", args=[station.pk, "label"])
    operator_client.post(url, {"quick-label-value": "My name", "quick-label-shown_token": token["label"]})
    station = settled(station)
    assert station.sync_state == SyncState.CONFLICT  # the same field: the user decides
    assert upstream(mirrored, station).name == "Their name"
