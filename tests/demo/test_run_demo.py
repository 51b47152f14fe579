"""The demo as ``make run`` starts it (``run_demo`` in its own folder, on chosen ports), from outside.

A worker that dies is restarted by the demo's supervisor while the pages go
on answering, and writes made afterwards still reach the upstream; the ports
given on the command line reach the seeded backends.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from simulator.seed import GREENFLUX_TOKEN
from demo.driver import Demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    folder = tmp_path_factory.mktemp("demo")
    running = Demo(folder / "var", folder / "run_demo.log")
    running.start()
    yield running
    code = running.stop()
    assert code == 0, running.log()[-3000:]
    # Ctrl-C/SIGTERM still stops every child.
    assert running.status()["stopped"] and not any(c["running"] for c in running.status()["children"].values())


def test_the_chosen_ports_reach_the_seeded_backends(demo: Demo) -> None:
    assert demo.port != 8000 and demo.sim_port != 8001
    base_urls = [url for (url,) in demo.query("SELECT base_url FROM portal_backend")]
    assert len(base_urls) == 5
    assert all(url.startswith(demo.simulator_url + "/") for url in base_urls), base_urls
    assert f"Portal: {demo.url}/" in demo.log()


def greenflux_station(demo: Demo) -> tuple[int, str]:
    rows = demo.query("""SELECT s.id, s.upstream_id FROM stations_station s JOIN portal_backend b ON b.id = s.backend_id
                         WHERE b.kind = 'greenflux' AND s.upstream_id IS NOT NULL AND s.removed_at IS NULL
                         ORDER BY s.id LIMIT 1""")
    return rows[0]


def upstream_name(demo: Demo, upstream_id: str) -> str:
    response = httpx.get(f"{demo.simulator_url}/greenflux/chargestations/{upstream_id}",
                         headers={"Authorization": f"Bearer {GREENFLUX_TOKEN}"}, timeout=30)
    return response.json()["data"]["name"]


def test_a_worker_that_dies_is_restarted_while_pages_keep_answering(demo: Demo) -> None:
    browser = demo.browser("operator")
    before = demo.child("worker")
    assert before["running"] and before["restarts"] == 0
    os.kill(before["pid"], signal.SIGKILL)

    answers: list[int] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        answers.append(browser.get("/stations/").status_code)
        worker = demo.child("worker")
        if worker["restarts"] == 1 and worker["running"]:
            break
        time.sleep(0.2)
    assert worker["restarts"] == 1 and worker["running"] and worker["pid"] != before["pid"], demo.log()[-2000:]
    assert worker["exits"][0]["code"] == -signal.SIGKILL
    assert answers and set(answers) == {200}, answers
    assert "worker stopped with exit code -9" in demo.log() and "Restarting worker (restart 1)" in demo.log()
    assert all(demo.child(name)["restarts"] == 0 for name in ("web", "beat", "simulator"))

    # The restarted worker takes writes: a quick edit reaches the upstream.
    station_id, upstream_id = greenflux_station(demo)
    label = f"After the restart {int(time.time())}"
    assert browser.quick_edit(station_id, "label", label).status_code == 302
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        (status,), = demo.query("SELECT status FROM portal_operation WHERE target_type = 'station' "
                                "AND target_id = ? ORDER BY id DESC LIMIT 1", (station_id,))
        if status not in ("queued", "in_flight"):
            break
        time.sleep(0.5)
    assert status == "done", demo.log()[-3000:]
    assert upstream_name(demo, upstream_id) == label
    assert browser.get(f"/stations/{station_id}/").status_code == 200
