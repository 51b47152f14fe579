"""How fast the station list answers at 100,000 stations, beside Django admin's changelist.

On PostgreSQL (``DATABASE_URL``, default a ``portal_bench`` database on
localhost, created and migrated when needed), a company "Bench Fleet" gets
100,000 stations (bulk inserts, kept for the next run), spread over 200
locations, 3 backends and 20 models. Other benchmarks may share the table,
so both sides are filtered to that company: the portal's
``/stations/?company=<id>`` and the admin's ``?company__id__exact=<id>``.

Measured with Django's test ``Client`` signed in as a superuser (the admin
needs one), median of ``REQUESTS`` whole requests (routing, middleware,
queries, template) after a warm-up, in the same run:

* page 1 (50 rows, sorted by label) against the admin's page 1 (50 rows,
  ``list_per_page = 50``, the same ``label, id`` order);
* a deep page, rows 74,951-75,000: the portal's keyset cursor for that row
  against the admin's ``?p=1500`` (OFFSET 74,950); the first row of both is
  checked to be the same station;
* a search for one station's number, against the admin's ``?q=``;
* queries per request on each side.

``python -m tooling.bench.bench_station_list`` runs it alone.
"""

from __future__ import annotations

import os
import re
import statistics
import time
from typing import Any, Callable

from tooling.bench.django_db import vacuum

STATIONS = 100_000
PER_PAGE = 50
DEEP_PAGE = 1500  # rows 74,951-75,000
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "30"))
COMPANY = "Bench Fleet"
BATCH = 5_000


def _setup_django() -> None:
    from tooling.bench import django_db

    django_db.setup()


def _seed() -> tuple[Any, float | None]:
    """The bench company with its 100,000 stations; seconds spent creating them (None when reused)."""
    from locations.models import Location
    from models_catalog.models import StationModel
    from portal.models import Backend, Company
    from stations.models import Station

    company, _ = Company.objects.get_or_create(name=COMPANY)
    if Station.objects.filter(company=company).count() == STATIONS:
        return company, None
    started = time.perf_counter()
    Station.objects.filter(company=company).delete()
    backends = []
    for i, kind in enumerate([Backend.Kind.GREENFLUX, Backend.Kind.BEENERGISED, Backend.Kind.GREENFLUX]):
        backend, _ = Backend.objects.get_or_create(
            name=f"Bench backend {i}",
            defaults={"kind": kind, "company": company, "base_url": "http://127.0.0.1:9/"})
        backends.append(backend)
    catalogue, _ = Backend.objects.get_or_create(
        name="Bench models", defaults={"kind": Backend.Kind.MODELS, "base_url": "http://127.0.0.1:9/"})
    locations = [
        Location.objects.get_or_create(backend=backends[0], upstream_id=f"bench-loc-{i}",
                                       defaults={"company": company, "name": f"Bench site {i:03d}"})[0]
        for i in range(200)
    ]
    models = [StationModel.objects.get_or_create(backend=catalogue, upstream_id=f"bench-model-{i}",
                                                 defaults={"vendor": "Alfen", "model": f"Eve {i}",
                                                           "power_type": "AC_3_PHASE"})[0]
              for i in range(20)]
    statuses = ["AVAILABLE"] * 6 + ["CHARGING"] * 3 + ["OUTOFORDER", "UNKNOWN", "INOPERATIVE"]
    cities = ["Amsterdam", "Utrecht", "Rotterdam", "Eindhoven", "Groningen", "Zwolle", "Breda", "Delft"]
    for start in range(0, STATIONS, BATCH):
        Station.objects.bulk_create([
            Station(
                company=company, backend=backends[n % 3], upstream_id=f"BENCH-{n:06d}",
                label=f"{cities[(n * 7) % len(cities)]} {n:06d}", charge_box_identity=f"BENCH-{n:06d}",
                serial_number=f"SN{(n * 7919) % 10**8:08d}", status=statuses[n % len(statuses)],
                connectivity="Online" if n % 5 else "Offline",
                deploy_state="Production" if n % 4 else "Stock",
                location=locations[n % 200], model=models[n % 20], time_zone="Europe/Amsterdam",
            )
            for n in range(start, min(start + BATCH, STATIONS))
        ], batch_size=BATCH)
    vacuum("stations_station")  # the visibility map and statistics, as autovacuum would set them a little later
    return company, time.perf_counter() - started


def _median_ms(call: Callable[[], Any], n: int = REQUESTS) -> float:
    for _ in range(3):
        call()
    times = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _get(client: Any, url: str, params: dict[str, Any]) -> Any:
    response = client.get(url, params)
    if response.status_code != 200:
        raise RuntimeError(f"{url} {params} answered {response.status_code}")
    return response


def _queries(client: Any, url: str, params: dict[str, Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        _get(client, url, params)
    return len(ctx.captured_queries)


def _row(figure: str, value: float, baseline: str | None = None, baseline_value: float | None = None,
         unit: str = "ms") -> dict[str, Any]:
    return {"benchmark": "station_list", "figure": figure, "value": value, "unit": unit, "baseline": baseline,
            "baseline_value": baseline_value, "ratio": (value / baseline_value) if baseline_value else None}


def run() -> list[dict[str, Any]]:
    _setup_django()
    from django.test import Client
    from django.urls import reverse

    from portal.models import User
    from stations.models import Station
    from stations.selectors import StationQuery, station_cursor_at

    company, seeded = _seed()
    # As autovacuum leaves a settled table (other benchmarks may just have rewritten it):
    # fresh statistics and visibility map, for both sides of the comparison alike.
    vacuum("stations_station")
    user, _ = User.objects.get_or_create(
        username="bench-superuser", defaults={"is_superuser": True, "is_staff": True})
    client = Client()
    client.force_login(user)
    portal, admin = reverse("stations:list"), reverse("admin:stations_station_changelist")
    mine = {"company": company.pk}
    theirs = {"company__id__exact": company.pk}

    position = (DEEP_PAGE - 1) * PER_PAGE
    cursor = station_cursor_at(user, StationQuery(company=company.pk), position)
    deep_portal = _get(client, portal, {**mine, "after": cursor}).content.decode()
    deep_admin = _get(client, admin, {**theirs, "p": DEEP_PAGE}).content.decode()
    expected = Station.objects.filter(company=company).order_by("label", "id")[position]
    # Same rows on both sides, or the comparison means nothing.
    assert f"/stations/{expected.pk}/" in deep_portal, "portal deep page does not start at the expected row"
    assert f"/stations/station/{expected.pk}/change/" in deep_admin, "admin deep page shows other rows"
    first_portal = re.search(r'/stations/(\d+)/"', deep_portal)
    assert first_portal and int(first_portal[1]) == expected.pk

    search = expected.charge_box_identity.split("-")[1]  # e.g. "074950": one station
    rows: list[dict[str, Any]] = []
    total = Station.objects.count()
    if seeded is not None:
        rows.append(_row(f"seed {STATIONS // 1000}k stations (bulk_create)", seeded, unit="s"))
    cases = [
        ("page 1", mine, {**theirs}),
        (f"deep page (rows {position + 1:,}-{position + PER_PAGE:,})", {**mine, "after": cursor},
         {**theirs, "p": DEEP_PAGE}),
        (f"search '{search}'", {**mine, "q": search}, {**theirs, "q": search}),
    ]
    for name, portal_params, admin_params in cases:
        ours = _median_ms(lambda: _get(client, portal, portal_params))
        base = _median_ms(lambda: _get(client, admin, admin_params))
        label = "changelist ?p=1500" if "p" in admin_params else "changelist"
        rows.append(_row(f"station list {name}, {STATIONS // 1000}k stations, median", ours,
                         f"django-admin {label}", base))
    rows.append(_row("queries per list page", _queries(client, portal, mine), "django-admin changelist",
                     _queries(client, admin, theirs), unit="queries"))
    rows.append(_row("stations in the table (all companies)", total, unit="rows"))
    return rows


if __name__ == "__main__":
    for row in run():
        ratio = (f"  x{row['ratio']:.2f} vs {row['baseline']} ({row['baseline_value']:.1f})"
                 if row["ratio"] else "")
        print(f"{row['figure']}: {row['value']:.1f} {row['unit']}{ratio}")
