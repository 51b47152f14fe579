"""Leases: a worker's hold on a row for a while, renewed as it works, swept when it runs out.

A row a worker handles (an outbox ``Operation``, a CSV import job) has a ``lease_until`` column.
The worker takes the lease before it starts (:meth:`Lease.claim`, or :meth:`Lease.take` on a row
it has locked), renews it as it goes (:meth:`Lease.renew`) and drops it when done
(:meth:`Lease.release`). A second worker finds the lease and leaves the row alone. A worker that
dies leaves a lease that runs out: the sweeper hands the row to a worker again
(:meth:`Lease.sweepable`), as it does a row whose message to the broker was lost (handed over
longer ago than the resend delay and never taken).

How long a lease lasts and how long a message may take are settings (``OUTBOX_LEASE_SECONDS``,
``IMPORT_LEASE_SECONDS``, ``*_RESEND_AFTER_SECONDS``), read at each use so that a deployment or a
test can change them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Model, Q, QuerySet
from django.utils import timezone


@dataclass(frozen=True)
class Lease:
    """The lease of one kind of row: its length and resend delay (settings), and its column."""

    seconds_setting: str
    default_seconds: float
    resend_setting: str
    default_resend_seconds: float = 60.0
    field: str = "lease_until"

    def seconds(self) -> float:
        return float(getattr(settings, self.seconds_setting, self.default_seconds))

    def until(self, now: datetime | None = None) -> datetime:
        """When a lease taken or renewed ``now`` runs out."""
        return (now or timezone.now()) + timedelta(seconds=self.seconds())

    def held(self, row: Model, now: datetime) -> bool:
        """Whether a live lease is on ``row`` (another worker has it)."""
        until = getattr(row, self.field)
        return until is not None and until > now

    def alive(self, now: datetime) -> Q:
        """Rows under a live lease."""
        return Q(**{f"{self.field}__gt": now})

    def expired(self, now: datetime) -> Q:
        """Rows whose lease ran out: their worker died (or hangs) before it settled them."""
        return Q(**{f"{self.field}__lt": now})

    def free(self, now: datetime) -> Q:
        """Rows a worker may take: no lease, or one that ran out."""
        return Q(**{f"{self.field}__isnull": True}) | self.expired(now)

    def sweepable(self, now: datetime, *, sent: str = "enqueued_at", made: str | None = None) -> Q:
        """Rows to hand to a worker again: the lease ran out, or no lease was taken although the
        message went out longer ago than the resend delay (lost) or never went out (at once, or
        when ``made`` is given, once the row is older than that delay)."""
        stale = now - timedelta(seconds=float(getattr(settings, self.resend_setting, self.default_resend_seconds)))
        never_sent = Q(**{f"{sent}__isnull": True})
        if made is not None:
            never_sent &= Q(**{f"{made}__lt": stale})
        return self.expired(now) | (Q(**{f"{self.field}__isnull": True}) & (Q(**{f"{sent}__lt": stale}) | never_sent))

    def take(self, row: Model, now: datetime | None = None) -> None:
        """Put the lease on a row the caller has locked (``select_for_update``) and will save."""
        setattr(row, self.field, self.until(now))

    def claim(self, rows: QuerySet[Any], now: datetime | None = None) -> bool:
        """Take the lease on ``rows`` unless a live one is there: one conditional update, so two
        workers never both get it. False when another worker holds it (or no row matched)."""
        now = now or timezone.now()
        return bool(rows.filter(self.free(now)).update(**{self.field: self.until(now)}))

    def renew(self, rows: QuerySet[Any]) -> int:
        """Push the lease out again (a long run, after each step)."""
        return rows.update(**{self.field: self.until()})

    def release(self, rows: QuerySet[Any]) -> int:
        return rows.update(**{self.field: None})
