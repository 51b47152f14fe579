"""Batches of bulk changes and their rows.

A batch is one action on one selection (checked rows, or every station matching
a filter, kept as the filter's query string). Previewing it stores one row per
selected station: what would change (current → new), or why nothing will
(unchanged, or the action cannot apply, with the reason). Confirming sends the
rows that change through the outbox; a row's upstream outcome is its operation's.
The row names its operation by the operation's ``key``, chosen at preview time,
so confirming 10,000 rows writes no row twice.

A batch belongs to the companies of the stations it holds: each user sees the
batch, its counts and its rows only for their own companies.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy


class Batch(models.Model):
    class Kind(models.TextChoices):
        CHANGE = "change", gettext_lazy("Change fields")
        REFRESH = "refresh", gettext_lazy("Refresh from upstream")
        MAINTENANCE = "maintenance", gettext_lazy("Schedule maintenance")
        IMPORT = "import", "CSV import changes"  # confirmed with its import job only

    class Status(models.TextChoices):
        PREVIEW = "preview", gettext_lazy("Preview, nothing sent")
        CONFIRMED = "confirmed", gettext_lazy("Sending")
        FINISHED = "finished", gettext_lazy("Finished")
        CANCELLED = "cancelled", gettext_lazy("Cancelled, nothing sent")
    EDIT_KINDS = (Kind.CHANGE, Kind.IMPORT)  # batches whose rows are edits of station fields

    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    params = models.JSONField(default=dict, help_text=gettext_lazy("The action's parameters, e.g. the new field values."))
    summary = models.CharField(max_length=300, blank=True, help_text=gettext_lazy("The action in words."))
    selection = models.JSONField(default=dict, help_text='{"filter": "<query string>"} or {"ids": [...]}')
    selection_text = models.CharField(max_length=300, blank=True)
    companies = models.ManyToManyField("portal.Company", related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    preview_seconds = models.FloatField(default=0)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Batch #{self.pk} ({self.get_kind_display()})"


class BatchItem(models.Model):
    class Outcome(models.TextChoices):
        CHANGE = "change", gettext_lazy("Changes")
        UNCHANGED = "unchanged", gettext_lazy("Unchanged, skipped")
        SKIPPED = "skipped", gettext_lazy("Cannot apply")
    # Rows are read by batch through the (batch, outcome, id) index below; an index of their own on
    # batch, or on the operation key (rows lead to their operation, never the reverse), would only
    # add to every preview's writes (10,000 rows: about a fifth of its time).
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="items", db_index=False)
    station = models.ForeignKey("stations.Station", on_delete=models.SET_NULL, null=True, related_name="+")
    company = models.ForeignKey("portal.Company", on_delete=models.PROTECT, related_name="+")
    label = models.CharField(max_length=200)
    identity = models.CharField(max_length=200)
    backend_name = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.CharField(max_length=300, blank=True, help_text=gettext_lazy("Why the action cannot apply."))
    diff = models.JSONField(default=list, help_text=gettext_lazy("[[field label, current, new], ...] as shown in the preview"))
    changes = models.JSONField(default=dict, help_text=gettext_lazy("{upstream field: new value}: exactly what is written"))
    base = models.JSONField(default=dict, help_text=gettext_lazy("{upstream field: value the preview showed}"))
    base_etag = models.CharField(max_length=200, blank=True, help_text=gettext_lazy("The version the preview was based on."))
    operation = models.ForeignKey(
        "portal.Operation", to_field="key", db_column="operation_key", default=uuid.uuid4,
        on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, null=True, related_name="+",
        help_text=gettext_lazy("The operation's key, chosen at preview; the operation exists once the batch is confirmed."),
    )

    class Meta:
        ordering = ["batch", "id"]
        indexes = [models.Index(fields=["batch", "outcome", "id"])]

    def __str__(self) -> str:
        return f"{self.label} in batch #{self.batch_id}"
