"""The Flask app serving all kinds, and a threaded werkzeug server to run it.

Started through :func:`simulator.testing.start_simulator` (which every caller uses).

A real socket server (Celery workers in other processes call it), threaded,
with every state change under the store's lock.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, Response
from werkzeug.serving import BaseWSGIServer, make_server

from . import KINDS, beenergised, chargeye, control, greenflux, models_api
from .auth import token_blueprint
from .common import json_response
from .faults import Faults
from .seed import DEFAULT_SEED, DEFAULT_STATIONS, seed_store
from .state import Store


def open_store(state_path: str | Path | None = None, stations: int = DEFAULT_STATIONS, seed: int = DEFAULT_SEED) -> Store:
    """A store loaded from ``state_path``, seeded first when it is new (or in memory)."""
    store = Store(state_path)
    if store.is_empty:
        seed_store(store, stations, seed)
    return store


def create_app(store: Store | None = None, faults: Faults | None = None) -> Flask:
    """The simulator app; ``app.extensions["simulator"]`` holds (store, faults)."""
    store = store if store is not None else open_store()
    faults = faults if faults is not None else Faults(KINDS)
    app = Flask("simulator")
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.register_blueprint(auth_bp(store, faults), url_prefix="/beenergised-auth")
    app.register_blueprint(beenergised.blueprint(store, faults), url_prefix=control.BASE_PATHS["beenergised"])
    app.register_blueprint(greenflux.blueprint(store, faults), url_prefix=control.BASE_PATHS["greenflux"])
    app.register_blueprint(models_api.blueprint(store, faults), url_prefix=control.BASE_PATHS["models"])
    app.register_blueprint(chargeye.blueprint(store, faults), url_prefix=control.BASE_PATHS["chargeye"])
    app.register_blueprint(control.blueprint(store, faults), url_prefix="/_sim")
    app.extensions["simulator"] = (store, faults)

    @app.errorhandler(404)
    def not_found(_: Exception) -> Response:
        return json_response({"error": "no such path on the simulator"}, 404)

    @app.errorhandler(405)
    def not_allowed(_: Exception) -> Response:
        return json_response({"error": "method not allowed"}, 405)

    return app


def auth_bp(store: Store, faults: Faults) -> Blueprint:
    """The be.ENERGISED token endpoint, with be.ENERGISED's faults applied."""
    bp = token_blueprint(store, lambda: faults.token_ttl("beenergised"))

    @bp.before_request
    def _faults() -> Response | None:
        return faults.apply("beenergised", lambda s, t, d: json_response({"error": "temporarily_unavailable" if s >= 500 else "slow_down",
                                                                           "error_description": d}, s))
    return bp


@dataclass
class Running:
    """A server started by :func:`serve_in_thread`."""

    server: BaseWSGIServer
    thread: threading.Thread

    @property
    def port(self) -> int:
        return self.server.server_port

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def wait(self) -> None:
        """Until the server stops; short joins so that Ctrl-C reaches the main thread at once."""
        while self.thread.is_alive():
            self.thread.join(0.5)


def serve_in_thread(app: Flask, host: str = "127.0.0.1", port: int = 0, *, quiet: bool = True) -> Running:
    """Start a threaded werkzeug server in a daemon thread; port 0 picks a free one."""
    if quiet:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server(host, port, app, threaded=True)
    # Many short-lived connections (werkzeug closes each one): a longer
    # listen backlog avoids refused connects under bursts of parallel clients.
    server.request_queue_size = 128
    thread = threading.Thread(target=server.serve_forever, name=f"simulator:{server.server_port}", daemon=True)
    thread.start()
    return Running(server, thread)
