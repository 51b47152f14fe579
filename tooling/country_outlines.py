"""Build ``static/locations/countries.geojson``, the map's offline background, from Natural Earth.

The source is the ``world-atlas`` npm package (ISC licence; its data is
Natural Earth's public-domain Admin 0 countries, 1:50m, version 4.1.0), which
ships TopoJSON.
This script decodes the TopoJSON arcs, simplifies each ring (Douglas-Peucker,
``TOLERANCE`` degrees), rounds coordinates to two decimals (about 1 km) and
writes plain GeoJSON with the country names only. It runs once, by hand; the
result is committed, so nothing is downloaded when the portal runs:

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python -m tooling.country_outlines package/countries-50m.json static/locations/countries.geojson
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

TOLERANCE = 0.1  # degrees (about 10 km): invisible at country scale, a third of the file
LEFT_OUT = {"Antarctica"}  # no charging stations there; a fifth of the points
DECIMALS = 2

Point = tuple[float, float]


def decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """Quantized, delta-encoded arcs to absolute longitude/latitude pairs."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(indexes: list[int], arcs: list[list[Point]]) -> list[Point]:
    """Join arcs into one ring; a negative index (~i) means arc i reversed."""
    points: list[Point] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker, iterative (rings can hold thousands of points)."""
    if len(points) < 5:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = (dx * dx + dy * dy) ** 0.5
        worst, where = 0.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if norm:
                distance = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / norm
            else:
                distance = ((px - x1) ** 2 + (py - y1) ** 2) ** 0.5
            if distance > worst:
                worst, where = distance, i
        if worst > tolerance and where > 0:
            keep[where] = True
            stack += [(first, where), (where, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def rounded(points: list[Point]) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in points:
        pair = [round(x, DECIMALS), round(y, DECIMALS)]
        if not out or out[-1] != pair:
            out.append(pair)
    return out


def polygon(rings: list[list[int]], arcs: list[list[Point]]) -> list[list[list[float]]]:
    out = []
    for indexes in rings:
        coords = rounded(simplify(ring(indexes, arcs), TOLERANCE))
        if len(coords) >= 4:  # a ring simplified below a triangle is dropped (tiny islands)
            out.append(coords)
    return out


def convert(topology: dict[str, Any]) -> dict[str, Any]:
    arcs = decode_arcs(topology)
    features = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        name = geometry.get("properties", {}).get("name", "")
        if name in LEFT_OUT:
            continue
        if geometry["type"] == "Polygon":
            polygons = [polygon(geometry["arcs"], arcs)]
        elif geometry["type"] == "MultiPolygon":
            polygons = [polygon(p, arcs) for p in geometry["arcs"]]
        else:
            continue
        polygons = [p for p in polygons if p]
        if not polygons:
            continue
        features.append({
            "type": "Feature", "properties": {"name": name},
            "geometry": {"type": "MultiPolygon", "coordinates": polygons},
        })
    return {"type": "FeatureCollection", "features": features}


def main(source: str, target: str) -> None:
    collection = convert(json.loads(Path(source).read_text()))
    Path(target).write_text(json.dumps(collection, separators=(",", ":")))
    print(f"{len(collection['features'])} countries, {Path(target).stat().st_size / 1024:.0f} KiB -> {target}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
