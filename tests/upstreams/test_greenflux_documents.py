"""``writable_document`` (the refresh's mapping straight from JSON) equals ``Station.from_api(d).writable()``.

Refreshes map GreenFlux stations from the upstream's JSON without building the connector's
objects. What they store as ``upstream_data`` is what conflict detection later compares with a
fresh ``writable()``, so the two must agree exactly: on every station the simulator lists, and on
generated documents with missing keys, nulls, odd types and directions.
"""

from __future__ import annotations

from typing import Any, Callable

import orjson
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from upstreams.greenflux import CONFIG_FIELDS, Station
from upstreams.greenflux_documents import configuration_of, station_document, station_keys, writable_document
from upstreams.raw_json import listing_items

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalar = st.one_of(st.none(), st.text(max_size=8), st.integers(-5, 50_000), st.booleans())


def _maybe_keys(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Dicts with any subset of ``fields`` (a document may leave any key out)."""
    return st.fixed_dictionaries({}, optional=fields)


connector = _maybe_keys({
    name: scalar for name in ("id", "standard", "format", "power_type", "voltage", "amperage",
                              "max_electric_power", "tariff_id", "last_updated")
})
evse = _maybe_keys({
    "uid": scalar, "evse_id": scalar, "status": scalar, "floor_level": scalar, "physical_reference": scalar,
    "evse_sequence_number": scalar, "last_updated": scalar,
    "capabilities": st.one_of(st.none(), st.lists(st.text(max_size=6), max_size=3), st.text(max_size=3)),
    "connectors": st.one_of(st.none(), st.lists(connector, max_size=3)),
    "directions": st.one_of(st.none(), st.lists(_maybe_keys({"language": scalar, "text": scalar}), max_size=2)),
    "parking_restrictions": st.one_of(st.none(), st.lists(st.text(max_size=6), max_size=2)),
})
document = _maybe_keys({
    **{name: scalar for name in ("charge_station_id", "location_id", "name", "default_charge_station_tariff_id",
                                 "deploy_state", "status", "charger_type", "contactless_type",
                                 "charge_station_template_id", "etag", "connectivity_status", "protocol_version",
                                 "last_updated", *CONFIG_FIELDS)},
    "evses": st.one_of(st.none(), st.lists(evse, max_size=3), st.integers()),
})


@SETTINGS
@given(document)
def test_generated_documents_map_as_the_objects_do(doc: dict[str, Any]) -> None:
    assert writable_document(doc) == Station.from_api(doc).writable()
    assert configuration_of(doc) == dict(Station.from_api(doc).configuration)


def test_every_station_the_simulator_lists_maps_as_the_objects_do(make: Callable[..., Any]) -> None:
    conn = make("greenflux", page_size=200)
    documents = [doc for page in conn.list_station_documents() for doc in page.items]
    assert len(documents) > 20
    assert any(doc.get("evses") for doc in documents)
    for doc in documents:
        assert writable_document(doc) == Station.from_api(doc).writable(), doc["charge_station_id"]


# --- stations as the bytes they were sent as (``list_station_raw``) --------------------------

spacing = st.sampled_from([{}, {"option": orjson.OPT_INDENT_2}])


@SETTINGS
@given(st.lists(document, max_size=4), spacing, st.booleans())
def test_a_listing_read_raw_gives_each_document_and_its_keys_back(
    docs: list[dict[str, Any]], options: dict[str, Any], enveloped: bool
) -> None:
    try:
        body = orjson.dumps({"data": docs, "status_code": 1000} if enveloped else docs, **options)
    except TypeError:  # an integer beyond 64 bits, which orjson neither writes nor reads
        assume(False)
    raws = listing_items(body)
    assert [station_document(raw) for raw in raws] == docs
    for raw, doc in zip(raws, docs):
        keys = station_keys(raw)
        assert keys.charge_station_id == doc.get("charge_station_id", "")
        assert keys.location_id == doc.get("location_id", "")
        assert keys.charge_station_template_id == doc.get("charge_station_template_id")
        assert bytes(raw) in body  # the bytes as sent, which the refresh digests


@pytest.mark.parametrize("body", [b"", b'{"data": null}', b"[]", b'{"status_code": 1000}'])
def test_an_empty_listing_is_empty(body: bytes) -> None:
    assert listing_items(body) == []


@pytest.mark.parametrize("body", [b"<html>busy</html>", b'{"data": {"charge_station_id": "X"}}', b'{"data": [1,'])
def test_a_body_that_is_not_a_listing_is_refused(body: bytes) -> None:
    with pytest.raises(ValueError):
        listing_items(body)


def test_the_raw_listing_pages_as_the_parsed_one_on_the_simulator(make: Callable[..., Any]) -> None:
    conn = make("greenflux", page_size=50)
    parsed = [[doc for doc in page.items] for page in conn.list_station_documents()]
    raw = [[station_document(r) for r in page.items] for page in conn.list_station_raw()]
    assert len(parsed) > 1 and raw == parsed
