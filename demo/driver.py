"""Run ``manage.py run_demo`` as a user would, on free ports in a folder of its own, and drive it over HTTP.

Used by the soak check (``python -m tooling.soak``) and by ``tests/demo/test_run_demo.py``.
The demo gets its own ``PORTAL_VAR_DIR`` (SQLite database, SQLite broker,
simulator state) and none of the test settings (``DATABASE_URL``,
``CELERY_BROKER_URL``, ``CELERY_QUEUE``), so it is the embedded demo exactly.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from html import unescape
from pathlib import Path
from typing import Any

import httpx

from simulator.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
NOT_FOR_THE_DEMO = ("DATABASE_URL", "CELERY_BROKER_URL", "CELERY_QUEUE", "CACHE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE",
                    "PORTAL_VAR_DIR", "SIMULATOR_URL", "CELERY_TASK_ALWAYS_EAGER")


class Demo:
    def __init__(self, var_dir: Path, log_path: Path, *, port: int | None = None, sim_port: int | None = None,
                 nice: int = 0) -> None:
        self.var_dir = Path(var_dir)
        self.log_path = Path(log_path)
        self.port = port or free_port()
        self.sim_port = sim_port or free_port()
        self.nice = nice
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def simulator_url(self) -> str:
        return f"http://127.0.0.1:{self.sim_port}"

    def start(self, timeout: float = 240) -> None:
        env = {k: v for k, v in os.environ.items() if k not in NOT_FOR_THE_DEMO}
        env.update({"DEBUG": "1", "PORTAL_VAR_DIR": str(self.var_dir), "PYTHONUNBUFFERED": "1"})
        self.var_dir.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        argv = [sys.executable, "manage.py", "run_demo", "--port", str(self.port),
                "--simulator-port", str(self.sim_port)]
        if self.nice:
            argv = ["nice", "-n", str(self.nice), *argv]
        self.proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=self.log_path.open("ab"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"run_demo exited with {self.proc.returncode}:\n{self.log()[-3000:]}")
            if self.answers() and self.child_running("worker"):
                return
            time.sleep(0.5)
        raise TimeoutError(f"the demo did not answer within {timeout} s:\n{self.log()[-3000:]}")

    def answers(self) -> bool:
        try:
            return httpx.get(self.url + "/accounts/login/", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self, timeout: float = 30) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            return self.proc.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def status(self) -> dict[str, Any]:
        path = self.var_dir / "demo-status.json"
        return json.loads(path.read_text()) if path.exists() else {"children": {}}

    def child(self, name: str) -> dict[str, Any]:
        return self.status()["children"].get(name, {})

    def child_running(self, name: str) -> bool:
        return bool(self.child(name).get("running"))

    def credentials(self) -> dict[str, str]:
        return json.loads((self.var_dir / "demo-credentials.json").read_text())

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Read the demo's SQLite database (read-only, waiting for its write lock if need be)."""
        connection = sqlite3.connect(f"file:{self.var_dir / 'portal.sqlite3'}?mode=ro", uri=True, timeout=30)
        try:
            return connection.execute(sql, params).fetchall()
        finally:
            connection.close()

    def browser(self, username: str) -> Browser:
        browser = Browser(self.url)
        credentials = self.credentials()
        browser.sign_in(username, credentials[username], totp_secret=credentials.get("totp", {}).get(username))
        return browser


class Browser:
    """A signed-in user clicking through the pages with plain HTTP (forms with their CSRF token)."""

    def __init__(self, base_url: str) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=60, follow_redirects=False)

    def sign_in(self, username: str, password: str, totp_secret: str | None = None) -> None:
        """Sign in; a demo admin also gives their second factor (setting it up the first time, as the
        portal asks), from the authenticator secret the demo printed."""
        self.client.get("/accounts/login/")
        response = self.client.post("/accounts/login/", data={
            "username": username, "password": password, "csrfmiddlewaretoken": self.client.cookies["csrftoken"]})
        if response.status_code != 302:
            raise RuntimeError(f"sign-in as {username} answered {response.status_code}")
        if not totp_secret:
            return
        from demo.signin import current_code

        where = response.headers["Location"]
        if "/accounts/2fa/authenticate/" in where:
            step = self.post(where, {"code": current_code(totp_secret)})
        elif "/accounts/2fa/" in self.get("/").headers.get("Location", ""):
            self.get("/accounts/2fa/totp/activate/")  # the page offers the demo's secret
            step = self.post("/accounts/2fa/totp/activate/", {"code": current_code(totp_secret)})
        else:
            return
        if step.status_code != 302:
            raise RuntimeError(f"the second factor of {username} answered {step.status_code}")

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict[str, str], **kwargs: Any) -> httpx.Response:
        headers = {"X-CSRFToken": self.client.cookies.get("csrftoken", ""), "Referer": str(self.client.base_url)}
        return self.client.post(path, data={**data, "csrfmiddlewaretoken": headers["X-CSRFToken"]},
                                headers={**headers, **kwargs.pop("headers", {})}, **kwargs)

    def quick_edit(self, station_id: int, field: str, value: str) -> httpx.Response:
        """Fill in and send the quick-edit form the page shows, with every field it carries (its version token)."""
        self.get(f"/stations/{station_id}/")  # as a person does: the page first (and its CSRF cookie)
        action = f"/stations/{station_id}/quick/{field}/"
        html = self.get(f"/stations/{station_id}/actions/", headers={"HX-Request": "true"}).text
        data = form_fields(html, action)
        data[f"quick-{field}-value"] = value
        return self.post(action, data)

    def links(self, path: str) -> list[str]:
        body = self.get(path).text
        return sorted(set(re.findall(r'href="(/[^"#?]*)', body)))


def form_fields(html: str, action: str) -> dict[str, str]:
    """The named inputs of the form posting to ``action`` in ``html`` (hidden ones included)."""
    start = html.find(f'action="{action}"')
    if start < 0:
        raise RuntimeError(f"no form posting to {action} on the page")
    form = html[start:html.find("</form>", start)]
    fields = {}
    for tag in re.findall(r"<input\b[^>]*>", form):
        name = re.search(r'\bname="([^"]*)"', tag)
        if name:
            found = re.search(r'\bvalue="([^"]*)"', tag)
            fields[name[1]] = unescape(found[1]) if found else ""
    fields.pop("csrfmiddlewaretoken", None)
    return fields
