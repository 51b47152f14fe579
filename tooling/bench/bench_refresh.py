"""How fast a refresh writes the mirror: 100,000 GreenFlux stations with their EVSEs and connectors.

One run on the benchmarks' PostgreSQL database (``tooling.bench.django_db``:
``BENCH_DATABASE_URL``, default ``portal_bench``, created and migrated when needed) against the simulator
running in a process of its own (``simulator.testing.start_simulator(own_process=True)``: a remote platform's encoding time is not the
portal's) with an estate holding 100,000 GreenFlux stations (35 % of the estate is GreenFlux). Figures:

* full refresh into an empty mirror: stations/s and rows/s (a row is a
  station, an EVSE or a connector), against the baseline *naive loop*: the
  same pages written with ``update_or_create`` per row, on a 5,000-station
  subset (goal: at least 40x);
* a second full refresh where nothing changed (every row skipped by its hash), against the full
  refresh (goal: under 15 %) and against downloading the pages alone (its floor);
* an incremental refresh after 1 % of the stations changed upstream, against
  the full refresh's time (goal: under 5 %).

Both sides read the same pages over HTTP with the same page size (1,000, the
upstream's cap), so the ratio is about writing, not the network.
"""

from __future__ import annotations

import os
import time
from typing import Any

GF_STATIONS = int(os.environ.get("BENCH_GF_STATIONS", "100000"))  # smaller for a quick try of the code
ESTATE = -(-GF_STATIONS * 20 // 7)  # the smallest estate with int(ESTATE * 0.35) == GF_STATIONS
NAIVE_STATIONS = min(5_000, GF_STATIONS // 4)
PAGE = 1000
CHANGED_SHARE = 0.01


def _row(figure: str, value: float, unit: str, baseline: str | None = None,
         baseline_value: float | None = None) -> dict[str, Any]:
    ratio = value / baseline_value if baseline_value else None
    return {"benchmark": "refresh", "figure": figure, "value": value, "unit": unit, "baseline": baseline,
            "baseline_value": baseline_value, "ratio": ratio}


def _clean() -> None:
    """Remove this benchmark's rows (its backends' mirror, runs and holds), leaving other benchmarks' data alone."""
    from django.db import connection

    from portal.models import Backend

    ids = list(Backend.objects.filter(name__startswith="bench-greenflux").values_list("pk", flat=True))
    if not ids:
        return
    with connection.cursor() as cursor:
        stations = "SELECT id FROM stations_station WHERE backend_id = ANY(%s)"
        cursor.execute(f"DELETE FROM stations_connector WHERE evse_id IN "
                       f"(SELECT id FROM stations_evse WHERE station_id IN ({stations}))", [ids])
        cursor.execute(f"DELETE FROM stations_evse WHERE station_id IN ({stations})", [ids])
        # Holds first: a run of another size (BENCH_GF_STATIONS) lists fewer locations, and the
        # removal brake holds them, referencing its run.
        # Locations and templates too: thousands of them would change what the station list
        # benchmark measures (its filter form) when it runs after this one.
        for table in ("stations_station", "locations_location", "stations_hardwaretemplate", "portal_removalhold",
                      "portal_syncrun", "portal_synclock"):
            cursor.execute(f"DELETE FROM {table} WHERE backend_id = ANY(%s)", [ids])


def _vacuum() -> None:
    """Each run deletes and writes again some 350,000 rows: with autovacuum off (as on the benchmark
    machine) the dead versions piled up run after run (a million dead stations after six runs, the
    table at 2.6 GB), and every later run, the naive baseline's too, waded through them. Vacuumed
    after the clean-up, every run starts alike."""
    from tooling.bench.django_db import vacuum

    vacuum("stations_connector", "stations_evse", "stations_station", "locations_location",
           "stations_hardwaretemplate", "portal_syncrun")


def _backend(sim: Any, name: str) -> Any:
    from portal.models import Backend, Company

    company, _ = Company.objects.get_or_create(name="Bench fleet", defaults={"upstream_ref": "bench-fleet"})
    backend = Backend.objects.filter(name=name).first() or Backend(name=name, kind="greenflux", company=company)
    backend.base_url = sim.base_url("greenflux")
    backend.credentials = {"token": sim.credentials["greenflux"]["token"]}
    backend.save()
    return backend


def _rows_in_mirror(backend: Any) -> int:
    from stations.models import Connector, Evse, Station

    return (Station.objects.filter(backend=backend).count() + Evse.objects.filter(station__backend=backend).count()
            + Connector.objects.filter(evse__station__backend=backend).count())


def naive_refresh(backend: Any, limit: int) -> None:
    """The baseline: what a first version would do, one ``update_or_create`` per station, EVSE and connector."""
    from locations.models import Location
    from stations.mapping import content_hash, upstream_document
    from stations.models import Connector, Evse, HardwareTemplate, Station

    seen = 0
    with backend.connector(page_size=PAGE) as connector:
        for page in connector.list_stations():
            for record in page.items:
                station, _ = Station.objects.update_or_create(
                    backend=backend, upstream_id=record.charge_station_id,
                    defaults={
                        "company": backend.company, "charge_box_identity": record.charge_station_id,
                        "label": record.name or record.charge_station_id,
                        "location": Location.objects.filter(backend=backend, upstream_id=record.location_id).first(),
                        "template": HardwareTemplate.objects.filter(
                            backend=backend, upstream_id=record.charge_station_template_id).first(),
                        "deploy_state": record.deploy_state or "", "status": record.status or "UNKNOWN",
                        "etag": record.etag or "", "configuration": dict(record.configuration),
                        "upstream_data": upstream_document(record),
                        "content_hash": content_hash(record.writable()),
                    },
                )
                for n, e in enumerate(record.evses, start=1):
                    evse, _ = Evse.objects.update_or_create(
                        station=station, uid=e.uid,
                        defaults={"evse_id": e.evse_id or "", "sequence_number": e.evse_sequence_number or n,
                                  "status": e.status or "UNKNOWN", "capabilities": list(e.capabilities)},
                    )
                    for c in e.connectors:
                        Connector.objects.update_or_create(
                            evse=evse, connector_id=c.id,
                            defaults={"standard": c.standard, "format": c.format, "power_type": c.power_type,
                                      "max_voltage": c.voltage, "max_amperage": c.amperage,
                                      "max_electric_power": c.max_electric_power},
                        )
                seen += 1
                if seen >= limit:
                    return


def _download_only(backend: Any) -> int:
    """Every page of the listing downloaded and its records found, as a refresh reads them, and
    nothing else: the floor of a refresh where nothing changed (the upstream's time to serve the
    pages, and finding the records in them; ``list_station_raw`` does not parse them)."""
    from sync.pipeline import bulk_python

    seen = 0
    with backend.connector(page_size=PAGE) as connector, bulk_python():
        for page in connector.list_station_raw():
            seen += len(page.items)
    assert seen == GF_STATIONS, seen
    return seen


def _timed(call: Any) -> tuple[Any, float, float]:
    """``call()``, its wall time and this process's CPU time (download, parsing, mapping, COPY formatting)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def run() -> list[dict[str, Any]]:
    from tooling.bench import django_db

    django_db.setup()
    from portal.models import SyncRun
    from sync.engine import refresh_run
    from simulator.testing import start_simulator

    # In its own process, as a remote platform: its JSON encoding is not counted as the refresh's time.
    sim = start_simulator(stations=ESTATE, own_process=True)
    seeded = sim.seconds_to_start
    for kind in ("greenflux", "beenergised"):
        # Pages as large as the refresh asks for: this measures writing, not the tests' small page cap.
        sim.control("PATCH", f"/faults/{kind}", json={"page_cap": PAGE})
    try:
        _clean()
        _vacuum()
        fast = _backend(sim, "bench-greenflux")
        for entity in ("locations", "templates"):
            assert refresh_run(fast, entity).status == SyncRun.Status.DONE

        full, t_full, cpu_full = _timed(lambda: refresh_run(fast, "stations", full=True, page_size=PAGE))
        assert full.status == SyncRun.Status.DONE, full.message
        assert full.rows_created == GF_STATIONS, full.rows_created
        rows = _rows_in_mirror(fast)

        again, t_again, cpu_again = _timed(lambda: refresh_run(fast, "stations", full=True, page_size=PAGE))
        assert again.rows_unchanged == GF_STATIONS and again.rows_updated == 0
        _, t_listing, _ = _timed(lambda: _download_only(fast))

        from stations.models import Station

        ids = sorted(Station.objects.filter(backend=fast).values_list("upstream_id", flat=True))
        changed = ids[:: int(1 / CHANGED_SHARE)]
        for csid in changed:
            sim.touch_station(csid)
        incremental, t_incr, _ = _timed(lambda: refresh_run(fast, "stations", full=False, page_size=PAGE))
        assert incremental.status == SyncRun.Status.DONE and not incremental.full, incremental.message
        assert incremental.rows_updated == len(changed), (incremental.rows_updated, len(changed))

        naive = _backend(sim, "bench-greenflux-naive")
        for entity in ("locations", "templates"):
            refresh_run(naive, entity)
        started = time.perf_counter()
        naive_refresh(naive, NAIVE_STATIONS)
        t_naive = time.perf_counter() - started
        naive_rows = _rows_in_mirror(naive)
    finally:
        sim.stop()
        _clean()  # 350,000 rows the next benchmark should not have to wade through

    naive_rate = naive_rows / t_naive
    return [
        _row(f"simulator start and seed, own process ({GF_STATIONS:,} GreenFlux of {ESTATE:,} stations)", seeded, "s"),
        _row("full refresh, stations/s", GF_STATIONS / t_full, "stations/s", "naive loop",
             NAIVE_STATIONS / t_naive),
        _row(f"full refresh, rows/s ({rows} rows in {t_full:.1f} s)", rows / t_full, "rows/s",
             f"naive update_or_create ({naive_rows} rows)", naive_rate),
        _row("full refresh, CPU of the portal's process", cpu_full, "s", "full refresh, wall", t_full),
        _row("full refresh, nothing changed", t_again, "s", "full refresh", t_full),
        _row("full refresh, nothing changed, CPU", cpu_again, "s", "full refresh, CPU", cpu_full),
        _row("full refresh, nothing changed, vs downloading the pages alone", t_again, "s",
             "download every page and find its records, nothing else", t_listing),
        _row(f"incremental, {len(changed)} changed (1%)", t_incr, "s", "full refresh (goal < 5%)", t_full),
    ]
