"""GreenFlux against an upstream written from the documents alone (issue 24): hardware templates at the
vendor's own path, served whole whatever the offset."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from locations.models import Location
from portal.models import Company, Operation, SyncRun
from outbox.operations import operation_run
from sync.engine import refresh_run
from simulator.testing import SimulatorHandle
from stations.models import HardwareTemplate, Station
from tests.upstream import make_backend

VENDOR_TEMPLATES = "/charge-station-templates"


def test_a_template_list_that_ignores_paging_is_read_whole_with_a_note_on_the_sync_page(
    simulator: SimulatorHandle, company_a: Company, admin_client_portal: Client
) -> None:
    simulator.documents_only()
    backend = make_backend(simulator, "greenflux", company_a, paths={"templates": VENDOR_TEMPLATES})
    run = refresh_run(backend, "templates")
    assert run.status == SyncRun.Status.DONE, run.message
    upstream = {t["template_id"] for t in simulator.store.values("gf_templates")}
    assert len(upstream) >= 2
    assert set(HardwareTemplate.objects.filter(backend=backend).values_list("upstream_id", flat=True)) == upstream
    assert "ignores paging" in run.message and "whole list" in run.message
    page = admin_client_portal.get(reverse("sync:list")).content.decode()
    assert "ignores paging" in page
    # Read again: still whole, nothing taken as removed.
    again = refresh_run(backend, "templates", full=True)
    assert again.status == SyncRun.Status.DONE and again.rows_removed == 0
    assert HardwareTemplate.objects.filter(backend=backend, removed_at__isnull=True).count() == len(upstream)


def _docs_only_backend(simulator: SimulatorHandle, company: Company):
    simulator.documents_only()
    return make_backend(simulator, "greenflux", company, paths={"templates": VENDOR_TEMPLATES})


def _post(backend, **changes):
    from tests.stations.test_forms import gf_post

    data = gf_post(backend, **changes) if Location.objects.filter(backend=backend).exists() else None
    if data is None:  # no location in the mirror at all: gf_post cannot pick one
        Location.objects.create(backend=backend, company=backend.company, upstream_id="tmp", name="tmp")
        data = gf_post(backend, **changes)
        Location.objects.filter(upstream_id="tmp").delete()
    return data


def test_locations_are_known_from_the_stations_and_the_picker_offers_them(
    simulator: SimulatorHandle, company_a: Company, operator_client: Client
) -> None:
    backend = _docs_only_backend(simulator, company_a)
    located = refresh_run(backend, "locations")
    assert located.status == SyncRun.Status.DONE, located.message
    assert f"optional: not found at {backend.base_url}/locations" in located.message
    assert refresh_run(backend, "stations").status == SyncRun.Status.DONE
    upstream = {s["location_id"] for s in simulator.store.values("gf_stations")}
    mirrored = set(Location.objects.filter(backend=backend).values_list("upstream_id", flat=True))
    assert mirrored == upstream
    assert not Station.objects.filter(backend=backend, location=None).exists()
    page = operator_client.get(f"/stations/new/?backend={backend.pk}").content.decode()
    some = sorted(upstream)[0]
    assert f">{some}</option>" in page and "Or type its location id" in page
    # A locations refresh that finds no path marks nothing removed.
    assert refresh_run(backend, "locations", full=True).rows_removed == 0
    assert Location.objects.filter(backend=backend, removed_at__isnull=False).count() == 0


def test_a_station_created_with_a_typed_location_id_reaches_greenflux(
    simulator: SimulatorHandle, company_a: Company, operator_client: Client
) -> None:
    backend = _docs_only_backend(simulator, company_a)
    location_id = simulator.store.values("gf_locations")[0]["id"]
    assert not Location.objects.filter(backend=backend).exists()
    response = operator_client.post("/stations/new/", _post(backend, location="", location_id=location_id,
                                                           charge_box_identity="TYPED-1"))
    assert response.status_code == 302, response.content.decode()[:2000]
    station = Station.objects.get(charge_box_identity="TYPED-1")
    op = Operation.objects.get(target_type="station", target_id=station.pk, kind="station.create")
    operation_run(op.pk)
    op.refresh_from_db()
    assert op.status == Operation.Status.DONE, op.error_message
    station.refresh_from_db()
    assert station.location.upstream_id == location_id and station.location.sync_state == "synced"
    with backend.connector() as connector:
        assert connector.get_station("TYPED-1").location_id == location_id


def test_a_location_id_greenflux_does_not_know_is_refused_naming_the_field(
    simulator: SimulatorHandle, company_a: Company, operator_client: Client
) -> None:
    backend = _docs_only_backend(simulator, company_a)
    response = operator_client.post("/stations/new/", _post(backend, location="", location_id="NO-SUCH-LOC",
                                                           charge_box_identity="TYPED-2"))
    assert response.status_code == 302
    station = Station.objects.get(charge_box_identity="TYPED-2")
    op = Operation.objects.get(target_type="station", target_id=station.pk, kind="station.create")
    operation_run(op.pk)
    op.refresh_from_db()
    assert op.status == Operation.Status.FAILED
    assert "location_id" in op.field_errors or "location_id" in op.error_message


def test_neither_a_location_nor_an_id_names_the_field(
    simulator: SimulatorHandle, company_a: Company, operator_client: Client
) -> None:
    backend = _docs_only_backend(simulator, company_a)
    response = operator_client.post("/stations/new/", _post(backend, location="", location_id=""))
    assert response.status_code in (200, 422)
    assert "Choose a location, or type its location id." in response.content.decode()
    assert not Station.objects.exists()


def test_a_full_edit_moves_a_station_to_a_typed_location_id(
    simulator: SimulatorHandle, company_a: Company, operator_client: Client
) -> None:
    from django.urls import reverse

    backend = _docs_only_backend(simulator, company_a)
    assert refresh_run(backend, "stations").status == SyncRun.Status.DONE
    station = Station.objects.filter(backend=backend).order_by("charge_box_identity").first()
    other = next(loc["id"] for loc in simulator.store.values("gf_locations")
                 if loc["id"] != station.location.upstream_id)
    url = reverse("stations:edit", args=[station.pk])
    form = operator_client.get(url).context["form"]
    assert form.initial["location"] == station.location_id  # the picker holds the station's own location
    data = {"shown": form.initial["shown"], "label": "Moved by id", "location": station.location_id,
            "location_id": other, "default_tariff_id": station.default_tariff_id or "TARIFF-AC-STD",
            "deploy_state": station.deploy_state or "Stock", "charger_type": station.charger_type}
    response = operator_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:1500]
    op = Operation.objects.filter(target_type="station", target_id=station.pk).latest("pk")
    operation_run(op.pk)
    op.refresh_from_db()
    assert op.status == Operation.Status.DONE, op.error_message
    station.refresh_from_db()
    assert (station.label, station.location.upstream_id) == ("Moved by id", other)
    with backend.connector() as connector:
        assert connector.get_station(station.charge_box_identity).location_id == other


def test_csv_rows_name_a_greenflux_location_by_the_id_its_stations_carry_or_by_a_known_name(
    simulator: SimulatorHandle, company_a: Company, operator
) -> None:
    import io

    from stations.csv_import.models import ImportJob
    from stations.csv_import.services import import_upload
    from tests.stations.test_csv_import import csv_bytes

    backend = _docs_only_backend(simulator, company_a)
    assert refresh_run(backend, "stations").status == SyncRun.Status.DONE
    location = Location.objects.filter(backend=backend).order_by("upstream_id").first()
    Location.objects.filter(pk=location.pk).update(name="Harbour depot")  # as a locations path would name it
    rows = [{"backend": backend.name, "label": f"CSV {n}", "charge_box_identity": f"CSV-LOC-{n}", "location": ref,
             "deploy_state": "Stock", "default_tariff_id": "TARIFF-AC-STANDARD",
             "connectors": "IEC_62196_T2/SOCKET/AC_3_PHASE/400/32/22000"}
            for n, ref in enumerate([location.upstream_id, "Harbour depot"], start=1)]
    data = csv_bytes(*rows)
    job = import_upload(user=operator, stream=io.BytesIO(data), file_name="fleet.csv", size=len(data))
    assert job.status == ImportJob.Status.VALIDATED, job.file_problem
    assert [row.problems for row in job.rows.order_by("pk")] == [[], []]
    data = csv_bytes({**rows[0], "charge_box_identity": "CSV-LOC-3", "location": "Nowhere"})
    refused = import_upload(user=operator, stream=io.BytesIO(data), file_name="bad.csv", size=len(data))
    assert [column for column, _ in refused.rows.get().problems] == ["location"]
