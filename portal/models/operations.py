"""The write outbox: one ``Operation`` row for every write sent upstream.

A view changes the mirror row (marked pending) and adds an Operation in the
same transaction; the task is enqueued on commit (``outbox.operations``). The
worker takes a lease on the row, calls the upstream and settles it as done,
failed (with the upstream's message), or conflict (with the upstream's
current version). ``not_before`` and ``lease_until`` let a sweeper re-enqueue
rows whose message was lost or whose worker died, and make a second run of
the same operation harmless.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy


class Operation(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", gettext_lazy("Queued")
        IN_FLIGHT = "in_flight", gettext_lazy("In flight")
        DONE = "done", gettext_lazy("Done")
        FAILED = "failed", gettext_lazy("Failed")
        CONFLICT = "conflict", gettext_lazy("Conflict")
        DISCARDED = "discarded", gettext_lazy("Discarded")
    OPEN = (Status.QUEUED, Status.IN_FLIGHT)
    SETTLED = (Status.DONE, Status.FAILED, Status.CONFLICT, Status.DISCARDED)

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=40, help_text=gettext_lazy("<entity>.<action>, e.g. station.create"))
    backend = models.ForeignKey("portal.Backend", on_delete=models.PROTECT, related_name="operations")
    company = models.ForeignKey(
        "portal.Company", on_delete=models.PROTECT, null=True, blank=True, related_name="operations"
    )
    target_type = models.CharField(max_length=30)
    target_id = models.BigIntegerField(null=True, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    payload = models.JSONField(default=dict)
    base_etag = models.CharField(max_length=200, blank=True)
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=8)
    not_before = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)

    result = models.JSONField(default=dict, blank=True)
    error_message = models.TextField(blank=True)
    field_errors = models.JSONField(default=dict, blank=True)
    upstream_current = models.JSONField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "not_before"]),
            models.Index(fields=["target_type", "target_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN
