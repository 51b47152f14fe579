"""Pagination styles of the upstreams, as lazy iterators of pages.

Iterating a ``Pages`` yields ``Page`` objects (so a refresh can write and
count per page); ``.items()`` flattens them.  Iteration is lazy: the next
page is requested only when the previous one has been consumed.  Each style
stops on an empty page or a repeated cursor, so a misbehaving upstream cannot
loop us forever.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx

from .base import HttpClient
from .errors import IncompleteListing

T = TypeVar("T")
log = logging.getLogger("connectors")

Mapper = Callable[[Mapping[str, Any]], T]


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of mapped records.

    ``number`` counts from 0; ``total`` is the upstream's total when it says;
    ``next`` is the cursor/offset/token of the following page (None on the last).
    """

    items: tuple[T, ...]
    number: int
    total: int | None = None
    next: str | int | None = None


class Pages(Generic[T]):
    """A re-iterable sequence of pages produced by ``factory``.

    ``notes`` collects what the pages' reading found worth telling (a server that ignores paging),
    once the iteration has run; a refresh shows them on its run.
    """

    def __init__(self, factory: Callable[[], Iterator[Page[T]]], *, notes: list[str] | None = None) -> None:
        self._factory = factory
        self.notes: list[str] = notes if notes is not None else []

    def __iter__(self) -> Iterator[Page[T]]:
        return self._factory()

    def items(self) -> Iterator[T]:
        for page in self:
            yield from page.items

    def all(self) -> list[T]:
        return list(self.items())


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def jsonapi_offset(
    http: HttpClient, path: str, mapper: Mapper[T], *, limit: int = 100, params: Mapping[str, Any] | None = None
) -> Pages[T]:
    """JSON:API offset pages: ``page[limit]``/``page[offset]``, ``meta.pagination``, ``links.next``.

    ``links.next`` says whether there is a next page and where.  We read its
    ``page[offset]``/``page[limit]`` and request them on our own base URL
    rather than following the absolute link, so the bearer token never goes
    to another host.  The listing ends when ``links.next`` is absent or null
    (JSON:API) or ``meta.pagination.lastPage`` is true; if fewer records were
    served than ``meta.pagination.total`` it raises ``IncompleteListing``.
    The quickstart's sample ``next`` skips records
    (offset 0, limit 1 -> next offset 10); when the link's offset is not
    ``offset + len(data)`` we use the latter and log it.
    """

    def gen() -> Iterator[Page[T]]:
        offset, page_limit, number, seen = 0, limit, 0, 0
        while True:
            query = {**(params or {}), "page[limit]": page_limit, "page[offset]": offset}
            body = http.json("GET", path, params=query) or {}
            data = body.get("data") or []
            pag = (body.get("meta") or {}).get("pagination") or {}
            served_offset = _int(pag.get("offset"))
            served_offset = offset if served_offset is None else served_offset
            expected = served_offset + len(data)
            next_link = (body.get("links") or {}).get("next")
            last = bool(pag.get("lastPage")) or not next_link or not data
            total = _int(pag.get("total"))
            if total is not None and expected >= total:
                last = True
            next_offset: int | None = None
            if not last:
                link_q = httpx.URL(str(next_link)).params
                next_offset = _int(link_q.get("page[offset]"))
                if next_offset != expected:
                    log.warning("%s %s: links.next offset %s, using %d", http.kind, path, next_offset, expected)
                    next_offset = expected
                page_limit = _int(link_q.get("page[limit]")) or page_limit
            seen += len(data)
            if next_offset is None and total is not None and seen < total:
                # Records moved under our offsets (one removed while we paged): some were never
                # served, so this listing cannot stand for the whole estate.
                raise IncompleteListing(
                    f"{http.kind} GET {path}: {seen} records served of the {total} the upstream counts",
                    kind=http.kind,
                )
            yield Page(tuple(mapper(r) for r in data), number, total, next_offset)
            if next_offset is None:
                return
            offset, number = next_offset, number + 1

    return Pages(gen)


def limit_offset(
    http: HttpClient,
    path: str,
    mapper: Mapper[T],
    *,
    limit: int = 50,
    params: Mapping[str, Any] | None = None,
    items_key: str = "data",
) -> Pages[T]:
    """Plain ``limit``/``offset`` (beenergised technicians).

    Ends when a page is short, ``meta.pagination.lastPage`` is true or the
    offset reaches ``meta.pagination.total``; all three are honoured because
    the envelope is unconfirmed.
    """

    def gen() -> Iterator[Page[T]]:
        offset, number = 0, 0
        while True:
            body = http.json("GET", path, params={**(params or {}), "limit": limit, "offset": offset})
            data = (body.get(items_key) if isinstance(body, dict) else body) or []
            pag = ((body.get("meta") or {}).get("pagination") or {}) if isinstance(body, dict) else {}
            total = _int(pag.get("total"))
            offset += len(data)
            last = not data or len(data) < limit or bool(pag.get("lastPage")) or (total is not None and offset >= total)
            yield Page(tuple(mapper(r) for r in data), number, total, None if last else offset)
            if last:
                return
            number += 1

    return Pages(gen)


def cursor(
    http: HttpClient,
    path: str,
    mapper: Mapper[T],
    *,
    limit: int = 100,
    params: Mapping[str, Any] | None = None,
    id_key: str = "id",
) -> Pages[T]:
    """Cursor pages (models): ``limit``, ``startingAfter`` = last id, ``data.hasMore``."""

    def gen() -> Iterator[Page[T]]:
        after: str | None = None
        number = 0
        while True:
            body = http.json("GET", path, params={**(params or {}), "limit": limit, "startingAfter": after}) or {}
            data = body.get("data") or {}
            items = data.get("items") or []
            has_more = bool(data.get("hasMore")) and bool(items)
            last_id = str(items[-1][id_key]) if items else None
            if has_more and last_id == after:
                log.warning("%s %s: cursor did not advance, stopping", http.kind, path)
                has_more = False
            yield Page(tuple(mapper(r) for r in items), number, None, last_id if has_more else None)
            if not has_more:
                return
            after, number = last_id, number + 1

    return Pages(gen)


def token_pages(
    http: HttpClient, path: str, mapper: Mapper[T], *, items_key: str, params: Mapping[str, Any] | None = None
) -> Pages[T]:
    """``paginationToken`` pages (chargeye): pass the previous answer's token until none."""

    def gen() -> Iterator[Page[T]]:
        token: str | None = None
        seen: set[str] = set()
        number = 0
        while True:
            body = http.json("GET", path, params={**(params or {}), "paginationToken": token}) or {}
            items = body.get(items_key) or []
            nxt = body.get("paginationToken") or None
            if nxt is not None and (nxt in seen or not items):
                nxt = None  # a repeated token would loop forever
            yield Page(tuple(mapper(r) for r in items), number, None, nxt)
            if nxt is None:
                return
            seen.add(nxt)
            token, number = nxt, number + 1

    return Pages(gen)


def ocpi_offset(
    http: HttpClient,
    path: str,
    mapper: Mapper[T] | None,
    *,
    limit: int = 100,
    params: Mapping[str, Any] | None = None,
    raw: bool = False,
) -> Pages[T]:
    """Plain ``offset``/``limit`` pages (greenflux), ended by a short or an empty page.

    The GreenFlux document and fact F5 (docs/upstream-contract.md) name only the ``offset`` and ``limit``
    query parameters: no ``Link`` header, no total.  So the only end signals
    are a page shorter than a full one, or an empty page.  A server may cap
    ``limit`` silently below what we ask; the first page shorter than asked
    may be that cap or the end, so it is taken as the page size and one more
    page decides (empty: the end; as long: it was the cap).  Once a page has
    shown how many records a full page holds, a shorter page ends the listing.  Filters such as
    ``date_from`` stay in ``params`` on every page; the next offset is always
    ``offset + len(page)``, whatever the server did with ``limit``.

    A server that ignores paging answers its first page again at the next offset (the GreenFlux
    document says templates are "retrieved via API", nothing about paging them): the first page is
    then the whole list, the listing ends there, and ``Pages.notes`` says so. Any other repeat (a
    later page answered twice, or a page starting with the previous one's first record) raises
    ``IncompleteListing``: a listing that did not provably complete must never be taken for the
    whole estate, and a server that loops can never loop us forever.

    Without a ``mapper`` the pages hold the upstream's own objects, parsed; with ``raw`` too,
    each record's bytes as sent (``upstreams.raw_json``), not even parsed. The paging is the
    same either way.
    """

    notes: list[str] = []

    def gen() -> Iterator[Page[T]]:
        offset, number = 0, 0
        full_page = limit  # how many records a full page holds; lowered to the server's cap once seen
        known = False  # True once a page showed how many records a full page holds
        previous: Any = None
        notes.clear()
        while True:
            query = {**(params or {}), "offset": offset, "limit": limit}
            if raw:
                data: Any = http.listing("GET", path, params=query)
            else:
                body = http.json("GET", path, params=query) or {}
                data = (body.get("data") if isinstance(body, dict) else body) or []
            count = len(data)
            if number == 1 and list(data) == list(previous):
                # The first page again at a later offset: the server ignores paging and its first
                # page was the whole list.
                log.info("%s GET %s: offset %d answered the first page again: paging ignored", http.kind, path,
                         offset)
                notes.append(f"{path} ignores paging: its first page ({len(previous)} records) is the whole list")
                return
            if count and previous is not None and data[0] == previous[0]:
                raise IncompleteListing(
                    f"{http.kind} GET {path}: offset {offset} answered the previous page again; listing stopped",
                    kind=http.kind,
                )
            if count == 0:
                last = True
            elif count < full_page:
                # Short: the end once a full page's size is known; otherwise it may be the server's cap.
                last = known
                full_page, known = count, True
            else:
                full_page, known, last = count, True, False  # a full page (or more than asked for)
            next_offset = None if last else offset + count
            # No mapper: the upstream's own objects, parsed or (raw) as sent.
            yield Page(tuple(data) if mapper is None else tuple(mapper(r) for r in data), number, None, next_offset)
            if next_offset is None:
                return
            previous = list(data)
            offset, number = next_offset, number + 1

    return Pages(gen, notes=notes)
