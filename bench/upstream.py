"""The simulator in a process of its own, as a benchmark's upstream: another server, as in production.

In-process (``simulator.testing.start_simulator``) the simulator's JSON encoding shares the
interpreter lock with the refresh being measured, so its time would be counted as ours.
A separate process serves pages on the other core, the way a remote platform does.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from simulator.control import BASE_PATHS

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SimulatorProcess:
    """``python -m simulator serve`` on a free port; ``stop()`` ends it."""

    def __init__(self, stations: int, *, ready_within: float = 900.0) -> None:
        self.port = _free_port()
        self.root_url = f"http://127.0.0.1:{self.port}"
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "simulator", "serve", "--port", str(self.port), "--stations", str(stations),
             "--quiet"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self.client = httpx.Client(base_url=f"{self.root_url}/_sim", timeout=60.0)
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the simulator exited with {self.proc.returncode} before it served")
            try:
                if self.client.get("/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.perf_counter() - started > ready_within:
                self.stop()
                raise RuntimeError("the simulator did not start in time")
            time.sleep(0.2)
        self.seconds_to_start = time.perf_counter() - started
        self.credentials: dict[str, Any] = self.client.get("/credentials").json()

    def base_url(self, kind: str) -> str:
        return self.root_url + BASE_PATHS[kind]

    def control(self, method: str, path: str, **kw: Any) -> httpx.Response:
        response = self.client.request(method, path, **kw)
        response.raise_for_status()
        return response

    def touch_station(self, charge_station_id: str) -> dict[str, Any]:
        """A change made upstream by someone else (new name, etag and ``last_updated``)."""
        return self.control("POST", f"/greenflux/chargestations/{charge_station_id}/touch").json()["data"]

    def stop(self) -> None:
        self.client.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
