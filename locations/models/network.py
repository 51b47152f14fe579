"""Live figures of a ChargEye network, filled every minute by ``locations.tasks.sample_network``.

Power samples are kept (8 days, so the dashboard can always show the last 7);
the other tables hold exactly what the upstream's feeds answered at the last
sample (stations' network status, hardware errors, problematic sessions and
transactions of the last 24 hours), so the dashboard's counts are the
upstream's counts. Every row carries its company (for scoping) and, when the
location is in the mirror, its location.
"""

from __future__ import annotations

from django.db import models


class LiveRecord(models.Model):
    backend = models.ForeignKey("portal.Backend", on_delete=models.CASCADE, related_name="+")
    # Null when the location is not (yet) in the mirror and the backend has no company:
    # such rows are seen by superusers only.
    company = models.ForeignKey("portal.Company", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    location = models.ForeignKey(
        "locations.Location", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    location_uid = models.CharField(max_length=100, blank=True)

    class Meta:
        abstract = True


class PowerSample(LiveRecord):
    """Current power of one location at one sampling time (all locations of a run share ``taken_at``)."""

    taken_at = models.DateTimeField(db_index=True)
    power_kw = models.FloatField()
    session_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["taken_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["backend", "location_uid", "taken_at"], name="power_sample_unique"),
        ]
        indexes = [models.Index(fields=["company", "taken_at"]), models.Index(fields=["location", "taken_at"])]


class NetworkStation(LiveRecord):
    """A station as the network status shows it; ``is_offline`` when none of its EVSEs can charge."""

    station_id = models.CharField(max_length=100)
    name = models.CharField(max_length=200, blank=True)
    access = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=40, blank=True, help_text="The EVSEs' statuses, worst first.")
    evse_count = models.PositiveIntegerField(default=0)
    charging_count = models.PositiveIntegerField(default=0)
    max_power_kw = models.FloatField(null=True, blank=True)
    is_offline = models.BooleanField(default=False, db_index=True)
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "station_id"]
        constraints = [models.UniqueConstraint(fields=["backend", "station_id"], name="network_station_unique")]


class HardwareError(LiveRecord):
    SEVERITY_ORDER = {"critical": 0, "major": 1, "minor": 2, "warning": 3, "info": 4}

    error_id = models.CharField(max_length=100, help_text="The alert's id.")
    station_id = models.CharField(max_length=100)
    station_name = models.CharField(max_length=200, blank=True)
    code = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=300, blank=True)
    severity = models.CharField(max_length=20, blank=True, db_index=True)
    possible_cause = models.TextField(blank=True)
    potential_solution = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "id"]
        constraints = [models.UniqueConstraint(fields=["backend", "error_id"], name="hardware_error_unique")]

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class ProblematicSession(LiveRecord):
    tx_id = models.CharField(max_length=100)
    evse_id = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=30, blank=True)
    alert = models.CharField(max_length=200, blank=True)
    ev_name = models.CharField(max_length=200, blank=True)
    ev_model = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    power_kw = models.FloatField(null=True, blank=True)
    soc = models.FloatField(null=True, blank=True)
    soc_start = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "id"]
        constraints = [models.UniqueConstraint(fields=["backend", "tx_id"], name="problematic_session_unique")]


class ChargingTransaction(LiveRecord):
    tx_id = models.CharField(max_length=100)
    evse_id = models.CharField(max_length=100, blank=True)
    ev_id = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=30, blank=True)
    fail_classification = models.CharField(max_length=60, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    power_kw = models.FloatField(null=True, blank=True)
    soc = models.FloatField(null=True, blank=True)
    soc_start = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "id"]
        constraints = [models.UniqueConstraint(fields=["backend", "tx_id"], name="transaction_unique")]
        indexes = [models.Index(fields=["company", "started_at"])]
