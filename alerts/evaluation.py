"""One evaluation of every rule: conditions remembered, alerts opened and resolved.

Runs in a worker (``alerts.evaluate``), queued after each refresh and sample (``alerts.triggers``),
and again when the next threshold falls due. Evaluations never run side by side (a transaction-level
advisory lock on PostgreSQL), so two refreshes ending together cannot open one condition twice; the
partial unique constraint on open alerts would refuse it anyway.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from alerts.delivery import alerts_changed
from alerts.models import Alert, AlertSettings, Condition, Kind
from alerts.rules import Found, find_all

log = logging.getLogger(__name__)

LOCK_ID = 0x616C657274  # "alert": the advisory lock of evaluations


@dataclass
class Outcome:
    """What one evaluation did (for the task's log, tests and ``make bench``)."""

    found: int = 0
    opened: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    held_down: int = 0
    next_due: datetime | None = None


class Thresholds:
    """Each company's settings, read once per evaluation; defaults for a company without a row."""

    def __init__(self) -> None:
        self.by_company = {s.company_id: s for s in AlertSettings.objects.all()}
        self.default = AlertSettings()

    def of(self, company_id: int | None) -> AlertSettings:
        return self.by_company.get(company_id, self.default) if company_id else self.default

    def due_at(self, found: Found, since: datetime) -> datetime:
        """When the condition has lasted long enough to open its alert."""
        settings = self.of(found.company_id)
        if found.kind == Kind.MAINTENANCE_SOON and found.starts_at:
            return found.starts_at - timedelta(seconds=settings.maintenance_within)
        return since + settings.threshold(found.kind)

    def hold_down(self, company_id: int | None) -> timedelta:
        return timedelta(seconds=self.of(company_id).hold_down)


def _serialise() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_ID])


def alerts_evaluate(now: datetime | None = None) -> Outcome:
    """Evaluate every rule now; open, keep or resolve alerts. A constant number of queries."""
    now = now or timezone.now()
    outcome = Outcome()
    with transaction.atomic():
        _serialise()
        found = find_all(now)
        outcome.found = len(found)
        thresholds = Thresholds()
        known = {c.key: c for c in Condition.objects.all()}

        new = [Condition(company_id=f.company_id, kind=f.kind, subject_type=f.subject_type,
                         subject_key=f.subject_key, since=min(f.since or now, now)) for key, f in found.items()
               if key not in known]
        Condition.objects.bulk_create(new, batch_size=1000)
        since = {c.key: c.since for c in [*known.values(), *new]}
        gone = [c.pk for key, c in known.items() if key not in found]
        if gone:
            Condition.objects.filter(pk__in=gone).delete()

        open_alerts = {a.key: a for a in Alert.objects.filter(resolved_at__isnull=True).only(
            "id", "kind", "subject_type", "subject_key")}
        resolving = [a.pk for key, a in open_alerts.items() if key not in found]
        if resolving:
            Alert.objects.filter(pk__in=resolving).update(resolved_at=now)
        outcome.resolved = resolving

        longest_hold = max([thresholds.default.hold_down, *(s.hold_down for s in thresholds.by_company.values())])
        recently = {}
        for kind, subject_type, subject_key, resolved_at in Alert.objects.filter(
                resolved_at__gte=now - timedelta(seconds=longest_hold)).values_list(
                "kind", "subject_type", "subject_key", "resolved_at").order_by("resolved_at"):
            recently[(kind, subject_type, subject_key)] = resolved_at  # the latest wins

        opening: list[Alert] = []
        for key, f in found.items():
            if key in open_alerts:
                continue
            due = thresholds.due_at(f, since[key])
            resolved_at = recently.get(key)
            if resolved_at is not None:
                due = max(due, resolved_at + thresholds.hold_down(f.company_id))
                if due > now:
                    outcome.held_down += 1
            if due > now:
                outcome.next_due = min(filter(None, [outcome.next_due, due]))
                continue
            opening.append(Alert(company_id=f.company_id, kind=f.kind, severity=f.severity,
                                 subject_type=f.subject_type, subject_key=f.subject_key, subject_label=f.label,
                                 detail=f.detail, link=f.link, condition_since=since[key], opened_at=now))
        created = Alert.objects.bulk_create(opening, batch_size=1000)
        outcome.opened = [a.pk for a in created if a.pk is not None]
        if outcome.opened or outcome.resolved:
            alerts_changed(outcome.opened, outcome.resolved)
    return outcome
