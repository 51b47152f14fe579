"""Who may see what: login, roles and company scoping."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal.models import User
from tests.conftest import client_for
from tests.factories import LocationFactory, StationFactory


def _simple_page_urls() -> list[str]:
    """Every URL pattern of the project without arguments, found from the resolver."""
    urls: list[str] = []

    def walk(patterns: list, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith("django-admin"):
                    continue
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if "<" not in route and "^" not in route:
                    urls.append("/" + route)

    walk(get_resolver().url_patterns, "")
    return urls


PUBLIC = {"/accounts/login/", "/accounts/logout/", "/accounts/invite/done/", "/i18n/setlang/"}
# The API's schema and its docs are public; the rest of the API answers strangers as an API does.
API = "/api/v1/"
API_PUBLIC = {f"{API}schema/", f"{API}docs/", f"{API}redoc/"}


@pytest.mark.django_db
@pytest.mark.parametrize("url", [u for u in _simple_page_urls() if u not in PUBLIC and not u.startswith(API)])
def test_anonymous_requests_go_to_login(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize("url", [u for u in _simple_page_urls() if u.startswith(API) and u not in API_PUBLIC])
def test_anonymous_api_requests_get_401_naming_the_scheme(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_login_page_is_public(client: Client) -> None:
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="password"' in response.content


def test_viewer_gets_403_on_write_urls(viewer_client: Client) -> None:
    for url in (reverse("user_create"), reverse("user_list")):
        assert viewer_client.get(url).status_code == 403
        assert viewer_client.post(url, {"username": "x"}).status_code == 403


def test_operator_cannot_manage_users(operator_client: Client) -> None:
    assert operator_client.get(reverse("user_list")).status_code == 403


def test_user_of_other_company_cannot_see_station(viewer: User, other_company_user: User) -> None:
    station = StationFactory(company=viewer.companies.get(), label="Depot North 1")
    other = client_for(other_company_user)
    assert other.get(reverse("stations:detail", args=[station.pk])).status_code == 404
    listing = other.get(reverse("stations:list"))
    assert b"Depot North 1" not in listing.content
    own = client_for(viewer)
    assert own.get(reverse("stations:detail", args=[station.pk])).status_code == 200
    assert b"Depot North 1" in own.get(reverse("stations:list")).content


def test_location_list_is_scoped(viewer: User, other_company_user: User) -> None:
    LocationFactory(company=viewer.companies.get(), name="Utrecht Central Garage")
    assert b"Utrecht Central Garage" in client_for(viewer).get(reverse("locations:list")).content
    assert b"Utrecht Central Garage" not in client_for(other_company_user).get(reverse("locations:list")).content


def test_superuser_sees_every_company(viewer: User, db: None) -> None:
    StationFactory(company=viewer.companies.get(), label="Depot North 1")
    root = User.objects.create_superuser("root", "root@example.com", "x")
    assert b"Depot North 1" in client_for(root).get(reverse("stations:list")).content


def test_django_admin_is_for_superusers_only(admin_user: User) -> None:
    response = client_for(admin_user).get("/django-admin/")
    assert response.status_code == 302  # sent to the admin login, not let in
    root = User.objects.create_superuser("root", "root@example.com", "x")
    assert client_for(root).get("/django-admin/").status_code == 200


# -- Roles per company (issue 23): the role in the record's company decides every write ---------------


@pytest.fixture
def mixed(company_a: object, company_b: object) -> User:
    """An operator of A who is a viewer of B."""
    from portal.access import Role
    from tests.factories import UserFactory

    return UserFactory(username="mixed", memberships={company_a: Role.OPERATOR, company_b: Role.VIEWER})


def test_an_operator_of_one_company_only_reads_the_company_where_they_are_a_viewer(
        mixed: User, company_a: object, company_b: object) -> None:
    from maintenance.models import MaintenanceWindow
    from stations.models import Station

    theirs = StationFactory(company=company_b, label="Bravo depot", upstream_id="B-1", etag="e1")
    mine = StationFactory(company=company_a, label="Alpha depot", upstream_id="A-1", etag="e1")
    location = LocationFactory(company=company_b, name="Bravo garage")
    client = client_for(mixed)
    assert client.get(reverse("stations:detail", args=[theirs.pk])).status_code == 200  # reading holds
    assert "Bravo depot" in client.get(reverse("stations:list")).content.decode()
    writes = [
        reverse("stations:edit", args=[theirs.pk]),
        reverse("stations:quick_edit", args=[theirs.pk, "label"]), reverse("stations:refresh", args=[theirs.pk]),
        reverse("stations:hardware", args=[theirs.pk]), reverse("locations:edit", args=[location.pk]),
        reverse("maintenance:create", args=[theirs.pk]),
    ]
    for url in writes:
        assert client.post(url, {"value": "Taken over", "label": "Taken over"}).status_code == 403, url
    assert client.get(reverse("stations:quick", args=[theirs.pk])).status_code == 403  # the quick edits' page
    assert Station.objects.get(pk=theirs.pk).label == "Bravo depot" and not MaintenanceWindow.objects.exists()
    # The company where they are an operator: the same pages answer.
    assert client.get(reverse("stations:quick", args=[mine.pk])).status_code == 200
    # Pickers offer the companies where the role is held: a new location or station is A's only.
    page = client.get(reverse("locations:create")).content.decode()
    assert "Company B" not in page
    # Bulk changes: B's stations are not among those they may change.
    response = client.get(reverse("stations:bulk_new"), {"station": [theirs.pk]})
    assert response.status_code == 400 and "Bravo depot" not in response.content.decode()


def test_an_admin_of_one_company_governs_nothing_in_the_company_where_they_are_an_operator(
        company_a: object, company_b: object) -> None:
    from portal.access import Role
    from tests.factories import BackendFactory, UserFactory

    boss = UserFactory(username="boss", memberships={company_a: Role.ADMIN, company_b: Role.OPERATOR})
    backend_b = BackendFactory(name="Bravo GreenFlux", company=company_b)
    client = client_for(boss)
    assert client.get(reverse("backends:edit", args=[backend_b.pk])).status_code == 404
    assert client.get(reverse("companies:edit", args=[company_b.pk])).status_code == 403
    assert "Company B" not in client.get(reverse("backends:create")).content.decode()  # issue 25 item 13
    response = client.post(reverse("sync:schedule"), {"backend": backend_b.pk, "entity": "stations",
                                                      "minutes": 5, "enabled": "1"})
    assert response.status_code == 403
