"""CSV import in update mode, over HTTP with a real worker against the simulator.

A file mixing new, changed, unchanged and invalid rows gives that report; confirming it
writes what the report showed (read back through the backend's connector), sends nothing
for unchanged rows, and a station changed upstream after the report ends as a conflict
while the other rows are done. Another company's identity is refused without a word of
that station, and a viewer cannot use the page.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from locations.models import Location
from portal.models import Backend, Company, Operation, User
from sync.engine import refresh_run
from simulator.ocpi import STANDARDS
from simulator.testing import SimulatorHandle
from stations.csv_import.models import ImportJob, ImportRow
from stations.csv_import.services import import_finish_if_settled
from stations.models import Connector, Station
from tests.factories import StationFactory
from tests.worker import wait_for

HEADER = ("backend", "charge_box_identity", "label", "location", "deploy_state", "default_tariff_id", "connectors")
CONNECTORS = "IEC_62196_T2/SOCKET/AC_3_PHASE/400/32/22000"


def file_of(rows: list[dict[str, str]], header: tuple[str, ...] = HEADER) -> bytes:
    """A CSV with only ``header``'s columns: the others are absent, as in a hand-made file."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return out.getvalue().encode("utf-8")


def post_file(client: Client, data: bytes, mode: str = "update", name: str = "fleet-update.csv") -> Any:
    return client.post(reverse("stations:import_list"),
                       {"file": SimpleUploadedFile(name, data, content_type="text/csv"), "mode": mode})


def last_job() -> ImportJob:
    return ImportJob.objects.order_by("-pk").first()


def upstream(backend: Backend, station_id: str) -> Any:
    with backend.connector() as connector:
        return connector.get_station(station_id)


def mirrored_stations(backend: Backend, count: int) -> list[Station]:
    assert refresh_run(backend, "stations", full=True).status == "done"
    # As test_bulk_worker: stations whose connectors the simulator accepts on write.
    refused = set(Connector.objects.values_list("standard", flat=True)) - set(STANDARDS)
    writable = Station.objects.filter(backend=backend, removed_at__isnull=True, upstream_id__isnull=False).exclude(
        evses__connectors__standard__in=refused).exclude(deploy_state="").distinct().order_by("id")
    chosen = list(writable[:count])
    assert len(chosen) == count
    return chosen


def row_of(job: ImportJob, number: int) -> ImportRow:
    return ImportRow.objects.select_related("batch_item").get(job=job, number=number)


@pytest.mark.worker
@pytest.mark.usefixtures("celery_worker_process")
def test_update_mode_report_then_confirm_writes_the_preview_and_a_station_changed_since_is_a_conflict(
    transactional_db: None, simulator: SimulatorHandle, gf_backend: Backend, operator: User
) -> None:
    changed, unchanged, conflicting, refused, deleted = mirrored_stations(gf_backend, 5)
    location = Location.objects.filter(backend=gf_backend).first()
    new_tariff = "TARIFF-IMPORT-2027"
    before = {s.pk: upstream(gf_backend, s.upstream_id) for s in (changed, unchanged, conflicting)}
    rows = [
        # row 2: a change of one column; every other column is empty or absent and must stay as it is
        {"backend": gf_backend.name, "charge_box_identity": changed.charge_box_identity,
         "default_tariff_id": new_tariff},
        # row 3: the station's own values: unchanged, nothing is sent
        {"backend": gf_backend.name, "charge_box_identity": unchanged.charge_box_identity.lower(),
         "label": unchanged.label, "deploy_state": unchanged.deploy_state.lower()},
        # row 4: a new identity: a create
        {"backend": gf_backend.name, "charge_box_identity": "UPD-NEW-1", "label": "Update mode new",
         "location": location.upstream_id, "deploy_state": "Stock", "default_tariff_id": "TARIFF-AC-STANDARD",
         "connectors": CONNECTORS},
        # row 5: a change that will meet someone else's change upstream
        {"backend": gf_backend.name, "charge_box_identity": conflicting.charge_box_identity,
         "label": "Renamed by the import", "default_tariff_id": new_tariff},
        # row 6: invalid: a deploy state GreenFlux does not have, on an existing station
        {"backend": gf_backend.name, "charge_box_identity": refused.charge_box_identity, "deploy_state": "Sideways"},
        # row 7: invalid: a new identity without what a new station needs
        {"backend": gf_backend.name, "charge_box_identity": refused.charge_box_identity + "-X",
         "label": "No location"},
        # row 8: a change of a station that will be deleted upstream before it is sent: it fails
        {"backend": gf_backend.name, "charge_box_identity": deleted.charge_box_identity, "deploy_state": "deprecated"},
    ]
    client = Client()
    client.force_login(operator)
    response = post_file(client, file_of(rows))
    assert response.status_code == 302
    job = last_job()
    assert job.mode == ImportJob.Mode.UPDATE and job.status == ImportJob.Status.INVALID
    actions = {r.number: ("invalid" if r.problems else r.action) for r in ImportRow.objects.filter(job=job)}
    assert actions == {2: "change", 3: "unchanged", 4: "create", 5: "change", 6: "invalid", 7: "invalid",
                       8: "change"}
    problems = {(r.number, c): m for r in ImportRow.objects.filter(job=job) for c, m in r.problems}
    assert "Sideways" in problems[(6, "deploy_state")]
    assert (7, "location") in problems  # a new station still needs what a create needs
    assert row_of(job, 2).batch_item.diff == [["Default tariff id", changed.default_tariff_id, new_tariff]]

    page = client.get(response["Location"]).content.decode()
    for text in ("Changes <span class=\"count\">3</span>", "Unchanged <span class=\"count\">1</span>",
                 "New stations <span class=\"count\">1</span>", "Invalid <span class=\"count\">2</span>",
                 f"<del>{changed.default_tariff_id}</del> → <ins>{new_tariff}</ins>",
                 f"<del>{conflicting.label}</del> → <ins>Renamed by the import</ins>",
                 "Already as in the file; nothing is sent.", "<code>deploy_state</code>",
                 "Apply the 5 valid rows, leave the others"):
        assert text in page, text
    assert not Operation.objects.exists()  # a report sends nothing

    # Someone renames a station on GreenFlux after the report was shown, and another one is deleted there.
    simulator.touch_station(conflicting.upstream_id, name="Renamed elsewhere")
    simulator.store.delete("gf_stations", deleted.upstream_id)
    assert client.post(reverse("stations:import_confirm", args=[job.pk]), {"valid_only": "1"}).status_code == 302
    wait_for(lambda: import_finish_if_settled(ImportJob.objects.get(pk=job.pk)).status == ImportJob.Status.FINISHED,
             timeout=120)

    # The change is upstream, exactly as previewed, and nothing else of the station moved.
    after = upstream(gf_backend, changed.upstream_id)
    assert after.default_charge_station_tariff_id == new_tariff
    old = before[changed.pk]
    assert (after.name, after.deploy_state, after.location_id, after.charger_type) == (
        old.name, old.deploy_state, old.location_id, old.charger_type)
    # Unchanged: no operation at all, and the upstream is as it was.
    assert not Operation.objects.filter(target_type="station", target_id=unchanged.pk).exists()
    assert upstream(gf_backend, unchanged.upstream_id).last_updated == before[unchanged.pk].last_updated
    # The conflict: nothing of the import overwrote the other change; the station waits for a decision.
    remote = upstream(gf_backend, conflicting.upstream_id)
    assert remote.name == "Renamed elsewhere" and remote.default_charge_station_tariff_id != new_tariff
    assert Station.objects.get(pk=conflicting.pk).sync_state == "conflict"
    op = Operation.objects.get(target_type="station", target_id=conflicting.pk)
    assert op.status == Operation.Status.CONFLICT
    # The create landed; the invalid rows sent nothing.
    created = Station.objects.get(backend=gf_backend, charge_box_identity="UPD-NEW-1")
    assert upstream(gf_backend, created.upstream_id).name == "Update mode new"
    assert not Operation.objects.filter(target_type="station", target_id=refused.pk).exists()

    page = client.get(reverse("stations:import_detail", args=[job.pk])).content.decode()
    assert "1 done, 1 in conflict, 1 failed" in page
    assert reverse("stations:conflict", args=[conflicting.pk]) in page
    assert "not found" in page  # the failed row says why
    fix = client.get(reverse("stations:import_rows_to_fix", args=[job.pk])).content.decode()
    assert deleted.charge_box_identity in fix and "not found" in fix and "Sideways" in fix

    # Retrying sends the failed change again, and only it.
    ops = Operation.objects.filter(target_type="station")
    before_retry = {op.pk: (op.status, op.attempts, op.finished_at) for op in ops}
    failed_op = ops.get(status=Operation.Status.FAILED)
    assert client.post(reverse("stations:import_retry", args=[job.pk])).status_code == 302
    wait_for(lambda: not Operation.objects.filter(status__in=Operation.OPEN).exists(), timeout=60)
    after_retry = {op.pk: (op.status, op.attempts, op.finished_at) for op in Operation.objects.filter(
        target_type="station")}
    assert {k: v for k, v in after_retry.items() if k != failed_op.pk} == {
        k: v for k, v in before_retry.items() if k != failed_op.pk}
    assert after_retry[failed_op.pk][2] > before_retry[failed_op.pk][2]
    # The conflict page is the single edit's: the report's version, the user's change, the upstream's.
    conflict_page = client.get(reverse("stations:conflict", args=[conflicting.pk])).content.decode()
    assert "Renamed elsewhere" in conflict_page and "Renamed by the import" in conflict_page


@pytest.mark.django_db
def test_another_companys_identity_is_refused_without_a_word_of_that_station(
    gf_backend: Backend, operator: User, company_b: Company
) -> None:
    secret = StationFactory(backend=gf_backend, company=company_b, charge_box_identity="SECRET-B-1",
                            label="Company B secret depot", default_tariff_id="TARIFF-B-ONLY")
    client = Client()
    client.force_login(operator)
    data = file_of([{"backend": gf_backend.name, "charge_box_identity": "secret-b-1", "default_tariff_id": "X"}])
    for mode in ("update", "create"):
        response = post_file(client, data, mode=mode, name=f"{mode}.csv")
        job = last_job()
        row = ImportRow.objects.get(job=job)
        assert any(c == "charge_box_identity" and "company you are not in" in m for c, m in row.problems), row.problems
        assert row.station_id is None and row.batch_item_id is None
        page = client.get(response["Location"]).content.decode()
        assert "company you are not in" in page
        for leak in ("Company B", "secret depot", "TARIFF-B-ONLY", reverse("stations:detail", args=[secret.pk])):
            assert leak not in page, (mode, leak)
    assert job.batch_id is None


@pytest.mark.django_db
def test_unchanged_and_be_energised_rows_and_what_an_update_cannot_change(
    gf_backend: Backend, be_backend: Backend, operator: User, company_a: Company
) -> None:
    gf = StationFactory(backend=gf_backend, company=company_a, charge_box_identity="GF-KEEP", upstream_id="GF-KEEP",
                        deploy_state="Stock", default_tariff_id="T-1", label="Keep me")
    be = StationFactory(backend=be_backend, company=company_a, charge_box_identity="BE-KEEP", upstream_id="77",
                        label="BE depot", time_zone="Europe/Amsterdam")
    header = ("backend", "charge_box_identity", "label", "time_zone", "company", "template", "connectors")
    rows = [
        {"backend": gf_backend.name, "charge_box_identity": "GF-KEEP", "label": "Keep me"},
        {"backend": be_backend.name, "charge_box_identity": "BE-KEEP", "label": "BE depot",
         "time_zone": "Europe/Amsterdam"},
        {"backend": be_backend.name, "charge_box_identity": "BE-KEEP", "label": "Other name"},
        {"backend": gf_backend.name, "charge_box_identity": "gf-keep", "connectors": CONNECTORS},
    ]
    client = Client()
    client.force_login(operator)
    post_file(client, file_of(rows, header))
    job = last_job()
    found = {r.number: r for r in ImportRow.objects.filter(job=job)}
    assert (found[2].action, found[2].problems) == ("unchanged", [])
    assert (found[3].action, found[3].problems) == ("unchanged", [])
    assert found[4].problems[0][0] == "charge_box_identity" and "also on row 3" in found[4].problems[0][1]
    assert "no way to change a station" in found[4].problems[1][1]
    assert {c for c, _m in found[5].problems} == {"charge_box_identity", "connectors"}
    assert Station.objects.get(pk=gf.pk).label == "Keep me" and Station.objects.get(pk=be.pk).label == "BE depot"
    # A file that only confirms what is there: confirming it sends nothing at all.
    post_file(client, file_of(rows[:2], header), name="same.csv")
    job = last_job()
    assert job.status == ImportJob.Status.VALIDATED
    assert client.post(reverse("stations:import_confirm", args=[job.pk])).status_code == 302
    assert not Operation.objects.exists()
    assert import_finish_if_settled(ImportJob.objects.get(pk=job.pk)).status == ImportJob.Status.FINISHED


@pytest.mark.django_db
def test_an_update_rows_location_is_named_as_the_locations_page_names_it(
    gf_backend: Backend, operator: User, company_a: Company
) -> None:
    """Issue 25 item 11: the export writes names, so an update row's location problem asks for a name, as
    create mode does; "by its id" only where two locations share the name (the export writes the id there)."""
    from tests.factories import LocationFactory

    depot = LocationFactory(backend=gf_backend, company=company_a, name="Depot Noord", upstream_id="LOC-1")
    for n in (2, 3):
        LocationFactory(backend=gf_backend, company=company_a, name="Hub Zuid", upstream_id=f"LOC-{n}")
    refs = ("depot noord", "Depot Nord", "Hub Zuid", "LOC-3")
    for n in range(len(refs)):
        StationFactory(backend=gf_backend, company=company_a, charge_box_identity=f"GF-MOVE-{n}",
                       upstream_id=f"GF-MOVE-{n}", label=f"Move me {n}")
    header = ("backend", "charge_box_identity", "location")
    rows = [{"backend": gf_backend.name, "charge_box_identity": f"GF-MOVE-{n}", "location": ref}
            for n, ref in enumerate(refs)]
    client = Client()
    client.force_login(operator)
    post_file(client, file_of(rows, header))
    found = {r.number: r.problems for r in ImportRow.objects.filter(job=last_job())}
    assert found[2] == [] and found[5] == []  # a name (any case) or an id
    assert found[3] == [["location", f"No location “Depot Nord” on {gf_backend.name}: write its name as on the "
                                     "Locations page."]]
    assert found[4][0][0] == "location" and "more than one location called “Hub Zuid”" in found[4][0][1]
    assert not any("use its id" in m for problems in found.values() for _c, m in problems)
    assert depot.pk


@pytest.mark.django_db
def test_create_mode_stays_the_default_and_a_viewer_cannot_use_the_page(
    gf_backend: Backend, operator: User, viewer: User, company_a: Company
) -> None:
    StationFactory(backend=gf_backend, company=company_a, charge_box_identity="HAVE-1", label="Have one")
    data = file_of([{"backend": gf_backend.name, "charge_box_identity": "HAVE-1", "label": "New name"}])
    client = Client()
    client.force_login(operator)
    page = client.get(reverse("stations:import_list")).content.decode()
    assert 'name="mode" value="create" checked' in page and "Updating stations that exist" in page
    response = client.post(reverse("stations:import_list"),
                           {"file": SimpleUploadedFile("old-habit.csv", data, content_type="text/csv")})
    job = last_job()
    assert job.mode == ImportJob.Mode.CREATE
    assert any("already used by station “Have one”" in m for _c, m in ImportRow.objects.get(job=job).problems)
    assert job.batch_id is None and response.status_code == 302

    viewer_client = Client()
    viewer_client.force_login(viewer)
    assert post_file(viewer_client, data).status_code == 403
    assert viewer_client.get(reverse("stations:import_detail", args=[job.pk])).status_code == 403
    assert viewer_client.post(reverse("stations:import_confirm", args=[job.pk])).status_code == 403
    assert ImportJob.objects.count() == 1


@pytest.mark.django_db
def test_a_large_update_file_checked_by_a_worker_gives_the_same_report_as_one_checked_at_once(
    gf_backend: Backend, operator: User, company_a: Company
) -> None:
    from stations.csv_import import checking
    from stations.csv_import.services import import_upload

    StationFactory(backend=gf_backend, company=company_a, charge_box_identity="BIG-1", upstream_id="BIG-1",
                   deploy_state="Stock", default_tariff_id="T-1", label="Big one")
    data = file_of([{"backend": gf_backend.name, "charge_box_identity": "BIG-1", "default_tariff_id": "T-2"},
                    {"backend": gf_backend.name, "charge_box_identity": "BIG-1", "deploy_state": "Stock"}])

    def report(job: ImportJob) -> list[tuple[str, list, list]]:
        return [(r.action, r.problems, r.batch_item.diff if r.batch_item else None)
                for r in ImportRow.objects.filter(job=job).select_related("batch_item").order_by("number")]

    at_once = import_upload(user=operator, stream=io.BytesIO(data), file_name="a.csv", size=len(data), mode="update")
    later = import_upload(user=operator, stream=io.BytesIO(data), file_name="b.csv", size=len(data), mode="update",
                          defer=True)
    assert later.status == ImportJob.Status.VALIDATING and later.mode == ImportJob.Mode.UPDATE
    checking.import_check(later.pk)  # what the worker does
    later.refresh_from_db()
    assert later.status == at_once.status == ImportJob.Status.INVALID  # row 3 names the station twice
    assert report(later) == report(at_once)
    assert report(later)[0] == ("change", [], [["Default tariff id", "T-1", "T-2"]])
    assert later.batch.items.count() == 1 and later.batch.created_by == operator


@pytest.mark.django_db
def test_the_station_lists_export_uploaded_in_update_mode_changes_nothing(
    gf_backend: Backend, be_backend: Backend, operator: User
) -> None:
    for backend in (gf_backend, be_backend):
        assert refresh_run(backend, "stations", full=True).status == "done"
    client = Client()
    client.force_login(operator)
    export = b"".join(client.get(reverse("stations:export")).streaming_content)
    stations = Station.objects.filter(removed_at__isnull=True).count()
    assert stations > 10
    post_file(client, export, name="export.csv")
    job = last_job()
    problems = [(r.number, r.raw.get("charge_box_identity"), r.problems)
                for r in ImportRow.objects.filter(job=job).exclude(problems=[])]
    assert not problems, problems[:5]
    assert set(ImportRow.objects.filter(job=job).values_list("action", flat=True)) == {"unchanged"}
    assert job.status == ImportJob.Status.VALIDATED and job.total_rows >= stations
