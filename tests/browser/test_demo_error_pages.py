"""The demo runs with ``DEBUG=1``: its 404 and 500 pages are still the portal's, Django admin's sign-in
is the portal's, and a refusal writes one line to the log, not a traceback (twice).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from portal.models import User
from tests.browser.conftest import screenshot, sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_debug(settings: object) -> None:
    settings.DEBUG = True  # type: ignore[attr-defined]  # as make run sets it


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """What the configured log handlers print (the root's, and any of Django's own), into one buffer."""
    buffer = io.StringIO()
    handlers = [h for name in ("", "django", "django.request")
                for h in logging.getLogger(name).handlers if type(h) is logging.StreamHandler]
    assert handlers, "no console handler configured"
    previous = [h.setStream(buffer) for h in handlers]
    yield buffer
    for handler, stream in zip(handlers, previous):
        handler.setStream(stream)


@pytest.mark.parametrize("page", [(1280, 900)], indirect=True)
def test_demo_404_500_and_django_admin_sign_in(page: Page, live_server: object, viewer: User, demo_debug: None,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.goto(f"{base}/no-such-page/")
    expect(page.get_by_text("There is no page at this address")).to_be_visible()
    assert "URLconf" not in page.content() and "django-admin/" not in page.content()  # no list of URL patterns

    page.goto(f"{base}/django-admin/")
    expect(page).to_have_url(f"{base}/accounts/login/?next=%2Fdjango-admin%2F")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    sign_in(page, base, viewer.username, PASSWORD)
    page.goto(f"{base}/stations/999999/")
    expect(page.get_by_role("heading", name="Page not found", exact=True)).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    screenshot(page, "demo-404")
    page.goto(f"{base}/django-admin/")  # signed in, not a superuser: refused, not sent round in circles
    expect(page.get_by_role("heading", name="You can't open this page")).to_be_visible()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret-in-the-error-xyz")

    monkeypatch.setattr("dashboard.views.dashboard_figures", broken)
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="Something went wrong")).to_be_visible()
    assert "secret-in-the-error-xyz" not in page.content() and "Traceback" not in page.content()


@pytest.mark.parametrize("page", [(1280, 900)], indirect=True)
def test_ten_refusals_write_ten_short_lines_and_an_error_keeps_its_traceback(
    page: Page, live_server: object, viewer: User, demo_debug: None, log_output: io.StringIO,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, viewer.username, PASSWORD)
    for _ in range(10):
        page.goto(f"{base}/stations/new/")  # needs the operator role
        expect(page.get_by_role("heading", name="You can't open this page")).to_be_visible()
    log = log_output.getvalue()
    assert log.count("Traceback") == 0, log
    assert log.count("Forbidden (Permission denied): /stations/new/") == 10, log
    page.goto(f"{base}/stations/999999/")
    expect(page.get_by_text("No station found.")).to_be_visible()
    log = log_output.getvalue()
    assert log.count("Not Found: /stations/999999/") == 1 and "Traceback" not in log, log

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a real error")

    monkeypatch.setattr("dashboard.views.dashboard_figures", broken)
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="Something went wrong")).to_be_visible()
    log = log_output.getvalue()
    assert log.count("Traceback") == 1 and "RuntimeError: a real error" in log, log
