"""A model rename never silently overwrites another admin's rename in the catalogue (issue 18), end to end.

An admin drives the model page with Django's client, a real Celery worker
sends the rename to the simulator's models API over HTTP, and "someone
else" renames the same model straight on that API after the page was drawn.
The first test is the reproduction: before the worker read the model fresh,
their name was overwritten.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from models_catalog.models import StationModel
from models_catalog.operations import apply_upstream
from sync.mirror import SyncState
from portal.models import Backend, Operation
from simulator.testing import SimulatorHandle
from tests.upstream import make_backend
from tests.worker import wait_for

pytestmark = [pytest.mark.worker]


@pytest.fixture
def model(transactional_db: None, celery_worker_process: Any, simulator: SimulatorHandle) -> StationModel:
    """A mirrored active model of the simulator's catalogue (the worker only sees committed rows)."""
    backend = make_backend(simulator, "models", None)
    with backend.connector() as connector:
        for record in connector.list_models().items():
            apply_upstream(StationModel(backend=backend), record).save()
    return StationModel.objects.filter(backend=backend, is_archived=False).order_by("pk")[0]


def rename(client: Client, model: StationModel, shown: str, name: str) -> None:
    response = client.post(reverse("models_catalog:rename", args=[model.pk]), {"friendly_name": name, "shown": shown})
    assert response.status_code == 302, response.content.decode()[:3000]


def open_page(client: Client, model: StationModel) -> str:
    """The rename form's version token, as the model page rendered it."""
    return client.get(reverse("models_catalog:detail", args=[model.pk])).context["rename_form"].initial["shown"]


def settled(model: StationModel, timeout: float = 60) -> StationModel:
    wait_for(lambda: not Operation.objects.filter(target_type="station_model", target_id=model.pk,
                                                  status__in=Operation.OPEN).exists(), timeout=timeout)
    model.refresh_from_db()
    return model


def upstream(model: StationModel) -> Any:
    with model.backend.connector() as connector:
        return connector.get_model(model.upstream_id)


def rename_upstream(model: StationModel, name: str) -> None:
    """Another admin's rename, made straight on the models API."""
    with model.backend.connector() as connector:
        connector.rename_model(model.upstream_id, name)


def page(client: Client, model: StationModel) -> str:
    return client.get(reverse("models_catalog:detail", args=[model.pk])).content.decode()


def open_conflict(model: StationModel) -> Operation:
    return Operation.objects.get(target_type="station_model", target_id=model.pk, status=Operation.Status.CONFLICT)


def test_their_rename_after_the_page_was_drawn_is_not_overwritten(
    model: StationModel, admin_client_portal: Client
) -> None:
    """The reproduction: the worker used to PATCH the user's name blind over the newer one."""
    shown = open_page(admin_client_portal, model)
    rename_upstream(model, "Renamed in the catalogue")
    rename(admin_client_portal, model, shown, "Renamed by me")
    model = settled(model)

    assert upstream(model).friendly_name == "Renamed in the catalogue"
    assert model.sync_state == SyncState.CONFLICT and model.friendly_name == "Renamed in the catalogue"
    html = page(admin_client_portal, model)
    assert ("Your change of Friendly name (to “Renamed by me”) was not sent because the model catalogue has "
            "“Renamed in the catalogue” now") in html
    assert "Send mine over theirs" in html and "Discard mine" in html


def test_send_mine_over_theirs_renames_it(model: StationModel, admin_client_portal: Client) -> None:
    shown = open_page(admin_client_portal, model)
    rename_upstream(model, "Renamed in the catalogue")
    rename(admin_client_portal, model, shown, "Renamed by me")
    model = settled(model)
    op = open_conflict(model)

    response = admin_client_portal.post(reverse("models_catalog:conflict_reapply", args=[model.pk, op.pk]))
    assert response.status_code == 302
    model = settled(model)
    assert upstream(model).friendly_name == "Renamed by me"
    assert model.sync_state == SyncState.SYNCED and model.friendly_name == "Renamed by me"
    assert "resolved: reapplied" in admin_client_portal.get(reverse("operations:list")).content.decode()


def test_send_mine_conflicts_again_when_it_was_renamed_again(
    model: StationModel, admin_client_portal: Client
) -> None:
    shown = open_page(admin_client_portal, model)
    rename_upstream(model, "Renamed in the catalogue")
    rename(admin_client_portal, model, shown, "Renamed by me")
    op = open_conflict(settled(model))
    rename_upstream(model, "Renamed again")

    admin_client_portal.post(reverse("models_catalog:conflict_reapply", args=[model.pk, op.pk]))
    model = settled(model)
    assert upstream(model).friendly_name == "Renamed again"
    assert model.sync_state == SyncState.CONFLICT and open_conflict(model).pk != op.pk
    assert "the model catalogue has “Renamed again” now" in page(admin_client_portal, model)


def test_discard_keeps_theirs(model: StationModel, admin_client_portal: Client) -> None:
    shown = open_page(admin_client_portal, model)
    rename_upstream(model, "Renamed in the catalogue")
    rename(admin_client_portal, model, shown, "Renamed by me")
    op = open_conflict(settled(model))

    response = admin_client_portal.post(reverse("models_catalog:conflict_discard", args=[model.pk, op.pk]),
                                        follow=True)
    assert "Your change was discarded" in response.content.decode()
    model = settled(model)
    assert upstream(model).friendly_name == "Renamed in the catalogue"
    assert model.sync_state == SyncState.SYNCED and model.friendly_name == "Renamed in the catalogue"
    assert "resolved: discarded" in admin_client_portal.get(reverse("operations:list")).content.decode()


def test_the_same_rename_made_upstream_is_not_a_conflict(model: StationModel, admin_client_portal: Client) -> None:
    shown = open_page(admin_client_portal, model)
    rename_upstream(model, "Same name")
    rename(admin_client_portal, model, shown, "Same name")
    model = settled(model)
    assert model.sync_state == SyncState.SYNCED and upstream(model).friendly_name == "Same name"


def test_a_change_of_another_field_upstream_is_kept(
    model: StationModel, admin_client_portal: Client, simulator: SimulatorHandle
) -> None:
    """The rename is the only field the API changes; another change (its image, by the catalogue's own
    people) is not the user's field, so the rename goes and the image stays."""
    shown = open_page(admin_client_portal, model)
    record = simulator.store.get("models", model.upstream_id)  # the API cannot change it: the catalogue's own tools
    simulator.store.put("models", model.upstream_id, {**record, "imageUrl": "https://img.example/theirs.png"})
    rename(admin_client_portal, model, shown, "Renamed by me")
    model = settled(model)
    now = upstream(model)
    assert (now.friendly_name, now.image_url) == ("Renamed by me", "https://img.example/theirs.png")
    assert model.sync_state == SyncState.SYNCED and model.image_url == "https://img.example/theirs.png"


def test_archived_in_the_catalogue_meanwhile_offers_only_discard(
    model: StationModel, admin_client_portal: Client
) -> None:
    shown = open_page(admin_client_portal, model)
    with model.backend.connector() as connector:
        connector.archive_model(model.upstream_id)  # another admin, elsewhere
    rename(admin_client_portal, model, shown, "Renamed by me")
    model = settled(model)
    assert model.sync_state == SyncState.CONFLICT and model.is_archived
    html = page(admin_client_portal, model)
    assert "Your change of Friendly name (to “Renamed by me”) was not sent." in html
    assert "has archived this model since" in html
    assert "Send mine over theirs" not in html and "Discard mine" in html

    op = open_conflict(model)
    admin_client_portal.post(reverse("models_catalog:conflict_discard", args=[model.pk, op.pk]))
    model.refresh_from_db()
    assert model.sync_state == SyncState.SYNCED and model.is_archived
    assert upstream(model).friendly_name != "Renamed by me"
