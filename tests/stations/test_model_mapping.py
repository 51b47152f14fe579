"""Model mapping: admins give catalogue models the be.ENERGISED ids refreshed stations use."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from models_catalog.models import StationModel
from portal.models import Backend
from portal.sync import refresh_run
from stations.model_ids import seen_model_ids, unmapped_ids
from stations.models import Station
from tests.factories import StationModelFactory

URL = "stations:model_mapping"


@pytest.fixture
def refreshed(be_backend: Backend) -> Backend:
    run = refresh_run(be_backend, "stations")
    assert run.status == "done", run.message
    return be_backend


def test_only_admins(viewer_client: Client, operator_client: Client) -> None:
    model = StationModelFactory()
    for client in (viewer_client, operator_client):
        assert client.get(reverse(URL)).status_code == 403
        assert client.post(reverse(URL), {"model": model.pk, "model_id": "1"}).status_code == 403
    model.refresh_from_db()
    assert model.beenergised_model_id is None


def test_lists_ids_used_upstream_without_a_catalogue_entry(
    refreshed: Backend, admin_client_portal: Client, admin_user: object
) -> None:
    ids = {s.model_id: s.stations for s in seen_model_ids(admin_user)}  # type: ignore[arg-type]
    assert ids and sum(ids.values()) == Station.objects.filter(backend=refreshed).count()
    page = admin_client_portal.get(reverse(URL)).content.decode()
    assert "Models used upstream without a catalogue entry" in page
    for model_id in ids:
        assert f"Model id <strong>{model_id}</strong>" in page


def test_mapping_an_id_links_its_stations_and_leaves_the_list(refreshed: Backend, admin_client_portal: Client,
                                                               admin_user: object) -> None:
    model = StationModelFactory(vendor="Alfen", model="Eve Double")
    target = unmapped_ids(admin_user)[0]  # type: ignore[arg-type]
    response = admin_client_portal.post(reverse(URL), {"model": model.pk, "model_id": str(target.model_id)})
    assert response.status_code == 302
    model.refresh_from_db()
    assert model.beenergised_model_id == target.model_id
    assert Station.objects.filter(backend=refreshed, model=model).count() == target.stations
    assert target.model_id not in {s.model_id for s in unmapped_ids(admin_user)}  # type: ignore[arg-type]
    # The be.ENERGISED create form now offers it.
    form = admin_client_portal.get(reverse("stations:create"), {"backend": refreshed.pk}).content.decode()
    assert "Eve Double" in form


def test_a_model_id_no_station_uses_is_refused_naming_the_field(refreshed: Backend, admin_client_portal: Client) -> None:
    model = StationModelFactory()
    response = admin_client_portal.post(reverse(URL), {"model": model.pk, "model_id": "987654"})
    html = response.content.decode()
    assert response.status_code == 422
    assert "No refreshed be.ENERGISED station uses model id 987654" in html and "Nothing was saved" in html
    assert 'id="id_model_id"' in html
    model.refresh_from_db()
    assert model.beenergised_model_id is None
    assert not Station.objects.filter(model=model).exists()


def test_an_id_of_another_model_is_refused(refreshed: Backend, admin_client_portal: Client, admin_user: object) -> None:
    target = unmapped_ids(admin_user)[0]  # type: ignore[arg-type]
    first = StationModelFactory(beenergised_model_id=target.model_id)
    second = StationModelFactory()
    response = admin_client_portal.post(reverse(URL), {"model": second.pk, "model_id": str(target.model_id)})
    assert response.status_code == 422 and "already" in response.content.decode()
    assert StationModel.objects.get(pk=first.pk).beenergised_model_id == target.model_id
    assert StationModel.objects.get(pk=second.pk).beenergised_model_id is None


def test_ids_of_another_companys_stations_are_not_shown(refreshed: Backend, other_company_user: object) -> None:
    from portal.access import Role
    from tests.factories import UserFactory

    admin_b = UserFactory(username="admin-b", role=Role.ADMIN, companies=list(other_company_user.companies.all()))  # type: ignore[attr-defined]
    assert seen_model_ids(admin_b) == []
