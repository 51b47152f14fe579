"""A location edit never silently overwrites someone else's change on ChargEye (issue 18), end to end.

The operator drives the portal's pages with Django's client, a real Celery
worker sends the write to the simulator over HTTP, and "someone else" edits
the same location straight on ChargEye's API between the moment the form was
opened and the save. The first test is the issue's reproduction: before the
worker read the location fresh, their name was overwritten by the user's.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from locations.models import Location
from sync.mirror import SyncState
from portal.models import Backend, Company, Operation
from tests.worker import wait_for

pytestmark = [pytest.mark.worker]


@pytest.fixture
def location(transactional_db: None, celery_worker_process: Any, ce_backend: Backend,
             company_a: Company) -> Location:
    """A mirrored ChargEye location of the operator's company (the worker only sees committed rows)."""
    return Location.objects.filter(backend=ce_backend, company=company_a).exclude(upstream_id=None).order_by("pk")[0]


def open_form(client: Client, location: Location) -> dict[str, Any]:
    """The edit form's fields exactly as the page rendered them."""
    form = client.get(reverse("locations:edit", args=[location.pk])).context["form"]
    return {name: form[name].value() for name in form.fields}


def save(client: Client, location: Location, shown: dict[str, Any], **changes: Any) -> None:
    data = {k: ("" if v is None else v) for k, v in {**shown, **changes}.items()}
    response = client.post(reverse("locations:edit", args=[location.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]


def settled(location: Location, timeout: float = 60) -> Location:
    wait_for(lambda: not Operation.objects.filter(target_type="location", target_id=location.pk,
                                                  status__in=Operation.OPEN).exists(), timeout=timeout)
    location.refresh_from_db()
    return location


def upstream(backend: Backend, location: Location) -> Any:
    with backend.connector() as connector:
        return connector.get_location(location.upstream_id)


def edit_upstream(backend: Backend, location: Location, **changes: Any) -> None:
    """Someone else's change, made straight on ChargEye's API (upstream field names)."""
    with backend.connector() as connector:
        connector.update_location(location.upstream_id, changes)


def page(client: Client, location: Location) -> str:
    return client.get(reverse("locations:detail", args=[location.pk])).content.decode()


def open_conflict(location: Location) -> Operation:
    return Operation.objects.get(target_type="location", target_id=location.pk, status=Operation.Status.CONFLICT)


def test_their_name_changed_on_chargeye_after_the_form_opened_is_not_overwritten(
    location: Location, ce_backend: Backend, operator_client: Client
) -> None:
    """The reproduction: the worker used to send the user's name blind over the newer one."""
    shown = open_form(operator_client, location)
    edit_upstream(ce_backend, location, name="Renamed on ChargEye")
    save(operator_client, location, shown, name="Renamed by me")
    location = settled(location)

    assert upstream(ce_backend, location).name == "Renamed on ChargEye"
    assert location.sync_state == SyncState.CONFLICT
    assert location.name == "Renamed on ChargEye"  # the mirror shows ChargEye's version
    html = page(operator_client, location)
    assert "Your change of Name (to “Renamed by me”) was not sent because ChargEye has “Renamed on ChargEye” now" in html
    assert "Send mine over theirs" in html and "Discard mine" in html
    assert "{#" not in html and "HeldConflict" not in html  # no template source shows


def test_send_mine_over_theirs_sends_it_and_the_operations_page_says_so(
    location: Location, ce_backend: Backend, operator_client: Client
) -> None:
    shown = open_form(operator_client, location)
    edit_upstream(ce_backend, location, name="Renamed on ChargEye")
    save(operator_client, location, shown, name="Renamed by me")
    location = settled(location)
    op = open_conflict(location)

    response = operator_client.post(reverse("locations:conflict_reapply", args=[location.pk, op.pk]))
    assert response.status_code == 302
    location = settled(location)
    assert upstream(ce_backend, location).name == "Renamed by me"
    assert location.sync_state == SyncState.SYNCED and location.name == "Renamed by me"
    assert "resolved: reapplied" in operator_client.get(reverse("operations:list")).content.decode()
    assert "was not sent" not in page(operator_client, location)


def test_send_mine_conflicts_again_when_it_changed_again(
    location: Location, ce_backend: Backend, operator_client: Client
) -> None:
    """"Send mine" is based on the value the page showed as theirs; a newer one is a new conflict."""
    shown = open_form(operator_client, location)
    edit_upstream(ce_backend, location, name="Renamed on ChargEye")
    save(operator_client, location, shown, name="Renamed by me")
    location = settled(location)
    op = open_conflict(location)
    edit_upstream(ce_backend, location, name="Renamed again on ChargEye")

    operator_client.post(reverse("locations:conflict_reapply", args=[location.pk, op.pk]))
    location = settled(location)
    assert upstream(ce_backend, location).name == "Renamed again on ChargEye"
    assert location.sync_state == SyncState.CONFLICT and open_conflict(location).pk != op.pk
    assert "ChargEye has “Renamed again on ChargEye” now" in page(operator_client, location)


def test_discard_keeps_theirs(location: Location, ce_backend: Backend, operator_client: Client) -> None:
    shown = open_form(operator_client, location)
    edit_upstream(ce_backend, location, name="Renamed on ChargEye")
    save(operator_client, location, shown, name="Renamed by me", city="Mine too")
    location = settled(location)
    op = open_conflict(location)

    response = operator_client.post(reverse("locations:conflict_discard", args=[location.pk, op.pk]), follow=True)
    assert "Your change was discarded" in response.content.decode()
    location = settled(location)
    now = upstream(ce_backend, location)
    assert (now.name, now.city) == ("Renamed on ChargEye", shown["city"] or None)
    assert location.sync_state == SyncState.SYNCED and location.name == "Renamed on ChargEye"
    assert "resolved: discarded" in operator_client.get(reverse("operations:list")).content.decode()


def test_a_change_of_another_field_upstream_is_kept_beside_mine(
    location: Location, ce_backend: Backend, operator_client: Client
) -> None:
    shown = open_form(operator_client, location)
    edit_upstream(ce_backend, location, city="Their city")
    save(operator_client, location, shown, name="Renamed by me")
    location = settled(location)

    now = upstream(ce_backend, location)
    assert (now.name, now.city) == ("Renamed by me", "Their city")
    assert location.sync_state == SyncState.SYNCED
    assert Operation.objects.get(target_type="location", target_id=location.pk).status == Operation.Status.DONE


def test_the_same_change_made_upstream_is_not_a_conflict(
    location: Location, ce_backend: Backend, operator_client: Client
) -> None:
    shown = open_form(operator_client, location)
    edit_upstream(ce_backend, location, name="Same name")
    save(operator_client, location, shown, name="Same name", city="Mine")
    location = settled(location)

    now = upstream(ce_backend, location)
    assert (now.name, now.city) == ("Same name", "Mine")
    assert location.sync_state == SyncState.SYNCED
