"""Model mapping: admins give catalogue models the be.ENERGISED ids refreshed stations use, per company."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from models_catalog.models import StationModel
from portal.access import Role
from portal.models import Backend, Company, User
from sync.engine import refresh_run
from simulator.testing import SimulatorHandle
from stations.model_ids import seen_model_ids, unmapped_ids
from stations.models import ModelIdMapping, Station
from tests.conftest import client_for
from tests.factories import StationModelFactory, UserFactory
from tests.upstream import make_backend

URL = "stations:model_mapping"


@pytest.fixture
def refreshed(be_backend: Backend) -> Backend:
    run = refresh_run(be_backend, "stations")
    assert run.status == "done", run.message
    return be_backend


def mapped_id(model: StationModel, company: Company) -> int | None:
    """The be.ENERGISED id ``model`` has in ``company``'s mapping."""
    return ModelIdMapping.objects.filter(model=model, company=company).values_list(
        "beenergised_model_id", flat=True).first()


def test_only_admins(viewer_client: Client, operator_client: Client) -> None:
    model = StationModelFactory()
    for client in (viewer_client, operator_client):
        assert client.get(reverse(URL)).status_code == 403
        assert client.post(reverse(URL), {"model": model.pk, "model_id": "1"}).status_code == 403
    assert not ModelIdMapping.objects.exists()


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
    assert mapped_id(model, refreshed.company) == target.model_id
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
    assert "No refreshed be.ENERGISED station of Company A uses model id 987654" in html
    assert "Nothing was saved" in html and 'id="id_model_id"' in html
    assert not ModelIdMapping.objects.exists()
    assert not Station.objects.filter(model=model).exists()


def test_an_id_of_another_model_is_refused(refreshed: Backend, admin_client_portal: Client, admin_user: object) -> None:
    target = unmapped_ids(admin_user)[0]  # type: ignore[arg-type]
    first = StationModelFactory(beenergised_model_id=target.model_id)
    second = StationModelFactory()
    response = admin_client_portal.post(reverse(URL), {"model": second.pk, "model_id": str(target.model_id)})
    assert response.status_code == 422 and "already" in response.content.decode()
    assert mapped_id(first, refreshed.company) == target.model_id
    assert mapped_id(second, refreshed.company) is None


def test_ids_of_another_companys_stations_are_not_shown(refreshed: Backend, other_company_user: User) -> None:
    admin_b = UserFactory(username="admin-b", role=Role.ADMIN, companies=list(other_company_user.companies.all()))  # type: ignore[attr-defined]
    assert seen_model_ids(admin_b) == []


@pytest.fixture
def two_companies(simulator: SimulatorHandle, refreshed: Backend, company_b: Company) -> tuple[Backend, Backend]:
    """Company A's and company B's be.ENERGISED stations, refreshed; both use model ids of one registry."""
    be_b = make_backend(simulator, "beenergised", company_b)
    assert refresh_run(be_b, "stations").status == "done"
    return refreshed, be_b


def shared_id(a: Backend, b: Backend) -> int:
    ids = [{s.model_id for s in seen_model_ids(UserFactory(role=Role.ADMIN, companies=[x.company]))} for x in (a, b)]
    common = sorted(ids[0] & ids[1])
    assert common, "the simulator's two companies share no model id"
    return common[0]


def test_one_companys_admin_maps_and_clears_only_its_own_stations(two_companies: tuple[Backend, Backend]) -> None:
    """Issue 23 #3: B's admin cleared a model id and A's station lost its model; re-mapping said
    "9 stations linked" while B has 6, counting A's."""
    be_a, be_b = two_companies
    number = shared_id(be_a, be_b)
    model = StationModelFactory(vendor="Alfen", model="Eve Mapped")
    admin_a = UserFactory(username="admin-a", role=Role.ADMIN, companies=[be_a.company])
    admin_b = UserFactory(username="admin-b", role=Role.ADMIN, companies=[be_b.company])
    a_count = Station.objects.filter(backend=be_a, upstream_data__modelId=number).count()
    b_count = Station.objects.filter(backend=be_b, upstream_data__modelId=number).count()

    response = client_for(admin_a).post(reverse(URL), {"model": model.pk, "model_id": str(number)}, follow=True)
    assert f"{a_count} station{'s' if a_count != 1 else ''} of Company A linked" in response.content.decode()
    assert Station.objects.filter(backend=be_a, model=model).count() == a_count
    assert not Station.objects.filter(backend=be_b, model=model).exists()  # B maps its own, or not at all

    # B's admin maps the same id, then clears it: A's stations keep their model, and B's count is B's.
    response = client_for(admin_b).post(reverse(URL), {"model": model.pk, "model_id": str(number)}, follow=True)
    assert f"{b_count} station{'s' if b_count != 1 else ''} of Company B linked" in response.content.decode()
    assert client_for(admin_b).post(reverse(URL), {"model": model.pk, "model_id": ""}).status_code == 302
    assert Station.objects.filter(backend=be_a, model=model).count() == a_count
    assert mapped_id(model, be_a.company) == number and mapped_id(model, be_b.company) is None
    assert not Station.objects.filter(backend=be_b, model=model).exists()

    # A refresh keeps each company's mapping: A's stations have the model, B's none.
    assert refresh_run(be_b, "stations", full=True).status == "done"
    assert refresh_run(be_a, "stations", full=True).status == "done"
    assert Station.objects.filter(backend=be_a, model=model).count() == a_count
    assert not Station.objects.filter(backend=be_b, model=model).exists()


def test_an_admin_cannot_post_into_another_companys_mapping(two_companies: tuple[Backend, Backend]) -> None:
    be_a, be_b = two_companies
    number = shared_id(be_a, be_b)
    model = StationModelFactory()
    admin_b = UserFactory(username="admin-b", role=Role.ADMIN, companies=[be_b.company])
    response = client_for(admin_b).post(reverse(URL), {"company": be_a.company.pk, "model": model.pk,
                                                        "model_id": str(number)})
    assert response.status_code == 422 and "Choose a company you administer." in response.content.decode()
    assert not ModelIdMapping.objects.exists()
    assert not Station.objects.filter(model=model).exists()


def test_the_page_shows_only_the_viewers_companies(two_companies: tuple[Backend, Backend]) -> None:
    be_a, be_b = two_companies
    model = StationModelFactory(vendor="Secret", model="Mapped By A", beenergised_model_id=shared_id(be_a, be_b),
                                beenergised_model_id__mapped_in=[be_a.company])
    admin_b = UserFactory(username="admin-b", role=Role.ADMIN, companies=[be_b.company])
    page = client_for(admin_b).get(reverse(URL)).content.decode()
    b_ids = {s.model_id: s.stations for s in seen_model_ids(admin_b)}
    assert sum(b_ids.values()) == Station.objects.filter(backend=be_b).count()
    for model_id, stations in b_ids.items():
        assert f"Model id <strong>{model_id}</strong>, used by {stations} station" in page
    # A's mapping is not B's: not listed as mapped, nor named beside B's ids; A is not named at all.
    assert f">{model}</a>" not in page and f"now {model}" not in page and "Company A" not in page
    assert "shared by every company" in page  # the catalogue says it is shared
