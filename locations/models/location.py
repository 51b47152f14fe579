"""Mirror rows for locations.

ChargEye locations carry the full address, coordinates and labels; GreenFlux
locations are the parents its stations need and carry a name only. Both
live here so a station can point at its location whatever the platform.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from sync.mirror import MirrorRecord


class Location(MirrorRecord):
    company = models.ForeignKey("portal.Company", on_delete=models.PROTECT, related_name="locations")
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    country_code = models.CharField(max_length=2, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    labels = models.JSONField(default=list, blank=True)
    # ChargEye's customer reference (``locationId``). The portal generates one for
    # every location it creates, so a create that runs twice finds the first one.
    location_ref = models.CharField(max_length=100, blank=True, db_index=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["backend", "upstream_id"], name="location_upstream_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def label_values(self) -> list[str]:
        """Label texts, whether stored as ChargEye's ``{"value", "tenantIds"}`` objects or plain strings."""
        return label_values(self.labels)

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def label_values(labels: Any) -> list[str]:
    out: list[str] = []
    for label in labels or []:
        value = label.get("value") if isinstance(label, dict) else label
        if isinstance(value, str) and value.strip():
            out.append(value.strip())
    return out
