"""Display filters so every page writes a quantity the same way: power in kW."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def kw(watts: Any) -> str:
    """Watts (what the upstreams send) as kilowatts: 22000 → "22 kW", 7400 → "7.4 kW", nothing → "—"."""
    if watts in (None, ""):
        return "—"
    try:
        value = Decimal(str(watts)) / 1000
    except (InvalidOperation, ValueError):
        return "—"
    return f"{floatformat(value, '-2')} kW"
