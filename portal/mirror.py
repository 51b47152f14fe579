"""What every mirrored record shares: its backend, upstream id, and sync state."""

from __future__ import annotations

from django.db import models


class SyncState(models.TextChoices):
    SYNCED = "synced", "Synced"
    PENDING = "pending", "Pending"
    FAILED = "failed", "Failed"
    CONFLICT = "conflict", "Conflict"


class MirrorRecord(models.Model):
    """Abstract base of mirror rows.

    ``upstream_data`` is the last document the upstream sent (what a conflict
    view compares against); ``content_hash`` lets a refresh skip rows whose
    content did not change even when the upstream bumped their timestamp.
    """

    backend = models.ForeignKey("portal.Backend", on_delete=models.PROTECT, related_name="+")
    # NULL until the upstream has the record (a pending create), so that unique
    # (backend, upstream_id) constraints hold and bulk upserts can target them.
    upstream_id = models.CharField(max_length=100, null=True, blank=True)
    sync_state = models.CharField(max_length=10, choices=SyncState.choices, default=SyncState.SYNCED, db_index=True)
    upstream_updated_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True, help_text="Gone upstream; kept, never deleted silently.")
    content_hash = models.CharField(max_length=64, blank=True)
    upstream_data = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
