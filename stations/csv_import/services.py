"""Import jobs: upload and validate, confirm, send rows through the write path, report outcomes.

Uploading the same file twice is caught by its SHA-256; a row whose station
already exists is a validation problem (in update mode: a change of that
station, ``stations.csv_import.update``); and confirming a job twice sends
nothing twice (rows remember their station, changes their operation's key).
Rows are written in batches so a 100,000-row file never sits in memory whole.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from locations.models import Location
from models_catalog.models import StationModel
from portal import formatting
from sync.mirror import SyncState
from portal.models import Backend, Company, Operation, User
from stations import services
from stations.csv_import.format import COLUMN_NAMES, FileRefused, check_size
from stations.csv_import.models import ImportJob, ImportRow
from stations.csv_import.selectors import import_view
from stations.bulk.models import Batch
from stations.bulk.services import batch_confirm, batch_finish_if_settled, batch_progress, batch_retry_failed
from stations.model_ids import mapped_models
from stations.models import HardwareTemplate, Station, Technician



def _sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def import_upload(*, user: User, stream: IO[bytes], file_name: str, size: int,
                  mode: str = ImportJob.Mode.CREATE, defer: bool = False) -> ImportJob:
    """Record a file and check it row by row; nothing is sent upstream.

    The file is kept on the job (status *validating*) and checked under a lease
    (``stations.csv_import.checking``): here and now, or with ``defer`` by a
    worker (the Imports page defers a large file rather than keep its request
    waiting). A process that dies while checking leaves no rows, and the
    sweeper has a worker check the file again.

    In update mode a file imported before is checked again rather than refused: its rows that
    exist are changes (or unchanged), so applying it twice changes nothing twice.
    """
    from stations.csv_import.checking import import_check, import_check_enqueue_on_commit

    sha = _sha256(stream)
    job = ImportJob(created_by=user, file_name=file_name[:255], file_sha256=sha, mode=mode)
    earlier = ImportJob.objects.filter(file_sha256=sha, confirmed_at__isnull=False).order_by("created_at").first()
    if earlier is not None and mode == ImportJob.Mode.CREATE:
        job.status = ImportJob.Status.DUPLICATE
        job.duplicate_of = earlier
        job.file_problem = (f"This file was already imported on {formatting.when(earlier.confirmed_at)}"
                            f" (import #{earlier.pk}); nothing in it will be created again.")
        job.save()
        return job
    try:
        check_size(size)  # a file too large is not kept
    except FileRefused as exc:
        job.status = ImportJob.Status.INVALID
        job.file_problem = str(exc)
        job.save()
        return job
    job.status = ImportJob.Status.VALIDATING
    job.file_content = stream.read()
    job.enqueued_at = timezone.now()  # handed over: the sweeper waits a while before it resends
    job.save()
    if defer:
        import_check_enqueue_on_commit(job.pk)
    else:
        import_check(job.pk)
    job.refresh_from_db()
    return job


def import_confirm(*, user: User, job: ImportJob, valid_only: bool = False) -> ImportJob:
    """Mark the job confirmed; the worker creates the stations (``stations.run_import``).

    All or nothing by default: only a file without problems. With ``valid_only`` the rows
    without problems are created and the others left (they stay in the report to fix).
    In update mode the job's batch of changes is confirmed in the same transaction
    (``stations.bulk.services.batch_confirm``): each change becomes an edit operation based
    on the version its preview showed; unchanged rows send nothing.
    """
    from stations.csv_import.checking import import_run_enqueue_on_commit

    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        partial = valid_only and job.status == ImportJob.Status.INVALID and job.valid_rows > 0 and job.total_rows
        if job.status == ImportJob.Status.VALIDATING:
            raise ValueError("This file is still being checked; confirm it once its report is shown.")
        if job.status != ImportJob.Status.VALIDATED and not partial:
            raise ValueError("Only a file without problems can be confirmed, or its valid rows on their own."
                             if job.valid_rows else "No row of this file is valid; nothing can be created.")
        if not import_view(job, user).whole:
            raise ValueError("This file also holds rows of companies you are not in: its uploader, or someone "
                             "in all of its companies, confirms it.")
        earlier = ImportJob.objects.filter(file_sha256=job.file_sha256, confirmed_at__isnull=False).first()
        if earlier is not None and job.mode == ImportJob.Mode.CREATE:
            job.status = ImportJob.Status.DUPLICATE
            job.duplicate_of = earlier
            job.file_problem = f"This file was already imported (import #{earlier.pk}); nothing was created again."
            job.save()
            return job
        if job.batch_id is not None:
            if job.created_by_id != user.pk:
                raise ValueError("Only the person who uploaded this file can confirm its changes: they were "
                                 "previewed for them.")
            batch_confirm(user=user, batch=job.batch, via_import=True)
        job.status = ImportJob.Status.CONFIRMED
        job.confirmed_by = user
        job.confirmed_at = timezone.now()
        job.save()
        import_run_enqueue_on_commit(job.pk)
    return job


def import_run(job_id: int) -> int:
    """Hand every valid row without a station to the write path, a batch at a time; safe to repeat.

    Under the job's lease (``checking.import_run_claim``), renewed after every batch of rows: a
    second message for the job finds it held and does nothing, and a runner that dies leaves a
    lease that runs out, after which the sweeper sends the job again (it goes on where it stopped).
    """
    from stations.csv_import.checking import import_run_claim, import_run_release

    job = ImportJob.objects.select_related("confirmed_by").get(pk=job_id)
    if job.status != ImportJob.Status.CONFIRMED or not import_run_claim(job.pk):
        return 0
    try:
        return _run_rows(job)
    finally:
        import_run_release(job.pk)


def _run_rows(job: ImportJob) -> int:
    from stations.csv_import.checking import import_run_renew

    sent = 0
    pending = ImportRow.objects.filter(job=job, station__isnull=True, problems=[],
                                       action=ImportRow.Action.CREATE).order_by("number")
    while rows := list(pending[:200]):
        objects = _objects_for(rows)
        for row in rows:
            with transaction.atomic():
                # The row lock makes a second worker skip rows the first one has sent.
                locked = ImportRow.objects.select_for_update(skip_locked=True).filter(
                    pk=row.pk, station__isnull=True).first()
                if locked is None:
                    continue
                station = _create_station(row, objects, job.confirmed_by)
                if station is not None:
                    ImportRow.objects.filter(pk=row.pk).update(station=station)
                    sent += 1
        ImportJob.objects.filter(pk=job.pk).update(submitted_rows=ImportRow.objects.filter(
            job=job, station__isnull=False).count())
        import_run_renew(job.pk)
    return sent


def _objects_for(rows: list[ImportRow]) -> dict[str, dict[int, Any]]:
    ids: dict[str, set[int]] = {name: set() for name in ("backend", "company", "model", "technician", "location",
                                                          "template")}
    for row in rows:
        for name in ids:
            if row.values.get(name):
                ids[name].add(row.values[name])
    classes = {"backend": Backend, "company": Company, "model": StationModel, "technician": Technician,
               "location": Location, "template": HardwareTemplate}
    return {name: classes[name].objects.in_bulk(ids[name]) for name in ids}


def _create_station(row: ImportRow, objects: dict[str, dict[int, Any]], user: User | None) -> Station | None:
    v = row.values
    backend = objects["backend"][v["backend"]]
    company = objects["company"].get(v.get("company")) or backend.company
    same = Station.objects.filter(backend=backend, charge_box_identity__iexact=v["charge_box_identity"])
    # A station whose creation failed and never reached the upstream is replaced by the new row...
    same.filter(sync_state=SyncState.FAILED, upstream_id__isnull=True).delete()
    existing = same.first()
    if existing is not None:  # ...any other was created since validation (another import, the form): keep it.
        ImportRow.objects.filter(pk=row.pk).update(
            problems=[["charge_box_identity", "A station with this identity was created after validation; skipped."]])
        return None
    data = services.StationInput(
        backend=backend, company=company, label=v.get("label") or v["charge_box_identity"],
        charge_box_identity=v["charge_box_identity"], model=objects["model"].get(v.get("model")),
        time_zone=v.get("time_zone", ""), public_display_name=v.get("public_display_name", ""),
        serial_number=v.get("serial_number", ""), technician=objects["technician"].get(v.get("technician")),
        location=objects["location"].get(v.get("location")), deploy_state=v.get("deploy_state", ""),
        default_tariff_id=v.get("default_tariff_id", ""), charger_type=v.get("charger_type", ""),
        template=objects["template"].get(v.get("template")),
        evses=[services.EvseInput(connectors=[services.ConnectorInput(**spec) for spec in evse])
               for evse in v.get("evses", [])],
    )
    return services.station_create(user=user, data=data)


def import_progress(job: ImportJob, rows: QuerySet[ImportRow] | None = None) -> dict[str, int]:
    """Counts of the job's rows (or of ``rows``, a reader's share) by upstream outcome, from their
    stations' create operations."""
    rows = (ImportRow.objects.filter(job=job) if rows is None else rows).filter(
        problems=[], action=ImportRow.Action.CREATE)
    station_ids = rows.exclude(station__isnull=True).values("station_id")
    ops = Operation.objects.filter(kind="station.create", target_type="station", target_id__in=station_ids)
    by_status = dict(ops.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    total = rows.count()
    done = by_status.get(Operation.Status.DONE, 0)
    failed = by_status.get(Operation.Status.FAILED, 0)
    submitted = rows.exclude(station__isnull=True).count()
    return {"total": total, "submitted": submitted, "created": done, "failed": failed,
            "settled": done + failed + by_status.get(Operation.Status.CONFLICT, 0),
            "waiting": total - done - failed}


def import_change_progress(job: ImportJob, user: User) -> dict[str, int] | None:
    """Update mode: the confirmed changes (the reader's companies') by their operation's state."""
    return batch_progress(job.batch, user) if job.batch_id and job.confirmed_at else None


def import_counts(rows: QuerySet[ImportRow]) -> dict[str, int]:
    """A reader's rows by what they do: new, change, unchanged, invalid (two queries)."""
    counts = {action: 0 for action in ImportRow.Action.values}
    counts.update(dict(rows.filter(problems=[]).order_by().values_list("action").annotate(n=Count("id"))))
    counts["invalid"] = rows.exclude(problems=[]).count()
    return counts


def import_finish_if_settled(job: ImportJob) -> ImportJob:
    if job.status == ImportJob.Status.CONFIRMED:
        progress = import_progress(job)
        batch = batch_finish_if_settled(job.batch) if job.batch_id else None
        if batch is not None and batch.status != Batch.Status.FINISHED:
            return job
        if progress["submitted"] == progress["total"] and progress["settled"] == progress["total"]:
            ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.CONFIRMED).update(
                status=ImportJob.Status.FINISHED, finished_at=timezone.now())
            job.refresh_from_db()
    return job


def failed_rows(job: ImportJob, rows: QuerySet[ImportRow] | None = None) -> Iterable[tuple[ImportRow, Operation]]:
    """Rows (of the job, or ``rows``) whose station could not be created upstream, with the failed operation."""
    rows = {r.station_id: r for r in (ImportRow.objects.filter(job=job) if rows is None else rows)
            .filter(station__isnull=False, action=ImportRow.Action.CREATE)}
    ops = Operation.objects.filter(kind="station.create", target_type="station", target_id__in=list(rows),
                                   status=Operation.Status.FAILED).order_by("target_id")
    return sorted(((rows[op.target_id], op) for op in ops), key=lambda pair: pair[0].number)


def import_retry_failed(*, job: ImportJob, rows: QuerySet[ImportRow] | None = None, user: User | None = None) -> int:
    """Send the failed rows (of the job, or the reader's ``rows``) again; in update mode also the
    failed changes of the ``user``'s companies (``batch_retry_failed``)."""
    from outbox.operations import operation_retry

    count = 0
    for _row, op in failed_rows(job, rows):
        operation_retry(op)
        count += 1
    if job.batch_id and user is not None:
        count += batch_retry_failed(user=user, batch=job.batch)
    if count:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CONFIRMED, finished_at=None)
    return count


def rows_to_fix(rows: Iterable[tuple[dict[str, str], str]]) -> Iterator[list[str]]:
    """Rows with a trailing ``problem`` cell (header ``[*COLUMN_NAMES, "problem"]``), to fix and upload again."""
    for raw, problem in rows:
        yield [raw.get(name, "") for name in COLUMN_NAMES] + [problem]


def template_rows(user: User) -> list[dict[str, str]]:
    """One example row per station backend of the user's, with its real company, a real location,
    model and technician, so that the template's rows pass validation as they are (identities aside)."""
    from portal.access import Role, scoped

    rows = []
    backends = scoped(Backend.objects.filter(kind__in=(Backend.Kind.BEENERGISED, Backend.Kind.GREENFLUX),
                                             is_active=True), user, min_role=Role.OPERATOR
                      ).select_related("company").order_by("name")
    for n, backend in enumerate(backends[:20], start=1):
        company = backend.company.name if backend.company else ""
        identity = f"NEW-{backend.pk}-{n:03d}"
        if backend.kind == Backend.Kind.GREENFLUX:
            location = Location.objects.filter(backend=backend, removed_at__isnull=True).order_by("name").first()
            rows.append({"backend": backend.name, "label": "New depot charger", "charge_box_identity": identity,
                         "company": company, "location": location.name if location else "",
                         "deploy_state": "Stock", "default_tariff_id": "TARIFF-AC-STANDARD",
                         "charger_type": "Business", "connectors": "IEC_62196_T2/SOCKET/AC_3_PHASE/400/32/22000"})
        else:
            mapped = mapped_models([backend.company_id]) if backend.company_id else StationModel.objects.none()
            model = mapped.filter(is_archived=False).order_by("vendor", "model").first()
            technician = Technician.objects.filter(backend=backend).exclude(email="").order_by("name").first()
            rows.append({"backend": backend.name, "label": "New depot charger", "charge_box_identity": identity,
                         "model": f"{model.vendor} {model.model}" if model else "", "company": company,
                         "time_zone": "Europe/Amsterdam", "technician": technician.email if technician else ""})
    return rows
