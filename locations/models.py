"""Mirror rows for locations (ChargEye)."""

from __future__ import annotations

from django.db import models


class Location(models.Model):
    company = models.ForeignKey("portal.Company", on_delete=models.PROTECT, related_name="locations")
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    country_code = models.CharField(max_length=2, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
