"""The formatter's template filters (:mod:`portal.formatting`): dates, times, durations, power, energy.

``{% load units %}`` then ``{{ run.started_at|when }}``, ``{{ op.created_at|day_time_s }}``,
``{{ connector.max_electric_power|kw }}`` (watts in), ``{{ sample.kw|power }}`` (kW in),
``{{ run.duration|duration }}``. Machine-readable instants stay ``|date:'c'`` inside
``<time datetime>``; everything a person reads goes through these.
"""

from __future__ import annotations

from typing import Any

from django import template

from portal import formatting

register = template.Library()


@register.filter
def when(value: Any) -> str:
    return formatting.when(value)


@register.filter
def when_s(value: Any) -> str:
    return formatting.when(value, seconds=True)


@register.filter
def day(value: Any) -> str:
    return formatting.day(value)


@register.filter
def day_time(value: Any) -> str:
    return formatting.day_time(value)


@register.filter
def day_time_s(value: Any) -> str:
    return formatting.day_time(value, seconds=True)


@register.filter
def weekday_time(value: Any) -> str:
    return formatting.weekday_time(value)


@register.filter
def weekday_day_time(value: Any) -> str:
    return formatting.weekday_day_time(value)


@register.filter
def long_date(value: Any) -> str:
    return formatting.long_date(value)


@register.filter
def weekday_date(value: Any) -> str:
    return formatting.long_date(value, weekday=True)


@register.filter
def clock(value: Any) -> str:
    return formatting.clock(value)


@register.filter
def clock_s(value: Any) -> str:
    return formatting.clock(value, seconds=True)


@register.filter
def duration(value: Any) -> str:
    return formatting.duration(value)


@register.filter
def kw(watts: Any) -> str:
    """Watts (what the upstreams send) as kilowatts: 22000 → "22 kW", 7400 → "7.4 kW", nothing → "—"."""
    return formatting.kw(watts)


@register.filter
def power(kilowatts: Any, places: Any = 1) -> str:
    """A power already in kW: ``{{ sample.kw|power }}`` → "7.4 kW"."""
    return formatting.power(kilowatts, int(places))


@register.filter
def number(value: Any, places: Any = 1) -> str:
    """A bare number the language's way (decimal comma in German): for table cells under a unit header."""
    return formatting.number(value, int(places))


@register.filter
def since(value: Any) -> str:
    """How long ago: ``{{ run.finished_at|since }}`` → "9 min"."""
    return formatting.since(value)


@register.filter
def ago(value: Any) -> str:
    """``{{ run.finished_at|ago }}`` → "9 min ago"."""
    return formatting.ago(value)
