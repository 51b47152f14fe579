"""Bulk changes at 10,000 stations: the preview, and confirming it until every operation is queued.

A company "Bench Bulk" gets 10,000 GreenFlux stations (kept for the next run)
with upstream documents of a realistic size. Measured in the same run:

* preview of "deploy state → Production, default tariff → T-BENCH" for all
  10,000 stations selected by filter (``batch_preview_create``: selection,
  diff, stored rows), against a baseline that computes the same diff station
  by station with one query each (``Station.objects.get`` per id);
* confirming that preview (``batch_confirm``: operations, audit entries,
  pending rows, and the broker messages sent after commit) against the
  single-edit path once per station (``operation_create`` in a loop, same
  payloads). Messages go to a queue of the benchmark's own (no worker reads
  it), purged afterwards; the batch, its operations and audit entries are
  removed again.

``python -m tooling.bench.bench_bulk`` runs it alone.
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

STATIONS = int(os.environ.get("BENCH_BULK_STATIONS", "10000"))
COMPANY = "Bench Bulk"
QUEUE = "portal-bench-bulk"
PARAMS = {"deploy_state": "Production", "default_tariff_id": "T-BENCH"}


def _document(n: int) -> dict[str, Any]:
    return {
        "charge_station_id": f"BULK-{n:05d}", "location_id": "bench-bulk-loc", "name": f"Bulk station {n}",
        "default_charge_station_tariff_id": "T-OLD", "deploy_state": "Stock", "status": "AVAILABLE",
        "charger_type": "Public", "contactless_type": None, "charge_station_template_id": None,
        "evses": [{"uid": f"uid-{n}-{e}", "evse_id": f"NL*GFX*E{n}*{e}", "status": "AVAILABLE", "evse_sequence_number": e,
                   "capabilities": ["RFID_READER", "REMOTE_START_STOP_CAPABLE"],
                   "connectors": [{"id": "1", "standard": "IEC_62196_T2", "format": "SOCKET", "power_type": "AC_3_PHASE",
                                   "voltage": 400, "amperage": 32, "max_electric_power": 22000}]}
                  for e in (1, 2)],
        "etag": f"etag-{n}", "last_updated": "2026-11-30T12:00:00Z",
    }


def _seed() -> tuple[Any, Any]:
    from django.contrib.auth import get_user_model

    from locations.models import Location
    from portal.models import Backend, Company
    from stations.models import Station

    company, _ = Company.objects.get_or_create(name=COMPANY, defaults={"upstream_ref": "bench-bulk"})
    backend = Backend.objects.filter(name="Bench Bulk GreenFlux").first()
    if backend is None:
        backend = Backend(name="Bench Bulk GreenFlux", kind="greenflux", company=company, base_url="http://127.0.0.1:9/")
        backend.credentials = {"token": "unused"}
        backend.save()
    location, _ = Location.objects.get_or_create(backend=backend, upstream_id="bench-bulk-loc",
                                                 defaults={"company": company, "name": "Bench Bulk Depot"})
    user = get_user_model().objects.filter(username="bench-bulk").first() or \
        get_user_model().objects.create_superuser("bench-bulk", "bench-bulk@example.com", None)
    stations = Station.objects.filter(company=company)
    if stations.count() != STATIONS:
        stations.delete()
        Station.objects.bulk_create([
            Station(company=company, backend=backend, label=f"Bulk station {n}", charge_box_identity=f"BULK-{n:05d}",
                    upstream_id=f"BULK-{n:05d}", location=location, deploy_state="Stock", default_tariff_id="T-OLD",
                    charger_type="Public", etag=f"etag-{n}", upstream_data=_document(n))
            for n in range(STATIONS)
        ], batch_size=2000)
    stations.update(sync_state="synced", deploy_state="Stock", default_tariff_id="T-OLD")
    _vacuum()
    return company, user


def _vacuum() -> None:
    """Every run rewrites the 10,000 stations several times and deletes 20,000 rows of its own: with
    autovacuum off (as on the benchmark machine) the dead versions pile up run after run, and both the
    baseline's lookups and the preview's read wade through them. Vacuumed, every run starts alike."""
    from tooling.bench.django_db import vacuum

    vacuum("stations_station", "stations_batchitem", "portal_operation", "audit_auditentry")


def _ours(company: Any, user: Any) -> tuple[float, Any]:
    from stations.bulk.models import Batch
    from stations.bulk.selection import Selection
    from stations.bulk.services import batch_preview_create

    started = time.perf_counter()
    batch = batch_preview_create(user=user, selection=Selection(filter=f"company={company.pk}"),
                                 kind=Batch.Kind.CHANGE, params=PARAMS)
    return time.perf_counter() - started, batch


def _baseline(company: Any) -> float:
    """The diff station by station: one query per station, then the same comparison."""
    from stations.bulk.preview import change_item
    from stations.models import Station

    ids = list(Station.objects.filter(company=company).order_by("label", "id").values_list("id", flat=True))
    started = time.perf_counter()
    rows = []
    for pk in ids:
        s = Station.objects.select_related("backend", "location").get(pk=pk)
        station = {"id": s.pk, "label": s.label, "charge_box_identity": s.charge_box_identity,
                   "company_id": s.company_id, "backend_id": s.backend_id, "backend__kind": s.backend.kind,
                   "backend__name": s.backend.name, "deploy_state": s.deploy_state,
                   "default_tariff_id": s.default_tariff_id, "location_id": s.location_id,
                   "location__name": s.location.name if s.location else None,
                   "location__upstream_id": s.location.upstream_id if s.location else None,
                   "charger_type": s.charger_type, "etag": s.etag, "upstream_id": s.upstream_id,
                   "removed_at": s.removed_at, "sync_state": s.sync_state}
        rows.append(change_item(station, PARAMS, None))
    elapsed = time.perf_counter() - started
    assert sum(r["outcome"] == "change" for r in rows) == STATIONS
    return elapsed


def _cleanup(company: Any, *, batches: bool = True) -> None:
    import redis
    from django.conf import settings

    from portal.audit.models import AuditEntry
    from portal.models import Operation
    from stations.bulk.models import Batch
    from stations.models import Station

    Operation.objects.filter(company=company).delete()
    AuditEntry.objects.filter(company=company).delete()
    AuditEntry.objects.filter(entity="batch", actor__username="bench-bulk").delete()
    if batches:
        Batch.objects.filter(created_by__username="bench-bulk").delete()
    Station.objects.filter(company=company).update(sync_state="synced")
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(QUEUE)


def _confirm(batch: Any, user: Any) -> float:
    from portal.models import Operation
    from stations.bulk.services import batch_confirm

    started = time.perf_counter()
    batch_confirm(user=user, batch=batch)  # its own transaction; the messages go out on commit
    elapsed = time.perf_counter() - started
    assert Operation.objects.filter(company=batch.companies.get(), enqueued_at__isnull=False).count() == STATIONS
    return elapsed


def _confirm_baseline(batch: Any, user: Any) -> float:
    """The single-edit path once per station: ``operation_create`` for each row, in one transaction."""
    from django.db import transaction

    from outbox.operations import operation_create
    from stations.bulk.models import BatchItem
    from stations.models import Station

    items = list(BatchItem.objects.filter(batch=batch, outcome="change"))
    stations = Station.objects.in_bulk([i.station_id for i in items])
    started = time.perf_counter()
    with transaction.atomic():
        for item in items:
            station = stations[item.station_id]
            base = {k: v for k, v in station.upstream_data.items() if k not in ("etag", "last_updated")}
            operation_create(kind="station.put", backend=station.backend, company=station.company,
                             target_type="station", target_id=station.pk, target_label=station.label,
                             payload={"document": {**base, **item.changes}, "base": base},
                             base_etag=item.base_etag, user=user)
            Station.objects.filter(pk=station.pk).update(sync_state="pending")
    return time.perf_counter() - started


def run() -> list[dict[str, Any]]:
    os.environ["CELERY_QUEUE"] = QUEUE  # no worker reads it: the messages stay until purged
    from tooling.bench import django_db

    django_db.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    company, user = _seed()
    _cleanup(company)
    times, batches = [], []
    for _ in range(3):
        with CaptureQueriesContext(connection) as ctx:
            elapsed, batch = _ours(company, user)
        times.append(elapsed)
        batches.append(batch)
    queries = len(ctx.captured_queries)
    baseline = _baseline(company)
    ours = statistics.median(times)
    try:
        confirm = _confirm(batches[0], user)
        _cleanup(company, batches=False)  # the second preview is the baseline's input
        confirm_base = _confirm_baseline(batches[1], user)
    finally:
        _cleanup(company)
    return [
        {"benchmark": "bulk change", "figure": f"preview {STATIONS:,} stations ({queries} queries)", "value": ours,
         "unit": "s", "baseline": "diff station by station, 1 query each", "baseline_value": baseline,
         "ratio": baseline / ours},
        {"benchmark": "bulk change", "figure": f"confirm {STATIONS:,}: every operation queued", "value": confirm,
         "unit": "s", "baseline": "single-edit path per station", "baseline_value": confirm_base,
         "ratio": confirm_base / confirm},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
