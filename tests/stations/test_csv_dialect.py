"""German and Dutch spreadsheets (issue 30): files separated by ";", UTF-8 with a byte-order mark,
read by the import as written, and an export such a spreadsheet opens in columns; the column names
stay English in every language, so a file moves between users."""

from __future__ import annotations

import csv
import io

from django.test import Client
from django.urls import reverse

from portal.models import Backend, Company, User
from stations.csv_import.format import COLUMN_NAMES
from stations.csv_import.models import ImportJob, ImportRow
from stations.csv_import.services import import_upload
from tests.factories import BackendFactory, StationFactory, StationModelFactory

BOM = b"\xef\xbb\xbf"


def _german_excel(rows: list[dict[str, str]]) -> bytes:
    """What German Excel's "CSV UTF-8 (durch Trennzeichen getrennt)" writes: a BOM, ";" between
    cells, quotes only around a cell holding ";" or a quote, CRLF, and the empty rows it keeps."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMN_NAMES)
    for row in rows:
        writer.writerow([row.get(name, "") for name in COLUMN_NAMES])
    writer.writerow([""] * len(COLUMN_NAMES))  # ";;;;…": an empty spreadsheet row
    return BOM + out.getvalue().encode("utf-8")


def _download(client: Client, url: str, **params: str) -> bytes:
    answer = client.get(url, params)
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    return b"".join(answer.streaming_content) if answer.streaming else answer.content


def test_an_import_reads_a_german_spreadsheets_file(operator: User, company_a: Company) -> None:
    BackendFactory(name="Voltaro BE", kind=Backend.Kind.BEENERGISED, company=company_a)
    StationModelFactory(vendor="Alfen", model="Eve Single", beenergised_model_id=4)
    row = {"backend": "Voltaro BE", "model": "Alfen Eve Single", "time_zone": "Europe/Berlin"}
    data = _german_excel([{**row, "label": "Köln Süd; Tor 2", "charge_box_identity": "KOE-0001",
                           "public_display_name": 'Depot „Rheinufer“ "Nord"'},
                          {**row, "label": "Düsseldorf Straße 5", "charge_box_identity": "DUS-0001"}])
    job = import_upload(user=operator, stream=io.BytesIO(data), file_name="Ladestationen.csv", size=len(data))
    assert job.status == ImportJob.Status.VALIDATED, job.file_problem
    assert job.delimiter == ";" and (job.total_rows, job.valid_rows) == (2, 2)
    raws = [r.raw for r in ImportRow.objects.filter(job=job).order_by("number")]
    assert [r["label"] for r in raws] == ["Köln Süd; Tor 2", "Düsseldorf Straße 5"]
    assert raws[0]["public_display_name"] == 'Depot „Rheinufer“ "Nord"' and raws[0]["backend"] == "Voltaro BE"


def test_an_export_opens_in_columns_in_a_german_or_dutch_spreadsheet(operator: User) -> None:
    StationFactory(company=operator.companies.get(), label="Köln Süd; Tor 2", charge_box_identity="KOE-0001")
    client = Client(HTTP_ACCEPT_LANGUAGE="de-DE")
    client.force_login(operator)
    for url, first in ((reverse("stations:export"), "KOE-0001"), (reverse("stations:import_template"), None)):
        body = _download(client, url)
        assert body.startswith(BOM)
        text = body.decode("utf-8-sig")
        header = text.split("\r\n", 1)[0]
        assert header.split(";")[:3] == ['"backend"', '"label"', '"charge_box_identity"'], header  # English names
        rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
        if first:
            assert rows[0]["charge_box_identity"] == first and rows[0]["label"] == "Köln Süd; Tor 2"
    # The English reader's default, and either separator on request.
    english = Client(HTTP_ACCEPT_LANGUAGE="en-GB")
    english.force_login(operator)
    assert _download(english, reverse("stations:export")).decode("utf-8-sig").startswith('"backend","label"')
    chosen = _download(client, reverse("stations:export"), sep="comma")
    assert chosen.decode("utf-8-sig").startswith('"backend","label"')
    dutch = Client(HTTP_ACCEPT_LANGUAGE="nl-NL")
    dutch.force_login(operator)
    assert _download(dutch, reverse("stations:export")).decode("utf-8-sig").startswith('"backend";"label"')


def test_a_german_export_goes_back_in_unchanged(operator: User, company_a: Company) -> None:
    """The file a German reader downloads is one the import takes as it is (update mode: no change)."""
    backend = BackendFactory(name="Voltaro BE", kind=Backend.Kind.BEENERGISED, company=company_a)
    model = StationModelFactory(vendor="Alfen", model="Eve Single", beenergised_model_id=4)
    StationFactory(company=company_a, backend=backend, model=model, label="Köln Süd; Tor 2",
                   charge_box_identity="KOE-0001", time_zone="Europe/Berlin", upstream_id="u-1")
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(operator)
    data = _download(client, reverse("stations:export"))
    job = import_upload(user=operator, stream=io.BytesIO(data), file_name="export.csv", size=len(data), mode="update")
    problems = [r.problems for r in ImportRow.objects.filter(job=job).exclude(problems=[])]
    assert job.delimiter == ";" and not problems, problems
    assert set(ImportRow.objects.filter(job=job).values_list("action", flat=True)) == {"unchanged"}
