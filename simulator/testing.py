"""Start the simulator in-process for tests and benchmarks, and drive it over HTTP.

>>> sim = start_simulator(stations=120)
>>> sim.base_url("greenflux")            # 'http://127.0.0.1:<port>/greenflux'
>>> sim.set_faults("greenflux", next_429=1)
>>> sim.stop()

The server is a real threaded socket server on 127.0.0.1 (port 0 picks a
free one), so other processes (Celery workers) can call it too.  Every
control method goes through the ``/_sim/`` endpoints, as any client would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from .control import BASE_PATHS
from . import KINDS
from .faults import Faults
from .server import Running, create_app, open_store, serve_in_thread
from .state import Store

TEST_STATIONS = 120
# What the documents-only mode sets besides ``documents_only`` (``SimulatorHandle.documents_only``).
DOCUMENTS_ONLY_EXTRAS: dict[str, dict[str, Any]] = {
    "greenflux": {"page_cap": 20}, "beenergised": {"token_ttl": 30}, "chargeye": {"token_ttl": 30},
}


@dataclass
class SimulatorHandle:
    """A running simulator: URLs, credentials and control calls."""

    root_url: str
    store: Store
    faults: Faults
    _running: Running
    _client: httpx.Client = field(repr=False)
    _credentials: dict[str, Any] | None = field(default=None, repr=False)
    initial_seed: dict[str, int] = field(default_factory=dict)

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

    def stop(self) -> None:
        self._client.close()
        self._running.stop()
        self.store.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        resp = self._client.request(method, f"{self.root_url}/_sim{path}", **kwargs)
        resp.raise_for_status()
        return resp

    def __enter__(self) -> "SimulatorHandle":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_simulator(state_path: str | Path | None = None, stations: int = TEST_STATIONS, seed: int | None = None,
                    port: int = 0) -> SimulatorHandle:
    """Start a simulator on 127.0.0.1 in a background thread.

    ``state_path`` None keeps the estate in memory; an existing file is
    loaded as is (its own seed parameters win over ``stations``/``seed``).
    """
    kwargs: dict[str, Any] = {"stations": stations}
    if seed is not None:
        kwargs["seed"] = seed
    store = open_store(state_path, **kwargs)
    faults = Faults(KINDS)
    running = serve_in_thread(create_app(store, faults), "127.0.0.1", port)
    root = f"http://127.0.0.1:{running.port}"
    return SimulatorHandle(root, store, faults, running, httpx.Client(timeout=30.0), initial_seed=dict(store.meta["seed"]))
