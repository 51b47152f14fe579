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
                if "<" not in route:
                    urls.append("/" + route)

    walk(get_resolver().url_patterns, "")
    return urls


PUBLIC = {"/accounts/login/", "/accounts/logout/", "/accounts/invite/done/"}


@pytest.mark.django_db
@pytest.mark.parametrize("url", [u for u in _simple_page_urls() if u not in PUBLIC])
def test_anonymous_requests_go_to_login(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


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
