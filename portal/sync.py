"""The refresh engine: a registry of refreshers, the per-backend lock, bulk upserts, SyncRun bookkeeping.

A *refresher* pulls one entity of one backend kind (``("greenflux",
"stations")``...) page by page through the connector and writes each page in
one transaction. Apps register theirs in their ``refresh.py`` with
:func:`register`; those modules are imported on first use, so any app can
add one (the dashboard's live figures do).

:func:`upsert_mirror` is the shared write for mirror rows: one SELECT to see
what is there, rows whose content hash did not change are left alone
(upstreams bump timestamps without real changes), rows with a local change
still pending or in conflict only get the upstream's version beside it
(``upstream_data``), the rest go in one ``INSERT ... ON CONFLICT DO UPDATE``.
A full run then marks the rows it did not see as removed; nothing is deleted.

:func:`refresh_run` runs one refresh under the ``SyncLock`` of its backend and
entity and records it as a ``SyncRun``. Pages already written stay written
when the upstream fails half-way; the run is then marked failed with the
reason, and vanished rows are only marked after a complete full read.
Schedules and "refresh now" requests are in ``portal.sync_schedules``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from upstreams import UpstreamError
from upstreams.pagination import Page
from portal import generations
from portal import lookups  # noqa: F401  (registers ``__any``)
from portal import sync_bulk as bulk
from portal import sync_pipeline as pipeline
from portal.mirror import SyncState
from portal.models import Backend, SyncLock, SyncRun, User

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)  # renewed after every page; a dead worker's lock lapses after this
OVERLAP = timedelta(minutes=2)  # incremental reads start a little before the last run, for clock skew
MIRROR_FIELDS = ("sync_state", "upstream_updated_at", "synced_at", "removed_at", "content_hash", "upstream_data")
LOCAL_CHANGE = (SyncState.PENDING, SyncState.CONFLICT)
CHUNK = 5000


# --- refreshers and their registry ---------------------------------------------------

@dataclass
class PageResult:
    """What writing one page did; refreshers return it from ``write``."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0
    errors: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, other: PageResult) -> PageResult:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.kept += other.kept
        self.errors += other.errors
        self.notes += other.notes
        return self


@dataclass
class RefreshContext:
    """One run's state, handed to the refresher's hooks."""

    backend: Backend
    run: SyncRun
    full: bool
    since: datetime | None
    now: datetime
    connector: Any = None
    seen: set[str] = field(default_factory=set)
    lookups: dict[str, dict[Any, Any]] = field(default_factory=dict)
    # What the mirror held when a full run began, per model (``Refresher.prepare`` fills it): rows
    # whose id and natural key are both absent from it are new and need no lookup (``upsert_mirror``).
    known: dict[type[models.Model], Snapshot] = field(default_factory=dict)
    # The live rows (pk, upstream id) per model, when ``prepare`` read them anyway: ``mark_removed``
    # then judges those instead of reading them again at the end.
    live: dict[type[models.Model], list[tuple[int, str]]] = field(default_factory=dict)


@dataclass(frozen=True)
class KnownRows:
    upstream_ids: frozenset[str]
    natural_keys: frozenset[str] = frozenset()

    @classmethod
    def of(cls, queryset: models.QuerySet[Any], natural_key: str | None = None) -> KnownRows:
        """The upstream ids (and natural keys) of ``queryset``'s rows: one query."""
        if natural_key is None:
            return cls(frozenset(u for u in queryset.values_list("upstream_id", flat=True).iterator() if u))
        pairs = list(queryset.values_list("upstream_id", natural_key).iterator(chunk_size=10_000))
        return cls(frozenset(u for u, _ in pairs if u), frozenset(k for _, k in pairs))


class Snapshot:
    """``KnownRows.of(queryset, natural_key)``, read when a page first has rows to write.

    A full run where nothing changed writes no rows, and never reads it (``make bench``: the
    unchanged run of 100,000 stations would otherwise load them all once for nothing).
    """

    def __init__(self, queryset: models.QuerySet[Any], natural_key: str | None = None) -> None:
        self.queryset, self.natural_key = queryset, natural_key
        self._rows: KnownRows | None = None

    def rows(self) -> KnownRows:
        if self._rows is None:
            self._rows = KnownRows.of(self.queryset, self.natural_key)
        return self._rows


class Refresher:
    """How one entity of one backend kind is pulled into the mirror.

    ``pages`` and ``map`` run in a helper thread (they only talk to the
    upstream and read ``ctx.lookups``, never the database), so the next page
    downloads and is mapped while this one is written. ``write`` gets what
    ``map`` made of a page's items and runs in a transaction per page. ``finish`` runs after a
    complete full read (mark vanished rows removed) and returns that count.
    """

    kind: ClassVar[str]
    entity: ClassVar[str]
    label: ClassVar[str] = ""
    interval: ClassVar[timedelta] = timedelta(minutes=15)
    incremental: ClassVar[bool] = False
    full_every: ClassVar[timedelta] = timedelta(days=1)  # incremental kinds still read everything daily
    page_size: ClassVar[int | None] = None
    # The tables ``write`` fills: analysed after a run that created many rows (``_analyse_after``).
    tables: ClassVar[tuple[type[models.Model], ...]] = ()

    def prepare(self, ctx: RefreshContext) -> None:
        """Load lookups (companies, parents...) once per run."""

    def pages(self, ctx: RefreshContext) -> Iterable[Page[Any]]:
        raise NotImplementedError

    def map(self, ctx: RefreshContext, items: Sequence[Any]) -> Any:
        """Turn a page's records into what ``write`` takes (hashes, field values); no database here."""
        return items

    def write(self, ctx: RefreshContext, items: Any) -> PageResult:
        raise NotImplementedError

    def finish(self, ctx: RefreshContext) -> int:
        return 0


REFRESHERS: dict[tuple[str, str], Refresher] = {}
_discovered = False


def register(cls: type[Refresher]) -> type[Refresher]:
    """Class decorator: make ``cls`` the refresher of its (kind, entity)."""
    REFRESHERS[(cls.kind, cls.entity)] = cls()
    return cls


def refreshers() -> dict[tuple[str, str], Refresher]:
    global _discovered
    if not _discovered:
        autodiscover_modules("refresh")
        _discovered = True
    return REFRESHERS


def refreshers_for(kind: str) -> list[Refresher]:
    return [r for (k, _), r in sorted(refreshers().items()) if k == kind]


def get_refresher(kind: str, entity: str) -> Refresher:
    try:
        return refreshers()[(kind, entity)]
    except KeyError:
        known = ", ".join(r.entity for r in refreshers_for(kind)) or "none"
        raise ValueError(f"A {kind} backend has no entity {entity!r} to refresh (it has: {known}).") from None


# --- writing mirror rows in bulk -------------------------------------------------------

@dataclass
class Incoming:
    """One upstream record, mapped to the model's fields."""

    upstream_id: str
    fields: dict[str, Any]
    upstream_data: dict[str, Any]
    content_hash: str
    upstream_updated_at: datetime | None = None


@dataclass
class Upserted:
    result: PageResult
    written: dict[str, int]  # upstream id -> pk of every row created or rewritten (children follow them)
    created: set[str] = field(default_factory=set)  # of those, the new rows (no children to replace yet)


def upsert_mirror(
    ctx: RefreshContext, model: type[models.Model], rows: Sequence[Incoming], *, natural_key: str | None = None,
    use_known: bool = True,
) -> Upserted:
    """Create new rows, rewrite changed ones, leave unchanged ones and local changes alone.

    ``natural_key`` (a field also unique per backend, e.g. the station's
    charge box identity) adopts a row the portal created before the upstream
    gave it an id, instead of failing on the second unique constraint.

    With ``ctx.known`` for the model (a full run's snapshot), rows it does not hold are taken as
    new without looking them up; one created since the run began makes their insert fail, and
    they are then written the careful way (``use_known=False``).
    """
    result, written = PageResult(), {}
    by_id = {row.upstream_id: row for row in rows}  # a page repeating a record: the last one wins
    ctx.seen.update(by_id)
    snapshot = ctx.known.get(model) if use_known else None
    known = snapshot.rows() if snapshot is not None and by_id else None
    if known is None:
        maybe = by_id
    else:
        maybe = {uid: row for uid, row in by_id.items() if uid in known.upstream_ids
                 or (natural_key and row.fields[natural_key] in known.natural_keys)}
    mine = model.objects.filter(backend=ctx.backend)
    # Locked, so a user's edit waits for this page instead of being overwritten by it.
    existing = {
        uid: (pk, digest, state, removed)
        for pk, uid, digest, state, removed in mine.select_for_update()
        .filter(upstream_id__any=list(maybe))
        .values_list("pk", "upstream_id", "content_hash", "sync_state", "removed_at")
    } if maybe else {}
    kept: dict[int, Incoming] = {}
    kept_ids: set[str] = set()
    created: set[str] = set()
    if natural_key:
        fresh = {row.fields[natural_key]: row for uid, row in maybe.items() if uid not in existing}
        clashes = (
            mine.select_for_update().filter(**{f"{natural_key}__any": list(fresh)})
            .values_list("pk", natural_key, "sync_state") if fresh else []
        )
        for pk, key, state in clashes:
            row = fresh[key]
            if state in LOCAL_CHANGE:
                kept[pk] = row
                kept_ids.add(row.upstream_id)
            else:
                model.objects.filter(pk=pk).update(upstream_id=row.upstream_id)
                existing[row.upstream_id] = (pk, "", state, None)
    upsert: list[dict[str, Any]] = []
    new: list[dict[str, Any]] = []
    for uid, row in by_id.items():
        found = existing.get(uid)
        if found is not None and found[2] in LOCAL_CHANGE:
            kept[found[0]] = row
        elif uid in kept_ids:
            continue
        elif (found is not None and found[1] == row.content_hash and found[3] is None
              and found[2] != SyncState.FAILED):
            # A failed write's row (the values the user asked for, never confirmed) is rewritten: the
            # refresh is the judge of state (issue 24), even where the upstream itself did not change.
            result.unchanged += 1
        else:
            if found is None:
                result.created += 1
                created.add(uid)
            else:
                result.updated += 1
            (new if found is None else upsert).append({
                "backend_id": ctx.backend.pk, "upstream_id": uid, **row.fields, "upstream_data": row.upstream_data,
                "content_hash": row.content_hash, "upstream_updated_at": row.upstream_updated_at,
                "sync_state": SyncState.SYNCED, "synced_at": ctx.now, "removed_at": None,
            })
    if kept:
        # Never clobber a local change: the upstream's version goes beside it only.
        model.objects.bulk_update(
            [model(pk=pk, upstream_data=row.upstream_data) for pk, row in kept.items()], ["upstream_data"]
        )
        result.kept += len(kept)
    # Only the fields the refresher maps: others (a model set by hand...) stay as they are.
    names = [*rows[0].fields, *MIRROR_FIELDS] + (["updated_at"] if _has_field(model, "updated_at") else []) \
        if rows else []
    key = ["backend", "upstream_id"]
    if new:
        try:
            with transaction.atomic():  # a savepoint: a row created meanwhile fails only this insert
                ids = bulk.insert_new(model, new, unique=key)
            written.update({uid: pk for (_, uid), pk in ids.items()})
        except IntegrityError:
            # Some exist after all (created since the run began, or meanwhile): those rows again,
            # looked up and locked like any other.
            again = upsert_mirror(ctx, model, [by_id[r["upstream_id"]] for r in new], natural_key=natural_key,
                                  use_known=False)
            result.created -= len(new)
            created -= {r["upstream_id"] for r in new}
            result.add(again.result)
            written.update(again.written)
            created |= again.created
    if upsert:
        ids = bulk.upsert(model, upsert, unique=key, update=names)
        written.update({uid: pk for (_, uid), pk in ids.items()})
    if new or upsert:
        generations.bump(model)  # bulk writes send no signals
    return Upserted(result, written, created)


def _has_field(model: type[models.Model], name: str) -> bool:
    return any(f.name == name for f in model._meta.concrete_fields)


def mark_removed(ctx: RefreshContext, queryset: models.QuerySet[Any]) -> int:
    """After a complete full read: rows of ``queryset`` the upstream no longer lists get ``removed_at``.

    Unless that is more than the removal brake lets through (``portal.removal_brake``): then
    nothing is marked and the rows are held on the Sync page for an admin to decide. The rows
    judged are those live when the run began if ``prepare`` read them (``ctx.live``), else the
    ones live now.
    """
    from portal import removal_brake as brake

    live = ctx.live.get(queryset.model)
    if live is None:
        rows = queryset.filter(backend=ctx.backend, removed_at__isnull=True, upstream_id__isnull=False)
        live = [(pk, uid) for pk, uid in rows.values_list("pk", "upstream_id").iterator(chunk_size=CHUNK)]
    gone = [pk for pk, uid in live if uid not in ctx.seen]
    brake.holds_supersede(ctx.backend, ctx.run.entity)
    if brake.brake_applies(len(gone), len(live)):
        hold = brake.hold_create(backend=ctx.backend, entity=ctx.run.entity, run=ctx.run, model=queryset.model,
                                 gone=gone, live=len(live))
        note = (f"Removal brake: {len(gone)} of {len(live)} rows are gone upstream, more than "
                f"{brake.brake_share():.0%}; held for an admin on the Sync page (hold {hold.pk}).")
        ctx.run.message = "; ".join(m for m in (ctx.run.message, note) if m)[:1000]
        return 0
    for start in range(0, len(gone), CHUNK):
        queryset.model.objects.filter(pk__in=gone[start:start + CHUNK], removed_at__isnull=True).update(
            removed_at=ctx.now)
    if gone:
        generations.bump(queryset.model)
    return len(gone)


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
    return run
