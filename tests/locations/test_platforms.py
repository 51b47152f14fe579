"""Locations say which platform they live on; creates go to a chosen ChargEye backend; GreenFlux ones are read-only."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from locations.models import Location
from models_catalog.models import StationModel
from portal.models import Backend, Company, Operation, TargetChoice
from tests.factories import BackendFactory, LocationFactory

VALID = {"name": "Amersfoort Hub", "city": "Amersfoort", "country_code": "NL", "latitude": "52.153400",
         "longitude": "5.373300"}


def _chargeye(name: str, company: Company | None = None) -> Backend:
    return BackendFactory(name=name, kind="chargeye", company=company, credentials={"refresh_token": "x"})


def test_list_and_page_show_the_platform_and_greenflux_is_read_only(operator_client: Client, company_a: Company) -> None:
    gf = BackendFactory(name="GF A", kind="greenflux", company=company_a)
    gf_location = LocationFactory(company=company_a, backend=gf, name="GF Yard", upstream_id="gf-1")
    ce_location = LocationFactory(company=company_a, name="CE Hub", upstream_id="ce-1")
    listing = operator_client.get(reverse("locations:list")).content.decode()
    assert "GreenFlux <span class=\"muted\">(read-only)</span>" in listing and "ChargEye (Kempower)" in listing
    page = operator_client.get(reverse("locations:detail", args=[gf_location.pk])).content.decode()
    assert "Edit location" not in page and "managed in GreenFlux&#x27;s own portal" in page
    assert "Edit location" in operator_client.get(reverse("locations:detail", args=[ce_location.pk])).content.decode()
    # The edit page itself refuses, and a POST changes nothing.
    response = operator_client.post(reverse("locations:edit", args=[gf_location.pk]), {**VALID, "name": "Renamed"})
    assert response.status_code == 302
    gf_location.refresh_from_db()
    assert gf_location.name == "GF Yard" and not Operation.objects.exists()


def test_one_chargeye_backend_needs_no_choice(operator_client: Client, company_a: Company) -> None:
    only = _chargeye("CE only")
    html = operator_client.get(reverse("locations:create")).content.decode()
    assert "created on ChargEye, in CE only" in html and '<select name="backend"' not in html
    operator_client.post(reverse("locations:create"), VALID)
    assert Location.objects.get(name="Amersfoort Hub").backend == only


def test_several_chargeye_backends_ask_and_remember_the_last_choice(operator_client: Client, company_a: Company) -> None:
    first, second = _chargeye("CE North"), _chargeye("CE South", company_a)
    html = operator_client.get(reverse("locations:create")).content.decode()
    assert '<select name="backend"' in html and "CE North" in html and "CE South" in html
    response = operator_client.post(reverse("locations:create"), {**VALID, "backend": second.pk})
    assert response.status_code == 302
    assert Location.objects.get(name="Amersfoort Hub").backend == second
    assert Operation.objects.get(kind="location.create").backend == second
    assert TargetChoice.objects.get(kind="chargeye", company=company_a).backend == second
    again = operator_client.get(reverse("locations:create")).content.decode()
    assert f'<option value="{second.pk}" selected>' in again
    assert first.pk != second.pk


def test_a_backend_of_the_wrong_kind_is_refused_naming_the_field(operator_client: Client, company_a: Company) -> None:
    _chargeye("CE North")
    _chargeye("CE South", company_a)
    gf = BackendFactory(name="GF A", kind="greenflux", company=company_a)
    response = operator_client.post(reverse("locations:create"), {**VALID, "backend": gf.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "GF A is a GreenFlux backend: its API cannot create locations" in html
    assert 'id="id_backend"' in html.split("GF A is a GreenFlux backend")[0]  # the message sits at the Platform field
    assert not Location.objects.exists() and not Operation.objects.exists()


def test_model_create_asks_which_catalogue_and_refuses_a_wrong_kind(admin_client_portal: Client,
                                                                     company_a: Company) -> None:
    one = BackendFactory(name="Catalogue 1", kind="models", company=None)
    two = BackendFactory(name="Catalogue 2", kind="models", company=None)
    wrong = BackendFactory(name="GF A", kind="greenflux", company=company_a)
    html = admin_client_portal.get(reverse("models_catalog:create")).content.decode()
    assert '<select name="backend"' in html and "Catalogue 2" in html
    data = {"vendor": "Alfen", "model": "Eve X", "power_type": "AC_3_PHASE", "ocpp_url": "wss://o.example/ocpp",
            "connectors-TOTAL_FORMS": "1", "connectors-INITIAL_FORMS": "0", "connectors-MIN_NUM_FORMS": "1", "connectors-MAX_NUM_FORMS": "20",
            "connectors-0-connection_type": "IEC_62196_T2", "connectors-0-format": "SOCKET", "connectors-0-max_amperage": "32",
            "connectors-0-max_voltage": "400", "connectors-0-max_power_kw": "22"}
    refused = admin_client_portal.post(reverse("models_catalog:create"), {**data, "backend": wrong.pk})
    assert "GF A is a GreenFlux backend, not a Station models (Lynkwell) one" in refused.content.decode()
    assert not StationModel.objects.exists() and not Operation.objects.exists()
    created = admin_client_portal.post(reverse("models_catalog:create"), {**data, "backend": two.pk})
    assert created.status_code == 302, created.content.decode()[:2000]
    assert StationModel.objects.get(model="Eve X").backend == two
    assert TargetChoice.objects.get(kind="models", company=None).backend == two
    assert one.pk != two.pk
