"""Refresh schedules (one beat ``PeriodicTask`` per backend and entity), "refresh now", run housekeeping.

Schedules are made by :func:`refresh_schedules_ensure` (the
``portal.refresh_housekeeping`` task, every minute, and the demo seed) with
each refresher's default interval; admins change them on the Sync page.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from portal.models import Backend, SyncLock, SyncRun, User
from portal.queue import enqueue
from sync.refreshers import get_refresher, refreshers_for

SCHEDULE_TASK = "portal.refresh"


def schedule_name(backend_id: int, entity: str) -> str:
    return f"Refresh backend {backend_id}: {entity}"


def ensure_schedules_of_new_backend(sender: type, instance: Backend, created: bool, **kwargs: object) -> None:
    """A new backend gets its refresh schedules once it is committed, not at the next housekeeping
    (connected to ``Backend``'s ``post_save`` by the app config: the accounts side knows nothing of syncing)."""
    if created:
        transaction.on_commit(refresh_schedules_ensure)


def refresh_schedules_ensure() -> int:
    """One beat schedule (``PeriodicTask``) per active backend and entity; returns how many were made.

    New ones get the refresher's default interval; admins change it on the
    Sync page (or in Django's admin) and this never resets it. Schedules of
    inactive backends are disabled, those of deleted backends deleted.
    """
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    made = 0
    tasks = {t.name: t for t in PeriodicTask.objects.filter(task=SCHEDULE_TASK)}
    wanted: set[str] = set()
    for backend in Backend.objects.all():
        for refresher in refreshers_for(backend.kind):
            name = schedule_name(backend.pk, refresher.entity)
            wanted.add(name)
            task = tasks.get(name)
            if task is None and backend.is_active:
                every, _ = IntervalSchedule.objects.get_or_create(
                    every=int(refresher.interval.total_seconds()), period=IntervalSchedule.SECONDS
                )
                PeriodicTask.objects.create(
                    name=name, task=SCHEDULE_TASK, interval=every,
                    kwargs=f'{{"backend_id": {backend.pk}, "entity": "{refresher.entity}"}}',
                    description=f"{backend.name}: {refresher.label or refresher.entity}",
                )
                made += 1
            elif task is not None and not backend.is_active and task.enabled:
                task.enabled = False
                task.save(update_fields=["enabled"])
    PeriodicTask.objects.filter(task=SCHEDULE_TASK).exclude(name__in=wanted).delete()
    return made


@transaction.atomic
def schedule_set_interval(
    backend: Backend, entity: str, *, minutes: int, enabled: bool, actor: User | None = None
) -> None:
    """An admin's change to how often one entity of one backend refreshes (audited)."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    from portal.audit.services import audit_record

    if not PeriodicTask.objects.filter(name=schedule_name(backend.pk, entity)).exists():
        refresh_schedules_ensure()
    task = PeriodicTask.objects.filter(name=schedule_name(backend.pk, entity)).select_related("interval").first()
    before = {"every minutes": task.interval.every // 60 if task and task.interval else None,
              "enabled": task.enabled if task else None}
    audit_record(actor=actor, action="schedule.update", entity="schedule", entity_id=f"{backend.pk}:{entity}",
                 entity_label=f"{backend.name} · {entity}", company=backend.company, before=before,
                 after={"every minutes": minutes, "enabled": enabled})
    every, _ = IntervalSchedule.objects.get_or_create(every=minutes * 60, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.filter(name=schedule_name(backend.pk, entity)).update(interval=every, enabled=enabled)
    # django-celery-beat notices changes through this marker row.
    from django_celery_beat.models import PeriodicTasks

    PeriodicTasks.update_changed()


def runs_expire_stale(*, queued_for: timedelta = timedelta(minutes=30)) -> int:
    """Close runs that will never finish: a lost message, or a worker that died mid-run."""
    now = timezone.now()
    lost = SyncRun.objects.filter(status=SyncRun.Status.QUEUED, created_at__lt=now - queued_for).update(
        status=SyncRun.Status.FAILED, finished_at=now, message="Never started: the task was lost; the next tick retries."
    )
    held = SyncLock.objects.filter(lease_until__gte=now).values_list("run_id", flat=True)
    dead = SyncRun.objects.filter(status=SyncRun.Status.RUNNING).exclude(pk__in=list(held)).update(
        status=SyncRun.Status.FAILED, finished_at=now, message="Stopped: the worker running it went away."
    )
    return lost + dead


def runs_prune(*, keep: timedelta = timedelta(days=30)) -> int:
    """Drop settled runs older than ``keep`` (a schedule every few minutes adds up)."""
    old = SyncRun.objects.filter(created_at__lt=timezone.now() - keep).exclude(status__in=SyncRun.OPEN)
    return old.delete()[0]


def refresh_request(*, backend: Backend, entity: str, user: User | None, full: bool | None = None) -> SyncRun:
    """"Refresh now": a queued run, enqueued after commit (views never call an upstream)."""
    refresher = get_refresher(backend.kind, entity)
    with transaction.atomic():
        open_run = SyncRun.objects.filter(backend=backend, entity=entity, status__in=SyncRun.OPEN).first()
        if open_run is not None:
            return open_run
        run = SyncRun.objects.create(
            backend=backend, entity=entity, trigger=SyncRun.Trigger.MANUAL, requested_by=user,
            full=bool(full) or not refresher.incremental,  # shown while queued; the run decides for schedules
        )
        transaction.on_commit(lambda: enqueue("portal.refresh", (backend.pk, entity),
                                              {"full": full, "run_id": run.pk}))
    return run
