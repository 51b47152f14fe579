"""Pages drawn from one snapshot of the database: a write committed meanwhile shows whole or not at all.

A page that reads the same record in several queries (the station page reads the
station, then its operations, then the facts the template asks for) sees, under
PostgreSQL's default READ COMMITTED, each query's own moment: a worker that
commits between two of them (a refresh's new name and its "Name changed",
written together) lands in the second query only. The page then says "Name
changed" under the old name and, its operation settled, never polls again.

``one_snapshot`` reads everything in one REPEATABLE READ transaction on
PostgreSQL (every query sees the moment of the first). On SQLite (the demo) the
project's transactions take the write lock at BEGIN (``transaction_mode``
IMMEDIATE), so nobody commits while the page is drawn. Inside an outer
transaction (a test's) the outer one decides, as it must.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

from django.db import connection, transaction

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def one_snapshot() -> Iterator[None]:
    """Every query inside sees the database as it was at the first one (render the response inside too)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Must come before any query of the transaction; the snapshot is taken at the first one.
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def drawn_from_one_snapshot(view: F) -> F:
    """A view (its reads and its rendering) run in :func:`one_snapshot`."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with one_snapshot():
            return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]
