"""Tasks of the outbox: perform one operation, resend lost ones. Task names are kept from before the
outbox had a package of its own (queued messages and beat schedules carry them)."""

from __future__ import annotations

from celery import shared_task

from outbox.operations import operation_run, operations_sweep


@shared_task(name="portal.run_operation", acks_late=True, reject_on_worker_lost=True)
def run_operation(operation_id: int) -> str:
    """Perform one outbox operation (see ``outbox.operations``); safe to run twice."""
    return operation_run(operation_id)


@shared_task(name="portal.sweep_operations")
def sweep_operations() -> int:
    """Resend operations whose message was lost or whose worker died."""
    return operations_sweep()
