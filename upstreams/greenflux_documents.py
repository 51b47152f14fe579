"""GreenFlux station documents read straight from their JSON, for refreshes (``stations.refresh``).

A refresh writes thousands of stations a page, and of a quiet estate it writes none: so it
reads each station's identity and links from the bytes the upstream sent (``station_keys``),
digests those bytes, and parses and maps only a station whose digest the mirror lacks
(``writable_document``, ``configuration_of``), without the connector's frozen objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from .greenflux import _drop_none, _tuple, configuration_of
from .raw_json import RawJson, key_reader, parse


class StationKeys(msgspec.Struct):
    """What a refresh needs of a station before deciding whether to parse it: its id and links.

    Typed ``Any`` because the document says strings but a value of another type must not stop a
    refresh: it is turned into a string where it is used, as ``Station.from_api`` does.
    """

    charge_station_id: Any = ""
    location_id: Any = ""
    charge_station_template_id: Any = None


station_keys = key_reader(StationKeys).decode
__all__ = ["StationKeys", "configuration_of", "station_document", "station_keys", "writable_document"]

station_document = parse  # a station's bytes (``list_station_raw``) as the upstream's JSON object


def writable_document(d: Mapping[str, Any]) -> dict[str, Any]:
    """``Station.from_api(d).writable()``, computed straight from the upstream's JSON.

    For refreshes, which write thousands of stations a page: building the frozen ``Station``,
    ``Evse`` and ``Connector`` objects only to turn them back into dicts was most of a full
    refresh's Python time (``make bench``). Same result, field for field:
    ``tests/upstreams/test_greenflux_documents.py`` compares the two on the simulator's estate
    and on generated documents.
    """
    return {
        "charge_station_id": str(d.get("charge_station_id", "")),
        "location_id": str(d.get("location_id", "")),
        "name": d.get("name"),
        "default_charge_station_tariff_id": d.get("default_charge_station_tariff_id"),
        "deploy_state": d.get("deploy_state", ""),
        "status": d.get("status"),
        "charger_type": d.get("charger_type"),
        "contactless_type": d.get("contactless_type"),
        "charge_station_template_id": d.get("charge_station_template_id"),
        "evses": [_evse_payload(e) for e in _tuple(d.get("evses"))],
    }


def _evse_payload(e: Mapping[str, Any]) -> dict[str, Any]:
    """``Evse.from_api(e).to_payload()`` without the objects."""
    out = _drop_none({
        "uid": str(e.get("uid", "")),
        "evse_id": e.get("evse_id"),
        "status": e.get("status"),
        "floor_level": e.get("floor_level"),
        "physical_reference": e.get("physical_reference"),
        "evse_sequence_number": e.get("evse_sequence_number"),
    })
    out["capabilities"] = list(_tuple(e.get("capabilities")))
    out["connectors"] = [
        _drop_none({
            "id": str(c.get("id", "")), "standard": c.get("standard", ""), "format": c.get("format", ""),
            "power_type": c.get("power_type", ""), "voltage": c.get("voltage"), "amperage": c.get("amperage"),
            "max_electric_power": c.get("max_electric_power"), "tariff_id": c.get("tariff_id"),
        })
        for c in _tuple(e.get("connectors"))
    ]
    directions = [{"language": t.get("language", ""), "text": t.get("text", "")} for t in _tuple(e.get("directions"))]
    if directions:
        out["directions"] = directions
    parking = _tuple(e.get("parking_restrictions"))
    if parking:
        out["parking_restrictions"] = list(parking)
    return out
