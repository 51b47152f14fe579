"""The stations at each location, as the location map and the network dashboard show them.

Plugged into ``locations.stations_here`` by the app config: locations must not import stations (a
station has a location, not the other way round), so stations hand them this reader.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet

from portal.access import scoped
from stations.models import Station, StationQuerySet, Status

FAULTY = (Status.OUTOFORDER, Status.INOPERATIVE)


class StationsAtLocations:
    def counts_by_location(self, location_ids: Iterable[int], user: Any) -> dict[int, Counter[str]]:
        counts: dict[int, Counter[str]] = defaultdict(Counter)
        stations = scoped(Station.objects.filter(location_id__in=list(location_ids), removed_at__isnull=True), user)
        offline = StationQuerySet.OFFLINE
        for row in (stations.order_by().values("location_id")
                    .annotate(n=Count("*"), off=Count("pk", filter=offline),
                              faulty=Count("pk", filter=Q(status__in=FAULTY) & ~offline),
                              charging=Count("pk", filter=Q(status=Status.CHARGING)))):
            counts[row["location_id"]].update(stations=row["n"], offline=row["off"], faulty=row["faulty"],
                                              charging=row["charging"])
        return counts

    def offline(self) -> QuerySet[Any]:
        return Station.objects.offline().select_related("location", "backend")
