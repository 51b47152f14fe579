"""Running the write outbox: create, enqueue, claim, perform and settle operations.

Apps register one :class:`OperationHandler` per operation kind (in their
``operations.py``, imported when the app is ready). The engine here knows
nothing of stations or models; it only knows the life of an operation:

queued → in_flight (a lease) → done | failed | conflict, with retries going
back to queued with a later ``not_before``. Every step is safe to repeat: a
settled operation is never run again, and a second worker finds the lease.
At most one write per record runs at a time, in the order they were made
(``_target_busy``): two edits of one station never race for the same etag.
"""

from __future__ import annotations

import logging
import random
import uuid
from datetime import timedelta
from typing import Any, ClassVar

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from upstreams import Conflict, OutcomeUnknown, RateLimited, UpstreamError
from portal.copy_insert import insert_rows
from portal.leases import Lease
from portal.models import Backend, Company, Operation, User
from portal.queue import enqueue

log = logging.getLogger(__name__)

HANDLERS: dict[str, OperationHandler] = {}

# A worker's hold on an operation it runs, and how long its message may take before the sweeper resends it.
LEASE = Lease("OUTBOX_LEASE_SECONDS", 120, "OUTBOX_RESEND_AFTER_SECONDS", 60)


class OperationHandler:
    """How one kind of operation is performed upstream and applied to the mirror.

    ``perform`` runs outside any transaction and must be safe to run twice
    (look the record up before creating it again). ``apply``, ``on_conflict``
    and ``on_failed`` run inside the transaction that settles the operation.
    """

    kind: ClassVar[str]

    def perform(self, op: Operation, connector: Any) -> Any:
        raise NotImplementedError

    def apply(self, op: Operation, result: Any) -> dict[str, Any]:
        """Write the upstream's answer to the mirror; return a JSON summary kept on the operation."""
        raise NotImplementedError

    def on_conflict(self, op: Operation, current: Any) -> dict[str, Any] | None:
        """Keep the upstream's current version; return it as JSON for the operation row."""
        return None

    def on_failed(self, op: Operation) -> None:
        """Mark the mirror row failed (the message is on the operation)."""


def _others_on_target(op: Operation) -> Any:
    """The other operations on ``op``'s record."""
    return Operation.objects.filter(target_type=op.target_type, target_id=op.target_id).exclude(pk=op.pk)


def other_writes_open(op: Operation) -> bool:
    """Whether another write to the same record is still on its way (its row stays pending till then)."""
    return _others_on_target(op).filter(status__in=Operation.OPEN).exists()


def register(handler_class: type[OperationHandler]) -> type[OperationHandler]:
    HANDLERS[handler_class.kind] = handler_class()
    return handler_class


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def operation_create(
    *,
    kind: str,
    backend: Backend,
    company: Company | None,
    target_type: str,
    target_id: int | None,
    target_label: str = "",
    payload: dict[str, Any],
    base_etag: str = "",
    user: User | None = None,
    parent: Operation | None = None,
) -> Operation:
    """Record a write and enqueue it once the surrounding transaction commits."""
    if kind not in HANDLERS:
        raise ValueError(f"No handler registered for operation kind {kind!r}")
    op = Operation.objects.create(
        kind=kind, backend=backend, company=company, target_type=target_type, target_id=target_id,
        target_label=target_label[:200], payload=payload, base_etag=base_etag or "",
        created_by=user if user is not None and user.is_authenticated else None, parent=parent,
        max_attempts=int(_setting("OUTBOX_MAX_ATTEMPTS", 8)),
    )
    _audit(op, user)
    if parent is None:
        operation_enqueue_on_commit(op.pk)  # a later step is enqueued when its parent is done
    return op


OPERATION_FIELDS = ("key", "kind", "backend_id", "company_id", "target_type", "target_id", "target_label", "payload",
                    "base_etag", "created_by_id", "max_attempts")


def operations_create_many(specs: list[dict[str, Any]], *, user: User | None) -> list[int]:
    """Record many writes at once (a confirmed batch), enqueue them after commit; return their ids.

    Each spec has the fields of :func:`operation_create` (no ``parent``) plus
    ``before`` for the audit trail (the values the user saw). A fixed number
    of queries whatever the count: the operations' ids drawn at once, one
    insert (COPY, ``portal.copy_insert``) for the operations, one for their
    audit entries; the enqueue after commit is one update and one broker
    message per operation, sent in pipelined batches over a single connection.
    """
    from portal.audit.services import audit_records_many

    person = user if user is not None and user.is_authenticated else None
    max_attempts = int(_setting("OUTBOX_MAX_ATTEMPTS", 8))
    rows = []
    for spec in specs:
        if spec["kind"] not in HANDLERS:
            raise ValueError(f"No handler registered for operation kind {spec['kind']!r}")
        rows.append((
            spec.get("key") or uuid.uuid4(), spec["kind"], spec["backend_id"], spec.get("company_id"),
            spec["target_type"], spec.get("target_id"), str(spec.get("target_label", ""))[:200], spec["payload"],
            spec.get("base_etag") or "", person.pk if person else None, max_attempts,
        ))
    ids = insert_rows(Operation, OPERATION_FIELDS, rows, ids=True)
    audit_records_many(actor=user, entries=[
        {"action": spec["kind"], "entity": spec["target_type"], "entity_id": spec.get("target_id"),
         "entity_label": row[6], "company_id": spec.get("company_id"), "before": spec.get("before"),
         "after": spec["payload"].get("changes") or spec["payload"].get("document") or spec["payload"] or None}
        for spec, row in zip(specs, rows)
    ])
    transaction.on_commit(lambda: operations_enqueue_many(ids))
    return ids


# Mirror models by operation target type: the audit's "before" is their last upstream version.
TARGET_MODELS = {
    "station": "stations.Station",
    "location": "locations.Location",
    "station_model": "models_catalog.StationModel",
}


def _audit(op: Operation, user: User | None) -> None:
    from django.apps import apps

    from portal.audit.services import audit_record

    before = None
    model_name = TARGET_MODELS.get(op.target_type)
    if model_name and op.target_id and not op.kind.endswith(".create"):
        before = (
            apps.get_model(model_name).objects.filter(pk=op.target_id).values_list("upstream_data", flat=True).first()
        )
    after = op.payload.get("document") or op.payload.get("changes") or op.payload
    audit_record(actor=user, action=op.kind, entity=op.target_type, entity_id=op.target_id,
                 entity_label=op.target_label, company=op.company, before=before or None, after=after or None)


def operation_enqueue_on_commit(op_id: int, countdown: float = 0) -> None:
    transaction.on_commit(lambda: operation_enqueue(op_id, countdown))


def operation_enqueue(op_id: int, countdown: float = 0) -> None:
    """Hand the operation to the broker. Losing this message is fine: the sweeper resends."""
    Operation.objects.filter(pk=op_id).update(enqueued_at=timezone.now())
    try:
        enqueue("portal.run_operation", (op_id,), countdown=max(0.0, countdown))
    except Exception:  # The broker is down: the row stays queued and the sweeper retries.
        log.warning("Could not enqueue operation %s; the sweeper will resend it", op_id, exc_info=True)


def operations_enqueue_many(op_ids: list[int]) -> None:
    """Hand many operations to the broker over one connection; a lost message is resent by the sweeper.

    The messages go out in pipelined batches where the broker allows it (Redis: one round trip per
    thousand messages rather than one each), one by one otherwise (the demo's SQLite broker).
    """
    if not op_ids:
        return
    Operation.objects.filter(pk__in=op_ids).update(enqueued_at=timezone.now())
    try:
        with current_app.producer_or_acquire() as producer, producer.batch():
            for op_id in op_ids:
                # The argument's repr given, as Celery would write it (its saferepr is slow, 10,000 times).
                enqueue("portal.run_operation", (op_id,), producer=producer, argsrepr=f"({op_id},)", kwargsrepr="{}")
    except Exception:  # The broker is down: the rows stay queued and the sweeper retries.
        log.warning("Could not enqueue %s operations; the sweeper will resend them", len(op_ids), exc_info=True)


def _lock_target(op: Operation) -> None:
    """Serialise claims on one record: two workers must not both find it free (PostgreSQL only).

    A transaction-scoped advisory lock on the target, so the check in
    :func:`_target_busy` and the claim that follows are one step. SQLite (the
    demo) writes one transaction at a time anyway.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                           [f"outbox:{op.target_type}:{op.target_id}"])


def _due(now: Any) -> Q:
    """Queued operations that could run now (not backed off, not waiting for an earlier step)."""
    return (Q(status=Operation.Status.QUEUED)
            & (Q(not_before__isnull=True) | Q(not_before__lte=now + timedelta(seconds=1)))
            & (Q(parent__isnull=True) | Q(parent__status=Operation.Status.DONE)))


def _target_busy(op: Operation, now: Any) -> bool:
    """Whether another write to the same record must go first: at most one runs per record.

    Two writes to one station sent at once would both read the same etag and
    one would fail with 412, a conflict the user has to decide although the
    edits may not even overlap. So a write waits while another one to the same
    record is in flight (its lease alive), and writes that are due run in the
    order they were made. An earlier write that is backed off after a failure
    does not hold later ones up; when it runs, the three-way merge of its
    handler sees what changed meanwhile. A waiting write is sent again when
    the one before it settles (:func:`_wake_next`), or by the sweeper.
    """
    in_flight = Q(status=Operation.Status.IN_FLIGHT) & LEASE.alive(now)
    earlier_due = _due(now) & Q(pk__lt=op.pk)
    blockers = _others_on_target(op).filter(in_flight | earlier_due).order_by("pk")
    blocker = blockers.values_list("pk", "status").first()
    if blocker is None:
        return False
    if blocker[1] == Operation.Status.QUEUED:
        operation_enqueue_on_commit(blocker[0])  # its message may have been lost: make sure it comes
    return True


def _wake_next(op: Operation) -> None:
    """Send the writes that waited for this one to the same record (see :func:`_target_busy`)."""
    if op.target_id is None:
        return
    waiting = _others_on_target(op).filter(_due(timezone.now())).order_by("pk")
    for op_id in waiting.values_list("pk", flat=True)[:20]:
        operation_enqueue(op_id)


def _claim(op_id: int) -> Operation | None:
    now = timezone.now()
    with transaction.atomic():
        op = Operation.objects.select_for_update().filter(pk=op_id).first()
        if op is None or op.status in Operation.SETTLED:
            return None
        if op.status == Operation.Status.IN_FLIGHT and LEASE.held(op, now):
            return None  # another worker holds it
        if op.not_before and op.not_before > now + timedelta(seconds=1):
            return None  # too early; the scheduled retry or the sweeper brings it back
        if op.parent_id and op.parent.status != Operation.Status.DONE:
            return None  # a later step of a chain waits for the one before
        if op.target_id is not None:
            _lock_target(op)
            if _target_busy(op, now):
                return None  # another write to this record goes first; it wakes this one when settled
        op.status = Operation.Status.IN_FLIGHT
        op.attempts += 1
        LEASE.take(op, now)
        op.save(update_fields=["status", "attempts", "lease_until", "updated_at"])
        return op


def _backoff(op: Operation, exc: UpstreamError) -> float:
    base = _setting("OUTBOX_BACKOFF_SECONDS", 2.0)
    delay = min(_setting("OUTBOX_BACKOFF_MAX_SECONDS", 300.0), base * 2 ** (op.attempts - 1))
    delay = delay * (0.5 + random.random() / 2)
    if isinstance(exc, RateLimited) and exc.retry_after:
        delay = max(delay, exc.retry_after)
    return delay


def _settle(op: Operation, status: str, **fields: Any) -> None:
    op.status = status
    op.lease_until = None
    if status in Operation.SETTLED:
        op.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(op, name, value)
    op.save()


def operation_run(op_id: int) -> str:
    """Run one operation if it is due and not held; return what happened (for logs and tests)."""
    op = _claim(op_id)
    if op is None:
        return "skipped"
    try:
        return _perform_and_settle(op)
    finally:
        _wake_next(op)


def _perform_and_settle(op: Operation) -> str:
    handler = HANDLERS[op.kind]
    try:
        with op.backend.connector() as connector:
            result = handler.perform(op, connector)
    except Conflict as exc:
        with transaction.atomic():
            current = handler.on_conflict(op, exc.current)
            _settle(op, Operation.Status.CONFLICT, upstream_current=current, error_message=exc.message)
        return "conflict"
    except UpstreamError as exc:
        # OutcomeUnknown: handlers reconcile before writing again, so a retry is safe.
        retry = exc.retryable or isinstance(exc, OutcomeUnknown)
        return _fail_or_retry(op, handler, exc, retry=retry)
    except Exception as exc:  # A bug or a broken backend setting: keep the operation, retry, then fail.
        log.exception("Operation %s (%s) raised", op.pk, op.kind)
        return _fail_or_retry(op, handler, exc, retry=True)
    with transaction.atomic():
        summary = handler.apply(op, result)
        _settle(op, Operation.Status.DONE, result=summary or {}, error_message="", field_errors={})
    for child in op.children.filter(status=Operation.Status.QUEUED):
        operation_enqueue(child.pk)
    return "done"


def _fail_or_retry(op: Operation, handler: OperationHandler, exc: Exception, *, retry: bool) -> str:
    message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
    fields = dict(getattr(exc, "fields", {}) or {})
    if retry and op.attempts < op.max_attempts:
        delay = _backoff(op, exc) if isinstance(exc, UpstreamError) else _setting("OUTBOX_BACKOFF_SECONDS", 2.0)
        _settle(op, Operation.Status.QUEUED, not_before=timezone.now() + timedelta(seconds=delay),
                error_message=f"Attempt {op.attempts} failed, retrying: {message}")
        operation_enqueue(op.pk, countdown=delay)
        return "retry"
    if retry:
        message = f"Gave up after {op.attempts} attempts: {message}"
    with transaction.atomic():
        _settle(op, Operation.Status.FAILED, error_message=message, field_errors=fields)
        handler.on_failed(op)
        # Later steps of a chain cannot run without this one.
        op.children.filter(status=Operation.Status.QUEUED).update(
            status=Operation.Status.FAILED, error_message="An earlier step failed.", finished_at=timezone.now()
        )
    return "failed"


def operation_retry(op: Operation) -> Operation:
    """Send a failed operation again (the user pressed retry); its record shows pending meanwhile."""
    from django.apps import apps

    with transaction.atomic():
        retried = Operation.objects.filter(pk=op.pk, status=Operation.Status.FAILED).update(
            status=Operation.Status.QUEUED, attempts=0, not_before=None, finished_at=None,
            error_message="", field_errors={},
        )
        model_name = TARGET_MODELS.get(op.target_type)
        if retried and model_name and op.target_id:
            apps.get_model(model_name).objects.filter(pk=op.target_id).update(sync_state="pending")
        operation_enqueue_on_commit(op.pk)
    op.refresh_from_db()
    return op


def operations_sweep() -> int:
    """Re-enqueue operations whose message was lost or whose worker died; return how many."""
    now = timezone.now()
    due = Operation.objects.filter(
        Q(not_before__isnull=True) | Q(not_before__lte=now),
        LEASE.sweepable(now),  # a queued operation holds no lease: its message was lost or never sent
        Q(parent__isnull=True) | Q(parent__status=Operation.Status.DONE),
        status=Operation.Status.QUEUED,
    )
    dead = Operation.objects.filter(LEASE.expired(now), status=Operation.Status.IN_FLIGHT)
    ids = list(due.values_list("pk", flat=True)[:500]) + list(dead.values_list("pk", flat=True)[:500])
    for op_id in ids:
        operation_enqueue(op_id)
    return len(ids)

