"""A setting set by one company's admin changes only that company's records (issue 23, item 3).

A backend shared by every company (no company: the model catalogue, a multi-tenant ChargEye) holds
other companies' records, so its settings (name, credentials, paths, active, schedules, removal holds)
are the platform's admins' (superusers); a company's admin sees it marked as shared and cannot change it.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from portal.access import Role
from portal.models import Backend, Company, RemovalHold, SyncRun, User
from sync.schedules import refresh_schedules_ensure, schedule_name
from stations.models import Station
from tests.conftest import client_for
from tests.factories import BackendFactory, StationFactory, UserFactory


@pytest.fixture
def shared(company_a: Company) -> Backend:
    return BackendFactory(name="Shared ChargEye", kind="chargeye", company=None, base_url="https://ce.example.com",
                          credentials={"refresh_token": "x"}, paths={"locations": "/locations"})


@pytest.fixture
def admin_b(company_b: Company) -> User:
    return UserFactory(username="admin-b", role=Role.ADMIN, companies=[company_b])


@pytest.fixture
def root(db: None) -> User:
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_a_company_admin_cannot_change_a_shared_backend(shared: Backend, admin_b: User, root: User) -> None:
    client = client_for(admin_b)
    page = client.get(reverse("backends:list")).content.decode()
    assert "Shared ChargEye" in page and "kept by the platform's admins" in page
    assert f'href="{reverse("backends:edit", args=[shared.pk])}"' not in page
    form = {"name": "Renamed", "kind": "chargeye", "company": "", "base_url": "https://evil.example.com",
            "path_locations": "/elsewhere"}
    assert client.get(reverse("backends:edit", args=[shared.pk])).status_code == 403
    assert client.post(reverse("backends:edit", args=[shared.pk]), form).status_code == 403
    assert client.post(reverse("backends:set_active", args=[shared.pk]), {"active": "0"}).status_code == 403
    shared.refresh_from_db()
    assert (shared.name, shared.base_url, shared.paths, shared.is_active) == (
        "Shared ChargEye", "https://ce.example.com", {"locations": "/locations"}, True)
    # The platform's admin may.
    assert client_for(root).post(reverse("backends:edit", args=[shared.pk]), form).status_code == 302
    shared.refresh_from_db()
    assert (shared.name, shared.base_url) == ("Renamed", "https://evil.example.com")


def test_a_company_admin_makes_backends_of_their_companies_only(admin_b: User) -> None:
    response = client_for(admin_b).post(reverse("backends:create"), {
        "name": "Catalogue", "kind": "models", "base_url": "https://models.example.com", "cred_token": "t"})
    assert response.status_code == 422
    assert "a backend shared by every company is set up by the platform" in response.content.decode()
    assert not Backend.objects.filter(name="Catalogue").exists()


def test_a_company_admin_cannot_change_a_shared_schedule(shared: Backend, admin_b: User) -> None:
    refresh_schedules_ensure()
    task = PeriodicTask.objects.filter(name__startswith=schedule_name(shared.pk, "")).first()
    assert task is not None
    entity = task.name.rsplit(": ", 1)[-1]
    before = (task.interval.every, task.enabled)
    client = client_for(admin_b)
    page = client.get(reverse("sync:list")).content.decode()
    assert "its schedule is kept by the platform" in page
    response = client.post(reverse("sync:schedule"), {"backend": shared.pk, "entity": entity, "minutes": "5"})
    assert response.status_code == 403
    task.refresh_from_db()
    assert (task.interval.every, task.enabled) == before


def test_a_hold_on_a_shared_backend_is_not_another_companys_to_see_or_decide(
    shared: Backend, company_a: Company, admin_b: User, root: User
) -> None:
    station = StationFactory(company=company_a, backend=shared, label="A's station on the shared backend")
    run = SyncRun.objects.create(backend=shared, entity="stations")
    hold = RemovalHold.objects.create(backend=shared, entity="stations", model="stations.Station", run=run,
                                      rows=[{"pk": station.pk, "upstream_id": "x", "label": station.label}], of_rows=1)
    client = client_for(admin_b)
    assert station.label not in client.get(reverse("sync:list")).content.decode()
    assert client.get(reverse("sync:hold", args=[hold.pk])).status_code == 404
    assert client.post(reverse("sync:hold_decide", args=[hold.pk]), {"decision": "confirm"}).status_code == 404
    assert Station.objects.get(pk=station.pk).removed_at is None
    assert client_for(root).post(reverse("sync:hold_decide", args=[hold.pk]), {"decision": "confirm"}).status_code == 302
    assert Station.objects.get(pk=station.pk).removed_at is not None


def test_a_shared_backends_figures_count_every_company_and_are_not_shown_to_a_companys_admin(
    shared: Backend, admin_b: User, root: User
) -> None:
    """Counts and lists show only the reader's own companies: a refresh or a connection check of a backend
    shared by every company counts every company's records. The model catalogue's are everyone's."""
    from django.utils import timezone

    now = timezone.now()
    Backend.objects.filter(pk=shared.pk).update(checked_at=now, check_ok=True,
                                                check_message="Connected: 4321 locations visible")
    run = SyncRun.objects.create(backend=shared, entity="locations", status=SyncRun.Status.DONE, started_at=now,
                                 finished_at=now, rows_seen=4321, rows_created=4317, rows_updated=3, errors=1,
                                 message="1 skipped: locations whose ChargEye tenant is linked to no company")
    catalogue = BackendFactory(name="Catalogue", kind=Backend.Kind.MODELS, company=None)
    SyncRun.objects.create(backend=catalogue, entity="models", status=SyncRun.Status.DONE, started_at=now,
                           finished_at=now, rows_seen=77, rows_created=7654)
    pages = (reverse("sync:list"), reverse("sync:run", args=[run.pk]), reverse("backends:list"))
    for page in pages:
        html = client_for(admin_b).get(page).content.decode()
        assert "4317" not in html and "4321" not in html and "tenant is linked" not in html, page
    assert "Counted over every company" in client_for(admin_b).get(reverse("sync:run", args=[run.pk])).content.decode()
    assert "+7654 new" in client_for(admin_b).get(reverse("sync:list")).content.decode()  # the catalogue is shared
    # The platform's admins read them.
    assert "+4317 new" in client_for(root).get(reverse("sync:list")).content.decode()
    assert "4321 locations visible" in client_for(root).get(reverse("backends:list")).content.decode()
