"""Refresh bookkeeping: one ``SyncRun`` per refresh, one ``SyncLock`` per backend and entity.

A run pulls one entity (stations, technicians, models...) of one backend
into the mirror (``portal.sync``). ``SyncLock`` is a plain row per backend
and entity taken with a conditional UPDATE, so it works the same on
PostgreSQL and on the demo's SQLite: a slow run and the next beat tick never
overlap. Its lease is renewed after every page; a run whose worker died lets
the lease lapse and the next tick takes over.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SyncRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Schedule"
        MANUAL = "manual", "Refresh now"
        COMMAND = "command", "Command line"

    OPEN = (Status.QUEUED, Status.RUNNING)

    backend = models.ForeignKey("portal.Backend", on_delete=models.CASCADE, related_name="sync_runs")
    entity = models.CharField(max_length=40)
    full = models.BooleanField(default=True, help_text="Full read (marks vanished rows removed) or incremental.")
    since = models.DateTimeField(null=True, blank=True, help_text="Incremental runs: changes since this time.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED, db_index=True)
    trigger = models.CharField(max_length=8, choices=Trigger.choices, default=Trigger.SCHEDULE)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pages = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True, help_text="Rows the upstream announced, if it says.")
    rows_seen = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_kept = models.PositiveIntegerField(default=0, help_text="Kept beside a local change still pending.")
    rows_removed = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["backend", "entity", "status", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.entity} of {self.backend_id} #{self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def percent(self) -> int | None:
        """How far the run got, when the upstream announced a total."""
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return None
        return min(100, round(100 * self.rows_seen / self.total))

    @property
    def duration(self) -> float | None:
        if self.started_at is None:
            return None
        end = self.finished_at
        if end is None:
            from django.utils import timezone

            end = timezone.now()
        return (end - self.started_at).total_seconds()


class SyncLock(models.Model):
    """Who is refreshing one entity of one backend, until when (a lease)."""

    backend = models.ForeignKey("portal.Backend", on_delete=models.CASCADE, related_name="+")
    entity = models.CharField(max_length=40)
    run = models.ForeignKey(SyncRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["backend", "entity"], name="sync_lock_unique")]

    def __str__(self) -> str:
        return f"lock {self.backend_id}/{self.entity}"
