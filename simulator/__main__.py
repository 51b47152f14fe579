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

from .control import credentials
from .seed import DEFAULT_SEED, DEFAULT_STATIONS, seed_store
from .state import Store
from .testing import start_simulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulator", description="Upstream simulator for the EV charging portal")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve all four upstream kinds over HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8001, help="0 picks a free one (printed)")
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
    sim = start_simulator(args.state, args.stations, args.seed, args.port, host=args.host, quiet=args.quiet,
                          documents_only=args.documents_only)
    store = sim.store
    assert store is not None  # in this process
    root = sim.root_url
    creds = credentials(root)
    print(f"simulator: {store.count('be_stations') + store.count('gf_stations') + store.count('ce_stations')} stations "
          f"ready in {sim.seconds_to_start:.1f}s ({args.state or 'memory only'}); serving on {root}", flush=True)
    for kind in ("beenergised", "greenflux", "models", "chargeye"):
        print(f"  {kind:12} {creds[kind]['base_url']}", flush=True)
    print(f"  control      {root}/_sim/ (credentials: {root}/_sim/credentials)", flush=True)
    try:
        sim.wait()
    except KeyboardInterrupt:
        pass
    finally:
        sim.stop()
    return 0

if __name__ == "__main__":
    sys.exit(main())
