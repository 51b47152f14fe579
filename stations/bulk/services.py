"""Bulk changes: preview, confirm, progress, retry of failed rows, cancel.

Nothing is written upstream before ``batch_confirm``; the preview's rows are
what confirming sends (the same stored ``changes``), so the preview is what
gets written. Every function that shows or touches rows takes the user and
works on that user's companies' rows only.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from locations.models import Location
from portal.access import Role, company_ids, require_role, scoped
from portal.audit.services import audit_record
from portal.copy_insert import insert_rows
from portal.models import Operation, User
from outbox.operations import operation_retry
from stations.bulk.models import Batch, BatchItem
from stations.bulk.preview import COLUMNS, ITEM_FIELDS, preview_rows
from stations.bulk.selection import MAX_SELECTED, Selection, SelectionRefused, describe
from stations.bulk.write import operations_for


def summary_of(kind: str, params: dict[str, Any], location: Location | None) -> str:
    if kind == Batch.Kind.REFRESH:
        return "Refresh from upstream"
    parts = []
    for name, label in (("deploy_state", "deploy state"), ("default_tariff_id", "default tariff"),
                        ("charger_type", "charger type")):
        if name in params:
            parts.append(f"{label} → {params[name]}")
    if location is not None:
        parts.append(f"location → {location.name}")
    if params.get("label_prefix"):
        parts.append(f"name prefix “{params['label_prefix']}”")
    if params.get("label_suffix"):
        parts.append(f"name suffix “{params['label_suffix']}”")
    return ("Change " + ", ".join(parts))[:300]


def batch_preview_create(*, user: User, selection: Selection, kind: str, params: dict[str, Any]) -> Batch:
    """Resolve the selection, compute every row's diff, store the preview. Nothing is sent upstream."""
    started = time.perf_counter()
    form = selection.filter_form(user)
    stations_qs = selection.stations(user, form, min_role=Role.OPERATOR)
    stations = list(stations_qs.order_by("label", "id").values(*COLUMNS)[: MAX_SELECTED + 1])
    if len(stations) > MAX_SELECTED:
        raise SelectionRefused(
            f"More than {MAX_SELECTED:,} stations match; narrow the filter. Nothing was changed.")
    if not stations:
        raise SelectionRefused("No stations match this selection; nothing was changed.")
    location = None
    if params.get("location"):
        location = (scoped(Location.objects.select_related("backend"), user, min_role=Role.OPERATOR)
                    .filter(pk=params["location"]).first())
        if location is None:
            raise SelectionRefused("That location is not one of yours; nothing was changed.")
    with transaction.atomic():
        batch = Batch.objects.create(
            kind=kind, params=params, summary=summary_of(kind, params, location), selection=selection.to_json(),
            selection_text=describe(selection, len(stations), form), created_by=user,
        )
        insert_rows(BatchItem, ITEM_FIELDS, preview_rows(batch, stations, location))
        batch.companies.add(*{s["company_id"] for s in stations})  # a new batch: nothing to replace
        batch.preview_seconds = time.perf_counter() - started
        batch.save(update_fields=["preview_seconds"])
    return batch


def batches_for(user: User) -> QuerySet[Batch]:
    """Batches holding at least one row of the companies where the user is an operator (bulk changes
    are an operator's pages, so a viewer of a company never follows nor acts on its rows here)."""
    ids = company_ids(user, Role.OPERATOR)
    batches = Batch.objects.select_related("created_by", "confirmed_by")
    return batches if ids is None else batches.filter(companies__in=ids).distinct()


def items_for(batch: Batch, user: User) -> QuerySet[BatchItem]:
    return scoped(BatchItem.objects.filter(batch=batch), user, min_role=Role.OPERATOR)


def selection_text_for(batch: Batch, user: User) -> str:
    """The selection in words for this reader.

    The creator's words ("all 1,204 stations matching location Depot Noord") count every company's
    stations and may name another company's location, so a reader who does not see every company of
    the batch reads only how many of the batch's stations are theirs.
    """
    ids = company_ids(user, Role.OPERATOR)
    if ids is None or {c.pk for c in batch.companies.all()} <= set(ids):  # prefetched by batch lists
        return batch.selection_text
    n = items_for(batch, user).count()
    return f"{n:,} station{'' if n == 1 else 's'} of your companies"


def batch_counts(batch: Batch, user: User) -> dict[str, int]:
    """Rows per preview outcome, the user's companies only: one query."""
    rows = dict(items_for(batch, user).order_by().values_list("outcome").annotate(n=Count("id")))
    counts = {outcome: rows.get(outcome, 0) for outcome in BatchItem.Outcome.values}
    counts["total"] = sum(rows.values())
    return counts


def batch_progress(batch: Batch, user: User) -> dict[str, int]:
    """The confirmed rows by their operation's state: one query."""
    rows = items_for(batch, user).filter(outcome=BatchItem.Outcome.CHANGE, operation__status__isnull=False).order_by()
    by_status = dict(rows.values_list("operation__status").annotate(n=Count("id")))
    done = by_status.get(Operation.Status.DONE, 0)
    failed = by_status.get(Operation.Status.FAILED, 0)
    conflict = by_status.get(Operation.Status.CONFLICT, 0)
    discarded = by_status.get(Operation.Status.DISCARDED, 0)
    total = sum(by_status.values())
    settled = done + failed + conflict + discarded
    return {"total": total, "done": done, "failed": failed, "conflict": conflict, "discarded": discarded,
            "settled": settled, "waiting": total - settled,
            "percent": round(100 * settled / total) if total else 100}


@transaction.atomic
def batch_confirm(*, user: User, batch: Batch, via_import: bool = False) -> Batch:
    """Send every row that changes through the outbox, as one batch of operations (enqueued after commit).

    A CSV import's batch is confirmed with its import (``via_import``), which creates its new stations too.
    """
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    if (batch.kind == Batch.Kind.IMPORT) != via_import:
        raise ValueError("This batch belongs to a CSV import: confirm it on the import's page.")
    if batch.status != Batch.Status.PREVIEW:
        raise ValueError("This batch was already confirmed or cancelled; nothing was sent again.")
    if batch.created_by_id != user.pk:
        raise ValueError("Only the person who made this preview can confirm it.")
    items = list(BatchItem.objects.filter(batch=batch, outcome=BatchItem.Outcome.CHANGE, station__isnull=False))
    for company_id in {item.company_id for item in items}:  # the role may have changed since the preview
        require_role(user, Role.OPERATOR, company_id)
    operations_for(batch, items, user)  # edits mark their stations pending (stations.services)
    batch.status = Batch.Status.FINISHED if not items else Batch.Status.CONFIRMED
    batch.confirmed_by, batch.confirmed_at = user, timezone.now()
    batch.finished_at = batch.confirmed_at if not items else None
    batch.save(update_fields=["status", "confirmed_by", "confirmed_at", "finished_at"])
    _audit_confirmed(batch, items, user)
    return batch


def _audit_confirmed(batch: Batch, items: list[BatchItem], user: User) -> None:
    """One audit entry per company of the batch, each counting only that company's stations, so the
    audit trail (scoped by company) never tells one company about another's stations. A batch of one
    company keeps the creator's words for its selection."""
    companies: list[Any] = list(batch.companies.all()) or [None]
    whole = len(companies) == 1
    per_company = Counter(item.company_id for item in items)
    for company in companies:
        n = len(items) if whole else per_company.get(company.pk, 0)
        detail = batch.selection_text if whole else f"{n:,} stations of {company.name}"
        after = {"summary": batch.summary, "stations": n, **({"selection": batch.selection_text} if whole else {})}
        audit_record(actor=user, action=f"batch.{batch.kind}", entity="batch", entity_id=batch.pk, company=company,
                     entity_label=f"{batch.summary} ({detail})"[:200], after=after)


@transaction.atomic
def batch_cancel(*, user: User, batch: Batch) -> Batch:
    """Its maker, or an operator of every company of the batch, may cancel a preview."""
    if batch.created_by_id != user.pk:
        for company in batch.companies.all():
            require_role(user, Role.OPERATOR, company)
    updated = Batch.objects.filter(pk=batch.pk, status=Batch.Status.PREVIEW).update(status=Batch.Status.CANCELLED)
    if not updated:
        raise ValueError("Only a preview that was not confirmed can be cancelled.")
    batch.refresh_from_db()
    return batch


def batch_finish_if_settled(batch: Batch) -> Batch:
    if batch.status == Batch.Status.CONFIRMED:
        open_rows = BatchItem.objects.filter(batch=batch, outcome=BatchItem.Outcome.CHANGE,
                                             operation__status__in=Operation.OPEN)
        if not open_rows.exists():
            Batch.objects.filter(pk=batch.pk, status=Batch.Status.CONFIRMED).update(
                status=Batch.Status.FINISHED, finished_at=timezone.now())
            batch.refresh_from_db()
    return batch


def failed_items(batch: Batch, user: User) -> QuerySet[BatchItem]:
    return items_for(batch, user).filter(outcome=BatchItem.Outcome.CHANGE, operation__status=Operation.Status.FAILED)


def batch_retry_failed(*, user: User, batch: Batch) -> int:
    """Send only the failed rows (of the user's companies) again; the rest stay as they are."""
    count = 0
    for item in failed_items(batch, user).select_related("operation"):
        operation_retry(item.operation)
        count += 1
    if count:
        Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.CONFIRMED, finished_at=None)
        audit_record(actor=user, action="batch.retry", entity="batch", entity_id=batch.pk,
                     entity_label=batch.summary[:200], after={"rows": count})
    return count
