"""Alerts, the conditions the rules are watching, per-company thresholds, and who has looked.

A rule (``alerts.rules``) finds *conditions* in the mirror: this station is offline, that write
failed. A condition is remembered from the first evaluation that saw it (``Condition.since``); once
it has lasted its company's threshold an ``Alert`` opens, at most one open alert per condition and
record (a partial unique constraint). When the condition clears the alert resolves by itself; a
condition back within the hold-down time after that opens nothing until the hold-down has passed.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    STATION_OFFLINE = "station_offline", _("Station offline")
    CONNECTOR_ERROR = "connector_error", _("Connector or hardware error")
    WRITE_FAILED = "write_failed", _("Change failed")
    CONFLICT_WAITING = "conflict_waiting", _("Conflict waiting")
    REFRESH_FAILED = "refresh_failed", _("Refresh failed")
    REMOVALS_HELD = "removals_held", _("Removals held")
    CREDENTIALS_FAILING = "credentials_failing", _("Credentials failing")
    MAINTENANCE_SOON = "maintenance_soon", _("Maintenance starting soon")
    IMPORT_REFUSED = "import_refused", _("Import with refused rows")


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    WARNING = "warning", _("Warning")
    INFO = "info", _("Information")


SEVERITY_ORDER = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}


class AlertSettings(models.Model):
    """One company's thresholds and hold-down; a company without a row uses the defaults."""

    DEFAULTS = {"offline_after": 300, "connector_error_after": 120, "conflict_after": 3600,
                "maintenance_within": 24 * 3600, "hold_down": 600}

    company = models.OneToOneField("portal.Company", on_delete=models.CASCADE, related_name="alert_settings")
    offline_after = models.PositiveIntegerField(default=DEFAULTS["offline_after"], help_text="Seconds.")
    connector_error_after = models.PositiveIntegerField(default=DEFAULTS["connector_error_after"])
    conflict_after = models.PositiveIntegerField(default=DEFAULTS["conflict_after"])
    maintenance_within = models.PositiveIntegerField(default=DEFAULTS["maintenance_within"])
    hold_down = models.PositiveIntegerField(default=DEFAULTS["hold_down"])
    updated_at = models.DateTimeField(auto_now=True)

    def threshold(self, kind: str) -> timedelta:
        """How long a condition of ``kind`` lasts before its alert opens."""
        seconds = {Kind.STATION_OFFLINE: self.offline_after, Kind.CONNECTOR_ERROR: self.connector_error_after,
                   Kind.CONFLICT_WAITING: self.conflict_after}.get(kind, 0)
        return timedelta(seconds=seconds)


class Condition(models.Model):
    """A condition a rule found at the last evaluation, and since when it holds."""

    company = models.ForeignKey("portal.Company", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    subject_type = models.CharField(max_length=30)
    subject_key = models.CharField(max_length=120)
    since = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "subject_type", "subject_key"],
                                               name="alert_condition_unique")]

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.subject_type, self.subject_key)


class Alert(models.Model):
    # Null company: a record no company holds (a ChargEye location not in the mirror): superusers only.
    company = models.ForeignKey("portal.Company", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    subject_type = models.CharField(max_length=30)
    subject_key = models.CharField(max_length=120)
    subject_label = models.CharField(max_length=200, help_text="The record's name, as the mirror has it.")
    detail = models.CharField(max_length=500, blank=True, help_text="Upstream text (an error code), shown as is.")
    link = models.CharField(max_length=300, blank=True, help_text="The page where the user acts.")
    condition_since = models.DateTimeField()
    opened_at = models.DateTimeField(db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledge_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "subject_type", "subject_key"],
                                               condition=Q(resolved_at__isnull=True), name="alert_open_once")]
        indexes = [models.Index(fields=["company", "resolved_at", "opened_at"]),
                   models.Index(fields=["resolved_at", "opened_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject_label}"

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.subject_type, self.subject_key)

    @property
    def headline(self) -> str:
        """One sentence in the reader's language; the record's name is upstream text, shown as is."""
        sentences = {
            Kind.STATION_OFFLINE: gettext("%(label)s is offline"),
            Kind.CONNECTOR_ERROR: gettext("Hardware error on %(label)s"),
            Kind.WRITE_FAILED: gettext("A change of %(label)s failed"),
            Kind.CONFLICT_WAITING: gettext("A change of %(label)s waits in conflict"),
            Kind.REFRESH_FAILED: gettext("Refresh failed: %(label)s"),
            Kind.REMOVALS_HELD: gettext("Removals held: %(label)s"),
            Kind.CREDENTIALS_FAILING: gettext("The credentials of %(label)s stopped working"),
            Kind.MAINTENANCE_SOON: gettext("Maintenance of %(label)s starts soon"),
            Kind.IMPORT_REFUSED: gettext("The import %(label)s refused rows"),
        }
        return sentences.get(self.kind, "%(label)s") % {"label": self.subject_label}

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None


class AlertSeen(models.Model):
    """When a user last opened the Alerts page: alerts opened later are unread (the bell's count)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()


# --- Delivery: subscriptions, e-mail and webhooks (durable rows with attempts, like the write outbox) ---

class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the portal")
    EMAIL = "email", _("E-mail")
    DIGEST = "digest", _("Daily digest")
    OFF = "off", _("Off")


class Subscription(models.Model):
    """How one user hears of one kind of alert of one company; without a row: in the portal only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey("portal.Company", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.IN_APP)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "company", "kind"], name="alert_subscription_unique")]


class DeliveryState(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    IN_FLIGHT = "in_flight", _("Being sent")
    SENT = "sent", _("Delivered")
    FAILED = "failed", _("Gave up")


class Delivery(models.Model):
    """What a durable delivery has: attempts, when to try next, a worker's lease, the last error."""

    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    not_before = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        abstract = True


class MailItem(models.Model):
    """One alert's news (opened or resolved) for one user, waiting to be grouped into a message."""

    class Event(models.TextChoices):
        OPENED = "opened", _("opened")
        RESOLVED = "resolved", _("resolved")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=8, choices=Event.choices)
    digest = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    mail = models.ForeignKey("AlertMail", on_delete=models.SET_NULL, null=True, blank=True, related_name="items")

    class Meta:
        indexes = [models.Index(fields=["mail", "digest", "created_at"])]


class AlertMail(Delivery):
    """One message to one user (plain text and HTML), sent through Django's mail API, or kept in the
    demo mailbox."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    body_html = models.TextField()
    digest = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "not_before"])]


class Webhook(models.Model):
    """A URL an admin registered for a company's alerts; each delivery is signed (Standard Webhooks)."""

    company = models.ForeignKey("portal.Company", on_delete=models.CASCADE, related_name="+")
    url = models.URLField(max_length=500)
    encrypted_secret = models.TextField(editable=False)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["company", "url", "id"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(Delivery):
    """One alert event for one webhook; retried with the same ``webhook-id`` until the receiver says 2xx."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="+")
    message_id = models.CharField(max_length=64, unique=True)
    event = models.CharField(max_length=30)
    payload = models.JSONField()
    response_status = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "not_before"])]
