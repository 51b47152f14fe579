"""Mirror rows of be.ENERGISED maintenance windows (docs/upstream-contract.md, fact F3: per station, optionally one connector).

A window the portal created is a pending row until the upstream answers with
its id; a cancelled one keeps its row with ``cancelled_at`` and, once the
upstream has dropped it, ``removed_at``. ``batch`` groups the windows planned
for many stations in one action, so that action's page can show each result.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from sync.mirror import MirrorRecord


class MaintenanceWindow(MirrorRecord):
    company = models.ForeignKey("portal.Company", on_delete=models.PROTECT, related_name="maintenance_windows")
    station = models.ForeignKey("stations.Station", on_delete=models.CASCADE, related_name="maintenance_windows")
    connector_uuid = models.CharField(max_length=64, blank=True, help_text="Blank: the whole station.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    comment = models.TextField()
    batch = models.UUIDField(null=True, blank=True, db_index=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["backend", "upstream_id"], name="maintenance_upstream_unique"),
        ]
        indexes = [
            models.Index(fields=["company", "ends_at", "starts_at"]),
            models.Index(fields=["station", "ends_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.station_id}: {self.starts_at:%Y-%m-%d %H:%M} – {self.ends_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        """Planned or running and not cancelled or gone upstream."""
        return self.removed_at is None and self.cancelled_at is None
