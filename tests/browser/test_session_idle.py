"""The idle limit, in a real browser: a user loading a page every 10 s with a 60 s limit stays signed in.

The server's clock (``portal.middleware``'s ``time``) is moved forward instead of waiting: the live
server runs in this process. Activity used to be recorded once a minute, so any idle limit up to a
minute was a fixed one: this user was signed out after 64 s.
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from portal.models import User
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class ServerClock:
    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now


@pytest.mark.parametrize("page", [(1280, 900)], indirect=True)
def test_an_active_user_stays_signed_in_and_an_idle_one_is_signed_out_at_the_limit(
    page: Page, live_server: object, viewer: User, settings: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    settings.SESSION_IDLE_SECONDS = 60  # type: ignore[attr-defined]
    clock = ServerClock()
    monkeypatch.setattr("portal.middleware.time", clock)
    sign_in(page, base, viewer.username, PASSWORD)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    for second in range(10, 130, 10):  # two minutes of work, a page every 10 s
        clock.now += 10
        page.goto(f"{base}/stations/" if second % 20 else f"{base}/")
        expect(page.get_by_role("navigation", name="Main")).to_be_visible()
        assert "/accounts/login/" not in page.url, f"signed out after {second} s of activity"

    clock.now += 56  # idle for less than the limit (and more than 95 % of it): still signed in
    page.goto(f"{base}/stations/")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    clock.now += 61  # idle for longer than the limit
    page.goto(f"{base}/stations/")
    expect(page.get_by_text("You are signed out (1 minute without activity). Please sign in again.")).to_be_visible()
