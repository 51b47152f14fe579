"""The second factor in a real browser (issue 29): an admin is sent to set one up on first sign-in,
scans (reads) the offline QR code's secret into an "app", and signs in with its code next time; a
security key is added and used through Chromium's virtual authenticator (CDP WebAuthn domain)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from portal.access import Role
from portal.models import User
from tests.browser.conftest import screenshot, sign_in
from tests.factories import PASSWORD, CompanyFactory, UserFactory
from tests.signin.helpers import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def context(browser: Browser, browser_settings: None, settings: object) -> Iterator[BrowserContext]:
    settings.SECOND_FACTOR_GATE = True  # type: ignore[attr-defined]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def admin() -> User:
    return UserFactory(username="fleet-admin", role=Role.ADMIN, companies=[CompanyFactory(name="Voltera Fleet")])


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_an_admin_enrols_an_authenticator_app_and_signs_in_with_its_code(
        context: BrowserContext, live_server: object, admin: User) -> None:
    page = context.new_page()
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, admin.username, PASSWORD)
    # The gate: no page before a second factor.
    expect(page.get_by_text("Your role needs a second sign-in factor")).to_be_visible()
    page.goto(f"{base}/users/")
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    page.get_by_role("link", name="Activate").click()

    qr = page.locator("img.signin-qr")
    expect(qr).to_be_visible()
    assert qr.get_attribute("src").startswith("data:image/svg+xml")  # drawn by the server: no outside service
    secret = page.locator("#authenticator_secret").input_value()
    assert len(secret) == 32
    screenshot(page, "second-factor-activate")
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    page.goto(f"{base}/users/")
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()

    sign_out(page)
    page.goto(f"{base}/stations/")  # signed out: to the sign-in page, and back here after it
    page.get_by_label("Username").fill(admin.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    page.get_by_label("Code").fill("123456" if totp_code(secret) != "123456" else "654321")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Incorrect code")).to_be_visible()
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Stations", exact=True)).to_be_visible()
    assert page.url.endswith("/stations/")


def test_a_security_key_is_added_and_signs_in_through_the_virtual_authenticator(
        context: BrowserContext, live_server: object, admin: User) -> None:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "usb", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})
    base = live_server.url.replace("127.0.0.1", "localhost")  # type: ignore[attr-defined]  # an IP is no RP id
    sign_in(page, base, admin.username, PASSWORD)
    expect(page.get_by_text("Your role needs a second sign-in factor")).to_be_visible()
    page.get_by_role("link", name="Add").click()
    expect(page.get_by_role("heading", name="Add Security Key")).to_be_visible()
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    page.goto(f"{base}/accounts/2fa/webauthn/")
    expect(page.get_by_role("cell", name="Master key")).to_be_visible()
    screenshot(page, "second-factor-keys")

    sign_out(page)
    sign_in(page, base, admin.username, PASSWORD)
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    page.get_by_role("button", name="Use a security key").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
