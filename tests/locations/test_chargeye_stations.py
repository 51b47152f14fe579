"""ChargEye's stations of each location, read on the refresh schedule, shown on location and station pages."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from locations.models import ChargEyeStation, Location
from portal.models import Backend, Company
from sync.refreshers import get_refresher
from sync.engine import refresh_run
from tests.factories import BackendFactory, StationFactory


def test_the_refresher_is_scheduled_with_the_others() -> None:
    assert get_refresher("chargeye", "stations").interval.total_seconds() == 15 * 60


def test_refresh_mirrors_each_locations_stations(ce_backend: Backend, company_a: Company) -> None:
    run = refresh_run(ce_backend, "stations")
    assert run.status == "done", run.message
    mirrored = ChargEyeStation.objects.filter(backend=ce_backend)
    locations = Location.objects.filter(backend=ce_backend)
    assert mirrored.exists() and run.pages == locations.count()
    hw = mirrored.exclude(location=None).first()
    assert hw.firmware_version and hw.vendor and hw.model and hw.serial_number.startswith("KEM")
    assert hw.operational_status in ("IN_OPERATION", "IN_MAINTENANCE")
    assert hw.connectors and {"status", "max_power_kw_actual"} <= set(hw.connectors[0])
    assert hw.company_id == hw.location.company_id
    # Read again with nothing changed upstream but live states: no duplicates.
    again = refresh_run(ce_backend, "stations")
    assert again.status == "done" and ChargEyeStation.objects.filter(backend=ce_backend).count() == mirrored.count()


def test_location_page_shows_the_hardware_to_its_company_only(
    ce_backend: Backend, viewer_client: Client, other_company_user: object, company_a: Company
) -> None:
    from tests.conftest import client_for

    refresh_run(ce_backend, "stations")
    hw = ChargEyeStation.objects.filter(company=company_a).exclude(location=None).first()
    url = reverse("locations:detail", args=[hw.location_id])
    html = viewer_client.get(url).content.decode()
    assert "<h2>Hardware reported by ChargEye</h2>" in html
    assert hw.serial_number in html and hw.firmware_version in html and hw.connectors[0]["status"] in html
    assert client_for(other_company_user).get(url).status_code == 404  # type: ignore[arg-type]


def test_be_station_shows_chargeye_status_by_identity_else_not_reported(
    ce_backend: Backend, viewer_client: Client, company_a: Company
) -> None:
    refresh_run(ce_backend, "stations")
    hw = ChargEyeStation.objects.filter(company=company_a).first()
    be = BackendFactory(name="BE A", kind="beenergised", company=company_a)
    twin = StationFactory(company=company_a, backend=be, label="Twin", charge_box_identity=hw.station_id)
    silent = StationFactory(company=company_a, backend=be, label="Silent", charge_box_identity="BE-NOT-IN-CE")
    listing = viewer_client.get(reverse("stations:list")).content.decode()
    twin_row = listing.split(f'id="station-row-{twin.pk}"')[1].split("</tr>")[0]
    silent_row = listing.split(f'id="station-row-{silent.pk}"')[1].split("</tr>")[0]
    assert f"{hw.status} (ChargEye)" in twin_row
    assert "Not reported" in silent_row and "Unknown" not in silent_row
    detail = viewer_client.get(reverse("stations:detail", args=[twin.pk])).content.decode()
    assert "As ChargEye reports it" in detail and hw.serial_number in detail
    assert "As ChargEye reports it" not in viewer_client.get(reverse("stations:detail", args=[silent.pk])).content.decode()


def test_a_station_of_another_company_is_not_matched(ce_backend: Backend, company_a: Company,
                                                     company_b: Company, viewer_client: Client) -> None:
    refresh_run(ce_backend, "stations")
    hw = ChargEyeStation.objects.filter(company=company_a).first()
    be = BackendFactory(name="BE B", kind="beenergised", company=company_b)
    StationFactory(company=company_b, backend=be, label="B twin", charge_box_identity=hw.station_id)
    from stations.chargeye import annotate_status
    from stations.models import Station

    station = Station.objects.select_related("backend").get(label="B twin")
    annotate_status([station])
    assert station.status_text == "Not reported"
