"""Maintenance pages over HTTP: validation naming the field, nothing saved on bad input, roles and company scoping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from maintenance.models import MaintenanceWindow
from sync.mirror import SyncState
from portal.models import Backend, Company, Operation
from stations.models import Station
from tests.factories import BackendFactory, StationFactory

from .conftest import local_input, soon

CONNECTORS = [{"uuid": "c-1111", "connectorId": 1}, {"uuid": "c-2222", "connectorId": 2}]


def be_station(company: Company, label: str = "Depot 1", backend: Backend | None = None, **kw) -> Station:
    backend = backend or Backend.objects.filter(name=f"be {company.name}").first() or BackendFactory(
        kind=Backend.Kind.BEENERGISED, company=company, name=f"be {company.name}")
    n = Station.objects.count() + 1
    return StationFactory(company=company, backend=backend, label=label, upstream_id=f"uuid-{label}-{n}",
                          upstream_data={"connectors": CONNECTORS}, **kw)


def window(station: Station, start, hours: float = 2, **kw) -> MaintenanceWindow:
    return MaintenanceWindow.objects.create(
        backend=station.backend, company=station.company, station=station, starts_at=start,
        ends_at=start + timedelta(hours=hours), comment=kw.pop("comment", "Planned work"), upstream_id=kw.pop(
            "upstream_id", f"w-{MaintenanceWindow.objects.count() + 1}"), **kw)


def post_window(client: Client, station: Station, **fields):
    start = soon()
    data = {"starts_at": local_input(start), "ends_at": local_input(start + timedelta(hours=2)),
            "comment": "New firmware", "connector": ""}
    data.update(fields)
    return client.post(reverse("maintenance:create", args=[station.pk]), data)


def nothing_saved() -> bool:
    return not MaintenanceWindow.objects.exists() and not Operation.objects.exists()


@pytest.mark.parametrize("fields, field, words", [
    ({"starts_at": local_input(timezone.now() - timedelta(hours=1))}, "starts_at", "may not start in the past"),
    ({"ends_at": local_input(soon() - timedelta(hours=1))}, "ends_at", "end must be after the start"),
    ({"connector": "c-9999"}, "connector", "c-9999 is not a connector of this station"),
    ({"comment": ""}, "comment", "required"),
])
def test_bad_input_names_the_field_and_saves_nothing(operator_client: Client, company_a: Company, fields, field,
                                                     words) -> None:
    station = be_station(company_a)
    response = post_window(operator_client, station, **fields)
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert field in errors and words in " ".join(errors[field])
    assert words in response.content.decode()
    assert nothing_saved()


def test_a_window_is_saved_pending_with_its_operation_and_overlaps_are_warned(operator_client: Client,
                                                                               company_a: Company) -> None:
    station = be_station(company_a)
    window(station, soon(1), hours=4)
    response = post_window(operator_client, station, connector="c-2222")
    assert response.status_code == 302
    created = MaintenanceWindow.objects.exclude(upstream_id__startswith="w-").get()
    assert (created.sync_state, created.connector_uuid) == (SyncState.PENDING, "c-2222")
    op = Operation.objects.get(kind="maintenance.create")
    assert op.payload["document"]["cpUuid"] == station.upstream_id
    assert op.payload["document"]["connectorUuid"] == "c-2222"
    assert op.payload["document"]["startDate"].endswith("Z")
    page = operator_client.get(response["Location"])
    text = page.content.decode()
    assert "overlaps 1 other window" in text
    assert "New firmware" in text and "Connector 2" in text


def test_a_greenflux_station_has_no_windows_to_plan(operator_client: Client, company_a: Company) -> None:
    station = StationFactory(company=company_a, backend=BackendFactory(kind=Backend.Kind.GREENFLUX, company=company_a))
    response = post_window(operator_client, station)
    assert response.status_code == 200 and "only be.ENERGISED has" in response.content.decode()
    assert nothing_saved()
    assert "Plan a maintenance window" not in operator_client.get(reverse("stations:detail", args=[station.pk])).content.decode()


def test_station_page_shows_windows_and_only_operators_get_the_form(viewer_client: Client, operator_client: Client,
                                                                     company_a: Company) -> None:
    station = be_station(company_a)
    window(station, soon(3), comment="Swap the meter")
    url = reverse("stations:detail", args=[station.pk])
    as_viewer = viewer_client.get(url).content.decode()
    assert "Swap the meter" in as_viewer and "Plan a maintenance window" not in as_viewer
    as_operator = operator_client.get(url).content.decode()
    assert "Plan a maintenance window" in as_operator
    assert f'action="{reverse("maintenance:create", args=[station.pk])}"' in as_operator  # the form is on the page
    assert viewer_client.get(reverse("maintenance:create", args=[station.pk])).status_code == 403


def test_other_companies_windows_and_stations_stay_hidden(operator_client: Client, other_company_user,
                                                          company_a: Company, company_b: Company) -> None:
    mine = be_station(company_a, "Mine")
    theirs = be_station(company_b, "Theirs")
    window(mine, soon(2), comment="Our window")
    their_window = window(theirs, soon(2), comment="Their window")
    page = operator_client.get(reverse("maintenance:list")).content.decode()
    assert "Our window" in page and "Their window" not in page
    assert operator_client.get(reverse("maintenance:create", args=[theirs.pk])).status_code == 404
    assert operator_client.post(reverse("maintenance:cancel", args=[their_window.pk])).status_code == 404
    dashboard = Client()
    dashboard.force_login(other_company_user)
    assert "Our window" not in dashboard.get(reverse("dashboard")).content.decode()


def test_maintenance_page_filters_by_date_backend_and_location_and_draws_a_timeline(
        viewer_client: Client, company_a: Company) -> None:
    from tests.factories import LocationFactory

    here = LocationFactory(company=company_a, name="Depot North")
    first = be_station(company_a, "North 1", location=here)
    other_backend = BackendFactory(kind=Backend.Kind.BEENERGISED, company=company_a, name="be second")
    second = be_station(company_a, "South 1", backend=other_backend)
    window(first, soon(2), comment="Tomorrow-ish north")
    window(second, soon(24 * 20), comment="Far away south")
    page = viewer_client.get(reverse("maintenance:list"))
    text = page.content.decode()
    assert "Tomorrow-ish north" in text and "Far away south" not in text  # two weeks by default
    assert "<svg" in text and 'class="bar' in text
    later = (timezone.localdate() + timedelta(days=19)).isoformat()
    to = (timezone.localdate() + timedelta(days=22)).isoformat()
    ranged = viewer_client.get(reverse("maintenance:list"), {"start": later, "end": to}).content.decode()
    assert "Far away south" in ranged and "Tomorrow-ish north" not in ranged
    by_backend = viewer_client.get(reverse("maintenance:list"), {"backend": other_backend.pk,
                                                                 "end": to}).content.decode()
    assert "Far away south" in by_backend and "Tomorrow-ish north" not in by_backend
    by_location = viewer_client.get(reverse("maintenance:list"), {"location": here.pk, "end": to}).content.decode()
    assert "Tomorrow-ish north" in by_location and "Far away south" not in by_location
    backwards = viewer_client.get(reverse("maintenance:list"), {"start": to, "end": later})
    assert "must be on or after" in backwards.content.decode()


def test_dashboard_shows_in_maintenance_now_and_the_next_24_hours(viewer_client: Client, company_a: Company) -> None:
    running = be_station(company_a, "Running")
    window(running, timezone.now() - timedelta(minutes=30), comment="Being fixed")
    window(be_station(company_a, "Soon"), soon(5), comment="Starts soon")
    window(be_station(company_a, "Later"), soon(40), comment="Day after")
    text = viewer_client.get(reverse("dashboard")).content.decode()
    assert "Being fixed" in text and "Starts soon" in text and "Day after" not in text
    assert "station in maintenance now" in text


# --- planning for many -------------------------------------------------------------------

def plan_data(ids: list[int], **fields) -> dict:
    start = soon(6)
    return {"step": "confirm", "station": [str(i) for i in ids], "starts_at": local_input(start),
            "ends_at": local_input(start + timedelta(hours=1)), "comment": "Inspection", **fields}


def test_plan_page_takes_the_station_lists_filters(operator_client: Client, company_a: Company) -> None:
    be_station(company_a, "Alpha depot")
    be_station(company_a, "Beta depot")
    StationFactory(company=company_a, label="Alpha greenflux",
                   backend=BackendFactory(kind=Backend.Kind.GREENFLUX, company=company_a))
    page = operator_client.get(reverse("maintenance:plan"), {"q": "Alpha"})
    assert [s.label for s in page.context["stations"]] == ["Alpha depot"]
    assert "1 of the 2 matching stations cannot take a maintenance window" in page.content.decode()
    listing = operator_client.get(reverse("stations:list"), {"q": "Alpha"}).content.decode()
    assert reverse("maintenance:plan") + "?q=Alpha" in listing


def test_plan_for_many_makes_one_operation_per_station_and_refuses_forged_ids(
        operator_client: Client, company_a: Company, company_b: Company) -> None:
    mine = [be_station(company_a, f"Depot {n}") for n in range(3)]
    foreign = be_station(company_b, "Not mine")
    response = operator_client.post(reverse("maintenance:plan"), plan_data([s.pk for s in mine] + [foreign.pk]))
    assert response.status_code == 302
    assert MaintenanceWindow.objects.filter(station=foreign).count() == 0
    assert Operation.objects.filter(kind="maintenance.create").count() == 3
    result = operator_client.get(response["Location"])
    text = result.content.decode()
    assert "1 selected id named no station of yours" in text
    assert all(s.label in text for s in mine) and "Not mine" not in text
    assert "0 of 3" in text


def test_plan_for_many_warns_about_overlaps_but_plans_them(operator_client: Client, company_a: Company) -> None:
    busy, free = be_station(company_a, "Busy"), be_station(company_a, "Free")
    window(busy, soon(5), hours=3, comment="Already planned")
    response = operator_client.post(reverse("maintenance:plan"), plan_data([busy.pk, free.pk]), follow=True)
    assert "1 station already had a window overlapping this one (Busy)" in response.content.decode()
    assert MaintenanceWindow.objects.filter(comment="Inspection").count() == 2


def test_plan_for_many_bad_input_saves_nothing(operator_client: Client, company_a: Company) -> None:
    station = be_station(company_a)
    past = operator_client.post(reverse("maintenance:plan"), plan_data(
        [station.pk], starts_at=local_input(timezone.now() - timedelta(hours=2))))
    assert past.status_code == 422 and "may not start in the past" in past.content.decode()
    none = operator_client.post(reverse("maintenance:plan"), plan_data([]))
    assert none.status_code == 422 and "Choose at least one station" in none.content.decode()
    assert nothing_saved()
    # A selection handed over from the station list (no "step") only shows the form.
    handed = operator_client.post(reverse("maintenance:plan"), {"station": [station.pk]})
    assert handed.status_code == 200 and handed.context["checked"] == {station.pk}
    assert nothing_saved()


def test_a_plan_result_is_not_shown_to_another_company(operator_client: Client, other_company_user,
                                                       company_a: Company) -> None:
    station = be_station(company_a)
    response = operator_client.post(reverse("maintenance:plan"), plan_data([station.pk]))
    outsider = Client()
    outsider.force_login(other_company_user)
    assert outsider.get(response["Location"]).status_code == 404


def test_planning_for_many_ticks_nothing_and_counts_before_confirming(
        operator_client: Client, company_a: Company) -> None:
    stations = [be_station(company_a, f"Depot {n}") for n in range(3)]
    page = operator_client.get(reverse("maintenance:plan"))
    assert page.context["checked"] == set() and len(page.context["stations"]) == 3
    assert " checked" not in page.content.decode().split('class="plan-list"', 1)[1]
    # Reviewing two ticked stations says how many and whose, and sends nothing.
    review = operator_client.post(reverse("maintenance:plan"), plan_data([s.pk for s in stations[:2]], step="plan"))
    text = review.content.decode()
    assert review.status_code == 200 and "Plan 2 maintenance windows?" in text
    assert f"2 of {company_a.name}" in text and "Confirm: plan 2 windows" in text
    assert nothing_saved()
    confirmed = operator_client.post(reverse("maintenance:plan"), plan_data([s.pk for s in stations[:2]]))
    assert confirmed.status_code == 302
    assert MaintenanceWindow.objects.filter(comment="Inspection").count() == 2
