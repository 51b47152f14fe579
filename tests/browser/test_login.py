"""Signing in through a real browser shows each role its dashboard and navigation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from portal.access import Role
from portal.models import User
from tests.browser.conftest import screenshot, sign_in
from tests.factories import PASSWORD, CompanyFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.group_name)
def test_sign_in_shows_dashboard_with_role_navigation(page: Page, live_server: object, role: Role) -> None:
    company = CompanyFactory(name="Voltera Fleet")
    user: User = UserFactory(username=f"demo-{role.group_name}", role=role, companies=[company])
    sign_in(page, live_server.url, user.username, PASSWORD)  # type: ignore[attr-defined]

    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Stations")).to_be_visible()
    users_link = nav.get_by_role("link", name="Users")
    if role == Role.ADMIN:
        expect(users_link).to_be_visible()
    else:
        expect(users_link).to_have_count(0)
    expect(page.get_by_text(role.label, exact=True)).to_be_visible()
    # Nothing may be wider than the window, at 1280px or at 390px.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    path = screenshot(page, f"dashboard-{role.group_name}")
    assert path.stat().st_size > 5_000


def test_keyboard_user_can_sign_in(page: Page, live_server: object) -> None:
    UserFactory(username="keys", role=Role.VIEWER, companies=[CompanyFactory(name="Voltera Fleet")])
    page.goto(f"{live_server.url}/accounts/login/")  # type: ignore[attr-defined]
    # The username field has the focus on arrival: type straight away.
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type("keys")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
