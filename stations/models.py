"""Mirror rows for charging stations.

The foundation keeps only what every later feature needs (company, label,
charge box identity); EVSEs, connectors, etags and the sync state arrive with
the stations issue.
"""

from __future__ import annotations

from django.db import models


class Station(models.Model):
    company = models.ForeignKey("portal.Company", on_delete=models.PROTECT, related_name="stations")
    label = models.CharField(max_length=200)
    charge_box_identity = models.CharField(max_length=200, unique=True)
    serial_number = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["label", "id"]

    def __str__(self) -> str:
        return f"{self.label} ({self.charge_box_identity})"
