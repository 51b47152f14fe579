"""Headless Chromium (Debian's package) driven by Playwright, against a live test server.

Screenshots go to ``artifacts/screenshots/`` (named in the README).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
# The flags this machine needs: no sandbox as root, no background calls to a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium package.")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by
    # fixtures in the same thread are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_settings(settings: object) -> None:
    """The live server speaks plain HTTP, so cookies must not be marked Secure."""
    settings.SESSION_COOKIE_SECURE = False  # type: ignore[attr-defined]
    settings.CSRF_COOKIE_SECURE = False  # type: ignore[attr-defined]


@pytest.fixture(params=[(1280, 900), (390, 844)], ids=["wide", "narrow"])
def page(request: pytest.FixtureRequest, browser: Browser, browser_settings: None) -> Iterator[Page]:
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    path = SCREENSHOTS / f"{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


# What a user sees once a station page has settled, read in one frame: the head's badge says synced,
# nothing on the page says it is waiting, and the "will show as synced" message is gone.
SETTLED = """() => {
  const live = document.querySelector('#station-live');
  const badge = live && live.querySelector('.station-state .badge');
  const message = [...document.querySelectorAll('.message.until-synced')].some(m => m.getClientRects().length);
  return Boolean(badge && badge.textContent.trim() === 'synced' && !live.textContent.includes('Waiting for')
    && !message);
}"""


def wait_synced(page: Page, timeout: float = 30_000) -> None:
    """Wait until a station page shows its write confirmed, as the user sees it.

    The page settles in one swap: the live region's poll that finds the station settled draws the
    badges, the actions and the facts together, and nothing redraws them afterwards
    (``test_station_settle.py`` clicks right after "synced"). So this waits for what that swap
    shows, checked on every frame, and for no quiet period (it used to wait until nothing had been
    requested for 0.7 s, from when settling took several swaps and a click in between was lost).
    """
    page.wait_for_function(SETTLED, polling="raf", timeout=timeout)
