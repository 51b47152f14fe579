"""``{% map_assets %}``: the map's styles, scripts and settings, for a page's ``extra_head`` block."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.templatetags.static import static

register = template.Library()


@register.inclusion_tag("locations/map_assets.html")
def map_assets() -> dict[str, Any]:
    return {"map_config": {
        "outlines": static("locations/countries.geojson"),
        "places": static("locations/places.json"),  # towns' names, offline (tooling/place_names.py)
        "tiles": settings.MAP_TILE_URL or None,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
    }}
