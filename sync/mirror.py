"""What every mirrored record shares: its backend, upstream id, and sync state."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import orjson
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

HASH_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def content_hash(data: Any) -> str:
    """A digest of ``data`` that ignores key order (orjson: about ten times faster than ``json``).

    Every app's refresher stores it on its rows (``MirrorRecord.content_hash``) to skip unchanged ones.
    """
    return hashlib.sha256(orjson.dumps(data, default=str, option=HASH_OPTIONS)).hexdigest()


def parse_upstream_time(value: str | None) -> datetime | None:
    """An upstream's ISO 8601 timestamp as an aware datetime (UTC when it names no zone), or None."""
    parsed = parse_datetime(value) if value else None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.utc)
    return parsed


class SyncState(models.TextChoices):
    SYNCED = "synced", _("Synced")
    PENDING = "pending", _("Pending")
    FAILED = "failed", _("Failed")
    CONFLICT = "conflict", _("Conflict")


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
