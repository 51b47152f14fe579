"""The CSV importer: reading files, validating rows with the form's rules, and the report page."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from models_catalog.models import StationModel
from portal.models import Backend, Company, Operation, User
from stations.csv_import.format import COLUMN_NAMES, FileRefused, read_rows
from stations.csv_import.models import ImportJob, ImportRow
from portal.downloads import csv_text, safe_cell
from stations.csv_import.services import import_upload, rows_to_fix
from stations.models import ModelIdMapping, Station
from tests.factories import BackendFactory, StationFactory, StationModelFactory

HEADER = ",".join(COLUMN_NAMES)


def csv_bytes(*rows: dict[str, str], delimiter: str = ",", bom: bool = False, newline: str = "\r\n") -> bytes:
    lines = [delimiter.join(COLUMN_NAMES)]
    for row in rows:
        lines.append(delimiter.join(row.get(name, "") for name in COLUMN_NAMES))
    text = newline.join(lines) + newline
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def upload(user: User, data: bytes, name: str = "stations.csv") -> ImportJob:
    return import_upload(user=user, stream=io.BytesIO(data), file_name=name, size=len(data))


@pytest.fixture
def be_row(company_a: Company) -> dict[str, str]:
    backend = BackendFactory(name="Voltaro BE", kind=Backend.Kind.BEENERGISED, company=company_a)
    StationModelFactory(vendor="Alfen", model="Eve Single", beenergised_model_id=4)
    assert backend
    return {"backend": "Voltaro BE", "label": "Depot 1", "charge_box_identity": "IMP-0001",
            "model": "Alfen Eve Single", "time_zone": "Europe/Amsterdam"}


def test_clean_file_validates_without_creating_anything(operator: User, be_row: dict[str, str]) -> None:
    rows = [{**be_row, "charge_box_identity": f"IMP-{n:04d}", "label": f"Depot {n}"} for n in range(1, 6)]
    job = upload(operator, csv_bytes(*rows))
    assert job.status == ImportJob.Status.VALIDATED, job.file_problem
    assert (job.total_rows, job.valid_rows, job.problem_count) == (5, 5, 0)
    assert not Station.objects.exists() and not Operation.objects.exists()


def test_each_problem_names_row_column_and_reason(operator: User, be_row: dict[str, str]) -> None:
    StationModelFactory(vendor="ABB", model="Terra AC", beenergised_model_id=9, is_archived=True)
    StationFactory(backend=Backend.objects.get(name="Voltaro BE"), company=operator.companies.get(),
                   charge_box_identity="TAKEN-1")
    rows = [
        be_row,                                                  # row 2: fine
        {**be_row, "charge_box_identity": "IMP-0001"},           # row 3: duplicate within the file
        {**be_row, "charge_box_identity": "taken-1"},            # row 4: exists in the mirror (any case)
        {**be_row, "charge_box_identity": "X-4", "time_zone": "Mars/Olympus"},
        {**be_row, "charge_box_identity": "X-5", "model": "ABB Terra AC"},
        {**be_row, "charge_box_identity": "X-6", "label": "L" * 201},
        {**be_row, "charge_box_identity": "X-7", "backend": "Nope"},
        {**be_row, "charge_box_identity": "X-8", "deploy_state": "Stock"},
    ]
    job = upload(operator, csv_bytes(*rows))
    assert job.status == ImportJob.Status.INVALID
    found = {(r.number, c): m for r in ImportRow.objects.filter(job=job) for c, m in r.problems}
    assert "also on row 2" in found[(3, "charge_box_identity")]
    assert "already used by station" in found[(4, "charge_box_identity")]
    assert "IANA" in found[(5, "time_zone")]
    assert "archived" in found[(6, "model")]
    assert "At most 200" in found[(7, "label")]
    assert "Nope" in found[(8, "backend")]
    assert "do not take this column" in found[(9, "deploy_state")]
    assert not any(number == 2 for number, _ in found)
    assert not Station.objects.exclude(charge_box_identity="TAKEN-1").exists()


def test_technician_of_another_company_is_refused_without_naming_them(
    operator: User, company_b: Company, be_row: dict[str, str]
) -> None:
    """Another company's technician is unknown to the importer: refused, and neither they nor their
    company is named (an e-mail address must not tell its owner's name to a stranger)."""
    from stations.models import Technician

    other = BackendFactory(kind=Backend.Kind.BEENERGISED, company=company_b)
    Technician.objects.create(backend=other, company=company_b, upstream_id="77", name="Kai", email="kai@b.example")
    job = upload(operator, csv_bytes({**be_row, "technician": "kai@b.example"}))
    (row,) = ImportRow.objects.filter(job=job)
    assert row.problems == [["technician", "No technician “kai@b.example” on Voltaro BE: write the e-mail of one of "
                                           "the company's technicians, as in the technician list of New station."]]
    assert "Kai" not in str(row.problems) and "Company B" not in str(row.problems)


@pytest.mark.parametrize("delimiter", [",", ";"])
@pytest.mark.parametrize("bom", [True, False])
@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_encodings_separators_and_line_endings(operator: User, be_row: dict[str, str], delimiter: str, bom: bool,
                                               newline: str) -> None:
    job = upload(operator, csv_bytes(be_row, {**be_row, "charge_box_identity": "IMP-0002"},
                                     delimiter=delimiter, bom=bom, newline=newline))
    assert job.status == ImportJob.Status.VALIDATED, job.file_problem
    assert job.valid_rows == 2
    assert job.delimiter == delimiter


@pytest.mark.parametrize(("data", "message"), [
    ("backend,label\r\nA,é\r\n".encode("latin-1"), "not UTF-8"),
    ("backend,charge_box_identity\r\n".encode("utf-16"), "UTF-16"),
    (b"", "empty"),
    (b"label,model\r\nx,y\r\n", "lacks backend, charge_box_identity"),
])
def test_unreadable_files_are_refused_with_a_reason(operator: User, data: bytes, message: str) -> None:
    job = upload(operator, data)
    assert job.status == ImportJob.Status.INVALID
    assert message in job.file_problem
    assert not ImportRow.objects.filter(job=job).exists()


def test_size_limit_has_a_clear_message() -> None:
    with pytest.raises(FileRefused, match="the limit is 20 MB"):
        read_rows(io.BytesIO(b"x"), 21 * 1024 * 1024)


def test_greenflux_connector_list_is_checked(operator: User, company_a: Company) -> None:
    from locations.models import Location

    gf = BackendFactory(name="Voltaro GF", kind=Backend.Kind.GREENFLUX, company=company_a)
    Location.objects.create(backend=gf, company=company_a, upstream_id="loc-1", name="Fleet Hub Berlin")
    base = {"backend": "Voltaro GF", "charge_box_identity": "GF-1", "location": "Fleet Hub Berlin",
            "deploy_state": "stock", "default_tariff_id": "T1"}
    good = {**base, "connectors": "IEC_62196_T2/SOCKET/AC_3_PHASE/400/32/22000|CHADEMO/CABLE/DC/500/125/50000"}
    bad = {**base, "charge_box_identity": "GF-2", "connectors": "CHADEMO/SOCKET/DC/500/125/50000"}
    neither = {**base, "charge_box_identity": "GF-3"}
    job = upload(operator, csv_bytes(good, bad, neither))
    rows = {r.number: r for r in ImportRow.objects.filter(job=job)}
    assert rows[2].problems == []
    assert rows[2].values["deploy_state"] == "Stock"
    assert len(rows[2].values["evses"]) == 2
    assert rows[3].problems[0] == ["connectors", "EVSE 1, connector 1: format: GreenFlux takes CHADEMO as CABLE only."]
    assert rows[4].problems[0][0] == "connectors"


def test_viewer_cannot_open_imports(viewer_client: Client) -> None:
    assert viewer_client.get(reverse("stations:import_list")).status_code == 403
    assert viewer_client.post(reverse("stations:import_list")).status_code == 403


def test_upload_page_shows_report(operator_client: Client, be_row: dict[str, str]) -> None:
    data = csv_bytes(be_row, {**be_row, "charge_box_identity": "IMP-0001"})
    response = operator_client.post(reverse("stations:import_list"),
                                    {"file": io.BytesIO(data)}, follow=True)
    html = response.content.decode()
    assert "also on row 2" in html and "Problems to fix" in html
    assert "Create 1 station" not in html  # nothing to confirm while problems remain
    template = operator_client.get(reverse("stations:import_template"))
    assert template["Content-Type"].startswith("text/csv")
    assert next(csv.reader(io.StringIO(template.content.decode("utf-8-sig")))) == HEADER.split(",")


def test_template_file_is_accepted_by_the_importer() -> None:
    delimiter, header, rows = read_rows(io.BytesIO(csv_template := _template()), len(csv_template))
    assert header == list(COLUMN_NAMES)
    assert len(list(rows)) == 2


def _template() -> bytes:
    from stations.csv_import.format import template_csv

    return template_csv().encode()


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tx"])
def test_exported_cells_cannot_run_as_formulas(value: str) -> None:
    text = csv_text([*COLUMN_NAMES, "problem"], rows_to_fix([({"label": value}, value)]))
    header, row = list(csv.reader(io.StringIO(text)))
    assert row[header.index("label")] == "'" + value  # a spreadsheet shows it as text
    assert row[header.index("problem")] == "'" + value


def test_plain_cells_are_exported_unchanged() -> None:
    assert safe_cell("Depot 7") == "Depot 7"
    assert safe_cell("") == ""


def test_model_must_have_a_beenergised_id(operator: User, be_row: dict[str, str]) -> None:
    ModelIdMapping.objects.all().delete()
    job = upload(operator, csv_bytes(be_row))
    (row,) = ImportRow.objects.filter(job=job)
    assert row.problems[0][0] == "model" and "be.ENERGISED model id" in row.problems[0][1]


def test_nul_bytes_are_refused(operator: User, be_row: dict[str, str]) -> None:
    job = upload(operator, csv_bytes({**be_row, "label": "De\x00pot"}))
    assert job.status == ImportJob.Status.INVALID
    assert "NUL byte" in job.file_problem


def test_importer_and_create_form_apply_the_same_rules(operator: User, be_row: dict[str, str]) -> None:
    """A row the importer refuses is refused by the form's validation with the same words."""
    from stations import validation
    from stations.csv_import.validate import Lookups, validate_row
    from stations.services import StationInput

    bad = {**be_row, "time_zone": "Europe/Atlantis", "label": ""}
    _, problems = validate_row(bad, Lookups.load(operator), operator, 2)
    backend = Backend.objects.get(name="Voltaro BE")
    form_errors = validation.validate_station_input(StationInput(
        backend=backend, company=backend.company, label="", charge_box_identity=bad["charge_box_identity"],
        model=StationModel.objects.get(model="Eve Single"), time_zone="Europe/Atlantis"))
    assert sorted(problems) == sorted(form_errors.items())


def test_a_reader_of_part_of_a_file_cannot_confirm_it(
    company_a: Company, company_b: Company, be_row: dict[str, str]
) -> None:
    """Confirming creates every row's station; someone who sees only their company's rows may not."""
    from portal.access import Role
    from stations.csv_import.services import import_confirm
    from tests.factories import UserFactory

    BackendFactory(name="Nordlicht BE", kind=Backend.Kind.BEENERGISED, company=company_b)
    both = UserFactory(role=Role.OPERATOR, companies=[company_a, company_b])
    b_only = UserFactory(role=Role.OPERATOR, companies=[company_b])
    job = upload(both, csv_bytes(be_row, {**be_row, "backend": "Nordlicht BE", "charge_box_identity": "IMP-B1"}))
    assert job.status == ImportJob.Status.VALIDATED, job.file_problem
    assert job.company_rows == {str(company_a.pk): [1, 1, 0], str(company_b.pk): [1, 1, 0]}

    client = Client()
    client.force_login(b_only)
    page = client.get(reverse("stations:import_detail", args=[job.pk])).content.decode()
    assert "1 row," in page and "IMP-0001" not in page and "Create 1 station" not in page
    response = client.post(reverse("stations:import_confirm", args=[job.pk]), follow=True)
    assert "also holds rows of companies you are not in" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATED and not Station.objects.exists()
    with pytest.raises(ValueError):
        import_confirm(user=b_only, job=job)
    assert import_confirm(user=both, job=job).status == ImportJob.Status.CONFIRMED
