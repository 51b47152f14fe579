"""A newcomer's first run, as the README tells it: a fresh clone, ``make run`` on other ports, sign in; and
the demo's error pages and log as a newcomer meets them.

The clone is of this repository's committed HEAD (``git clone`` of the working copy), run with the
README's own command in a shell with none of the tests' settings, so it starts the embedded demo
(SQLite, the SQLite broker, the simulator) exactly as a newcomer's would. The one shortcut: the
shared virtualenv is reused (``VENV=``) and the clone's ``requirements.txt`` is dated before that
virtualenv's install stamp, as it is on a machine where ``make run`` has installed them once, so
nothing is reinstalled. About 15 s: migrations, the seed, four processes starting.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

import pytest
from playwright.sync_api import Page, expect

from simulator.ports import free_port
from tests.signin.helpers import totp_code
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser]

REPO = Path(__file__).resolve().parents[2]
COMMAND = re.compile(r"`(make run PORT=(\d+) SIMULATOR_PORT=(\d+))`")
STARTUP = 120.0  # seconds; it takes about 15


def wait_answering(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"make run exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)  # polling a server that is starting: there is nothing else to wait on
    pytest.fail(f"{url} did not answer within {STARTUP:.0f} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("newcomer") / "portal"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(target)], check=True)
    return target


@pytest.fixture(scope="module")  # one demo for this module's tests: starting it takes about 15 s
def demo(clone: Path) -> Iterator[tuple[str, Path, subprocess.Popen[bytes], int]]:
    readme = (clone / "README.md").read_text()
    found = COMMAND.search(readme)
    assert found, "the README shows no `make run PORT=… SIMULATOR_PORT=…` command"
    command, port, sim_port = found.group(1), free_port(int(found.group(2))), free_port(int(found.group(3)))
    command = command.replace(found.group(2), str(port), 1).replace(found.group(3), str(sim_port), 1)
    venv = (REPO / ".venv").resolve()
    stamp = venv / ".requirements-installed"
    if stamp.exists():  # installed already: make must not reinstall for the clone's fresh file date
        os.utime(clone / "requirements.txt", (stamp.stat().st_mtime - 60,) * 2)
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(clone)), "LANG": "C.UTF-8"}
    log = clone / "make-run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(f"{command} VENV={venv}".split(), cwd=clone, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_answering(f"http://127.0.0.1:{port}/accounts/login/", process, log)
        yield f"http://127.0.0.1:{port}", clone, process, sim_port
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # as Ctrl-C: the demo stops every process it started
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.mark.parametrize("page", [(1280, 900)], indirect=True)
def test_a_fresh_clone_runs_on_other_ports_as_the_readme_says(
    page: Page, demo: tuple[str, Path, subprocess.Popen[bytes], int]
) -> None:
    base, clone, process, sim_port = demo
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    credentials = json.loads((clone / "var" / "demo-credentials.json").read_text())  # where the README says
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(credentials["admin"])
    page.get_by_role("button", name="Sign in").click()
    # The demo's admin is asked to set up a second factor, with the secret the demo printed (issue 29).
    expect(page.get_by_text("Your role needs a second sign-in factor")).to_be_visible()
    page.get_by_role("link", name="Activate").click()
    secret = credentials["totp"]["admin"]
    assert page.locator("#authenticator_secret").input_value() == secret
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    screenshot(page, "newcomer-dashboard")
    # The demo's backends talk to the simulator on the chosen port, not the default one.
    page.goto(f"{base}/backends/")
    expect(page.get_by_text(f"http://127.0.0.1:{sim_port}").first).to_be_visible()
    assert process.poll() is None


@pytest.mark.parametrize("page", [(1280, 900)], indirect=True)
def test_the_demos_error_pages_and_its_log_of_refusals(
    page: Page, demo: tuple[str, Path, subprocess.Popen[bytes], int]
) -> None:
    """Issue 25 items 5 and 15 in the demo itself (``runserver`` with ``DEBUG=1``, the settings' own logging):
    the portal's 404 and 403, not Django's debug pages; Django admin's sign-in is the portal's; ten refusals
    write ten lines to the terminal and no traceback (two per refusal before)."""
    base, clone, process, _sim_port = demo
    log = clone / "make-run.log"
    page.goto(f"{base}/no-such-page/")
    expect(page.get_by_role("heading", name="Page not found", exact=True)).to_be_visible()
    expect(page.get_by_text("There is no page at this address")).to_be_visible()
    assert "URLconf" not in page.content() and "django-admin/" not in page.content()  # no list of URL patterns
    page.goto(f"{base}/django-admin/")
    expect(page).to_have_url(f"{base}/accounts/login/?next=%2Fdjango-admin%2F")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    credentials = json.loads((clone / "var" / "demo-credentials.json").read_text())
    page.get_by_label("Username").fill("viewer")
    page.get_by_label("Password").fill(credentials["viewer"])
    page.get_by_role("button", name="Sign in").click()
    # Back at /django-admin/, signed in and not a superuser: refused on the portal's page, not sent round again.
    expect(page.get_by_role("heading", name="You can't open this page")).to_be_visible()
    before = len(log.read_bytes())
    for _ in range(10):
        response = page.goto(f"{base}/stations/new/")  # needs the operator role
        assert response is not None and response.status == 403
        expect(page.get_by_role("heading", name="You can't open this page")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    screenshot(page, "newcomer-403")
    refusals = log.read_bytes()[before:].decode("utf-8", "replace")  # runserver logs before it answers
    assert refusals.count("Forbidden (Permission denied): /stations/new/") == 10, refusals[-3000:]
    assert "Traceback" not in refusals, refusals[-3000:]
    assert process.poll() is None
