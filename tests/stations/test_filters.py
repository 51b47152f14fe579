"""The station list's filter choices are cached, yet never stale: a new row of a listed table shows at once."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from locations.models import Location
from portal.models import Backend, Company, SyncRun
from sync.upsert import Incoming, upsert_mirror
from sync.refreshers import RefreshContext
from tests.factories import BackendFactory, LocationFactory, StationFactory

LIST = reverse("stations:list")


def _location_options(client: Client) -> str:
    page = client.get(LIST).content.decode()
    start = page.index('name="location"')
    return page[start:page.index("</select>", start)]


def test_a_location_saved_by_a_form_appears_in_the_filter_at_once(
    viewer_client: Client, company_a: Company
) -> None:
    backend = BackendFactory(company=company_a)
    for name in ("Depot North", "Depot South"):
        StationFactory(company=company_a, backend=backend, location=LocationFactory(
            company=company_a, backend=backend, name=name))
    assert "Depot East" not in _location_options(viewer_client)  # the choices are cached now

    LocationFactory(company=company_a, backend=backend, name="Depot East")

    assert "Depot East" in _location_options(viewer_client)


def test_a_location_written_in_bulk_by_a_refresh_appears_in_the_filter_at_once(
    viewer_client: Client, company_a: Company
) -> None:
    backend = BackendFactory(company=company_a)
    for name in ("Depot North", "Depot South"):
        LocationFactory(company=company_a, backend=backend, name=name)
    assert "Harbour" not in _location_options(viewer_client)

    run = SyncRun.objects.create(backend=backend, entity="locations")
    ctx = RefreshContext(backend=backend, run=run, full=False, since=None, now=timezone.now())
    upsert_mirror(ctx, Location, [Incoming("loc-9", {"company_id": company_a.pk, "name": "Harbour"}, {}, "h")])

    assert "Harbour" in _location_options(viewer_client)


def test_another_companys_choices_are_not_served_from_the_cache(
    viewer_client: Client, other_company_user, company_a: Company, company_b: Company
) -> None:
    from tests.conftest import client_for

    mine = BackendFactory(company=company_a, name="Mine")
    for name in ("North A", "South A"):
        LocationFactory(company=company_a, backend=mine, name=name)
    theirs = BackendFactory(company=company_b, name="Theirs")
    for name in ("North B", "South B"):
        LocationFactory(company=company_b, backend=theirs, name=name)
    assert "North A" in _location_options(viewer_client)

    outsider = _location_options(client_for(other_company_user))

    assert "North B" in outsider and "North A" not in outsider
    assert Backend.objects.count() == 2
