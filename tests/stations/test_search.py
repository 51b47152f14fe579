"""The station search finds what it always found: any part of a label, identity or serial number, any case.

A regression guard for the search's indexes (``stations/migrations/0002``): the page's answer is
compared with a plain reference (Python's ``upper()`` containment, which is what PostgreSQL's
``UPPER(col) LIKE UPPER('%q%')`` does), for partial identities, accented and mixed-case labels.
"""

from __future__ import annotations

import pytest
from django.test import Client

from portal.models import Company
from stations.models import Station
from tests.factories import BackendFactory, StationFactory
from tests.stations.test_browse import get, labels

ESTATE = [
    # label, charge box identity, serial number
    ("Zürich Hauptbahnhof", "CH-ZRH-0001", "SN-ÄÖÜ-17"),
    ("Café de Paris", "FR-PAR-0420", "SN-00420"),
    ("São Paulo Depot", "BR-SAO-0007", ""),
    ("Møllevangen P-hus", "DK-AAR-1212", "sn-lower-9"),
    ("depot north", "NL-AMS-0001", "SN-0001"),
    ("DEPOT SOUTH", "nl-ams-0002", "SN-0002"),
    ("Straße 12", "DE-BER-0012", "SN-12"),
]
QUERIES = ["zür", "ZÜR", "zur", "café", "CAFÉ", "cafe", "são", "møll", "MØLL", "depot", "DEPOT", "ams-000",
           "NL-AMS", "-0001", "420", "äöü", "ÄÖÜ", "sn-lower", "straße", "STRAßE", "12", "", "nothing-like-it"]


def _upper(text: str) -> str:
    # Character by character, as PostgreSQL's UPPER does ("ß" stays one letter; Python's upper() makes "SS").
    return "".join(c.upper() if len(c.upper()) == 1 else c for c in text)


def _reference(text: str) -> list[str]:
    needle = _upper(text.strip())
    return [label for label, identity, serial in ESTATE
            if any(needle in _upper(value) for value in (label, identity, serial))]


@pytest.fixture
def estate(company_a: Company) -> None:
    backend = BackendFactory(company=company_a)
    for label, identity, serial in ESTATE:
        StationFactory(company=company_a, backend=backend, label=label, charge_box_identity=identity,
                       serial_number=serial)


@pytest.mark.parametrize("text", QUERIES)
def test_search_matches_the_plain_reference(viewer_client: Client, estate: None, text: str) -> None:
    shown = labels(get(viewer_client, q=text, per_page=100))
    expected = list(Station.objects.filter(label__in=_reference(text)).order_by("label", "id")
                    .values_list("label", flat=True))
    assert shown == expected


def test_partial_identity_and_accented_label_are_found(viewer_client: Client, estate: None) -> None:
    assert labels(get(viewer_client, q="zrh-00")) == ["Zürich Hauptbahnhof"]
    assert labels(get(viewer_client, q="ZÜRICH")) == ["Zürich Hauptbahnhof"]
    assert sorted(labels(get(viewer_client, q="ams-000"))) == ["DEPOT SOUTH", "depot north"]


def test_the_search_is_served_by_its_trigram_index(estate: None) -> None:
    """The index of migration 0010 matches the expression the search compiles to (else: a full scan)."""
    from django.db import connection

    from stations.selectors import station_search

    sql, params = station_search(Station.objects.order_by(), "zrh-00").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: otherwise a scan is cheaper
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "station_search_trgm" in plan, plan
