"""Start the simulator, in this process or in one of its own, and drive it over HTTP.

The one way to start a simulator: :func:`start_simulator`. Tests, benchmarks, the load test and
``python -m simulator serve`` call it; the demo (``run_demo``) and ``own_process=True`` run
:func:`serve_command`, whose child calls it in turn.

>>> sim = start_simulator(stations=120)
>>> sim.base_url("greenflux")            # 'http://127.0.0.1:<port>/greenflux'
>>> sim.set_faults("greenflux", next_429=1)
>>> sim.stop()

The server is a real threaded socket server on 127.0.0.1 (port 0 picks a
free one), so other processes (Celery workers) can call it too.  Every
control method goes through the ``/_sim/`` endpoints, as any client would.
In its own process (``own_process=True``) the simulator's JSON encoding does not share the
interpreter lock with the caller: benchmarks measure the portal, not the simulator, as against a
remote platform.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol

import httpx
from flask import Flask

from .control import BASE_PATHS
from . import KINDS
from .faults import Faults, FaultSettings
from .ports import free_port
from .server import create_app, open_store, serve_in_thread
from .state import Store

TEST_STATIONS = 120
# What the documents-only mode sets besides ``documents_only`` (``SimulatorHandle.documents_only``).
DOCUMENTS_ONLY_EXTRAS: dict[str, dict[str, Any]] = {
    "greenflux": {"page_cap": 20}, "beenergised": {"token_ttl": 30}, "chargeye": {"token_ttl": 30},
}
# The folder holding the ``simulator`` package: a child started with ``-m simulator`` finds it there.
PACKAGE_PARENT = Path(__file__).resolve().parent.parent


class _Stoppable(Protocol):
    def stop(self) -> None: ...


@dataclass
class SimulatorHandle:
    """A running simulator: URLs, credentials and control calls."""

    root_url: str
    # The estate and faults themselves, in this process only (None when the simulator runs in its own).
    store: Store | None
    faults: Faults | None
    _running: _Stoppable
    _client: httpx.Client = field(repr=False)
    _credentials: dict[str, Any] | None = field(default=None, repr=False)
    initial_seed: dict[str, int] = field(default_factory=dict)
    seconds_to_start: float = 0.0

    def base_url(self, kind: str) -> str:
        if kind not in BASE_PATHS:
            raise KeyError(f"unknown kind {kind!r}; kinds: {', '.join(KINDS)}")
        return self.root_url + BASE_PATHS[kind]

    @property
    def credentials(self) -> dict[str, Any]:
        """Per kind: base_url plus client_id/client_secret/token_url (beenergised),
        token (greenflux), admin_token/token (models), refresh_token (chargeye)."""
        if self._credentials is None:
            self._credentials = self._call("GET", "/credentials").json()
        return self._credentials

    def reset(self, **overrides: int) -> None:
        """Back to the seeded estate (``stations=``/``seed=`` change the target)."""
        self._call("POST", "/reset", json=overrides or {})

    def set_faults(self, kind: str, **settings: Any) -> dict[str, Any]:
        """Replace ``kind``'s fault settings (see :mod:`simulator.faults`)."""
        return self._call("PUT", f"/faults/{kind}", json=settings).json()

    def update_faults(self, kind: str, **settings: Any) -> dict[str, Any]:
        """Change only the given fault settings of ``kind``."""
        return self._call("PATCH", f"/faults/{kind}", json=settings).json()

    def documents_only(self) -> None:
        """Act as an upstream written from the vendor documents alone (issue 24): every path no
        document gives answers 404, the GreenFlux hardware templates are at the vendor's own path and
        unpaged, GreenFlux pages hold at most 20 records, and tokens expire after 30 s.

        Until the next ``clear_faults`` (the ``simulator`` fixture clears them before each test).
        """
        for kind in KINDS:
            self.update_faults(kind, documents_only=True, **DOCUMENTS_ONLY_EXTRAS.get(kind, {}))

    def faults_status(self) -> dict[str, Any]:
        return self._call("GET", "/faults").json()

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def touch_station(self, station_id: str, **changes: Any) -> dict[str, Any]:
        """A concurrent edit of a GreenFlux station; returns the new document."""
        body = {"changes": changes} if changes else {}
        return self._call("POST", f"/greenflux/chargestations/{station_id}/touch", json=body).json()["data"]

    def set_connectivity(self, station_id: str, status: str) -> dict[str, Any]:
        """A GreenFlux station goes "Offline" or comes back "Online"; returns the new document."""
        return self._call("POST", f"/greenflux/chargestations/{station_id}/connectivity",
                          json={"status": status}).json()["data"]

    def decommission_stations(self, *, share: float | None = None, ids: list[str] | None = None) -> list[str]:
        """Remove GreenFlux stations upstream (a share of them, or these ids); returns their ids."""
        body: dict[str, Any] = {"share": share} if share is not None else {"ids": ids or []}
        return self._call("POST", "/greenflux/chargestations/decommission", json=body).json()["removed"]

    def tokens_issued(self, kind: str) -> int:
        """Tokens the simulator granted for ``kind`` since the last reset."""
        return int(self._call("GET", "/health").json()["tokens_issued"].get(kind, 0))

    def create_counts(self, kind: str, prefix: str = "", least: int = 1) -> dict[str, int]:
        """Station create requests per identity on ``kind`` since the last reset, refused ones included."""
        params: dict[str, Any] = {"prefix": prefix, "min": least}
        return self._call("GET", f"/creates/{kind}", params=params).json()["counts"]

    def expire_tokens(self, kind: str) -> None:
        self._call("POST", f"/{kind}/expire-tokens")

    @property
    def port(self) -> int:
        return int(self.root_url.rpartition(":")[2])

    def wait(self) -> None:
        """Block until the server stops (``python -m simulator serve`` in the foreground)."""
        self._running.wait()  # type: ignore[attr-defined]

    def stop(self) -> None:
        self._client.close()
        self._running.stop()
        if self.store is not None:
            self.store.close()

    def control(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A call to a ``/_sim`` control endpoint (``path`` after ``/_sim``); raises on an error status."""
        resp = self._client.request(method, f"{self.root_url}/_sim{path}", **kwargs)
        resp.raise_for_status()
        return resp

    _call = control

    def __enter__(self) -> "SimulatorHandle":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_simulator(state_path: str | Path | None = None, stations: int = TEST_STATIONS, seed: int | None = None,
                    port: int = 0, *, host: str = "127.0.0.1", documents_only: bool = False, quiet: bool = True,
                    own_process: bool = False, log: Path | None = None, ready_within: float = 900.0,
                    extend: Callable[[Flask], None] | None = None) -> SimulatorHandle:
    """Start a simulator on ``host`` (127.0.0.1): in a background thread, or with ``own_process`` in a child.

    ``state_path`` None keeps the estate in memory; an existing file is
    loaded as is (its own seed parameters win over ``stations``/``seed``).
    ``port`` 0 picks a free one. ``documents_only`` answers only what the vendor documents give
    (until ``clear_faults``). ``extend`` adds routes to the app before it serves (in this process
    only; the simulator benchmark's static baseline). ``log`` receives a child's output, and
    ``ready_within`` bounds the wait for it to answer (seeding 100,000 stations takes a while).
    """
    started = time.perf_counter()
    if own_process:
        if extend is not None:
            raise ValueError("extend= needs the simulator in this process")
        return _start_child(state_path, stations, seed, port or free_port(), host=host, quiet=quiet,
                            documents_only=documents_only, log=log, ready_within=ready_within, started=started)
    kwargs: dict[str, Any] = {"stations": stations}
    if seed is not None:
        kwargs["seed"] = seed
    store = open_store(state_path, **kwargs)
    faults = Faults(KINDS)
    if documents_only:
        for kind in KINDS:
            faults.set(kind, FaultSettings(documents_only=True, **DOCUMENTS_ONLY_EXTRAS.get(kind, {})))
    app = create_app(store, faults)
    if extend is not None:
        extend(app)
    running = serve_in_thread(app, host, port, quiet=quiet)
    root = f"http://{host}:{running.port}"
    return SimulatorHandle(root, store, faults, running, httpx.Client(timeout=30.0),
                           initial_seed=dict(store.meta["seed"]), seconds_to_start=time.perf_counter() - started)


def serve_command(port: int, state_path: str | Path | None = None, stations: int | None = None,
                  seed: int | None = None, *, host: str = "127.0.0.1", quiet: bool = False,
                  documents_only: bool = False, python: str = sys.executable) -> list[str]:
    """The command line of ``python -m simulator serve`` with these settings (run from :data:`PACKAGE_PARENT`)."""
    argv = [python, "-m", "simulator", "serve", "--host", host, "--port", str(port)]
    if state_path is not None:
        argv += ["--state", str(state_path)]
    if stations is not None:
        argv += ["--stations", str(stations)]
    if seed is not None:
        argv += ["--seed", str(seed)]
    if quiet:
        argv.append("--quiet")
    if documents_only:
        argv.append("--documents-only")
    return argv


@dataclass
class _Child:
    """A simulator in a child process (its own session, so a Ctrl-C meant for the parent is the parent's)."""

    proc: subprocess.Popen[bytes]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def wait(self) -> None:
        self.proc.wait()


def _start_child(state_path: str | Path | None, stations: int, seed: int | None, port: int, *, host: str,
                 quiet: bool, documents_only: bool, log: Path | None, ready_within: float,
                 started: float) -> SimulatorHandle:
    if free_port(port) != port:
        # Else whatever listens there would answer the readiness check below in the child's place.
        raise RuntimeError(f"port {port} on 127.0.0.1 is in use; choose another (0 picks a free one)")
    out = log.open("ab") if log is not None else subprocess.DEVNULL
    try:
        proc = subprocess.Popen(serve_command(port, state_path, stations, seed, host=host, quiet=quiet,
                                              documents_only=documents_only),
                                cwd=PACKAGE_PARENT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    finally:
        if log is not None:
            out.close()  # type: ignore[union-attr]  # the child holds its own copy
    child = _Child(proc)
    root = f"http://{host}:{port}"
    client = httpx.Client(timeout=60.0)
    while True:
        if proc.poll() is not None:
            client.close()
            raise RuntimeError(f"the simulator exited with {proc.returncode} before it served"
                               + (f"; see {log}" if log else ""))
        try:
            if client.get(f"{root}/_sim/health").status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.perf_counter() - started > ready_within:
            client.close()
            child.stop()
            raise RuntimeError(f"the simulator did not answer within {ready_within:.0f} s")
        time.sleep(0.2)  # a child seeding its estate: nothing else to wait on
    handle = SimulatorHandle(root, None, None, child, client, seconds_to_start=time.perf_counter() - started)
    handle.initial_seed = dict(handle.control("GET", "/health").json().get("seed") or {})
    return handle
