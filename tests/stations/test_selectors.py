"""Station list reads: keyset pages agree with ORDER BY in every sort, both ways; counts per status."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.models import Company, User
from stations.models import Station
from stations.selectors import (
    SORTS,
    StationQuery,
    decode_cursor,
    encode_cursor,
    station_cursor_at,
    station_page,
    station_status_counts,
    stations_for,
)
from tests.factories import BackendFactory, StationFactory

STATUSES = ["AVAILABLE", "CHARGING", "OUTOFORDER", "UNKNOWN"]


@pytest.fixture
def many(company_a: Company, company_b: Company) -> list[Station]:
    """47 stations with repeated labels and statuses (ties are where keyset pages go wrong)."""
    backend = BackendFactory(company=company_a)
    now = timezone.now()
    rows = []
    for i in range(47):
        station = StationFactory(
            company=company_a,
            backend=backend,
            label=f"Hub {i % 5}",
            charge_box_identity=f"ID-{(i * 7) % 47:02d}",
            status=STATUSES[i % 4],
        )
        rows.append(station)
    # Some equal update times, to test ties on a datetime too.
    for i, station in enumerate(rows):
        Station.objects.filter(pk=station.pk).update(updated_at=now - timedelta(minutes=i // 3))
    StationFactory(company=company_b, label="Hub 0")  # never on company A's pages
    return rows


def walk(user: User, query: StationQuery, per_page: int) -> list[int]:
    """Ids seen following "next" from the first page to the end."""
    ids: list[int] = []
    page = station_page(user, query, per_page=per_page)
    while True:
        ids += [s.pk for s in page.stations]
        if page.at_end:
            return ids
        assert page.next_cursor
        page = station_page(user, query, per_page=per_page, after=page.next_cursor)


def walk_back(user: User, query: StationQuery, per_page: int) -> list[int]:
    """Ids seen following "previous" from the last page to the start."""
    ids: list[int] = []
    page = station_page(user, query, per_page=per_page, last=True)
    while True:
        ids = [s.pk for s in page.stations] + ids
        if page.at_start:
            return ids
        assert page.prev_cursor
        page = station_page(user, query, per_page=per_page, before=page.prev_cursor)


@pytest.mark.parametrize("sort", list(SORTS))
@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
def test_keyset_pages_match_order_by_both_ways(
    many: list[Station], viewer: User, sort: str, descending: bool
) -> None:
    column = SORTS[sort]
    order = [f"-{column}", "-id"] if descending else [column, "id"]
    expected = list(stations_for(viewer).order_by(*order).values_list("id", flat=True))
    query = StationQuery(sort=sort, descending=descending)
    assert len(expected) == 47
    assert walk(viewer, query, per_page=10) == expected
    assert walk_back(viewer, query, per_page=10) == expected


def test_pages_of_a_filtered_query(many: list[Station], viewer: User) -> None:
    query = StationQuery(q="hub 3", status="CHARGING", sort="identity")
    expected = list(
        stations_for(viewer)
        .filter(label="Hub 3", status="CHARGING")
        .order_by("charge_box_identity", "id")
        .values_list("id", flat=True)
    )
    assert expected and walk(viewer, query, per_page=1) == expected


def test_page_costs_two_queries(many: list[Station], admin_user: User) -> None:
    # admin_user's companies are read once per request (cached on the user), then two queries a page.
    station_page(admin_user, StationQuery())
    with CaptureQueriesContext(connection) as queries:
        page = station_page(admin_user, StationQuery(), per_page=25)
    assert len(queries.captured_queries) == 2
    assert "GROUP BY" in queries.captured_queries[1]["sql"]
    assert len(page.stations) == 25 and page.total == 47


def test_a_page_holding_every_match_costs_one_query(many: list[Station], admin_user: User) -> None:
    station_page(admin_user, StationQuery())
    with CaptureQueriesContext(connection) as queries:
        page = station_page(admin_user, StationQuery(), per_page=50)
    assert len(queries.captured_queries) == 1
    assert page.total == 47 and page.at_end
    assert {v: n for v, _, n in page.status_counts if n} == station_status_counts(stations_for(admin_user))


def test_status_counts_and_total(many: list[Station], viewer: User) -> None:
    counts = station_status_counts(stations_for(viewer))
    assert counts == {"AVAILABLE": 12, "CHARGING": 12, "OUTOFORDER": 12, "UNKNOWN": 11}
    page = station_page(viewer, StationQuery(status="UNKNOWN"))
    assert page.total == 11 and len(page.stations) == 11
    shown = {value: n for value, _, n in page.status_counts}
    assert shown["AVAILABLE"] == 12 and shown["PLANNED"] == 0


def test_cursor_round_trip_and_nonsense(many: list[Station]) -> None:
    station = many[5]
    for sort, column in SORTS.items():
        assert decode_cursor(encode_cursor(station, sort), sort) == (getattr(station, column), station.pk)
    for bad in ("", "%%%", "bm90IGpzb24", "WzEsMl0"):  # empty, not base64, not JSON, wrong types
        assert decode_cursor(bad, "label") is None


def test_cursor_at_position_starts_the_page_there(many: list[Station], viewer: User) -> None:
    expected = list(stations_for(viewer).order_by("label", "id").values_list("id", flat=True))
    cursor = station_cursor_at(viewer, StationQuery(), 30)
    page = station_page(viewer, StationQuery(), per_page=10, after=cursor)
    assert [s.pk for s in page.stations] == expected[30:40]
