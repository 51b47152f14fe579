"""Mirror rows for charging-station models. The catalogue is shared by all companies (held by the
platform's admins); which be.ENERGISED model id a model is belongs to each company
(``stations.models.ModelIdMapping``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sync.mirror import MirrorRecord


class PowerType(models.TextChoices):
    AC_1_PHASE = "AC_1_PHASE", _("AC, 1 phase")
    AC_3_PHASE = "AC_3_PHASE", _("AC, 3 phases")
    DC = "DC", _("DC")


class StationModel(MirrorRecord):
    PowerType = PowerType

    vendor = models.CharField(max_length=200)
    model = models.CharField(max_length=200)
    friendly_name = models.CharField(max_length=200, blank=True)
    power_type = models.CharField(max_length=12, choices=PowerType.choices)
    connectors = models.JSONField(default=list, blank=True)
    ocpp_url = models.CharField(max_length=200, blank=True)
    image_url = models.CharField(max_length=500, blank=True)
    is_archived = models.BooleanField(default=False, db_index=True)

    class Meta:
        ordering = ["vendor", "model"]
        constraints = [models.UniqueConstraint(fields=["backend", "upstream_id"], name="model_upstream_unique")]

    def __str__(self) -> str:
        return self.friendly_name or f"{self.vendor} {self.model}"

    @property
    def max_power_watts(self) -> float | None:
        """The most any one connector delivers (Lynkwell's maxPowerWatts), or None when none says."""
        watts = [c.get("maxPowerWatts") for c in self.connectors or () if isinstance(c, dict)]
        numbers = [float(w) for w in watts if isinstance(w, (int, float)) and w > 0]
        return max(numbers) if numbers else None
