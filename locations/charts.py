"""Server-rendered SVG geometry: the power line chart and per-location bars.

Only numbers and coordinates are computed here; the templates draw them.
(The location map is Leaflet: ``locations.map_places`` and ``static/locations/map.js``.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from portal import formatting


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


TICK_STEPS = [timedelta(minutes=m) for m in (1, 2, 5, 10, 15, 30, 60, 120, 180, 240, 360, 720, 1440)]


def time_ticks(start: datetime, end: datetime, max_ticks: int) -> list[tuple[datetime, str]]:
    """At most ``max_ticks`` round local times between ``start`` and ``end``, with short labels."""
    span = max(end - start, timedelta(minutes=1))
    step = next((s for s in TICK_STEPS if span / s <= max_ticks), TICK_STEPS[-1])
    local = timezone.localtime(start)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    tick = midnight + math.ceil((local - midnight) / step) * step
    # Short labels through the one formatter: "Mon 7 Dec", "Mon 14:00", "14:00".
    label = (formatting.day if step >= timedelta(days=1) else formatting.weekday_time if step >= timedelta(hours=12)
             else formatting.clock)
    out = []
    while tick <= end:
        out.append((tick, label(tick)))
        tick += step
    return out


def line_chart(points: Sequence[tuple[datetime, float]], start: datetime, end: datetime,
               width: int = 760, height: int = 260, gap: timedelta = timedelta(minutes=65),
               max_ticks: int = 7) -> LineChart:
    """A time line of ``points`` between ``start`` and ``end``; a hole longer than ``gap`` breaks the line.

    A narrow chart (``width`` under 500: phones) gets a narrower label margin and
    fewer ticks, so its text is drawn near its real size instead of shrunk.
    """
    left, top, right_pad, bottom_pad = (56 if width >= 500 else 40), 30, 16, 34
    plot_w, plot_h = width - left - right_pad, height - top - bottom_pad
    top_value = _nice_max(max((v for _, v in points), default=0.0) * 1.05)
    span = max((end - start).total_seconds(), 1.0)

    def xy(t: datetime, v: float) -> tuple[float, float]:
        x = left + (t - start).total_seconds() / span * plot_w
        y = top + plot_h - (v / top_value) * plot_h
        return round(x, 1), round(y, 1)

    segments: list[list[tuple[float, float]]] = []
    previous: datetime | None = None
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
    x_ticks = [(xy(tick, 0)[0], label) for tick, label in time_ticks(start, end, max_ticks)]
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
