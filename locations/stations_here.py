"""What the location pages show of the stations at a location, without importing the stations app.

A station has a location, so ``stations`` may import ``locations`` and never the other way round. The
location map and the network dashboard still show the stations at each location (offline, charging,
out of order): they ask a reader that the stations app plugs in when it is ready
(``stations.location_reader``, registered in ``stations/apps.py``). Without it (an installation
without the stations app) a location simply has no stations.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any, Protocol

from django.db.models import QuerySet


class StationsReader(Protocol):
    def counts_by_location(self, location_ids: Iterable[int], user: Any) -> dict[int, Counter[str]]:
        """Per location id: ``stations``, ``offline``, ``faulty`` (out of order, not offline) and ``charging``,
        counting only the stations the user may see."""

    def offline(self) -> QuerySet[Any]:
        """Every offline station (the station list's definition), unscoped: the caller scopes and filters it
        (it has ``company`` and ``location`` fields)."""


_reader: StationsReader | None = None


def register(reader: StationsReader) -> None:
    global _reader
    _reader = reader


def counts_by_location(location_ids: Iterable[int], user: Any) -> dict[int, Counter[str]]:
    return _reader.counts_by_location(location_ids, user) if _reader is not None else {}


def offline_stations() -> QuerySet[Any] | None:
    return _reader.offline() if _reader is not None else None
