"""Checking an uploaded file's rows: each row validated and stored with its problems, in chunks.

Runs inside the checker's transaction and lease (``stations.csv_import.checking.import_check``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO


from portal.models import Backend, User
from stations.csv_import.format import FileRefused, read_rows
from stations.csv_import.models import ImportJob, ImportRow
from stations.bulk.models import Batch, BatchItem
from stations.csv_import.update import load_stations, not_yours, validate_update
from stations.csv_import.validate import _key, Lookups, row_company, unknown_columns, validate_row

BATCH = 2000


def check_file(job: ImportJob, user: User, stream: IO[bytes], size: int) -> None:
    """Read and check the whole file onto ``job`` (its rows written, its counts and status set).

    Runs inside the checker's transaction (``checking.import_check``): a refused
    file keeps no row, and nothing is seen before the whole file is checked.
    """
    try:
        delimiter, header, rows = read_rows(stream, size)
        job.delimiter = delimiter
        _validate_rows(job, user, rows)
        job.status = ImportJob.Status.VALIDATED
        extra = unknown_columns(header)
        if extra:
            job.file_problem = "Ignored columns the importer does not know: " + ", ".join(extra) + "."
    except FileRefused as exc:
        ImportRow.objects.filter(job=job).delete()
        if job.batch_id:
            Batch.objects.filter(pk=job.batch_id).delete()
            job.batch = None
        job.status = ImportJob.Status.INVALID
        job.file_problem = str(exc)
        job.total_rows = job.valid_rows = job.problem_count = 0
        job.company_rows = {}
    if job.status == ImportJob.Status.VALIDATED and (job.problem_count or not job.total_rows):
        job.status = ImportJob.Status.INVALID
        if not job.total_rows and not job.file_problem:
            job.file_problem = "The file has a header but no rows."


def _validate_rows(job: ImportJob, user: User, rows: Iterator[tuple[int, dict[str, str]]]) -> None:
    lookups = Lookups.load(user)
    chunk: list[tuple[int, dict[str, str]]] = []
    for number, raw in rows:
        chunk.append((number, raw))
        if len(chunk) >= BATCH:
            _validate_chunk(job, user, lookups, chunk)
            chunk.clear()
    _validate_chunk(job, user, lookups, chunk)
    if job.batch_id:
        batch = job.batch
        batch.companies.set(set(BatchItem.objects.filter(batch=batch).values_list("company_id", flat=True)))
        batch.selection_text = f"the rows of import #{job.pk} whose stations exist"
        batch.save(update_fields=["selection_text"])


def _existing(raw: dict[str, str], lookups: Lookups) -> tuple[Backend, tuple[str, str, int, int]] | None:
    backend = lookups.backends.get(_key(raw.get("backend", "")))
    found = lookups.existing(backend, raw.get("charge_box_identity", ""))
    return (backend, found) if found is not None and backend is not None else None


def _validate_chunk(job: ImportJob, user: User, lookups: Lookups, chunk: list[tuple[int, dict[str, str]]]) -> None:
    """Validate and store up to ``BATCH`` rows: their stations (update mode) read in one query."""
    update = job.mode == ImportJob.Mode.UPDATE
    existing = {number: found for number, raw in chunk if update and (found := _existing(raw, lookups))}
    stations = load_stations([found[1][2] for found in existing.values() if lookups.mine(found[1][3])])
    batch_rows: list[ImportRow] = []
    items: list[BatchItem] = []
    rows: list[ImportRow] = []
    for number, raw in chunk:
        action, station_id, item = ImportRow.Action.CREATE, None, None
        company = row_company(raw, lookups)
        if number in existing:
            backend, (_identity, _label, pk, company_id) = existing[number]
            station = stations.get(pk)
            if station is None:  # another company's station: nothing of it is read or shown
                values, problems, action = {}, [not_yours(backend, raw.get("charge_box_identity", ""))], \
                    ImportRow.Action.CHANGE
            else:
                values, problems, action, fields = validate_update(raw, lookups, user, number, backend, station)
                company = lookups.company_by_id.get(station["company_id"])
                station_id = pk
                if fields is not None:
                    item = BatchItem(batch=_batch_of(job, user), station_id=pk, company_id=station["company_id"],
                                     label=station["label"], identity=station["charge_box_identity"],
                                     backend_name=station["backend__name"], **fields)
        else:
            values, problems = validate_row(raw, lookups, user, number)
        raw.pop("__extra__", None)
        job.total_rows += 1
        job.problem_count += len(problems)
        job.valid_rows += not problems
        counts = job.company_rows.setdefault(str(company.pk) if company else "none", [0, 0, 0])
        counts[0], counts[1], counts[2] = counts[0] + 1, counts[1] + (not problems), counts[2] + len(problems)
        row = ImportRow(job=job, number=number, raw=raw, values={} if problems else values,
                        problems=[list(p) for p in problems], company=company, action=action,
                        station_id=station_id)
        rows.append(row)
        if item is not None:
            items.append(item)
            batch_rows.append(row)
    BatchItem.objects.bulk_create(items)
    for row, item in zip(batch_rows, items):
        row.batch_item = item
    ImportRow.objects.bulk_create(rows)


def _batch_of(job: ImportJob, user: User) -> Batch:
    """The job's batch of changes, made with its first change (a preview: nothing is sent)."""
    if job.batch_id is None:
        job.batch = Batch.objects.create(
            kind=Batch.Kind.IMPORT, params={"import": job.pk}, created_by=user,
            summary=f"Changes from import #{job.pk} ({job.file_name})"[:300],
        )
        job.save(update_fields=["batch"])
    return job.batch
