"""Command line: ``python -m simulator serve|seed``.

* ``serve --host 127.0.0.1 --port 8001 --state var/simulator.sqlite3
  [--stations N] [--seed S] [--quiet]`` -- seeds when the state file is new,
  then serves until interrupted; without ``--state`` the estate lives in
  memory only.
  ``--documents-only`` answers only what the vendor documents give (issue 24);
* ``seed [--stations N] [--seed S] [--state PATH]`` -- (re)write a fresh
  estate into PATH (or just build it in memory and report the counts).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time

from . import KINDS
from .control import credentials
from .faults import Faults, FaultSettings
from .testing import DOCUMENTS_ONLY_EXTRAS
from .seed import DEFAULT_SEED, DEFAULT_STATIONS, seed_store
from .server import create_app, open_store, serve_forever
from .state import Store


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulator", description="Upstream simulator for the EV charging portal")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve all four upstream kinds over HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8001)
    serve.add_argument("--state", default=None, help="SQLite file for the estate (default: memory only)")
    serve.add_argument("--stations", type=int, default=DEFAULT_STATIONS, help="stations to seed when the state is new")
    serve.add_argument("--seed", type=int, default=DEFAULT_SEED)
    serve.add_argument("--quiet", action="store_true", help="no request log")
    serve.add_argument("--documents-only", action="store_true",
                       help="answer only what the vendor documents give (every other vendor path 404)")
    seed = sub.add_parser("seed", help="write a fresh deterministic estate")
    seed.add_argument("--stations", type=int, default=DEFAULT_STATIONS)
    seed.add_argument("--seed", type=int, default=DEFAULT_SEED)
    seed.add_argument("--state", default=None, help="SQLite file to (re)write")
    args = parser.parse_args(argv)

    if args.command == "seed":
        started = time.perf_counter()
        store = Store(args.state)
        seed_store(store, args.stations, args.seed)
        counts = {c: store.count(c) for c in ("be_stations", "gf_stations", "ce_stations", "gf_locations", "ce_locations", "models")}
        store.close()
        print(f"seeded {args.stations} stations (seed {args.seed}) in {time.perf_counter() - started:.1f}s "
              f"into {args.state or 'memory'}: {counts}")
        return 0

    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s")
    if args.quiet:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    started = time.perf_counter()
    store = open_store(args.state, args.stations, args.seed)
    faults = Faults(KINDS)
    if args.documents_only:
        for kind in KINDS:
            faults.set(kind, FaultSettings(documents_only=True, **DOCUMENTS_ONLY_EXTRAS.get(kind, {})))
    app = create_app(store, faults)
    root = f"http://{args.host}:{args.port}"
    creds = credentials(root)
    print(f"simulator: {store.count('be_stations') + store.count('gf_stations') + store.count('ce_stations')} stations "
          f"ready in {time.perf_counter() - started:.1f}s ({args.state or 'memory only'}); serving on {root}", flush=True)
    for kind in ("beenergised", "greenflux", "models", "chargeye"):
        print(f"  {kind:12} {creds[kind]['base_url']}", flush=True)
    print(f"  control      {root}/_sim/ (credentials: {root}/_sim/credentials)", flush=True)
    try:
        serve_forever(app, args.host, args.port)
    except KeyboardInterrupt:
        pass
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
