"""The layout shows each role the navigation it may use."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from portal.access import Role
from portal.models import User
from tests.conftest import client_for


def _nav_labels(client: Client) -> str:
    html = client.get(reverse("dashboard")).content.decode()
    return html.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]


def test_each_role_sees_its_navigation(users_by_role: dict[Role, User]) -> None:
    viewer_nav = _nav_labels(client_for(users_by_role[Role.VIEWER]))
    admin_nav = _nav_labels(client_for(users_by_role[Role.ADMIN]))
    for label in ("Dashboard", "Stations", "Locations", "Models"):
        assert label in viewer_nav and label in admin_nav
    assert "Users" not in viewer_nav
    assert "Users" in admin_nav


def test_dashboard_shows_user_role_and_company(viewer_client: Client) -> None:
    html = viewer_client.get(reverse("dashboard")).content.decode()
    assert "viewer" in html and "Viewer" in html
    assert "Company A" in html


def test_login_with_password_reaches_dashboard(client: Client, viewer: User, password: str) -> None:
    response = client.post(reverse("login"), {"username": "viewer", "password": password}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboard")
    assert b"Dashboard" in response.content


def test_wrong_password_is_refused_with_a_message(client: Client, viewer: User) -> None:
    response = client.post(reverse("login"), {"username": "viewer", "password": "nope"})
    assert response.status_code == 200
    assert b"correct username and password" in response.content


def test_only_the_deepest_matching_entry_is_current(operator_client: Client) -> None:
    html = operator_client.get(reverse("stations:import_list")).content.decode()
    nav = html.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    assert nav.count('aria-current="page"') == 1
    assert 'aria-current="page">Imports<' in nav


def test_dashboard_lists_what_needs_attention(viewer: User, viewer_client: Client, other_company_user: User) -> None:
    from tests.factories import StationFactory

    company = viewer.companies.get()
    StationFactory(company=company, sync_state="conflict")
    StationFactory(company=company, sync_state="conflict")
    StationFactory(company=company, sync_state="failed")
    StationFactory(company=other_company_user.companies.get(), sync_state="failed")
    html = viewer_client.get(reverse("dashboard")).content.decode()
    assert "<strong>2</strong> stations in conflict" in html
    assert "<strong>1</strong> station the upstream refused" in html
    assert "?sync_state=conflict" in html


def test_dashboard_says_all_clear_when_nothing_needs_attention(viewer_client: Client) -> None:
    assert "all clear" in viewer_client.get(reverse("dashboard")).content.decode()
