"""The create form through the view: messages next to the field or row, and nothing saved on bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from locations.models import Location
from models_catalog.models import StationModel
from portal import labels
from portal.access import Role
from portal.models import Backend, Company, Operation
from simulator.testing import SimulatorHandle
from stations.models import HardwareTemplate, Station, Technician
from tests.factories import StationFactory, StationModelFactory, UserFactory
from tests.upstream import make_backend, mirror_technicians

pytestmark = pytest.mark.django_db
URL = "/stations/new/"


def gf_post(backend: Backend, **changes: Any) -> dict[str, Any]:
    location = Location.objects.filter(backend=backend).first()
    data = {
        "action": "save", "backend": backend.pk, "company": backend.company_id, "charge_box_identity": "FORM-1",
        "label": "Form depot", "location": location.pk, "default_tariff_id": "TARIFF-AC-STANDARD",
        "deploy_state": "Stock", "charger_type": "", "evse_source": "manual", "directions_language": "en",
        "evse-count": 1, "evse-0-conn-count": 1, "evse-0-evse_id": "", "evse-0-floor_level": "",
        "evse-0-physical_reference": "", "evse-0-conn-0-standard": "IEC_62196_T2", "evse-0-conn-0-format": "SOCKET",
        "evse-0-conn-0-power_type": "AC_3_PHASE", "evse-0-conn-0-max_voltage": 400,
        "evse-0-conn-0-max_amperage": 32, "evse-0-conn-0-max_electric_power": "22",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def nothing_saved() -> None:
    assert Station.objects.count() == 0
    assert Operation.objects.count() == 0


def errors_of(response: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    form = response.context["form"]
    out.update({k: list(v) for k, v in form.errors.items()})
    rows = response.context.get("rows")
    if rows is not None:
        for i, (evse, conns) in enumerate(rows.rows):
            out.update({f"evse-{i}-{k}": list(v) for k, v in evse.errors.items()})
            for j, conn in enumerate(conns):
                out.update({f"evse-{i}-conn-{j}-{k}": list(v) for k, v in conn.errors.items()})
    return out


def test_valid_manual_station_is_saved_pending_with_one_operation(operator_client: Client, gf_backend: Backend) -> None:
    response = operator_client.post(URL, gf_post(gf_backend))
    station = Station.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/stations/{station.pk}/"
    assert station.sync_state == "pending" and station.evses.get().connectors.count() == 1
    assert Operation.objects.get().kind == "station.create"


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"charge_box_identity": ""}, "charge_box_identity", "This field is required."),
    ({"charge_box_identity": "X" * 37}, "charge_box_identity", "36 characters"),
    ({"default_tariff_id": ""}, "default_tariff_id", "This field is required."),
    ({"deploy_state": "Live"}, "deploy_state", "Select a valid choice"),
    ({"location": ""}, "location", "Choose a location, or type its location id."),
    ({"evse_source": "template"}, "template", "Choose a hardware template"),
    ({"directions": "Behind the shop", "directions_language": "english"}, "directions_language", "at most 2 characters"),
    ({"directions": "Behind the shop", "directions_language": ""}, "directions_language", "two letters"),
    ({"parking_restrictions": "VIP"}, "parking_restrictions", "Select a valid choice"),
    ({"evse-0-conn-0-standard": "CHADEMO"}, "evse-0-conn-0-format", "GreenFlux takes CHADEMO as CABLE only."),
    ({"evse-0-conn-0-max_voltage": ""}, "evse-0-conn-0-max_voltage", "This field is required."),
    ({"evse-0-conn-0-max_amperage": "0"}, "evse-0-conn-0-max_amperage", "greater than or equal to 1"),
    ({"evse-0-conn-0-power_type": "AC_2_PHASE"}, "evse-0-conn-0-power_type", "Select a valid choice"),
    ({"evse-0-floor_level": "12345"}, "evse-0-floor_level", "at most 4 characters"),
    ({"evse-0-conn-count": "0"}, "evse-0-__all__", "at least one connector"),
])
def test_bad_greenflux_input_is_refused_next_to_the_field(
    operator_client: Client, gf_backend: Backend, changes: dict[str, Any], field: str, message: str
) -> None:
    response = operator_client.post(URL, gf_post(gf_backend, **changes))
    assert response.status_code == 200
    errors = errors_of(response)
    assert any(message in m for m in errors.get(field, [])), errors
    assert "Nothing was saved" in response.content.decode()
    nothing_saved()


def test_identity_taken_in_another_case(operator_client: Client, gf_backend: Backend, company_a: Company) -> None:
    StationFactory(backend=gf_backend, company=company_a, label="Existing", charge_box_identity="form-1")
    response = operator_client.post(URL, gf_post(gf_backend))
    assert "already used by station “Existing”" in errors_of(response)["charge_box_identity"][0]
    assert Station.objects.count() == 1 and Operation.objects.count() == 0


def test_location_of_another_backend_refused(
    operator_client: Client, simulator: SimulatorHandle, gf_backend: Backend, company_a: Company
) -> None:
    other = make_backend(simulator, "greenflux", company_a, name="Second GreenFlux")
    elsewhere = Location.objects.create(backend=other, company=company_a, upstream_id="X-1", name="Far away")
    response = operator_client.post(URL, gf_post(gf_backend, location=elsewhere.pk))
    assert errors_of(response)["location"] == ["Far away is not a location on " + gf_backend.name + "."]
    nothing_saved()


def be_post(backend: Backend, **changes: Any) -> dict[str, Any]:
    model = StationModel.objects.filter(id_mappings__beenergised_model_id=4).first() or StationModelFactory(beenergised_model_id=4)
    data = {"action": "save", "backend": backend.pk, "company": backend.company_id, "label": "BE form",
            "charge_box_identity": "BE-FORM-1", "model": model.pk, "time_zone": "Europe/Berlin", "technician": ""}
    data.update(changes)
    return data


def test_beenergised_rules(operator_client: Client, be_backend: Backend) -> None:
    archived = StationModelFactory(beenergised_model_id=5, is_archived=True)
    response = operator_client.post(URL, be_post(be_backend, time_zone="Berlin", model=archived.pk, label=""))
    assert errors_of(response)["label"] == ["This field is required."]
    nothing_saved()
    response = operator_client.post(URL, be_post(be_backend, time_zone="Berlin", model=archived.pk))
    errors = errors_of(response)
    assert "not an IANA time zone" in errors["time_zone"][0]
    assert "is archived" in errors["model"][0]
    nothing_saved()


def test_technician_of_another_company_refused_with_a_clear_message(
    client: Client, simulator: SimulatorHandle, be_backend: Backend, company_a: Company, company_b: Company
) -> None:
    # A user of both companies can see both lists, so the mistake is possible; it is caught by name.
    both = UserFactory(username="both", role=Role.OPERATOR, companies=[company_a, company_b])
    client.force_login(both)
    foreign = mirror_technicians(make_backend(simulator, "beenergised", company_b))[0]
    response = client.post(URL, be_post(be_backend, technician=foreign.pk))
    assert errors_of(response)["technician"] == [
        f"{foreign.name} is a technician of Company B; choose one of Company A's technicians."]
    nothing_saved()


def test_technician_picker_lists_only_the_companys_technicians(
    operator_client: Client, simulator: SimulatorHandle, be_backend: Backend, company_b: Company
) -> None:
    mirror_technicians(make_backend(simulator, "beenergised", company_b))
    response = operator_client.post(URL, {"action": "choices", "backend": be_backend.pk,
                                          "company": be_backend.company_id}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="station-form-body"' in html and "<html" not in html  # the htmx partial
    own = Technician.objects.filter(company=be_backend.company)
    assert own.exists() and all(t.name in html for t in own)
    assert not any(t.name in html for t in Technician.objects.filter(company=company_b))


def test_template_preview_shows_the_evses_it_makes(operator_client: Client, gf_backend: Backend) -> None:
    template = HardwareTemplate.objects.filter(backend=gf_backend).first()
    response = operator_client.post(URL, {"action": "choices", "backend": gf_backend.pk,
                                          "company": gf_backend.company_id, "evse_source": "template",
                                          "template": template.pk})
    html = response.content.decode()
    count = len(template.evse_templates)
    assert f"{template.name} makes {count} EVSE" in html
    standard = template.evse_templates[0]["connectors"][0]["standard"]
    assert labels.label(standard, "standard") in html  # the connector's words, not its code
    assert "errorlist" not in html  # re-rendering choices judges nothing yet
    nothing_saved()


def test_add_and_remove_rows_without_javascript(operator_client: Client, gf_backend: Backend) -> None:
    response = operator_client.post(URL, gf_post(gf_backend, action="add_evse"))
    rows = response.context["rows"].rows
    assert len(rows) == 2 and response.context["focus"] == "id_evse-1-evse_id"
    assert "Remove EVSE 2" in response.content.decode()
    data = gf_post(gf_backend, **{"action": "add_connector:0", "evse-0-conn-0-standard": "CHADEMO"})
    rows = operator_client.post(URL, data).context["rows"].rows
    assert len(rows[0][1]) == 2 and rows[0][1][0].initial["standard"] == "CHADEMO"  # typed values kept
    data = gf_post(gf_backend, **{"action": "remove_connector:0:0", "evse-0-conn-count": 2,
                                  "evse-0-conn-1-standard": "CHADEMO", "evse-0-conn-1-format": "CABLE"})
    rows = operator_client.post(URL, data).context["rows"].rows
    assert [c.initial["standard"] for c in rows[0][1]] == ["CHADEMO"]
    nothing_saved()


def test_add_evse_through_htmx_answers_the_rows_only(operator_client: Client, gf_backend: Backend) -> None:
    response = operator_client.post(URL, gf_post(gf_backend, action="add_evse"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith("{#") is False and 'id="evse-rows"' in html and "<form" not in html
    assert 'name="evse-count" value="2"' in html
