"""Refreshers and their registry: what pulls one entity of one backend kind, page by page.

A *refresher* pulls one entity of one backend kind (``("greenflux", "stations")``...) page by page
through the upstream client and writes each page in one transaction. Apps register theirs in their
``refresh.py`` with :func:`register`; those modules are imported on first use, so any app can add one.
:func:`sync.engine.refresh_run` runs them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.db import models
from django.utils.module_loading import autodiscover_modules

from upstreams.pagination import Page
from portal.models import Backend, SyncRun





# --- refreshers and their registry ---------------------------------------------------

@dataclass
class PageResult:
    """What writing one page did; refreshers return it from ``write``."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0
    errors: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, other: PageResult) -> PageResult:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.kept += other.kept
        self.errors += other.errors
        self.notes += other.notes
        return self


@dataclass
class RefreshContext:
    """One run's state, handed to the refresher's hooks."""

    backend: Backend
    run: SyncRun
    full: bool
    since: datetime | None
    now: datetime
    connector: Any = None
    seen: set[str] = field(default_factory=set)
    lookups: dict[str, dict[Any, Any]] = field(default_factory=dict)
    # What the mirror held when a full run began, per model (``Refresher.prepare`` fills it): rows
    # whose id and natural key are both absent from it are new and need no lookup (``upsert_mirror``).
    known: dict[type[models.Model], Snapshot] = field(default_factory=dict)
    # The live rows (pk, upstream id) per model, when ``prepare`` read them anyway: ``mark_removed``
    # then judges those instead of reading them again at the end.
    live: dict[type[models.Model], list[tuple[int, str]]] = field(default_factory=dict)


@dataclass(frozen=True)
class KnownRows:
    upstream_ids: frozenset[str]
    natural_keys: frozenset[str] = frozenset()

    @classmethod
    def of(cls, queryset: models.QuerySet[Any], natural_key: str | None = None) -> KnownRows:
        """The upstream ids (and natural keys) of ``queryset``'s rows: one query."""
        if natural_key is None:
            return cls(frozenset(u for u in queryset.values_list("upstream_id", flat=True).iterator() if u))
        pairs = list(queryset.values_list("upstream_id", natural_key).iterator(chunk_size=10_000))
        return cls(frozenset(u for u, _ in pairs if u), frozenset(k for _, k in pairs))


class Snapshot:
    """``KnownRows.of(queryset, natural_key)``, read when a page first has rows to write.

    A full run where nothing changed writes no rows, and never reads it (``make bench``: the
    unchanged run of 100,000 stations would otherwise load them all once for nothing).
    """

    def __init__(self, queryset: models.QuerySet[Any], natural_key: str | None = None) -> None:
        self.queryset, self.natural_key = queryset, natural_key
        self._rows: KnownRows | None = None

    def rows(self) -> KnownRows:
        if self._rows is None:
            self._rows = KnownRows.of(self.queryset, self.natural_key)
        return self._rows


class Refresher:
    """How one entity of one backend kind is pulled into the mirror.

    ``pages`` and ``map`` run in a helper thread (they only talk to the
    upstream and read ``ctx.lookups``, never the database), so the next page
    downloads and is mapped while this one is written. ``write`` gets what
    ``map`` made of a page's items and runs in a transaction per page. ``finish`` runs after a
    complete full read (mark vanished rows removed) and returns that count.
    """

    kind: ClassVar[str]
    entity: ClassVar[str]
    label: ClassVar[str] = ""
    interval: ClassVar[timedelta] = timedelta(minutes=15)
    incremental: ClassVar[bool] = False
    full_every: ClassVar[timedelta] = timedelta(days=1)  # incremental kinds still read everything daily
    page_size: ClassVar[int | None] = None
    # The tables ``write`` fills: analysed after a run that created many rows (``_analyse_after``).
    tables: ClassVar[tuple[type[models.Model], ...]] = ()

    def prepare(self, ctx: RefreshContext) -> None:
        """Load lookups (companies, parents...) once per run."""

    def pages(self, ctx: RefreshContext) -> Iterable[Page[Any]]:
        raise NotImplementedError

    def map(self, ctx: RefreshContext, items: Sequence[Any]) -> Any:
        """Turn a page's records into what ``write`` takes (hashes, field values); no database here."""
        return items

    def write(self, ctx: RefreshContext, items: Any) -> PageResult:
        raise NotImplementedError

    def finish(self, ctx: RefreshContext) -> int:
        return 0


REFRESHERS: dict[tuple[str, str], Refresher] = {}
_discovered = False


def register(cls: type[Refresher]) -> type[Refresher]:
    """Class decorator: make ``cls`` the refresher of its (kind, entity)."""
    REFRESHERS[(cls.kind, cls.entity)] = cls()
    return cls


def refreshers() -> dict[tuple[str, str], Refresher]:
    global _discovered
    if not _discovered:
        autodiscover_modules("refresh")
        _discovered = True
    return REFRESHERS


def refreshers_for(kind: str) -> list[Refresher]:
    return [r for (k, _), r in sorted(refreshers().items()) if k == kind]


def get_refresher(kind: str, entity: str) -> Refresher:
    try:
        return refreshers()[(kind, entity)]
    except KeyError:
        known = ", ".join(r.entity for r in refreshers_for(kind)) or "none"
        raise ValueError(f"A {kind} backend has no entity {entity!r} to refresh (it has: {known}).") from None


