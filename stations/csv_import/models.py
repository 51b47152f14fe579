"""Import jobs and their rows.

A job is one uploaded file. Every row is kept with its parsed values (ids, not
names, once validated) and its problems, so the report, the confirmation and
the export of failed rows all read the same thing. Confirming creates one
station (and one outbox operation) per valid row; a row's upstream outcome is
that operation's.

A file may hold rows of several companies. Each row keeps the company of its
data (``ImportRow.company``: its backend's, else the company it names; none
when it names nothing the uploader may use), and the job keeps its counts per
company (``company_rows``), so every reader is shown only their companies'
rows and counts (``stations.csv_import.selectors``).

A job in *update* mode (``ImportJob.Mode.UPDATE``) also changes stations that
exist: a row whose charge box identity is already in the mirror on its
backend is a change of that station, previewed as a bulk change
(``stations.bulk``): the job's ``batch`` holds one ``BatchItem`` per such
row (current → new, or unchanged), and confirming the job confirms that
batch, so changes take the bulk change's (and so the single edit's) write
path. ``ImportRow.action`` says what a row is: a create, a change, or
unchanged; a row with problems is invalid whatever it would have been.

Checking a file runs under a lease, like an outbox ``Operation``: the upload
keeps the file on the job (``file_content``) with the status *validating*;
whoever checks it (the request itself for a small file, a worker for a large
one) takes the lease first and writes every row and the counts in one
transaction. A process that dies while checking leaves no rows behind and a
lease that runs out, and the sweeper (``stations.sweep_imports``, on beat's
schedule) hands the job to a worker again. After ``IMPORT_VALIDATION_MAX_ATTEMPTS``
attempts the file is refused with that reason: a job never stays validating.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy


class ImportJob(models.Model):
    class Mode(models.TextChoices):
        CREATE = "create", gettext_lazy("Create new stations only")
        UPDATE = "update", gettext_lazy("Create new stations and update existing ones")
    class Status(models.TextChoices):
        VALIDATING = "validating", gettext_lazy("Checking the file")
        VALIDATED = "validated", gettext_lazy("Ready to confirm")
        INVALID = "invalid", gettext_lazy("Has problems")
        DUPLICATE = "duplicate", gettext_lazy("Already imported")
        CONFIRMED = "confirmed", gettext_lazy("Creating stations")
        FINISHED = "finished", gettext_lazy("Finished")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64, db_index=True)
    delimiter = models.CharField(max_length=1, default=",")
    status = models.CharField(max_length=10, choices=Status.choices)
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    problem_count = models.PositiveIntegerField(default=0)
    file_problem = models.TextField(blank=True, help_text=gettext_lazy("Why the whole file was refused, if it was."))
    duplicate_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    validation_seconds = models.FloatField(default=0)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    submitted_rows = models.PositiveIntegerField(default=0, help_text=gettext_lazy("Rows handed to the write path so far."))
    finished_at = models.DateTimeField(null=True, blank=True)
    file_content = models.BinaryField(
        default=b"", blank=True, editable=False,
        help_text=gettext_lazy("The uploaded file while it waits to be checked; emptied once it is."))
    lease_until = models.DateTimeField(
        null=True, blank=True, help_text=gettext_lazy("Someone works on the job (checks its file, or sends its rows) until then."))
    enqueued_at = models.DateTimeField(null=True, blank=True, help_text=gettext_lazy("When the job was last handed to a worker."))
    validation_attempts = models.PositiveIntegerField(default=0)
    company_rows = models.JSONField(
        default=dict, blank=True,
        help_text='Rows per company of their data: {"<company id>" or "none": [rows, valid rows, problems]}.',
    )
    mode = models.CharField(max_length=6, choices=Mode.choices, default=Mode.CREATE)
    batch = models.OneToOneField(
        "stations.Batch", on_delete=models.SET_NULL, null=True, blank=True, related_name="import_job",
        help_text=gettext_lazy("Update mode: the preview of the changes to existing stations, confirmed with the job."),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "lease_until"], name="import_job_status_lease")]

    def __str__(self) -> str:
        return f"Import #{self.pk} ({self.file_name})"


class ImportRow(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", gettext_lazy("New station")
        CHANGE = "change", gettext_lazy("Change")
        UNCHANGED = "unchanged", gettext_lazy("Unchanged, skipped")
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField(help_text=gettext_lazy("Row number in the file; the header is row 1."))
    raw = models.JSONField(help_text=gettext_lazy("The row as it was in the file, column by column."))
    values = models.JSONField(default=dict, help_text=gettext_lazy("Validated values (ids), when the row is valid."))
    problems = models.JSONField(default=list, help_text=gettext_lazy("[[column, message], ...]"))
    station = models.ForeignKey("stations.Station", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    company = models.ForeignKey("portal.Company", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                help_text=gettext_lazy("The company of the row's data; none: only the uploader sees the row."))
    action = models.CharField(max_length=9, choices=Action.choices, default=Action.CREATE,
                              help_text=gettext_lazy("What the row does (when it has no problems)."))
    batch_item = models.OneToOneField(
        "stations.BatchItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="import_row",
        help_text=gettext_lazy("Update mode: the row's change (diff, base version, operation) in the job's batch."),
    )

    class Meta:
        ordering = ["job", "number"]
        constraints = [models.UniqueConstraint(fields=["job", "number"], name="import_row_number_unique")]
        indexes = [models.Index(fields=["job", "company"], name="import_row_job_company")]

    @property
    def is_valid(self) -> bool:
        return not self.problems
