"""The station list and the station page, as a user sees them through the views."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.access import Role
from portal.labels import label
from sync.mirror import SyncState
from portal.models import Backend, Company, Operation, User
from simulator.testing import SimulatorHandle
from stations.mapping import apply_greenflux
from stations.models import Station
from tests.conftest import client_for
from tests.factories import (
    BackendFactory,
    CompanyFactory,
    LocationFactory,
    StationFactory,
    StationModelFactory,
    UserFactory,
)

LIST = reverse("stations:list")
ROW_LABEL = re.compile(r'class="station-label">\s*<a href="[^"]+">([^<]+)</a>')


def labels(response) -> list[str]:  # type: ignore[no-untyped-def]
    """Station labels in the order the rows show them."""
    assert response.status_code == 200
    return [html.unescape(label) for label in ROW_LABEL.findall(response.content.decode())]


def get(client: Client, **params: object):  # type: ignore[no-untyped-def]
    return client.get(LIST, {k: str(v) for k, v in params.items()})


@pytest.fixture
def backend(company_a: Company) -> Backend:
    return BackendFactory(company=company_a, name="GF Amsterdam")


@pytest.fixture
def estate(company_a: Company, company_b: Company, backend: Backend) -> dict[str, Station]:
    """A handful of company A's stations that differ in every filterable way, and one of company B."""
    other_backend = BackendFactory(company=company_a, name="BE Utrecht", kind=Backend.Kind.BEENERGISED)
    depot = LocationFactory(company=company_a, backend=backend, name="Depot North")
    model = StationModelFactory(vendor="Alfen", model="Eve Double")
    rows = {
        "alpha": StationFactory(
            company=company_a,
            backend=backend,
            label="Alpha Depot",
            charge_box_identity="NL-ALPHA-1",
            status="AVAILABLE",
            connectivity="Online",
            deploy_state="Production",
            location=depot,
        ),
        "bravo": StationFactory(
            company=company_a,
            backend=backend,
            label="Bravo Yard",
            charge_box_identity="NL-BRAVO-2",
            status="CHARGING",
            connectivity="Offline",
            deploy_state="Stock",
            serial_number="SN-7731",
        ),
        "charlie": StationFactory(
            company=company_a,
            backend=other_backend,
            label="Charlie Office",
            charge_box_identity="NL-CHARLIE-3",
            status="AVAILABLE",
            model=model,
            sync_state=SyncState.PENDING,
        ),
        "delta": StationFactory(
            company=company_a,
            backend=backend,
            label="Delta Garage",
            charge_box_identity="NL-DELTA-4",
            status="OUTOFORDER",
            connectivity="Online",
            deploy_state="Deprecated",
            sync_state=SyncState.FAILED,
        ),
        "echo": StationFactory(
            company=company_a,
            backend=backend,
            label="Echo Removed",
            charge_box_identity="NL-ECHO-5",
            status="AVAILABLE",
            removed_at=timezone.now(),
        ),
    }
    rows["foreign"] = StationFactory(
        company=company_b, label="Foxtrot Foreign", charge_box_identity="NL-FOX-6", status="AVAILABLE"
    )
    return rows


def test_list_shows_only_the_users_companies(viewer_client: Client, estate: dict[str, Station]) -> None:
    shown = labels(get(viewer_client))
    assert shown == ["Alpha Depot", "Bravo Yard", "Charlie Office", "Delta Garage", "Echo Removed"]
    assert labels(get(viewer_client, q="Foxtrot")) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("depot", ["Alpha Depot"]),  # label, any case
        ("nl-bravo", ["Bravo Yard"]),  # charge box identity
        ("7731", ["Bravo Yard"]),  # serial number
        ("ar", ["Bravo Yard", "Charlie Office", "Delta Garage"]),
    ],
)
def test_search_narrows_rows(
    viewer_client: Client, estate: dict[str, Station], text: str, expected: list[str]
) -> None:
    assert labels(get(viewer_client, q=text)) == expected


def test_each_filter_narrows_rows(
    viewer_client: Client, estate: dict[str, Station], backend: Backend
) -> None:
    cases = {
        "backend": (backend.pk, ["Alpha Depot", "Bravo Yard", "Delta Garage", "Echo Removed"]),
        "location": (estate["alpha"].location_id, ["Alpha Depot"]),
        "model": (estate["charlie"].model_id, ["Charlie Office"]),
        "status": ("AVAILABLE", ["Alpha Depot", "Charlie Office", "Echo Removed"]),
        "connectivity": ("Offline", ["Bravo Yard"]),
        "deploy_state": ("Deprecated", ["Delta Garage"]),
        "sync_state": ("pending", ["Charlie Office"]),
    }
    for name, (value, expected) in cases.items():
        assert labels(get(viewer_client, **{name: value})) == expected, name
    assert labels(get(viewer_client, sync_state="removed")) == ["Echo Removed"]
    # A removed row is not counted as "synced" any more: its badge says removed.
    assert "Echo Removed" not in labels(get(viewer_client, sync_state="synced"))
    # Filters combine.
    assert labels(get(viewer_client, status="AVAILABLE", connectivity="Online")) == ["Alpha Depot"]


def test_company_filter_for_a_user_of_two_companies(
    estate: dict[str, Station], company_a: Company, company_b: Company
) -> None:
    both = client_for(UserFactory(role=Role.VIEWER, companies=[company_a, company_b]))
    page = get(both).content.decode()
    assert 'name="company"' in page and "Foxtrot Foreign" in page
    assert labels(get(both, company=company_b.pk)) == ["Foxtrot Foreign"]


def test_a_filter_value_from_another_company_is_refused_next_to_its_field(
    viewer_client: Client, estate: dict[str, Station], company_b: Company
) -> None:
    foreign_location = LocationFactory(company=company_b)
    LocationFactory(company=estate["alpha"].company, backend=estate["alpha"].backend, name="Second site")
    response = get(viewer_client, location=foreign_location.pk)
    page = response.content.decode()
    assert "not one of yours any more; showing all." in page
    assert len(labels(response)) == 5  # the bad filter filters nothing


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("label", ["Alpha Depot", "Bravo Yard", "Charlie Office", "Delta Garage", "Echo Removed"]),
        ("-label", ["Echo Removed", "Delta Garage", "Charlie Office", "Bravo Yard", "Alpha Depot"]),
        ("-identity", ["Echo Removed", "Delta Garage", "Charlie Office", "Bravo Yard", "Alpha Depot"]),
        # AVAILABLE < CHARGING < OUTOFORDER, ties by id (creation order).
        ("status", ["Alpha Depot", "Charlie Office", "Echo Removed", "Bravo Yard", "Delta Garage"]),
    ],
)
def test_sort_orders_rows(
    viewer_client: Client, estate: dict[str, Station], sort: str, expected: list[str]
) -> None:
    assert labels(get(viewer_client, sort=sort)) == expected


def test_sort_by_last_update_newest_first(viewer_client: Client, estate: dict[str, Station]) -> None:
    # updated_at is auto_now; set it through update() so the order differs from creation order.
    now = timezone.now()
    for days, key in enumerate(["charlie", "alpha", "echo", "delta", "bravo"]):
        Station.objects.filter(pk=estate[key].pk).update(updated_at=now - timedelta(days=days))
    assert labels(get(viewer_client, sort="-updated")) == [
        "Charlie Office",
        "Alpha Depot",
        "Echo Removed",
        "Delta Garage",
        "Bravo Yard",
    ]


def test_column_headers_toggle_the_sort_and_say_so(viewer_client: Client, estate: dict[str, Station]) -> None:
    page = get(viewer_client).content.decode()
    label_header = page.split('id="sort-label"', 1)[0].rsplit("<th", 1)[1]
    assert 'aria-sort="ascending"' in label_header
    assert 'href="/stations/?sort=-label"' in page  # clicking the sorted column flips it
    page = get(viewer_client, sort="-label").content.decode()
    assert 'aria-sort="descending"' in page and 'href="/stations/?sort=label"' in page
    assert "sorted by label, descending" in page


def test_status_counts_match_the_filters(viewer_client: Client, estate: dict[str, Station]) -> None:
    page = get(viewer_client).content.decode()
    assert "<strong>5</strong> stations" in page
    assert re.search(r'Available <span class="count">3</span>', page)
    assert re.search(r'Charging <span class="count">1</span>', page)
    assert re.search(r'Out of order <span class="count">1</span>', page)
    # Counts follow the other filters; choosing a status keeps the others' counts visible.
    page = get(viewer_client, connectivity="Online", status="AVAILABLE").content.decode()
    assert "<strong>1</strong> station match" in page
    assert re.search(r'Available <span class="count">1</span>', page)
    assert re.search(r'Out of order <span class="count">1</span>', page)
    assert "Charging <span" not in page


def test_pages_walk_the_whole_filtered_list_without_gaps(
    viewer_client: Client, company_a: Company, backend: Backend
) -> None:
    for i in range(130):
        StationFactory(
            company=company_a,
            backend=backend,
            label=f"Site {i % 7}",
            charge_box_identity=f"P-{i:03d}",
            status="AVAILABLE" if i % 3 else "CHARGING",
        )
    expected = list(
        Station.objects.filter(status="AVAILABLE").order_by("-label", "-id").values_list("label", "id")
    )
    seen: list[str] = []
    response = get(viewer_client, status="AVAILABLE", sort="-label", per_page=25)
    pages = 0
    while True:
        pages += 1
        seen += labels(response)
        next_url = re.search(r'id="page-next" rel="next" href="([^"]+)"', response.content.decode())
        if not next_url:
            break
        assert "status=AVAILABLE" in next_url[1]  # the filters stay with the page links
        response = viewer_client.get(html.unescape(next_url[1]))
    assert pages == 4
    assert seen == [label for label, _ in expected]
    # Last (the final 25 rows), then back one page: the 25 rows just before them.
    last = re.search(
        r'id="page-last" href="([^"]+)"',
        get(viewer_client, status="AVAILABLE", sort="-label", per_page=25).content.decode(),
    )
    assert last
    last_page = viewer_client.get(html.unescape(last[1]))
    assert labels(last_page) == seen[-25:]
    previous = re.search(r'id="page-previous" rel="prev" href="([^"]+)"', last_page.content.decode())
    assert previous
    assert labels(viewer_client.get(html.unescape(previous[1]))) == seen[-50:-25]


def test_a_page_holding_every_match_counts_the_statuses_as_a_full_page_does(
    viewer_client: Client, company_a: Company, backend: Backend
) -> None:
    statuses = ["AVAILABLE"] * 14 + ["CHARGING"] * 9 + ["OUTOFORDER"] * 4 + ["UNKNOWN"] * 3
    for i, status in enumerate(statuses):
        StationFactory(company=company_a, backend=backend, label=f"Hub {i:02d}", status=status)

    def counts(**params: object) -> tuple[str, list[str]]:
        page = get(viewer_client, **params).content.decode()
        total = re.search(r"<strong>([\d,]+)</strong> station", page)
        assert total
        return total[1], re.findall(r'id="status-[a-z]+"[^>]*>([^<]+<span class="count">\d+)', page)

    # 30 rows: per_page=25 counts with a GROUP BY, per_page=50 from the rows it shows.
    full, whole = counts(per_page=25), counts(per_page=50)
    assert full == whole == ("30", ["Available <span class=\"count\">14", "Charging <span class=\"count\">9",
                                    "Out of order <span class=\"count\">4",
                                    "Unknown or not reported <span class=\"count\">3"])


def test_a_nonsense_page_cursor_shows_the_first_page(
    viewer_client: Client, estate: dict[str, Station]
) -> None:
    assert labels(get(viewer_client, after="not-a-cursor"))[0] == "Alpha Depot"


def test_list_query_count_does_not_grow_with_rows(
    viewer_client: Client, company_a: Company, backend: Backend, django_assert_num_queries
) -> None:
    def add(n: int) -> None:
        location = LocationFactory(company=company_a, backend=backend)
        model = StationModelFactory()
        for _ in range(n):
            StationFactory(
                company=company_a,
                backend=backend,
                location=location,
                model=model,
                sync_state=SyncState.PENDING,
            )

    add(30)  # more than a page: a page holding every match answers its counts without a query
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert len(labels(get(viewer_client, per_page=25))) == 25
    add(80)
    fresh = client_for(User.objects.get(username="viewer"))
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(labels(get(fresh, per_page=100))) == 100


def test_htmx_request_gets_only_the_results(viewer_client: Client, estate: dict[str, Station]) -> None:
    response = viewer_client.get(
        LIST, {"q": "bravo"}, HTTP_HX_REQUEST="true", HTTP_HX_TRIGGER="station-filters"
    )
    body = response.content.decode()
    assert "<html" not in body and "<form" not in body
    assert body.lstrip().startswith('<div id="station-results"')
    assert labels(response) == ["Bravo Yard"]
    assert "HX-Request" in response["Vary"]
    # A sort header click also brings the form's fields along (out of band) so they agree.
    body = viewer_client.get(
        LIST, {"sort": "-label"}, HTTP_HX_REQUEST="true", HTTP_HX_TRIGGER="sort-label"
    ).content
    assert b'hx-swap-oob="true"' in body and b'<option value="-label" selected>' in body


def test_plain_get_without_javascript_keeps_the_form_filled(
    viewer_client: Client, estate: dict[str, Station]
) -> None:
    response = get(viewer_client, q="yard", status="CHARGING", sort="-label")
    page = response.content.decode()
    assert "<html" in page and labels(response) == ["Bravo Yard"]
    assert 'value="yard"' in page
    assert '<option value="CHARGING" selected>' in page and '<option value="-label" selected>' in page
    assert 'method="get"' in page and '<button type="submit">Apply</button>' in page


def test_pending_rows_poll_until_settled(viewer_client: Client, estate: dict[str, Station]) -> None:
    charlie = estate["charlie"]
    row_url = reverse("stations:row", args=[charlie.pk])
    page = get(viewer_client).content.decode()
    assert f'hx-get="{row_url}" hx-trigger="every 2s"' in page
    assert page.count('hx-trigger="every 2s"') == 1  # only the pending row polls
    Station.objects.filter(pk=charlie.pk).update(sync_state=SyncState.SYNCED, status=F("status"))
    row = viewer_client.get(row_url, HTTP_HX_REQUEST="true").content.decode()
    assert row.lstrip().startswith(f'<tr id="station-row-{charlie.pk}"')
    assert "every 2s" not in row and ">synced<" in row
    # Without htmx the row's URL is just the way to the station.
    assert viewer_client.get(row_url).url == reverse("stations:detail", args=[charlie.pk])


def test_list_listens_for_stations_changed(viewer_client: Client, estate: dict[str, Station]) -> None:
    page = get(viewer_client, status="AVAILABLE").content.decode()
    assert 'hx-get="/stations/?status=AVAILABLE" hx-trigger="stationsChanged from:body"' in page


def test_empty_states_say_what_to_do(viewer_client: Client, company_a: Company) -> None:
    page = get(viewer_client).content.decode()
    assert "No stations yet" in page and "refreshed" in page
    StationFactory(company=company_a)
    page = get(viewer_client, q="nothing-like-this").content.decode()
    assert "No stations match" in page and "clear the search and filters" in page


def test_list_needs_a_signed_in_user_with_a_role(client: Client, estate: dict[str, Station]) -> None:
    assert client.get(LIST).status_code == 302
    no_role = client_for(UserFactory(companies=[estate["alpha"].company]))
    assert no_role.get(LIST).status_code == 403


# --- the station page ------------------------------------------------------------------


@pytest.fixture
def mirrored_station(simulator: SimulatorHandle, gf_backend: Backend) -> Station:
    """A GreenFlux station with EVSEs and configuration, as the simulator has it."""
    with gf_backend.connector() as connector:
        record = next(s for s in connector.list_stations().items() if s.evses and s.configuration)
    return apply_greenflux(Station(backend=gf_backend, company=gf_backend.company), record)


def test_station_page_shows_the_station(viewer_client: Client, mirrored_station: Station) -> None:
    station = mirrored_station
    page = viewer_client.get(reverse("stations:detail", args=[station.pk])).content.decode()
    assert f"<h1>{html.escape(station.label)}</h1>" in page
    for text in (
        station.charge_box_identity,
        station.company.name,
        station.backend.name,
        "GreenFlux",
        station.deploy_state,
        station.get_status_display(),
    ):
        assert html.escape(text) in page
    config = page.split('id="config-heading"', 1)[1].split("</section>", 1)[0]
    assert "read-only" in config and "cannot change it" in config
    if station.firmware_version:
        assert station.firmware_version in config
    connector = station.evses.first().connectors.first()  # type: ignore[union-attr]
    evses = page.split('id="evses-heading"', 1)[1]
    assert label(connector.standard, "standard") in evses and f"{connector.max_voltage} V" in evses
    assert page.count('role="row"') == 1 + sum(e.connectors.count() for e in station.evses.all()) * 1 + (
        station.evses.count() - 1
    )  # a header row per EVSE table plus a row per connector


def test_station_page_lists_its_operations(
    viewer_client: Client, mirrored_station: Station, viewer: User
) -> None:
    station = mirrored_station
    Operation.objects.create(
        kind="station.patch",
        backend=station.backend,
        company=station.company,
        target_type="station",
        target_id=station.pk,
        status=Operation.Status.FAILED,
        error_message="name: too long",
        created_by=viewer,
    )
    Operation.objects.create(
        kind="location.update", backend=station.backend, target_type="location", target_id=station.pk
    )
    history = viewer_client.get(reverse("stations:detail", args=[station.pk])).content.decode()
    history = history.split('id="history-heading"', 1)[1]
    assert "Change station fields" in history and "name: too long" in history and "viewer" in history
    assert "Edit location" not in history


def test_pending_station_page_polls_its_live_part(viewer_client: Client, mirrored_station: Station) -> None:
    url = reverse("stations:detail", args=[mirrored_station.pk])
    assert "every 2s" not in viewer_client.get(url).content.decode().split('id="station-live"', 1)[1][:200]
    Station.objects.filter(pk=mirrored_station.pk).update(sync_state=SyncState.PENDING)
    page = viewer_client.get(url).content.decode()
    assert 'hx-trigger="every 2s, stationsChanged from:body"' in page and "Waiting for" in page
    fragment = viewer_client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="station-live").content.decode()
    assert "<html" not in fragment and fragment.lstrip().startswith('<div id="station-live"')


def test_a_pending_station_page_settles_in_one_answer(operator_client: Client, mirrored_station: Station) -> None:
    """The poll that finds the station settled draws the badges and the actions, and tells the lists."""
    url = reverse("stations:detail", args=[mirrored_station.pk])
    actions = reverse("stations:actions", args=[mirrored_station.pk])
    Station.objects.filter(pk=mirrored_station.pk).update(sync_state=SyncState.PENDING)
    page = operator_client.get(url).content.decode()  # without JavaScript: the whole page, actions included
    assert f'hx-get="{url}?was=pending"' in page and actions not in page
    assert f'action="{reverse("stations:refresh", args=[mirrored_station.pk])}"' in page
    poll = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "station-live"}
    waiting = operator_client.get(url, {"was": "pending"}, **poll)
    assert 'id="station-actions"' in waiting.content.decode() and "HX-Trigger" not in waiting

    Station.objects.filter(pk=mirrored_station.pk).update(sync_state=SyncState.SYNCED)
    settled = operator_client.get(url, {"was": "pending"}, **poll)
    fragment = settled.content.decode()
    assert "every 2s" not in fragment and "data-settled" in fragment and 'id="station-refresh"' in fragment
    assert settled["HX-Trigger"] == "stationsChanged, operationsChanged"
    # Redrawn later for another reason (a write elsewhere announced itself): nothing new to announce.
    assert "HX-Trigger" not in operator_client.get(url, **poll)


def test_a_station_page_polls_while_a_refresh_runs(operator_client: Client, mirrored_station: Station) -> None:
    """A refresh leaves the station synced while its operation is open: the page still waits for it."""
    station = mirrored_station
    Operation.objects.create(kind="station.refresh", backend=station.backend, company=station.company,
                             target_type="station", target_id=station.pk, status=Operation.Status.QUEUED)
    page = operator_client.get(reverse("stations:detail", args=[station.pk])).content.decode()
    assert 'hx-trigger="every 2s, stationsChanged from:body"' in page and "Refresh station (" in page


def test_station_page_is_404_across_companies(mirrored_station: Station, other_company_user: User) -> None:
    outsider = client_for(other_company_user)
    assert outsider.get(reverse("stations:detail", args=[mirrored_station.pk])).status_code == 404
    assert (
        outsider.get(reverse("stations:row", args=[mirrored_station.pk]), HTTP_HX_REQUEST="true").status_code
        == 404
    )


def test_superuser_sees_every_company(estate: dict[str, Station]) -> None:
    boss = client_for(UserFactory(is_superuser=True, companies=[CompanyFactory()]))
    assert "Foxtrot Foreign" in labels(get(boss))


def test_large_estates_filter_locations_by_name(viewer: User, viewer_client: Client,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from stations import filters
    from tests.factories import LocationFactory, StationFactory

    monkeypatch.setattr(filters, "MAX_SELECT_OPTIONS", 2)
    company = viewer.companies.get()
    depot, *_ = [LocationFactory(company=company, name=name) for name in ("Depot North", "Depot South", "Yard")]
    StationFactory(company=company, location=depot, label="At the north depot")
    StationFactory(company=company, label="Elsewhere")
    html = viewer_client.get(reverse("stations:list"), {"location": "depot north"}).content.decode()
    assert '<input type="text" name="location"' in html
    assert "At the north depot" in html and "Elsewhere" not in html
    missing = viewer_client.get(reverse("stations:list"), {"location": "Atlantis"}).content.decode()
    assert "No location is named “Atlantis”." in missing
