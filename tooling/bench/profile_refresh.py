"""Where a full refresh's time goes: ``python -m tooling.bench.profile_refresh`` (``BENCH_GF_STATIONS``, default 20,000;
``PROFILE_RUN=unchanged`` profiles a second full refresh, where nothing changed).

The same setup as ``bench_refresh`` (the simulator in its own process, pages of 1,000), one full
refresh into an empty mirror under ``cProfile``, and every function's own time (``tottime``) put
in one stage by the module it lives in:

* waiting for the upstream: the socket reads while the simulator builds and sends a page;
* HTTP: httpx and httpcore around those reads;
* JSON parsing (orjson), mapping (the connector's records and ``stations.mapping``), hashing;
* writing: psycopg (COPY into staging tables and the merge statements, including the time spent
  waiting for PostgreSQL, which is another process), and the refresh's own Python around them.

The refresh downloads pages in one helper thread and maps them in another while the main thread
writes (``sync.engine``), so each thread gets a profile of its own and its own breakdown; their
times overlap. Time a thread
spends waiting for the other (the page queue) is its own stage. Prints one line per stage with
seconds and share of the wall time, then each thread's most expensive functions.
Not part of ``make bench``: profiling slows Python code by a factor, so the shares are what count.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import threading
import time
from collections import defaultdict

os.environ.setdefault("BENCH_GF_STATIONS", "20000")
AGAIN = os.environ.get("PROFILE_RUN") == "unchanged"  # PROFILE_RUN=unchanged: the second, unchanged run

# (stage, substrings of a function's file name or name), first match wins.
STAGES: list[tuple[str, tuple[str, ...]]] = [
    ("waiting for the other thread (page queue)", ("method 'acquire' of '_thread.lock",)),
    ("waiting for the upstream (socket reads)", ("method 'recv",)),
    ("JSON parsing", ("orjson", "json/decoder")),
    ("hashing", ("hashlib", "content_hash", "digest")),
    ("writing: PostgreSQL (psycopg, COPY and merge)", ("psycopg", "select.epoll", "select.poll", "select.select")),
    ("HTTP (httpx, httpcore)", ("httpx", "httpcore", "h11")),
    ("mapping (connector records, stations.mapping)", ("upstreams/", "stations/mapping", "portal/mirror")),
    ("refresh bookkeeping (sync engine, ORM)", ("portal/sync", "stations/refresh", "django/")),
]


def stage_of(filename: str, name: str) -> str:
    where = f"{filename}:{name}"
    for stage, needles in STAGES:
        if any(n in where for n in needles):
            return stage
    return "other"


def _profile_threads(profiles: dict[str, cProfile.Profile]) -> None:
    """Give every thread started from now on a profiler of its own (cProfile sees one thread)."""
    run = threading.Thread.run

    def profiled(self: threading.Thread) -> None:
        profiles[self.name] = profile = cProfile.Profile()
        profile.enable()
        try:
            run(self)
        finally:
            profile.disable()

    threading.Thread.run = profiled  # type: ignore[method-assign]


def _report(title: str, profile: cProfile.Profile, wall: float, top: int = 8) -> None:
    totals: dict[str, float] = defaultdict(float)
    stats = pstats.Stats(profile)
    functions = []
    for (filename, line, name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        totals[stage_of(filename, name)] += tottime
        functions.append((tottime, f"{filename.split('site-packages/')[-1]}:{line} {name}"))
    print(f"{title}:")
    for stage, seconds in sorted(totals.items(), key=lambda item: -item[1]):
        print(f"  {stage:<52} {seconds:7.2f} s  {seconds / wall:6.1%}")
    print("  most expensive functions (own time):")
    for seconds, where in sorted(functions, reverse=True)[:top]:
        print(f"    {seconds:7.2f} s  {where}")


def main() -> None:
    from tooling.bench import django_db

    django_db.setup()
    from tooling.bench.bench_refresh import ESTATE, GF_STATIONS, PAGE, _backend, _clean, _vacuum
    from portal.models import SyncRun
    from sync.engine import refresh_run
    from simulator.testing import start_simulator

    sim = start_simulator(stations=ESTATE, own_process=True)
    sim.control("PATCH", "/faults/greenflux", json={"page_cap": PAGE})
    writer = cProfile.Profile()
    helpers: dict[str, cProfile.Profile] = {}
    try:
        _clean()
        _vacuum()
        backend = _backend(sim, "bench-greenflux")
        for entity in ("locations", "templates"):
            assert refresh_run(backend, entity).status == SyncRun.Status.DONE
        if AGAIN:  # the run where nothing changed: the first one fills the mirror, unprofiled
            assert refresh_run(backend, "stations", full=True, page_size=PAGE).rows_created == GF_STATIONS
        _profile_threads(helpers)
        started = time.perf_counter()
        writer.enable()
        run = refresh_run(backend, "stations", full=True, page_size=PAGE)
        writer.disable()
        wall = time.perf_counter() - started
        assert run.status == SyncRun.Status.DONE, run.message
        assert (run.rows_unchanged if AGAIN else run.rows_created) == GF_STATIONS, run
    finally:
        sim.stop()
        _clean()

    what = "full refresh where nothing changed" if AGAIN else "full refresh"
    print(f"{what} of {GF_STATIONS:,} GreenFlux stations under cProfile: {wall:.1f} s wall")
    _report("writer (main thread)", writer, wall)
    for name, profile in helpers.items():
        _report(f"{name} thread", profile, wall)


if __name__ == "__main__":
    main()
