"""How a refresh keeps the upstream, Python and PostgreSQL busy at once (used by ``sync.engine``).

A page goes through three stages: one thread downloads and parses it (mostly waiting for the
upstream), one maps it (Python work), and writers write it, each page in a transaction of its own.
A run that is not inside a transaction (a worker's) has ``WRITERS`` writer threads with a database
connection each, so PostgreSQL works on two pages at once while Python maps the next ones; inside a
transaction (the tests') pages are written one after the other on the caller's connection, which
alone sees that transaction's rows. Pages are independent: each names other records, and a record
listed twice (the upstream's listing shifted) is merged like a record created meanwhile.
"""

from __future__ import annotations

import gc
import logging
import queue
import random
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import OperationalError, connection, transaction

from upstreams.pagination import Page

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")
WRITERS = 2


def in_thread(items: Iterable[T], name: str, depth: int = 2) -> Iterator[T]:
    """Iterate ``items`` in a helper thread, ``depth`` items ahead of the caller.

    The helper's exception is raised in the caller; when the caller stops early (its error, or
    its end), the helper stops at its next hand-over.
    """
    box: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: tuple[str, Any]) -> bool:
        """Hand over one item; False once the caller has gone."""
        while not stop.is_set():
            try:
                box.put(item, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        source = iter(items)
        try:
            for item in source:
                if not put(("item", item)):
                    return
            put(("end", None))
        except BaseException as exc:  # handed to the caller, which raises it
            put(("error", exc))
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()  # a generator stage upstream stops its own helper

    thread = threading.Thread(target=produce, name=name, daemon=True)
    thread.start()
    try:
        while True:
            what, value = box.get()
            if what == "end":
                return
            if what == "error":
                raise value
            yield value
    finally:
        stop.set()


def prefetch(pages: Iterable[Page[Any]], mapper: Callable[[Sequence[Any]], Any],
              depth: int = 2) -> Iterator[tuple[Page[Any], Any]]:
    """Pages with their mapped items, ``depth`` pages ahead of the writer, in two helper threads.

    One thread downloads and parses pages (mostly waiting for the upstream), one maps them (Python
    work), and the caller writes: the upstream, the mapping and PostgreSQL all work at once.
    """
    fetched = in_thread(pages, "refresh-fetch", depth)
    return in_thread(((page, mapper(page.items)) for page in fetched), "refresh-map", depth)


@contextmanager
def bulk_python(gil_slice: float = 0.0005) -> Iterator[None]:
    """Python tuned for a refresh while it runs: shorter GIL slices, and no cyclic garbage collection.

    * The writer waits for PostgreSQL a dozen times a page (lookups, COPYs, the commit), and each
      time it wants the GIL back while the mapping thread runs Python: with Python's 5 ms slices
      that waiting was a fifth of a full refresh of 20,000 stations (``make bench``).
    * Parsing a page creates about 100,000 dicts and lists, which set off the collector again and
      again, and each of its full passes walks every object the process holds (the run's lookups
      among them): downloading and parsing 20 pages of 1,000 stations took 0.86 s with it and
      0.30 s without. JSON makes no reference cycles; whatever cycles the run leaves are collected
      once the collector is back on.
    Both are process-wide; a worker runs one task at a time, and the previous settings come back.
    """
    before = sys.getswitchinterval()
    collecting = gc.isenabled()
    sys.setswitchinterval(min(before, gil_slice))
    gc.disable()
    try:
        yield
    finally:
        sys.setswitchinterval(before)
        if collecting:
            gc.enable()


DEADLOCK_DETECTED = "40P01"  # PostgreSQL's SQLSTATE for the transaction it aborted to end a deadlock


def retrying_deadlocks(write: Callable[[], R], attempts: int = 4) -> R:
    """``write()`` in a savepoint, again if PostgreSQL aborted it to end a deadlock.

    Two writers can lock the same rows in opposite orders when the upstream's listing shifted
    and a record shows on two pages written at once. PostgreSQL then aborts one of them; rolled
    back to the savepoint (which releases what it locked), that page waits a moment and is
    written again after the other one, instead of failing the whole run. Called at the start of
    a page's transaction, the savepoint holds all the page wrote.
    """
    for attempt in range(1, attempts + 1):
        try:
            with transaction.atomic():
                return write()
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) != DEADLOCK_DETECTED or attempt == attempts:
                raise
            log.warning("refresh page chosen as a deadlock's victim, writing it again (attempt %d)", attempt + 1)
            time.sleep(random.uniform(0.01, 0.05) * attempt)
    raise AssertionError("unreachable")


def writers_for_this_run() -> int:
    """``WRITERS`` in a worker; one inside a transaction (its rows are visible to its own connection only)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return WRITERS


def write_in_threads(items: Iterable[T], write: Callable[[T], R], writers: int) -> Iterator[R]:
    """``write(item)`` for every item, ``writers`` at a time in threads of their own; results as they come.

    Each thread has its own database connection (Django's are per thread), closed when it ends.
    The first error is raised here; the other writers finish the item they hold and write no more.
    """
    if writers <= 1:
        for item in items:
            yield write(item)
        return
    inbox: queue.Queue[Any] = queue.Queue(maxsize=writers)
    outbox: queue.Queue[tuple[str, Any]] = queue.Queue()  # one message per item: done, error or skipped
    failed = threading.Event()
    stop = object()

    def work() -> None:
        try:
            while (item := inbox.get()) is not stop:
                if failed.is_set():
                    outbox.put(("skipped", None))
                    continue
                try:
                    outbox.put(("done", write(item)))
                except BaseException as exc:
                    failed.set()
                    outbox.put(("error", exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, name=f"refresh-writer-{n}", daemon=True) for n in range(writers)]
    for thread in threads:
        thread.start()
    waiting = 0
    try:
        for item in items:
            if failed.is_set():
                break
            while True:  # hand the item over; meanwhile pass on what is written
                try:
                    inbox.put(item, timeout=0.1)
                    waiting += 1
                    break
                except queue.Full:
                    pass
                while not outbox.empty():
                    waiting -= 1
                    yield from _result(outbox.get())
            while not outbox.empty():
                waiting -= 1
                yield from _result(outbox.get())
        while waiting:
            waiting -= 1
            yield from _result(outbox.get())
    finally:
        failed.set()  # the caller stopped (its error, or one raised here): the writers stop too
        for _ in threads:
            inbox.put(stop)
        for thread in threads:
            thread.join()


def _result(message: tuple[str, Any]) -> Iterator[Any]:
    what, value = message
    if what == "error":
        raise value
    if what == "done":
        yield value
