"""The Maintenance page's timeline, drawn on the server: one SVG strip of bars per station.

Bars and day lines are SVG in a 1000-unit-wide box that stretches to the
page; the texts (station names, dates) are HTML beside it, so they stay
readable at any width. The table under the timeline holds the same windows
for screen readers and narrow screens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from maintenance.models import MaintenanceWindow
from portal import formatting

WIDTH = 1000.0


@dataclass
class Bar:
    x: float
    width: float
    window: MaintenanceWindow
    current: bool
    title: str


@dataclass
class Row:
    station_id: int
    label: str
    identity: str
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Tick:
    x: float
    percent: float
    label: str
    major: bool = True  # narrow screens label only these (at most five)


@dataclass
class Timeline:
    rows: list[Row]
    ticks: list[Tick]
    now_x: float | None
    since: datetime
    until: datetime

    @property
    def width(self) -> int:
        return int(WIDTH)


def _x(moment: datetime, since: datetime, span: float) -> float:
    return max(0.0, min(WIDTH, (moment - since).total_seconds() / span * WIDTH))


def build_timeline(windows: list[MaintenanceWindow], since: datetime, until: datetime) -> Timeline:
    span = max(1.0, (until - since).total_seconds())
    now = timezone.now()
    rows: dict[int, Row] = {}
    for w in windows:
        row = rows.setdefault(w.station_id, Row(w.station_id, w.station.label, w.station.charge_box_identity))
        x0, x1 = _x(w.starts_at, since, span), _x(w.ends_at, since, span)
        title = f"{formatting.day_time(w.starts_at)} – {formatting.day_time(w.ends_at)}: {w.comment}"
        row.bars.append(Bar(x0, max(2.0, x1 - x0), w, w.starts_at <= now < w.ends_at, title))
    days = max(1, round(span / 86400))
    step = 1 if days <= 16 else 7 if days <= 120 else 30
    ticks = []
    day = timezone.localtime(since)
    while day < until:
        x = _x(day, since, span)
        ticks.append(Tick(x, x / WIDTH * 100, formatting.day(day)))
        day = timezone.localtime(day + timedelta(days=step))
    every = -(-len(ticks) // 5)
    for index, tick in enumerate(ticks):
        tick.major = index % every == 0
    now_x = _x(now, since, span) if since <= now < until else None
    return Timeline(list(rows.values()), ticks, now_x, since, until)
