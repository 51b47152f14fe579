"""The refresh engine: one run of a refresher under its lock, and its ``SyncRun`` bookkeeping.

Refreshers and their registry are in ``sync.refreshers``; the bulk write of mirror rows in
``sync.upsert``.

:func:`refresh_run` runs one refresh under the ``SyncLock`` of its backend and
entity and records it as a ``SyncRun``. Pages already written stay written
when the upstream fails half-way; the run is then marked failed with the
reason, and vanished rows are only marked after a complete full read.
Schedules and "refresh now" requests are in ``sync.schedules``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from upstreams import UpstreamError
from upstreams.pagination import Page
from sync import pipeline
from portal.models import Backend, SyncLock, SyncRun, User

from sync.refreshers import RefreshContext, Refresher, get_refresher
from sync.signals import refresh_finished

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)  # renewed after every page; a dead worker's lock lapses after this
OVERLAP = timedelta(minutes=2)  # incremental reads start a little before the last run, for clock skew


# --- the lock ------------------------------------------------------------------------

class LockLost(Exception):
    """Another run took the lock over after this one's lease lapsed."""


def lock_acquire(backend: Backend, entity: str, run: SyncRun) -> bool:
    """Take the lock of (backend, entity) for ``run`` unless a live run holds it."""
    try:
        SyncLock.objects.get_or_create(backend=backend, entity=entity)
    except IntegrityError:
        pass  # created by a concurrent run at the same moment
    now = timezone.now()
    taken = SyncLock.objects.filter(backend=backend, entity=entity).filter(
        Q(run__isnull=True) | Q(lease_until__lt=now)
    ).update(run=run, lease_until=now + LEASE)
    return taken == 1


def lock_renew(backend: Backend, entity: str, run: SyncRun) -> None:
    renewed = SyncLock.objects.filter(backend=backend, entity=entity, run=run).update(
        lease_until=timezone.now() + LEASE
    )
    if not renewed:
        raise LockLost("The refresh lock passed to another run (this one stalled too long).")


def lock_release(backend: Backend, entity: str, run: SyncRun) -> None:
    SyncLock.objects.filter(backend=backend, entity=entity, run=run).update(run=None, lease_until=None)


def lock_holder(backend: Backend, entity: str) -> SyncRun | None:
    lock = SyncLock.objects.filter(backend=backend, entity=entity, lease_until__gte=timezone.now()).first()
    return lock.run if lock else None


# --- running one refresh ---------------------------------------------------------------

COUNTERS = ("pages", "total", "rows_seen", "rows_created", "rows_updated", "rows_unchanged", "rows_kept", "errors",
            "message")


def _choose_mode(refresher: Refresher, backend: Backend, entity: str, full: bool | None) -> tuple[bool, datetime | None]:
    """Full when asked, when the upstream cannot filter by date, or when no full read happened lately."""
    if full or not refresher.incremental:
        return True, None
    done = SyncRun.objects.filter(backend=backend, entity=entity, status=SyncRun.Status.DONE)
    last_full = done.filter(full=True).order_by("-started_at").first()
    if full is None and (last_full is None or last_full.started_at < timezone.now() - refresher.full_every):
        return True, None
    last = done.order_by("-started_at").first()
    if last is None:
        return True, None
    return False, last.started_at - OVERLAP


ANALYSE_AFTER_ROWS = 5000
PROGRESS_EVERY = 1.0  # seconds between saves of a run's counts while its pages write nothing


def _analyse_after(refresher: Refresher, run: SyncRun) -> None:
    """Fresh planner statistics after a run that created thousands of rows (a first full refresh).

    PostgreSQL's plans for the next run's lookups rest on them; autovacuum would take them a
    while later (and is off on some machines, these among them), and until then a lookup of a
    page's ids was planned as a walk through every row of the backend.
    """
    if run.rows_created < ANALYSE_AFTER_ROWS or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in refresher.tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def describe_notes(notes: list[str]) -> str:
    """A run's notes in words, each reason once with how many rows it skipped: "6 skipped: locations whose …".

    Refreshers note the reason a row was skipped (a sentence without ids: a tenant's UUID tells a fleet
    manager nothing), so the count is what varies.
    """
    counted = Counter(notes)
    return "; ".join(f"{n} skipped: {reason}" for reason, n in counted.most_common(5))[:1000]


def _describe(exc: BaseException) -> str:
    if isinstance(exc, UpstreamError):
        return f"The upstream failed: {exc}"[:1000]
    if isinstance(exc, LockLost):
        return str(exc)
    return f"Internal error ({type(exc).__name__}): {exc}"[:1000]


def refresh_run(
    backend: Backend,
    entity: str,
    *,
    full: bool | None = None,
    run: SyncRun | None = None,
    trigger: str = SyncRun.Trigger.SCHEDULE,
    user: User | None = None,
    page_size: int | None = None,
    progress: Callable[[SyncRun], None] | None = None,
    connector_options: dict[str, Any] | None = None,
) -> SyncRun:
    """Refresh one entity of one backend now, in this process; returns the finished ``SyncRun``.

    ``full`` True forces a full read, False asks for an incremental one (when
    the upstream allows it), None lets the schedule decide (daily full).
    ``connector_options`` go to ``Backend.connector`` (tests: fewer retries).
    """
    refresher = get_refresher(backend.kind, entity)
    if run is None:
        run = SyncRun.objects.create(backend=backend, entity=entity, trigger=trigger, requested_by=user)
    if not lock_acquire(backend, entity, run):
        holder = lock_holder(backend, entity)
        run.status, run.finished_at = SyncRun.Status.SKIPPED, timezone.now()
        run.message = f"Skipped: run #{holder.pk if holder else '?'} of {entity} is still in progress."
        run.save(update_fields=["status", "finished_at", "message"])
        _announce(run)
        return run
    try:
        run.full, run.since = _choose_mode(refresher, backend, entity, full)
        run.status, run.started_at = SyncRun.Status.RUNNING, timezone.now()
        run.save(update_fields=["full", "since", "status", "started_at"])
        ctx = RefreshContext(backend=backend, run=run, full=run.full, since=run.since, now=run.started_at)
        options = dict(connector_options or {})
        if page_size or refresher.page_size:
            options["page_size"] = page_size or refresher.page_size
        notes: list[str] = []
        counting = threading.Lock()  # the run's counters, shared by the page writers
        saved = [time.monotonic()]

        def write_page(item: tuple[Page[Any], Any]) -> None:
            page, mapped = item
            with transaction.atomic():
                done = pipeline.retrying_deadlocks(lambda: refresher.write(ctx, mapped))
                with counting:
                    run.pages += 1
                    run.total = page.total if page.total is not None else run.total
                    run.rows_seen += len(page.items)
                    run.rows_created += done.created
                    run.rows_updated += done.updated
                    run.rows_unchanged += done.unchanged
                    run.rows_kept += done.kept
                    run.errors += done.errors
                    notes.extend(done.notes)
                    run.message = describe_notes(notes)
                    # With the page's rows, in its transaction; a page that wrote nothing (a quiet
                    # estate's run, page after page) shows its counts at most every second.
                    wrote = done.created or done.updated or done.kept or done.errors
                    if wrote or time.monotonic() - saved[0] >= PROGRESS_EVERY:
                        run.save(update_fields=list(COUNTERS))
                        lock_renew(backend, entity, run)
                        saved[0] = time.monotonic()

        with backend.connector(**options) as connector, pipeline.bulk_python():
            ctx.connector = connector
            refresher.prepare(ctx)
            source = refresher.pages(ctx)
            pages = pipeline.prefetch(source, lambda items: refresher.map(ctx, items))
            for _ in pipeline.write_in_threads(pages, write_page, pipeline.writers_for_this_run()):
                if progress:
                    progress(run)
            listing_notes = list(getattr(source, "notes", None) or [])  # e.g. a server that ignores paging
            if listing_notes:
                run.message = "; ".join(m for m in (*listing_notes, run.message) if m)[:1000]
        run.save(update_fields=list(COUNTERS))  # the last pages' counts, if they were not saved yet
        if run.full:
            with transaction.atomic():
                run.rows_removed = refresher.finish(ctx)
                run.save(update_fields=["rows_removed"])
        _analyse_after(refresher, run)
        run.status = SyncRun.Status.DONE
    except Exception as exc:
        log.warning("refresh %s/%s of backend %s failed: %s", entity, run.pk, backend.pk, _describe(exc))
        if not isinstance(exc, (UpstreamError, LockLost)):
            log.exception("refresh crashed")
        run.status = SyncRun.Status.FAILED
        run.message = _describe(exc)
    finally:
        if run.status == SyncRun.Status.RUNNING:  # interrupted (Ctrl-C, worker shutdown)
            run.status, run.message = SyncRun.Status.FAILED, "Interrupted before the end."
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "message", "finished_at"])
        lock_release(backend, entity, run)
    if progress:
        progress(run)
    _announce(run)
    return run


def _announce(run: SyncRun) -> None:
    """Tell the apps that watch the mirror (alerts) that a run ended; a receiver's error never fails it."""
    for _receiver, result in refresh_finished.send_robust(
        sender="sync", backend_id=run.backend_id, entity=run.entity, status=run.status, run_id=run.pk,
    ):
        if isinstance(result, Exception):
            log.warning("a refresh_finished receiver failed: %s", result)

