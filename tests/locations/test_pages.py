"""Location pages for every role: viewers read, operators create and edit, companies stay apart."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from locations.models import Location
from sync.mirror import SyncState
from portal.models import Backend, Company, Operation, User
from tests.conftest import client_for
from tests.factories import BackendFactory, LocationFactory, StationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chargeye(company_a: Company) -> Backend:
    return BackendFactory(name="ChargEye A", kind="chargeye", company=company_a, base_url="http://127.0.0.1:9/api",
                          credentials={"refresh_token": "unused"})


@pytest.fixture
def depot(company_a: Company, chargeye: Backend) -> Location:
    return LocationFactory(company=company_a, backend=chargeye, name="Utrecht Depot", upstream_id="ce-1",
                           latitude="52.090737", longitude="5.121420", labels=[{"value": "fleet", "tenantIds": []}])


VALID = {"name": "Amersfoort Hub", "address": "Stationsplein 1", "city": "Amersfoort", "postal_code": "3818 LE",
         "country_code": "nl", "latitude": "52.153400", "longitude": "5.373300", "labels": "fleet, depot , fleet"}


def test_viewer_reads_list_detail_and_map(viewer_client: Client, depot: Location) -> None:
    listing = viewer_client.get(reverse("locations:list"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Utrecht Depot" in html
    assert 'id="location-map-places"' in html and reverse("locations:detail", args=[depot.pk]) in html
    assert "New location" not in html
    detail = viewer_client.get(reverse("locations:detail", args=[depot.pk])).content.decode()
    assert "52.090737" in detail and "fleet" in detail and "Edit location" not in detail


def test_viewer_cannot_create_or_edit(viewer_client: Client, depot: Location) -> None:
    assert viewer_client.get(reverse("locations:create")).status_code == 403
    assert viewer_client.post(reverse("locations:create"), VALID).status_code == 403
    assert viewer_client.post(reverse("locations:edit", args=[depot.pk]), VALID).status_code == 403
    assert Location.objects.count() == 1 and not Operation.objects.exists()


@pytest.mark.parametrize("who", ["operator", "admin_user"])
def test_operator_and_admin_create_a_location_through_the_outbox(
        request: pytest.FixtureRequest, who: str, chargeye: Backend) -> None:
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse("locations:create")).status_code == 200
    response = client.post(reverse("locations:create"), VALID)
    location = Location.objects.get(name="Amersfoort Hub")
    assert response.status_code == 302 and response["Location"] == reverse("locations:detail", args=[location.pk])
    assert location.sync_state == SyncState.PENDING and location.country_code == "NL"
    assert location.label_values == ["fleet", "depot"]
    op = Operation.objects.get(target_type="location", target_id=location.pk)
    assert op.kind == "location.create"
    sent = op.payload["location"]
    assert sent["locationId"] == location.location_ref and sent["locationId"].startswith("portal-")
    assert sent["lat"] == 52.1534 and sent["countryCode"] == "NL"
    assert [lb["value"] for lb in sent["labels"]] == ["fleet", "depot"]
    page = client.get(response["Location"]).content.decode()
    assert "pending" in page and "hx-get" in page  # polls until ChargEye answered


def shown(client: Client, location: Location) -> str:
    """The version token of the edit form, as the page rendered it."""
    return client.get(reverse("locations:edit", args=[location.pk])).context["form"].initial["shown"]


def test_operator_edit_sends_only_the_changed_fields(operator_client: Client, depot: Location) -> None:
    form = operator_client.get(reverse("locations:edit", args=[depot.pk])).content.decode()
    assert 'value="Utrecht Depot"' in form and 'value="fleet"' in form
    data = {"name": "Utrecht Depot North", "address": "", "city": "Utrecht", "postal_code": "",
            "country_code": "NL", "latitude": "52.090737", "longitude": "5.121420", "labels": "fleet",
            "shown": shown(operator_client, depot)}
    assert operator_client.post(reverse("locations:edit", args=[depot.pk]), data).status_code == 302
    op = Operation.objects.get(target_id=depot.pk)
    assert op.kind == "location.update"
    # The value the form showed goes with it: the worker checks ChargEye still has it before sending.
    assert op.payload == {"changes": {"name": "Utrecht Depot North"}, "shown": {"name": "Utrecht Depot"}}
    depot.refresh_from_db()
    assert depot.name == "Utrecht Depot North" and depot.sync_state == SyncState.PENDING


def test_a_change_that_landed_while_the_form_was_open_is_not_sent_back(
    operator_client: Client, depot: Location
) -> None:
    """Issue 18: only the fields the user changed against what the form showed are sent."""
    token = shown(operator_client, depot)
    Location.objects.filter(pk=depot.pk).update(city="Amersfoort", labels=[{"value": "night"}])  # a refresh landed
    data = {"name": "Utrecht Depot North", "address": "", "city": "Utrecht", "postal_code": "",
            "country_code": "NL", "latitude": "52.090737", "longitude": "5.121420", "labels": "fleet",
            "shown": token}
    assert operator_client.post(reverse("locations:edit", args=[depot.pk]), data).status_code == 302
    op = Operation.objects.get(target_id=depot.pk)
    assert op.payload["changes"] == {"name": "Utrecht Depot North"}  # city and labels are not sent back
    depot.refresh_from_db()
    assert depot.city == "Amersfoort"


def test_an_edit_without_the_version_it_showed_is_refused(operator_client: Client, depot: Location) -> None:
    data = {"name": "Utrecht Depot North", "address": "", "city": "Utrecht", "postal_code": "",
            "country_code": "NL", "latitude": "52.090737", "longitude": "5.121420", "labels": "fleet",
            "shown": "forged"}
    response = operator_client.post(reverse("locations:edit", args=[depot.pk]), data)
    assert "no longer knows which version" in response.content.decode() and not Operation.objects.exists()


def test_unchanged_edit_sends_nothing(operator_client: Client, depot: Location) -> None:
    data = {"name": "Utrecht Depot", "address": "", "city": "Utrecht", "postal_code": "", "country_code": "NL",
            "latitude": "52.090737", "longitude": "5.121420", "labels": "fleet", "shown": shown(operator_client, depot)}
    response = operator_client.post(reverse("locations:edit", args=[depot.pk]), data, follow=True)
    assert "Nothing changed" in response.content.decode()
    assert not Operation.objects.exists()


@pytest.mark.parametrize("field, value, message", [
    ("latitude", "91", "A latitude is between -90 and 90."),
    ("latitude", "-90.5", "A latitude is between -90 and 90."),
    ("longitude", "180.01", "A longitude is between -180 and 180."),
    ("country_code", "XX", "“XX” is not an ISO 3166-1 country code"),
    ("country_code", "NLD", "Ensure this value has at most 2 characters"),
    ("name", "N" * 201, "Ensure this value has at most 200 characters (it has 201)."),
    ("name", "   ", "This field is required."),
    ("postal_code", "12345678901", "Ensure this value has at most 10 characters (it has 11)."),
    ("latitude", "", "This field is required."),
    ("labels", "x" * 101, "A label is at most 100 characters"),
])
def test_bad_input_shows_the_message_by_the_field_and_saves_nothing(
        operator_client: Client, chargeye: Backend, depot: Location, field: str, value: str, message: str) -> None:
    for url in (reverse("locations:create"), reverse("locations:edit", args=[depot.pk])):
        response = operator_client.post(url, {**VALID, field: value})
        assert response.status_code == 200
        html = response.content.decode()
        # The message sits in the field's own block, next to its input.
        block = html.split(f'id="id_{field}"', 1)[1].split('class="field', 1)[0]
        assert message in block.replace("&quot;", '"').replace("&#x27;", "'"), block[:500]
    assert list(Location.objects.values_list("name", flat=True)) == ["Utrecht Depot"]
    assert not Operation.objects.exists()


def test_create_without_a_chargeye_backend_says_so(operator_client: Client) -> None:
    response = operator_client.post(reverse("locations:create"), VALID)
    assert "No ChargEye backend is set up for Company A" in response.content.decode()
    assert not Location.objects.exists()


def test_other_company_sees_nothing_of_company_a(other_company_user: User, depot: Location) -> None:
    client = client_for(other_company_user)  # an operator of company B
    assert "Utrecht Depot" not in client.get(reverse("locations:list")).content.decode()
    for name in ("locations:detail", "locations:edit", "locations:status"):
        assert client.get(reverse(name, args=[depot.pk])).status_code == 404
    assert client.post(reverse("locations:edit", args=[depot.pk]), VALID).status_code == 404
    depot.refresh_from_db()
    assert depot.name == "Utrecht Depot" and not Operation.objects.exists()


def test_operator_cannot_create_for_another_company(operator_client: Client, company_b: Company,
                                                      chargeye: Backend) -> None:
    response = operator_client.post(reverse("locations:create"), {**VALID, "company": company_b.pk})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Location.objects.exists()


def test_search_finds_by_city_and_htmx_gets_the_results_only(viewer_client: Client, depot: Location,
                                                               company_a: Company, chargeye: Backend) -> None:
    LocationFactory(company=company_a, backend=chargeye, name="Rotterdam Port", city="Rotterdam")
    html = viewer_client.get(reverse("locations:list"), {"q": "rotter"}).content.decode()
    assert "Rotterdam Port" in html and "Utrecht Depot" not in html
    fragment = viewer_client.get(reverse("locations:list"), {"q": "utrecht"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Utrecht Depot" in fragment and "<html" not in fragment


def test_location_page_lists_its_stations(viewer_client: Client, depot: Location, company_a: Company) -> None:
    StationFactory(company=company_a, label="Depot charger 1", location=depot)
    assert "Depot charger 1" in viewer_client.get(reverse("locations:detail", args=[depot.pk])).content.decode()


def test_status_fragment_stops_polling_once_synced(viewer_client: Client, depot: Location) -> None:
    depot.sync_state = SyncState.PENDING
    depot.save()
    assert 'hx-trigger="every 2s"' in viewer_client.get(reverse("locations:status", args=[depot.pk])).content.decode()
    depot.sync_state = SyncState.SYNCED
    depot.save()
    html = viewer_client.get(reverse("locations:status", args=[depot.pk])).content.decode()
    assert "every 2s" not in html and "synced" in html
