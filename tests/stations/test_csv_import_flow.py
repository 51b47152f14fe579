"""Imports end to end: confirm, a real worker, the simulator over HTTP; twice; through an outage."""

from __future__ import annotations

import io

import pytest

from locations.models import Location
from portal.models import Backend, Operation, User
from simulator.testing import SimulatorHandle
from stations.csv_import.models import ImportJob
from stations.csv_import.services import import_confirm, import_finish_if_settled, import_progress, import_upload
from stations.models import Station
from tests.stations.test_csv_import import csv_bytes
from tests.worker import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.usefixtures("celery_worker_process")]


def greenflux_rows(backend: Backend, count: int, prefix: str) -> list[dict[str, str]]:
    location = Location.objects.filter(backend=backend).first()
    return [
        {"backend": backend.name, "label": f"Import {prefix} {n}", "charge_box_identity": f"{prefix}-{n:03d}",
         "location": location.upstream_id, "deploy_state": "Stock", "default_tariff_id": "TARIFF-AC-STANDARD",
         "connectors": "IEC_62196_T2/SOCKET/AC_3_PHASE/400/32/22000"}
        for n in range(1, count + 1)
    ]


def run_to_the_end(user: User, data: bytes, timeout: float = 120) -> ImportJob:
    job = import_upload(user=user, stream=io.BytesIO(data), file_name="fleet.csv", size=len(data))
    assert job.status == ImportJob.Status.VALIDATED, job.file_problem
    import_confirm(user=user, job=job)
    wait_for(lambda: import_finish_if_settled(ImportJob.objects.get(pk=job.pk)).status == ImportJob.Status.FINISHED,
             timeout=timeout)
    job.refresh_from_db()
    return job


def upstream_identities(backend: Backend, prefix: str) -> list[str]:
    with backend.connector() as connector:
        return [s.charge_station_id for s in connector.list_stations().items() if s.charge_station_id.startswith(prefix)]


def test_clean_file_creates_every_station_once_and_a_second_upload_creates_nothing(
    transactional_db: None, operator: User, gf_backend: Backend
) -> None:
    data = csv_bytes(*greenflux_rows(gf_backend, 12, "IMPA"))
    job = run_to_the_end(operator, data)
    progress = import_progress(job)
    assert (progress["total"], progress["created"], progress["failed"]) == (12, 12, 0)
    assert sorted(upstream_identities(gf_backend, "IMPA")) == [f"IMPA-{n:03d}" for n in range(1, 13)]

    again = import_upload(user=operator, stream=io.BytesIO(data), file_name="fleet (1).csv", size=len(data))
    assert again.status == ImportJob.Status.DUPLICATE
    assert f"import #{job.pk}" in again.file_problem
    assert Station.objects.filter(charge_box_identity__startswith="IMPA").count() == 12
    assert len(upstream_identities(gf_backend, "IMPA")) == 12


def test_outage_in_the_middle_ends_with_each_row_created_once_or_failed(
    transactional_db: None, operator: User, gf_backend: Backend, simulator: SimulatorHandle
) -> None:
    rows = greenflux_rows(gf_backend, 20, "IMPB")
    simulator.set_faults("greenflux", rate_5xx=0.3, rate_drop=0.15, seed=7)
    job = run_to_the_end(operator, csv_bytes(*rows), timeout=240)
    simulator.clear_faults()
    progress = import_progress(job)
    assert progress["created"] + progress["failed"] == 20
    ops = Operation.objects.filter(kind="station.create", target_id__in=Station.objects.filter(
        charge_box_identity__startswith="IMPB").values("pk"))
    assert ops.count() == 20 and not ops.exclude(status__in=[Operation.Status.DONE, Operation.Status.FAILED]).exists()
    upstream = upstream_identities(gf_backend, "IMPB")
    assert len(upstream) == len(set(upstream)), "a station was created twice"
    created = set(Station.objects.filter(pk__in=ops.filter(status=Operation.Status.DONE).values("target_id"))
                  .values_list("charge_box_identity", flat=True))
    assert created <= set(upstream)
