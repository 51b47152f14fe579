"""The create form explains its pickers: technicians after a company change, locations of GreenFlux, time zones."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from portal.access import Role
from portal.models import Backend, Company, Operation
from stations.models import Station, Technician
from tests.conftest import client_for
from tests.factories import CompanyFactory, StationModelFactory, UserFactory


def test_a_backend_of_one_company_offers_only_that_company(be_backend: Backend, company_a: Company,
                                                             company_b: Company) -> None:
    """Issue 25 item 13: the company picker listed the user's other company, then refused it."""
    client = client_for(UserFactory(username="two-hats", role=Role.OPERATOR, companies=[company_a, company_b]))
    html = client.get(reverse("stations:create"), {"backend": be_backend.pk}).content.decode()
    picker = html.split('name="company"', 1)[1].split("</select>", 1)[0]
    assert f'<option value="{company_a.pk}" selected>Company A</option>' in picker and "Company B" not in picker
    posted = client.post(reverse("stations:create"), {
        "action": "save", "backend": be_backend.pk, "company": company_b.pk, "label": "X",
        "charge_box_identity": "OTHER-1"}).content.decode()  # a hand-made form: still refused, by name
    assert f"{be_backend.name} holds Company A&#x27;s stations only; choose Company A." in posted
    assert not Station.objects.filter(charge_box_identity="OTHER-1").exists()


def test_changing_the_company_says_why_the_technicians_changed(be_backend: Backend, company_a: Company,
                                                               company_b: Company) -> None:
    """A backend no company holds (a superuser's) offers every company: changing it changes the technicians."""
    be_backend.company = None
    be_backend.save()
    client = client_for(UserFactory(username="root", is_superuser=True, is_staff=True))
    tech = Technician.objects.filter(backend=be_backend).first()
    first = client.post(reverse("stations:create"), {
        "action": "choices", "backend": be_backend.pk, "company": company_a.pk}).content.decode()
    assert tech.name in first and "technicians of Company A on" in first
    changed = client.post(reverse("stations:create"), {
        "action": "choices", "backend": be_backend.pk, "company": company_b.pk, "technicians_of": company_a.pk,
        "technician": tech.pk,
    }).content.decode()
    assert "You chose Company B instead of Company A, so the list now offers Company B&#x27;s technicians." in changed
    assert f"{tech.name}, a technician of Company A, is no longer selected." in changed
    picker = changed.split('name="technician"', 1)[1].split("</select>", 1)[0]
    assert f'<option value="{tech.pk}"' not in picker


def test_time_zone_is_a_searchable_list_and_checked(be_backend: Backend, operator_client: Client) -> None:
    html = operator_client.get(reverse("stations:create"), {"backend": be_backend.pk}).content.decode()
    assert 'list="id_time_zone_list"' in html and '<option value="Europe/Berlin">' in html
    model = StationModelFactory(beenergised_model_id=1)
    response = operator_client.post(reverse("stations:create"), {
        "action": "save", "backend": be_backend.pk, "company": be_backend.company_id, "label": "X",
        "charge_box_identity": "TZ-1", "model": model.pk, "time_zone": "Mars/Olympus_Mons"})
    assert "is not an IANA time zone" in response.content.decode()
    assert not Station.objects.filter(charge_box_identity="TZ-1").exists()


def test_be_create_for_a_company_without_identity_names_the_company(be_backend: Backend) -> None:
    fresh = CompanyFactory(name="Fresh Fleet", upstream_ref=None)
    be_backend.company = fresh
    be_backend.save()
    client = client_for(UserFactory(username="fresh-op", role=Role.OPERATOR, companies=[fresh]))
    model = StationModelFactory(beenergised_model_id=1)
    response = client.post(reverse("stations:create"), {
        "action": "save", "backend": be_backend.pk, "company": fresh.pk, "label": "X", "charge_box_identity": "NOID-1",
        "model": model.pk, "time_zone": "Europe/Berlin"})
    html = response.content.decode()
    assert "Fresh Fleet has no be.ENERGISED companyUuid on" in html and "Companies page" in html
    assert not Station.objects.filter(charge_box_identity="NOID-1").exists() and not Operation.objects.exists()


def test_greenflux_location_picker_explains_what_it_offers(gf_backend: Backend, operator_client: Client) -> None:
    html = operator_client.get(reverse("stations:create"), {"backend": gf_backend.pk}).content.decode()
    assert "a GreenFlux station needs a location of its own GreenFlux backend" in html
    assert "ChargEye locations are not offered" in html
