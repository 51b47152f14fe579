"""The removal brake: a full refresh that would remove too much holds those removals for an admin.

A listing can come back short for reasons no signal shows (a server bug, a
token that suddenly sees fewer records, pages that moved under us). Marking
30 % of a fleet removed on such evidence would empty dashboards and lists, so
when a full run would remove more than ``settings.REMOVAL_BRAKE_SHARE``
(default 10 %) of a backend's live rows of one entity (and at least
``REMOVAL_BRAKE_MIN_ROWS``, default 5), the rows stay as they
are and a ``RemovalHold`` lists them on the Sync page. An admin confirms
(they are marked removed) or rejects (nothing changes); both are audited.
A newer full run of the same backend and entity supersedes a pending hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from portal.audit.services import audit_record
from portal.models import Backend, RemovalHold, SyncRun, User

LABEL_MAX = 200


def brake_share() -> float:
    return float(getattr(settings, "REMOVAL_BRAKE_SHARE", 0.10))


def brake_applies(gone: int, live: int) -> bool:
    """True when removing ``gone`` of ``live`` rows is more than the brake lets through.

    A handful of removals (fewer than ``REMOVAL_BRAKE_MIN_ROWS``, default 5) never waits: one
    cancelled maintenance window of one is 100 %, and no listing cut short looks like that.
    """
    minimum = int(getattr(settings, "REMOVAL_BRAKE_MIN_ROWS", 5))
    return gone >= max(minimum, 1) and gone > brake_share() * live


def holds_supersede(backend: Backend, entity: str) -> int:
    """A newer full listing replaces the evidence of a pending hold."""
    return RemovalHold.objects.filter(backend=backend, entity=entity, status=RemovalHold.Status.PENDING).update(
        status=RemovalHold.Status.SUPERSEDED, decided_at=timezone.now()
    )


def hold_create(
    *, backend: Backend, entity: str, run: SyncRun | None, model: type[models.Model], gone: Sequence[int], live: int
) -> RemovalHold:
    rows = [
        {"pk": pk, "upstream_id": uid, "label": str(obj)[:LABEL_MAX]}
        for obj in model.objects.filter(pk__in=list(gone)).order_by("pk")
        for pk, uid in [(obj.pk, getattr(obj, "upstream_id", ""))]
    ]
    return RemovalHold.objects.create(
        backend=backend, entity=entity, run=run, model=model._meta.label, rows=rows, of_rows=live
    )


def _audit(actor: User, action: str, hold: RemovalHold, after: dict[str, Any]) -> None:
    audit_record(
        actor=actor, action=action, entity="removal_hold", entity_id=hold.pk,
        entity_label=f"{hold.backend.name} · {hold.entity}", company=hold.backend.company,
        before={"status": RemovalHold.Status.PENDING.value, "rows": hold.count, "of": hold.of_rows},
        after=after,
    )


class HoldSettled(Exception):
    """The hold was decided or superseded already (by someone else, or a newer run)."""


@transaction.atomic
def hold_confirm(*, hold: RemovalHold, actor: User) -> int:
    """Mark the held rows removed, except those a refresh has written since the hold was made."""
    hold = RemovalHold.objects.select_for_update(of=("self",)).select_related("backend", "backend__company").get(pk=hold.pk)
    if hold.status != RemovalHold.Status.PENDING:
        raise HoldSettled(f"This hold is {hold.get_status_display().lower()}; nothing was changed.")
    model = apps.get_model(hold.model)
    now = timezone.now()
    marked = (
        model.objects.filter(pk__in=[r["pk"] for r in hold.rows], backend=hold.backend, removed_at__isnull=True)
        .exclude(synced_at__gt=hold.created_at)
        .update(removed_at=now)
    )
    hold.status, hold.decided_at, hold.decided_by, hold.marked = RemovalHold.Status.CONFIRMED, now, actor, marked
    hold.save(update_fields=["status", "decided_at", "decided_by", "marked"])
    _audit(actor, "sync.removals_confirm", hold, {"status": hold.status, "marked removed": marked})
    return marked


@transaction.atomic
def hold_reject(*, hold: RemovalHold, actor: User) -> None:
    """Keep every held row as it is."""
    hold = RemovalHold.objects.select_for_update(of=("self",)).select_related("backend", "backend__company").get(pk=hold.pk)
    if hold.status != RemovalHold.Status.PENDING:
        raise HoldSettled(f"This hold is {hold.get_status_display().lower()}; nothing was changed.")
    hold.status, hold.decided_at, hold.decided_by = RemovalHold.Status.REJECTED, timezone.now(), actor
    hold.save(update_fields=["status", "decided_at", "decided_by"])
    _audit(actor, "sync.removals_reject", hold, {"status": hold.status, "marked removed": 0})
