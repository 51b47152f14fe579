"""The hardware form over HTTP: bad input names its field and sends nothing; roles and company scoping."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from portal.models import Backend, Company, Operation
from stations.models import Connector, Evse, Station
from tests.factories import BackendFactory, StationFactory

from .hardware_forms import CCS, T2, post_rows, shown_rows


def gf_station(company: Company, evses: int = 2) -> Station:
    backend = BackendFactory(kind=Backend.Kind.GREENFLUX, company=company)
    station = StationFactory(company=company, backend=backend, upstream_id="GFX-HW-1", charge_box_identity="GFX-HW-1",
                             etag="etag-1")
    for n in range(1, evses + 1):
        evse = Evse.objects.create(station=station, uid=f"uid-{n}", evse_id=f"NL*GFX*E{n}", sequence_number=n,
                                   status="AVAILABLE", capabilities=["RFID_READER"])
        Connector.objects.create(evse=evse, connector_id="1", standard="IEC_62196_T2", format="SOCKET",
                                 power_type="AC_3_PHASE", max_voltage=400, max_amperage=32, max_electric_power=22000)
    return station


def test_retiring_every_evse_is_refused_and_nothing_is_sent(operator_client: Client, company_a: Company) -> None:
    station = gf_station(company_a)
    token, rows = shown_rows(operator_client, station)
    for row in rows:
        row["retire"] = True
    response = post_rows(operator_client, station, token, rows)
    assert response.status_code == 422
    assert "at least one active EVSE" in response.content.decode()
    assert not Operation.objects.exists()


def test_a_connector_pair_outside_the_documents_table_names_the_field(operator_client: Client,
                                                                      company_a: Company) -> None:
    station = gf_station(company_a)
    token, rows = shown_rows(operator_client, station)
    rows[0]["connectors"][0].update(standard="CHADEMO", format="SOCKET")
    response = post_rows(operator_client, station, token, rows)
    assert response.status_code == 422
    rows_form = response.context["rows"]
    connector_form = rows_form.rows[0][1][0]
    assert "CHADEMO as CABLE only" in " ".join(connector_form.errors["format"])
    assert not Operation.objects.exists()


def test_bad_lengths_directions_and_a_missing_voltage_name_their_fields(operator_client: Client,
                                                                       company_a: Company) -> None:
    station = gf_station(company_a)
    token, rows = shown_rows(operator_client, station)
    rows[0]["floor_level"] = "basement"
    rows[0]["directions_text"] = "Behind the barrier"
    rows[0]["directions_language"] = "english"
    rows.append({"connectors": [{**T2, "voltage": None}]})
    response = post_rows(operator_client, station, token, rows)
    assert response.status_code == 422
    evse_form, _ = response.context["rows"].rows[0]
    assert "floor_level" in evse_form.errors and "directions_language" in evse_form.errors
    new_connector = response.context["rows"].rows[2][1][0]
    assert "voltage" in new_connector.errors
    assert not Operation.objects.exists()


def test_a_valid_change_records_only_the_users_changes(operator_client: Client, company_a: Company) -> None:
    station = gf_station(company_a)
    token, rows = shown_rows(operator_client, station)
    rows[0]["connectors"][0]["max_electric_power"] = 11000
    rows[1]["retire"] = True
    rows.append({"evse_id": "", "capabilities": ["RFID_READER"], "connectors": [dict(T2), dict(CCS)]})
    response = post_rows(operator_client, station, token, rows)
    assert response.status_code == 302
    op = Operation.objects.get(kind="station.edit")
    changes = op.payload["changes"]
    assert changes["evses/uid-1/connectors/1/max_electric_power"] == 11000
    assert changes["evses/uid-2"] is None
    added = [path for path in changes if path.startswith("evses/") and path.count("/") == 1 and changes[path]]
    assert len(added) == 1 and len(changes[added[0]]["connectors"]) == 2
    assert len(changes) == 3  # nothing the user did not touch
    assert op.base_etag == "etag-1"


def test_nothing_changed_sends_nothing(operator_client: Client, company_a: Company) -> None:
    station = gf_station(company_a)
    token, rows = shown_rows(operator_client, station)
    assert post_rows(operator_client, station, token, rows).status_code == 302
    assert not Operation.objects.exists()


def test_roles_and_companies(viewer_client: Client, other_company_user, company_a: Company) -> None:
    station = gf_station(company_a)
    url = reverse("stations:hardware", args=[station.pk])
    assert viewer_client.get(url).status_code == 403
    outsider = Client()
    outsider.force_login(other_company_user)
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, {}).status_code == 404


def test_a_be_energised_station_has_no_hardware_form(operator_client: Client, company_a: Company) -> None:
    station = StationFactory(company=company_a, backend=BackendFactory(kind=Backend.Kind.BEENERGISED, company=company_a),
                             upstream_id="be-1")
    response = operator_client.get(reverse("stations:hardware", args=[station.pk]))
    assert response.status_code == 200 and "no way to change a station" in response.content.decode()
