"""A worker killed while it checks a CSV import, with a real worker process.

A file too large to be checked inside the upload request is checked by a worker under a lease
(``stations.csv_import.checking``). Killed half-way, the worker leaves no row of it behind and
the job "Checking the file"; once its lease runs out, the import sweeper (run here as beat would
run it) hands it to the next worker, which ends with the same report as an undisturbed check of
the same file.
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from locations.models import Location
from portal.models import Backend, Operation, User
from outbox.operations import operations_sweep
from stations.csv_import.checking import imports_sweep
from stations.csv_import.format import COLUMN_NAMES
from stations.csv_import.models import ImportJob, ImportRow
from tests.conftest import client_for
from tests.faults.conftest import WORKER_ENV, PrivateRedis
from tests.worker import running_worker

pytestmark = [pytest.mark.worker, pytest.mark.faults]

ROWS = int(os.environ.get("FAULT_IMPORT_ROWS", "3000"))


def fleet_csv(backend: Backend, rows: int, inline_max: int) -> bytes:
    """``rows`` GreenFlux stations, a few of them with problems (an unknown deploy state, a repeated identity)."""
    location = Location.objects.filter(backend=backend).order_by("name").first()
    assert location is not None
    out = io.StringIO()
    out.write(",".join(COLUMN_NAMES) + "\r\n")
    for n in range(1, rows + 1):
        row = {"backend": backend.name, "label": f"Depot charger {n}", "charge_box_identity": f"IMPF-{n:06d}",
               "location": location.upstream_id, "deploy_state": "Stock", "default_tariff_id": "TARIFF-AC-STANDARD",
               "connectors": "IEC_62196_T2/SOCKET/AC_3_PHASE/400/32/22000"}
        if n % 1000 == 0:
            row["deploy_state"] = "Sometimes"
        if n % 1500 == 0:
            row["charge_box_identity"] = "IMPF-000001"
        out.write(",".join(row.get(name, "") for name in COLUMN_NAMES) + "\r\n")
    data = out.getvalue().encode()
    assert len(data) > inline_max or not inline_max, "the file must be one a worker checks"
    return data


def upload(client: Client, data: bytes, name: str) -> ImportJob:
    answer = client.post(reverse("stations:import_list"), {"file": _named(data, name)})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    job = ImportJob.objects.get(pk=int(re.search(r"/imports/(\d+)/", answer["Location"]).group(1)))
    assert job.status == ImportJob.Status.VALIDATING  # handed to the worker; the request did not wait
    return job


def _named(data: bytes, name: str) -> io.BytesIO:
    stream = io.BytesIO(data)
    stream.name = name
    return stream


def wait_checked(job: ImportJob, client: Client, timeout: float, sweep: bool = False) -> ImportJob:
    """Until the job is no longer being checked, its page answering all along (and the sweeper run, if asked)."""
    deadline = time.monotonic() + timeout
    while True:
        job.refresh_from_db()
        if job.status != ImportJob.Status.VALIDATING:
            return job
        assert time.monotonic() < deadline, f"import #{job.pk} still being checked after {timeout} s"
        page = client.get(reverse("stations:import_detail", args=[job.pk]))
        assert page.status_code == 200
        # It says it is checking, unless the check ended between the two reads.
        assert "Checking the file" in page.content.decode() or ImportJob.objects.filter(
            pk=job.pk).exclude(status=ImportJob.Status.VALIDATING).exists()
        if sweep:
            imports_sweep()
        time.sleep(0.5)


def being_checked(job: ImportJob) -> bool:
    """Whether a checker holds the job's row lock right now (it does for the whole check)."""
    with transaction.atomic():
        free = ImportJob.objects.select_for_update(skip_locked=True).filter(pk=job.pk).exists()
    return not free and ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.VALIDATING).exists()


def report(job: ImportJob) -> dict[str, Any]:
    rows = list(ImportRow.objects.filter(job=job).order_by("number")
                .values_list("number", "raw", "values", "problems", "company_id"))
    return {"status": job.status, "total": job.total_rows, "valid": job.valid_rows, "problems": job.problem_count,
            "companies": job.company_rows, "file_problem": job.file_problem, "rows": rows}


def problems_section(client: Client, job: ImportJob) -> str:
    html = client.get(reverse("stations:import_detail", args=[job.pk])).content.decode()
    section = html[html.index("<h2>Problems to fix</h2>"):].split("</table>")[0]
    return section.replace(f"/imports/{job.pk}/", "/imports/<job>/")


def test_worker_killed_while_checking_an_import(
    fault_worker: subprocess.Popen[bytes], private_broker: PrivateRedis, worker_log: Path, gf_backend: Backend,
    operator: User, settings: Any,
) -> None:
    settings.IMPORT_RESEND_AFTER_SECONDS = 3
    settings.IMPORT_INLINE_MAX_BYTES = 256 * 1024  # files above it go to a worker (a smaller file keeps the test short)
    client = client_for(operator)
    data = fleet_csv(gf_backend, ROWS, settings.IMPORT_INLINE_MAX_BYTES)

    # The same file checked undisturbed, for the report to compare with (and how long a check takes).
    undisturbed = wait_checked(upload(client, data, "fleet.csv"), client, timeout=60)
    assert undisturbed.status == ImportJob.Status.INVALID and undisturbed.total_rows == ROWS
    print(f"an undisturbed check of {ROWS} rows took {undisturbed.validation_seconds:.2f} s")
    # Long enough to be caught half-way (the wait below polls every 50 ms and kills a quarter in);
    # the asserts after the kill say whether it really came in time.
    assert undisturbed.validation_seconds > 0.3, "too quick a check to be killed half-way"

    job = upload(client, data, "fleet (again).csv")
    deadline = time.monotonic() + 30
    while not (ImportJob.objects.filter(pk=job.pk, validation_attempts=1).exists() and being_checked(job)):
        assert time.monotonic() < deadline, "the worker did not start checking"
        time.sleep(0.05)
    time.sleep(min(1.0, undisturbed.validation_seconds / 4))  # well into the file
    assert being_checked(job), "the check ended before the worker could be killed"
    os.kill(fault_worker.pid, signal.SIGKILL)
    fault_worker.wait()

    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATING, "the kill came too late"
    assert not ImportRow.objects.filter(job=job).exists(), "a dead checker left rows behind"
    page = client.get(reverse("stations:import_detail", args=[job.pk]))
    assert page.status_code == 200 and "Checking the file" in page.content.decode()
    confirm = client.post(reverse("stations:import_confirm", args=[job.pk]), follow=True)
    assert "still being checked" in confirm.content.decode()  # nothing can be confirmed meanwhile

    with running_worker(worker_log, concurrency=4, env=WORKER_ENV, broker_url=private_broker.url):
        job = wait_checked(job, client, timeout=60, sweep=True)

    assert job.validation_attempts == 2  # the dead worker's attempt, then the one the sweeper sent
    assert job.lease_until is None and bytes(job.file_content) == b""
    assert report(job) == report(undisturbed)
    assert problems_section(client, job) == problems_section(client, undisturbed)
    assert client.get(reverse("stations:import_list")).status_code == 200


def test_an_import_uploaded_while_the_broker_is_down_is_checked_once_it_is_back(
    transactional_db: None, private_broker: PrivateRedis, worker_log: Path, gf_backend: Backend, operator: User,
    settings: Any,
) -> None:
    settings.IMPORT_RESEND_AFTER_SECONDS = 3
    settings.IMPORT_INLINE_MAX_BYTES = 16 * 1024
    client = client_for(operator)
    data = fleet_csv(gf_backend, 300, settings.IMPORT_INLINE_MAX_BYTES)
    private_broker.stop()
    job = upload(client, data, "fleet.csv")  # its message cannot be sent: the job row is all there is
    private_broker.start()                   # empty
    with running_worker(worker_log, concurrency=2, env=WORKER_ENV, broker_url=private_broker.url):
        job = wait_checked(job, client, timeout=40, sweep=True)
    assert (job.status, job.total_rows, job.validation_attempts) == (ImportJob.Status.VALIDATED, 300, 1)
    assert ImportRow.objects.filter(job=job).count() == 300


def test_an_import_confirmed_while_the_broker_is_down_creates_every_station_once(
    transactional_db: None, private_broker: PrivateRedis, worker_log: Path, outbox_settings: None,
    gf_backend: Backend, operator: User, settings: Any,
) -> None:
    settings.IMPORT_RESEND_AFTER_SECONDS = 3
    client = client_for(operator)
    data = fleet_csv(gf_backend, 8, 0)  # eight valid rows, small enough to be checked in the request
    answer = client.post(reverse("stations:import_list"), {"file": _named(data, "fleet.csv")})
    job = ImportJob.objects.get(pk=int(re.search(r"/imports/(\d+)/", answer["Location"]).group(1)))
    assert job.status == ImportJob.Status.VALIDATED
    private_broker.stop()
    confirmed = client.post(reverse("stations:import_confirm", args=[job.pk]))
    assert confirmed.status_code == 302  # the confirmation is kept; the worker is told later
    private_broker.start()  # empty: the job row is all there is
    with running_worker(worker_log, concurrency=4, env=WORKER_ENV, broker_url=private_broker.url):
        deadline = time.monotonic() + 45
        while ImportRow.objects.filter(job=job, station__isnull=True).exists() or \
                Operation.objects.filter(kind="station.create").exclude(status=Operation.Status.DONE).exists():
            assert time.monotonic() < deadline, "the import did not run to the end"
            imports_sweep()
            operations_sweep()
            assert client.get(reverse("stations:import_detail", args=[job.pk])).status_code == 200
            time.sleep(0.5)
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", client.get(
        reverse("stations:import_detail", args=[job.pk])).content.decode()))
    assert "8 of 8 settled: 8 created, 0 failed" in page
    with gf_backend.connector() as connector:
        upstream = [s.charge_station_id for s in connector.list_stations().items()
                    if s.charge_station_id.startswith("IMPF-")]
    assert sorted(upstream) == [f"IMPF-{n:06d}" for n in range(1, 9)]  # each created once
