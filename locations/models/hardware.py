"""ChargEye's stations of a location, mirrored on the refresh schedule (``locations.refresh``).

What the stations endpoint reports about each station's hardware and state:
firmware, vendor and model, serial number, operational status, the
connectors' status and actual maximum power. Shown on the location's page,
and on the page of the portal station with the same identity (the ChargEye
``stationId`` equals the station's charge box identity).
"""

from __future__ import annotations

from django.db import models

from sync.mirror import MirrorRecord


class ChargEyeStation(MirrorRecord):
    company = models.ForeignKey("portal.Company", on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey("locations.Location", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="chargeye_stations")
    name = models.CharField(max_length=200, blank=True)
    vendor = models.CharField(max_length=200, blank=True)
    model = models.CharField(max_length=200, blank=True)
    firmware_version = models.CharField(max_length=100, blank=True)
    serial_number = models.CharField(max_length=100, blank=True)
    operational_status = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=40, blank=True, help_text="The station's status as ChargEye reports it.")
    max_power_kw = models.FloatField(null=True, blank=True)
    # [{"id", "name", "type", "status", "max_power_kw", "max_power_kw_actual"}]
    connectors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name", "upstream_id"]
        constraints = [models.UniqueConstraint(fields=["backend", "upstream_id"], name="ce_station_upstream_unique")]
        indexes = [models.Index(fields=["upstream_id"], name="ce_station_identity")]

    def __str__(self) -> str:
        return self.name or str(self.upstream_id)

    @property
    def station_id(self) -> str:
        return str(self.upstream_id or "")
