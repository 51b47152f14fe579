"""The location map's points: every location with coordinates, coloured by its stations' state.

A location's stations are the mirror's stations (GreenFlux, be.ENERGISED)
pointing at it, and for ChargEye locations the stations its network status
reports. Its *health* is the worst of them:

- ``attention``: a station offline (the station list's definition), out of order,
  or (ChargEye) none of its EVSEs can charge;
- ``charging``: a station charging, none needing attention;
- ``available``: stations, all fine;
- ``empty``: no station known.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from locations import stations_here
from locations.models import Location, NetworkStation
from portal.access import scoped

HEALTH_LABELS = {
    "attention": gettext_lazy("Needs attention"), "charging": gettext_lazy("Charging"),
    "available": gettext_lazy("Available"), "empty": gettext_lazy("No stations"),
}


@dataclass
class MapPlace:
    id: int
    name: str
    city: str
    lat: float
    lng: float
    url: str
    counts: dict[str, int] = field(default_factory=dict)  # stations, offline, cannot_charge, faulty, charging

    @property
    def health(self) -> str:
        c = self.counts
        if c.get("offline") or c.get("faulty") or c.get("cannot_charge"):
            return "attention"
        if c.get("charging"):
            return "charging"
        return "available" if c.get("stations") else "empty"

    @property
    def health_label(self) -> str:
        return str(HEALTH_LABELS[self.health])

    @property
    def summary(self) -> str:
        """'4 stations: 1 offline, 2 charging' (what the popup and the table say)."""
        c = self.counts
        if not c.get("stations"):
            return _("No stations")
        parts = [f"{c[key]} {word}" for key, word in
                 (("offline", _("offline")), ("cannot_charge", _("cannot charge")), ("faulty", _("out of order")),
                  ("charging", _("charging"))) if c.get(key)]
        head = ngettext("%(n)s station", "%(n)s stations", c["stations"]) % {"n": c["stations"]}
        return _("%(head)s: %(parts)s") % {"head": head, "parts": ", ".join(parts)} if parts else _(
            "%(head)s, all available") % {"head": head}

    def as_json(self) -> dict[str, Any]:
        return asdict(self) | {"health": self.health, "health_label": self.health_label, "summary": self.summary}


def map_places(locations: QuerySet[Location], user: Any, limit: int) -> list[MapPlace]:
    """Up to ``limit`` of ``locations`` that have coordinates, with their stations counted (three queries)."""
    rows = list(locations.filter(latitude__isnull=False, longitude__isnull=False)
                .order_by("name", "id").values("id", "name", "city", "latitude", "longitude")[:limit])
    places = {
        r["id"]: MapPlace(r["id"], r["name"], r["city"], float(r["latitude"]), float(r["longitude"]),
                          reverse("locations:detail", args=[r["id"]]))
        for r in rows
    }
    counts: dict[int, Counter[str]] = defaultdict(Counter, stations_here.counts_by_location(places, user))
    network = scoped(NetworkStation.objects.filter(location_id__in=places), user)
    for row in (network.order_by().values("location_id")
                .annotate(n=Count("*"), off=Count("pk", filter=Q(is_offline=True)),
                          charging=Count("pk", filter=Q(charging_count__gt=0, is_offline=False)))):
        counts[row["location_id"]].update(stations=row["n"], cannot_charge=row["off"], charging=row["charging"])
    for pk, counter in counts.items():
        places[pk].counts = dict(counter)
    return list(places.values())
