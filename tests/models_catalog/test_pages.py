"""Station model pages: everyone reads, only admins create, rename and archive; bad input saves nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from models_catalog.models import StationModel
from sync.mirror import SyncState
from portal.models import Backend, Company, Operation
from tests.factories import BackendFactory, StationFactory, StationModelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def models_backend() -> Backend:
    return BackendFactory(name="Models", kind="models", company=None, base_url="http://127.0.0.1:9/models")


@pytest.fixture
def eve(models_backend: Backend) -> StationModel:
    return StationModelFactory(backend=models_backend, vendor="Alfen", model="Eve Single Pro", upstream_id="m-1",
                               friendly_name="Eve", connectors=[{"id": 1, "connectionType": "IEC_62196_T2",
                                                                 "format": "SOCKET", "maxAmperage": 32,
                                                                 "maxVoltage": 400, "maxPowerWatts": 22000}],
                               ocpp_url="wss://ocpp.alfen.example/ocpp16")


def new_model(**changes: str) -> dict[str, str]:
    data = {
        "vendor": "Kempower", "model": "Satellite", "friendly_name": "Kempower Satellite", "power_type": "DC",
        "ocpp_url": "wss://ocpp.kempower.example/ocpp16", "image_url": "",
        "connectors-TOTAL_FORMS": "2", "connectors-INITIAL_FORMS": "0", "connectors-MIN_NUM_FORMS": "1",
        "connectors-MAX_NUM_FORMS": "24",
        "connectors-0-connection_type": "IEC_62196_T2_COMBO", "connectors-0-format": "CABLE",
        "connectors-0-max_amperage": "200", "connectors-0-max_voltage": "920", "connectors-0-max_power_kw": "50",
        "connectors-1-connection_type": "CHADEMO", "connectors-1-format": "CABLE",
        "connectors-1-max_amperage": "125", "connectors-1-max_voltage": "500", "connectors-1-max_power_kw": "50",
    }
    data.update(changes)
    return data


def test_viewer_reads_the_catalogue_and_a_model(viewer_client: Client, eve: StationModel) -> None:
    html = viewer_client.get(reverse("models_catalog:list")).content.decode()
    assert "Eve" in html and "New model" not in html
    page = viewer_client.get(reverse("models_catalog:detail", args=[eve.pk])).content.decode()
    assert "Type 2" in page and "IEC_62196_T2" not in page and "22 kW" in page and "22000 W" not in page and "wss://ocpp.alfen.example/ocpp16" in page
    assert "Archive…" not in page and "Save name" not in page


@pytest.mark.parametrize("who", ["viewer_client", "operator_client"])
def test_viewer_and_operator_cannot_touch_models(request: pytest.FixtureRequest, who: str, eve: StationModel,
                                                 models_backend: Backend) -> None:
    client: Client = request.getfixturevalue(who)
    assert client.get(reverse("models_catalog:create")).status_code == 403
    assert client.post(reverse("models_catalog:create"), new_model()).status_code == 403
    assert client.post(reverse("models_catalog:rename", args=[eve.pk]), {"friendly_name": "X"}).status_code == 403
    assert client.get(reverse("models_catalog:archive", args=[eve.pk])).status_code == 403
    assert client.post(reverse("models_catalog:archive", args=[eve.pk])).status_code == 403
    eve.refresh_from_db()
    assert eve.friendly_name == "Eve" and not eve.is_archived
    assert StationModel.objects.count() == 1 and not Operation.objects.exists()


def test_admin_creates_a_model_with_its_connectors(admin_client_portal: Client, models_backend: Backend) -> None:
    assert admin_client_portal.get(reverse("models_catalog:create")).status_code == 200
    response = admin_client_portal.post(reverse("models_catalog:create"), new_model())
    model = StationModel.objects.get(model="Satellite")
    assert response.status_code == 302 and response["Location"] == reverse("models_catalog:detail", args=[model.pk])
    assert model.sync_state == SyncState.PENDING and model.upstream_id is None
    op = Operation.objects.get(target_type="station_model", target_id=model.pk)
    assert op.kind == "model.create"
    sent = op.payload["model"]
    assert sent["configurationKeys"] == {"ocppUrl": "wss://ocpp.kempower.example/ocpp16"}
    assert [(c["id"], c["connectionType"], c["maxPowerWatts"]) for c in sent["connectors"]] == [
        (1, "IEC_62196_T2_COMBO", 50000.0), (2, "CHADEMO", 50000.0)]
    assert "imageUrl" not in sent


def test_add_connector_keeps_what_was_typed_and_adds_a_row(admin_client_portal: Client,
                                                           models_backend: Backend) -> None:
    data = new_model(**{"connectors-TOTAL_FORMS": "1", "add_connector": "1"})
    html = admin_client_portal.post(reverse("models_catalog:create"), data).content.decode()
    assert 'name="connectors-1-connection_type"' in html and 'value="Satellite"' in html
    assert "errorlist" not in html and not StationModel.objects.exists()
    fragment = admin_client_portal.post(reverse("models_catalog:create"), data, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<fieldset id="connectors"') and "Connector 2" in fragment


@pytest.mark.parametrize("changes, field, message", [
    ({"vendor": "V" * 201}, "vendor", "Ensure this value has at most 200 characters (it has 201)."),
    ({"model": "M" * 201}, "model", "Ensure this value has at most 200 characters (it has 201)."),
    ({"friendly_name": "F" * 201}, "friendly_name", "Ensure this value has at most 200 characters (it has 201)."),
    ({"ocpp_url": "u" * 201}, "ocpp_url", "Ensure this value has at most 200 characters (it has 201)."),
    ({"image_url": "https://example.com/" + "i" * 490}, "image_url", "Ensure this value has at most 500 characters"),
    ({"power_type": "AC_2_PHASE"}, "power_type", "Select a valid choice. AC_2_PHASE is not one of the available choices."),
    ({"connectors-0-connection_type": "GBT_DC"}, "connectors-0-connection_type", "Select a valid choice."),
    ({"connectors-1-format": "PLUG"}, "connectors-1-format", "Select a valid choice."),
    ({"connectors-0-max_voltage": ""}, "connectors-0-max_voltage", "Enter the maximum voltage (v)."),
    ({"connectors-1-max_power_kw": "-5"}, "connectors-1-max_power_kw", "greater than or equal to 0.001"),
])
def test_bad_model_input_shows_the_field_message_and_saves_nothing(
        admin_client_portal: Client, models_backend: Backend, changes: dict[str, str], field: str,
        message: str) -> None:
    response = admin_client_portal.post(reverse("models_catalog:create"), new_model(**changes))
    assert response.status_code == 200
    block = response.content.decode().split(f'id="id_{field}"', 1)[1].split('class="field', 1)[0]
    assert message in block, block[:400]
    assert not StationModel.objects.exists() and not Operation.objects.exists()


def test_a_model_needs_a_connector(admin_client_portal: Client, models_backend: Backend) -> None:
    data = new_model(**{"connectors-0-DELETE": "on", "connectors-1-DELETE": "on"})
    html = admin_client_portal.post(reverse("models_catalog:create"), data).content.decode()
    assert "Add at least one connector." in html and not StationModel.objects.exists()


def rename_data(client: Client, model: StationModel, name: str) -> dict[str, str]:
    form = client.get(reverse("models_catalog:detail", args=[model.pk])).context["rename_form"]
    return {"friendly_name": name, "shown": form.initial["shown"]}


def test_admin_renames(admin_client_portal: Client, eve: StationModel) -> None:
    response = admin_client_portal.post(reverse("models_catalog:rename", args=[eve.pk]),
                                        rename_data(admin_client_portal, eve, "Eve Pro"))
    assert response.status_code == 302
    eve.refresh_from_db()
    assert eve.friendly_name == "Eve Pro" and eve.sync_state == SyncState.PENDING
    op = Operation.objects.get(target_id=eve.pk)
    assert op.kind == "model.rename" and op.payload["friendlyName"] == "Eve Pro"


def test_a_rename_that_landed_while_the_form_was_open_is_not_sent_back(
    admin_client_portal: Client, eve: StationModel
) -> None:
    """Issue 18: saving the name the form showed sends nothing, even if another admin renamed it since."""
    data = rename_data(admin_client_portal, eve, eve.friendly_name)
    StationModel.objects.filter(pk=eve.pk).update(friendly_name="Eve by a colleague")
    response = admin_client_portal.post(reverse("models_catalog:rename", args=[eve.pk]), data, follow=True)
    assert "nothing was sent" in response.content.decode() and not Operation.objects.exists()
    eve.refresh_from_db()
    assert eve.friendly_name == "Eve by a colleague"


def test_rename_of_an_archived_model_is_refused(admin_client_portal: Client, eve: StationModel) -> None:
    eve.is_archived = True
    eve.save()
    response = admin_client_portal.post(reverse("models_catalog:rename", args=[eve.pk]),
                                        rename_data(admin_client_portal, eve, "Eve Pro"))
    assert response.status_code == 400
    assert "an archived model cannot be renamed" in response.content.decode()
    eve.refresh_from_db()
    assert eve.friendly_name == "Eve" and not Operation.objects.exists()


def test_overlong_rename_is_refused(admin_client_portal: Client, eve: StationModel) -> None:
    response = admin_client_portal.post(reverse("models_catalog:rename", args=[eve.pk]),
                                        rename_data(admin_client_portal, eve, "E" * 201))
    assert "Ensure this value has at most 200 characters (it has 201)." in response.content.decode()
    eve.refresh_from_db()
    assert eve.friendly_name == "Eve" and not Operation.objects.exists()


def test_archive_confirmation_counts_the_stations_then_archives(admin_client_portal: Client, eve: StationModel,
                                                                 company_a: Company, company_b: Company) -> None:
    StationFactory.create_batch(2, company=company_a, model=eve)
    StationFactory(company=company_b, model=eve)  # another company's: not counted for this admin
    html = admin_client_portal.get(reverse("models_catalog:archive", args=[eve.pk])).content.decode()
    assert "2 stations</strong> in your companies use this model" in html
    assert StationModel.objects.get(pk=eve.pk).is_archived is False  # a GET changes nothing
    assert admin_client_portal.post(reverse("models_catalog:archive", args=[eve.pk])).status_code == 302
    eve.refresh_from_db()
    assert eve.is_archived and eve.sync_state == SyncState.PENDING
    assert Operation.objects.get(target_id=eve.pk).kind == "model.archive"
    # Archived models leave the default list but still show on the stations that use them.
    current = admin_client_portal.get(reverse("models_catalog:list")).content.decode()
    assert "Eve" not in current.split('id="results"', 1)[1]
    archived = admin_client_portal.get(reverse("models_catalog:list"), {"archived": "1"}).content.decode()
    assert "Eve" in archived


def test_filters_and_search(viewer_client: Client, models_backend: Backend) -> None:
    StationModelFactory(backend=models_backend, vendor="Alfen", model="Eve Double", power_type="AC_3_PHASE")
    StationModelFactory(backend=models_backend, vendor="ABB", model="Terra 54", power_type="DC")
    StationModelFactory(backend=models_backend, vendor="ABB", model="Terra AC", power_type="AC_1_PHASE",
                        is_archived=True)
    get = lambda **q: viewer_client.get(reverse("models_catalog:list"), q).content.decode()  # noqa: E731
    assert "Terra 54" in get(vendor="abb") and "Eve Double" not in get(vendor="abb")
    assert "Terra AC" not in get(vendor="ABB") and "Terra AC" in get(vendor="ABB", archived="1")
    assert "Terra 54" in get(power_type="DC") and "Eve Double" not in get(power_type="DC")
    assert "Eve Double" in get(q="eve d") and "Terra" not in get(q="eve d").split('id="results"')[1]
    fragment = viewer_client.get(reverse("models_catalog:list"), {"q": "terra"}, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode() and "Terra 54" in fragment.content.decode()
