"""Reads of import jobs, scoped by the companies of the rows they hold.

A job spanning two companies is visible to a user of either, but each reader
sees only their companies' rows, and the counts (rows, valid rows, problems,
progress) of those rows alone: a user of B cannot learn from a total how many
rows A had. What a partial reader does learn is *that* other rows exist (the
job cannot be confirmed by them, and its status covers every row), never how
many or what they hold. Rows naming nothing the uploader may use belong to
the uploader alone. Superusers see everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from portal.access import Role, company_keys, scoped_or_own
from portal.models import User
from stations.csv_import.models import ImportJob, ImportRow


def imports_for(user: User) -> QuerySet[ImportJob]:
    """Jobs the user uploaded, or holding a row of one of the user's companies."""
    jobs = ImportJob.objects.select_related("created_by").defer("file_content")  # a file waiting to be checked
    keys = company_keys(user, owner=False, min_role=Role.OPERATOR)
    if keys is None:
        return jobs
    return jobs.filter(Q(created_by=user) | Q(company_rows__has_any_keys=sorted(keys)))


def import_rows_for(job: ImportJob, user: User) -> QuerySet[ImportRow]:
    return scoped_or_own(ImportRow.objects.filter(job=job), user, owner_field="job__created_by", min_role=Role.OPERATOR)


@dataclass(frozen=True)
class ImportView:
    """One job as one reader sees it."""

    job: ImportJob
    total: int
    valid: int
    problems: int
    whole: bool  # the reader sees every row of the job (and so may confirm it)
    rows: QuerySet[ImportRow]


def import_view(job: ImportJob, user: User) -> ImportView:
    keys = company_keys(user, owner=job.created_by_id == user.pk, min_role=Role.OPERATOR)
    parts = job.company_rows or {}
    if keys is None:
        keys = set(parts)
    mine = [counts for key, counts in parts.items() if key in keys]
    return ImportView(
        job=job, total=sum(c[0] for c in mine), valid=sum(c[1] for c in mine), problems=sum(c[2] for c in mine),
        whole=set(parts) <= keys, rows=import_rows_for(job, user),
    )
