"""Server-rendered SVG geometry: the power line chart, per-location bars and the offline map.

Only numbers and coordinates are computed here; the templates draw them.
No tiles and no script: the map is an equirectangular projection fitted to
the points' bounding box, which is plenty at city or country scale.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone


def _nice_max(value: float) -> float:
    """The smallest 1/2/2.5/5 × 10^n at or above ``value`` (for a readable top tick)."""
    if value <= 0:
        return 10.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exp:
            return step * exp
    return 10 * exp


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: int
    top: int
    plot_w: int
    plot_h: int
    line: str
    area: str
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    dots: list[tuple[float, float]]

    @property
    def bottom(self) -> int:
        return self.top + self.plot_h

    @property
    def right(self) -> int:
        return self.left + self.plot_w


def line_chart(points: Sequence[tuple[datetime, float]], start: datetime, end: datetime,
               width: int = 760, height: int = 260) -> LineChart:
    """A time line of ``points`` between ``start`` and ``end``; gaps over 65 minutes break the line."""
    left, top, right_pad, bottom_pad = 56, 30, 16, 34
    plot_w, plot_h = width - left - right_pad, height - top - bottom_pad
    top_value = _nice_max(max((v for _, v in points), default=0.0) * 1.05)
    span = max((end - start).total_seconds(), 1.0)

    def xy(t: datetime, v: float) -> tuple[float, float]:
        x = left + (t - start).total_seconds() / span * plot_w
        y = top + plot_h - (v / top_value) * plot_h
        return round(x, 1), round(y, 1)

    segments: list[list[tuple[float, float]]] = []
    previous: datetime | None = None
    gap = timedelta(minutes=65)  # a longer hole (no samples: beat or worker down) breaks the line
    for t, v in points:
        if previous is None or t - previous > gap:
            segments.append([])
        segments[-1].append(xy(t, v))
        previous = t
    line = " ".join("M" + " L".join(f"{x},{y}" for x, y in seg) for seg in segments)
    area = " ".join(
        f"M{seg[0][0]},{top + plot_h} L" + " L".join(f"{x},{y}" for x, y in seg) + f" L{seg[-1][0]},{top + plot_h} Z"
        for seg in segments
    )
    x_ticks = []
    tick = timezone.localtime(start).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    while tick <= end:
        if tick.hour % 4 == 0:
            x_ticks.append((xy(tick, 0)[0], tick.strftime("%H:%M")))
        tick += timedelta(hours=1)
    y_ticks = [(xy(start, top_value * k / 4)[1], f"{top_value * k / 4:g}") for k in range(5)]
    # The latest point, and lone points (a segment of one) which a path alone would not show.
    dots = ([segments[-1][-1]] if segments else []) + [seg[0] for seg in segments[:-1] if len(seg) == 1]
    return LineChart(width, height, left, top, plot_w, plot_h, line, area, x_ticks, y_ticks, dots)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    width_pct: float
    detail: str
    url: str


def bars(items: Sequence[tuple[str, float, str, str]]) -> list[Bar]:
    """Horizontal bars (label, value, detail, url) scaled to the largest value."""
    top = max((v for _, v, _, _ in items), default=0.0) or 1.0
    return [Bar(label, value, round(value / top * 100, 1), detail, url) for label, value, detail, url in items]


@dataclass(frozen=True)
class MapPoint:
    x: float
    y: float
    title: str
    url: str
    label: str


@dataclass(frozen=True)
class MapView:
    width: int
    height: int
    points: list[MapPoint]
    frame: tuple[float, float, float, float]  # min lat, min lng, max lat, max lng shown


def map_view(places: Sequence[dict[str, Any]], width: int = 760, height: int = 380, pad: int = 24) -> MapView:
    """Project ``places`` ({lat, lng, title, url, label}) into a ``width`` × ``height`` box.

    Longitudes are scaled by cos(mid latitude) so distances look right; the
    frame is grown on the short side so the projection keeps its aspect.
    """
    pts = [p for p in places if p.get("lat") is not None and p.get("lng") is not None]
    if not pts:
        return MapView(width, height, [], (0.0, 0.0, 0.0, 0.0))
    lats = [float(p["lat"]) for p in pts]
    lngs = [float(p["lng"]) for p in pts]
    min_lat, max_lat, min_lng, max_lng = min(lats), max(lats), min(lngs), max(lngs)
    k = max(math.cos(math.radians((min_lat + max_lat) / 2)), 0.05)
    span_x = max((max_lng - min_lng) * k, 0.01)
    span_y = max(max_lat - min_lat, 0.01)
    inner_w, inner_h = width - 2 * pad, height - 2 * pad
    scale = min(inner_w / span_x, inner_h / span_y)
    mid_x, mid_y = (min_lng + max_lng) / 2 * k, (min_lat + max_lat) / 2
    points = [
        MapPoint(
            x=round(width / 2 + (float(p["lng"]) * k - mid_x) * scale, 1),
            y=round(height / 2 - (float(p["lat"]) - mid_y) * scale, 1),
            title=p["title"], url=p["url"], label=p.get("label", ""),
        )
        for p in pts
    ]
    half_w, half_h = width / 2 / scale, height / 2 / scale
    frame = (mid_y - half_h, (mid_x - half_w) / k, mid_y + half_h, (mid_x + half_w) / k)
    return MapView(width, height, points, tuple(round(v, 4) for v in frame))  # type: ignore[arg-type]
