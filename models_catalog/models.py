"""Mirror rows for charging-station models. The catalogue is shared by all companies."""

from __future__ import annotations

from django.db import models


class StationModel(models.Model):
    class PowerType(models.TextChoices):
        AC_1_PHASE = "AC_1_PHASE", "AC, 1 phase"
        AC_3_PHASE = "AC_3_PHASE", "AC, 3 phases"
        DC = "DC", "DC"

    upstream_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    vendor = models.CharField(max_length=200)
    model = models.CharField(max_length=200)
    friendly_name = models.CharField(max_length=200, blank=True)
    power_type = models.CharField(max_length=12, choices=PowerType.choices)
    is_archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["vendor", "model"]

    def __str__(self) -> str:
        return self.friendly_name or f"{self.vendor} {self.model}"
