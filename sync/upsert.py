"""Writing mirror rows in bulk: the shared write of every refresher.

:func:`upsert_mirror`: one SELECT to see what is there; rows whose content hash did not change are
left alone (upstreams bump timestamps without real changes); rows with a local change still pending
or in conflict only get the upstream's version beside it (``upstream_data``); the rest go in one
``INSERT ... ON CONFLICT DO UPDATE``. After a complete full read :func:`mark_removed` marks the rows
the upstream no longer lists as removed (through the removal brake); nothing is deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, models, transaction

from portal import generations
from portal import lookups  # noqa: F401  (registers ``__any``)
from sync import bulk
from sync.mirror import SyncState

from sync.refreshers import PageResult, RefreshContext


MIRROR_FIELDS = ("sync_state", "upstream_updated_at", "synced_at", "removed_at", "content_hash", "upstream_data")
LOCAL_CHANGE = (SyncState.PENDING, SyncState.CONFLICT)
CHUNK = 5000


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

    Unless that is more than the removal brake lets through (``sync.removal_brake``): then
    nothing is marked and the rows are held on the Sync page for an admin to decide. The rows
    judged are those live when the run began if ``prepare`` read them (``ctx.live``), else the
    ones live now.
    """
    from sync import removal_brake as brake

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


