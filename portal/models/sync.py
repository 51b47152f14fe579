"""Refresh bookkeeping: one ``SyncRun`` per refresh, one ``SyncLock`` per backend and entity.

A run pulls one entity (stations, technicians, models...) of one backend
into the mirror (``sync.engine``). A ``RemovalHold`` keeps the removals of a
full run that would remove too large a share of a backend's rows until an
admin confirms or rejects them (the removal brake). ``SyncLock`` is a plain row per backend
and entity taken with a conditional UPDATE, so it works the same on
PostgreSQL and on the demo's SQLite: a slow run and the next beat tick never
overlap. Its lease is renewed after every page; a run whose worker died lets
the lease lapse and the next tick takes over.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy


class SyncRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", gettext_lazy("Queued")
        RUNNING = "running", gettext_lazy("Running")
        DONE = "done", gettext_lazy("Done")
        FAILED = "failed", gettext_lazy("Failed")
        SKIPPED = "skipped", gettext_lazy("Skipped")
    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", gettext_lazy("Schedule")
        MANUAL = "manual", gettext_lazy("Refresh now")
        COMMAND = "command", gettext_lazy("Command line")
    OPEN = (Status.QUEUED, Status.RUNNING)

    backend = models.ForeignKey("portal.Backend", on_delete=models.CASCADE, related_name="sync_runs")
    entity = models.CharField(max_length=40)
    full = models.BooleanField(default=True, help_text=gettext_lazy("Full read (marks vanished rows removed) or incremental."))
    since = models.DateTimeField(null=True, blank=True, help_text=gettext_lazy("Incremental runs: changes since this time."))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED, db_index=True)
    trigger = models.CharField(max_length=8, choices=Trigger.choices, default=Trigger.SCHEDULE)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pages = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True, help_text=gettext_lazy("Rows the upstream announced, if it says."))
    rows_seen = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_kept = models.PositiveIntegerField(default=0, help_text=gettext_lazy("Kept beside a local change still pending."))
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
    def with_errors(self) -> bool:
        """Finished, but some rows could not be written (``errors``): a state of its own on every page."""
        return self.status == self.Status.DONE and self.errors > 0

    @property
    def state_label(self) -> str:
        """The run's state as every page words it: "done with errors" is not "done"."""
        return "done with errors" if self.with_errors else self.get_status_display().lower()

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


class RemovalHold(models.Model):
    """Removals a full refresh found but did not make: too many at once to trust without a person.

    ``rows`` lists what would be marked removed (``{"pk", "upstream_id", "label"}``), ``of_rows``
    how many live rows the backend held for the entity. A newer full run of the same backend and
    entity supersedes a pending hold: its listing is the fresher evidence.
    """

    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("Waiting for an admin")
        CONFIRMED = "confirmed", gettext_lazy("Confirmed: marked removed")
        REJECTED = "rejected", gettext_lazy("Rejected: kept")
        SUPERSEDED = "superseded", gettext_lazy("Superseded by a later run")
    backend = models.ForeignKey("portal.Backend", on_delete=models.CASCADE, related_name="removal_holds")
    entity = models.CharField(max_length=40)
    model = models.CharField(max_length=100, help_text=gettext_lazy("app_label.Model of the mirror rows."))
    run = models.ForeignKey(SyncRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    rows = models.JSONField(default=list)
    of_rows = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    marked = models.PositiveIntegerField(default=0, help_text=gettext_lazy("Rows marked removed on confirmation."))

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"hold of {len(self.rows)} {self.entity} of {self.backend_id} ({self.status})"

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def percent(self) -> float:
        return 100.0 * len(self.rows) / self.of_rows if self.of_rows else 100.0
