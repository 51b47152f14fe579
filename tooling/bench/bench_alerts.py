"""One evaluation of every alert rule over 100,000 stations with 2 % offline, beside a full refresh (issue 28).

On the benchmarks' PostgreSQL database (``tooling.bench.django_db``), against the simulator in a process of
its own, as ``bench_refresh`` runs it: a full refresh writes 100,000 GreenFlux stations (the baseline,
timed here in the same run), then every 50th station is set offline in the mirror and the rules are
evaluated three times:

* the first evaluation finds 2,000 new conditions (nothing opens yet: the 5-minute threshold);
* the second, six minutes later, opens 2,000 alerts;
* the third, a minute later, is the steady state: 2,000 open alerts, nothing changes.

Goal: each under 5 % of the full refresh, with the same number of queries whatever the estate's size
(``tests/alerts/test_rules.py`` checks that too). ``make bench ARGS=alerts`` runs it alone;
``BENCH_GF_STATIONS=5000`` tries the code quickly.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from tooling.bench.bench_refresh import ESTATE, GF_STATIONS, PAGE, _backend, _clean, _vacuum

OFFLINE_EVERY = 50  # 2 %


def _row(figure: str, value: float, unit: str, baseline: str | None = None,
         baseline_value: float | None = None) -> dict[str, Any]:
    ratio = value / baseline_value if baseline_value else None
    return {"benchmark": "alerts", "figure": figure, "value": value, "unit": unit, "baseline": baseline,
            "baseline_value": baseline_value, "ratio": ratio}


def _forget_alerts() -> None:
    from alerts.models import Alert, Condition

    Condition.objects.all().delete()
    Alert.objects.all().delete()


def _evaluate(now: Any) -> tuple[Any, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from alerts.evaluation import alerts_evaluate

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        outcome = alerts_evaluate(now)
        took = time.perf_counter() - started
    return outcome, took, len(queries)


def run() -> list[dict[str, Any]]:
    from tooling.bench import django_db

    django_db.setup()
    from django.utils import timezone

    from portal.models import SyncRun
    from simulator.testing import start_simulator
    from stations.models import Connectivity, Station
    from sync.engine import refresh_run

    sim = start_simulator(stations=ESTATE, own_process=True)
    sim.control("PATCH", "/faults/greenflux", json={"page_cap": PAGE})
    try:
        _clean()
        _vacuum()
        _forget_alerts()
        backend = _backend(sim, "bench-greenflux")
        for entity in ("locations", "templates"):
            assert refresh_run(backend, entity).status == SyncRun.Status.DONE
        started = time.perf_counter()
        full = refresh_run(backend, "stations", full=True, page_size=PAGE)
        t_full = time.perf_counter() - started
        assert full.status == SyncRun.Status.DONE and full.rows_created == GF_STATIONS, full.message

        stations = Station.objects.filter(backend=backend)
        stations.update(connectivity=Connectivity.ONLINE)
        _evaluate(timezone.now())  # warm-up: modules imported, URL resolver built, as in a running worker
        ids = sorted(stations.values_list("pk", flat=True))[::OFFLINE_EVERY]
        Station.objects.filter(pk__in=ids).update(connectivity=Connectivity.OFFLINE)
        offline = Station.objects.offline().count()
        now = timezone.now()
        first, t_first, q_first = _evaluate(now)
        opening, t_open, q_open = _evaluate(now + timedelta(minutes=6))
        steady, t_steady, q_steady = _evaluate(now + timedelta(minutes=7))
        assert len(opening.opened) >= len(ids) and not steady.opened and not steady.resolved, (
            len(opening.opened), len(steady.opened))
    finally:
        sim.stop()
        _forget_alerts()
        _clean()

    base = f"full refresh of {GF_STATIONS:,} stations (goal: under 5 %)"
    return [
        _row(f"evaluation, {offline:,} of {GF_STATIONS:,} offline found ({q_first} queries)", t_first, "s", base,
             t_full),
        _row(f"evaluation opening {len(opening.opened):,} alerts ({q_open} queries)", t_open, "s", base, t_full),
        _row(f"evaluation, steady: {offline:,} open, nothing changes ({q_steady} queries)", t_steady, "s", base,
             t_full),
    ]
