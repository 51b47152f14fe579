"""Token requests per backend during one hour of the demo's schedules (issue 11, finding 4).

The demo's beat runs, per backend, each refresher at its default interval
(``sync.engine`` registry: be.ENERGISED stations every 15 minutes and
technicians hourly, ChargEye locations every 15 minutes) and samples every
ChargEye network each minute (``locations.sample_all_networks``). This
benchmark drives those task calls for one simulated hour, in schedule order,
against the simulator started in this process, and counts the tokens the
simulator grants (``/_sim/health``), per backend kind:

* *shared cache*: the portal as built, tokens in Django's cache
  (``CACHE_URL``; the benchmark database's cache table when unset);
* baseline *fresh token per task*: the same calls with no shared store, as the
  code did before (every task's new connector asked for its own token).

Simulated time: the connectors' token clock is advanced to each task's
scheduled minute, so the renewal rules see an hour pass; the calls themselves
run back to back. The simulator's token lifetimes are the documents'
(be.ENERGISED ``expires_in`` 86,400 s, ChargEye about 8 hours), so the goal is
one token per backend for the hour.
"""

from __future__ import annotations

import functools
import time
from typing import Any

ESTATE = 120  # small: this counts token requests, not refresh speed
HOUR = 3600
SAMPLE_EVERY = 60  # locations.sample_all_networks (locations/migrations/0004)


def _row(figure: str, value: float, baseline_value: float | None, unit: str = "requests") -> dict[str, Any]:
    return {"benchmark": "tokens", "figure": figure, "value": value, "unit": unit,
            "baseline": "fresh token per task" if baseline_value is not None else None,
            "baseline_value": baseline_value, "ratio": (value / baseline_value) if baseline_value else None}


def _schedule() -> list[tuple[int, str, str]]:
    """(second of the hour, kind, task) for every task call of one hour, in order."""
    from sync.refreshers import refreshers_for

    calls: list[tuple[int, str, str]] = []
    for kind in ("beenergised", "chargeye"):
        for refresher in refreshers_for(kind):
            every = int(refresher.interval.total_seconds())
            calls += [(t, kind, f"refresh:{refresher.entity}") for t in range(0, HOUR, every)]
    calls += [(t, "chargeye", "sample") for t in range(0, HOUR, SAMPLE_EVERY)]
    return sorted(calls)


def _drive(sim: Any, backends: dict[str, Any], shared: bool) -> dict[str, int]:
    """Run one hour of task calls; tokens granted per kind."""
    from locations.sampling import network_sample
    from sync.engine import refresh_run

    sim.reset()  # keeps the fault settings (page caps); restarts the simulator's token count
    start = time.time()
    clock = {"now": start}
    for backend in backends.values():
        options: dict[str, Any] = {"clock": lambda: clock["now"]}
        if not shared:
            options["token_store"] = None  # each connector keeps its own token: the old behaviour
        # Every task builds its connector through backend.connector(); this instance's gets the options.
        backend.connector = functools.partial(type(backend).connector, backend, **options)
    for second, kind, task in _schedule():
        clock["now"] = start + second
        backend = backends[kind]
        if task == "sample":
            network_sample(backend)
        else:
            run = refresh_run(backend, task.split(":", 1)[1])
            if run.status != "done":
                raise RuntimeError(f"{kind} {task} at {second}s: {run.status} {run.message}")
    return {kind: sim.tokens_issued(kind) for kind in backends}


def run() -> list[dict[str, Any]]:
    from tooling.bench.django_db import setup

    setup()
    from django.core.cache import cache
    from django.core.management import call_command

    from portal.models import Backend, Company
    from simulator.seed import COMPANIES
    from simulator.testing import start_simulator

    call_command("createcachetable", verbosity=0)
    sim = start_simulator(stations=ESTATE)
    for kind in ("beenergised", "chargeye"):
        sim.set_faults(kind, page_cap=1000)  # whole listings in a page or two: the count, not paging, is measured
    company, _ = Company.objects.get_or_create(name="Bench tokens", defaults={"upstream_ref": COMPANIES[0]["uuid"]})
    creds = sim.credentials
    be_client = next(c for c in creds["beenergised"]["clients"] if c["company_uuid"] == company.upstream_ref)
    credentials = {
        "beenergised": {"token_url": creds["beenergised"]["token_url"], "client_id": be_client["client_id"],
                        "client_secret": be_client["client_secret"]},
        "chargeye": {"refresh_token": creds["chargeye"]["refresh_token"]},
    }
    backends: dict[str, Any] = {}
    for kind, secret in credentials.items():
        # Kept between runs (their mirror rows protect them); pointed at this run's simulator.
        backend, _ = Backend.objects.get_or_create(
            name=f"bench-tokens-{kind}", defaults={"kind": kind, "base_url": sim.base_url(kind)})
        backend.company = company if kind == "beenergised" else None
        backend.base_url, backend.credentials, backend.is_active = sim.base_url(kind), secret, True
        backend.save()
        backends[kind] = backend
    try:
        calls = _schedule()
        cache.clear()
        shared = _drive(sim, backends, shared=True)
        fresh = _drive(sim, backends, shared=False)
    finally:
        sim.stop()
        for backend in backends.values():  # out of the way of other benchmarks' schedules
            Backend.objects.filter(pk=backend.pk).update(is_active=False)
    rows = []
    for kind in backends:
        count = sum(1 for _, k, _ in calls if k == kind)
        rows.append(_row(f"{kind}: token requests in one hour ({count} task calls)", shared[kind], fresh[kind]))
    return rows
